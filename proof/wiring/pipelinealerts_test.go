package wiring

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pipelineTemplatePath is the pipeline stack's template of the pipeline fixture (pipelineFixture: two
// environments, an approval before prod).
const pipelineTemplatePath = "../../test/testdata/pipeline/Pipeline.template.json"

// statements are a policy document's statements, as maps.
func statements(document any) []any { return document.(map[string]any)["Statement"].([]any) }

// The pipeline's alerts and keys as the construct writes them pass, and so do every golden's
// rules, topics and keys under the checks that take any template.
func TestPipelineAlertsPassThePipelineAndEveryGolden(t *testing.T) {
	assert.Empty(t, PipelineAlerts(read(t, pipelineTemplatePath)))
	paths, err := filepath.Glob("../../test/testdata/*.template.json")
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	for _, path := range paths {
		template := read(t, path)
		assert.Empty(t, TopicsAdmitRules(template), path)
		assert.Empty(t, TopicKeysAdmitRules(template), path)
		assert.Empty(t, PipelineNames(template), path)
		assert.Empty(t, ArtifactKeyReaders(template), path)
	}
}

// Run 26's A17: the approval rule left out of the topic policy's aws:SourceArn is named.
func TestTopicsAdmitRulesNamesARuleTheTopicPolicyLeavesOut(t *testing.T) {
	template := read(t, pipelineTemplatePath)
	st := statements(props(template, "AlertsTopicPolicyFF1F97BA")["PolicyDocument"])[1].(map[string]any)
	arns := st["Condition"].(map[string]any)["ArnEquals"].(map[string]any)
	arns["aws:SourceArn"] = arns["aws:SourceArn"].([]any)[:1]
	assert.Contains(t, joined(PipelineAlerts(template)), "rule AlertsApprovalRule334B9851: targets topic AlertsTopicCF7C81C9, whose policy does not admit it")
	assert.NotContains(t, joined(PipelineAlerts(template)), "rule AlertsFailedRule29D0C7BA: targets", "the rule it still admits")
	delete(st, "Condition") // any rule of the account: both admitted
	assert.Empty(t, TopicsAdmitRules(template))
}

// Run 26's A18: the alerts key's EventBridge statement removed is named, for both actions.
func TestTopicKeysAdmitRulesNamesAKeyEventBridgeCannotUse(t *testing.T) {
	template := read(t, pipelineTemplatePath)
	policy := props(template, "AlertsKey9E1197AF")["KeyPolicy"].(map[string]any)
	all := statements(policy)
	policy["Statement"] = append(append([]any{}, all[:2]...), all[3:]...)
	problems := joined(PipelineAlerts(template))
	assert.Contains(t, problems, "topic AlertsTopicCF7C81C9: rules deliver to it (AlertsApprovalRule334B9851 among them), and its key AlertsKey9E1197AF's policy does not let events.amazonaws.com call kms:Decrypt")
	assert.Contains(t, problems, "call kms:GenerateDataKey without conditions")
	// A source condition, which SNS's guide says EventBridge-to-encrypted topics do not support.
	policy["Statement"] = all
	all[2].(map[string]any)["Condition"] = map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": "333333333333"}}
	assert.Contains(t, joined(TopicKeysAdmitRules(template)), "does not let events.amazonaws.com call kms:Decrypt")
}

// Run 26's A14 and A15: a state CodePipeline's events do not carry, and Manual (the approval's
// provider) as its category, are named; the approval rule's detail-type changed is too.
func TestPipelineAlertsNameStatesAndCategoriesNoEventCarries(t *testing.T) {
	template := read(t, pipelineTemplatePath)
	failed := props(template, "AlertsFailedRule29D0C7BA")["EventPattern"].(map[string]any)
	failed["detail"].(map[string]any)["state"] = []any{"FAILURE"}
	approval := props(template, "AlertsApprovalRule334B9851")["EventPattern"].(map[string]any)
	approval["detail"].(map[string]any)["type"] = map[string]any{"category": []any{"Manual"}}
	problems := joined(PipelineAlerts(template))
	assert.Contains(t, problems, `rule AlertsFailedRule29D0C7BA: detail.state "FAILURE" is not one of CodePipeline Pipeline Execution State Change's values`)
	assert.Contains(t, problems, `rule AlertsApprovalRule334B9851: detail.type.category "Manual" is not one of CodePipeline Action Execution State Change's values`)
	approval["detail-type"] = []any{"CodePipeline Manual Approval"}
	assert.Contains(t, joined(PipelineAlerts(template)), "rule AlertsApprovalRule334B9851: source [aws.codepipeline] and detail-type [CodePipeline Manual Approval] are those of no event AWS documents")
}

