package python

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Result is how a script run ended: what it wrote and its exit status.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// Run runs the Python file harness with args, in the test's directory, with the test's
// environment (the test binary's at this call) and env's NAME=value entries added, as `python3
// -I harness args...` would, and answers how it ended. Each run is a process of its own, forked
// from one interpreter the test binary starts once (forkServer): what a run changes (modules,
// the clock, the environment) is gone with it, and no run pays Python's start, about 50 ms of
// CPU here (the script tests run a few dozen). It fails the test when there is no interpreter
// (Interpreter) or the server stops answering.
func Run(t testing.TB, neededBy, harness string, args []string, env ...string) Result {
	t.Helper()
	path := Interpreter(t, neededBy)
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	environment := map[string]string{}
	for _, e := range append(os.Environ(), env...) {
		name, value, _ := strings.Cut(e, "=")
		environment[name] = value
	}
	if harness, err = filepath.Abs(harness); err != nil {
		t.Fatal(err)
	}
	request, err := json.Marshal(map[string]any{"harness": harness, "args": append([]string{}, args...), "env": environment, "dir": dir})
	if err != nil {
		t.Fatal(err)
	}
	r, err := server.run(path, request)
	if err != nil {
		t.Fatalf("the Python fork server: %v", err)
	}
	return r
}

// forkServer is one interpreter that forks a process for each run it is sent.
type forkServer struct {
	mu      sync.Mutex
	started bool
	err     error
	in      io.Writer
	out     *bufio.Reader
}

var server forkServer

// forkServerSource reads a run a line (JSON: harness, args, env, dir) and answers a line (JSON:
// stdout, stderr, code). The modules the harnesses import are imported before the forks. A run
// has stdin /dev/null, stdout and stderr files, the environment sent with it (TZ applied), and
// ends as Python's own exit does: non-daemon threads joined, atexit handlers run, files flushed,
// then SystemExit's code (an int truncated to a byte as the OS does, None 0, anything else
// printed and 1), or a traceback on stderr and 1. What stays the same across runs: the hash seed
// (one per test binary) and bytes that are not UTF-8, which are replaced in the answer.
const forkServerSource = `
import atexit, copy, datetime, gc, importlib.util, io, json, os, runpy, sys, tempfile, threading, time, traceback, types
replies = os.fdopen(os.dup(1), "w")
for line in sys.stdin:
    job = json.loads(line)
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            replies.close()
            os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            os.chdir(job["dir"])
            os.environ.clear()
            os.environ.update(job["env"])
            time.tzset()
            sys.argv = [job["harness"]] + job["args"]
            try:
                runpy.run_path(job["harness"], run_name="__main__")
                code = 0
            except SystemExit as e:
                if e.code is None or isinstance(e.code, int):
                    code = (e.code or 0) & 0xFF
                else:
                    print(e.code, file=sys.stderr)
            except BaseException:
                traceback.print_exc()
            threading._shutdown()
            atexit._run_exitfuncs()
            # Python's finalisation closes the files a script left open, flushing them; os._exit
            # does not, and what still holds one here (the run's globals, a traceback) varies.
            for f in gc.get_objects():
                if isinstance(f, io.IOBase) and not f.closed:
                    try:
                        f.flush()
                    except Exception:
                        pass
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    out.seek(0)
    err.seek(0)
    replies.write(json.dumps({"stdout": out.read().decode("utf-8", "replace"), "stderr": err.read().decode("utf-8", "replace"),
                              "code": os.waitstatus_to_exitcode(status)}) + "\n")
    replies.flush()
    out.close()
    err.close()
`

// run sends one run and reads its answer, starting the server first if it is not running.
func (s *forkServer) run(interpreter string, request []byte) (Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started {
		s.started = true
		cmd := exec.Command(interpreter, "-I", "-c", forkServerSource)
		cmd.Stderr = os.Stderr
		in, err := cmd.StdinPipe()
		if err == nil {
			var out io.Reader
			if out, err = cmd.StdoutPipe(); err == nil {
				s.in, s.out = in, bufio.NewReader(out)
				err = cmd.Start()
			}
		}
		s.err = err
	}
	if s.err != nil {
		return Result{}, s.err
	}
	if _, err := s.in.Write(append(request, '\n')); err != nil {
		s.err = err
		return Result{}, err
	}
	line, err := s.out.ReadBytes('\n')
	if err != nil {
		s.err = errors.Join(errors.New("it stopped answering"), err)
		return Result{}, s.err
	}
	var r Result // the answer's keys, stdout, stderr and code, are its fields' names
	err = json.Unmarshal(line, &r)
	return r, err
}
