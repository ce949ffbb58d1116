package wiring

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/tagspec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// TagRules checks every literal tag of every resource of the stacks, by stack name, against the
// rules AWS applies to all tags (tagspec.ValidKey, ValidValue, at most tagspec.MaxPerResource)
// and the stricter ones of the types that have them (tagspec.Refusal): a tag its resource refuses
// fails the resource's creation (held-out run 26's B09, a Security Hub hub tag key with a space,
// and B10, a DynamoDB table tag value with @, which the constructs leave off those types). Tags
// are the property Tags, a list of Key and Value (most types) or a map (Security Hub's hub,
// Inspector's filter); a key or value that is an intrinsic is not judged.
func TagRules(templates map[string]map[string]any) []string {
	var problems []string
	for _, stack := range slices.Sorted(maps.Keys(templates)) {
		resources := cfntemplate.Resources(templates[stack])
		for _, id := range slices.Sorted(maps.Keys(resources)) {
			r, _ := resources[id].(map[string]any)
			kind, _ := r["Type"].(string)
			props, _ := r["Properties"].(map[string]any)
			tags := literalTags(props["Tags"])
			if len(tags) > tagspec.MaxPerResource {
				problems = append(problems, fmt.Sprintf("%s %s %s: carries %d tags, more than the %d AWS allows a resource", stack, kind, id, len(tags), tagspec.MaxPerResource))
			}
			for _, t := range tags {
				if why := tagRefusal(kind, t[0], t[1]); why != "" {
					problems = append(problems, fmt.Sprintf("%s %s %s: tag %q=%q %s: creating it fails", stack, kind, id, t[0], t[1], why))
				}
			}
		}
	}
	return problems
}

// tagRefusal is why a resource of kind refuses the tag key=value, or "".
func tagRefusal(kind, key, value string) string {
	switch {
	case !tagspec.ValidKey(key):
		return "is not a tag key AWS takes (" + tagspec.KeyRules + `; "Tag naming limits and requirements", Tagging AWS Resources, read 2026-11-27)`
	case !tagspec.ValidValue(value):
		return "is not a tag value AWS takes (" + tagspec.ValueRules + `; "Tag naming limits and requirements", Tagging AWS Resources, read 2026-11-27)`
	}
	if source := tagspec.Refusal(kind, key, value); source != "" {
		return "is not one " + kind + " takes (" + source + ")"
	}
	return ""
}

// literalTags are the tags whose key and value are both strings, as key-value pairs in order,
// CloudFormation's own (aws:cloudformation:, which it adds) left out in either form.
func literalTags(v any) [][2]string {
	var out [][2]string
	if m, ok := v.(map[string]any); ok {
		if intrinsic(m) {
			return nil
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if value, ok := m[k].(string); ok && !strings.HasPrefix(k, "aws:cloudformation:") {
				out = append(out, [2]string{k, value})
			}
		}
		return out
	}
	for _, t := range cfntemplate.List(v) {
		t, _ := t.(map[string]any)
		key, okKey := t["Key"].(string)
		value, okValue := t["Value"].(string)
		if okKey && okValue && !strings.HasPrefix(key, "aws:cloudformation:") {
			out = append(out, [2]string{key, value})
		}
	}
	return out
}

// ResourceGroupTags checks each configured asset group (AWS name to its tags) against the fleet
// stack's group of that name: a tag-based group's members are "resources in the account that
// are tagged with a matching key-value pair" ("AWS::ResourceGroups::Group TagFilter",
// CloudFormation Template Reference, read 2026-12-07), keys and values case sensitive ("Tag keys
// are case-sensitive ... Like tag keys, tag values are case-sensitive", TagCollection, Amazon
// DevOps Guru API Reference, read 2026-12-07), so a filter that differs from the configuration by
// one letter selects none of the instances the group's checks and windows are meant for (held-out
// run 26's B05, WebServer become Webserver).
func ResourceGroupTags(fleet map[string]any, groups map[string]map[string]string) []string {
	if fleet == nil {
		return nil // a deployment without its fleet stack in the assembly: nothing to compare
	}
	declared := map[string]map[string]any{}
	for id, g := range cfntemplate.OfType(cfntemplate.Resources(fleet), "AWS::ResourceGroups::Group") {
		declared[cfntemplate.Text(g["Name"])] = map[string]any{"id": id, "group": g}
	}
	var problems []string
	for _, name := range slices.Sorted(maps.Keys(groups)) {
		found, ok := declared[name]
		if !ok {
			problems = append(problems, fmt.Sprintf("resource group %s: configured (assets.resourceGroups), not in the fleet stack: nothing selects its instances", name))
			continue
		}
		id, g := found["id"], found["group"].(map[string]any)
		got := map[string][]string{}
		query, _ := g["ResourceQuery"].(map[string]any)
		q, _ := query["Query"].(map[string]any)
		for _, f := range cfntemplate.List(q["TagFilters"]) {
			f, _ := f.(map[string]any)
			got[cfntemplate.Text(f["Key"])] = cfntemplate.Texts(f["Values"])
		}
		want := map[string][]string{}
		for k, v := range groups[name] {
			want[k] = []string{v}
		}
		if !maps.EqualFunc(got, want, slices.Equal) {
			problems = append(problems, fmt.Sprintf("resource group %s (%v): selects the tags %v, not the configuration's %v (keys and values are case sensitive): "+
				"its members are not the instances configured for it", name, id, got, want))
		}
	}
	return problems
}
