package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var day = time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)

func calendarRun(args ...string) (code int, stdout, stderr string) {
	var out, errs bytes.Buffer
	code = run(args, &out, &errs, day)
	return code, out.String(), errs.String()
}

// wsusAfterTheFleet is the embedded default with the WSUS server's window on the fourth Saturday:
// its fleet (7 days' delay, Sundays) can install a release before the server has. Configuration
// validation cannot tell (the windows are never open together), and the calendar refuses it.
func wsusAfterTheFleet(t *testing.T) string {
	text, err := os.ReadFile(filepath.Join("..", "..", "config", "default.yaml"))
	require.NoError(t, err)
	planted := strings.Replace(string(text), "  maintenanceWindows:\n",
		"  maintenanceWindows:\n    - {name: wsus-late, schedule: \"cron(0 3 ? * SAT#4 *)\", targets: {patchGroups: [wsus]}}\n", 1)
	require.NotEqual(t, string(text), planted, "the default's maintenanceWindows list moved")
	path := filepath.Join(t.TempDir(), "planted.yaml")
	require.NoError(t, os.WriteFile(path, []byte(planted), 0o644))
	return path
}

// make check-update (and so make deploy) runs the calendar with -problems: silent when every
// check holds, and when one does not, only the problems, on stderr, and exit status 1.
func TestProblemsPrintsOnlyWhatFailsAndFailsTheRun(t *testing.T) {
	code, stdout, stderr := calendarRun("-problems")
	assert.Equal(t, 0, code, stderr)
	assert.Empty(t, stdout+stderr, "the embedded default's calendar holds: nothing to say")

	planted := wsusAfterTheFleet(t)
	code, stdout, stderr = calendarRun("-problems", "-config", planted)
	assert.Equal(t, 1, code)
	assert.Empty(t, stdout, "no calendar with -problems")
	assert.Contains(t, stderr, "calendar: 2026-12 release (Tue 2026-12-08 18:00Z): the WSUS server (patch group wsus, 0 days) installs it in window wsus-late until Sat 2026-12-26 07:00Z")
	assert.Contains(t, stderr, "the server the fleet installs from must be done first")
	assert.Regexp(t, `calendar: \d+ problem\(s\)\n$`, stderr)

	code, stdout, stderr = calendarRun("-config", planted)
	assert.Equal(t, 1, code, "make calendar fails on the same problem")
	assert.Contains(t, stdout, "must be done first", "and prints it with the calendar")
	assert.Contains(t, stdout, "wsus-late")
}

func TestBadFlagsAndConfigurationsExitTwo(t *testing.T) {
	for name, args := range map[string][]string{
		"unknown flag":   {"-nope"},
		"argument":       {"extra"},
		"bad day":        {"-from", "07/12/2026"},
		"missing config": {"-config", filepath.Join(t.TempDir(), "absent.yaml")},
	} {
		code, stdout, stderr := calendarRun(args...)
		assert.Equal(t, 2, code, name)
		assert.Empty(t, stdout, name)
		assert.NotEmpty(t, stderr, name)
	}
	code, _, stderr := calendarRun("-h")
	assert.Equal(t, 0, code)
	assert.Contains(t, stderr, "-problems")
}
