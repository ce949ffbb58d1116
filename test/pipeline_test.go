package test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/stackprotection"
	"github.com/privatepatch/privatepatch/proof/cfnupdate"
	"github.com/privatepatch/privatepatch/stacks"
)

const pipelineYAML = `
environments:
  - {name: prod-usw2, account: "111111111111", region: us-west-2, availabilityZones: [us-west-2a, us-west-2b]}
  - {name: prod-euw1, account: "222222222222", region: eu-west-1, availabilityZones: [eu-west-1a, eu-west-1b]}
network:
  s3PrefixListIds: {us-west-2: pl-68a54001, eu-west-1: pl-6da54004}
  s3PrefixListCidrs:
    us-west-2: [54.231.160.0/19]
    eu-west-1: [52.218.0.0/17]
pipeline:
  enabled: true
  connectionArn: arn:aws:codeconnections:us-west-2:111111111111:connection/01234567-89ab-cdef-0123-456789abcdef
  repository: my-org/privatepatch-config
  configFile: configs/prod.yaml
  approvalBefore: [prod-euw1]
  notificationEmails: [release@example.com]
`

var (
	pipelineOnce     sync.Once
	pipelineStack    stacks.PipelineStack
	pipelineTemplate map[string]any
	pipelineAssembly cxapi.CloudAssembly
	pipelineErr      any
)

// synthPipeline builds the pipeline app once, with the zone lookups CDK makes for explicit
// accounts answered as cdk.context.json would.
func synthPipeline(t *testing.T) (stacks.PipelineStack, map[string]any) {
	buildPipeline()
	require.Nil(t, pipelineErr, "the pipeline app did not synthesise")
	return pipelineStack, pipelineTemplate
}

// buildPipeline is synthPipeline without a test, for TestMain; like scenario.build, it runs on
// the tests' goroutines only.
func buildPipeline() {
	pipelineOnce.Do(func() {
		defer func() {
			if r := recover(); r != nil {
				pipelineErr = r
			}
		}()
		cfg, err := config.Parse("pipeline.yaml", []byte(pipelineYAML))
		if err != nil {
			panic(err)
		}
		context, err := readCdkJSONContext()
		if err != nil {
			panic(err)
		}
		context["availability-zones:account=111111111111:region=us-west-2"] = []any{"us-west-2a", "us-west-2b", "us-west-2c"}
		context["availability-zones:account=222222222222:region=eu-west-1"] = []any{"eu-west-1a", "eu-west-1b", "eu-west-1c"}
		app := awscdk.NewApp(&awscdk.AppProps{Context: &context, AnalyticsReporting: jsii.Bool(false)})
		pipelineStack = stacks.NewPipeline(app, cfg)
		pipelineAssembly = app.Synth(nil)
		if pipelineTemplate, err = readStackTemplate(pipelineStack.Stack); err != nil {
			panic(err)
		}
	})
}

func TestPipelineBuildsTestsAndDeploysEachEnvironmentInTurn(t *testing.T) {
	p, template := synthPipeline(t)
	assert.Equal(t, "privatepatch-pipeline", *p.StackName())
	assert.Equal(t, "111111111111", *p.Account(), "the first environment's account")
	require.Len(t, p.Deployments, 2)
	assert.Equal(t, "privatepatch-prod-euw1-network", *p.Deployments[1].Network.StackName())

	_, pipeline := oneOf(t, template, "AWS::CodePipeline::Pipeline", "Pipeline")
	var stageNames []string
	for _, st := range props(pipeline)["Stages"].([]any) {
		stageNames = append(stageNames, st.(map[string]any)["Name"].(string))
	}
	assert.Equal(t, []string{"Source", "Build", "UpdatePipeline", "Assets", "prod-usw2", "prod-euw1"}, stageNames,
		"source, tests and synth, self-mutation, assets, then each environment in the listed order")
	text := fmt.Sprint(props(pipeline)["Stages"])
	assert.Contains(t, text, "ConnectionArn:arn:aws:codeconnections:us-west-2:111111111111:connection/01234567-89ab-cdef-0123-456789abcdef")
	assert.Contains(t, text, "FullRepositoryId:my-org/privatepatch-config")
	approvals := map[string]string{}
	for _, st := range props(pipeline)["Stages"].([]any) {
		for _, a := range st.(map[string]any)["Actions"].([]any) {
			action := a.(map[string]any)
			if action["ActionTypeId"].(map[string]any)["Provider"] == "Manual" {
				approvals[action["Name"].(string)] = st.(map[string]any)["Name"].(string)
			}
		}
	}
	assert.Equal(t, map[string]string{"Approve-prod-euw1": "prod-euw1"}, approvals, "prod-euw1, and only it, waits for a person")

	var buildspec string
	for _, project := range resourcesOf(template, "AWS::CodeBuild::Project") {
		if s := fmt.Sprint(props(project)["Source"]); strings.Contains(s, "make test") {
			buildspec = s
		}
	}
	require.NotEmpty(t, buildspec, "a CodeBuild project runs the tests")
	assert.Contains(t, buildspec, "make verify CONFIG=configs/prod.yaml", "the synth with CDK's validation and the offline checks")
}

