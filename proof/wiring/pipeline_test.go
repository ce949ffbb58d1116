package wiring

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/proof/cdkbundle"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
	"github.com/privatepatch/privatepatch/proof/cfnupdate"
)

// pipelineFixture is test/testdata/pipeline: a pipeline-mode assembly (two environments in two
// accounts, one region, an approval before prod, the pipeline in a third account), read afresh
// for each test. Each fixture is cdk synth's output for its config.yaml (the manifests and the
// pipeline stack's template as written; the stage stacks' templates replaced by an empty one,
// since these checks read only their manifests): after a change to stacks/pipeline.go, synthesise
// it again and copy the same files.
func pipelineFixture(t *testing.T) ([]cfnupdate.Stack, *config.Config) {
	return pipelineAssembly(t, "pipeline")
}

// pipelineAssembly is the fixture test/testdata/<name> with its configuration.
func pipelineAssembly(t *testing.T, name string) ([]cfnupdate.Stack, *config.Config) {
	t.Helper()
	stacks, err := cfnupdate.ReadStacks("../../test/testdata/" + name)
	require.NoError(t, err)
	cfg, err := config.Load("../../test/testdata/" + name + "/config.yaml")
	require.NoError(t, err)
	return stacks, cfg
}

// pipelineTemplate is the fixture's pipeline stack's template, to plant a defect in.
func pipelineTemplate(t *testing.T, stacks []cfnupdate.Stack, cfg *config.Config) map[string]any {
	t.Helper()
	for _, s := range stacks {
		if s.Name == cfg.PipelineStackName() {
			return s.Template
		}
	}
	t.Fatal("no pipeline stack in the fixture")
	return nil
}

// pipelineAction is the action named name in the fixture's pipeline.
func pipelineAction(t *testing.T, template map[string]any, name string) map[string]any {
	t.Helper()
	for _, stage := range pipelineStages(template) {
		for _, a := range stage.actions {
			if cfntemplate.Text(a["Name"]) == name {
				return a
			}
		}
	}
	t.Fatalf("no action %s", name)
	return nil
}

// removePipelineAction takes the action named name out of its stage.
func removePipelineAction(template map[string]any, name string) {
	for _, p := range cfntemplate.OfType(cfntemplate.Resources(template), "AWS::CodePipeline::Pipeline") {
		for _, s := range cfntemplate.List(p["Stages"]) {
			stage := s.(map[string]any)
			stage["Actions"] = slices.DeleteFunc(cfntemplate.List(stage["Actions"]), func(a any) bool { return a.(map[string]any)["Name"] == name })
		}
	}
}

// Both fixtures pass: test/testdata/pipeline, and pipeline-two-regions (the pipeline in the
// first environment's account and region, a codestar-connections ARN, a cross-region support
// stack CodePipeline adds for eu-west-1, which no bootstrap version is required of).
func TestPipelineOfTheFixturesIsAsConfigured(t *testing.T) {
	for _, name := range []string{"pipeline", "pipeline-two-regions"} {
		stacks, cfg := pipelineAssembly(t, name)
		assert.Empty(t, Pipeline(stacks, cfg), name)
	}
	_, cfg := pipelineFixture(t)
	cfg.Pipeline.Enabled = false
	assert.Empty(t, Pipeline(nil, cfg), "no pipeline outside pipeline mode")
}

// Run 26's A01: the source action follows another branch; and another repository or connection.
func TestPipelineSourceActionThatIsNotTheConfiguredBranchRepositoryOrConnectionFails(t *testing.T) {
	for key, planted := range map[string]string{"BranchName": "master", "FullRepositoryId": "my-org/other",
		"ConnectionArn": "arn:aws:codeconnections:ap-southeast-7:333333333333:connection/11111111-89ab-cdef-0123-456789abcdef"} {
		stacks, cfg := pipelineFixture(t)
		actionConfiguration(pipelineAction(t, pipelineTemplate(t, stacks, cfg), "my-org_privatepatch-config"))[key] = planted
		problems := Pipeline(stacks, cfg)
		require.Len(t, problems, 1, key)
		assert.Contains(t, problems[0], key+" is \""+planted+"\"")
	}
}

