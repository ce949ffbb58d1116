package wiring

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
)

// cleanupFrom is the first day the tests list the cleanup's runs from.
var cleanupFrom = time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)

// Every golden's cleanup passes the age its schedule gives, which outlasts the monthly gap; run
// 21's B08 (MaxDaysWithoutCleanup 6 on the first Wednesday's cleanup), the value removed, and a
// weekly schedule judged by its own gap are named.
func TestCleanupAgeOutlastsTheLongestGapBetweenCleanups(t *testing.T) {
	cfg, err := config.Load("../../config/example.yaml")
	require.NoError(t, err)
	for _, scenario := range goldenScenarios {
		for _, fleet := range goldenStacks(t, scenario, "fleet") {
			assert.Empty(t, CleanupAge(fleet, cfg, cleanupFrom), scenario)
		}
	}

	fleet := read(t, "../../test/testdata/example.fleet.template.json")
	props(fleet, "WsusCleanupReportAssociation299BB976")["Parameters"].(map[string]any)["MaxDaysWithoutCleanup"] = []any{"6"}
	problems := joined(CleanupAge(fleet, cfg, cleanupFrom))
	assert.Contains(t, problems, "association WsusCleanupReportAssociation299BB976 (Mode Report): MaxDaysWithoutCleanup 6, where the configured cleanup schedule cron(0 8 ? * WED#1 *) gives 62")
	assert.Contains(t, problems, "association WsusCleanupReportAssociation299BB976: MaxDaysWithoutCleanup 6 days is shorter than the cleanup's longest gap on cron(0 8 ? * WED#1 *), 35d00h from")
	assert.NotContains(t, problems, "WsusCleanupAssociation398E721C")

	fleet = read(t, "../../test/testdata/example.fleet.template.json")
	delete(props(fleet, "WsusCleanupAssociation398E721C")["Parameters"].(map[string]any), "MaxDaysWithoutCleanup")
	assert.Equal(t, []string{"association WsusCleanupAssociation398E721C (Mode Cleanup): passes no MaxDaysWithoutCleanup: the document's default applies, " +
		"not the 62 days the configured cleanup schedule cron(0 8 ? * WED#1 *) gives (wsusspec.MaxDaysWithoutCleanup)"}, CleanupAge(fleet, cfg, cleanupFrom))

	// A weekly cleanup is given 14 days (two periods): the template's 62 differs from it, and
	// 10 days outlast its 7-day gap, so only the value is named.
	weekly := *cfg
	weekly.Wsus.Cleanup.Schedule = "cron(0 8 ? * WED *)"
	fleet = read(t, "../../test/testdata/example.fleet.template.json")
	props(fleet, "WsusCleanupAssociation398E721C")["ScheduleExpression"] = weekly.Wsus.Cleanup.Schedule
	props(fleet, "WsusCleanupReportAssociation299BB976")["Parameters"].(map[string]any)["MaxDaysWithoutCleanup"] = []any{"10"}
	problems = joined(CleanupAge(fleet, &weekly, cleanupFrom))
	assert.Contains(t, problems, "association WsusCleanupReportAssociation299BB976 (Mode Report): MaxDaysWithoutCleanup 10, where the configured cleanup schedule cron(0 8 ? * WED *) gives 14")
	assert.NotContains(t, problems, "is shorter than")

	// A schedule that stops (a year field) leaves a gap to the end of the years listed.
	props(fleet, "WsusCleanupAssociation398E721C")["ScheduleExpression"] = "cron(0 8 ? * WED 2027)"
	assert.Contains(t, joined(CleanupAge(fleet, &weekly, cleanupFrom)), "is shorter than the cleanup's longest gap on cron(0 8 ? * WED 2027)")
}

// The schedules the configuration accepts for the cleanup are the ones whose longest gap, with
// the run, the alarm's two periods outlast (the second review's 2a): days 29 to 31 skip the
// months without them (61 days at most, cron(0 8 31 * ? *)) and are accepted; the weekday nearest
// the 31st reaches 63 days and is refused.
func TestCleanupSchedulesAcceptedAreTheOnesTheAlarmOutlasts(t *testing.T) {
	server := wsusspec.DefaultServer()
	for _, day := range []string{"1", "15", "28", "29", "30", "31", "L", "1W", "28W", "29W", "30W", "31W", "LW", "? * WED#1", "? * WED#4", "? * WEDL", "? * SUN", "*"} {
		schedule := "cron(0 8 " + day + " * ? *)"
		if strings.HasPrefix(day, "?") {
			schedule = "cron(0 8 " + day + " *)"
		}
		server.Cleanup.Schedule = schedule
		gap, _, _, err := longestGap(schedule, 0, cleanupFrom)
		require.NoError(t, err, schedule)
		outlasts := gap+wsusspec.CleanupTimeoutSeconds*time.Second <= time.Duration(wsusspec.MaxDaysWithoutCleanup(schedule))*24*time.Hour
		assert.Equal(t, outlasts, len(server.CleanupProblems()) == 0, "%s: longest gap %s, accepted: %v", schedule, inDays(gap), server.CleanupProblems())
	}
	gap, _, _, _ := longestGap("cron(0 8 31 * ? *)", 0, cleanupFrom)
	assert.Equal(t, 61*24*time.Hour, gap)
}
