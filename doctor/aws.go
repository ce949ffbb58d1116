// Package doctor checks a deployed privatepatch: are the nodes managed and Online, has WSUS
// synchronised, did the WSUS associations, scans and maintenance windows succeed, do the windows
// run when the patch calendar says (package calendar), are alarms quiet, has the S3 prefix list
// drifted, and does another patch policy or association compete for the same nodes. It reads everything through the AWS CLI, read-only, behind the AWS
// interface, so the tests replay recorded CLI output (testdata/README.md names each API page).
// It also runs AWS-RunPatchBaseline on demand (PatchNow) and writes the stack policies make
// deploy sets (StackPolicy).
package doctor

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// AWS runs one AWS CLI command (the arguments after `aws`) and returns what it printed as JSON.
type AWS interface {
	JSON(args ...string) ([]byte, error)
}

// CLI is the real AWS CLI: `aws ARGS --output json [--region REGION]`.
type CLI struct {
	// Region is the deployment's region; empty uses the CLI's configured one.
	Region string
}

// JSON runs the command; its error carries what the CLI wrote to stderr.
func (c CLI) JSON(args ...string) ([]byte, error) {
	full := append(append([]string{}, args...), "--output", "json")
	if c.Region != "" {
		full = append(full, "--region", c.Region)
	}
	cmd := exec.Command("aws", full...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, &CLIError{Args: args, Stderr: strings.TrimSpace(stderr.String()), Err: err}
	}
	return out, nil
}

// CLIError is a failed AWS CLI command.
type CLIError struct {
	Args   []string
	Stderr string
	Err    error
}

func (e *CLIError) Error() string {
	return fmt.Sprintf("aws %s: %v: %s", strings.Join(e.Args, " "), e.Err, e.Stderr)
}

func (e *CLIError) Unwrap() error { return e.Err }

// notFound tells whether CloudFormation said the stack does not exist ("Stack with id X does not
// exist", a ValidationError of DescribeStacks).
func notFound(err error) bool {
	var cliErr *CLIError
	return errors.As(err, &cliErr) && strings.Contains(cliErr.Stderr, "does not exist")
}
