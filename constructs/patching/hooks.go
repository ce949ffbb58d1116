package patching

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/spec"
)

// hooksProblems are the problems of the tasks' hooks that need the window: a script's content
// in HookScripts, and no InstallOverrideList, which AWS-RunPatchBaselineWithHooks does not take.
func (p *WindowProps) hooksProblems() spec.Problems {
	var problems spec.Problems
	for i, t := range p.Tasks {
		if t.Hooks == nil {
			continue
		}
		field := fmt.Sprintf("Tasks[%d].Hooks", i)
		if p.InstallOverrideList != "" {
			problems.Add(field, "", "cannot run with InstallOverrideList (%s): AWS-RunPatchBaselineWithHooks "+
				"doesn't support the InstallOverrideList parameter (%s)", p.InstallOverrideList, patchingspec.HooksPage)
		}
		for _, h := range t.Hooks.List() {
			if h.Value == "" || patchingspec.HookKind(h.Value) == patchingspec.HookDocument {
				continue
			}
			script, ok := p.HookScripts[h.Value]
			switch {
			case !ok || strings.TrimSpace(script) == "":
				problems.Add(field+"."+h.Field, h.Value, "has no script in HookScripts: give the file's content")
			case strings.Contains(script, "{{"):
				problems.Add(field+"."+h.Field, h.Value, "contains {{, which SSM would read as a parameter reference")
			case len(script) > patchingspec.MaxHookScriptBytes:
				problems.Add(field+"."+h.Field, h.Value, "is %d bytes: a document's content must not exceed 64 KB; keep the script under %d bytes",
					len(script), patchingspec.MaxHookScriptBytes)
			}
		}
	}
	return problems
}

// hookParameters are AWS-RunPatchBaselineWithHooks's hook parameters of task i: each set hook's
// document, made from its script file (one per task and hook) or named; unset ones are left
// to the document's default, AWS-Noop.
func (w *maintenanceWindow) hookParameters(i int, p *WindowProps, t PatchTask) map[string]any {
	out := map[string]any{}
	for _, h := range t.Hooks.List() {
		switch kind := patchingspec.HookKind(h.Value); {
		case h.Value == "":
		case kind == patchingspec.HookDocument:
			out[h.Parameter] = []string{h.Value}
		default:
			out[h.Parameter] = []*string{w.hookDocument(fmt.Sprintf("%s%sHook", patchingspec.TaskID(i), h.Field), h.Value, kind, p.HookScripts[h.Value]).Ref()}
		}
	}
	return out
}

// hookDocument is the Command document (schemaVersion 2.2, one step) that runs script, a .ps1
// (aws:runPowerShellScript) or .sh (aws:runShellScript, through bash: patchingspec.HookRunCommand) file. The step names no
// platform precondition: the configuration refuses a .ps1 hook on a window whose patch groups'
// baselines are Linux, and a .sh one on Windows. A changed script becomes a new version of the
// same document.
func (w *maintenanceWindow) hookDocument(id, file, kind, script string) awsssm.CfnDocument {
	lines := patchingspec.HookRunCommand(kind, script)
	return awsssm.NewCfnDocument(w.Construct, jsii.String(id), &awsssm.CfnDocumentProps{
		DocumentType: jsii.String(patchingspec.HookDocumentType),
		UpdateMethod: jsii.String("NewVersion"),
		Content: map[string]any{
			"schemaVersion": patchingspec.HookSchemaVersion,
			"description":   "privatepatch: patch hook " + file + " (AWS-RunPatchBaselineWithHooks)",
			"mainSteps": []any{map[string]any{
				"action": patchingspec.HookStepAction(kind), "name": "Hook",
				"inputs": map[string]any{"timeoutSeconds": "3600", "runCommand": lines},
			}},
		},
	})
}
