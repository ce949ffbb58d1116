package wsusspec

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCleanupIsOnMonthlyByDefaultOutsideTheSynchronisation(t *testing.T) {
	server := DefaultServer()
	assert.True(t, server.Cleanup.On())
	assert.Equal(t, DefaultCleanupSchedule, server.Cleanup.Schedule)
	assert.Equal(t, 31, CleanupPeriodDays(DefaultCleanupSchedule), "monthly")
	assert.Equal(t, 62, MaxDaysWithoutCleanup(DefaultCleanupSchedule), "two periods")
	assert.Empty(t, server.CleanupProblems())
	off := false
	assert.False(t, Cleanup{Enabled: &off}.WithDefaults().On(), "false stays false")
}

func TestCleanupPeriodsOfTheScheduleForms(t *testing.T) {
	for schedule, days := range map[string]int{"cron(0 8 ? * WED#1 *)": 31, "cron(0 8 15 * ? *)": 31, "cron(0 8 ? * 6L *)": 31, "cron(0 8 31 * ? *)": 31,
		"cron(0 8 ? * SUN *)": 7, "cron(0 8 ? * * *)": 1} {
		assert.Equal(t, days, CleanupPeriodDays(schedule), schedule)
	}
}

func TestCleanupDuringASynchronisationOrWithoutAFixedHourIsRefused(t *testing.T) {
	server := DefaultServer()
	server.SyncTimeUtc = "03:00" // once a day
	for schedule, want := range map[string]string{
		"cron(0 3 ? * WED#1 *)":  "starts 0 minutes after the synchronisation at 03:00 UTC",
		"cron(30 4 ? * WED#1 *)": "starts 90 minutes after the synchronisation at 03:00 UTC",
		"rate(30 days)":          "needs a fixed minute and hour",
		"cron(0 * ? * WED#1 *)":  "needs a fixed minute and hour",
		"cron(0 8 ? JAN WED *)":  "is not a State Manager schedule",
		// Runs four, three, seventeen and ten days apart: the alarm would fire between them.
		"cron(0 8 ? * MON,THU *)": "names its days by a list, range or step",
		"cron(0 8 ? * MON-FRI *)": "names its days by a list, range or step",
		"cron(0 8 1,15 * ? *)":    "names its days by a list, range or step",
		"cron(0 8 */10 * ? *)":    "names its days by a list, range or step",
		// A review: quarterly and twice a year (State Manager takes no months), one year only, a
		// fifth Wednesday, the weekday nearest the 31st (63 days apart once: the alarm allows 62).
		"cron(0 8 1 1/3 ? *)":      "State Manager does not take months in association schedules",
		"cron(0 8 1 JAN,JUL ? *)":  "State Manager does not take months in association schedules",
		"cron(0 8 ? * WED#1 2027)": "runs in some years only",
		"cron(0 8 ? * WED#5 *)":    "runs on a fifth weekday",
		"cron(0 8 31W * ? *)":      "runs on the weekday nearest the 31st",
	} {
		server.Cleanup.Schedule = schedule
		problems := server.CleanupProblems()
		require.Len(t, problems, 1, schedule)
		assert.Equal(t, "Schedule", problems[0].Field)
		assert.Contains(t, problems[0].String(), want, schedule)
	}
	server.Cleanup.Schedule = "cron(0 5 ? * WED#1 *)"
	assert.Empty(t, server.CleanupProblems(), "two hours after the synchronisation")
	for _, day := range []string{"29", "30", "31", "30W", "LW"} {
		server.Cleanup.Schedule = "cron(0 8 " + day + " * ? *)"
		assert.Empty(t, server.CleanupProblems(), "at most 61 days apart, within the alarm's 62 with the run: %s", day)
	}
	server.Cleanup.Schedule = "cron(0 5 * * ? *)"
	assert.Empty(t, server.CleanupProblems(), "every day")
	server.SyncsPerDay = 4 // 03:00, 09:00, 15:00, 21:00
	server.Cleanup.Schedule = "cron(0 10 ? * WED#1 *)"
	assert.Contains(t, server.CleanupProblems()[0].String(), "after the synchronisation at 09:00 UTC")
	assert.Equal(t, []int{180, 540, 900, 1260}, server.SyncStartsUtc())
	// Every two hours or more often there is no time left (a review: the advice was impossible).
	server.SyncsPerDay = 12
	assert.Contains(t, server.CleanupProblems()[0].String(), "has no time to run: with 12 synchronisations a day, each taken as 2 hours")
	assert.Contains(t, server.CleanupProblems()[0].String(), "synchronise at most 11 times a day, or turn the cleanup off")
	server.SyncsPerDay = 11 // every 130 minutes: ten minutes free after each
	server.Cleanup.Schedule = "cron(5 5 ? * WED#1 *)"
	assert.Empty(t, server.CleanupProblems(), "%v", server.SyncStartsUtc())
	off := false
	server.Cleanup.Enabled = &off
	assert.Empty(t, server.CleanupProblems(), "no cleanup, nothing to refuse")
}

func TestCleanupDocumentDefaultsPassTheirPatterns(t *testing.T) {
	for _, p := range CleanupParameters() {
		assert.Regexp(t, regexp.MustCompile(p.AllowedPattern), p.Default, p.Name)
	}
	assert.NotRegexp(t, regexp.MustCompile(CleanupParameters()[0].AllowedPattern), "Cleanup; Remove-Item", "a mode is one word")
}
