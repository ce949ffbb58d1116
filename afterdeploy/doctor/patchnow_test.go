package doctor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
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
	automationId    = "4105a4fc-f944-11e6-9d32-0a1b2c3d4e5f"
	getAutomation   = "ssm get-automation-execution --automation-execution-id " + automationId
	weeklyRole      = "arn:aws:iam::123456789012:role/privatepatch-patching-MaintenanceWindowsprivatepat-1WEEKLY0ROLE"
	wsusRole        = "arn:aws:iam::123456789012:role/privatepatch-patching-MaintenanceWindowsprivatepat-2WSUS00ROLE"
	// The roles Run Command publishes each window's notifications with.
	weeklyNotifier = "arn:aws:iam::123456789012:role/privatepatch-patching-MaintenanceWindowsprivatepat-1WEEKLYNOTIFY"
	wsusNotifier   = "arn:aws:iam::123456789012:role/privatepatch-patching-MaintenanceWindowsprivatepat-2WSUSNOTIFY"
	alertsTopic    = "arn:aws:sns:us-west-2:123456789012:privatepatch-patching-AlertsTopicCF7C81C9-Zx9Yw8Vu7Ts6"
	app02Tags      = "ec2 describe-instances --instance-ids i-0a1b2c3d4e5f60002"
	hybridTags     = "ssm list-tags-for-resource --resource-type ManagedInstance --resource-id mi-0123456789abcdef0"
	// The running instances of a patch group, managed or not.
	windowsGroup = `ec2 describe-instances --filters [{"Name":"tag:Patch Group","Values":["windows"]},{"Name":"instance-state-name","Values":["running"]}]`
	wsusGroup    = `ec2 describe-instances --filters [{"Name":"tag:Patch Group","Values":["wsus"]},{"Name":"instance-state-name","Values":["running"]}]`
)

// patchNowAWS answers the stacks of the healthy deployment, the deployed patching template (the
// golden default), the nodes' tags, the pre-patch image, a sent command, and the command in
// progress, then done.
func patchNowAWS(t *testing.T, send ...string) *fake {
	responses := healthy()
	for _, s := range send {
		responses[s] = "testdata/send-command.json"
	}
	responses[listInvocations] = "testdata/list-command-invocations-success.json"
	responses[app02Tags] = "testdata/describe-instances-app02.json"
	responses[hybridTags] = "testdata/list-tags-for-resource-hybrid.json"
	responses[getAutomation] = "testdata/get-automation-execution-success.json"
	responses[windowsGroup] = "testdata/describe-instances-windows-group.json"
	// The wsus group's tests replay the app nodes' invocations: its members are left empty, and
	// the windows group's tests prove the comparison.
	responses[wsusGroup] = "testdata/describe-instances-none.json"
	return &fake{t: t, responses: responses, sequences: map[string][]string{
		listCommands: {"testdata/list-commands-in-progress.json", "testdata/list-commands-success.json"}}}
}

// sendCommand is the send-command patch-now makes with the window's settings: its timeout too,
// which lets a batch start until the window's cutoff (the weekly window's 4 h less 1 h, less the
// document's 2 h: 3600 s; the WSUS window's is at least 600 s).
func sendCommand(targets, operation, prefix, role string, extra ...string) string {
	timeout := "3600"
	if strings.Contains(prefix, "privatepatch-wsus") {
		timeout = "600"
	}
	parameters := `{"Operation":["` + operation + `"],"RebootOption":["RebootIfNeeded"]}`
	if len(extra) > 0 {
		parameters = extra[0]
	}
	return `ssm send-command --document-name AWS-RunPatchBaseline --targets ` + targets +
		` --parameters ` + parameters + ` --max-concurrency 25% --max-errors 10%` +
		` --output-s3-bucket-name privatepatch-ssm-123456789012-us-west-2 --output-s3-key-prefix ` + prefix +
		` --comment make patch-now ` + operation + ` ` + strings.Split(strings.Split(targets, `"Values":["`)[1], `"`)[0] + ` --timeout-seconds ` + timeout +
		` --service-role-arn ` + role +
		` --notification-config {"NotificationArn":"` + alertsTopic + `","NotificationEvents":["Failed","TimedOut","Cancelled"],"NotificationType":"Command"}`
}

