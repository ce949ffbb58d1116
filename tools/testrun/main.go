// Command testrun runs the tests of the packages it is given as `go test -count=1 -vet=off` runs
// them, but links each package's test binary into a directory kept between runs, where go test -c
// leaves a binary whose build id is current as it is: a package whose code and dependencies did
// not change is not linked again (go test links every test binary on every run: 12-16 s of CPU a
// run of make test here, docs/benchmarks.md).
//
// One package (-first) starts first, at this run's priority, and is reported last; every other
// runs -nice nicer beside it, -p at a time, the longest first by its CPU time in the last whole
// run (kept beside the binaries). The report is go test's: a line for each package (ok, FAIL, no
// test files, no tests to run), a failing package's output and exit status before its line, and
// FAIL at the end when any failed. Packages without tests are compiled, as go test
// compiles them. When anything does not build, go's errors are printed and nothing runs: a stale
// binary is never run in its place. An interrupt stops the binaries running and starts no other.
//
// What it leaves out of go test: vet (make test runs go vet ./... before it), test flags in
// GOFLAGS (pass them after --), coverage, fuzzing and the test cache.
//
//	go run ./tools/testrun [-first ./test] [-nice 15] [-p N] packages... [-- flags for every test binary]
package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/privatepatch/privatepatch/tools/keptdir"
)

func main() {
	flag.Usage = func() {
		fmt.Fprint(flag.CommandLine.Output(), `Usage: go run ./tools/testrun [flags] packages... [-- flags for every test binary]

Runs the packages' tests as go test -count=1 -vet=off runs them, linking the test binaries into a
directory of this checkout's kept between runs (under the user's cache directory), where an
unchanged package's binary is not linked again. make test runs it after go vet.

`)
		flag.PrintDefaults()
	}
	opts := options{}
	flag.StringVar(&opts.first, "first", "", "a package started first, at this run's priority, and reported last")
	flag.IntVar(&opts.nice, "nice", 15, "how much nicer than this run every other package's tests run (0: as nice as it)")
	flag.IntVar(&opts.parallel, "p", runtime.NumCPU(), "how many of the other packages run at once")
	flag.StringVar(&opts.ldflags, "ldflags", "-w", "the linker's flags for the test binaries")
	flag.Parse()
	opts.patterns, opts.testFlags = splitArgs(flag.Args())
	if len(opts.patterns) == 0 {
		flag.Usage()
		os.Exit(2)
	}
	dir, unlock, err := keptdir.Lock(".", "test-binaries")
	if err != nil {
		if dir, err = os.MkdirTemp("", "privatepatch-test-binaries"); err != nil {
			fmt.Fprintln(os.Stderr, "testrun:", err)
			os.Exit(1)
		}
		unlock = func() { os.RemoveAll(dir) }
	}
	opts.binDir = dir
	passed, err := run(opts, os.Stdout)
	unlock()
	if err != nil {
		fmt.Fprintln(os.Stderr, "testrun:", err)
		os.Exit(1)
	}
	if !passed {
		os.Exit(1)
	}
}

type options struct {
	root      string   // the module's directory, where go runs ("": this process's)
	first     string   // pattern of the package started first, or ""
	nice      int      // how much nicer the others run
	parallel  int      // how many of the others run at once
	ldflags   string   // linker flags of the test binaries
	binDir    string   // where the test binaries are kept
	patterns  []string // the packages, as go list takes them
	testFlags []string // passed to every test binary
}

// splitArgs separates the packages from the flags after "--".
func splitArgs(args []string) (patterns, testFlags []string) {
	if i := slices.Index(args, "--"); i >= 0 {
		return args[:i], args[i+1:]
	}
	return args, nil
}

// verbose says whether the test flags ask for every test's output (-test.v in any of its forms).
func verbose(testFlags []string) bool {
	return slices.ContainsFunc(testFlags, regexp.MustCompile(`^--?test\.v(=(true|1|t|T|TRUE|True|test2json))?$`).MatchString)
}

// pkg is one package to test.
type pkg struct {
	importPath, dir string
	hasTests        bool
	binary          string // the test binary, when hasTests
}

// result is one package's run.
type result struct {
	passed      bool
	output      []byte
	elapsed     time.Duration
	cpu         time.Duration // user and system time of the binary and its children
	err         error         // how the binary ended when it failed
	interrupted bool          // not started: the run was interrupted first
}

