package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/controltower"
)

// notAdopted are the Control Tower proactive controls (opt-in, each chosen per organisation) that
// privatepatch's templates do not meet, and why. docs/compliance.md says the same for users.
var notAdopted = map[string]string{
	"ct-s3-pr-2":     "S3 server access logs go to a log bucket that cannot log to itself",
	"ct-s3-pr-4":     "nothing consumes S3 event notifications of log and command-output buckets",
	"ct-s3-pr-9":     "retention is a lifecycle rule; object lock would keep objects past it",
	"ct-s3-pr-10":    "S3 server access logging delivers only to SSE-S3 buckets; command output takes commandOutput.encryption: kms",
	"ct-athena-pr-2": "Athena query results are encrypted as the command-output bucket they are written to: SSE-S3 unless commandOutput.encryption: kms",
	"ct-lambda-pr-3": "the Lambdas are CDK's deploy-time handlers: one strips the default security group's rules, one switches " +
		"Inspector on (security.inspector.enable); inside the isolated VPC they could not reach the EC2 and Inspector APIs without more endpoints",
}

// TestTemplatesPassAwsControlTowerProactiveControls runs every AWS Control Tower proactive
// control (cfn-guard rules) over each stack of each scenario, as an account with those controls
// enabled would before deploying. Only the controls in notAdopted may fail.
func TestTemplatesPassAwsControlTowerProactiveControls(t *testing.T) {
	guard, err := controltower.Find("..")
	require.NoError(t, err)
	dir := t.TempDir()
	var files []string
	var templates []map[string]any
	// Each template that differs in what it declares, once: cfn-guard takes up to a second a template.
	for _, c := range []struct {
		s      *scenario
		stacks []string
	}{
		{defaultScenario, []string{"network", "fleet", "patching"}}, {exampleScenario, []string{"network", "fleet", "patching"}},
		{natScenario, []string{"network"}}, {flowLogsToS3, []string{"network"}},
		{natWithoutWsus, []string{"fleet"}}, {wsusHTTPS, []string{"fleet"}}, {richPatching, []string{"fleet", "patching"}},
	} {
		s := c.s.synth(t)
		for _, stack := range c.stacks {
			template := map[string]map[string]any{"network": s.template, "fleet": s.fleetJSON, "patching": s.patchJSON}[stack]
			data, err := json.Marshal(template)
			require.NoError(t, err)
			file := filepath.Join(dir, s.name+"."+stack+".template.json")
			require.NoError(t, os.WriteFile(file, data, 0o644))
			files = append(files, file)
			templates = append(templates, template)
		}
	}
	skip := map[string]bool{}
	for control := range notAdopted {
		skip[control] = true
	}
	rules, err := guard.RuleFiles(templates, skip)
	require.NoError(t, err)
	all, err := guard.RuleFiles(templates, nil)
	require.NoError(t, err)
	var skipped []string
	for _, rule := range all {
		if skip[controltower.Control(rule)] {
			skipped = append(skipped, controltower.Control(rule))
		}
	}
	assert.ElementsMatch(t, keysOf(notAdopted), skipped, "each control not adopted checks a resource type the templates declare")
	require.Contains(t, rules, filepath.Join(guard.Rules, "ec2", "ct-ec2-pr-5.guard"))

	t.Parallel() // the synths above ran with the other tests; cfn-guard runs alongside the other parallel tests
	failing, output, err := guard.Failing(files, rules)
	require.NoError(t, err)
	for _, file := range files {
		assert.Empty(t, failing[file], "Control Tower controls fail in %s: fix the template, or add them to notAdopted with the reason:\n%s",
			filepath.Base(file), output[file])
	}
	t.Logf("%d templates, %d controls run, %d not adopted", len(files), len(rules), len(notAdopted))
}
