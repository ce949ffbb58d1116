package wiring

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/privatepatch/privatepatch/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Held-out run 30's B08: the inventory's rate(12 hours) planted as rate(12 days), a valid rate
// that only the configuration tells wrong.
func TestInventoryScheduleOtherThanTheConfiguredOneIsNamed(t *testing.T) {
	cfg, err := config.Load("../../config/default.yaml")
	require.NoError(t, err)
	patching := read(t, "../../test/testdata/default.patching.template.json")
	require.Empty(t, InventorySchedules(cfg, patching), "the default schedule, rate(1 day)")
	cfg.Patching.Inventory.Schedule = ""
	require.Empty(t, InventorySchedules(cfg, patching), "an empty schedule is the construct's default")
	rich := read(t, "../../test/testdata/rich-patching.patching.template.json")
	cfg.Patching.Inventory.Schedule = "rate(12 hours)"
	require.Empty(t, InventorySchedules(cfg, rich))
	props(rich, "InventoryAssociationABD231A7")["ScheduleExpression"] = "rate(12 days)"
	assert.Equal(t, []string{`association InventoryAssociationABD231A7: gathers inventory on "rate(12 days)", not the configured "rate(12 hours)" (patching.inventory.schedule)`},
		InventorySchedules(cfg, rich))
	cfg.Patching.Inventory.Enabled = false
	assert.Empty(t, InventorySchedules(cfg, rich), "no inventory configured: no schedule to hold it to")
}

// Held-out run 30's A13: a second inventory association on app-1's instance id, which the stacks'
// association selects already by the fleet tag. Every golden pair passes first; an all-nodes
// association beside the specific one is allowed, two are not.
func TestInventoryAssociationsSelectingOneInstanceAreNamed(t *testing.T) {
	for _, scenario := range []string{"default", "example", "rich-patching"} {
		fleet := read(t, "../../test/testdata/"+scenario+".fleet.template.json")
		assert.Empty(t, InventoryOverlaps(fleet, read(t, "../../test/testdata/"+scenario+".patching.template.json")), scenario)
	}
	fleet := read(t, "../../test/testdata/example.fleet.template.json")
	patching := onTheFleetTag(t, read(t, "../../test/testdata/example.patching.template.json"))
	add := func(template map[string]any, id string, target map[string]any) {
		template["Resources"].(map[string]any)[id] = map[string]any{"Type": "AWS::SSM::Association",
			"Properties": map[string]any{"Name": "AWS-GatherSoftwareInventory", "ScheduleExpression": "rate(1 day)", "Targets": []any{target}}}
	}
	add(fleet, "AllNodesInventory", map[string]any{"Key": "InstanceIds", "Values": []any{"*"}})
	require.Empty(t, InventoryOverlaps(fleet, patching), "one all-nodes association beside a specific one")
	add(fleet, "WsusInventoryAssociation", map[string]any{"Key": "InstanceIds", "Values": []any{map[string]any{"Ref": "FleetappInstance1E092C320"}}})
	assert.Equal(t, []string{"inventory associations WsusInventoryAssociation and InventoryAssociationABD231A7: both may select instance FleetappInstance1E092C320, and a node runs at most one all-nodes and one specific inventory association (of more, one shows Skipped; of several on tags, none runs)"},
		InventoryOverlaps(fleet, patching))
	delete(fleet["Resources"].(map[string]any), "WsusInventoryAssociation")
	add(patching, "SecondInventory", map[string]any{"Key": "tag:privatepatch:fleet", "Values": []any{"privatepatch"}})
	add(patching, "SecondAllNodes", map[string]any{"Key": "InstanceIds", "Values": []any{"*"}})
	assert.Equal(t, []string{
		"inventory associations AllNodesInventory and SecondAllNodes: both may select every instance (InstanceIds *), and a node runs at most one all-nodes and one specific inventory association (of more, one shows Skipped; of several on tags, none runs)",
		"inventory associations InventoryAssociationABD231A7 and SecondInventory: both may select tag:privatepatch:fleet=privatepatch, and a node runs at most one all-nodes and one specific inventory association (of more, one shows Skipped; of several on tags, none runs)",
	}, InventoryOverlaps(fleet, patching))
}

