package wiring

import (
	"fmt"
	"maps"
	"slices"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// Baselines checks each baseline of the patching template against the configuration's of its
// name: its operating system, patch groups, the compliance settings the configuration gives, and
// its approval rules' delays and filters. The rules checks (SpecProblems) take a valid baseline
// for a right one; only the configuration says a Windows baseline should not report missing
// security updates as compliant, or a Linux one is for Amazon Linux 2023.
func Baselines(patching map[string]any, d *config.Config) []string {
	declared := map[string]string{}
	baselines := cfntemplate.OfType(cfntemplate.Resources(patching), "AWS::SSM::PatchBaseline")
	for id, b := range baselines {
		declared[cfntemplate.Text(b["Name"])] = id
	}
	var problems []string
	for _, want := range d.PatchBaselines() {
		id, ok := declared[want.Name]
		if !ok {
			continue // the WSUS server's own, added after, or renamed by a prefix: SpecProblems judges it
		}
		got := templateBaseline(baselines[id])
		os := want.OperatingSystem
		if os == "" {
			os = patchingspec.DefaultOperatingSystem
		}
		if got.OperatingSystem != os {
			problems = append(problems, fmt.Sprintf("baseline %s (%s): OperatingSystem %s, the configuration's %s", want.Name, id, got.OperatingSystem, os))
		}
		if g, w := slices.Sorted(slices.Values(got.PatchGroups)), slices.Sorted(slices.Values(want.PatchGroups)); !slices.Equal(g, w) {
			problems = append(problems, fmt.Sprintf("baseline %s (%s): patch groups %v, the configuration's %v", want.Name, id, g, w))
		}
		if w := want.AvailableSecurityUpdatesComplianceStatus; w != "" && got.AvailableSecurityUpdatesComplianceStatus != w {
			problems = append(problems, fmt.Sprintf("baseline %s (%s): AvailableSecurityUpdatesComplianceStatus %q, the configuration's %s",
				want.Name, id, got.AvailableSecurityUpdatesComplianceStatus, w))
		}
		if w := want.ApprovedPatchesComplianceLevel; w != "" && got.ApprovedPatchesComplianceLevel != w {
			problems = append(problems, fmt.Sprintf("baseline %s (%s): ApprovedPatchesComplianceLevel %q, the configuration's %s",
				want.Name, id, got.ApprovedPatchesComplianceLevel, w))
		}
		problems = append(problems, ruleProblems(want.Name, id, got.ApprovalRules, want.ApprovalRules)...)
	}
	return problems
}

// ruleProblems compares approval rules in order: each one's delay and filter values.
func ruleProblems(name, id string, got, want []patchingspec.ApprovalRule) []string {
	if len(want) == 0 {
		return nil
	}
	if len(got) != len(want) {
		return []string{fmt.Sprintf("baseline %s (%s): %d approval rules, the configuration's %d", name, id, len(got), len(want))}
	}
	var problems []string
	for i := range want {
		if w := want[i].ApproveAfterDays; w != nil && (got[i].ApproveAfterDays == nil || *got[i].ApproveAfterDays != *w) {
			problems = append(problems, fmt.Sprintf("baseline %s (%s): rule %d approves after %v days, the configuration's %d", name, id, i, days(got[i].ApproveAfterDays), *w))
		}
		for _, key := range slices.Sorted(maps.Keys(want[i].Filters)) {
			if g, w := slices.Sorted(slices.Values(got[i].Filters[key])), slices.Sorted(slices.Values(want[i].Filters[key])); !slices.Equal(g, w) {
				problems = append(problems, fmt.Sprintf("baseline %s (%s): rule %d filters %s %v, the configuration's %v", name, id, i, key, g, w))
			}
		}
	}
	return problems
}

// days is a delay as text, "none" without one.
func days(d *int) string {
	if d == nil {
		return "none"
	}
	return fmt.Sprint(*d)
}
