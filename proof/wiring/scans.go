package wiring

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/ssmschedule"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// ScansOutsideWindows checks the deployed scan associations' schedules against the deployed
// windows, as validation checks the configured ones (config's validateScanOutsideWindows, with
// the same ssmschedule.Overlap and a scan taken as patchingspec.ScanHours): a scan that runs
// while a window is open runs AWS-RunPatchBaseline on the same nodes as the window's Install, and
// reports compliance from half-patched or rebooting nodes (mutation run 11's B10). A rate
// schedule, whose runs depend on when it was created, is not judged (Overlap leaves it undecided).
func ScansOutsideWindows(patching map[string]any) []string {
	resources := cfntemplate.Resources(patching)
	windows := cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindow")
	associations := cfntemplate.OfType(resources, "AWS::SSM::Association")
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(associations)) {
		a := associations[id]
		parameters, _ := a["Parameters"].(map[string]any)
		if cfntemplate.Text(a["Name"]) != patchingspec.RunPatchBaselineDocument || !slices.Contains(cfntemplate.Texts(parameters["Operation"]), "Scan") {
			continue
		}
		schedule := cfntemplate.Text(a["ScheduleExpression"])
		scan := ssmschedule.Opening{Schedule: schedule, Timezone: "UTC", ScheduleOffset: cfntemplate.Int(a["ScheduleOffset"]),
			Duration: patchingspec.ScanHours * time.Hour}
		for _, wid := range slices.Sorted(maps.Keys(windows)) {
			w := windows[wid]
			window := ssmschedule.Opening{Schedule: cfntemplate.Text(w["Schedule"]), Timezone: cfntemplate.Text(w["ScheduleTimezone"]),
				ScheduleOffset: cfntemplate.Int(w["ScheduleOffset"]), Duration: time.Duration(cfntemplate.Int(w["Duration"])) * time.Hour,
				StartDate: cfntemplate.Text(w["StartDate"]), EndDate: cfntemplate.Text(w["EndDate"])}
			if overlaps, why := ssmschedule.Overlap(scan, window); overlaps {
				problems = append(problems, fmt.Sprintf("scan association %s (%s): runs while window %s (%s) is open (%s): the scan and the window's Install run AWS-RunPatchBaseline on the same nodes at once",
					id, schedule, cfntemplate.Text(w["Name"]), window.Schedule, why))
			}
		}
	}
	return problems
}
