// Package controltower runs the AWS Control Tower proactive controls over CloudFormation
// templates, as an account that enabled them would before a deploy: the cfn-guard binary and
// rules pinned in package.json (@cdklabs/cdk-validator-cfnguard, installed by make setup).
package controltower

import (
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/privatepatch/privatepatch/proof/evalcache"
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
	Rules  string
	binary string // found by Find, and the cache's identity
	rules  []rule
	byFile map[string]rule
	cache  evalcache.Cache
}

type rule struct {
	file   string
	types  []string
	digest [sha256.Size]byte
}

var resourceTypes = regexp.MustCompile(`AWS::[A-Za-z0-9]+::[A-Za-z0-9]+`)

// Find locates cfn-guard and reads the rules under the project root's node_modules.
func Find(projectRoot string) (Guard, error) {
	pkg := filepath.Join(projectRoot, "node_modules", "@cdklabs", "cdk-validator-cfnguard")
	osDir := map[string]string{"linux": "ubuntu", "darwin": "macos"}[runtime.GOOS]
	archDir := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[runtime.GOARCH]
	g := Guard{binary: filepath.Join(pkg, "bin", osDir, archDir, "cfn-guard"), Rules: filepath.Join(pkg, "rules", "control-tower", "cfn-guard")}
	if _, err := os.Stat(g.binary); err != nil {
		return Guard{}, fmt.Errorf("cfn-guard is not installed (make setup): %w", err)
	}
	files, err := filepath.Glob(filepath.Join(g.Rules, "*", "*.guard"))
	if err != nil || len(files) == 0 {
		return Guard{}, fmt.Errorf("no Control Tower rules under %s (make setup): %v", g.Rules, err)
	}
	g.byFile = map[string]rule{}
	for _, file := range files {
		text, err := os.ReadFile(file)
		if err != nil {
			return Guard{}, err
		}
		r := rule{file: file, types: resourceTypes.FindAllString(string(text), -1), digest: sha256.Sum256(text)}
		g.rules = append(g.rules, r)
		g.byFile[file] = r
	}
	// The rules are part of each run's key (a run takes only the rules that apply to its template);
	// the environment it reads is set by guardEnv.
	g.cache, err = evalcache.Open("cfn-guard output", []string{g.binary}, nil, nil)
	return g, err
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

// guardAnswer is one run's result: the failing controls (sorted) and cfn-guard's output.
type guardAnswer struct {
	Controls []string
	Output   string
}

// dataPath stands for the template's path (a new temporary file each run) in the output the
// evaluations' cache keeps: cfn-guard's exit status and output as it printed them, parsed again
// on every use, so that a change to the parsing applies to kept answers too.
const dataPath = "\x00DATA\x00"

// key is the cache key of one run: its arguments, the template's extension (cfn-guard 3.1.1 skips
// a data file it does not take for JSON or YAML: given x.txt it exits 0 and prints nothing, so a
// skipped run must not answer for a read one), each rule (by name, as the output names it, and
// content) and the template's bytes.
// A rule Find did not read has no key: its run is not kept.
func (g Guard) key(args, rules []string, file string, data []byte) string {
	parts := [][]byte{[]byte(strings.Join(args, "\x00")), []byte(filepath.Ext(file))}
	for _, f := range rules {
		r, ok := g.byFile[f]
		if !ok {
			return ""
		}
		parts = append(parts, []byte(filepath.Base(f)), r.digest[:])
	}
	return g.cache.Key(append(parts, data)...)
}

// guardEnv is the environment cfn-guard runs in: the caller's without the variables that colour
// its output (CLICOLOR_FORCE wraps "FAIL" in escape codes, and nothing would parse).
func guardEnv() []string {
	var env []string
	for _, v := range os.Environ() {
		if !strings.HasPrefix(v, "CLICOLOR") && !strings.HasPrefix(v, "NO_COLOR=") && !strings.HasPrefix(v, "TERM=") {
			env = append(env, v)
		}
	}
	return append(env, "NO_COLOR=1", "CLICOLOR=0", "TERM=dumb")
}

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
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			a, err := g.check(file, rules)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			failing[file] = a.Controls
			if len(a.Controls) > 0 {
				output[file] = a.Output
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		return nil, nil, errs[0]
	}
	return failing, output, nil
}

// check runs rules over one template, or takes the answer the evaluations' cache kept for the
// same template, rules and cfn-guard.
func (g Guard) check(file string, rules []string) (guardAnswer, error) {
	if len(rules) == 0 {
		return guardAnswer{}, nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return guardAnswer{}, err
	}
	options := []string{"validate", "--show-summary", "fail", "--output-format", "single-line-summary"}
	key := g.key(options, rules, file, data)
	if kept, ok := g.cache.Get(key); ok {
		if code, out, ok := strings.Cut(string(kept), "\n"); ok {
			if a, err := parseGuard(code, strings.ReplaceAll(out, dataPath, file)); err == nil {
				return a, nil
			}
		}
	}
	args := append(slices.Clone(options), "--data", file)
	for _, rule := range rules {
		args = append(args, "--rules", rule)
	}
	cmd := exec.Command(g.binary, args...)
	cmd.Env = guardEnv()
	out, runErr := cmd.CombinedOutput()
	code := "exit 0"
	if exitErr, ok := runErr.(*exec.ExitError); ok {
		code = fmt.Sprintf("exit %d", exitErr.ExitCode())
	} else if runErr != nil {
		return guardAnswer{}, fmt.Errorf("cfn-guard on %s: %v\n%s", file, runErr, out)
	}
	a, err := parseGuard(code, string(out))
	if err != nil {
		return guardAnswer{}, fmt.Errorf("cfn-guard on %s: %v\n%s", file, err, out)
	}
	g.cache.Put(key, []byte(code+"\n"+strings.ReplaceAll(string(out), file, dataPath)))
	return a, nil
}

// parseGuard reads the failing controls from cfn-guard's exit status and output, and refuses
// the two when they disagree: cfn-guard exits 0 when every rule passes or skips, 19 when one
// fails, otherwise on an error.
func parseGuard(code, out string) (guardAnswer, error) {
	a := guardAnswer{Output: out}
	for _, m := range failingRule.FindAllStringSubmatch(out, -1) {
		if !slices.Contains(a.Controls, m[1]) {
			a.Controls = append(a.Controls, m[1])
		}
	}
	slices.Sort(a.Controls)
	switch {
	case code == "exit 19" && len(a.Controls) == 0:
		return a, fmt.Errorf("exit status 19 (a rule failed), but no failing rule could be read from the output")
	case code == "exit 0" && len(a.Controls) > 0:
		return a, fmt.Errorf("exit status 0 (every rule passed), but the output names failing rules %v", a.Controls)
	case code != "exit 0" && code != "exit 19":
		return a, fmt.Errorf("%s", code)
	}
	return a, nil
}
