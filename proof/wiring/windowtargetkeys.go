package wiring

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// outputsAndTargets are the checks of run 25's misses in the stacks' outputs, window targets and
// network (the assembly's own, the manifest and asset manifests, are StackAssets).
func outputsAndTargets(network, patching, fleet map[string]any, d *config.Config) []string {
	problems := HybridOutputs(d.Region, network, fleet, patching)
	return append(problems, windowTargetKeys(patching, d)...)
}

// windowTargetKeys checks that each configured window selects its patch groups by the one tag key
// its targets.patchGroupTagKey names (run 25's A08). A maintenance window target matches only
// the key it names, and the instances and hybrid nodes carry the key the configuration gives
// them (HybridJoinFleet tags hybrid nodes with both keys): a group with no EC2 instance (a
// hybrid-only baseline's) has no instance tags that the instance checks could compare, so only
// the configuration says which key is meant.
func windowTargetKeys(patching map[string]any, d *config.Config) []string {
	resources := cfntemplate.Resources(patching)
	windows := windowIDs(resources)
	targets := cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindowTarget")
	var problems []string
	for _, w := range d.Patching.MaintenanceWindows {
		id, ok := windows[w.Name]
		if !ok || len(w.Targets.PatchGroups) == 0 || w.Targets.PatchGroupTagKey == "" {
			continue
		}
		want := "tag:" + string(w.Targets.PatchGroupTagKey)
		for _, target := range slices.Sorted(maps.Keys(targets)) {
			if cfntemplate.Ref(targets[target]["WindowId"]) != id {
				continue
			}
			for _, t := range cfntemplate.List(targets[target]["Targets"]) {
				t, _ := t.(map[string]any)
				key := cfntemplate.Text(t["Key"])
				if other, ok := strings.CutPrefix(key, "tag:"); ok && slices.Contains(patchingspec.PatchGroupTagKeys, other) && key != want {
					problems = append(problems, fmt.Sprintf("window %s target %s: selects patch groups %v by %s, and its nodes carry %s (targets.patchGroupTagKey): the window matches none of them", w.Name, target, t["Values"], key, want))
				}
			}
		}
	}
	return problems
}
