package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// outsideProgram is a Go program of another module that uses the wsus construct with bad props:
// it asks Validate first, then builds anyway and prints what NewServer panics with.
const outsideProgram = `package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatepatch/privatepatch/constructs/wsus"
)

func main() {
	props := &wsus.ServerProps{}
	props.Port = 8443
	fmt.Println("validate:", props.Validate())
	defer func() { fmt.Println("panic:", recover()) }()
	wsus.NewServer(awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Outside"), nil), "Wsus", props)
}
`

func TestAProgramOutsideTheRepositoryGetsAnErrorNamingEachBadProp(t *testing.T) {
	t.Parallel() // no CDK in this process: another program, or files
	if testing.Short() {
		t.Skip("builds and runs a CDK program")
	}
	assert.LessOrEqual(t, strings.Count(outsideProgram, "\n"), 20, "the demonstration stays a 20-line program")
	repo, err := filepath.Abs("..")
	require.NoError(t, err)
	// A directory kept between runs: go run keeps the program it linked, and links again only
	// when the program or the repository changed.
	dir, err := keptDir("test-outside")
	require.NoError(t, err)
	goMod := "module example.com/outside\n\ngo 1.26\n\nrequire github.com/privatepatch/privatepatch v0.0.0\n\n" +
		"replace github.com/privatepatch/privatepatch => " + repo + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte(goMod), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(outsideProgram), 0o644))
	sums, err := os.ReadFile(filepath.Join(repo, "go.sum")) // the repository's dependencies, already downloaded
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.sum"), sums, 0o644))

	// Without DWARF (-w), as make test links: the program links the CDK bindings.
	run := exec.Command("go", "run", "-mod=mod", "-ldflags=-w", ".")
	run.Dir = dir
	run.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off")
	out, err := run.CombinedOutput()
	require.NoError(t, err, "%s", out)
	for _, want := range []string{
		"validate: wsus.NewServer: 3 invalid prop(s):",
		`panic: wsus.NewServer("Wsus"): 3 invalid prop(s):`,
		"  - ServerProps.Port 8443 is not a WSUS port: use 8530 (HTTP) or 8531 (HTTPS)",
		"  - ServerProps.Vpc <nil> is required",
		"  - ServerProps.SecurityGroup <nil> is required",
	} {
		assert.Contains(t, string(out), want)
	}
	assert.NotContains(t, string(out), "goroutine", "a message, not a stack trace")
}
