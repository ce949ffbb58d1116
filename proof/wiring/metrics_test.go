package wiring

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goldenMetrics are the metrics every golden's alarms and dashboards read.
func goldenMetrics(t *testing.T) []metricRef {
	paths, err := filepath.Glob("../../test/testdata/*.template.json")
	require.NoError(t, err)
	var refs []metricRef
	for _, path := range paths {
		resources := cfntemplate.Resources(read(t, path))
		for _, a := range cfntemplate.OfType(resources, "AWS::CloudWatch::Alarm") {
			refs = append(refs, alarmMetrics(a)...)
		}
		for _, d := range cfntemplate.OfType(resources, "AWS::CloudWatch::Dashboard") {
			refs = append(refs, dashboardMetrics(d)...)
		}
	}
	return refs
}

// The table of AWS metrics is the goldens' AWS namespaces, no fewer and no more (read from the
// goldens, not listed here), and every golden's alarms and dashboards read only what it documents.
func TestEveryAWSMetricTheGoldensReadIsDocumented(t *testing.T) {
	namespaces := map[string]bool{}
	for _, ref := range goldenMetrics(t) {
		if strings.HasPrefix(ref.namespace, "AWS/") {
			namespaces[ref.namespace] = true
		}
	}
	assert.Equal(t, slices.Sorted(maps.Keys(DocumentedMetrics)), slices.Sorted(maps.Keys(namespaces)))
	paths, err := filepath.Glob("../../test/testdata/*.template.json")
	require.NoError(t, err)
	for _, path := range paths {
		assert.Empty(t, AWSMetrics(read(t, path)), path)
	}
	for _, scenario := range goldenScenarios {
		stacks := goldenStacks(t, scenario, "patching", "fleet")
		if len(stacks) == 2 {
			assert.Empty(t, DashboardsPublished(stacks[0], stacks[1]), scenario)
		}
	}
}

// Mutation run 21's B15 (Lambda's Errors misspelt Error in the finding filter's alarm), a
// dimension set Lambda does not publish Errors with, run 7's p06 (a dashboard line on Run
// Command's CommandFailed) and run 14's A12 (an EventBridge metric in AWS/EventBridge) are each
// named; a name or namespace the table lacks is named as the table's gap, not as AWS's.
func TestAnAWSMetricNameOrDimensionAWSDoesNotDocumentIsNamed(t *testing.T) {
	patching := read(t, "../../test/testdata/example.patching.template.json")
	require.Empty(t, AWSMetrics(patching))
	var errors map[string]any
	for _, m := range props(patching, "FindingFilterErrorsAlarm5C2C5DF9")["Metrics"].([]any) {
		if m.(map[string]any)["Id"] == "errors" {
			errors = m.(map[string]any)["MetricStat"].(map[string]any)["Metric"].(map[string]any)
		}
	}
	errors["MetricName"] = "Error"
	assert.Equal(t, []string{"alarm FindingFilterErrorsAlarm5C2C5DF9: reads AWS/Lambda Error, not in wiring.DocumentedMetrics: add it from its page, with the date read " +
		"(a name AWS does not publish never has data)"}, AWSMetrics(patching))
	errors["MetricName"] = "Errors"
	errors["Dimensions"].([]any)[0].(map[string]any)["Name"] = "Function"
	assert.Equal(t, []string{"alarm FindingFilterErrorsAlarm5C2C5DF9: gives AWS/Lambda Errors the dimensions [Function], a set AWS does not publish it with " +
		"([] [FunctionName] [FunctionName,Resource] [ExecutedVersion,FunctionName,Resource]): it never has data"}, AWSMetrics(patching))

	patching = read(t, "../../test/testdata/example.patching.template.json")
	plantInDashboard(patching, `"CommandsFailed"`, `"CommandFailed"`)
	assert.Equal(t, []string{"dashboard MonitoringDashboard0C3675C6: reads AWS/SSM-RunCommand CommandFailed, not in wiring.DocumentedMetrics: add it from its page, with the date read " +
		"(a name AWS does not publish never has data)"}, AWSMetrics(patching))
	patching = read(t, "../../test/testdata/example.patching.template.json")
	props(patching, "MonitoringAlertsUndeliveredAlarmBAAFAA42")["Metrics"].([]any)[1].(map[string]any)["MetricStat"].(map[string]any)["Metric"].(map[string]any)["Namespace"] = "AWS/EventBridge"
	assert.Equal(t, []string{"alarm MonitoringAlertsUndeliveredAlarmBAAFAA42: reads AWS/EventBridge FailedInvocations, in namespace AWS/EventBridge, not in wiring.DocumentedMetrics: " +
		"add it from its page, with the date read (a name AWS does not publish never has data)"}, AWSMetrics(patching))

	// A dashboard line's "." repeats the line above's value; a query's SCHEMA keys and a SEARCH's
	// schema are its dimensions.
	dashboard := map[string]any{"DashboardBody": `{"widgets":[{"properties":{"metrics":[["AWS/Lambda","Errors","FunctionName","f"],[".","Throttles",".","g"],` +
		`[{"expression":"SELECT SUM(Errors) FROM SCHEMA(\"AWS/Lambda\", Function)"}]]}}]}`}
	assert.Equal(t, []metricRef{{"AWS/Lambda", "Errors", []string{"FunctionName"}, true, map[string]string{"FunctionName": "f"}},
		{"AWS/Lambda", "Throttles", []string{"FunctionName"}, true, map[string]string{"FunctionName": "g"}},
		{"AWS/Lambda", "Errors", []string{"Function"}, true, nil}}, dashboardMetrics(dashboard))
}

