package test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/managedinstance"
	"github.com/privatepatch/privatepatch/constructs/patching"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/spec"
)

// byName returns the patching template's resource of a type whose Name property is name.
func (s *scenario) byName(t *testing.T, resourceType, name string) (string, map[string]any) {
	for id, r := range s.patchResources(resourceType) {
		if props(r)["Name"] == name || props(r)["AssociationName"] == name {
			return id, props(r)
		}
	}
	t.Fatalf("no %s named %s", resourceType, name)
	return "", nil
}

func filters(rule map[string]any) map[string]any {
	out := map[string]any{}
	for _, f := range rule["PatchFilterGroup"].(map[string]any)["PatchFilters"].([]any) {
		out[f.(map[string]any)["Key"].(string)] = f.(map[string]any)["Values"]
	}
	return out
}

func rules(baseline map[string]any) []map[string]any {
	var out []map[string]any
	for _, r := range baseline["ApprovalRules"].(map[string]any)["PatchRules"].([]any) {
		out = append(out, r.(map[string]any))
	}
	return out
}

func TestSeedExampleBaselineApprovesCriticalUpdatesOfCriticalSeverityAfterSevenDaysForItsPatchGroup(t *testing.T) {
	s := richPatching.synth(t)
	_, b := s.byName(t, "AWS::SSM::PatchBaseline", "seed-windows")
	assert.Equal(t, "WINDOWS", b["OperatingSystem"])
	assert.Equal(t, []any{"seed-group"}, b["PatchGroups"])
	assert.Equal(t, false, b["DefaultBaseline"])
	require.Len(t, rules(b), 1)
	assert.Equal(t, float64(7), rules(b)[0]["ApproveAfterDays"])
	assert.Equal(t, map[string]any{"CLASSIFICATION": []any{"CriticalUpdates"}, "MSRC_SEVERITY": []any{"Critical"}}, filters(rules(b)[0]))
}

func TestAwsDefaultPresetHasTheRulesOfAwsDefaultPatchBaseline(t *testing.T) {
	s := defaultScenario.synth(t)
	_, b := s.byName(t, "AWS::SSM::PatchBaseline", "privatepatch-windows")
	assert.Equal(t, []any{"windows"}, b["PatchGroups"])
	assert.Equal(t, float64(7), rules(b)[0]["ApproveAfterDays"])
	assert.Equal(t, map[string]any{"CLASSIFICATION": []any{"CriticalUpdates", "SecurityUpdates"}, "MSRC_SEVERITY": []any{"Critical", "Important"}},
		filters(rules(b)[0]), "the classifications WSUS approves automatically, so installs find the updates")
}

func TestOneBaselineIsTheDefaultForItsOperatingSystem(t *testing.T) {
	s := richPatching.synth(t)
	defaults := map[string][]string{}
	for _, b := range s.patchResources("AWS::SSM::PatchBaseline") {
		if props(b)["DefaultBaseline"] == true {
			os := props(b)["OperatingSystem"].(string)
			defaults[os] = append(defaults[os], props(b)["Name"].(string))
		}
	}
	assert.Equal(t, map[string][]string{"WINDOWS": {"default-windows"}}, defaults)
}

func TestRingsApproveEachRingLaterThanTheOneBefore(t *testing.T) {
	s := richPatching.synth(t)
	for ring, delay := range map[string]float64{"dev": 0, "test": 7, "prod": 14} {
		_, b := s.byName(t, "AWS::SSM::PatchBaseline", "privatepatch-"+ring)
		assert.Equal(t, []any{ring}, b["PatchGroups"])
		assert.Equal(t, delay, rules(b)[0]["ApproveAfterDays"], ring)
		assert.Equal(t, "NON_COMPLIANT", b["AvailableSecurityUpdatesComplianceStatus"], "a security update the ring's delay holds back shows")
		assert.Equal(t, map[string]any{"CLASSIFICATION": []any{"CriticalUpdates", "SecurityUpdates"}, "MSRC_SEVERITY": []any{"Critical", "Important"}},
			filters(rules(b)[0]))
	}
}

func TestLinuxBaselineCarriesItsRulesRejectionsFiltersAndSources(t *testing.T) {
	s := richPatching.synth(t)
	_, b := s.byName(t, "AWS::SSM::PatchBaseline", "al2023")
	assert.Equal(t, "AMAZON_LINUX_2023", b["OperatingSystem"])
	assert.NotContains(t, b, "AvailableSecurityUpdatesComplianceStatus", "Windows only")
	rule := rules(b)[0]
	assert.Equal(t, map[string]any{"CLASSIFICATION": []any{"Security"}, "SEVERITY": []any{"Critical", "Important"}}, filters(rule))
	assert.Equal(t, float64(3), rule["ApproveAfterDays"])
	assert.Equal(t, "HIGH", rule["ComplianceLevel"])
	assert.Equal(t, true, rule["EnableNonSecurity"])
	assert.Equal(t, []any{"kernel*"}, b["RejectedPatches"])
	assert.Equal(t, "BLOCK", b["RejectedPatchesAction"])
	assert.Equal(t, map[string]any{"PatchFilters": []any{map[string]any{"Key": "PRODUCT", "Values": []any{"AmazonLinux2023"}}}}, b["GlobalFilters"])
	assert.Equal(t, []any{map[string]any{"Name": "internal", "Products": []any{"AmazonLinux2023"},
		"Configuration": "[internal]\nname=internal\nbaseurl=https://repo.example.com/al2023\nenabled=1"}}, b["Sources"])
}

func (s *scenario) windowTasks(t *testing.T, window string) map[string]map[string]any {
	windowID, _ := s.byName(t, "AWS::SSM::MaintenanceWindow", window)
	tasks := map[string]map[string]any{}
	for _, task := range s.patchResources("AWS::SSM::MaintenanceWindowTask") {
		if fmt.Sprint(props(task)["WindowId"]) == fmt.Sprint(map[string]any{"Ref": windowID}) {
			tasks[props(task)["Name"].(string)] = props(task)
		}
	}
	return tasks
}

func TestSeedWeeklyWindowPatchesSundayAtTwoForFourHoursWithOneHourCutoff(t *testing.T) {
	s := defaultScenario.synth(t)
	windowID, w := s.byName(t, "AWS::SSM::MaintenanceWindow", "privatepatch-weekly")
	assert.Equal(t, "cron(0 2 ? * SUN *)", w["Schedule"])
	assert.Equal(t, float64(4), w["Duration"])
	assert.Equal(t, float64(1), w["Cutoff"], "the seed's 30-minute cutoff in whole hours")
	assert.Equal(t, "UTC", w["ScheduleTimezone"])
	assert.Equal(t, false, w["AllowUnassociatedTargets"])
	s.patching.HasResourceProperties(jsii.String("AWS::SSM::MaintenanceWindowTarget"), map[string]any{
		"WindowId": map[string]any{"Ref": windowID}, "ResourceType": "INSTANCE",
		"Targets": []any{map[string]any{"Key": "tag:Patch Group", "Values": []any{"windows"}}},
	})
	task := s.windowTasks(t, "privatepatch-weekly")["privatepatch-weekly-Task1"]
	require.NotNil(t, task)
	assert.Equal(t, "RUN_COMMAND", task["TaskType"])
	assert.Equal(t, "AWS-RunPatchBaseline", task["TaskArn"])
	assert.Equal(t, "25%", task["MaxConcurrency"])
	assert.Equal(t, "10%", task["MaxErrors"])
	assert.Equal(t, float64(1), task["Priority"])
	run := task["TaskInvocationParameters"].(map[string]any)["MaintenanceWindowRunCommandParameters"].(map[string]any)
	assert.Equal(t, map[string]any{"Operation": []any{"Install"}, "RebootOption": []any{"RebootIfNeeded"}}, run["Parameters"])
	assert.Equal(t, "patch/privatepatch-weekly/Install/", run["OutputS3KeyPrefix"], "each window and task has its own output prefix")
	assert.Contains(t, fmt.Sprint(run["OutputS3BucketName"]), "CommandOutputBucket")
	topic, _ := oneOf(t, s.patchJSON, "AWS::SNS::Topic", "")
	assert.Equal(t, map[string]any{"NotificationArn": map[string]any{"Ref": topic}, "NotificationEvents": []any{"Failed", "TimedOut", "Cancelled"},
		"NotificationType": "Command"}, run["NotificationConfig"])
}