// The self-mutation step installs the CDK CLI that package.json pins and make setup installs,
// never whatever aws-cdk@2 is newest, and the asset steps the cdk-assets it pins, never
// cdk-assets@latest; and the build (make test, make verify) runs on the compute
// type sized for it.
func TestPipelineInstallsThePinnedCdkCliAndSizesTheBuild(t *testing.T) {
	_, template := synthPipeline(t)
	data, err := os.ReadFile(filepath.Join("..", "package.json"))
	require.NoError(t, err)
	var pkg struct {
		DevDependencies map[string]string `json:"devDependencies"`
	}
	require.NoError(t, json.Unmarshal(data, &pkg))
	pinned := pkg.DevDependencies["aws-cdk"]
	require.Regexp(t, `^\d+\.\d+\.\d+$`, pinned, "package.json pins an exact CLI version")

	installs := regexp.MustCompile(`npm install -g aws-cdk(@\S*)?`)
	var found []string
	compute := map[string]string{}
	for _, project := range resourcesOf(template, "AWS::CodeBuild::Project") {
		source := fmt.Sprint(props(project)["Source"])
		for _, m := range installs.FindAllString(source, -1) {
			found = append(found, strings.TrimRight(m, `\",`))
		}
		environment := props(project)["Environment"].(map[string]any)
		if strings.Contains(source, "make test") {
			compute["build"] = environment["ComputeType"].(string)
		} else if strings.Contains(source, "cdk -a . deploy") {
			compute["self-mutation"] = environment["ComputeType"].(string)
		}
	}
	require.NotEmpty(t, found, "the self-mutation step installs the CLI")
	assets := regexp.MustCompile(`npm install -g cdk-assets(@[^\s"\\,]*)?`)
	var assetInstalls []string
	for _, project := range resourcesOf(template, "AWS::CodeBuild::Project") {
		assetInstalls = append(assetInstalls, assets.FindAllString(fmt.Sprint(props(project)["Source"]), -1)...)
	}
	require.NotEmpty(t, assetInstalls, "the asset steps install cdk-assets")
	require.Regexp(t, `^\d+\.\d+\.\d+$`, pkg.DevDependencies["cdk-assets"], "package.json pins an exact cdk-assets version")
	for _, install := range assetInstalls {
		assert.Equal(t, "npm install -g cdk-assets@"+pkg.DevDependencies["cdk-assets"], install, "never cdk-assets@latest")
	}
	for _, install := range found {
		assert.Equal(t, "npm install -g aws-cdk@"+pinned, install)
	}
	assert.Equal(t, map[string]string{"build": "BUILD_GENERAL1_MEDIUM", "self-mutation": "BUILD_GENERAL1_SMALL"}, compute)
}

// The build installs Go from go.dev only when the archive's SHA-256 is the one go.dev publishes
// (testdata/go-download.json, its source beside it): another archive stops the install before
// anything of it is unpacked. Its commands run as CodeBuild runs a phase's (in one shell, stopping
// at the first that fails), and once as if the phase went on after a failure: still nothing is
// unpacked.
func TestPipelineBuildInstallsGoOnlyWithItsPublishedDigest(t *testing.T) {
	_, template := synthPipeline(t)
	var published struct {
		URL    string `json:"url"`
		SHA256 string `json:"sha256"`
	}
	data, err := os.ReadFile("testdata/go-download.json")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &published))
	var install []string
	for _, project := range resourcesOf(template, "AWS::CodeBuild::Project") {
		spec, _ := props(project)["Source"].(map[string]any)["BuildSpec"].(string)
		if !strings.Contains(spec, "make test") {
			continue
		}
		var buildspec struct {
			Phases struct {
				Install struct {
					Commands []string `json:"commands"`
				} `json:"install"`
			} `json:"phases"`
		}
		require.NoError(t, json.Unmarshal([]byte(spec), &buildspec))
		install = buildspec.Phases.Install.Commands
	}
	// As CodeBuild runs a phase: each command's status checked, the phase ended by the first that
	// fails; and, for the check below, without that.
	var stopping []string
	for _, command := range install {
		stopping = append(stopping, "{ "+command+"\n} || exit $?")
	}
	script, continuing := strings.Join(stopping, "\n"), strings.Join(install, "\n")
	require.Contains(t, script, published.URL)
	require.Contains(t, script, published.SHA256)
	const download = "what the fake curl downloads"
	run := func(digest string, stopAtFailure bool) (unpacked bool, err error) {
		dir := t.TempDir()
		curl := "#!/bin/sh\nwhile [ $# -gt 0 ]; do [ \"$1\" = -o ] && out=$2; shift; done\nprintf '" + download + "' > \"$out\"\n"
		require.NoError(t, os.WriteFile(filepath.Join(dir, "curl"), []byte(curl), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "tar"), []byte("#!/bin/sh\ntouch \""+dir+"/unpacked\"\n"), 0o755))
		shell := continuing
		if stopAtFailure {
			shell = script
		}
		cmd := exec.Command("sh", "-c", strings.ReplaceAll(shell, published.SHA256, digest))
		cmd.Env = append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"), "TMPDIR="+dir)
		err = cmd.Run()
		_, statErr := os.Stat(filepath.Join(dir, "unpacked"))
		return statErr == nil, err
	}
	unpacked, err := run(published.SHA256, true)
	assert.Error(t, err, "an archive whose digest is not go.dev's is refused")
	assert.False(t, unpacked, "before tar runs")
	unpacked, _ = run(published.SHA256, false)
	assert.False(t, unpacked, "tar runs only after the check passed, in the same command")
	sum := sha256.Sum256([]byte(download))
	unpacked, err = run(hex.EncodeToString(sum[:]), true)
	assert.NoError(t, err, "planted: the download's own digest passes")
	assert.True(t, unpacked)
}

// The pipeline stack suppresses AwsSolutions-IAM5 (wildcards) by pattern: the grants CDK Pipelines
// makes in the whole stack, Resource::* on the four policies that need it. A wildcard of another
// kind, planted here one by one, is matched by none of them, so cdk-nag reports it.
func TestPipelineWildcardSuppressionsNameWhatTheyAllowOnly(t *testing.T) {
	_, template := synthPipeline(t)
	iam5 := func(metadata any) (suppressions []map[string]any) {
		m, _ := metadata.(map[string]any)
		nag, _ := m["cdk_nag"].(map[string]any)
		rules, _ := nag["rules_to_suppress"].([]any)
		for _, rule := range rules {
			if r := rule.(map[string]any); r["id"] == "AwsSolutions-IAM5" {
				suppressions = append(suppressions, r)
			}
		}
		return suppressions
	}
	matches := func(suppressions []map[string]any, finding string) bool {
		for _, sup := range suppressions {
			appliesTo, ok := sup["applies_to"].([]any)
			require.True(t, ok && len(appliesTo) > 0, "an IAM5 suppression without applies_to would hide every wildcard: %v", sup)
			for _, a := range appliesTo {
				if text, ok := a.(string); ok && text == finding {
					return true
				} else if r, ok := a.(map[string]any); ok {
					pattern := strings.TrimSuffix(strings.TrimPrefix(r["regex"].(string), "/"), "/")
					if regexp.MustCompile(pattern).MatchString(finding) {
						return true
					}
				}
			}
		}
		return false
	}
	stackWide := iam5(template["Metadata"])
	require.NotEmpty(t, stackWide)
	require.True(t, matches(stackWide, "Action::s3:GetObject*"), "the patterns are read as cdk-nag reads them")
	for _, planted := range []string{"Resource::*", "Action::*", "Action::iam:*", "Action::s3:*", "Action::s3:Put*", "Action::kms:*",
		"Action::ec2:*", "Resource::arn:aws:iam::111111111111:role/*", "Resource::arn:aws:s3:::another-bucket/*", "Resource::<OtherBucketA1B2C3D4.Arn>/*",
		"Resource::arn:aws:logs:us-west-2:111111111111:log-group:*"} {
		assert.False(t, matches(stackWide, planted), "planted %s: the stack's suppression would hide it", planted)
	}
	var star []string
	for id, resource := range template["Resources"].(map[string]any) {
		if matches(iam5(resource.(map[string]any)["Metadata"]), "Resource::*") {
			star = append(star, regexp.MustCompile(`[0-9A-F]{8}$`).ReplaceAllString(id, ""))
		}
	}
	assert.ElementsMatch(t, []string{"PipelineBuildSynthCdkBuildProjectRoleDefaultPolicy", "PipelineRoleDefaultPolicy",
		"PipelineUpdatePipelineSelfMutationRoleDefaultPolicy", "PipelineAssetsFileRoleDefaultPolicy"}, star)
}

