//go:build unix

package kernel

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The kernel's console output goes to the Go side's stderr through direct.js's writeAll, which
// waits and writes the rest when the fd is full and non-blocking (EAGAIN), as the kernel's own
// SyncStdio does. Here a megabyte goes to a FIFO opened non-blocking, whose reader waits before
// reading: the writes fill the FIFO, meet EAGAIN (counted), and still deliver every byte.
func TestDirectJsWritesEverythingToAFullNonBlockingFdWaitingOnEagain(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "stderr")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	// Opened for reading first, so that node's non-blocking open for writing finds a reader.
	reader, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	require.NoError(t, err)
	defer reader.Close()
	shimFile := filepath.Join(dir, "direct.js")
	require.NoError(t, os.WriteFile(shimFile, shim, 0o644))
	const size = 1 << 20
	script := `const fs = require("fs"), vm = require("vm"); const module = { exports: {} }; let eagain = 0;
const counting = { ...fs, writeSync: (...args) => { try { return fs.writeSync(...args); } catch (e) { if (e.code === "EAGAIN") eagain++; throw e; } } };
vm.runInThisContext("(function (require, module) {" + fs.readFileSync(process.argv[1], "utf8") + "\n})")(
  (name) => name === "worker_threads" ? { isMainThread: false } : name === "fs" ? counting : require(name), module);
const fd = fs.openSync(process.argv[2], fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
fs.writeSync(1, "open\n");
module.exports.writeAll(fd, Buffer.alloc(` + "1 << 20" + `, "x"));
fs.closeSync(fd);
console.log(eagain);`
	cmd := exec.Command("node", "-e", script, shimFile, fifo)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdoutPipe, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	stdout := bufio.NewReader(stdoutPipe)
	opened, err := stdout.ReadString('\n')
	require.NoError(t, err, "node opened the FIFO (a reader before any writer would read its end at once): %s", stderr.String())
	require.Equal(t, "open\n", opened)
	time.Sleep(100 * time.Millisecond) // the FIFO (64 KiB on Linux) fills long before
	received, readErr := io.ReadAll(reader)
	require.NoError(t, readErr)
	eagain, _ := io.ReadAll(stdout)
	require.NoError(t, cmd.Wait(), stderr.String())
	assert.Equal(t, size, len(received), "every byte, none lost to EAGAIN")
	assert.Equal(t, strings.Repeat("x", size), string(received))
	assert.NotEqual(t, "0", strings.TrimSpace(string(eagain)), "the write met a full FIFO: the retry was exercised")
}

// A launcher script still open for writing somewhere (a file another thread had open when this
// process forked, until that child execs) cannot run for a moment: ETXTBSY. The probe tries it
// again, a little later each time, and names the error when it stays busy.
func TestTheProbeWaitsForABusyScript(t *testing.T) {
	script := filepath.Join(t.TempDir(), "node")
	writer, err := os.OpenFile(script, os.O_CREATE|os.O_WRONLY, 0o755)
	require.NoError(t, err)
	_, err = writer.WriteString("#!/bin/sh\nexit 0\n")
	require.NoError(t, err)

	err = probeScript(script, 2, time.Millisecond)
	assert.ErrorIs(t, err, syscall.ETXTBSY, "planted: open for writing through every try")

	go func() { time.Sleep(30 * time.Millisecond); writer.Close() }()
	assert.NoError(t, probeScript(script, 5, 20*time.Millisecond), "busy, then free: run on a later try")
}
