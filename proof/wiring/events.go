package wiring

import (
	"embed"
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// sampleEvents are events as AWS documents them (each file names its page in the tests that
// read it, test/assets_test.go and test/pipeline_test.go): Systems Manager's, Security Hub's,
// Inspector's and CodePipeline's, with this project's kinds of ids.
//
//go:embed events/*.json
var sampleEvents embed.FS

// SampleEvent is one of the sample events by file name without .json.
func SampleEvent(name string) (map[string]any, error) {
	data, err := sampleEvents.ReadFile("events/" + name + ".json")
	if err != nil {
		return nil, err
	}
	var event map[string]any
	return event, json.Unmarshal(data, &event)
}

// Matches reports whether an EventBridge event pattern (exact values, nested objects, and
// anything-but a list of values) matches an event, as EventBridge does for these patterns: a field
// matches when its value, or any element of an array value, is one of the listed values, none of
// an anything-but's values ("Content filtering in Amazon EventBridge event patterns", read
// 2026-12-06), or matches the nested pattern.
// A field the event lacks matches only "exists": false, as the same page says ("matches ... when a
// specific field doesn't exist in the event JSON"; on leaf nodes), nested patterns included.
// A value that is an intrinsic function (a deployment's id, {"Ref": ...}) matches any value, and
// anything-but a list holding one matches any value too (the sample's id may be another).
func Matches(pattern, event map[string]any) bool {
	for key, want := range pattern {
		got, ok := event[key]
		if !ok && !absentMatches(want) || ok && !fieldMatches(want, got) {
			return false
		}
	}
	return true
}

func absentMatches(want any) bool {
	switch want := want.(type) {
	case map[string]any:
		return Matches(want, map[string]any{})
	case []any:
		return slices.ContainsFunc(want, func(w any) bool { return fmt.Sprint(w) == fmt.Sprint(map[string]any{"exists": false}) })
	}
	return false
}

func fieldMatches(want, got any) bool {
	if items, ok := got.([]any); ok {
		for _, item := range items {
			if fieldMatches(want, item) {
				return true
			}
		}
		return false
	}
	switch want := want.(type) {
	case map[string]any:
		sub, ok := got.(map[string]any)
		return ok && Matches(want, sub)
	case []any:
		for _, w := range want {
			operator, _ := w.(map[string]any)
			if exists, ok := operator["exists"].(bool); ok {
				if exists {
					return true
				}
			} else if but, ok := operator["anything-but"].([]any); ok {
				// Anything but a deployment's id: any sample value may be another.
				if slices.ContainsFunc(but, intrinsic) || !slices.ContainsFunc(but, func(b any) bool { return fmt.Sprint(b) == fmt.Sprint(got) }) {
					return true
				}
			} else if intrinsic(w) || fmt.Sprint(w) == fmt.Sprint(got) {
				return true
			}
		}
	}
	return false
}

// intrinsic says whether v is an intrinsic function: {"Ref": ...} or {"Fn::...": ...}.
func intrinsic(v any) bool {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return false
	}
	for k := range m {
		return k == "Ref" || strings.HasPrefix(k, "Fn::")
	}
	return false
}

// Rules checks each EventBridge rule of a stack against the events AWS documents (the sample
// events): its source and detail-type are those of one of them; every field it filters on is one
// those events carry ("the event must contain all the field names listed in the event pattern",
// "Creating event patterns in Amazon EventBridge"); and no value it lists differs from the
// documented event's only in case ("EventBridge uses exact character-by-character matching
// without case-folding", the same page). A value that differs otherwise may be the
// configuration's (a severity threshold), so it is not judged.
func Rules(template map[string]any) []string {
	resources, _ := template["Resources"].(map[string]any)
	entries, _ := sampleEvents.ReadDir("events")
	var events []map[string]any
	for _, e := range entries {
		if event, err := SampleEvent(strings.TrimSuffix(e.Name(), path.Ext(e.Name()))); err == nil {
			events = append(events, event)
		}
	}
	rules := cfntemplate.OfType(resources, "AWS::Events::Rule")
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(rules)) {
		pattern, ok := rules[id]["EventPattern"].(map[string]any)
		if !ok {
			continue
		}
		kind := map[string]any{"source": pattern["source"], "detail-type": pattern["detail-type"]}
		var documented []map[string]any
		for _, e := range events {
			if Matches(kind, e) {
				documented = append(documented, e)
			}
		}
		if len(documented) == 0 {
			problems = append(problems, fmt.Sprintf("rule %s: source %v and detail-type %v are those of no event AWS documents (proof/wiring/events)", id, pattern["source"], pattern["detail-type"]))
			continue
		}
		problems = append(problems, fieldProblems(id, "", pattern["detail"], documented)...)
		problems = append(problems, enumProblems(id, pattern)...)
	}
	return problems
}

