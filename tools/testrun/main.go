// Command testrun runs the tests of the packages it is given as `go test -count=1 -vet=off` does,
// but links each package's test binary into a directory kept between runs, where go test -c
// leaves a binary whose build id is current as it is: a package whose code and dependencies did
// not change is not linked again (go test links every test binary on every run: 15-17 s of CPU
// a run of make test here, docs/benchmarks.md).
//
// One package (-first) starts first, at the default priority, and is reported last; every other
// runs at nice -nice beside it, -p at a time. The output is go test's: a line for each package
// (ok, FAIL or no test files), a failing package's output before its line, and FAIL at the end
// when any failed. When a test binary does not build, go's errors are printed and nothing runs:
// a stale binary is never run in its place.
//
// Vet is off: make test runs go vet ./... (make lint) before it.
//
//	go run ./tools/testrun [-first ./test] [-nice 15] [-p N] packages... [-- flags for every test binary]
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path"
	"path/filepath"
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

Runs the packages' tests as go test -count=1 -vet=off does, linking the test binaries into a
directory of this checkout's kept between runs (under the user's cache directory), where an
unchanged package's binary is not linked again.

`)
		flag.PrintDefaults()
	}
	opts := options{}
	flag.StringVar(&opts.first, "first", "", "a package started first, at the default priority, and reported last")
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
	root      string   // the directory go runs in ("": this process's)
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

// pkg is one package to test.
type pkg struct {
	importPath, dir string
	hasTests        bool
	binary          string // the test binary, when hasTests
}

// result is one package's run.
type result struct {
	passed  bool
	output  []byte
	elapsed time.Duration
	err     error // the binary could not be started
}

// run builds and runs the packages' tests, writing go test's report to out. It answers whether
// every package passed; an error is a run that could not be made (go list, go test -c, a binary
// not started), after which nothing is reported as passed.
func run(opts options, out io.Writer) (bool, error) {
	pkgs, err := list(opts.root, opts.patterns)
	if err != nil {
		return false, err
	}
	first := ""
	if opts.first != "" {
		firsts, err := list(opts.root, []string{opts.first})
		if err != nil {
			return false, err
		}
		if len(firsts) != 1 || !slices.ContainsFunc(pkgs, func(p pkg) bool { return p.importPath == firsts[0].importPath }) {
			return false, fmt.Errorf("-first %s: not one of the packages to test", opts.first)
		}
		first = firsts[0].importPath
	}
	if err := build(opts, pkgs); err != nil {
		return false, err
	}
	results := runAll(opts, pkgs, first)
	return report(out, pkgs, first, results, slices.Contains(opts.testFlags, "-test.v") || slices.Contains(opts.testFlags, "-test.v=true")), nil
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

// build links the test binaries into opts.binDir, one subdirectory for each set of packages whose
// binaries' names (go test -c names a binary after the last element of its import path) differ,
// so that one go command builds a set; it removes binaries no package has any more.
func build(opts options, pkgs []pkg) error {
	var sets [][]*pkg
	for i := range pkgs {
		p := &pkgs[i]
		if !p.hasTests {
			continue
		}
		name := path.Base(p.importPath) + ".test"
		set := slices.IndexFunc(sets, func(set []*pkg) bool {
			return !slices.ContainsFunc(set, func(other *pkg) bool { return filepath.Base(other.binary) == name })
		})
		if set < 0 {
			sets, set = append(sets, nil), len(sets)
		}
		p.binary = filepath.Join(opts.binDir, fmt.Sprint(set), name)
		sets[set] = append(sets[set], p)
	}
	if err := os.MkdirAll(opts.binDir, 0o755); err != nil {
		return err
	}
	if err := removeStale(opts.binDir, pkgs); err != nil {
		return err
	}
	errs := make([]error, len(sets))
	var building sync.WaitGroup
	for i, set := range sets {
		building.Go(func() {
			dir := filepath.Join(opts.binDir, fmt.Sprint(i))
			args := []string{"test", "-c", "-vet=off", "-ldflags=" + opts.ldflags, "-o", dir + string(filepath.Separator)}
			for _, p := range set {
				args = append(args, p.importPath)
			}
			cmd := exec.Command("go", args...)
			cmd.Dir = opts.root
			if built, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, built)
			}
		})
	}
	building.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for _, p := range pkgs {
		if _, err := os.Stat(p.binary); p.hasTests && err != nil {
			return fmt.Errorf("go test -c left no test binary for %s: %v", p.importPath, err)
		}
	}
	return nil
}

// removeStale removes from binDir every file but the lock and the binaries of pkgs, so that a
// package whose tests were removed, or that moved to another set, leaves nothing behind.
func removeStale(binDir string, pkgs []pkg) error {
	want := map[string]bool{filepath.Join(binDir, ".lock"): true}
	for _, p := range pkgs {
		if p.binary != "" {
			want[p.binary] = true
			want[filepath.Dir(p.binary)] = true
		}
	}
	return filepath.WalkDir(binDir, func(file string, entry os.DirEntry, err error) error {
		if err != nil || file == binDir || want[file] {
			return err
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

// runAll starts every package's test binary, first at once and the others -p at a time at nice
// -nice, and answers a channel of each package's result. An interrupt or termination the run
// receives goes on to the test binaries running, so that each reports what it did.
func runAll(opts options, pkgs []pkg, first string) map[string]chan result {
	results := map[string]chan result{}
	slots := make(chan struct{}, max(opts.parallel, 1))
	goroot, _ := exec.Command("go", "env", "GOROOT").Output()
	running := &processes{started: map[*os.Process]bool{}}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		for sig := range signals {
			running.signal(sig)
		}
	}()
	for _, p := range pkgs {
		if !p.hasTests {
			continue
		}
		nice := opts.nice
		if p.importPath == first {
			nice = 0
		}
		done := make(chan result, 1)
		results[p.importPath] = done
		go func() {
			if p.importPath != first {
				slots <- struct{}{}
				defer func() { <-slots }()
			}
			done <- runBinary(p, nice, strings.TrimSpace(string(goroot)), opts.testFlags, running)
		}()
	}
	return results
}

// processes are the test binaries running.
type processes struct {
	mu      sync.Mutex
	started map[*os.Process]bool
}

func (ps *processes) add(p *os.Process) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.started[p] = true
}

func (ps *processes) remove(p *os.Process) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	delete(ps.started, p)
}

func (ps *processes) signal(sig os.Signal) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for p := range ps.started {
		p.Signal(sig)
	}
}

// runBinary runs one test binary as go test does: in the package's directory, with GOROOT/bin
// first in PATH and PWD set, and go test's own flags (a test calling os.Exit(0) fails; ten minutes
// at most).
func runBinary(p pkg, nice int, goroot string, testFlags []string, running *processes) result {
	args := append([]string{p.binary, "-test.paniconexit0", "-test.timeout=10m0s"}, testFlags...)
	if nice != 0 {
		args = append([]string{"nice", "-n", fmt.Sprint(nice)}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = p.dir
	cmd.Env = append(os.Environ(), "PWD="+p.dir)
	if goroot != "" {
		cmd.Env = append(cmd.Env, "PATH="+filepath.Join(goroot, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	}
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return result{err: err}
	}
	running.add(cmd.Process)
	err := cmd.Wait()
	running.remove(cmd.Process)
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return result{err: err, output: output.Bytes()}
	}
	return result{passed: err == nil, output: output.Bytes(), elapsed: time.Since(start)}
}

// report writes go test's report as the results come: the packages in go list's order, the first
// last; a failing package's output (every package's with -test.v) before its line; FAIL when any
// failed. It answers whether every package passed.
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
		case r.err != nil:
			passed = false
			fmt.Fprintf(out, "%s\nFAIL\t%s\t[%v]\n", r.output, p.importPath, r.err)
		case r.passed:
			if verbose {
				out.Write(r.output)
			}
			fmt.Fprintf(out, "ok  \t%s\t%.3fs\n", p.importPath, r.elapsed.Seconds())
		default:
			passed = false
			out.Write(r.output)
			fmt.Fprintf(out, "FAIL\t%s\t%.3fs\n", p.importPath, r.elapsed.Seconds())
		}
	}
	if !passed {
		fmt.Fprintln(out, "FAIL")
	}
	return passed
}
