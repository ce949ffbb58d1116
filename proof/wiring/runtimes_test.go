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
		assert.Empty(t, DeprecatedRuntimes(readDay, read(t, path)), path)
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

	function["Runtime"] = "nodejs16.x"
	assert.Equal(t, []string{"function " + id + ": runtime nodejs16.x was deprecated on 2024-06-12: Lambda no longer patches it and then blocks creating and updating functions on it (Runtime deprecation); move to a supported runtime (for a provider of aws-cdk-lib's, a newer aws-cdk-lib)"},
		DeprecatedRuntimes(readDay, network))

	function["Runtime"] = "nodejs99.x"
	assert.Equal(t, []string{"function " + id + ": runtime nodejs99.x is not one AWS's Lambda runtimes page lists"}, DeprecatedRuntimes(readDay, network))

	// The date decides, from its day on.
	function["Runtime"] = "nodejs22.x"
	assert.Empty(t, DeprecatedRuntimes(time.Date(2027, time.April, 29, 23, 0, 0, 0, time.UTC), network))
	assert.Len(t, DeprecatedRuntimes(time.Date(2027, time.April, 30, 0, 0, 0, 0, time.UTC), network), 1)

	// A runtime given by an intrinsic is not judged.
	function["Runtime"] = map[string]any{"Ref": "Runtime"}
	assert.Empty(t, DeprecatedRuntimes(readDay, network))
}
