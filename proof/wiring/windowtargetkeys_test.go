package wiring

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// targetKeyFixture is the example configuration and golden, with the key of the first window
// target that selects patch groups, and that target's window's index in the configuration.
func targetKeyFixture(t *testing.T) (*config.Config, map[string]any, map[string]any, int) {
	cfg, err := config.Load("../../config/example.yaml")
	require.NoError(t, err)
	tm := read(t, "../../test/testdata/example.patching.template.json")
	resources := cfntemplate.Resources(tm)
	windows := windowIDs(resources)
	for i, w := range cfg.Patching.MaintenanceWindows {
		for _, target := range cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindowTarget") {
			if len(w.Targets.PatchGroups) > 0 && cfntemplate.Ref(target["WindowId"]) == windows[w.Name] {
				return cfg, tm, cfntemplate.First(target["Targets"]).(map[string]any), i
			}
		}
	}
	t.Fatal("the example has no window on patch groups")
	return nil, nil, nil, 0
}

// A window target selects its patch groups by the configured key; run 25's A08 (tag:Patch Group
// made tag:PatchGroup, for a group with no EC2 instance to compare tags with) is named.
func TestWindowTargetKeysNameRunTwentyFiveA08(t *testing.T) {
	cfg, tm, target, _ := targetKeyFixture(t)
	assert.Empty(t, windowTargetKeys(tm, cfg))
	target["Key"] = "tag:PatchGroup"
	assert.Contains(t, joined(windowTargetKeys(tm, cfg)), "by tag:PatchGroup, and its nodes carry tag:Patch Group")
}

// Neighbour: a window configured with patchGroupTagKey PatchGroup selects by tag:PatchGroup.
func TestWindowTargetKeysAcceptTheConfiguredOtherKey(t *testing.T) {
	cfg, tm, target, i := targetKeyFixture(t)
	cfg.Patching.MaintenanceWindows[i].Targets.PatchGroupTagKey = "PatchGroup"
	target["Key"] = "tag:PatchGroup"
	assert.Empty(t, windowTargetKeys(tm, cfg))
}