// createImage is the AWS-CreateImage automation the weekly window runs before its Install.
func createImage(targets string) string {
	return `ssm start-automation-execution --document-name AWS-CreateImage --target-parameter-name InstanceId --targets ` + targets +
		` --parameters {"AutomationAssumeRole":["` + weeklyRole + `"],"NoReboot":["true"]} --max-concurrency 50% --max-errors 0`
}

func patchNow(target, operation string) (PatchNow, *int) {
	slept := 0
	return PatchNow{Target: target, Operation: operation, Poll: 15 * time.Second, Wait: time.Hour,
		Sleep: func(time.Duration) { slept++ }}, &slept
}

func TestPatchNowRunsRunPatchBaselineWithTheWindowsSettingsAndReportsEachNode(t *testing.T) {
	for _, tc := range []struct {
		name, target, operation, targets, prefix, role, image string
	}{
		{"a patch group, by its window's tag key, imaged first", "windows", "Install", `[{"Key":"tag:Patch Group","Values":["windows"]}]`, "patch/privatepatch-weekly/Install/",
			weeklyNotifier, `[{"Key":"tag:Patch Group","Values":["windows"]}]`},
		{"the WSUS server's group scanned, its own window's prefix and role", "wsus", "Scan", `[{"Key":"tag:Patch Group","Values":["wsus"]}]`, "patch/privatepatch-wsus/Scan/", wsusNotifier, ""},
		{"one node, its patch group's window, imaged first", "i-0a1b2c3d4e5f60002", "Install", `[{"Key":"InstanceIds","Values":["i-0a1b2c3d4e5f60002"]}]`, "patch/privatepatch-weekly/Install/",
			weeklyNotifier, `[{"Key":"ParameterValues","Values":["i-0a1b2c3d4e5f60002"]}]`},
		{"a hybrid node, by its tags", "mi-0123456789abcdef0", "Scan", `[{"Key":"InstanceIds","Values":["mi-0123456789abcdef0"]}]`, "patch/privatepatch-weekly/Scan/", weeklyNotifier, ""},
		{"a resource group keeps the instance type filter", "privatepatch-finance", "Scan",
			`[{"Key":"resource-groups:Name","Values":["privatepatch-finance"]},{"Key":"resource-groups:ResourceTypeFilters","Values":["AWS::EC2::Instance"]}]`, "patch/privatepatch-weekly/Scan/", weeklyNotifier, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			send := sendCommand(tc.targets, tc.operation, tc.prefix, tc.role)
			aws := patchNowAWS(t, send)
			if tc.image != "" {
				aws.responses[createImage(tc.image)] = "testdata/start-automation-execution.json"
			}
			reached := "i-0a1b2c3d4e5f60002  EC2AMAZ-APP02.WORKGROUP  Success"
			if strings.HasPrefix(tc.target, "mi-") { // the node named is the node reached
				aws.responses[listInvocations] = "testdata/list-command-invocations-hybrid.json"
				reached = "mi-0123456789abcdef0  onprem-app01  Success"
			}
			p, slept := patchNow(tc.target, tc.operation)
			var out bytes.Buffer
			ok, err := p.Run(aws, defaultTarget(t), &out)
			require.NoError(t, err)
			assert.True(t, ok, out.String())
			assert.Contains(t, aws.calls, send)
			if tc.image != "" {
				assert.Less(t, indexOf(aws.calls, createImage(tc.image)), indexOf(aws.calls, send), "the image before the Install")
				assert.Contains(t, out.String(), "pre-patch image Success")
			} else {
				assert.NotContains(t, strings.Join(aws.calls, "\n"), "start-automation-execution")
			}
			assert.Equal(t, 1, *slept, "polled until the command ended")
			assert.Contains(t, out.String(), reached)
			assert.NotContains(t, out.String(), "not reached")
			commandsNameTheRegion(t, []Result{{Check: "patch-now", Action: out.String()}})
			assert.Contains(t, out.String(), "notifies "+alertsTopic+" of Failed, TimedOut, Cancelled")
		})
	}
}

