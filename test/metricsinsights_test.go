package test

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// metricsInsightsQuery finds a Metrics Insights query (SELECT ... FROM ...) in an expression.
var metricsInsightsQuery = regexp.MustCompile(`\bSELECT\b`)

// metricsInsightsQueries counts the Metrics Insights queries of each alarm and each dashboard
// widget of a template ("alarm <id>", "widget <dashboard id> #<n> <title>"). CloudWatch runs each
// alarm's metrics, and each widget's, as one GetMetricData request, and "Each GetMetricData
// operation can have only one query, but you can have multiple widgets in a dashboard, each with
// one query" ("Metrics Insights quotas", Amazon CloudWatch User Guide, read 2026-12-06): a second
// query is refused ("Maximum number of queries (1) exceeded").
func metricsInsightsQueries(t *testing.T, template map[string]any) map[string]int {
	counts := map[string]int{}
	for id, alarm := range resourcesOf(template, "AWS::CloudWatch::Alarm") {
		data, err := json.Marshal(props(alarm)["Metrics"])
		require.NoError(t, err)
		counts["alarm "+id] = len(metricsInsightsQuery.FindAll(data, -1))
	}
	for id, dashboard := range resourcesOf(template, "AWS::CloudWatch::Dashboard") {
		body, ok := resolve(props(dashboard)["DashboardBody"], "111111111111", "us-west-2").(string)
		require.True(t, ok, "%s: the dashboard body resolves to a string", id)
		var parsed struct {
			Widgets []struct {
				Properties map[string]any `json:"properties"`
			} `json:"widgets"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &parsed), "%s: %s", id, body)
		for i, w := range parsed.Widgets {
			data, err := json.Marshal(w.Properties["metrics"])
			require.NoError(t, err)
			counts[fmt.Sprintf("widget %s #%d %v", id, i, w.Properties["title"])] = len(metricsInsightsQuery.FindAll(data, -1))
		}
	}
	return counts
}

// tooManyQueries lists the alarms and widgets with more than one Metrics Insights query.
func tooManyQueries(counts map[string]int) []string {
	var over []string
	for _, what := range slices.Sorted(maps.Keys(counts)) {
		if counts[what] > 1 {
			over = append(over, fmt.Sprintf("%s: %d queries", what, counts[what]))
		}
	}
	return over
}

func TestNoAlarmOrDashboardWidgetHasMoreThanOneMetricsInsightsQuery(t *testing.T) {
	queries := 0
	for _, s := range allScenarios() {
		s.synth(t)
		for _, template := range []map[string]any{s.template, s.fleetJSON, s.patchJSON} {
			if template == nil {
				continue
			}
			counts := metricsInsightsQueries(t, template)
			assert.Empty(t, tooManyQueries(counts), s.name)
			for _, n := range counts {
				queries += n
			}
		}
	}
	assert.Positive(t, queries, "the check sees the WSUS alarms' and widgets' queries")

	// Planted: the sync alarm and widget as they were, two queries each, combined by an expression.
	query := func(id, function, metric string) map[string]any {
		return map[string]any{"Id": id, "ReturnData": false,
			"Expression": fmt.Sprintf(`SELECT %s(%s) FROM SCHEMA("privatepatch/WSUS/privatepatch", InstanceId)`, function, metric), "Period": 1800}
	}
	body := `{"widgets":[{"type":"metric","properties":{"title":"WSUS synchronisation","metrics":[` +
		`[{"expression":"SELECT MIN(LastSyncSucceeded) FROM SCHEMA(\"privatepatch/WSUS/privatepatch\", InstanceId)"}],` +
		`[{"expression":"SELECT MAX(HoursSinceLastSync) FROM SCHEMA(\"privatepatch/WSUS/privatepatch\", InstanceId)","yAxis":"right"}]]}},` +
		`{"type":"metric","properties":{"title":"one query","metrics":[[{"expression":"SELECT MIN(UpdateStoreFreePercent) FROM SCHEMA(\"privatepatch/WSUS/privatepatch\", InstanceId)"}]]}}]}`
	planted := map[string]any{"Resources": map[string]any{
		"WsusSyncAlarm": map[string]any{"Type": "AWS::CloudWatch::Alarm", "Properties": map[string]any{"Metrics": []any{
			map[string]any{"Id": "expr_1", "Expression": "IF(synced < 1 OR age > 26, 1, 0)", "ReturnData": true},
			query("synced", "MIN", "LastSyncSucceeded"), query("age", "MAX", "HoursSinceLastSync"),
		}}},
		"WsusDiskAlarm": map[string]any{"Type": "AWS::CloudWatch::Alarm", "Properties": map[string]any{"Metrics": []any{
			query("free", "MIN", "UpdateStoreFreePercent")}}},
		"Dashboard": map[string]any{"Type": "AWS::CloudWatch::Dashboard", "Properties": map[string]any{
			"DashboardBody": map[string]any{"Fn::Join": []any{"", []any{body}}}}},
	}}
	assert.Equal(t, []string{"alarm WsusSyncAlarm: 2 queries", "widget Dashboard #0 WSUS synchronisation: 2 queries"},
		tooManyQueries(metricsInsightsQueries(t, planted)))
}
