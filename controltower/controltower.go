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

// Guard is the cfn-guard binary and the folder of Control Tower rules.
type Guard struct {
	Binary, Rules string
}

// Find locates cfn-guard and the rules under the project root's node_modules.
func Find(projectRoot string) (Guard, error) {
	pkg := filepath.Join(projectRoot, "node_modules", "@cdklabs", "cdk-validator-cfnguard")
	osDir := map[string]string{"linux": "ubuntu", "darwin": "macos"}[runtime.GOOS]
	archDir := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[runtime.GOARCH]
	g := Guard{Binary: filepath.Join(pkg, "bin", osDir, archDir, "cfn-guard"), Rules: filepath.Join(pkg, "rules", "control-tower", "cfn-guard")}
	if _, err := os.Stat(g.Binary); err != nil {
		return Guard{}, fmt.Errorf("cfn-guard is not installed (make setup): %w", err)
	}
	return g, nil
}

// RuleFiles lists the rule files that check a resource type the templates declare, leaving out
// the controls in skip (by name, e.g. "ct-s3-pr-10"). The other rules could only skip, and each
// takes time to run.
func (g Guard) RuleFiles(templates []map[string]any, skip map[string]bool) ([]string, error) {
	declared := map[string]bool{}
	for _, template := range templates {
		resources, _ := template["Resources"].(map[string]any)
		for _, r := range resources {
			resourceType, _ := r.(map[string]any)["Type"].(string)
			declared[resourceType] = true
		}
	}
	all, err := filepath.Glob(filepath.Join(g.Rules, "*", "*.guard"))
	if err != nil {
		return nil, err
	}
	var files []string
	for _, file := range all {
		if skip[Control(file)] {
			continue
		}
		text, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(resourceTypes.FindAllString(string(text), -1), func(t string) bool { return declared[t] }) {
			files = append(files, file)
		}
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("no Control Tower rules under %s", g.Rules)
	}
	return files, nil
}

var resourceTypes = regexp.MustCompile(`AWS::[A-Za-z0-9]+::[A-Za-z0-9]+`)

// Control is the control a rule file holds, e.g. "ct-s3-pr-10".
func Control(ruleFile string) string {
	return strings.TrimSuffix(filepath.Base(ruleFile), ".guard")
}

var failingRule = regexp.MustCompile(`(ct-[a-z0-9-]+)\.guard/\S+\s+FAIL`)

// Failing runs the rules over each template file, a few at a time, and returns the failing
// controls of each file (sorted), with cfn-guard's output for the files that fail.
func (g Guard) Failing(templateFiles, ruleFiles []string) (failing map[string][]string, output map[string]string, err error) {
	args := []string{"validate", "--show-summary", "fail", "--output-format", "single-line-summary"}
	for _, rule := range ruleFiles {
		args = append(args, "--rules", rule)
	}
	failing, output = map[string][]string{}, map[string]string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	slots := make(chan struct{}, runtime.NumCPU())
	errs := make([]error, len(templateFiles))
	for i, file := range templateFiles {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			// Clipped, so that no two runs append their file to the same array.
			out, runErr := exec.Command(g.Binary, append(slices.Clip(args), "--data", file)...).CombinedOutput()
			// cfn-guard exits 0 when every rule passes or skips, 19 when one fails, otherwise on an error.
			if exitErr, ok := runErr.(*exec.ExitError); runErr != nil && !(ok && exitErr.ExitCode() == 19) {
				errs[i] = fmt.Errorf("cfn-guard on %s: %v\n%s", file, runErr, out)
				return
			}
			var controls []string
			for _, m := range failingRule.FindAllStringSubmatch(string(out), -1) {
				if !slices.Contains(controls, m[1]) {
					controls = append(controls, m[1])
				}
			}
			slices.Sort(controls)
			mu.Lock()
			defer mu.Unlock()
			failing[file] = controls
			if len(controls) > 0 {
				output[file] = string(out)
			}
		}()
	}
	wg.Wait()
	for _, e := range errs {
		if e != nil {
			return nil, nil, e
		}
	}
	return failing, output, nil
}
