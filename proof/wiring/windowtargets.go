package wiring

import (
	"fmt"
	"maps"
	"slices"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// targetsPage is where the window targets' keys are documented: "Key=InstanceIds,Values=..." is
// the exact list of nodes a window runs on (Example 1), and "Key=resource-groups:ResourceTypeFilters,
// Values=..." the resource types of the group it acts on (Example 5, spelled there
// AWS::EC2::INSTANCE) (RegisterTargetWithMaintenanceWindow, Targets, AWS Systems Manager API
// Reference, read 2026-12-07). The page names no type for hybrid nodes in a window's filter, so
// AWS::EC2::Instance is required and another type beside it (AWS::SSM::ManagedInstance) allowed.
const targetsPage = "RegisterTargetWithMaintenanceWindow, Targets"

// windowInstanceIds checks that window id, which the configuration targets by instance ids,
// targets exactly those (targets.instanceIds; windowPatchGroups calls it): an id left out is never
// patched by any window, and nothing else reports it, the scans target the fleet tag such a node
// may not carry (mutation run 28's A11); an id added patches a node nobody configured.
func windowInstanceIds(resources map[string]any, name, id string, want []string) []string {
	var got []string
	targets := cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindowTarget")
	var ids []string
	for _, tid := range slices.Sorted(maps.Keys(targets)) {
		if cfntemplate.Ref(targets[tid]["WindowId"]) != id {
			continue
		}
		for _, t := range cfntemplate.List(targets[tid]["Targets"]) {
			t, _ := t.(map[string]any)
			if cfntemplate.Text(t["Key"]) == "InstanceIds" {
				got, ids = append(got, cfntemplate.Texts(t["Values"])...), append(ids, tid)
			}
		}
	}
	got = slices.Compact(slices.Sorted(slices.Values(got)))
	if want = slices.Compact(slices.Sorted(slices.Values(want))); !slices.Equal(got, want) {
		return []string{fmt.Sprintf("window %s: target(s) %v name instance ids %v, the configuration's are %v (%s, Example 1: the exact nodes it runs on)", name, ids, got, want, targetsPage)}
	}
	return nil
}

// configuredTargets are the checks of a window's targets against the configuration beyond patch
// groups: a resource group's name (windowResourceGroup), instance ids (windowInstanceIds).
func configuredTargets(resources map[string]any, w config.MaintenanceWindow, id string, d *config.Config) []string {
	switch {
	case w.Targets.ResourceGroup != "":
		return windowResourceGroup(resources, w.Name, id, d.ResourceGroupName(w.Targets.ResourceGroup))
	case len(w.Targets.InstanceIds) > 0:
		return windowInstanceIds(resources, w.Name, id, w.Targets.InstanceIds)
	}
	return nil
}

