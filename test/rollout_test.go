package test

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/constructs/patching"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
)

// stopRules are the patching template's composite alarms' rules, by alarm name.
func stopRules(s *scenario) map[string]string {
	out := map[string]string{}
	for _, r := range s.patchResources("AWS::CloudWatch::CompositeAlarm") {
		out[props(r)["AlarmName"].(string)] = props(r)["AlarmRule"].(string)
	}
	return out
}

func TestEachRingsInstallStopsOnItsOwnWindowsFailureAndTheEarlierRings(t *testing.T) {
	s := promoteRings.synth(t)
	failed := func(w string) string { return `ALARM("privatepatch-patching-` + w + `-failed")` }
	assert.Equal(t, map[string]string{
		// ring-dev's Task1 is a Scan: nothing to stop.
		"privatepatch-patching-ring-dev-Task2-stop":  failed("ring-dev"),
		"privatepatch-patching-ring-test-Task1-stop": failed("ring-test") + " OR " + failed("ring-dev"),
		// ring-prod's task also stops on the stack's own WSUS alarm its stopOnAlarms names.
		"privatepatch-patching-ring-prod-Task1-stop": failed("ring-prod") + " OR " + failed("ring-test") + ` OR ALARM("privatepatch-patching-wsus-sync-stale")`,
		// The WSUS server's window is no ring: it stops on its own failures only.
		"privatepatch-patching-privatepatch-wsus-Task1-stop": failed("privatepatch-wsus"),
	}, stopRules(s))
	// Each stop alarm is created after the failure alarms it names (rings are not in template order).
	for id, r := range s.patchResources("AWS::CloudWatch::CompositeAlarm") {
		if strings.Contains(id, "ringprod") {
			assert.Contains(t, strings.Join(dependsOn(r), ","), "ringtestFailureAlarm", id)
			assert.Contains(t, strings.Join(dependsOn(r), ","), "MonitoringWsusSyncStaleAlarm", "%s: and after the stack's own alarm a task names", id)
		}
	}
}

func dependsOn(resource map[string]any) []string {
	var out []string
	list, _ := resource["DependsOn"].([]any)
	for _, d := range list {
		out = append(out, d.(string))
	}
	return out
}

func TestAWindowsFailureAlarmLatchesOnItsOwnFailedExecutions(t *testing.T) {
	s := promoteRings.synth(t)
	_, alarm := oneOf(t, s.patchJSON, "AWS::CloudWatch::Alarm", "MaintenanceWindowsringtestFailureAlarm")
	p := props(alarm)
	assert.Equal(t, "privatepatch-patching-ring-test-failed", p["AlarmName"])
	assert.Equal(t, "ignore", p["TreatMissingData"], "no failure sends no data point: the alarm must keep its state")
	assert.Equal(t, "TriggeredRules", p["MetricName"])
	assert.Equal(t, "AWS/Events", p["Namespace"])
	assert.Equal(t, "GreaterThanOrEqualToThreshold", p["ComparisonOperator"])
	assert.Contains(t, p["AlarmDescription"], "set-alarm-state --alarm-name privatepatch-patching-ring-test-failed --state-value OK")
	assert.Len(t, p["AlarmActions"], 1, "notifies the alerts topic")
	ruleID, rule := oneOf(t, s.patchJSON, "AWS::Events::Rule", "MaintenanceWindowsringtestFailureRule")
	assert.Contains(t, mustJSON(t, p["Dimensions"]), ruleID)
	pattern := props(rule)["EventPattern"].(map[string]any)
	assert.Equal(t, []any{patchingspec.WindowExecutionDetailType}, pattern["detail-type"])
	detail := pattern["detail"].(map[string]any)
	assert.ElementsMatch(t, patchingspec.WindowFailureStatuses, detail["status"])
	windowID, _ := oneOf(t, s.patchJSON, "AWS::SSM::MaintenanceWindow", "MaintenanceWindowsringtestWindow")
	assert.Equal(t, []any{map[string]any{"Ref": windowID}}, detail["window-id"], "this window's executions only")
	// The rule has a target, as AWS's examples of alarms on a rule's metrics do: the alerts topic,
	// without a role (the topic policy admits the rule by its ARN).
	topicID, _ := oneOf(t, s.patchJSON, "AWS::SNS::Topic", "Alerts")
	assert.Equal(t, []string{"Ref " + topicID}, ruleTargets(rule), "one target, the alerts topic, without a RoleArn")
	assert.Contains(t, topicSourceArns(t, s), mustJSON(t, map[string]any{"Fn::GetAtt": []any{ruleID, "Arn"}}), "the topic policy admits the rule")
	// Planted: the rule without its target.
	bare := map[string]any{"Type": "AWS::Events::Rule", "Properties": map[string]any{"EventPattern": pattern}}
	assert.Empty(t, ruleTargets(bare))
}

