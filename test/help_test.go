package test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every command of the project answers --help with what it does, not only its flags, and exits 0.
func TestEveryCommandSaysWhatItDoesOnHelp(t *testing.T) {
	t.Parallel()
	for _, command := range []string{"./app", "./tools/verify", "./tools/checkupdate", "./tools/cost", "./tools/configschema", "./tools/floorapp"} {
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
