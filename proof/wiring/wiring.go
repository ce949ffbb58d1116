// Package wiring checks how a deployment's templates connect their own resources where no other
// proof looks: a maintenance window task's targets and its window, the patch groups windows and
// associations target and the baselines registered for them, the alert rules the topic admits
// and the topic they deliver to, and the WSUS clients' URL and the server's setup. Each problem
// is a sentence naming the resources; a deploy, or the first patching run, would show it.
package wiring

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// patchGroupTagKeys are the target keys that name a patch group (tag: and a key of
// patchingspec.PatchGroupTagKeys), and patchDocuments those that scan or install patches.
var (
	patchGroupTagKeys = []string{"tag:" + patchingspec.PatchGroupTagKeys[0], "tag:" + patchingspec.PatchGroupTagKeys[1]}
	patchDocuments    = patchingspec.PatchDocuments
)

// Patching checks the patching stack's template: problems, and notes on what it cannot judge.
// configured are the patch groups the configuration's baselines serve: one the template's
// baselines do not register is a problem (its nodes would get the default baseline), another
// group without a baseline a note.
func Patching(template map[string]any, configured []string) (problems, notes []string) {
	resources, _ := template["Resources"].(map[string]any)
	problems = append(taskTargets(resources), alertRules(resources)...)
	problems = append(problems, subscriptionEndpoints(resources)...)
	problems = append(problems, alarmActions(resources)...)
	for _, u := range patchGroupsWithoutBaseline(resources) {
		if slices.Contains(configured, u.group) {
			problems = append(problems, u.text+", though the configuration serves it")
		} else {
			notes = append(notes, u.text+" unless one registered outside them serves it")
		}
	}
	return problems, notes
}

// unserved is a patch group a window or association targets that no baseline of the template
// registers.
type unserved struct{ group, text string }

// taskTargets: a task's WindowTargetIds must be targets of its own window: a task names
// "maintenance window targets" (RegisterTaskWithMaintenanceWindow Targets, botocore 1.43.11's
// ssm model: Key=WindowTargetIds), which are registered with one window (their WindowId).
func taskTargets(resources map[string]any) []string {
	targets := cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindowTarget")
	tasks := cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindowTask")
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(tasks)) {
		task := tasks[id]
		for _, t := range cfntemplate.List(task["Targets"]) {
			t, _ := t.(map[string]any)
			if t["Key"] != "WindowTargetIds" {
				continue
			}
			for _, v := range cfntemplate.List(t["Values"]) {
				target, ok := targets[cfntemplate.Ref(v)]
				switch {
				case !ok:
					problems = append(problems, fmt.Sprintf("task %s: its target %v is no window target of the template", id, v))
				case cfntemplate.Ref(target["WindowId"]) != cfntemplate.Ref(task["WindowId"]):
					problems = append(problems, fmt.Sprintf("task %s: its target %s is registered with window %s, not with the task's window %s", id, cfntemplate.Ref(v), cfntemplate.Ref(target["WindowId"]), cfntemplate.Ref(task["WindowId"])))
				}
			}
		}
	}
	return problems
}

