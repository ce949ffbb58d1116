package ssmschedule

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestPreviousStartAndLongestGap(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	assert.NoError(t, err)
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) // a Friday
	for _, tc := range []struct {
		schedule string
		loc      *time.Location
		start    time.Time
		gap      time.Duration
	}{
		{"cron(0 2 ? * SUN *)", time.UTC, time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC), 7 * 24 * time.Hour},
		{"cron(0 2 ? * SAT *)", time.UTC, time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC), 7 * 24 * time.Hour},
		{"cron(30 23 ? * MON-FRI *)", time.UTC, time.Date(2026, 11, 26, 23, 30, 0, 0, time.UTC), 3 * 24 * time.Hour},
		{"cron(0 4 1 * ? *)", time.UTC, time.Date(2026, 11, 1, 4, 0, 0, 0, time.UTC), 31 * 24 * time.Hour},
		{"cron(0/15 * ? * * *)", time.UTC, time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC), 15 * time.Minute},
		{"cron(0 0 2 ? * SUN *)", time.UTC, time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC), 7 * 24 * time.Hour},
		// Berlin's clocks change: the week around a change is an hour longer.
		{"cron(0 2 ? * SUN *)", berlin, time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC), 169 * time.Hour},
		{"rate(1 day)", nil, time.Time{}, 24 * time.Hour},
		{"rate(30 minutes)", nil, time.Time{}, 30 * time.Minute},
		// The forms MayOverlap's reader models: the last Tuesday, the last day of the month.
		{"cron(0 2 ? * 3L *)", time.UTC, time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC), 35 * 24 * time.Hour},
		{"cron(0 2 L * ? *)", time.UTC, time.Date(2026, 10, 31, 2, 0, 0, 0, time.UTC), 31 * 24 * time.Hour},
	} {
		start, gap, ok := Previous(tc.schedule, now, tc.loc)
		assert.True(t, ok, tc.schedule)
		assert.True(t, tc.start.Equal(start), "%s: start %s, want %s", tc.schedule, start, tc.start)
		assert.Equal(t, tc.gap, gap, tc.schedule)
	}
	for _, schedule := range []string{"at(2026-12-01T02:00:00)", "daily"} {
		_, _, ok := Previous(schedule, now, time.UTC)
		assert.False(t, ok, schedule)
	}
}
