package ssmschedule

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSystemsManagerScheduleFormsAccepted(t *testing.T) {
	for _, schedule := range []string{"cron(0 2 ? * SUN *)", "cron(0 2 ? * TUE#2 *)", "cron(30 23 ? * MON-FRI *)", "cron(0 4 1 * ? *)",
		"cron(0/15 * ? * * *)", "cron(0 2 L * ? 2027)", "cron(0 2 ? * 3L *)", "cron(0 0 2 ? * SUN *)", "cron(0 2 ? JAN,JUL MON *)",
		"rate(1 day)", "rate(7 days)", "rate(1 hour)", "at(2026-12-01T02:00:00)"} {
		assert.NoError(t, CheckWindow(schedule), "window %s", schedule)
	}
	// The association forms of "Cron and rate expressions for associations" (read 2026-12-06).
	for _, schedule := range []string{"cron(0 2 ? * SUN *)", "cron(0 0 2 ? * SUN *)", "rate(30 minutes)", Daily, "rate(12 hours)",
		"at(2026-12-01T02:00:00)", "cron(0/30 * * * ? *)", "cron(0 0/1 * * ? *)", "cron(0 0/12 * * ? *)", "cron(15 13 ? * MON *)",
		"cron(0 */30 * * * ? *)", "rate(15 days)", "rate(30 days)", "cron(0 0 ? * THU#2 *)", "cron(10,40 * * * ? *)",
		"cron(0,45 2 ? * * *)",
		// Ranged steps and lists whose firings keep 30 minutes apart across hours (a former reading
		// of the minutes field alone refused them).
		"cron(0-59/30 * * * ? *)", "cron(15-59/30 * * * ? *)", "cron(0,45 1,5 ? * * *)", "cron(0,30 0/2 * * ? *)",
		"cron(0 0,23 * * ? *)",
		// 23:50 on Mondays is not followed by a run at 00:10 the next day.
		"cron(10,50 0,23 ? * MON *)", "cron(10,50 0,23 1 * ? *)"} {
		assert.NoError(t, CheckAssociation(schedule), "association %s", schedule)
	}
}

func TestSchedulesSystemsManagerRefusesAreRefused(t *testing.T) {
	assert.ErrorContains(t, CheckAssociation("rate(15 minutes)"), "at most every 30 minutes")
	assert.ErrorContains(t, CheckWindow("rate(30 minutes)"), "at most every hour")
	assert.ErrorContains(t, CheckAssociation("cron(0 2 ? JAN MON *)"), "does not take months")
	assert.ErrorContains(t, CheckAssociation("rate(31 days)"), "less than 31 days")
	assert.ErrorContains(t, CheckAssociation("rate(45 days)"), "less than 31 days")
	assert.ErrorContains(t, CheckAssociation("cron(30 0 2 ? * SUN *)"), "only 0 in an association's seconds")
	for _, often := range []string{"cron(0/5 * * * ? *)", "cron(* * * * ? *)", "cron(0-10 * * * ? *)", "cron(0,15 * * * ? *)",
		"cron(0/29 * * * ? *)", "cron(50,10 * * * ? *)", "cron(0,45 2,3 ? * * *)",
		"cron(0-59/20 * * * ? *)", "cron(45,0 1,2 ? * * *)", "cron(10-30/15 4 ? * * *)",
		// 23:50 then 00:10 the next day.
		"cron(10,50 0,23 ? * * *)"} {
		assert.ErrorContains(t, CheckAssociation(often), "at most every 30 minutes", often)
		assert.NoError(t, CheckWindow(often), "a window takes %s", often)
	}
	assert.EqualError(t, CheckAssociation("cron(10,50 0,23 ? * MON,TUE *)"),
		"it starts at 23:50 and 00:10 the next day: State Manager runs associations at most every 30 minutes")
	assert.EqualError(t, CheckAssociation("cron(0,45 2,3 ? * * *)"), "it starts at 02:45 and 03:00: State Manager runs associations at most every 30 minutes")
	assert.ErrorContains(t, CheckWindow("rate(2 day)"), "write rate(2 days)")
	assert.ErrorContains(t, CheckWindow("daily"), "use cron(")
}
