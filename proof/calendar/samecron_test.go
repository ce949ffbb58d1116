package calendar

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/constructs/ssmschedule"
)

// previousStarts are schedule's starts from from until until as ssmschedule.Previous (the doctor's
// reader) walks them back from until, or nil when it cannot judge the schedule.
func previousStarts(schedule string, from, until time.Time) []time.Time {
	var out []time.Time
	for t := until.Add(-time.Second); ; {
		start, _, ok := ssmschedule.Previous(schedule, t, time.UTC)
		if !ok || start.Before(from) {
			return out
		}
		out = append([]time.Time{start}, out...)
		t = start.Add(-time.Minute)
	}
}

func calendarStarts(schedule string, from, until time.Time) ([]time.Time, error) {
	runs, err := Window{Name: "w", Schedule: schedule, DurationHours: 1}.Runs(from, until)
	var out []time.Time
	for _, r := range runs {
		out = append(out, r.Start)
	}
	return out, err
}

// The calendar proof and the window-overlap check (with Previous, the doctor's) read cron with one
// reader, ssmschedule.ParseCron: for each form they give the same starts, or both refuse.
func TestCalendarAndOverlapCheckReadCronAlike(t *testing.T) {
	until := time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, schedule string
		refused        string // what both say when the form cannot be decided or is not AWS's
	}{
		{"DAY#k", "cron(0 2 ? * TUE#2 *)", ""},
		{"DAY#k with seconds and a month step", "cron(0 0 2 ? 1/1 THU#3 *)", ""},
		{"nL, the last such day", "cron(15 10 ? * 6L *)", ""},
		{"a named last day", "cron(0 2 ? * FRIL *)", ""},
		{"L, the month's last day", "cron(0 2 L * ? *)", ""},
		{"names and a named range", "cron(0 2 ? JAN,JUL MON-WED *)", ""},
		{"steps in hours and days", "cron(0 0/12 1-31/10 * ? *)", ""},
		{"a stepped range of days and years", "cron(30 23 ? * 2-6/2 2026-2030)", ""},
		{"a month range and a list of days", "cron(0 4 1,15 FEB-MAR ? *)", ""},
		{"nW, the weekday nearest the 9th", "cron(0 2 9W * ? *)", ""},
		{"LW, the month's last weekday", "cron(0 2 LW * ? *)", ""},
		{"undecidable: a wrapping range", "cron(0 2 ? * FRI-MON *)", "wraps around"},
		{"undecidable: L alone in the day of week", "cron(0 2 ? * L *)", "DAYL"},
		// Planted failures: expressions AWS's grammar refuses.
		{"refused: # in a list", "cron(0 2 ? * 3#1,6#3 *)", "DAY#k"},
		{"refused: hour 24", "cron(0 24 ? * SUN *)", "hours"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, parseErr := ssmschedule.ParseCron(tc.schedule)
			cal, calErr := calendarStarts(tc.schedule, from, until)
			prev := previousStarts(tc.schedule, from, until)
			overlap, why := ssmschedule.MayOverlap(ssmschedule.Opening{Schedule: tc.schedule, Duration: time.Minute},
				ssmschedule.Opening{Schedule: "at(2099-01-01T00:00:00)", Duration: time.Minute})
			if tc.refused != "" {
				assert.ErrorContains(t, parseErr, tc.refused)
				assert.ErrorContains(t, calErr, tc.refused)
				assert.Empty(t, prev, "Previous judges a schedule the calendar refuses")
				assert.True(t, overlap, "MayOverlap must take a refused schedule to overlap")
				assert.Contains(t, why, tc.refused)
				return
			}
			require.NoError(t, parseErr)
			require.NoError(t, calErr)
			require.NotEmpty(t, cal)
			assert.Equal(t, stamps(cal), stamps(prev))
			// The overlap check meets the calendar's first run where the calendar puts it.
			first := cal[0].Format("2006-01-02T15:04:05")
			overlap, why = ssmschedule.MayOverlap(ssmschedule.Opening{Schedule: tc.schedule, Duration: time.Minute},
				ssmschedule.Opening{Schedule: "at(" + first + ")", Duration: time.Minute})
			assert.True(t, overlap)
			assert.Contains(t, why, cal[0].Format("2006-01-02 15:04"))
		})
	}
}

// The comparison can fail: two schedules that differ by a day give different starts.
func TestCronComparisonSeesADifference(t *testing.T) {
	until := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	cal, err := calendarStarts("cron(0 2 ? * SUN *)", from, until)
	require.NoError(t, err)
	assert.NotEqual(t, stamps(cal), stamps(previousStarts("cron(0 2 ? * SAT *)", from, until)))
}

func stamps(ts []time.Time) []string {
	out := []string{}
	for _, t := range ts {
		out = append(out, t.UTC().Format(time.RFC3339))
	}
	return out
}
