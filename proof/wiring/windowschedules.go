package wiring

import (
	"fmt"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// windowSchedules: each configured window's ScheduleOffset in the template is the configured
// one (absent for none). "The number of days to wait after the date and time specified by a cron
// expression before running the maintenance window" (ScheduleOffset, SSM
// UpdateMaintenanceWindowRequest, AWS SDK for Kotlin API reference, read 2026-12-07): an offset
// the configuration does not give moves every run to another day (held-out run 29's B05). The
// calendar (calendar.FromTemplate) reads the template's offset, but judges only the rings'
// order and deadlines, which a day's move can keep.
func windowSchedules(patching map[string]any, d *config.Config) []string {
	resources := cfntemplate.Resources(patching)
	windows, ids := cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindow"), windowIDs(resources)
	var problems []string
	for _, w := range d.Patching.MaintenanceWindows {
		id, ok := ids[w.Name]
		if !ok {
			continue
		}
		want := w.Window.WithDefaults()
		if got := cfntemplate.Int(windows[id]["ScheduleOffset"]); got != want.ScheduleOffset {
			problems = append(problems, fmt.Sprintf("window %s (%s): ScheduleOffset %d, the configuration's is %d: each run is %d day(s) off the configured day",
				w.Name, id, got, want.ScheduleOffset, got-want.ScheduleOffset))
		}
	}
	return problems
}
