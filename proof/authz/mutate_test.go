package authz

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/proof/evalcache"
)

// The mutation test over the shipped goldens, and plantings in copies of them, in one run of the
// evaluator.
var proved struct {
	once  sync.Once
	proof Proof
	err   error
}

// resourceOf returns the properties of the first resource of stack whose logical id starts with
// prefix.
func resourceOf(t *testing.T, stacks Stacks, stack, prefix string) map[string]any {
	t.Helper()
	for id, r := range stacks[stack]["Resources"].(map[string]any) {
		if strings.HasPrefix(id, prefix) {
			return r.(map[string]any)["Properties"].(map[string]any)
		}
	}
	t.Fatalf("%s: no resource %s", stack, prefix)
	return nil
}

func addStatement(t *testing.T, stacks Stacks, stack, prefix, property string, statement map[string]any) {
	t.Helper()
	doc := resourceOf(t, stacks, stack, prefix)[property].(map[string]any)
	doc["Statement"] = append(doc["Statement"].([]any), statement)
}

// exampleDeployment is the example configuration's golden templates under name, with the buckets
// its configuration declares for the S3 endpoint.
func exampleDeployment(t *testing.T, name string) Deployment {
	t.Helper()
	cfg, err := config.Load("../../config/example.yaml")
	require.NoError(t, err)
	return Deployment{Name: name, Stacks: golden(t, "example"), Env: env,
		DeclaredReadBuckets: cfg.Network.S3Endpoint.ReadBuckets, DeclaredReadWriteBuckets: cfg.Network.S3Endpoint.ReadWriteBuckets}
}