// eventEnums are the detail fields whose values are an API's enumeration, by detail-type and
// path, from botocore 1.43.11's models (read 2026-12-07): ssm MaintenanceWindowExecutionStatus
// and AssociationStatusName, inspector2 Severity and FindingStatus, securityhub SeverityLabel,
// RecordState and WorkflowStatus; CodePipeline's states and action categories
// (codePipelineStates). The sample events carry their values in the same form
// (FAILED, Failed, ACTIVE, HIGH). A value outside the enumeration matches no event: the rule never
// fires (mutation run 9's N13, TIMEDOUT for TIMED_OUT).
var eventEnums = map[string]map[string][]string{
	"Maintenance Window Execution State-change Notification": {
		"status": {"PENDING", "IN_PROGRESS", "SUCCESS", "FAILED", "TIMED_OUT", "CANCELLING", "CANCELLED", "SKIPPED_OVERLAPPING"}},
	"EC2 State Manager Instance Association State Change": {"status": {"Pending", "Success", "Failed"}},
	"Inspector2 Finding": {
		"severity": {"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL", "UNTRIAGED"},
		"status":   {"ACTIVE", "SUPPRESSED", "CLOSED"}},
	"Security Hub Findings - Imported": {
		"findings.Severity.Label":  {"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"},
		"findings.RecordState":     {"ACTIVE", "ARCHIVED"},
		"findings.Workflow.Status": {"NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"}},
	"CodePipeline Pipeline Execution State Change": {"state": codePipelineStates["pipeline"]},
	"CodePipeline Stage Execution State Change":    {"state": codePipelineStates["stage"]},
	"CodePipeline Action Execution State Change": {
		"state": codePipelineStates["action"], "type.category": codePipelineCategories},
}

// codePipelineStates are the states CodePipeline's events carry, by level: the "Detail types"
// table (detail type, state, description) of the current "Monitoring CodePipeline events" (AWS
// CodePipeline User Guide, the rendering with a "Pipeline STOPPING event" example; read
// 2026-12-07) lists exactly these: STOPPED and STOPPING ("The pipeline execution is stopping due
// to a request to either stop and wait or stop and abandon") for pipelines and stages, ABANDONED
// ("The action is abandoned due to a request to stop and abandon the pipeline execution") for
// actions. The archived awsdocs/aws-codepipeline-user-guide copy's "Valid state values" tables
// predate those three (review 18's finding 3). A rule's FAILURE for FAILED never fires (run 26's
// A14).
var codePipelineStates = map[string][]string{
	"pipeline": {"STARTED", "SUCCEEDED", "RESUMED", "FAILED", "CANCELED", "SUPERSEDED", "STOPPING", "STOPPED"},
	"stage":    {"STARTED", "SUCCEEDED", "RESUMED", "FAILED", "CANCELED", "STOPPING", "STOPPED"},
	"action":   {"STARTED", "SUCCEEDED", "FAILED", "CANCELED", "ABANDONED"},
}

// codePipelineCategories are an action event's type.category: botocore 1.43.11's codepipeline
// 2015-07-09 model, ActionCategory (read 2026-12-07); a manual approval's is Approval (its
// provider is Manual: run 26's A15 put Manual as the category, and the rule never fired).
var codePipelineCategories = []string{"Source", "Build", "Deploy", "Test", "Invoke", "Approval", "Compute"}

