package wiring

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// FailureAlarmThresholds checks that each window's failure alarm (AWS/Events TriggeredRules,
// named ...-failed) has the construct's Threshold, ComparisonOperator and EvaluationPeriods
// (patchingspec.FailureAlarmThreshold and the rest), and no DatapointsToAlarm above them: one
// failed execution is a Sum of 1 in one period, and must breach. Threshold is "The value against
// which the specified statistic is compared", EvaluationPeriods "The number of periods over which
// data is compared to the specified threshold" (AlarmProps, AWS CDK API reference, read
// 2026-12-07). A threshold of 2 leaves the alarm, and the stop alarm on it, out of ALARM after a
// failed window: the latch never holds (held-out run 29's B10).
func FailureAlarmThresholds(patching map[string]any) []string {
	alarms := cfntemplate.OfType(cfntemplate.Resources(patching), "AWS::CloudWatch::Alarm")
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(alarms)) {
		a := alarms[id]
		if cfntemplate.Text(a["Namespace"]) != "AWS/Events" || cfntemplate.Text(a["MetricName"]) != "TriggeredRules" ||
			!strings.HasSuffix(cfntemplate.Text(a["AlarmName"]), patchingspec.FailureAlarmSuffix) {
			continue
		}
		threshold, _ := a["Threshold"].(float64)
		if text, ok := a["Threshold"].(string); ok { // CloudFormation takes a number's text too
			threshold, _ = strconv.ParseFloat(text, 64)
		}
		datapoints, extra := cfntemplate.Int(a["DatapointsToAlarm"]), ""
		if datapoints != 0 {
			extra = fmt.Sprintf(" (DatapointsToAlarm %d)", datapoints)
		}
		if threshold != patchingspec.FailureAlarmThreshold || cfntemplate.Text(a["ComparisonOperator"]) != patchingspec.FailureAlarmComparison ||
			cfntemplate.Int(a["EvaluationPeriods"]) != patchingspec.FailureAlarmEvaluationPeriods || datapoints > patchingspec.FailureAlarmEvaluationPeriods {
			problems = append(problems, fmt.Sprintf("alarm %s: a window's failure alarm is %s %v over %v period(s)%s, the construct's %s %d over %d: "+
				"one failed window (a TriggeredRules Sum of 1) may not put it in ALARM, and the stop alarm on it never stops the next task",
				id, rendered(a["ComparisonOperator"]), rendered(a["Threshold"]), rendered(a["EvaluationPeriods"]), extra,
				patchingspec.FailureAlarmComparison, patchingspec.FailureAlarmThreshold, patchingspec.FailureAlarmEvaluationPeriods))
		}
	}
	return problems
}