func TestPrePatchImageIsScheduledFirstWithoutRebootAndStopsAtItsFirstFailure(t *testing.T) {
	s := defaultScenario.synth(t)
	task := s.windowTasks(t, "privatepatch-weekly")["pre-patch-image"]
	require.NotNil(t, task)
	assert.Equal(t, "AUTOMATION", task["TaskType"])
	assert.Equal(t, "AWS-CreateImage", task["TaskArn"])
	assert.Equal(t, float64(0), task["Priority"], "before every patch task")
	assert.Equal(t, "0", task["MaxErrors"])
	params := task["TaskInvocationParameters"].(map[string]any)["MaintenanceWindowAutomationParameters"].(map[string]any)["Parameters"].(map[string]any)
	assert.Equal(t, []any{"{{RESOURCE_ID}}"}, params["InstanceId"])
	assert.Equal(t, []any{"true"}, params["NoReboot"])
	assert.Equal(t, task["ServiceRoleArn"], params["AutomationAssumeRole"].([]any)[0])
}

func TestWindowServiceRoleIsLeastPrivilege(t *testing.T) {
	s := defaultScenario.synth(t)
	roleID, role := oneOf(t, s.patchJSON, "AWS::IAM::Role", "MaintenanceWindowsprivatepatchweeklyServiceRole")
	assert.Equal(t, map[string]any{"Statement": []any{map[string]any{"Action": "sts:AssumeRole", "Effect": "Allow",
		"Principal": map[string]any{"Service": "ssm.amazonaws.com"},
		// Systems Manager may assume it only for this account's windows and automations.
		"Condition": map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": map[string]any{"Ref": "AWS::AccountId"}},
			"ArnLike":      map[string]any{"aws:SourceArn": map[string]any{"Fn::Join": []any{"", []any{"arn:aws:ssm:us-west-2:", map[string]any{"Ref": "AWS::AccountId"}, ":*"}}}},
		}}}, "Version": "2012-10-17"}, props(role)["AssumeRolePolicyDocument"])
	assert.NotContains(t, props(role), "ManagedPolicyArns", "no broad AWS managed policy")
	_, policy := oneOf(t, s.patchJSON, "AWS::IAM::Policy", "MaintenanceWindowsprivatepatchweeklyServiceRole")
	actions := map[string]any{}
	var passes []any
	for _, st := range props(policy)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
		st := st.(map[string]any)
		for _, a := range toList(st["Action"]) {
			actions[a] = st["Resource"]
		}
		if st["Action"] == "iam:PassRole" {
			passes = append(passes, st["Resource"])
		}
		assert.NotContains(t, fmt.Sprint(st["Action"]), ":*", "no service-wide wildcard actions")
	}
	assert.Equal(t, []any{"arn:aws:ssm:us-west-2::document/AWS-RunPatchBaseline",
		map[string]any{"Fn::Join": []any{"", []any{"arn:aws:ec2:us-west-2:", map[string]any{"Ref": "AWS::AccountId"}, ":instance/*"}}}},
		actions["ssm:SendCommand"], "SendCommand runs AWS-RunPatchBaseline only")
	assert.Equal(t, []any{"arn:aws:ssm:us-west-2::automation-definition/AWS-CreateImage:*", "arn:aws:ssm:us-west-2::document/AWS-CreateImage",
		map[string]any{"Fn::Join": []any{"", []any{"arn:aws:ssm:us-west-2:", map[string]any{"Ref": "AWS::AccountId"}, ":automation-execution/*"}}}},
		actions["ssm:StartAutomationExecution"],
		"starts AWS-CreateImage only (its definition and document named without an account as AWS-owned runbooks are) and the execution it creates")
	notifier, _ := oneOf(t, s.patchJSON, "AWS::IAM::Role", "MaintenanceWindowsprivatepatchweeklyNotificationRole")
	assert.ElementsMatch(t, []any{map[string]any{"Fn::GetAtt": []any{roleID, "Arn"}}, map[string]any{"Fn::GetAtt": []any{notifier, "Arn"}}}, passes,
		"passes only itself (AWS-CreateImage) and its notification role")
	assert.NotContains(t, actions, "sns:Publish", "its notification role publishes")
	assert.Contains(t, actions, "ec2:CreateImage")
	for _, st := range props(policy)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
		st := st.(map[string]any)
		if slices.Contains(toList(st["Action"]), "ec2:CreateTags") {
			assert.Equal(t, map[string]any{"StringEquals": map[string]any{"ec2:CreateAction": "CreateImage"}}, st["Condition"],
				"tags only what CreateImage creates")
			assert.NotContains(t, fmt.Sprint(st["Resource"]), "instance/", "never retags an instance (tags are patch groups)")
		}
	}
}

