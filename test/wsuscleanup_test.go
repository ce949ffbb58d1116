package test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/constructs/wsus"
	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
)

func TestWsusCleanupRunsMonthlyOutsideTheSyncWithALongTimeoutAndReportsHourly(t *testing.T) {
	s := defaultScenario.synth(t)
	documentID, document := s.only(t, "AWS::SSM::Document", "WsusCleanupDocument")
	step := props(document)["Content"].(map[string]any)["mainSteps"].([]any)[0].(map[string]any)
	inputs := step["inputs"].(map[string]any)
	assert.Equal(t, "28800", inputs["timeoutSeconds"], "eight hours: a neglected SUSDB takes hours")
	script := fmt.Sprint(inputs["runCommand"])
	for _, want := range []string{"Invoke-WsusServerCleanup -DeclineSupersededUpdates -DeclineExpiredUpdates -CleanupObsoleteUpdates",
		"-CleanupObsoleteComputers -CleanupUnneededContentFiles -CompressUpdates", `np:\\.\pipe\MICROSOFT##WID\tsql\query`,
		"System.Data.SqlClient.SqlConnection", "ALTER INDEX", "sp_updatestats"} {
		assert.Contains(t, script, want)
	}

	_, cleanup := s.only(t, "AWS::SSM::Association", "WsusCleanupAssociation")
	assert.Equal(t, map[string]any{"Ref": documentID}, props(cleanup)["Name"])
	assert.Equal(t, wsusspec.DefaultCleanupSchedule, props(cleanup)["ScheduleExpression"])
	assert.Equal(t, true, props(cleanup)["ApplyOnlyAtCronInterval"], "not at creation: WSUS is not installed yet")
	assert.Equal(t, []any{"Cleanup"}, props(cleanup)["Parameters"].(map[string]any)["Mode"])
	assert.Equal(t, []any{"62"}, props(cleanup)["Parameters"].(map[string]any)["MaxDaysWithoutCleanup"], "two monthly periods")
	assert.Equal(t, "wsus-cleanup/", props(cleanup)["OutputLocation"].(map[string]any)["S3Location"].(map[string]any)["OutputS3KeyPrefix"])
	_, report := s.only(t, "AWS::SSM::Association", "WsusCleanupReportAssociation")
	assert.Equal(t, map[string]any{"Ref": documentID}, props(report)["Name"])
	assert.Equal(t, "rate(1 hour)", props(report)["ScheduleExpression"], "within the 3 hours a Metrics Insights alarm reads")
	assert.Equal(t, []any{"Report"}, props(report)["Parameters"].(map[string]any)["Mode"])
	assert.Equal(t, []any{"privatepatch/WSUS/privatepatch"}, props(report)["Parameters"].(map[string]any)["Namespace"], "where the alarm reads")

	// Its hour, 08:00, is at least two hours after every synchronisation (03:00 once a day).
	cfg, err := defaultScenario.config()
	require.NoError(t, err)
	assert.Empty(t, cfg.Wsus.Server.CleanupProblems())
	for _, name := range []string{wsus.MetricCleanupHealthy, wsus.MetricDaysSinceCleanup} {
		assert.Contains(t, wsus.CleanupScript, "'"+name+"'", "the script publishes what the alarm watches")
	}
}

func TestWsusCleanupAlarmsWithOneQueryWhenItFailsOrHasNotRunToTheAlertsTopic(t *testing.T) {
	s := defaultScenario.synth(t)
	topic, _ := oneOf(t, s.patchJSON, "AWS::SNS::Topic", "")
	alarmID, alarm := oneOf(t, s.patchJSON, "AWS::CloudWatch::Alarm", "WsusCleanupAlarm")
	a := props(alarm)
	assert.Equal(t, "privatepatch-patching-wsus-cleanup", a["AlarmName"])
	assert.Equal(t, 1, metricsInsightsQueries(t, s.patchJSON)["alarm "+alarmID], "one Metrics Insights query")
	assert.Contains(t, fmt.Sprint(a["Metrics"]), `SELECT MIN(CleanupHealthy) FROM SCHEMA("privatepatch/WSUS/privatepatch", InstanceId)`)
	assert.Equal(t, []any{float64(1), "LessThanThreshold", "breaching"}, []any{a["Threshold"], a["ComparisonOperator"], a["TreatMissingData"]})
	assert.LessOrEqual(t, a["EvaluationPeriods"].(float64)*3600, float64(3*3600), "within the 3 hours a Metrics Insights alarm evaluates")
	assert.Equal(t, []any{map[string]any{"Ref": topic}}, a["AlarmActions"])
	_, topicPolicy := oneOf(t, s.patchJSON, "AWS::SNS::TopicPolicy", "Alerts")
	assert.Contains(t, fmt.Sprint(props(topicPolicy)), ":alarm:privatepatch-patching-wsus-cleanup", "the topic admits the alarm by name")
}

// wsusMaintenanceOff turns both new defaults off: the cleanup and the agent updates.
var wsusMaintenanceOff = &scenario{name: "wsus-maintenance-off", withoutNag: true,
	config: fromYAML(strings.Replace(defaultWith(""), "\npatching:\n", "\npatching:\n  agentUpdate: {enabled: false}\n", 1) +
		"wsus: {cleanup: {enabled: false}}\n")}

func TestWsusCleanupAndAgentUpdatesAreOnByDefaultAndGoneWhenTurnedOff(t *testing.T) {
	on := defaultScenario.synth(t)
	off := wsusMaintenanceOff.synth(t)
	count := func(s *scenario) (documents, associations, alarms int) {
		for id := range s.fleetResources("AWS::SSM::Document") {
			if strings.HasPrefix(id, "WsusCleanup") {
				documents++
			}
		}
		for _, template := range []map[string]any{s.fleetJSON, s.patchJSON} {
			for id, a := range resourcesOf(template, "AWS::SSM::Association") {
				if strings.HasPrefix(id, "WsusCleanup") || props(a)["Name"] == "AWS-UpdateSSMAgent" {
					associations++
				}
			}
		}
		for id := range s.patchResources("AWS::CloudWatch::Alarm") {
			if strings.HasPrefix(id, "WsusCleanupAlarm") {
				alarms++
			}
		}
		return
	}
	d, a, al := count(on)
	assert.Equal(t, []int{1, 6, 1}, []int{d, a, al}, "by default: the document, Cleanup, Report and four agent updates, the alarm")
	d, a, al = count(off)
	assert.Equal(t, []int{0, 0, 0}, []int{d, a, al}, "off: none of them")
	assert.NotContains(t, fmt.Sprint(off.patchResources("AWS::SNS::TopicPolicy")), "wsus-cleanup", "nor the topic's grant to its alarm")
}
