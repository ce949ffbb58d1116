package test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/constructs/compliance"
	"github.com/privatepatch/privatepatch/constructs/compliance/compliancespec"
)

// The finding rules deliver to the finding filter, not to the topic: the filter publishes each
// finding once (docs/compliance-checks.md, Finding alerts). The topic policy no longer admits the
// finding rules, and EventBridge may invoke the function for those two rules only.
func TestFindingRulesDeliverToTheFindingFilterNotTheTopic(t *testing.T) {
	s := defaultScenario.synth(t)
	topicID, _ := oneOf(t, s.patchJSON, "AWS::SNS::Topic", "Alerts")
	functionID, _ := oneOf(t, s.patchJSON, "AWS::Lambda::Function", "FindingFilterFunction")
	var ruleIDs []string
	for id, r := range s.patchResources("AWS::Events::Rule") {
		if !strings.HasPrefix(id, "SecuritySecurityHubFindingsRule") && !strings.HasPrefix(id, "SecurityInspectorFindingsRule") {
			continue
		}
		ruleIDs = append(ruleIDs, id)
		targets := props(r)["Targets"].([]any)
		require.Len(t, targets, 1, id)
		assert.Equal(t, map[string]any{"Fn::GetAtt": []any{functionID, "Arn"}}, targets[0].(map[string]any)["Arn"], id)
		assert.NotContains(t, fmt.Sprint(targets), topicID, id)
	}
	require.Len(t, ruleIDs, 2)
	_, policy := oneOf(t, s.patchJSON, "AWS::SNS::TopicPolicy", "Alerts")
	events := statementBySid(t, props(policy)["PolicyDocument"], "EventBridgeRulesPublish")
	for _, id := range ruleIDs {
		assert.NotContains(t, fmt.Sprint(events), id, "the topic no longer admits the finding rules")
	}
	var sources []string
	for _, p := range s.patchResources("AWS::Lambda::Permission") {
		assert.Equal(t, "events.amazonaws.com", props(p)["Principal"])
		assert.Equal(t, "lambda:InvokeFunction", props(p)["Action"])
		assert.Equal(t, map[string]any{"Fn::GetAtt": []any{functionID, "Arn"}}, props(p)["FunctionName"])
		source := props(p)["SourceArn"].(map[string]any)["Fn::GetAtt"].([]any)
		assert.Equal(t, "Arn", source[1])
		sources = append(sources, source[0].(string))
	}
	assert.ElementsMatch(t, ruleIDs, sources, "one permission per finding rule, by its ARN")
}

func TestFindingFilterRunsItsTestedScriptWithItsOwnLeastPrivilegeRole(t *testing.T) {
	s := defaultScenario.synth(t)
	_, function := oneOf(t, s.patchJSON, "AWS::Lambda::Function", "FindingFilterFunction")
	p := props(function)
	assert.Equal(t, "python3.14", p["Runtime"], "the newest Python runtime of \"Lambda runtimes\" the pinned CDK offers")
	assert.Equal(t, *compliance.FindingFilterRuntime().Name(), p["Runtime"])
	assert.Equal(t, compliancespec.FunctionRuntime, p["Runtime"], "the runtime the spec writes the script for")
	assert.Equal(t, compliancespec.FindingFilterHandler, p["Handler"])
	assert.Equal(t, compliancespec.FindingFilterScript, p["Code"].(map[string]any)["ZipFile"], "the script the compliancespec tests run")
	tableID, table := oneOf(t, s.patchJSON, "AWS::DynamoDB::Table", "FindingFilterTable")
	topicID, _ := oneOf(t, s.patchJSON, "AWS::SNS::Topic", "Alerts")
	assert.Equal(t, map[string]any{
		compliancespec.FindingTableEnv:  map[string]any{"Ref": tableID},
		compliancespec.FindingTopicEnv:  map[string]any{"Ref": topicID},
		compliancespec.FindingMemoryEnv: "2592000", // 30 days
		compliancespec.FindingHoldEnv:   "30",      // the timeout
	}, p["Environment"].(map[string]any)["Variables"])
	assert.Equal(t, float64(compliancespec.FindingFilterTimeoutSeconds), p["Timeout"])
	require.NoError(t, compliancespec.CheckFindingHold(compliancespec.FindingFilterTimeoutSeconds, int(p["Timeout"].(float64))),
		"the hold outlasts an invocation and lapses before Lambda's first retry")
	groupID, group := oneOf(t, s.patchJSON, "AWS::Logs::LogGroup", "FindingFilterLogs")
	assert.Equal(t, map[string]any{"LogGroup": map[string]any{"Ref": groupID}}, p["LoggingConfig"])
	assert.Equal(t, float64(365), props(group)["RetentionInDays"])
	assert.Contains(t, fmt.Sprint(props(group)["KmsKeyId"]), "FindingFilterLogsKey", "encrypted with its own key, as the other log groups")

	tp := props(table)
	assert.Equal(t, []any{map[string]any{"AttributeName": "id", "KeyType": "HASH"}}, tp["KeySchema"])
	assert.Equal(t, []any{map[string]any{"AttributeName": "id", "AttributeType": "S"}}, tp["AttributeDefinitions"])
	assert.Equal(t, "PAY_PER_REQUEST", tp["BillingMode"])
	assert.Equal(t, map[string]any{"SSEEnabled": true}, tp["SSESpecification"], "the AWS managed key (CT.DYNAMODB.PR.2)")
	assert.Equal(t, map[string]any{"PointInTimeRecoveryEnabled": true}, tp["PointInTimeRecoverySpecification"])
	assert.Equal(t, map[string]any{"AttributeName": compliancespec.FindingExpiryAttribute, "Enabled": true}, tp["TimeToLiveSpecification"])

	roleID, role := oneOf(t, s.patchJSON, "AWS::IAM::Role", "FindingFilterRole")
	assert.Nil(t, props(role)["ManagedPolicyArns"], "no AWS managed policy")
	assert.Contains(t, fmt.Sprint(props(role)["AssumeRolePolicyDocument"]), "lambda.amazonaws.com")
	keyID, _ := oneOf(t, s.patchJSON, "AWS::KMS::Key", "AlertsKey")
	var statements []string
	for _, pol := range s.patchResources("AWS::IAM::Policy") {
		if fmt.Sprint(props(pol)["Roles"]) != fmt.Sprint([]any{map[string]any{"Ref": roleID}}) {
			continue
		}
		for _, st := range props(pol)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			statements = append(statements, fmt.Sprint(st.(map[string]any)["Action"], " ", st.(map[string]any)["Resource"]))
		}
	}
	assert.ElementsMatch(t, []string{
		fmt.Sprintf("[logs:CreateLogStream logs:PutLogEvents] map[Fn::GetAtt:[%s Arn]]", groupID),
		fmt.Sprintf("dynamodb:PutItem map[Fn::GetAtt:[%s Arn]]", tableID), // no DeleteItem: a hold lapses
		fmt.Sprintf("sns:Publish map[Ref:%s]", topicID),
		fmt.Sprintf("[kms:Decrypt kms:GenerateDataKey] map[Fn::GetAtt:[%s Arn]]", keyID),
	}, statements)
}

