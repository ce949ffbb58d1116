package test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCdkNagFindsNoUnsuppressedErrorsOrWarnings runs both packs the app applies: AwsSolutions
// and NIST 800-53 rev 5. It reads each stack's messages from the synthesised assembly once.
func TestCdkNagFindsNoUnsuppressedErrorsOrWarnings(t *testing.T) {
	pack := regexp.MustCompile(`^(AwsSolutions|NIST\.800\.53\.R5)-`)
	for _, sc := range []*scenario{defaultScenario, exampleScenario, natScenario, natSingle, flowLogsToS3, lookupScenario, natWithoutWsus, wsusHTTPS, richPatching,
		promoteRings, existingVpc, existingVpcHub, existingVpcManaged, existingVpcLookup} {
		t.Run(sc.name, func(t *testing.T) {
			require.False(t, sc.withoutNag, "a scenario this test checks is built with the nag packs")
			s := sc.synth(t)
			assembly := s.root.Synth(nil)
			for _, stack := range []awscdk.Stack{s.app.Network.Stack, s.app.Fleet.Stack, s.app.Patching.Stack} {
				var found []string
				for _, m := range *assembly.GetStackArtifact(stack.ArtifactId()).Messages() {
					text := fmt.Sprint(m.Entry.Data)
					if (m.Level == cxapi.SynthesisMessageLevel_ERROR || m.Level == cxapi.SynthesisMessageLevel_WARNING) && pack.MatchString(text) {
						found = append(found, fmt.Sprintf("%s: %s", *m.Id, text))
					}
				}
				assert.Empty(t, found, *stack.StackName())
			}
		})
	}
}

func TestCdkNagSuppressionsCarryTheirReason(t *testing.T) {
	s := exampleScenario.synth(t)
	resources := map[string]any{}
	for _, template := range []map[string]any{s.template, s.fleetJSON, s.patchJSON} {
		for id, r := range template["Resources"].(map[string]any) {
			resources[id] = r
		}
	}
	for id, r := range resources {
		metadata, _ := r.(map[string]any)["Metadata"].(map[string]any)
		nag, _ := metadata["cdk_nag"].(map[string]any)
		rules, _ := nag["rules_to_suppress"].([]any)
		for _, rule := range rules {
			reason, _ := rule.(map[string]any)["reason"].(string)
			assert.Greater(t, len(reason), 40, "%s suppresses %v without a real reason", id, rule)
		}
	}
	// The NACLs and each of their entries carry the VPC3 suppression.
	entries := s.resources("AWS::EC2::NetworkAclEntry")
	for id, e := range entries {
		assert.Contains(t, fmt.Sprint(e["Metadata"]), "AwsSolutions-VPC3", id)
	}
}