// make verify in the synth step runs the S3 prefix-list drift check with the build's credentials:
// the pipeline deploys without make deploy, so without this the check could not run there.
func TestPipelineSynthStepMayReadTheS3PrefixLists(t *testing.T) {
	_, template := synthPipeline(t)
	var statements []string
	for _, policy := range resourcesOf(template, "AWS::IAM::Policy") {
		for _, st := range props(policy)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			if st.(map[string]any)["Sid"] == "ReadS3PrefixListsForTheDriftCheck" {
				statements = append(statements, fmt.Sprint(st.(map[string]any)["Action"]))
			}
		}
	}
	assert.Equal(t, []string{"[ec2:DescribeManagedPrefixLists ec2:GetManagedPrefixListEntries]"}, statements, "in the synth project's role only")
}

// pipelineOwnStacks are the pipeline app's stacks other than the environments': the pipeline
// stack and CodePipeline's support stack in each other region.
func pipelineOwnStacks() []cxapi.CloudFormationStackArtifact {
	var own []cxapi.CloudFormationStackArtifact
	for _, stack := range *pipelineAssembly.StacksRecursively() {
		if *stack.StackName() == "privatepatch-pipeline" || strings.HasPrefix(*stack.Id(), "cross-region-stack-") {
			own = append(own, stack)
		}
	}
	return own
}

// TestPipelineStacksPassCdkNagWithTheirReasons checks the pipeline stack and the support stack
// CodePipeline adds in the other region.
func TestPipelineStacksPassCdkNagWithTheirReasons(t *testing.T) {
	synthPipeline(t)
	pack := regexp.MustCompile(`^(AwsSolutions|NIST\.800\.53\.R5)-`)
	checked := map[string]bool{}
	for _, stack := range pipelineOwnStacks() {
		var found []string
		for _, m := range *stack.Messages() {
			text := fmt.Sprint(m.Entry.Data)
			if (m.Level == cxapi.SynthesisMessageLevel_ERROR || m.Level == cxapi.SynthesisMessageLevel_WARNING) && pack.MatchString(text) {
				found = append(found, fmt.Sprintf("%s: %s", *m.Id, text))
			}
		}
		assert.Empty(t, found, *stack.StackName())
		checked[*stack.Id()] = true
	}
	assert.Len(t, checked, 2, "the pipeline stack and the eu-west-1 support stack: %v", keysOf(checked))
}

// joined renders a template value as text: Fn::Join joined, a Ref as ${NAME}.
func joined(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case map[string]any:
		if ref, ok := v["Ref"].(string); ok {
			return "${" + ref + "}"
		}
		if j, ok := v["Fn::Join"].([]any); ok {
			var parts []string
			for _, p := range j[1].([]any) {
				parts = append(parts, joined(p))
			}
			return strings.Join(parts, j[0].(string))
		}
	}
	return fmt.Sprint(v)
}

// protectionGaps lists what a stage's protection step (its buildspec, as text) does not do for
// each of the stage's stacks: assume the stage's protector role, enable termination protection,
// set the stack policy the synth step wrote.
func protectionGaps(buildspec, protectorArn, region string, stackNames []string) []string {
	var gaps []string
	if !strings.Contains(buildspec, "aws sts assume-role --role-arn "+protectorArn+" ") {
		gaps = append(gaps, "does not assume "+protectorArn)
	}
	for _, name := range stackNames {
		if !strings.Contains(buildspec, "update-termination-protection --region "+region+" --enable-termination-protection --stack-name "+name+" ") {
			gaps = append(gaps, name+": no termination protection")
		}
		if !strings.Contains(buildspec, "set-stack-policy --region "+region+" --stack-name "+name+" --stack-policy-body file://stack-policies/"+name+".json") {
			gaps = append(gaps, name+": no stack policy")
		}
	}
	return gaps
}

