package wiring

import (
	"fmt"
	"maps"
	"regexp"
	"slices"

	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// insightsAggregate is a Metrics Insights query over one metric with an aggregate whose value
// stays within the metric's values: SELECT MIN|MAX|AVG(metric) FROM ...
var insightsAggregate = regexp.MustCompile(`^SELECT (MIN|MAX|AVG)\((\w+)\) FROM `)

// Thresholds checks that each alarm on a metric privatepatch's scripts publish can both fire and
// stop: some value of the metric's range (wsusspec.MetricRanges) crosses its threshold, and some
// does not. A threshold beyond the range, or a comparison the wrong way, leaves the alarm silent
// forever, or in alarm forever.
func Thresholds(patching map[string]any) []string {
	alarms := cfntemplate.OfType(cfntemplate.Resources(patching), "AWS::CloudWatch::Alarm")
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(alarms)) {
		a := alarms[id]
		for _, m := range cfntemplate.List(a["Metrics"]) {
			m, _ := m.(map[string]any)
			match := insightsAggregate.FindStringSubmatch(cfntemplate.Text(m["Expression"]))
			if match == nil || m["ReturnData"] == false {
				continue
			}
			r, known := wsusspec.MetricRanges[match[2]]
			threshold, isNumber := a["Threshold"].(float64)
			if !known || !isNumber {
				continue
			}
			fires, stops := crosses(cfntemplate.Text(a["ComparisonOperator"]), r, threshold)
			switch {
			case !fires:
				problems = append(problems, fmt.Sprintf("alarm %s: %s %v never holds for %s, which is %v to %v: the alarm never fires",
					id, a["ComparisonOperator"], threshold, match[2], r.Min, r.Max))
			case !stops:
				problems = append(problems, fmt.Sprintf("alarm %s: %s %v holds for every value of %s (%v to %v): the alarm never stops",
					id, a["ComparisonOperator"], threshold, match[2], r.Min, r.Max))
			}
		}
	}
	return problems
}

// crosses says whether some value of r meets the comparison against t, and whether some does not.
func crosses(comparison string, r wsusspec.MetricRange, t float64) (some, notAll bool) {
	switch comparison {
	case "LessThanThreshold":
		return r.Min < t, r.Max >= t
	case "LessThanOrEqualToThreshold":
		return r.Min <= t, r.Max > t
	case "GreaterThanThreshold":
		return r.Max > t, r.Min <= t
	case "GreaterThanOrEqualToThreshold":
		return r.Max >= t, r.Min < t
	}
	return true, true // the anomaly-detection comparisons: a band, not a threshold
}
