package test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runGofmtTarget runs the Makefile's gofmt check in dir, a tree without .git as CodeBuild's source
// and a source archive are, with a stdin that never closes, as a terminal's would not.
func runGofmtTarget(t *testing.T, dir string) (string, error) {
	makefile, err := filepath.Abs(filepath.Join("..", "Makefile"))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "make", "--no-print-directory", "-f", makefile, "-C", dir, "gofmt")
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	defer stdin.Close()
	out, err := cmd.CombinedOutput()
	require.NoError(t, ctx.Err(), "make gofmt waited on stdin:\n%s", out)
	return string(out), err
}

func TestLintChecksGofmtWithoutGitAndNeverWaits(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "pkg"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "node_modules", "dep"), 0o755))
	write := func(path, text string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, path), []byte(text), 0o644))
	}

	out, err := runGofmtTarget(t, dir)
	assert.Error(t, err, "no Go files is an error, not a pass")
	assert.Contains(t, out, "no Go files")

	write("pkg/good.go", "package pkg\n\nfunc Good() {}\n")
	write("node_modules/dep/vendored.go", "package dep\nfunc  Theirs( ) {}\n")
	out, err = runGofmtTarget(t, dir)
	assert.NoError(t, err, "formatted, and node_modules is not ours: %s", out)

	write("pkg/planted.go", "package pkg\nfunc  Planted( ) {}\n")
	out, err = runGofmtTarget(t, dir)
	assert.Error(t, err, "a planted gofmt error fails lint")
	assert.Contains(t, out, "gofmt needed: ./pkg/planted.go")
}

// systemPath is PATH without what make (make test) puts first: Node 24 and the project's CLI.
func systemPath() string {
	var kept []string
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if !strings.Contains(dir, "node_modules") {
			kept = append(kept, dir)
		}
	}
	return strings.Join(kept, string(filepath.ListSeparator))
}

// After eval "$(make -s env)", as the README says, go run ./app and cdk outside make find a Node
// jsii supports without its end-of-life banner (22 or later) and the pinned CLI, whatever the
// system Node is.
func TestMakeEnvPutsASupportedNodeAndThePinnedCliFirst(t *testing.T) {
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	cmd := exec.Command("bash", "-c", `eval "$(make -s env)" && node -p 'process.versions.node.split(".")[0]' && command -v cdk`)
	cmd.Dir, cmd.Env = root, append(os.Environ(), "PATH="+systemPath(), "MAKEFLAGS=", "MAKELEVEL=")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	lines := strings.Fields(string(out))
	require.Len(t, lines, 2, string(out))
	major, err := strconv.Atoi(lines[0])
	require.NoError(t, err)
	assert.GreaterOrEqual(t, major, 22, "jsii's supported Node")
	assert.Equal(t, filepath.Join(root, "node_modules", ".bin", "cdk"), lines[1], "package.json's CLI")
}

// make diagram's Graphviz source names cdk-dia's icons relative to the project root, not by the
// absolute path of the machine that drew it.
func TestArchitectureDiagramSourceHasNoAbsolutePaths(t *testing.T) {
	dot, err := os.ReadFile(filepath.Join("..", "docs", "architecture.dot"))
	require.NoError(t, err)
	assert.NotRegexp(t, `image = "/`, string(dot))
	assert.Contains(t, string(dot), `image = "tools/diagram/node_modules/cdk-dia/icons/`)
}
