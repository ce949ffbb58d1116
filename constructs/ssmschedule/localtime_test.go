package ssmschedule

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Europe/Berlin skips 02:00-03:00 on the last Sunday of March and repeats it on the last Sunday of
// October: a weekly Sunday 02:30 window meets both, 04:00 neither; a first-Sunday window never
// meets a last Sunday; an offset moves the run onto the day that matters; UTC and rates have no
// such hour.
func TestWindowsAtAnHourDaylightSavingSkipsOrRepeatsAreFound(t *testing.T) {
	err := CheckLocalTimes("cron(30 2 ? * SUN *)", "Europe/Berlin", 0)
	require.Error(t, err)
	assert.Regexp(t, `^20\d\d-03-\d\d 02:30 does not exist in Europe/Berlin \(daylight saving skips it\)`, err.Error())
	assert.NoError(t, CheckLocalTimes("cron(0 4 ? * SUN *)", "Europe/Berlin", 0))
	assert.NoError(t, CheckLocalTimes("cron(30 2 ? * SUN#1 *)", "Europe/Berlin", 0), "the first Sunday is never the last")
	err = CheckLocalTimes("cron(30 2 ? * SAT#4 *)", "Europe/Berlin", 1)
	require.Error(t, err, "the fourth Saturday and a day: some years the last Sunday")
	assert.Contains(t, CheckLocalTimes("cron(30 1 ? * SUN *)", "America/New_York", 0).Error(), "happens twice in America/New_York")
	assert.NoError(t, CheckLocalTimes("cron(30 2 ? * SUN *)", "UTC", 0))
	assert.NoError(t, CheckLocalTimes("cron(30 2 ? * SUN *)", "Asia/Seoul", 0), "no daylight saving")
	assert.NoError(t, CheckLocalTimes("rate(7 days)", "Europe/Berlin", 0))
}