func indexOf(calls []string, call string) int {
	for i, c := range calls {
		if c == call {
			return i
		}
	}
	return -1
}

// A failed pre-patch image stops the Install; SKIP_IMAGE installs without it, said aloud; a hybrid
// node, which AWS-CreateImage cannot image, is refused without it.
func TestPatchNowTakesThePrePatchImageOrSaysItSkippedIt(t *testing.T) {
	send := sendCommand(`[{"Key":"tag:Patch Group","Values":["windows"]}]`, "Install", "patch/privatepatch-weekly/Install/", weeklyNotifier)
	aws := patchNowAWS(t, send)
	aws.responses[createImage(`[{"Key":"tag:Patch Group","Values":["windows"]}]`)] = "testdata/start-automation-execution.json"
	aws.sequences[getAutomation] = []string{"testdata/get-automation-execution-in-progress.json", "testdata/get-automation-execution-failed.json"}
	p, _ := patchNow("windows", "Install")
	var out bytes.Buffer
	ok, err := p.Run(aws, defaultTarget(t), &out)
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Contains(t, out.String(), "the pre-patch image ended Failed")
	commandsNameTheRegion(t, []Result{{Check: "patch-now", Action: out.String()}})
	assert.NotContains(t, aws.calls, send, "nothing installed without the image")

	// A change calendar's rejection ends the automation (ChangeCalendarOverrideRejected,
	// AutomationExecutionStatus, botocore 1.43.11's ssm model): said at once, not waited out.
	aws = patchNowAWS(t, send)
	aws.responses[createImage(`[{"Key":"tag:Patch Group","Values":["windows"]}]`)] = "testdata/start-automation-execution.json"
	aws.sequences[getAutomation] = []string{"testdata/get-automation-execution-in-progress.json", "testdata/get-automation-execution-calendar-rejected.json"}
	out.Reset()
	ok, err = p.Run(aws, defaultTarget(t), &out)
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Contains(t, out.String(), "the pre-patch image ended ChangeCalendarOverrideRejected")
	assert.Equal(t, 2, strings.Count(strings.Join(aws.calls, "\n"), getAutomation), "no poll after the rejection")

	aws = patchNowAWS(t, send)
	p.SkipImage = true
	out.Reset()
	ok, err = p.Run(aws, defaultTarget(t), &out)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Contains(t, out.String(), "SKIP_IMAGE: no pre-patch image, though privatepatch-weekly-Task1 takes one")
	assert.NotContains(t, strings.Join(aws.calls, "\n"), "start-automation-execution")

	p, _ = patchNow("mi-0123456789abcdef0", "Install")
	_, err = p.Run(patchNowAWS(t), defaultTarget(t), &bytes.Buffer{})
	var couldNot CouldNotRun
	require.ErrorAs(t, err, &couldNot)
	assert.Contains(t, err.Error(), "a hybrid node cannot have: pass SKIP_IMAGE=1")
}

