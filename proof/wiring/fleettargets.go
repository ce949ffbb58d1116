package wiring

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/fleet/fleetspec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// InstanceGroupTags checks that each fleet instance carries its instance group's configured tags
// (fleet.instanceGroups[].tags), value for value: the resource groups, windows and checks that
// select on them miss an instance whose value differs, in case too ("Tag keys are
// case-sensitive", "Tag values are case-sensitive", Tag, Amazon EC2 API Reference, read
// 2026-12-07). An instance's group is its fleetspec.InstanceGroupTag; its tags are its own and
// its launch template's (instanceTags); a tag whose value is an intrinsic is not judged. Held-out
// run 34's A06 (one web server's InventoryCategory WebServer written Webserver: it left
// privatepatch-ProdWebServer).
func InstanceGroupTags(fleet map[string]any, d *config.Config) []string {
	want := map[string]map[string]string{}
	for _, g := range d.Fleet.InstanceGroups {
		want[g.Name] = g.Tags
	}
	resources := cfntemplate.Resources(fleet)
	instances := cfntemplate.OfType(resources, "AWS::EC2::Instance")
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(instances)) {
		tags, _ := instanceTags(resources, instances[id])
		group, ok := want[tags[fleetspec.InstanceGroupTag]]
		if !ok {
			continue // the WSUS server, or an instance of no configured group
		}
		for _, key := range slices.Sorted(maps.Keys(group)) {
			if got, has := tags[key]; !has && literalTagAbsent(resources, instances[id], key) {
				problems = append(problems, fmt.Sprintf("instance %s of instance group %s: no tag %s, the configuration's %q: what selects on it misses the instance", id, tags[fleetspec.InstanceGroupTag], key, group[key]))
			} else if has && got != group[key] {
				problems = append(problems, fmt.Sprintf("instance %s of instance group %s: tag %s is %q, the configuration's %q (tag values are case-sensitive): what selects on it misses the instance",
					id, tags[fleetspec.InstanceGroupTag], key, got, group[key]))
			}
		}
	}
	return problems
}

// literalTagAbsent: the instance carries no tag key at all, not one whose value is an intrinsic.
func literalTagAbsent(resources, instance map[string]any, key string) bool {
	all := cfntemplate.List(instance["Tags"])
	for _, spec := range cfntemplate.List(launchTemplateData(resources, instance)["TagSpecifications"]) {
		if spec, _ := spec.(map[string]any); cfntemplate.Text(spec["ResourceType"]) == "instance" {
			all = append(all, cfntemplate.List(spec["Tags"])...)
		}
	}
	for _, t := range all {
		if t, _ := t.(map[string]any); cfntemplate.Text(t["Key"]) == key {
			return false
		}
	}
	return true
}

// CheckTargets checks that the configuration checks' associations, known by their names
// (<project>-configuration-checks and ...-instances, compliance.NewConfigurationChecks), target
// what assets.configurationChecks asks: the configured resource group by its AWS name, or every
// instance with the fleet tag; and, with a WSUS server, that server by its id. An association's
// targets decide which nodes run its document ("Target", Systems Manager API Reference, read
// 2026-12-07): another group that exists passes every other check and checks the wrong servers
// (held-out run 34's A07: privatepatch-ProdWebServer retargeted to privatepatch-ProdDB). Each is
// required: without it, its nodes are never checked.
func CheckTargets(fleet map[string]any, d *config.Config) []string {
	checks := d.Assets.ConfigurationChecks
	if !checks.Enabled {
		return nil
	}
	resources := cfntemplate.Resources(fleet)
	want := map[string]string{d.Project + "-configuration-checks": "tag:" + d.Fleet.Tag.Key + "=" + d.Fleet.Tag.Value}
	if checks.ResourceGroup != "" {
		want[d.Project+"-configuration-checks"] = "resource-groups:Name=" + d.ResourceGroupName(checks.ResourceGroup)
	}
	for id := range cfntemplate.OfType(resources, "AWS::EC2::Instance") {
		if strings.HasPrefix(id, "WsusInstance") && d.Wsus.Enabled {
			want[d.Project+"-configuration-checks-instances"] = "InstanceIds=" + id
		}
	}
	got := map[string]string{}
	ids := map[string]string{}
	associations := cfntemplate.OfType(resources, "AWS::SSM::Association")
	for _, id := range slices.Sorted(maps.Keys(associations)) {
		name := cfntemplate.Text(associations[id]["AssociationName"])
		if _, ours := want[name]; !ours {
			continue
		}
		var targets []string
		for _, t := range cfntemplate.List(associations[id]["Targets"]) {
			t, _ := t.(map[string]any)
			var values []string
			for _, v := range cfntemplate.List(t["Values"]) {
				values = append(values, cmp.Or(cfntemplate.Ref(v), cfntemplate.Text(v)))
			}
			targets = append(targets, cfntemplate.Text(t["Key"])+"="+strings.Join(values, ","))
		}
		got[name], ids[name] = strings.Join(targets, " and "), id
	}
	var problems []string
	for _, name := range slices.Sorted(maps.Keys(want)) {
		switch target, ok := got[name]; {
		case !ok:
			problems = append(problems, fmt.Sprintf("association %s: not in the template, and the configuration checks %s: they never run there (assets.configurationChecks)", name, want[name]))
		case target != want[name]:
			problems = append(problems, fmt.Sprintf("association %s: runs the configuration checks on %s, not on %s (assets.configurationChecks)", ids[name], target, want[name]))
		}
	}
	return problems
}

