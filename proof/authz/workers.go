package authz

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"sync"
)

// worker is one evaluator process (simulate.mjs), started before the requests are ready so that
// loading the evaluator overlaps with planning them; it answers one batch per line.
type worker struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr *bytes.Buffer
}

func (e Evaluator) start() (*worker, error) {
	w := &worker{cmd: exec.Command("node", e.script), stderr: &bytes.Buffer{}}
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
	var verdicts []evaluatorVerdict
	if err := json.Unmarshal(line, &verdicts); err != nil {
		return nil, fmt.Errorf("iam-simulate: %v", err)
	}
	if len(verdicts) != len(requests) {
		return nil, fmt.Errorf("iam-simulate answered %d of %d requests", len(verdicts), len(requests))
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
