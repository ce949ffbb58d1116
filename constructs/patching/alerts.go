package patching

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawsevents"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatepatch/privatepatch/constructs/kmskey"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/constructs/stackenv"
)

// AlertsProps configures Alerts.
type AlertsProps struct {
	// Emails are subscribed to the topic (each confirms by mail). Default: none.
	Emails []string
}

// Alerts is an encrypted SNS topic and the EventBridge rules that publish to it.
type Alerts interface {
	constructs.Construct
	Topic() awssns.ITopic
	Key() awskms.IKey
	// Rules by what they watch: maintenance-window (unless WatchWindows removed it), compliance,
	// association.
	Rules() map[string]awsevents.Rule
	// Notify sends what rule matches to the topic, as the alerts' own rules do: the topic policy
	// admits EventBridge for the rules notified, by their ARNs.
	Notify(rule awsevents.Rule)
	// Notified are the rules that publish to the topic, the alerts' own and those passed to
	// Notify, in that order.
	Notified() []awsevents.Rule
	// WatchWindows limits the maintenance-window rule to these windows (their ids): without it, it
	// matches every window of the account and region; with no ids, the rule is removed.
	WatchWindows(windowIDs ...*string)
	// WatchAssociations limits the association rule to these State Manager associations (their
	// ids): without it, it matches every association of the account and region.
	WatchAssociations(associationIDs ...*string)
	// LeaveBaselines keeps the compliance rule off the nodes these patch baselines (their ids)
	// patch, which alert through rules of their own: without it, their non-compliance alerts twice.
	LeaveBaselines(baselineIDs ...*string)
	// AllowAlarms lets CloudWatch publish the alarms of this account and region with these names
	// to the topic.
	AllowAlarms(names ...string)
}

type alerts struct {
	constructs.Construct
	topic awssns.Topic
	key   awskms.Key
	rules map[string]awsevents.Rule
	// eventsPublish is the topic policy's statement for EventBridge; Notify adds each rule's ARN.
	eventsPublish awsiam.PolicyStatement
	notified      []awsevents.Rule
}

// alertRules are the Systems Manager events worth a person's attention, with the states Systems
// Manager documents for them ("Reference: Amazon EventBridge event patterns and types for Systems
// Manager" and "Amazon EventBridge event examples for Systems Manager", read 2026-11-27).
// Compliance events are documented for association and patch compliance only, so failed
// configuration checks (a Custom: compliance type) reach the alerts as a failed association: the
// check document fails its run when a check fails (compliance.FailedChecksExitCode).
var alertRules = []struct {
	id, description, detailType string
	detail                      map[string]any
}{
	// Every ending that leaves the window's patches uninstalled: failed, timed out, cancelled, or
	// skipped because the previous run still ran (the statuses "Amazon EventBridge event examples
	// for Systems Manager" lists for a window execution, read 2026-12-06). The same statuses as a
	// window's failure rule, which reports instead of this one for its window (WatchWindows).
	{"MaintenanceWindow", "A maintenance window execution failed, timed out, was cancelled or was skipped",
		patchingspec.WindowExecutionDetailType, map[string]any{"status": patchingspec.WindowFailureStatuses}},
	{"Compliance", "An instance's patch compliance turned NON_COMPLIANT",
		"Configuration Compliance State Change", map[string]any{"compliance-type": []string{"Patch"}, "compliance-status": []string{"non_compliant"}}},
	{"Association", "A State Manager association failed on an instance, configuration checks included",
		"EC2 State Manager Instance Association State Change", map[string]any{"status": []string{"Failed"}}},
}