func toList(v any) []string {
	if s, ok := v.(string); ok {
		return []string{s}
	}
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestWindowsTargetResourceGroupsOrInstanceIdsWithOffsetAndTimeZone(t *testing.T) {
	s := richPatching.synth(t)
	windowID, w := s.byName(t, "AWS::SSM::MaintenanceWindow", "after-patch-tuesday")
	assert.Equal(t, "cron(0 3 ? * TUE#2 *)", w["Schedule"])
	assert.Equal(t, float64(3), w["ScheduleOffset"], "three days after Patch Tuesday")
	assert.Equal(t, "Asia/Seoul", w["ScheduleTimezone"])
	assert.Equal(t, float64(6), w["Duration"])
	assert.Equal(t, float64(2), w["Cutoff"])
	s.patching.HasResourceProperties(jsii.String("AWS::SSM::MaintenanceWindowTarget"), map[string]any{
		"WindowId": map[string]any{"Ref": windowID}, "ResourceType": "RESOURCE_GROUP",
		"Targets": []any{map[string]any{"Key": "resource-groups:Name", "Values": []any{"windows-servers"}},
			map[string]any{"Key": "resource-groups:ResourceTypeFilters", "Values": []any{"AWS::EC2::Instance"}}},
	})
	pinnedID, _ := s.byName(t, "AWS::SSM::MaintenanceWindow", "pinned-instances")
	s.patching.HasResourceProperties(jsii.String("AWS::SSM::MaintenanceWindowTarget"), map[string]any{
		"WindowId": map[string]any{"Ref": pinnedID}, "Targets": []any{map[string]any{"Key": "InstanceIds", "Values": []any{"i-0123456789abcdef0"}}},
	})

	tasks := s.windowTasks(t, "after-patch-tuesday")
	scan, install := tasks["after-patch-tuesday-Task1"], tasks["after-patch-tuesday-Task2"]
	assert.Equal(t, []any{"10", "0", float64(1)}, []any{scan["MaxConcurrency"], scan["MaxErrors"], scan["Priority"]})
	assert.Equal(t, []any{"50%", "5%", float64(2)}, []any{install["MaxConcurrency"], install["MaxErrors"], install["Priority"]})
	run := scan["TaskInvocationParameters"].(map[string]any)["MaintenanceWindowRunCommandParameters"].(map[string]any)
	assert.Equal(t, map[string]any{"Operation": []any{"Scan"}, "RebootOption": []any{"NoReboot"}}, run["Parameters"])
	assert.Equal(t, "patch/after-patch-tuesday/Scan/", run["OutputS3KeyPrefix"])
	assert.NotContains(t, run, "NotificationConfig", "notifyOnFailure: false")
	assert.Equal(t, map[string]any{"CloudWatchOutputEnabled": true, "CloudWatchLogGroupName": map[string]any{"Ref": first(oneOf(t, s.patchJSON, "AWS::Logs::LogGroup", "RunCommandLogs"))}},
		run["CloudWatchOutputConfig"])
}

func TestCloudWatchOutputGoesToARetainedLogGroupTheFleetMayWriteTo(t *testing.T) {
	s := richPatching.synth(t)
	logGroup, group := oneOf(t, s.patchJSON, "AWS::Logs::LogGroup", "RunCommandLogs")
	assert.Equal(t, spec.KeptDeletionPolicy, group["DeletionPolicy"])
	assert.Equal(t, float64(365), props(group)["RetentionInDays"])
	assert.NotContains(t, props(group), "LogGroupName", "a generated name: a retained group left by turning the option off must not clash when it is turned on again")

	_, policy := oneOf(t, s.patchJSON, "AWS::IAM::Policy", "RunCommandLogsWriters")
	fleetRole, _ := s.only(t, "AWS::IAM::Role", "FleetRole")
	assert.Equal(t, fleetRole, s.stackResource(t, s.fleetJSON, s.stackName("Fleet"), props(policy)["Roles"].([]any)[0]),
		"the policy lives with the log group and is attached to the fleet's role")
	statements := props(policy)["PolicyDocument"].(map[string]any)["Statement"].([]any)
	assert.Equal(t, map[string]any{"Action": []any{"logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"}, "Effect": "Allow",
		// CloudFormation's log group Arn ends in :*, covering the group's streams.
		"Resource": map[string]any{"Fn::GetAtt": []any{logGroup, "Arn"}}}, statements[0])
}

func TestScanRunsDailyPerPatchGroupAndForTheWholeFleet(t *testing.T) {
	s := defaultScenario.synth(t)
	scans := map[string]map[string]any{}
	for _, a := range s.patchResources("AWS::SSM::Association") {
		if props(a)["Name"] == "AWS-RunPatchBaseline" {
			scans[props(a)["AssociationName"].(string)] = props(a)
		}
	}
	require.Equal(t, []string{"privatepatch-scan-fleet", "privatepatch-scan-windows", "privatepatch-scan-wsus"}, keysOf(scans))
	assert.Equal(t, []any{map[string]any{"Key": "tag:Patch Group", "Values": []any{"windows"}}}, scans["privatepatch-scan-windows"]["Targets"])
	assert.Equal(t, []any{map[string]any{"Key": "tag:privatepatch:fleet", "Values": []any{"privatepatch"}}}, scans["privatepatch-scan-fleet"]["Targets"])
	for name, scan := range scans {
		assert.Equal(t, map[string]any{"Operation": []any{"Scan"}}, scan["Parameters"], name)
		assert.Equal(t, "cron(0 12 ? * * *)", scan["ScheduleExpression"], name)
		assert.Equal(t, true, scan["ApplyOnlyAtCronInterval"], "a deploy that creates or updates it does not scan then, inside a window perhaps")
		assert.Equal(t, "patch/scan/", scan["OutputLocation"].(map[string]any)["S3Location"].(map[string]any)["OutputS3KeyPrefix"])
	}

	rich := richPatching.synth(t)
	var groups []string
	for _, a := range rich.patchResources("AWS::SSM::Association") {
		if props(a)["Name"] == "AWS-RunPatchBaseline" {
			assert.Equal(t, "rate(6 hours)", props(a)["ScheduleExpression"])
			groups = append(groups, props(a)["AssociationName"].(string))
		}
	}
	sort.Strings(groups)
	assert.Equal(t, []string{"privatepatch-scan-dev", "privatepatch-scan-fleet", "privatepatch-scan-linux", "privatepatch-scan-prod",
		"privatepatch-scan-seed-group", "privatepatch-scan-test", "privatepatch-scan-wsus"}, groups)
	// linux is patched by a window that reads PatchGroup (tags in instance metadata take no
	// space): its scan reads the same key, or instances tagged so are never scanned between windows.
	_, linux := rich.byName(t, "AWS::SSM::Association", "privatepatch-scan-linux")
	assert.Equal(t, []any{map[string]any{"Key": "tag:PatchGroup", "Values": []any{"linux"}}}, linux["Targets"])
}

// A patch group its windows read from both keys is scanned under each: one association a key, the
// second named after it.
func TestAPatchGroupReadFromBothKeysIsScannedUnderEach(t *testing.T) {
	stack := windowStack()
	patching.NewScanAssociations(stack, "Scan", &patching.ScanProps{NamePrefix: "pp-", PatchGroups: []string{"web", "db"},
		TagKeys: map[string][]string{"web": {patchingspec.PatchGroupTag, patchingspec.PatchGroupMetadataTag}}})
	targets := map[string]any{}
	for _, a := range *assertions.Template_FromStack(stack, nil).FindResources(jsii.String("AWS::SSM::Association"), nil) {
		p := (*a)["Properties"].(map[string]any)
		targets[p["AssociationName"].(string)] = p["Targets"].([]any)[0].(map[string]any)["Key"]
	}
	assert.Equal(t, map[string]any{"pp-scan-web": "tag:Patch Group", "pp-scan-web-PatchGroup": "tag:PatchGroup", "pp-scan-db": "tag:Patch Group"}, targets)
}

func TestInventoryIsGatheredAndSyncedToTheCommandOutputBucket(t *testing.T) {
	s := richPatching.synth(t)
	_, inventory := s.byName(t, "AWS::SSM::Association", "privatepatch-software-inventory")
	assert.Equal(t, "AWS-GatherSoftwareInventory", inventory["Name"])
	assert.Equal(t, "rate(12 hours)", inventory["ScheduleExpression"])
	assert.Equal(t, []any{map[string]any{"Key": "tag:privatepatch:fleet", "Values": []any{"privatepatch"}}}, inventory["Targets"])
	_, sync := oneOf(t, s.patchJSON, "AWS::SSM::ResourceDataSync", "")
	dest := props(sync)["S3Destination"].(map[string]any)
	assert.Equal(t, "inventory", dest["BucketPrefix"])
	assert.Equal(t, "JsonSerDe", dest["SyncFormat"])
	assert.Contains(t, fmt.Sprint(dest["BucketName"]), "CommandOutputBucket")
	assert.Contains(t, fmt.Sprint(dest["KMSKeyArn"]), "CommandOutputKey", "the bucket is KMS-encrypted here")
	bucketPolicy := fmt.Sprint(s.fleetResources("AWS::S3::BucketPolicy"))
	assert.Contains(t, bucketPolicy, "ResourceDataSyncWrite")
	assert.Contains(t, bucketPolicy, "aws:SourceAccount")

	defaults := defaultScenario.synth(t)
	defaults.patching.ResourceCountIs(jsii.String("AWS::SSM::ResourceDataSync"), jsii.Number(0))
}

// statementBySid is the statement of a policy document with that Sid.
func statementBySid(t *testing.T, document any, sid string) map[string]any {
	t.Helper()
	for _, st := range document.(map[string]any)["Statement"].([]any) {
		if st.(map[string]any)["Sid"] == sid {
			return st.(map[string]any)
		}
	}
	require.Fail(t, "no statement "+sid)
	return nil
}

// undeliveredAlarmGaps lists the rules that deliver alerts (their target is the topic, or a
// function of the template: the finding filter) and whose AWS/Events FailedInvocations
// (dimension RuleName) no alarm with an action to the topic watches.
func undeliveredAlarmGaps(template map[string]any, topicID string) []string {
	watched := map[string]bool{}
	for _, a := range resourcesOf(template, "AWS::CloudWatch::Alarm") {
		if fmt.Sprint(props(a)["AlarmActions"]) != fmt.Sprint([]any{map[string]any{"Ref": topicID}}) {
			continue
		}
		for _, m := range toAnyList(props(a)["Metrics"]) {
			stat, _ := m.(map[string]any)["MetricStat"].(map[string]any)
			metric, _ := stat["Metric"].(map[string]any)
			if metric["Namespace"] == "AWS/Events" && metric["MetricName"] == "FailedInvocations" {
				for _, d := range toAnyList(metric["Dimensions"]) {
					if d.(map[string]any)["Name"] == "RuleName" {
						watched[fmt.Sprint(d.(map[string]any)["Value"])] = true
					}
				}
			}
		}
	}
	var functions []string
	for id := range resourcesOf(template, "AWS::Lambda::Function") {
		functions = append(functions, fmt.Sprint(map[string]any{"Fn::GetAtt": []any{id, "Arn"}}))
	}
	var gaps []string
	for id, r := range resourcesOf(template, "AWS::Events::Rule") {
		targets := fmt.Sprint(props(r)["Targets"])
		delivers := strings.Contains(targets, topicID) || slices.ContainsFunc(functions, func(f string) bool { return strings.Contains(targets, f) })
		if delivers && !watched[fmt.Sprint(map[string]any{"Ref": id})] {
			gaps = append(gaps, id)
		}
	}
	sort.Strings(gaps)
	return gaps
}

func toAnyList(v any) []any {
	list, _ := v.([]any)
	return list
}

// EventBridge's failed deliveries alarm through CloudWatch, whose path to the topic is the
// alarms' (AllowAlarms), for every rule that publishes to the topic.
func TestFailedAlertDeliveriesAlarmForEveryRuleThatPublishes(t *testing.T) {
	for _, sc := range []*scenario{defaultScenario, richPatching, exampleScenario, promoteRings} {
		s := sc.synth(t)
		topicID, _ := oneOf(t, s.patchJSON, "AWS::SNS::Topic", "Alerts")
		assert.Empty(t, undeliveredAlarmGaps(s.patchJSON, topicID), sc.name)
		_, alarm := oneOf(t, s.patchJSON, "AWS::CloudWatch::Alarm", "MonitoringAlertsUndeliveredAlarm")
		assert.Equal(t, "notBreaching", props(alarm)["TreatMissingData"], "EventBridge sends FailedInvocations only when it isn't zero")
		assert.Equal(t, []any{float64(1), "GreaterThanOrEqualToThreshold"}, []any{props(alarm)["Threshold"], props(alarm)["ComparisonOperator"]})
	}
	// Planted: the rules with an alarm that forgets the last one.
	s := defaultScenario.synth(t)
	topicID, _ := oneOf(t, s.patchJSON, "AWS::SNS::Topic", "Alerts")
	planted := map[string]any{"Resources": map[string]any{}}
	for id, r := range s.patchJSON["Resources"].(map[string]any) {
		planted["Resources"].(map[string]any)[id] = r
	}
	alarmID, alarm := oneOf(t, s.patchJSON, "AWS::CloudWatch::Alarm", "MonitoringAlertsUndeliveredAlarm")
	forgetful := map[string]any{}
	for k, v := range props(alarm) {
		forgetful[k] = v
	}
	metrics := toAnyList(forgetful["Metrics"])
	forgetful["Metrics"] = metrics[:len(metrics)-1]
	planted["Resources"].(map[string]any)[alarmID] = map[string]any{"Type": "AWS::CloudWatch::Alarm", "Properties": forgetful}
	assert.Len(t, undeliveredAlarmGaps(planted, topicID), 1)
}

// An alarm on metric math references at most patchingspec.MaxAlarmMetrics metrics: 11 rules that
// publish to the topic (with a failure rule per window, a deployment of several windows has more
// than 10) get two alarms, together watching each rule once.
func TestMoreRulesThanAnAlarmReferencesGetFurtherUndeliveredAlarms(t *testing.T) {
	stack := windowStack()
	topic := awssns.NewTopic(stack, jsii.String("Alerts"), nil)
	var rules []awsevents.IRule
	for i := range patchingspec.MaxAlarmMetrics + 1 {
		rules = append(rules, awsevents.NewRule(stack, jsii.String(fmt.Sprintf("Rule%d", i)), &awsevents.RuleProps{
			EventPattern: &awsevents.EventPattern{Source: jsii.Strings("aws.ssm")}, Targets: &[]awsevents.IRuleTarget{awseventstargets.NewSnsTopic(topic, nil)}}))
	}
	m := patching.NewMonitoring(stack, "Monitoring", &patching.MonitoringProps{DashboardName: "d", Topic: topic, DeliveringRules: rules, AlarmNamePrefix: "pp-"})
	assert.Equal(t, []string{"pp-alerts-undelivered", "pp-alerts-undelivered-2"}, m.AlarmNames())
	template := map[string]any{}
	require.NoError(t, json.Unmarshal([]byte(mustJSON(t, assertions.Template_FromStack(stack, nil).ToJSON())), &template))
	topicID, _ := oneOf(t, template, "AWS::SNS::Topic", "Alerts")
	assert.Empty(t, undeliveredAlarmGaps(template, topicID))
	_, second := oneOf(t, template, "AWS::CloudWatch::Alarm", "MonitoringAlertsUndeliveredAlarm2")
	assert.Len(t, toAnyList(props(second)["Metrics"]), 1, "the 11th rule's metric, alone")
	// Planted: the second alarm gone, the 11th rule is watched by none.
	delete(template["Resources"].(map[string]any), first(oneOf(t, template, "AWS::CloudWatch::Alarm", "MonitoringAlertsUndeliveredAlarm2")))
	assert.Len(t, undeliveredAlarmGaps(template, topicID), 1)
}

// notInAlarms are the metric math functions "Using metric math" (CloudWatch User Guide, read
// 2026-12-07) recommends "that you do not use ... in CloudWatch alarms": "This function acts
// differently when extra data is requested".
var notInAlarms = regexp.MustCompile(`\b(AVG|DATAPOINT_COUNT|MAX|MIN|REMOVE_EMPTY|RUNNING_SUM|STDDEV|SUM)\(`)

// alarmExpressionsAdvisedAgainst are the metric math expressions of a template's alarms that use
// one of notInAlarms.
func alarmExpressionsAdvisedAgainst(template map[string]any) []string {
	var found []string
	for id, alarm := range resourcesOf(template, "AWS::CloudWatch::Alarm") {
		for _, m := range toAnyList(props(alarm)["Metrics"]) {
			// A Metrics Insights query (SELECT ...) is another language, whose MIN and MAX are its
			// aggregations, made for alarms ("Create alarms on Metrics Insights queries").
			if e, ok := m.(map[string]any)["Expression"].(string); ok && !strings.HasPrefix(e, "SELECT ") && notInAlarms.MatchString(e) {
				found = append(found, id+": "+e)
			}
		}
	}
	return found
}

func TestNoAlarmUsesAMetricMathFunctionAwsAdvisesAgainstInAlarms(t *testing.T) {
	alarms := 0
	for file, template := range goldenTemplates(t) {
		assert.Empty(t, alarmExpressionsAdvisedAgainst(template), file)
		alarms += len(resourcesOf(template, "AWS::CloudWatch::Alarm"))
	}
	_, pipeline := synthPipeline(t)
	assert.Empty(t, alarmExpressionsAdvisedAgainst(pipeline), "the pipeline stack")
	assert.Positive(t, alarms)
	planted := map[string]any{"Resources": map[string]any{"A": map[string]any{"Type": "AWS::CloudWatch::Alarm",
		"Properties": map[string]any{"Metrics": []any{map[string]any{"Id": "e", "Expression": "SUM([rule0,rule1])"}}}}}}
	assert.Len(t, alarmExpressionsAdvisedAgainst(planted), 1, "planted: SUM([...])")
}

func TestAlertsTopicIsEncryptedTlsOnlyAndFedByThreeRules(t *testing.T) {
	s := richPatching.synth(t)
	topicID, topic := oneOf(t, s.patchJSON, "AWS::SNS::Topic", "")
	keyID := first(oneOf(t, s.patchJSON, "AWS::KMS::Key", "AlertsKey"))
	assert.Equal(t, map[string]any{"Fn::GetAtt": []any{keyID, "Arn"}}, props(topic)["KmsMasterKeyId"])
	s.patching.HasResource(jsii.String("AWS::KMS::Key"), map[string]any{"Properties": map[string]any{"EnableKeyRotation": true}, "DeletionPolicy": spec.KeptDeletionPolicy})
	s.patching.HasResourceProperties(jsii.String("AWS::SNS::TopicPolicy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
			"Effect": "Deny", "Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
		})})},
	})
	var emails []string
	for _, sub := range s.patchResources("AWS::SNS::Subscription") {
		assert.Equal(t, map[string]any{"Ref": topicID}, props(sub)["TopicArn"])
		emails = append(emails, props(sub)["Endpoint"].(string))
	}
	assert.ElementsMatch(t, []string{"ops@example.com", "security@example.com"}, emails)

	// EventBridge delivers through the topic and key policies, without a role ("Using
	// resource-based policies for Amazon EventBridge": no RoleArn for SNS targets).
	for id, role := range s.patchResources("AWS::IAM::Role") {
		assert.NotContains(t, fmt.Sprint(props(role)["AssumeRolePolicyDocument"]), "events.amazonaws.com", "%s: no role for EventBridge", id)
	}
	var ruleArns []any
	for id, r := range s.patchResources("AWS::Events::Rule") {
		require.NotNil(t, props(r)["Targets"], "%s has a target (the windows' failure rules too)", id)
		// The finding rules' target is the finding filter, which publishes itself.
		if !strings.Contains(fmt.Sprint(props(r)["Targets"]), "FindingFilterFunction") {
			ruleArns = append(ruleArns, map[string]any{"Fn::GetAtt": []any{id, "Arn"}})
		}
	}
	_, topicPolicy := oneOf(t, s.patchJSON, "AWS::SNS::TopicPolicy", "Alerts")
	eventsPublish := statementBySid(t, props(topicPolicy)["PolicyDocument"], "EventBridgeRulesPublish")
	assert.Equal(t, map[string]any{"Service": "events.amazonaws.com"}, eventsPublish["Principal"])
	assert.ElementsMatch(t, ruleArns, eventsPublish["Condition"].(map[string]any)["ArnEquals"].(map[string]any)["aws:SourceArn"],
		"EventBridge may publish for exactly the rules that target the topic")
	assert.Equal(t, map[string]any{"aws:SourceAccount": map[string]any{"Ref": "AWS::AccountId"}}, eventsPublish["Condition"].(map[string]any)["StringEquals"])
	_, key := oneOf(t, s.patchJSON, "AWS::KMS::Key", "AlertsKey")
	eventsKey := statementBySid(t, props(key)["KeyPolicy"], patching.EventBridgeKeySid)
	assert.Equal(t, map[string]any{"Service": "events.amazonaws.com"}, eventsKey["Principal"])
	assert.NotContains(t, eventsKey, "Condition",
		"aws:SourceAccount, aws:SourceArn and aws:SourceOrgID are not supported for EventBridge-to-encrypted topics (Managing Amazon SNS encryption keys and costs)")

	var patterns, watchedWindows []any
	for id, rule := range s.patchResources("AWS::Events::Rule") {
		if !strings.HasPrefix(id, "Alerts") && !strings.Contains(id, "FailureRule") {
			continue // the finding rules (assets_test.go)
		}
		p := props(rule)["EventPattern"].(map[string]any)
		assert.Equal(t, []any{"aws.ssm"}, p["source"])
		assert.Equal(t, []any{map[string]any{"Arn": map[string]any{"Ref": topicID}, "Id": "Target0"}}, props(rule)["Targets"], "no RoleArn")
		detail := p["detail"].(map[string]any)
		watchedWindows = append(watchedWindows, toAnyList(detail["window-id"])...)
		// The associations: TestAssociationAlertWatchesThisDeploymentsAssociationsOnly.
		detail = without(detail, "window-id", "association-id")
		pattern := map[string]any{p["detail-type"].([]any)[0].(string): detail}
		if !slices.ContainsFunc(patterns, func(q any) bool { return reflect.DeepEqual(q, pattern) }) {
			patterns = append(patterns, pattern) // each window's failure rule has the same
		}
		assert.Empty(t, undocumentedSsmEvent(p["detail-type"].([]any)[0].(string), p["detail"].(map[string]any)), "%s watches what AWS documents", id)
	}
	var windows []any
	for id := range s.patchResources("AWS::SSM::MaintenanceWindow") {
		windows = append(windows, map[string]any{"Ref": id})
	}
	assert.ElementsMatch(t, windows, watchedWindows, "the failed-window rules (the windows' own) watch exactly this deployment's windows, each once")
	wsusBaseline := map[string]any{"Ref": first(oneOf(t, s.patchJSON, "AWS::SSM::PatchBaseline", "Baselinesprivatepatchwsus"))}
	assert.ElementsMatch(t, []any{
		map[string]any{"Maintenance Window Execution State-change Notification": map[string]any{"status": []any{"FAILED", "TIMED_OUT", "CANCELLED", "SKIPPED_OVERLAPPING"}}},
		// The fleet's: any baseline but the WSUS server's, which alerts through its own rule.
		map[string]any{"Configuration Compliance State Change": map[string]any{"compliance-type": []any{"Patch"}, "compliance-status": []any{"non_compliant"},
			"patch-baseline-id": []any{map[string]any{"anything-but": []any{wsusBaseline}}}}},
		map[string]any{"EC2 State Manager Instance Association State Change": map[string]any{"status": []any{"Failed"}}},
		// The WSUS server's, apart from the fleet: its own baseline (patch group wsus).
		map[string]any{"Configuration Compliance State Change": map[string]any{"compliance-type": []any{"Patch"}, "compliance-status": []any{"non_compliant"},
			"patch-baseline-id": []any{wsusBaseline}}},
	}, patterns)
}