// KB=... installs the named updates only: approved on WSUS first, then InstallOverrideList names
// a YAML list uploaded to the command output bucket.
func TestPatchNowEmergencyInstallsNamedUpdatesOnly(t *testing.T) {
	kbs := []string{"KB5034441", "KB5034439"}
	// The Amazon S3 path-style URL the page requires for a private bucket, not a presigned https
	// URL that dies with the operator's session.
	send := sendCommand(`[{"Key":"tag:Patch Group","Values":["windows"]}]`, "Install", "patch/privatepatch-weekly/Install/", weeklyNotifier,
		`{"InstallOverrideList":["s3://privatepatch-ssm-123456789012-us-west-2/patch-now/install-override-list-KB5034441-KB5034439.yaml"],"Operation":["Install"],"RebootOption":["RebootIfNeeded"]}`)
	aws := patchNowAWS(t, send)
	dir := t.TempDir()
	approve := `ssm send-command --document-name AWS-RunPowerShellScript --targets [{"Key":"InstanceIds","Values":["i-0e5d4c3b2a1f09876"]}] --parameters ` +
		jsonOf(map[string][]string{"commands": {WsusApproveScript(kbs)}}) +
		` --output-s3-bucket-name privatepatch-ssm-123456789012-us-west-2 --output-s3-key-prefix wsus-setup/patch-now/ --comment make patch-now approve KB5034441,KB5034439`
	put := "s3api put-object --bucket privatepatch-ssm-123456789012-us-west-2 --key patch-now/install-override-list-KB5034441-KB5034439.yaml --body " + dir + "/privatepatch-install-override-list-KB5034441-KB5034439.yaml"
	aws.responses[approve] = "testdata/send-command-wsus-approve.json"
	aws.responses["ssm list-commands --command-id ef7fdfd8-9b57-4151-a15c-db9a1EXAMPLE"] = "testdata/list-commands-success.json"
	aws.responses[put] = "testdata/put-object.json"
	// Each node that ran it has each update installed (or installed, pending its reboot).
	installed := func(node string) string {
		return "ssm describe-instance-patches --instance-id " + node + ` --filters [{"Key":"KBId","Values":["KB5034441","KB5034439"]}]`
	}
	aws.responses[installed("i-0a1b2c3d4e5f60001")] = "testdata/describe-instance-patches-kbs-installed.json"
	aws.responses[installed("i-0a1b2c3d4e5f60002")] = "testdata/describe-instance-patches-kbs-installed.json"
	p, _ := patchNow("windows", "")
	p.KBs, p.SkipImage, p.TempDir = kbs, true, dir
	var out bytes.Buffer
	ok, err := p.Run(aws, defaultTarget(t), &out)
	require.NoError(t, err, out.String())
	assert.True(t, ok, out.String())
	assert.Contains(t, out.String(), "patch-now: KB5034441, KB5034439 installed on every node")
	// A node whose baseline does not approve one yet: its command succeeds, having skipped it;
	// patch-now says so and does not succeed.
	aws.responses[installed("i-0a1b2c3d4e5f60002")] = "testdata/describe-instance-patches-kbs-one-missing.json"
	out.Reset()
	ok, err = p.Run(aws, defaultTarget(t), &out)
	require.NoError(t, err, out.String())
	assert.False(t, ok, out.String())
	assert.Contains(t, out.String(), "patch-now: i-0a1b2c3d4e5f60002 does not have KB5034439 installed though its command succeeded")
	// INSTALLED_REJECTED (PatchComplianceDataState, botocore 1.43.11's ssm model) is on the node:
	// installed, said to be one the baseline rejects.
	aws.responses[installed("i-0a1b2c3d4e5f60002")] = "testdata/describe-instance-patches-kbs-rejected.json"
	out.Reset()
	ok, err = p.Run(aws, defaultTarget(t), &out)
	require.NoError(t, err, out.String())
	assert.True(t, ok, out.String())
	assert.Contains(t, out.String(), "patch-now: KB5034439 is installed on i-0a1b2c3d4e5f60002 though its patch baseline rejects it (INSTALLED_REJECTED)")
	assert.Less(t, indexOf(aws.calls, approve), indexOf(aws.calls, put))
	assert.Less(t, indexOf(aws.calls, put), indexOf(aws.calls, send))
	assert.Contains(t, out.String(), "installs KB5034441, KB5034439 only")
	assert.Equal(t, "patches:\n    -\n        id: 'KB5034441'\n        title: 'KB5034441'\n    -\n        id: 'KB5034439'\n        title: 'KB5034439'\n", installOverrideListYAML(kbs))
	script := WsusApproveScript(kbs)
	assert.Contains(t, script, "foreach ($kb in @('5034441', '5034439'))")
	// WSUS downloads an approved update's files only after the approval: the script waits until
	// each one is Ready, fails on a failed or cancelled download, and gives up after 45 minutes,
	// under AWS-RunPowerShellScript's default hour; approval comes before the wait.
	assert.Less(t, strings.Index(script, ".Approve("), strings.Index(script, "$update.Refresh()"))
	assert.Contains(t, script, "if ($update.State -ne $states::Ready) { $waiting += $update }")
	assert.Contains(t, script, "$update.State -eq $states::Failed -or $update.State -eq $states::Canceled")
	assert.Contains(t, script, "$deadline = (Get-Date).AddMinutes(45)")
	assert.Contains(t, script, "after 45 minutes")
	assert.Less(t, wsusDownloadWait, time.Hour, "within AWS-RunPowerShellScript's executionTimeout default")

	for _, tc := range []struct {
		operation string
		kbs       []string
		message   string
	}{
		{"Scan", kbs, "installs named updates: give OPERATION=Install"},
		{"Install", []string{"5034441"}, `KB="5034441": give knowledge base ids`},
	} {
		p, _ := patchNow("windows", tc.operation)
		p.KBs = tc.kbs
		_, err := p.Run(&fake{t: t}, defaultTarget(t), &bytes.Buffer{})
		assert.ErrorContains(t, err, tc.message)
	}
}

