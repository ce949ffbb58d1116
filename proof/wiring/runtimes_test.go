package wiring

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readDay is the day the runtimes' dates were read: every golden's functions run on a runtime
// supported then.
var readDay = time.Date(2026, time.December, 7, 0, 0, 0, 0, time.UTC)

func TestEveryGoldenFunctionRunsOnASupportedRuntime(t *testing.T) {
	paths, err := filepath.Glob("../../test/testdata/*.template.json")
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	for _, path := range paths {
		problems, notes := DeprecatedRuntimes(readDay, read(t, path))
		assert.Empty(t, problems, path)
		assert.Empty(t, notes, path)
	}
}

// Run 20's B02 planted nodejs16.x on aws-cdk-lib's default security group provider (deprecated
// 2024-06-12: its custom resource cannot be created, and the network stack rolls back).
func TestDeprecatedRuntimesNamesAFunctionOnADeprecatedOrUnlistedRuntime(t *testing.T) {
	network := read(t, "../../test/testdata/default.network.template.json")
	id := ""
	for name, resource := range network["Resources"].(map[string]any) {
		if resource.(map[string]any)["Type"] == "AWS::Lambda::Function" {
			id = name
		}
	}
	require.NotEmpty(t, id, "the default network stack has aws-cdk-lib's default security group provider")
	function := network["Resources"].(map[string]any)[id].(map[string]any)["Properties"].(map[string]any)

	// python3.7 (a review: dropped once for its moved update block, which does not matter to
	// creating): blocked since 2024-01-09, a problem.
	function["Runtime"] = "python3.7"
	problems, _ := DeprecatedRuntimes(readDay, network)
	assert.Len(t, problems, 1)
	// nodejs12.x: create blocked since 2023-03-31, a block AWS never moved: a problem.
	function["Runtime"] = "nodejs12.x"
	problems, notes := DeprecatedRuntimes(readDay, network)
	assert.Equal(t, []string{"function " + id + ": runtime nodejs12.x: Lambda blocks creating functions on it since 2023-03-31 (deprecated 2023-03-31; \"Block function create\", Lambda runtimes): a deploy that creates or replaces it fails; move to a supported runtime (for a provider of aws-cdk-lib's, a newer aws-cdk-lib)"}, problems)
	assert.Empty(t, notes)
	// Run 20's B02, nodejs16.x: deprecated, but its create block AWS has moved (to 2027, cfn-lint
	// PR #4532): a deploy may still work, so a note (the second review found the stale date failing it).
	function["Runtime"] = "nodejs16.x"
	problems, notes = DeprecatedRuntimes(readDay, network)
	assert.Empty(t, problems)
	assert.Equal(t, []string{"function " + id + ": runtime nodejs16.x is deprecated since 2024-06-12: Lambda no longer patches it, and blocks creating functions on it from the \"Block function create\" date of AWS's \"Lambda runtimes\" page, which AWS has moved more than once (check it before deploying); move to a supported runtime"}, notes)
	// Before a settled block, the runtime is only deprecated: a note.
	function["Runtime"] = "nodejs12.x"
	problems, notes = DeprecatedRuntimes(time.Date(2023, time.March, 30, 0, 0, 0, 0, time.UTC), network)
	assert.Empty(t, problems)
	assert.Empty(t, notes, "deprecated on 2023-03-31, the day after")

	// A runtime newer than the table (a later aws-cdk-lib's) is a note, not a failure.
	function["Runtime"] = "nodejs99.x"
	problems, notes = DeprecatedRuntimes(readDay, network)
	assert.Empty(t, problems)
	assert.Equal(t, []string{"function " + id + ": runtime nodejs99.x is not in wiring.LambdaRuntimeDeprecation, so not judged: add it from AWS's \"Lambda runtimes\" page, with the date read"}, notes)

	// The deprecation date decides the note, from its day on.
	function["Runtime"] = "nodejs22.x"
	_, notes = DeprecatedRuntimes(time.Date(2027, time.April, 29, 23, 0, 0, 0, time.UTC), network)
	assert.Empty(t, notes)
	_, notes = DeprecatedRuntimes(time.Date(2027, time.April, 30, 0, 0, 0, 0, time.UTC), network)
	assert.Len(t, notes, 1)

	// A runtime given by an intrinsic is not judged.
	function["Runtime"] = map[string]any{"Ref": "Runtime"}
	problems, notes = DeprecatedRuntimes(readDay, network)
	assert.Empty(t, problems)
	assert.Empty(t, notes)
}

// Every runtime with a create-block date is one the deprecation table lists, blocked on or after
// its deprecation: a typo in either table would leave a runtime unjudged.
func TestEveryBlockedRuntimeIsListedAndBlockedAfterItsDeprecation(t *testing.T) {
	for runtime, blocked := range LambdaRuntimeCreateBlocked {
		deprecated, listed := LambdaRuntimeDeprecation[runtime]
		// nodejs4.3-edge (Lambda@Edge) was blocked before its deprecation date: both sources say so.
		if assert.True(t, listed, runtime) && runtime != "nodejs4.3-edge" {
			assert.GreaterOrEqual(t, blocked, deprecated, runtime)
		}
		assert.Less(t, blocked, "2024-08-01", "%s: only blocks long settled belong here", runtime)
	}
}
