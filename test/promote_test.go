package test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
)

// windowTask is one task of a synthesised window: what it does and when.
type windowTask struct {
	id, kind string // kind: image, Scan, Install or promote
	priority float64
	props    map[string]any
}

// windowTasks are the tasks of every window of the patching template, by window name.
func windowTasks(t *testing.T, s *scenario) map[string][]windowTask {
	t.Helper()
	names := map[string]string{}
	for id, w := range s.patchResources("AWS::SSM::MaintenanceWindow") {
		names[id] = props(w)["Name"].(string)
	}
	out := map[string][]windowTask{}
	for id, r := range s.patchResources("AWS::SSM::MaintenanceWindowTask") {
		p := props(r)
		window := names[p["WindowId"].(map[string]any)["Ref"].(string)]
		task := windowTask{id: id, priority: p["Priority"].(float64), props: p}
		switch {
		case p["TaskArn"] == patchingspec.CreateImageRunbook:
			task.kind = "image"
		case p["TaskType"] == "AUTOMATION":
			params := p["TaskInvocationParameters"].(map[string]any)["MaintenanceWindowAutomationParameters"].(map[string]any)["Parameters"].(map[string]any)
			task.kind = "promote"
			if action, ok := params["Action"]; ok {
				task.kind = action.([]any)[0].(string) // start or stop
			}
		default:
			run := p["TaskInvocationParameters"].(map[string]any)["MaintenanceWindowRunCommandParameters"].(map[string]any)
			task.kind = run["Parameters"].(map[string]any)["Operation"].([]any)[0].(string)
		}
		out[window] = append(out[window], task)
	}
	return out
}

// taskOrderProblems are the ways tasks break the order a window needs: the start of stopped
// instances before everything, the pre-patch image before every patch task, the promotion after
// every one, and the stop after everything (lower priorities run first; "Tasks in a
// maintenance window are scheduled in priority order with tasks that have the same priority
// scheduled in parallel", RegisterTaskWithMaintenanceWindow, AWS Systems Manager API Reference).
func taskOrderProblems(tasks []windowTask) []string {
	var problems []string
	for _, a := range tasks {
		for _, b := range tasks {
			patch := b.kind == "Scan" || b.kind == "Install"
			if a.kind == "image" && patch && a.priority >= b.priority {
				problems = append(problems, fmt.Sprintf("the image (%v) does not run before %s (%v)", a.priority, b.id, b.priority))
			}
			if a.kind == "promote" && (patch || b.kind == "image") && a.priority <= b.priority {
				problems = append(problems, fmt.Sprintf("the promotion (%v) does not run after %s (%v)", a.priority, b.id, b.priority))
			}
			if a.kind == "start" && b.kind != "start" && a.priority >= b.priority {
				problems = append(problems, fmt.Sprintf("the start (%v) does not run before %s (%v)", a.priority, b.id, b.priority))
			}
			if a.kind == "stop" && b.kind != "stop" && a.priority <= b.priority {
				problems = append(problems, fmt.Sprintf("the stop (%v) does not run after %s (%v)", a.priority, b.id, b.priority))
			}
		}
	}
	return problems
}

func TestTaskPrioritiesRunTheImageFirstAndThePromotionLastInEveryWindow(t *testing.T) {
	for _, sc := range []*scenario{defaultScenario, exampleScenario, richPatching, promoteRings} {
		for window, tasks := range windowTasks(t, sc.synth(t)) {
			assert.Empty(t, taskOrderProblems(tasks), "%s: %s", sc.name, window)
		}
	}
	// Planted: a promotion that runs with the Install, and an image after a Scan.
	assert.NotEmpty(t, taskOrderProblems([]windowTask{{id: "Install", kind: "Install", priority: 2}, {id: "Promote", kind: "promote", priority: 2}}))
	assert.NotEmpty(t, taskOrderProblems([]windowTask{{id: "Scan", kind: "Scan", priority: 1}, {id: "Image", kind: "image", priority: 1}}))
	assert.NotEmpty(t, taskOrderProblems([]windowTask{{id: "Image", kind: "image", priority: 0}, {id: "Start", kind: "start", priority: 0}}))
	assert.NotEmpty(t, taskOrderProblems([]windowTask{{id: "Promote", kind: "promote", priority: 4}, {id: "Stop", kind: "stop", priority: 4}}))
	// Every window of promote-rings starts and stops.
	for window, tasks := range windowTasks(t, promoteRings.synth(t)) {
		kinds := map[string]int{}
		for _, task := range tasks {
			kinds[task.kind]++
		}
		assert.Equal(t, 1, kinds["start"], window)
		assert.Equal(t, 1, kinds["stop"], window)
	}
}