// Run Command runs on the managed nodes matching the tags only ("Run commands at scale"): a tagged
// running instance that is not a managed node gets no invocation. patch-now names each member of
// the target no invocation reached and fails; with none managed it says no managed node matched.
func TestPatchNowNamesTheTargetsInstancesNoCommandReached(t *testing.T) {
	const notReached3 = "patch-now: not reached: i-0a1b2c3d4e5f60003 (app03): not a managed node Online when the command was sent: make doctor's node rows say why"
	send := sendCommand(`[{"Key":"tag:Patch Group","Values":["windows"]}]`, "Scan", "patch/privatepatch-weekly/Scan/", weeklyNotifier)
	run := func(aws *fake, target string) (bool, string) {
		p, _ := patchNow(target, "Scan")
		var out bytes.Buffer
		ok, err := p.Run(aws, defaultTarget(t), &out)
		require.NoError(t, err, out.String())
		return ok, out.String()
	}
	// All reached: as before.
	ok, out := run(patchNowAWS(t, send), "windows")
	assert.True(t, ok, out)
	assert.NotContains(t, out, "not reached")

	// Planted: a third running instance of the group that is not a managed node.
	aws := patchNowAWS(t, send)
	aws.responses[windowsGroup] = "testdata/describe-instances-windows-group-unmanaged.json"
	ok, out = run(aws, "windows")
	assert.False(t, ok, out)
	assert.Contains(t, out, "i-0a1b2c3d4e5f60002  EC2AMAZ-APP02.WORKGROUP  Success")
	assert.Contains(t, out, notReached3)
	assert.Equal(t, 1, strings.Count(out, "not reached"), out)
	assert.Less(t, indexOf(aws.calls, windowsGroup), indexOf(aws.calls, send), "listed before the command is sent")

	// None managed: no managed node matched, and the group's instances are named.
	aws.responses[listInvocations] = "testdata/list-command-invocations-none.json"
	ok, out = run(aws, "windows")
	assert.False(t, ok, out)
	assert.Contains(t, out, "patch-now: no managed node matched the target")
	assert.Contains(t, out, "patch-now: not reached: i-0a1b2c3d4e5f60001 (app01)")
	assert.Contains(t, out, notReached3)

	// A node id the command did not reach.
	aws.responses[sendCommand(`[{"Key":"InstanceIds","Values":["i-0a1b2c3d4e5f60002"]}]`, "Scan", "patch/privatepatch-weekly/Scan/", weeklyNotifier)] = "testdata/send-command.json"
	ok, out = run(aws, "i-0a1b2c3d4e5f60002")
	assert.False(t, ok, out)
	assert.Contains(t, out, "patch-now: not reached: i-0a1b2c3d4e5f60002: not a managed node Online")

	// A resource group's members are not listed (no resource-groups:ListGroupResources): said so.
	aws = patchNowAWS(t, sendCommand(`[{"Key":"resource-groups:Name","Values":["privatepatch-finance"]},{"Key":"resource-groups:ResourceTypeFilters","Values":["AWS::EC2::Instance"]}]`,
		"Scan", "patch/privatepatch-weekly/Scan/", weeklyNotifier))
	ok, out = run(aws, "privatepatch-finance")
	assert.True(t, ok, out)
	assert.Contains(t, out, "members of resource group privatepatch-finance that are not managed nodes are not listed here")
	assert.NotContains(t, strings.Join(aws.calls, "\n"), "describe-instances --filters")

	// The members cannot be listed: nothing is sent.
	aws = patchNowAWS(t, send)
	aws.errors = map[string]error{windowsGroup: accessDenied("ec2", "describe-instances")}
	p, _ := patchNow("windows", "Scan")
	_, err := p.Run(aws, defaultTarget(t), &bytes.Buffer{})
	var couldNot CouldNotRun
	require.ErrorAs(t, err, &couldNot)
	assert.Contains(t, err.Error(), "the target's instances could not be listed, nothing was sent")
	assert.NotContains(t, aws.calls, send)
}

