package wiring

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
)

// Held-out run 29's B05: a window given a ScheduleOffset the configuration does not give runs a
// day late, and is named, as is one in another time zone than the configured (B01); the default
// golden, with its configuration, passes.
func TestAWindowsOffsetOrTimeZoneThatIsNotTheConfigurationsIsNamed(t *testing.T) {
	cfg, err := config.LoadDefault()
	require.NoError(t, err)
	patching := read(t, "../../test/testdata/default.patching.template.json")
	day := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	require.Empty(t, windowSchedules(patching, cfg, day))
	props(patching, "MaintenanceWindowsprivatepatchweeklyWindowE6C2AFD8")["ScheduleOffset"] = float64(1)
	assert.Equal(t, []string{"window privatepatch-weekly (MaintenanceWindowsprivatepatchweeklyWindowE6C2AFD8): ScheduleOffset 1, the configuration's is 0: each run is 1 day(s) off the configured day"},
		windowSchedules(patching, cfg, day))

	// Held-out run 29's B01: a valid zone that is not the configured one; Etc/GMT where the
	// configuration says UTC runs at the same instants, and passes.
	delete(props(patching, "MaintenanceWindowsprivatepatchweeklyWindowE6C2AFD8"), "ScheduleOffset")
	props(patching, "MaintenanceWindowsprivatepatchwsusWindowAA8482A2")["ScheduleTimezone"] = "Etc/GMT"
	cfg.Patching.MaintenanceWindows[0].Timezone = "Europe/London"
	assert.Equal(t, []string{"window privatepatch-weekly (MaintenanceWindowsprivatepatchweeklyWindowE6C2AFD8): ScheduleTimezone UTC, the configuration's is Europe/London: " +
		"its cron(0 2 ? * SUN *) runs at another local time whenever the two zones' UTC offsets differ"}, windowSchedules(patching, cfg, day))

	// Held-out run 31's A01: a start date a year later than configured; the same instant written
	// in another offset passes.
	cfg.Patching.MaintenanceWindows[0].Timezone = ""
	cfg.Patching.MaintenanceWindows[0].StartDate = "2027-01-01T00:00:00+11:00"
	window := props(patching, "MaintenanceWindowsprivatepatchweeklyWindowE6C2AFD8")
	window["StartDate"] = "2026-12-31T13:00:00Z"
	assert.Empty(t, windowSchedules(patching, cfg, day))
	window["StartDate"] = "2028-01-01T00:00:00+11:00"
	assert.Equal(t, []string{`window privatepatch-weekly (MaintenanceWindowsprivatepatchweeklyWindowE6C2AFD8): StartDate "2028-01-01T00:00:00+11:00", the configuration's startDate is "2027-01-01T00:00:00+11:00": ` +
		"the window is active from or until another day than configured"}, windowSchedules(patching, cfg, day))
	window["EndDate"] = "2030-12-31T00:00:00Z"
	assert.Contains(t, joined(windowSchedules(patching, cfg, day)), `EndDate "2030-12-31T00:00:00Z", the configuration's endDate is ""`)
}

// The second review of session 18's finding 6: whether two zones keep the same offsets is judged
// from the reference day verify passes in, not the wall clock. Europe/Moscow and Etc/GMT-3 (UTC+3)
// agree from 2020 on, but Moscow kept UTC+4 from 2011 to 2014, so from 2012 they differ.
func TestAWindowsTimeZoneIsJudgedFromTheReferenceDayPassedIn(t *testing.T) {
	cfg, err := config.LoadDefault()
	require.NoError(t, err)
	patching := read(t, "../../test/testdata/default.patching.template.json")
	props(patching, "MaintenanceWindowsprivatepatchweeklyWindowE6C2AFD8")["ScheduleTimezone"] = "Etc/GMT-3"
	cfg.Patching.MaintenanceWindows[0].Timezone = "Europe/Moscow"
	assert.Empty(t, windowSchedules(patching, cfg, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)))
	assert.Equal(t, []string{"window privatepatch-weekly (MaintenanceWindowsprivatepatchweeklyWindowE6C2AFD8): ScheduleTimezone Etc/GMT-3, the configuration's is Europe/Moscow: " +
		"its cron(0 2 ? * SUN *) runs at another local time whenever the two zones' UTC offsets differ"},
		windowSchedules(patching, cfg, time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC)))
}
