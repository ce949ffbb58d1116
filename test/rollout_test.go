package test

import (
	"encoding/json"
	"reflect"
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
		"privatepatch-patching-ring-prod-Task1-stop": failed("ring-prod") + " OR " + failed("ring-test"),
		// The WSUS server's window is no ring: it stops on its own failures only.
		"privatepatch-patching-privatepatch-wsus-Task1-stop": failed("privatepatch-wsus"),
	}, stopRules(s))
	// Each stop alarm is created after the failure alarms it names (rings are not in template order).
	for id, r := range s.patchResources("AWS::CloudWatch::CompositeAlarm") {
		if strings.Contains(id, "ringprod") {
			assert.Contains(t, strings.Join(dependsOn(r), ","), "ringtestFailureAlarm", id)
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
	assert.Nil(t, props(rule)["Targets"], "the alerts' own rule reports the failure; this one only counts it")
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
