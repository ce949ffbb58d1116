package test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/proof/authz"
)

func authzDeployment(s *scenario) authz.Deployment {
	cfg, _ := s.config()
	return authz.Deployment{Name: s.name, Env: authz.Env{Account: "111111111111", Region: "us-west-2", Partition: "aws"},
		S3EndpointProvided:  cfg.Network.ExistingVpc != nil && cfg.Network.ExistingVpc.S3Endpoint == "existing",
		DeclaredReadBuckets: cfg.Network.S3Endpoint.ReadBuckets, DeclaredReadWriteBuckets: cfg.Network.S3Endpoint.ReadWriteBuckets,
		Stacks: authz.Stacks{
			s.stackName("Network"): s.template, s.stackName("Fleet"): s.fleetJSON, s.stackName("Patching"): s.patchJSON,
		}}
}

// authzCheck proves every scenario's authorisation in one evaluator run, in the background
// (checks_test.go): the deployments are read from the synthesised scenarios in TestMain. The
// tests that run make verify on these scenarios' assemblies leave its authorisation table out.
var (
	authzCheck = &externalCheck{prepare: prepareAuthz, run: runAuthz}
	authzProof struct {
		deployments []authz.Deployment
		proof       authz.Proof
		err         error
	}
)

func prepareAuthz(*externalCheck) error {
	authzProof.deployments = nil
	for _, sc := range []*scenario{defaultScenario, exampleScenario, natScenario, flowLogsToS3, natWithoutWsus, wsusHTTPS, richPatching,
		promoteRings, existingVpc, existingVpcHub, existingVpcManaged} {
		if sc.build(); sc.err != nil {
			return fmt.Errorf("scenario %s did not synthesise: %v", sc.name, sc.err)
		}
		authzProof.deployments = append(authzProof.deployments, authzDeployment(sc))
	}
	pipeline, err := pipelineDeployments()
	authzProof.deployments = append(authzProof.deployments, pipeline...)
	return err
}

// pipelineProtectStep is the pipeline's protection step role that pipelineYAML's protector roles
// must trust, spelt here rather than through config.ProtectStepRoleName: the project's name, in
// the pipeline's account (the first environment's).
const pipelineProtectStep = "arn:aws:iam::111111111111:role/privatepatch-pipeline-protect"

// pipelineDeployments are the pipeline app's environments (pipelineYAML): each environment's
// stacks, as its stage deploys them, with its protector role.
func pipelineDeployments() ([]authz.Deployment, error) {
	if buildPipeline(); pipelineErr != nil {
		return nil, fmt.Errorf("the pipeline app did not synthesise: %v", pipelineErr)
	}
	var deployments []authz.Deployment
	for _, p := range pipelineStack.Deployments {
		stacks := authz.Stacks{}
		for _, stack := range []awscdk.Stack{p.Network.Stack, p.Fleet.Stack, p.Patching.Stack} {
			template, err := readStackTemplate(stack)
			if err != nil {
				return nil, err
			}
			stacks[*stack.StackName()] = template
		}
		deployments = append(deployments, authz.Deployment{Name: "pipeline stage " + *p.Network.StackName(), Stacks: stacks,
			Env: authz.Env{Account: *p.Network.Account(), Region: *p.Network.Region(), Partition: "aws"}, ProtectStepRoleArn: pipelineProtectStep})
	}
	return deployments, nil
}

// The pipeline's build runs make verify on its own configuration before any stage deploys: on
// the pipeline app's assembly (its environments' stacks in the stages' nested assemblies, each
// with its protector role) it passes, the protectors' rows included. (It failed on the
// protectors' statements, which no row needed, so a pipeline never got past its build.)
func TestMakeVerifyPassesOnThePipelinesOwnAssembly(t *testing.T) {
	buildPipeline()
	require.Nil(t, pipelineErr, "the pipeline app did not synthesise")
	assembly := *pipelineAssembly.Directory()
	afterSynthInParallel(t)
	config := filepath.Join(t.TempDir(), "pipeline.yaml")
	require.NoError(t, os.WriteFile(config, []byte(pipelineYAML), 0o644))
	out, code := runVerify(t, assembly, "-control-tower=false", "-config", config)
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "yes    allowed the pipeline's protection step assuming PipelineProtector")
	assert.Regexp(t, `privatepatch-prod-euw1-network: removing each policy statement.*each needed by a row; \d+ accepted, 0 unjustified`, out)
}