// enumProblems names each literal value a rule lists (or excepts with anything-but) at an
// enumerated field that is not in the enumeration.
func enumProblems(rule string, pattern map[string]any) []string {
	var problems []string
	detail, _ := pattern["detail"].(map[string]any)
	for _, kind := range cfntemplate.Values(pattern["detail-type"]) {
		fields := eventEnums[fmt.Sprint(kind)]
		for _, field := range slices.Sorted(maps.Keys(fields)) {
			var at any = detail
			for _, step := range strings.Split(field, ".") {
				m, _ := at.(map[string]any)
				at = m[step]
			}
			for _, v := range cfntemplate.List(at) {
				values := []any{v}
				if operator, ok := v.(map[string]any); ok {
					values = cfntemplate.List(operator["anything-but"])
				}
				for _, value := range values {
					if text, ok := value.(string); ok && !slices.Contains(fields[field], text) {
						problems = append(problems, fmt.Sprintf("rule %s: detail.%s %q is not one of %s's values (%s): no event carries it",
							rule, field, text, kind, strings.Join(fields[field], ", ")))
					}
				}
			}
		}
	}
	return problems
}

// fieldProblems walks a pattern's fields under prefix: each must be in one of the documented
// events, and each literal value must not differ from theirs only in case.
func fieldProblems(rule, prefix string, pattern any, documented []map[string]any) []string {
	var problems []string
	switch p := pattern.(type) {
	case map[string]any:
		for _, key := range slices.Sorted(maps.Keys(p)) {
			problems = append(problems, fieldProblems(rule, strings.TrimPrefix(prefix+"."+key, "."), p[key], documented)...)
		}
	case []any:
		var values []any
		for _, e := range documented {
			values = append(values, valuesAt(e["detail"], strings.Split(prefix, "."))...)
		}
		if len(values) == 0 && !slices.ContainsFunc(p, func(v any) bool { m, _ := v.(map[string]any); return m["exists"] == false }) {
			return []string{fmt.Sprintf("rule %s: field detail.%s is in none of the events AWS documents for its source and detail-type", rule, prefix)}
		}
		for _, v := range p {
			text, ok := v.(string)
			if !ok {
				continue
			}
			exact := slices.ContainsFunc(values, func(d any) bool { return fmt.Sprint(d) == text })
			folded := slices.ContainsFunc(values, func(d any) bool { return strings.EqualFold(fmt.Sprint(d), text) })
			if folded && !exact {
				problems = append(problems, fmt.Sprintf("rule %s: detail.%s %q differs from the documented event's value only in case, and EventBridge matches without case-folding", rule, prefix, text))
			}
		}
	}
	return problems
}

