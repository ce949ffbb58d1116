package kernel

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pinnedKernel is the kernel of the jsii-runtime-go go.mod pins, as the app's binary embeds it.
func pinnedKernel(t *testing.T) []byte {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/jsii-runtime-go").Output()
	require.NoError(t, err, "go list jsii-runtime-go")
	source, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "internal", "embedded", "resources", "lib", "program.js"))
	require.NoError(t, err)
	return source
}

func TestThePinnedKernelHasEveryShapeDirectJsReliesOn(t *testing.T) {
	source := pinnedKernel(t)
	for _, shape := range KernelShapes {
		assert.Regexp(t, regexp.MustCompile(shape), string(source), "the pinned jsii-runtime-go's kernel: the launcher script would run jsii's launcher")
	}
}

// launcherRun runs the launcher script as jsii would, installed under a new root, for a runtime
// whose kernel is program (none when nil), with a node that prints its arguments and, started
// without the launcher, answers a request from fd 4 on fd 5 and writes noise to stdout.
func launcherRun(t *testing.T, program []byte, args ...string) (stdout, stderr string) {
	t.Helper()
	return launcherRunWith(t, program, nil, args...)
}

// launcherRunWith is launcherRun with more environment: NodeEnv=SELF names the script itself.
func launcherRunWith(t *testing.T, program []byte, env []string, args ...string) (stdout, stderr string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("no POSIX shell")
	}
	dir := t.TempDir()
	script, err := installLauncher(filepath.Join(dir, "cache"))
	require.NoError(t, err)
	runtimeDir := filepath.Join(dir, "jsii-runtime.123")
	require.NoError(t, os.MkdirAll(filepath.Join(runtimeDir, "bin"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(runtimeDir, "bin", "jsii-runtime.js"), nil, 0o644))
	if program != nil {
		require.NoError(t, os.MkdirAll(filepath.Join(runtimeDir, "lib"), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(runtimeDir, "lib", "program.js"), program, 0o644))
	}
	node := filepath.Join(dir, "fake node")
	require.NoError(t, os.WriteFile(node, []byte(`#!/bin/sh
for a in "$@"; do printf 'arg %s\n' "$a"; done
if [ "$1" = --require ]; then
	read -r unexpected && echo "stdin is not /dev/null: $unexpected" >&5
	read -r request <&4; echo "reply to $request" >&5; echo noise
fi
`), 0o755))
	// A launcher that runs itself would never end: ten seconds fail it instead.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, script, args...)
	for i, arg := range cmd.Args {
		cmd.Args[i] = strings.ReplaceAll(arg, "RUNTIME", runtimeDir)
	}
	cmd.Env = append(os.Environ(), NodeEnv+"="+node)
	for _, e := range env {
		cmd.Env = append(cmd.Env, strings.ReplaceAll(e, "SELF", script))
	}
	// The node on PATH, for a launcher told to run itself: a fake that says so.
	bin := filepath.Join(dir, "bin")
	require.NoError(t, os.MkdirAll(bin, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(bin, "node"), []byte("#!/bin/sh\necho \"ran node $*\"\n"), 0o755))
	cmd.Env = append(cmd.Env, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	cmd.Stdin = strings.NewReader("request\n")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	require.NoError(t, cmd.Run(), errOut.String())
	replacer := strings.NewReplacer(runtimeDir, "RUNTIME", filepath.Dir(script), "LAUNCHER")
	return replacer.Replace(out.String()), replacer.Replace(errOut.String())
}

// shapes is a kernel with every one of KernelShapes, as the pinned one writes them.
var shapes = []byte(`new V.SyncStdio({errorFD:2,readFD:3,writeFD:3}) F.readSync(this.stdin,this.readBuffer) F.writeSync(p,e,m)`)

func TestTheLauncherScriptRunsTheKernelOnTheGoSidesPipes(t *testing.T) {
	stdout, stderr := launcherRun(t, shapes, "RUNTIME/bin/jsii-runtime.js")
	assert.Equal(t, "reply to request\n", stdout, "replies on the Go side's stdout (fd 5), requests from its stdin (fd 4), nothing else")
	assert.Equal(t, "arg --require\narg LAUNCHER/direct.js\narg --preserve-symlinks\narg RUNTIME/lib/program.js\nnoise\n", stderr,
		"the kernel beside jsii's launcher, direct.js preloaded, its stdout on stderr")

	pinned, _ := launcherRun(t, pinnedKernel(t), "RUNTIME/bin/jsii-runtime.js")
	assert.Equal(t, "reply to request\n", pinned, "the pinned kernel runs without jsii's launcher")
}

func TestTheLauncherScriptRunsJsiisLauncherForAKernelOfAnotherShape(t *testing.T) {
	launcher := "arg RUNTIME/bin/jsii-runtime.js\n"
	for _, planted := range []struct{ name, from, to string }{
		{"its protocol on another fd", "readFD:3,writeFD:3", "readFD:4,writeFD:4"},
		{"read another way", "readSync", "read"},
		{"written another way", "writeSync", "write"},
	} {
		t.Run(planted.name, func(t *testing.T) {
			stdout, _ := launcherRun(t, bytes.ReplaceAll(shapes, []byte(planted.from), []byte(planted.to)), "RUNTIME/bin/jsii-runtime.js")
			assert.Equal(t, launcher, stdout)
		})
	}
	t.Run("no kernel beside the launcher", func(t *testing.T) {
		stdout, _ := launcherRun(t, nil, "RUNTIME/bin/jsii-runtime.js")
		assert.Equal(t, launcher, stdout)
	})
	t.Run("not jsii's launcher: node as given", func(t *testing.T) {
		stdout, _ := launcherRun(t, shapes, "--version")
		assert.Equal(t, "arg --version\n", stdout)
		stdout, _ = launcherRun(t, shapes, "RUNTIME/bin/jsii-runtime.js", "more")
		assert.Equal(t, "arg RUNTIME/bin/jsii-runtime.js\narg more\n", stdout)
	})
	t.Run("--probe runs nothing", func(t *testing.T) {
		stdout, stderr := launcherRun(t, shapes, "--probe")
		assert.Empty(t, stdout+stderr)
	})
}

func TestDirectSetsJsiiNodeKeepingTheCallersNode(t *testing.T) {
	freshUser(t)
	t.Setenv(NodeEnv, "")
	t.Setenv("JSII_NODE", "/opt/node/bin/node")
	require.NoError(t, Direct())
	script := os.Getenv("JSII_NODE")
	cache, err := os.UserCacheDir() // XDG_CACHE_HOME's, or HOME's Library/Caches on macOS
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(cache, "privatepatch"), filepath.Dir(filepath.Dir(script)), "in the user's cache directory")
	assert.Equal(t, "/opt/node/bin/node", os.Getenv(NodeEnv), "the caller's node, run by the script")
	require.NoError(t, Direct())
	assert.Equal(t, script, os.Getenv("JSII_NODE"), "again: the same script")
	assert.Equal(t, "/opt/node/bin/node", os.Getenv(NodeEnv), "not the script itself")

	t.Setenv("JSII_RUNTIME", "node my-runtime.js")
	t.Setenv("JSII_NODE", "")
	assert.ErrorContains(t, Direct(), "JSII_RUNTIME is set")
	assert.Empty(t, os.Getenv("JSII_NODE"), "jsii runs JSII_RUNTIME: left alone")
}