func TestKmsCommandOutputBucketUsesARotatedKeyTheFleetMayUse(t *testing.T) {
	s := richPatching.synth(t)
	_, bucket := s.only(t, "AWS::S3::Bucket", "CommandOutputBucket")
	keyID := first(oneOf(t, s.fleetJSON, "AWS::KMS::Key", "CommandOutputKey"))
	assert.Equal(t, map[string]any{"ServerSideEncryptionConfiguration": []any{map[string]any{
		"BucketKeyEnabled":              true,
		"ServerSideEncryptionByDefault": map[string]any{"KMSMasterKeyID": map[string]any{"Fn::GetAtt": []any{keyID, "Arn"}}, "SSEAlgorithm": "aws:kms"},
	}}}, props(bucket)["BucketEncryption"])
	// S3 asks KMS for the data key on the writer's behalf: each role that writes output needs
	// kms:GenerateDataKey, and kms:Decrypt for multipart uploads, on this key ("Using server-side
	// encryption with AWS KMS keys (SSE-KMS)", Amazon S3 User Guide, read 2026-11-27); no kms
	// endpoint is configured here, and none is needed.
	for _, rolePrefix := range []string{"FleetRole", "WsusRole"} {
		roleID, _ := oneOf(t, s.fleetJSON, "AWS::IAM::Role", rolePrefix)
		actions := map[string]bool{}
		for _, st := range policyStatements(s.fleetJSON, roleID) {
			if fmt.Sprint(st["Resource"]) == fmt.Sprint(map[string]any{"Fn::GetAtt": []any{keyID, "Arn"}}) {
				for _, a := range st["Action"].([]any) {
					actions[a.(string)] = true
				}
			}
		}
		assert.True(t, actions["kms:GenerateDataKey"] && actions["kms:Decrypt"], "%s may have S3 generate and decrypt data keys with the output key: %v", rolePrefix, actions)
	}
}

