package test

import (
	"os"
	"os/exec"
	"path"
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

// helpRuns runs every command (commands) with --help.
var helpRuns = &job[[]helpRun]{run: func() ([]helpRun, error) {
	all, err := commands()
	if err == nil {
		err = buildBinaries()
	}
	if err != nil {
		return nil, err
	}
	var runs []helpRun
	for _, command := range all {
		cmd := exec.Command(filepath.Join(binDir, path.Base(command)), "--help")
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

// The commands are the app and every tools/*/main.go; one that is not package main is refused,
// since go build would write no binary for it and the kept one would run in its place.
func TestCommandsAreTheAppAndEveryToolAndRefuseAMainThatIsNotOne(t *testing.T) {
	t.Parallel() // files only
	root := t.TempDir()
	for dir, pkg := range map[string]string{"tools/b": "main", "tools/a": "main"} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, dir), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(root, dir, "main.go"), []byte("package "+pkg+"\n"), 0o644))
	}
	found, err := commandsIn(root)
	require.NoError(t, err)
	assert.Equal(t, []string{"./app", "./tools/a", "./tools/b"}, found)

	require.NoError(t, os.WriteFile(filepath.Join(root, "tools/b/main.go"), []byte("package b\n"), 0o644))
	_, err = commandsIn(root)
	assert.ErrorContains(t, err, "is package b, not a command")
}