// valuesAt are the values at a path of an event's detail (an array's elements each).
func valuesAt(v any, path []string) []any {
	if items, ok := v.([]any); ok {
		var out []any
		for _, item := range items {
			out = append(out, valuesAt(item, path)...)
		}
		return out
	}
	if len(path) == 0 || path[0] == "" {
		return []any{v}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	next, ok := m[path[0]]
	if !ok {
		return nil
	}
	return valuesAt(next, path[1:])
}

// EventMetricAlarms checks the alarms on EventBridge's metrics (namespace AWS/Events): a RuleName
// dimension names a rule by its name, as the metrics carry it ("RuleName: Filters the available
// metrics by rule name", "Monitoring Amazon EventBridge", Amazon EventBridge User Guide, read
// 2026-12-06), which is what an AWS::Events::Rule's Ref returns; its ARN (Fn::GetAtt Arn, or a
// literal ARN) names no metric, and the alarm never sees data (mutation run 9's E13: the window's
// failure alarm, which latches its stop alarm).
func EventMetricAlarms(template map[string]any) []string {
	resources := cfntemplate.Resources(template)
	var problems []string
	check := func(alarm string, metric map[string]any) {
		if cfntemplate.Text(metric["Namespace"]) != "AWS/Events" {
			return
		}
		for _, d := range cfntemplate.List(metric["Dimensions"]) {
			d, _ := d.(map[string]any)
			if cfntemplate.Text(d["Name"]) != "RuleName" {
				continue
			}
			v := d["Value"]
			if _, isRule := cfntemplate.OfType(resources, "AWS::Events::Rule")[cfntemplate.Ref(v)]; isRule {
				continue
			}
			if text, ok := v.(string); ok && !strings.HasPrefix(text, "arn:") {
				continue
			}
			problems = append(problems, fmt.Sprintf("alarm %s: its RuleName dimension is %s, not a rule's name (its Ref): no EventBridge metric carries it, and the alarm never sees data", alarm, rendered(v)))
		}
	}
	alarms := cfntemplate.OfType(resources, "AWS::CloudWatch::Alarm")
	for _, id := range slices.Sorted(maps.Keys(alarms)) {
		a := alarms[id]
		check(id, a)
		for _, q := range cfntemplate.List(a["Metrics"]) {
			q, _ := q.(map[string]any)
			stat, _ := q["MetricStat"].(map[string]any)
			metric, _ := stat["Metric"].(map[string]any)
			check(id, metric)
		}
	}
	return append(problems, UndeliveredAlerts(template)...) // the sum of the rules' failed deliveries
}

// FailureAlarmLatches checks that each alarm a stop alarm's rule names, on EventBridge's
// TriggeredRules (a window's failure alarm), keeps its state while no window fails:
// TreatMissingData ignore, "The current alarm state is maintained" ("Configuring how CloudWatch
// alarms treat missing data", Amazon CloudWatch User Guide, read 2026-12-07). The metric is sent
// only when a rule fires ("Monitoring Amazon EventBridge"), so notBreaching or missing turns the
// alarm OK at the next period: the failed ring no longer holds the next one back (mutation run
// 10's B12). The alarm is the latch docs/patching.md's "A rollout that stops itself" describes.
func FailureAlarmLatches(patching map[string]any) []string {
	resources := cfntemplate.Resources(patching)
	named := map[string]bool{}
	for _, c := range cfntemplate.OfType(resources, "AWS::CloudWatch::CompositeAlarm") {
		for _, m := range alarmRuleName.FindAllStringSubmatch(cfntemplate.Text(c["AlarmRule"]), -1) {
			named[m[1]] = true
		}
	}
	var problems []string
	alarms := cfntemplate.OfType(resources, "AWS::CloudWatch::Alarm")
	for _, id := range slices.Sorted(maps.Keys(alarms)) {
		a := alarms[id]
		if !named[cfntemplate.Text(a["AlarmName"])] || cfntemplate.Text(a["Namespace"]) != "AWS/Events" || cfntemplate.Text(a["MetricName"]) != "TriggeredRules" {
			continue
		}
		if got := cfntemplate.Text(a["TreatMissingData"]); got != "ignore" {
			problems = append(problems, fmt.Sprintf("alarm %s: a stop alarm's failure latch treats missing data as %q, not ignore: %s", id, got, missingDataEffect(got)))
		}
	}
	return problems
}

// missingDataEffect is what a failure latch does between failures, by its TreatMissingData
// (read 2026-12-07): breaching, "Missing data points are treated as breaching the threshold";
// notBreaching, "treated as being within the threshold" (TreatMissingData, AWS CDK API
// reference); missing, the default, leaves "a metric that has no data points during a given time
// by design" in INSUFFICIENT_DATA ("Why is my CloudWatch alarm in INSUFFICIENT_DATA state?", AWS
// Knowledge Center). Run 29's B09: the message said "turns OK" for breaching too.
func missingDataEffect(treat string) string {
	switch treat {
	case "breaching":
		return "it goes to ALARM while no window fails, and the stop alarms on it stop their Install tasks though nothing failed"
	case "notBreaching":
		return "it turns OK while no window fails, and the failed ring stops holding the next one back"
	case "missing", "": // absent: "the default behavior of missing is used" (PutMetricAlarm)
		return "it goes to INSUFFICIENT_DATA while no window fails, out of ALARM, and the failed ring stops holding the next one back"
	}
	return "not a value CloudWatch takes (breaching, notBreaching, ignore, missing)"
}

// FailureAlarmWindows checks that each window's failure alarm (<prefix><window name>-failed,
// patchingspec.FailureAlarmName) counts the rule of that window's failures: the rule it names by
// its RuleName dimension matches the execution events of the window the alarm is named for, with
// the deployment's alarm-name prefix (the patching stack's name and "-"). Pointed at another
// window's rule, it latches on that window's failures and never on its own, and the next ring
// waits on the wrong window (mutation run 11's B20). The whole name is compared: a window whose
// name ends another's (weekly, dev-weekly) is told apart.
func FailureAlarmWindows(patching map[string]any, prefix string) []string {
	resources := cfntemplate.Resources(patching)
	windows := cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindow")
	rules := cfntemplate.OfType(resources, "AWS::Events::Rule")
	alarms := cfntemplate.OfType(resources, "AWS::CloudWatch::Alarm")
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(alarms)) {
		a := alarms[id]
		name := cfntemplate.Text(a["AlarmName"])
		if cfntemplate.Text(a["Namespace"]) != "AWS/Events" || cfntemplate.Text(a["MetricName"]) != "TriggeredRules" ||
			!strings.HasSuffix(name, patchingspec.FailureAlarmSuffix) {
			continue
		}
		for _, d := range cfntemplate.List(a["Dimensions"]) {
			d, _ := d.(map[string]any)
			rule, ok := rules[cfntemplate.Ref(d["Value"])]
			if cfntemplate.Text(d["Name"]) != "RuleName" || !ok {
				continue // EventMetricAlarms judges a dimension that names no rule
			}
			watched := watchedWindows(rule, windows)
			own := slices.ContainsFunc(watched, func(w string) bool { return name == patchingspec.FailureAlarmName(prefix, w) })
			if !own {
				problems = append(problems, fmt.Sprintf("alarm %s (%s): counts rule %s, which matches %s, not of the window its name is for",
					id, name, cfntemplate.Ref(d["Value"]), executionsOf(watched)))
			}
		}
	}
	return problems
}