// run builds and runs the packages' tests, writing go test's report to out. It answers whether
// every package passed; an error is a run that could not be made (go list, a build), after which
// nothing has run.
func run(opts options, out io.Writer) (bool, error) {
	all, err := list(opts.root, []string{"./..."})
	if err != nil {
		return false, err
	}
	assignBinaries(opts.binDir, all)
	pkgs, err := listAmong(opts.root, opts.patterns, all)
	if err != nil {
		return false, err
	}
	for i := range pkgs {
		if j := slices.IndexFunc(all, func(p pkg) bool { return p.importPath == pkgs[i].importPath }); j >= 0 {
			pkgs[i].binary = all[j].binary
		} else if pkgs[i].hasTests {
			return false, fmt.Errorf("%s is not a package of the module in %s", pkgs[i].importPath, cmp.Or(opts.root, "."))
		}
	}
	first := ""
	if opts.first != "" {
		firsts, err := listAmong(opts.root, []string{opts.first}, all)
		if err != nil {
			return false, err
		}
		if len(firsts) != 1 || !slices.ContainsFunc(pkgs, func(p pkg) bool { return p.importPath == firsts[0].importPath }) {
			return false, fmt.Errorf("-first %s: not one of the packages to test", opts.first)
		}
		first = firsts[0].importPath
	}
	if err := removeStale(opts.binDir, all); err != nil {
		return false, err
	}
	if err := build(opts, pkgs); err != nil {
		return false, err
	}
	work := readWork(opts.binDir)
	results, stop := runAll(opts, pkgs, first, work)
	defer stop()
	passed := report(out, pkgs, first, results, verbose(opts.testFlags))
	// A run that chose tests (-run, -short...) or was cut short says little of a whole run's.
	if len(opts.testFlags) == 0 && !work.cut {
		writeWork(opts.binDir, work)
	}
	return passed, nil
}

// workFile keeps, beside the binaries, each package's CPU time in its last run (seconds by
// import path): the others start the longest first, so that the short ones fill the last seconds
// instead of a long one starting last and running alone.
const workFile = "work.json"

// work is each package's CPU time in its last run; runAll updates it as binaries end.
type work struct {
	mu      sync.Mutex
	seconds map[string]float64
	cut     bool // a binary was interrupted, or ended by a signal
}

func readWork(binDir string) *work {
	w := &work{seconds: map[string]float64{}}
	if data, err := os.ReadFile(filepath.Join(binDir, workFile)); err == nil {
		if json.Unmarshal(data, &w.seconds) != nil || w.seconds == nil {
			w.seconds = map[string]float64{} // a damaged file is a run without history
		}
	}
	return w
}

// writeWork keeps w for the next run; a run that could not is only slower to order.
func writeWork(binDir string, w *work) {
	if data, err := json.Marshal(w.seconds); err == nil {
		os.WriteFile(filepath.Join(binDir, workFile), data, 0o644)
	}
}

// longestFirst orders packages by their last run's CPU time, longest first; a package without
// one (new, or the first run) comes before those with one, and ties keep go list's order.
func (w *work) longestFirst(pkgs []pkg) {
	slices.SortStableFunc(pkgs, func(a, b pkg) int {
		wa, knownA := w.seconds[a.importPath]
		wb, knownB := w.seconds[b.importPath]
		if !knownA {
			wa = math.Inf(1)
		}
		if !knownB {
			wb = math.Inf(1)
		}
		return cmp.Compare(wb, wa)
	})
}

// ran records a binary's CPU time when it ran, and answers its result.
func (w *work) ran(p pkg, r result) result {
	var exit *exec.ExitError
	w.mu.Lock()
	defer w.mu.Unlock()
	if r.interrupted || errors.As(r.err, &exit) && !exit.Exited() {
		w.cut = true
	} else if r.cpu > 0 { // it ran
		w.seconds[p.importPath] = r.cpu.Seconds()
	}
	return r
}

