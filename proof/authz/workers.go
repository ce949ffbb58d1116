package authz

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"sync"
	"sync/atomic"
)

// worker is one evaluator process (simulate.mjs); it answers one batch per line. The processes
// start on the first request the evaluations' cache has no verdict for (lazyPool), or, with the
// cache off, before the requests are planned, so that loading the evaluator overlaps planning.
type worker struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr *bytes.Buffer
}

// started counts the evaluator processes started, for the tests.
var started atomic.Int64

func (e Evaluator) start() (*worker, error) {
	started.Add(1)
	w := &worker{cmd: exec.Command(e.node, e.script), stderr: &bytes.Buffer{}}
	w.cmd.Stderr = w.stderr
	stdin, err := w.cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := w.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	w.stdin, w.stdout = stdin, bufio.NewReaderSize(stdout, 1<<20)
	if err := w.cmd.Start(); err != nil {
		return nil, fmt.Errorf("iam-simulate: %v", err)
	}
	return w, nil
}

// ask sends one batch of requests and reads its verdicts.
func (w *worker) ask(requests []evaluatorRequest) ([]evaluatorVerdict, error) {
	input, err := json.Marshal(requests)
	if err != nil {
		return nil, err
	}
	if _, err := w.stdin.Write(append(input, '\n')); err != nil {
		return nil, fmt.Errorf("iam-simulate: %v: %s", err, w.stderr.String())
	}
	line, err := w.stdout.ReadBytes('\n')
	if err != nil {
		return nil, fmt.Errorf("iam-simulate: %v: %s", err, w.stderr.String())
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(line, &raw); err != nil {
		return nil, fmt.Errorf("iam-simulate: %v", err)
	}
	if len(raw) != len(requests) {
		return nil, fmt.Errorf("iam-simulate answered %d of %d requests", len(raw), len(requests))
	}
	verdicts := make([]evaluatorVerdict, len(raw))
	for i, r := range raw {
		if err := json.Unmarshal(r, &verdicts[i]); err != nil {
			return nil, fmt.Errorf("iam-simulate: %v", err)
		}
		verdicts[i].printed = r
	}
	return verdicts, nil
}

// stop ends the process (end of input) and waits for it.
func (w *worker) stop() error {
	w.stdin.Close()
	if err := w.cmd.Wait(); err != nil {
		return fmt.Errorf("iam-simulate: %v: %s", err, w.stderr.String())
	}
	return nil
}

// pool is the evaluator processes of one proof.
type pool []*worker

// startPool starts n evaluator processes.
func (e Evaluator) startPool(n int) (pool, error) {
	var p pool
	for range max(n, 1) {
		w, err := e.start()
		if err != nil {
			p.stop()
			return nil, err
		}
		p = append(p, w)
	}
	return p, nil
}

func (p pool) stop() error {
	var first error
	for _, w := range p {
		if err := w.stop(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// askSplit asks for the verdicts of requests with every process of the pool at once, each given
// whole groups of about the same number of requests, and returns them in order.
func (p pool) askSplit(requests []evaluatorRequest) ([]evaluatorVerdict, error) {
	chunks := splitByGroup(requests, len(p))
	answers := make([][]evaluatorVerdict, len(chunks))
	errs := make([]error, len(chunks))
	var wg sync.WaitGroup
	for i, chunk := range chunks {
		wg.Go(func() { answers[i], errs[i] = p[i].ask(chunk) })
	}
	wg.Wait()
	var out []evaluatorVerdict
	for i := range chunks {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out = append(out, answers[i]...)
	}
	return out, nil
}

// splitByGroup cuts requests into at most n runs of about the same length, between groups.
func splitByGroup(requests []evaluatorRequest, n int) [][]evaluatorRequest {
	var chunks [][]evaluatorRequest
	size := (len(requests) + n - 1) / max(n, 1)
	start := 0
	for i := 1; i <= len(requests); i++ {
		boundary := i == len(requests) || requests[i].Group == nil || requests[i-1].Group == nil || *requests[i].Group != *requests[i-1].Group
		if boundary && (i-start >= size || i == len(requests)) {
			chunks = append(chunks, requests[start:i])
			start = i
		}
	}
	return chunks
}

// lazyPool starts its processes when first asked.
type lazyPool struct {
	e       Evaluator
	n       int
	workers pool
	started bool
	err     error
}

func (l *lazyPool) get() (pool, error) {
	if !l.started {
		l.started = true
		l.workers, l.err = l.e.startPool(l.n)
	}
	return l.workers, l.err
}

func (l *lazyPool) stop() error {
	if l.workers == nil {
		return nil
	}
	return l.workers.stop()
}

// verdictInput is what a verdict depends on: the key of its answer in the evaluations' cache.
type verdictInput struct {
	Simulation  map[string]any `json:"simulation"`
	Unsafe      bool           `json:"unsafe"`
	VerdictOnly bool           `json:"verdictOnly,omitempty"`
}

// catches tells, as simulate.mjs does, whether a request of a group got the verdict its row must
// not get, which skips the rest of the group.
func catches(r evaluatorRequest, v evaluatorVerdict) bool {
	return r.Group != nil && v.Verdict != "Skipped" && (v.Error != "" || (v.Verdict == "Allowed") != r.Required)
}

// answer gives the verdicts of requests, in order: from the evaluations' cache where it has them
// (proof/evalcache), the rest from the evaluator (split over every process of the pool when
// split), then skips the rest of each caught group as simulate.mjs would have in one run, so that
// the verdicts are the same with or without the cache. Errors are never kept.
func (e Evaluator) answer(workers *lazyPool, requests []evaluatorRequest, split bool) ([]evaluatorVerdict, error) {
	verdicts, keys, misses, err := e.kept(requests)
	if err != nil {
		return nil, err
	}
	if len(misses) == 0 {
		return skipCaught(requests, verdicts), nil
	}
	p, err := workers.get()
	if err != nil {
		return nil, err
	}
	asked := make([]evaluatorRequest, len(misses))
	for j, i := range misses {
		asked[j] = requests[i]
	}
	var answers []evaluatorVerdict
	if split {
		answers, err = p.askSplit(asked)
	} else {
		answers, err = p[0].ask(asked)
	}
	if err != nil {
		return nil, err
	}
	for j, i := range misses {
		verdicts[i] = answers[j]
		if keys[i] != "" && answers[j].Verdict != "Skipped" && answers[j].Error == "" {
			e.cache.Put(keys[i], answers[j].printed)
		}
	}
	return skipCaught(requests, verdicts), nil
}

// kept reads the verdicts the cache has, in order, and returns each request's key and the
// requests it has no verdict for, leaving out those of a group a kept verdict already caught.
func (e Evaluator) kept(requests []evaluatorRequest) (verdicts []evaluatorVerdict, keys []string, misses []int, err error) {
	verdicts, keys = make([]evaluatorVerdict, len(requests)), make([]string, len(requests))
	caught := map[int]bool{}
	for i, r := range requests {
		if r.Group != nil && caught[*r.Group] {
			continue
		}
		if e.cache.On() {
			input, err := json.Marshal(verdictInput{r.Simulation, r.Unsafe, r.VerdictOnly})
			if err != nil {
				return nil, nil, nil, err
			}
			keys[i] = e.cache.Key(input)
			if kept, ok := e.cache.Get(keys[i]); ok && json.Unmarshal(kept, &verdicts[i]) == nil {
				if catches(r, verdicts[i]) {
					caught[*r.Group] = true
				}
				continue
			}
		}
		misses = append(misses, i)
	}
	return verdicts, keys, misses, nil
}

// skipCaught marks Skipped, in each group, the requests after the first that catches.
func skipCaught(requests []evaluatorRequest, verdicts []evaluatorVerdict) []evaluatorVerdict {
	caught := map[int]bool{}
	for i, r := range requests {
		switch {
		case r.Group == nil:
		case caught[*r.Group]:
			verdicts[i] = evaluatorVerdict{Verdict: "Skipped"}
		case catches(r, verdicts[i]):
			caught[*r.Group] = true
		}
	}
	return verdicts
}
