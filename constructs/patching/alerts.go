package patching

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/privatepatch/privatepatch/constructs/deputy"
	"github.com/privatepatch/privatepatch/constructs/kmskey"
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
	// Rules by what they watch: maintenance-window, compliance, association.
	Rules() map[string]awsevents.Rule
	// Notify sends what rule matches to the topic, as the alerts' own rules do.
	Notify(rule awsevents.Rule)
}

type alerts struct {
	constructs.Construct
	topic awssns.Topic
	key   awskms.Key
	role  awsiam.Role
	rules map[string]awsevents.Rule
}

// alertRules are the Systems Manager events worth a person's attention.
var alertRules = []struct {
	id, description, detailType string
	detail                      map[string]any
}{
	{"MaintenanceWindow", "A maintenance window execution failed or timed out",
		"Maintenance Window Execution State-change Notification", map[string]any{"status": []string{"FAILED", "TIMED_OUT"}}},
	{"Compliance", "An instance's patch compliance turned NON_COMPLIANT",
		"Configuration Compliance State Change", map[string]any{"compliance-type": []string{"Patch"}, "compliance-status": []string{"non_compliant"}}},
	{"Association", "A State Manager association failed on an instance",
		"EC2 State Manager Instance Association State Change", map[string]any{"status": []string{"Failed"}}},
	{"ConfigurationChecks", "An instance failed a CCE configuration check",
		"Configuration Compliance State Change", map[string]any{"compliance-type": []string{"Custom:CCE"}, "compliance-status": []string{"non_compliant"}}},
}

// NewAlerts creates the topic, its key and the rules.
func NewAlerts(scope constructs.Construct, id string, p *AlertsProps) Alerts {
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
	// The rules publish with a role that EventBridge may assume only for this account's rules,
	// rather than through a topic and key policy open to the events service as a whole.
	a.role = awsiam.NewRole(a.Construct, jsii.String("PublishRole"), &awsiam.RoleProps{
		AssumedBy:   deputy.ServicePrincipal(a.Construct, "events.amazonaws.com", deputy.EventBridgeRules),
		Description: jsii.String("privatepatch alerts: EventBridge rules publish to the alerts topic"),
	})
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
	// After the rules: their targets create the role's policy.
	cdknag.NagSuppressions_AddResourceSuppressions(a.role, &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM5"),
		Reason:    jsii.String("Publishing to the KMS-encrypted topic needs kms:GenerateDataKey* on its one key (CDK's grantPublish)"),
		AppliesTo: &[]any{"Action::kms:GenerateDataKey*"},
	}}, jsii.Bool(true))
	return a
}

func (a *alerts) Notify(rule awsevents.Rule) {
	rule.AddTarget(awseventstargets.NewSnsTopic(a.topic, &awseventstargets.SnsTopicProps{AuthorizeUsingRole: jsii.Bool(true), Role: a.role}))
}

func (a *alerts) Topic() awssns.ITopic             { return a.topic }
func (a *alerts) Key() awskms.IKey                 { return a.key }
func (a *alerts) Rules() map[string]awsevents.Rule { return a.rules }
