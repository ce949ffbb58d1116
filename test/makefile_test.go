package test

import (
	"context"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
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

// configReaders are the commands that read a configuration: the CDK CLI's synth, diff and deploy
// (they run the app) and every tool with a -config flag, found in tools/*/main.go.
func configReaders(t *testing.T) *regexp.Regexp {
	mains, err := filepath.Glob(filepath.Join("..", "tools", "*", "main.go"))
	require.NoError(t, err)
	var tools []string
	for _, m := range mains {
		text, err := os.ReadFile(m)
		require.NoError(t, err)
		if strings.Contains(string(text), `flag.String("config"`) {
			tools = append(tools, filepath.Base(filepath.Dir(m)))
		}
	}
	require.NotEmpty(t, tools)
	return regexp.MustCompile(`^\s*(cdk (synth|diff|deploy)\b|(go run \./tools/|cdk\.out/bin/)(` + strings.Join(tools, "|") + `)\b)`)
}

// helpTargets are the targets make help lists.
func helpTargets(t *testing.T, makefile string) []string {
	text, err := os.ReadFile(makefile)
	require.NoError(t, err)
	var targets []string
	for _, m := range regexp.MustCompile(`(?m)^([a-z0-9-]+):.*## `).FindAllStringSubmatch(string(text), -1) {
		targets = append(targets, m[1])
	}
	return targets
}

// configMisses runs make -n of every target the Makefile lists with the given variables (CONFIG=
// on the command line, PRIVATEPATCH_CONFIG in the environment) and returns, per target, the
// commands that read a configuration without the file want, and the targets that read one.
func configMisses(t *testing.T, makefile string, targets []string, want string, env []string, args ...string) (map[string][]string, []string) {
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	readers := configReaders(t)
	if targets == nil {
		targets = helpTargets(t, makefile)
	}
	// verify's credential probe runs under make -n (its line calls $(MAKE)): an aws that has no
	// credentials answers at once.
	bin := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bin, "aws"), []byte("#!/bin/sh\nexit 1\n"), 0o755))
	outputs := make([]string, len(targets))
	var wg sync.WaitGroup
	for i, target := range targets {
		wg.Go(func() {
			cmd := exec.Command("make", append([]string{"-n", "--no-print-directory", "-f", makefile, "-C", root, target}, args...)...)
			// The MAKEFLAGS of make test must not reach it.
			cmd.Env = append(os.Environ(), append([]string{"MAKEFLAGS=", "MAKELEVEL=", "PRIVATEPATCH_CONFIG=", "PATH=" + bin + ":" + os.Getenv("PATH")}, env...)...)
			out, err := cmd.CombinedOutput()
			assert.NoError(t, err, "make -n %s: %s", target, out)
			outputs[i] = string(out)
		})
	}
	wg.Wait()
	misses := map[string][]string{}
	var reading []string
	for i, target := range targets {
		read := false
		for _, line := range strings.Split(outputs[i], "\n") {
			if !readers.MatchString(line) {
				continue
			}
			read = true
			if !strings.Contains(line, want) {
				misses[target] = append(misses[target], line)
			}
		}
		if read {
			reading = append(reading, target)
		}
	}
	return misses, reading
}

// CONFIG= and PRIVATEPATCH_CONFIG pick one configuration for every target: the CDK CLI's app and
// each tool get the same absolute path, so make verify's checker never judges the templates of
// one configuration against another (the embedded default, as it did with PRIVATEPATCH_CONFIG).
func TestEveryTargetReadsTheConfigurationThatConfigOrPrivatepatchConfigNames(t *testing.T) {
	t.Parallel() // no CDK in this process: another program, or files
	makefile, err := filepath.Abs(filepath.Join("..", "Makefile"))
	require.NoError(t, err)
	planted := filepath.Join(t.TempDir(), "planted.yaml")
	other := filepath.Join(t.TempDir(), "other.yaml")

	misses, reading := configMisses(t, makefile, nil, planted, []string{"PRIVATEPATCH_CONFIG=" + planted})
	assert.Empty(t, misses, "PRIVATEPATCH_CONFIG")
	assert.Subset(t, reading, []string{"synth", "verify", "cost", "diff", "deploy", "doctor", "patch-now", "check-update"})

	root, err := filepath.Abs("..")
	require.NoError(t, err)
	misses, _ = configMisses(t, makefile, nil, filepath.Join(root, "configs", "prod.yaml"), []string{"PRIVATEPATCH_CONFIG=" + other}, "CONFIG=configs/prod.yaml")
	assert.Empty(t, misses, "CONFIG= wins over PRIVATEPATCH_CONFIG, for every target alike, as one absolute path")

	// Planted: the Makefile before this fix (no PRIVATEPATCH_CONFIG), and one whose verify drops
	// -config: each target that loses the file is named.
	text, err := os.ReadFile(makefile)
	require.NoError(t, err)
	write := func(name, text string) string {
		path := filepath.Join(t.TempDir(), name)
		require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
		return path
	}
	override := "override CONFIG := $(or $(CONFIG),$(PRIVATEPATCH_CONFIG))\n"
	require.Contains(t, string(text), override)
	before := write("Makefile", strings.Replace(string(text), override, "", 1))
	misses, _ = configMisses(t, before, []string{"synth", "verify", "cost", "doctor", "patch-now"}, planted, []string{"PRIVATEPATCH_CONFIG=" + planted})
	assert.Subset(t, mapsKeys(misses), []string{"verify", "cost", "doctor", "patch-now"})
	verifyFlag := "go run ./tools/verify -assembly cdk.out $(if $(CONFIG),-config $(abspath $(CONFIG)),)"
	require.Contains(t, string(text), verifyFlag)
	dropped := write("Makefile", strings.Replace(string(text), verifyFlag, "go run ./tools/verify -assembly cdk.out", 1))
	misses, _ = configMisses(t, dropped, []string{"synth", "verify"}, planted, nil, "CONFIG="+planted)
	assert.Equal(t, []string{"verify"}, mapsKeys(misses))
}

func mapsKeys(m map[string][]string) []string {
	keys := slices.Collect(maps.Keys(m))
	slices.Sort(keys)
	return keys
}

// make deploy runs the patch calendar's checks before anything reaches CloudFormation, with
// FORCE=1 too (it skips check-update, which runs them as well): configuration validation lets a
// WSUS server that installs a release after its fleet through, and only the calendar refuses it.
func TestDeployRunsTheCalendarsChecksBeforeCdkDeployEvenWithForce(t *testing.T) {
	t.Parallel() // no CDK in this process: make -n
	for _, args := range [][]string{{"deploy"}, {"deploy", "FORCE=1"}, {"check-update"}} {
		out := dryRun(t, args...)
		calendar := strings.Index(out, "go run ./tools/calendar -problems")
		assert.GreaterOrEqual(t, calendar, 0, "make %s runs no calendar check:\n%s", strings.Join(args, " "), out)
		if args[0] == "deploy" {
			assert.Less(t, calendar, strings.Index(out, "cdk deploy"), "make %s: the calendar first", strings.Join(args, " "))
		}
	}
}
