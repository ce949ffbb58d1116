package test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/privatepatch/privatepatch/constructs/patching"
)

// confusedDeputyExempt are the service principals that act only for the resource they are
// attached to, where AWS documents no aws:SourceAccount/aws:SourceArn: an EC2 instance profile
// and the Lambda function of CDK's default-security-group custom resource.
var confusedDeputyExempt = map[string]string{
	"ec2.amazonaws.com":    "assumed by this account's instances through their instance profile",
	"lambda.amazonaws.com": "assumed by the one function the role belongs to",
	"glue.amazonaws.com":   "Glue documents no aws:SourceAccount for crawler roles; only this account can pass the role",
}

// confusedDeputyExemptRoles are roles, by their construct id, whose trust is AWS's documented one
// without conditions.
var confusedDeputyExemptRoles = map[string]string{
	// patching.MaintenanceWindow's notificationRoleFor says why.
	"NotificationRole": "Run Command's notification role: the trust of \"Monitoring Systems Manager status changes using " +
		"Amazon SNS notifications\"; no page says which source Run Command gives; it can only publish to the alerts topic",
}

// servicePrincipalStatements lists every statement in a template (trust policies, key, topic and
// bucket policies, inline and managed policies) that grants something to an AWS service.
func servicePrincipalStatements(template map[string]any) map[string]map[string]any {
	found := map[string]map[string]any{}
	var walk func(where string, v any)
	walk = func(where string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if principal, ok := v["Principal"].(map[string]any); ok && v["Effect"] == "Allow" {
				if service, ok := principal["Service"]; ok {
					found[fmt.Sprintf("%s %v %v", where, service, v["Action"])] = v
				}
			}
			for _, x := range v {
				walk(where, x)
			}
		case []any:
			for _, x := range v {
				walk(where, x)
			}
		}
	}
	for id, r := range template["Resources"].(map[string]any) {
		walk(id, r)
	}
	return found
}

func TestEveryServicePrincipalIsBoundToThisAccount(t *testing.T) {
	for _, sc := range []*scenario{defaultScenario, richPatching, flowLogsToS3} {
		s := sc.synth(t)
		for stack, template := range map[string]map[string]any{"network": s.template, "fleet": s.fleetJSON, "patching": s.patchJSON} {
			statements := servicePrincipalStatements(template)
			var names []string
			for name := range statements {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				st := statements[name]
				exempt := false
				for service := range confusedDeputyExempt {
					exempt = exempt || strings.Contains(fmt.Sprint(st["Principal"]), service)
				}
				for role := range confusedDeputyExemptRoles {
					exempt = exempt || strings.Contains(name, role) && strings.Contains(fmt.Sprint(st["Action"]), "sts:AssumeRole")
				}
				if exempt {
					continue
				}
				condition := fmt.Sprint(st["Condition"])
				// CloudWatch Logs is bound by the encryption context AWS documents for log group keys.
				// EventBridge's use of the alerts key cannot be: SNS does not support aws:Source* keys
				// in a key policy for EventBridge-to-encrypted topics (patching.EventBridgeKeySid);
				// the topic policy names the rules.
				bound := strings.Contains(condition, "aws:SourceAccount") || strings.Contains(condition, "aws:SourceArn") ||
					strings.Contains(condition, "kms:EncryptionContext:aws:logs:arn") ||
					(st["Sid"] == patching.EventBridgeKeySid && strings.HasPrefix(name, "AlertsKey"))
				assert.True(t, bound,
					"%s/%s: %s: a service principal without aws:SourceAccount or aws:SourceArn (confused deputy)", sc.name, stack, name)
			}
		}
	}
}