// The filter's errors alarm to the topic as CloudWatch, the alarms' path (AllowAlarms names it in
// the topic and key policies), apart from EventBridge's and the function's own.
func TestFindingFilterErrorsAlarmThroughTheAlarmsPath(t *testing.T) {
	s := defaultScenario.synth(t)
	functionID, _ := oneOf(t, s.patchJSON, "AWS::Lambda::Function", "FindingFilterFunction")
	topicID, _ := oneOf(t, s.patchJSON, "AWS::SNS::Topic", "Alerts")
	_, alarm := oneOf(t, s.patchJSON, "AWS::CloudWatch::Alarm", "FindingFilterErrorsAlarm")
	a := props(alarm)
	assert.Equal(t, []any{map[string]any{"Ref": topicID}}, a["AlarmActions"])
	// Failed invocations and events Lambda dropped unrun (throttled past the event's maximum age),
	// which count in no Errors: each alone raises the alarm.
	metrics := map[string]any{}
	var expression string
	for _, m := range a["Metrics"].([]any) {
		query := m.(map[string]any)
		if e, ok := query["Expression"].(string); ok {
			expression = e
			continue
		}
		stat := query["MetricStat"].(map[string]any)
		metric := stat["Metric"].(map[string]any)
		assert.Equal(t, []any{"AWS/Lambda", "Sum", float64(300)}, []any{metric["Namespace"], stat["Stat"], stat["Period"]})
		assert.Equal(t, []any{map[string]any{"Name": "FunctionName", "Value": map[string]any{"Ref": functionID}}}, metric["Dimensions"])
		metrics[metric["MetricName"].(string)] = query["Id"]
	}
	require.Contains(t, metrics, "Errors")
	require.Contains(t, metrics, "AsyncEventsDropped")
	assert.Equal(t, fmt.Sprintf("FILL(%s, 0) + FILL(%s, 0)", metrics["Errors"], metrics["AsyncEventsDropped"]), expression)
	assert.Equal(t, []any{float64(1), "GreaterThanOrEqualToThreshold", "notBreaching"}, []any{a["Threshold"], a["ComparisonOperator"], a["TreatMissingData"]})
	name := a["AlarmName"].(string)
	assert.Equal(t, "privatepatch-patching-finding-filter-errors", name)
	_, policy := oneOf(t, s.patchJSON, "AWS::SNS::TopicPolicy", "Alerts")
	assert.Contains(t, fmt.Sprint(statementBySid(t, props(policy)["PolicyDocument"], "CloudWatchAlarmsPublish")), ":alarm:"+name)
	_, key := oneOf(t, s.patchJSON, "AWS::KMS::Key", "AlertsKey")
	assert.Contains(t, fmt.Sprint(statementBySid(t, props(key)["KeyPolicy"], "CloudWatchAlarmsUseKey")), ":alarm:"+name)
}

func TestFindingFilterRefusesPropsWithoutWhatItNeeds(t *testing.T) {
	for _, c := range []struct {
		props *compliance.FindingFilterProps
		want  string
	}{
		{nil, "FindingFilterProps"},
		{&compliance.FindingFilterProps{AlarmName: "a"}, "FindingFilterProps.Rules is empty"},
	} {
		got := panicOf(func() { compliance.NewFindingFilter(nil, "FindingFilter", c.props) })
		assert.Contains(t, fmt.Sprint(got), c.want)
	}
}