func TestPatchNowReportsAFailedNodeAndExitsUnsuccessful(t *testing.T) {
	send := sendCommand(`[{"Key":"tag:Patch Group","Values":["wsus"]}]`, "Install", "patch/privatepatch-wsus/Install/", wsusNotifier)
	aws := patchNowAWS(t, send)
	aws.sequences[listCommands] = []string{"testdata/list-commands-failed.json"}
	aws.responses[listInvocations] = "testdata/list-command-invocations-failed.json"
	p, _ := patchNow("wsus", "Install")
	var out bytes.Buffer
	ok, err := p.Run(aws, defaultTarget(t), &out)
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Contains(t, out.String(), "i-0a1b2c3d4e5f60002  EC2AMAZ-APP02.WORKGROUP  Failed")
}

func TestPatchNowStopsWaitingButNotTheCommand(t *testing.T) {
	send := sendCommand(`[{"Key":"tag:Patch Group","Values":["wsus"]}]`, "Install", "patch/privatepatch-wsus/Install/", wsusNotifier)
	aws := patchNowAWS(t, send)
	aws.sequences[listCommands] = []string{"testdata/list-commands-in-progress.json"}
	p, slept := patchNow("wsus", "Install")
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
	// A patch group no window targets; a node in no patch group.
	tasks := []windowTask{{Window: "w-Task1", Targets: []sendTarget{{Key: "tag:Patch Group", Values: []string{"windows"}}}}}
	_, _, err := PatchNow{Target: "linux"}.settingsFor(tasks, []string{"windows", "linux"}, "")
	assert.ErrorContains(t, err, "no maintenance window targets patch group linux")
	_, _, err = PatchNow{Target: "i-0a1b2c3d4e5f60002"}.settingsFor(tasks, []string{"windows"}, "")
	assert.ErrorContains(t, err, "carries no patch group tag")

	// Credentials of another account: nothing is sent.
	target := defaultTarget(t)
	target.Account = "222222222222"
	p, _ := patchNow("windows", "Scan")
	f := &fake{t: t, responses: healthy()}
	_, err = p.Run(f, target, &bytes.Buffer{})
	assert.ErrorContains(t, err, "refused: the deployment is in account 222222222222")
	assert.Equal(t, []string{"sts get-caller-identity"}, f.calls)

	// An account that cannot be checked is not taken on trust.
	f = &fake{t: t, responses: healthy(), errors: map[string]error{"sts get-caller-identity": accessDenied("sts", "get-caller-identity")}}
	_, err = p.Run(f, target, &bytes.Buffer{})
	assert.ErrorContains(t, err, "could not be checked against 222222222222")
	assert.Equal(t, []string{"sts get-caller-identity"}, f.calls)
}

