package test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
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