// patchGroupsWithoutBaseline are notes on each patch group a window running a patch document, or
// a patch association, targets that no baseline of the template registers (PatchGroups). The
// configuration may mean it (a baseline registered outside these stacks serves the group), so it
// is a note, not a problem; but where none is registered,
// "Patch Manager does not find a patch baseline that has the patch group ... associated", it
// "notifies SSM Agent to use the default Windows patch baseline" ("About patch groups", Systems
// Manager User Guide, awsdocs/aws-systems-manager-user-guide, read 2026-12-07).
func patchGroupsWithoutBaseline(resources map[string]any) []unserved {
	registered := map[string]bool{}
	for _, b := range cfntemplate.OfType(resources, "AWS::SSM::PatchBaseline") {
		for _, g := range cfntemplate.List(b["PatchGroups"]) {
			registered[fmt.Sprint(g)] = true
		}
	}
	patchingWindows := map[string]bool{}
	for _, task := range cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindowTask") {
		if slices.Contains(patchDocuments, fmt.Sprint(task["TaskArn"])) {
			patchingWindows[cfntemplate.Ref(task["WindowId"])] = true
		}
	}
	var problems []unserved
	check := func(what string, targets any) {
		for _, t := range cfntemplate.List(targets) {
			t, _ := t.(map[string]any)
			if !slices.Contains(patchGroupTagKeys, fmt.Sprint(t["Key"])) {
				continue
			}
			for _, g := range cfntemplate.List(t["Values"]) {
				if !registered[fmt.Sprint(g)] {
					problems = append(problems, unserved{fmt.Sprint(g), fmt.Sprintf("%s targets patch group %q, for which no baseline of these stacks is registered: its nodes are patched with the default baseline", what, g)})
				}
			}
		}
	}
	targets := cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindowTarget")
	for _, id := range slices.Sorted(maps.Keys(targets)) {
		if patchingWindows[cfntemplate.Ref(targets[id]["WindowId"])] {
			check("window target "+id, targets[id]["Targets"])
		}
	}
	associations := cfntemplate.OfType(resources, "AWS::SSM::Association")
	for _, id := range slices.Sorted(maps.Keys(associations)) {
		if slices.Contains(patchDocuments, fmt.Sprint(associations[id]["Name"])) {
			check("association "+id, associations[id]["Targets"])
		}
	}
	return problems
}

// alertRules: each EventBridge rule a topic's policy lets publish (aws:SourceArn) must be in the
// template and deliver to that topic (a target whose Arn is the topic's: its Ref). That it is
// enabled, as every rule of the stacks must be, is RulesEnabled's.
func alertRules(resources map[string]any) []string {
	rules := cfntemplate.OfType(resources, "AWS::Events::Rule")
	var problems []string
	policies := cfntemplate.OfType(resources, "AWS::SNS::TopicPolicy")
	for _, policyID := range slices.Sorted(maps.Keys(policies)) {
		policy := policies[policyID]
		doc, _ := policy["PolicyDocument"].(map[string]any)
		for _, st := range cfntemplate.List(doc["Statement"]) {
			st, _ := st.(map[string]any)
			principal, _ := st["Principal"].(map[string]any)
			if st["Effect"] != "Allow" || principal["Service"] != "events.amazonaws.com" {
				continue
			}
			topic := cfntemplate.Ref(st["Resource"])
			condition, _ := st["Condition"].(map[string]any)
			equals, _ := condition["ArnEquals"].(map[string]any)
			for _, source := range cfntemplate.List(equals["aws:SourceArn"]) {
				id := cfntemplate.GetAtt(source)
				rule, ok := rules[id]
				switch {
				case !ok:
					problems = append(problems, fmt.Sprintf("topic policy %s admits rule %s, which the template does not have", policyID, id))
				case !slices.ContainsFunc(cfntemplate.List(rule["Targets"]), func(t any) bool { m, _ := t.(map[string]any); return cfntemplate.Ref(m["Arn"]) == topic }):
					problems = append(problems, fmt.Sprintf("rule %s: no target is topic %s (its Ref), which admits it: its alerts go nowhere", id, topic))
				}
			}
		}
	}
	return problems
}

