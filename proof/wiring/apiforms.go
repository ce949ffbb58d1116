package wiring

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// APIForms checks values the API takes in forms CloudFormation's specification does not list, so
// CDK's validation lets another through (mutation run 19's misses):
//   - a task's notification events and type are the API's (patchingspec.NotificationEvents,
//     NotificationTypes): "Canceled" fails the task's registration (A16);
//   - a resource data sync's format is JsonSerDe, its one (A11);
//   - a CLOUDFORMATION_STACK_1_0 group names its stack by ARN ("StackIdentifier: the ARN of a
//     CloudFormation stack", AWS::ResourceGroups::Group Query), the stack's own AWS::StackId or
//     a literal ARN (A08);
//   - a Glue table's partition projection enumerates the deployment's account and region: the
//     sync writes under accountid=<account>/region=<region>, and another value reads nothing, so
//     the queries answer that nothing is missing (A13);
//   - no association runs AWS-RunPatchBaselineAssociation: it chooses its baseline by BaselineTags,
//     not by patch group ("About the AWS-RunPatchBaselineAssociation SSM document", AWS Systems
//     Manager User Guide), so a scan by it judges the nodes against another baseline (B12).
func APIForms(account, region string, templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		tasks := cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindowTask")
		for _, id := range slices.Sorted(maps.Keys(tasks)) {
			n, _ := cfntemplate.RunCommand(tasks[id])["NotificationConfig"].(map[string]any)
			for _, e := range cfntemplate.List(n["NotificationEvents"]) {
				if v, literal := e.(string); literal && !slices.Contains(patchingspec.NotificationEvents, v) {
					problems = append(problems, fmt.Sprintf("task %s: notification event %q is not one the API takes (%s)", id, v, strings.Join(patchingspec.NotificationEvents, ", ")))
				}
			}
			if v, literal := n["NotificationType"].(string); literal && !slices.Contains(patchingspec.NotificationTypes, v) {
				problems = append(problems, fmt.Sprintf("task %s: notification type %q is not Command or Invocation", id, v))
			}
		}
		for id, s := range cfntemplate.OfType(resources, "AWS::SSM::ResourceDataSync") {
			destination, _ := s["S3Destination"].(map[string]any)
			for _, v := range []any{s["SyncFormat"], destination["SyncFormat"]} {
				if format, literal := v.(string); literal && !slices.Contains(patchingspec.SyncFormats, format) {
					problems = append(problems, fmt.Sprintf("resource data sync %s: SyncFormat %q, not %s", id, format, patchingspec.SyncFormat))
				}
			}
		}
		problems = append(problems, stackGroups(resources)...)
		problems = append(problems, projections(resources, account, region)...)
		for id, a := range cfntemplate.OfType(resources, "AWS::SSM::Association") {
			if cfntemplate.Text(a["Name"]) == "AWS-RunPatchBaselineAssociation" {
				problems = append(problems, fmt.Sprintf("association %s: runs AWS-RunPatchBaselineAssociation, which chooses its baseline by BaselineTags, not by patch group: use AWS-RunPatchBaseline", id))
			}
		}
	}
	return problems
}

// stackGroups: a CLOUDFORMATION_STACK_1_0 group's StackIdentifier is the stack's ARN.
func stackGroups(resources map[string]any) []string {
	var problems []string
	for id, g := range cfntemplate.OfType(resources, "AWS::ResourceGroups::Group") {
		q, _ := g["ResourceQuery"].(map[string]any)
		query, _ := q["Query"].(map[string]any)
		stack, given := query["StackIdentifier"]
		if cfntemplate.Text(q["Type"]) != "CLOUDFORMATION_STACK_1_0" || !given || cfntemplate.Ref(stack) == "AWS::StackId" {
			continue
		}
		if text, literal := stack.(string); !literal || !strings.HasPrefix(text, "arn:") || !strings.Contains(text, ":cloudformation:") {
			problems = append(problems, fmt.Sprintf("resource group %s: StackIdentifier %v is not a stack's ARN", id, stack))
		}
	}
	return problems
}

// projections: a Glue table's enum projections of accountid and region are the deployment's.
func projections(resources map[string]any, account, region string) []string {
	var problems []string
	for id, t := range cfntemplate.OfType(resources, "AWS::Glue::Table") {
		input, _ := t["TableInput"].(map[string]any)
		params, _ := input["Parameters"].(map[string]any)
		for key, want := range map[string][2]string{"projection.accountid.values": {"AWS::AccountId", account}, "projection.region.values": {"AWS::Region", region}} {
			v, given := params[key]
			if !given || cfntemplate.Ref(v) == want[0] {
				continue
			}
			if text, literal := v.(string); !literal || want[1] == "" || text != want[1] {
				problems = append(problems, fmt.Sprintf("Glue table %s: %s is %v, not the deployment's %s: the sync writes under the deployment's, and the queries read nothing", id, key, v, cmpText(want[1], "${"+want[0]+"}")))
			}
		}
	}
	return problems
}
