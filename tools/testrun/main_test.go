package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sample writes a module of test packages: files by path under the module's directory.
func sample(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	files["go.mod"] = "module example.com/sample\n\ngo 1.26\n"
	for name, text := range files {
		write(t, filepath.Join(root, name), text)
	}
	return root
}

// write writes a source file dated a minute ago: go does not keep the hash of a file changed in
// the last seconds, so a binary built from one is linked again on every run, as no edited
// checkout's is.
func write(t *testing.T, file, text string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(file), 0o755))
	require.NoError(t, os.WriteFile(file, []byte(text), 0o644))
	then := time.Now().Add(-time.Minute)
	require.NoError(t, os.Chtimes(file, then, then))
}

const passing = "package pass\n\nimport \"testing\"\n\nfunc TestPasses(t *testing.T) {}\n"

// niceness is a test that logs its process's nice value, in which directory it runs, the go it
// finds, a variable of the run's environment and its timeout.
func niceness(pkg string) string {
	return "package " + pkg + `

import (
	"flag"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"testing"
)

func TestLogsItsNiceness(t *testing.T) {
	nice, err := syscall.Getpriority(syscall.PRIO_PROCESS, 0)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "linux" {
		nice = 20 - nice // Linux's raw call answers 20 - nice
	}
	wd, _ := os.Getwd()
	goCommand, _ := exec.LookPath("go")
	t.Logf("nice=%d in %s PWD=%s go=%s planted=%s timeout=%s", nice, wd, os.Getenv("PWD"), goCommand, os.Getenv("TESTRUN_PLANTED"), flag.Lookup("test.timeout").Value)
}
`
}

// ownNiceness is this process's nice value.
func ownNiceness(t *testing.T) int {
	nice, err := syscall.Getpriority(syscall.PRIO_PROCESS, 0)
	require.NoError(t, err)
	if runtime.GOOS == "linux" {
		nice = 20 - nice // Linux's raw call answers 20 - nice
	}
	return nice
}

func sampleOptions(root string, patterns ...string) options {
	return options{root: root, nice: 15, parallel: 2, ldflags: "-w", binDir: filepath.Join(root, "bin"), patterns: patterns}
}

func runIn(t *testing.T, opts options) (bool, string) {
	t.Helper()
	var out strings.Builder
	passed, err := run(opts, &out)
	require.NoError(t, err, out.String())
	return passed, out.String()
}

// The report is go test's: ok, FAIL with the failing package's output before it, no test files,
// a test calling os.Exit(0) failing as under go test, and FAIL at the end; the -first package
// is reported last and runs at the default priority, the others at -nice, each in its directory;
// two packages whose binaries go test -c would name alike both run.
func TestTheReportIsGoTestsWithTheFirstPackageLastAndTheOthersNicer(t *testing.T) {
	root := sample(t, map[string]string{
		"pass/pass_test.go":      passing,
		"fail/fail_test.go":      "package fail\n\nimport \"testing\"\n\nfunc TestFails(t *testing.T) { t.Error(\"planted failure\") }\n",
		"exit/exit_test.go":      "package exit\n\nimport (\n\t\"os\"\n\t\"testing\"\n)\n\nfunc TestExitsZero(t *testing.T) { os.Exit(0) }\n",
		"notests/notests.go":     "package notests\n",
		"a/same/same_test.go":    niceness("same"),
		"b/same/same_test.go":    niceness("same"),
		"first/first_test.go":    niceness("first"),
		"first/zz/later_test.go": passing,
	})
	t.Setenv("TESTRUN_PLANTED", "yes")
	// Another go first in PATH: the tests must find GOROOT's, as under go test.
	other := t.TempDir()
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	require.NoError(t, err)
	goCommand := filepath.Join(strings.TrimSpace(string(goroot)), "bin", "go")
	write(t, filepath.Join(other, "go"), "#!/bin/sh\nexec "+goCommand+" \"$@\"\n")
	require.NoError(t, os.Chmod(filepath.Join(other, "go"), 0o755))
	t.Setenv("PATH", other+string(os.PathListSeparator)+os.Getenv("PATH"))
	opts := sampleOptions(root, "./...")
	opts.first, opts.testFlags = "./first", []string{"-test.v"}
	passed, out := runIn(t, opts)
	assert.False(t, passed)

	lines := regexp.MustCompile(`(?m)^(ok  |FAIL|\?   )\t(\S+)`).FindAllStringSubmatch(out, -1)
	var got []string
	for _, l := range lines {
		got = append(got, strings.TrimSpace(l[1])+" "+strings.TrimPrefix(l[2], "example.com/sample/"))
	}
	assert.Equal(t, []string{"ok a/same", "ok b/same", "FAIL exit", "FAIL fail", "ok first/zz", "? notests", "ok pass", "ok first"}, got, out)
	assert.Contains(t, out, "planted failure")
	assert.Contains(t, out, "os.Exit(0)", "a test calling os.Exit(0) fails, as with go test's -test.paniconexit0")
	assert.True(t, strings.HasSuffix(out, "\nFAIL\n"), "FAIL at the end: %q", out[max(len(out)-40, 0):])
	own := ownNiceness(t) // nice adds to the niceness a run starts with
	for dir, nice := range map[string]int{"a/same": min(own+15, 19), "b/same": min(own+15, 19), "first": own} {
		want := fmt.Sprintf("nice=%d in %s PWD=%s go=%s planted=yes timeout=10m0s", nice, filepath.Join(root, dir), filepath.Join(root, dir), goCommand)
		assert.Contains(t, out, want, "the test of %s: its priority, directory, GOROOT's go first in PATH, the run's environment, go test's timeout", dir)
	}

	opts.testFlags = nil
	_, out = runIn(t, opts)
	assert.NotContains(t, out, "nice=", "without -test.v a passing package's output is left out")
	assert.Contains(t, out, "planted failure", "a failing package's is not")
}