// ruleTargets are an EventBridge rule's targets, each as "Ref <id>" of its Arn, with " RoleArn"
// when it has one.
func ruleTargets(rule map[string]any) []string {
	var out []string
	for _, target := range toAnyList(props(rule)["Targets"]) {
		t := target.(map[string]any)
		arn, _ := t["Arn"].(map[string]any)
		got := fmt.Sprint("Ref ", arn["Ref"])
		if t["RoleArn"] != nil {
			got += " RoleArn"
		}
		out = append(out, got)
	}
	return out
}

// topicSourceArns are the JSON of the aws:SourceArn values of the alerts topic policy's statement
// for EventBridge.
func topicSourceArns(t *testing.T, s *scenario) []string {
	_, policy := oneOf(t, s.patchJSON, "AWS::SNS::TopicPolicy", "Alerts")
	var out []string
	for _, st := range toAnyList(props(policy)["PolicyDocument"].(map[string]any)["Statement"]) {
		if st.(map[string]any)["Sid"] != "EventBridgeRulesPublish" {
			continue
		}
		arns := st.(map[string]any)["Condition"].(map[string]any)["ArnEquals"].(map[string]any)["aws:SourceArn"]
		for _, arn := range toAnyList(arns) {
			out = append(out, mustJSON(t, arn))
		}
	}
	return out
}

// windowFailureRoutes counts, for each maintenance window of the template (by logical ID) and each
// status its failure rule or the alerts' rule matches, the rules that deliver that ending of the
// window's executions to the alerts topic: 1 is reported once, 0 never, 2 twice.
func windowFailureRoutes(template map[string]any, topicID string) map[string]int {
	statuses := map[string]bool{}
	var delivering []map[string]any
	for _, r := range resourcesOf(template, "AWS::Events::Rule") {
		pattern, _ := props(r)["EventPattern"].(map[string]any)
		if fmt.Sprint(pattern["detail-type"]) != fmt.Sprint([]any{patchingspec.WindowExecutionDetailType}) {
			continue
		}
		for _, status := range toAnyList(pattern["detail"].(map[string]any)["status"]) {
			statuses[status.(string)] = true
		}
		if slices.Contains(ruleTargets(r), "Ref "+topicID) {
			delivering = append(delivering, pattern["detail"].(map[string]any))
		}
	}
	routes := map[string]int{}
	for windowID := range resourcesOf(template, "AWS::SSM::MaintenanceWindow") {
		for status := range statuses {
			routes[windowID+" "+status] += 0
			for _, detail := range delivering {
				ids, watches := detail["window-id"]
				if slices.Contains(toAnyList(detail["status"]), any(status)) &&
					(!watches || slices.ContainsFunc(toAnyList(ids), func(id any) bool { return fmt.Sprint(id) == fmt.Sprint(map[string]any{"Ref": windowID}) })) {
					routes[windowID+" "+status]++
				}
			}
		}
	}
	return routes
}

var stopOnFailureOff = &scenario{name: "stop-on-failure-off",
	config: fromYAML(strings.Replace(defaultWith(""), "\npatching:\n", "\npatching:\n  stopOnFailure: \"off\"\n", 1))}

