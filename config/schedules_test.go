package config

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
)

// cronStarts lists when an AWS cron expression of the forms the shipped configurations use
// (fixed minute and hour; day of month a number, * or ?; day of week *, ?, a day or DAY#n; every
// month and year) starts in [from, to), UTC. Other forms fail the test.
func cronStarts(t *testing.T, schedule string, from, to time.Time) []time.Time {
	t.Helper()
	f := strings.Fields(strings.TrimSuffix(strings.TrimPrefix(schedule, "cron("), ")"))
	require.Len(t, f, 6, schedule)
	minute, err1 := strconv.Atoi(f[0])
	hour, err2 := strconv.Atoi(f[1])
	require.NoError(t, err1, schedule)
	require.NoError(t, err2, schedule)
	require.Equal(t, []string{"*", "*"}, []string{f[3], f[5]}, schedule)
	days := map[string]time.Weekday{"SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6}
	var out []time.Time
	for d := from.Truncate(24 * time.Hour); d.Before(to); d = d.AddDate(0, 0, 1) {
		ok := true
		switch dom := f[2]; dom {
		case "*", "?":
		default:
			n, err := strconv.Atoi(dom)
			require.NoError(t, err, schedule)
			ok = d.Day() == n
		}
		switch dow := f[4]; dow {
		case "*", "?":
		default:
			name, nth, hasNth := strings.Cut(dow, "#")
			weekday, known := days[name]
			require.True(t, known, schedule)
			ok = ok && d.Weekday() == weekday
			if hasNth {
				n, err := strconv.Atoi(nth)
				require.NoError(t, err, schedule)
				ok = ok && (d.Day()-1)/7+1 == n
			}
		}
		if start := time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, time.UTC); ok && !start.Before(from) && start.Before(to) {
			out = append(out, start)
		}
	}
	return out
}

type run struct {
	what       string
	start, end time.Time
}

func (r run) overlaps(o run) bool { return r.start.Before(o.end) && o.start.Before(r.end) }

func TestScheduleCalculatorFindsTheDaysAndACollision(t *testing.T) {
	from, to := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
	assert.Equal(t, []time.Time{time.Date(2027, 1, 9, 0, 0, 0, 0, time.UTC)}, cronStarts(t, "cron(0 0 ? * SAT#2 *)", from, to))
	assert.Len(t, cronStarts(t, "cron(0 2 ? * SUN *)", from, to), 5, "January 2027 has five Sundays")
	assert.Equal(t, []time.Time{time.Date(2027, 1, 6, 8, 0, 0, 0, time.UTC)}, cronStarts(t, "cron(0 8 ? * WED#1 *)", from, to))
	// Planted: an agent update at 02:30 on Saturdays runs inside the WSUS window.
	wsus := run{"wsus", time.Date(2027, 1, 9, 2, 0, 0, 0, time.UTC), time.Date(2027, 1, 9, 5, 0, 0, 0, time.UTC)}
	assert.True(t, run{"agent", time.Date(2027, 1, 9, 2, 30, 0, 0, time.UTC), time.Date(2027, 1, 9, 3, 30, 0, 0, time.UTC)}.overlaps(wsus))
	assert.False(t, run{"agent", time.Date(2027, 1, 9, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 9, 1, 0, 0, 0, time.UTC)}.overlaps(wsus))
}

// In the shipped configurations, through 2027: every fleet window is preceded, within its week
// and without overlap, by a WSUS window; the agent updates and the WSUS cleanup overlap no window,
// and an agent update ends before the next window starts.
func TestShippedSchedulesPatchWsusFirstAndUpdateAgentsAndCleanOutsideTheWindows(t *testing.T) {
	from, to := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, file := range []string{"default.yaml", "example.yaml"} {
		cfg, err := Load(file)
		require.NoError(t, err, file)
		var wsusRuns, fleetRuns []run
		for _, w := range cfg.Patching.MaintenanceWindows {
			require.Equal(t, "UTC", w.Timezone, "%s %s", file, w.Name)
			require.Zero(t, w.ScheduleOffset, "%s %s", file, w.Name)
			for _, s := range cronStarts(t, w.Schedule, from, to) {
				r := run{w.Name, s, s.Add(time.Duration(*w.DurationHours) * time.Hour)}
				if slices.Contains(w.Targets.PatchGroups, cfg.Wsus.PatchGroup) {
					wsusRuns = append(wsusRuns, r)
				} else {
					fleetRuns = append(fleetRuns, r)
				}
			}
		}
		require.NotEmpty(t, wsusRuns, file)
		require.NotEmpty(t, fleetRuns, file)
		for _, f := range fleetRuns {
			assert.True(t, slices.ContainsFunc(wsusRuns, func(w run) bool { return !w.end.After(f.start) && f.start.Sub(w.start) < 7*24*time.Hour }),
				"%s: the fleet window %s at %s has no WSUS window in the week before it", file, f.what, f.start)
		}
		windows := append(append([]run(nil), wsusRuns...), fleetRuns...)
		var others []run
		for _, s := range cfg.Patching.AgentUpdate.Schedules {
			for _, start := range cronStarts(t, s, from, to) {
				others = append(others, run{"agent update " + s, start, start.Add(time.Hour)})
			}
		}
		require.GreaterOrEqual(t, len(others), 24, "%s: two agent updates a month", file)
		for _, start := range cronStarts(t, cfg.Wsus.Cleanup.Schedule, from, to) {
			others = append(others, run{"WSUS cleanup", start, start.Add(wsusspec.CleanupTimeoutSeconds * time.Second)})
		}
		for _, o := range others {
			for _, w := range windows {
				assert.False(t, o.overlaps(w), "%s: %s at %s overlaps the window %s at %s", file, o.what, o.start, w.what, w.start)
			}
		}
	}
}
