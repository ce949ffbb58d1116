package wiring

import (
	"fmt"
	"time"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// windowSchedules: each configured window's ScheduleTimezone, ScheduleOffset, StartDate and
// EndDate in the template are the configured ones (held-out run 31's A01: a start date a year
// later, which only the calendar's print showed) (absent: UTC, and no offset). "A time zone option determines the
// international time zone that the maintenance window schedule is based on" ("Maintenance window
// scheduling and active period options", Systems Manager User Guide, read 2026-12-07): another
// zone, even a valid one, moves the runs in local time, Etc/GMT for Europe/London by an hour
// through British Summer Time (held-out run 29's B01). "The number of days to wait after the date and time specified by a cron
// expression before running the maintenance window" (ScheduleOffset, SSM
// UpdateMaintenanceWindowRequest, AWS SDK for Kotlin API reference, read 2026-12-07): an offset
// the configuration does not give moves every run to another day (held-out run 29's B05). The
// calendar (calendar.FromTemplate) reads the template's offset, but judges only the rings'
// order and deadlines, which a day's move can keep. Zones' offsets are compared from day (verify's
// today), so that the answer for a zone whose rules change depends on what is passed in, not on
// the wall clock (the second review of session 18's finding 6).
func windowSchedules(patching map[string]any, d *config.Config, day time.Time) []string {
	resources := cfntemplate.Resources(patching)
	windows, ids := cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindow"), windowIDs(resources)
	var problems []string
	for _, w := range d.Patching.MaintenanceWindows {
		id, ok := ids[w.Name]
		if !ok {
			continue
		}
		want := w.Window.WithDefaults()
		got := cfntemplate.Text(windows[id]["ScheduleTimezone"])
		if got == "" {
			got = "UTC" // the property's default
		}
		if got != want.Timezone && !sameOffsets(got, want.Timezone, day) {
			problems = append(problems, fmt.Sprintf("window %s (%s): ScheduleTimezone %s, the configuration's is %s: its %s runs at another local time whenever the two zones' UTC offsets differ",
				w.Name, id, got, want.Timezone, want.Schedule))
		}
		for _, date := range []struct{ property, configured, key string }{
			{"StartDate", want.StartDate, "startDate"}, {"EndDate", want.EndDate, "endDate"},
		} {
			if got := cfntemplate.Text(windows[id][date.property]); !sameInstant(got, date.configured) {
				problems = append(problems, fmt.Sprintf("window %s (%s): %s %q, the configuration's %s is %q: the window is active from or until another day than configured",
					w.Name, id, date.property, got, date.key, date.configured))
			}
		}
		if got := cfntemplate.Int(windows[id]["ScheduleOffset"]); got != want.ScheduleOffset {
			problems = append(problems, fmt.Sprintf("window %s (%s): ScheduleOffset %d, the configuration's is %d: each run is %d day(s) off the configured day",
				w.Name, id, got, want.ScheduleOffset, got-want.ScheduleOffset))
		}
	}
	return problems
}

// sameInstant: a and b are the same ISO 8601 date and time ("StartDate", "EndDate": "in ISO-8601
// Extended format", AWS::SSM::MaintenanceWindow, CloudFormation Template Reference), or the same
// text (both absent included) where either is not RFC 3339.
func sameInstant(a, b string) bool {
	ta, errA := time.Parse(time.RFC3339, a)
	tb, errB := time.Parse(time.RFC3339, b)
	if errA != nil || errB != nil {
		return a == b
	}
	return ta.Equal(tb)
}

// sameOffsets: zones a and b have the same UTC offset every six hours over two years from from
// (Etc/GMT and UTC do: a window in either runs at the same instants); an unknown zone has none.
func sameOffsets(a, b string, from time.Time) bool {
	la, errA := time.LoadLocation(a)
	lb, errB := time.LoadLocation(b)
	if errA != nil || errB != nil {
		return false
	}
	for t := from; t.Before(from.AddDate(2, 0, 0)); t = t.Add(6 * time.Hour) {
		_, oa := t.In(la).Zone()
		_, ob := t.In(lb).Zone()
		if oa != ob {
			return false
		}
	}
	return true
}
