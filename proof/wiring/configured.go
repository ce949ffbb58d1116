package wiring

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/compliance/compliancespec"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
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

// Security checks the security resources against the configuration: the finding alert rules'
// severities (findingAlertSeverity and above; with LOW, Inspector's UNTRIAGED too), the Security
// Hub and its standards (securityHub), each Config rule's scope
// (compliancespec.ConfigRules) and each Inspector suppression's criteria. Each is valid in any
// form; only the configuration, or the rule's own page, says which one is meant.
func Security(patching map[string]any, d *config.Config) []string {
	resources := cfntemplate.Resources(patching)
	var problems []string
	severities := d.Security.FindingSeveritiesToAlert()
	rules := cfntemplate.OfType(resources, "AWS::Events::Rule")
	for _, id := range slices.Sorted(maps.Keys(rules)) {
		pattern, _ := rules[id]["EventPattern"].(map[string]any)
		detail, _ := pattern["detail"].(map[string]any)
		var got []string
		want := slices.Clone(severities)
		switch {
		case strings.HasPrefix(id, "SecuritySecurityHubFindingsRule"):
			findings, _ := detail["findings"].(map[string]any)
			label, _ := findings["Severity"].(map[string]any)
			got = cfntemplate.Texts(label["Label"])
		case strings.HasPrefix(id, "SecurityInspectorFindingsRule"):
			got = cfntemplate.Texts(detail["severity"])
			if slices.Contains(severities, "LOW") {
				want = append(want, compliancespec.InspectorUntriaged)
			}
		default:
			continue
		}
		if !sameSet(got, want) {
			problems = append(problems, fmt.Sprintf("rule %s: alerts on severities %v, the configuration's (findingAlertSeverity %s and above) %v", id, got, d.Security.FindingAlertSeverity, want))
		}
	}
	problems = append(problems, securityHub(resources, d)...)
	problems = append(problems, configRuleIdentifiers(resources, d)...)
	for id, r := range cfntemplate.OfType(resources, "AWS::Config::ConfigRule") {
		source, _ := r["Source"].(map[string]any)
		scope, _ := r["Scope"].(map[string]any)
		for _, known := range compliancespec.ConfigRules {
			if cfntemplate.Text(source["SourceIdentifier"]) == known.Identifier &&
				!sameSet(cfntemplate.Texts(scope["ComplianceResourceTypes"]), known.ResourceTypes) {
				problems = append(problems, fmt.Sprintf("config rule %s: scoped to %v, and %s evaluates %v (%s)", id, scope["ComplianceResourceTypes"], known.Identifier, known.ResourceTypes, known.Page))
			}
			// Run 20's A18: a frequency on a change-triggered rule fails PutConfigRule.
			if cfntemplate.Text(source["SourceIdentifier"]) == known.Identifier && known.Trigger == compliancespec.TriggerConfigurationChanges && r["MaximumExecutionFrequency"] != nil {
				problems = append(problems, fmt.Sprintf("config rule %s: MaximumExecutionFrequency %v on %s, which configuration changes trigger (%s): PutConfigRule refuses a frequency there", id, r["MaximumExecutionFrequency"], known.Identifier, known.Page))
			}
		}
	}
	return append(problems, suppressions(resources, d)...)
}

