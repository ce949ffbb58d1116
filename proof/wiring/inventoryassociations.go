package wiring

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/compliance/compliancespec"
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

// InventoryTargets checks that the inventory associations target what the configuration asks:
// every node (InstanceIds *) with patching.inventory.allNodes, else the fleet's tag; and, where the
// stack switches Inspector on, that its enabler waits for the all-nodes association, which
// Inspector uses instead of making its own only if it exists when EC2 scanning starts
// (compliancespec.InspectorInventoryAssociation; the review of session 19's finding 1).
func InventoryTargets(d *config.Config, patching map[string]any) []string {
	if !d.Patching.Inventory.Enabled {
		return nil
	}
	allNodes := d.InventoryAllNodes()
	resources := cfntemplate.Resources(patching)
	associations := cfntemplate.OfType(resources, "AWS::SSM::Association")
	var problems, ids []string
	for _, id := range slices.Sorted(maps.Keys(associations)) {
		if cfntemplate.Text(associations[id]["Name"]) != patchingspec.InventoryDocument {
			continue
		}
		ids = append(ids, id)
		target := inventoryTargetOf(id, associations[id])
		switch {
		case allNodes && !target.all:
			problems = append(problems, fmt.Sprintf("association %s: patching.inventory.allNodes asks for every node (InstanceIds *), and it targets %s", id, targetText(target)))
		case !allNodes && !target.keys["tag:"+d.Fleet.Tag.Key+"="+d.Fleet.Tag.Value]:
			problems = append(problems, fmt.Sprintf("association %s: gathers inventory from %s, not the fleet (tag %s=%s)", id, targetText(target), d.Fleet.Tag.Key, d.Fleet.Tag.Value))
		}
	}
	for _, id := range slices.Sorted(maps.Keys(cfntemplate.OfType(resources, "Custom::InspectorEnabler"))) {
		for _, association := range ids {
			if allNodes && !slices.Contains(dependsOn(resources[id].(map[string]any)), association) {
				problems = append(problems, fmt.Sprintf("%s switches Inspector on without waiting for the all-nodes inventory association %s: if it runs first, Inspector makes its own (%s) and every node has two",
					id, association, compliancespec.InspectorInventoryAssociation))
			}
		}
	}
	return problems
}

// targetText is an inventory target as the configuration would say it.
func targetText(t inventoryTarget) string {
	if t.all {
		return "every node (InstanceIds *)"
	}
	return strings.Join(slices.Sorted(maps.Keys(t.keys)), ", ")
}

// inventoryTarget is what an inventory association selects: tag targets as "tag:K=V", instance
// ids as "id:<logical id or literal>", tag keys as "tag-key=K" ("Use tag-keys applied to
// instances"), resource groups as "resource-groups:Name=X" ("Target", Systems Manager API
// Reference, read 2026-12-07), and all for InstanceIds *.
type inventoryTarget struct {
	id   string
	keys map[string]bool
	all  bool
}

// InventoryOverlaps checks that no two inventory associations (patchingspec.InventoryDocument) of
// the templates may select one instance, the rule constructs/patching.InventoryProps states: "Be
// aware of the following behavior if you create multiple inventory associations for a managed
// node": a node can be assigned one association targeting all nodes (InstanceIds *) and "a
// specific association that uses either tag key/value pairs or an AWS resource group"; of
// several, the one not run shows Skipped, and several on tag pairs "fail to run on the node
// because of the tag conflict" ("Configuring inventory collection", Systems Manager User Guide,
// read 2026-12-07 in English, in the code index's copy of the guide: the docs search does not
// return the page, and once returned only an Italian translation). Two specific ones overlap
// where they share a tag key and value or an instance id, or an instance of the fleet template
// matches both: by id, tag, tag key (tag-key), or membership of a resource group of the
// templates (held-out run 30's A13: a second association on app-1's id, which carries the fleet
// tag the stacks' association targets; the second review of session 18's finding 7: one on a
// group holding the fleet).
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
	resources := cfntemplate.Resources(fleet)
	tagged := map[string]map[string]string{} // each fleet instance's literal tags, by logical id
	for id, instance := range cfntemplate.OfType(resources, "AWS::EC2::Instance") {
		tagged[id], _ = instanceTags(resources, instance)
	}
	groups := groupMembers(tagged, fleet, patching)
	var problems []string
	for i, a := range targets {
		for _, b := range targets[i+1:] {
			if shared := overlap(a, b, tagged, groups); shared != "" {
				problems = append(problems, fmt.Sprintf("inventory associations %s and %s: both may select %s, and a node runs at most one all-nodes and one specific inventory association (of more, one shows Skipped; of several on tags, none runs)", a.id, b.id, shared))
			}
		}
	}
	return problems
}