// Run 26's A16: a rule naming the stack, not the pipeline, is named; the pipeline renamed with
// it passes (the name is the template's, not a literal here).
func TestPipelineNamesNamesARuleOnAnotherPipeline(t *testing.T) {
	template := read(t, pipelineTemplatePath)
	failed := props(template, "AlertsFailedRule29D0C7BA")["EventPattern"].(map[string]any)
	failed["detail"].(map[string]any)["pipeline"] = []any{"privatepatch-pipeline"}
	assert.Contains(t, joined(PipelineAlerts(template)), `rule AlertsFailedRule29D0C7BA: detail.pipeline "privatepatch-pipeline" is not the name of the template's pipeline (privatepatch)`)
	assert.NotContains(t, joined(PipelineNames(template)), "AlertsApprovalRule334B9851")
	props(template, "Pipeline9850B417")["Name"] = "privatepatch-pipeline"
	assert.Equal(t, []string{`rule AlertsApprovalRule334B9851: detail.pipeline "privatepatch" is not the name of the template's pipeline (privatepatch-pipeline): the rule matches none of its events`}, PipelineNames(template))
}

// Run 26's A10: prod's deploy role dropped from the artifact key's Decrypt and DescribeKey is
// named once (its first action reading artifacts); its account's root would do.
func TestArtifactKeyReadersNamesADeployRoleTheKeyLeavesOut(t *testing.T) {
	template := read(t, pipelineTemplatePath)
	st := statements(props(template, "PipelineArtifactsBucketEncryptionKeyF5BF0670")["KeyPolicy"])[1].(map[string]any)
	roles := st["Principal"].(map[string]any)["AWS"].([]any)
	st["Principal"].(map[string]any)["AWS"] = roles[:1]
	problems := ArtifactKeyReaders(template)
	require.Len(t, problems, 2, joined(problems))
	assert.Contains(t, problems[0], "pipeline Pipeline9850B417: action privatepatch-prod-apse7-network.Prepare of stage prod-apse7 reads artifacts as arn:{\"Ref\":\"AWS::Partition\"}:iam::222222222222:role/cdk-hnb659fds-deploy-role-222222222222-ap-southeast-7")
	assert.Contains(t, problems[0], "does not let it call kms:Decrypt")
	assert.Contains(t, problems[1], "kms:DescribeKey")
	st["Principal"].(map[string]any)["AWS"] = []any{roles[0], "arn:aws:iam::222222222222:root"}
	assert.Empty(t, ArtifactKeyReaders(template))
}

// Run 26's A06: the protect step role, which an environment's protector role trusts by name,
// without its trust's confused-deputy conditions is named; CDK's CodeBuild roles, which no stack
// trusts, are not; and nothing is judged without the trusting stacks. The goldens pass.
func TestReachingServiceRolesNamesATrustedRoleWithoutDeputyConditions(t *testing.T) {
	template := read(t, pipelineTemplatePath)
	stage := map[string]any{"Resources": map[string]any{"PipelineProtector": map[string]any{"Type": "AWS::IAM::Role", "Properties": map[string]any{
		"AssumeRolePolicyDocument": map[string]any{"Statement": []any{map[string]any{"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": map[string]any{
			"AWS": map[string]any{"Fn::Join": []any{"", []any{"arn:", map[string]any{"Ref": "AWS::Partition"}, ":iam::333333333333:role/privatepatch-pipeline-protect"}}}}}}}}}}}
	assert.Empty(t, ReachingServiceRoles(template, stage))
	delete(statements(props(template, "ProtectStepRoleC2F4F19E")["AssumeRolePolicyDocument"])[0].(map[string]any), "Condition")
	problems := ReachingServiceRoles(template, stage)
	require.Len(t, problems, 2, joined(problems))
	assert.Contains(t, problems[0], "role ProtectStepRoleC2F4F19E (privatepatch-pipeline-protect): other stacks' roles trust it (PipelineProtector), and its trust lets codebuild.amazonaws.com assume it without aws:SourceAccount")
	assert.Contains(t, problems[1], "without aws:SourceArn")
	assert.Empty(t, ReachingServiceRoles(template))
	for _, scenario := range goldenScenarios {
		all := goldenStacks(t, scenario, "network", "fleet", "patching")
		for i := range all {
			assert.Empty(t, ReachingServiceRoles(all[i], all...), scenario)
		}
	}
}
