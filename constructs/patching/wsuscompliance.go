package patching

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// NewBaselineComplianceRule matches patch non-compliance of the nodes that baseline patches:
// for the WSUS server, whose own baseline (and patch group) alerts separately from the fleet's
// Compliance rule. Patch compliance events carry the baseline's id in detail.patch-baseline-id
// ("Amazon EventBridge event examples for Systems Manager", Patch Non-Compliant, read
// 2026-12-06); the baseline is in the same stack, so no instance id of the fleet stack is
// referenced (a replaced server keeps its rule). Give the rule to Alerts.Notify.
func NewBaselineComplianceRule(scope constructs.Construct, id, description string, baseline awsssm.CfnPatchBaseline) awsevents.Rule {
	return awsevents.NewRule(scope, jsii.String(id), &awsevents.RuleProps{
		Description: jsii.String("privatepatch: " + description),
		EventPattern: &awsevents.EventPattern{
			Source:     jsii.Strings("aws.ssm"),
			DetailType: jsii.Strings("Configuration Compliance State Change"),
			Detail: &map[string]any{
				"compliance-type":   []string{"Patch"},
				"compliance-status": []string{"non_compliant"},
				"patch-baseline-id": []*string{baseline.Ref()},
			},
		},
	})
}
