package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Without the AWS CLI, or with one that has no credentials, doctor could not run: exit 2, not 1.
func TestExitsTwoWhenItCannotRun(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	assert.Equal(t, 2, run("", "", &bytes.Buffer{}))

	bin := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bin, "aws"), []byte("#!/bin/sh\n"+
		"echo 'Unable to locate credentials. You can configure credentials by running \"aws configure\".' >&2\nexit 253\n"), 0o755))
	t.Setenv("PATH", bin)
	var out bytes.Buffer
	assert.Equal(t, 2, run("", "", &out))
	assert.Contains(t, out.String(), "deployment privatepatch: NOT CHECKED (aws sts get-caller-identity: exit status 253: Unable to locate credentials", "the summary says what it did not check")
	assert.Equal(t, 2, run("no-such-config.yaml", "", &bytes.Buffer{}))
}

// twoEnvironments writes a configuration of two environments in two accounts and regions, and an
// aws command, alone on PATH, that appends its arguments to the log it answers and then runs
// answer (shell); it returns the configuration's path and the log's.
func twoEnvironments(t *testing.T, answer string) (config, log string) {
	t.Helper()
	dir := t.TempDir()
	config = filepath.Join(dir, "envs.yaml")
	require.NoError(t, os.WriteFile(config, []byte(`project: pp
environments:
  - {name: test, account: "111111111111", region: eu-west-1}
  - {name: prod, account: "222222222222", region: eu-central-1}
network:
  s3PrefixListIds: {eu-west-1: pl-6da54004, eu-central-1: pl-6ea54007}
  s3PrefixListCidrs: {eu-west-1: [52.218.0.0/17], eu-central-1: [52.219.168.0/24]}
`), 0o644))
	log = filepath.Join(dir, "calls")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "aws"), []byte("#!/bin/sh\necho \"$@\" >> "+log+"\n"+answer+"\n"), 0o755))
	t.Setenv("PATH", dir)
	return config, log
}

// An environment is examined with its own profile: the CLI is given --profile.
func TestEachEnvironmentGetsItsProfile(t *testing.T) {
	// A CLI that records its arguments and answers each caller identity as account 111111111111.
	config, log := twoEnvironments(t, `echo '{"Account": "111111111111", "Arn": "arn:aws:sts::111111111111:assumed-role/R/op"}'`)
	var out bytes.Buffer
	assert.Equal(t, 2, run(config, "test=dev,prod=live", &out), out.String())
	calls, err := os.ReadFile(log)
	require.NoError(t, err)
	assert.Contains(t, string(calls), "sts get-caller-identity --output json --region eu-west-1 --profile dev")
	assert.Contains(t, string(calls), "sts get-caller-identity --output json --region eu-central-1 --profile live")
	assert.Contains(t, out.String(), "environment prod: NOT CHECKED (refused: prod is in account 222222222222")

	_, err = profileOf("test=dev,prod", "prod")
	assert.ErrorContains(t, err, `"prod" has no =`)
	p, _ := profileOf("shared", "prod")
	assert.Equal(t, "shared", p)
}

// In pipeline mode make deploy deploys the pipeline stack only, and the pipeline attaches the stop
// alarms after each stage: -attach-stop-alarms without an environment says so and makes no call
// (it failed make deploy's last step on environments not yet deployed, or in other accounts);
// with one, it attaches that environment's as in direct mode.
func TestAttachingStopAlarmsInPipelineModeLeavesThemToThePipeline(t *testing.T) {
	config, log := twoEnvironments(t, "exit 255")
	data, err := os.ReadFile(config)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(config, append(data, []byte(`pipeline:
  enabled: true
  connectionArn: arn:aws:codeconnections:eu-west-1:111111111111:connection/01234567-89ab-cdef-0123-456789abcdef
  repository: my-org/privatepatch-config
  configFile: configs/prod.yaml
`)...), 0o644))
	var out bytes.Buffer
	assert.Equal(t, 0, attachStopAlarms(config, "", "", &out))
	assert.Contains(t, out.String(), "pipeline mode: each stage's Protect-<environment> step attaches")
	assert.NoFileExists(t, log, "no AWS call")
	// The neighbour: one environment named is attached with the caller's credentials.
	assert.Equal(t, 1, attachStopAlarms(config, "", "prod", &bytes.Buffer{}))
	assert.FileExists(t, log)
}

// -attach-stop-alarms with an environment the configuration does not have attaches nothing and
// says so (exit 2), naming the configuration's environments, before any AWS call.
func TestAttachingStopAlarmsRefusesAnEnvironmentTheConfigurationHasNot(t *testing.T) {
	config, log := twoEnvironments(t, "exit 255")
	assert.Equal(t, 2, attachStopAlarms(config, "", "prdo", &bytes.Buffer{}))
	assert.Equal(t, 2, attachStopAlarms("", "", "prod", &bytes.Buffer{}), "the default has no environments")
	assert.NoFileExists(t, log, "no AWS call")
	// The neighbour: a named environment that exists is attached (here its CLI fails: exit 1).
	assert.Equal(t, 1, attachStopAlarms(config, "", "prod", &bytes.Buffer{}))
	calls, err := os.ReadFile(log)
	require.NoError(t, err)
	assert.Contains(t, string(calls), "--region eu-central-1")
	assert.NotContains(t, string(calls), "--region eu-west-1")
}