// groupMembers are, by name, the fleet instances each resource group of the templates holds: of a
// tag query (TAG_FILTERS_1_0) those carrying every TagFilter's key, with one of its Values where
// it gives any ("only resources with all of the following tags are members of the group", and
// "If you don't specify a value or values for a key, then an AWS resource with any value for that
// key is a member": "AWS::ResourceGroups::Group TagFilter", CloudFormation Template Reference,
// read 2026-12-07); of a stack's group (CLOUDFORMATION_STACK_1_0 on its own AWS::StackId) the
// instances of its template; none where its ResourceTypeFilters leave EC2 instances out (absent:
// AWS::AllSupported, the property's default).
func groupMembers(tagged map[string]map[string]string, templates ...map[string]any) map[string]map[string]bool {
	members := map[string]map[string]bool{}
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		own := cfntemplate.OfType(resources, "AWS::EC2::Instance")
		for _, g := range cfntemplate.OfType(resources, "AWS::ResourceGroups::Group") {
			q, _ := g["ResourceQuery"].(map[string]any)
			query, _ := q["Query"].(map[string]any)
			types := cfntemplate.Texts(query["ResourceTypeFilters"])
			held := map[string]bool{}
			members[cfntemplate.Text(g["Name"])] = held
			if len(types) > 0 && !slices.ContainsFunc(types, func(t string) bool { return strings.EqualFold(t, ec2Instance) || t == "AWS::AllSupported" }) {
				continue
			}
			for id, tags := range tagged {
				switch cfntemplate.Text(q["Type"]) {
				case "TAG_FILTERS_1_0":
					held[id] = matchesTagFilters(tags, cfntemplate.List(query["TagFilters"]))
				case "CLOUDFORMATION_STACK_1_0":
					held[id] = own[id] != nil && cfntemplate.Ref(query["StackIdentifier"]) == "AWS::StackId"
				}
			}
		}
	}
	return members
}

// matchesTagFilters tells whether an instance's tags carry every filter's key, with one of its
// values where the filter gives any.
func matchesTagFilters(tags map[string]string, filters []any) bool {
	for _, f := range filters {
		f, _ := f.(map[string]any)
		value, ok := tags[cfntemplate.Text(f["Key"])]
		values := cfntemplate.Texts(f["Values"])
		if !ok || len(values) > 0 && !slices.Contains(values, value) {
			return false
		}
	}
	return len(filters) > 0
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
func overlap(a, b inventoryTarget, tagged map[string]map[string]string, groups map[string]map[string]bool) string {
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
	for _, id := range slices.Sorted(maps.Keys(tagged)) {
		selects := func(t inventoryTarget) bool {
			if t.keys["id:"+id] {
				return true
			}
			for key, value := range tagged[id] {
				if t.keys["tag:"+key+"="+value] || t.keys["tag-key="+key] {
					return true
				}
			}
			for k := range t.keys {
				if group, ok := strings.CutPrefix(k, "resource-groups:Name="); ok && groups[group][id] {
					return true
				}
			}
			return false
		}
		if selects(a) && selects(b) {
			return "instance " + id
		}
	}
	return ""
}
