package wiring

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Held-out run 29's B10: a failure alarm whose threshold a single failed window does not reach is
// named, as are a comparison and evaluation periods not the construct's; the goldens pass.
func TestAFailureAlarmOneFailedWindowDoesNotBreachIsNamed(t *testing.T) {
	for _, scenario := range goldenScenarios {
		if stacks := goldenStacks(t, scenario, "patching"); len(stacks) == 1 {
			assert.Empty(t, FailureAlarmThresholds(stacks[0]), scenario)
		}
	}
	patching := read(t, "../../test/testdata/default.patching.template.json")
	alarm := props(patching, "MaintenanceWindowsprivatepatchweeklyFailureAlarm128B2280")
	alarm["Threshold"] = float64(2)
	assert.Equal(t, []string{"alarm MaintenanceWindowsprivatepatchweeklyFailureAlarm128B2280: a window's failure alarm is GreaterThanOrEqualToThreshold 2 over 1 period(s), " +
		"the construct's GreaterThanOrEqualToThreshold 1 over 1: one failed window (a TriggeredRules Sum of 1) may not put it in ALARM, and the stop alarm on it never stops the next task"},
		FailureAlarmThresholds(patching))
	alarm["Threshold"], alarm["ComparisonOperator"] = float64(1), "GreaterThanThreshold"
	assert.Contains(t, joined(FailureAlarmThresholds(patching)), "is GreaterThanThreshold 1 over 1 period(s)")
	alarm["ComparisonOperator"], alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"] = "GreaterThanOrEqualToThreshold", float64(3), float64(2)
	assert.Contains(t, joined(FailureAlarmThresholds(patching)), "is GreaterThanOrEqualToThreshold 1 over 3 period(s) (DatapointsToAlarm 2)")

	// The second review of session 18's finding 5: DatapointsToAlarm alone above the periods is
	// named, and a Threshold given as text ("1", which CloudFormation takes) is no false alarm.
	alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"] = float64(1), float64(2)
	assert.Contains(t, joined(FailureAlarmThresholds(patching)), "is GreaterThanOrEqualToThreshold 1 over 1 period(s) (DatapointsToAlarm 2)")
	delete(alarm, "DatapointsToAlarm")
	alarm["Threshold"] = "1"
	assert.Empty(t, FailureAlarmThresholds(patching))
}

// Run 29's B09: a latch treating missing data as breaching is named with what breaching does (it
// sits in ALARM), not with notBreaching's effect (it turns OK); absent is missing's effect.
func TestALatchsMissingDataIsExplainedByItsValue(t *testing.T) {
	patching := read(t, "../../test/testdata/example.patching.template.json")
	alarm := props(patching, "MaintenanceWindowsweeklyprodFailureAlarmB06AFC81")
	alarm["TreatMissingData"] = "breaching"
	assert.Equal(t, []string{`alarm MaintenanceWindowsweeklyprodFailureAlarmB06AFC81: a stop alarm's failure latch treats missing data as "breaching", not ignore: ` +
		"it goes to ALARM while no window fails, and the stop alarms on it stop their Install tasks though nothing failed"}, FailureAlarmLatches(patching))
	delete(alarm, "TreatMissingData")
	assert.Contains(t, joined(FailureAlarmLatches(patching)), `as "", not ignore: it goes to INSUFFICIENT_DATA while no window fails`)
}
