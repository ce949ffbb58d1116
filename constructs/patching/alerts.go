package patching

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatepatch/privatepatch/constructs/alerttopic"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/spec"
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
	topic alerttopic.Topic
	rules map[string]awsevents.Rule
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
	// The topic and key are this construct's children Topic and Key, as before alerttopic.
	a.topic = alerttopic.New(a.Construct, alerttopic.Props{
		DisplayName: "privatepatch alerts", KeyDescription: "Encrypts the privatepatch alerts topic", Emails: p.Emails})
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

// EventBridgeKeySid names the alerts key's statement for EventBridge (alerttopic's).
const EventBridgeKeySid = alerttopic.EventBridgeKeySid

// WatchWindows adds the windows' ids to the maintenance-window rule's pattern: the event's detail
// carries window-id ("Amazon EventBridge event examples for Systems Manager", Maintenance Window
// Execution State-change Notification, read 2026-12-06; proof/wiring/events), and other
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
		a.topic.Unnotify(rule)
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
// examples for Systems Manager", Patch Non-Compliant; proof/wiring/events). "Anything-but
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

// AlarmArn is a CloudWatch alarm's ARN (alerttopic's).
const AlarmArn = alerttopic.AlarmArn

func (a *alerts) Topic() awssns.ITopic             { return a.topic.Topic() }
func (a *alerts) Key() awskms.IKey                 { return a.topic.Key() }
func (a *alerts) Notify(rule awsevents.Rule)       { a.topic.Notify(rule) }
func (a *alerts) Notified() []awsevents.Rule       { return a.topic.Notified() }
func (a *alerts) AllowAlarms(names ...string)      { a.topic.AllowAlarms(names...) }
func (a *alerts) Rules() map[string]awsevents.Rule { return a.rules }
