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

// wsusWithTheFleet is the embedded default with a window for the WSUS server's patch group open
// while the fleet's (Sunday 02:00-06:00 UTC) is: configuration validation lets it through (the
// two windows share no target), and the calendar refuses it.
func wsusWithTheFleet(t *testing.T) string {
	text, err := os.ReadFile(filepath.Join("..", "..", "config", "default.yaml"))
	require.NoError(t, err)
	planted := strings.Replace(string(text), "  maintenanceWindows:\n",
		"  maintenanceWindows:\n    - {name: wsus-sunday, schedule: \"cron(0 3 ? * SUN *)\", targets: {patchGroups: [wsus]}}\n", 1)
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

	planted := wsusWithTheFleet(t)
	code, stdout, stderr = calendarRun("-problems", "-config", planted)
	assert.Equal(t, 1, code)
	assert.Empty(t, stdout, "no calendar with -problems")
	assert.Contains(t, stderr, "calendar: window wsus-sunday (the WSUS server, patch group wsus, open Sun 2026-12-13 03:00Z")
	assert.Contains(t, stderr, "are open together")
	assert.Contains(t, stderr, "calendar: 1 problem(s)")

	code, stdout, stderr = calendarRun("-config", planted)
	assert.Equal(t, 1, code, "make calendar fails on the same problem")
	assert.Contains(t, stdout, "are open together", "and prints it with the calendar")
	assert.Contains(t, stderr, "calendar: 1 problem(s)")
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