// Review 11a and 11d: dimensions are judged per metric, as a set, in alarms and in SEARCH
// schemas. EventBridge's Events takes EventSourceName, not RuleName; Lambda's
// UnreservedConcurrentExecutions is the region's, with no dimension; and their neighbours pass:
// TriggeredRules on a custom bus (EventBusName and RuleName), Lambda's Errors across all
// functions, ClaimedAccountConcurrency (review 11b: once missing from the table).
func TestAnAWSMetricsDimensionsAreJudgedAsASetPerMetric(t *testing.T) {
	judge := func(namespace, name string, dimensions ...string) []string {
		return awsMetricProblems("alarm A", metricRef{namespace, name, dimensions, true, nil})
	}
	assert.Equal(t, []string{"alarm A: gives AWS/Events Events the dimensions [RuleName], a set AWS does not publish it with ([EventSourceName]): it never has data"},
		judge("AWS/Events", "Events", "RuleName"))
	assert.Equal(t, []string{"alarm A: gives AWS/Lambda UnreservedConcurrentExecutions the dimensions [FunctionName], a set AWS does not publish it with ([]): it never has data"},
		judge("AWS/Lambda", "UnreservedConcurrentExecutions", "FunctionName"))
	assert.NotEmpty(t, judge("AWS/Events", "InvocationsCreated", "RuleName"), "InvocationsCreated takes none")
	assert.NotEmpty(t, judge("AWS/Lambda", "Errors", "Resource"), "Resource goes with FunctionName")
	assert.Empty(t, judge("AWS/Events", "TriggeredRules", "RuleName", "EventBusName"))
	assert.Empty(t, judge("AWS/Events", "FailedInvocations", "RuleName"))
	assert.Empty(t, judge("AWS/Lambda", "Errors"))
	assert.Empty(t, judge("AWS/Lambda", "Errors", "Resource", "FunctionName"))
	assert.Empty(t, judge("AWS/Lambda", "ClaimedAccountConcurrency"))
	assert.Empty(t, judge("AWS/Events", "PutEventsLatency"))
	assert.Empty(t, judge("AWS/Lambda", "PolledEventCount", "EventSourceMappingUUID"), "a metric whose page gives no dimensions is not judged")
	assert.Equal(t, []string{"alarm A: reads AWS/SNS NumberOfMessagesPublished, in namespace AWS/SNS, not in wiring.DocumentedMetrics: add it from its page, " +
		"with the date read (a name AWS does not publish never has data)"}, judge("AWS/SNS", "NumberOfMessagesPublished", "TopicName"))

	search := func(schema string) []string {
		var problems []string
		for _, ref := range expressionMetrics(`SEARCH('` + schema + ` MetricName="Errors"', 'Sum', 300)`) {
			problems = append(problems, awsMetricProblems("alarm A", ref)...)
		}
		return problems
	}
	assert.Equal(t, []string{"alarm A: gives AWS/Lambda Errors the dimensions [Function], a set AWS does not publish it with " +
		"([] [FunctionName] [FunctionName,Resource] [ExecutedVersion,FunctionName,Resource]): it never has data"}, search(`{AWS/Lambda,Function}`))
	assert.Empty(t, search(`{AWS/Lambda,FunctionName}`))
	assert.Empty(t, search(`{"AWS/Lambda","FunctionName","Resource"}`))
}

