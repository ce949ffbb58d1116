package compliance

import (
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsconfig"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsinspectorv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecurityhub"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/privatepatch/privatepatch/constructs/compliance/compliancespec"
	"github.com/privatepatch/privatepatch/constructs/deputy"
	"github.com/privatepatch/privatepatch/constructs/managedinstance"
	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/constructs/stackenv"
)

// InspectorSuppression hides Inspector findings that match all its criteria.
type InspectorSuppression struct {
	Name, Reason string
	// Tags (one at most) and Severities: at least one of them.
	Tags       map[string]string
	Severities []string
}

// SecurityProps configures Security. Everything is off by default.
type SecurityProps struct {
	// NamePrefix starts the names of the Config rules, e.g. the project. Default: none.
	NamePrefix string
	// SecurityHubStandards, when not nil, enables Security Hub with these standards (ARN paths
	// such as standards/aws-foundational-security-best-practices/v/1.0.0). Default: off. The hub
	// and the standards are retained when the stack is deleted: a stack must not switch an
	// account-wide service off for everyone.
	SecurityHubStandards []string
	// UseExistingHub enables only the standards, in the hub the account already has (enabled
	// before, or by an organization's delegated administrator): creating a second one fails
	// (EnableSecurityHub answers ResourceConflictException). Default: false.
	UseExistingHub bool
	// InspectorSuppressions become Inspector suppression rules, each named Name (3 to 64 letters,
	// digits and . _ -) with at most one tag and 10 severities (compliancespec). Only an
	// organization's delegated Inspector administrator, where there is one, may create them
	// ("Suppressing Amazon Inspector findings", read 2026-12-06). Default: none.
	InspectorSuppressions []InspectorSuppression
	// AlertSeverities are the finding severities sent to AlertRule targets. Default: none.
	AlertSeverities []string
	// ConfigRules adds AWS Config managed rules for patch and association compliance and for
	// being managed by Systems Manager, over every EC2 instance and managed node of the account
	// and region (ConfigRules says why none can be scoped to the fleet tag); a rule the stack's
	// region does not offer is left out with a synthesis warning naming it. Default: false.
	ConfigRules bool
	// Hybrid creates the service role for hybrid activations. Default: false.
	Hybrid bool
	// EnableInspector switches Amazon Inspector on for EC2 in this account and region when the
	// stack creates its enabler, and that deploy succeeds only once EC2 scanning is ENABLED (a
	// custom resource with a function of its own, newInspectorEnabler; CloudFormation runs it
	// again only when its properties change, not on every deploy). It never switches it off: deleting the stack leaves Inspector as it is, since other stacks
	// and teams may rely on it. Default: false (switch it on yourself, or centrally).
	EnableInspector bool
}

// Security is what SecurityProps asked for; absent parts are nil or empty.
type Security interface {
	constructs.Construct
	Hub() awssecurityhub.CfnHub
	Standards() []awssecurityhub.CfnStandard
	Filters() []awsinspectorv2.CfnFilter
	ConfigRules() []awsconfig.CfnConfigRule
	// FindingRules send Security Hub and Inspector findings at AlertSeverities; add targets.
	FindingRules() []awsevents.Rule
	// HybridRole is the role hybrid nodes get through an activation.
	HybridRole() awsiam.Role
	// InspectorEnabler switches Inspector on; nil unless asked for.
	InspectorEnabler() awscdk.CustomResource
}

type security struct {
	constructs.Construct
	hub              awssecurityhub.CfnHub
	standards        []awssecurityhub.CfnStandard
	filters          []awsinspectorv2.CfnFilter
	configRules      []awsconfig.CfnConfigRule
	findingRules     []awsevents.Rule
	hybridRole       awsiam.Role
	inspectorEnabler awscdk.CustomResource
}

func (s *security) Hub() awssecurityhub.CfnHub              { return s.hub }
func (s *security) Standards() []awssecurityhub.CfnStandard { return s.standards }
func (s *security) Filters() []awsinspectorv2.CfnFilter     { return s.filters }
func (s *security) ConfigRules() []awsconfig.CfnConfigRule  { return s.configRules }
func (s *security) FindingRules() []awsevents.Rule          { return s.findingRules }
func (s *security) HybridRole() awsiam.Role                 { return s.hybridRole }
func (s *security) InspectorEnabler() awscdk.CustomResource { return s.inspectorEnabler }

// ConfigRule is an AWS Config managed rule privatepatch adds (compliancespec.ConfigRule).
type ConfigRule = compliancespec.ConfigRule

// ConfigRules are the managed rules, with what each evaluates and where it is offered
// (compliancespec.ConfigRules).
var ConfigRules = compliancespec.ConfigRules

