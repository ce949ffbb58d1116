package wiring

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// Bodies checks what CloudFormation passes on as text: a dashboard's body is JSON ("The detailed
// information about the dashboard in JSON format", AWS::CloudWatch::Dashboard DashboardBody), its
// intrinsic parts read as placeholder strings; and an inline Python function defines the method
// its Handler names ("The name of the method within your code that Lambda calls", Handler; inline
// code is the file index, Code ZipFile: CloudFormation resource specification); and inline code
// runs on a runtime of its own language (a Python handler on nodejs fails every invocation).
func Bodies(templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		dashboards := cfntemplate.OfType(resources, "AWS::CloudWatch::Dashboard")
		for _, id := range slices.Sorted(maps.Keys(dashboards)) {
			var body any
			text, rendered := bodyText(dashboards[id]["DashboardBody"])
			if err := json.Unmarshal([]byte(text), &body); rendered && err != nil {
				problems = append(problems, fmt.Sprintf("dashboard %s: its body is not JSON: %v", id, err))
			}
		}
		functions := cfntemplate.OfType(resources, "AWS::Lambda::Function")
		for _, id := range slices.Sorted(maps.Keys(functions)) {
			f := functions[id]
			code, _ := f["Code"].(map[string]any)
			zip, inline := code["ZipFile"].(string)
			runtime := cfntemplate.Text(f["Runtime"])
			if !inline {
				continue
			}
			if language := inlineLanguage(zip); language != "" && !strings.HasPrefix(runtime, language) {
				problems = append(problems, fmt.Sprintf("function %s: its inline code is %s, and its runtime %s runs another language", id, language, runtime))
				continue
			}
			if !strings.HasPrefix(runtime, "python") {
				continue
			}
			module, function, _ := strings.Cut(cfntemplate.Text(f["Handler"]), ".")
			if module != "index" || !regexp.MustCompile(`(?m)^def `+regexp.QuoteMeta(function)+`\(`).MatchString(zip) {
				problems = append(problems, fmt.Sprintf("function %s: its handler %v is not a function its inline code (module index) defines", id, f["Handler"]))
			}
		}
	}
	return problems
}

// Inline code's language, by the statements each language starts its modules with: Python's
// imports and top-level def, Node.js's require and exports.
var (
	pythonCode = regexp.MustCompile(`(?m)^(import [\w.]+( as \w+)?(, *[\w.]+( as \w+)?)* *$|from [\w.]+ import |def \w+\()`)
	nodeCode   = regexp.MustCompile(`(?m)(\brequire\(|\bexports\.\w+\s*=|^export (async |const |default )?\w*|^import .* from ['"])`)
)

// inlineLanguage is the runtime prefix of inline code (python or nodejs), or "" when it reads as
// neither or both.
func inlineLanguage(code string) string {
	switch python, node := pythonCode.MatchString(code), nodeCode.MatchString(code); {
	case python && !node:
		return "python"
	case node && !python:
		return "nodejs"
	}
	return ""
}

// AWSNamespace is what AWS documents of one of its metric namespaces: the metrics it publishes
// there (Metrics), and the dimension sets each takes (Dimensions: each set its names sorted and
// joined by commas, "" the set of none; a metric not in Dimensions is one whose page gives none,
// and is not judged). CloudWatch keeps a metric per set of dimensions, so a line or an alarm on
// another name, or on a set the metric is not published with, reads a metric no one publishes:
// it stays empty, and the alarm on it never fires.
type AWSNamespace struct {
	Metrics    []string
	Dimensions map[string][]string
}

// metricGroup is metrics of one namespace that take the same dimension sets (nil: not judged).
type metricGroup struct {
	sets    []string
	metrics []string
}

// documented is the namespace of groups.
func documented(groups ...metricGroup) AWSNamespace {
	ns := AWSNamespace{Dimensions: map[string][]string{}}
	for _, g := range groups {
		ns.Metrics = append(ns.Metrics, g.metrics...)
		for _, m := range g.metrics {
			if g.sets != nil {
				ns.Dimensions[m] = g.sets
			}
		}
	}
	return ns
}