// TestThePipelinesProtectorRolesAreProvenAndOnlyTheStepMayAssumeThem: each environment's
// protector role has its rows (the protection step assumes it, from the pipeline's account, and
// through it protects the environment's stacks, and nothing else), and a copy of the templates
// with its policy widened to every stack, or its trust opened to the pipeline's whole account,
// fails the proof; a protector without the step's role named is refused.
func TestThePipelinesProtectorRolesAreProvenAndOnlyTheStepMayAssumeThem(t *testing.T) {
	evaluator, err := authz.Find("..")
	require.NoError(t, err)
	deployments, err := pipelineDeployments()
	require.NoError(t, err)
	require.Len(t, deployments, 2)
	base := deployments[1] // prod-euw1: another account than the pipeline's
	afterSynthInParallel(t)
	calls, err := authz.Calls(base.Stacks, base.Env)
	require.Error(t, err, "without the step's role named")
	assert.Contains(t, err.Error(), "ProtectStepRoleArn")
	calls, err = base.Calls()
	require.NoError(t, err)
	var rows []string
	for _, c := range calls {
		rows = append(rows, fmt.Sprintf("%s %s %s %v", c.Caller, c.Action, c.Resource, c.Required))
	}
	for _, want := range []string{
		"the pipeline's protection step assuming PipelineProtector",
		"another role of the pipeline's account assuming PipelineProtector", "another account assuming PipelineProtector",
		"protecting privatepatch-prod-euw1-patching cloudformation:SetStackPolicy arn:aws:cloudformation:eu-west-1:222222222222:stack/privatepatch-prod-euw1-patching/",
		"protecting privatepatch-prod-euw1-network cloudformation:UpdateTerminationProtection",
		"deleting privatepatch-prod-euw1-fleet cloudformation:DeleteStack", "setting the policy of another stack cloudformation:SetStackPolicy",
		"attaching the stop alarm of MaintenanceWindowsprivatepatchwsusTask1A2D98FC3 (its window) ssm:UpdateMaintenanceWindowTask arn:aws:ssm:eu-west-1:222222222222:maintenancewindow/privatepatch-prod-euw1-patching-MaintenanceWindowsprivatepatchwsusWindowAA8482A2 true",
		"attaching the stop alarm of MaintenanceWindowsprivatepatchwsusTask1A2D98FC3 (the task) ssm:UpdateMaintenanceWindowTask arn:aws:ssm:eu-west-1:222222222222:windowtask/privatepatch-prod-euw1-patching-MaintenanceWindowsprivatepatchwsusTask1A2D98FC3 true",
		"updating a task of another window ssm:UpdateMaintenanceWindowTask",
		"reading the tasks' ids from privatepatch-prod-euw1-patching cloudformation:DescribeStacks arn:aws:cloudformation:eu-west-1:222222222222:stack/privatepatch-prod-euw1-patching/",
		"reading another stack cloudformation:DescribeStacks", "creating Systems Manager's service-linked role for the first alarm iam:CreateServiceLinkedRole",
		"creating another service's role iam:CreateServiceLinkedRole",
	} {
		assert.True(t, slices.ContainsFunc(rows, func(r string) bool { return strings.Contains(r, want) }), "no row for %s", want)
	}
	protector := func(id string) bool { return strings.HasPrefix(id, "PipelineProtector") }
	widened, changed := plantedCopy(t, base, "protector-on-every-stack", func(id string, r map[string]any) int {
		if !protector(id) {
			return 0
		}
		for _, p := range r["Properties"].(map[string]any)["Policies"].([]any) {
			for _, st := range p.(map[string]any)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
				st.(map[string]any)["Resource"] = "*"
			}
		}
		return 1
	})
	require.Equal(t, 1, changed)
	opened, changed := plantedCopy(t, base, "protector-trusting-the-pipelines-account", func(id string, r map[string]any) int {
		if !protector(id) {
			return 0
		}
		for _, st := range r["Properties"].(map[string]any)["AssumeRolePolicyDocument"].(map[string]any)["Statement"].([]any) {
			st.(map[string]any)["Principal"] = map[string]any{"AWS": "arn:aws:iam::111111111111:root"}
		}
		return 1
	})
	require.Equal(t, 1, changed)
	everyTask, changed := plantedCopy(t, base, "protector-on-every-task", func(id string, r map[string]any) int {
		if !protector(id) {
			return 0
		}
		for _, p := range r["Properties"].(map[string]any)["Policies"].([]any) {
			for _, st := range p.(map[string]any)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
				if st.(map[string]any)["Sid"] == "AttachStopAlarms" {
					st.(map[string]any)["Resource"] = []any{"arn:aws:ssm:eu-west-1:222222222222:maintenancewindow/*", "arn:aws:ssm:eu-west-1:222222222222:windowtask/*"}
					return 1
				}
			}
		}
		return 0
	})
	require.Equal(t, 1, changed)
	// Its reads on every stack, and the service-linked role of any service.
	widerReads, changed := plantedCopy(t, base, "protector-reading-every-stack", func(id string, r map[string]any) int {
		return protectorStatement(r, protector(id), "ReadStopAlarmTaskIds", func(st map[string]any) { st["Resource"] = "arn:aws:cloudformation:eu-west-1:222222222222:stack/*" })
	})
	require.Equal(t, 1, changed)
	anyRole, changed := plantedCopy(t, base, "protector-creating-any-service-linked-role", func(id string, r map[string]any) int {
		return protectorStatement(r, protector(id), "CreateSystemsManagerServiceLinkedRole", func(st map[string]any) { delete(st, "Condition") })
	})
	require.Equal(t, 1, changed)
	wrong := wrongRowsOf(t, evaluator, []authz.Deployment{base, widened, opened, everyTask, widerReads, anyRole})
	assert.Empty(t, wrong[base.Name], "the stage's templates are proven")
	assert.NotEmpty(t, wrong[widened.Name], "a protector on every stack: the proof did not notice")
	assert.NotEmpty(t, wrong[opened.Name], "a protector any role of the pipeline's account may assume: the proof did not notice")
	assert.NotEmpty(t, wrong[everyTask.Name], "a protector that may update every window's tasks: the proof did not notice")
	assert.NotEmpty(t, wrong[widerReads.Name], "a protector that may read every stack: the proof did not notice")
	assert.NotEmpty(t, wrong[anyRole.Name], "a protector that may create any service's role: the proof did not notice")
}