// Each failed, timed-out, cancelled or skipped execution of each window reaches the topic through
// exactly one rule: its failure rule when the window has one (the alerts' rule leaves it out: it
// matches no status more), the alerts' maintenance-window rule when not.
func TestEachWindowsFailureIsAlertedOnceWithOrWithoutAFailureRule(t *testing.T) {
	for _, sc := range []*scenario{defaultScenario, promoteRings, stopOnFailureOff} {
		s := sc.synth(t)
		topicID, _ := oneOf(t, s.patchJSON, "AWS::SNS::Topic", "Alerts")
		routes := windowFailureRoutes(s.patchJSON, topicID)
		require.Len(t, routes, len(resourcesOf(s.patchJSON, "AWS::SSM::MaintenanceWindow"))*len(patchingspec.WindowFailureStatuses), sc.name)
		for route, n := range routes {
			assert.Equal(t, 1, n, "%s: %s", sc.name, route)
		}
		rules := resourcesOf(s.patchJSON, "AWS::Events::Rule")
		alertsRule, watched := "", "" // the alerts' maintenance-window rule and its pattern
		for id, r := range rules {
			if strings.HasPrefix(id, "AlertsMaintenanceWindowRule") {
				alertsRule, watched = id, mustJSON(t, props(r)["EventPattern"])
			}
		}
		for windowID := range resourcesOf(s.patchJSON, "AWS::SSM::MaintenanceWindow") {
			// MaintenanceWindows<name>Window<hash>: its failure rule is MaintenanceWindows<name>FailureRule<hash>.
			failureRule := strings.TrimSuffix(windowID[:len(windowID)-8], "Window") + "FailureRule"
			gated := slices.ContainsFunc(slices.Collect(maps.Keys(rules)), func(id string) bool { return strings.HasPrefix(id, failureRule) })
			assert.Equal(t, sc != stopOnFailureOff, gated, "%s: %s", sc.name, windowID)
			if gated {
				assert.NotContains(t, watched, windowID, "%s: a gated window reports through its failure rule", sc.name)
			} else {
				assert.Contains(t, watched, `{"Ref":"`+windowID+`"}`, "%s: an ungated window stays in the alerts' rule", sc.name)
			}
		}
		if sc != stopOnFailureOff {
			assert.Empty(t, alertsRule, "%s: every window is gated: the alerts' rule, which would match every window of the account, goes", sc.name)
			assert.NotContains(t, mustJSON(t, topicSourceArns(t, s)), "AlertsMaintenanceWindowRule", sc.name)
		}
	}
	s := promoteRings.synth(t)
	topicID, _ := oneOf(t, s.patchJSON, "AWS::SNS::Topic", "Alerts")
	ruleID, rule := oneOf(t, s.patchJSON, "AWS::Events::Rule", "MaintenanceWindowsringtestFailureRule")
	ringTest := func(routes map[string]int) []int {
		var out []int
		for route, n := range routes {
			if strings.HasPrefix(route, "MaintenanceWindowsringtestWindow") {
				out = append(out, n)
			}
		}
		return out
	}
	ones := slices.Repeat([]int{1}, len(patchingspec.WindowFailureStatuses))
	assert.Equal(t, ones, ringTest(windowFailureRoutes(s.patchJSON, topicID)))
	// Planted: ring-test's failure rule without its target: its failures reach no one.
	untargeted := withResources(s.patchJSON, map[string]any{ruleID: map[string]any{"Type": "AWS::Events::Rule",
		"Properties": map[string]any{"EventPattern": props(rule)["EventPattern"]}}})
	assert.Equal(t, slices.Repeat([]int{0}, len(ones)), ringTest(windowFailureRoutes(untargeted, topicID)))
	// Planted: a second rule to the topic for ring-test's failures (as the alerts' rule watching
	// the window again would be): each reported twice.
	doubled := withResources(s.patchJSON, map[string]any{"AlertsMaintenanceWindowRulePlanted": rule})
	assert.Equal(t, slices.Repeat([]int{2}, len(ones)), ringTest(windowFailureRoutes(doubled, topicID)))
}

// withResources is template with resources added or replaced.
func withResources(template map[string]any, resources map[string]any) map[string]any {
	all := map[string]any{}
	maps.Copy(all, template["Resources"].(map[string]any))
	maps.Copy(all, resources)
	return map[string]any{"Resources": all}
}

func mustJSON(t *testing.T, v any) string {
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return string(data)
}

// CloudFormation's AWS::SSM::MaintenanceWindowTask has no AlarmConfiguration
// (patchingspec.CloudFormationTakesAlarmConfiguration): the stop alarms are attached after the
// deploy. The day the L1 gains the property, this fails: set it in the template instead.
func TestNoTaskCarriesAlarmConfigurationBecauseCloudFormationHasNone(t *testing.T) {
	_, has := reflect.TypeOf(awsssm.CfnMaintenanceWindowTaskProps{}).FieldByName("AlarmConfiguration")
	assert.Equal(t, patchingspec.CloudFormationTakesAlarmConfiguration, has)
	for id, task := range promoteRings.synth(t).patchResources("AWS::SSM::MaintenanceWindowTask") {
		assert.Nil(t, props(task)["AlarmConfiguration"], id)
	}
}

