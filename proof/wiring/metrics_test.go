package wiring

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goldenMetrics are the metrics every golden's alarms and dashboards read.
func goldenMetrics(t *testing.T) []metricRef {
	paths, err := filepath.Glob("../../test/testdata/*.template.json")
	require.NoError(t, err)
	var refs []metricRef
	for _, path := range paths {
		resources := cfntemplate.Resources(read(t, path))
		for _, a := range cfntemplate.OfType(resources, "AWS::CloudWatch::Alarm") {
			refs = append(refs, alarmMetrics(a)...)
		}
		for _, d := range cfntemplate.OfType(resources, "AWS::CloudWatch::Dashboard") {
			refs = append(refs, dashboardMetrics(d)...)
		}
	}
	return refs
}

// The table of AWS metrics is the goldens' AWS namespaces, no fewer and no more (read from the
// goldens, not listed here), and every golden's alarms and dashboards read only what it documents.
func TestEveryAWSMetricTheGoldensReadIsDocumented(t *testing.T) {
	namespaces := map[string]bool{}
	for _, ref := range goldenMetrics(t) {
		if strings.HasPrefix(ref.namespace, "AWS/") {
			namespaces[ref.namespace] = true
		}
	}
	assert.Equal(t, slices.Sorted(maps.Keys(DocumentedMetrics)), slices.Sorted(maps.Keys(namespaces)))
	paths, err := filepath.Glob("../../test/testdata/*.template.json")
	require.NoError(t, err)
	for _, path := range paths {
		assert.Empty(t, AWSMetrics(read(t, path)), path)
	}
	for _, scenario := range goldenScenarios {
		stacks := goldenStacks(t, scenario, "patching", "fleet")
		if len(stacks) == 2 {
			assert.Empty(t, DashboardsPublished(stacks[0], stacks[1]), scenario)
		}
	}
}

// Mutation run 21's B15 (Lambda's Errors misspelt Error in the finding filter's alarm), a
// dimension name Lambda does not have, run 7's p06 (a dashboard line on Run Command's
// CommandFailed) and run 14's A12 (an EventBridge metric in AWS/EventBridge) are each named.
func TestAnAWSMetricNameOrDimensionAWSDoesNotDocumentIsNamed(t *testing.T) {
	patching := read(t, "../../test/testdata/example.patching.template.json")
	require.Empty(t, AWSMetrics(patching))
	var errors map[string]any
	for _, m := range props(patching, "FindingFilterErrorsAlarm5C2C5DF9")["Metrics"].([]any) {
		if m.(map[string]any)["Id"] == "errors" {
			errors = m.(map[string]any)["MetricStat"].(map[string]any)["Metric"].(map[string]any)
		}
	}
	errors["MetricName"] = "Error"
	assert.Equal(t, []string{"alarm FindingFilterErrorsAlarm5C2C5DF9: reads AWS/Lambda Error, a metric AWS does not document in AWS/Lambda: it never has data"}, AWSMetrics(patching))
	errors["MetricName"] = "Errors"
	errors["Dimensions"].([]any)[0].(map[string]any)["Name"] = "Function"
	assert.Equal(t, []string{"alarm FindingFilterErrorsAlarm5C2C5DF9: gives AWS/Lambda Errors the dimension Function, which AWS does not document for AWS/Lambda " +
		"([FunctionName Resource ExecutedVersion]): it never has data"}, AWSMetrics(patching))

	patching = read(t, "../../test/testdata/example.patching.template.json")
	plantInDashboard(patching, `"CommandsFailed"`, `"CommandFailed"`)
	assert.Equal(t, []string{"dashboard MonitoringDashboard0C3675C6: reads AWS/SSM-RunCommand CommandFailed, a metric AWS does not document in AWS/SSM-RunCommand: it never has data"}, AWSMetrics(patching))
	patching = read(t, "../../test/testdata/example.patching.template.json")
	props(patching, "MonitoringAlertsUndeliveredAlarmBAAFAA42")["Metrics"].([]any)[1].(map[string]any)["MetricStat"].(map[string]any)["Metric"].(map[string]any)["Namespace"] = "AWS/EventBridge"
	assert.Equal(t, []string{"alarm MonitoringAlertsUndeliveredAlarmBAAFAA42: reads AWS/EventBridge FailedInvocations, in a namespace whose metrics are not in the table of what AWS documents " +
		"(wiring.DocumentedMetrics): a namespace AWS does not publish stays empty"}, AWSMetrics(patching))

	// A dashboard line's "." repeats the line above's value; a query's SCHEMA keys are its dimensions.
	dashboard := map[string]any{"DashboardBody": `{"widgets":[{"properties":{"metrics":[["AWS/Lambda","Errors","FunctionName","f"],[".","Throttles",".","g"],` +
		`[{"expression":"SELECT SUM(Errors) FROM SCHEMA(\"AWS/Lambda\", Function)"}]]}}]}`}
	assert.Equal(t, []metricRef{{"AWS/Lambda", "Errors", []string{"FunctionName"}, true}, {"AWS/Lambda", "Throttles", []string{"FunctionName"}, true},
		{"AWS/Lambda", "Errors", []string{"Function"}, true}}, dashboardMetrics(dashboard))
}