// securityHub checks the hub and the standards against security.securityHub:
//   - each standard's ARN is arn:<partition>:securityhub:<region>::<path> of a configured
//     standard (config.SecurityHubStandards), in the deployment's region: "arn:aws:securityhub:
//     <region>::standards/..." (BatchEnableStandards, Security Hub API Reference); another
//     region's ARN fails the deploy (mutation run 10's C02);
//   - every configured standard is enabled by exactly one AWS::SecurityHub::Standard: "You must
//     create a separate AWS::SecurityHub::Standard resource for each standard that you want to
//     enable" ("AWS::SecurityHub::Standard", read 2026-12-07), and the hub enables no default
//     ones (compliancespec.HubEnableDefaultStandards), so one left out is never evaluated
//     (mutation run 23's A02). The configuration offers every standard in every region (config
//     has no region rule for them), with a hub created or existing alike;
//   - no standard disables a control: "DisabledStandardsControls: Specifies which controls are to
//     be disabled in a standard" ("AWS::SecurityHub::Standard", read 2026-12-07), and the
//     configuration disables none, so one listed there is a control the stack switches off
//     unasked (held-out run 42's A11: SSM.1, EC2 instances managed by Systems Manager);
//   - a created hub (securityHub.existing false) is one AWS::SecurityHub::Hub with the switches
//     the construct sets (compliancespec.HubEnableDefaultStandards, HubAutoEnableControls; unset,
//     each is true); with an existing hub, or none, the stack declares no hub: a second one
//     fails (EnableSecurityHub answers ResourceConflictException) (mutation run 23's A03).
func securityHub(resources map[string]any, d *config.Config) []string {
	hub := d.Security.SecurityHub
	var problems []string
	var want []string
	if hub.Enabled {
		want = hub.Standards
	}
	enabling := map[string][]string{}
	standards := cfntemplate.OfType(resources, "AWS::SecurityHub::Standard")
	for _, id := range slices.Sorted(maps.Keys(standards)) {
		arn := cfntemplate.Text(standards[id]["StandardsArn"])
		i := slices.IndexFunc(want, func(s string) bool { return strings.HasSuffix(arn, "::"+config.SecurityHubStandards[s]) })
		if i < 0 {
			problems = append(problems, fmt.Sprintf("standard %s: %s is not arn:<partition>:securityhub:<region>::<path> of a configured standard %v", id, arn, want))
		} else {
			enabling[want[i]] = append(enabling[want[i]], id)
		}
		if parts := strings.Split(arn, ":"); len(parts) > 3 && d.Region != "" && parts[3] != d.Region {
			problems = append(problems, fmt.Sprintf("standard %s: %s names region %s, not the deployment's %s", id, arn, parts[3], d.Region))
		}
		for _, control := range cfntemplate.List(standards[id]["DisabledStandardsControls"]) {
			control, _ := control.(map[string]any)
			problems = append(problems, fmt.Sprintf("standard %s: disables control %s, which the configuration does not disable: its findings are never made", id, rendered(control["StandardsControlArn"])))
		}
	}
	// Why a standard left out is never evaluated: the created hub enables no default standards; an
	// existing hub's standards are the account's (review round 3's 13a), and the stack enables none.
	why := "the hub the stack creates enables no default standards, so its controls are never evaluated"
	if hub.Existing {
		why = "the stack never enables it on the existing hub, whose own standards and switches (AutoEnableControls) are the account's and not judged here"
	}
	for _, s := range want {
		switch n := len(enabling[s]); {
		case n == 0:
			problems = append(problems, fmt.Sprintf("no AWS::SecurityHub::Standard enables %s (%s), which security.securityHub.standards asks for: %s", s, config.SecurityHubStandards[s], why))
		case n > 1:
			problems = append(problems, fmt.Sprintf("standards %v all enable %s: the configuration asks for one", enabling[s], s))
		}
	}
	return append(problems, hubProblems(resources, hub)...)
}

// hubProblems: a created hub is one AWS::SecurityHub::Hub with the construct's switches; an
// existing hub, or Security Hub off, declares none (securityHub says why).
func hubProblems(resources map[string]any, hub config.SecurityHub) []string {
	hubs := cfntemplate.OfType(resources, "AWS::SecurityHub::Hub")
	created := hub.Enabled && !hub.Existing
	if !created {
		var problems []string
		for _, id := range slices.Sorted(maps.Keys(hubs)) {
			problems = append(problems, fmt.Sprintf("hub %s: the configuration creates no hub (securityHub enabled %v, existing %v): creating one where the account has it fails, and one not asked for enables Security Hub account-wide", id, hub.Enabled, hub.Existing))
		}
		return problems
	}
	if len(hubs) != 1 {
		return []string{fmt.Sprintf("%d AWS::SecurityHub::Hub resources, where securityHub (enabled, not existing) creates one", len(hubs))}
	}
	var problems []string
	for id, h := range hubs {
		for _, s := range []struct {
			property string
			want     bool
			why      string
		}{
			{"EnableDefaultStandards", compliancespec.HubEnableDefaultStandards, "the hub enables AWS's default standards besides the configured ones"},
			{"AutoEnableControls", compliancespec.HubAutoEnableControls, "the controls AWS adds to the enabled standards are not enabled: coverage shrinks with each release"},
		} {
			got := true // unset, each is true (CfnHubProps)
			if v, set := h[s.property]; set {
				got = cfntemplate.Text(v) == "true"
			}
			if got != s.want {
				problems = append(problems, fmt.Sprintf("hub %s: %s %v, where the construct sets %v (compliancespec.Hub%s): %s", id, s.property, got, s.want, s.property, s.why))
			}
		}
	}
	return problems
}

