package test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/app/kernel"
)

// The tests' jsii kernel runs as the app's does, without jsii's launcher (app/kernel): a jsii
// call is one round trip to the kernel instead of two through the launcher, a second Node process
// (the CDK package 39 s to 28-32 s, docs/benchmarks.md, tenth session). The tests keep jsii's
// default Node options, not the app's. Only this process's kernel: the programs the tests run
// start jsii as they do for users (the app and the floor through kernel.Prepare, the program
// outside the module with jsii's launcher).

// directKernelErr is why the kernel runs with jsii's launcher, or nil.
var directKernelErr = errors.New("not started")

// startKernel starts this process's jsii kernel, without the launcher when it can. TestMain calls
// it before any CDK call, with the environment the kernel is to see.
func startKernel() {
	jsii.Close() // the kernel jsii prepared at package initialisation, before this environment
	restore := map[string]*string{}
	for _, name := range []string{"JSII_NODE", kernel.NodeEnv} {
		if value, set := os.LookupEnv(name); set {
			restore[name] = &value
		} else {
			restore[name] = nil
		}
	}
	directKernelErr = kernel.Direct()
	awscdk.Token_IsUnresolved(jsii.String("")) // the first call starts the kernel, reading JSII_NODE
	for name, value := range restore {
		if value == nil {
			os.Unsetenv(name)
		} else {
			os.Setenv(name, *value)
		}
	}
}

func TestTheTestsKernelRunsWithoutJsiisLauncher(t *testing.T) {
	require.NoError(t, directKernelErr, "the tests' kernel runs with jsii's launcher: each CDK call crosses two processes")
	if runtime.GOOS == "linux" {
		children := childCommandLines(t)
		assert.Contains(t, children, "direct.js", "the kernel is this process's child, with the shim preloaded")
		assert.Contains(t, children, "/lib/program.js", "the kernel itself")
		assert.NotContains(t, children, "jsii-runtime.js", "not jsii's launcher")
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
