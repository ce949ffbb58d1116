package test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests' jsii kernel runs without jsii's launcher. A jsii call is a round trip Go -> launcher
// -> kernel and back, and the launcher (a second Node process relaying fd 3 to and from its stdin
// and stdout) doubles each call's wake-ups: on these 2-core machines the CDK package ran in 39 s
// with it and 28-32 s without it (docs/benchmarks.md, tenth session). The kernel is started as
// JSII_RUNTIME (jsii-runtime-go's documented override) with testdata/jsii-direct.js preloaded,
// which reads and writes the kernel's fd 3 on the Go side's pipes (moved to fds 4 and 5 by the
// shell) and writes its console output as the launcher does. Only this process's kernel: the
// programs the tests run (the app, the CDK CLI, the program outside the module) start jsii as
// users' runs do, with the launcher.

// kernelProgram is where the embedded runtime's kernel is, relative to jsii-runtime-go's module.
const kernelProgram = "internal/embedded/resources/lib/program.js"

// kernelReadsFd3 is the shape of the kernel that jsii-direct.js redirects: its protocol on fd 3,
// read and written with fs.readSync and fs.writeSync (jsii-runtime-go v1.142.0's bundle). A bundle
// of another shape keeps the launcher, and TestTheTestsKernelRunsWithoutJsiisLauncher fails.
var kernelReadsFd3 = []*regexp.Regexp{
	regexp.MustCompile(`readFD:3,writeFD:3\b`),
	regexp.MustCompile(`\.readSync\(this\.stdin,`),
	regexp.MustCompile(`\.writeSync\(\w+,\w+,\w+\)`),
}

// directKernelErr is why the kernel runs with the launcher, or nil.
var directKernelErr = errors.New("not started")

// startKernel starts this process's jsii kernel, without the launcher when it can. TestMain calls
// it before any CDK call, with the environment the kernel is to see.
func startKernel() {
	jsii.Close()
	if os.Getenv("JSII_RUNTIME") != "" {
		directKernelErr = errors.New("JSII_RUNTIME is set in the environment: every kernel runs as it says")
		return
	}
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/jsii-runtime-go").Output()
	if err != nil {
		directKernelErr = fmt.Errorf("go list jsii-runtime-go: %w", err)
		return
	}
	program := filepath.Join(strings.TrimSpace(string(out)), kernelProgram)
	source, err := os.ReadFile(program)
	if err != nil {
		directKernelErr = err
		return
	}
	shim, err := filepath.Abs(filepath.Join("testdata", "jsii-direct.js"))
	if err != nil {
		directKernelErr = err
		return
	}
	command, err := directKernelCommand(source, program, shim, os.Getenv("JSII_NODE"))
	if err != nil {
		directKernelErr = err
		return
	}
	// jsii runs JSII_RUNTIME with $SHELL -c: a POSIX shell, whatever the user's.
	shell, hadShell := os.LookupEnv("SHELL")
	os.Setenv("SHELL", "/bin/sh")
	os.Setenv("JSII_RUNTIME", command)
	awscdk.Token_IsUnresolved(jsii.String("")) // the first call starts the kernel, reading JSII_RUNTIME
	os.Unsetenv("JSII_RUNTIME")
	if hadShell {
		os.Setenv("SHELL", shell)
	} else {
		os.Unsetenv("SHELL")
	}
	directKernelErr = nil
}

// directKernelCommand is JSII_RUNTIME's command (run by $SHELL -c) for the kernel at program,
// whose source is given, with the shim preloaded: the launcher's own command line for it
// (--preserve-symlinks), node being JSII_NODE's value or node, and the Go side's pipes moved
// where the shim reads and writes them: requests on fd 4, replies on fd 5, stdin /dev/null as the
// launcher leaves it, stdout to stderr.
func directKernelCommand(source []byte, program, shim, node string) (string, error) {
	for _, shape := range kernelReadsFd3 {
		if !shape.Match(source) {
			return "", fmt.Errorf("%s has no %s: jsii's kernel has changed how it talks to the launcher, so jsii-direct.js would not reach it", program, shape)
		}
	}
	if node == "" {
		node = "node"
	}
	return "exec " + strings.Join([]string{shellQuote(node), "--require", shellQuote(shim), "--preserve-symlinks", shellQuote(program)}, " ") +
		" 4<&0 5>&1 </dev/null 1>&2", nil
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func TestTheTestsKernelRunsWithoutJsiisLauncher(t *testing.T) {
	require.NoError(t, directKernelErr, "the tests' kernel runs with jsii's launcher: each CDK call crosses two processes")
	if runtime.GOOS == "linux" {
		assert.Contains(t, childCommandLines(t), "jsii-direct.js", "the kernel is this process's child, with the shim preloaded")
	}

	// Planted: a kernel of another shape keeps the launcher, saying why.
	fd3 := []byte(`new V.SyncStdio({errorFD:2,readFD:3,writeFD:3}) F.readSync(this.stdin,this.readBuffer) F.writeSync(p,e,m)`)
	command, err := directKernelCommand(fd3, "/m/program.js", "/t/it's.js", "")
	require.NoError(t, err)
	assert.Equal(t, `exec 'node' --require '/t/it'\''s.js' --preserve-symlinks '/m/program.js' 4<&0 5>&1 </dev/null 1>&2`, command)
	for _, other := range [][]byte{
		bytes.ReplaceAll(fd3, []byte("readFD:3,writeFD:3"), []byte("readFD:4,writeFD:4")),
		bytes.ReplaceAll(fd3, []byte("readSync"), []byte("read")),
		bytes.ReplaceAll(fd3, []byte("writeSync"), []byte("write")),
	} {
		_, err := directKernelCommand(other, "/m/program.js", "/t/shim.js", "")
		assert.ErrorContains(t, err, "jsii's kernel has changed how it talks to the launcher", string(other))
	}
}

// childCommandLines are the command lines of this process's children (Linux's /proc).
func childCommandLines(t *testing.T) string {
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	require.NoError(t, err)
	var lines []string
	for _, stat := range stats {
		data, err := os.ReadFile(stat)
		if err != nil {
			continue // gone
		}
		// pid (comm) state ppid ...: comm may hold spaces, so fields are counted after its ")".
		fields := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(os.Getpid()) {
			cmdline, _ := os.ReadFile(filepath.Join(filepath.Dir(stat), "cmdline"))
			lines = append(lines, string(bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '})))
		}
	}
	return strings.Join(lines, "\n")
}

// The shim does for the kernel what the launcher did: the protocol's fd 3 reads the Go side's
// requests (fd 4) and writes its replies (fd 5), and the kernel's console output reaches the Go
// side's stderr as whole {"stdout"|"stderr": base64} lines, however large, which the Go runtime
// decodes. Run here as directKernelCommand starts the kernel, with a script in its place.
func TestTheKernelShimReadsAndWritesTheProtocolAndWritesConsoleOutputAsTheLauncher(t *testing.T) {
	t.Parallel() // another program
	shim, err := filepath.Abs(filepath.Join("testdata", "jsii-direct.js"))
	require.NoError(t, err)
	script := `const fs = require("fs"); const buffer = Buffer.alloc(64);
const request = buffer.subarray(0, fs.readSync(3, buffer, 0, 64, null)).toString();
console.error("e".repeat(300000)); console.log("out"); process.stdout.write(Buffer.from([0xff, 0x00]));
fs.writeSync(3, "reply to " + request);`
	cmd := exec.Command("sh", "-c", `exec node --require "$0" -e "$1" 4<&0 5>&1 </dev/null 1>&2`, shim, script)
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
