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
			if err := json.Unmarshal([]byte(joinedText(dashboards[id]["DashboardBody"])), &body); err != nil {
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
// there, and the dimension names those metrics take. A line or an alarm on another name, or
// given another dimension, reads a metric no one publishes: it stays empty, and the alarm on it
// never fires.
type AWSNamespace struct {
	Metrics    []string
	Dimensions []string
}

// DocumentedMetrics are the AWS namespaces the templates read (every AWS/ namespace of the
// goldens' alarms and dashboards; TestEveryAWSMetricTheGoldensReadIsDocumented keeps it so):
//   - AWS/Lambda: "Types of metrics for Lambda functions" (AWS Lambda Developer Guide, read
//     2026-12-07: invocation, deployment, performance, concurrency and asynchronous invocation
//     metrics; Errors, not Error); dimensions FunctionName, Resource, ExecutedVersion ("Working
//     with Lambda function metrics", Viewing metrics on the CloudWatch console, read 2026-12-07);
//   - AWS/Events: "Monitoring Amazon EventBridge" (Amazon EventBridge User Guide, read 2026-11-27
//     and 2026-12-07), its metrics table and its dimensions RuleName, EventBusName (a custom
//     bus's) and EventSourceName (partner events');
//   - AWS/SSM-RunCommand: "Monitoring Run Command metrics using Amazon CloudWatch" (AWS Systems
//     Manager User Guide, read 2026-11-27 and 2026-12-07): three metrics, and no dimension in
//     its table (there is no CommandsTimedOut).
var DocumentedMetrics = map[string]AWSNamespace{
	"AWS/Lambda": {Metrics: []string{"Invocations", "Errors", "DeadLetterErrors", "DestinationDeliveryFailures", "Throttles",
		"OversizedRecordCount", "ProvisionedConcurrencyInvocations", "ProvisionedConcurrencySpilloverInvocations",
		"Duration", "PostRuntimeExtensionsDuration", "IteratorAge", "OffsetLag", "ConcurrentExecutions",
		"ProvisionedConcurrentExecutions", "ProvisionedConcurrencyUtilization", "UnreservedConcurrentExecutions",
		"AsyncEventsReceived", "AsyncEventAge", "AsyncEventsDropped"},
		Dimensions: []string{"FunctionName", "Resource", "ExecutedVersion"}},
	"AWS/Events": {Metrics: []string{"Invocations", "FailedInvocations", "TriggeredRules", "MatchedEvents", "ThrottledRules",
		"DeadLetterInvocations", "InvocationAttempts", "SuccessfulInvocationAttempts", "RetryInvocationAttempts",
		"Events", "InvocationsCreated", "InvocationsFailedToBeSentToDlq"},
		Dimensions: []string{"RuleName", "EventBusName", "EventSourceName"}},
	"AWS/SSM-RunCommand": {Metrics: []string{"CommandsDeliveryTimedOut", "CommandsFailed", "CommandsSucceeded"}},
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

// joinedText is a value as text, each intrinsic a placeholder: a string within an Fn::Join, a
// quoted string (JSON) as the whole value.
func joinedText(v any) string {
	if m, _ := v.(map[string]any); m["Fn::Join"] == nil {
		if text, ok := v.(string); ok {
			return text
		}
		return `"PLACEHOLDER"`
	}
	return cfntemplate.Joined(v, func(any) string { return "PLACEHOLDER" })
}