// Run 26's A03 (prod's approval removed) and A04 (its RunOrder after the deploys), and an
// approval in an environment pipeline.approvalBefore does not name.
func TestPipelineApprovalMissingAfterTheDeploysOrUnconfiguredFails(t *testing.T) {
	stacks, cfg := pipelineFixture(t)
	template := pipelineTemplate(t, stacks, cfg)
	pipelineAction(t, template, "Approve-prod-apse7")["RunOrder"] = 9.0
	problems := Pipeline(stacks, cfg)
	require.Len(t, problems, 1)
	assert.Contains(t, problems[0], "pipeline stage prod-apse7: no manual approval runs before its first deploy action")

	stacks, cfg = pipelineFixture(t)
	removePipelineAction(pipelineTemplate(t, stacks, cfg), "Approve-prod-apse7")
	problems = Pipeline(stacks, cfg)
	require.Len(t, problems, 1)
	assert.Contains(t, problems[0], "pipeline stage prod-apse7: no manual approval runs before its first deploy action (RunOrder 2; approvals map[])")

	stacks, cfg = pipelineFixture(t)
	cfg.Pipeline.ApprovalBefore = nil
	assert.Equal(t, []string{"pipeline stage prod-apse7: manual approval Approve-prod-apse7, but pipeline.approvalBefore does not name prod-apse7"}, Pipeline(stacks, cfg))
}

// Run 26's A11: prod's patching stack prepared from the stage environment's template.
func TestPipelineDeployOfAnotherEnvironmentsTemplateFails(t *testing.T) {
	stacks, cfg := pipelineFixture(t)
	template := pipelineTemplate(t, stacks, cfg)
	actionConfiguration(pipelineAction(t, template, "privatepatch-prod-apse7-patching.Prepare"))["TemplatePath"] = "Synth_Output::assembly-stage-apse7/stageapse7PatchingD8091DAF.template.json"
	assert.Equal(t, []string{"pipeline stage prod-apse7: action privatepatch-prod-apse7-patching.Prepare deploys template assembly-stage-apse7/stageapse7PatchingD8091DAF.template.json " +
		"to stack privatepatch-prod-apse7-patching, whose template is assembly-prod-apse7/prodapse7Patching7DE0BCC4.template.json in the synth output"}, Pipeline(stacks, cfg))

	stacks, cfg = pipelineFixture(t)
	actionConfiguration(pipelineAction(t, pipelineTemplate(t, stacks, cfg), "privatepatch-prod-apse7-patching.Deploy"))["StackName"] = "privatepatch-stage-apse7-patching"
	assert.Contains(t, Pipeline(stacks, cfg), "pipeline stage prod-apse7: action privatepatch-prod-apse7-patching.Deploy deploys stack privatepatch-stage-apse7-patching, which is not one of environment prod-apse7's stacks")

	stacks, cfg = pipelineFixture(t)
	removePipelineAction(pipelineTemplate(t, stacks, cfg), "privatepatch-prod-apse7-fleet.Prepare")
	removePipelineAction(pipelineTemplate(t, stacks, cfg), "privatepatch-prod-apse7-fleet.Deploy")
	assert.Equal(t, []string{"pipeline stage prod-apse7: no action deploys stack privatepatch-prod-apse7-fleet"}, Pipeline(stacks, cfg))
}

// Run 26's A13: prod's fleet at RunOrders 2/3 and its network at 4/5, the fleet first.
func TestPipelineDeployBeforeAStackItDependsOnFails(t *testing.T) {
	stacks, cfg := pipelineFixture(t)
	template := pipelineTemplate(t, stacks, cfg)
	for name, order := range map[string]float64{"fleet.Prepare": 2, "fleet.Deploy": 3, "network.Prepare": 4, "network.Deploy": 5} {
		pipelineAction(t, template, "privatepatch-prod-apse7-"+name)["RunOrder"] = order
	}
	assert.Equal(t, []string{"pipeline stage prod-apse7: stack privatepatch-prod-apse7-fleet deploys from RunOrder 2, before stack privatepatch-prod-apse7-network, which it depends on in the manifest, has finished (RunOrder 5)"},
		Pipeline(stacks, cfg))
}

