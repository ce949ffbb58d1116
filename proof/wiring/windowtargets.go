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

// targetsPage is where the window targets' keys are documented: "Key=InstanceIds,Values=..." is
// the exact list of nodes a window runs on (Example 1), and "Key=resource-groups:ResourceTypeFilters,
// Values=..." the resource types of the group it acts on (Example 5, spelled there
// AWS::EC2::INSTANCE) (RegisterTargetWithMaintenanceWindow, Targets, AWS Systems Manager API
// Reference, read 2026-12-07). The page names no type for hybrid nodes in a window's filter, so
// AWS::EC2::Instance is required and another type beside it (AWS::SSM::ManagedInstance) allowed.
const targetsPage = "RegisterTargetWithMaintenanceWindow, Targets"

// ec2Instance is the resource type AWS-RunPatchBaseline's nodes are in a group's filter.
const ec2Instance = "AWS::EC2::Instance"

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

// WindowTargetTypes checks that each RESOURCE_GROUP target of a window whose task runs
// AWS-RunPatchBaseline selects EC2 instances: its resource-groups:ResourceTypeFilters, when given,
// name AWS::EC2::Instance (case aside, as the page spells it), and a group of the templates
// (AWS::ResourceGroups::Group of that Name) has it or AWS::AllSupported among its query's
// ResourceTypeFilters. Of a group declared outside privatepatch there is nothing to read. Another
// type alone (AWS::EC2::Volume) gives the command no node to run on, and no server of the group is
// ever patched (mutation run 28's A03).
func WindowTargetTypes(templates ...map[string]any) []string {
	groups := map[string][]string{}
	patched := map[string]bool{}
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		for _, g := range cfntemplate.OfType(resources, "AWS::ResourceGroups::Group") {
			q, _ := g["ResourceQuery"].(map[string]any)
			query, _ := q["Query"].(map[string]any)
			types := cfntemplate.Texts(query["ResourceTypeFilters"])
			if len(types) == 0 {
				types = []string{"AWS::AllSupported"} // "The default value is [\"AWS::AllSupported\"]" (AWS::ResourceGroups::Group Query, CloudFormation Template Reference)
			}
			groups[cfntemplate.Text(g["Name"])] = types
		}
		for _, task := range cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindowTask") {
			if strings.HasPrefix(cfntemplate.Text(task["TaskArn"]), "AWS-RunPatchBaseline") {
				patched[cfntemplate.Ref(task["WindowId"])] = true
			}
		}
	}
	hasEC2 := func(types []string) bool {
		return slices.ContainsFunc(types, func(t string) bool { return strings.EqualFold(t, ec2Instance) || t == "AWS::AllSupported" })
	}
	var problems []string
	for _, template := range templates {
		targets := cfntemplate.OfType(cfntemplate.Resources(template), "AWS::SSM::MaintenanceWindowTarget")
		for _, id := range slices.Sorted(maps.Keys(targets)) {
			if cfntemplate.Text(targets[id]["ResourceType"]) != "RESOURCE_GROUP" || !patched[cfntemplate.Ref(targets[id]["WindowId"])] {
				continue
			}
			for _, t := range cfntemplate.List(targets[id]["Targets"]) {
				t, _ := t.(map[string]any)
				values := cfntemplate.Texts(t["Values"])
				switch cfntemplate.Text(t["Key"]) {
				case "resource-groups:ResourceTypeFilters":
					if !slices.ContainsFunc(values, func(v string) bool { return strings.EqualFold(v, ec2Instance) }) {
						problems = append(problems, fmt.Sprintf("window target %s: resource-groups:ResourceTypeFilters %v, without %s: AWS-RunPatchBaseline gets no instance of the group, and none is patched (%s, Example 5)", id, values, ec2Instance, targetsPage))
					}
				case "resource-groups:Name":
					for _, name := range values {
						if types, own := groups[name]; own && !hasEC2(types) {
							problems = append(problems, fmt.Sprintf("window target %s: the stacks' resource group %s selects %v, no %s: AWS-RunPatchBaseline gets no instance of it", id, name, types, ec2Instance))
						}
					}
				}
			}
		}
	}
	return problems
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

// TaskNotifications checks each window task's NotificationConfig, where it has one, against what
// the construct writes: NotificationEvents patchingspec.FailureNotificationEvents (Failed, TimedOut,
// Cancelled, of "All | InProgress | Success | TimedOut | Cancelled | Failed": NotificationConfig,
// AWS Systems Manager API Reference, read 2026-12-07), NotificationType
// patchingspec.NotificationType, and NotificationArn the Ref of the alerts topic (the topic the
// stacks' alarms notify, where the configuration's e-mails are subscribed). With [Success] a
// failed, timed-out or cancelled patch command is published to nobody, and the window's
// execution may still end SUCCESS within MaxErrors (mutation run 28's A12).
func TaskNotifications(patching map[string]any) []string {
	resources := cfntemplate.Resources(patching)
	alerts := map[string]bool{}
	for _, a := range cfntemplate.OfType(resources, "AWS::CloudWatch::Alarm") {
		for _, action := range cfntemplate.List(a["AlarmActions"]) {
			if r, _ := resources[cfntemplate.Ref(action)].(map[string]any); r["Type"] == "AWS::SNS::Topic" {
				alerts[cfntemplate.Ref(action)] = true
			}
		}
	}
	want := slices.Sorted(slices.Values(patchingspec.FailureNotificationEvents))
	tasks := cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindowTask")
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(tasks)) {
		n, given := cfntemplate.RunCommand(tasks[id])["NotificationConfig"].(map[string]any)
		if !given {
			continue
		}
		if got := slices.Sorted(slices.Values(cfntemplate.Texts(n["NotificationEvents"]))); !slices.Equal(got, want) {
			problems = append(problems, fmt.Sprintf("task %s: notifies of events %v, not %v: a failed, timed-out or cancelled patch command must reach the alerts topic, and no other status", id, got, want))
		}
		if v := cfntemplate.Text(n["NotificationType"]); v != patchingspec.NotificationType {
			problems = append(problems, fmt.Sprintf("task %s: NotificationType %q, not %s", id, v, patchingspec.NotificationType))
		}
		if topic := cfntemplate.Ref(n["NotificationArn"]); len(alerts) > 0 && !alerts[topic] {
			problems = append(problems, fmt.Sprintf("task %s: notifies %v, not the alerts topic (%s) the alarms notify and the configuration's e-mails are subscribed to", id, n["NotificationArn"], strings.Join(slices.Sorted(maps.Keys(alerts)), ", ")))
		}
	}
	return problems
}
