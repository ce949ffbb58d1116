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
func instancePatchGroupTags(patching, fleet map[string]any, d *config.Config) (problems, notes []string) {
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
// (fleetspec.InstanceGroupTag), the one groups (the configuration's) gives it. Its tags are its
// own and its launch template's (instanceTags); a tag whose value is an intrinsic is not judged
// (a note). The instances of an Auto Scaling group (AWS::AutoScaling::AutoScalingGroup, which the
// stacks do not create) are not judged.
func PatchGroupTags(patching, fleet map[string]any, groups map[string]string) (problems, notes []string) {
	selectors := patchGroupSelectors(patching, fleet)
	resources := cfntemplate.Resources(fleet)
	instances := cfntemplate.OfType(resources, "AWS::EC2::Instance")
	for _, id := range slices.Sorted(maps.Keys(instances)) {
		tags, unjudged := instanceTags(resources, instances[id])
		for _, key := range unjudged {
			notes = append(notes, fmt.Sprintf("instance %s: its tag %s is given by an intrinsic: which patch group selects it by that key is not judged", id, key))
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
			if !claimed[s.group] || tags[s.key] == s.group || slices.Contains(unjudged, s.key) {
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
	return problems, notes
}

// instanceTags are an instance's literal tags: its launch template's instance TagSpecifications
// ("Specifies the tags to apply to resources that are created during instance launch",
// AWS::EC2::LaunchTemplate TagSpecification, CloudFormation Template Reference, read 2026-12-07),
// then its own Tags. unjudged are the patch group and instance group keys given by an intrinsic,
// or by the two with different values (which one the instance keeps is not read here).
func instanceTags(resources, instance map[string]any) (tags map[string]string, unjudged []string) {
	tags = map[string]string{}
	judged := append([]string{fleetspec.InstanceGroupTag}, patchingspec.PatchGroupTagKeys...)
	read := func(list any, conflicts bool) {
		for _, t := range cfntemplate.List(list) {
			t, _ := t.(map[string]any)
			key := cfntemplate.Text(t["Key"])
			value, literal := t["Value"].(string)
			old, had := tags[key]
			switch {
			case !literal || (conflicts && had && old != value):
				if slices.Contains(judged, key) && !slices.Contains(unjudged, key) {
					unjudged = append(unjudged, key)
				}
			default:
				tags[key] = value
			}
		}
	}
	for _, spec := range cfntemplate.List(launchTemplateData(resources, instance)["TagSpecifications"]) {
		if spec, _ := spec.(map[string]any); cfntemplate.Text(spec["ResourceType"]) == "instance" {
			read(spec["Tags"], false)
		}
	}
	read(instance["Tags"], true)
	return tags, unjudged
}

// launchTemplateData is the LaunchTemplateData of the template's launch template that an
// instance's LaunchTemplate names: by LaunchTemplateId, its Ref or GetAtt LaunchTemplateId, or by
// LaunchTemplateName, the same name or its GetAtt LaunchTemplateName (both the launch template's
// return values, the review of round 2, 10a); nil for none.
func launchTemplateData(resources, instance map[string]any) map[string]any {
	spec, _ := instance["LaunchTemplate"].(map[string]any)
	templates := cfntemplate.OfType(resources, "AWS::EC2::LaunchTemplate")
	for _, id := range slices.Sorted(maps.Keys(templates)) {
		name := templates[id]["LaunchTemplateName"]
		byID := id == cfntemplate.Ref(spec["LaunchTemplateId"]) || getAttOf(spec["LaunchTemplateId"], "LaunchTemplateId") == id
		byName := getAttOf(spec["LaunchTemplateName"], "LaunchTemplateName") == id ||
			(spec["LaunchTemplateName"] != nil && fmt.Sprint(name) == fmt.Sprint(spec["LaunchTemplateName"]))
		if byID || byName {
			data, _ := templates[id]["LaunchTemplateData"].(map[string]any)
			return data
		}
	}
	return nil
}

// getAttOf is the logical id whose attribute v gets, in either form ([id, attribute] or
// "id.attribute"), or "".
func getAttOf(v any, attribute string) string {
	m, _ := v.(map[string]any)
	if dotted, ok := m["Fn::GetAtt"].(string); ok {
		if id, att, found := strings.Cut(dotted, "."); found && att == attribute {
			return id
		}
		return ""
	}
	if att := cfntemplate.List(m["Fn::GetAtt"]); len(att) == 2 && fmt.Sprint(att[1]) == attribute {
		return fmt.Sprint(att[0])
	}
	return ""
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