// configRuleIdentifiers: the template's AWS Config managed rules are the ones the configuration
// asks for in its region (security.configRules, compliancespec.ConfigRulesIn), each once, by the
// identifiers on their pages: PutConfigRule refuses an identifier no managed rule has, and the
// stack's creation fails (mutation run 11's A19, the _STATUS_CHECK left off).
func configRuleIdentifiers(resources map[string]any, d *config.Config) []string {
	var want []string
	if d.Security.ConfigRules {
		offered, _ := compliancespec.ConfigRulesIn(d.Region)
		for _, r := range offered {
			want = append(want, r.Identifier)
		}
	}
	var problems []string
	got := map[string]string{}
	rules := cfntemplate.OfType(resources, "AWS::Config::ConfigRule")
	for _, id := range slices.Sorted(maps.Keys(rules)) {
		source, _ := rules[id]["Source"].(map[string]any)
		identifier := cfntemplate.Text(source["SourceIdentifier"])
		switch {
		case cfntemplate.Text(source["Owner"]) != "AWS":
			problems = append(problems, fmt.Sprintf("config rule %s: owner %q, not AWS: privatepatch declares AWS managed rules only", id, cfntemplate.Text(source["Owner"])))
		case !slices.Contains(want, identifier):
			problems = append(problems, fmt.Sprintf("config rule %s: %q is not one of the managed rules the configuration asks for in %s %v (their pages, compliancespec.ConfigRules)", id, identifier, d.Region, want))
		case got[identifier] != "":
			problems = append(problems, fmt.Sprintf("config rule %s: %s is declared by %s too", id, identifier, got[identifier]))
		}
		got[identifier] = id
	}
	for _, identifier := range want {
		if got[identifier] == "" {
			problems = append(problems, fmt.Sprintf("no config rule runs %s, which security.configRules asks for in %s", identifier, d.Region))
		}
	}
	return problems
}

// suppressions: each configured Inspector suppression's filter suppresses exactly its severities
// and tag: one without its severities suppresses every finding on the tagged resources.
func suppressions(resources map[string]any, d *config.Config) []string {
	filters := cfntemplate.OfType(resources, "AWS::InspectorV2::Filter")
	var problems []string
	for _, s := range d.Security.Inspector.Suppressions {
		for _, id := range slices.Sorted(maps.Keys(filters)) {
			f := filters[id]
			// By its whole name: "low" is a suffix of "dev-low" too (a review's false alarm).
			if cfntemplate.Text(f["Name"]) != d.InspectorSuppressionName(s.Name) {
				continue
			}
			criteria, _ := f["FilterCriteria"].(map[string]any)
			if action := cfntemplate.Text(f["FilterAction"]); action != "SUPPRESS" {
				problems = append(problems, fmt.Sprintf("suppression %s: FilterAction %q, not SUPPRESS: it hides nothing", id, action))
			}
			// The configuration names severities and tags to match: each criterion compares with
			// EQUALS (StringFilter and MapFilter take EQUALS, NOT_EQUALS, PREFIX, AWS::InspectorV2::
			// Filter, CloudFormation resource specification); NOT_EQUALS would hide every other
			// severity, or every other resource's findings (mutation run 9's R13).
			for _, key := range slices.Sorted(maps.Keys(criteria)) {
				for _, c := range cfntemplate.List(criteria[key]) {
					c, _ := c.(map[string]any)
					if comparison := cfntemplate.Text(c["Comparison"]); comparison != "EQUALS" {
						problems = append(problems, fmt.Sprintf("suppression %s: %s compares with %s, not EQUALS: it suppresses findings the configuration does not name", id, key, comparison))
					}
				}
			}
			var severities []string
			for _, c := range cfntemplate.List(criteria["Severity"]) {
				c, _ := c.(map[string]any)
				severities = append(severities, cfntemplate.Text(c["Value"]))
			}
			if g, w := slices.Sorted(slices.Values(severities)), slices.Sorted(slices.Values(s.Severities)); !slices.Equal(g, w) {
				problems = append(problems, fmt.Sprintf("suppression %s: suppresses severities %v, the configuration's %v", id, g, w))
			}
			tags := map[string]string{}
			for _, c := range cfntemplate.List(criteria["ResourceTags"]) {
				c, _ := c.(map[string]any)
				tags[cfntemplate.Text(c["Key"])] = cfntemplate.Text(c["Value"])
			}
			if !maps.Equal(tags, s.Tags) && (len(tags) > 0 || len(s.Tags) > 0) {
				problems = append(problems, fmt.Sprintf("suppression %s: on tags %v, the configuration's %v", id, tags, s.Tags))
			}
		}
	}
	return problems
}