// A Scan takes the window's Scan task where it has one; a resource group named by a window keeps
// that window's resource-type filter.
func TestPatchNowPrefersTheWindowTaskOfTheSameOperation(t *testing.T) {
	tasks := []windowTask{
		{Window: "weekly-Task1", Operation: "Install", MaxConcurrency: "25%", Targets: []sendTarget{{Key: "tag:Patch Group", Values: []string{"windows"}}}},
		{Window: "weekly-Task2", Operation: "Scan", MaxConcurrency: "100%", Targets: []sendTarget{{Key: "tag:Patch Group", Values: []string{"windows"}}}},
		{Window: "finance-Task1", Operation: "Install", Targets: []sendTarget{{Key: "resource-groups:Name", Values: []string{"finance"}},
			{Key: "resource-groups:ResourceTypeFilters", Values: []string{"AWS::EC2::Instance"}}}},
	}
	scan, _, err := PatchNow{Target: "windows", Operation: "Scan"}.settingsFor(tasks, []string{"windows"}, "")
	require.NoError(t, err)
	assert.Equal(t, "weekly-Task2", scan.Window)
	install, _, err := PatchNow{Target: "i-0a1b2c3d4e5f60002", Operation: "Install"}.settingsFor(tasks, []string{"windows"}, "windows")
	require.NoError(t, err)
	assert.Equal(t, "weekly-Task1", install.Window)
	finance, send, err := PatchNow{Target: "finance", Operation: "Install"}.settingsFor(tasks, []string{"windows"}, "")
	require.NoError(t, err)
	assert.Equal(t, "finance-Task1", finance.Window)
	assert.Equal(t, tasks[2].Targets, send)
}

func TestWindowTasksOfTheGoldenTemplateCarryTheirSettings(t *testing.T) {
	tasks := windowTasks(golden(t, "default.patching.template.json"))
	require.Len(t, tasks, 2)
	assert.Equal(t, windowTask{Window: "privatepatch-weekly-Task1", Targets: []sendTarget{{Key: "tag:Patch Group", Values: []string{"windows"}}},
		MaxConcurrency: "25%", MaxErrors: "10%", RebootOption: "RebootIfNeeded", Operation: "Install",
		OutputPrefix: "patch/privatepatch-weekly/Install/", TimeoutSeconds: 3600, Schedule: "cron(0 2 ? * SUN *)", Timezone: "UTC",
		NotificationRole: "MaintenanceWindowsprivatepatchweeklyNotificationRole2323DDEE",
		Notification:     &notification{Topic: "AlertsTopicCF7C81C9", Events: []string{"Failed", "TimedOut", "Cancelled"}, Type: "Command"},
		Image:            &imageTask{MaxConcurrency: "50%", MaxErrors: "0", NoReboot: "true", Role: "MaintenanceWindowsprivatepatchweeklyServiceRole94EE9378"}}, tasks[0])
	assert.Equal(t, "privatepatch-wsus-Task1", tasks[1].Window)
	assert.Nil(t, tasks[1].Image, "the WSUS window takes no image")
}

// argsRecorder keeps each command's arguments as sent.
type argsRecorder struct {
	AWS
	sent [][]string
}

func (r *argsRecorder) JSON(args ...string) ([]byte, error) {
	r.sent = append(r.sent, args)
	return r.AWS.JSON(args...)
}

