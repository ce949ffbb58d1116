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
