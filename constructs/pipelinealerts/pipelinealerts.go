// Package pipelinealerts tells people what a pipeline run needs of them: a run that failed (a
// failed step leaves the stacks as they were, and the windows' stop alarms unattached until a run
// protects them) and an approval that waits. CodePipeline's events reach an encrypted topic
// through EventBridge (alerttopic), as the patching stacks' alerts do, with its documented event
// patterns. CodeStar Notifications, the console's way, would need the encrypted topic's key
// policy to admit them, in a form no page read here shows.
package pipelinealerts

import (
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatepatch/privatepatch/constructs/alerttopic"
	"github.com/privatepatch/privatepatch/constructs/spec"
)

// Props configures PipelineAlerts.
type Props struct {
	// PipelineName is the CodePipeline pipeline's name, as its events carry it (detail.pipeline).
	// Required.
	PipelineName string
	// UndeliveredAlarmName names the alarm that EventBridge could not deliver an alert. Required.
	UndeliveredAlarmName string
	// Emails are subscribed to the topic (each confirms by mail). Default: none.
	Emails []string
	// Approvals alerts when a manual approval starts waiting. Default: false.
	Approvals bool
}

// PipelineAlerts is the topic and the rules that publish to it.
type PipelineAlerts interface {
	constructs.Construct
	Topic() awssns.ITopic
	// Rules by what they report: Failed, and Approval with Props.Approvals.
	Rules() map[string]awsevents.Rule
	// Undelivered is the alarm that EventBridge could not deliver an alert to the topic.
	Undelivered() awscloudwatch.Alarm
}

type pipelineAlerts struct {
	constructs.Construct
	topic       alerttopic.Topic
	rules       map[string]awsevents.Rule
	undelivered awscloudwatch.Alarm
}

// pipelineName is CodePipeline's pattern for a pipeline's name: the PipelineName shape of
// botocore 1.43.11's codepipeline 2015-07-09 model (PipelineDeclaration.name), pattern
// [A-Za-z0-9.@\-_]+, min 1, max 100 (read 2026-12-07).
var pipelineName = regexp.MustCompile(`^[A-Za-z0-9.@\-_]{1,100}$`)

// The events, as "Monitoring CodePipeline events" (AWS CodePipeline User Guide, read 2026-12-07)
// shows them: its CLI example matches a pipeline's failed executions with
// {"source": ["aws.codepipeline"], "detail-type": ["CodePipeline Pipeline Execution State
// Change"], "detail": {"pipeline": ["myPipeline"], "state": ["FAILED"]}}; an action's event
// carries "type": {"category": ...} ("Approval" for an approval) and the state STARTED while it
// runs, which for an approval is while it waits.
const (
	source             = "aws.codepipeline"
	executionChange    = "CodePipeline Pipeline Execution State Change"
	actionChange       = "CodePipeline Action Execution State Change"
	executionFailed    = "FAILED"
	actionStarted      = "STARTED"
	approvalCategory   = "Approval"
	undeliveredSummary = "privatepatch: EventBridge could not deliver a pipeline alert to its topic (FailedInvocations): check the topic and key policies"
)

// New creates the topic, its rules and the undelivered alarm. It panics, naming each bad prop,
// before creating anything.
func New(scope constructs.Construct, id string, p *Props) PipelineAlerts {
	if p == nil {
		panic(spec.NilProps(fmt.Sprintf("pipelinealerts.New(%q)", id), "Props"))
	}
	var problems spec.Problems
	if !pipelineName.MatchString(p.PipelineName) {
		problems.Add("PipelineName", p.PipelineName, "is not a pipeline name: 1-100 letters, digits and . @ - _")
	}
	if p.UndeliveredAlarmName == "" {
		problems.Add("UndeliveredAlarmName", "", "is required")
	}
	if err := problems.Err(fmt.Sprintf("pipelinealerts.New(%q)", id), "Props"); err != nil {
		panic(err)
	}
	a := &pipelineAlerts{Construct: constructs.NewConstruct(scope, jsii.String(id)), rules: map[string]awsevents.Rule{}}
	a.topic = alerttopic.New(a.Construct, alerttopic.Props{DisplayName: "privatepatch pipeline",
		KeyDescription: "Encrypts the privatepatch pipeline's alerts topic", Emails: p.Emails})
	a.addRule("Failed", "A pipeline run failed: environments before the failed step, and stacks it had updated, are on the new version (their updated tasks without stop alarms until the next run); the rest stay as they were", executionChange,
		map[string]any{"pipeline": []string{p.PipelineName}, "state": []string{executionFailed}})
	if p.Approvals {
		a.addRule("Approval", "A pipeline run waits for an approval", actionChange,
			map[string]any{"pipeline": []string{p.PipelineName}, "state": []string{actionStarted}, "type": map[string]any{"category": []string{approvalCategory}}})
	}
	a.addUndeliveredAlarm(p.UndeliveredAlarmName)
	return a
}

func (a *pipelineAlerts) addRule(name, description, detailType string, detail map[string]any) {
	rule := awsevents.NewRule(a.Construct, jsii.String(name+"Rule"), &awsevents.RuleProps{
		Description:  jsii.String("privatepatch: " + description),
		EventPattern: &awsevents.EventPattern{Source: jsii.Strings(source), DetailType: jsii.Strings(detailType), Detail: &detail},
	})
	a.topic.Notify(rule)
	a.rules[name] = rule
}

// addUndeliveredAlarm alarms when EventBridge could not deliver a rule's event
// (alerttopic.FailedInvocations). The alarm publishes as CloudWatch, whose path to the topic
// (AllowAlarms) does not depend on EventBridge's.
func (a *pipelineAlerts) addUndeliveredAlarm(name string) {
	var rules []awsevents.IRule
	for _, rule := range a.topic.Notified() {
		rules = append(rules, rule)
	}
	a.topic.AllowAlarms(name)
	a.undelivered = awscloudwatch.NewAlarm(a.Construct, jsii.String("UndeliveredAlarm"), &awscloudwatch.AlarmProps{
		AlarmName:          jsii.String(name),
		AlarmDescription:   jsii.String(undeliveredSummary),
		Metric:             alerttopic.FailedInvocations("pipeline alerts not delivered", rules),
		Threshold:          jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		EvaluationPeriods:  jsii.Number(1),
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
	a.undelivered.AddAlarmAction(awscloudwatchactions.NewSnsAction(a.topic.Topic()))
}

func (a *pipelineAlerts) Topic() awssns.ITopic             { return a.topic.Topic() }
func (a *pipelineAlerts) Rules() map[string]awsevents.Rule { return a.rules }
func (a *pipelineAlerts) Undelivered() awscloudwatch.Alarm { return a.undelivered }