// plantInDashboard replaces old with new in every text part of the example's dashboard body.
func plantInDashboard(patching map[string]any, old, new string) {
	parts := props(patching, "MonitoringDashboard0C3675C6")["DashboardBody"].(map[string]any)["Fn::Join"].([]any)[1].([]any)
	for i, part := range parts {
		if text, ok := part.(string); ok {
			parts[i] = strings.ReplaceAll(text, old, new)
		}
	}
}

// Mutation run 21's B16 (the dashboard's WSUS widgets on privatepatch/WSUS, not the namespace the
// health and cleanup scripts publish to), a widget's metric name misspelt, a metric named only
// within a longer one (Healthy, of CleanupHealthy: review 11c), and a namespace the publishing
// association's instances' role may not publish to, even where another role may, are each named.
func TestADashboardGraphsOnlyWhatTheStacksPublish(t *testing.T) {
	patching, fleet := read(t, "../../test/testdata/example.patching.template.json"), read(t, "../../test/testdata/example.fleet.template.json")
	require.Empty(t, DashboardsPublished(patching, fleet))
	plantInDashboard(patching, `\"privatepatch/WSUS/privatepatch\"`, `\"privatepatch/WSUS\"`)
	problems := DashboardsPublished(patching, fleet)
	assert.Len(t, problems, 3, "the update store, last sync and hours since sync widgets")
	assert.Contains(t, problems, `dashboard MonitoringDashboard0C3675C6: graphs UpdateStoreFreePercent in namespace "privatepatch/WSUS", `+
		`which no association's script publishes to ([privatepatch/WSUS/privatepatch]): its line stays empty`)

	patching = read(t, "../../test/testdata/example.patching.template.json")
	plantInDashboard(patching, "SELECT MIN(UpdateStoreFreePercent)", "SELECT MIN(UpdateStoreFreePct)")
	assert.Equal(t, []string{`dashboard MonitoringDashboard0C3675C6: graphs metric UpdateStoreFreePct, which the script of no association publishing to ` +
		`"privatepatch/WSUS/privatepatch" names: its line stays empty`}, DashboardsPublished(patching, fleet))
	patching = read(t, "../../test/testdata/example.patching.template.json")
	plantInDashboard(patching, "SELECT MIN(UpdateStoreFreePercent)", "SELECT MIN(Healthy)")
	assert.Equal(t, []string{`dashboard MonitoringDashboard0C3675C6: graphs metric Healthy, which the script of no association publishing to ` +
		`"privatepatch/WSUS/privatepatch" names: its line stays empty`}, DashboardsPublished(patching, fleet), "Healthy is a word of the cleanup script, not a metric it publishes")
	patching = read(t, "../../test/testdata/example.patching.template.json")
	plantInDashboard(patching, "SELECT MIN(UpdateStoreFreePercent)", "SELECT MIN(CleanupHealthy)")
	assert.Empty(t, DashboardsPublished(patching, fleet), "the cleanup association publishes CleanupHealthy to the same namespace")

	// The WSUS role may no longer publish there; the fleet role (of instances no publishing
	// association targets) may publish anywhere.
	patching = read(t, "../../test/testdata/example.patching.template.json")
	for _, s := range props(fleet, "WsusRoleDefaultPolicyEFC92C90")["PolicyDocument"].(map[string]any)["Statement"].([]any) {
		if s.(map[string]any)["Action"] == "cloudwatch:PutMetricData" {
			s.(map[string]any)["Condition"] = map[string]any{"StringEquals": map[string]any{"cloudwatch:namespace": "privatepatch/WSUS/other"}}
		}
	}
	fleet["Resources"].(map[string]any)["FleetMetrics"] = map[string]any{"Type": "AWS::IAM::Policy", "Properties": map[string]any{
		"Roles":          []any{map[string]any{"Ref": "FleetRole427BC000"}},
		"PolicyDocument": map[string]any{"Statement": []any{map[string]any{"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*"}}}}}
	assert.Contains(t, joined(DashboardsPublished(patching, fleet)),
		`dashboard MonitoringDashboard0C3675C6: graphs namespace "privatepatch/WSUS/privatepatch", which the role of no publishing association's target instances may publish to`)
	props(fleet, "WsusInstanceInstanceProfile04FFF57D")["Roles"] = []any{map[string]any{"Ref": "FleetRole427BC000"}}
	assert.Empty(t, DashboardsPublished(patching, fleet), "the WSUS instance's profile now has the role that may publish anywhere")

	// A SEARCH expression names its namespace, dimensions and metric too.
	assert.Equal(t, []metricRef{{"privatepatch/WSUS", "LastSyncSucceeded", []string{"InstanceId"}, true, nil}},
		expressionMetrics(`SEARCH('{privatepatch/WSUS,InstanceId} MetricName="LastSyncSucceeded"', 'Minimum', 300)`))
}