// Run 26's A12: prod's network prepared with the stage account's execution role; and an action
// role in another region.
func TestPipelineDeployWithAnotherEnvironmentsRoleFails(t *testing.T) {
	stacks, cfg := pipelineFixture(t)
	action := pipelineAction(t, pipelineTemplate(t, stacks, cfg), "privatepatch-prod-apse7-network.Prepare")
	actionConfiguration(action)["RoleArn"] = "arn:aws:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-ap-southeast-7"
	action["RoleArn"] = "arn:aws:iam::222222222222:role/cdk-hnb659fds-deploy-role-222222222222-us-east-1"
	assert.Equal(t, []string{
		"pipeline stage prod-apse7: action privatepatch-prod-apse7-network.Prepare's cfn-exec-role is arn:aws:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-ap-southeast-7, not the CDK bootstrap cfn-exec-role of environment prod-apse7 (account 222222222222, region ap-southeast-7)",
		"pipeline stage prod-apse7: action privatepatch-prod-apse7-network.Prepare's deploy-role is arn:aws:iam::222222222222:role/cdk-hnb659fds-deploy-role-222222222222-us-east-1, not the CDK bootstrap deploy-role of environment prod-apse7 (account 222222222222, region ap-southeast-7)",
	}, Pipeline(stacks, cfg))
}

// Run 26's A05: prod's Protect step assumes the stage account's protector; and protects another
// environment's stack, in another region.
func TestPipelineProtectStepOfAnotherEnvironmentFails(t *testing.T) {
	stacks, cfg := pipelineFixture(t)
	template := pipelineTemplate(t, stacks, cfg)
	project := cfntemplate.Ref(actionConfiguration(pipelineAction(t, template, "Protect-prod-apse7"))["ProjectName"])
	source := cfntemplate.Resources(template)[project].(map[string]any)["Properties"].(map[string]any)["Source"].(map[string]any)
	join := cfntemplate.List(source["BuildSpec"].(map[string]any)["Fn::Join"])
	parts := cfntemplate.List(join[1])
	parts[2] = strings.Replace(parts[2].(string), ":iam::222222222222:role/privatepatch-prod-apse7-protect", ":iam::111111111111:role/privatepatch-prod-apse7-protect", 1)
	problems := Pipeline(stacks, cfg)
	assert.Equal(t, []string{"pipeline stage prod-apse7: Protect-prod-apse7 assumes role privatepatch-prod-apse7-protect in account 111111111111, not environment prod-apse7's protector privatepatch-prod-apse7-protect in account 222222222222"}, problems)

	last := len(parts) - 1
	parts[last] = strings.Replace(parts[last].(string), "--region ap-southeast-7 --enable-termination-protection --stack-name privatepatch-prod-apse7-network",
		"--region us-east-1 --enable-termination-protection --stack-name privatepatch-stage-apse7-network", 1)
	problems = Pipeline(stacks, cfg)
	assert.Contains(t, problems, "pipeline stage prod-apse7: Protect-prod-apse7 protects stacks in region us-east-1, environment prod-apse7's are in ap-southeast-7")
	assert.Contains(t, problems, "pipeline stage prod-apse7: Protect-prod-apse7 protects stack privatepatch-stage-apse7-network, not one of environment prod-apse7's")

	removePipelineAction(template, "Protect-prod-apse7")
	assert.Contains(t, Pipeline(stacks, cfg), "pipeline stage prod-apse7: no Protect-prod-apse7 step (a CodeBuild project with a build spec): its stacks stay without termination protection and stack policy")
}

