package wiring

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// ShippedScriptPaths are the scripts the stacks' documents and functions embed, below the
// repository root. Their own tests prove them (the Pester tests, the PowerShell grammar, the
// shell and Python tests); Scripts proves the templates carry them unaltered.
var ShippedScriptPaths = []string{
	"constructs/wsus/wsus-setup.ps1", "constructs/wsus/wsus-client.ps1", "constructs/wsus/wsus-health.ps1",
	"constructs/wsus/wsus-cleanup.ps1", "constructs/compliance/cce-windows.ps1", "constructs/compliance/cce-linux.sh",
	"constructs/patching/patchingspec/promote.py", "constructs/patching/patchingspec/startstop.py",
	"constructs/compliance/compliancespec/inspectorenabler.py", "constructs/compliance/compliancespec/findingfilter.py",
}

// ShippedScripts reads ShippedScriptPaths below root, by path.
func ShippedScripts(root string) (map[string]string, error) {
	scripts := map[string]string{}
	for _, p := range ShippedScriptPaths {
		data, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			return nil, err
		}
		scripts[p] = strings.TrimSpace(string(data))
	}
	return scripts, nil
}

// signatureLines is how many of a script's first non-empty lines say that a document carries it.
const signatureLines = 3

// Scripts checks that every document step and every function's inline code (Code.ZipFile) which
// carries a shipped script (its first lines) carries all of it, as shipped: an edit inside a
// script, which no template fact decides (a registry value, a firewall rule's ports, a WSUS
// setting, the resource types Inspector's enabler turns on), is then a difference from what the
// tests prove.
func Scripts(shipped map[string]string, templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		functions := cfntemplate.OfType(cfntemplate.Resources(template), "AWS::Lambda::Function")
		for _, id := range slices.Sorted(maps.Keys(functions)) {
			code, _ := functions[id]["Code"].(map[string]any)
			inline, _ := code["ZipFile"].(string)
			lines := trimmedLines(inline)
			for _, path := range slices.Sorted(maps.Keys(shipped)) {
				// Carried where any of its first lines no other script has stands in the code
				// (an edit of one of them is an edit too); the same where the code is the script,
				// indentation included, and nothing more (Code.fromInline's ZipFile is the text it
				// is given: a line added after the script could redefine what it does).
				own := distinctiveLines(shipped, path)
				if !slices.ContainsFunc(own[:min(signatureLines, len(own))], func(l string) bool { return slices.Contains(lines, l) }) {
					continue
				}
				if strings.TrimSpace(inline) != shipped[path] {
					problems = append(problems, fmt.Sprintf("function %s: its inline code carries %s, edited: it is not the script its tests prove", id, path))
				}
			}
		}
		documents := cfntemplate.OfType(cfntemplate.Resources(template), "AWS::SSM::Document")
		for _, id := range slices.Sorted(maps.Keys(documents)) {
			content, _ := documents[id]["Content"].(map[string]any)
			for i, step := range cfntemplate.List(content["mainSteps"]) {
				step, _ := step.(map[string]any)
				inputs, _ := step["inputs"].(map[string]any)
				script := joinedLines(inputs["runCommand"])
				for _, path := range slices.Sorted(maps.Keys(shipped)) {
					if !strings.Contains(script, signature(shipped[path])) {
						continue
					}
					if !strings.Contains(script, shipped[path]) {
						problems = append(problems, fmt.Sprintf("document %s: step %d carries %s, edited: it is not the script its tests prove", id, i, path))
					}
					if want, got := scriptPlatform(path), stepPlatform(step); want != "" && got != "" && got != want {
						problems = append(problems, fmt.Sprintf("document %s: step %d carries %s, a %s script, under a %s precondition: it never runs where it should (mutation run 13's B07)", id, i, path, want, got))
					}
				}
			}
			// An Automation runbook is YAML text, its script a block indented within it: compared
			// line by line, each line's own indentation aside.
			if text, ok := documents[id]["Content"].(string); ok {
				for _, path := range slices.Sorted(maps.Keys(shipped)) {
					lines, carried := trimmedLines(text), trimmedLines(shipped[path])
					if len(carried) > 0 && slices.Contains(lines, carried[0]) && !containsRun(lines, carried) {
						problems = append(problems, fmt.Sprintf("document %s: carries %s, edited: it is not the script its tests prove", id, path))
					}
				}
			}
		}
	}
	return problems
}

// distinctiveLines are the trimmed lines of shipped[path] that no other shipped script has.
func distinctiveLines(shipped map[string]string, path string) []string {
	others := map[string]bool{}
	for other, script := range shipped {
		if other != path {
			for _, l := range trimmedLines(script) {
				others[l] = true
			}
		}
	}
	var own []string
	for _, l := range trimmedLines(shipped[path]) {
		if !others[l] {
			own = append(own, l)
		}
	}
	return own
}

// trimmedLines are a text's non-empty lines, trimmed.
func trimmedLines(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// containsRun says whether run stands in lines, contiguous and in order.
func containsRun(lines, run []string) bool {
	for i := 0; i+len(run) <= len(lines); i++ {
		if slices.Equal(lines[i:i+len(run)], run) {
			return true
		}
	}
	return false
}

// signature is a script's first signatureLines non-empty lines.
func signature(script string) string {
	var lines []string
	for _, l := range strings.Split(script, "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
		if len(lines) == signatureLines {
			break
		}
	}
	return strings.Join(lines, "\n")
}

// joinedLines is a runCommand as one text: its lines joined, or its string.
func joinedLines(v any) string {
	if text, ok := v.(string); ok {
		return text
	}
	var lines []string
	for _, l := range cfntemplate.List(v) {
		if text, ok := l.(string); ok {
			lines = append(lines, text)
		} else {
			data, _ := json.Marshal(l)
			lines = append(lines, string(data))
		}
	}
	return strings.Join(lines, "\n")
}

// scriptPlatform is the platform a shipped script is for: PowerShell for Windows, shell for
// Linux; "" for another (an Automation runbook's Python, which runs on no node).
func scriptPlatform(path string) string {
	switch {
	case strings.HasSuffix(path, ".ps1"):
		return "Windows"
	case strings.HasSuffix(path, ".sh"):
		return "Linux"
	}
	return ""
}

// stepPlatform is the platformType a step's precondition names ({"StringEquals": ["platformType",
// "Windows"]}, "Schemas, features, and examples"), "" without one.
func stepPlatform(step map[string]any) string {
	precondition, _ := step["precondition"].(map[string]any)
	if pair := cfntemplate.Texts(precondition["StringEquals"]); len(pair) == 2 && pair[0] == "platformType" {
		return pair[1]
	}
	return ""
}
