package ssmschedule

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// AWS's example "0 15 10 ? * 6L" is 10:15 on the last Friday; the seconds field is read.
func TestParseCronReadsTheReferenceExample(t *testing.T) {
	c, err := ParseCron("cron(0 15 10 ? * 6L *)")
	require.NoError(t, err)
	assert.Equal(t, []int{0}, c.Seconds)
	assert.Equal(t, []int{15}, c.Minutes)
	assert.Equal(t, []int{10}, c.Hours)
	assert.True(t, c.MatchesDay(time.Date(2027, 1, 29, 0, 0, 0, 0, time.UTC)))
	assert.False(t, c.MatchesDay(time.Date(2027, 1, 22, 0, 0, 0, 0, time.UTC)))
}

// The validation messages list a field's names from the one table, in order.
func TestCheckWindowNamesComeFromTheFieldTable(t *testing.T) {
	assert.EqualError(t, CheckWindow("cron(0 2 ? * 8 *)"), `day-of-week "8": use 1-7 or SUN, MON, TUE, WED, THU, FRI, SAT`)
	assert.EqualError(t, CheckWindow("cron(0 2 ? 13 SUN *)"),
		`month "13": use 1-12 or JAN, FEB, MAR, APR, MAY, JUN, JUL, AUG, SEP, OCT, NOV, DEC`)
	// Planted: the reader refuses what validation refuses.
	_, err := ParseCron("cron(0 2 ? * 8 *)")
	assert.ErrorContains(t, err, `day-of-week: "8" is not a value from 1 to 7`)
}
