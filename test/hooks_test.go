package test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/constructs/patching"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/proof/authz"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
	"github.com/privatepatch/privatepatch/proof/wiring"
)

// runCommand is a maintenance window task's Run Command parameters.
func runCommand(task map[string]any) map[string]any {
	return task["TaskInvocationParameters"].(map[string]any)["MaintenanceWindowRunCommandParameters"].(map[string]any)
}

// hookDocument is the content of the document a hook parameter names by Ref.
func (s *scenario) hookDocument(t *testing.T, parameter any) map[string]any {
	t.Helper()
	ref, ok := parameter.([]any)[0].(map[string]any)["Ref"].(string)
	require.True(t, ok, "the hook names the document made from its script: %v", parameter)
	document := resourcesOf(s.patchJSON, "AWS::SSM::Document")[ref]
	require.NotNil(t, document, "%s is a document of the stack", ref)
	assert.Equal(t, patchingspec.HookDocumentType, props(document)["DocumentType"])
	return props(document)["Content"].(map[string]any)
}

// hookStep is the document's one step: its action and its script lines joined.
func hookStep(t *testing.T, content map[string]any) (action, script string) {
	t.Helper()
	assert.Equal(t, patchingspec.HookSchemaVersion, content["schemaVersion"])
	steps := content["mainSteps"].([]any)
	require.Len(t, steps, 1)
	step := steps[0].(map[string]any)
	var lines []string
	for _, l := range step["inputs"].(map[string]any)["runCommand"].([]any) {
		lines = append(lines, l.(string))
	}
	return step["action"].(string), strings.Join(lines, "\n") + "\n"
}

func TestInstallWithHooksRunsTheWrapperWithTheDocumentsMadeFromTheScripts(t *testing.T) {
	s := richPatching.synth(t)
	tasks := s.windowTasks(t, "after-patch-tuesday")
	scan, install := tasks["after-patch-tuesday-Task1"], tasks["after-patch-tuesday-Task2"]
	require.NotNil(t, install)
	assert.Equal(t, "AWS-RunPatchBaseline", scan["TaskArn"], "a task without hooks keeps AWS-RunPatchBaseline")
	assert.Equal(t, patchingspec.RunPatchBaselineWithHooksDocument, install["TaskArn"])
	run := runCommand(install)
	params := run["Parameters"].(map[string]any)
	assert.Equal(t, []any{"Install"}, params["Operation"])
	assert.Equal(t, []any{"RebootIfNeeded"}, params["RebootOption"])
	assert.Equal(t, []any{"AWS-Noop"}, params[patchingspec.PostInstallHookParameter], "a named document passes through")
	assert.NotContains(t, params, "Snapshot ID", "the window supplies the snapshot id")
	assert.NotContains(t, params, patchingspec.InstallOverrideListParameter)
	for parameter, file := range map[string]string{patchingspec.PreInstallHookParameter: "drain.ps1", patchingspec.OnExitHookParameter: "health.ps1"} {
		action, script := hookStep(t, s.hookDocument(t, params[parameter]))
		want, err := os.ReadFile("testdata/hooks/" + file)
		require.NoError(t, err)
		assert.Equal(t, "aws:runPowerShellScript", action, parameter)
		assert.Equal(t, string(want), script, "%s runs %s as written", parameter, file)
	}
	// The same output, notifications and rate control as the task without hooks would have.
	assert.Equal(t, "patch/after-patch-tuesday/Install/", run["OutputS3KeyPrefix"])
	assert.Contains(t, fmt.Sprint(run["OutputS3BucketName"]), "CommandOutputBucket")
	assert.Contains(t, run, "NotificationConfig")
	assert.Equal(t, "50%", install["MaxConcurrency"])
}

func TestShellHookRunsThroughBashAndParses(t *testing.T) {
	s := richPatching.synth(t)
	task := s.windowTasks(t, "metadata-tagged")["metadata-tagged-Task1"]
	require.NotNil(t, task)
	action, script := hookStep(t, s.hookDocument(t, runCommand(task)["Parameters"].(map[string]any)[patchingspec.OnExitHookParameter]))
	assert.Equal(t, "aws:runShellScript", action)
	assert.Contains(t, script, "cat > \"$hook\" <<'PRIVATEPATCH_HOOK' || { rm -f \"$hook\"; exit 1; }\n", "a hook written short does not run")
	assert.Contains(t, script, "\nbash \"$hook\" </dev/null\n", "through bash, whatever /bin/sh is, its standard input closed")
	assert.Empty(t, bashSyntaxErrors(t, script), "the hook document's shell parses")
	// Planted: a shell script with an unclosed if is reported.
	assert.NotEmpty(t, bashSyntaxErrors(t, "bash <<'X'\nif true; then\n  echo x\nX\nif true; then echo\n"))
}

