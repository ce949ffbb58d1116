package patchingspec

import (
	"path"
	"regexp"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/spec"
)

// HooksPage is the page the facts of AWS-RunPatchBaselineWithHooks below come from.
const HooksPage = `"About the AWS-RunPatchBaselineWithHooks SSM document" (AWS Systems Manager User Guide, read 2026-12-06)`

// The facts of AWS-RunPatchBaselineWithHooks (HooksPage):
//   - it wraps AWS-RunPatchBaseline: Scan; then, for Install, the pre-install hook, Install with
//     NoReboot, the post-install hook, the reboot (RebootIfNeeded) and the on-exit hook, which also
//     runs when an earlier step failed or nothing was missing;
//   - its parameters are Operation (Scan | Install, required), Snapshot ID (a maintenance window
//     supplies it: leave it out), RebootOption (RebootIfNeeded, the default, | NoReboot),
//     PreInstallHookDocName, PostInstallHookDocName and OnExitHookDocName (each the name or ARN
//     of an SSM document, "AWS-Noop" by default); it "doesn't support the InstallOverrideList
//     parameter";
//   - "requires that SSM Agent 3.0.502 or later be installed" on the node;
//   - it "supports Linux ... and Windows Server" nodes (the current page adds that macOS is not
//     supported; an older version listed it: macOS is refused, the stricter reading);
//   - a hook document "performs any actions supported by SSM Agent" (the Command document plugin
//     reference): a Command document. privatepatch makes it schemaVersion 2.2 with one step,
//     aws:runPowerShellScript for a .ps1 file or aws:runShellScript for a .sh file.
const (
	// RunPatchBaselineWithHooksDocument is the AWS-owned Command document of a task with hooks.
	RunPatchBaselineWithHooksDocument = "AWS-RunPatchBaselineWithHooks"
	// HooksMinAgentVersion is the oldest SSM Agent that runs it.
	HooksMinAgentVersion = "3.0.502"
	// NoopDocument is each hook's default: it does nothing.
	NoopDocument = "AWS-Noop"
	// The hook parameters.
	PreInstallHookParameter  = "PreInstallHookDocName"
	PostInstallHookParameter = "PostInstallHookDocName"
	OnExitHookParameter      = "OnExitHookDocName"
	// HookDocumentType and HookSchemaVersion of the documents made from script files.
	HookDocumentType  = "Command"
	HookSchemaVersion = "2.2"
	// MaxHookScriptBytes: "The content of the document must not exceed 64KB" (CreateDocument
	// Content, AWS Systems Manager API Reference, read 2026-12-06); the step's wrapping takes
	// the rest of the 64 KB.
	MaxHookScriptBytes = 60 * 1024
)

// HookOperatingSystems are the baseline operating systems whose nodes run the hooks document:
// the Linux ones and WINDOWS, not MACOS (HooksPage).
func HookOperatingSystems() []string {
	var out []string
	for _, os := range OperatingSystems {
		if os != "MACOS" {
			out = append(out, os)
		}
	}
	return out
}

// The kinds of hook: a script file privatepatch makes a Command document of, by its extension
// (PowerShell for Windows nodes, shell for Linux ones), or an existing document's name or ARN.
const (
	HookPowerShell = "powershell"
	HookShell      = "shell"
	HookDocument   = "document"
)

// HookKind is the kind of a hook value: a path ending .ps1 or .sh is a script file, anything else
// a document name or ARN.
func HookKind(value string) string {
	switch strings.ToLower(path.Ext(value)) {
	case ".ps1":
		return HookPowerShell
	case ".sh":
		return HookShell
	}
	return HookDocument
}

// HookStepAction is the Command document plugin a script of kind runs with.
func HookStepAction(kind string) string {
	if kind == HookShell {
		return "aws:runShellScript"
	}
	return "aws:runPowerShellScript"
}

// HookRunCommand is the runCommand of a hook's step: a PowerShell script's lines as they are; a
// shell script written to a file and run by bash (whatever /bin/sh is), with its standard input
// closed. Fed to bash on its standard input, a command of the script that reads it (read, ssh,
// docker exec -i) would swallow the script's remaining lines, and the hook would end early, maybe
// with status 0, and the Install go on. The hook's exit status is the step's.
func HookRunCommand(kind, script string) []string {
	lines := strings.Split(strings.TrimRight(script, "\n"), "\n")
	if kind != HookShell {
		return lines
	}
	// A hook written short (a full disk) must not run as if whole.
	run := []string{`hook=$(mktemp) || exit 1`, `cat > "$hook" <<'PRIVATEPATCH_HOOK' || { rm -f "$hook"; exit 1; }`}
	run = append(run, lines...)
	return append(run, "PRIVATEPATCH_HOOK", `bash "$hook" </dev/null`, `status=$?`, `rm -f "$hook"`, `exit $status`)
}

// HookOperatingSystem says whether a script of kind runs on nodes of a baseline's operating
// system: PowerShell on WINDOWS, shell on the others.
func HookOperatingSystem(kind, os string) bool {
	return kind == HookDocument || (kind == HookPowerShell) == (os == DefaultOperatingSystem)
}

// documentNamePattern is the name or ARN of a document as SendCommand's DocumentName takes it
// (pattern ^[a-zA-Z0-9_\-.:/]{3,128}$, AWS Systems Manager API Reference, read 2026-12-06).
var documentNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_\-.:/]{3,128}$`)

// Hooks are the documents AWS-RunPatchBaselineWithHooks runs around an Install: each a script
// file (.ps1 or .sh, a path relative to the configuration file) or the name or ARN of an
// existing Command document. Default: each unset one is AWS-Noop.
type Hooks struct {
	PreInstall  string `yaml:"preInstall"`
	PostInstall string `yaml:"postInstall"`
	OnExit      string `yaml:"onExit"`
}

// Hook is one hook: its field, parameter and value.
type Hook struct{ Field, Parameter, Value string }

// List is the three hooks in the order they run, unset ones included (Value "").
func (h Hooks) List() []Hook {
	return []Hook{
		{"PreInstall", PreInstallHookParameter, h.PreInstall},
		{"PostInstall", PostInstallHookParameter, h.PostInstall},
		{"OnExit", OnExitHookParameter, h.OnExit},
	}
}

// Problems are the hooks' problems: at least one set, each a script file or a document name.
func (h Hooks) Problems() spec.Problems {
	var p spec.Problems
	set := 0
	for _, hook := range h.List() {
		if hook.Value == "" {
			continue
		}
		set++
		if HookKind(hook.Value) == HookDocument && !documentNamePattern.MatchString(hook.Value) {
			p.Add(hook.Field, hook.Value, "is neither a script file (.ps1 or .sh) nor an SSM document name or ARN "+
				"(3-128 letters, digits and _ - . : /)")
		}
	}
	if set == 0 {
		p.Add("", "", "names no hook: set preInstall, postInstall or onExit (a .ps1 or .sh file, or a Command document's name), or leave hooks out")
	}
	return p
}
