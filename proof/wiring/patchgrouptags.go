package wiring

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/fleet/fleetspec"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// groupSelector is what selects the instances of one patch group by one of the patch group tag
// keys: a window target, an association's target, or a start-stop task's PatchGroupTagKey.
type groupSelector struct{ by, key, group string }

// instancePatchGroupTags is PatchGroupTags with the patch group the configuration gives each
// fleet instance group.
func instancePatchGroupTags(patching, fleet map[string]any, d *config.Config) []string {
	groups := map[string]string{}
	for _, g := range d.Fleet.InstanceGroups {
		groups[g.Name] = g.PatchGroup
	}
	return PatchGroupTags(patching, fleet, groups)
}

// PatchGroupTags: each instance of the fleet stack carries, with its patch group as the value,
// every patch group tag key that a window target, association target or start-stop task selects
// its group by. Window targets resolve by tag key and value, so an instance that carries its group
// under Patch Group only is never patched by a window that targets tag:PatchGroup, nor started by
// it (mutation run 21's B09: an instance's PatchGroup tag dropped; a wrong value is the same). An
// instance's patch groups are those its patch group tags name and, by its instance group tag
// (fleetspec.InstanceGroupTag), the one groups (the configuration's) gives it.
func PatchGroupTags(patching, fleet map[string]any, groups map[string]string) []string {
	selectors := patchGroupSelectors(patching, fleet)
	var problems []string
	instances := cfntemplate.OfType(cfntemplate.Resources(fleet), "AWS::EC2::Instance")
	for _, id := range slices.Sorted(maps.Keys(instances)) {
		tags := map[string]string{}
		for _, t := range cfntemplate.List(instances[id]["Tags"]) {
			t, _ := t.(map[string]any)
			if value, literal := t["Value"].(string); literal {
				tags[cfntemplate.Text(t["Key"])] = value
			}
		}
		claimed := map[string]bool{}
		for _, key := range patchingspec.PatchGroupTagKeys {
			if v, ok := tags[key]; ok {
				claimed[v] = true
			}
		}
		if g := groups[tags[fleetspec.InstanceGroupTag]]; g != "" {
			claimed[g] = true
		}
		for _, s := range selectors {
			if !claimed[s.group] || tags[s.key] == s.group {
				continue
			}
			carries := "does not carry it"
			if v, ok := tags[s.key]; ok {
				carries = fmt.Sprintf("carries %q", v)
			}
			problems = append(problems, fmt.Sprintf("instance %s: in patch group %q, which %s selects by tag %s=%s; the instance %s: it never selects the instance",
				id, s.group, s.by, s.key, s.group, carries))
		}
	}
	return problems
}

// patchGroupSelectors are the stacks' selectors of patch groups by a patch group tag key, in the
// order of their logical ids.
func patchGroupSelectors(templates ...map[string]any) []groupSelector {
	var selectors []groupSelector
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		for _, kind := range []string{"AWS::SSM::MaintenanceWindowTarget", "AWS::SSM::Association"} {
			of := cfntemplate.OfType(resources, kind)
			for _, id := range slices.Sorted(maps.Keys(of)) {
				for _, t := range cfntemplate.List(of[id]["Targets"]) {
					t, _ := t.(map[string]any)
					key, _ := strings.CutPrefix(cfntemplate.Text(t["Key"]), "tag:")
					for _, v := range cfntemplate.List(t["Values"]) {
						if group, literal := v.(string); literal && slices.Contains(patchingspec.PatchGroupTagKeys, key) {
							selectors = append(selectors, groupSelector{strings.TrimPrefix(kind, "AWS::SSM::") + " " + id, key, group})
						}
					}
				}
			}
		}
		tasks := cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindowTask")
		for _, id := range slices.Sorted(maps.Keys(tasks)) {
			params := cfntemplate.Parameters(cfntemplate.Automation(tasks[id]))
			if cfntemplate.First(params["Action"]) == "stop" {
				continue // stops the instances its window execution started (tagged), whatever their group
			}
			key, _ := cfntemplate.First(params["PatchGroupTagKey"]).(string)
			list, _ := cfntemplate.First(params["PatchGroups"]).(string)
			for _, group := range strings.Split(list, ",") {
				if group != "" && slices.Contains(patchingspec.PatchGroupTagKeys, key) {
					selectors = append(selectors, groupSelector{"window task " + id, key, group})
				}
			}
		}
	}
	return selectors
}