// CodePipeline's CloudFormation actions apply neither a stack's termination protection (aws-cdk
// issues 17871, 30405) nor a stack policy: a step after each stage sets both, through a role in
// the stage's account that may do only that on only its stacks; the pipeline stack itself is
// protected by the CLI that deploys it.
func TestPipelineProtectsEachStagesStacksAfterItDeploysAndItself(t *testing.T) {
	p, template := synthPipeline(t)
	for _, stack := range pipelineOwnStacks() {
		if *stack.StackName() == "privatepatch-pipeline" {
			assert.True(t, *stack.TerminationProtection(), "the pipeline stack")
		}
	}
	_, pipeline := oneOf(t, template, "AWS::CodePipeline::Pipeline", "Pipeline")
	// The step runs after the stage's deploy actions, in the same pipeline stage.
	for _, st := range props(pipeline)["Stages"].([]any) {
		stage := st.(map[string]any)
		if !strings.HasPrefix(stage["Name"].(string), "prod-") {
			continue
		}
		lastDeploy, protect := 0.0, 0.0
		for _, a := range stage["Actions"].([]any) {
			action := a.(map[string]any)
			order, _ := action["RunOrder"].(float64)
			switch {
			case action["ActionTypeId"].(map[string]any)["Provider"] == "CloudFormation":
				lastDeploy = max(lastDeploy, order)
			case action["Name"] == "Protect-"+stage["Name"].(string):
				protect = order
			}
		}
		assert.Greater(t, protect, lastDeploy, "%s: protection after the last deploy action", stage["Name"])
	}

	buildspecs := map[string]string{}
	for _, project := range resourcesOf(template, "AWS::CodeBuild::Project") {
		source := joined(props(project)["Source"].(map[string]any)["BuildSpec"])
		if strings.Contains(source, "privatepatch-protect") {
			buildspecs[regexp.MustCompile(`privatepatch-prod-\w+-protect`).FindString(source)] = source
		}
		if strings.Contains(source, "make test") {
			for _, env := range []string{"prod-usw2", "prod-euw1"} {
				assert.Contains(t, source, "go run ./tools/checkupdate -stack-policies cdk.out -environment "+env+" -out cdk.out/stack-policies", "the synth step writes the stage's stack policies")
			}
		}
	}
	require.Len(t, buildspecs, 2, "one protection step per environment: %v", keysOf(buildspecs))
	// checkupdate -environment finds each stage's stacks in the pipeline's cloud assembly.
	read, err := cfnupdate.ReadStacks(*pipelineAssembly.Directory())
	require.NoError(t, err)
	environments := map[string][]string{}
	for _, s := range read {
		environments[s.Environment] = append(environments[s.Environment], s.Name+" "+s.Account)
	}
	assert.Equal(t, []string{"privatepatch-prod-usw2-fleet 111111111111", "privatepatch-prod-usw2-network 111111111111", "privatepatch-prod-usw2-patching 111111111111"}, environments["prod-usw2"])
	assert.Len(t, environments["prod-euw1"], 3)
	for i, d := range p.Deployments {
		account, region := []string{"111111111111", "222222222222"}[i], []string{"us-west-2", "eu-west-1"}[i]
		roleName := "privatepatch-" + []string{"prod-usw2", "prod-euw1"}[i] + "-protect"
		names := []string{*d.Network.StackName(), *d.Fleet.StackName(), *d.Patching.StackName()}
		arn := "arn:${AWS::Partition}:iam::" + account + ":role/" + roleName
		buildspec := buildspecs[roleName]
		assert.Empty(t, protectionGaps(buildspec, arn, region, names), roleName)

		// The protector role in the stage's account: only the two calls, only on its stacks,
		// only for the pipeline's step role.
		patching := stackTemplate(t, d.Patching.Stack)
		_, role := oneOf(t, patching, "AWS::IAM::Role", "PipelineProtector")
		assert.Equal(t, roleName, props(role)["RoleName"])
		trust := fmt.Sprint(props(role)["AssumeRolePolicyDocument"])
		assert.Contains(t, trust, ":iam::111111111111:role/privatepatch-pipeline-protect", "the pipeline account's step role")
		assert.NotContains(t, trust, ":root", "no whole account")
		policies := props(role)["Policies"].([]any)
		require.Len(t, policies, 1)
		statements := policies[0].(map[string]any)["PolicyDocument"].(map[string]any)["Statement"].([]any)
		require.Len(t, statements, 4, "protection, and the stop alarms' reads, updates and service-linked role (TestPipelineAttachesEachInstallTasksStopAlarmAfterEachDeploy)")
		assert.Equal(t, []any{"cloudformation:SetStackPolicy", "cloudformation:UpdateTerminationProtection"}, statements[0].(map[string]any)["Action"])
		resources := fmt.Sprint(statements[0].(map[string]any)["Resource"])
		for _, name := range names {
			assert.Contains(t, resources, ":stack/"+name+"/*")
		}
		assert.Len(t, statements[0].(map[string]any)["Resource"], 3, "the stage's three stacks and nothing else")
	}

	// The step's role may assume the protector roles and nothing else of sts.
	_, stepRole := oneOf(t, template, "AWS::IAM::Role", "ProtectStepRole")
	assert.Equal(t, "privatepatch-pipeline-protect", props(stepRole)["RoleName"])
	var assumes []string
	for _, policy := range resourcesOf(template, "AWS::IAM::Policy") {
		for _, st := range props(policy)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			if st.(map[string]any)["Sid"] == "AssumeTheStagesProtectorRoles" {
				assumes = append(assumes, fmt.Sprint(st.(map[string]any)["Resource"]))
			}
		}
	}
	require.Len(t, assumes, 1)
	assert.Contains(t, assumes[0], ":iam::111111111111:role/privatepatch-prod-usw2-protect")
	assert.Contains(t, assumes[0], ":iam::222222222222:role/privatepatch-prod-euw1-protect")

	// Planted failures: a step that skips a stack, or sets no policy, is caught.
	names := []string{"privatepatch-prod-usw2-network", "privatepatch-prod-usw2-fleet"}
	assert.Equal(t, []string{"privatepatch-prod-usw2-fleet: no termination protection", "privatepatch-prod-usw2-fleet: no stack policy"},
		protectionGaps(strings.Join(stackprotection.Commands("arn:aws:iam::1:role/r", "us-west-2", "stack-policies", names[:1], nil), ""), "arn:aws:iam::1:role/r", "us-west-2", names))
	noPolicy := strings.ReplaceAll(strings.Join(stackprotection.Commands("arn:aws:iam::1:role/r", "us-west-2", "stack-policies", names, nil), ""), "set-stack-policy", "get-stack-policy")
	assert.Len(t, protectionGaps(noPolicy, "arn:aws:iam::1:role/r", "us-west-2", names), 2)
}