// sameSet says whether a and b hold the same values, in any order.
func sameSet(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

// CleanupModes checks the WSUS cleanup's two associations against the configuration: the one on
// the configured cleanup schedule cleans up (Mode Cleanup), the hourly one reports
// (wsusspec.CleanupReportSchedule, Mode Report). Swapped or both reporting, the cleanup never
// runs, and the alarm reports its last success until it is stale.
func CleanupModes(fleet map[string]any, d *config.Config) []string {
	if !d.Wsus.Enabled || !d.Wsus.Cleanup.On() {
		return nil
	}
	resources := cfntemplate.Resources(fleet)
	want := map[string]string{d.Wsus.Cleanup.Schedule: "Cleanup", wsusspec.CleanupReportSchedule: "Report"}
	found := map[string]bool{}
	var problems []string
	associations := cfntemplate.OfType(resources, "AWS::SSM::Association")
	for _, id := range slices.Sorted(maps.Keys(associations)) {
		a := associations[id]
		mode := cfntemplate.AssociationParameter(resources, a, "Mode")
		if mode == "" {
			continue
		}
		schedule := cfntemplate.Text(a["ScheduleExpression"])
		if w, ok := want[schedule]; ok {
			found[w] = found[w] || mode == w
			if mode != w {
				problems = append(problems, fmt.Sprintf("association %s: runs the cleanup document in Mode %s on %s, where the configuration's is %s", id, mode, schedule, w))
			}
		}
	}
	for _, w := range []string{"Cleanup", "Report"} {
		if !found[w] {
			problems = append(problems, fmt.Sprintf("the WSUS cleanup: no association runs its document in Mode %s on the configured schedule", w))
		}
	}
	return problems
}

// PromotedLists checks exact promotion: each Install task of ring i's window (config.RingWindows,
// i > 0) installs the list the ring before promoted (its InstallOverrideList ends with
// patchingspec.PromoteListKey of the previous ring's patch group). A ring reading its own list, or
// another's, installs what that ring installed, not what the ring before proved (mutation run
// 10's C08, which verify only saw as a read no row needed). The bucket is the stack's (a Ref or
// the fleet's output), so the key is what is judged.
func PromotedLists(patching map[string]any, d *config.Config) []string {
	resources := cfntemplate.Resources(patching)
	problems := promotedRings(resources)
	rings := d.RingWindows()
	if !d.Patching.Rings.PromotesExactly() || len(rings) < 2 {
		return problems
	}
	windows := windowIDs(resources)
	stages := d.Patching.Rings.Stages
	tasks := cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindowTask")
	for i := 1; i < len(rings) && i < len(stages); i++ {
		want := "/" + patchingspec.PromoteListKey(stages[i-1].PatchGroup)
		for _, j := range rings[i] {
			window := windows[d.Patching.MaintenanceWindows[j].Name]
			for _, id := range slices.Sorted(maps.Keys(tasks)) {
				t := tasks[id]
				params := cfntemplate.Parameters(cfntemplate.RunCommand(t))
				if cfntemplate.Ref(t["WindowId"]) != window || cfntemplate.Text(cfntemplate.First(params["Operation"])) != patchingspec.OperationInstall {
					continue
				}
				if got := rendered(cfntemplate.First(params[patchingspec.InstallOverrideListParameter])); !strings.HasSuffix(got, want) {
					problems = append(problems, fmt.Sprintf("task %s of ring %d (%s): installs the list %q, not the one ring %d (%s) promoted (...%s)",
						id, i+1, stages[i].PatchGroup, got, i, stages[i-1].PatchGroup, want))
				}
			}
		}
	}
	return problems
}

// promotedRings: a promotion task (an Automation task passing the runbook's PatchGroup) promotes
// the ring its own window patches: its PatchGroup is a patch group the window's targets select,
// by the key it passes as PatchGroupTagKey. The runbook lists what that group's nodes installed
// in this window's run (promote.py reads the nodes by that tag); another ring's group finds none
// of this run's nodes, writes no list, and the next ring's Install fails reading it (held-out run
// 45's B05).
func promotedRings(resources map[string]any) []string {
	var problems []string
	tasks := cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindowTask")
	for _, id := range slices.Sorted(maps.Keys(tasks)) {
		params := cfntemplate.Parameters(cfntemplate.Automation(tasks[id]))
		group, ok := params["PatchGroup"]
		if !ok {
			continue
		}
		key := cfntemplate.Text(cfntemplate.First(params["PatchGroupTagKey"]))
		selected := cfntemplate.WindowPatchGroups(resources, cfntemplate.Ref(tasks[id]["WindowId"]), []string{key})
		if g := cfntemplate.Text(cfntemplate.First(group)); !slices.Contains(selected, g) {
			problems = append(problems, fmt.Sprintf("task %s: promotes patch group %s by tag %q, and its window's targets select %v by it: it lists what another ring's nodes installed, or none", id, g, key, selected))
		}
	}
	return problems
}
