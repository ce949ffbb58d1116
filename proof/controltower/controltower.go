// Package controltower runs the AWS Control Tower proactive controls over CloudFormation
// templates, as an account that enabled them would before a deploy: the cfn-guard binary and
// rules pinned in package.json (@cdklabs/cdk-validator-cfnguard, installed by make setup).
package controltower

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// NotAdopted are the Control Tower proactive controls (opt-in, each chosen per organisation) that
// privatepatch's templates do not meet, and why: the tests leave them out and make verify reports
// them as not adopted, failing on any other control. docs/compliance.md says the same for users.
var NotAdopted = map[string]string{
	"ct-s3-pr-2": "S3 server access logs go to a log bucket that cannot log to itself; the pipeline's artifact buckets hold " +
		"build artifacts the next run recreates, and CodePipeline records every run",
	"ct-s3-pr-4":     "nothing consumes S3 event notifications of log, command-output and artifact buckets",
	"ct-s3-pr-9":     "retention is a lifecycle rule; object lock would keep objects past it",
	"ct-s3-pr-10":    "S3 server access logging delivers only to SSE-S3 buckets; command output takes commandOutput.encryption: kms",
	"ct-athena-pr-2": "Athena query results are encrypted as the command-output bucket they are written to: SSE-S3 unless commandOutput.encryption: kms",
	"ct-lambda-pr-3": "two Lambdas are CDK's deploy-time handlers: one strips the default security group's rules, one switches " +
		"Inspector on (security.inspector.enable); the finding filter (finding alerts) calls DynamoDB and SNS; inside the isolated VPC " +
		"they could not reach those APIs without more endpoints",
}

// Guard is the cfn-guard binary and the Control Tower rules, each with the resource types it
// checks.
type Guard struct {
	Binary, Rules string
	rules         []rule
}

type rule struct {
	file  string
	types []string
}

var resourceTypes = regexp.MustCompile(`AWS::[A-Za-z0-9]+::[A-Za-z0-9]+`)

// Find locates cfn-guard and reads the rules under the project root's node_modules.
func Find(projectRoot string) (Guard, error) {
	pkg := filepath.Join(projectRoot, "node_modules", "@cdklabs", "cdk-validator-cfnguard")
	osDir := map[string]string{"linux": "ubuntu", "darwin": "macos"}[runtime.GOOS]
	archDir := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[runtime.GOARCH]
	g := Guard{Binary: filepath.Join(pkg, "bin", osDir, archDir, "cfn-guard"), Rules: filepath.Join(pkg, "rules", "control-tower", "cfn-guard")}
	if _, err := os.Stat(g.Binary); err != nil {
		return Guard{}, fmt.Errorf("cfn-guard is not installed (make setup): %w", err)
	}
	files, err := filepath.Glob(filepath.Join(g.Rules, "*", "*.guard"))
	if err != nil || len(files) == 0 {
		return Guard{}, fmt.Errorf("no Control Tower rules under %s (make setup): %v", g.Rules, err)
	}
	for _, file := range files {
		text, err := os.ReadFile(file)
		if err != nil {
			return Guard{}, err
		}
		g.rules = append(g.rules, rule{file: file, types: resourceTypes.FindAllString(string(text), -1)})
	}
	return g, nil
}

// Control is the control a rule file holds, e.g. "ct-s3-pr-10".
func Control(ruleFile string) string {
	return strings.TrimSuffix(filepath.Base(ruleFile), ".guard")
}

// RuleFiles lists the rule files that check a resource type the templates declare, leaving out
// the controls in skip (by name, e.g. "ct-s3-pr-10"). The other rules could only skip, and each
// takes time to run: all 300 take about 3 s a template.
func (g Guard) RuleFiles(templates []map[string]any, skip map[string]bool) []string {
	declared := map[string]bool{}
	for _, template := range templates {
		resources, _ := template["Resources"].(map[string]any)
		for _, r := range resources {
			resourceType, _ := r.(map[string]any)["Type"].(string)
			declared[resourceType] = true
		}
	}
	var files []string
	for _, r := range g.rules {
		if !skip[Control(r.file)] && slices.ContainsFunc(r.types, func(t string) bool { return declared[t] }) {
			files = append(files, r.file)
		}
	}
	return files
}

var failingRule = regexp.MustCompile(`(ct-[a-z0-9-]+)\.guard/\S+\s+FAIL`)

// Failing runs, over each template (by file), the rules that apply to it less the controls in
// skip, a few templates at a time, and returns the failing controls of each file (sorted), with
// cfn-guard's output for the files that fail.
func (g Guard) Failing(templates map[string]map[string]any, skip map[string]bool) (failing map[string][]string, output map[string]string, err error) {
	failing, output = map[string][]string{}, map[string]string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	slots := make(chan struct{}, runtime.NumCPU())
	var errs []error
	for file, template := range templates {
		rules := g.RuleFiles([]map[string]any{template}, skip)
		if len(rules) == 0 {
			failing[file] = nil
			continue
		}
		args := []string{"validate", "--show-summary", "fail", "--output-format", "single-line-summary", "--data", file}
		for _, rule := range rules {
			args = append(args, "--rules", rule)
		}
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			out, runErr := exec.Command(g.Binary, args...).CombinedOutput()
			var controls []string
			for _, m := range failingRule.FindAllStringSubmatch(string(out), -1) {
				if !slices.Contains(controls, m[1]) {
					controls = append(controls, m[1])
				}
			}
			slices.Sort(controls)
			mu.Lock()
			defer mu.Unlock()
			// cfn-guard exits 0 when every rule passes or skips, 19 when one fails, otherwise on an error.
			if exitErr, ok := runErr.(*exec.ExitError); runErr != nil && !(ok && exitErr.ExitCode() == 19) {
				errs = append(errs, fmt.Errorf("cfn-guard on %s: %v\n%s", file, runErr, out))
				return
			}
			failing[file] = controls
			if len(controls) > 0 {
				output[file] = string(out)
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		return nil, nil, errs[0]
	}
	return failing, output, nil
}
