package test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/afterdeploy/doctor"
	"github.com/privatepatch/privatepatch/constructs/wsus"
)

// psScript is one PowerShell script for tools/psparse: a .ps1 file, or the inline script of an
// SSM document step as the agent runs it.
type psScript struct {
	Name   string `json:"name"`
	Source string `json:"source"`
}

type psParseError struct {
	Line   int    `json:"line"`
	Column int    `json:"column"`
	Kind   string `json:"kind"`
	Text   string `json:"text"`
}

// psParseResult is what tools/psparse says of one script: its syntax errors, its pipeline chain
// operators (&& and ||) and its commands with the parameters each is given.
type psParseResult struct {
	Errors   []psParseError `json:"errors"`
	Chains   []psParseError `json:"chains"`
	Commands []struct {
		Line       int      `json:"line"`
		Name       string   `json:"name"`
		Parameters []string `json:"parameters"`
	} `json:"commands"`
}

// parsePowerShell parses every script in one Node run (tools/psparse, tree-sitter-powershell)
// and returns what it found in each, by name.
func parsePowerShell(t *testing.T, scripts []psScript) map[string]psParseResult {
	t.Helper()
	checker := filepath.Join("..", "tools", "psparse", "check.mjs")
	_, err := os.Stat(filepath.Join("..", "tools", "psparse", "node_modules", "web-tree-sitter"))
	require.NoError(t, err, "the PowerShell grammar is not installed: run make setup")
	input, err := json.Marshal(scripts)
	require.NoError(t, err)
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("node", "--liftoff-only", checker)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(input), &stdout, &stderr
	require.NoError(t, cmd.Run(), "psparse: %s", stderr.String())
	var results []struct {
		Name string `json:"name"`
		psParseResult
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &results))
	require.Len(t, results, len(scripts), "one result per script")
	out := map[string]psParseResult{}
	for _, r := range results {
		out[r.Name] = r.psParseResult
	}
	return out
}

// repositoryPowerShellFiles are every .ps1 file of the repository.
func repositoryPowerShellFiles(t *testing.T) []psScript {
	t.Helper()
	var scripts []psScript
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "cdk.out" || strings.HasPrefix(d.Name(), ".") && path != "..") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".ps1") {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			scripts = append(scripts, psScript{Name: filepath.ToSlash(path), Source: string(data)})
		}
		return nil
	})
	require.NoError(t, err)
	return scripts
}