func TestTheLauncherIsWrittenWhereItCanRun(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no POSIX shell")
	}
	dir := t.TempDir()
	blocked := filepath.Join(dir, "a file")
	require.NoError(t, os.WriteFile(blocked, nil, 0o644))
	script, err := installLauncher(blocked, filepath.Join(dir, "writable"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(script, filepath.Join(dir, "writable", "privatepatch", "jsii-kernel-")), script)
	again, err := installLauncher(filepath.Join(dir, "writable"))
	require.NoError(t, err)
	assert.Equal(t, script, again, "written once")
	entries, err := os.ReadDir(filepath.Join(dir, "writable", "privatepatch"))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary directory left")

	_, err = installLauncher(blocked)
	assert.Error(t, err, "nowhere to write it")
}

// The shim does for the kernel what the launcher did: the protocol's fd 3 reads the Go side's
// requests (fd 4) and writes its replies (fd 5), and the kernel's console output reaches the Go
// side's stderr as whole {"stdout"|"stderr": base64} lines, however large, which the Go runtime
// decodes. Run as the launcher script starts the kernel, with a script in its place.
func TestTheKernelShimReadsAndWritesTheProtocolAndWritesConsoleOutputAsTheLauncher(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no POSIX shell")
	}
	shimFile := filepath.Join(t.TempDir(), "direct.js")
	require.NoError(t, os.WriteFile(shimFile, shim, 0o644))
	script := `const fs = require("fs"); const buffer = Buffer.alloc(64);
const request = buffer.subarray(0, fs.readSync(3, buffer, 0, 64, null)).toString();
console.error("e".repeat(300000)); console.log("out"); process.stdout.write(Buffer.from([0xff, 0x00]));
fs.writeSync(3, "reply to " + request);`
	cmd := exec.Command("sh", "-c", `exec node --require "$0" -e "$1" 4<&0 5>&1 </dev/null 1>&2`, shimFile, script)
	cmd.Env = append(os.Environ(), silenced...)
	cmd.Stdin = strings.NewReader("request\n")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	assert.Equal(t, "reply to request\n", string(out), "the protocol on the Go side's pipes, nothing else on stdout")
	var decoded []string
	for _, line := range strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n") {
		var message map[string][]byte // as jsii-runtime-go's consumeStderr reads it
		require.NoError(t, json.Unmarshal([]byte(line), &message), "each line is JSON: %.80s", line)
		for key, data := range message {
			decoded = append(decoded, fmt.Sprintf("%s %d %q", key, len(data), data[:min(len(data), 3)]))
		}
	}
	assert.Equal(t, []string{`stderr 300001 "eee"`, `stdout 4 "out"`, `stdout 2 "\xff\x00"`}, decoded)
}

