package wiring

import (
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/constructs/ssmschedule"
)

// SpecProblems checks the patching stack's windows, their patch tasks, baselines and
// associations with the rules the configuration is validated by (patchingspec, ssmschedule), as
// the template declares them: a construct that wrote something its configuration did not say
// would otherwise reach AWS, which refuses some of it at deploy (a cutoff not less than the
// duration, a rate control or filter key it does not take, an association's schedule) and runs
// the rest otherwise than planned (an install task beside the pre-patch image).
func SpecProblems(template map[string]any) []string {
	resources, _ := template["Resources"].(map[string]any)
	var problems []string
	add := func(what string, ps spec.Problems) {
		for _, p := range ps {
			problems = append(problems, what+": "+p.String())
		}
	}
	windows := ofType(resources, "AWS::SSM::MaintenanceWindow")
	for _, id := range slices.Sorted(maps.Keys(windows)) {
		w, imagePriority, imaged := templateWindow(resources, id, windows[id])
		add("window "+id, w.Problems())
		for _, t := range w.Tasks {
			// "Tasks in a maintenance window are scheduled in priority order with tasks that have
			// the same priority scheduled in parallel" (RegisterTaskWithMaintenanceWindow Priority,
			// botocore 1.43.11's ssm model): the image must be taken before any install starts.
			if imaged && t.Operation == patchingspec.OperationInstall && t.Priority <= imagePriority {
				problems = append(problems, fmt.Sprintf("window %s: an Install task has priority %d, not after the pre-patch image's %d: it may patch before the image is taken", id, t.Priority, imagePriority))
			}
		}
	}
	baselines := ofType(resources, "AWS::SSM::PatchBaseline")
	for _, id := range slices.Sorted(maps.Keys(baselines)) {
		add("baseline "+id, templateBaseline(baselines[id]).Problems())
	}
	associations := ofType(resources, "AWS::SSM::Association")
	for _, id := range slices.Sorted(maps.Keys(associations)) {
		a := associations[id]
		if schedule, ok := a["ScheduleExpression"].(string); ok {
			add("association "+id, ssmschedule.AssociationProblems("ScheduleExpression", schedule))
		}
		if v, ok := a["MaxConcurrency"].(string); ok && !patchingspec.ValidConcurrency(v) {
			problems = append(problems, fmt.Sprintf("association %s: MaxConcurrency %q is not a rate Systems Manager takes", id, v))
		}
		if v, ok := a["MaxErrors"].(string); ok && !patchingspec.ValidMaxErrors(v) {
			problems = append(problems, fmt.Sprintf("association %s: MaxErrors %q is not a rate Systems Manager takes", id, v))
		}
	}
	return problems
}

// templateWindow is a window as its template declares it, with its patch tasks (the install
// documents'), and the pre-patch image task's priority (AWS-CreateImage), if it has one.
func templateWindow(resources map[string]any, id string, w map[string]any) (window patchingspec.Window, imagePriority int, imaged bool) {
	duration, cutoff := number(w["Duration"]), number(w["Cutoff"])
	window = patchingspec.Window{Name: text(w["Name"]), Schedule: text(w["Schedule"]), Timezone: text(w["ScheduleTimezone"]),
		ScheduleOffset: number(w["ScheduleOffset"]), DurationHours: &duration, CutoffHours: &cutoff,
		StartDate: text(w["StartDate"]), EndDate: text(w["EndDate"])}
	if window.Timezone == "" {
		window.Timezone = "UTC" // the property's default
	}
	tasks := ofType(resources, "AWS::SSM::MaintenanceWindowTask")
	for _, taskID := range slices.Sorted(maps.Keys(tasks)) {
		t := tasks[taskID]
		if ref(t["WindowId"]) != id {
			continue
		}
		switch document := text(t["TaskArn"]); {
		case document == "AWS-CreateImage":
			imagePriority, imaged = number(t["Priority"]), true
		case slices.Contains(patchDocuments, document):
			invocation, _ := t["TaskInvocationParameters"].(map[string]any)
			runCommand, _ := invocation["MaintenanceWindowRunCommandParameters"].(map[string]any)
			params, _ := runCommand["Parameters"].(map[string]any)
			window.Tasks = append(window.Tasks, patchingspec.Task{Operation: text(first(params["Operation"])), RebootOption: text(first(params["RebootOption"])),
				MaxConcurrency: text(t["MaxConcurrency"]), MaxErrors: text(t["MaxErrors"]), Priority: number(t["Priority"])})
		}
	}
	return window, imagePriority, imaged
}

// templateBaseline is a baseline as its template declares it.
func templateBaseline(b map[string]any) patchingspec.Baseline {
	baseline := patchingspec.Baseline{Name: text(b["Name"]), OperatingSystem: text(b["OperatingSystem"]), Default: b["DefaultBaseline"] == true,
		ApprovedPatchesComplianceLevel: text(b["ApprovedPatchesComplianceLevel"]), RejectedPatchesAction: text(b["RejectedPatchesAction"]),
		AvailableSecurityUpdatesComplianceStatus: text(b["AvailableSecurityUpdatesComplianceStatus"])}
	if baseline.OperatingSystem == "" {
		baseline.OperatingSystem = patchingspec.DefaultOperatingSystem // the property's default
	}
	for _, g := range list(b["PatchGroups"]) {
		baseline.PatchGroups = append(baseline.PatchGroups, text(g))
	}
	for _, p := range list(b["ApprovedPatches"]) {
		baseline.ApprovedPatches = append(baseline.ApprovedPatches, text(p))
	}
	for _, p := range list(b["RejectedPatches"]) {
		baseline.RejectedPatches = append(baseline.RejectedPatches, text(p))
	}
	baseline.GlobalFilters = filters(b["GlobalFilters"])
	rules, _ := b["ApprovalRules"].(map[string]any)
	for _, r := range list(rules["PatchRules"]) {
		r, _ := r.(map[string]any)
		rule := patchingspec.ApprovalRule{Filters: filters(r["PatchFilterGroup"]), ApproveUntilDate: text(r["ApproveUntilDate"]),
			ComplianceLevel: text(r["ComplianceLevel"]), EnableNonSecurity: r["EnableNonSecurity"] == true}
		if days, ok := r["ApproveAfterDays"].(float64); ok {
			d := int(days)
			rule.ApproveAfterDays = &d
		}
		baseline.ApprovalRules = append(baseline.ApprovalRules, rule)
	}
	for _, s := range list(b["Sources"]) {
		s, _ := s.(map[string]any)
		source := patchingspec.PatchSource{Name: text(s["Name"]), Configuration: text(s["Configuration"])}
		for _, p := range list(s["Products"]) {
			source.Products = append(source.Products, text(p))
		}
		baseline.Sources = append(baseline.Sources, source)
	}
	return baseline
}

// filters reads a PatchFilterGroup's PatchFilters into key: values.
func filters(group any) map[string][]string {
	g, _ := group.(map[string]any)
	out := map[string][]string{}
	for _, f := range list(g["PatchFilters"]) {
		f, _ := f.(map[string]any)
		for _, v := range list(f["Values"]) {
			out[text(f["Key"])] = append(out[text(f["Key"])], text(v))
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func text(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

func number(v any) int {
	switch v := v.(type) {
	case float64:
		return int(v)
	case string:
		n, _ := strconv.Atoi(v)
		return n
	}
	return 0
}