// NewAlerts creates the topic, its key and the rules.
func NewAlerts(scope constructs.Construct, id string, p *AlertsProps) Alerts {
	if p == nil {
		panic(spec.NilProps(fmt.Sprintf("patching.NewAlerts(%q)", id), "AlertsProps"))
	}
	a := &alerts{Construct: constructs.NewConstruct(scope, jsii.String(id)), rules: map[string]awsevents.Rule{}}
	a.key = kmskey.NewKey(a.Construct, "Key", "Encrypts the privatepatch alerts topic")
	a.topic = awssns.NewTopic(a.Construct, jsii.String("Topic"), &awssns.TopicProps{
		DisplayName: jsii.String("privatepatch alerts"),
		MasterKey:   a.key,
		EnforceSSL:  jsii.Bool(true),
	})
	for _, email := range p.Emails {
		a.topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(email), nil))
	}
	a.allowEventBridge()
	for _, r := range alertRules {
		rule := awsevents.NewRule(a.Construct, jsii.String(r.id+"Rule"), &awsevents.RuleProps{
			Description: jsii.String(fmt.Sprintf("privatepatch: %s", r.description)),
			EventPattern: &awsevents.EventPattern{
				Source:     jsii.Strings("aws.ssm"),
				DetailType: jsii.Strings(r.detailType),
				Detail:     &r.detail,
			},
		})
		a.Notify(rule)
		a.rules[r.id] = rule
	}
	return a
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
func (a *alerts) allowEventBridge() {
	_, env := stackenv.Of(a.Construct)
	events := []awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil)}
	a.eventsPublish = awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("EventBridgeRulesPublish"), Principals: &events, Actions: jsii.Strings("sns:Publish"),
		Resources:  jsii.Strings(*a.topic.TopicArn()),
		Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": env.Account}},
	})
	a.topic.AddToResourcePolicy(a.eventsPublish)
	a.key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String(EventBridgeKeySid), Principals: &events, Actions: jsii.Strings("kms:GenerateDataKey*", "kms:Decrypt"),
		Resources: jsii.Strings("*"),
	}), nil)
}

// EventBridgeKeySid names the alerts key's statement for EventBridge, which carries no condition
// (see allowEventBridge).
const EventBridgeKeySid = "EventBridgeRulesUseKey"

// topicTarget is an EventBridge target that is the topic itself, with no role (RoleArn), and
// that grants nothing: allowEventBridge's statements do. CDK's SnsTopic target would either
// pass a role or add statements for the events service without conditions.
type topicTarget struct{ topic awssns.ITopic }

func (t *topicTarget) Bind(interfacesawsevents.IRuleRef, *string) *awsevents.RuleTargetConfig {
	return &awsevents.RuleTargetConfig{Arn: t.topic.TopicArn()}
}

func (a *alerts) Notify(rule awsevents.Rule) {
	rule.AddTarget(&topicTarget{topic: a.topic})
	a.notified = append(a.notified, rule)
	var arns []*string
	for _, r := range a.notified {
		arns = append(arns, r.RuleArn())
	}
	// Replaces the statement's aws:SourceArn with every notified rule's (AddCondition merges by key).
	a.eventsPublish.AddCondition(jsii.String("ArnEquals"), map[string]any{"aws:SourceArn": arns})
}

func (a *alerts) Notified() []awsevents.Rule { return a.notified }

// WatchWindows adds the windows' ids to the maintenance-window rule's pattern: the event's detail
// carries window-id ("Amazon EventBridge event examples for Systems Manager", Maintenance Window
// Execution State-change Notification, read 2026-12-06; test/testdata/events), and other
// deployments' windows in the account, or windows of no deployment, are not this one's alerts.
// With no ids there is no window to watch (a window whose failure rule is notified reports
// through that rule, with the same statuses): the rule, which would match every window, goes.
func (a *alerts) WatchWindows(windowIDs ...*string) {
	rule, ok := a.rules["MaintenanceWindow"]
	if !ok {
		return
	}
	if len(windowIDs) == 0 {
		a.Node().TryRemoveChild(rule.Node().Id())
		delete(a.rules, "MaintenanceWindow")
		a.notified = slices.DeleteFunc(a.notified, func(r awsevents.Rule) bool { return r == rule })
		var arns []*string
		for _, r := range a.notified {
			arns = append(arns, r.RuleArn())
		}
		a.eventsPublish.AddCondition(jsii.String("ArnEquals"), map[string]any{"aws:SourceArn": arns})
		return
	}
	rule.AddEventPattern(&awsevents.EventPattern{Detail: &map[string]any{"window-id": windowIDs}})
}

