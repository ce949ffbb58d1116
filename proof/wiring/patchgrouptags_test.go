package wiring

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
)

// patchGroupTagProblems are PatchGroupTags' problems, its notes left out.
func patchGroupTagProblems(patching, fleet map[string]any, groups map[string]string) []string {
	problems, _ := PatchGroupTags(patching, fleet, groups)
	return problems
}

func TestEveryGoldenInstanceCarriesItsPatchGroupUnderEveryKeyItIsSelectedBy(t *testing.T) {
	for _, scenario := range goldenScenarios {
		var patching, fleet map[string]any // a scenario may have neither
		if stacks := goldenStacks(t, scenario, "patching"); len(stacks) > 0 {
			patching = stacks[0]
		}
		if stacks := goldenStacks(t, scenario, "fleet"); len(stacks) > 0 {
			fleet = stacks[0]
		}
		assert.Empty(t, patchGroupTagProblems(patching, fleet, nil), scenario)
	}
	cfg, err := config.Load("../../config/example.yaml")
	require.NoError(t, err)
	problems, notes := instancePatchGroupTags(read(t, "../../test/testdata/example.patching.template.json"), read(t, "../../test/testdata/example.fleet.template.json"), cfg)
	assert.Empty(t, problems)
	assert.Empty(t, notes)
}

// exampleInstanceTag is the example fleet golden's first app instance's tag key (a pointer into
// the template, to plant in).
func exampleInstanceTag(t *testing.T, fleet map[string]any, key string) map[string]any {
	for _, tag := range props(fleet, "FleetappInstance1E092C320")["Tags"].([]any) {
		if tag := tag.(map[string]any); tag["Key"] == key {
			return tag
		}
	}
	require.Fail(t, "the example's app instance has no tag "+key)
	return nil
}

// Mutation run 21's B09 dropped an app instance's PatchGroup tag: it kept Patch Group, so its
// baseline and scan still worked, and the window targeting tag:PatchGroup never patched it. The
// example's window targets tag:Patch Group: the instance here loses that one.
func TestAnInstanceWithoutThePatchGroupKeyItsWindowTargetsIsNamed(t *testing.T) {
	patching := read(t, "../../test/testdata/example.patching.template.json")
	fleet := read(t, "../../test/testdata/example.fleet.template.json")
	exampleInstanceTag(t, fleet, "Patch Group")["Key"] = "Owner"
	assert.Equal(t, []string{
		`instance FleetappInstance1E092C320: in patch group "windows-prod", which MaintenanceWindowTarget MaintenanceWindowsweeklyprodTargetD73161A4 selects by tag Patch Group=windows-prod; the instance does not carry it: it never selects the instance`,
		`instance FleetappInstance1E092C320: in patch group "windows-prod", which Association ScanPatchGroupwindowsprodF61FE0FD selects by tag Patch Group=windows-prod; the instance does not carry it: it never selects the instance`,
	}, patchGroupTagProblems(patching, fleet, nil))
}

// The neighbour: the key kept with another value selects the instance no more.
func TestAnInstanceWithAnotherValueUnderAKeyItsWindowTargetsIsNamed(t *testing.T) {
	patching := read(t, "../../test/testdata/example.patching.template.json")
	fleet := read(t, "../../test/testdata/example.fleet.template.json")
	exampleInstanceTag(t, fleet, "Patch Group")["Value"] = "windows-production"
	assert.Contains(t, joined(patchGroupTagProblems(patching, fleet, nil)), `selects by tag Patch Group=windows-prod; the instance carries "windows-production": it never selects the instance`)

	// Both keys wrong alike: only the configuration's group for the instance group tells.
	exampleInstanceTag(t, fleet, "PatchGroup")["Value"] = "windows-production"
	assert.Empty(t, patchGroupTagProblems(patching, fleet, nil))
	cfg, err := config.Load("../../config/example.yaml")
	require.NoError(t, err)
	problems, _ := instancePatchGroupTags(patching, fleet, cfg)
	assert.Contains(t, joined(problems), `instance FleetappInstance1E092C320: in patch group "windows-prod"`)
}

