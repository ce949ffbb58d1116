package python

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A run is as `python3 -I harness args...` would be: its arguments, directory and environment,
// its output, its exit status (SystemExit's, or 1 with a traceback), and nothing it changes
// reaches the next run.
func TestEachRunIsAProcessOfItsOwnEndingAsPythonWould(t *testing.T) {
	harness := filepath.Join(t.TempDir(), "harness.py")
	require.NoError(t, os.WriteFile(harness, []byte(`import os, sys, time
print("args", sys.argv[1:], "cwd", os.path.basename(os.getcwd()), "env", os.environ.get("PLANTED"), "pid", os.getpid())
print("leaked", hasattr(time, "planted"), os.environ.get("LEAKED"), file=sys.stderr)
time.planted = True
os.environ["LEAKED"] = "yes"
if sys.argv[1] == "exit":
    sys.exit(3)
if sys.argv[1] == "raise":
    raise ValueError("planted")
`), 0o600))
	ok := Run(t, "this test", harness, []string{"ok", "two words"}, "PLANTED=here")
	assert.Equal(t, 0, ok.Code)
	assert.Contains(t, ok.Stdout, "args ['ok', 'two words'] cwd python env here pid ")
	assert.Equal(t, "leaked False None\n", ok.Stderr)

	exit := Run(t, "this test", harness, []string{"exit"})
	assert.Equal(t, 3, exit.Code)
	assert.Contains(t, exit.Stdout, "env None", "an earlier run's environment is not this one's")
	assert.Equal(t, "leaked False None\n", exit.Stderr, "nor what it changed in a module")
	assert.NotEqual(t, ok.Stdout[len(ok.Stdout)-8:], exit.Stdout[len(exit.Stdout)-8:], "another process")

	raised := Run(t, "this test", harness, []string{"raise"})
	assert.Equal(t, 1, raised.Code)
	assert.Contains(t, raised.Stderr, "Traceback")
	assert.Contains(t, raised.Stderr, "ValueError: planted")

	t.Setenv("PLANTED", "set later")
	later := Run(t, "this test", harness, []string{"later"})
	assert.Contains(t, later.Stdout, "env set later", "the environment at each run, not at the first")
}

// A run ends as Python's exit does: threads joined, atexit handlers run, open files flushed, an
// exit code truncated to a byte.
func TestARunEndsAsPythonsExitDoes(t *testing.T) {
	harness := filepath.Join(t.TempDir(), "harness.py")
	require.NoError(t, os.WriteFile(harness, []byte(`import atexit, sys, threading, time
atexit.register(lambda: print("atexit"))
def late():
    time.sleep(0.05)
    print("thread")
threading.Thread(target=late).start()
kept = open(sys.argv[1], "w")
kept.write("flushed at exit")
sys.exit(256 + 7)
`), 0o600))
	file := filepath.Join(t.TempDir(), "kept")
	r := Run(t, "this test", harness, []string{file})
	assert.Equal(t, 7, r.Code)
	assert.Equal(t, "thread\natexit\n", r.Stdout)
	written, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, "flushed at exit", string(written))
}