// Fleet checks the fleet stack's template: the WSUS clients' URL names the server's setup port
// with its scheme (http on wsusspec.HTTPPort, https on wsusspec.HTTPSPort), the server itself
// and, over https, the name its certificate is set up for (ServerName); a client's target group
// is one the setup creates.
func Fleet(template map[string]any) []string {
	resources, _ := template["Resources"].(map[string]any)
	associations := cfntemplate.OfType(resources, "AWS::SSM::Association")
	var setup, client map[string]any
	var setupID, clientID string
	for _, id := range slices.Sorted(maps.Keys(associations)) {
		params, _ := associations[id]["Parameters"].(map[string]any)
		switch {
		case params["UpdateStoreVolumeId"] != nil:
			setup, setupID = params, id
		case params["WsusUrl"] != nil:
			client, clientID = params, id
		}
	}
	if setup == nil || client == nil {
		return nil
	}
	var problems []string
	scheme, host, port := splitURL(cfntemplate.First(client["WsusUrl"]))
	setupPort := fmt.Sprint(cfntemplate.First(setup["Port"]))
	if port != setupPort {
		problems = append(problems, fmt.Sprintf("association %s: WsusUrl's port %s is not the server's (%s: Port %s)", clientID, port, setupID, setupPort))
	}
	if want := map[string]string{fmt.Sprint(wsusspec.HTTPPort): "http", fmt.Sprint(wsusspec.HTTPSPort): "https"}[setupPort]; scheme != want {
		problems = append(problems, fmt.Sprintf("association %s: WsusUrl's scheme %s, where the server's port %s takes %s", clientID, scheme, setupPort, want))
	}
	if !strings.HasPrefix(cfntemplate.GetAtt(host), "WsusInstance") {
		problems = append(problems, fmt.Sprintf("association %s: WsusUrl's host %v is not the WSUS server's", clientID, host))
	} else if attribute := getAttAttribute(host); !slices.Contains(privateAddresses, attribute) {
		problems = append(problems, fmt.Sprintf("association %s: WsusUrl's host is the WSUS server's %s, not its private address (%s): "+
			"the clients in the private subnets reach it inside the VPC, where the security groups and ACLs allow them", clientID, attribute, strings.Join(privateAddresses, " or ")))
	}
	if name := cfntemplate.First(setup["ServerName"]); scheme == "https" && fmt.Sprint(name) != fmt.Sprint(host) {
		problems = append(problems, fmt.Sprintf("association %s: WsusUrl's host %v is not the name the certificate is set up for (%s: ServerName %v)", clientID, host, setupID, name))
	}
	if group := cfntemplate.First(client["TargetGroup"]); group != nil && !slices.Contains(strings.Split(fmt.Sprint(cfntemplate.First(setup["TargetGroups"])), ";"), fmt.Sprint(group)) {
		problems = append(problems, fmt.Sprintf("association %s: TargetGroup %v is not one of the server's TargetGroups (%s)", clientID, group, setupID))
	}
	return append(problems, wsusUrlOutput(template, clientID, cfntemplate.First(client["WsusUrl"]))...)
}

// wsusUrlOutput checks that the fleet stack's WsusUrl output is the URL the clients are given:
// make doctor's advice and docs/wsus.md have the operator compare each client's WUServer with
// it, so another port or host sends them after a server that is not there (held-out run 37's
// A10: the output's :8530 written :8531).
func wsusUrlOutput(template map[string]any, clientID string, clientURL any) []string {
	outputs, _ := template["Outputs"].(map[string]any)
	output, ok := outputs["WsusUrl"].(map[string]any)
	if !ok {
		return nil
	}
	if got, want := rendered(output["Value"]), rendered(clientURL); got != want {
		return []string{fmt.Sprintf("output WsusUrl %s is not the URL the clients are given (%s: WsusUrl %s): make doctor's advice and the docs compare each client's WUServer with it", got, clientID, want)}
	}
	return nil
}

// privateAddresses are the AWS::EC2::Instance attributes that name an instance inside its VPC
// (PrivateIp, PrivateDnsName; PublicIp and PublicDnsName name it from the internet, and an
// instance without a public address has none: AWS::EC2::Instance return values, CloudFormation
// Template Reference, read 2026-12-07). Mutation run 9's E05 pointed the clients at PublicIp.
var privateAddresses = []string{"PrivateIp", "PrivateDnsName"}

// getAttAttribute is the attribute an Fn::GetAtt names.
func getAttAttribute(v any) string {
	m, _ := v.(map[string]any)
	if att, ok := m["Fn::GetAtt"].([]any); ok && len(att) > 1 {
		return fmt.Sprint(att[1])
	}
	return ""
}