// WsusSubnet checks that in an existing VPC whose subnets the configuration lists, the WSUS
// server sits in a subnet of the kind network.existingVpc.wsusSubnet names (public: the first
// public subnet, with an Elastic IP; private: a private one, out through the VPC's declared NAT
// path). The route it leaves the VPC by is not judged in an existing VPC (netpath's
// SubnetNotJudged), so a server moved to the other kind passed: in a public subnet without a
// public address it has no way out ("The instances in the public subnet must have public IP
// addresses or Elastic IP addresses to enable communication with the internet over the internet
// gateway", "Connect to the internet using an internet gateway", Amazon VPC User Guide, as
// netpath.ServerRouteProblem quotes it), and never synchronises (held-out run 39's A03).
func WsusSubnet(fleet map[string]any, d *config.Config) []string {
	e := d.Network.ExistingVpc
	if e == nil || !d.Wsus.Enabled {
		return nil
	}
	subnets := e.PrivateSubnets
	if e.WsusSubnet == config.WsusInPublicSubnet {
		subnets = e.PublicSubnets
	}
	if len(subnets) == 0 {
		return nil // found by lookup: the configuration lists none
	}
	var ids []string
	for _, s := range subnets {
		ids = append(ids, s.ID)
	}
	instances := cfntemplate.OfType(cfntemplate.Resources(fleet), "AWS::EC2::Instance")
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(instances)) {
		if !strings.HasPrefix(id, "WsusInstance") {
			continue
		}
		if literal, ok := cfntemplate.InstanceSubnet(instances[id]).(string); ok && !slices.Contains(ids, literal) {
			problems = append(problems, fmt.Sprintf("instance %s (the WSUS server): in subnet %s, not one of the existing VPC's %s subnets %v (network.existingVpc.wsusSubnet): its way to Microsoft Update is not the one declared",
				id, literal, e.WsusSubnet, ids))
		}
	}
	return problems
}

// StartStopParameters checks the start and stop tasks' own parameters (an automation task whose
// Action is start or stop) against the configuration: the fleet tag they find and mark the
// instances by (fleet.tag), and the instance scheduler's tag key they suspend and restore
// (patching.instanceSchedulerTagKey, none when unset). Tag keys and values are case-sensitive
// ("Tag keys are case-sensitive", "Tag values are case-sensitive", Tag, Amazon EC2 API
// Reference, read 2026-12-07): a stop restoring the scheduler's tag under another key leaves the
// scheduler off the instances for good, and the role's aws:TagKeys (the configuration's) denies
// the write besides (held-out run 40's A05: Schedule written schedule in the stop task).
func StartStopParameters(patching map[string]any, d *config.Config) []string {
	tasks := cfntemplate.OfType(cfntemplate.Resources(patching), "AWS::SSM::MaintenanceWindowTask")
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(tasks)) {
		params := cfntemplate.Parameters(cfntemplate.Automation(tasks[id]))
		if action := cfntemplate.Text(cfntemplate.First(params["Action"])); action != "start" && action != "stop" {
			continue
		}
		for _, p := range []struct{ name, want, field string }{
			{"FleetTagKey", d.Fleet.Tag.Key, "fleet.tag.key"},
			{"FleetTagValue", d.Fleet.Tag.Value, "fleet.tag.value"},
			{"SchedulerTagKey", d.Patching.InstanceSchedulerTagKey, "patching.instanceSchedulerTagKey"},
		} {
			if got := cfntemplate.Text(cfntemplate.First(params[p.name])); got != p.want {
				problems = append(problems, fmt.Sprintf("task %s: %s %q, the configuration's %q (%s): tag keys and values are case-sensitive, and the task marks or restores what the configuration does not",
					id, p.name, got, p.want, p.field))
			}
		}
	}
	return problems
}
