// Package patching provides Patch Manager as constructs: patch baselines with their patch groups,
// maintenance windows running AWS-RunPatchBaseline with rate control, State Manager scan and
// inventory associations, and alerts for what goes wrong.
package patching

import (
	"fmt"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/spec"
)

// ApprovalRule approves patches matching every filter (patchingspec).
type ApprovalRule = patchingspec.ApprovalRule

// PatchSource is an alternative Linux repository (patchingspec).
type PatchSource = patchingspec.PatchSource

// BaselineProps configures a patch baseline: its settings (patchingspec.Baseline: defaults and
// rules there). Name is required; ApprovalRules or ApprovedPatches too.
type BaselineProps struct {
	patchingspec.Baseline
}

// Validate reports every problem of props, each naming its prop, or nil: what NewBaseline
// would panic with.
func (p *BaselineProps) Validate() error {
	return p.Baseline.WithDefaults().Problems().Err("patching.NewBaseline", "BaselineProps")
}

// approvalRules are the baseline's rules as CloudFormation takes them: an approval delay only
// where the operating system takes one.
func approvalRules(p patchingspec.Baseline) []any {
	var rules []any
	for _, r := range p.ApprovalRules {
		rule := &awsssm.CfnPatchBaseline_RuleProperty{
			ComplianceLevel:  jsii.String(r.ComplianceLevel),
			PatchFilterGroup: filterGroup(r.Filters),
		}
		switch {
		case !patchingspec.TakesApprovalDelay(p.OperatingSystem):
		case r.ApproveUntilDate != "":
			rule.ApproveUntilDate = jsii.String(r.ApproveUntilDate)
		default:
			rule.ApproveAfterDays = jsii.Number(*r.ApproveAfterDays)
		}
		if r.EnableNonSecurity {
			rule.EnableNonSecurity = jsii.Bool(true)
		}
		rules = append(rules, rule)
	}
	return rules
}

// NewBaseline creates an AWS::SSM::PatchBaseline. It panics when props are invalid, before
// creating anything, with an error naming every bad prop (BaselineProps.Validate returns it).
func NewBaseline(scope constructs.Construct, id string, in *BaselineProps) awsssm.CfnPatchBaseline {
	if in == nil {
		panic(spec.NilProps(fmt.Sprintf("patching.NewBaseline(%q)", id), "BaselineProps"))
	}
	p := in.Baseline.WithDefaults()
	if err := p.Problems().Err(fmt.Sprintf("patching.NewBaseline(%q)", id), "BaselineProps"); err != nil {
		panic(err)
	}
	rules := approvalRules(p)
	props := &awsssm.CfnPatchBaselineProps{
		Name:                           jsii.String(p.Name),
		OperatingSystem:                jsii.String(p.OperatingSystem),
		ApprovedPatchesComplianceLevel: jsii.String(p.ApprovedPatchesComplianceLevel),
		RejectedPatchesAction:          jsii.String(p.RejectedPatchesAction),
		DefaultBaseline:                jsii.Bool(p.Default),
	}
	if p.Description != "" {
		props.Description = jsii.String(p.Description)
	}
	if len(rules) > 0 {
		props.ApprovalRules = &awsssm.CfnPatchBaseline_RuleGroupProperty{PatchRules: rules}
	}
	if len(p.ApprovedPatches) > 0 {
		props.ApprovedPatches = jsii.Strings(p.ApprovedPatches...)
	}
	if len(p.RejectedPatches) > 0 {
		props.RejectedPatches = jsii.Strings(p.RejectedPatches...)
	}
	if len(p.GlobalFilters) > 0 {
		props.GlobalFilters = filterGroup(p.GlobalFilters)
	}
	if p.AvailableSecurityUpdatesComplianceStatus != "" {
		props.AvailableSecurityUpdatesComplianceStatus = jsii.String(p.AvailableSecurityUpdatesComplianceStatus)
	}
	if len(p.PatchGroups) > 0 {
		props.PatchGroups = jsii.Strings(p.PatchGroups...)
	}
	var sources []any
	for _, s := range p.Sources {
		sources = append(sources, &awsssm.CfnPatchBaseline_PatchSourceProperty{
			Name: jsii.String(s.Name), Configuration: jsii.String(s.Configuration), Products: jsii.Strings(s.Products...),
		})
	}
	if len(sources) > 0 {
		props.Sources = sources
	}
	return awsssm.NewCfnPatchBaseline(scope, jsii.String(id), props)
}

// filterGroup renders filters in key order, so templates do not change with map order.
func filterGroup(filters map[string][]string) *awsssm.CfnPatchBaseline_PatchFilterGroupProperty {
	keys := make([]string, 0, len(filters))
	for k := range filters {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []any
	for _, k := range keys {
		out = append(out, &awsssm.CfnPatchBaseline_PatchFilterProperty{Key: jsii.String(k), Values: jsii.Strings(filters[k]...)})
	}
	return &awsssm.CfnPatchBaseline_PatchFilterGroupProperty{PatchFilters: out}
}

func orDefault(value, fallback string) string {
	if value == "" {
		return fallback
	}
	return value
}