// MetadataTags checks that no instance whose launch template allows tags in instance metadata
// carries a tag key with a space: "PatchGroup (without a space) is required if you have allowed
// tags in EC2 instance metadata" ("Creating and managing patch groups", Systems Manager User
// Guide, read 2026-12-06), and the instances carry "Patch Group", which the default windows read
// (mutation run 9's N11 enabled them; managedinstance.InstanceMetadataTagsDisabled).
func MetadataTags(fleet map[string]any) []string {
	resources := cfntemplate.Resources(fleet)
	templates := cfntemplate.OfType(resources, "AWS::EC2::LaunchTemplate")
	instances := cfntemplate.OfType(resources, "AWS::EC2::Instance")
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(instances)) {
		spec, _ := instances[id]["LaunchTemplate"].(map[string]any)
		name := cfntemplate.Text(spec["LaunchTemplateName"])
		for templateID, lt := range templates {
			data, _ := lt["LaunchTemplateData"].(map[string]any)
			options, _ := data["MetadataOptions"].(map[string]any)
			if cfntemplate.Text(lt["LaunchTemplateName"]) != name || cfntemplate.Text(options["InstanceMetadataTags"]) != "enabled" {
				continue
			}
			for _, tag := range cfntemplate.List(instances[id]["Tags"]) {
				tag, _ := tag.(map[string]any)
				if key := cfntemplate.Text(tag["Key"]); strings.Contains(key, " ") {
					problems = append(problems, fmt.Sprintf("instance %s: its launch template %s allows tags in instance metadata, and it carries the tag key %q, with a space: "+
						"Patch Manager then needs PatchGroup, without one", id, templateID, key))
				}
			}
		}
	}
	return problems
}

// splitURL reads CDK's Fn::Join of scheme "://", host and ":port" into its parts; the host is
// the intrinsic between them.
func splitURL(v any) (scheme string, host any, port string) {
	m, _ := v.(map[string]any)
	join, _ := m["Fn::Join"].([]any)
	if len(join) != 2 {
		return "", nil, ""
	}
	parts := cfntemplate.List(join[1])
	if len(parts) != 3 {
		return "", nil, ""
	}
	return strings.TrimSuffix(fmt.Sprint(parts[0]), "://"), parts[1], strings.TrimPrefix(fmt.Sprint(parts[2]), ":")
}

// Tags checks the tags the two stacks select instances by against the tags their instances
// carry. named are the tag keys the configuration names (the fleet tag, the patch group keys, the
// asset tags): a window target, an association's target or a resource group's tag filter on a
// key neither an instance of the stacks carries nor the configuration names selects nothing
// (a bring-your-own instance carries the configuration's keys). An instance of the stacks in a
// patch group no baseline of the patching stack registers is patched with the default baseline,
// which the configuration refuses for its instance groups.
func Tags(patching, fleet map[string]any, named []string) []string {
	known := map[string]bool{}
	for _, k := range named {
		known[k] = true
	}
	fleetResources, _ := fleet["Resources"].(map[string]any)
	patchingResources, _ := patching["Resources"].(map[string]any)
	registered := map[string]bool{}
	for _, b := range cfntemplate.OfType(patchingResources, "AWS::SSM::PatchBaseline") {
		for _, g := range cfntemplate.List(b["PatchGroups"]) {
			registered[fmt.Sprint(g)] = true
		}
	}
	var problems []string
	instances := cfntemplate.OfType(fleetResources, "AWS::EC2::Instance")
	for _, id := range slices.Sorted(maps.Keys(instances)) {
		for _, tag := range cfntemplate.List(instances[id]["Tags"]) {
			tag, _ := tag.(map[string]any)
			key := fmt.Sprint(tag["Key"])
			known[key] = true
			if slices.Contains(patchingspec.PatchGroupTagKeys, key) && patching != nil && !registered[fmt.Sprint(tag["Value"])] {
				problems = append(problems, fmt.Sprintf("instance %s: in patch group %q, which no baseline of the patching stack registers: it is patched with the default baseline", id, tag["Value"]))
			}
		}
	}
	check := func(what string, key any) {
		k := strings.TrimPrefix(fmt.Sprint(key), "tag:")
		if !known[k] {
			problems = append(problems, fmt.Sprintf("%s selects by tag key %q, which no instance of the stacks carries and the configuration does not name: it selects nothing", what, k))
		}
	}
	for _, stack := range []map[string]any{fleetResources, patchingResources} {
		for _, kind := range []string{"AWS::SSM::MaintenanceWindowTarget", "AWS::SSM::Association"} {
			resources := cfntemplate.OfType(stack, kind)
			for _, id := range slices.Sorted(maps.Keys(resources)) {
				for _, t := range cfntemplate.List(resources[id]["Targets"]) {
					t, _ := t.(map[string]any)
					if strings.HasPrefix(fmt.Sprint(t["Key"]), "tag:") {
						check(id, t["Key"])
					}
				}
			}
		}
		groups := cfntemplate.OfType(stack, "AWS::ResourceGroups::Group")
		for _, id := range slices.Sorted(maps.Keys(groups)) {
			query, _ := groups[id]["ResourceQuery"].(map[string]any)
			q, _ := query["Query"].(map[string]any)
			for _, f := range cfntemplate.List(q["TagFilters"]) {
				f, _ := f.(map[string]any)
				check("resource group "+id, f["Key"])
			}
		}
	}
	return problems
}

