package wiring

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/windows/windowsspec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// Launches checks what an instance needs to launch and to be managed (mutation run 13's A13-A15):
//   - its launch template keeps the instance metadata endpoint on, with IMDSv2: SSM Agent takes
//     the instance profile's credentials from instance metadata ("Retrieve security credentials
//     from instance metadata", Amazon EC2 User Guide), so with HttpEndpoint disabled the instance
//     never registers;
//   - its IamInstanceProfile names an instance profile of the template (a Ref of one, which is
//     its name), not a role: the launch fails on a role's name;
//   - each EBS volume's Iops and Throughput are ones its type takes: "gp3: 3,000 - 16,000 IOPS",
//     "io1: 100 - 64,000 IOPS", "io2: 100 - 256,000 IOPS", and no IOPS for other types
//     (EbsBlockDevice, Amazon EC2 API Reference, as the SDKs carry it, read 2026-12-07); a gp3
//     volume's throughput is at least its 125 MiB/s baseline. Only the minimums are judged: AWS
//     raises the maximums.
func Launches(templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		for _, id := range slices.Sorted(maps.Keys(cfntemplate.OfType(resources, "AWS::EC2::LaunchTemplate"))) {
			data, _ := cfntemplate.OfType(resources, "AWS::EC2::LaunchTemplate")[id]["LaunchTemplateData"].(map[string]any)
			metadata, _ := data["MetadataOptions"].(map[string]any)
			if cfntemplate.Text(metadata["HttpEndpoint"]) == "disabled" {
				problems = append(problems, fmt.Sprintf("launch template %s: the instance metadata endpoint is disabled: SSM Agent gets no credentials, and the instance is never managed", id))
			}
			if cfntemplate.Text(metadata["HttpTokens"]) != "required" {
				problems = append(problems, fmt.Sprintf("launch template %s: HttpTokens %q, not required: the instance answers IMDSv1", id, cfntemplate.Text(metadata["HttpTokens"])))
			}
		}
		profiles := cfntemplate.OfType(resources, "AWS::IAM::InstanceProfile")
		instances := cfntemplate.OfType(resources, "AWS::EC2::Instance")
		for _, id := range slices.Sorted(maps.Keys(instances)) {
			instance := instances[id]
			if _, ok := profiles[cfntemplate.Ref(instance["IamInstanceProfile"])]; !ok {
				problems = append(problems, fmt.Sprintf("instance %s: IamInstanceProfile %s is no instance profile of the template (a Ref of one is its name)", id, rendered(instance["IamInstanceProfile"])))
			}
			for _, m := range cfntemplate.List(instance["BlockDeviceMappings"]) {
				m, _ := m.(map[string]any)
				ebs, _ := m["Ebs"].(map[string]any)
				problems = append(problems, volumeProblems(fmt.Sprintf("instance %s, %s", id, cfntemplate.Text(m["DeviceName"])), ebs)...)
			}
		}
		volumes := cfntemplate.OfType(resources, "AWS::EC2::Volume")
		for _, id := range slices.Sorted(maps.Keys(volumes)) {
			problems = append(problems, volumeProblems("volume "+id, volumes[id])...)
		}
	}
	return problems
}

// minimumIops are the least IOPS a volume type takes, where it takes IOPS at all (Launches).
var minimumIops = map[string]int{"gp3": 3000, "io1": 100, "io2": 100}

// volumeProblems judges one EBS volume's IOPS and throughput (Launches).
func volumeProblems(what string, volume map[string]any) []string {
	kind := cmpText(volume["VolumeType"], "gp2")
	var problems []string
	if _, given := volume["Iops"]; given {
		iops := cfntemplate.Int(volume["Iops"])
		if least, ok := minimumIops[kind]; !ok {
			problems = append(problems, fmt.Sprintf("%s: a %s volume takes no Iops (%d given)", what, kind, iops))
		} else if iops < least {
			problems = append(problems, fmt.Sprintf("%s: %d IOPS, under the %d a %s volume takes", what, iops, least, kind))
		}
	}
	if _, given := volume["Throughput"]; given && kind == "gp3" && cfntemplate.Int(volume["Throughput"]) < 125 {
		problems = append(problems, fmt.Sprintf("%s: %d MiB/s, under a gp3 volume's 125", what, cfntemplate.Int(volume["Throughput"])))
	}
	return problems
}

