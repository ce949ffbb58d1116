package doctor

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	commandId       = "0831e1a8-a1ac-4257-a1fd-c831bEXAMPLE"
	listCommands    = "ssm list-commands --command-id " + commandId
	listInvocations = "ssm list-command-invocations --command-id " + commandId
)

// patchNowAWS answers the stacks of the healthy deployment, the deployed patching template (the
// golden default), a sent command, and the command in progress, then done.
func patchNowAWS(t *testing.T, send string) *fake {
	responses := healthy()
	responses[send] = "testdata/send-command.json"
	responses[listInvocations] = "testdata/list-command-invocations-success.json"
	return &fake{t: t, responses: responses, sequences: map[string][]string{
		listCommands: {"testdata/list-commands-in-progress.json", "testdata/list-commands-success.json"}}}
}

func sendCommand(targets, operation, prefix string) string {
	return `ssm send-command --document-name AWS-RunPatchBaseline --targets ` + targets +
		` --parameters {"Operation":["` + operation + `"],"RebootOption":["RebootIfNeeded"]} --max-concurrency 25% --max-errors 10%` +
		` --output-s3-bucket-name privatepatch-ssm-123456789012-us-west-2 --output-s3-key-prefix ` + prefix +
		` --comment make patch-now ` + operation + ` ` + strings.TrimSuffix(strings.Split(targets, `"Values":["`)[1], `"]}]`) + ` --timeout-seconds 600`
}

func patchNow(target, operation string) (PatchNow, *int) {
	slept := 0
	return PatchNow{Target: target, Operation: operation, Poll: 15 * time.Second, Wait: time.Hour,
		Sleep: func(time.Duration) { slept++ }}, &slept
}

func TestPatchNowRunsRunPatchBaselineWithTheWindowsSettingsAndReportsEachNode(t *testing.T) {
	for _, tc := range []struct {
		name, target, operation, targets, prefix string
	}{
		{"a patch group, by its window's tag key", "windows", "Install", `[{"Key":"tag:Patch Group","Values":["windows"]}]`, "patch/privatepatch-weekly/Install/"},
		{"the WSUS server's group scanned, its own window's prefix", "wsus", "Scan", `[{"Key":"tag:Patch Group","Values":["wsus"]}]`, "patch/privatepatch-wsus/Scan/"},
		{"one node, the first install window's settings", "i-0a1b2c3d4e5f60002", "Install", `[{"Key":"InstanceIds","Values":["i-0a1b2c3d4e5f60002"]}]`, "patch/privatepatch-weekly/Install/"},
		{"a hybrid node", "mi-0123456789abcdef0", "Scan", `[{"Key":"InstanceIds","Values":["mi-0123456789abcdef0"]}]`, "patch/privatepatch-weekly/Scan/"},
		{"a resource group", "privatepatch-finance", "Scan", `[{"Key":"resource-groups:Name","Values":["privatepatch-finance"]}]`, "patch/privatepatch-weekly/Scan/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			send := sendCommand(tc.targets, tc.operation, tc.prefix)
			aws := patchNowAWS(t, send)
			p, slept := patchNow(tc.target, tc.operation)
			var out bytes.Buffer
			ok, err := p.Run(aws, defaultTarget(t), &out)
			require.NoError(t, err)
			assert.True(t, ok, out.String())
			assert.Contains(t, aws.calls, send)
			assert.Equal(t, 1, *slept, "polled until the command ended")
			assert.Contains(t, out.String(), "i-0a1b2c3d4e5f60002  EC2AMAZ-APP02.WORKGROUP  Success")
			assert.Contains(t, out.String(), "Success (Success)")
		})
	}
}

func TestPatchNowReportsAFailedNodeAndExitsUnsuccessful(t *testing.T) {
	send := sendCommand(`[{"Key":"tag:Patch Group","Values":["windows"]}]`, "Install", "patch/privatepatch-weekly/Install/")
	aws := patchNowAWS(t, send)
	aws.sequences[listCommands] = []string{"testdata/list-commands-failed.json"}
	aws.responses[listInvocations] = "testdata/list-command-invocations-failed.json"
	p, _ := patchNow("windows", "Install")
	var out bytes.Buffer
	ok, err := p.Run(aws, defaultTarget(t), &out)
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Contains(t, out.String(), "i-0a1b2c3d4e5f60002  EC2AMAZ-APP02.WORKGROUP  Failed")
}

func TestPatchNowStopsWaitingButNotTheCommand(t *testing.T) {
	send := sendCommand(`[{"Key":"tag:Patch Group","Values":["windows"]}]`, "Install", "patch/privatepatch-weekly/Install/")
	aws := patchNowAWS(t, send)
	aws.sequences[listCommands] = []string{"testdata/list-commands-in-progress.json"}
	p, slept := patchNow("windows", "Install")
	p.Wait = time.Minute
	var out bytes.Buffer
	ok, err := p.Run(aws, defaultTarget(t), &out)
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Equal(t, 4, *slept)
	assert.Contains(t, out.String(), "still InProgress (In Progress) after 1m0s; it goes on")
	assert.NotContains(t, aws.calls, listInvocations)
}

func TestPatchNowRefusesWhatItCannotRun(t *testing.T) {
	for _, tc := range []struct{ target, operation, message string }{
		{"windows", "Reboot", `OPERATION="Reboot": give Scan or Install`},
		{"", "Scan", "give TARGET: a patch group (windows, wsus)"},
	} {
		p, _ := patchNow(tc.target, tc.operation)
		_, err := p.Run(&fake{t: t}, defaultTarget(t), &bytes.Buffer{})
		var couldNot CouldNotRun
		require.ErrorAs(t, err, &couldNot)
		assert.Contains(t, err.Error(), tc.message)
	}
	// A patch group no window targets.
	tasks := []windowTask{{Window: "w-Task1", Targets: []sendTarget{{Key: "tag:Patch Group", Values: []string{"windows"}}}}}
	_, _, err := PatchNow{Target: "linux"}.settingsFor(tasks, []string{"windows", "linux"})
	assert.ErrorContains(t, err, "no maintenance window targets patch group linux")
}

func TestWindowTasksOfTheGoldenTemplateCarryTheirSettings(t *testing.T) {
	tasks := windowTasks(golden(t, "default.patching.template.json"))
	require.Len(t, tasks, 2)
	assert.Equal(t, windowTask{Window: "privatepatch-weekly-Task1", Targets: []sendTarget{{Key: "tag:Patch Group", Values: []string{"windows"}}},
		MaxConcurrency: "25%", MaxErrors: "10%", RebootOption: "RebootIfNeeded", Operation: "Install",
		OutputPrefix: "patch/privatepatch-weekly/Install/", TimeoutSeconds: 600, Schedule: "cron(0 2 ? * SUN *)", Timezone: "UTC"}, tasks[0])
	assert.Equal(t, "privatepatch-wsus-Task1", tasks[1].Window)
}