func first(id string, _ map[string]any) string { return id }

func TestAWindowOnPatchGroupsTargetsItsOneTagKey(t *testing.T) {
	s := richPatching.synth(t)
	windowID, _ := s.byName(t, "AWS::SSM::MaintenanceWindow", "metadata-tagged")
	var targets []any
	for _, target := range s.patchResources("AWS::SSM::MaintenanceWindowTarget") {
		if fmt.Sprint(props(target)["WindowId"]) == fmt.Sprint(map[string]any{"Ref": windowID}) {
			targets = append(targets, props(target)["Targets"])
		}
	}
	assert.Equal(t, []any{[]any{map[string]any{"Key": "tag:PatchGroup", "Values": []any{"linux"}}}}, targets)
}

// windowTargetsMayOverlap reports whether one managed node could match both window targets
// (their Targets lists). Within a target every key must match (one entry per key here), so two
// targets exclude each other only when they share a key with no value in common; any other pair
// may meet, as tag targets on Patch Group and PatchGroup do on the fleet's instances, which
// carry both keys (managedinstance.TagPatchGroup).
func windowTargetsMayOverlap(a, b []any) bool {
	values := func(targets []any) map[string][]string {
		out := map[string][]string{}
		for _, t := range targets {
			t := t.(map[string]any)
			for _, v := range t["Values"].([]any) {
				out[t["Key"].(string)] = append(out[t["Key"].(string)], fmt.Sprint(v))
			}
		}
		return out
	}
	va, vb := values(a), values(b)
	for key, as := range va {
		if bs, ok := vb[key]; ok && !slices.ContainsFunc(as, func(v string) bool { return slices.Contains(bs, v) }) {
			return false
		}
	}
	return true
}

func TestEveryWindowTaskRunsOnceOnEachInstance(t *testing.T) {
	for _, sc := range []*scenario{defaultScenario, exampleScenario, richPatching} {
		s := sc.synth(t)
		windowTargets := s.patchResources("AWS::SSM::MaintenanceWindowTarget")
		for _, task := range s.patchResources("AWS::SSM::MaintenanceWindowTask") {
			var ids []string
			for _, target := range props(task)["Targets"].([]any) {
				target := target.(map[string]any)
				require.Equal(t, "WindowTargetIds", target["Key"])
				for _, ref := range target["Values"].([]any) {
					ids = append(ids, ref.(map[string]any)["Ref"].(string))
				}
			}
			// A task runs once per window target it names, one after the other
			// (RegisterTargetWithMaintenanceWindow): two that can match one instance run it twice.
			for i := range ids {
				for _, other := range ids[i+1:] {
					assert.False(t, windowTargetsMayOverlap(props(windowTargets[ids[i]])["Targets"].([]any), props(windowTargets[other])["Targets"].([]any)),
						"%s: task %s names window targets %s and %s, which can match the same instance: it would run there twice", sc.name, props(task)["Name"], ids[i], other)
				}
			}
		}
	}
}

func TestConfigurationAllowsThePatchGroupTagKeysTheFleetIsTaggedWith(t *testing.T) {
	// config may not import constructs: the two lists are one fact, checked here.
	assert.Equal(t, []string{managedinstance.PatchGroupTag, managedinstance.PatchGroupMetadataTag}, config.PatchGroupTagKeys)
}

func TestWindowTargetOverlapSeesBothPatchGroupKeysOnOneInstance(t *testing.T) {
	target := func(key string, values ...any) []any { return []any{map[string]any{"Key": key, "Values": values}} }
	// Planted: the two targets a window on both patch group keys had.
	assert.True(t, windowTargetsMayOverlap(target("tag:Patch Group", "linux"), target("tag:PatchGroup", "linux")))
	assert.True(t, windowTargetsMayOverlap(target("tag:Patch Group", "a", "b"), target("tag:Patch Group", "b")))
	assert.False(t, windowTargetsMayOverlap(target("tag:Patch Group", "dev"), target("tag:Patch Group", "prod")))
	assert.False(t, windowTargetsMayOverlap(target("InstanceIds", "i-1"), target("InstanceIds", "i-2")))
}