// InspectorServiceLinkedRoleServices are the services of the two service-linked roles Inspector
// creates when it is enabled, AWSServiceRoleForAmazonInspector2 and
// AWSServiceRoleForAmazonInspector2Agentless: what its enabler may create ("Getting started with
// Amazon Inspector" and AmazonInspector2FullAccess's AllowAccessToCreateSlr in "AWS managed
// policies for Amazon Inspector", read 2026-11-27).
var InspectorServiceLinkedRoleServices = []string{"inspector2.amazonaws.com", "agentless.inspector2.amazonaws.com"}

// NewSecurity creates the parts SecurityProps asks for, each feature by its own function, all
// in one construct (id) whose children keep their IDs.
func NewSecurity(scope constructs.Construct, id string, p *SecurityProps) Security {
	if p == nil {
		panic(spec.NilProps(fmt.Sprintf("compliance.NewSecurity(%q)", id), "SecurityProps"))
	}
	if err := suppressionProblems(p.InspectorSuppressions).Err(fmt.Sprintf("compliance.NewSecurity(%q)", id), "SecurityProps"); err != nil {
		panic(err)
	}
	parent := constructs.NewConstruct(scope, jsii.String(id))
	s := &security{Construct: parent}
	if p.SecurityHubStandards != nil {
		s.hub, s.standards = addSecurityHub(parent, p.SecurityHubStandards, p.UseExistingHub)
	}
	s.filters = addInspectorSuppressions(parent, p.InspectorSuppressions)
	if len(p.AlertSeverities) > 0 {
		s.findingRules = addFindingRules(parent, p.AlertSeverities)
	}
	if p.ConfigRules {
		s.configRules = addConfigRules(parent, p.NamePrefix)
	}
	if p.EnableInspector {
		s.inspectorEnabler = newInspectorEnabler(parent)
		// A suppression rule is created in Inspector: after it is on.
		for _, f := range s.filters {
			f.Node().AddDependency(s.inspectorEnabler)
		}
	}
	if p.Hybrid {
		s.hybridRole = addHybridRole(parent)
	}
	return s
}

// addSecurityHub enables Security Hub (unless the account has it) and the standards at paths,
// all retained: a stack must not switch an account-wide service off for everyone.
func addSecurityHub(parent constructs.Construct, paths []string, useExisting bool) (awssecurityhub.CfnHub, []awssecurityhub.CfnStandard) {
	_, env := stackenv.Of(parent)
	var hub awssecurityhub.CfnHub
	if !useExisting {
		hub = awssecurityhub.NewCfnHub(parent, jsii.String("Hub"), &awssecurityhub.CfnHubProps{
			EnableDefaultStandards: jsii.Bool(compliancespec.HubEnableDefaultStandards), // exactly the configured ones
			AutoEnableControls:     jsii.Bool(compliancespec.HubAutoEnableControls),
		})
		hub.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE, nil) // spec.KeptDeletionPolicy
	}
	var standards []awssecurityhub.CfnStandard
	for _, path := range paths {
		standard := awssecurityhub.NewCfnStandard(parent, jsii.String("Standard-"+path), &awssecurityhub.CfnStandardProps{
			StandardsArn: jsii.String(fmt.Sprintf("arn:%s:securityhub:%s::%s", env.Partition, env.Region, path)),
		})
		standard.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE, nil) // spec.KeptDeletionPolicy
		if hub != nil {
			standard.AddResourceDependency(hub, jsii.String("a standard can be enabled only in an account subscribed to Security Hub"))
		}
		standards = append(standards, standard)
	}
	return hub, standards
}

// suppressionProblems are what Inspector's CreateFilter would refuse of the suppressions: a name
// it does not take, more filters in a criterion than it takes (compliancespec).
func suppressionProblems(suppressions []InspectorSuppression) spec.Problems {
	var problems spec.Problems
	for i, f := range suppressions {
		field := fmt.Sprintf("InspectorSuppressions[%d]", i)
		if problem := compliancespec.InspectorFilterNameProblem(f.Name); problem != "" {
			problems.Add(field+".Name", f.Name, "%s", problem)
		}
		if n := len(f.Tags); n > compliancespec.MaxInspectorSuppressionTags {
			problems.Add(field+".Tags", n, "tags, and Inspector joins the tag filters of one rule by OR: it would hide the findings of resources carrying any of them; give one")
		}
		if n := len(f.Severities); n > compliancespec.MaxInspectorFilterValues {
			problems.Add(field+".Severities", n, "severities are more than one suppression rule takes (%d)", compliancespec.MaxInspectorFilterValues)
		}
	}
	return problems
}