func proofOf(t *testing.T) Proof {
	t.Helper()
	proved.once.Do(func() {
		evaluator, err := Find("../..")
		if err != nil {
			proved.err = err
			return
		}
		example := func(name string) Deployment { return exampleDeployment(t, name) }
		// Planted: statements nothing needs: the fleet's role may delete output, the S3 endpoint
		// lets anyone do anything.
		extra := example("extra-statements")
		addStatement(t, extra.Stacks, "privatepatch-fleet", "FleetRoleDefaultPolicy", "PolicyDocument",
			map[string]any{"Sid": "PlantedDelete", "Effect": "Allow", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::privatepatch-ssm-111111111111-us-west-2/*"})
		addStatement(t, extra.Stacks, "privatepatch-patching", "MaintenanceWindowsweeklyprodServiceRoleDefaultPolicy", "PolicyDocument",
			map[string]any{"Sid": "PlantedSubscribe", "Effect": "Allow", "Action": "sns:Subscribe", "Resource": "*"})
		// The plantings whose tests read only their rows are in results' run (no mutations).
		proved.proof, proved.err = evaluator.Prove([]Deployment{{Name: "default", Stacks: golden(t, "default"), Env: env}, example("example"),
			extra, noCleanupAssociation(t, example)})
	})
	require.NoError(t, proved.err)
	return proved.proof
}

// mutation returns the result of the mutation whose description contains each part.
func mutation(t *testing.T, deployment string, parts ...string) MutationResult {
	t.Helper()
	for _, m := range proofOf(t).Mutations[deployment] {
		s := m.Mutation.String()
		if !strings.Contains(s, "\x00") && containsAll(s, parts) {
			return m
		}
	}
	t.Fatalf("%s: no mutation %q", deployment, parts)
	return MutationResult{}
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

func caughtBy(m MutationResult) string {
	var rows []string
	for _, r := range m.Caught {
		rows = append(rows, fmt.Sprintf("%s %s %s", r.Caller, r.Action, r.Resource))
	}
	return strings.Join(rows, "\n")
}

func TestEveryStatementActionResourceAndConditionOfTheShippedConfigurationsIsNeededByARow(t *testing.T) {
	for _, d := range []string{"default", "example"} {
		mutations := proofOf(t).Mutations[d]
		require.Greater(t, len(mutations), 150, d)
		for _, m := range Unjustified(mutations) {
			t.Errorf("%s: %s: no row needs it", d, m.Mutation)
		}
		for _, r := range proofOf(t).Results[d] {
			assert.True(t, r.OK(), "%s: %s", d, r)
		}
	}
}

// The defects of issue 24 that the rows used to miss, each now caught by the mutation test: the
// row named turns wrong when the statement, entry or condition is removed.
func TestTheMutationTestCatchesEachDefectTheOldRowsMissed(t *testing.T) {
	for _, c := range []struct {
		deployment string
		mutation   []string
		row        string
	}{
		{"default", []string{"MaintenanceWindowsprivatepatchweeklyNotificationRoleDefaultPolicy", "remove action kms:GenerateDataKey*"}, "kms:GenerateDataKey"},
		{"example", []string{"CommandOutputBucketPolicy", "remove the Allow statement ResourceDataSyncAcl"}, "resource data sync InventoryResourceDataSync837B1722 s3:GetBucketAcl"},
		{"example", []string{"WsusRoleDefaultPolicy", "remove the Allow statement PublishWsusHealth"}, "cloudwatch:PutMetricData"},
		{"example", []string{"WsusRoleDefaultPolicy", "remove condition StringEquals cloudwatch:namespace"}, "another namespace cloudwatch:PutMetricData"},
		{"default", []string{"AlertsTopicPolicy", "remove the Deny statement AllowPublishThroughSSLOnly"}, "without TLS sns:Publish"},
		{"default", []string{"CommandOutputBucketPolicy", "remove the Deny statement #1"}, "without TLS s3:GetObject"},
		{"default", []string{"AlertsTopicPolicy", "remove condition StringEquals aws:SourceAccount from the Allow statement CloudWatchAlarmsPublish"}, "CloudWatch for another account sns:Publish"},
		{"default", []string{"AlertsTopicPolicy", "remove condition ArnLike aws:SourceArn from the Allow statement CloudWatchAlarmsPublish"}, "CloudWatch for another alarm sns:Publish"},
		{"default", []string{"MaintenanceWindowsprivatepatchweeklyServiceRole94EE9378/AssumeRolePolicyDocument", "remove condition ArnLike aws:SourceArn"}, "for another account's resource, assuming"},
		// The second review of session 19: the sync's writes carry its ARN; another Systems
		// Manager resource of the account writing as it (or another account's sync) is denied by
		// that condition alone.
		{"example", []string{"CommandOutputBucketPolicy", "remove condition ArnLike aws:SourceArn from the Allow statement ResourceDataSyncWrite"}, "another Systems Manager resource of this account (an association) s3:PutObject"},
		// The default creates no fleet instance: an instance of yours in the private subnets needs
		// Patch Manager's payload through the S3 endpoint.
		{"default", []string{"NetworkEndpointss3", "remove resource arn:aws:s3:::aws-patch-manager-us-west-2-34d7f99f8/*"}, "an instance of yours in the private subnets (its own instance profile) s3:GetObject arn:aws:s3:::aws-patch-manager-"},
		{"default", []string{"AlertsKey", "remove the Allow statement #1"}, "kms:"},
		{"default", []string{"AlertsKey", "remove the Deny statement DenyGrantsExceptForAwsServices"}, "an administrator of this account, for itself kms:CreateGrant"},
	} {
		m := mutation(t, c.deployment, c.mutation...)
		assert.Contains(t, caughtBy(m), c.row, "%s: %s", c.deployment, m.Mutation)
	}
}

// Planted: statements nothing needs fail the proof, named.
func TestAStatementNothingNeedsIsReportedUnjustified(t *testing.T) {
	var unjustified []string
	for _, m := range Unjustified(proofOf(t).Mutations["extra-statements"]) {
		unjustified = append(unjustified, m.Mutation.String())
	}
	assert.Contains(t, strings.Join(unjustified, "\n"), "FleetRoleDefaultPolicyE9296E86/PolicyDocument: remove the Allow statement PlantedDelete")
	assert.Contains(t, strings.Join(unjustified, "\n"), "MaintenanceWindowsweeklyprodServiceRoleDefaultPolicy77CCA556/PolicyDocument: remove the Allow statement PlantedSubscribe")
	assert.Len(t, unjustified, 2, "only the planted ones")
}

// Planted: a role trusting the wrong service (the window's role trusting Lambda: the service that
// uses it comes from the window task, not from the trust policy), and the S3 endpoint opened to
// every bucket for reads and writes, turn rows wrong.
func TestARoleTrustingTheWrongServiceAndAnOpenS3EndpointAreCaught(t *testing.T) {
	var wrong []string
	for _, r := range results(t)["wrong-service"] {
		if !r.OK() {
			wrong = append(wrong, r.Caller+" "+r.Action)
		}
	}
	assert.Contains(t, wrong, "ssm.amazonaws.com assuming MaintenanceWindowsprivatepatchweeklyServiceRole94EE9378 sts:AssumeRole")
	wrong = nil
	for _, r := range results(t)["open-endpoint"] {
		if !r.OK() {
			wrong = append(wrong, r.Caller+" "+r.Resource)
		}
	}
	assert.Equal(t, []string{"an instance of yours in the private subnets (its own instance profile) arn:aws:s3:::attacker-chosen-bucket/payload",
		"a role of another account, from the private subnets arn:aws:s3:::outsider-bucket/exfiltrated",
		// An instance of yours reads with its own profile (an administrator's here): only the
		// endpoint kept it to the output prefixes it needs.
		"an instance of yours in the private subnets (its own instance profile) arn:aws:s3:::privatepatch-ssm-111111111111-us-west-2/inventory/forged"}, wrong, "reads and writes anywhere")
	// The outsider's write through the endpoint: only the endpoint's policy denies it.
	var outsider []Result
	for _, r := range proofOf(t).Results["default"] {
		if strings.HasPrefix(r.Caller, "a role of another account, from the private subnets") {
			outsider = append(outsider, r)
		}
	}
	require.Len(t, outsider, 1)
	assert.Equal(t, []string{"no statement of the endpoint policy allows it"}, outsider[0].Deciding)
}

// The mutated requests are split over the evaluator's processes between mutations only: the
// evaluator stops a mutation's group at its first catch, so a group cut in two would be asked twice.
func TestMutatedRequestsAreSplitBetweenGroupsOnly(t *testing.T) {
	var requests []evaluatorRequest
	for g, size := range []int{3, 1, 4, 1, 5} {
		for range size {
			requests = append(requests, evaluatorRequest{Group: &g})
		}
	}
	chunks := splitByGroup(requests, 2)
	require.Len(t, chunks, 2)
	assert.Len(t, chunks[0], 8, "groups 0-2: the first boundary at or past half")
	assert.Len(t, chunks[1], 6)
	assert.Len(t, splitByGroup(requests, 1), 1)
	seen := map[int]int{}
	for i, chunk := range splitByGroup(requests, 8) {
		for _, r := range chunk {
			if c, ok := seen[*r.Group]; ok {
				assert.Equal(t, c, i, "group %d in two chunks", *r.Group)
			}
			seen[*r.Group] = i
		}
	}
	assert.Len(t, seen, 5)
	assert.Empty(t, splitByGroup(nil, 2))
}

// TestVerdictsAreTheSameWithTheCacheEmptyHalfFullOrFull proves the default's calls and mutations
// with an empty evaluations' cache (every request to the evaluator, as with the cache off), then
// with every other kept verdict removed (kept verdicts and the evaluator's mixed inside the
// mutations' groups), then with all kept: the proof is the same each time, down to which rows
// each mutation caught and which it skipped.
func TestVerdictsAreTheSameWithTheCacheEmptyHalfFullOrFull(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(evalcache.Env, dir)
	evaluator, err := Find("../..")
	require.NoError(t, err)
	deployments := []Deployment{{Name: "default", Stacks: golden(t, "default"), Env: env}}
	empty, err := evaluator.Prove(deployments)
	require.NoError(t, err)

	var kept []string
	require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Base(path) != "trimmed" {
			kept = append(kept, path)
		}
		return err
	}))
	require.NotEmpty(t, kept)
	for i, file := range kept {
		if i%2 == 0 {
			require.NoError(t, os.Remove(file))
		}
	}
	half, err := evaluator.Prove(deployments)
	require.NoError(t, err)
	before := started.Load()
	full, err := evaluator.Prove(deployments)
	require.NoError(t, err)
	assert.Equal(t, before, started.Load(), "every verdict kept: no evaluator process started")
	assert.Equal(t, lines(empty), lines(half), "half the verdicts kept")
	assert.Equal(t, lines(empty), lines(full), "every verdict kept")
	assert.True(t, reflect.DeepEqual(empty, full), "every field the same")
	assert.NotEmpty(t, empty.Mutations["default"])
}

// lines is a proof, a line a row and a line a mutation with the rows it caught.
func lines(p Proof) []string {
	var out []string
	for name, results := range p.Results {
		for _, r := range results {
			out = append(out, name+": "+r.String())
		}
		for _, m := range p.Mutations[name] {
			line := name + ": " + m.Mutation.String() + " caught"
			for _, r := range m.Caught {
				line += " | " + r.String()
			}
			out = append(out, line)
		}
	}
	return out
}

// TestSkippingCaughtGroupsIsWhatTheEvaluatorDoes sends requests in groups of four, each asked to
// be allowed or denied in turn, so that groups are caught at every position, to the evaluator
// itself: the verdicts it gives for the whole batch are what skipCaught makes of them, and what
// answer gives with half of them kept.
func TestSkippingCaughtGroupsIsWhatTheEvaluatorDoes(t *testing.T) {
	t.Setenv(evalcache.Env, t.TempDir())
	evaluator, err := Find("../..")
	require.NoError(t, err)
	var b batch
	proof := Proof{Results: map[string][]Result{}, Mutations: map[string][]MutationResult{}}
	_, err = b.plan(Deployment{Name: "default", Stacks: golden(t, "default"), Env: env}, &proof)
	require.NoError(t, err)
	require.Greater(t, len(b.requests), 64)
	requests := slices.Clone(b.requests[:64])
	for i := range requests {
		group := i / 4
		requests[i].Group, requests[i].Required, requests[i].VerdictOnly = &group, (i*7/3)%2 == 0, true
	}
	workers := &lazyPool{e: evaluator, n: 1}
	defer workers.stop()
	p, err := workers.get()
	require.NoError(t, err)
	raw, err := p[0].ask(requests)
	require.NoError(t, err)
	verdicts := func(v []evaluatorVerdict) (out []string) {
		for _, x := range v {
			out = append(out, x.Verdict+x.Error)
		}
		return out
	}
	require.Contains(t, verdicts(raw), "Skipped", "some groups are caught before their end")
	assert.Equal(t, verdicts(raw), verdicts(skipCaught(requests, slices.Clone(raw))), "skipCaught keeps the evaluator's skips, and adds none")

	for i := range requests {
		if i%2 == 0 && raw[i].Verdict != "Skipped" {
			input, err := json.Marshal(verdictInput{requests[i].Simulation, requests[i].Unsafe, requests[i].VerdictOnly})
			require.NoError(t, err)
			evaluator.cache.Put(evaluator.cache.Key(input), raw[i].printed)
		}
	}
	answered, err := evaluator.answer(workers, requests, false)
	require.NoError(t, err)
	assert.Equal(t, verdicts(raw), verdicts(answered), "half kept, half asked")
}