// subscriptionEndpoints: each subscription's endpoint is of its protocol's kind: "For the email
// protocol, the endpoint is an email address", https "a URL beginning with https://", sqs "the
// ARN of an Amazon SQS queue" (Subscribe Endpoint, botocore 1.43.11's sns model).
func subscriptionEndpoints(resources map[string]any) []string {
	var problems []string
	subscriptions := cfntemplate.OfType(resources, "AWS::SNS::Subscription")
	for _, id := range slices.Sorted(maps.Keys(subscriptions)) {
		s := subscriptions[id]
		endpoint, literal := s["Endpoint"].(string)
		if !literal {
			continue // an intrinsic: another resource's ARN
		}
		ok := true
		switch s["Protocol"] {
		case "email", "email-json":
			ok = strings.Count(endpoint, "@") == 1 && !strings.ContainsAny(endpoint, " <>")
		case "https":
			ok = strings.HasPrefix(endpoint, "https://")
		case "http":
			ok = strings.HasPrefix(endpoint, "http://")
		case "sqs", "lambda", "firehose", "application":
			ok = strings.HasPrefix(endpoint, "arn:")
		}
		if !ok {
			problems = append(problems, fmt.Sprintf("subscription %s: endpoint %q is not one the %v protocol takes", id, endpoint, s["Protocol"]))
		}
	}
	return problems
}

// insightsMetric finds the metric a Metrics Insights query selects: SELECT FN(Name) FROM.
var insightsMetric = regexp.MustCompile(`SELECT\s+\w+\(\s*"?([A-Za-z0-9_.-]+)"?\s*\)\s+FROM`)

// insightsNamespace finds the namespace of a Metrics Insights query's FROM clause.
var insightsNamespace = regexp.MustCompile(`FROM\s+(?:SCHEMA\(\s*)?"([^"]+)"`)

// Namespaces checks that each alarm of the patching stack on a metric outside AWS's namespaces
// watches one a script publishes: the Namespace an association of either stack gives its
// document (or, left out, the document's default). An alarm on a namespace nothing publishes
// has no data, and reads INSUFFICIENT_DATA or, treating missing data as breaching, ALARM.
func Namespaces(patching, fleet map[string]any) []string {
	published := associationNamespaces(patching, fleet)
	resources, _ := patching["Resources"].(map[string]any)
	alarms := cfntemplate.OfType(resources, "AWS::CloudWatch::Alarm")
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(alarms)) {
		namespaces := []any{alarms[id]["Namespace"]}
		for _, m := range cfntemplate.List(alarms[id]["Metrics"]) {
			m, _ := m.(map[string]any)
			stat, _ := m["MetricStat"].(map[string]any)
			metric, _ := stat["Metric"].(map[string]any)
			namespaces = append(namespaces, metric["Namespace"])
			// A Metrics Insights query names its namespace in FROM "ns" or FROM SCHEMA("ns", ...).
			expression, _ := m["Expression"].(string)
			for _, match := range insightsNamespace.FindAllStringSubmatch(expression, -1) {
				namespaces = append(namespaces, match[1])
			}
		}
		for _, ns := range namespaces {
			name, ok := ns.(string)
			if ok && !strings.HasPrefix(name, "AWS/") && !published[name] {
				problems = append(problems, fmt.Sprintf("alarm %s watches namespace %q, which no association's script publishes to", id, name))
			}
		}
	}
	return problems
}