// policyStatements returns the statements of every AWS::IAM::Policy in template attached to the
// role with logical id roleID.
func policyStatements(template map[string]any, roleID string) []map[string]any {
	var out []map[string]any
	for _, policy := range resourcesOf(template, "AWS::IAM::Policy") {
		if !strings.Contains(fmt.Sprint(props(policy)["Roles"]), roleID) {
			continue
		}
		for _, st := range props(policy)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			out = append(out, st.(map[string]any))
		}
	}
	return out
}

// Run Command publishes a task's notifications with a role of their own, as "Monitoring Systems
// Manager status changes using Amazon SNS notifications" sets it up: the window's role may pass
// it to Systems Manager, and it trusts Systems Manager as that page's role does.
func TestEveryNotifyingTaskPublishesWithItsOwnRoleWhichTheWindowMayPass(t *testing.T) {
	passes := func(statements []map[string]any, roleArn any) bool {
		return slices.ContainsFunc(statements, func(st map[string]any) bool {
			return st["Action"] == "iam:PassRole" && fmt.Sprint(st["Resource"]) == fmt.Sprint(roleArn) &&
				fmt.Sprint(st["Condition"]) == fmt.Sprint(map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "ssm.amazonaws.com"}})
		})
	}
	for _, sc := range []*scenario{defaultScenario, richPatching} {
		s := sc.synth(t)
		notifying := 0
		for _, task := range s.patchResources("AWS::SSM::MaintenanceWindowTask") {
			run, _ := props(task)["TaskInvocationParameters"].(map[string]any)["MaintenanceWindowRunCommandParameters"].(map[string]any)
			if run["NotificationConfig"] == nil {
				continue
			}
			notifying++
			windowRole := props(task)["ServiceRoleArn"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
			notifier := run["ServiceRoleArn"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
			assert.NotEqual(t, windowRole, notifier, "%s: task %s notifies with the window's own role", sc.name, props(task)["Name"])
			assert.True(t, passes(policyStatements(s.patchJSON, windowRole), run["ServiceRoleArn"]),
				"%s: the window's role %s may not pass %s to ssm.amazonaws.com", sc.name, windowRole, notifier)
			trust := props(s.patchJSON["Resources"].(map[string]any)[notifier].(map[string]any))["AssumeRolePolicyDocument"]
			assert.Equal(t, []any{map[string]any{"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": map[string]any{"Service": "ssm.amazonaws.com"}}},
				trust.(map[string]any)["Statement"], "%s: the page's trust", notifier)
			var actions []string
			for _, st := range policyStatements(s.patchJSON, notifier) {
				actions = append(actions, fmt.Sprint(st["Action"]))
			}
			assert.ElementsMatch(t, []string{"sns:Publish", "[kms:Decrypt kms:GenerateDataKey*]"}, actions, "%s publishes and nothing else", notifier)
		}
		assert.Positive(t, notifying, "%s has notifying tasks", sc.name)
	}
}

func TestInventoryIsQueryableWithAthenaThroughACrawledGlueDatabase(t *testing.T) {
	s := richPatching.synth(t)
	_, database := oneOf(t, s.patchJSON, "AWS::Glue::Database", "InventoryQueries")
	assert.Equal(t, "privatepatch_inventory", props(database)["DatabaseInput"].(map[string]any)["Name"])
	_, crawler := oneOf(t, s.patchJSON, "AWS::Glue::Crawler", "InventoryQueries")
	c := props(crawler)
	assert.Equal(t, "privatepatch_inventory", c["DatabaseName"])
	assert.Contains(t, fmt.Sprint(c["Targets"]), "/inventory/", "the resource data sync's prefix")
	assert.Contains(t, c["Configuration"], `"TableLevelConfiguration":3`, "a table per inventory type")
	securityID, security := oneOf(t, s.patchJSON, "AWS::Glue::SecurityConfiguration", "InventoryQueries")
	assert.Equal(t, props(security)["Name"], c["CrawlerSecurityConfiguration"])
	assert.Contains(t, fmt.Sprint(props(security)["EncryptionConfiguration"]), "CloudWatchEncryptionMode:SSE-KMS", "crawler logs encrypted")

	_, workgroup := oneOf(t, s.patchJSON, "AWS::Athena::WorkGroup", "InventoryQueries")
	result := props(workgroup)["WorkGroupConfiguration"].(map[string]any)["ResultConfiguration"].(map[string]any)
	assert.Contains(t, fmt.Sprint(result["OutputLocation"]), "athena-results/")
	assert.Equal(t, "SSE_KMS", result["EncryptionConfiguration"].(map[string]any)["EncryptionOption"], "the bucket's key (KMS here)")
	assert.Equal(t, true, props(workgroup)["WorkGroupConfiguration"].(map[string]any)["EnforceWorkGroupConfiguration"])

	queries := map[string]string{}
	for _, q := range s.patchResources("AWS::Athena::NamedQuery") {
		queries[props(q)["Name"].(string)] = props(q)["QueryString"].(string)
		assert.Equal(t, "privatepatch_inventory", props(q)["Database"])
	}
	assert.ElementsMatch(t, []string{"missing-patches", "failed-configuration-checks", "installed-software", "instances"}, keysOf(queries))
	for name, sql := range queries {
		assert.Empty(t, unknownColumns(sql), "%s uses only the tables and columns AWS's patch-reporting sample queries", name)
	}

	// aws_instanceinformation is declared, without the data column resourcetype that is also a
	// partition key, and no crawl changes it.
	// Every table a saved query reads is declared (a crawled one keeps its first crawl's columns),
	// with the columns the queries name and no data column that is also a partition key.
	tables := map[string]string{}
	for tableID, table := range s.patchResources("AWS::Glue::Table") {
		input := props(table)["TableInput"].(map[string]any)
		name := input["Name"].(string)
		tables[name] = tableID
		assert.Empty(t, columnsAlsoPartitionKeys(input), "%s: no data column is also a partition key", name)
		assert.Equal(t, []any{"accountid", "region", "resourcetype"}, names(input["PartitionKeys"]), name)
		assert.Contains(t, fmt.Sprint(input["StorageDescriptor"].(map[string]any)["Location"]), "/inventory/"+patching.DeclaredTables[name].Folder+"/", name)
		for _, column := range patching.SyncColumns[name] {
			if !slices.Contains(patching.SyncPartitionKeys, column) {
				assert.Contains(t, names(input["StorageDescriptor"].(map[string]any)["Columns"]), column, name)
			}
		}
		assert.Contains(t, crawler["DependsOn"], tableID, "%s is there before the first crawl", name)
	}
	for name, sql := range queries {
		for _, word := range sqlWords.FindAllString(sql, -1) {
			if strings.HasPrefix(word, "aws_") {
				assert.Contains(t, tables, word, "%s reads a declared table", name)
			}
		}
	}
	assert.Equal(t, map[string]any{"UpdateBehavior": "LOG", "DeleteBehavior": "LOG"}, c["SchemaChangePolicy"], "a crawl never changes a table's schema")
	assert.Equal(t, []any{"AWS:InstanceInformation/accountid=*/test.json"}, c["Targets"].(map[string]any)["S3Targets"].([]any)[0].(map[string]any)["Exclusions"],
		"the sync's probe file is not crawled")
	assert.Contains(t, queries["missing-patches"], "compliancetype = 'Patch' AND status = 'NON_COMPLIANT'")
	assert.Contains(t, queries["failed-configuration-checks"], "compliancetype = 'Custom:CCE'")
	// The sync keeps a deleted node's files: no query reports a node known terminated, and none
	// uses NOT IN or <>, which a NULL turns into leaving out every row, or the row.
	for name, sql := range queries {
		assert.Contains(t, sql, "'Terminated'", "%s leaves out terminated nodes", name)
		assert.NotContains(t, sql, "NOT IN", name)
		assert.NotContains(t, sql, "<>", name)
	}
	// The crawler names its security configuration, so it must wait for it; the workgroup is
	// deleted with the query history a run leaves in it.
	assert.Contains(t, crawler["DependsOn"], securityID, "the security configuration is there before the crawler")
	assert.Equal(t, true, props(workgroup)["RecursiveDeleteOption"], "a workgroup that has run queries can be deleted")

	assert.Empty(t, defaultScenario.synth(t).patchResources("AWS::Glue::Crawler"), "only with a resource data sync")
}

// syncLayout is where a resource data sync writes, kept as data with its sources.
type syncLayout struct {
	Account, Region string
	Objects         []string
	Probe           string
}

// projectedObjects lists the objects of a sync's layout that a Glue table reads through partition
// projection (Athena: projection.enabled, enum columns, storage.location.template): an object
// under the table's location is read when it sits directly in a projected partition's folder.
// root is the sync's root folder (the table's location without its type folder).
func projectedObjects(tableInput map[string]any, root string, objects []string) []string {
	params, _ := tableInput["Parameters"].(map[string]any)
	if params["projection.enabled"] != "true" {
		return nil
	}
	locations := []string{fmt.Sprint(params["storage.location.template"])}
	for _, key := range names(tableInput["PartitionKeys"]) {
		if params[fmt.Sprintf("projection.%s.type", key)] != "enum" {
			return nil
		}
		var next []string
		for _, l := range locations {
			for _, v := range strings.Split(fmt.Sprint(params[fmt.Sprintf("projection.%s.values", key)]), ",") {
				next = append(next, strings.ReplaceAll(l, "${"+fmt.Sprint(key)+"}", v))
			}
		}
		locations = next
	}
	var read []string
	for _, object := range objects {
		for _, l := range locations {
			if rest, ok := strings.CutPrefix(root+object, l); ok && !strings.Contains(rest, "/") {
				read = append(read, object)
			}
		}
	}
	return read
}

// The declared aws_instanceinformation table has its partitions by projection, so Athena reads
// every node's object from the first sync on, and no crawl has to add them.
func TestEveryDeclaredTableProjectsThePartitionsOfTheDocumentedSyncLayout(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "resource-data-sync-layout.json"))
	require.NoError(t, err)
	var layout syncLayout
	require.NoError(t, json.Unmarshal(data, &layout))
	s := richPatching.synth(t)
	inputs := map[string]map[string]any{}
	for _, table := range s.patchResources("AWS::Glue::Table") {
		input := resolve(props(table)["TableInput"], layout.Account, layout.Region).(map[string]any)
		inputs[input["Name"].(string)] = input
	}
	require.Len(t, inputs, len(patching.DeclaredTables))
	var root string
	for name, input := range inputs {
		folder := patching.DeclaredTables[name].Folder + "/"
		location := fmt.Sprint(input["StorageDescriptor"].(map[string]any)["Location"])
		root = strings.TrimSuffix(location, folder)
		require.NotEqual(t, location, root, name)
		var want []string
		for _, o := range layout.Objects {
			if strings.HasPrefix(o, folder) {
				want = append(want, o)
			}
		}
		require.NotEmpty(t, want, name)
		assert.Equal(t, want, projectedObjects(input, root, append(layout.Objects, layout.Probe)),
			"%s: every node's object of its type, and neither other types nor the probe", name)
	}
	input := inputs[patching.InstanceInformationTable]

	// Planted: projection without the resourcetype folder, or for another region, reads nothing;
	// without projection, the table reads only what a crawl added.
	without := func(edit func(params map[string]any)) map[string]any {
		params := map[string]any{}
		maps.Copy(params, input["Parameters"].(map[string]any))
		edit(params)
		copied := map[string]any{}
		maps.Copy(copied, input)
		copied["Parameters"] = params
		return copied
	}
	for name, edit := range map[string]func(map[string]any){
		"no resourcetype folder": func(p map[string]any) {
			p["storage.location.template"] = strings.Replace(fmt.Sprint(p["storage.location.template"]), "resourcetype=${resourcetype}/", "", 1)
		},
		"another region":    func(p map[string]any) { p["projection.region.values"] = "eu-west-1" },
		"no projection":     func(p map[string]any) { delete(p, "projection.enabled") },
		"a column injected": func(p map[string]any) { p["projection.accountid.type"] = "injected" },
	} {
		assert.Empty(t, projectedObjects(without(edit), root, layout.Objects), name)
	}
}