func cmpText(v any, otherwise string) string {
	if t := cfntemplate.Text(v); t != "" {
		return t
	}
	return otherwise
}

// CronOnlyFlags checks that no association sets ApplyOnlyAtCronInterval with a rate schedule:
// the flag "isn't supported for rate expressions" (CreateAssociation, botocore 1.43.11's ssm
// model, read 2026-12-06), and the association's creation fails (mutation run 13's A16). Nor
// ScheduleOffset without both: "To use offsets, you must specify the ApplyOnlyAtCronInterval
// parameter" (CreateAssociationRequest scheduleOffset, AWS SDK for Kotlin API reference) and
// "associations and maintenance windows only support schedule offsets for cron expressions"
// ("Reference: Cron and rate expressions for Systems Manager", read 2026-12-07 in its Chinese
// translations, the search's only copy) (held-out run 31's B05: an offset on a rate scan).
func CronOnlyFlags(templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		associations := cfntemplate.OfType(cfntemplate.Resources(template), "AWS::SSM::Association")
		for _, id := range slices.Sorted(maps.Keys(associations)) {
			a := associations[id]
			flag, _ := a["ApplyOnlyAtCronInterval"].(bool)
			cron := strings.HasPrefix(cfntemplate.Text(a["ScheduleExpression"]), "cron(")
			if flag && !cron {
				problems = append(problems, fmt.Sprintf("association %s: ApplyOnlyAtCronInterval with %s, which is not a cron expression: the flag is not supported for rate expressions", id, cfntemplate.Text(a["ScheduleExpression"])))
			}
			if offset := cfntemplate.Int(a["ScheduleOffset"]); offset != 0 && (!cron || !flag) {
				problems = append(problems, fmt.Sprintf("association %s: ScheduleOffset %d with %s and ApplyOnlyAtCronInterval %v: an offset takes a cron expression and the flag, "+
					"or the association is not created", id, offset, cfntemplate.Text(a["ScheduleExpression"]), flag))
			}
		}
	}
	return problems
}

// clientPolicy checks that the WSUS client association passes the configuration's policy
// (wsus.client, wsusspec.Client.PolicyParameters): an AUOptions of 4 where the configuration says
// 3 installs updates on Windows' own schedule, outside every window (mutation run 13's B05); and
// that it targets the whole fleet (clientTargets).
func clientPolicy(fleet map[string]any, d *config.Config) []string {
	if !d.Wsus.Enabled {
		return nil
	}
	want := d.Wsus.Client.WithDefaults().PolicyParameters()
	var problems []string
	for id, a := range cfntemplate.OfType(cfntemplate.Resources(fleet), "AWS::SSM::Association") {
		if !strings.HasPrefix(id, "WsusClientAssociation") {
			continue
		}
		problems = append(problems, clientTargets(fleet, id, a, d.Fleet.Tag.Key, d.Fleet.Tag.Value, len(d.Network.WsusClientCidrs) > 0)...)
		given, _ := a["Parameters"].(map[string]any)
		for _, name := range slices.Sorted(maps.Keys(want)) {
			got := cfntemplate.Text(cfntemplate.First(given[name]))
			if got != want[name] {
				problems = append(problems, fmt.Sprintf("association %s: %s is %q, the configuration's (wsus.client) %q", id, name, got, want[name]))
			}
		}
	}
	return problems
}

// serverInstance checks that the WSUS server's instance is the configuration's: its instance
// type and its image (the pinned AMI, or the latest of its Windows release: windowsspec). A
// smaller type passes every rule the type is judged by and still cannot hold WSUS and its
// database (mutation run 19's B10: m6i.large became t3.micro, 1 GiB, caught only by a Control
// Tower control on the instance family).
func serverInstance(fleet map[string]any, d *config.Config) []string {
	if !d.Wsus.Enabled {
		return nil
	}
	want := d.Wsus.Server.WithDefaults().Instance.WithDefaults()
	image := want.AmiID
	if image == "" {
		image = "resolve:ssm:" + windowsspec.Version(want.WindowsVersion).AmiParameter()
	}
	var problems []string
	for id, i := range cfntemplate.OfType(cfntemplate.Resources(fleet), "AWS::EC2::Instance") {
		if !strings.HasPrefix(id, "WsusInstance") {
			continue
		}
		if got := cfntemplate.Text(i["InstanceType"]); got != want.InstanceType {
			problems = append(problems, fmt.Sprintf("the WSUS server %s: instance type %s, the configuration's (wsus.instanceType) %s", id, got, want.InstanceType))
		}
		if got := cfntemplate.Text(i["ImageId"]); got != image {
			problems = append(problems, fmt.Sprintf("the WSUS server %s: image %s, the configuration's %s", id, got, image))
		}
	}
	return problems
}

