package patchingspec

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestACompositeRuleIsInAlarmWhenAnyNamedAlarmIs(t *testing.T) {
	assert.Equal(t, `ALARM("p-dev-failed") OR ALARM("app-health")`, CompositeRule([]string{"p-dev-failed", "app-health"}))
	assert.Equal(t, `ALARM("one")`, CompositeRule([]string{"one"}))
}

func TestStopAlarmsAreNamedFromTheStackAndTheWindowOrTask(t *testing.T) {
	assert.Equal(t, "pp-patching-dev-weekly-failed", FailureAlarmName("pp-patching-", "dev-weekly"))
	assert.Equal(t, "pp-patching-dev-weekly-Task1-stop", StopAlarmName("pp-patching-", Window{Name: "dev-weekly"}.TaskName(0)))
}

func TestATasksOwnStopAlarmsAreChecked(t *testing.T) {
	good := Task{StopOnAlarms: []string{"app-health", "db-health"}}.WithDefaults(0)
	assert.Empty(t, good.Problems())
	// Planted: each bad list is refused, naming the field.
	for name, task := range map[string]Task{
		"scan":     {Operation: OperationScan, StopOnAlarms: []string{"a"}},
		"quote":    {StopOnAlarms: []string{`a"b`}},
		"blank":    {StopOnAlarms: []string{" "}},
		"twice":    {StopOnAlarms: []string{"a", "a"}},
		"too-many": {StopOnAlarms: []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"}},
	} {
		problems := task.WithDefaults(0).Problems()
		if assert.Len(t, problems, 1, name) {
			assert.Contains(t, problems[0].Field, "StopOnAlarms", name)
		}
	}
}
