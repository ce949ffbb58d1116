package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
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

// niceness is a test that logs its process's nice value, and in which directory it runs.
func niceness(pkg string) string {
	return "package " + pkg + `

import (
	"os"
	"strings"
	"testing"
)

func TestLogsItsNiceness(t *testing.T) {
	stat, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	wd, _ := os.Getwd()
	t.Logf("nice=%s in %s PWD=%s", fields[16], wd, os.Getenv("PWD"))
}
`
}

// ownNiceness reads this process's nice value, the 19th field of /proc/self/stat.
func ownNiceness(t *testing.T) int {
	stat, err := os.ReadFile("/proc/self/stat")
	require.NoError(t, err)
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	nice, err := strconv.Atoi(fields[16])
	require.NoError(t, err)
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
		want := fmt.Sprintf("nice=%d in %s PWD=%s", nice, filepath.Join(root, dir), filepath.Join(root, dir))
		assert.Contains(t, out, want, "the test of %s", dir)
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