// serverTargets checks that the WSUS server carries its configured patch group (wsus.patchGroup)
// under both tag keys, and that the associations running the server's documents (setup, health,
// cleanup) target it: on another instance they set up and watch nothing (mutation run 20's B06:
// its Patch Group became the fleet's, so the fleet's window patched it with the fleet's; A11: the
// health association on a fleet instance).
func serverTargets(fleet map[string]any, d *config.Config) []string {
	if !d.Wsus.Enabled {
		return nil
	}
	resources := cfntemplate.Resources(fleet)
	var server string
	var problems []string
	for id, i := range cfntemplate.OfType(resources, "AWS::EC2::Instance") {
		if !strings.HasPrefix(id, "WsusInstance") {
			continue
		}
		server = id
		for _, t := range cfntemplate.List(i["Tags"]) {
			tag, _ := t.(map[string]any)
			if k := cfntemplate.Text(tag["Key"]); slices.Contains(config.PatchGroupTagKeys, k) && d.Wsus.PatchGroup != "" && cfntemplate.Text(tag["Value"]) != d.Wsus.PatchGroup {
				problems = append(problems, fmt.Sprintf("the WSUS server %s: tag %s is %v, the configuration's (wsus.patchGroup) %s", id, k, tag["Value"], d.Wsus.PatchGroup))
			}
		}
	}
	if server == "" {
		return problems
	}
	for _, id := range slices.Sorted(maps.Keys(cfntemplate.OfType(resources, "AWS::SSM::Association"))) {
		a := resources[id].(map[string]any)["Properties"].(map[string]any)
		document := cfntemplate.Ref(a["Name"])
		if !slices.ContainsFunc([]string{"WsusSetupDocument", "WsusHealthDocument", "WsusCleanupDocument"}, func(p string) bool { return strings.HasPrefix(document, p) }) {
			continue
		}
		targets := cfntemplate.List(a["Targets"])
		t, _ := cfntemplate.First(targets).(map[string]any)
		if len(targets) != 1 || cfntemplate.Text(t["Key"]) != "InstanceIds" || len(cfntemplate.List(t["Values"])) != 1 || cfntemplate.Ref(cfntemplate.First(t["Values"])) != server {
			problems = append(problems, fmt.Sprintf("association %s: runs the WSUS server's %s on %v, not the server %s", id, document, targets, server))
		}
	}
	return problems
}