// stopAlarmGaps are the stop alarms of a patching template that a protection step does not attach:
// for each composite alarm the stack names after a task (<stack>-<task>-stop), the buildspec must
// read the task's window and id from the stack's outputs of those values into the variables its
// attach call uses, and the protector's policy must allow the call on both.
func stopAlarmGaps(patching map[string]any, stackName, buildspec string, allowed []string) []string {
	buildspec = strings.ReplaceAll(buildspec, `\"`, `"`) // the buildspec is JSON
	outputs, _ := patching["Outputs"].(map[string]any)
	// The variable the step reads an output of that value into, from this stack.
	variableOf := func(value map[string]any) string {
		for key, o := range outputs {
			if fmt.Sprint(o.(map[string]any)["Value"]) != fmt.Sprint(value) {
				continue
			}
			read := regexp.MustCompile(`(\w+)=\$\(aws cloudformation describe-stacks --region [a-z0-9-]+ --stack-name ` + regexp.QuoteMeta(stackName) +
				` --query "Stacks\[0\]\.Outputs\[\?OutputKey=='` + regexp.QuoteMeta(key) + `'\]\.OutputValue" --output text\)`).FindStringSubmatch(buildspec)
			if read != nil {
				return read[1]
			}
		}
		return ""
	}
	var gaps []string
	for _, alarm := range resourcesOf(patching, "AWS::CloudWatch::CompositeAlarm") {
		name := props(alarm)["AlarmName"].(string)
		for logicalID, task := range resourcesOf(patching, "AWS::SSM::MaintenanceWindowTask") {
			if stackName+"-"+fmt.Sprint(props(task)["Name"])+"-stop" != name {
				continue
			}
			window := props(task)["WindowId"].(map[string]any)
			windowVar, taskVar := variableOf(window), variableOf(map[string]any{"Fn::GetAtt": []any{logicalID, "WindowTaskId"}})
			// The task's own rate controls, passed again (patchingspec.AttachStopAlarmArgs).
			call := fmt.Sprintf(`aws ssm update-maintenance-window-task --window-id "$%s" --window-task-id "$%s" --max-concurrency %s --max-errors %s --alarm-configuration '{"Alarms":[{"Name":"%s"}],"IgnorePollAlarmFailure":false}'`,
				windowVar, taskVar, props(task)["MaxConcurrency"], props(task)["MaxErrors"], name)
			switch {
			case windowVar == "" || taskVar == "":
				gaps = append(gaps, name+": the step does not read its task's ids")
			case !strings.Contains(buildspec, call):
				gaps = append(gaps, name+": not attached")
			}
			if !slices.Contains(allowed, fmt.Sprint(window["Ref"])) || !slices.Contains(allowed, logicalID+".WindowTaskId") {
				gaps = append(gaps, name+": the protector may not update the task")
			}
		}
	}
	return gaps
}

// CloudFormation cannot attach an Install task's stop alarm, and its update of a task removes it:
// make deploy attaches them after each deploy, and the pipeline's protection step after each
// stage, through the protector role, which may update those tasks only. The step reads the
// tasks' ids from the stack's outputs itself: CodePipeline takes at most 1,000 characters in an
// action's configuration value ("ActionConfiguration", CodePipeline API Reference), which CDK
// Pipelines' envFromCfnOutputs fills at about four tasks (aws-cdk issue 17067).
func TestPipelineAttachesEachInstallTasksStopAlarmAfterEachDeploy(t *testing.T) {
	p, template := synthPipeline(t)
	_, pipeline := oneOf(t, template, "AWS::CodePipeline::Pipeline", "Pipeline")
	projects := resourcesOf(template, "AWS::CodeBuild::Project")
	for _, st := range props(pipeline)["Stages"].([]any) {
		for _, a := range st.(map[string]any)["Actions"].([]any) {
			configuration := a.(map[string]any)["Configuration"].(map[string]any)
			for key, value := range configuration {
				if text, ok := value.(string); ok {
					assert.LessOrEqual(t, len(text), 1000, "%s: %s", a.(map[string]any)["Name"], key)
				}
			}
			// Nothing in the Protect action's configuration grows with the tasks: two stop
			// alarms of envFromCfnOutputs variables would pass the limit above, five would not.
			if strings.HasPrefix(a.(map[string]any)["Name"].(string), "Protect-") {
				assert.Equal(t, []string{"ProjectName"}, slices.Sorted(maps.Keys(configuration)), a.(map[string]any)["Name"])
			}
		}
	}
	checked := 0
	for _, d := range p.Deployments {
		stackName := *d.Patching.StackName()
		patching := stackTemplate(t, d.Patching.Stack)
		require.NotEmpty(t, resourcesOf(patching, "AWS::CloudWatch::CompositeAlarm"), "the pipeline's configuration has stop alarms")
		var buildspec string
		for _, st := range props(pipeline)["Stages"].([]any) {
			for _, a := range st.(map[string]any)["Actions"].([]any) {
				action := a.(map[string]any)
				if strings.HasPrefix(action["Name"].(string), "Protect-") && strings.Contains(stackName, strings.TrimPrefix(action["Name"].(string), "Protect-")) {
					project := action["Configuration"].(map[string]any)["ProjectName"].(map[string]any)["Ref"].(string)
					buildspec = joined(props(projects[project])["Source"].(map[string]any)["BuildSpec"])
				}
			}
		}
		require.NotEmpty(t, buildspec, stackName)
		// What the protector's statements allow: the update on windows by Ref and tasks by
		// GetAtt, the reads on its own stack.
		_, role := oneOf(t, patching, "AWS::IAM::Role", "PipelineProtector")
		var allowed []string
		for _, st := range props(role)["Policies"].([]any)[0].(map[string]any)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			statement := st.(map[string]any)
			switch statement["Sid"] {
			case "ReadStopAlarmTaskIds":
				assert.Equal(t, "cloudformation:DescribeStacks", statement["Action"])
				assert.Contains(t, fmt.Sprint(statement["Resource"]), ":stack/"+stackName+"/*")
			case "AttachStopAlarms":
				assert.Equal(t, "ssm:UpdateMaintenanceWindowTask", statement["Action"])
				for _, r := range statement["Resource"].([]any) {
					parts := r.(map[string]any)["Fn::Join"].([]any)[1].([]any)
					switch ref := parts[1].(map[string]any); {
					case strings.HasSuffix(parts[0].(string), ":maintenancewindow/"):
						allowed = append(allowed, fmt.Sprint(ref["Ref"]))
					case strings.HasSuffix(parts[0].(string), ":windowtask/"):
						getAtt := ref["Fn::GetAtt"].([]any)
						allowed = append(allowed, fmt.Sprint(getAtt[0], ".", getAtt[1]))
					}
				}
			}
		}
		assert.Len(t, allowed, 2*len(resourcesOf(patching, "AWS::CloudWatch::CompositeAlarm")), "%s: each stop alarm's window and task, nothing else", stackName)
		assert.Empty(t, stopAlarmGaps(patching, stackName, buildspec, allowed), stackName)
		checked++

		// Planted failures: a step that attaches nothing, reads the ids from another output or
		// stack, or a protector that may not update the task, is caught.
		assert.NotEmpty(t, stopAlarmGaps(patching, stackName, strings.ReplaceAll(buildspec, "update-maintenance-window-task", "get-maintenance-window-task"), allowed))
		assert.NotEmpty(t, stopAlarmGaps(patching, stackName, strings.ReplaceAll(buildspec, "StopAlarmTask1'", "StopAlarmWindow1'"), allowed))
		assert.NotEmpty(t, stopAlarmGaps(patching, stackName, strings.ReplaceAll(buildspec, "--stack-name "+stackName+" --query", "--stack-name other --query"), allowed))
		assert.NotEmpty(t, stopAlarmGaps(patching, stackName, buildspec, allowed[:1]))
	}
	assert.Equal(t, 2, checked)
}