// DashboardFailureLines checks that each dashboard line counting a window's failure rule
// (AWS/Events TriggeredRules by RuleName, "Monitoring Amazon EventBridge", EventBridge User Guide)
// reads the rule of the window its label names (patchingspec.FailureLineLabel): a line labelled
// for one window and reading another's rule shows that window's failures under the wrong name
// and hides its own (mutation run 27's A17). A line is [Namespace, MetricName, DimensionName,
// DimensionValue, ..., {rendering properties, label among them}] ("Dashboard Body Structure and
// Syntax", Amazon CloudWatch API Reference); a Ref in the body reads as ${Id} (bodyText).
func DashboardFailureLines(patching map[string]any) []string {
	resources := cfntemplate.Resources(patching)
	windows := cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindow")
	rules := cfntemplate.OfType(resources, "AWS::Events::Rule")
	dashboards := cfntemplate.OfType(resources, "AWS::CloudWatch::Dashboard")
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(dashboards)) {
		text, _ := bodyText(dashboards[id]["DashboardBody"])
		for _, line := range eventRuleLines(text) {
			rule, ok := rules[line.rule]
			watched := watchedWindows(rule, windows)
			own := slices.ContainsFunc(watched, func(w string) bool { return line.label == patchingspec.FailureLineLabel(w) })
			// Judged: a line labelled as a window's failures, and a line on a window's own failure
			// rule (failureRules' naming); not the MaintenanceWindow alert rule's, which watches
			// every window under its own label.
			judged := strings.HasSuffix(line.label, patchingspec.FailureLineLabel("")) || strings.Contains(line.rule, "FailureRule")
			if ok && !own && judged {
				problems = append(problems, fmt.Sprintf("dashboard %s: line %q reads rule %s, which matches %s, not of the window its label names",
					id, line.label, line.rule, executionsOf(watched)))
			}
		}
	}
	return problems
}

// watchedWindows are the names of the windows (of windows, by logical id) whose execution events
// rule matches by its pattern's detail.window-id.
func watchedWindows(rule map[string]any, windows map[string]map[string]any) []string {
	pattern, _ := rule["EventPattern"].(map[string]any)
	// A rule on another kind of event (a window's own state change, enabled or disabled) watches
	// no window's executions, whatever window-id it names (held-out run 36's B06).
	// A pattern without source or detail-type does not restrict it ("Amazon EventBridge event
	// patterns": a field the pattern leaves out matches any value).
	if (pattern["source"] != nil && !slices.Contains(cfntemplate.Texts(pattern["source"]), "aws.ssm")) ||
		(pattern["detail-type"] != nil && !slices.Contains(cfntemplate.Texts(pattern["detail-type"]), patchingspec.WindowExecutionDetailType)) {
		return nil
	}
	detail, _ := pattern["detail"].(map[string]any)
	var watched []string
	for _, w := range cfntemplate.List(detail["window-id"]) {
		if window, ok := windows[cfntemplate.Ref(w)]; ok {
			watched = append(watched, cfntemplate.Text(window["Name"]))
		}
	}
	return watched
}

// executionsOf says whose executions a rule matches: some windows', or none (a rule on other
// events, or on no window of the template).
func executionsOf(windows []string) string {
	if len(windows) == 0 {
		return "no window's execution events"
	}
	return fmt.Sprintf("the executions of window(s) %v", windows)
}

