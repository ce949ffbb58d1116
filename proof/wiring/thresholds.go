package wiring

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/privatepatch/privatepatch/constructs/ssmschedule"
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
	var problems []string
	eachQuery(patching, func(id string, a, m map[string]any) {
		match := insightsAggregate.FindStringSubmatch(cfntemplate.Text(m["Expression"]))
		if match == nil || m["ReturnData"] == false {
			return
		}
		r, known := wsusspec.MetricRanges[match[2]]
		threshold, isNumber := a["Threshold"].(float64)
		if !known || !isNumber {
			return
		}
		// A script that stops publishing is a server in trouble: its alarms breach on missing data.
		if treat := cfntemplate.Text(a["TreatMissingData"]); treat != "breaching" {
			problems = append(problems, fmt.Sprintf("alarm %s: treats missing %s as %q: a server whose script stops publishing is never alarmed on", id, match[2], treat))
		}
		comparison := cfntemplate.Text(a["ComparisonOperator"])
		fires, stops := crosses(comparison, r, threshold)
		lowFires := strings.HasPrefix(comparison, "LessThan")
		switch {
		case (lowFires || strings.HasPrefix(comparison, "GreaterThan")) && lowFires != r.LowIsBad:
			trouble := map[bool]string{true: "low", false: "high"}[r.LowIsBad]
			problems = append(problems, fmt.Sprintf("alarm %s: fires on %s %v of %s, whose trouble is a %s value: it alarms when healthy and stays silent in trouble",
				id, comparison, threshold, match[2], trouble))
		case !fires:
			problems = append(problems, fmt.Sprintf("alarm %s: %s %v never holds for %s, which is %v to %v: the alarm never fires",
				id, a["ComparisonOperator"], threshold, match[2], r.Min, r.Max))
		case !stops:
			problems = append(problems, fmt.Sprintf("alarm %s: %s %v holds for every value of %s (%v to %v): the alarm never stops",
				id, a["ComparisonOperator"], threshold, match[2], r.Min, r.Max))
		}
	})
	return problems
}

// eachQuery calls f with each metric query of each alarm of the template, alarms in id order.
func eachQuery(template map[string]any, f func(id string, alarm, query map[string]any)) {
	alarms := cfntemplate.OfType(cfntemplate.Resources(template), "AWS::CloudWatch::Alarm")
	for _, id := range slices.Sorted(maps.Keys(alarms)) {
		for _, m := range cfntemplate.List(alarms[id]["Metrics"]) {
			m, _ := m.(map[string]any)
			f(id, alarms[id], m)
		}
	}
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

// insightsWindow is how much data a Metrics Insights alarm evaluates: "the latest 3 hours of data"
// ("Limits that apply to alarms based on Metrics Insights queries", Amazon CloudWatch User Guide,
// read 2026-12-06, as wsusspec.CleanupReportSchedule cites it).
const insightsWindow = 3 * time.Hour

// insightsSource is a Metrics Insights query's metric and namespace.
var insightsSource = regexp.MustCompile(`^SELECT \w+\((\w+)\) FROM SCHEMA\("([^"]+)"((?:,\s*\w+)*)\)`)

// publisher is an association whose script puts a metric on a rate schedule.
type publisher struct {
	id       string
	interval time.Duration
	document map[string]any
}

// publishersOf finds, in both stacks, the rate associations whose document names a metric of
// wsusspec.MetricRanges, keyed by the association's Namespace parameter and the metric.
func publishersOf(patching, fleet map[string]any) map[string][]publisher {
	publishers := map[string][]publisher{}
	for _, template := range []map[string]any{patching, fleet} {
		resources := cfntemplate.Resources(template)
		documents := cfntemplate.OfType(resources, "AWS::SSM::Document")
		associations := cfntemplate.OfType(resources, "AWS::SSM::Association")
		for _, id := range slices.Sorted(maps.Keys(associations)) {
			a := associations[id]
			interval, ok := ssmschedule.RateInterval(cfntemplate.Text(a["ScheduleExpression"]))
			ns := cfntemplate.AssociationParameter(resources, a, "Namespace")
			doc, isDoc := documents[cfntemplate.Ref(a["Name"])]
			if !ok || ns == "" || !isDoc {
				continue
			}
			content, _ := json.Marshal(doc["Content"])
			for metric := range wsusspec.MetricRanges {
				if strings.Contains(string(content), metric) {
					publishers[ns+" "+metric] = append(publishers[ns+" "+metric], publisher{id, interval, doc})
				}
			}
		}
	}
	return publishers
}

// Cadence checks that each alarm on a metric a script publishes hears from it often enough: the
// association that publishes it (its document's script names the metric, its Namespace parameter
// the query's) runs at least once an alarm period where missing data breaches, and within the
// 3 hours a Metrics Insights alarm evaluates. A rarer publisher leaves periods empty, and the
// alarm fires on silence alone, or sees nothing.
func Cadence(patching, fleet map[string]any) []string {
	publishers := publishersOf(patching, fleet)
	var problems []string
	eachQuery(patching, func(id string, a, m map[string]any) {
		match := insightsSource.FindStringSubmatch(cfntemplate.Text(m["Expression"]))
		if match == nil {
			return
		}
		period := time.Duration(cfntemplate.Int(m["Period"])) * time.Second
		var dimensions []string
		for _, d := range strings.Split(match[3], ",") {
			if d = strings.TrimSpace(d); d != "" {
				dimensions = append(dimensions, d)
			}
		}
		for _, p := range publishers[match[2]+" "+match[1]] {
			// A query on a dimension the script never sets reads nothing: with SCHEMA's label
			// keys "the results are scoped only to metrics that have that exact set of
			// dimensions" ("Query components and syntax in CloudWatch Metrics Insights", read
			// 2026-12-07).
			if missing := documentNames(p.document, dimensions); len(missing) > 0 {
				problems = append(problems, fmt.Sprintf("alarm %s: reads %s by dimension %v, which association %s's script never names: the query finds no data",
					id, match[1], missing, p.id))
			}
			if cfntemplate.Text(a["TreatMissingData"]) == "breaching" && p.interval > period {
				problems = append(problems, fmt.Sprintf("alarm %s: reads %s every %v with missing data breaching, and association %s publishes it every %v: it fires on silence",
					id, match[1], period, p.id, p.interval))
			}
			if p.interval >= insightsWindow {
				problems = append(problems, fmt.Sprintf("alarm %s: a Metrics Insights alarm evaluates the latest %v, and association %s publishes %s every %v",
					id, insightsWindow, p.id, match[1], p.interval))
			}
		}
	})
	return problems
}
