package test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// guard is the cfn-guard binary and the AWS Control Tower proactive-control rules shipped by the
// pinned @cdklabs/cdk-validator-cfnguard (package.json; make setup installs it).
func guard(t *testing.T) (binary, rules string) {
	pkg := filepath.Join("..", "node_modules", "@cdklabs", "cdk-validator-cfnguard")
	osDir := map[string]string{"linux": "ubuntu", "darwin": "macos"}[runtime.GOOS]
	archDir := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[runtime.GOARCH]
	binary = filepath.Join(pkg, "bin", osDir, archDir, "cfn-guard")
	if _, err := os.Stat(binary); err != nil {
		t.Fatalf("cfn-guard is missing (%v): run make setup", err)
	}
	return binary, filepath.Join(pkg, "rules", "control-tower", "cfn-guard")
}

// notAdopted are the Control Tower proactive controls (opt-in, each chosen per organisation) that
// privatepatch's templates do not meet, and why. docs/compliance.md says the same for users.
var notAdopted = map[string]string{
	"ct-s3-pr-2":  "S3 server access logs go to a log bucket that cannot log to itself",
	"ct-s3-pr-4":  "nothing consumes S3 event notifications of log and command-output buckets",
	"ct-s3-pr-9":  "retention is a lifecycle rule; object lock would keep objects past it",
	"ct-s3-pr-10": "S3 server access logging delivers only to SSE-S3 buckets; command output takes commandOutput.encryption: kms",
	"ct-lambda-pr-3": "the Lambdas are CDK's deploy-time handlers: one strips the default security group's rules, one switches " +
		"Inspector on (security.inspector.enable); inside the isolated VPC they could not reach the EC2 and Inspector APIs without more endpoints",
}

// TestTemplatesPassAwsControlTowerProactiveControls runs every AWS Control Tower proactive
// control (cfn-guard rules) over each stack of each scenario, as an account with those controls
// enabled would before deploying. Only the controls in notAdopted may fail.
func TestTemplatesPassAwsControlTowerProactiveControls(t *testing.T) {
	binary, rules := guard(t)
	dir := t.TempDir()
	var files []string
	services := map[string]bool{}
	// Each template that differs in what it declares, once: cfn-guard takes 1-3 s per template.
	for _, c := range []struct {
		s      *scenario
		stacks []string
	}{
		{defaultScenario, []string{"network", "fleet", "patching"}}, {exampleScenario, []string{"network", "fleet", "patching"}},
		{natScenario, []string{"network"}}, {flowLogsToS3, []string{"network"}},
		{natWithoutWsus, []string{"fleet"}}, {wsusHTTPS, []string{"fleet"}}, {richPatching, []string{"fleet", "patching"}},
	} {
		s := c.s.synth(t)
		sc := c.s
		for _, stack := range c.stacks {
			template := map[string]map[string]any{"network": s.template, "fleet": s.fleetJSON, "patching": s.patchJSON}[stack]
			data, err := json.Marshal(template)
			require.NoError(t, err)
			file := filepath.Join(dir, sc.name+"."+stack+".template.json")
			require.NoError(t, os.WriteFile(file, data, 0o644))
			files = append(files, file)
			for _, r := range template["Resources"].(map[string]any) {
				services[strings.Split(r.(map[string]any)["Type"].(string), "::")[1]] = true
			}
		}
	}
	// Rules of services the templates do not use can only skip: leave them out, for speed.
	args := []string{"validate", "--show-summary", "fail", "--output-format", "single-line-summary"}
	for service := range services {
		if ruleDir := filepath.Join(rules, guardRuleDirs[service]); guardRuleDirs[service] != "" {
			args = append(args, "--rules", ruleDir)
		}
	}
	require.Contains(t, args, filepath.Join(rules, "ec2"))

	outputs, codes := make([]string, len(files)), make([]int, len(files))
	var wg sync.WaitGroup
	slots := make(chan struct{}, runtime.NumCPU())
	for i, file := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			out, err := exec.Command(binary, append(args, "--data", file)...).CombinedOutput()
			outputs[i] = string(out)
			if exitErr, ok := err.(*exec.ExitError); ok {
				codes[i] = exitErr.ExitCode()
			} else if err != nil {
				codes[i] = -1
			}
		}()
	}
	wg.Wait()
	failed := map[string]bool{}
	for i, out := range outputs {
		// cfn-guard exits 0 when every rule passes or skips, 19 when one fails, otherwise on an error.
		require.Contains(t, []int{0, 19}, codes[i], "cfn-guard failed on %s:\n%s", files[i], out)
		for _, m := range regexp.MustCompile(`(ct-[a-z0-9-]+)\.guard/\S+\s+FAIL`).FindAllStringSubmatch(out, -1) {
			if !failed[m[1]] {
				assert.Contains(t, notAdopted, m[1], "Control Tower control %s fails in %s: fix the template, or add it to notAdopted with the reason:\n%s",
					m[1], filepath.Base(files[i]), out)
			}
			failed[m[1]] = true
		}
	}
	t.Logf("%d templates, %d controls not adopted, failing: %v", len(files), len(notAdopted), keysOf(failed))
}

// guardRuleDirs maps CloudFormation service namespaces to the Control Tower rule folders.
var guardRuleDirs = map[string]string{
	"EC2": "ec2", "S3": "s3", "KMS": "keymanagementservice", "Logs": "cloudwatch", "Lambda": "lambda",
	"IAM": "identityandaccessmanagement", "AutoScaling": "ec2autoscaling", "ElasticLoadBalancingV2": "elasticloadbalancing",
}