// protectorStatement edits the statement sid of a protector role r (when it is one), and counts it.
func protectorStatement(r map[string]any, isProtector bool, sid string, edit func(map[string]any)) int {
	if !isProtector {
		return 0
	}
	for _, p := range r["Properties"].(map[string]any)["Policies"].([]any) {
		for _, st := range p.(map[string]any)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			if st.(map[string]any)["Sid"] == sid {
				edit(st.(map[string]any))
				return 1
			}
		}
	}
	return 0
}

func runAuthz(*externalCheck) {
	evaluator, err := authz.Find("..")
	if err != nil {
		authzProof.err = err
		return
	}
	authzProof.proof, authzProof.err = evaluator.Prove(authzProof.deployments)
}

// TestEveryScenarioAuthorisesItsRuntimeCallsAndDeniesTheForbiddenOnes evaluates the runtime
// call table (authz.Calls) of every scenario with the IAM policy evaluator, in one run: each
// needed call allowed, each forbidden one denied; and every statement, action, resource and
// condition of the templates' policies needed by a row (authz.Prove's mutations). authz's own
// tests plant defects in copies of the goldens and see them fail.
func TestEveryScenarioAuthorisesItsRuntimeCallsAndDeniesTheForbiddenOnes(t *testing.T) {
	waitsInParallel(t)
	require.NoError(t, authzCheck.prepared())
	authzCheck.ran()
	require.NoError(t, authzProof.err)
	proof, deployments := authzProof.proof, authzProof.deployments
	results := proof.Results
	for _, d := range deployments {
		require.NotEmpty(t, proof.Mutations[d.Name], d.Name)
		for _, m := range authz.Unjustified(proof.Mutations[d.Name]) {
			t.Errorf("%s: %s: no row needs it (excess privilege, or a protection no row tests)", d.Name, m.Mutation)
		}
		require.NotEmpty(t, results[d.Name], d.Name)
		required := 0
		for _, r := range results[d.Name] {
			assert.True(t, r.OK(), "%s: %s", d.Name, r)
			if r.Required {
				required++
			}
		}
		assert.Less(t, required, len(results[d.Name]), "%s: forbidden calls are checked too", d.Name)
	}
}