// ruleLine is a dashboard line on an EventBridge rule: the rule's logical id and the line's label.
type ruleLine struct{ rule, label string }

// eventRuleLines are the AWS/Events lines of a rendered dashboard body whose RuleName is a Ref.
func eventRuleLines(text string) []ruleLine {
	var body struct {
		Widgets []struct {
			Properties struct {
				Metrics [][]any `json:"metrics"`
			} `json:"properties"`
		} `json:"widgets"`
	}
	if json.Unmarshal([]byte(text), &body) != nil {
		return nil
	}
	var lines []ruleLine
	for _, w := range body.Widgets {
		for _, m := range w.Properties.Metrics {
			if len(m) < 4 || m[0] != "AWS/Events" {
				continue
			}
			for i := 2; i+1 < len(m); i += 2 {
				value := cfntemplate.Text(m[i+1])
				if m[i] != "RuleName" || !strings.HasPrefix(value, "${") || strings.Contains(value, ".") {
					continue
				}
				options, _ := m[len(m)-1].(map[string]any)
				lines = append(lines, ruleLine{rule: strings.Trim(value, "${}"), label: cfntemplate.Text(options["label"])})
			}
		}
	}
	return lines
}

// AssociationAlerts checks that the association-failure alert rule names every State Manager
// association of the fleet and patching stacks, each once: one it leaves out fails silently
// (mutation run 10's A13: the WSUS client association's id replaced by the setup's, twice). The
// fleet's are named through Fn::GetStackOutput of an output the fleet stack publishes for each
// (PublishOutputRef<logical id>...), the patching stack's by Ref.
func AssociationAlerts(patching, fleet map[string]any) []string {
	resources := cfntemplate.Resources(patching)
	var rule map[string]any
	var ruleID string
	for id, r := range cfntemplate.OfType(resources, "AWS::Events::Rule") {
		if strings.HasPrefix(id, "AlertsAssociationRule") {
			rule, ruleID = r, id
		}
	}
	if rule == nil {
		return nil
	}
	pattern, _ := rule["EventPattern"].(map[string]any)
	detail, _ := pattern["detail"].(map[string]any)
	counts := map[string]int{}
	for _, v := range cfntemplate.List(detail["association-id"]) {
		ref := cfntemplate.Ref(v)
		if m, _ := v.(map[string]any); m != nil && m["Fn::GetStackOutput"] != nil {
			out, _ := m["Fn::GetStackOutput"].(map[string]any)
			ref = strings.TrimPrefix(cfntemplate.Text(out["OutputName"]), "PublishOutputRef")
		}
		counts[ref]++
	}
	var problems []string
	for _, template := range []map[string]any{fleet, patching} {
		associations := cfntemplate.OfType(cfntemplate.Resources(template), "AWS::SSM::Association")
		for _, id := range slices.Sorted(maps.Keys(associations)) {
			n := 0
			for ref, c := range counts {
				if strings.HasPrefix(ref, id) {
					n += c
				}
			}
			if n != 1 {
				problems = append(problems, fmt.Sprintf("rule %s: names association %s %d times, not once: its failures %s", ruleID, id, n,
					map[bool]string{true: "alert nobody", false: "alert twice"}[n == 0]))
			}
		}
	}
	return problems
}

// AlarmNames checks that no two alarms of a deployment's stacks share a name: "AlarmName ... must
// be unique within the Region" (PutMetricAlarm and PutCompositeAlarm, Amazon CloudWatch API
// Reference, read 2026-12-07), and the second one's creation fails (a review's find: a window
// named wsus-sync gives its failure alarm the WSUS synchronisation alarm's name).
func AlarmNames(templates ...map[string]any) []string {
	seen := map[string]string{}
	var problems []string
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		for _, kind := range []string{"AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"} {
			alarms := cfntemplate.OfType(resources, kind)
			for _, id := range slices.Sorted(maps.Keys(alarms)) {
				name := rendered(alarms[id]["AlarmName"])
				if name == "" {
					continue // CloudFormation generates a unique one
				}
				if other, ok := seen[name]; ok {
					problems = append(problems, fmt.Sprintf("alarm %s: named %s, as alarm %s is: the second one's creation fails", id, name, other))
				}
				seen[name] = id
			}
		}
	}
	return problems
}