// clientTargets checks that the WSUS client association targets the fleet: its one target is the
// fleet tag with the fleet's value (hybrid nodes included), or, where no on-premises network uses
// WSUS (network.wsusClientCidrs), the fleet stack's resource group of the fleet's EC2 instances
// by that tag. A narrower target leaves the rest of the fleet on Windows Update's own source
// (mutation run 17's B07: the dev ring's patch group only, so test and prod were never pointed
// at WSUS); the EC2-only group where hybrid nodes use WSUS leaves them out.
func clientTargets(fleet map[string]any, id string, a map[string]any, fleetTag, fleetValue string, hybrid bool) []string {
	fleetGroups := map[string]bool{}
	for _, g := range cfntemplate.OfType(cfntemplate.Resources(fleet), "AWS::ResourceGroups::Group") {
		q, _ := g["ResourceQuery"].(map[string]any)
		query, _ := q["Query"].(map[string]any)
		filters := cfntemplate.List(query["TagFilters"])
		if len(filters) != 1 || hybrid || !slices.Equal(cfntemplate.Texts(query["ResourceTypeFilters"]), []string{"AWS::EC2::Instance"}) {
			continue
		}
		filter, _ := filters[0].(map[string]any)
		if cfntemplate.Text(filter["Key"]) == fleetTag && slices.Equal(cfntemplate.Texts(filter["Values"]), []string{fleetValue}) {
			fleetGroups[cfntemplate.Text(g["Name"])] = true
		}
	}
	targets := cfntemplate.List(a["Targets"])
	if len(targets) == 1 {
		t, _ := targets[0].(map[string]any)
		values := cfntemplate.Texts(t["Values"])
		switch key := cfntemplate.Text(t["Key"]); {
		case key == "tag:"+fleetTag && slices.Equal(values, []string{fleetValue}):
			return nil
		case key == "resource-groups:Name" && len(values) == 1 && fleetGroups[values[0]]:
			return nil
		}
	}
	var given []string
	for _, t := range targets {
		t, _ := t.(map[string]any)
		given = append(given, fmt.Sprintf("%s=%v", cfntemplate.Text(t["Key"]), cfntemplate.Texts(t["Values"])))
	}
	want := fmt.Sprintf("tag %s=%s, or the fleet stack's group of its EC2 instances", fleetTag, fleetValue)
	if hybrid {
		want = fmt.Sprintf("tag %s=%s, hybrid nodes included: network.wsusClientCidrs", fleetTag, fleetValue)
	}
	return []string{fmt.Sprintf("association %s: targets %s, not the fleet (%s): the instances it leaves out are never pointed at WSUS", id, strings.Join(given, " "), want)}
}

// GroupQueries checks each resource group's query against its type: TAG_FILTERS_1_0 selects by
// TagFilters (and ResourceTypeFilters), CLOUDFORMATION_STACK_1_0 by StackIdentifier
// ("ResourceQuery", AWS Resource Groups API Reference); a query of the other type fails the
// group's creation (mutation run 13's B11).
func GroupQueries(templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		groups := cfntemplate.OfType(cfntemplate.Resources(template), "AWS::ResourceGroups::Group")
		for _, id := range slices.Sorted(maps.Keys(groups)) {
			q, _ := groups[id]["ResourceQuery"].(map[string]any)
			query, _ := q["Query"].(map[string]any)
			_, tags := query["TagFilters"]
			_, stack := query["StackIdentifier"]
			switch kind := cfntemplate.Text(q["Type"]); {
			case kind == "TAG_FILTERS_1_0" && (!tags || stack):
				problems = append(problems, fmt.Sprintf("resource group %s: a TAG_FILTERS_1_0 query without TagFilters, or with a StackIdentifier", id))
			case kind == "CLOUDFORMATION_STACK_1_0" && tags:
				problems = append(problems, fmt.Sprintf("resource group %s: a CLOUDFORMATION_STACK_1_0 query with TagFilters, which only TAG_FILTERS_1_0 takes", id))
			case kind != "TAG_FILTERS_1_0" && kind != "CLOUDFORMATION_STACK_1_0" && q != nil:
				problems = append(problems, fmt.Sprintf("resource group %s: query type %q is neither TAG_FILTERS_1_0 nor CLOUDFORMATION_STACK_1_0", id, kind))
			}
		}
	}
	return problems
}

// windowResourceGroup checks that window id, which the configuration targets by a resource
// group, targets that group by its AWS name (config.ResourceGroupName; windowPatchGroups calls
// it): another group's members are patched and rebooted in its place, and its own never (mutation
// run 13's B12).
func windowResourceGroup(resources map[string]any, name, id, want string) []string {
	var problems []string
	targets := cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindowTarget")
	for _, tid := range slices.Sorted(maps.Keys(targets)) {
		if cfntemplate.Ref(targets[tid]["WindowId"]) != id {
			continue
		}
		for _, t := range cfntemplate.List(targets[tid]["Targets"]) {
			t, _ := t.(map[string]any)
			if cfntemplate.Text(t["Key"]) != "resource-groups:Name" {
				continue
			}
			if got := cfntemplate.Texts(t["Values"]); !slices.Equal(got, []string{want}) {
				problems = append(problems, fmt.Sprintf("window %s: target %s names resource group(s) %v, the configuration's is %s", name, tid, got, want))
			}
		}
	}
	return problems
}