// TestADeclaredS3EndpointLeavesTheEndpointsDenialsUnprovenAndListsTheBucketsItMustAllow: with
// the VPC's own S3 endpoint, the calls only an endpoint policy denies (a bucket outside the
// architecture) are not claimed, and the buckets the owner's policy must allow are named.
func TestADeclaredS3EndpointLeavesTheEndpointsDenialsUnprovenAndListsTheBucketsItMustAllow(t *testing.T) {
	d := authzDeployment(existingVpcHub.synth(t))
	require.True(t, d.S3EndpointProvided)
	calls, err := authz.Calls(d.Stacks, d.Env)
	require.NoError(t, err)
	var unproven []string
	for _, c := range calls {
		if d.Unproven(c, nil) {
			unproven = append(unproven, c.Caller+" "+c.Resource)
		}
	}
	assert.Equal(t, []string{"fleet instance (FleetRole) arn:aws:s3:::attacker-chosen-bucket/payload",
		"WSUS server (WsusRole) arn:aws:s3:::attacker-chosen-bucket/payload"}, unproven, "WSUS is in a private subnet too")
	buckets, err := authz.EndpointBuckets(d)
	require.NoError(t, err)
	for _, want := range []string{"aws-ssm-us-west-2", "aws-windows-downloads-us-west-2", "patch-baseline-snapshot-us-west-2"} {
		assert.Contains(t, buckets, want)
	}
	assert.NotContains(t, buckets, "attacker-chosen-bucket")
	assert.Contains(t, buckets, "privatepatch-ssm-111111111111-us-west-2", "the command-output bucket, which the fleet writes to")

	// Planted: with the endpoint not declared, nothing is left unproven (its absence is a failure).
	d.S3EndpointProvided = false
	for _, c := range calls {
		assert.False(t, d.Unproven(c, nil), c.Resource)
	}
}