// Review 18's finding 2: a Protect step missing an argument, not judged by the checks of its
// values: the assume-role dropped, one command's --region dropped, one stack's stack policy and
// another's termination protection dropped; each one defect, one line.
func TestPipelineProtectStepMissingItsRoleRegionOrAStackFails(t *testing.T) {
	for _, tc := range []struct{ name, from, to, want string }{
		{"no assume-role", "aws sts assume-role --role-arn arn:", "aws sts get-caller-identity --query arn:",
			"pipeline stage prod-apse7: Protect-prod-apse7 assumes no role (aws sts assume-role --role-arn): it would act in the pipeline's account, not as environment prod-apse7's protector privatepatch-prod-apse7-protect in account 222222222222"},
		{"no --region", "set-stack-policy --region ap-southeast-7 --stack-name privatepatch-prod-apse7-fleet", "set-stack-policy --stack-name privatepatch-prod-apse7-fleet",
			"pipeline stage prod-apse7: Protect-prod-apse7 runs aws cloudformation set-stack-policy (stack privatepatch-prod-apse7-fleet) without --region: the AWS CLI would use the build's region, not environment prod-apse7's ap-southeast-7"},
		{"no stack policy", " && aws cloudformation set-stack-policy --region ap-southeast-7 --stack-name privatepatch-prod-apse7-network --stack-policy-body file://stack-policies/privatepatch-prod-apse7-network.json", "",
			"pipeline stage prod-apse7: Protect-prod-apse7 runs no aws cloudformation set-stack-policy --stack-name privatepatch-prod-apse7-network: the stack stays without its stack policy"},
		{"no termination protection", " --enable-termination-protection --stack-name privatepatch-prod-apse7-patching", " --no-enable-termination-protection --stack-name privatepatch-prod-apse7-patching",
			"pipeline stage prod-apse7: Protect-prod-apse7 runs no aws cloudformation update-termination-protection --stack-name privatepatch-prod-apse7-patching: the stack stays without its termination protection"},
	} {
		stacks, cfg := pipelineFixture(t)
		template := pipelineTemplate(t, stacks, cfg)
		project := cfntemplate.Ref(actionConfiguration(pipelineAction(t, template, "Protect-prod-apse7"))["ProjectName"])
		source := cfntemplate.Resources(template)[project].(map[string]any)["Properties"].(map[string]any)["Source"].(map[string]any)
		parts := cfntemplate.List(cfntemplate.List(source["BuildSpec"].(map[string]any)["Fn::Join"])[1])
		planted := false
		for i, part := range parts {
			if text, ok := part.(string); ok && strings.Contains(text, tc.from) {
				parts[i], planted = strings.Replace(text, tc.from, tc.to, 1), true
			}
		}
		require.True(t, planted, tc.name)
		assert.Equal(t, []string{tc.want}, Pipeline(stacks, cfg), tc.name)
	}
}

// Review 18's finding 7: one defect, one line. A missing stage is named once (not again as a
// missing Protect step); a stage with an approval but no deploy action names the missing deploys,
// not an approval after "RunOrder 0".
func TestPipelineMissingStageOrDeploysAreNamedOnce(t *testing.T) {
	stacks, cfg := pipelineFixture(t)
	template := pipelineTemplate(t, stacks, cfg)
	pipeline := cfntemplate.OfType(cfntemplate.Resources(template), "AWS::CodePipeline::Pipeline")
	require.Len(t, pipeline, 1)
	for _, p := range pipeline {
		p["Stages"] = slices.DeleteFunc(cfntemplate.List(p["Stages"]), func(s any) bool { return s.(map[string]any)["Name"] == "prod-apse7" })
	}
	problems := Pipeline(stacks, cfg)
	assert.Contains(t, problems, "the pipeline has no stage prod-apse7: environment prod-apse7 is never deployed")
	assert.NotContains(t, joined(problems), "no Protect-prod-apse7 step")

	stacks, cfg = pipelineFixture(t)
	template = pipelineTemplate(t, stacks, cfg)
	for _, p := range cfntemplate.OfType(cfntemplate.Resources(template), "AWS::CodePipeline::Pipeline") {
		for _, s := range cfntemplate.List(p["Stages"]) {
			if stage := s.(map[string]any); stage["Name"] == "prod-apse7" {
				stage["Actions"] = slices.DeleteFunc(cfntemplate.List(stage["Actions"]), func(a any) bool { return actionProvider(a.(map[string]any)) == "CloudFormation" })
			}
		}
	}
	problems = Pipeline(stacks, cfg)
	assert.NotEmpty(t, problems, "the deploys' absence is named")
	assert.NotContains(t, joined(problems), "RunOrder 0")
}