// documentedSsmEvents are the Systems Manager events the alerts may watch, with the detail values
// AWS documents for them (nil: an identifier field, any value): the states one can add to a rule ("Reference: Amazon EventBridge event
// patterns and types for Systems Manager", read 2026-11-27), and the compliance types of its
// compliance events, association and patch ("Amazon EventBridge event examples for Systems
// Manager", read 2026-11-27).
var documentedSsmEvents = map[string]map[string][]string{
	"Maintenance Window Execution State-change Notification": {"status": {"CANCELLED", "CANCELLING", "FAILED", "IN_PROGRESS", "PENDING", "SKIPPED_OVERLAPPING", "SUCCESS", "TIMED_OUT"},
		"window-id": nil}, // the window's id (the event example's detail): any value
	"Configuration Compliance State Change": {"compliance-status": {"compliant", "non_compliant"}, "compliance-type": {"Association", "Patch"},
		"patch-baseline-id": {anyValue}}, // the Patch examples' field, the baseline's id
	// association-id: the example's detail ("Amazon EventBridge event examples for Systems
	// Manager", read 2026-12-06; patchingspec.InstanceAssociationEventFields): any value.
	"EC2 State Manager Instance Association State Change": {"status": {"Failed", "Pending", "Success"}, "association-id": nil},
	"EC2 Command Invocation Status-change Notification":   {"status": {"Success", "InProgress", "TimedOut", "Canceled", "Failed"}},
}

// anyValue marks a documented detail field whose values are ids, not states.
const anyValue = "*"

// undocumentedSsmEvent lists what a rule's detail type and detail values ask for that AWS does
// not document: such a rule may never fire.
func undocumentedSsmEvent(detailType string, detail map[string]any) []string {
	fields, ok := documentedSsmEvents[detailType]
	if !ok {
		return []string{"detail-type " + detailType}
	}
	var out []string
	for field, values := range detail {
		if allowed, ok := fields[field]; ok && allowed == nil {
			continue // an identifier field
		}
		for _, v := range values.([]any) {
			if !slices.Contains(fields[field], fmt.Sprint(v)) && !slices.Contains(fields[field], anyValue) {
				out = append(out, fmt.Sprintf("%s %s", field, v))
			}
		}
	}
	return out
}

func TestUndocumentedSsmEventsAreFound(t *testing.T) {
	assert.Equal(t, []string{"compliance-type Custom:CCE"}, undocumentedSsmEvent("Configuration Compliance State Change",
		map[string]any{"compliance-type": []any{"Custom:CCE"}, "compliance-status": []any{"non_compliant"}}), "the rule CCE alerts rested on")
	assert.Equal(t, []string{"status Failure"}, undocumentedSsmEvent("EC2 State Manager Instance Association State Change", map[string]any{"status": []any{"Failure"}}))
	assert.Equal(t, []string{"detail-type Compliance Changed"}, undocumentedSsmEvent("Compliance Changed", nil))
	assert.Equal(t, []string{"patch-group windows"}, undocumentedSsmEvent("Configuration Compliance State Change",
		map[string]any{"patch-baseline-id": []any{"pb-0123456789abcdef0"}, "patch-group": []any{"windows"}}), "an id field takes any id, an unknown field nothing")
}

func names(columns any) []any {
	var out []any
	for _, c := range columns.([]any) {
		out = append(out, c.(map[string]any)["Name"])
	}
	return out
}

// columnsAlsoPartitionKeys lists a Glue table's data columns that are also partition keys, which
// "causes Athena queries to fail" (AWS's patch-reporting sample, patching.SyncPartitionKeys).
func columnsAlsoPartitionKeys(tableInput map[string]any) []any {
	var out []any
	for _, c := range names(tableInput["StorageDescriptor"].(map[string]any)["Columns"]) {
		if slices.Contains(names(tableInput["PartitionKeys"]), c) {
			out = append(out, c)
		}
	}
	return out
}

var sqlWords = regexp.MustCompile(`'[^']*'|[A-Za-z_][A-Za-z_0-9]*`)

// unknownColumns lists what a saved query names that is neither SQL nor its one table or a
// column of it in AWS's sample (patching.SyncColumns), nor an alias it defines with AS.
func unknownColumns(sql string) []string {
	keywords := map[string]bool{"select": true, "from": true, "where": true, "and": true, "or": true, "order": true, "by": true, "group": true,
		"as": true, "count": true, "distinct": true, "asc": true, "desc": true, "limit": true,
		"case": true, "when": true, "then": true, "else": true, "end": true, "upper": true, "not": true, "in": true, "exists": true,
		"is": true}
	words := sqlWords.FindAllString(sql, -1)
	var tables []string
	aliases := map[string]bool{}
	for i := 1; i < len(words); i++ {
		switch strings.ToLower(words[i-1]) {
		case "from":
			tables = append(tables, words[i])
		case "as":
			aliases[words[i]] = true
		}
	}
	// A column is known if it is one of a table the query reads (its subqueries' too).
	ofATable := func(w string) bool {
		return slices.ContainsFunc(tables, func(table string) bool {
			return patching.SyncColumns[table] != nil && (w == table || slices.Contains(patching.SyncColumns[table], w))
		})
	}
	var unknown []string
	for _, w := range words {
		known := strings.HasPrefix(w, "'") || keywords[strings.ToLower(w)] || aliases[w] || ofATable(w)
		if !known {
			unknown = append(unknown, w)
		}
	}
	return unknown
}