// A shell hook runs to its end whatever its commands read, and its exit status is the step's: run
// by sh (as aws:runShellScript runs a step's lines) with a hook whose first command reads standard
// input. Fed to bash on its standard input, that read swallowed the next line of the hook.
func TestAShellHookThatReadsItsInputStillRunsToItsEnd(t *testing.T) {
	hook := "read -r line || true\necho reached the end\nexit 3\n"
	run := func(lines []string) (string, int) {
		cmd := exec.Command("sh", "-c", strings.Join(lines, "\n"))
		cmd.Env = append(os.Environ(), "TMPDIR="+t.TempDir())
		out, err := cmd.Output()
		code := 0
		if exit, ok := err.(*exec.ExitError); ok {
			code = exit.ExitCode()
		}
		return string(out), code
	}
	out, code := run(patchingspec.HookRunCommand(patchingspec.HookShell, hook))
	assert.Equal(t, "reached the end\n", out)
	assert.Equal(t, 3, code, "the hook's exit status is the step's")
	// The form before: the read takes "echo reached the end" from the script itself.
	out, _ = run([]string{"bash <<'PRIVATEPATCH_HOOK'", strings.TrimRight(hook, "\n"), "PRIVATEPATCH_HOOK"})
	assert.NotContains(t, out, "reached the end")
	assert.Equal(t, []string{"Write-Output ok"}, patchingspec.HookRunCommand(patchingspec.HookPowerShell, "Write-Output ok\n"), "PowerShell as written")
}

// bashSyntaxErrors is what bash -n reports of script ("" when it parses).
func bashSyntaxErrors(t *testing.T, script string) string {
	t.Helper()
	out, err := exec.Command("bash", "-n", "-c", script).CombinedOutput()
	if err != nil {
		return string(out) + err.Error()
	}
	return ""
}

func TestOnlyWindowsWithHooksMaySendTheWrapper(t *testing.T) {
	s := richPatching.synth(t)
	wrapper := "arn:aws:ssm:us-west-2::document/" + patchingspec.RunPatchBaselineWithHooksDocument
	assert.Contains(t, s.sendCommandResources(t, "after-patch-tuesday"), wrapper)
	assert.Contains(t, s.sendCommandResources(t, "metadata-tagged"), wrapper)
	assert.NotContains(t, s.sendCommandResources(t, "pinned-instances"), wrapper, "a window without hooks may not send it")
}

