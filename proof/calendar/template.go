package calendar

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
)

// installDocuments are the documents whose Operation Install patches a window's nodes.
var installDocuments = []string{patchingspec.RunPatchBaselineDocument, patchingspec.RunPatchBaselineWithHooksDocument}

// patchGroupKeys are the window-target keys that name a patch group.
var patchGroupKeys = []string{"tag:Patch Group", "tag:PatchGroup"}

// FromTemplate is the plan as a deployment's patching template declares it, so that the calendar
// judges what would be deployed: its windows (AWS::SSM::MaintenanceWindow: Name, Schedule,
// ScheduleTimezone, ScheduleOffset, Duration, Cutoff, StartDate, EndDate), whether a task of each
// installs (an install document with Operation Install), the patch groups its targets name, and
// each group's delays from the ApprovalRules of the baseline registering it (PatchGroups), or,
// where none does, of the template's default Windows baseline (DefaultBaseline), else AWS's
// ("About patch groups": without a baseline for the group, Patch Manager "notifies SSM Agent to
// use the default Windows patch baseline"). The rings' order, the WSUS server's group and the
// deadlines are the configuration's (FromConfig). The windows are in the configuration's order;
// one the configuration does not name is an error.
func FromTemplate(template map[string]any, cfg *config.Config, from time.Time) (Plan, error) {
	p := FromConfig(cfg, from)
	resources, _ := template["Resources"].(map[string]any)
	windows := ofType(resources, "AWS::SSM::MaintenanceWindow")
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
		p.Windows = append(p.Windows, Window{Name: name, Schedule: text(w["Schedule"]), Timezone: text(w["ScheduleTimezone"]),
			Offset: number(w["ScheduleOffset"]), DurationHours: number(w["Duration"]), CutoffHours: number(w["Cutoff"]),
			StartDate: text(w["StartDate"]), EndDate: text(w["EndDate"]), Install: install, PatchGroups: groups})
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
		if !ok {
			b = fallback
		}
		p.Groups[name] = Group{Name: name, Baseline: b.Name, Delays: delays(b, p.Severities)}
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
	targets := ofType(resources, "AWS::SSM::MaintenanceWindowTarget")
	for _, id := range slices.Sorted(maps.Keys(targets)) {
		if ref(targets[id]["WindowId"]) != window {
			continue
		}
		for _, t := range list(targets[id]["Targets"]) {
			t, _ := t.(map[string]any)
			if slices.Contains(patchGroupKeys, text(t["Key"])) {
				for _, v := range list(t["Values"]) {
					groups = append(groups, text(v))
				}
			}
		}
	}
	for _, task := range ofType(resources, "AWS::SSM::MaintenanceWindowTask") {
		invocation, _ := task["TaskInvocationParameters"].(map[string]any)
		runCommand, _ := invocation["MaintenanceWindowRunCommandParameters"].(map[string]any)
		params, _ := runCommand["Parameters"].(map[string]any)
		if ref(task["WindowId"]) == window && slices.Contains(installDocuments, text(task["TaskArn"])) &&
			slices.Contains(list(params["Operation"]), any(patchingspec.OperationInstall)) {
			install = true
		}
	}
	return groups, install
}

// templateBaselines are the template's baselines by the patch groups they register, with their
// approval rules' filters, delays and end dates (ApprovalRules.PatchRules), and the baseline a
// group no baseline registers uses: the template's default Windows one, else AWS's.
func templateBaselines(resources map[string]any) (map[string]patchingspec.Baseline, patchingspec.Baseline) {
	out := map[string]patchingspec.Baseline{}
	fallback := config.AwsDefaultBaseline().Baseline
	for _, b := range ofType(resources, "AWS::SSM::PatchBaseline") {
		baseline := patchingspec.Baseline{Name: text(b["Name"]), OperatingSystem: text(b["OperatingSystem"])}
		if baseline.OperatingSystem == "" {
			baseline.OperatingSystem = patchingspec.DefaultOperatingSystem // the property's default, WINDOWS
		}
		rules, _ := b["ApprovalRules"].(map[string]any)
		for _, r := range list(rules["PatchRules"]) {
			r, _ := r.(map[string]any)
			rule := patchingspec.ApprovalRule{Filters: map[string][]string{}, ApproveUntilDate: text(r["ApproveUntilDate"])}
			if days, ok := r["ApproveAfterDays"].(float64); ok {
				d := int(days)
				rule.ApproveAfterDays = &d
			}
			group, _ := r["PatchFilterGroup"].(map[string]any)
			for _, f := range list(group["PatchFilters"]) {
				f, _ := f.(map[string]any)
				for _, v := range list(f["Values"]) {
					rule.Filters[text(f["Key"])] = append(rule.Filters[text(f["Key"])], text(v))
				}
			}
			baseline.ApprovalRules = append(baseline.ApprovalRules, rule)
		}
		for _, g := range list(b["PatchGroups"]) {
			out[text(g)] = baseline
		}
		if b["DefaultBaseline"] == true && baseline.OperatingSystem == patchingspec.DefaultOperatingSystem {
			fallback = baseline
		}
	}
	return out, fallback
}

func ofType(resources map[string]any, t string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range resources {
		if r, ok := r.(map[string]any); ok && r["Type"] == t {
			p, _ := r["Properties"].(map[string]any)
			out[id] = p
		}
	}
	return out
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func ref(v any) string {
	m, _ := v.(map[string]any)
	s, _ := m["Ref"].(string)
	return s
}

// text is a string property, "" when absent.
func text(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// number is an integer property, 0 when absent.
func number(v any) int {
	f, _ := v.(float64)
	return int(f)
}