var (
	orderBy   = regexp.MustCompile(`(?is)\bORDER BY (.*)$`)
	whenValue = regexp.MustCompile(`(?i)\bWHEN '([^']*)' THEN`)
)

// severityOrderProblem says why a query's ORDER BY does not rank severities as AWS lists them,
// most severe first (patching.ComplianceSeverities), or "" when it does or does not sort by
// severity: by the name, HIGH comes before CRITICAL and INFORMATIONAL before LOW.
func severityOrderProblem(sql string) string {
	m := orderBy.FindStringSubmatch(sql)
	if m == nil || !strings.Contains(strings.ToLower(m[1]), "severity") {
		return ""
	}
	var ranked []string
	for _, w := range whenValue.FindAllStringSubmatch(m[1], -1) {
		ranked = append(ranked, w[1])
	}
	if !slices.Equal(ranked, patching.ComplianceSeverities) {
		return fmt.Sprintf("orders severity by %v, not by rank %v", ranked, patching.ComplianceSeverities)
	}
	return ""
}

func TestSavedQueriesOrderSeverityByRankNotByName(t *testing.T) {
	s := richPatching.synth(t)
	bySeverity := 0
	for _, q := range s.patchResources("AWS::Athena::NamedQuery") {
		sql := props(q)["QueryString"].(string)
		assert.Empty(t, severityOrderProblem(sql), props(q)["Name"])
		if strings.Contains(strings.ToLower(orderBy.FindString(sql)), "severity") {
			bySeverity++
		}
	}
	assert.Equal(t, 2, bySeverity, "missing-patches and failed-configuration-checks, most severe first")
	// Planted: the order the missing-patches query had.
	assert.NotEmpty(t, severityOrderProblem("SELECT resourceid, severity FROM aws_complianceitem ORDER BY severity, resourceid"))
	assert.NotEmpty(t, severityOrderProblem("SELECT severity FROM aws_complianceitem ORDER BY CASE severity WHEN 'HIGH' THEN 0 WHEN 'CRITICAL' THEN 1 END"))
}

func TestUnknownColumnsAndPartitionKeyColumnsAreFound(t *testing.T) {
	assert.Equal(t, []string{"patchstate"}, unknownColumns("SELECT resourceid, title, patchstate FROM aws_complianceitem WHERE status = 'NON_COMPLIANT'"),
		"the column the missing-patches query had")
	assert.Equal(t, []string{"resourceid", "aws_instances"}, unknownColumns("SELECT resourceid FROM aws_instances"), "an unknown table")
	assert.Equal(t, []string{"patchstate"}, unknownColumns("SELECT resourceid FROM aws_complianceitem AS item WHERE NOT EXISTS (SELECT 1 FROM aws_instanceinformation AS t WHERE t.resourceid = item.resourceid AND patchstate = 'x')"),
		"a column of neither table a query reads")
	assert.Equal(t, []string{"instancestatus"}, unknownColumns("SELECT resourceid FROM aws_complianceitem WHERE instancestatus = 'Active'"),
		"a column of another table than the one read")
	assert.Empty(t, unknownColumns("SELECT id AS check_id FROM aws_complianceitem ORDER BY check_id"))
	crawled := map[string]any{"PartitionKeys": []any{map[string]any{"Name": "resourcetype"}},
		"StorageDescriptor": map[string]any{"Columns": []any{map[string]any{"Name": "resourceid"}, map[string]any{"Name": "resourcetype"}}}}
	assert.Equal(t, []any{"resourcetype"}, columnsAlsoPartitionKeys(crawled), "the table as the crawler makes it")
}

// docs/patching.md's alert table names every EventBridge rule that feeds the alerts topic, and no
// other: the rules of the default configuration (which alerts on findings from HIGH).
func TestPatchingDocListsEveryAlertRule(t *testing.T) {
	name := regexp.MustCompile(`^(?:(?:Alerts|Security)(\w+?)Rule|MaintenanceWindows\w+?(Failure)Rule)[0-9A-F]{8}$`)
	var rules []string
	// With stopOnFailure on (the default) each window's failure rule reports its failures; off,
	// the alerts' MaintenanceWindow rule does.
	for _, s := range []*scenario{defaultScenario.synth(t), stopOnFailureOff.synth(t)} {
		for id, r := range s.patchResources("AWS::Events::Rule") {
			require.NotNil(t, props(r)["Targets"], "rule %s feeds the topic", id)
			m := name.FindStringSubmatch(id)
			require.NotNil(t, m, "rule %s: named Alerts<Name>Rule, Security<Name>Rule or MaintenanceWindows<window>FailureRule", id)
			if kind := m[1] + m[2]; !slices.Contains(rules, kind) {
				rules = append(rules, kind)
			}
		}
	}
	doc, err := os.ReadFile(filepath.Join("..", "docs", "patching.md"))
	require.NoError(t, err)
	section := string(doc)[strings.Index(string(doc), "## Alerts"):]
	if next := strings.Index(section[1:], "\n## "); next > 0 {
		section = section[:next+1]
	}
	var documented []string
	for _, row := range regexp.MustCompile(`(?m)^\| (\w+) \| `).FindAllStringSubmatch(section, -1) {
		if row[1] != "Rule" {
			documented = append(documented, row[1])
		}
	}
	assert.ElementsMatch(t, rules, documented, "docs/patching.md#alerts lists each rule once")
}

// associationRulePattern is the detail of the patching stack's association alert rule.
func associationRuleDetail(t *testing.T, s *scenario) map[string]any {
	_, rule := oneOf(t, s.patchJSON, "AWS::Events::Rule", "AlertsAssociationRule")
	return props(rule)["EventPattern"].(map[string]any)["detail"].(map[string]any)
}

// TestAssociationAlertWatchesThisDeploymentsAssociationsOnly: the association rule names every
// association of the fleet and patching stacks by id, and no other: without it a failed
// association of another deployment in the account (or of none) alerted here.
func TestAssociationAlertWatchesThisDeploymentsAssociationsOnly(t *testing.T) {
	for _, s := range []*scenario{defaultScenario.synth(t), natWithoutWsus.synth(t)} {
		var want, got []string
		for id := range s.fleetResources("AWS::SSM::Association") {
			want = append(want, "fleet/"+id)
		}
		for id := range s.patchResources("AWS::SSM::Association") {
			want = append(want, "patching/"+id)
		}
		ids, ok := associationRuleDetail(t, s)["association-id"].([]any)
		require.True(t, ok, "%s: the rule names the associations it watches", s.name)
		for _, ref := range ids {
			if id, ok := ref.(map[string]any)["Ref"].(string); ok {
				got = append(got, "patching/"+id)
			} else {
				got = append(got, "fleet/"+s.stackResource(t, s.fleetJSON, s.stackName("Fleet"), ref))
			}
		}
		assert.ElementsMatch(t, want, got, s.name)
	}
}

// TestWatchedAssociationsKeepTheirIds: the fleet stack's association ids reach the rule as weak
// references, which keep the value read at the patching stack's last update; they stay right
// because no update of these templates replaces an association: the resource spec replaces one
// only when InstanceId changes, and no association sets it.
func TestWatchedAssociationsKeepTheirIds(t *testing.T) {
	assert.Equal(t, []string{"InstanceId"}, replacingProperties(t)["AWS::SSM::Association"])
	for _, s := range []*scenario{defaultScenario.synth(t), richPatching.synth(t)} {
		for _, resources := range []map[string]map[string]any{s.fleetResources("AWS::SSM::Association"), s.patchResources("AWS::SSM::Association")} {
			for id, a := range resources {
				assert.NotContains(t, props(a), "InstanceId", "%s %s: targets, not the legacy InstanceId, which replaces it", s.name, id)
			}
		}
	}
}

// TestAssociationAlertScopesByAFieldAwsExampleEventCarries: every detail field the association
// rule matches is one that AWS's example event carries (patchingspec.InstanceAssociationEventFields,
// the example in proof/wiring/events): a field the event lacks would match nothing, ever.
func TestAssociationAlertScopesByAFieldAwsExampleEventCarries(t *testing.T) {
	example := sampleEvent(t, "aws-example-instance-association")
	assert.ElementsMatch(t, patchingspec.InstanceAssociationEventFields, keysOf(example["detail"].(map[string]any)))
	missing := func(detail map[string]any) []string {
		var out []string
		for field := range detail {
			if !slices.Contains(patchingspec.InstanceAssociationEventFields, field) {
				out = append(out, field)
			}
		}
		return out
	}
	assert.Empty(t, missing(associationRuleDetail(t, defaultScenario.synth(t))))
	assert.Equal(t, []string{"association-name"}, missing(map[string]any{"association-name": []any{"x"}, "status": []any{"Failed"}}),
		"planted: the event carries no association name")
}
