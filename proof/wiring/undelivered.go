package wiring

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// undeliveredName is the alerts-undelivered alarms' names (then -2, -3, ... past
// patchingspec.MaxAlarmMetrics rules), after the stack's prefix.
var undeliveredName = regexp.MustCompile(`(^|-)alerts-undelivered(-[0-9]+)?$`)

// UndeliveredAlerts checks that the alerts-undelivered alarms count the FailedInvocations of every
// rule that delivers an alert: each rule targeting the topic the alarms notify (the alerts topic)
// or the finding filter function. In a metric-math alarm only the expression's terms are
// evaluated, so a metric declared (ReturnData false) but left out of the sum is never seen
// (mutation run 25's B11: rule0+rule1+rule2 of eight, and failed deliveries of window failures
// and findings never alarmed). The construct writes the sum rule0+rule1+...; another expression
// is named too.
func UndeliveredAlerts(patching map[string]any) []string {
	resources := cfntemplate.Resources(patching)
	alarms := cfntemplate.OfType(resources, "AWS::CloudWatch::Alarm")
	var problems []string
	counted, topics := map[string]bool{}, map[string]bool{}
	for _, id := range slices.Sorted(maps.Keys(alarms)) {
		a := alarms[id]
		if !undeliveredName.MatchString(cfntemplate.Text(a["AlarmName"])) {
			continue
		}
		for _, action := range cfntemplate.List(a["AlarmActions"]) {
			topics[cfntemplate.Ref(action)] = true
		}
		problems = append(problems, summedRules(id, a, counted)...)
	}
	if len(topics) == 0 {
		return problems
	}
	delivers := map[string]bool{}
	for _, rt := range ruleTargets(resources) {
		filter := strings.HasPrefix(cfntemplate.GetAtt(rt.target["Arn"]), "FindingFilterFunction")
		delivers[rt.rule] = delivers[rt.rule] || topics[cfntemplate.Ref(rt.target["Arn"])] || filter
	}
	for _, id := range slices.Sorted(maps.Keys(delivers)) {
		if delivers[id] && !counted[id] {
			problems = append(problems, fmt.Sprintf("rule %s: delivers alerts (to the alerts topic or the finding filter), and no alerts-undelivered alarm's expression counts its FailedInvocations: a failed delivery alarms nobody", id))
		}
	}
	return problems
}

// summedRules marks in counted the rules whose FailedInvocations alarm a's expression sums, and
// names a declared metric the expression leaves out, or an expression that is no sum of metrics.
func summedRules(id string, a map[string]any, counted map[string]bool) []string {
	ruleOf := func(metric map[string]any) string {
		for _, d := range cfntemplate.List(metric["Dimensions"]) {
			d, _ := d.(map[string]any)
			if cfntemplate.Text(d["Name"]) == "RuleName" && cfntemplate.Text(metric["MetricName"]) == "FailedInvocations" {
				return cfntemplate.Ref(d["Value"])
			}
		}
		return ""
	}
	if r := ruleOf(a); r != "" {
		counted[r] = true
	}
	declared := map[string]string{}
	var expressions []string
	for _, m := range cfntemplate.List(a["Metrics"]) {
		m, _ := m.(map[string]any)
		if e, ok := m["Expression"].(string); ok && m["ReturnData"] != false {
			expressions = append(expressions, e)
		}
		stat, _ := m["MetricStat"].(map[string]any)
		metric, _ := stat["Metric"].(map[string]any)
		if r := ruleOf(metric); r != "" {
			declared[cfntemplate.Text(m["Id"])] = r
		}
	}
	var problems []string
	summed := map[string]bool{}
	for _, e := range expressions {
		for _, term := range strings.Split(strings.ReplaceAll(e, " ", ""), "+") {
			if _, ok := declared[term]; !ok {
				problems = append(problems, fmt.Sprintf("alarm %s: its expression %q is not the sum of its rules' metrics (rule0+rule1+...) the construct writes", id, e))
				break
			}
			summed[term] = true
		}
	}
	for _, m := range slices.Sorted(maps.Keys(declared)) {
		if summed[m] {
			counted[declared[m]] = true
		} else if len(expressions) > 0 {
			problems = append(problems, fmt.Sprintf("alarm %s: declares %s, rule %s's FailedInvocations, and leaves it out of its expression: that rule's failed deliveries never alarm", id, m, declared[m]))
		}
	}
	return problems
}