// addInspectorSuppressions creates an Inspector suppression rule of each suppression.
func addInspectorSuppressions(parent constructs.Construct, suppressions []InspectorSuppression) []awsinspectorv2.CfnFilter {
	var filters []awsinspectorv2.CfnFilter
	for _, f := range suppressions {
		if len(f.Tags) == 0 && len(f.Severities) == 0 {
			panic(fmt.Sprintf("inspector suppression %s: give tags or severities", f.Name))
		}
		criteria := &awsinspectorv2.CfnFilter_FilterCriteriaProperty{}
		var tags []any
		for _, k := range slices.Sorted(maps.Keys(f.Tags)) {
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
		filters = append(filters, awsinspectorv2.NewCfnFilter(parent, jsii.String("Suppression-"+f.Name), &awsinspectorv2.CfnFilterProps{
			Name: jsii.String(f.Name), Description: jsii.String(f.Reason), FilterAction: jsii.String("SUPPRESS"), FilterCriteria: criteria,
		}))
	}
	return filters
}

// addFindingRules matches new Security Hub and active Inspector findings at severities, each
// finding through one rule: Inspector's findings reach Security Hub too, so the Security Hub rule
// leaves out those carrying compliancespec.InspectorFindingMark, which the Inspector rule sends.
// "exists": false matches a leaf field the event lacks ("Content filtering in Amazon EventBridge
// event patterns", read 2026-12-06), and each Imported event holds one finding ("EventBridge
// event formats for Security Hub CSPM"). Neither service marks a new finding apart from an update
// of it, so no pattern can: the rules' target, the finding filter (NewFindingFilter), passes each
// finding on once (docs/compliance-checks.md, "Finding alerts").
func addFindingRules(parent constructs.Construct, severities []string) []awsevents.Rule {
	hub, inspector := compliancespec.SecurityHubFindingRule(severities), compliancespec.InspectorFindingRule(severities)
	return []awsevents.Rule{
		awsevents.NewRule(parent, jsii.String("SecurityHubFindingsRule"), &awsevents.RuleProps{
			Description: jsii.String("privatepatch: new Security Hub findings at or above the alert severity"),
			EventPattern: &awsevents.EventPattern{
				Source: jsii.Strings(hub.Source), DetailType: jsii.Strings(hub.DetailType), Detail: &hub.Detail,
			},
		}),
		awsevents.NewRule(parent, jsii.String("InspectorFindingsRule"), &awsevents.RuleProps{
			Description: jsii.String("privatepatch: active Amazon Inspector findings at or above the alert severity"),
			EventPattern: &awsevents.EventPattern{
				Source: jsii.Strings(inspector.Source), DetailType: jsii.Strings(inspector.DetailType), Detail: &inspector.Detail,
			},
		}),
	}
}

// addConfigRules adds the ConfigRules the stack's region offers, each scoped by the resource
// types it evaluates, and warns by name of each it leaves out.
func addConfigRules(parent constructs.Construct, namePrefix string) []awsconfig.CfnConfigRule {
	var rules []awsconfig.CfnConfigRule
	offered, skipped := compliancespec.ConfigRulesIn(*awscdk.Stack_Of(parent).Region())
	for _, message := range skipped {
		awscdk.Annotations_Of(parent).AddWarningV2(jsii.String("privatepatch:config-rule-not-offered"), jsii.String(message))
	}
	for _, r := range offered {
		over := "every managed node"
		if slices.Contains(r.ResourceTypes, "AWS::EC2::Instance") {
			over = "every EC2 instance"
		}
		rules = append(rules, awsconfig.NewCfnConfigRule(parent, jsii.String(r.ID), &awsconfig.CfnConfigRuleProps{
			ConfigRuleName: jsii.String(namePrefix + r.Name),
			Description:    jsii.String("privatepatch: " + r.Identifier + " on " + over + " of the account and region"),
			Source:         &awsconfig.CfnConfigRule_SourceProperty{Owner: jsii.String("AWS"), SourceIdentifier: jsii.String(r.Identifier)},
			Scope:          &awsconfig.CfnConfigRule_ScopeProperty{ComplianceResourceTypes: jsii.Strings(r.ResourceTypes...)},
		}))
	}
	return rules
}

// addHybridRole is the service role hybrid nodes get through an activation.
func addHybridRole(parent constructs.Construct) awsiam.Role {
	role := awsiam.NewRole(parent, jsii.String("HybridRole"), &awsiam.RoleProps{
		AssumedBy:       deputy.ServicePrincipal(parent, "ssm.amazonaws.com", deputy.SystemsManager),
		Description:     jsii.String("privatepatch: hybrid (on-premises) nodes registered through an activation"),
		ManagedPolicies: &[]awsiam.IManagedPolicy{awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String("AmazonSSMManagedInstanceCore"))},
	})
	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM4"),
		Reason:    jsii.String("AmazonSSMManagedInstanceCore is what AWS documents for the hybrid activation service role"),
		AppliesTo: &[]any{"Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore"},
	}}, jsii.Bool(true))
	// Nodes that reach Systems Manager through the VPC's endpoints (Direct Connect, VPN) need
	// the same explicit permission on AWS's buckets as the fleet's instance profile.
	managedinstance.AllowSystemsManagerBuckets(role)
	return role
}