var ssmParameterReference = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}`)

// inlinePowerShell returns the script of every aws:runPowerShellScript step of the template's
// Command documents as the agent runs it: the runCommand lines joined, each {{ parameter }}
// replaced by a sample value (the parameter's default, else a value its allowedPattern admits,
// from samples). A reference to an undeclared parameter fails the test.
func inlinePowerShell(t *testing.T, scenario string, template map[string]any, samples map[string]string) []psScript {
	t.Helper()
	var scripts []psScript
	documents := resourcesOf(template, "AWS::SSM::Document")
	for _, id := range slices.Sorted(func(yield func(string) bool) {
		for id := range documents {
			if !yield(id) {
				return
			}
		}
	}) {
		content := props(documents[id])["Content"].(map[string]any)
		parameters, _ := content["parameters"].(map[string]any)
		steps, _ := content["mainSteps"].([]any)
		for _, s := range steps {
			step := s.(map[string]any)
			if step["action"] != "aws:runPowerShellScript" {
				continue
			}
			var lines []string
			for _, line := range step["inputs"].(map[string]any)["runCommand"].([]any) {
				lines = append(lines, line.(string))
			}
			source := ssmParameterReference.ReplaceAllStringFunc(strings.Join(lines, "\n")+"\n", func(ref string) string {
				name := ssmParameterReference.FindStringSubmatch(ref)[1]
				parameter, declared := parameters[name].(map[string]any)
				require.True(t, declared, "%s %s: %s names no parameter of the document", scenario, id, ref)
				value, ok := parameter["default"].(string)
				if !ok {
					value, ok = samples[name]
					require.True(t, ok, "%s %s: no sample value for required parameter %s", scenario, id, name)
				}
				if pattern, ok := parameter["allowedPattern"].(string); ok {
					require.Regexp(t, pattern, value, "%s %s: the sample for %s must be a value SSM accepts", scenario, id, name)
				}
				return value
			})
			require.NotContains(t, source, "{{", "%s %s: a {{ SSM would substitute is left", scenario, id)
			scripts = append(scripts, psScript{Name: fmt.Sprintf("%s %s step %v", scenario, id, step["name"]), Source: source})
		}
	}
	return scripts
}

// requiredParameterSamples are values for the document parameters that have no default.
var requiredParameterSamples = map[string]string{
	"Products":            "Microsoft Server operating system-21H2;Windows Server 2019",
	"UpdateStoreVolumeId": "vol-0123456789abcdef0",
	"WsusUrl":             "http://10.0.0.10:8530",
}

func describeParseErrors(errors []psParseError) string {
	var b strings.Builder
	for _, e := range errors {
		fmt.Fprintf(&b, "\n  line %d column %d: %s at %q", e.Line, e.Column, e.Kind, e.Text)
	}
	return b.String()
}

// TestEveryPowerShellScriptParses parses every .ps1 file and every inline PowerShell script of
// the synthesised documents (default, HTTPS WSUS and rich patching scenarios, all three stacks;
// the last has the patch hooks' documents) with a real PowerShell grammar, with two planted
// failures that it must report: a file and a document that do not parse.
func TestEveryPowerShellScriptParses(t *testing.T) {
	files := repositoryPowerShellFiles(t)
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
	}
	for _, want := range []string{"../constructs/wsus/wsus-setup.ps1", "../constructs/wsus/wsus-health.ps1", "../constructs/wsus/wsus-client.ps1",
		"../constructs/wsus/wsus-cleanup.ps1", "../constructs/wsus/wsus-cleanup.Tests.ps1",
		"../constructs/wsus/wsus-setup.Tests.ps1", "../constructs/compliance/cce-windows.ps1", "../test/testdata/hooks/drain.ps1"} {
		assert.Contains(t, names, want, "every .ps1 file is found")
	}
	scripts := files
	inline := 0
	for _, s := range []*scenario{defaultScenario, wsusHTTPS, richPatching} {
		s.synth(t)
		for stack, template := range map[string]map[string]any{"network": s.template, "fleet": s.fleetJSON, "patching": s.patchJSON} {
			found := inlinePowerShell(t, s.name+" "+stack, template, requiredParameterSamples)
			inline += len(found)
			scripts = append(scripts, found...)
		}
	}
	// Setup, health, cleanup, client and the Windows checks, in two scenarios; two hooks.
	assert.GreaterOrEqual(t, inline, 12, "the documents' PowerShell steps are found")
	// make patch-now KB=...'s script, which AWS-RunPowerShellScript runs on the WSUS server.
	scripts = append(scripts, psScript{Name: "doctor.WsusApproveScript", Source: doctor.WsusApproveScript([]string{"KB5034441", "KB5034439"})})

	// Planted: a script missing its closing brace, and a document whose script has an unclosed string.
	brokenFile := psScript{Name: "planted broken file", Source: strings.Replace(wsus.SetupScript, "function Split-List([string] $value) {", "function Split-List([string] $value) (", 1)}
	planted := inlinePowerShell(t, "planted", map[string]any{"Resources": map[string]any{"Broken": map[string]any{
		"Type": "AWS::SSM::Document",
		"Properties": map[string]any{"Content": map[string]any{
			"parameters": map[string]any{"Name": map[string]any{"type": "String", "default": "x"}},
			"mainSteps": []any{map[string]any{"action": "aws:runPowerShellScript", "name": "Broken", "inputs": map[string]any{
				"runCommand": []any{"& {", "param([string] $Name)", "Write-Output 'hello", "} -Name '{{ Name }}'"}}}},
		}},
	}}}, nil)
	require.Len(t, planted, 1)

	results := parsePowerShell(t, append(scripts, brokenFile, planted[0]))
	for _, s := range scripts {
		assert.Empty(t, results[s.Name].Errors, "%s does not parse as PowerShell:%s", s.Name, describeParseErrors(results[s.Name].Errors))
	}
	assert.NotEmpty(t, results[brokenFile.Name].Errors, "a script whose function body opens with ( is reported")
	assert.NotEmpty(t, results[planted[0].Name].Errors, "a document step with an unclosed string is reported")
}

// What runs every aws:runPowerShellScript step on a Windows node: SSM Agent writes the step's
// runCommand lines to _script.ps1 and runs it with
// %SystemRoot%\System32\WindowsPowerShell\v1.0\powershell.exe -InputFormat None -Noninteractive
// -NoProfile -ExecutionPolicy unrestricted -f (amazon-ssm-agent, agent/appconfig/
// constants_windows.go, PowerShellPluginCommandName and PowerShellPluginCommandArgs, read
// 2026-12-06): Windows PowerShell 5.1, never PowerShell 7. The grammar of tools/psparse refuses the
// ternary operator, ?? and ?. already (TestEveryPowerShellScriptParses); these it accepts, and
// Windows PowerShell 5.1 does not have them:
var (
	// powerShell7ChainOperators: "Beginning in PowerShell 7, PowerShell implements the && and ||
	// operators to conditionally chain pipelines" (about_Pipeline_Chain_Operators, PowerShell
	// documentation, read 2026-12-06).
	powerShell7ChainOperators = []string{"&&", "||"}
	// powerShell7Parameters are parameters of built-in cmdlets, by cmdlet (lower case, with its
	// aliases), that Windows PowerShell 5.1 does not have. ForEach-Object -Parallel: the
	// ForEach-Object reference for PowerShell 5.1 (Microsoft Learn, read 2026-12-06) has the
	// parameter sets ScriptBlockSet and PropertyAndMethodSet only, no -Parallel; the ForEach-Object
	// command "has two common aliases: ForEach and %" ("Review basic syntax to enumerate objects in
	// the pipeline", Microsoft Learn training, read 2026-12-06).
	powerShell7Parameters = map[string][]string{"foreach-object": {"-Parallel"}, "foreach": {"-Parallel"}, "%": {"-Parallel"}}
)

// windowsPowerShell51Problems lists what a script uses that Windows PowerShell 5.1 does not have.
func windowsPowerShell51Problems(result psParseResult) []string {
	var problems []string
	for _, c := range result.Chains {
		if slices.Contains(powerShell7ChainOperators, c.Text) {
			problems = append(problems, fmt.Sprintf("line %d column %d: the pipeline chain operator %s is PowerShell 7 only", c.Line, c.Column, c.Text))
		}
	}
	for _, c := range result.Commands {
		for _, p := range c.Parameters {
			for _, only := range powerShell7Parameters[strings.ToLower(c.Name)] {
				if strings.EqualFold(strings.TrimSuffix(p, ":"), only) {
					problems = append(problems, fmt.Sprintf("line %d: %s %s is PowerShell 7 only", c.Line, c.Name, only))
				}
			}
		}
	}
	return problems
}

// TestDocumentPowerShellRunsOnWindowsPowerShell51 checks that no script a Windows node runs (the
// documents' aws:runPowerShellScript steps in the default and HTTPS WSUS scenarios, make
// patch-now's approval script) uses what only PowerShell 7 has, with planted failures: a pipeline
// chain and ForEach-Object -Parallel (by its alias) in a document step.
func TestDocumentPowerShellRunsOnWindowsPowerShell51(t *testing.T) {
	var scripts []psScript
	for _, s := range []*scenario{defaultScenario, wsusHTTPS} {
		s.synth(t)
		for stack, template := range map[string]map[string]any{"network": s.template, "fleet": s.fleetJSON, "patching": s.patchJSON} {
			scripts = append(scripts, inlinePowerShell(t, s.name+" "+stack, template, requiredParameterSamples)...)
		}
	}
	require.GreaterOrEqual(t, len(scripts), 10, "the documents' PowerShell steps are found")
	scripts = append(scripts, psScript{Name: "doctor.WsusApproveScript", Source: doctor.WsusApproveScript([]string{"KB5034441"})})
	planted := []psScript{
		{Name: "planted chain", Source: wsus.ClientScript + "\nTest-Path $env:TEMP && Write-Output 'there'\n"},
		{Name: "planted parallel", Source: "1..3 | % -Parallel { $_ }\n"},
	}
	results := parsePowerShell(t, append(slices.Clone(scripts), planted...))
	for _, s := range scripts {
		assert.Empty(t, windowsPowerShell51Problems(results[s.Name]), "%s runs on Windows PowerShell 5.1", s.Name)
	}
	for _, p := range planted {
		assert.Empty(t, results[p.Name].Errors, "%s parses: only this check can see it", p.Name)
		assert.Len(t, windowsPowerShell51Problems(results[p.Name]), 1, "%s is reported", p.Name)
	}
}

// powerShellSingleQuotes end a single-quoted (verbatim) string: "single-quote-character: '
// (U+0027) Left single quotation mark (U+2018) Right single quotation mark (U+2019) Single low-9
// quotation mark (U+201A) Single high-reversed-9 quotation mark (U+201B)" ("2. Lexical Structure",
// Windows PowerShell Language Specification 3.0, Microsoft Learn, read 2026-12-06). Inside one,
// "no substitution is performed" (about_Quoting_Rules): $, backticks and new lines are text.
var powerShellSingleQuotes = []rune{'\'', '\u2018', '\u2019', '\u201A', '\u201B'}

// patternAdmitsAny says whether a string the (Go-syntax) regular expression matches can hold one
// of runes, read from the expression itself: any-character operators and every literal and
// character class are inspected, so the answer does not depend on sample inputs.
func patternAdmitsAny(t *testing.T, pattern string, runes []rune) bool {
	t.Helper()
	re, err := syntax.Parse(pattern, syntax.Perl)
	require.NoError(t, err, pattern)
	var admits func(*syntax.Regexp) bool
	admits = func(re *syntax.Regexp) bool {
		switch re.Op {
		case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
			return true
		case syntax.OpLiteral:
			return slices.ContainsFunc(re.Rune, func(r rune) bool { return slices.Contains(runes, r) })
		case syntax.OpCharClass:
			for i := 0; i+1 < len(re.Rune); i += 2 {
				if slices.ContainsFunc(runes, func(r rune) bool { return re.Rune[i] <= r && r <= re.Rune[i+1] }) {
					return true
				}
			}
			return false
		}
		return slices.ContainsFunc(re.Sub, admits)
	}
	return admits(re)
}

// documentParameterProblems lists, for one aws:runPowerShellScript step, each {{ parameter }}
// that SSM could substitute into code: not alone between single quotes, or whose allowedPattern
// (missing, or admitting a single-quote character) lets a value end the string.
func documentParameterProblems(t *testing.T, parameters map[string]any, script string) []string {
	var problems []string
	for _, at := range ssmParameterReference.FindAllStringSubmatchIndex(script, -1) {
		name := script[at[2]:at[3]]
		if at[0] == 0 || script[at[0]-1] != '\'' || at[1] == len(script) || script[at[1]] != '\'' {
			problems = append(problems, fmt.Sprintf("%s is not alone between single quotes", script[at[0]:at[1]]))
		}
		pattern, _ := parameters[name].(map[string]any)["allowedPattern"].(string)
		if pattern == "" || patternAdmitsAny(t, pattern, powerShellSingleQuotes) {
			problems = append(problems, fmt.Sprintf("parameter %s: allowedPattern %q lets a value end its quotes", name, pattern))
		}
	}
	return problems
}

// TestDocumentParametersStayInsideTheirQuotes proves, for every {{ parameter }} of every
// aws:runPowerShellScript step (default and HTTPS WSUS scenarios, all stacks), that SSM's
// substitution cannot inject PowerShell: the reference sits alone in single quotes, and its
// allowedPattern, read as a regular expression, admits no character that ends them. Planted: a
// pattern that admits ’ (U+2019), one with no pattern, and a reference outside quotes.
func TestDocumentParametersStayInsideTheirQuotes(t *testing.T) {
	checked := 0
	for _, s := range []*scenario{defaultScenario, wsusHTTPS} {
		s.synth(t)
		for _, template := range []map[string]any{s.template, s.fleetJSON, s.patchJSON} {
			for id, document := range resourcesOf(template, "AWS::SSM::Document") {
				content, _ := props(document)["Content"].(map[string]any)
				parameters, _ := content["parameters"].(map[string]any)
				steps, _ := content["mainSteps"].([]any)
				for _, step := range steps {
					inputs, _ := step.(map[string]any)["inputs"].(map[string]any)
					if step.(map[string]any)["action"] != "aws:runPowerShellScript" {
						continue
					}
					var lines []string
					for _, line := range inputs["runCommand"].([]any) {
						lines = append(lines, line.(string))
					}
					script := strings.Join(lines, "\n")
					checked += len(ssmParameterReference.FindAllString(script, -1))
					assert.Empty(t, documentParameterProblems(t, parameters, script), "%s %s", s.name, id)
				}
			}
		}
	}
	assert.GreaterOrEqual(t, checked, 20, "the setup, client, health and cleanup parameters are checked")

	parameters := map[string]any{"Curly": map[string]any{"allowedPattern": `^[^']*$`}, "Bare": map[string]any{}, "Safe": map[string]any{"allowedPattern": `^[a-z]+$`}}
	assert.Len(t, documentParameterProblems(t, parameters, "& { param($x) } -x '{{ Curly }}'"), 1, "[^'] admits ’, which ends the string too")
	assert.Len(t, documentParameterProblems(t, parameters, "& { param($x) } -x '{{ Bare }}'"), 1, "a parameter without a pattern")
	assert.Len(t, documentParameterProblems(t, parameters, "& { param($x) } -x {{ Safe }}"), 1, "a reference outside quotes")
	assert.Empty(t, documentParameterProblems(t, parameters, "& { param($x) } -x '{{ Safe }}'"))
}