// TestExactPromotionIsProvenAndEachOfItsStatementsIsNeeded: the promotion and startStopped rows
// are derived from the promote-rings templates (each ring's step, its window's start and pass,
// each later ring's download, the start and stop steps), and removing any statement that grants
// them fails the proof.
func TestExactPromotionIsProvenAndEachOfItsStatementsIsNeeded(t *testing.T) {
	evaluator, err := authz.Find("..")
	require.NoError(t, err)
	base := authzDeployment(promoteRings.synth(t))
	afterSynthInParallel(t)
	calls, err := authz.Calls(base.Stacks, base.Env)
	require.NoError(t, err)
	var callers []string
	for _, c := range calls {
		callers = append(callers, c.Caller+" "+c.Action)
	}
	for _, want := range []string{"promotion of ring windows-dev", "promotion of ring windows-test", "running MaintenanceWindowsringtest",
		"running MaintenanceWindowsringprod", "ssm:StartAutomationExecution", "ssm:DescribeInstancePatches",
		"startStopped start", "startStopped stop", "ec2:StopInstances"} {
		assert.True(t, slices.ContainsFunc(callers, func(c string) bool { return strings.Contains(c, want) }), "no row for %s", want)
	}
	// Planted: each statement of the promotion removed in a copy of the templates.
	deployments := []authz.Deployment{base}
	cut := map[string]func(map[string]any) bool{
		"no-read-patch-states": func(s map[string]any) bool { return s["Sid"] == "ReadPatchStates" },
		"no-start-promotion":   func(s map[string]any) bool { return s["Sid"] == "StartPromotion" },
		"no-pass-role":         func(s map[string]any) bool { return s["Sid"] == "PassPromotionRole" },
		"no-start-stop":        func(s map[string]any) bool { return s["Sid"] == "StartStopTheFleet" },
		"no-marks":             func(s map[string]any) bool { return s["Sid"] == "MarkWhatItStarts" },
		"no-start-runbook":     func(s map[string]any) bool { return s["Sid"] == "StartStartStop" },
		"no-list-write": func(s map[string]any) bool {
			return strings.Contains(fmt.Sprint(s["Action"]), "s3:PutObject") && strings.Contains(fmt.Sprint(s["Resource"]), "/promote/")
		},
		"no-list-read": func(s map[string]any) bool {
			return fmt.Sprint(s["Action"]) == "s3:GetObject" && strings.Contains(fmt.Sprint(s["Resource"]), "install-override-list.yaml")
		},
	}
	for _, name := range slices.Sorted(maps.Keys(cut)) {
		d, removed := plantedCopy(t, base, name, withoutStatements(cut[name]))
		require.Positive(t, removed, name)
		deployments = append(deployments, d)
	}
	wrong := wrongRowsOf(t, evaluator, deployments)
	for _, d := range deployments {
		if d.Name == base.Name {
			assert.Empty(t, wrong[d.Name], "the promote-rings templates are proven")
		} else {
			assert.NotEmpty(t, wrong[d.Name], "%s: the proof did not notice", d.Name)
		}
	}
}

