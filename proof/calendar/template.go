package calendar

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// installDocuments are the documents whose Operation Install patches a window's nodes.
var installDocuments = []string{patchingspec.RunPatchBaselineDocument, patchingspec.RunPatchBaselineWithHooksDocument}

// FromTemplate is the plan as a deployment's patching template declares it, so that the calendar
// judges what would be deployed: its windows (AWS::SSM::MaintenanceWindow: Name, Schedule,
// ScheduleTimezone, ScheduleOffset, Duration, Cutoff, StartDate, EndDate), whether a task of each
// installs (an install document with Operation Install), the patch groups its targets name, and
// each group's delays from the ApprovalRules of the baseline registering it (PatchGroups), or,
// where none does, of the template's default Windows baseline (DefaultBaseline, which the deploy
// registers); without either the group is not judged: "Patch Manager uses the default patch
// baseline for the operating system type of the instance" ("About patch groups", Systems Manager
// User Guide), which is the account's and may have been registered outside these stacks. The
// rings' order, the WSUS server's group and the deadlines are the configuration's (FromConfig).
// The windows are in the configuration's order; one the configuration does not name is an error.
func FromTemplate(template map[string]any, cfg *config.Config, from time.Time) (Plan, error) {
	p := FromConfig(cfg, from)
	resources, _ := template["Resources"].(map[string]any)
	windows := cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindow")
	order := map[string]int{}
	for i, w := range p.Windows {
		order[w.Name] = i + 1
	}
	p.Windows = nil
	for _, id := range slices.Sorted(maps.Keys(windows)) {
		w := windows[id]
		name := fmt.Sprint(w["Name"])
		if order[name] == 0 {
			return Plan{}, fmt.Errorf("window %s (%s) of the template is not one of the configuration's", name, id)
		}
		groups, install := windowTargets(resources, id)
		p.Windows = append(p.Windows, Window{Name: name, Schedule: cfntemplate.Text(w["Schedule"]), Timezone: cfntemplate.Text(w["ScheduleTimezone"]),
			Offset: cfntemplate.Int(w["ScheduleOffset"]), DurationHours: cfntemplate.Int(w["Duration"]), CutoffHours: cfntemplate.Int(w["Cutoff"]),
			StartDate: cfntemplate.Text(w["StartDate"]), EndDate: cfntemplate.Text(w["EndDate"]), Install: install, PatchGroups: groups})
	}
	slices.SortFunc(p.Windows, func(a, b Window) int { return order[a.Name] - order[b.Name] })
	baselines, fallback := templateBaselines(resources)
	for name := range p.Groups {
		delete(p.Groups, name)
	}
	addGroup := func(name string) {
		if _, ok := p.Groups[name]; ok {
			return
		}
		b, ok := baselines[name]
		switch {
		case ok:
			p.Groups[name] = groupOf(name, b, p.Severities)
		case fallback != nil:
			p.Groups[name] = groupOf(name, *fallback, p.Severities)
		default:
			p.Groups[name] = Group{Name: name, Baseline: "(none of these stacks')",
				NotJudged: "no baseline of these stacks registers it: the account's default baseline for its operating system, or one registered outside them, decides"}
		}
	}
	for _, w := range p.Windows {
		if w.Install {
			for _, g := range w.PatchGroups {
				addGroup(g)
			}
		}
	}
	for _, g := range p.Rings {
		addGroup(g)
	}
	return p, nil
}

// windowTargets are the patch groups a window's targets name, and whether a task of it installs.
func windowTargets(resources map[string]any, window string) (groups []string, install bool) {
	groups = cfntemplate.WindowPatchGroups(resources, window, patchingspec.PatchGroupTagKeys)
	for _, task := range cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindowTask") {
		invocation, _ := task["TaskInvocationParameters"].(map[string]any)
		runCommand, _ := invocation["MaintenanceWindowRunCommandParameters"].(map[string]any)
		params, _ := runCommand["Parameters"].(map[string]any)
		if cfntemplate.Ref(task["WindowId"]) == window && slices.Contains(installDocuments, cfntemplate.Text(task["TaskArn"])) &&
			slices.Contains(cfntemplate.List(params["Operation"]), any(patchingspec.OperationInstall)) {
			install = true
		}
	}
	return groups, install
}

// templateBaselines are the template's baselines by the patch groups they register, with their
// approval rules' filters, delays and end dates (ApprovalRules.PatchRules), and the template's
// default Windows baseline, which a group no baseline registers uses (nil without one).
func templateBaselines(resources map[string]any) (map[string]patchingspec.Baseline, *patchingspec.Baseline) {
	out := map[string]patchingspec.Baseline{}
	var fallback *patchingspec.Baseline
	found := cfntemplate.OfType(resources, "AWS::SSM::PatchBaseline")
	for _, id := range slices.Sorted(maps.Keys(found)) {
		b := found[id]
		baseline := patchingspec.Baseline{Name: cfntemplate.Text(b["Name"]), OperatingSystem: cfntemplate.Text(b["OperatingSystem"])}
		if baseline.OperatingSystem == "" {
			baseline.OperatingSystem = patchingspec.DefaultOperatingSystem // the property's default, WINDOWS
		}
		rules, _ := b["ApprovalRules"].(map[string]any)
		for _, r := range cfntemplate.List(rules["PatchRules"]) {
			r, _ := r.(map[string]any)
			rule := patchingspec.ApprovalRule{Filters: map[string][]string{}, ApproveUntilDate: cfntemplate.Text(r["ApproveUntilDate"])}
			if days, ok := r["ApproveAfterDays"].(float64); ok {
				d := int(days)
				rule.ApproveAfterDays = &d
			}
			group, _ := r["PatchFilterGroup"].(map[string]any)
			for _, f := range cfntemplate.List(group["PatchFilters"]) {
				f, _ := f.(map[string]any)
				for _, v := range cfntemplate.List(f["Values"]) {
					rule.Filters[cfntemplate.Text(f["Key"])] = append(rule.Filters[cfntemplate.Text(f["Key"])], cfntemplate.Text(v))
				}
			}
			baseline.ApprovalRules = append(baseline.ApprovalRules, rule)
		}
		// A group may have a baseline for each operating system (GetPatchBaselineForPatchGroup
		// takes the group and an OperatingSystem, AWS Systems Manager API Reference, read
		// 2026-12-07): its Windows one is the one the deadlines judge, else the first by logical ID,
		// so that the plan does not follow map order.
		for _, g := range cfntemplate.List(b["PatchGroups"]) {
			if held, ok := out[cfntemplate.Text(g)]; !ok || held.OperatingSystem != patchingspec.DefaultOperatingSystem && baseline.OperatingSystem == patchingspec.DefaultOperatingSystem {
				out[cfntemplate.Text(g)] = baseline
			}
		}
		if b["DefaultBaseline"] == true && baseline.OperatingSystem == patchingspec.DefaultOperatingSystem {
			fallback = &baseline
		}
	}
	return out, fallback
}