// emailSubscriptions checks that each configured e-mail is subscribed to the alerts by the email
// protocol (an e-mail address given another protocol, sms, is refused, and the alerts reach no
// one: mutation run 13's B20), exactly once, and that no email subscription is to an address the
// configuration (patching.notifications.emails) does not name: alerts to it reach a mailbox nobody
// named, whose confirmation nobody clicks (run 25's B08: oncall+patch@ made oncall@).
func emailSubscriptions(patching map[string]any, d *config.Config) []string {
	if patching == nil {
		return nil
	}
	var problems []string
	emails := d.Patching.Notifications.Emails
	count := map[string]int{}
	subscriptions := cfntemplate.OfType(cfntemplate.Resources(patching), "AWS::SNS::Subscription")
	for _, id := range slices.Sorted(maps.Keys(subscriptions)) {
		s := subscriptions[id]
		endpoint, protocol := cfntemplate.Text(s["Endpoint"]), cfntemplate.Text(s["Protocol"])
		count[endpoint]++
		switch {
		case slices.Contains(emails, endpoint) && protocol != "email":
			problems = append(problems, fmt.Sprintf("subscription %s: the configured e-mail %s by protocol %q, not email", id, endpoint, protocol))
		case protocol == "email" && !slices.Contains(emails, endpoint):
			problems = append(problems, fmt.Sprintf("subscription %s: e-mail %s, which is none of the configuration's (%s)", id, endpoint, strings.Join(emails, ", ")))
		}
	}
	for _, email := range slices.Compact(slices.Sorted(slices.Values(emails))) {
		if count[email] != 1 {
			problems = append(problems, fmt.Sprintf("the configured e-mail %s is subscribed %d times, not once", email, count[email]))
		}
	}
	return problems
}

// TargetTypes checks each window target's ResourceType against its keys: resource-groups: keys
// select a RESOURCE_GROUP target, instance ids and tags an INSTANCE one
// (RegisterTargetWithMaintenanceWindow, Systems Manager API Reference: "Key=resource-groups:Name"
// with ResourceType RESOURCE_GROUP); a mismatch is refused, or selects nothing (mutation run 13's
// A11, caught before only by a permission no longer needed).
func TargetTypes(patching map[string]any) []string {
	targets := cfntemplate.OfType(cfntemplate.Resources(patching), "AWS::SSM::MaintenanceWindowTarget")
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(targets)) {
		kind := cfntemplate.Text(targets[id]["ResourceType"])
		for _, t := range cfntemplate.List(targets[id]["Targets"]) {
			t, _ := t.(map[string]any)
			key := cfntemplate.Text(t["Key"])
			if group := strings.HasPrefix(key, "resource-groups:"); group != (kind == "RESOURCE_GROUP") {
				problems = append(problems, fmt.Sprintf("window target %s: key %s with ResourceType %s", id, key, kind))
			}
		}
	}
	return problems
}

// namedGroups checks that every resource group an association or window targets by name is one
// the stacks create or one the configuration names (a window's targets.resourceGroup, the
// configuration checks' resourceGroup): a name of neither selects nothing, and its association
// or window runs on no node (mutation run 13's B09, caught before only by a permission no longer
// needed).
func namedGroups(d *config.Config, templates ...map[string]any) []string {
	known := map[string]bool{}
	for _, w := range d.Patching.MaintenanceWindows {
		if w.Targets.ResourceGroup != "" {
			known[d.ResourceGroupName(w.Targets.ResourceGroup)] = true
		}
	}
	if g := d.Assets.ConfigurationChecks.ResourceGroup; g != "" {
		known[d.ResourceGroupName(g)] = true
	}
	for _, template := range templates {
		for _, g := range cfntemplate.OfType(cfntemplate.Resources(template), "AWS::ResourceGroups::Group") {
			known[cfntemplate.Text(g["Name"])] = true
		}
	}
	var problems []string
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		for _, kind := range []string{"AWS::SSM::Association", "AWS::SSM::MaintenanceWindowTarget"} {
			items := cfntemplate.OfType(resources, kind)
			for _, id := range slices.Sorted(maps.Keys(items)) {
				for _, t := range cfntemplate.List(items[id]["Targets"]) {
					t, _ := t.(map[string]any)
					if cfntemplate.Text(t["Key"]) != "resource-groups:Name" {
						continue
					}
					for _, name := range cfntemplate.Texts(t["Values"]) {
						if !known[name] {
							problems = append(problems, fmt.Sprintf("%s %s: targets resource group %s, which neither the stacks create nor the configuration names", kind, id, name))
						}
					}
				}
			}
		}
	}
	return problems
}

