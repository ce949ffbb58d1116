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
	"regexp"
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
	// Profile is the named profile of the deployment's account; empty uses the CLI's default.
	Profile string
}

// JSON runs the command; its error carries what the CLI wrote to stderr.
func (c CLI) JSON(args ...string) ([]byte, error) {
	full := append(append([]string{}, args...), "--output", "json")
	if c.Region != "" {
		full = append(full, "--region", c.Region)
	}
	if c.Profile != "" {
		full = append(full, "--profile", c.Profile)
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

// apiError is the code and operation of an error answer: the AWS CLI exits non-zero and writes
// "An error occurred (Code) when calling the Operation operation: message" to stderr (botocore's
// ClientError). Anything else (no credentials, no network, a CLI that cannot start) is not an
// answer of one API. Amazon EC2's codes have dots ("InvalidInstanceID.NotFound", "Error codes for
// the Amazon EC2 API", read 2026-12-07).
var apiErrorPattern = regexp.MustCompile(`An error occurred \(([\w.]+)\) when calling the (\w+) operation`)

// APIError returns the error code and operation of an AWS answer, ok false for other failures.
func APIError(err error) (code, operation string, ok bool) {
	var cliErr *CLIError
	if !errors.As(err, &cliErr) {
		return "", "", false
	}
	m := apiErrorPattern.FindStringSubmatch(cliErr.Stderr)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// iamPrefixes are the IAM service prefixes of the CLI's service names this package calls (the
// same words: "Actions, resources, and condition keys", Service Authorization Reference).
var iamPrefixes = map[string]string{"cloudformation": "cloudformation", "ssm": "ssm", "ec2": "ec2", "cloudwatch": "cloudwatch", "events": "events", "sts": "sts", "s3": "s3", "s3api": "s3", "sns": "sns", "configservice": "config"}

// Permission is the IAM action a CLI command needs: the service prefix and the operation, from the
// error answer when there is one, else from the command (describe-instance-information ->
// DescribeInstanceInformation).
func Permission(args []string, err error) string {
	if len(args) < 2 {
		return ""
	}
	prefix := iamPrefixes[args[0]]
	if prefix == "" {
		prefix = args[0]
	}
	if _, operation, ok := APIError(err); ok {
		return prefix + ":" + operation
	}
	var op strings.Builder
	for _, word := range strings.Split(args[1], "-") {
		if word != "" {
			op.WriteString(strings.ToUpper(word[:1]) + word[1:])
		}
	}
	return prefix + ":" + op.String()
}

// notFound tells whether CloudFormation said the stack does not exist ("Stack with id X does not
// exist", a ValidationError of DescribeStacks).
func notFound(err error) bool {
	var cliErr *CLIError
	return errors.As(err, &cliErr) && strings.Contains(cliErr.Stderr, "does not exist")
}
