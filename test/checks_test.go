package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// externalCheck is a check of synthesised templates by another program (cfn-guard, the
// CloudFormation validation engine). Its preparation synthesises and writes the templates, on a
// test goroutine; its run needs no CDK, so TestMain starts it in the background as soon as it is
// prepared, and it overlaps the tests that follow. Its test waits for the result.
type externalCheck struct {
	prepareOnce, runOnce sync.Once
	dir                  string
	templates            map[string]map[string]any // by file
	prepareErr           error
	prepare              func(c *externalCheck) error // writes the templates with c.write
	run                  func(c *externalCheck)
}

// prepared synthesises and writes the check's templates once.
func (c *externalCheck) prepared() error {
	c.prepareOnce.Do(func() {
		if c.dir, c.prepareErr = os.MkdirTemp("", "privatepatch-check"); c.prepareErr != nil {
			return
		}
		c.templates = map[string]map[string]any{}
		c.prepareErr = c.prepare(c)
	})
	return c.prepareErr
}

// write saves a template as name.template.json and returns the file.
func (c *externalCheck) write(name string, template map[string]any) (string, error) {
	data, err := json.Marshal(template)
	if err != nil {
		return "", err
	}
	file := filepath.Join(c.dir, name+".template.json")
	c.templates[file] = template
	return file, os.WriteFile(file, data, 0o644)
}

// ran runs the check once, after its preparation; callers wait until it has finished.
func (c *externalCheck) ran() {
	c.runOnce.Do(func() { c.run(c) })
}

// startChecks prepares each check and starts it in the background; see startBackground.
func startChecks() {
	if selectedTests() {
		return
	}
	for _, c := range []*externalCheck{controlTowerCheck, validationCheck, authzCheck} {
		if c.prepared() == nil {
			background.Go(func() {
				behindTheSynths()
				inSlot(c.ran)
			})
		}
	}
}

func removeCheckDirs() {
	for _, c := range []*externalCheck{controlTowerCheck, validationCheck, authzCheck} {
		if c.dir != "" {
			os.RemoveAll(c.dir)
		}
	}
}

// waitsInParallel lets a check's test wait for its background run alongside the other waiting
// tests, after the tests that synthesise here, instead of holding them up: in a whole run TestMain
// has prepared every check, so the test calls no CDK. A run that selects tests (-run) prepares the
// check in the test, on the tests' one CDK goroutine, so there the test stays serial.
func waitsInParallel(t *testing.T) {
	if !selectedTests() {
		t.Parallel()
	}
}

// afterSynthInParallel lets a test that has made its CDK calls (its synths) do the rest (an
// evaluator's or another program's run) alongside the other parallel tests, instead of holding up
// the tests that synthesise after it on the tests' one CDK goroutine. After it, the test makes no
// CDK call, not even a property read.
func afterSynthInParallel(t *testing.T) {
	t.Parallel()
}
