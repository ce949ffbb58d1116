package wiring

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
	"github.com/privatepatch/privatepatch/proof/calendar"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// cleanupYears is how many years of the cleanup's runs CleanupAge compares the age with: four
// hold a leap year, and every month's first weekday of each kind.
const cleanupYears = 4

// CleanupAge checks the age after which the WSUS cleanup's state reads unhealthy (its document's
// MaxDaysWithoutCleanup, which every Report run compares the last success with): each
// association of the cleanup document (Mode Cleanup or Report) passes it, as
// wsusspec.MaxDaysWithoutCleanup derives it from the configured schedule (the construct's own
// source, not the document's default, which is the default schedule's); and it is at least the
// longest gap between two runs of the Cleanup association's schedule (calendar.Window.Runs over
// cleanupYears years from from), plus wsusspec.CleanupTimeoutSeconds, since the success is
// recorded when the run ends. Shorter, CleanupHealthy reads 0 between two good monthly runs and
// the alarm fires most of the month (mutation run 21's B08).
func CleanupAge(fleet map[string]any, d *config.Config, from time.Time) []string {
	if !d.Wsus.Enabled || !d.Wsus.Cleanup.On() {
		return nil
	}
	want := strconv.Itoa(wsusspec.MaxDaysWithoutCleanup(d.Wsus.Cleanup.Schedule))
	resources := cfntemplate.Resources(fleet)
	associations := cfntemplate.OfType(resources, "AWS::SSM::Association")
	var problems []string
	var cleanup map[string]any
	ages := map[string]int{}
	for _, id := range slices.Sorted(maps.Keys(associations)) {
		a := associations[id]
		mode := cfntemplate.AssociationParameter(resources, a, "Mode")
		if mode != "Cleanup" && mode != "Report" {
			continue
		}
		if mode == "Cleanup" {
			cleanup = a
		}
		parameters, _ := a["Parameters"].(map[string]any)
		got, passed := parameters["MaxDaysWithoutCleanup"]
		if !passed {
			problems = append(problems, fmt.Sprintf("association %s (Mode %s): passes no MaxDaysWithoutCleanup: the document's default applies, not the %s days the configured cleanup schedule %s gives (wsusspec.MaxDaysWithoutCleanup)",
				id, mode, want, d.Wsus.Cleanup.Schedule))
		} else if text := cfntemplate.Text(cfntemplate.First(got)); text != want {
			problems = append(problems, fmt.Sprintf("association %s (Mode %s): MaxDaysWithoutCleanup %s, where the configured cleanup schedule %s gives %s (wsusspec.MaxDaysWithoutCleanup)",
				id, mode, text, d.Wsus.Cleanup.Schedule, want))
		}
		if days, err := strconv.Atoi(cfntemplate.AssociationParameter(resources, a, "MaxDaysWithoutCleanup")); err == nil {
			ages[id] = days
		}
	}
	if cleanup == nil {
		return problems // CleanupModes names the missing association
	}
	schedule := cfntemplate.Text(cleanup["ScheduleExpression"])
	gap, after, before, err := longestGap(schedule, cfntemplate.Int(cleanup["ScheduleOffset"]), from)
	if err != nil {
		return append(problems, fmt.Sprintf("the WSUS cleanup's schedule %s: its runs cannot be listed: %v", schedule, err))
	}
	for _, id := range slices.Sorted(maps.Keys(ages)) {
		if age := time.Duration(ages[id]) * 24 * time.Hour; age < gap+wsusspec.CleanupTimeoutSeconds*time.Second {
			problems = append(problems, fmt.Sprintf("association %s: MaxDaysWithoutCleanup %d days is shorter than the cleanup's longest gap on %s, %s from %s to %s, and its %d-hour run: CleanupHealthy reads 0 between good runs, and the alarm fires",
				id, ages[id], schedule, inDays(gap), stamp(after), stamp(before), wsusspec.CleanupTimeoutSeconds/3600))
		}
	}
	return problems
}

// longestGap is the longest time between two consecutive runs of an association's cron schedule
// (UTC, with its ScheduleOffset) from from over cleanupYears years, and the runs it lies between;
// after the last run, the end of that span counts as the next, so a schedule that stops (a year
// field) has a gap to it.
func longestGap(schedule string, offset int, from time.Time) (gap time.Duration, after, before time.Time, err error) {
	until := from.AddDate(cleanupYears, 0, 0)
	runs, err := calendar.Window{Name: "cleanup", Schedule: schedule, Offset: offset}.Runs(from, until)
	if err != nil {
		return 0, after, before, err
	}
	if len(runs) == 0 {
		return 0, after, before, fmt.Errorf("it does not run in the %d years from %s", cleanupYears, stamp(from))
	}
	for i, r := range runs {
		next := until
		if i+1 < len(runs) {
			next = runs[i+1].Start
		}
		if g := next.Sub(r.Start); g > gap {
			gap, after, before = g, r.Start, next
		}
	}
	return gap, after, before, nil
}

// inDays is a duration in days, to the hour.
func inDays(d time.Duration) string {
	return fmt.Sprintf("%dd%02dh", int(d.Hours())/24, int(d.Hours())%24)
}

// stamp is a time as the messages give it.
func stamp(t time.Time) string { return t.UTC().Format("Mon 2006-01-02 15:04Z") }