// WatchAssociations adds the associations' ids to the association rule's pattern: the event's
// detail carries association-id, instance-id and document-name, and no association name ("Amazon
// EventBridge event examples for Systems Manager", State Manager Instance Association State
// Change, read 2026-12-06; patchingspec.InstanceAssociationEventFields). The id names one
// association, and with it its document: a document name would not, since AWS's documents
// (AWS-UpdateSSMAgent, AWS-RunPatchBaseline) run in other deployments' associations too.
func (a *alerts) WatchAssociations(associationIDs ...*string) {
	if len(associationIDs) == 0 {
		return
	}
	// The ids are tokens until deploy: count each at an association id's length, in the pattern's
	// most compact JSON, against the size EventBridge takes.
	if n := associationPatternCharacters(len(associationIDs)); n > patchingspec.MaxEventPatternCharacters {
		panic(fmt.Errorf("patching.Alerts.WatchAssociations: %d associations make the association alert rule's event pattern %d characters, "+
			"more than the %d EventBridge takes (\"Amazon EventBridge quotas\", Event pattern size): watch fewer associations (fewer patch groups scanned)",
			len(associationIDs), n, patchingspec.MaxEventPatternCharacters))
	}
	a.rules["Association"].AddEventPattern(&awsevents.EventPattern{Detail: &map[string]any{"association-id": associationIDs}})
}

// associationPatternCharacters is the length of the association rule's event pattern, as compact
// JSON, watching n associations.
func associationPatternCharacters(n int) int {
	for _, r := range alertRules {
		if r.id != "Association" {
			continue
		}
		detail := maps.Clone(r.detail)
		detail["association-id"] = slices.Repeat([]string{strings.Repeat("0", patchingspec.AssociationIDLength)}, n)
		pattern, err := json.Marshal(map[string]any{"source": []string{"aws.ssm"}, "detail-type": []string{r.detailType}, "detail": detail})
		if err != nil {
			panic(err)
		}
		return len(pattern)
	}
	panic("patching: no Association alert rule")
}

// LeaveBaselines adds "anything-but" the baselines' ids to the compliance rule's pattern on
// detail.patch-baseline-id, which patch compliance events carry ("Amazon EventBridge event
// examples for Systems Manager", Patch Non-Compliant; test/testdata/events). "Anything-but
// matching matches anything except what is provided in the rule", on strings and on lists of
// strings ("Content filtering in Amazon EventBridge event patterns", EventBridge User Guide, read
// 2026-12-06).
func (a *alerts) LeaveBaselines(baselineIDs ...*string) {
	if len(baselineIDs) == 0 {
		return
	}
	a.rules["Compliance"].AddEventPattern(&awsevents.EventPattern{Detail: &map[string]any{
		"patch-baseline-id": []any{map[string]any{"anything-but": baselineIDs}},
	}})
}

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
func (a *alerts) AllowAlarms(names ...string) {
	if len(names) == 0 {
		return
	}
	_, env := stackenv.Of(a.Construct)
	var arns []string
	for _, name := range names {
		arns = append(arns, fmt.Sprintf(AlarmArn, env.Partition, env.Region, env.Account, name))
	}
	conditions := &map[string]any{
		"StringEquals": map[string]any{"aws:SourceAccount": env.Account},
		"ArnLike":      map[string]any{"aws:SourceArn": arns},
	}
	cloudWatch := []awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)}
	a.topic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("CloudWatchAlarmsPublish"), Principals: &cloudWatch, Actions: jsii.Strings("sns:Publish"),
		Resources: jsii.Strings(*a.topic.TopicArn()), Conditions: conditions,
	}))
	a.key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("CloudWatchAlarmsUseKey"), Principals: &cloudWatch, Actions: jsii.Strings("kms:GenerateDataKey*", "kms:Decrypt"),
		Resources: jsii.Strings("*"), Conditions: conditions,
	}), nil)
}

func (a *alerts) Topic() awssns.ITopic             { return a.topic }
func (a *alerts) Key() awskms.IKey                 { return a.key }
func (a *alerts) Rules() map[string]awsevents.Rule { return a.rules }
