package compliance

import (
	"fmt"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/privatepatch/privatepatch/constructs/compliance/compliancespec"
	"github.com/privatepatch/privatepatch/constructs/loggroup"
	"github.com/privatepatch/privatepatch/constructs/spec"
)

// FindingFilterProps configures FindingFilter.
type FindingFilterProps struct {
	// Rules deliver the findings (Security.FindingRules): the filter is their target. At least one.
	Rules []awsevents.Rule
	// Topic receives each finding the first time it is seen; Key encrypts the topic. Required.
	Topic awssns.ITopic
	Key   awskms.IKey
	// AlarmName names the alarm on the function's errors, which goes to Topic (the topic's
	// policies admit CloudWatch alarms by name). Required.
	AlarmName string
}

// FindingFilter passes a finding from Rules to Topic the first time its id is seen, and drops its
// updates for compliancespec.FindingMemoryDays (compliancespec.FindingFilterScript). Design: a
// Lambda function with a DynamoDB table, because an event pattern cannot tell a new finding from
// an update (compliancespec's facts). Its failures alarm through ErrorsAlarm, a CloudWatch alarm
// to the topic: the path the other alarms take, apart from EventBridge's and the function's own.
type FindingFilter interface {
	constructs.Construct
	Function() awslambda.Function
	Table() awsdynamodb.Table
	Role() awsiam.Role
	ErrorsAlarm() awscloudwatch.Alarm
}

type findingFilter struct {
	constructs.Construct
	function awslambda.Function
	table    awsdynamodb.Table
	role     awsiam.Role
	alarm    awscloudwatch.Alarm
}

func (f *findingFilter) Function() awslambda.Function     { return f.function }
func (f *findingFilter) Table() awsdynamodb.Table         { return f.table }
func (f *findingFilter) Role() awsiam.Role                { return f.role }
func (f *findingFilter) ErrorsAlarm() awscloudwatch.Alarm { return f.alarm }

// FindingFilterRuntime is the runtime of the finding filter and the Inspector enabler: CDK's for
// compliancespec.FunctionRuntime (test/findingfilter_test.go holds them equal; verify checks the
// template's).
var FindingFilterRuntime = awslambda.Runtime_PYTHON_3_14

// NewFindingFilter creates the table, the function, its role and log group, makes the function
// the target of p.Rules, and alarms on its errors.
func NewFindingFilter(scope constructs.Construct, id string, p *FindingFilterProps) FindingFilter {
	p.validate(id)
	parent := constructs.NewConstruct(scope, jsii.String(id))
	f := &findingFilter{Construct: parent, table: newFindingTable(parent)}
	logs, _ := loggroup.NewEncrypted(parent, "Logs", "Encrypts the log of the function that alerts each security finding once")
	f.role = awsiam.NewRole(parent, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("privatepatch: the finding filter, which alerts each security finding once"),
	})
	f.grant(logs.LogGroupArn(), p)
	f.function = awslambda.NewFunction(parent, jsii.String("Function"), &awslambda.FunctionProps{
		Description: jsii.String("privatepatch: passes a Security Hub or Inspector finding to the alerts topic the first time its id is seen"),
		Runtime:     FindingFilterRuntime(),
		Handler:     jsii.String(compliancespec.FindingFilterHandler),
		Code:        awslambda.Code_FromInline(jsii.String(compliancespec.FindingFilterScript)),
		Role:        f.role,
		Timeout:     awscdk.Duration_Seconds(jsii.Number(compliancespec.FindingFilterTimeoutSeconds)),
		LogGroup:    logs,
		Environment: &map[string]*string{
			compliancespec.FindingTableEnv:  f.table.TableName(),
			compliancespec.FindingTopicEnv:  p.Topic.TopicArn(),
			compliancespec.FindingMemoryEnv: jsii.String(strconv.Itoa(compliancespec.FindingMemoryDays * 24 * 3600)),
			// The hold on a new finding is the timeout: it outlasts the invocation and lapses before
			// Lambda's first retry (compliancespec.CheckFindingHold).
			compliancespec.FindingHoldEnv: jsii.String(strconv.Itoa(compliancespec.FindingFilterTimeoutSeconds)),
		},
	})
	// The policy before the function: a first event must not meet a role without it.
	f.function.Node().AddDependency(f.role)
	for _, rule := range p.Rules {
		// CDK's target adds an AWS::Lambda::Permission for events.amazonaws.com with SourceArn the
		// rule's ARN: EventBridge invokes the function for these rules only.
		rule.AddTarget(awseventstargets.NewLambdaFunction(f.function, &awseventstargets.LambdaFunctionProps{}))
	}
	f.addErrorsAlarm(parent, p)
	f.suppress()
	return f
}