// Review 18's finding 7: a Synth build spec CDK renders as an Fn::Join (a token in a command)
// is read joined, and still judged.
func TestPipelineSynthBuildSpecAsAJoinIsRead(t *testing.T) {
	stacks, cfg := pipelineFixture(t)
	template := pipelineTemplate(t, stacks, cfg)
	project := cfntemplate.Ref(actionConfiguration(pipelineAction(t, template, "Synth"))["ProjectName"])
	source := cfntemplate.Resources(template)[project].(map[string]any)["Properties"].(map[string]any)["Source"].(map[string]any)
	spec := source["BuildSpec"].(string)
	before, after, found := strings.Cut(spec, `"make verify CONFIG=configs/a.yaml",`)
	require.True(t, found)
	source["BuildSpec"] = map[string]any{"Fn::Join": []any{"", []any{before + `"make verify CONFIG=configs/a.yaml",` + `"echo `, map[string]any{"Ref": "AWS::Region"}, `",` + after}}}
	assert.Empty(t, Pipeline(stacks, cfg))
	source["BuildSpec"] = map[string]any{"Fn::Join": []any{"", []any{before + `"echo `, map[string]any{"Ref": "AWS::Region"}, `",` + after}}}
	assert.Equal(t, []string{`pipeline build Synth, which writes Synth_Output, does not run "make verify CONFIG=configs/a.yaml": the environments would deploy an assembly make verify never passed`},
		Pipeline(stacks, cfg))
}

// Run 26's A19: the pipeline stack's manifest environment in another account; and region.
func TestPipelineStackInAnotherEnvironmentThanConfiguredFails(t *testing.T) {
	stacks, cfg := pipelineFixture(t)
	for i := range stacks {
		if stacks[i].Name == cfg.PipelineStackName() {
			stacks[i].Account = "111111111111"
		}
	}
	assert.Equal(t, []string{"privatepatch-pipeline deploys to aws://111111111111/ap-southeast-7 by its manifest environment, the configuration's pipeline is aws://333333333333/ap-southeast-7 " +
		"(pipeline.account, pipeline.region): the environments' roles trust the pipeline's account"}, Pipeline(stacks, cfg))
	cfg.Pipeline.Account, cfg.Pipeline.Region = "111111111111", "us-east-1"
	assert.Contains(t, Pipeline(stacks, cfg)[0], "privatepatch-pipeline deploys to aws://111111111111/ap-southeast-7 by its manifest environment, the configuration's pipeline is aws://111111111111/us-east-1")
}

// Run 26's A21: the pipeline's requiresBootstrapStackVersion 6 turned 99; a stage stack's too.
func TestPipelineStackRequiringAnotherBootstrapVersionFails(t *testing.T) {
	stacks, cfg := pipelineFixture(t)
	for i := range stacks {
		if stacks[i].Name == cfg.PipelineStackName() || stacks[i].Name == "privatepatch-stage-apse7-fleet" {
			stacks[i].BootstrapVersion = 99
		}
	}
	assert.Equal(t, []string{
		"privatepatch-pipeline: the manifest's requiresBootstrapStackVersion is 99, aws-cdk-lib's DefaultStackSynthesizer requires 6",
		"privatepatch-stage-apse7-fleet: the manifest's requiresBootstrapStackVersion is 99, aws-cdk-lib's DefaultStackSynthesizer requires 6",
	}, Pipeline(stacks, cfg))

	stacks, cfg = pipelineAssembly(t, "pipeline-two-regions")
	for i := range stacks {
		if stacks[i].Name == cfg.PipelineStackName() {
			stacks[i].BootstrapVersion = 5
		}
	}
	assert.Equal(t, []string{"privatepatch-pipeline: the manifest's requiresBootstrapStackVersion is 5, aws-cdk-lib's DefaultStackSynthesizer requires 6"}, Pipeline(stacks, cfg),
		"the support stack, bootstrapless, requires none")
}