// Outputs checks that every association and Run Command task of the two stacks writes its output
// to a bucket the stacks create (the command output bucket, through the fleet stack's output where
// the patching stack names it): the authorisation table proves the writes into the stacks'
// buckets only, so a task writing elsewhere is a write nothing proves, and one the configuration
// cannot ask for.
func Outputs(patching, fleet map[string]any) []string {
	var problems []string
	stacks := []struct {
		name     string
		template map[string]any
	}{{"fleet", fleet}, {"patching", patching}}
	for _, s := range stacks {
		resources, _ := s.template["Resources"].(map[string]any)
		check := func(what string, bucket any) {
			if bucket != nil && !createdBucket(s.template, fleet, bucket) {
				problems = append(problems, fmt.Sprintf("%s writes its output to bucket %v, which the stacks do not create: no write to it is proven", what, bucket))
			}
		}
		associations := cfntemplate.OfType(resources, "AWS::SSM::Association")
		for _, id := range slices.Sorted(maps.Keys(associations)) {
			location, _ := associations[id]["OutputLocation"].(map[string]any)
			s3, _ := location["S3Location"].(map[string]any)
			check("association "+id, s3["OutputS3BucketName"])
		}
		tasks := cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindowTask")
		for _, id := range slices.Sorted(maps.Keys(tasks)) {
			runCommand := cfntemplate.RunCommand(tasks[id])
			check("task "+id, runCommand["OutputS3BucketName"])
		}
		problems = append(problems, topicArnOutputs(s.template)...)
	}
	return problems
}

// topicArnOutputs: each output named ...TopicArn is a Ref of an SNS topic of its template, which
// "returns the topic ARN" (AWS::SNS::Topic, Return values, CloudFormation Template Reference):
// users subscribe to AlertsTopicArn (docs/patching.md), and make doctor reads its subscriptions
// there (held-out run 31's A10: the output pointed at the key's ARN).
func topicArnOutputs(template map[string]any) []string {
	outputs, _ := template["Outputs"].(map[string]any)
	topics := cfntemplate.OfType(cfntemplate.Resources(template), "AWS::SNS::Topic")
	var problems []string
	for _, name := range slices.Sorted(maps.Keys(outputs)) {
		output, _ := outputs[name].(map[string]any)
		if !strings.HasSuffix(name, "TopicArn") {
			continue
		}
		if _, ok := topics[cfntemplate.Ref(output["Value"])]; !ok {
			problems = append(problems, fmt.Sprintf("output %s: %s, not a Ref of an SNS topic of the stack: what subscribes to it, or make doctor, reads another resource", name, rendered(output["Value"])))
		}
	}
	return problems
}

// createdBucket says whether v names a bucket of its own stack (a Ref) or of the fleet stack
// (Fn::GetStackOutput or Fn::ImportValue of an output whose value is such a Ref).
func createdBucket(own, fleet map[string]any, v any) bool {
	isBucket := func(template map[string]any, id string) bool {
		resources, _ := template["Resources"].(map[string]any)
		_, ok := cfntemplate.OfType(resources, "AWS::S3::Bucket")[id]
		return ok
	}
	if id := cfntemplate.Ref(v); id != "" {
		return isBucket(own, id)
	}
	m, _ := v.(map[string]any)
	outputs, _ := fleet["Outputs"].(map[string]any)
	if get, ok := m["Fn::GetStackOutput"].(map[string]any); ok {
		o, _ := outputs[fmt.Sprint(get["OutputName"])].(map[string]any)
		return isBucket(fleet, cfntemplate.Ref(o["Value"]))
	}
	if name, ok := m["Fn::ImportValue"]; ok {
		for _, o := range outputs {
			o, _ := o.(map[string]any)
			if export, _ := o["Export"].(map[string]any); export != nil && fmt.Sprint(export["Name"]) == fmt.Sprint(name) {
				return isBucket(fleet, cfntemplate.Ref(o["Value"]))
			}
		}
	}
	return false
}