// validate panics, naming the prop, on props the filter cannot work with.
func (p *FindingFilterProps) validate(id string) {
	where := fmt.Sprintf("compliance.NewFindingFilter(%q)", id)
	if p == nil {
		panic(spec.NilProps(where, "FindingFilterProps"))
	}
	switch {
	case len(p.Rules) == 0:
		panic(fmt.Sprintf("%s: FindingFilterProps.Rules is empty: give the finding rules it filters", where))
	case p.Topic == nil || p.Key == nil:
		panic(fmt.Sprintf("%s: FindingFilterProps.Topic and Key are required: the topic new findings go to, and its key", where))
	case p.AlarmName == "":
		panic(fmt.Sprintf("%s: FindingFilterProps.AlarmName is empty: name the alarm on the filter's errors", where))
	}
}

// newFindingTable is the table of the findings already alerted.
func newFindingTable(parent constructs.Construct) awsdynamodb.Table {
	// The table holds only the ids of findings already alerted: losing it alerts each open finding
	// once more, so it is not retained, and PAY_PER_REQUEST costs nothing while no finding comes.
	return awsdynamodb.NewTable(parent, jsii.String("Table"), &awsdynamodb.TableProps{
		PartitionKey:        &awsdynamodb.Attribute{Name: jsii.String(compliancespec.FindingIDAttribute), Type: awsdynamodb.AttributeType_STRING},
		BillingMode:         awsdynamodb.BillingMode_PAY_PER_REQUEST,
		TimeToLiveAttribute: jsii.String(compliancespec.FindingExpiryAttribute),
		// SSESpecification SSEEnabled: the AWS managed key alias/aws/dynamodb ("SSESpecification",
		// Amazon DynamoDB API Reference, read 2026-12-06): AWS Control Tower's CT.DYNAMODB.PR.2.
		Encryption:                       awsdynamodb.TableEncryption_AWS_MANAGED,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: jsii.Bool(true)},
		RemovalPolicy:                    awscdk.RemovalPolicy_DESTROY,
	})
}

