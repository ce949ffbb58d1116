package test

import (
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// behindTheSynths lowers the priority of the calling goroutine's thread, and so of the programs
// it starts (Linux gives a child the nice value of the thread that forks it), by 10: the
// in-process synths, which every serial test waits on, then have the cores first, and the
// background's programs take what they leave. The goroutine keeps the thread until it ends, when
// Go ends the thread with it. Where the priority cannot be set, the work runs as it is.
func behindTheSynths() {
	runtime.LockOSThread()
	tid := syscall.Gettid()
	if raw, err := syscall.Getpriority(syscall.PRIO_PROCESS, tid); err == nil {
		syscall.Setpriority(syscall.PRIO_PROCESS, tid, min(20-raw+10, 19)) // the raw call answers 20 - nice
	}
}

// The programs a background goroutine starts after behindTheSynths run 10 nicer than the tests,
// and those the tests start elsewhere at the tests' own priority.
func TestBackgroundProgramsRunBehindTheSynths(t *testing.T) {
	t.Parallel() // no CDK: other programs
	niceness := func() string {
		out, err := exec.Command("nice").Output()
		require.NoError(t, err)
		return strings.TrimSpace(string(out))
	}
	own := niceness()
	done := make(chan string)
	go func() {
		behindTheSynths()
		done <- niceness()
	}()
	behind := <-done
	ownValue, err := strconv.Atoi(own)
	require.NoError(t, err)
	assert.Equal(t, strconv.Itoa(min(ownValue+10, 19)), behind, "a program the background starts")
	assert.Equal(t, own, niceness(), "a program a test starts")
}
