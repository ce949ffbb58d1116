package test

import (
	"os"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// A job is a test's work that needs no CDK in this process (other programs: the app binary, the
// CDK CLI, verify, snapshot): TestMain starts every job (startJobs), so that it runs on the other
// core while the tests synthesise here, and its test waits for the result and asserts on it. A
// test run alone (-run) starts the job it needs itself.
type job[T any] struct {
	once   sync.Once
	done   chan struct{}
	result T
	err    error
	// after, if set, is waited for before the job takes a slot (the run it reads).
	after func()
	run   func() (T, error)
}

// jobSlots lets two jobs (and the checks' runs, checks_test.go) run at once: with the in-process
// synths, that keeps both cores busy without making the synths, on which most tests wait, share a
// core three ways for long.
var jobSlots = make(chan struct{}, 2)

// inSlot runs work once a slot is free.
func inSlot(work func()) {
	jobSlots <- struct{}{}
	defer func() { <-jobSlots }()
	work()
}

// jobDirs are the directories jobs made; TestMain removes them.
var (
	jobDirsMu sync.Mutex
	jobDirs   []string
)

// jobDir makes a directory that lives until the end of the run.
func jobDir(prefix string) (string, error) {
	dir, err := os.MkdirTemp("", prefix)
	if err == nil {
		jobDirsMu.Lock()
		jobDirs = append(jobDirs, dir)
		jobDirsMu.Unlock()
	}
	return dir, err
}

func removeJobDirs() {
	for _, dir := range jobDirs {
		os.RemoveAll(dir)
	}
}

// start runs the job in the background, once.
func (j *job[T]) start() {
	j.once.Do(func() {
		j.done = make(chan struct{})
		background.Go(func() {
			behindTheSynths()
			defer close(j.done)
			if j.after != nil {
				j.after()
			}
			inSlot(func() { j.result, j.err = j.run() })
		})
	})
}

// wait starts the job if it has not started, waits for it and returns its result.
func (j *job[T]) wait(t testing.TB) T {
	t.Helper()
	j.start()
	<-j.done
	require.NoError(t, j.err)
	return j.result
}

// startJobs starts every job, unless the run selects tests (-run). TestMain calls it after the
// in-process synths (only the direct and CLI runs start before them): started first, the jobs left
// the synths, on which every test waits, half a core for 40 s, and the second core then idled
// while the tests ran one at a time; started after, they fill it.
func startJobs() {
	if selectedTests() {
		return
	}
	for _, j := range []interface{ start() }{verifyDirect, snapshotCheck, helpRuns, validationKeepingRun, awsCdkLibRead} {
		j.start()
	}
	if !testing.Short() {
		outsideRun.start()
	}
}