// A start task selects by its PatchGroupTagKey and PatchGroups; the stop task stops what its
// window execution started, whatever the group.
func TestAStartTaskSelectsByItsPatchGroupTagKey(t *testing.T) {
	fleet := read(t, "../../test/testdata/example.fleet.template.json")
	exampleInstanceTag(t, fleet, "PatchGroup")["Key"] = "Owner"
	task := func(action string) map[string]any {
		return map[string]any{"Type": "AWS::SSM::MaintenanceWindowTask", "Properties": map[string]any{"TaskType": "AUTOMATION",
			"TaskInvocationParameters": map[string]any{"MaintenanceWindowAutomationParameters": map[string]any{"Parameters": map[string]any{
				"Action": []any{action}, "PatchGroupTagKey": []any{"PatchGroup"}, "PatchGroups": []any{"other,windows-prod"}}}}}}
	}
	patching := map[string]any{"Resources": map[string]any{"Stop": task("stop")}}
	assert.Empty(t, patchGroupTagProblems(patching, fleet, nil))
	patching["Resources"].(map[string]any)["Start"] = task("start")
	assert.Equal(t, []string{`instance FleetappInstance1E092C320: in patch group "windows-prod", which window task Start selects by tag PatchGroup=windows-prod; the instance does not carry it: it never selects the instance`},
		patchGroupTagProblems(patching, fleet, nil))
}

// An instance's tags include those its launch template gives instances: the key it lost from its
// own Tags, given there, selects it again; given there by an intrinsic, it is not judged (a note).
func TestAnInstanceCarriesItsLaunchTemplatesInstanceTags(t *testing.T) {
	patching := read(t, "../../test/testdata/example.patching.template.json")
	fleet := read(t, "../../test/testdata/example.fleet.template.json")
	exampleInstanceTag(t, fleet, "Patch Group")["Key"] = "Owner"
	require.Len(t, patchGroupTagProblems(patching, fleet, nil), 2)
	tag := map[string]any{"Key": "Patch Group", "Value": "windows-prod"}
	data := props(fleet, "FleetappInstance1LaunchTemplate747227D7")["LaunchTemplateData"].(map[string]any)
	data["TagSpecifications"] = []any{map[string]any{"ResourceType": "volume", "Tags": []any{tag}}}
	assert.Len(t, patchGroupTagProblems(patching, fleet, nil), 2, "a volume's tags are not the instance's")
	data["TagSpecifications"].([]any)[0].(map[string]any)["ResourceType"] = "instance"
	problems, notes := PatchGroupTags(patching, fleet, nil)
	assert.Empty(t, problems)
	assert.Empty(t, notes)

	tag["Value"] = map[string]any{"Ref": "PatchGroupParameter"}
	problems, notes = PatchGroupTags(patching, fleet, nil)
	assert.Empty(t, problems)
	assert.Equal(t, []string{"instance FleetappInstance1E092C320: its tag Patch Group is given by an intrinsic: which patch group selects it by that key is not judged"}, notes)
}

// The review of round 2, 10a: a launch template named by Fn::GetAtt of its LaunchTemplateId or
// LaunchTemplateName (either form) is found, and its instance tags count; its neighbour, a GetAtt
// of another attribute, names no template.
func TestAnInstanceFindsALaunchTemplateNamedByGetAtt(t *testing.T) {
	patching := read(t, "../../test/testdata/example.patching.template.json")
	fleet := read(t, "../../test/testdata/example.fleet.template.json")
	exampleInstanceTag(t, fleet, "Patch Group")["Key"] = "Owner"
	data := props(fleet, "FleetappInstance1LaunchTemplate747227D7")["LaunchTemplateData"].(map[string]any)
	data["TagSpecifications"] = []any{map[string]any{"ResourceType": "instance", "Tags": []any{map[string]any{"Key": "Patch Group", "Value": "windows-prod"}}}}
	spec := props(fleet, "FleetappInstance1E092C320")["LaunchTemplate"].(map[string]any)
	delete(spec, "LaunchTemplateName")
	for _, named := range []map[string]any{
		{"LaunchTemplateId": map[string]any{"Fn::GetAtt": []any{"FleetappInstance1LaunchTemplate747227D7", "LaunchTemplateId"}}},
		{"LaunchTemplateName": map[string]any{"Fn::GetAtt": []any{"FleetappInstance1LaunchTemplate747227D7", "LaunchTemplateName"}}},
		{"LaunchTemplateName": map[string]any{"Fn::GetAtt": "FleetappInstance1LaunchTemplate747227D7.LaunchTemplateName"}},
	} {
		delete(spec, "LaunchTemplateId")
		delete(spec, "LaunchTemplateName")
		for k, v := range named {
			spec[k] = v
		}
		assert.Empty(t, patchGroupTagProblems(patching, fleet, nil), "%v", named)
	}
	spec["LaunchTemplateName"] = map[string]any{"Fn::GetAtt": []any{"FleetappInstance1LaunchTemplate747227D7", "LatestVersionNumber"}}
	assert.Len(t, patchGroupTagProblems(patching, fleet, nil), 2)
}