// Mutation run 22's B18: the first widget's region us-east-1, not the deployment's; a metric
// line's region and an accountId of another account are named too, and the deployment's literal
// region and account pass.
func TestADashboardReadsTheDeploymentsRegionAndAccount(t *testing.T) {
	patching := read(t, "../../test/testdata/example.patching.template.json")
	require.Empty(t, DashboardRegions("us-west-2", "111111111111", patching))
	parts := props(patching, "MonitoringDashboard0C3675C6")["DashboardBody"].(map[string]any)["Fn::Join"].([]any)[1].([]any)
	parts[1] = "us-east-1"
	assert.Equal(t, []string{"dashboard MonitoringDashboard0C3675C6: widget 0 (Run Command (patching, scans, setup, checks)) reads region us-east-1, " +
		"not the deployment's us-west-2: it graphs another region's metrics"}, DashboardRegions("us-west-2", "111111111111", patching))
	parts[1] = "us-west-2"
	assert.Empty(t, DashboardRegions("us-west-2", "111111111111", patching))

	plantInDashboard(patching, `{"label":"failed",`, `{"label":"failed","region":"eu-west-1","accountId":"222222222222",`)
	assert.Equal(t, []string{
		"dashboard MonitoringDashboard0C3675C6: widget 0 (Run Command (patching, scans, setup, checks)) reads region eu-west-1, not the deployment's us-west-2: it graphs another region's metrics",
		"dashboard MonitoringDashboard0C3675C6: widget 0 (Run Command (patching, scans, setup, checks)) reads account 222222222222, not the deployment's 111111111111: it graphs another account's metrics",
	}, DashboardRegions("us-west-2", "111111111111", patching))
	plantInDashboard(patching, `"eu-west-1","accountId":"222222222222"`, `"us-west-2","accountId":"111111111111"`)
	assert.Empty(t, DashboardRegions("us-west-2", "111111111111", patching))
	for _, scenario := range goldenScenarios {
		assert.Empty(t, DashboardRegions("us-west-2", "111111111111", goldenStacks(t, scenario, "patching", "fleet")...), scenario)
	}
}

// The second review's 15b: an alarm widget's alarm of another region or account is named; a
// DashboardBody written as Fn::Sub is judged like a joined one (its region, its alarms, its JSON),
// and a body no check can render is noted, not skipped in silence.
func TestAnAlarmWidgetAndASubBodyReadTheDeploymentsRegionAndAccount(t *testing.T) {
	patching := read(t, "../../test/testdata/example.patching.template.json")
	require.Empty(t, DashboardRegions("us-west-2", "111111111111", patching))
	require.Empty(t, UnjudgedBodies(patching))
	const alarms = `"alarms":["`
	plantInDashboard(patching, alarms, alarms+`arn:aws:cloudwatch:us-east-1:222222222222:alarm:elsewhere","`)
	const widget = "dashboard MonitoringDashboard0C3675C6: widget 5 (Alarms) shows alarm arn:aws:cloudwatch:us-east-1:222222222222:alarm:elsewhere, "
	assert.Equal(t, []string{widget + "of region us-east-1, not the deployment's us-west-2: it shows another region's alarm",
		widget + "of account 222222222222, not the deployment's 111111111111: it shows another account's alarm"}, DashboardRegions("us-west-2", "111111111111", patching))
	plantInDashboard(patching, "arn:aws:cloudwatch:us-east-1:222222222222:alarm:elsewhere", "arn:aws:cloudwatch:us-west-2:111111111111:alarm:here")
	assert.Empty(t, DashboardRegions("us-west-2", "111111111111", patching))

	dashboard := props(patching, "MonitoringDashboard0C3675C6")
	dashboard["DashboardBody"] = map[string]any{"Fn::Sub": `{"widgets":[{"type":"metric","properties":{"title":"runs","region":"${AWS::Region}",` +
		`"metrics":[["AWS/SSM-RunCommand","CommandsFailed",{"region":"us-east-1"}]]}},` +
		`{"type":"alarm","properties":{"title":"alarms","alarms":["arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:${Alarm}","arn:aws:cloudwatch:eu-west-1:${AWS::AccountId}:alarm:x"]}}]}`}
	assert.Equal(t, []string{"dashboard MonitoringDashboard0C3675C6: widget 0 (runs) reads region us-east-1, not the deployment's us-west-2: it graphs another region's metrics",
		"dashboard MonitoringDashboard0C3675C6: widget 1 (alarms) shows alarm arn:aws:cloudwatch:eu-west-1:${AWS::AccountId}:alarm:x, of region eu-west-1, not the deployment's us-west-2: it shows another region's alarm"},
		DashboardRegions("us-west-2", "111111111111", patching))
	assert.Empty(t, UnjudgedBodies(patching))
	dashboard["DashboardBody"] = map[string]any{"Fn::Sub": `{"widgets":[`}
	assert.Equal(t, []string{"dashboard MonitoringDashboard0C3675C6: its body is not JSON: unexpected end of JSON input"}, Bodies(patching))

	dashboard["DashboardBody"] = map[string]any{"Fn::If": []any{"Big", "{}", "{}"}}
	assert.Equal(t, []string{`dashboard MonitoringDashboard0C3675C6: its body {"Fn::If":["Big","{}","{}"]} is given by an intrinsic verify does not render: ` +
		"its metrics, regions, accounts and alarms are not judged"}, UnjudgedBodies(patching))
	assert.Empty(t, Bodies(patching), "noted, not a problem")
}

