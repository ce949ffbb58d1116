package test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every command of the project answers --help with what it does, not only its flags, and exits 0.
func TestEveryCommandSaysWhatItDoesOnHelp(t *testing.T) {
	t.Parallel()
	// Every command: the app and each tools/*/main.go, so that a new tool cannot be left out.
	commands := []string{"./app"}
	mains, err := filepath.Glob(filepath.Join("..", "tools", "*", "main.go"))
	require.NoError(t, err)
	for _, m := range mains {
		commands = append(commands, "./"+filepath.ToSlash(filepath.Dir(strings.TrimPrefix(m, ".."+string(filepath.Separator)))))
	}
	require.Contains(t, commands, "./tools/doctor")
	for _, command := range commands {
		cmd := exec.Command("go", "run", command, "--help")
		cmd.Dir = ".."
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s --help exits 0:\n%s", command, out)
		text := string(out)
		assert.True(t, strings.HasPrefix(text, "Usage: "), "%s --help starts with its usage:\n%s", command, text)
		description := strings.SplitN(text, "\n\n", 3)
		require.GreaterOrEqual(t, len(description), 2, "%s --help: usage, a blank line, then what it does:\n%s", command, text)
		assert.GreaterOrEqual(t, len(strings.Fields(description[1])), 25, "%s --help says what it does in a few sentences:\n%s", command, text)
	}
}