// silenced are the variables that silence direct.js's warning of a Node release, whichever runs.
var silenced = []string{"JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION=1",
	"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=" + strings.Trim(strings.Join(strings.Fields(fmt.Sprint(makeRange(0, 60))), ","), "[]")}

func makeRange(from, to int) []int {
	var out []int
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

// direct.js warns of the Node releases jsii's launcher warns of (its @jsii/check-node table, in
// the pinned launcher): nodeReleases are that table's tested releases and their end of life.
func TestDirectJsKnowsThePinnedLaunchersNodeReleases(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/jsii-runtime-go").Output()
	require.NoError(t, err)
	launcher, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "internal", "embedded", "resources", "bin", "jsii-runtime.js"))
	require.NoError(t, err)
	want := map[string]string{}
	for _, m := range regexp.MustCompile(`new NodeRelease\((\d+),\{endOfLife:new Date\("([0-9-]+)"\)([^}]*)\}`).FindAllStringSubmatch(string(launcher), -1) {
		if !strings.Contains(m[3], "untested:!0") {
			want[m[1]] = m[2]
		}
	}
	require.NotEmpty(t, want, "the pinned launcher's table")
	got, err := exec.Command("node", "-e", `const fs = require("fs"), vm = require("vm"); const module = { exports: {} };
vm.runInThisContext("(function (require, module) {" + fs.readFileSync(process.argv[1], "utf8") + "\n})")(
  (name) => name === "worker_threads" ? { isMainThread: false } : require(name), module);
const { nodeReleases, releaseWarning } = module.exports, now = Date.parse("2026-12-07");
console.log(JSON.stringify({ nodeReleases, warnings: [releaseWarning("v24.11.0", now, {}), releaseWarning("v20.19.0", now, {}),
  releaseWarning("v20.19.0", now, { JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: "18, 20" }), releaseWarning("v25.0.0", now, {}),
  releaseWarning("v25.0.0", now, { JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION: "1" })] }));`, "direct.js").Output()
	require.NoError(t, err)
	var result struct {
		NodeReleases map[string]string
		Warnings     []string
	}
	require.NoError(t, json.Unmarshal(got, &result))
	assert.Equal(t, want, result.NodeReleases)
	assert.Equal(t, []string{"",
		"privatepatch: Node 20 reached its end of life on 2026-04-30: upgrade to a supported release (make setup installs Node 24)\n", "",
		"privatepatch: jsii has not been tested with Node v25.0.0 (it tests 12, 14, 16, 18, 20, 22, 24); should you see odd errors, use a supported release (make setup installs Node 24)\n", ""},
		result.Warnings, "a supported release, one past its end of life, silenced, an untested one, silenced")
}