// The others start the longest first by their CPU time in the last run, a package without one
// first of all; the run keeps each package's time for the next.
func TestTheOthersStartTheLongestFirstByTheirLastRun(t *testing.T) {
	logsItsName := func(name string) string {
		return "package " + name + "\n\nimport (\n\t\"os\"\n\t\"testing\"\n)\n\n" +
			"func TestLogs(t *testing.T) {\n\tf, _ := os.OpenFile(os.Getenv(\"TESTRUN_ORDER\"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)\n" +
			"\tf.WriteString(\"" + name + " \")\n\tf.Close()\n}\n"
	}
	// go list's order is a, b, c; by the last run it is c (no time), b (5 s), a (0.1 s).
	root := sample(t, map[string]string{"a/a_test.go": logsItsName("a"), "b/b_test.go": logsItsName("b"), "c/c_test.go": logsItsName("c")})
	order := filepath.Join(t.TempDir(), "order")
	t.Setenv("TESTRUN_ORDER", order)
	opts := sampleOptions(root, "./...")
	opts.parallel = 1
	write(t, filepath.Join(opts.binDir, workFile), `{"example.com/sample/a": 0.1, "example.com/sample/b": 5}`)
	passed, out := runIn(t, opts)
	require.True(t, passed, out)
	started, err := os.ReadFile(order)
	require.NoError(t, err)
	assert.Equal(t, "c b a ", string(started))

	kept, err := os.ReadFile(filepath.Join(opts.binDir, workFile))
	require.NoError(t, err)
	var seconds map[string]float64
	require.NoError(t, json.Unmarshal(kept, &seconds))
	for _, name := range []string{"a", "b", "c"} {
		assert.Greater(t, seconds["example.com/sample/"+name], 0.0, "%s's CPU time is kept", name)
		assert.Less(t, seconds["example.com/sample/"+name], 5.0, "%s's time is this run's", name)
	}

	// A run of chosen tests keeps the last whole run's times; a damaged or null file is no history.
	opts.testFlags = []string{"-test.run=TestLogs"}
	write(t, filepath.Join(opts.binDir, workFile), `{"example.com/sample/a": 0.1, "example.com/sample/b": 5}`)
	passed, out = runIn(t, opts)
	require.True(t, passed, out)
	kept, err = os.ReadFile(filepath.Join(opts.binDir, workFile))
	require.NoError(t, err)
	assert.JSONEq(t, `{"example.com/sample/a": 0.1, "example.com/sample/b": 5}`, string(kept))
	for _, damaged := range []string{"null", "{", "[]"} {
		write(t, filepath.Join(opts.binDir, workFile), damaged)
		passed, out = runIn(t, opts)
		require.True(t, passed, "%s: %s", damaged, out)
	}
}