// list answers the packages the patterns name, in go list's order.
func list(root string, patterns []string) ([]pkg, error) {
	cmd := exec.Command("go", append([]string{"list", "-f", "{{.ImportPath}}\t{{.Dir}}\t{{len .TestGoFiles}}{{len .XTestGoFiles}}"}, patterns...)...)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	listed, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list %s: %v\n%s", strings.Join(patterns, " "), err, stderr.Bytes())
	}
	var pkgs []pkg
	for line := range strings.Lines(strings.TrimSpace(string(listed))) {
		fields := strings.Split(strings.TrimRight(line, "\n"), "\t")
		if len(fields) != 3 {
			return nil, fmt.Errorf("go list: unexpected line %q", line)
		}
		pkgs = append(pkgs, pkg{importPath: fields[0], dir: fields[1], hasTests: fields[2] != "00"})
	}
	return pkgs, nil
}

// listAmong answers what list would for patterns, from all (the module's packages, ./...) where
// it can tell without go: ./... itself, or the directory of one package, as make test names them
// (each go list took 0.2 s, three a run); go list for any other pattern.
func listAmong(root string, patterns []string, all []pkg) ([]pkg, error) {
	if slices.Equal(patterns, []string{"./..."}) {
		return slices.Clone(all), nil
	}
	if len(patterns) == 1 && (strings.HasPrefix(patterns[0], "./") || strings.HasPrefix(patterns[0], "../")) && !strings.Contains(patterns[0], "...") {
		if dir, err := filepath.Abs(filepath.Join(cmp.Or(root, "."), patterns[0])); err == nil {
			if i := slices.IndexFunc(all, func(p pkg) bool { return p.dir == dir }); i >= 0 {
				return []pkg{all[i]}, nil
			}
		}
	}
	return list(root, patterns)
}

// majorVersion is an import path's last element that go test -c does not name a binary after.
var majorVersion = regexp.MustCompile(`^v[0-9]+$`)

// binaryName is the name go test -c gives a package's test binary: the last element of its
// import path, or the one before a major version suffix (cmd/go's DefaultExecName).
func binaryName(importPath string) string {
	elem := path.Base(importPath)
	if dir := path.Dir(importPath); majorVersion.MatchString(elem) && dir != "." {
		elem = path.Base(dir)
	}
	return elem + ".test"
}

// assignBinaries gives each package of the module that has tests its binary's path: binDir/N/,
// N the first set whose binaries' names differ from its (go test -c names a binary after its
// package, and builds a set with one go command). Made over the whole module, so that a package
// keeps its path whichever packages a run tests.
func assignBinaries(binDir string, all []pkg) {
	var sets []map[string]bool
	for i := range all {
		if !all[i].hasTests {
			continue
		}
		name := binaryName(all[i].importPath)
		set := slices.IndexFunc(sets, func(names map[string]bool) bool { return !names[name] })
		if set < 0 {
			sets, set = append(sets, map[string]bool{}), len(sets)
		}
		sets[set][name] = true
		all[i].binary = filepath.Join(binDir, fmt.Sprint(set), name)
	}
}

// tmpDir is where go writes a binary before moving it into binDir: in binDir, so that the move is
// a rename and a build stopped half way never leaves a partial binary in place.
const tmpDir = "tmp"

// build compiles the packages without tests and links the test binaries of the others, one go
// command a set; it fails, naming what did not build, when anything does not.
func build(opts options, pkgs []pkg) error {
	work := filepath.Join(opts.binDir, tmpDir)
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	commands := map[string][]string{}
	for _, p := range pkgs {
		if p.hasTests {
			dir := filepath.Dir(p.binary) + string(filepath.Separator)
			if commands[dir] == nil {
				commands[dir] = []string{"test", "-c", "-vet=off", "-ldflags=" + opts.ldflags, "-o", dir}
			}
			commands[dir] = append(commands[dir], p.importPath)
		} else {
			if commands[""] == nil {
				// Compiled, not linked, as go test leaves a package without tests: go build -o
				// /dev/null would link every main package on every run (the app's link alone
				// took 3 s, before any test could start).
				commands[""] = []string{"list", "-export", "-f", "{{.ImportPath}}"}
			}
			commands[""] = append(commands[""], p.importPath)
		}
	}
	errs := make(chan error, len(commands))
	var building sync.WaitGroup
	for _, args := range commands {
		building.Go(func() {
			cmd := exec.Command("go", args...)
			cmd.Dir, cmd.Env = opts.root, append(os.Environ(), "GOTMPDIR="+work)
			if built, err := cmd.CombinedOutput(); err != nil {
				errs <- fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, built)
			}
		})
	}
	building.Wait()
	close(errs)
	var failed []error
	for err := range errs {
		failed = append(failed, err)
	}
	if err := errors.Join(failed...); err != nil {
		return err
	}
	for _, p := range pkgs {
		if _, err := os.Stat(p.binary); p.hasTests && err != nil {
			return fmt.Errorf("go test -c left no test binary for %s: %v", p.importPath, err)
		}
	}
	return nil
}