func TestOnlyARoleWhoseTasksStopOnAlarmsMayReadAlarms(t *testing.T) {
	s := promoteRings.synth(t)
	readers := 0
	for id, policy := range s.patchResources("AWS::IAM::Policy") {
		text := mustJSON(t, props(policy)["PolicyDocument"])
		if strings.Contains(text, "cloudwatch:DescribeAlarms") {
			readers++
			assert.Contains(t, id, "MaintenanceWindows", "only window roles read alarms")
			assert.Contains(t, text, `"Action":"cloudwatch:DescribeAlarms","Effect":"Allow","Resource":"*"`, "composite alarms are read on * only")
		}
	}
	assert.Equal(t, 4, readers, "the three ring windows' roles and the WSUS server's window's")
}

func TestATasksOwnAlarmsJoinItsStopAlarmAndStopOnFailureOffLeavesThemAlone(t *testing.T) {
	stack := windowStack()
	patching.NewMaintenanceWindow(stack, "Weekly", &patching.WindowProps{
		Window: patchingspec.Window{Name: "weekly", Schedule: "cron(0 2 ? * SUN *)",
			Tasks: []patchingspec.Task{{StopOnAlarms: []string{"app-health"}}, {Operation: patchingspec.OperationScan}}},
		Targets: patchingspec.Targets{PatchGroups: []string{"windows"}}, Topic: awssns.NewTopic(stack, jsii.String("Alerts"), nil),
		AlarmNamePrefix: "pp-",
	})
	template := assertions.Template_FromStack(stack, nil)
	template.ResourceCountIs(jsii.String("AWS::CloudWatch::CompositeAlarm"), jsii.Number(1))
	template.HasResourceProperties(jsii.String("AWS::CloudWatch::CompositeAlarm"), map[string]any{
		"AlarmName": "pp-weekly-Task1-stop", "AlarmRule": `ALARM("app-health")`, "ActionsEnabled": false,
	})
	template.ResourceCountIs(jsii.String("AWS::CloudWatch::Alarm"), jsii.Number(0))
	template.ResourceCountIs(jsii.String("AWS::Events::Rule"), jsii.Number(0))
}

func TestStopAlarmPropsAreRefusedNamingTheProp(t *testing.T) {
	// Planted: a failure alarm without a topic, stop alarms without a name prefix.
	props := &patching.WindowProps{
		Window:        patchingspec.Window{Name: "weekly", Schedule: "cron(0 2 ? * SUN *)"},
		Targets:       patchingspec.Targets{PatchGroups: []string{"windows"}},
		FailureAlarm:  true,
		EarlierAlarms: []string{"pp-dev-failed"},
	}
	off := false
	props.Tasks = []patchingspec.Task{{NotifyOnFailure: &off}}
	err := props.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "WindowProps.FailureAlarm true needs Topic")
	assert.Contains(t, err.Error(), "WindowProps.Tasks[0] 2 alarms to stop on need AlarmNamePrefix")
}

// A composite alarm's rule is at most 10,240 characters: 40 names of 255 characters, fewer than
// the 100 alarms a rule may name, make a longer one, which CloudFormation would refuse.
func TestAStopAlarmRuleLongerThanACompositeAlarmTakesIsRefused(t *testing.T) {
	names := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = strconv.Itoa(100+i) + strings.Repeat("a", patchingspec.MaxAlarmNameLength-3)
		}
		return out
	}
	props := func(earlier []string) *patching.WindowProps {
		off := false
		p := &patching.WindowProps{
			Window:          patchingspec.Window{Name: "weekly", Schedule: "cron(0 2 ? * SUN *)"},
			Targets:         patchingspec.Targets{PatchGroups: []string{"windows"}},
			AlarmNamePrefix: "pp-", EarlierAlarms: earlier,
		}
		p.Tasks = []patchingspec.Task{{Operation: patchingspec.OperationInstall, NotifyOnFailure: &off}}
		return p
	}
	require.NoError(t, props(names(38)).Validate(), "38 names of 255 characters make a rule of 10,180")
	err := props(names(39)).Validate()
	require.Error(t, err, "39 make one of 10,448")
	assert.Contains(t, err.Error(), "WindowProps.Tasks[0] 10448 characters are more than a composite alarm's rule takes (10240)")
}
