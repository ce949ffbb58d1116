package compliance

import (
	"fmt"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsconfig"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsinspectorv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecurityhub"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/privatepatch/privatepatch/constructs/deputy"
)

// InspectorSuppression hides Inspector findings that match all its criteria.
type InspectorSuppression struct {
	Name, Reason string
	// Tags and Severities: at least one of them.
	Tags       map[string]string
	Severities []string
}

// SecurityProps configures Security. Everything is off by default.
type SecurityProps struct {
	// NamePrefix starts the names of the Config rules, e.g. the project. Default: none.
	NamePrefix string
	// SecurityHubStandards, when not nil, enables Security Hub with these standards (ARN paths
	// such as standards/aws-foundational-security-best-practices/v/1.0.0). Default: off.
	SecurityHubStandards []string
	// InspectorSuppressions become Inspector suppression rules. Default: none.
	InspectorSuppressions []InspectorSuppression
	// AlertSeverities are the finding severities sent to AlertRule targets. Default: none.
	AlertSeverities []string
	// ConfigRulesTagKey and ConfigRulesTagValue, when set, scope AWS Config managed rules for
	// patch and association compliance and for being managed by Systems Manager. Default: none.
	ConfigRulesTagKey, ConfigRulesTagValue string
	// Hybrid creates the service role for hybrid activations. Default: false.
	Hybrid bool
}

// Security is what SecurityProps asked for; absent parts are nil or empty.
type Security struct {
	Hub         awssecurityhub.CfnHub
	Standards   []awssecurityhub.CfnStandard
	Filters     []awsinspectorv2.CfnFilter
	ConfigRules []awsconfig.CfnConfigRule
	// FindingRules send Security Hub and Inspector findings at AlertSeverities; add targets.
	FindingRules []awsevents.Rule
	// HybridRole is the role hybrid nodes get through an activation.
	HybridRole awsiam.Role
}

// configRules are AWS Config's managed rules for a Systems Manager fleet.
var configRules = []struct{ id, name, description string }{
	{"PatchCompliance", "patch-compliance", "EC2_MANAGEDINSTANCE_PATCH_COMPLIANCE_STATUS_CHECK"},
	{"AssociationCompliance", "association-compliance", "EC2_MANAGEDINSTANCE_ASSOCIATION_COMPLIANCE_STATUS_CHECK"},
	{"ManagedBySsm", "managed-by-ssm", "EC2_INSTANCE_MANAGED_BY_SSM"},
}

