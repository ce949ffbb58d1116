package wiring

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The hybrid outputs' commands name the deployment's region, the hybrid role and the registration
// limit of 10, and the join command tags both patch group keys with one value; run 25's plantings
// (A01: a window's service role, A02: limit 1000, A06: the Linux command in us-east-1) and run
// 43's A06 (a key left out) are each named, and the goldens pass.
func TestHybridOutputsNameRunTwentyFivePlantings(t *testing.T) {
	for _, scenario := range goldenScenarios {
		assert.Empty(t, HybridOutputs("us-west-2", goldenStacks(t, scenario, "network", "fleet", "patching")...), scenario)
	}
	base := read(t, "../../test/testdata/example.patching.template.json")
	outputs := func(tm map[string]any) map[string]any { return tm["Outputs"].(map[string]any) }
	hybrid := outputs(base)["HybridActivationCommand"]
	assert.NotNil(t, hybrid, "the example golden has the hybrid outputs")
	var window string
	for id := range base["Resources"].(map[string]any) {
		if strings.HasPrefix(id, "MaintenanceWindows") && strings.Contains(id, "ServiceRole") {
			window = id
		}
	}
	assert.NotEmpty(t, window)
	for _, c := range []struct {
		name, wants string
		plant       func(tm map[string]any)
	}{
		{"a window's service role", "is not the stack's hybrid role", func(tm map[string]any) {
			parts := outputs(tm)["HybridActivationCommand"].(map[string]any)["Value"].(map[string]any)["Fn::Join"].([]any)[1].([]any)
			parts[1] = map[string]any{"Ref": window}
		}},
		{"limit 1000", "--registration-limit 1000, not 10", func(tm map[string]any) {
			parts := outputs(tm)["HybridActivationCommand"].(map[string]any)["Value"].(map[string]any)["Fn::Join"].([]any)[1].([]any)
			parts[2] = " --registration-limit 1000"
		}},
		{"another region", "HybridRegisterLinux: names region us-east-1", func(tm map[string]any) {
			o := outputs(tm)["HybridRegisterLinux"].(map[string]any)
			o["Value"] = strings.Replace(o["Value"].(string), "-region us-west-2", "-region us-east-1", 1)
		}},
		{"held-out run 43's A06: a patch group key left out", `output HybridJoinFleet: tags hybrid nodes without the patch group key "Patch Group", which a window or association selects by`, func(tm map[string]any) {
			o := outputs(tm)["HybridJoinFleet"].(map[string]any)
			o["Value"] = strings.Replace(o["Value"].(string), " 'Key=Patch Group,Value=PATCH-GROUP'", "", 1)
		}},
		{"the keys given two values", "output HybridJoinFleet: gives the patch group keys [PATCH-GROUP prod] different values", func(tm map[string]any) {
			o := outputs(tm)["HybridJoinFleet"].(map[string]any)
			o["Value"] = strings.Replace(o["Value"].(string), "'Key=PatchGroup,Value=PATCH-GROUP'", "'Key=PatchGroup,Value=prod'", 1)
		}},
	} {
		tm := read(t, "../../test/testdata/example.patching.template.json")
		c.plant(tm)
		assert.Contains(t, joined(HybridOutputs("us-west-2", tm)), c.wants, c.name)
	}
}

// A key no target selects by may be left out (a join command from before both keys were given):
// the nodes are reached by the other.
func TestHybridJoinNeedsOnlyTheKeysTargetsSelectBy(t *testing.T) {
	tm := read(t, "../../test/testdata/example.patching.template.json")
	assert.Equal(t, []string{"Patch Group"}, patchGroupKeysSelected([]map[string]any{tm}))
	o := tm["Outputs"].(map[string]any)["HybridJoinFleet"].(map[string]any)
	o["Value"] = strings.Replace(o["Value"].(string), " 'Key=PatchGroup,Value=PATCH-GROUP'", "", 1)
	assert.Empty(t, HybridOutputs("us-west-2", tm))
}

// Neighbour: any role ssm.amazonaws.com assumes with AmazonSSMManagedInstanceCore is a hybrid
// role, whatever its logical id, and a command without a region option names none.
func TestHybridOutputsAcceptAnotherHybridRoleAndNoRegion(t *testing.T) {
	tm := read(t, "../../test/testdata/example.patching.template.json")
	resources := tm["Resources"].(map[string]any)
	outputs := tm["Outputs"].(map[string]any)
	parts := outputs["HybridActivationCommand"].(map[string]any)["Value"].(map[string]any)["Fn::Join"].([]any)[1].([]any)
	resources["OtherNodesRole"] = resources[parts[1].(map[string]any)["Ref"].(string)]
	parts[1] = map[string]any{"Ref": "OtherNodesRole"}
	outputs["Plain"] = map[string]any{"Value": "aws ssm describe-instance-information"}
	assert.Empty(t, HybridOutputs("us-west-2", tm))
}
