package wiring

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
)

// The parser reads every form PutCompositeAlarm's AlarmRule takes: quoted and unquoted names,
// AND, OR, NOT, parentheses, TRUE and FALSE; and refuses what is none.
func TestAlarmRulesParseAsCloudWatchDefinesThem(t *testing.T) {
	for rule, want := range map[string]string{
		`ALARM("a") OR ALARM(b)`:                          "OR[ALARM:a ALARM:b]",
		`ALARM(a) AND NOT (OK("b c") OR TRUE)`:            "AND[ALARM:a NOT[OR[OK:b c TRUE:]]]",
		` ( INSUFFICIENT_DATA( "x" ) ) OR FALSE`:          "OR[INSUFFICIENT_DATA:x FALSE:]",
		`ALARM("arn:aws:cloudwatch:us-west-2:1:alarm:a")`: "ALARM:arn:aws:cloudwatch:us-west-2:1:alarm:a",
	} {
		n, err := parseAlarmRule(rule)
		require.NoError(t, err, rule)
		assert.Equal(t, want, n.String(), rule)
	}
	for _, bad := range []string{`ALARM("a"`, `ALARM("a") OR`, `(ALARM(a)`, `ALARM(a) XOR ALARM(b)`, `ALARMS(a)`} {
		_, err := parseAlarmRule(bad)
		assert.Error(t, err, bad)
	}
}

// Each stop alarm of the example golden is ALARM of its window's failure alarm; planted, a NOT
// (mutation run 25's A09), a dropped stopOnAlarms alarm (B01), AND for OR (B02), another window's
// failure alarm (B03), an OK() and a repeat are each named. The neighbour, the same rule with the
// task's stopOnAlarms OR-ed in, parenthesised, passes.
func TestStopAlarmRulesAreTheWindowsFailureAlarmOrTheTasksOwn(t *testing.T) {
	cfg, err := config.Load("../../config/example.yaml")
	require.NoError(t, err)
	template := read(t, "../../test/testdata/example.patching.template.json")
	require.Empty(t, RolloutStops(template, cfg))
	stop := props(template, "MaintenanceWindowsweeklyprodStopAlarm109BA0D41")
	own := `ALARM("privatepatch-patching-weekly-prod-failed")`
	require.Equal(t, own, stop["AlarmRule"])
	for i, w := range cfg.Patching.MaintenanceWindows {
		if w.Name == "weekly-prod" {
			cfg.Patching.MaintenanceWindows[i].Tasks[0].StopOnAlarms = []string{"app-5xx-high"}
		}
	}
	stop["AlarmRule"] = `(` + own + ` OR ALARM(app-5xx-high))`
	assert.Empty(t, RolloutStops(template, cfg), "the neighbour")
	for rule, named := range map[string]string{
		`NOT ` + own + ` OR ALARM("app-5xx-high")`: "has a NOT",
		own:                                "does not name app-5xx-high (one of the task's stopOnAlarms)",
		own + ` AND ALARM("app-5xx-high")`: "joins alarms with AND",
		`ALARM("privatepatch-patching-privatepatch-wsus-failed") OR ALARM("app-5xx-high")`: "names privatepatch-patching-privatepatch-wsus-failed, which is not",
		`OK("privatepatch-patching-weekly-prod-failed") OR ALARM("app-5xx-high")`:          "has OK(privatepatch-patching-weekly-prod-failed)",
		own + ` OR ALARM("app-5xx-high") OR ` + own:                                        "names privatepatch-patching-weekly-prod-failed 2 times, not 1",
		own + ` OR ALARM("app-5xx-high"`:                                                   "is no AlarmRule",
	} {
		stop["AlarmRule"] = rule
		assert.Contains(t, joined(RolloutStops(template, cfg)), named, rule)
	}
}
