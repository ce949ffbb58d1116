// Package alerttopic is an encrypted SNS topic that this account's EventBridge rules and
// CloudWatch alarms publish to without a role: its topic and key policies admit them, and
// nothing else may publish but this account's principals its policies allow.
package alerttopic

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawsevents"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatepatch/privatepatch/constructs/kmskey"
	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/constructs/stackenv"
)

// Props configures a Topic.
type Props struct {
	// DisplayName is the topic's display name, the sender of its e-mails. Required.
	DisplayName string
	// KeyDescription describes the topic's key. Required.
	KeyDescription string
	// Emails are subscribed to the topic (each confirms by mail). Default: none.
	Emails []string
}

// Topic is the encrypted topic, its key, and the rules and alarms that publish to it.
type Topic interface {
	Topic() awssns.ITopic
	Key() awskms.IKey
	// Notify sends what rule matches to the topic: the topic policy admits EventBridge for the
	// rules notified, by their ARNs.
	Notify(rule awsevents.Rule)
	// Unnotify takes rule, a rule passed to Notify, out of the topic policy again (its target is
	// the caller's to remove, with the rule).
	Unnotify(rule awsevents.Rule)
	// Notified are the rules passed to Notify and not to Unnotify, in that order.
	Notified() []awsevents.Rule
	// AllowAlarms lets CloudWatch publish the alarms of this account and region with these names
	// to the topic.
	AllowAlarms(names ...string)
}

type topic struct {
	scope constructs.Construct
	topic awssns.Topic
	key   awskms.Key
	// eventsPublish is the topic policy's statement for EventBridge; Notify adds each rule's ARN.
	eventsPublish awsiam.PolicyStatement
	notified      []awsevents.Rule
	notifiedArns  []*string // each notified rule's ARN, read once: a read is a call into Node
}

// New creates the key and the topic as the children Key and Topic of scope: their ids are a
// contract (a topic's subscriptions and a key's data live with their logical ids), so a construct
// that had its own topic and key under these ids keeps them. It panics, naming the props, when a
// required one is missing.
func New(scope constructs.Construct, p Props) Topic {
	var problems spec.Problems
	if p.DisplayName == "" {
		problems.Add("DisplayName", "", "is required")
	}
	if p.KeyDescription == "" {
		problems.Add("KeyDescription", "", "is required")
	}
	if err := problems.Err("alerttopic.New", "Props"); err != nil {
		panic(err)
	}
	t := &topic{scope: scope}
	t.key = kmskey.NewKey(scope, "Key", p.KeyDescription)
	t.topic = awssns.NewTopic(scope, jsii.String("Topic"), &awssns.TopicProps{
		DisplayName: jsii.String(p.DisplayName),
		MasterKey:   t.key,
		EnforceSSL:  jsii.Bool(true),
	})
	for _, email := range p.Emails {
		t.topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(email), nil))
	}
	t.allowEventBridge()
	return t
}

// allowEventBridge lets EventBridge deliver the notified rules' events to the encrypted topic
// through the topic and key policies, without a role. "Using resource-based policies for Amazon
// EventBridge" (EventBridge User Guide, read 2026-12-06): for SNS targets "do not specify a RoleArn
// in the target configuration ... event delivery may fail, particularly for Amazon SQS and Amazon
// SNS targets with AWS KMS encryption enabled"; a copy of that page in another language says a
// role may be used, and the English one, with the topic-policy example, is the form taken.
//   - Topic policy: events.amazonaws.com may publish for these rules only (aws:SourceArn, the
//     rule's ARN, and aws:SourceAccount: the condition keys EventBridge sets, "Using IAM policy
//     conditions in Amazon EventBridge").
//   - Key policy: events.amazonaws.com may use the key, as the statement for event sources in
//     "Enable compatibility between event sources from AWS services and encrypted topics"
//     (Managing Amazon SNS encryption keys and costs, read 2026-12-06) shows it: without a
//     condition. That page says adding aws:SourceAccount, aws:SourceArn and aws:SourceOrgID "to a
//     AWS KMS policy is not supported for EventBridge-to-encrypted topics". The topic policy is
//     what confines EventBridge to these rules.
func (t *topic) allowEventBridge() {
	_, env := stackenv.Of(t.scope)
	events := []awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil)}
	t.eventsPublish = awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("EventBridgeRulesPublish"), Principals: &events, Actions: jsii.Strings("sns:Publish"),
		Resources:  jsii.Strings(*t.topic.TopicArn()),
		Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": env.Account}},
	})
	t.topic.AddToResourcePolicy(t.eventsPublish)
	t.key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String(EventBridgeKeySid), Principals: &events, Actions: jsii.Strings("kms:GenerateDataKey*", "kms:Decrypt"),
		Resources: jsii.Strings("*"),
	}), nil)
}

// EventBridgeKeySid names the key's statement for EventBridge, which carries no condition (see
// allowEventBridge).
const EventBridgeKeySid = "EventBridgeRulesUseKey"