// TestTheFindingFilterIsProvenAndEachOfItsGrantsIsNeeded: the finding filter's rows are derived
// from the default templates (EventBridge invoking it for the finding rules only, its role's log
// streams, table items, publish and key use), the function's permissions are a policy the
// mutations cover, and removing any of its grants in a copy of the templates fails the proof.
func TestTheFindingFilterIsProvenAndEachOfItsGrantsIsNeeded(t *testing.T) {
	evaluator, err := authz.Find("..")
	require.NoError(t, err)
	base := authzDeployment(defaultScenario.synth(t))
	afterSynthInParallel(t)
	calls, err := authz.Calls(base.Stacks, base.Env)
	require.NoError(t, err)
	var rows []string
	for _, c := range calls {
		rows = append(rows, fmt.Sprintf("%s %s %v", c.Caller, c.Action, c.Required))
	}
	for _, want := range []string{
		"EventBridge rule SecuritySecurityHubFindingsRule2508B81A, invoking FindingFilterFunction",
		"EventBridge rule SecurityInspectorFindingsRule09C61347, invoking FindingFilterFunction",
		"an EventBridge rule that is not the function's, invoking FindingFilterFunction", "logging logs:CreateLogStream true", "logging logs:PutLogEvents true",
		"dynamodb:PutItem true", "beyond what it does dynamodb:DeleteItem false", "(FindingFilterRole", "lambda.amazonaws.com assuming FindingFilterRole",
		"beyond what it does dynamodb:Scan false", "beyond what it does logs:CreateLogGroup false",
	} {
		assert.True(t, slices.ContainsFunc(rows, func(r string) bool { return strings.Contains(r, want) }), "no row for %s", want)
	}
	for _, want := range []string{"sns:Publish true", "kms:GenerateDataKey true", "kms:Decrypt true", "without TLS sns:Publish false"} {
		assert.True(t, slices.ContainsFunc(rows, func(r string) bool {
			return strings.HasPrefix(r, "Lambda function FindingFilterFunction") && strings.Contains(r, want)
		}),
			"no row of the filter for %s", want)
	}
	mutated := false
	for _, mu := range authz.Mutations(base.Stacks, base.Env) {
		mutated = mutated || strings.Contains(mu.Origin, "FindingFilterFunction") && strings.HasSuffix(mu.Origin, "/Permissions")
	}
	assert.True(t, mutated, "the function's permissions are mutated like the other policies")

	// Planted: each grant removed in a copy of the templates.
	cut := map[string]func(id string, r map[string]any) bool{}
	for _, action := range []string{"logs:CreateLogStream", "dynamodb:PutItem", "sns:Publish", "kms:GenerateDataKey"} {
		cut["no-"+action] = func(id string, r map[string]any) bool {
			doc, _ := r["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)
			if !strings.HasPrefix(id, "FindingFilterRoleDefaultPolicy") || doc == nil {
				return false
			}
			var kept []any
			for _, s := range doc["Statement"].([]any) {
				if !strings.Contains(fmt.Sprint(s.(map[string]any)["Action"]), action) {
					kept = append(kept, s)
				}
			}
			doc["Statement"] = kept
			return true
		}
	}
	cut["no-invoke-permission"] = func(id string, r map[string]any) bool {
		if r["Type"] == "AWS::Lambda::Permission" && strings.HasPrefix(id, "SecurityInspectorFindingsRule") {
			r["Type"] = "AWS::CloudFormation::WaitConditionHandle" // the permission is gone
			return true
		}
		return false
	}
	cut["no-source-arn"] = func(id string, r map[string]any) bool {
		if r["Type"] == "AWS::Lambda::Permission" {
			delete(r["Properties"].(map[string]any), "SourceArn")
			return true
		}
		return false
	}
	deployments := []authz.Deployment{base}
	for _, name := range slices.Sorted(maps.Keys(cut)) {
		d, changed := plantedCopy(t, base, name, func(id string, r map[string]any) int {
			if cut[name](id, r) {
				return 1
			}
			return 0
		})
		require.Positive(t, changed, name)
		deployments = append(deployments, d)
	}
	wrong := wrongRowsOf(t, evaluator, deployments)
	for _, d := range deployments {
		failed := wrong[d.Name]
		if d.Name == base.Name {
			assert.Empty(t, failed, "the default templates are proven")
		} else {
			assert.NotEmpty(t, failed, "%s: the proof did not notice", d.Name)
		}
	}
}

// plantedCopy is base named name, its templates copied and each of their resources (by logical
// id) given to edit, which says how many things it changed there; it returns the copy and that
// count, for the caller to require.
func plantedCopy(t *testing.T, base authz.Deployment, name string, edit func(id string, resource map[string]any) int) (authz.Deployment, int) {
	t.Helper()
	copied, err := json.Marshal(base.Stacks)
	require.NoError(t, err)
	var stacks authz.Stacks
	require.NoError(t, json.Unmarshal(copied, &stacks))
	changed := 0
	for _, template := range stacks {
		for id, r := range template["Resources"].(map[string]any) {
			changed += edit(id, r.(map[string]any))
		}
	}
	d := base
	d.Name, d.Stacks = name, stacks
	return d, changed
}

// withoutStatements is an edit for plantedCopy that removes the policy statements cut matches.
func withoutStatements(cut func(statement map[string]any) bool) func(string, map[string]any) int {
	return func(_ string, r map[string]any) int {
		doc, _ := r["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)
		list, _ := doc["Statement"].([]any)
		removed := 0
		var kept []any
		for _, s := range list {
			if cut(s.(map[string]any)) {
				removed++
				continue
			}
			kept = append(kept, s)
		}
		if doc != nil {
			doc["Statement"] = kept
		}
		return removed
	}
}

// wrongRowsOf evaluates the deployments in one run and returns, by deployment, its rows that got
// the wrong verdict.
func wrongRowsOf(t *testing.T, evaluator authz.Evaluator, deployments []authz.Deployment) map[string][]string {
	t.Helper()
	results, err := evaluator.Evaluate(deployments)
	require.NoError(t, err)
	wrong := map[string][]string{}
	for _, d := range deployments {
		for _, r := range results[d.Name] {
			if !r.OK() {
				wrong[d.Name] = append(wrong[d.Name], r.String())
			}
		}
	}
	return wrong
}