// alarmActions: each alarm a topic's policy lets CloudWatch publish for (aws:SourceArn
// arn:...:alarm:NAME) is an alarm of the template with that name whose AlarmActions include the
// topic: an alarm without them changes state and tells no one.
func alarmActions(resources map[string]any) []string {
	type alarm struct {
		id    string
		props map[string]any
	}
	alarms := map[string]alarm{}
	for _, kind := range []string{"AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"} {
		for id, a := range cfntemplate.OfType(resources, kind) {
			alarms[fmt.Sprint(a["AlarmName"])] = alarm{id, a}
		}
	}
	var problems []string
	policies := cfntemplate.OfType(resources, "AWS::SNS::TopicPolicy")
	for _, policyID := range slices.Sorted(maps.Keys(policies)) {
		doc, _ := policies[policyID]["PolicyDocument"].(map[string]any)
		for _, st := range cfntemplate.List(doc["Statement"]) {
			st, _ := st.(map[string]any)
			principal, _ := st["Principal"].(map[string]any)
			if st["Effect"] != "Allow" || principal["Service"] != "cloudwatch.amazonaws.com" {
				continue
			}
			topic := cfntemplate.Ref(st["Resource"])
			condition, _ := st["Condition"].(map[string]any)
			like, _ := condition["ArnLike"].(map[string]any)
			for _, source := range cfntemplate.List(like["aws:SourceArn"]) {
				name := alarmName(source)
				if name == "" || strings.Contains(name, "*") {
					continue
				}
				a, ok := alarms[name]
				switch {
				case !ok:
					problems = append(problems, fmt.Sprintf("topic policy %s admits alarm %s, which the template does not have", policyID, name))
				case !slices.ContainsFunc(cfntemplate.List(a.props["AlarmActions"]), func(action any) bool { return cfntemplate.Ref(action) == topic }):
					problems = append(problems, fmt.Sprintf("alarm %s (%s): its AlarmActions do not include topic %s, which admits it: it tells no one", a.id, name, topic))
				}
			}
		}
	}
	return problems
}

// alarmName is the name at the end of an alarm's ARN, written as text or CDK's Fn::Join.
func alarmName(arn any) string {
	text := fmt.Sprint(arn)
	if m, ok := arn.(map[string]any); ok {
		if join, ok := m["Fn::Join"].([]any); ok && len(join) == 2 {
			parts := cfntemplate.List(join[1])
			if len(parts) > 0 {
				text = fmt.Sprint(parts[len(parts)-1])
			}
		}
	}
	_, name, ok := strings.Cut(text, ":alarm:")
	if !ok {
		return ""
	}
	return name
}

// alarmRuleName finds the alarms a composite alarm's AlarmRule names: ALARM("name"), OK(...),
// INSUFFICIENT_DATA(...).
var alarmRuleName = regexp.MustCompile(`(?:ALARM|OK|INSUFFICIENT_DATA)\(\s*"?([^")]+)"?\s*\)`)

// compositeRules: each alarm a composite alarm's rule names is an alarm of the template, on which
// it depends (CloudFormation creates it first), or one the configuration names as the user's own
// (external, which must exist before the deploy): a rule naming a missing alarm fails the stack.
func compositeRules(resources map[string]any, external []string) []string {
	names := map[string]string{}
	for _, kind := range []string{"AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"} {
		for id, a := range cfntemplate.OfType(resources, kind) {
			names[fmt.Sprint(a["AlarmName"])] = id
		}
	}
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(cfntemplate.OfType(resources, "AWS::CloudWatch::CompositeAlarm"))) {
		resource, _ := resources[id].(map[string]any)
		props, _ := resource["Properties"].(map[string]any)
		rule, _ := props["AlarmRule"].(string)
		dependsOn := cfntemplate.List(resource["DependsOn"])
		if s, ok := resource["DependsOn"].(string); ok {
			dependsOn = []any{s}
		}
		for _, m := range alarmRuleName.FindAllStringSubmatch(rule, -1) {
			raw, name := m[1], m[1]
			if _, after, ok := strings.Cut(name, ":alarm:"); ok {
				name = after // "You can use either alarm names or ARNs" (PutCompositeAlarm AlarmRule)
			}
			target, ok := names[name]
			switch {
			case !ok && slices.Contains(external, raw):
				// the user's own, as the configuration names it (a name or an ARN)
			case ok && !slices.Contains(dependsOn, any(target)):
				problems = append(problems, fmt.Sprintf("composite alarm %s: names alarm %s (%s) without depending on it: CloudFormation may create it first, and fail", id, name, target))
			case !ok && !slices.Contains(external, name):
				problems = append(problems, fmt.Sprintf("composite alarm %s: names alarm %s, which neither the template nor the configuration (stopOnAlarms) has", id, name))
			}
		}
	}
	return problems
}