// The second review's 15a: a rule's metric names the bus the rule is on. An alarm on a rule moved
// to a custom bus reads it by RuleName alone (the default bus's metric), and a default-bus rule's
// alarm and dashboard line with EventBusName (a custom bus's); each is named, and the custom
// bus's pair, and another template's rule, pass.
func TestARulesMetricNamesTheBusItIsOn(t *testing.T) {
	patching := read(t, "../../test/testdata/example.patching.template.json")
	require.Empty(t, AWSMetrics(patching))
	const rule = "AlertsComplianceRuleA87A8F82"
	props(patching, rule)["EventBusName"] = "privatepatch-alerts"
	problems := AWSMetrics(patching)
	assert.Contains(t, problems, "alarm MonitoringAlertsUndeliveredAlarmBAAFAA42: reads AWS/Events FailedInvocations of rule "+rule+
		" by RuleName alone, and the rule is on event bus privatepatch-alerts: a metric with only RuleName is the default bus's rule's, and never has data")
	assert.Contains(t, problems, "dashboard MonitoringDashboard0C3675C6: reads AWS/Events TriggeredRules of rule "+rule+
		" by RuleName alone, and the rule is on event bus privatepatch-alerts: a metric with only RuleName is the default bus's rule's, and never has data")
	for _, bus := range []string{"default", "arn:aws:events:us-west-2:111111111111:event-bus/default"} {
		props(patching, rule)["EventBusName"] = bus
		assert.Empty(t, AWSMetrics(patching), bus)
	}

	plantInDashboard(patching, `"RuleName","`, `"EventBusName","privatepatch-alerts","RuleName","`)
	for _, m := range props(patching, "MonitoringAlertsUndeliveredAlarmBAAFAA42")["Metrics"].([]any) {
		stat, _ := m.(map[string]any)["MetricStat"].(map[string]any)
		if metric, _ := stat["Metric"].(map[string]any); metric != nil {
			metric["Dimensions"] = append(metric["Dimensions"].([]any), map[string]any{"Name": "EventBusName", "Value": "privatepatch-alerts"})
		}
	}
	delete(props(patching, rule), "EventBusName")
	problems = AWSMetrics(patching)
	assert.Contains(t, problems, "alarm MonitoringAlertsUndeliveredAlarmBAAFAA42: reads AWS/Events FailedInvocations of rule "+rule+
		" with EventBusName privatepatch-alerts, and the rule is on the default bus: a metric with EventBusName is a custom bus's rule's, and never has data")
	assert.Contains(t, problems, "dashboard MonitoringDashboard0C3675C6: reads AWS/Events TriggeredRules of rule "+rule+
		" with EventBusName privatepatch-alerts, and the rule is on the default bus: a metric with EventBusName is a custom bus's rule's, and never has data")
	props(patching, rule)["EventBusName"] = map[string]any{"Ref": "AlertsBus"}
	assert.NotContains(t, joined(AWSMetrics(patching)), "of rule "+rule+" ", "on a custom bus, read with it")
	delete(props(patching, rule), "EventBusName")
	delete(patching["Resources"].(map[string]any), rule)
	assert.NotContains(t, joined(AWSMetrics(patching)), "of rule "+rule+" ", "a rule the template does not hold is not judged")
}