// sourceActionGrants are the actions the source action's role may take on the connection, from
// the role's policies in the template.
func sourceActionGrants(t *testing.T, template map[string]any, connectionArn string) []string {
	_, pipeline := oneOf(t, template, "AWS::CodePipeline::Pipeline", "Pipeline")
	var role string
	for _, st := range props(pipeline)["Stages"].([]any) {
		for _, a := range st.(map[string]any)["Actions"].([]any) {
			action := a.(map[string]any)
			if action["ActionTypeId"].(map[string]any)["Provider"] == "CodeStarSourceConnection" {
				role = action["RoleArn"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
			}
		}
	}
	require.NotEmpty(t, role, "the source action has a role of its own")
	var grants []string
	for _, policy := range resourcesOf(template, "AWS::IAM::Policy") {
		if !strings.Contains(fmt.Sprint(props(policy)["Roles"]), "Ref:"+role+"]") {
			continue
		}
		for _, st := range props(policy)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			s := st.(map[string]any)
			if s["Effect"] == "Allow" && strings.Contains(fmt.Sprint(s["Resource"]), connectionArn) {
				grants = append(grants, policyStrings(s["Action"])...)
			}
		}
	}
	return grants
}

func policyStrings(v any) []string {
	if s, ok := v.(string); ok {
		return []string{s}
	}
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// A connection's ARN names its service prefix, codeconnections (the console's since July 2024)
// or codestar-connections, and an IAM policy must use the same one: "When specifying a resource
// in the IAM policy, the service prefix needs to match that of the resource" ("Identity and
// access management for AWS CodeStar Notifications and AWS CodeConnections", Developer Tools
// console User Guide; read 2026-12-06). CDK grants codestar-connections:UseConnection whatever
// the ARN, so with a codeconnections ARN the source action would be refused the connection.
func TestPipelineSourceActionMayUseTheConnectionUnderItsOwnServicePrefix(t *testing.T) {
	_, template := synthPipeline(t)
	arn := "arn:aws:codeconnections:us-west-2:111111111111:connection/01234567-89ab-cdef-0123-456789abcdef"
	service := strings.Split(arn, ":")[2] // arn:PARTITION:SERVICE:REGION:ACCOUNT:connection/ID
	assert.Contains(t, sourceActionGrants(t, template, arn), service+":UseConnection")
}

// The protection step's commands, run by sh (CodeBuild's shell on its Linux images) against a
// recording aws: they assume the protector role (again after a wait, while a role created moments
// before cannot be assumed yet), protect the stack, read the task's ids from the stack's outputs
// and attach the alarm with them; an output the stack lacks (a stack deployed by an earlier
// version), or a role never assumed, stops the step with a message.
func TestProtectionStepCommandsRunUnderShRetryANewRoleAndStopWithoutTheTasksIds(t *testing.T) {
	attachment := stackprotection.Attachment{Stack: "pp-patching", WindowOutput: "PipelineProtectorStopAlarmWindow1",
		TaskOutput: "PipelineProtectorStopAlarmTask1", AlarmName: "pp-patching-pp-weekly-Task1-stop", MaxConcurrency: "25%", MaxErrors: "10%"}
	script := strings.Join(stackprotection.Commands("arn:aws:iam::1:role/r", "us-west-2", "stack-policies", []string{"pp-patching"},
		[]stackprotection.Attachment{attachment}), "\n")
	run := func(taskID string, assumeFailures int) (calls []string, stderr string, err error) {
		dir := t.TempDir()
		fake := `#!/bin/sh
echo "$*" >> "` + dir + `/calls"
case "$*" in
  *assume-role*)
    n=$(cat "` + dir + `/failures" 2>/dev/null || echo 0)
    if [ "$n" -lt ` + fmt.Sprint(assumeFailures) + ` ]; then echo $((n + 1)) > "` + dir + `/failures"; echo 'AccessDenied' >&2; exit 254; fi
    echo "AKID SECRET TOKEN" ;;
  *"OutputKey=='PipelineProtectorStopAlarmWindow1'"*) echo "mw-0123456789abcdef0" ;;
  *"OutputKey=='PipelineProtectorStopAlarmTask1'"*) echo "` + taskID + `" ;;
esac
`
		require.NoError(t, os.WriteFile(filepath.Join(dir, "aws"), []byte(fake), 0o755))
		// The retries' waits, without waiting.
		require.NoError(t, os.WriteFile(filepath.Join(dir, "sleep"), []byte("#!/bin/sh\necho \"sleep $*\" >> \""+dir+"/calls\"\n"), 0o755))
		cmd := exec.Command("sh", "-c", script)
		cmd.Env = append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"))
		var errOut strings.Builder
		cmd.Stderr = &errOut
		err = cmd.Run()
		recorded, _ := os.ReadFile(filepath.Join(dir, "calls"))
		return strings.Split(strings.TrimSpace(string(recorded)), "\n"), errOut.String(), err
	}
	calls, _, err := run("0123abcd-0123-4567-89ab-0123456789ab", 0)
	require.NoError(t, err)
	require.Len(t, calls, 6)
	assert.Contains(t, calls[0], "sts assume-role --role-arn arn:aws:iam::1:role/r")
	assert.Contains(t, calls[1], "update-termination-protection")
	assert.Contains(t, calls[2], "set-stack-policy")
	assert.Equal(t, `ssm update-maintenance-window-task --window-id mw-0123456789abcdef0 --window-task-id 0123abcd-0123-4567-89ab-0123456789ab `+
		`--max-concurrency 25% --max-errors 10% --alarm-configuration {"Alarms":[{"Name":"pp-patching-pp-weekly-Task1-stop"}],"IgnorePollAlarmFailure":false} --region us-west-2 --query WindowTaskId --output text`, calls[5])

	calls, stderr, err := run("", 0)
	require.Error(t, err, "a stack without the task's output")
	assert.Contains(t, stderr, "pp-patching has no outputs PipelineProtectorStopAlarmWindow1 and PipelineProtectorStopAlarmTask1")
	assert.NotContains(t, strings.Join(calls, "\n"), "update-maintenance-window-task")

	// A role too new to assume at once: tried again after a wait, then used.
	calls, _, err = run("0123abcd-0123-4567-89ab-0123456789ab", 2)
	require.NoError(t, err)
	assert.Equal(t, []string{"sleep 10", "sleep 10"}, slices.DeleteFunc(slices.Clone(calls), func(c string) bool { return !strings.HasPrefix(c, "sleep") }))
	assert.Contains(t, calls[len(calls)-1], "update-maintenance-window-task")
	// One that never can be: the step stops, naming it, before any other call.
	calls, stderr, err = run("0123abcd-0123-4567-89ab-0123456789ab", 6)
	require.Error(t, err)
	assert.Contains(t, stderr, "could not assume arn:aws:iam::1:role/r")
	assert.NotContains(t, strings.Join(calls, "\n"), "cloudformation")
}

// A protector's props are refused by name: a stop alarm without its ids or its task's rate
// controls, or an alarm name that is not one shell word of at most 255 characters (the step
// quotes it as it is).
func TestProtectorPropsAreRefusedByName(t *testing.T) {
	valid := stackprotection.ProtectorProps{RoleName: "pp-prod-protect", StepRoleArn: "arn:aws:iam::111111111111:role/pp-pipeline-protect", Stacks: []string{"pp-prod-patching"},
		StopAlarms: []stackprotection.StopAlarmTask{{WindowID: "mw-1", WindowTaskID: "t-1", AlarmName: "pp-prod-patching-pp-weekly-Task1-stop", MaxConcurrency: "25%", MaxErrors: "10%"}}}
	require.NoError(t, valid.Validate())
	for _, c := range []struct {
		name  string
		edit  func(p *stackprotection.ProtectorProps)
		wants string
	}{
		{"no window id", func(p *stackprotection.ProtectorProps) { p.StopAlarms[0].WindowID = "" }, "StopAlarms[0]"},
		{"no task id", func(p *stackprotection.ProtectorProps) { p.StopAlarms[0].WindowTaskID = "" }, "StopAlarms[0]"},
		{"a quote in the alarm", func(p *stackprotection.ProtectorProps) { p.StopAlarms[0].AlarmName = "it's" }, "StopAlarms[0].AlarmName"},
		{"an alarm of 256", func(p *stackprotection.ProtectorProps) { p.StopAlarms[0].AlarmName = strings.Repeat("a", 256) }, "is not 1-255 letters"},
		{"no rate controls", func(p *stackprotection.ProtectorProps) { p.StopAlarms[0].MaxConcurrency = "" }, "StopAlarms[0].MaxConcurrency"},
		{"a shell word for max errors", func(p *stackprotection.ProtectorProps) { p.StopAlarms[0].MaxErrors = "1; rm" }, "StopAlarms[0].MaxErrors"},
		{"no stacks", func(p *stackprotection.ProtectorProps) { p.Stacks = nil }, "Stacks"},
		{"a role name of 65", func(p *stackprotection.ProtectorProps) { p.RoleName = strings.Repeat("r", 65) }, "RoleName"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := valid
			p.StopAlarms = slices.Clone(valid.StopAlarms)
			c.edit(&p)
			err := p.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.wants)
		})
	}
}