// removeStale removes from binDir every file but the lock, go's temporary directory, the last
// run's work and the binaries of the module's packages with tests, so that a package whose tests
// were removed, or that moved to another set, leaves nothing behind.
func removeStale(binDir string, all []pkg) error {
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return err
	}
	want := map[string]bool{filepath.Join(binDir, ".lock"): true, filepath.Join(binDir, tmpDir): true, filepath.Join(binDir, workFile): true}
	for _, p := range all {
		if p.binary != "" {
			want[p.binary] = true
			want[filepath.Dir(p.binary)] = true
		}
	}
	return filepath.WalkDir(binDir, func(file string, entry os.DirEntry, err error) error {
		if err != nil || file == binDir {
			return err
		}
		if want[file] {
			if entry.IsDir() && file == filepath.Join(binDir, tmpDir) {
				return filepath.SkipDir
			}
			return nil
		}
		if err := os.RemoveAll(file); err != nil {
			return err
		}
		if entry.IsDir() {
			return filepath.SkipDir
		}
		return nil
	})
}

// runAll starts every package's test binary, first at once and the others -p at a time, -nice
// nicer, and answers a channel of each package's result. An interrupt or termination the run
// receives goes on to the test binaries running, and no binary starts after it. stop ends the
// run's handling of those signals.
func runAll(opts options, pkgs []pkg, first string, w *work) (results map[string]chan result, stop func()) {
	results = map[string]chan result{}
	slots := make(chan struct{}, max(opts.parallel, 1))
	goroot, _ := exec.Command("go", "env", "GOROOT").Output()
	running := &processes{started: map[*os.Process]bool{}, interrupted: make(chan struct{})}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		for sig := range signals {
			running.signal(sig)
		}
	}()
	goRoot := strings.TrimSpace(string(goroot))
	type queued struct {
		p    pkg
		done chan result
	}
	var others []queued
	ordered := slices.Clone(pkgs)
	w.longestFirst(ordered)
	for _, p := range ordered {
		if p.hasTests {
			done := make(chan result, 1)
			results[p.importPath] = done
			if p.importPath == first {
				go func() { done <- w.ran(p, runBinary(p, 0, goRoot, opts.testFlags, running)) }()
			} else {
				others = append(others, queued{p, done})
			}
		}
	}
	// The others start the longest first (work.longestFirst) as slots free.
	go func() {
		for _, q := range others {
			slots <- struct{}{}
			go func() {
				defer func() { <-slots }()
				q.done <- w.ran(q.p, runBinary(q.p, opts.nice, goRoot, opts.testFlags, running))
			}()
		}
	}()
	return results, func() { signal.Stop(signals); close(signals) }
}

// processes are the test binaries running, and whether the run was interrupted.
type processes struct {
	mu          sync.Mutex
	started     map[*os.Process]bool
	interrupted chan struct{} // closed on the first signal
}

// start starts cmd unless the run was interrupted.
func (ps *processes) start(cmd *exec.Cmd) (bool, error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	select {
	case <-ps.interrupted:
		return false, nil
	default:
	}
	if err := cmd.Start(); err != nil {
		return false, err
	}
	ps.started[cmd.Process] = true
	return true, nil
}

func (ps *processes) remove(p *os.Process) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	delete(ps.started, p)
}

func (ps *processes) signal(sig os.Signal) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	select {
	case <-ps.interrupted:
	default:
		close(ps.interrupted)
	}
	for p := range ps.started {
		p.Signal(sig)
	}
}

// Test binaries run at most this long, as go test's -timeout default, then panic with every
// goroutine's stack; one that has not ended a minute later is killed with SIGQUIT, and a program
// it started that holds its output a minute after it ended fails it, as go test does.
const (
	timeout     = 10 * time.Minute
	killAfter   = timeout + time.Minute
	outputDelay = time.Minute
)