// SendCommand refuses a Comment over 100 characters (the Comment shape of the Systems Manager
// API model): an emergency with many KBs, or a long resource group name, still sends its command.
func TestPatchNowCommentsFitSendCommandsLimit(t *testing.T) {
	var kbs []string
	for i := range 12 {
		kbs = append(kbs, fmt.Sprintf("KB50344%02d", i))
	}
	for _, p := range []PatchNow{
		{Target: "windows", KBs: kbs, SkipImage: true, Sleep: func(time.Duration) {}},
		{Target: "a-resource-group-whose-name-runs-to-the-hundred-and-twenty-eight-characters-resource-groups-allow-for-names", Operation: "Scan", Sleep: func(time.Duration) {}},
	} {
		responses := healthy()
		responses[windowsGroup] = "testdata/describe-instances-windows-group.json"
		r := &argsRecorder{AWS: &fake{t: t, responses: responses, lenient: true}}
		_, _ = p.Run(r, defaultTarget(t), &bytes.Buffer{})
		sent := 0
		for _, args := range r.sent {
			if i := slices.Index(args, "--comment"); i > 0 && args[1] == "send-command" {
				sent++
				assert.LessOrEqual(t, len([]rune(args[i+1])), 100, args[i+1])
				assert.True(t, strings.HasPrefix(args[i+1], "make patch-now "), args[i+1])
			}
		}
		assert.Equal(t, 1, sent, "%s: one send-command made", p.Target)
	}
	assert.Equal(t, "make patch-now Scan windows", commandComment("make patch-now Scan windows"))
}

// A ring after the first installs the ring before's list (exact promotion), and so does patch-now
// on it: the task's InstallOverrideList, in the form the deployed template holds it (the fleet
// stack's bucket by Fn::GetStackOutput, as the promote-rings scenario synthesises it), is passed
// with the deployment's bucket. A Scan, and a task without a list, pass none.
func TestPatchNowInstallsTheRingsPromotedListAsItsWindowDoes(t *testing.T) {
	var task map[string]any
	require.NoError(t, json.Unmarshal([]byte(`{"Type": "AWS::SSM::MaintenanceWindowTask", "Properties": {"Name": "ring-test-Task1",
		"MaxConcurrency": "25%", "MaxErrors": "10%",
		"TaskInvocationParameters": {"MaintenanceWindowRunCommandParameters": {"OutputS3KeyPrefix": "patch/ring-test/Install/",
			"Parameters": {"Operation": ["Install"], "RebootOption": ["RebootIfNeeded"],
				"InstallOverrideList": [{"Fn::Join": ["", ["s3://", {"Fn::GetStackOutput": {"OutputName": "PublishOutputRefCommandOutputBucket0DD4DD736F638702",
					"Region": "us-west-2", "StackName": "privatepatch-fleet"}}, "/promote/windows-dev/install-override-list.yaml"]]}]}}}}}`), &task))
	got := runPatchBaselineTask(map[string]any{}, task)
	assert.Equal(t, "promote/windows-dev/install-override-list.yaml", got.OverrideListKey)
	d := &deployment{fleet: stack{Outputs: map[string]string{"CommandOutputBucket": "privatepatch-ssm-123456789012-us-west-2"}}}
	s := PatchNow{Target: "windows-test", Operation: "Install"}.sendCommandArgs(d, got, nil)
	assert.Equal(t, []string{"s3://privatepatch-ssm-123456789012-us-west-2/promote/windows-dev/install-override-list.yaml"}, s.parameters["InstallOverrideList"])
	assert.Contains(t, s.copied, "the promoted list s3://privatepatch-ssm-123456789012-us-west-2/promote/windows-dev/install-override-list.yaml")
	scan := PatchNow{Target: "windows-test", Operation: "Scan"}.sendCommandArgs(d, got, nil)
	assert.NotContains(t, scan.parameters, "InstallOverrideList", "Scan ignores the list")
	plain := runPatchBaselineTask(map[string]any{}, golden(t, "default.patching.template.json")["Resources"].(map[string]any)["MaintenanceWindowsprivatepatchweeklyTask15A70B942"])
	assert.Empty(t, plain.OverrideListKey)
	assert.Empty(t, overrideListKey("https://example.com/list.yaml"), "not an S3 path-style URL")
}