func TestStartStoppedTasksNameTheWindowsTargetsAndTheSchedulerTag(t *testing.T) {
	s := promoteRings.synth(t)
	for window, tasks := range windowTasks(t, s) {
		for _, task := range tasks {
			if task.kind != "start" && task.kind != "stop" {
				continue
			}
			params := task.props["TaskInvocationParameters"].(map[string]any)["MaintenanceWindowAutomationParameters"].(map[string]any)["Parameters"].(map[string]any)
			if strings.HasPrefix(window, "ring-") {
				assert.Equal(t, []any{"windows-" + strings.TrimPrefix(window, "ring-")}, params["PatchGroups"], window)
			}
			assert.Equal(t, []any{"Schedule"}, params["SchedulerTagKey"], window)
			assert.Equal(t, []any{"{{WINDOW_EXECUTION_ID}}"}, params["WindowExecutionId"], window)
			assert.NotContains(t, task.props, "Targets", "%s: once per window run", window)
		}
	}
	var runbook map[string]any
	for _, d := range s.patchResources("AWS::SSM::Document") {
		content, _ := props(d)["Content"].(string)
		if strings.Contains(content, "StartOrStop") {
			require.NoError(t, yaml.Unmarshal([]byte(content), &runbook))
		}
	}
	require.NotNil(t, runbook)
	inputs := runbook["mainSteps"].([]any)[0].(map[string]any)["inputs"].(map[string]any)
	assert.Equal(t, patchingspec.StartStopScript, inputs["Script"], "the tested script is the deployed one")
}

func TestExactPromotionPromotesEachRingAfterItsInstallAndTheNextRingInstallsOnlyItsList(t *testing.T) {
	s := promoteRings.synth(t)
	windows := windowTasks(t, s)
	kinds := func(window string) map[string][]windowTask {
		out := map[string][]windowTask{}
		for _, task := range windows[window] {
			out[task.kind] = append(out[task.kind], task)
		}
		return out
	}
	roles := map[string]bool{}
	for _, c := range []struct {
		window, promotes, reads string
	}{{"ring-dev", "windows-dev", ""}, {"ring-test", "windows-test", "windows-dev"}, {"ring-prod", "", "windows-test"}} {
		k := kinds(c.window)
		require.Len(t, k["Install"], 1, c.window)
		run := k["Install"][0].props["TaskInvocationParameters"].(map[string]any)["MaintenanceWindowRunCommandParameters"].(map[string]any)
		list, hasList := run["Parameters"].(map[string]any)[patchingspec.InstallOverrideListParameter]
		if c.reads == "" {
			assert.False(t, hasList, "%s: the first ring installs what its baseline approves", c.window)
		} else {
			require.True(t, hasList, c.window)
			url := fmt.Sprint(list)
			assert.Contains(t, url, "s3://", c.window)
			assert.Contains(t, url, "/"+patchingspec.PromoteListKey(c.reads), "%s reads ring %s's list", c.window, c.reads)
		}
		for _, scan := range k["Scan"] {
			sp := scan.props["TaskInvocationParameters"].(map[string]any)["MaintenanceWindowRunCommandParameters"].(map[string]any)["Parameters"].(map[string]any)
			assert.NotContains(t, sp, patchingspec.InstallOverrideListParameter, "Scan ignores the list (AWS-RunPatchBaseline page)")
		}
		if c.promotes == "" {
			assert.Empty(t, k["promote"], "%s: the last ring promotes nowhere", c.window)
			continue
		}
		require.Len(t, k["promote"], 1, c.window)
		p := k["promote"][0].props
		assert.NotContains(t, p, "Targets", "%s: the promotion runs once per window run, not per node", c.window)
		params := p["TaskInvocationParameters"].(map[string]any)["MaintenanceWindowAutomationParameters"].(map[string]any)["Parameters"].(map[string]any)
		assert.Equal(t, []any{c.promotes}, params["PatchGroup"], c.window)
		assert.Equal(t, []any{"Patch Group"}, params["PatchGroupTagKey"], c.window)
		assert.Equal(t, []any{"{{WINDOW_EXECUTION_ID}}"}, params["WindowExecutionId"], c.window)
		assert.Equal(t, []any{patchingspec.PromoteRingPrefix(c.promotes)}, params["Prefix"], c.window)
		roles[fmt.Sprint(params["AutomationAssumeRole"])] = true
	}
	assert.Len(t, roles, 2, "each ring's promotion runs with its own role, which writes only its prefix")

	// The runbook: Automation, schema 0.3, one aws:executeScript step running promote.py.
	docs := s.patchResources("AWS::SSM::Document")
	var runbook map[string]any
	for _, d := range docs {
		if content, _ := props(d)["Content"].(string); props(d)["DocumentType"] == patchingspec.PromoteDocumentType && strings.Contains(content, "name: Promote\n") {
			require.Nil(t, runbook, "one runbook serves every ring")
			runbook = props(d)
		}
	}
	require.NotNil(t, runbook)
	assert.Equal(t, "YAML", runbook["DocumentFormat"], "aws:executeScript's embedded Script is not supported in JSON runbooks")
	var content map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(runbook["Content"].(string)), &content))
	assert.Equal(t, patchingspec.PromoteSchemaVersion, content["schemaVersion"])
	steps := content["mainSteps"].([]any)
	require.Len(t, steps, 1)
	step := steps[0].(map[string]any)
	assert.Equal(t, "aws:executeScript", step["action"])
	inputs := step["inputs"].(map[string]any)
	assert.Equal(t, patchingspec.PromoteRuntime, inputs["Runtime"])
	assert.Equal(t, patchingspec.PromoteHandler, inputs["Handler"])
	assert.Equal(t, patchingspec.PromoteScript, inputs["Script"], "the tested script is the deployed one")
	for _, name := range []string{"PatchGroup", "PatchGroupTagKey", "WindowExecutionId", "Bucket", "Prefix"} {
		assert.Equal(t, "{{ "+name+" }}", inputs["InputPayload"].(map[string]any)[name])
		assert.Contains(t, patchingspec.PromoteScript, `events["`+name+`"]`, "the script reads %s", name)
	}
}
