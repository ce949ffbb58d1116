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
			if v, literal := a["ComplianceSeverity"].(string); literal && !slices.Contains(patchingspec.ComplianceSeverities, v) {
				problems = append(problems, fmt.Sprintf("association %s: ComplianceSeverity %q is not one the API takes (%s)", id, v, strings.Join(patchingspec.ComplianceSeverities, ", ")))
			}
		}
		problems = append(problems, bucketOwnership(resources)...)
		problems = append(problems, flowLogResources(resources)...)
	}
	return problems
}

// bucketOwnership: a bucket keeps ACLs disabled (ObjectOwnership BucketOwnerEnforced, S3's
// default for new buckets and its recommendation: "Controlling ownership of objects and disabling
// ACLs for your bucket", Amazon S3 User Guide): the stacks grant by policy only, and ACLs back on
// let a writer's object stay the writer's (mutation run 20's A10).
func bucketOwnership(resources map[string]any) []string {
	var problems []string
	for id, b := range cfntemplate.OfType(resources, "AWS::S3::Bucket") {
		controls, _ := b["OwnershipControls"].(map[string]any)
		for _, r := range cfntemplate.List(controls["Rules"]) {
			rule, _ := r.(map[string]any)
			if v := cfntemplate.Text(rule["ObjectOwnership"]); v != "BucketOwnerEnforced" {
				problems = append(problems, fmt.Sprintf("bucket %s: ObjectOwnership %s turns ACLs on, where the stacks grant by policy only: BucketOwnerEnforced", id, v))
			}
		}
	}
	return problems
}

// flowLogResources: a flow log's ResourceId is a resource of its ResourceType (CreateFlowLogs:
// "The IDs of the resources to monitor ... The type of resource to monitor"): a subnet's id
// under ResourceType VPC fails the create (mutation run 20's A05).
func flowLogResources(resources map[string]any) []string {
	types := map[string]struct{ cfnType, idPrefix string }{"VPC": {"AWS::EC2::VPC", "vpc-"}, "Subnet": {"AWS::EC2::Subnet", "subnet-"}, "NetworkInterface": {"AWS::EC2::NetworkInterface", "eni-"}}
	var problems []string
	for id, f := range cfntemplate.OfType(resources, "AWS::EC2::FlowLog") {
		want, known := types[cfntemplate.Text(f["ResourceType"])]
		if !known {
			continue
		}
		if ref := cfntemplate.Ref(f["ResourceId"]); ref != "" {
			if target, _ := resources[ref].(map[string]any); target != nil && target["Type"] != want.cfnType {
				problems = append(problems, fmt.Sprintf("flow log %s: ResourceType %v, ResourceId the %v %s", id, f["ResourceType"], target["Type"], ref))
			}
		} else if text, literal := f["ResourceId"].(string); literal && !strings.HasPrefix(text, want.idPrefix) {
			problems = append(problems, fmt.Sprintf("flow log %s: ResourceType %v, ResourceId %s", id, f["ResourceType"], text))
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

// Ordering checks that a resource CloudFormation would otherwise create too early waits for what
// it needs, where no reference orders them (mutation run 20's A14, B01):
//   - a route to an internet gateway waits for the gateway's attachment to the VPC ("When a
//     DependsOn attribute is required": a route that includes a VPC gateway must depend on the
//     VPC-gateway attachment, DependsOn attribute, CloudFormation Template Reference);
//   - a Security Hub standard waits for the hub of its template: a standard is enabled in an
//     account whose Security Hub is, and nothing else orders the two.
func Ordering(templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		attachments := map[string]string{} // internet gateway -> its attachment
		for id, a := range cfntemplate.OfType(resources, "AWS::EC2::VPCGatewayAttachment") {
			attachments[cfntemplate.Ref(a["InternetGatewayId"])] = id
		}
		for _, id := range slices.Sorted(maps.Keys(cfntemplate.OfType(resources, "AWS::EC2::Route"))) {
			route := resources[id].(map[string]any)
			gateway := cfntemplate.Ref(route["Properties"].(map[string]any)["GatewayId"])
			if attachment, ok := attachments[gateway]; ok && !slices.Contains(dependsOn(route), attachment) {
				problems = append(problems, fmt.Sprintf("route %s: to internet gateway %s without DependsOn its attachment %s: it may be created before the gateway is attached, and fail", id, gateway, attachment))
			}
		}
		hubs := slices.Sorted(maps.Keys(cfntemplate.OfType(resources, "AWS::SecurityHub::Hub")))
		for _, id := range slices.Sorted(maps.Keys(cfntemplate.OfType(resources, "AWS::SecurityHub::Standard"))) {
			standard := resources[id].(map[string]any)
			if len(hubs) > 0 && !slices.Contains(dependsOn(standard), hubs[0]) && !strings.Contains(fmt.Sprint(standard["Properties"]), hubs[0]) {
				problems = append(problems, fmt.Sprintf("standard %s: neither depends on nor names the hub %s: it may be enabled before Security Hub is, and fail", id, hubs[0]))
			}
		}
	}
	return problems
}

// dependsOn is a resource's DependsOn, a name or a list.
func dependsOn(resource map[string]any) []string {
	return cfntemplate.Texts(resource["DependsOn"])
}

// TagKeyConditions checks that an Allow statement limiting the tag keys of a request
// (aws:TagKeys) uses a ForAllValues operator: every key of the request must be one listed, as
// AWS's example of adding a specific tag does ("IAM: Add a specific tag with specific values",
// IAM User Guide: "The condition returns true if all of the tag keys in the request match the key
// in the policy"). ForAnyValue is true when one key matches, so the request may carry any other
// key beside it (mutation run 20's B20: the start-stop role could then set or delete any tag).
func TagKeyConditions(templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		for id, p := range cfntemplate.OfType(cfntemplate.Resources(template), "AWS::IAM::Policy") {
			doc, _ := p["PolicyDocument"].(map[string]any)
			for i, st := range cfntemplate.Values(doc["Statement"]) {
				statement, _ := st.(map[string]any)
				conditions, _ := statement["Condition"].(map[string]any)
				for operator, c := range conditions {
					keys, _ := c.(map[string]any)
					if _, limits := keys["aws:TagKeys"]; limits && statement["Effect"] == "Allow" && !strings.HasPrefix(operator, "ForAllValues:") {
						problems = append(problems, fmt.Sprintf("policy %s: statement %v limits aws:TagKeys with %s, not ForAllValues: a request may carry any other tag key beside one listed", id, cmpText(statement["Sid"], fmt.Sprintf("#%d", i+1)), operator))
					}
				}
			}
		}
	}
	return problems
}