// grant gives the role exactly what the script does: write its own log group, put items of the
// table (it never deletes one: a hold lapses), publish to the topic with its key.
func (f *findingFilter) grant(logGroupArn *string, p *FindingFilterProps) {
	for _, s := range []*awsiam.PolicyStatementProps{
		// The function's log streams in its own group ("AWSLambdaBasicExecutionRole": CreateLogStream
		// and PutLogEvents; the group exists).
		{Actions: jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"), Resources: jsii.Strings(*logGroupArn)},
		{Actions: jsii.Strings("dynamodb:PutItem"), Resources: jsii.Strings(*f.table.TableArn())},
		{Actions: jsii.Strings("sns:Publish"), Resources: jsii.Strings(*p.Topic.TopicArn())},
		// "The publisher must have the kms:GenerateDataKey and kms:Decrypt permissions" for an
		// encrypted topic ("Allow a user to send messages to a topic with SSE", Managing Amazon SNS
		// encryption keys and costs, Amazon SNS Developer Guide, read 2026-12-06): those two, not
		// GenerateDataKey*; the key's default policy lets the account's IAM policies grant them.
		{Actions: jsii.Strings("kms:GenerateDataKey", "kms:Decrypt"), Resources: jsii.Strings(*p.Key.KeyArn())},
	} {
		f.role.AddToPolicy(awsiam.NewPolicyStatement(s))
	}
}

// addErrorsAlarm alarms, to the topic, when an invocation fails or an event is dropped unrun:
// Errors, "the number of invocations that result in a function error", includes exceptions the
// code raises; AsyncEventsDropped counts the events Lambda drops without running the function,
// such as those throttled past the event's maximum age, which count in no Errors ("Types of
// metrics for Lambda functions", Invocation metrics and Asynchronous invocation metrics, AWS
// Lambda Developer Guide; "Introducing new asynchronous invocation metrics for AWS Lambda", AWS
// Compute Blog: throttled events retry "for a maximum of 6 hours"; read 2026-12-06). The script raises on every failure but a finding
// already seen, so each failed attempt counts, retries included.
func (f *findingFilter) addErrorsAlarm(parent constructs.Construct, p *FindingFilterProps) {
	sum := &awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"), Period: awscdk.Duration_Minutes(jsii.Number(5))}
	f.alarm = awscloudwatch.NewAlarm(parent, jsii.String("ErrorsAlarm"), &awscloudwatch.AlarmProps{
		AlarmName:        jsii.String(p.AlarmName),
		AlarmDescription: jsii.String("privatepatch: the finding filter failed, or Lambda dropped a finding event unrun: a security finding may not have alerted; see the function's log"),
		Metric: awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression: jsii.String("FILL(errors, 0) + FILL(dropped, 0)"),
			UsingMetrics: &map[string]awscloudwatch.IMetric{
				"errors":  f.function.MetricErrors(sum),
				"dropped": f.function.Metric(jsii.String("AsyncEventsDropped"), sum),
			},
			Label:  jsii.String("failed or dropped"),
			Period: awscdk.Duration_Minutes(jsii.Number(5)),
		}),
		Threshold:          jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		EvaluationPeriods:  jsii.Number(1),
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING, // no invocation, no error
	})
	f.alarm.AddAlarmAction(awscloudwatchactions.NewSnsAction(p.Topic))
}

// suppress gives the cdk-nag reasons of what the filter does not do.
func (f *findingFilter) suppress() {
	cdknag.NagSuppressions_AddResourceSuppressions(f.function, &[]*cdknag.NagPackSuppression{
		{Id: jsii.String("NIST.800.53.R5-LambdaConcurrency"), Reason: jsii.String("Reserved concurrency fails the deploy in an account whose " +
			"concurrency quota is 100 or less, as new accounts' is: \"You can reserve up to the Unreserved account concurrency value that is shown, " +
			"minus 100\" (\"Configuring reserved concurrency for a function\", AWS Lambda Developer Guide); findings come a few at a time")},
		{Id: jsii.String("NIST.800.53.R5-LambdaDLQ"), Reason: jsii.String("A failed invocation raises and counts in Errors, and an event dropped unrun " +
			"in AsyncEventsDropped, whose alarm (ErrorsAlarm) goes to the alerts topic as CloudWatch: a queue of failed events would be one more place nobody reads")},
		{Id: jsii.String("NIST.800.53.R5-LambdaInsideVPC"), Reason: jsii.String("It calls only DynamoDB and SNS and holds no data; the fleet's " +
			"isolated VPC is another stack's, with no endpoints for them")},
	}, jsii.Bool(true))
	cdknag.NagSuppressions_AddResourceSuppressions(f.role, &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM5"),
		Reason:    jsii.String("Lambda writes one log stream per execution environment in the function's own log group, whose ARN ends in :*"),
		AppliesTo: &[]any{map[string]any{"regex": "/^Resource::<FindingFilterLogs.*\\.Arn>$/"}},
	}}, jsii.Bool(true))
	cdknag.NagSuppressions_AddResourceSuppressions(f.table, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("NIST.800.53.R5-DynamoDBInBackupPlan"),
		Reason: jsii.String("The table holds only the ids of findings already alerted, for 30 days: point-in-time recovery covers " +
			"mistakes, and losing it alerts each open finding once more"),
	}}, jsii.Bool(true))
}