// Dimension sets: Lambda's function metrics are published across all functions (none), by
// FunctionName, by FunctionName and Resource (a version or alias), and by those and
// ExecutedVersion ("Working with Lambda function metrics", Viewing metrics on the CloudWatch
// console: By Function Name, By Resource, By Executed Version, Across All Functions, read
// 2026-12-07; the sets as aws-cdk-lib's lambda-canned-metrics.generated.d.ts lists them).
// EventBridge's Dimensions column names each set on its own ("None" the set of none); with
// RuleName, the pair EventBusName and RuleName too ("Metrics that specify both the EventBusName
// and RuleName dimensions refer to a custom event bus"); ruleBusProblems says which a rule of
// the templates takes.
var (
	lambdaFunction = []string{"", "FunctionName", "FunctionName,Resource", "ExecutedVersion,FunctionName,Resource"}
	lambdaRegion   = []string{""}
	eventsRule     = []string{"RuleName", "EventBusName,RuleName"}
	eventsAny      = []string{"", "EventBusName", "RuleName", "EventBusName,RuleName"}
	eventsNone     = []string{""}
)

// DocumentedMetrics are the AWS namespaces the templates read (every AWS/ namespace of the
// goldens' alarms and dashboards; TestEveryAWSMetricTheGoldensReadIsDocumented keeps it so):
//   - AWS/Lambda: "Types of metrics for Lambda functions" (AWS Lambda Developer Guide, read
//     2026-12-07): its invocation, deployment, performance, concurrency, asynchronous invocation
//     and event source mapping metrics (Errors, not Error); "Monitoring concurrency" (read
//     2026-12-07): UnreservedConcurrentExecutions and ClaimedAccountConcurrency are emitted
//     "across all functions in a region", with no dimension. The page gives the event source
//     mapping metrics and the Managed Instances throttle sub-metrics no dimensions: not judged;
//   - AWS/Events: "Monitoring Amazon EventBridge" (Amazon EventBridge User Guide, read
//     2026-12-07), its metrics, PutEvents and PutPartnerEvents tables and their Dimensions
//     column (the page spells two latencies IngestiontoInvocation...; both spellings listed);
//   - AWS/SSM-RunCommand: "Monitoring Run Command metrics using Amazon CloudWatch" (AWS Systems
//     Manager User Guide, read 2026-11-27 and 2026-12-07): three metrics, and no dimension in
//     its table (there is no CommandsTimedOut).
var DocumentedMetrics = map[string]AWSNamespace{
	"AWS/Lambda": documented(
		metricGroup{lambdaFunction, []string{"Invocations", "Errors", "DeadLetterErrors", "DestinationDeliveryFailures", "Throttles",
			"OversizedRecordCount", "ProvisionedConcurrencyInvocations", "ProvisionedConcurrencySpilloverInvocations",
			"RecursiveInvocationsDropped", "SignatureValidationErrors", "Duration", "PostRuntimeExtensionsDuration", "IteratorAge",
			"OffsetLag", "ConcurrentExecutions", "ProvisionedConcurrentExecutions", "ProvisionedConcurrencyUtilization",
			"AsyncEventsReceived", "AsyncEventAge", "AsyncEventsDropped"}},
		metricGroup{lambdaRegion, []string{"UnreservedConcurrentExecutions", "ClaimedAccountConcurrency"}},
		metricGroup{nil, []string{"CPUThrottles", "MemoryThrottles", "DiskThrottles", "ConcurrencyThrottles",
			"PolledEventCount", "FilteredOutEventCount", "InvokedEventCount", "FailedInvokeEventCount", "DroppedEventCount",
			"OnFailureDestinationDeliveredEventCount", "DeletedEventCount", "CommittedEventCount", "PollingErrorCount",
			"InvokeErrorCount", "OnFailureDestinationDeliveryErrorCount", "SchemaRegistryErrorCount", "CommitErrorCount",
			"MaxOffsetLag", "SumOffsetLag", "ProvisionedPollers", "EventPollerUnit", "EventPollerThroughputInBytes"}}),
	"AWS/Events": documented(
		metricGroup{eventsRule, []string{"DeadLetterInvocations", "FailedInvocations", "InvocationsFailedToBeSentToDlq", "InvocationsSentToDlq"}},
		metricGroup{[]string{"EventSourceName"}, []string{"Events"}},
		metricGroup{[]string{"", "RuleName", "EventBusName,RuleName"}, []string{"Invocations"}},
		metricGroup{eventsAny, []string{"InvocationAttempts", "IngestionToInvocationCompleteLatency", "IngestiontoInvocationCompleteLatency",
			"IngestionToInvocationSuccessLatency", "IngestionToInvocationStartLatency", "IngestiontoInvocationStartLatency",
			"RetryInvocationAttempts", "SuccessfulInvocationAttempts", "ThrottledRules", "TriggeredRules"}},
		metricGroup{[]string{"EventBusName", "EventSourceName", "RuleName", "EventBusName,RuleName"}, []string{"MatchedEvents"}},
		metricGroup{[]string{"EventBusName"}, []string{"EventBusEncryptionStarted", "EventBusEncryptionCompleted", "EventBusEncryptionFailed"}},
		metricGroup{eventsNone, []string{"InvocationsCreated", "PutEventsApproximateCallCount", "PutEventsApproximateFailedCount",
			"PutEventsApproximateSuccessCount", "PutEventsApproximateThrottledCount", "PutEventsEntriesCount", "PutEventsFailedEntriesCount",
			"PutEventsLatency", "PutEventsRequestSize", "PutPartnerEventsApproximateCallCount", "PutPartnerEventsApproximateFailedCount",
			"PutPartnerEventsApproximateThrottledCount", "PutPartnerEventsApproximateSuccessCount", "PutPartnerEventsEntriesCount",
			"PutPartnerEventsFailedEntriesCount", "PutPartnerEventsLatency"}}),
	"AWS/SSM-RunCommand": documented(metricGroup{[]string{""}, []string{"CommandsDeliveryTimedOut", "CommandsFailed", "CommandsSucceeded"}}),
}