// topicTarget is an EventBridge target that is the topic itself, with no role (RoleArn), and
// that grants nothing: allowEventBridge's statements do. CDK's SnsTopic target would either
// pass a role or add statements for the events service without conditions.
type topicTarget struct{ topic awssns.ITopic }

func (t *topicTarget) Bind(interfacesawsevents.IRuleRef, *string) *awsevents.RuleTargetConfig {
	return &awsevents.RuleTargetConfig{Arn: t.topic.TopicArn()}
}

func (t *topic) Notify(rule awsevents.Rule) {
	rule.AddTarget(&topicTarget{topic: t.topic})
	t.notified = append(t.notified, rule)
	t.notifiedArns = append(t.notifiedArns, rule.RuleArn())
	t.admitNotified()
}

func (t *topic) Unnotify(rule awsevents.Rule) {
	if i := slices.Index(t.notified, rule); i >= 0 {
		t.notified = slices.Delete(t.notified, i, i+1)
		t.notifiedArns = slices.Delete(t.notifiedArns, i, i+1)
	}
	t.admitNotified()
}

// admitNotified replaces the EventBridge statement's aws:SourceArn with every notified rule's
// (AddCondition merges by key).
func (t *topic) admitNotified() {
	t.eventsPublish.AddCondition(jsii.String("ArnEquals"), map[string]any{"aws:SourceArn": slices.Clone(t.notifiedArns)})
}

func (t *topic) Notified() []awsevents.Rule { return t.notified }

// AlarmArn is a CloudWatch alarm's ARN: partition, region, account, alarm name ("Actions,
// resources, and condition keys for Amazon CloudWatch", Service Authorization Reference, read
// 2026-11-27).
const AlarmArn = "arn:%s:cloudwatch:%s:%s:alarm:%s"

// AllowAlarms adds what CloudWatch needs to publish an alarm to the encrypted topic: the key
// policy must give cloudwatch.amazonaws.com kms:GenerateDataKey* and kms:Decrypt, bound by
// aws:SourceAccount and aws:SourceArn against the confused deputy ("Enable compatibility between
// event sources from AWS services and encrypted topics", Managing Amazon SNS encryption keys and
// costs, read 2026-11-27), and the topic policy, which replaces SNS's default one, must allow
// sns:Publish. The ARNs are built from the names, not read from the alarms: the key would
// otherwise depend on the alarms, which depend on the topic, which depends on the key.
func (t *topic) AllowAlarms(names ...string) {
	if len(names) == 0 {
		return
	}
	_, env := stackenv.Of(t.scope)
	var arns []string
	for _, name := range names {
		arns = append(arns, fmt.Sprintf(AlarmArn, env.Partition, env.Region, env.Account, name))
	}
	conditions := &map[string]any{
		"StringEquals": map[string]any{"aws:SourceAccount": env.Account},
		"ArnLike":      map[string]any{"aws:SourceArn": arns},
	}
	cloudWatch := []awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)}
	t.topic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("CloudWatchAlarmsPublish"), Principals: &cloudWatch, Actions: jsii.Strings("sns:Publish"),
		Resources: jsii.Strings(*t.topic.TopicArn()), Conditions: conditions,
	}))
	t.key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("CloudWatchAlarmsUseKey"), Principals: &cloudWatch, Actions: jsii.Strings("kms:GenerateDataKey*", "kms:Decrypt"),
		Resources: jsii.Strings("*"), Conditions: conditions,
	}), nil)
}

func (t *topic) Topic() awssns.ITopic { return t.topic }
func (t *topic) Key() awskms.IKey     { return t.key }

// FailedInvocations is what EventBridge could not deliver of rules' events, in 5-minute sums, for
// an alarm: FailedInvocations, dimension RuleName, "The number of invocations that failed
// permanently", sent "only ... if it isn't zero" ("Monitoring Amazon EventBridge", read
// 2026-12-06). Over several rules it adds them with +, whose missing values "are treated as 0"
// ("Basic arithmetic functions", Using metric math, CloudWatch User Guide, read 2026-12-07): not
// with SUM([...]), which that page recommends "that you do not use ... in CloudWatch alarms". An
// alarm's expression references at most 10 metrics (patchingspec.MaxAlarmMetrics): the caller
// passes at most that many.
func FailedInvocations(label string, rules []awsevents.IRule) awscloudwatch.IMetric {
	period := awscdk.Duration_Minutes(jsii.Number(5))
	metric := func(rule awsevents.IRule, label *string) awscloudwatch.IMetric {
		return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{Namespace: jsii.String("AWS/Events"), MetricName: jsii.String("FailedInvocations"),
			DimensionsMap: &map[string]*string{"RuleName": rule.RuleName()}, Statistic: jsii.String("Sum"), Period: period, Label: label})
	}
	if len(rules) == 1 {
		return metric(rules[0], jsii.String(label))
	}
	failed := map[string]awscloudwatch.IMetric{}
	var ids []string
	for i, rule := range rules {
		ids = append(ids, fmt.Sprintf("rule%d", i))
		failed[ids[i]] = metric(rule, nil)
	}
	return awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String(strings.Join(ids, "+")), UsingMetrics: &failed, Label: jsii.String(label), Period: period,
	})
}