// KernelShapes use only what POSIX extended regular expressions and Go's regexp read alike: no
// escaped letter or digit (\w, \d, \b are GNU's or Go's), no interval and no Perl group.
func TestKernelShapesAreThePortableSubsetOfExtendedRegularExpressions(t *testing.T) {
	unportable := regexp.MustCompile(`\\[[:alnum:]]|\{|\(\?`)
	for _, shape := range KernelShapes {
		assert.NotRegexp(t, unportable, shape)
	}
	assert.Regexp(t, unportable, `\.writeSync\(\w+,`, "planted: GNU's \\w")
}

func TestALauncherOfPrivatepatchsIsNeverTheNodeItRuns(t *testing.T) {
	freshUser(t)
	t.Setenv(NodeEnv, "")
	other := filepath.Join(t.TempDir(), "node")
	require.NoError(t, os.WriteFile(other, []byte("#!/bin/sh\n"+launcherMarker+"\nexit 9\n"), 0o755))
	t.Setenv("JSII_NODE", other)
	require.NoError(t, Direct())
	assert.Empty(t, os.Getenv(NodeEnv), "another version's launcher, inherited: not the node to run")

	// The script never runs itself, nor passes NodeEnv on: one launcher running another ends.
	stdout, _ := launcherRunWith(t, shapes, []string{NodeEnv + "=SELF"}, "--version")
	assert.Equal(t, "ran node --version\n", stdout)
}

func TestDirectLeavesJsiiToSayThatNodeIsMissing(t *testing.T) {
	freshUser(t)
	t.Setenv("JSII_NODE", "")
	t.Setenv(NodeEnv, "no-such-node-privatepatch")
	assert.ErrorContains(t, Direct(), "no no-such-node-privatepatch")
	assert.Empty(t, os.Getenv("JSII_NODE"))
}

func TestAWrittenLauncherIsCheckedBeforeEachRun(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no POSIX shell")
	}
	root := t.TempDir()
	script, err := installLauncher(root)
	require.NoError(t, err)
	dir := filepath.Dir(script)
	info, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Zero(t, info.Mode().Perm()&0o077, "the directory is this user's alone")

	require.NoError(t, os.Remove(filepath.Join(dir, "direct.js")))
	again, err := installLauncher(root)
	require.NoError(t, err, "a file deleted: written again")
	assert.Equal(t, script, again)
	assert.FileExists(t, filepath.Join(dir, "direct.js"))

	require.NoError(t, os.WriteFile(script, []byte("#!/bin/sh\nexec node \"$@\"\n"), 0o755))
	_, err = installLauncher(root)
	require.NoError(t, err)
	data, err := os.ReadFile(script)
	require.NoError(t, err)
	assert.Equal(t, launcherScript(), string(data), "an edited script: written again")

	require.NoError(t, os.Chmod(dir, 0o777))
	_, err = installLauncher(root)
	assert.ErrorIs(t, err, errForeign, "a directory others may write: never run")
	require.NoError(t, os.Chmod(dir, 0o700))

	probed := probe
	t.Cleanup(func() { probe = probed })
	probe = func(string) error { return errors.New("noexec") }
	_, err = installLauncher(root)
	assert.ErrorContains(t, err, "noexec", "a directory where scripts no longer run (a noexec mount): the launcher is jsii's")

	probe = probed
	shim = append(shim, '\n')
	t.Cleanup(func() { shim = shim[:len(shim)-1] })
	changed, err := installLauncher(root)
	require.NoError(t, err)
	assert.NotEqual(t, script, changed, "another direct.js: another directory")
}

// freshUser gives the test a user of its own: new cache and home directories, no JSII_RUNTIME
// (skipped where there is no POSIX shell).
func freshUser(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("no POSIX shell")
	}
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	t.Setenv("JSII_RUNTIME", "")
}