// A failed run, and an approval that waits, reach the pipeline's encrypted topic through
// EventBridge, as "Monitoring CodePipeline events" shows the events (proof/wiring/events/pipeline-*,
// in that page's shape: its examples, with this pipeline's names; a waiting approval is an
// action of category Approval in state STARTED, "The action is currently running"),
// and only those of this pipeline; an alarm reports what EventBridge could not deliver.
func TestPipelineAlertsAFailedRunAndAWaitingApprovalOnly(t *testing.T) {
	p, template := synthPipeline(t)
	stack := *p.Stack.StackName()
	rules := map[string]map[string]any{}
	for id, r := range resourcesOf(template, "AWS::Events::Rule") {
		if !strings.HasPrefix(id, "Alerts") {
			continue
		}
		rules[regexp.MustCompile(`Rule[0-9A-F]{8}$`).ReplaceAllString(strings.TrimPrefix(id, "Alerts"), "")] = props(r)["EventPattern"].(map[string]any)
		targets := props(r)["Targets"].([]any)
		require.Len(t, targets, 1, id)
		assert.NotContains(t, targets[0], "RoleArn", "%s: EventBridge delivers to the encrypted topic without a role", id)
	}
	require.ElementsMatch(t, []string{"Failed", "Approval"}, keysOf(rules), "approvalBefore asks for the approval rule")
	for fixture, want := range map[string]string{
		"pipeline-execution-failed": "Failed", "pipeline-execution-succeeded": "", "pipeline-execution-failed-other-pipeline": "",
		"pipeline-approval-waiting": "Approval", "pipeline-build-started": "",
	} {
		matched := matchedBy(rules, sampleEvent(t, fixture))
		if want == "" {
			assert.Empty(t, matched, "%s alerts nobody", fixture)
		} else {
			assert.Equal(t, []string{want}, matched, fixture)
		}
	}

	topicID, topic := oneOf(t, template, "AWS::SNS::Topic", "AlertsTopic")
	assert.Contains(t, props(topic), "KmsMasterKeyId", "encrypted")
	_, subscription := oneOf(t, template, "AWS::SNS::Subscription", "Alerts")
	assert.Equal(t, "release@example.com", props(subscription)["Endpoint"])
	_, policy := oneOf(t, template, "AWS::SNS::TopicPolicy", "Alerts")
	publish := statementBySid(t, props(policy)["PolicyDocument"], "EventBridgeRulesPublish")
	assert.Len(t, publish["Condition"].(map[string]any)["ArnEquals"].(map[string]any)["aws:SourceArn"], 2, "both rules, and no other")
	_, alarm := oneOf(t, template, "AWS::CloudWatch::Alarm", "AlertsUndelivered")
	assert.Equal(t, "privatepatch-pipeline-alerts-undelivered", props(alarm)["AlarmName"])
	assert.Equal(t, []any{map[string]any{"Ref": topicID}}, props(alarm)["AlarmActions"])
	assert.Equal(t, "privatepatch-pipeline", stack)
	_, pipeline := oneOf(t, template, "AWS::CodePipeline::Pipeline", "Pipeline")
	assert.Equal(t, props(pipeline)["Name"], rules["Failed"]["detail"].(map[string]any)["pipeline"].([]any)[0], "the rules name this pipeline")
	assert.NotContains(t, fmt.Sprint(*p.Stack.Node().Metadata()), stacks.PipelineAlertsUnheardWarning, "addresses given: no warning")
}