// A package whose code did not change keeps its linked binary (the point of the runner); one that
// changed is linked again and its new test runs, never the stale binary; a package without tests
// any more leaves no binary behind.
func TestAnUnchangedPackageIsNotLinkedAgainAndAChangedOneIs(t *testing.T) {
	root := sample(t, map[string]string{"pass/pass_test.go": passing, "other/other_test.go": strings.ReplaceAll(passing, "package pass", "package other")})
	opts := sampleOptions(root, "./...")
	passed, out := runIn(t, opts)
	require.True(t, passed, out)
	binary := func(name string) string {
		found, err := filepath.Glob(filepath.Join(opts.binDir, "*", name+".test"))
		require.NoError(t, err)
		require.Len(t, found, 1, "%s's binary", name)
		return found[0]
	}
	// A mark after the binary's end: go's up-to-date check reads the build id, so a binary not
	// linked again keeps it, and a new link leaves it out (go touches an up-to-date binary, so its
	// modification time shows nothing).
	marked := func() bool {
		data, err := os.ReadFile(binary("pass"))
		require.NoError(t, err)
		return strings.HasSuffix(string(data), "\nMARK\n")
	}
	f, err := os.OpenFile(binary("pass"), os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString("\nMARK\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())

	passed, out = runIn(t, opts)
	require.True(t, passed, out)
	assert.True(t, marked(), "not linked again")

	write(t, filepath.Join(root, "pass", "pass_test.go"), strings.Replace(passing, "{}", "{ t.Error(\"changed\") }", 1))
	passed, out = runIn(t, opts)
	assert.False(t, passed, "the changed test ran: %s", out)
	assert.Contains(t, out, "changed")
	assert.False(t, marked(), "linked again")

	require.NoError(t, os.Remove(filepath.Join(root, "other", "other_test.go")))
	write(t, filepath.Join(root, "other", "other.go"), "package other\n")
	runIn(t, opts)
	found, _ := filepath.Glob(filepath.Join(opts.binDir, "*", "other.test"))
	assert.Empty(t, found, "the binary of a package without tests is removed")
}

// A package whose test does not build fails the run before anything runs, with go's error: a
// stale binary of it, or the others' results, never stand in for it.
func TestATestThatDoesNotBuildFailsTheRunAndRunsNothing(t *testing.T) {
	root := sample(t, map[string]string{"pass/pass_test.go": passing, "broken/broken_test.go": "package broken\n\nfunc TestX(t *testing.T) {}\n"})
	opts := sampleOptions(root, "./...")
	var out strings.Builder
	passed, err := run(opts, &out)
	require.Error(t, err)
	assert.False(t, passed)
	assert.Contains(t, err.Error(), "undefined: testing")
	assert.Empty(t, out.String(), "nothing ran")
}

func TestTheFirstPackageMustBeOneOfThoseToTest(t *testing.T) {
	root := sample(t, map[string]string{"pass/pass_test.go": passing, "other/other_test.go": strings.ReplaceAll(passing, "package pass", "package other")})
	opts := sampleOptions(root, "./pass")
	opts.first = "./other"
	_, err := run(opts, &strings.Builder{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-first ./other: not one of the packages to test")
}

func TestFlagsAfterTwoDashesGoToTheTestBinaries(t *testing.T) {
	patterns, flags := splitArgs([]string{"./a", "./b", "--", "-test.short", "-test.run=X"})
	assert.Equal(t, []string{"./a", "./b"}, patterns)
	assert.Equal(t, []string{"-test.short", "-test.run=X"}, flags)
	patterns, flags = splitArgs([]string{"./..."})
	assert.Equal(t, []string{"./..."}, patterns)
	assert.Nil(t, flags)
}

// A package without tests that does not compile fails the run, as under go test: a library or
// a command (compiled, not linked).
func TestAPackageWithoutTestsThatDoesNotCompileFailsTheRun(t *testing.T) {
	root := sample(t, map[string]string{"pass/pass_test.go": passing,
		"lib/lib.go":  "package lib\n\nvar X int = \"not an int\"\n",
		"cmd/main.go": "package main\n\nfunc main() { unused := 1 }\n"})
	_, err := run(sampleOptions(root, "./..."), &strings.Builder{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "lib/lib.go")
	assert.Contains(t, err.Error(), "cmd/main.go")
}

// A kept binary that no longer runs (damaged) fails its package and is removed, so that the next
// run links it again instead of failing on it until its code changes.
func TestADamagedBinaryFailsOnceAndIsLinkedAgain(t *testing.T) {
	root := sample(t, map[string]string{"pass/pass_test.go": passing})
	opts := sampleOptions(root, "./...")
	passed, out := runIn(t, opts)
	require.True(t, passed, out)
	found, err := filepath.Glob(filepath.Join(opts.binDir, "*", "pass.test"))
	require.NoError(t, err)
	require.Len(t, found, 1)
	info, err := os.Stat(found[0])
	require.NoError(t, err)
	require.NoError(t, os.Truncate(found[0], info.Size()/2)) // the build id, near its start, stays

	passed, out = runIn(t, opts)
	assert.False(t, passed, out)
	assert.Regexp(t, `(?m)^(signal: |fork/exec |exit status )`, out, "the reason is printed")
	passed, out = runIn(t, opts)
	assert.True(t, passed, "linked again: %s", out)
}

// An interrupt stops the test binaries running (their output is reported) and starts no other.
func TestAnInterruptStopsTheRunningTestsAndStartsNoOther(t *testing.T) {
	started := filepath.Join(t.TempDir(), "started")
	queued := filepath.Join(t.TempDir(), "queued-ran")
	root := sample(t, map[string]string{
		"a/slow/slow_test.go": "package slow\n\nimport (\n\t\"os\"\n\t\"testing\"\n\t\"time\"\n)\n\n" +
			"func TestSlow(t *testing.T) {\n\tos.WriteFile(" + fmt.Sprintf("%q", started) + ", nil, 0o644)\n\ttime.Sleep(time.Minute)\n}\n",
		"b/queued/queued_test.go": "package queued\n\nimport (\n\t\"os\"\n\t\"testing\"\n)\n\n" +
			"func TestQueued(t *testing.T) { os.WriteFile(" + fmt.Sprintf("%q", queued) + ", nil, 0o644) }\n",
	})
	opts := sampleOptions(root, "./...")
	opts.parallel = 1
	type ran struct {
		passed bool
		out    string
		err    error
	}
	done := make(chan ran, 1)
	go func() {
		var out strings.Builder
		passed, err := run(opts, &out)
		done <- ran{passed, out.String(), err}
	}()
	require.Eventually(t, func() bool { _, err := os.Stat(started); return err == nil }, time.Minute, 10*time.Millisecond, "the slow test started")
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGINT))
	var r ran
	select {
	case r = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the run did not end after the interrupt")
	}
	require.NoError(t, r.err)
	assert.False(t, r.passed)
	assert.Regexp(t, `(?m)^FAIL\texample.com/sample/a/slow\t`, r.out)
	assert.Contains(t, r.out, "FAIL\texample.com/sample/b/queued\t[interrupted before it started]")
	assert.NoFileExists(t, queued, "the queued package never ran")
	assert.NoFileExists(t, filepath.Join(opts.binDir, workFile), "an interrupted run keeps no times for the next to order by")
}

// The packages named without go are those go list names: ./..., a package's directory; any other
// pattern goes to go list.
func TestPatternsReadWithoutGoAreThoseGoListReads(t *testing.T) {
	root := sample(t, map[string]string{"pass/pass_test.go": passing, "pass/deeper/d_test.go": strings.ReplaceAll(passing, "package pass", "package deeper"),
		"notests/n.go": "package notests\n"})
	all, err := list(root, []string{"./..."})
	require.NoError(t, err)
	for _, pattern := range []string{"./...", "./pass", "./pass/deeper", "./notests", "./pass/...", "example.com/sample/pass"} {
		want, err := list(root, []string{pattern})
		require.NoError(t, err, pattern)
		got, err := listAmong(root, []string{pattern}, all)
		require.NoError(t, err, pattern)
		assert.Equal(t, want, got, pattern)
	}
	_, err = listAmong(root, []string{"./nowhere"}, all)
	assert.Error(t, err, "a directory without a package is go list's error")
}