// plantInDashboard replaces old with new in every text part of the example's dashboard body.
func plantInDashboard(patching map[string]any, old, new string) {
	parts := props(patching, "MonitoringDashboard0C3675C6")["DashboardBody"].(map[string]any)["Fn::Join"].([]any)[1].([]any)
	for i, part := range parts {
		if text, ok := part.(string); ok {
			parts[i] = strings.ReplaceAll(text, old, new)
		}
	}
}

// Mutation run 21's B16 (the dashboard's WSUS widgets on privatepatch/WSUS, not the namespace the
// health and cleanup scripts publish to), a widget's metric name misspelt, and a namespace the
// scripts publish to that the WSUS role may not, are each named.
func TestADashboardGraphsOnlyWhatTheStacksPublish(t *testing.T) {
	patching, fleet := read(t, "../../test/testdata/example.patching.template.json"), read(t, "../../test/testdata/example.fleet.template.json")
	require.Empty(t, DashboardsPublished(patching, fleet))
	plantInDashboard(patching, `\"privatepatch/WSUS/privatepatch\"`, `\"privatepatch/WSUS\"`)
	problems := DashboardsPublished(patching, fleet)
	assert.Len(t, problems, 3, "the update store, last sync and hours since sync widgets")
	assert.Contains(t, problems, `dashboard MonitoringDashboard0C3675C6: graphs UpdateStoreFreePercent in namespace "privatepatch/WSUS", `+
		`which no association's script publishes to ([privatepatch/WSUS/privatepatch]): its line stays empty`)

	patching = read(t, "../../test/testdata/example.patching.template.json")
	plantInDashboard(patching, "SELECT MIN(UpdateStoreFreePercent)", "SELECT MIN(UpdateStoreFreePct)")
	assert.Equal(t, []string{"dashboard MonitoringDashboard0C3675C6: graphs metric UpdateStoreFreePct, which no script of the stacks' documents publishes: its line stays empty"},
		DashboardsPublished(patching, fleet))

	patching = read(t, "../../test/testdata/example.patching.template.json")
	for _, s := range props(fleet, "WsusRoleDefaultPolicyEFC92C90")["PolicyDocument"].(map[string]any)["Statement"].([]any) {
		if s.(map[string]any)["Action"] == "cloudwatch:PutMetricData" {
			s.(map[string]any)["Condition"] = map[string]any{"StringEquals": map[string]any{"cloudwatch:namespace": "privatepatch/WSUS/other"}}
		}
	}
	assert.Contains(t, joined(DashboardsPublished(patching, fleet)),
		`dashboard MonitoringDashboard0C3675C6: graphs namespace "privatepatch/WSUS/privatepatch", which no role of the stacks may publish to`)

	// A SEARCH expression names its namespace and metric too.
	assert.Equal(t, []metricRef{{namespace: "privatepatch/WSUS", name: "LastSyncSucceeded"}},
		expressionMetrics(`SEARCH('{privatepatch/WSUS,InstanceId} MetricName="LastSyncSucceeded"', 'Minimum', 300)`))
}
