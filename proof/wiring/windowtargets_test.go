package wiring

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
)

// Run 28's A11: an instance-id window's target names exactly the configured ids; one dropped is
// never patched, one added patches a node nobody configured.
func TestAnInstanceIdWindowTargetsExactlyTheConfiguredIds(t *testing.T) {
	rich, err := config.Parse("rich.yaml", []byte(`
region: us-west-2
network:
  s3PrefixListIds: {us-west-2: pl-68a54001}
  s3PrefixListCidrs: {us-west-2: [54.231.160.0/19]}
patching:
  maintenanceWindows:
    - {name: pinned-instances, schedule: 'cron(0 3 ? * TUE#2 *)', targets: {instanceIds: [i-0123456789abcdef0]}}
`))
	require.NoError(t, err)
	patching := read(t, "../../test/testdata/rich-patching.patching.template.json")
	require.Empty(t, windowPatchGroups(patching, rich))
	target := props(patching, "MaintenanceWindowspinnedinstancesTarget50475E31")["Targets"].([]any)[0].(map[string]any)
	target["Values"] = []any{"i-0123456789abcdef0", "i-0fedcba9876543210"}
	assert.Equal(t, []string{"window pinned-instances: target(s) [MaintenanceWindowspinnedinstancesTarget50475E31] name instance ids [i-0123456789abcdef0 i-0fedcba9876543210], " +
		"the configuration's are [i-0123456789abcdef0] (RegisterTargetWithMaintenanceWindow, Targets, Example 1: the exact nodes it runs on)"}, windowPatchGroups(patching, rich))
	target["Values"] = []any{}
	assert.Contains(t, joined(windowPatchGroups(patching, rich)), "name instance ids [], the configuration's are [i-0123456789abcdef0]")
}