// The second review of session 18's finding 7: a second inventory association on a resource
// group of the templates that holds a fleet instance (the fleet stack's group, or a tag query
// matching its tags), or on a tag key a fleet instance carries, selects that instance beside the
// stacks' association on the fleet tag, and is named. A group whose filters hold only the WSUS
// server, a key no fleet instance carries and a group outside the templates pass.
func TestInventoryAssociationsOnAGroupOrTagKeyHoldingAFleetInstanceAreNamed(t *testing.T) {
	const rule = ", and a node runs at most one all-nodes and one specific inventory association (of more, one shows Skipped; of several on tags, none runs)"
	for _, path := range patchingGoldens(t) {
		fleets, err := filepath.Glob(strings.Replace(path, ".patching.", ".fleet.", 1))
		require.NoError(t, err)
		if nested, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*Fleet*.template.json")); strings.Contains(path, "assembly-") {
			fleets = nested
		}
		fleet := map[string]any{}
		if len(fleets) == 1 {
			fleet = read(t, fleets[0])
		}
		assert.Empty(t, InventoryOverlaps(fleet, read(t, path)), path)
	}
	planted := func(target map[string]any) []string {
		fleet := read(t, "../../test/testdata/example.fleet.template.json")
		patching := onTheFleetTag(t, read(t, "../../test/testdata/example.patching.template.json"))
		fleet["Resources"].(map[string]any)["WsusOnly"] = map[string]any{"Type": "AWS::ResourceGroups::Group", "Properties": map[string]any{"Name": "wsus-only",
			"ResourceQuery": map[string]any{"Type": "TAG_FILTERS_1_0", "Query": map[string]any{"ResourceTypeFilters": []any{"AWS::EC2::Instance"},
				"TagFilters": []any{map[string]any{"Key": "InventoryCategory", "Values": []any{"WSUS"}}, map[string]any{"Key": "Environment"}}}}}}
		patching["Resources"].(map[string]any)["ByGroup"] = map[string]any{"Type": "AWS::SSM::Association",
			"Properties": map[string]any{"Name": "AWS-GatherSoftwareInventory", "ScheduleExpression": "rate(1 day)", "Targets": []any{target}}}
		return InventoryOverlaps(fleet, patching)
	}
	for value, instance := range map[string]string{"privatepatch-fleet": "FleetappInstance1E092C320", "privatepatch-ProdWebServer": "FleetappInstance1E092C320"} {
		assert.Equal(t, []string{"inventory associations ByGroup and InventoryAssociationABD231A7: both may select instance " + instance + rule},
			planted(map[string]any{"Key": "resource-groups:Name", "Values": []any{value}}), value)
	}
	assert.Equal(t, []string{"inventory associations ByGroup and InventoryAssociationABD231A7: both may select instance FleetappInstance1E092C320" + rule},
		planted(map[string]any{"Key": "tag-key", "Values": []any{"CostCenter"}}))
	assert.Empty(t, planted(map[string]any{"Key": "resource-groups:Name", "Values": []any{"wsus-only"}}), "the group holds only the WSUS server")
	assert.Empty(t, planted(map[string]any{"Key": "resource-groups:Name", "Values": []any{"not-the-templates"}}), "nothing to read of it")
	assert.Empty(t, planted(map[string]any{"Key": "tag-key", "Values": []any{"NoInstanceCarriesIt"}}))
}

// onTheFleetTag is the example's patching template with its inventory association on the fleet's
// tag, as example.yaml makes it without Inspector (patching.inventory.allNodes false): the example
// holds the resource groups and tags these plantings need.
func onTheFleetTag(t *testing.T, patching map[string]any) map[string]any {
	association := props(patching, "InventoryAssociationABD231A7")
	require.Equal(t, []any{map[string]any{"Key": "InstanceIds", "Values": []any{"*"}}}, association["Targets"], "example.yaml's inventory targets every node")
	association["Targets"] = []any{map[string]any{"Key": "tag:privatepatch:fleet", "Values": []any{"privatepatch"}}}
	return patching
}

// The review of session 19's finding 1: with Inspector switched on by the stack, the inventory
// association is the all-nodes one, created before the enabler runs (Inspector then uses it
// instead of making its own); without it, the fleet's tag.
func TestTheInventoryAssociationTargetsWhatTheConfigurationAsks(t *testing.T) {
	example, err := config.LoadFile("../../test/testdata/fixtures/example.yaml")
	require.NoError(t, err)
	patching := read(t, "../../test/testdata/example.patching.template.json")
	require.Empty(t, InventoryTargets(example, patching))
	enabler := patching["Resources"].(map[string]any)["SecurityInspectorEnabler3BF26172"].(map[string]any)
	enabler["DependsOn"] = slices.DeleteFunc(slices.Clone(enabler["DependsOn"].([]any)), func(v any) bool { return v == "InventoryAssociationABD231A7" })
	assert.Equal(t, []string{"SecurityInspectorEnabler3BF26172 switches Inspector on without waiting for the all-nodes inventory association InventoryAssociationABD231A7: " +
		"if it runs first, Inspector makes its own (InspectorInventoryCollection-do-not-delete) and every node has two"}, InventoryTargets(example, patching))
	onTheFleetTag(t, patching)
	assert.Contains(t, InventoryTargets(example, patching),
		"association InventoryAssociationABD231A7: patching.inventory.allNodes asks for every node (InstanceIds *), and it targets tag:privatepatch:fleet=privatepatch")

	defaults, err := config.Load("../../config/default.yaml")
	require.NoError(t, err)
	patching = read(t, "../../test/testdata/default.patching.template.json")
	require.Empty(t, InventoryTargets(defaults, patching))
	props(patching, "InventoryAssociationABD231A7")["Targets"] = []any{map[string]any{"Key": "InstanceIds", "Values": []any{"*"}}}
	assert.Equal(t, []string{"association InventoryAssociationABD231A7: gathers inventory from every node (InstanceIds *), not the fleet (tag privatepatch:fleet=privatepatch)"},
		InventoryTargets(defaults, patching))
}
