package wiring

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

func TestEveryGoldenRuleTargetIsNamedByItsARN(t *testing.T) {
	for _, scenario := range goldenScenarios {
		assert.Empty(t, RuleTargets(goldenStacks(t, scenario, "network", "fleet", "patching")...), scenario)
	}
}

// findingsTarget is the example patching golden's Security Hub findings rule's target (to plant in).
func findingsTarget(t *testing.T, patching map[string]any) map[string]any {
	return props(patching, "SecuritySecurityHubFindingsRule2508B81A")["Targets"].([]any)[0].(map[string]any)
}

// Mutation run 22's B19 made the Security Hub findings rule's target Arn the Ref of the finding
// filter, its name; the neighbours: a topic's Ref is its ARN, a literal ARN is one, and a GetAtt
// of another attribute is not.
func TestARuleTargetNamedByAFunctionsRefIsNamed(t *testing.T) {
	patching := read(t, "../../test/testdata/example.patching.template.json")
	target := findingsTarget(t, patching)
	target["Arn"] = map[string]any{"Ref": "FindingFilterFunctionC9055CF2"}
	assert.Equal(t, []string{`rule SecuritySecurityHubFindingsRule2508B81A: target Target0's Arn is {"Ref":"FindingFilterFunctionC9055CF2"}, ` +
		"the FunctionName of an AWS::Lambda::Function, which is no ARN, as a target's Arn must be"}, RuleTargets(patching))

	target["Arn"] = map[string]any{"Fn::GetAtt": []any{"FindingFilterFunctionC9055CF2", "Name"}}
	assert.Len(t, RuleTargets(patching), 1)
	target["Arn"] = "arn:aws:lambda:us-west-2:123456789012:function:finding-filter"
	assert.Empty(t, RuleTargets(patching))
	target["Arn"] = map[string]any{"Ref": "AlertsTopicCF7C81C9"}
	assert.Empty(t, RuleTargets(patching))
}

// The review of round 2, 8a: a cross-bus target named by its bus's Ref (its Name) is named; its
// neighbour, the bus's Arn, passes.
func TestARuleTargetNamedByAnEventBusRefIsNamed(t *testing.T) {
	patching := read(t, "../../test/testdata/example.patching.template.json")
	cfntemplate.Resources(patching)["PlantedBus"] = map[string]any{"Type": "AWS::Events::EventBus", "Properties": map[string]any{"Name": "central"}}
	target := findingsTarget(t, patching)
	target["Arn"] = map[string]any{"Ref": "PlantedBus"}
	assert.Equal(t, []string{`rule SecuritySecurityHubFindingsRule2508B81A: target Target0's Arn is {"Ref":"PlantedBus"}, ` +
		"the Name of an AWS::Events::EventBus, which is no ARN, as a target's Arn must be"}, RuleTargets(patching))
	target["Arn"] = map[string]any{"Fn::GetAtt": []any{"PlantedBus", "Arn"}}
	assert.Empty(t, RuleTargets(patching))
}

// Review round 3's 6a: an API destination, a Redshift cluster (a Data API target) and a SageMaker
// pipeline named by Ref (a name or id) as a target's Arn are named; each one's GetAtt Arn passes.
func TestARuleTargetNamedByAnApiDestinationClusterOrPipelineRefIsNamed(t *testing.T) {
	for typ, identifier := range map[string]string{"AWS::Events::ApiDestination": "Name", "AWS::Redshift::Cluster": "ClusterIdentifier",
		"AWS::SageMaker::Pipeline": "PipelineName"} {
		patching := read(t, "../../test/testdata/example.patching.template.json")
		cfntemplate.Resources(patching)["PlantedTarget"] = map[string]any{"Type": typ, "Properties": map[string]any{}}
		target := findingsTarget(t, patching)
		target["Arn"] = map[string]any{"Ref": "PlantedTarget"}
		assert.Equal(t, []string{`rule SecuritySecurityHubFindingsRule2508B81A: target Target0's Arn is {"Ref":"PlantedTarget"}, ` +
			"the " + identifier + " of an " + typ + ", which is no ARN, as a target's Arn must be"}, RuleTargets(patching), typ)
		target["Arn"] = map[string]any{"Fn::GetAtt": []any{"PlantedTarget", "Arn"}}
		assert.Empty(t, RuleTargets(patching), typ)
	}
}