// CdkBootstrapVersion is the MIN_BOOTSTRAP_STACK_VERSION of the aws-cdk-lib that go.mod pins, as
// its jsii bundle in the module cache holds it.
func TestCdkBootstrapVersionIsTheOneThePinnedAwsCdkLibRequires(t *testing.T) {
	const synthesizer = "package/core/lib/stack-synthesizers/default-synthesizer.js"
	files, err := cdkbundle.Files(synthesizer)
	require.NoError(t, err)
	m := regexp.MustCompile(`MIN_BOOTSTRAP_STACK_VERSION=([0-9]+)`).FindSubmatch(files[synthesizer])
	require.NotNil(t, m, "no MIN_BOOTSTRAP_STACK_VERSION in %s", synthesizer)
	assert.Equal(t, strconv.Itoa(CdkBootstrapVersion), string(m[1]))
}

// Run 26's A02: the source action's role may use another connection only; and a role with no
// grant at all.
func TestPipelineSourceRoleThatCannotUseTheConfiguredConnectionFails(t *testing.T) {
	stacks, cfg := pipelineFixture(t)
	template := pipelineTemplate(t, stacks, cfg)
	role := cfntemplate.GetAtt(pipelineAction(t, template, "my-org_privatepatch-config")["RoleArn"])
	var statement map[string]any
	for _, policy := range cfntemplate.OfType(cfntemplate.Resources(template), "AWS::IAM::Policy") {
		if cfntemplate.Ref(cfntemplate.First(policy["Roles"])) == role {
			statement = cfntemplate.First(policy["PolicyDocument"].(map[string]any)["Statement"]).(map[string]any)
		}
	}
	require.Contains(t, statement["Action"], "codeconnections:UseConnection")
	statement["Resource"] = "arn:aws:codeconnections:ap-southeast-7:333333333333:connection/11111111-89ab-cdef-0123-456789abcdef"
	want := "pipeline source action my-org_privatepatch-config: its role " + role + " is allowed no codeconnections:UseConnection on the configured connection " + cfg.Pipeline.ConnectionArn + ": the source action cannot use it"
	assert.Equal(t, []string{want}, Pipeline(stacks, cfg))

	statement["Resource"] = cfg.Pipeline.ConnectionArn
	statement["Action"] = []any{"codestar-connections:UseConnection"} // the prefix of another service than the ARN's
	assert.Equal(t, []string{want}, Pipeline(stacks, cfg))
	statement["Action"] = "CodeConnections:*"
	assert.Empty(t, Pipeline(stacks, cfg))

	// IAM's wildcards, as an escape hatch or an aspect could write them (review 18's finding 5).
	statement["Action"], statement["Resource"] = "codeconnections:Use*", "arn:aws:codeconnections:ap-southeast-7:333333333333:connection/*"
	assert.Empty(t, Pipeline(stacks, cfg), "Use* on connection/* covers the connection")
	statement["Action"] = []any{"codeconnections:Get*", "codeconnections:List?onnections"}
	assert.Equal(t, []string{want}, Pipeline(stacks, cfg), "wildcards of other actions")
	statement["Action"], statement["Resource"] = "codeconnections:Use*", "arn:aws:codeconnections:ap-southeast-7:333333333333:host/*"
	assert.Equal(t, []string{want}, Pipeline(stacks, cfg), "a wildcard of other resources")
}

// Run 26's A20: the Synth build no longer runs make verify on the configuration's file; and one
// that runs it on another file.
func TestPipelineSynthThatDoesNotRunMakeVerifyOnTheConfigurationFails(t *testing.T) {
	for _, planted := range []string{"", "make verify CONFIG=configs/other.yaml"} {
		stacks, cfg := pipelineFixture(t)
		template := pipelineTemplate(t, stacks, cfg)
		project := cfntemplate.Ref(actionConfiguration(pipelineAction(t, template, "Synth"))["ProjectName"])
		source := cfntemplate.Resources(template)[project].(map[string]any)["Properties"].(map[string]any)["Source"].(map[string]any)
		spec := source["BuildSpec"].(string)
		require.Contains(t, spec, `"make verify CONFIG=configs/a.yaml",`)
		source["BuildSpec"] = strings.Replace(spec, `"make verify CONFIG=configs/a.yaml",`, strings.TrimPrefix(`"`+planted+`",`, `"",`), 1)
		assert.Equal(t, []string{`pipeline build Synth, which writes Synth_Output, does not run "make verify CONFIG=configs/a.yaml": the environments would deploy an assembly make verify never passed`},
			Pipeline(stacks, cfg), planted)
	}
}