// StepInputs checks that every Command document step running a script gives its plugin the input
// it reads: "runCommand" for aws:runPowerShellScript and aws:runShellScript, required by both
// ("Command document plugin reference", AWS Systems Manager User Guide). A step with its commands
// under another name runs nothing: WSUS is never installed (mutation run 16's A12).
func StepInputs(templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		documents := cfntemplate.OfType(cfntemplate.Resources(template), "AWS::SSM::Document")
		for _, id := range slices.Sorted(maps.Keys(documents)) {
			content, _ := documents[id]["Content"].(map[string]any)
			for i, step := range cfntemplate.List(content["mainSteps"]) {
				step, _ := step.(map[string]any)
				action := cfntemplate.Text(step["action"])
				inputs, _ := step["inputs"].(map[string]any)
				_, text := inputs["runCommand"].(string)
				if (action == "aws:runPowerShellScript" || action == "aws:runShellScript") && !text && len(cfntemplate.List(inputs["runCommand"])) == 0 {
					problems = append(problems, fmt.Sprintf("document %s: step %d (%s) has no runCommand input: it runs nothing", id, i, action))
				}
			}
		}
	}
	return problems
}

// Uniqueness and forms checks what one resource or two must state alike, in the forms AWS takes
// (mutation run 17's misses):
//   - SSM documents named explicitly have distinct names within the deployment: the second
//     create fails with DocumentAlreadyExists (A14);
//   - a flow log's aggregation interval and destination properties (flowLogForm) (B14, A16);
//   - AWS-CreateImage's literal NoReboot is a boolean, "true" or "false" (AWS-CreateImage runbook
//     parameters) (B04);
//   - a key policy allows the deployment's own account root and no other's (keyPolicyRoots)
//     (B05);
//   - a window task's notification topic is one of the stacks' (a Ref) or of the deployment's
//     region and account: the stacks write their alerts topic's Ref, whose policy and
//     subscriptions are the configuration's; a literal of another account or region is not it
//     (A09). No AWS page forbids such a topic: this checks the stacks' intent.
func Uniqueness(account, region string, templates ...map[string]any) []string {
	var problems []string
	names := map[string]string{}
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		documents := cfntemplate.OfType(resources, "AWS::SSM::Document")
		for _, id := range slices.Sorted(maps.Keys(documents)) {
			if name, literal := documents[id]["Name"].(string); literal {
				if other, seen := names[name]; seen {
					problems = append(problems, fmt.Sprintf("document %s: named %s, as document %s is", id, name, other))
				}
				names[name] = id
			}
		}
		for id, f := range cfntemplate.OfType(resources, "AWS::EC2::FlowLog") {
			problems = append(problems, flowLogForm(id, f)...)
		}
		tasks := cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindowTask")
		for _, id := range slices.Sorted(maps.Keys(tasks)) {
			if cfntemplate.TaskDocument(tasks[id]) == "AWS-CreateImage" {
				// Literal values only: a reference is CloudFormation's to resolve.
				if v, literal := cfntemplate.First(cfntemplate.Parameters(cfntemplate.Automation(tasks[id]))["NoReboot"]).(string); literal && v != "true" && v != "false" {
					problems = append(problems, fmt.Sprintf("task %s: AWS-CreateImage's NoReboot %q, not true or false", id, v))
				}
			}
			notification, _ := cfntemplate.RunCommand(tasks[id])["NotificationConfig"].(map[string]any)
			if arn, literal := notification["NotificationArn"].(string); literal {
				if parts := strings.Split(arn, ":"); len(parts) > 4 && (parts[3] != region || (account != "" && parts[4] != account)) {
					problems = append(problems, fmt.Sprintf("task %s: notifies %s, a topic of another region or account, not the deployment's alerts topic: "+
						"its notification role may publish to the stacks' topic only, and nobody the configuration names is subscribed there", id, arn))
				}
			}
		}
		keys := cfntemplate.OfType(resources, "AWS::KMS::Key")
		for _, id := range slices.Sorted(maps.Keys(keys)) {
			problems = append(problems, keyPolicyRoots(id, keys[id]["KeyPolicy"], account)...)
		}
	}
	return problems
}