// DashboardMetric is a dashboard widget's metric line on an AWS namespace.
var DashboardMetric = regexp.MustCompile(`\["(AWS/[A-Za-z-]+)","([A-Za-z]+)"`)

// UndocumentedMetrics lists the AWS namespace/metric pairs of a dashboard body that AWS does not
// document.
func UndocumentedMetrics(body string) []string {
	var out []string
	for _, m := range DashboardMetric.FindAllStringSubmatch(body, -1) {
		if !slices.Contains(DocumentedMetrics[m[1]].Metrics, m[2]) {
			out = append(out, m[1]+" "+m[2])
		}
	}
	return out
}

// bodyToken is an intrinsic within a dashboard body as the checks read it: a Ref (a pseudo
// parameter's or a resource's) as ${Name} and a GetAtt as ${Id.Attribute}, as Fn::Sub writes
// them, so that ${AWS::Region} reads alike in both forms and a resource's stays opaque;
// anything else PLACEHOLDER.
func bodyToken(v any) string {
	if ref := cfntemplate.Ref(v); ref != "" {
		return "${" + ref + "}"
	}
	m, _ := v.(map[string]any)
	if att := cfntemplate.List(m["Fn::GetAtt"]); len(att) == 2 {
		return fmt.Sprintf("${%v.%v}", att[0], att[1])
	}
	return "PLACEHOLDER"
}

// subVariable is a variable of an Fn::Sub string: ${Name}, ${Id.Attribute}, or ${!Literal}.
var subVariable = regexp.MustCompile(`\$\{([^}]*)\}`)

// bodyText is a dashboard body as text, and whether it is rendered: a string as it is, an
// Fn::Join joined, an Fn::Sub with its variables substituted ("Fn::Sub", CloudFormation
// Template Reference: a name of its map by that value, ${!Literal} as ${Literal}, a pseudo
// parameter or a resource as itself, bodyToken's form), each intrinsic within a token
// (bodyToken). A body given by another intrinsic whole (a parameter's Ref, an Fn::If) is not
// rendered: no check reads it, and UnjudgedBodies notes it.
func bodyText(v any) (string, bool) {
	text, rendered := substituted(v)
	return valueTokens(text), rendered
}

