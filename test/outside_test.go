package test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
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
	defer jsii.Close() // stops Node and removes the runtime jsii unpacked into TMPDIR
	props := &wsus.ServerProps{}
	props.Port = 8443
	fmt.Println("validate:", props.Validate())
	defer func() { fmt.Println("panic:", recover()) }()
	wsus.NewServer(awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Outside"), nil), "Wsus", props)
}
`

// outsideRun builds and runs outsideProgram as a module of its own that requires this one.
var outsideRun = &job[string]{run: func() (out string, err error) {
	repo, err := filepath.Abs("..")
	if err != nil {
		return "", err
	}
	// A directory kept between runs: go run keeps the program it linked, and links again only
	// when the program or the repository changed.
	err = inKeptDir("test-outside", func(dir string) error {
		goMod := "module example.com/outside\n\ngo 1.26\n\nrequire github.com/privatepatch/privatepatch v0.0.0\n\n" +
			"replace github.com/privatepatch/privatepatch => " + repo + "\n"
		sums, err := os.ReadFile(filepath.Join(repo, "go.sum")) // the repository's dependencies, already downloaded
		if err != nil {
			return err
		}
		for name, data := range map[string][]byte{"go.mod": []byte(goMod), "main.go": []byte(outsideProgram), "go.sum": sums} {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				return err
			}
		}
		// Without DWARF (-w), as make test links: the program links the CDK bindings.
		// The program runs with a TMPDIR of its own (go's work goes to GOTMPDIR, elsewhere), and
		// the output ends with what it left there: jsii's runtime, without jsii.Close.
		tmp, err := os.MkdirTemp("", "outside-tmp-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		run := exec.Command("go", "run", "-mod=mod", "-ldflags=-w", ".")
		run.Dir = dir
		run.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "TMPDIR="+tmp, "GOTMPDIR="+os.TempDir())
		output, err := run.CombinedOutput()
		if err != nil {
			return fmt.Errorf("go run: %v\n%s", err, output)
		}
		left, err := os.ReadDir(tmp)
		if err != nil {
			return err
		}
		out = string(output) + fmt.Sprintf("left in TMPDIR: %d\n", len(left))
		return nil
	})
	return out, err
}}

func TestAProgramOutsideTheRepositoryGetsAnErrorNamingEachBadProp(t *testing.T) {
	t.Parallel() // no CDK in this process: another program, or files
	if testing.Short() {
		t.Skip("builds and runs a CDK program")
	}
	assert.LessOrEqual(t, strings.Count(outsideProgram, "\n"), 20, "the demonstration stays a 20-line program")
	out := outsideRun.wait(t)
	for _, want := range []string{
		"validate: wsus.NewServer: 3 invalid prop(s):",
		`panic: wsus.NewServer("Wsus"): 3 invalid prop(s):`,
		"  - ServerProps.Port 8443 is not a WSUS port: use 8530 (HTTP) or 8531 (HTTPS)",
		"  - ServerProps.Vpc <nil> is required",
		"  - ServerProps.SecurityGroup <nil> is required",
	} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, "goroutine", "a message, not a stack trace")
	assert.Contains(t, out, "left in TMPDIR: 0\n", "the program, like a CDK app, closes jsii, which removes the runtime it unpacked (2 MB a run)")
}