func TestMaintenanceWindowRefusesHooksItCannotRun(t *testing.T) {
	off := false
	hooks := func(h patchingspec.Hooks) []patchingspec.Task {
		return []patchingspec.Task{{Hooks: &h, NotifyOnFailure: &off}}
	}
	for _, c := range []struct {
		name  string
		props patching.WindowProps
		want  string
	}{
		{"a hook with a ring list", patching.WindowProps{Window: patchingspec.Window{Tasks: hooks(patchingspec.Hooks{PreInstall: "AWS-Noop"})},
			InstallOverrideList: "s3://bucket/promote/dev/install-override-list.yaml"}, "doesn't support the InstallOverrideList parameter"},
		{"a script without its content", patching.WindowProps{Window: patchingspec.Window{Tasks: hooks(patchingspec.Hooks{OnExit: "x.ps1"})}},
			"WindowProps.Tasks[0].Hooks.OnExit \"x.ps1\" has no script in HookScripts"},
		{"a script with {{", patching.WindowProps{Window: patchingspec.Window{Tasks: hooks(patchingspec.Hooks{OnExit: "x.sh"})},
			HookScripts: map[string]string{"x.sh": "echo {{ x }}"}}, "contains {{"},
		{"a Scan with hooks", patching.WindowProps{Window: patchingspec.Window{Tasks: []patchingspec.Task{{Operation: "Scan", NotifyOnFailure: &off,
			Hooks: &patchingspec.Hooks{PreInstall: "AWS-Noop"}}}}}, "run on Install tasks only"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.props.Window.Name, c.props.Window.Schedule = "weekly", "rate(7 days)"
			c.props.Targets = patchingspec.Targets{PatchGroups: []string{"test"}}
			err := c.props.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// TestHooksAreProvenTheWindowSendsTheWrapperAndTheNodesReadTheHookDocuments: the authorisation
// rows of hooks are derived from the rich-patching templates (the wrapper sent by the windows
// with hooks, refused to the others; each hook document read by the fleet's agent), and a
// window role without the wrapper, or one that may send it without a task needing it, fails.
func TestHooksAreProvenTheWindowSendsTheWrapperAndTheNodesReadTheHookDocuments(t *testing.T) {
	evaluator, err := authz.Find("..")
	require.NoError(t, err)
	base := authzDeployment(richPatching.synth(t))
	afterSynthInParallel(t)
	calls, err := authz.Calls(base.Stacks, base.Env)
	require.NoError(t, err)
	rows := map[string]bool{}
	for _, c := range calls {
		if strings.Contains(c.Resource, "RunPatchBaselineWithHooks") || strings.Contains(c.Caller, "patch hook") {
			rows[c.Caller+" "+c.Action+" "+c.Resource] = c.Required
		}
	}
	// row is whether the one row whose text holds each part is required.
	row := func(parts ...string) bool {
		var found []string
		for r := range rows {
			if !slices.ContainsFunc(parts, func(p string) bool { return !strings.Contains(r, p) }) {
				found = append(found, r)
			}
		}
		require.Len(t, found, 1, "%v in %v", parts, rows)
		return rows[found[0]]
	}
	wrapper := "ssm:SendCommand arn:aws:ssm:us-west-2::document/AWS-RunPatchBaselineWithHooks"
	assert.True(t, row("(MaintenanceWindowsafterpatchtuesdayServiceRole", wrapper))
	assert.True(t, row("(MaintenanceWindowsmetadatataggedServiceRole", wrapper))
	assert.False(t, row("(MaintenanceWindowspinnedinstancesServiceRole", wrapper), "refused without hooks")
	assert.True(t, row("(FleetRole)", "ssm:GetDocument arn:aws:ssm:us-west-2::document/AWS-Noop"))
	reads := 0
	for row := range rows {
		if strings.Contains(row, "(FleetRole)") && strings.Contains(row, ":111111111111:document/privatepatch-patching-MaintenanceWindows") {
			reads++
		}
	}
	assert.Equal(t, 3, reads, "the documents of drain.ps1, health.ps1 and health.sh")
	// Planted: the wrapper removed from a window's SendCommand statement, and added to one
	// without hooks.
	withoutWrapper := plantSendCommand(t, base, "no-wrapper", "afterpatchtuesday", func(r []any) []any {
		return slices.DeleteFunc(r, func(v any) bool { return strings.Contains(fmt.Sprint(v), "WithHooks") })
	})
	extraWrapper := plantSendCommand(t, base, "extra-wrapper", "pinnedinstances", func(r []any) []any {
		return append(r, "arn:aws:ssm:us-west-2::document/AWS-RunPatchBaselineWithHooks")
	})
	wrong := wrongRowsOf(t, evaluator, []authz.Deployment{base, withoutWrapper, extraWrapper})
	assert.Empty(t, wrong[base.Name], "the rich-patching templates are proven")
	for _, d := range []authz.Deployment{withoutWrapper, extraWrapper} {
		failed := wrong[d.Name]
		require.Len(t, failed, 1, d.Name)
		assert.Contains(t, failed[0], "AWS-RunPatchBaselineWithHooks", d.Name)
	}
}

// plantSendCommand is the rich-patching deployment base, named name, with edit applied to the
// resources of window's RunPatchBaseline (SendCommand) statement.
func plantSendCommand(t *testing.T, base authz.Deployment, name, window string, edit func([]any) []any) authz.Deployment {
	d, edited := plantedCopy(t, base, name, func(id string, r map[string]any) int {
		doc, _ := r["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)
		list, _ := doc["Statement"].([]any)
		n := 0
		for _, s := range list {
			if st := s.(map[string]any); st["Sid"] == "RunPatchBaseline" && strings.HasPrefix(id, "MaintenanceWindows"+window) {
				st["Resource"] = edit(st["Resource"].([]any))
				n++
			}
		}
		return n
	})
	require.Equal(t, 1, edited, name)
	return d
}

// make verify's hook check: each hook document runs the configuration's script for its parameter,
// with its kind's plugin. The rich-patching templates pass; mutation run 9's R03 (the pre-install
// and on-exit documents swapped) and N09 (a shell hook given PowerShell's plugin) are named.
func TestVerifyNamesAHookDocumentThatIsNotTheConfiguredScript(t *testing.T) {
	s := richPatching.synth(t)
	cfg, err := richPatching.config()
	require.NoError(t, err)
	require.Empty(t, wiring.HookDocuments(s.patchJSON, cfg))
	planted := func(plant func(resources map[string]any)) []string {
		data, err := json.Marshal(s.patchJSON)
		require.NoError(t, err)
		var template map[string]any
		require.NoError(t, json.Unmarshal(data, &template))
		plant(template["Resources"].(map[string]any))
		return wiring.HookDocuments(template, cfg)
	}
	hookParams := func(resources map[string]any, window string) map[string]any {
		for id, r := range resources {
			r := r.(map[string]any)
			if r["Type"] == "AWS::SSM::MaintenanceWindowTask" && strings.HasPrefix(id, "MaintenanceWindows"+window) {
				if params := runCommand(r["Properties"].(map[string]any))["Parameters"].(map[string]any); params[patchingspec.OnExitHookParameter] != nil {
					return params
				}
			}
		}
		t.Fatalf("no task with hooks in window %s", window)
		return nil
	}
	swapped := planted(func(resources map[string]any) {
		p := hookParams(resources, "afterpatchtuesday")
		p[patchingspec.PreInstallHookParameter], p[patchingspec.OnExitHookParameter] = p[patchingspec.OnExitHookParameter], p[patchingspec.PreInstallHookParameter]
	})
	assert.Len(t, swapped, 2)
	assert.Contains(t, strings.Join(swapped, "\n"), "PreInstallHookDocName runs document")
	assert.Contains(t, strings.Join(swapped, "\n"), "is not the configuration's PreInstallHookDocName script for window after-patch-tuesday")
	powerShell := planted(func(resources map[string]any) {
		doc := resources[cfnRef(hookParams(resources, "metadatatagged")[patchingspec.OnExitHookParameter])].(map[string]any)
		step := doc["Properties"].(map[string]any)["Content"].(map[string]any)["mainSteps"].([]any)[0].(map[string]any)
		require.Equal(t, "aws:runShellScript", step["action"])
		step["action"] = "aws:runPowerShellScript"
	})
	require.Len(t, powerShell, 1)
	assert.Contains(t, powerShell[0], "(aws:runPowerShellScript) is not the configuration's OnExitHookDocName script for window metadata-tagged")
	// Held-out run 38's A09: the on-exit hook dropped from the task (it defaults to AWS-Noop and
	// never runs).
	dropped := planted(func(resources map[string]any) {
		delete(hookParams(resources, "afterpatchtuesday"), patchingspec.OnExitHookParameter)
	})
	require.Len(t, dropped, 1)
	assert.Regexp(t, `^task MaintenanceWindowsafterpatchtuesdayTask\w+: passes no OnExitHookDocName, and the configuration gives window after-patch-tuesday's task that hook \(.+\): it never runs$`, dropped[0])
}

// cfnRef is the logical id a {"Ref": id} (or a one-element list of it) names.
func cfnRef(v any) string {
	if l, ok := v.([]any); ok && len(l) > 0 {
		v = l[0]
	}
	m, _ := v.(map[string]any)
	id, _ := m["Ref"].(string)
	return id
}

// make verify's rollout check: each ring's stop alarms name the failure alarms of the ring
// before. The promote-rings templates pass; mutation run 9's R04 (a ring's stop alarm without the
// earlier ring's failure) is named.
func TestVerifyNamesAStopAlarmThatForgetsTheRingBefore(t *testing.T) {
	s := promoteRings.synth(t)
	cfg, err := promoteRings.config()
	require.NoError(t, err)
	require.NotEmpty(t, cfg.RingWindows())
	require.Empty(t, wiring.RolloutStops(s.patchJSON, cfg))
	data, err := json.Marshal(s.patchJSON)
	require.NoError(t, err)
	var template map[string]any
	require.NoError(t, json.Unmarshal(data, &template))
	second := cfg.Patching.MaintenanceWindows[cfg.RingWindows()[1][0]].Name
	planted := ""
	for id, r := range template["Resources"].(map[string]any) {
		r := r.(map[string]any)
		if r["Type"] != "AWS::CloudWatch::CompositeAlarm" || !strings.Contains(id, "StopAlarm") || !strings.Contains(id, strings.ReplaceAll(second, "-", "")) {
			continue
		}
		p := r["Properties"].(map[string]any)
		terms := strings.Split(p["AlarmRule"].(string), " OR ")
		require.Greater(t, len(terms), 1, "the window's own failure and the ring before's")
		p["AlarmRule"] = terms[0]
		planted = id
		break
	}
	require.NotEmpty(t, planted)
	problems := wiring.RolloutStops(template, cfg)
	require.NotEmpty(t, problems)
	assert.Contains(t, problems[0], "stop alarm "+planted+" of task "+second+"-Task1: its rule does not name")
	assert.Contains(t, problems[0], "(the failure alarm of the ring before")
}

// make verify's start-stop check: a window's start and stop tasks act on its own patch groups.
// The promote-rings templates pass; mutation run 10's C10 (the prod window starting the test
// ring's instances) is named.
func TestVerifyNamesAStartTaskOnAnotherWindowsGroups(t *testing.T) {
	s := promoteRings.synth(t)
	require.Empty(t, wiring.StartStopTargets(s.patchJSON))
	data, err := json.Marshal(s.patchJSON)
	require.NoError(t, err)
	var template map[string]any
	require.NoError(t, json.Unmarshal(data, &template))
	planted := ""
	for id, r := range template["Resources"].(map[string]any) {
		r := r.(map[string]any)
		if r["Type"] != "AWS::SSM::MaintenanceWindowTask" || !strings.Contains(id, "StartStopped") {
			continue
		}
		params := r["Properties"].(map[string]any)["TaskInvocationParameters"].(map[string]any)["MaintenanceWindowAutomationParameters"].(map[string]any)["Parameters"].(map[string]any)
		if params["PatchGroups"] == nil {
			continue
		}
		params["PatchGroups"] = []any{"someone-elses-group"}
		planted = id
		break
	}
	require.NotEmpty(t, planted, "a start task with PatchGroups")
	problems := wiring.StartStopTargets(template)
	require.Len(t, problems, 1)
	assert.Contains(t, problems[0], "task "+planted+" (start): acts on patch groups [someone-elses-group]")
}

// make verify's exact-promotion check: each later ring installs the list of the ring before. The
// promote-rings templates pass; mutation run 10's C08 (the test ring reading its own list) is named.
func TestVerifyNamesARingThatInstallsAnotherRingsList(t *testing.T) {
	s := promoteRings.synth(t)
	cfg, err := promoteRings.config()
	require.NoError(t, err)
	require.Empty(t, wiring.PromotedLists(s.patchJSON, cfg))
	data, err := json.Marshal(s.patchJSON)
	require.NoError(t, err)
	planted := strings.Replace(string(data), "/promote/"+cfg.Patching.Rings.Stages[0].PatchGroup+"/install-override-list.yaml",
		"/promote/"+cfg.Patching.Rings.Stages[1].PatchGroup+"/install-override-list.yaml", 1)
	require.NotEqual(t, string(data), planted)
	var template map[string]any
	require.NoError(t, json.Unmarshal([]byte(planted), &template))
	problems := wiring.PromotedLists(template, cfg)
	require.NotEmpty(t, problems)
	assert.Contains(t, problems[0], "of ring 2 ("+cfg.Patching.Rings.Stages[1].PatchGroup+"): installs the list")
}

// Held-out run 45's B05: a promotion task passing the next ring's patch group is named (its
// runbook would list what that ring's nodes installed in this window's run: none).
func TestVerifyNamesAPromotionOfAnotherRingsPatchGroup(t *testing.T) {
	s := promoteRings.synth(t)
	cfg, err := promoteRings.config()
	require.NoError(t, err)
	template := templateCopy(t, s.patchJSON)
	first, next := cfg.Patching.Rings.Stages[0].PatchGroup, cfg.Patching.Rings.Stages[1].PatchGroup
	planted := ""
	for id, task := range cfntemplate.OfType(cfntemplate.Resources(template), "AWS::SSM::MaintenanceWindowTask") {
		if params := cfntemplate.Parameters(cfntemplate.Automation(task)); cfntemplate.Text(cfntemplate.First(params["PatchGroup"])) == first {
			params["PatchGroup"], planted = []any{next}, id
		}
	}
	require.NotEmpty(t, planted, "the first ring's promotion task")
	problems := wiring.PromotedLists(template, cfg)
	require.Len(t, problems, 1)
	assert.Contains(t, problems[0], "task "+planted+": promotes patch group "+next+" by tag")

	// The neighbour: its own group, read by the tag key the window's targets do not select by.
	template = templateCopy(t, s.patchJSON)
	params := cfntemplate.Parameters(cfntemplate.Automation(cfntemplate.OfType(cfntemplate.Resources(template), "AWS::SSM::MaintenanceWindowTask")[planted]))
	key := cfntemplate.Text(cfntemplate.First(params["PatchGroupTagKey"]))
	other := patchingspec.PatchGroupTagKeys[0]
	if other == key {
		other = patchingspec.PatchGroupTagKeys[1]
	}
	params["PatchGroupTagKey"] = []any{other}
	problems = wiring.PromotedLists(template, cfg)
	require.Len(t, problems, 1)
	assert.Contains(t, problems[0], "task "+planted+": promotes patch group "+first+" by tag \""+other+"\"")
}

// Held-out run 38's A02: a hooks task's document changed to AWS-RunPatchBaseline (which runs no
// hook) is named as such, not only by the authorisation table.
func TestVerifyNamesAPatchTaskThatRunsTheDocumentWithoutHooks(t *testing.T) {
	s := richPatching.synth(t)
	cfg, err := richPatching.config()
	require.NoError(t, err)
	day := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	problems, _ := wiring.Deployment(s.template, s.patchJSON, s.fleetJSON, cfg, day)
	require.NotContains(t, strings.Join(problems, "\n"), "its patch tasks run")
	data, err := json.Marshal(s.patchJSON)
	require.NoError(t, err)
	var patching map[string]any
	require.NoError(t, json.Unmarshal(data, &patching))
	for id, r := range patching["Resources"].(map[string]any) {
		r := r.(map[string]any)
		if r["Type"] == "AWS::SSM::MaintenanceWindowTask" && strings.HasPrefix(id, "MaintenanceWindowsafterpatchtuesday") &&
			r["Properties"].(map[string]any)["TaskArn"] == patchingspec.RunPatchBaselineWithHooksDocument {
			r["Properties"].(map[string]any)["TaskArn"] = patchingspec.RunPatchBaselineDocument
		}
	}
	problems, _ = wiring.Deployment(s.template, patching, s.fleetJSON, cfg, day)
	assert.Contains(t, strings.Join(problems, "\n"), "its patch tasks run [AWS-RunPatchBaseline AWS-RunPatchBaseline], the configuration's tasks need [AWS-RunPatchBaseline AWS-RunPatchBaselineWithHooks]")
}

// Held-out run 40's A05: the stop task's scheduler tag key written in another case restores the
// scheduler's tag under a key nothing reads; each start and stop task's tag parameters are the
// configuration's.
func TestVerifyNamesAStartStopTaskWhoseTagsAreNotTheConfigurations(t *testing.T) {
	s := promoteRings.synth(t)
	cfg, err := promoteRings.config()
	require.NoError(t, err)
	require.Empty(t, wiring.StartStopParameters(s.patchJSON, cfg))
	for _, planting := range []struct{ action, param, value, named string }{
		{"stop", "SchedulerTagKey", "schedule", `SchedulerTagKey "schedule", the configuration's "Schedule" (patching.instanceSchedulerTagKey)`},
		// The neighbour: the start task's fleet tag value, in another case.
		{"start", "FleetTagValue", strings.ToUpper(cfg.Fleet.Tag.Value), `FleetTagValue "` + strings.ToUpper(cfg.Fleet.Tag.Value) + `", the configuration's "` + cfg.Fleet.Tag.Value + `" (fleet.tag.value)`},
	} {
		patching := templateCopy(t, s.patchJSON)
		planted := 0
		for _, task := range cfntemplate.OfType(cfntemplate.Resources(patching), "AWS::SSM::MaintenanceWindowTask") {
			params := cfntemplate.Parameters(cfntemplate.Automation(task))
			if action, _ := params["Action"].([]any); len(action) == 1 && action[0] == planting.action && planted == 0 {
				params[planting.param] = []any{planting.value}
				planted++
			}
		}
		require.Equal(t, 1, planted, planting.param)
		problems := wiring.StartStopParameters(patching, cfg)
		require.Len(t, problems, 1, planting.param)
		assert.Contains(t, problems[0], planting.named)
	}
}

// templateCopy is a deep copy of a template to plant an edit in, the synthesised one left as it is.
func templateCopy(t *testing.T, template map[string]any) map[string]any {
	t.Helper()
	data, err := json.Marshal(template)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(data, &out))
	return out
}