// flowLogForm checks a flow log's literal aggregation interval (60 or 600 seconds) and that its
// destination properties fit its type (CreateFlowLogs, botocore 1.43.11's ec2 model:
// DeliverLogsPermissionArn "is required if the destination type is cloud-watch-logs";
// LogGroupName "is valid only if the destination type is cloud-watch-logs"; an s3 destination is
// the bucket's ARN, LogDestination).
func flowLogForm(id string, f map[string]any) []string {
	var problems []string
	if v, literal := f["MaxAggregationInterval"].(float64); literal && v != 60 && v != 600 {
		problems = append(problems, fmt.Sprintf("flow log %s: MaxAggregationInterval %v, not 60 or 600", id, v))
	}
	_, group := f["LogGroupName"]
	_, destination := f["LogDestination"]
	_, role := f["DeliverLogsPermissionArn"]
	switch cmpText(f["LogDestinationType"], "cloud-watch-logs") {
	case "s3":
		if group || !destination {
			problems = append(problems, fmt.Sprintf("flow log %s: to s3 it needs a LogDestination (given: %t) and no LogGroupName (given: %t)", id, destination, group))
		}
	case "cloud-watch-logs":
		if !group && !destination {
			problems = append(problems, fmt.Sprintf("flow log %s: to CloudWatch Logs without a log group", id))
		}
		if !role {
			problems = append(problems, fmt.Sprintf("flow log %s: to CloudWatch Logs without DeliverLogsPermissionArn, the role that publishes to it", id))
		}
	}
	return problems
}

// keyPolicyRoots checks that a key policy lets the deployment's own account in, the statement
// that lets the account's IAM policies manage and use the key ("Default key policy", AWS KMS
// Developer Guide, read 2026-12-07: "Allows access to the AWS account and enables IAM
// policies"), and allows no other account's root: without the first the account's
// administrators are locked out of the key (mutation run 17's B05); the second lets another
// account's principals use the key as far as the statement allows ("Allowing users in other
// accounts to use a KMS key"), which the stacks never mean. Only Allow statements' Principal
// counts. A root is arn:<partition>:iam::<account>:root or the bare account id, in a literal,
// an Fn::Join or an Fn::Sub; the own account is the configured one or ${AWS::AccountId}. A key
// without a policy gets KMS's default one, which is that statement.
func keyPolicyRoots(id string, policy any, account string) []string {
	if policy == nil {
		return nil
	}
	var problems []string
	ownRoot := false
	document, _ := policy.(map[string]any)
	for _, st := range cfntemplate.Values(document["Statement"]) {
		statement, _ := st.(map[string]any)
		principal, _ := statement["Principal"].(map[string]any)
		if statement["Effect"] != "Allow" {
			continue
		}
		for _, p := range cfntemplate.Values(principal["AWS"]) {
			root := rootAccount(p)
			switch {
			case root == "":
			case root == "${AWS::AccountId}" || (account != "" && root == account):
				ownRoot = true
			default:
				problems = append(problems, fmt.Sprintf("key %s: its policy allows account %s's root, an account other than the deployment's: its principals may be granted the key", id, root))
			}
		}
	}
	if !ownRoot {
		problems = append(problems, fmt.Sprintf("key %s: its policy does not allow the deployment's account root: the account's IAM policies cannot manage or use the key", id))
	}
	return problems
}

// rootPrincipal is an account root: its ARN in any partition, or the bare account id.
var rootPrincipal = regexp.MustCompile(`^(?:arn:(?:\$\{AWS::Partition\}|[^:]+):iam::(\d{12}|\$\{AWS::AccountId\}):root|(\d{12}|\$\{AWS::AccountId\}))$`)

// rootAccount is the account whose root a principal names (an id, or ${AWS::AccountId}), or "".
func rootAccount(principal any) string {
	text := cfntemplate.Joined(principal, func(v any) string {
		m, _ := v.(map[string]any)
		if ref, ok := m["Ref"].(string); ok {
			return "${" + ref + "}"
		}
		if sub, ok := m["Fn::Sub"].(string); ok {
			return sub
		}
		return "${?}"
	})
	if m := rootPrincipal.FindStringSubmatch(text); m != nil {
		return m[1] + m[2]
	}
	return ""
}
