package wiring

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/constructs/ssmschedule"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
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
	windows := cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindow")
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
	for _, id := range slices.Sorted(maps.Keys(windows)) {
		problems = append(problems, taskOrder(resources, id)...)
		problems = append(problems, batchesStart(resources, id, windows[id])...)
	}
	baselines := cfntemplate.OfType(resources, "AWS::SSM::PatchBaseline")
	for _, id := range slices.Sorted(maps.Keys(baselines)) {
		add("baseline "+id, templateBaseline(baselines[id]).Problems())
	}
	return append(problems, AssociationSpecs(template)...)
}

// AssociationSpecs checks each association's schedule and rate control against the rules the
// configuration is validated by, in any stack: the fleet's WSUS client association is one too
// (mutation run 16's A13: MaxConcurrency "0%" there went unseen while only the patching stack's
// were judged).
func AssociationSpecs(template map[string]any) []string {
	var problems []string
	associations := cfntemplate.OfType(cfntemplate.Resources(template), "AWS::SSM::Association")
	for _, id := range slices.Sorted(maps.Keys(associations)) {
		a := associations[id]
		if schedule, ok := a["ScheduleExpression"].(string); ok {
			for _, p := range ssmschedule.AssociationProblems("ScheduleExpression", schedule) {
				problems = append(problems, "association "+id+": "+p.String())
			}
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

// taskOrder checks the order of a window's tasks by what each does, as the template says it:
// the start of the stopped targets (an Automation task with Action start) before every patch task,
// and their stop (Action stop) and the promotion (the runbook given the window execution and a
// Prefix to write the installed list under) after every patch task. "Tasks in a maintenance
// window are scheduled in priority order with tasks that have the same priority scheduled in
// parallel" (RegisterTaskWithMaintenanceWindow Priority, botocore 1.43.11's ssm model): a stop
// beside an Install stops the nodes it patches, a promotion beside or before it records what was
// there before the run (mutation run 9's N07 and R02).
func taskOrder(resources map[string]any, window string) []string {
	var patchTasks []int
	type step struct {
		id, what string
		priority int
		before   bool // it must run before every patch task, else after
	}
	var steps []step
	tasks := cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindowTask")
	for _, id := range slices.Sorted(maps.Keys(tasks)) {
		t := tasks[id]
		if cfntemplate.Ref(t["WindowId"]) != window {
			continue
		}
		priority := cfntemplate.Int(t["Priority"])
		if slices.Contains(patchDocuments, cfntemplate.Text(t["TaskArn"])) {
			patchTasks = append(patchTasks, priority)
			continue
		}
		params := cfntemplate.Parameters(cfntemplate.Automation(t))
		_, perExecution := params["WindowExecutionId"]
		switch action := cfntemplate.Text(cfntemplate.First(params["Action"])); {
		case perExecution && action == "start":
			steps = append(steps, step{id, "starts the stopped targets", priority, true})
		case perExecution && action == "stop":
			steps = append(steps, step{id, "stops the targets it started", priority, false})
		case perExecution && params["Prefix"] != nil:
			steps = append(steps, step{id, "promotes what the run installed", priority, false})
		}
	}
	var problems []string
	for _, s := range steps {
		for _, p := range patchTasks {
			if s.before && s.priority >= p {
				problems = append(problems, fmt.Sprintf("window %s: task %s %s at priority %d, not before a patch task's %d: the patch task may run on nodes still stopped", window, s.id, s.what, s.priority, p))
				break
			}
			if !s.before && s.priority <= p {
				problems = append(problems, fmt.Sprintf("window %s: task %s %s at priority %d, not after a patch task's %d: tasks of one priority run in parallel, lower ones first", window, s.id, s.what, s.priority, p))
				break
			}
		}
	}
	return problems
}

// batchesStart checks that each patch task's held-back batches can start until the window's
// cutoff: its TimeoutSeconds and AWS-RunPatchBaseline's execution timeout reach the cutoff
// (patchingspec.PatchTaskTimeoutSeconds has the facts). Otherwise the nodes of a batch not
// started by then are Delivery Timed Out: never patched, and uncounted in MaxErrors.
func batchesStart(resources map[string]any, window string, w map[string]any) []string {
	open := (cfntemplate.Int(w["Duration"]) - cfntemplate.Int(w["Cutoff"])) * 3600
	var problems []string
	tasks := cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindowTask")
	for _, id := range slices.Sorted(maps.Keys(tasks)) {
		t := tasks[id]
		if cfntemplate.Ref(t["WindowId"]) != window || !slices.Contains(patchDocuments, cfntemplate.Text(t["TaskArn"])) {
			continue
		}
		runCommand := cfntemplate.RunCommand(t)
		timeout := cfntemplate.Int(runCommand["TimeoutSeconds"])
		if timeout == 0 {
			// No page states the property's default (CloudFormation's and the API Reference's
			// MaintenanceWindowRunCommandParameters, read 2026-12-07): assume the shortest we set.
			timeout = patchingspec.MinPatchTaskTimeoutSeconds
		}
		if timeout+patchingspec.RunPatchBaselineStepTimeoutSeconds < open {
			problems = append(problems, fmt.Sprintf("window %s: task %s's batches may start only %d s after the window opens (TimeoutSeconds %d and the document's %d s), before its cutoff at %d s: "+
				"the nodes of a batch rate control holds back longer are never patched (Delivery Timed Out)", window, id, timeout+patchingspec.RunPatchBaselineStepTimeoutSeconds,
				timeout, patchingspec.RunPatchBaselineStepTimeoutSeconds, open))
		}
	}
	return problems
}

// templateWindow is a window as its template declares it, with its patch tasks (the install
// documents'), and the pre-patch image task's priority (AWS-CreateImage), if it has one.
func templateWindow(resources map[string]any, id string, w map[string]any) (window patchingspec.Window, imagePriority int, imaged bool) {
	duration, cutoff := cfntemplate.Int(w["Duration"]), cfntemplate.Int(w["Cutoff"])
	window = patchingspec.Window{Name: cfntemplate.Text(w["Name"]), Schedule: cfntemplate.Text(w["Schedule"]), Timezone: cfntemplate.Text(w["ScheduleTimezone"]),
		ScheduleOffset: cfntemplate.Int(w["ScheduleOffset"]), DurationHours: &duration, CutoffHours: &cutoff,
		StartDate: cfntemplate.Text(w["StartDate"]), EndDate: cfntemplate.Text(w["EndDate"])}
	if window.Timezone == "" {
		window.Timezone = "UTC" // the property's default
	}
	tasks := cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindowTask")
	for _, taskID := range slices.Sorted(maps.Keys(tasks)) {
		t := tasks[taskID]
		if cfntemplate.Ref(t["WindowId"]) != id {
			continue
		}
		switch document := cfntemplate.Text(t["TaskArn"]); {
		case document == "AWS-CreateImage":
			imagePriority, imaged = cfntemplate.Int(t["Priority"]), true
		case slices.Contains(patchDocuments, document):
			params := cfntemplate.Parameters(cfntemplate.RunCommand(t))
			window.Tasks = append(window.Tasks, patchingspec.Task{Operation: cfntemplate.Text(cfntemplate.First(params["Operation"])), RebootOption: cfntemplate.Text(cfntemplate.First(params["RebootOption"])),
				MaxConcurrency: cfntemplate.Text(t["MaxConcurrency"]), MaxErrors: cfntemplate.Text(t["MaxErrors"]), Priority: cfntemplate.Int(t["Priority"])})
		}
	}
	return window, imagePriority, imaged
}

// templateBaseline is a baseline as its template declares it.
func templateBaseline(b map[string]any) patchingspec.Baseline {
	baseline := patchingspec.Baseline{Name: cfntemplate.Text(b["Name"]), OperatingSystem: cfntemplate.Text(b["OperatingSystem"]), Default: b["DefaultBaseline"] == true,
		ApprovedPatchesComplianceLevel: cfntemplate.Text(b["ApprovedPatchesComplianceLevel"]), RejectedPatchesAction: cfntemplate.Text(b["RejectedPatchesAction"]),
		AvailableSecurityUpdatesComplianceStatus: cfntemplate.Text(b["AvailableSecurityUpdatesComplianceStatus"])}
	if baseline.OperatingSystem == "" {
		baseline.OperatingSystem = patchingspec.DefaultOperatingSystem // the property's default
	}
	for _, g := range cfntemplate.List(b["PatchGroups"]) {
		baseline.PatchGroups = append(baseline.PatchGroups, cfntemplate.Text(g))
	}
	for _, p := range cfntemplate.List(b["ApprovedPatches"]) {
		baseline.ApprovedPatches = append(baseline.ApprovedPatches, cfntemplate.Text(p))
	}
	for _, p := range cfntemplate.List(b["RejectedPatches"]) {
		baseline.RejectedPatches = append(baseline.RejectedPatches, cfntemplate.Text(p))
	}
	baseline.GlobalFilters = filters(b["GlobalFilters"])
	rules, _ := b["ApprovalRules"].(map[string]any)
	for _, r := range cfntemplate.List(rules["PatchRules"]) {
		r, _ := r.(map[string]any)
		rule := patchingspec.ApprovalRule{Filters: filters(r["PatchFilterGroup"]), ApproveUntilDate: cfntemplate.Text(r["ApproveUntilDate"]),
			ComplianceLevel: cfntemplate.Text(r["ComplianceLevel"]), EnableNonSecurity: r["EnableNonSecurity"] == true}
		if days, ok := r["ApproveAfterDays"].(float64); ok {
			d := int(days)
			rule.ApproveAfterDays = &d
		}
		baseline.ApprovalRules = append(baseline.ApprovalRules, rule)
	}
	for _, s := range cfntemplate.List(b["Sources"]) {
		s, _ := s.(map[string]any)
		source := patchingspec.PatchSource{Name: cfntemplate.Text(s["Name"]), Configuration: cfntemplate.Text(s["Configuration"])}
		for _, p := range cfntemplate.List(s["Products"]) {
			source.Products = append(source.Products, cfntemplate.Text(p))
		}
		baseline.Sources = append(baseline.Sources, source)
	}
	return baseline
}

// filters reads a PatchFilterGroup's PatchFilters into key: values.
func filters(group any) map[string][]string {
	g, _ := group.(map[string]any)
	out := map[string][]string{}
	for _, f := range cfntemplate.List(g["PatchFilters"]) {
		f, _ := f.(map[string]any)
		for _, v := range cfntemplate.List(f["Values"]) {
			out[cfntemplate.Text(f["Key"])] = append(out[cfntemplate.Text(f["Key"])], cfntemplate.Text(v))
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// AgentUpdates: no agent update association of either stack (the fleet's on the fleet tag, the
// server's on its instance in the fleet stack) runs while a window of the patching template is
// open (patchingspec.AgentUpdateInWindow, the rule validation applies to the configuration).
func AgentUpdates(patching, fleet map[string]any) []string {
	windowResources := cfntemplate.Resources(patching)
	windows := cfntemplate.OfType(windowResources, "AWS::SSM::MaintenanceWindow")
	var problems []string
	for _, template := range []map[string]any{patching, fleet} {
		associations := cfntemplate.OfType(cfntemplate.Resources(template), "AWS::SSM::Association")
		for _, id := range slices.Sorted(maps.Keys(associations)) {
			a := associations[id]
			schedule, ok := a["ScheduleExpression"].(string)
			if !ok || cfntemplate.Text(a["Name"]) != patchingspec.UpdateSSMAgentDocument {
				continue
			}
			for _, windowID := range slices.Sorted(maps.Keys(windows)) {
				w, _, _ := templateWindow(windowResources, windowID, windows[windowID])
				if overlaps, why := patchingspec.AgentUpdateInWindow(schedule, w); overlaps {
					problems = append(problems, fmt.Sprintf("association %s: updates SSM Agent (%s) while window %s is open (%s): a patch command sent while the agent restarts may never complete",
						id, schedule, windowID, why))
				}
			}
		}
	}
	return problems
}

// StartStopTargets checks that a window's start and stop tasks act on its own targets: their
// PatchGroups parameter names the patch groups the window targets. Another group's stopped
// instances would be started, and the window's own left stopped and never patched (mutation run
// 10's C10).
func StartStopTargets(patching map[string]any) []string {
	resources := cfntemplate.Resources(patching)
	var problems []string
	tasks := cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindowTask")
	for _, id := range slices.Sorted(maps.Keys(tasks)) {
		t := tasks[id]
		params := cfntemplate.Parameters(cfntemplate.Automation(t))
		action := cfntemplate.Text(cfntemplate.First(params["Action"]))
		groups := cfntemplate.Text(cfntemplate.First(params["PatchGroups"]))
		if (action != "start" && action != "stop") || groups == "" {
			continue
		}
		window := cfntemplate.Ref(t["WindowId"])
		want := slices.Compact(slices.Sorted(slices.Values(cfntemplate.WindowPatchGroups(resources, window, patchingspec.PatchGroupTagKeys))))
		got := slices.Compact(slices.Sorted(slices.Values(strings.Split(groups, ","))))
		if !slices.Equal(got, want) {
			problems = append(problems, fmt.Sprintf("task %s (%s): acts on patch groups %v, and its window %s targets %v", id, action, got, window, want))
		}
	}
	return problems
}
