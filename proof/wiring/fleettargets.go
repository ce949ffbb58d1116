package wiring

import (
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
// select on them miss an instance whose value differs, in case too ("Tag keys and their values
// are case-sensitive", "Tag restrictions", Amazon EC2 User Guide, read 2026-12-07). An instance's
// group is its fleetspec.InstanceGroupTag; its tags are its own and its launch template's
// (instanceTags); a tag whose value is an intrinsic is not judged. Held-out run 34's A06 (one
// web server's InventoryCategory WebServer written Webserver: it left privatepatch-ProdWebServer).
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

// CheckTargets checks that the configuration checks' association for the fleet
// (ConfigurationChecksAssociation, its construct id) targets what assets.configurationChecks asks:
// the configured resource group by its AWS name, or every instance with the fleet tag. An
// association's targets decide which nodes run its document ("Target", Systems Manager API
// Reference, read 2026-12-07): another group that exists passes every other check and checks the
// wrong servers. Held-out run 34's A07 (privatepatch-ProdWebServer retargeted to
// privatepatch-ProdDB).
func CheckTargets(fleet map[string]any, d *config.Config) []string {
	checks := d.Assets.ConfigurationChecks
	if !checks.Enabled {
		return nil
	}
	key, value := "tag:"+d.Fleet.Tag.Key, d.Fleet.Tag.Value
	if checks.ResourceGroup != "" {
		key, value = "resource-groups:Name", d.ResourceGroupName(checks.ResourceGroup)
	}
	associations := cfntemplate.OfType(cfntemplate.Resources(fleet), "AWS::SSM::Association")
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(associations)) {
		if !strings.HasPrefix(id, "ConfigurationChecksAssociation") {
			continue
		}
		var got []string
		for _, t := range cfntemplate.List(associations[id]["Targets"]) {
			t, _ := t.(map[string]any)
			got = append(got, cfntemplate.Text(t["Key"])+"="+strings.Join(cfntemplate.Texts(t["Values"]), ","))
		}
		if !slices.Equal(got, []string{key + "=" + value}) {
			problems = append(problems, fmt.Sprintf("association %s: runs the configuration checks on %s, not on %s=%s (assets.configurationChecks)", id, strings.Join(got, " and "), key, value))
		}
	}
	return problems
}