// substituted is a dashboard body rendered as bodyText does, its tokens where JSON takes a value
// kept as they are.
func substituted(v any) (string, bool) {
	if text, ok := v.(string); ok {
		return text, true
	}
	m, _ := v.(map[string]any)
	switch {
	case m["Fn::Join"] != nil:
		return cfntemplate.Joined(v, bodyToken), true
	case m["Fn::Sub"] != nil:
		sub := m["Fn::Sub"]
		var variables map[string]any
		if list := cfntemplate.List(sub); len(list) == 2 {
			sub, variables = list[0], nil
			if v, ok := list[1].(map[string]any); ok {
				variables = v
			}
		}
		text, ok := sub.(string)
		if !ok {
			return "", false
		}
		return subVariable.ReplaceAllStringFunc(text, func(v string) string {
			name := v[2 : len(v)-1]
			if literal, ok := strings.CutPrefix(name, "!"); ok {
				return "${" + literal + "}"
			}
			if value, ok := variables[name]; ok {
				return cfntemplate.Joined(value, bodyToken)
			}
			return v
		}), true
	}
	return "", false
}

// valueTokens is a rendered body with each token that stands outside a JSON string (a ${Name}
// or PLACEHOLDER where JSON takes a value, as in "period":${Period}) read as the number 0:
// CloudFormation substitutes a Parameter's or resource's value there before CloudWatch parses the
// body (review round 3's 14a: a Number Parameter was "not JSON"), and what it stands for is not
// judged. Tokens within a string stay as they are, for the checks that read them.
func valueTokens(text string) string {
	out, _ := scanValueTokens(text)
	return out
}

// scanValueTokens is valueTokens, with the tokens it read as 0.
func scanValueTokens(text string) (string, []string) {
	var out strings.Builder
	var tokens []string
	inString := false
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case inString && c == '\\' && i+1 < len(text):
			out.WriteString(text[i : i+2])
			i++
			continue
		case c == '"':
			inString = !inString
		case !inString && strings.HasPrefix(text[i:], "${") && strings.Contains(text[i:], "}"):
			out.WriteByte('0')
			tokens = append(tokens, text[i:i+strings.Index(text[i:], "}")+1])
			i += strings.Index(text[i:], "}")
			continue
		case !inString && strings.HasPrefix(text[i:], "PLACEHOLDER"):
			out.WriteByte('0')
			tokens = append(tokens, "PLACEHOLDER")
			i += len("PLACEHOLDER") - 1
			continue
		}
		out.WriteByte(text[i])
	}
	return out.String(), tokens
}

// tokensOf are the tokens scanValueTokens reads as 0 in text.
func tokensOf(text string) []string {
	_, tokens := scanValueTokens(text)
	return tokens
}

// notANumber is the first token of tokens that is not a Parameter of template of Type Number:
// one that may stand for a string, an array or an object (the widgets themselves), which 0 does
// not stand in for. "" when each is a Number.
func notANumber(template map[string]any, tokens []string) string {
	parameters, _ := template["Parameters"].(map[string]any)
	for _, token := range tokens {
		parameter, _ := parameters[strings.TrimSuffix(strings.TrimPrefix(token, "${"), "}")].(map[string]any)
		if parameter["Type"] != "Number" {
			return token
		}
	}
	return ""
}

// joinedText is a dashboard body as the widget readers take it (bodyText): "" when it is not
// rendered, which reads as no widgets.
func joinedText(v any) string {
	text, _ := bodyText(v)
	return text
}

// unresolved says whether text holds an intrinsic's token: not a name a check can judge.
func unresolved(text string) bool {
	return strings.Contains(text, "PLACEHOLDER") || strings.Contains(text, "${")
}

// UnjudgedBodies notes each dashboard whose body is given by an intrinsic that bodyText does
// not render, or holds a token where JSON takes a value (valueTokens reads it as 0): its widgets'
// metrics, regions and alarms are not checked, or not those the token stands for, unless it is a
// Number Parameter (a token for the widgets' array, {"widgets": ${Widgets}}, left the body
// silently unjudged: the fourth review's M1).
func UnjudgedBodies(templates ...map[string]any) []string {
	var notes []string
	for _, template := range templates {
		dashboards := cfntemplate.OfType(cfntemplate.Resources(template), "AWS::CloudWatch::Dashboard")
		for _, id := range slices.Sorted(maps.Keys(dashboards)) {
			if _, rendered := bodyText(dashboards[id]["DashboardBody"]); !rendered {
				given, _ := json.Marshal(dashboards[id]["DashboardBody"])
				notes = append(notes, fmt.Sprintf("dashboard %s: its body %s is given by an intrinsic verify does not render: its metrics, regions, accounts and alarms are not judged", id, given))
			} else if text, _ := substituted(dashboards[id]["DashboardBody"]); notANumber(template, tokensOf(text)) != "" {
				notes = append(notes, fmt.Sprintf("dashboard %s: its body holds %s where JSON takes a value, which may stand for an array or object (the widgets, a widget, its metrics): what it stands for is not judged",
					id, notANumber(template, tokensOf(text))))
			}
		}
	}
	return notes
}

