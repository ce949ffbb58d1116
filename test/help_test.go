package test

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every command of the project answers --help with what it does, not only its flags, and exits 0.
// helpRun is one command's answer to --help.
type helpRun struct {
	command, out string
	err          error
}

// helpRuns runs every command with --help: the app and each tools/*/main.go, so that a new tool
// cannot be left out.
var helpRuns = &job[[]helpRun]{run: func() ([]helpRun, error) {
	commands := []string{"./app"}
	mains, err := filepath.Glob(filepath.Join("..", "tools", "*", "main.go"))
	if err != nil {
		return nil, err
	}
	for _, m := range mains {
		commands = append(commands, "./"+filepath.ToSlash(filepath.Dir(strings.TrimPrefix(m, ".."+string(filepath.Separator)))))
	}
	var runs []helpRun
	for _, command := range commands {
		cmd := exec.Command("go", "run", command, "--help")
		cmd.Dir = ".."
		out, err := cmd.CombinedOutput()
		runs = append(runs, helpRun{command, string(out), err})
	}
	return runs, nil
}}

func TestEveryCommandSaysWhatItDoesOnHelp(t *testing.T) {
	t.Parallel()
	runs := helpRuns.wait(t)
	require.True(t, slices.ContainsFunc(runs, func(r helpRun) bool { return r.command == "./tools/doctor" }))
	for _, r := range runs {
		require.NoError(t, r.err, "%s --help exits 0:\n%s", r.command, r.out)
		text := r.out
		assert.True(t, strings.HasPrefix(text, "Usage: "), "%s --help starts with its usage:\n%s", r.command, text)
		description := strings.SplitN(text, "\n\n", 3)
		require.GreaterOrEqual(t, len(description), 2, "%s --help: usage, a blank line, then what it does:\n%s", r.command, text)
		assert.GreaterOrEqual(t, len(strings.Fields(description[1])), 25, "%s --help says what it does in a few sentences:\n%s", r.command, text)
	}
}
