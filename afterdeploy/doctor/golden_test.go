package doctor

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func golden(t *testing.T, name string) map[string]any {
	data, err := os.ReadFile("../../test/testdata/" + name)
	require.NoError(t, err)
	var template map[string]any
	require.NoError(t, json.Unmarshal(data, &template))
	return template
}

func resourcesOf(template map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range template["Resources"].(map[string]any) {
		out[id] = r.(map[string]any)
	}
	return out
}

// The copies of the construct library's facts that doctor keeps (so that it does not link the
// CDK) are the ones the synthesised templates carry.
func TestHealthMetricNamesAreTheDeployedAlarms(t *testing.T) {
	// The default configuration's deployment publishes in privatepatch/WSUS/privatepatch; the
	// two sync alarms (one Metrics Insights query each) read the metrics there.
	alarms := map[string]string{}
	for id, r := range resourcesOf(golden(t, "default.patching.template.json")) {
		if r["Type"] == "AWS::CloudWatch::Alarm" && strings.HasPrefix(id, "MonitoringWsusSync") {
			data, err := json.Marshal(r)
			require.NoError(t, err)
			alarms[strings.TrimRight(id, "0123456789ABCDEF")] = string(data)
		}
	}
	require.Len(t, alarms, 2)
	for alarm, facts := range map[string][]string{
		"MonitoringWsusSyncFailedAlarm": {`SCHEMA(\"` + healthNamespace + `/privatepatch\"`, "MIN(" + metricLastSyncSucceeded + ")", `"Threshold":1`},
		"MonitoringWsusSyncStaleAlarm":  {`SCHEMA(\"` + healthNamespace + `/privatepatch\"`, "MAX(" + metricHoursSinceLastSync + ")", `"Threshold":26`},
	} {
		for _, fact := range facts {
			assert.Contains(t, alarms[alarm], fact, alarm)
		}
	}
	assert.Equal(t, 26, staleSyncHours)
	script, err := os.ReadFile("../../constructs/wsus/wsus-health.ps1")
	require.NoError(t, err)
	assert.Contains(t, string(script), "{ 9999 }", "the hours reported before the first synchronisation")
}

func TestAssociationPrefixesMatchTheGoldenTemplate(t *testing.T) {
	found := map[string]int{}
	for id, r := range resourcesOf(golden(t, "default.fleet.template.json")) {
		for _, prefix := range []string{wsusSetupAssociation, wsusClientAssociation, wsusHealthAssociation} {
			if r["Type"] == "AWS::SSM::Association" && strings.HasPrefix(id, prefix) {
				found[prefix]++
			}
		}
	}
	assert.Equal(t, map[string]int{wsusSetupAssociation: 1, wsusClientAssociation: 1, wsusHealthAssociation: 1}, found)
}
