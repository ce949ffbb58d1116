// Package python finds the Python interpreter the script tests run (the promotion, start/stop
// and finding-filter scripts), once per test binary.
package python

import (
	"os/exec"
	"strings"
	"sync"
	"testing"
)

var interpreter struct {
	once sync.Once
	path string
	err  error
}

// Interpreter returns the python3 on PATH, resolved to the interpreter itself rather than a
// version manager's shim (pyenv's runs a shell script before every start; the tests start
// Python a few dozen times). It fails the test, naming what needs it, when there is none: a
// skipped test would leave the script untested unnoticed.
func Interpreter(t testing.TB, neededBy string) string {
	t.Helper()
	interpreter.once.Do(func() {
		path, err := exec.LookPath("python3")
		if err != nil {
			interpreter.err = err
			return
		}
		out, err := exec.Command(path, "-I", "-c", "import sys; print(sys.executable)").Output()
		if interpreter.path = strings.TrimSpace(string(out)); err != nil || interpreter.path == "" {
			interpreter.path = path
		}
	})
	if interpreter.err != nil {
		t.Fatalf("python3 is not on PATH: %s: %v", neededBy, interpreter.err)
	}
	return interpreter.path
}