// A pipeline without approvals alerts on failed runs only; one whose alerts reach no address
// warns at synthesis.
func TestAPipelineWithoutApprovalsAlertsOnFailuresOnlyAndWarnsWhenNoOneHears(t *testing.T) {
	yaml := strings.Replace(pipelineYAML, "  notificationEmails: [release@example.com]\n", "", 1)
	yaml = strings.Replace(yaml, "  approvalBefore: [prod-euw1]\n", "", 1)
	cfg, err := config.Parse("pipeline.yaml", []byte(yaml))
	require.NoError(t, err)
	context, err := readCdkJSONContext()
	require.NoError(t, err)
	context["availability-zones:account=111111111111:region=us-west-2"] = []any{"us-west-2a", "us-west-2b", "us-west-2c"}
	context["availability-zones:account=222222222222:region=eu-west-1"] = []any{"eu-west-1a", "eu-west-1b", "eu-west-1c"}
	p := stacks.NewPipeline(awscdk.NewApp(&awscdk.AppProps{Context: &context, AnalyticsReporting: jsii.Bool(false)}), cfg)
	assert.Equal(t, []string{"Failed"}, keysOf(p.Alerts.Rules()), "no approval, no approval rule")
	var warnings []string
	for _, entry := range *p.Stack.Node().Metadata() {
		if strings.Contains(fmt.Sprint(entry.Data), "privatepatch:pipelineAlertsUnheard") {
			warnings = append(warnings, fmt.Sprint(entry.Data))
		}
	}
	require.Len(t, warnings, 1)
	assert.Contains(t, warnings[0], "no one is told of a failed pipeline run")
	assert.Contains(t, warnings[0], stacks.PipelineAlertsUnheardWarning)
}

func TestPipelineAlertsGoToThePatchingAddressesUnlessGivenTheirOwn(t *testing.T) {
	base := strings.Replace(pipelineYAML, "  notificationEmails: [release@example.com]\n", "", 1) + "patching: {notifications: {emails: [ops@example.com]}}\n"
	cfg, err := config.Parse("pipeline.yaml", []byte(base))
	require.NoError(t, err)
	assert.Equal(t, []string{"ops@example.com"}, cfg.PipelineNotificationEmails())
	own := strings.Replace(base, "  approvalBefore: [prod-euw1]\n", "  approvalBefore: [prod-euw1]\n  notificationEmails: []\n", 1)
	cfg, err = config.Parse("pipeline.yaml", []byte(own))
	require.NoError(t, err)
	assert.Empty(t, cfg.PipelineNotificationEmails(), "an empty list is no one, not the default")
	_, err = config.Parse("pipeline.yaml", []byte(strings.Replace(own, "notificationEmails: []", "notificationEmails: [\"Ops <ops@example.com>\"]", 1)))
	assert.ErrorContains(t, err, `pipeline.notificationEmails[0]: "Ops <ops@example.com>" is not an email address`)
}

// The cross-region replication bucket's wildcard is suppressed for any project's name: CDK names
// the bucket from its support stack's first 25 characters, so a pattern that needed "-sup" there
// held for "privatepatch" only, and pipeline mode failed cdk-nag for "stark" (a review's find; the
// bucket names are the ones CDK made for them).
func TestTheReplicationBucketWildcardFitsEveryProjectsName(t *testing.T) {
	for _, c := range []struct{ stack, region, bucket string }{
		{"privatepatch-pipeline", "eu-west-1", "privatepatch-pipeline-supeplicationbucket0219f74a3471bbdbf4e7"},
		{"stark-pipeline", "eu-central-1", "stark-pipeline-support-eueplicationbucket0219f74a3471bbdbf4e7"},
		{"stark-industries-patching-pipeline", "eu-central-1", "stark-industries-patchingeplicationbucket0219f74a3471bbdbf4e7"},
		{"ab-pipeline", "eu-west-1", "ab-pipeline-support-eu-weeplicationbucket0219f74a3471bbdbf4e7"},
	} {
		finding := "Resource::arn:aws:s3:::" + c.bucket + "/*"
		matched := false
		for _, pattern := range stacks.ReplicationBucketWildcards(c.stack, []string{"us-west-2", c.region}) {
			matched = matched || regexp.MustCompile(pattern).MatchString(finding)
		}
		assert.True(t, matched, c.bucket)
		for _, pattern := range stacks.ReplicationBucketWildcards(c.stack, []string{c.region}) {
			assert.False(t, regexp.MustCompile(pattern).MatchString("Resource::arn:aws:s3:::someone-elses-bucket0219f74a3471bbdbf4e7/*"), "only the support stack's bucket")
			other := strings.Replace(c.bucket, "eplicationbucket", "rtifactsbucket00", 1)
			assert.False(t, regexp.MustCompile(pattern).MatchString("Resource::arn:aws:s3:::"+other+"/*"), "not another bucket of the project's stacks")
		}
	}
}

// A staging and a production in one region (two accounts) deploy in the listed order, one after
// the other: a wave per region deployed them side by side.
func TestEnvironmentsOfOneRegionDeployInTheListedOrderNotTogether(t *testing.T) {
	cfg, err := config.Parse("pipeline.yaml", []byte(strings.Replace(pipelineYAML, "environments:\n",
		"environments:\n  - {name: staging-usw2, account: \"333333333333\", region: us-west-2, availabilityZones: [us-west-2a, us-west-2b]}\n", 1)))
	require.NoError(t, err)
	context, err := readCdkJSONContext()
	require.NoError(t, err)
	context["availability-zones:account=111111111111:region=us-west-2"] = []any{"us-west-2a", "us-west-2b", "us-west-2c"}
	context["availability-zones:account=222222222222:region=eu-west-1"] = []any{"eu-west-1a", "eu-west-1b", "eu-west-1c"}
	context["availability-zones:account=333333333333:region=us-west-2"] = []any{"us-west-2a", "us-west-2b", "us-west-2c"}
	app := awscdk.NewApp(&awscdk.AppProps{Context: &context, AnalyticsReporting: jsii.Bool(false)})
	p := stacks.NewPipeline(app, cfg)
	app.Synth(nil)
	template, err := readStackTemplate(p.Stack)
	require.NoError(t, err)
	_, pipeline := oneOf(t, template, "AWS::CodePipeline::Pipeline", "Pipeline")
	var stageNames []string
	for _, st := range props(pipeline)["Stages"].([]any) {
		stageNames = append(stageNames, st.(map[string]any)["Name"].(string))
	}
	assert.Equal(t, []string{"Source", "Build", "UpdatePipeline", "Assets", "staging-usw2", "prod-usw2", "prod-euw1"}, stageNames)
}
