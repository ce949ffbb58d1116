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
)

// ApprovalRule approves patches matching every filter.
type ApprovalRule struct {
	// Filters maps a patch filter key (CLASSIFICATION, MSRC_SEVERITY, SEVERITY, ...) to values.
	Filters map[string][]string
	// ApproveAfterDays after release (0-360), used when ApproveUntilDate is empty.
	ApproveAfterDays int
	// ApproveUntilDate (YYYY-MM-DD) approves patches released up to that date. Default: none.
	ApproveUntilDate string
	// ComplianceLevel of missing approved patches. Default: UNSPECIFIED.
	ComplianceLevel string
	// EnableNonSecurity also installs non-security updates (Linux only). Default: false.
	EnableNonSecurity bool
}

// PatchSource is an alternative Linux repository.
type PatchSource struct {
	Name, Configuration string
	Products            []string
}

// BaselineProps configures a patch baseline. Name and OperatingSystem are required.
type BaselineProps struct {
	Name string
	// OperatingSystem as Patch Manager names it, e.g. WINDOWS or AMAZON_LINUX_2023.
	OperatingSystem string
	// Description. Default: none.
	Description string
	// Rules approve patches automatically. Default: none.
	Rules []ApprovalRule
	// ApprovedPatches are approved by id, at ApprovedPatchesComplianceLevel. Default: none.
	ApprovedPatches                []string
	ApprovedPatchesComplianceLevel string
	// RejectedPatches are never installed. RejectedPatchesAction: ALLOW_AS_DEPENDENCY (default) or BLOCK.
	RejectedPatches       []string
	RejectedPatchesAction string
	// GlobalFilters apply before the rules. Default: none.
	GlobalFilters map[string][]string
	// Sources are alternative repositories (Linux). Default: none.
	Sources []PatchSource
	// PatchGroups are registered to this baseline. Default: none.
	PatchGroups []string
	// Default makes this the default baseline of its operating system. Default: false.
	Default bool
}

// NewBaseline creates an AWS::SSM::PatchBaseline.
func NewBaseline(scope constructs.Construct, id string, p *BaselineProps) awsssm.CfnPatchBaseline {
	if p.Name == "" || p.OperatingSystem == "" {
		panic(fmt.Sprintf("patch baseline %s: Name and OperatingSystem are required", id))
	}
	var rules []any
	for _, r := range p.Rules {
		rule := &awsssm.CfnPatchBaseline_RuleProperty{
			ComplianceLevel:  jsii.String(orDefault(r.ComplianceLevel, "UNSPECIFIED")),
			PatchFilterGroup: filterGroup(r.Filters),
		}
		if r.ApproveUntilDate != "" {
			rule.ApproveUntilDate = jsii.String(r.ApproveUntilDate)
		} else {
			rule.ApproveAfterDays = jsii.Number(r.ApproveAfterDays)
		}
		if r.EnableNonSecurity {
			rule.EnableNonSecurity = jsii.Bool(true)
		}
		rules = append(rules, rule)
	}
	props := &awsssm.CfnPatchBaselineProps{
		Name:                           jsii.String(p.Name),
		OperatingSystem:                jsii.String(p.OperatingSystem),
		ApprovedPatchesComplianceLevel: jsii.String(orDefault(p.ApprovedPatchesComplianceLevel, "UNSPECIFIED")),
		RejectedPatchesAction:          jsii.String(orDefault(p.RejectedPatchesAction, "ALLOW_AS_DEPENDENCY")),
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