// NewSecurity creates the parts SecurityProps asks for.
func NewSecurity(scope constructs.Construct, id string, p *SecurityProps) Security {
	parent := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(parent)
	var s Security
	if p.SecurityHubStandards != nil {
		s.Hub = awssecurityhub.NewCfnHub(parent, jsii.String("Hub"), &awssecurityhub.CfnHubProps{
			EnableDefaultStandards: jsii.Bool(false), // exactly the configured ones
			AutoEnableControls:     jsii.Bool(true),
		})
		for _, path := range p.SecurityHubStandards {
			standard := awssecurityhub.NewCfnStandard(parent, jsii.String("Standard-"+path), &awssecurityhub.CfnStandardProps{
				StandardsArn: jsii.String(fmt.Sprintf("arn:%s:securityhub:%s::%s", *stack.Partition(), *stack.Region(), path)),
			})
			standard.AddDependency(s.Hub)
			s.Standards = append(s.Standards, standard)
		}
	}
	for _, f := range p.InspectorSuppressions {
		if len(f.Tags) == 0 && len(f.Severities) == 0 {
			panic(fmt.Sprintf("inspector suppression %s: give tags or severities", f.Name))
		}
		criteria := &awsinspectorv2.CfnFilter_FilterCriteriaProperty{}
		var tags []any
		keys := make([]string, 0, len(f.Tags))
		for k := range f.Tags {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			tags = append(tags, &awsinspectorv2.CfnFilter_MapFilterProperty{Comparison: jsii.String("EQUALS"), Key: jsii.String(k), Value: jsii.String(f.Tags[k])})
		}
		if len(tags) > 0 {
			criteria.ResourceTags = tags
		}
		var severities []any
		for _, sev := range f.Severities {
			severities = append(severities, &awsinspectorv2.CfnFilter_StringFilterProperty{Comparison: jsii.String("EQUALS"), Value: jsii.String(sev)})
		}
		if len(severities) > 0 {
			criteria.Severity = severities
		}
		s.Filters = append(s.Filters, awsinspectorv2.NewCfnFilter(parent, jsii.String("Suppression-"+f.Name), &awsinspectorv2.CfnFilterProps{
			Name: jsii.String(f.Name), Description: jsii.String(f.Reason), FilterAction: jsii.String("SUPPRESS"), FilterCriteria: criteria,
		}))
	}
	if len(p.AlertSeverities) > 0 {
		s.FindingRules = append(s.FindingRules,
			awsevents.NewRule(parent, jsii.String("SecurityHubFindingsRule"), &awsevents.RuleProps{
				Description: jsii.String("privatepatch: new Security Hub findings at or above the alert severity"),
				EventPattern: &awsevents.EventPattern{
					Source:     jsii.Strings("aws.securityhub"),
					DetailType: jsii.Strings("Security Hub Findings - Imported"),
					Detail: &map[string]any{"findings": map[string]any{
						"Severity":    map[string]any{"Label": p.AlertSeverities},
						"Workflow":    map[string]any{"Status": []string{"NEW"}},
						"RecordState": []string{"ACTIVE"},
					}},
				},
			}),
			awsevents.NewRule(parent, jsii.String("InspectorFindingsRule"), &awsevents.RuleProps{
				Description: jsii.String("privatepatch: active Amazon Inspector findings at or above the alert severity"),
				EventPattern: &awsevents.EventPattern{
					Source:     jsii.Strings("aws.inspector2"),
					DetailType: jsii.Strings("Inspector2 Finding"),
					Detail:     &map[string]any{"severity": p.AlertSeverities, "status": []string{"ACTIVE"}},
				},
			}))
	}
	if p.ConfigRulesTagKey != "" {
		for _, r := range configRules {
			s.ConfigRules = append(s.ConfigRules, awsconfig.NewCfnConfigRule(parent, jsii.String(r.id), &awsconfig.CfnConfigRuleProps{
				ConfigRuleName: jsii.String(p.NamePrefix + r.name),
				Description:    jsii.String("privatepatch: " + r.description + " on the fleet"),
				Source:         &awsconfig.CfnConfigRule_SourceProperty{Owner: jsii.String("AWS"), SourceIdentifier: jsii.String(r.description)},
				Scope:          &awsconfig.CfnConfigRule_ScopeProperty{TagKey: jsii.String(p.ConfigRulesTagKey), TagValue: jsii.String(p.ConfigRulesTagValue)},
			}))
		}
	}
	if p.Hybrid {
		s.HybridRole = awsiam.NewRole(parent, jsii.String("HybridRole"), &awsiam.RoleProps{
			AssumedBy:       deputy.ServicePrincipal(parent, "ssm.amazonaws.com", deputy.SystemsManager),
			Description:     jsii.String("privatepatch: hybrid (on-premises) nodes registered through an activation"),
			ManagedPolicies: &[]awsiam.IManagedPolicy{awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String("AmazonSSMManagedInstanceCore"))},
		})
		cdknag.NagSuppressions_AddResourceSuppressions(s.HybridRole, &[]*cdknag.NagPackSuppression{{
			Id:        jsii.String("AwsSolutions-IAM4"),
			Reason:    jsii.String("AmazonSSMManagedInstanceCore is what AWS documents for the hybrid activation service role"),
			AppliesTo: &[]any{"Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore"},
		}}, jsii.Bool(true))
	}
	return s
}