// DashboardRegions checks that every widget of the templates' dashboards reads the deployment's
// region and account: a widget's region, and each metric line's, is the deployment's (Ref
// AWS::Region or the literal region), and any accountId its account (Ref AWS::AccountId or the
// literal account) ("Dashboard Body Structure and Syntax", Amazon CloudWatch API Reference, read
// 2026-12-07: a metric widget's region; a metric's accountId and region options); an alarm
// widget's alarms are ARNs of the deployment's region and account (its alarms property: "An
// array of alarm ARNs to include in the widget"). A widget on another region or account graphs
// that one's metrics (mutation run 22's B18: us-east-1), or shows its alarms, empty or foreign,
// and hides the deployment's. A literal account is not judged when the configuration gives none.
func DashboardRegions(region, account string, templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		dashboards := cfntemplate.OfType(cfntemplate.Resources(template), "AWS::CloudWatch::Dashboard")
		for _, id := range slices.Sorted(maps.Keys(dashboards)) {
			var body struct {
				Widgets []map[string]any `json:"widgets"`
			}
			if json.Unmarshal([]byte(joinedText(dashboards[id]["DashboardBody"])), &body) != nil {
				continue // Bodies names a body that is not JSON, UnjudgedBodies one not rendered
			}
			for i, widget := range body.Widgets {
				properties, _ := widget["properties"].(map[string]any)
				what := fmt.Sprintf("dashboard %s: widget %d (%v)", id, i, properties["title"])
				problems = append(problems, widgetRegions(what, properties, region, account)...)
			}
		}
	}
	return problems
}

// alarmArn is an alarm's ARN, arn:partition:cloudwatch:region:account:alarm:name, each field
// literal or a token (${AWS::Region}, bodyToken's form): its region and account.
var alarmArn = regexp.MustCompile(`^arn:(?:\$\{[^}]*\}|[^:$]*):cloudwatch:(\$\{[^}]*\}|[^:$]*):(\$\{[^}]*\}|[^:$]*):alarm:`)

// widgetRegions are the problems of one widget's regions and accounts (DashboardRegions).
func widgetRegions(what string, properties map[string]any, region, account string) []string {
	var problems []string
	places := []map[string]any{properties}
	for _, line := range cfntemplate.List(properties["metrics"]) {
		for _, v := range cfntemplate.List(line) {
			if options, ok := v.(map[string]any); ok {
				places = append(places, options)
			}
		}
	}
	foreignRegion := func(r string) bool { return r != "${AWS::Region}" && r != region }
	foreignAccount := func(a string) bool { return a != "${AWS::AccountId}" && account != "" && a != account }
	for _, p := range places {
		if r, set := p["region"].(string); set && foreignRegion(r) {
			problems = append(problems, fmt.Sprintf("%s reads region %s, not the deployment's %s: it graphs another region's metrics", what, r, region))
		}
		if a, set := p["accountId"].(string); set && foreignAccount(a) {
			problems = append(problems, fmt.Sprintf("%s reads account %s, not the deployment's %s: it graphs another account's metrics", what, a, account))
		}
	}
	for _, v := range cfntemplate.List(properties["alarms"]) {
		// A token alone (the GetAtt of an alarm of the templates) is the deployment's.
		arn, _ := v.(string)
		parts := alarmArn.FindStringSubmatch(arn)
		if parts == nil {
			continue
		}
		if foreignRegion(parts[1]) {
			problems = append(problems, fmt.Sprintf("%s shows alarm %s, of region %s, not the deployment's %s: it shows another region's alarm", what, arn, parts[1], region))
		}
		if foreignAccount(parts[2]) {
			problems = append(problems, fmt.Sprintf("%s shows alarm %s, of account %s, not the deployment's %s: it shows another account's alarm", what, arn, parts[2], account))
		}
	}
	return problems
}