// runBinary runs one test binary as go test does: in the package's directory, with GOROOT/bin
// first in PATH and PWD set, and go test's own flags (a test calling os.Exit(0) fails; ten minutes
// at most).
func runBinary(p pkg, nice int, goroot string, testFlags []string, running *processes) result {
	args := append([]string{p.binary, "-test.paniconexit0", "-test.timeout=" + timeout.String()}, testFlags...)
	if nice != 0 {
		args = append([]string{"nice", "-n", fmt.Sprint(nice)}, args...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), killAfter)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGQUIT) }
	cmd.WaitDelay = outputDelay
	cmd.Dir = p.dir
	cmd.Env = append(os.Environ(), "PWD="+p.dir)
	if goroot != "" {
		cmd.Env = append(cmd.Env, "PATH="+filepath.Join(goroot, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	}
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	start := time.Now()
	started, err := running.start(cmd)
	if err != nil {
		os.Remove(p.binary) // it could not run: linked again next time
		return result{err: err}
	}
	if !started {
		return result{interrupted: true}
	}
	err = cmd.Wait()
	running.remove(cmd.Process)
	r := result{passed: err == nil, output: output.Bytes(), elapsed: time.Since(start), err: err}
	if cmd.ProcessState != nil {
		r.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) && !exit.Exited() && ctx.Err() == nil && !isInterrupted(running) {
		// Killed by a signal nobody sent it (a damaged binary crashes): linked again next time.
		os.Remove(p.binary)
	}
	if ctx.Err() != nil {
		r.output = append(r.output, fmt.Sprintf("*** Test killed with quit: ran too long (%v).\n", killAfter)...)
	}
	return r
}

func isInterrupted(ps *processes) bool {
	select {
	case <-ps.interrupted:
		return true
	default:
		return false
	}
}

// noTestsToRun is what a test binary prints when its -test.run matches no test.
var noTestsToRun = []byte("testing: warning: no tests to run\n")

// report writes go test's report as the results come: the packages in go list's order, the first
// last; a failing package's output (every package's with -test.v), with its exit status when it
// printed nothing or ended by a signal, before its line; FAIL when any failed. It answers whether
// every package passed.
func report(out io.Writer, pkgs []pkg, first string, results map[string]chan result, verbose bool) bool {
	ordered := slices.Clone(pkgs)
	slices.SortStableFunc(ordered, func(a, b pkg) int {
		switch {
		case a.importPath == first && b.importPath != first:
			return 1
		case b.importPath == first && a.importPath != first:
			return -1
		}
		return 0
	})
	passed := true
	for _, p := range ordered {
		if !p.hasTests {
			fmt.Fprintf(out, "?   \t%s\t[no test files]\n", p.importPath)
			continue
		}
		r := <-results[p.importPath]
		switch {
		case r.interrupted:
			passed = false
			fmt.Fprintf(out, "FAIL\t%s\t[interrupted before it started]\n", p.importPath)
		case r.passed:
			if verbose {
				writeLine(out, r.output)
			}
			norun := ""
			if bytes.HasPrefix(r.output, noTestsToRun) || bytes.Contains(r.output, append([]byte("\n"), noTestsToRun...)) {
				norun = " [no tests to run]"
			}
			fmt.Fprintf(out, "ok  \t%s\t%.3fs%s\n", p.importPath, r.elapsed.Seconds(), norun)
		default:
			passed = false
			writeLine(out, r.output)
			var exit *exec.ExitError
			if !errors.As(r.err, &exit) || !exit.Exited() || len(r.output) == 0 {
				fmt.Fprintf(out, "%v\n", r.err)
			}
			fmt.Fprintf(out, "FAIL\t%s\t%.3fs\n", p.importPath, r.elapsed.Seconds())
		}
	}
	if !passed {
		fmt.Fprintln(out, "FAIL")
	}
	return passed
}

// writeLine writes output ending with a newline, so that the package's line starts a line.
func writeLine(out io.Writer, output []byte) {
	out.Write(output)
	if len(output) > 0 && !bytes.HasSuffix(output, []byte("\n")) {
		out.Write([]byte("\n"))
	}
}
