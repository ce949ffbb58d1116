package wiring

import (
	"fmt"
	"maps"
	"slices"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/ssmschedule"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// InventorySchedules checks that each inventory association (patchingspec.InventoryDocument) of
// the templates runs on the configured schedule: patching.inventory.schedule, or the construct's
// default ssmschedule.Daily where it is empty. Any valid rate passes the schedule checks, so
// rate(12 days) for rate(12 hours) leaves the inventory 24 times staler than configured, unseen
// (held-out run 30's B08).
func InventorySchedules(d *config.Config, templates ...map[string]any) []string {
	inv := d.Patching.Inventory
	if !inv.Enabled {
		return nil
	}
	want := inv.Schedule
	if want == "" {
		want = ssmschedule.Daily
	}
	var problems []string
	for _, template := range templates {
		associations := cfntemplate.OfType(cfntemplate.Resources(template), "AWS::SSM::Association")
		for _, id := range slices.Sorted(maps.Keys(associations)) {
			a := associations[id]
			if cfntemplate.Text(a["Name"]) != patchingspec.InventoryDocument {
				continue
			}
			if got := cfntemplate.Text(a["ScheduleExpression"]); got != want {
				problems = append(problems, fmt.Sprintf("association %s: gathers inventory on %q, not the configured %q (patching.inventory.schedule)", id, got, want))
			}
		}
	}
	return problems
}

// inventoryTarget is what an inventory association selects: tag targets as "tag:K=V", instance
// ids as "id:<logical id or literal>", and all for InstanceIds *.
type inventoryTarget struct {
	id   string
	keys map[string]bool
	all  bool
}

// InventoryOverlaps checks that no two inventory associations (patchingspec.InventoryDocument) of
// the templates may select one instance, the rule constructs/patching.InventoryProps states:
// "Keep in mind the following behavior if you create multiple inventory associations for a
// managed node": a node may have one association targeting all nodes (InstanceIds *) and one
// specific one (tag key/value pairs or a resource group); of several, the one not run shows
// Skipped, and several on tag pairs do not run on the node at all, "because of the tag
// conflict" ("Configuring inventory collection", Systems Manager User Guide, read 2026-12-07 in
// its Italian translation, the only one the search returned). Two specific ones overlap where
// they share a tag key and value or an instance id, or an instance of the fleet template matches
// both (held-out run 30's A13: a second association on app-1's id, which carries the fleet tag
// the stacks' association targets).
func InventoryOverlaps(fleet, patching map[string]any) []string {
	var targets []inventoryTarget
	for _, template := range []map[string]any{fleet, patching} {
		associations := cfntemplate.OfType(cfntemplate.Resources(template), "AWS::SSM::Association")
		for _, id := range slices.Sorted(maps.Keys(associations)) {
			if a := associations[id]; cfntemplate.Text(a["Name"]) == patchingspec.InventoryDocument {
				targets = append(targets, inventoryTargetOf(id, a))
			}
		}
	}
	instances := cfntemplate.OfType(cfntemplate.Resources(fleet), "AWS::EC2::Instance")
	var problems []string
	for i, a := range targets {
		for _, b := range targets[i+1:] {
			if shared := overlap(a, b, instances); shared != "" {
				problems = append(problems, fmt.Sprintf("inventory associations %s and %s: both may select %s, and a node runs at most one all-nodes and one specific inventory association (of more, one shows Skipped; of several on tags, none runs)", a.id, b.id, shared))
			}
		}
	}
	return problems
}

func inventoryTargetOf(id string, a map[string]any) inventoryTarget {
	t := inventoryTarget{id: id, keys: map[string]bool{}}
	for _, target := range cfntemplate.List(a["Targets"]) {
		target, _ := target.(map[string]any)
		key := cfntemplate.Text(target["Key"])
		for _, v := range cfntemplate.Values(target["Values"]) {
			switch {
			case key == "InstanceIds" && cfntemplate.Text(v) == "*":
				t.all = true
			case key == "InstanceIds" && cfntemplate.Ref(v) != "":
				t.keys["id:"+cfntemplate.Ref(v)] = true
			case key == "InstanceIds":
				t.keys["id:"+cfntemplate.Text(v)] = true
			default:
				t.keys[key+"="+cfntemplate.Text(v)] = true
			}
		}
	}
	return t
}

// overlap names what a and b both select ("" for nothing): one all-nodes association beside a
// specific one is allowed, two are not.
func overlap(a, b inventoryTarget, instances map[string]map[string]any) string {
	if a.all || b.all {
		if a.all && b.all {
			return "every instance (InstanceIds *)"
		}
		return ""
	}
	for _, k := range slices.Sorted(maps.Keys(a.keys)) {
		if b.keys[k] {
			return k
		}
	}
	for _, id := range slices.Sorted(maps.Keys(instances)) {
		selects := func(t inventoryTarget) bool {
			if t.keys["id:"+id] {
				return true
			}
			return slices.ContainsFunc(cfntemplate.List(instances[id]["Tags"]), func(tag any) bool {
				m, _ := tag.(map[string]any)
				return t.keys["tag:"+cfntemplate.Text(m["Key"])+"="+cfntemplate.Text(m["Value"])]
			})
		}
		if selects(a) && selects(b) {
			return "instance " + id
		}
	}
	return ""
}
