package wiring

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
)

// Held-out run 29's B05: a window given a ScheduleOffset the configuration does not give runs a
// day late, and is named; the default golden, with its configuration, passes.
func TestAWindowsOffsetThatIsNotTheConfigurationsIsNamed(t *testing.T) {
	cfg, err := config.LoadDefault()
	require.NoError(t, err)
	patching := read(t, "../../test/testdata/default.patching.template.json")
	require.Empty(t, windowSchedules(patching, cfg))
	props(patching, "MaintenanceWindowsprivatepatchweeklyWindowE6C2AFD8")["ScheduleOffset"] = float64(1)
	assert.Equal(t, []string{"window privatepatch-weekly (MaintenanceWindowsprivatepatchweeklyWindowE6C2AFD8): ScheduleOffset 1, the configuration's is 0: each run is 1 day(s) off the configured day"},
		windowSchedules(patching, cfg))
}
