package doctor

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/proof/calendar"
	"github.com/privatepatch/privatepatch/proof/cfnupdate"
)

// now is when the recorded responses were "taken".
var now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// fake answers each AWS CLI command with a recorded response, and fails the test on any other.
type fake struct {
	t         *testing.T
	responses map[string]string // command (args joined by spaces) -> file
	errors    map[string]error
	sequences map[string][]string // command -> files answered in turn, the last one repeated
	calls     []string
	// lenient answers a command it has no recording for with AccessDenied instead of failing the test.
	lenient bool
}

// accessDenied is what the AWS CLI does when IAM denies a call: exit status 254 and botocore's
// ClientError on stderr.
func accessDenied(args ...string) error {
	_, operation, _ := strings.Cut(Permission(args, nil), ":") // configservice's actions are config:'s
	return &CLIError{Args: args, Err: errors.New("exit status 254"), Stderr: "An error occurred (AccessDeniedException) when calling the " + operation +
		" operation: User: arn:aws:sts::123456789012:assumed-role/ReadOnly/doctor is not authorized to perform: " + Permission(args, nil)}
}

func (f *fake) JSON(args ...string) ([]byte, error) {
	key := strings.Join(args, " ")
	f.calls = append(f.calls, key)
	recordRequest(args)
	if err, ok := f.errors[key]; ok {
		return nil, err
	}
	if files := f.sequences[key]; len(files) > 0 {
		if len(files) > 1 {
			f.sequences[key] = files[1:]
		}
		return os.ReadFile(files[0])
	}
	file, ok := f.responses[key]
	if !ok && f.lenient {
		return nil, accessDenied(args...)
	} else if !ok {
		f.t.Errorf("unexpected command: aws %s", key)
		return nil, fmt.Errorf("no recorded response")
	}
	return os.ReadFile(file)
}

const (
	fleetNodes        = `ssm describe-instance-information --filters [{"Key":"tag:privatepatch:fleet","Values":["privatepatch"]}]`
	wsusNode          = `ssm describe-instance-information --filters [{"Key":"InstanceIds","Values":["i-0e5d4c3b2a1f09876"]}]`
	fleetInstances    = `ec2 describe-instances --filters [{"Name":"tag:privatepatch:fleet","Values":["privatepatch"]},{"Name":"instance-state-name","Values":["running","stopping","stopped"]}]`
	setupExecutions   = "ssm describe-association-executions --association-id 3f1a9c2e-5b7d-4e21-9a0c-1d2e3f4a5b6c"
	clientTargets     = "ssm describe-association-execution-targets --association-id 5b3c1e4a-7d9f-4a43-9c2e-3f4a5b6c7d8e --execution-id a1b2c3d4-1111-4e5f-8a9b-0c1d2e3f4a5b"
	metricWindow      = " --dimensions Name=InstanceId,Value=i-0e5d4c3b2a1f09876 --start-time 2026-11-27T09:00:00Z --end-time 2026-11-27T12:00:00Z --period 1800 --statistics "
	syncMetric        = "cloudwatch get-metric-statistics --namespace privatepatch/WSUS/privatepatch --metric-name LastSyncSucceeded" + metricWindow + "Minimum"
	hoursMetric       = "cloudwatch get-metric-statistics --namespace privatepatch/WSUS/privatepatch --metric-name HoursSinceLastSync" + metricWindow + "Maximum"
	windowsStates     = "ssm describe-instance-patch-states-for-patch-group --patch-group windows"
	windowsBaseline   = "ssm get-patch-baseline-for-patch-group --patch-group windows --operating-system WINDOWS"
	weeklyRuns        = "ssm describe-maintenance-window-executions --window-id mw-0123456789abcdef0"
	weeklyRunTasks    = "ssm describe-maintenance-window-execution-tasks --window-execution-id d4e5f6a7-6666-4c8d-9e0f-2a3b4c5d6e7f"
	weeklyInvocations = "ssm describe-maintenance-window-execution-task-invocations --window-execution-id d4e5f6a7-6666-4c8d-9e0f-2a3b4c5d6e7f --task-id a7b8c9d0-9999-4f1a-8b2c-5d6e7f8091a2"
	weeklyCommand     = "ssm list-commands --command-id c9d0e1f2-bbbb-4c3d-9e4f-7a8b9c0d1e2f"
	weeklySchedule    = "ssm describe-maintenance-window-schedule --window-id mw-0123456789abcdef0"
	alarms            = "cloudwatch describe-alarms --alarm-names privatepatch-patching-wsus-disk privatepatch-patching-wsus-sync"
	s3Entries         = "ec2 get-managed-prefix-list-entries --prefix-list-id pl-68a54001"
	associations      = "ssm list-associations"
	dhmcSetting       = "ssm get-service-setting --setting-id /ssm/managed-instance/default-ec2-instance-management-role"
	weeklyWindow      = "ssm get-maintenance-window --window-id mw-0123456789abcdef0"
	windowsMembers    = `ssm describe-instance-information --filters [{"Key":"tag:Patch Group","Values":["windows"]}]`
	windowsForNodes   = `ssm describe-maintenance-windows-for-target --resource-type INSTANCE --targets [{"Key":"InstanceIds","Values":["i-0a1b2c3d4e5f60001","i-0a1b2c3d4e5f60002","i-0e5d4c3b2a1f09876"]}]`
	// The patching stack's AlertsTopicArn output (describe-stacks-patching.json), and the first
	// page of its subscriptions.
	alertsTopicArn     = "arn:aws:sns:us-west-2:123456789012:privatepatch-patching-AlertsTopic"
	alertSubscriptions = "sns list-subscriptions-by-topic --topic-arn " + alertsTopicArn + " --no-paginate"
)

// alertRules are the recorded patching stack's EventBridge rules.
var alertRules = []string{"AlertsAssociationRuleE799A159", "AlertsComplianceRuleA87A8F82", "AlertsMaintenanceWindowRule8CDC0712",
	"SecurityInspectorFindingsRule09C61347", "SecuritySecurityHubFindingsRule2508B81A"}

func failedInvocations(rule string) string {
	return "cloudwatch get-metric-statistics --namespace AWS/Events --metric-name FailedInvocations --dimensions Name=RuleName,Value=privatepatch-patching-" +
		rule + "-1Q2W3E4R5T6Y --start-time 2026-10-23T12:00:00Z --end-time 2026-11-27T12:00:00Z --period 3600 --statistics Sum"
}

// healthy is a deployment of the default configuration where everything works.
func healthy() map[string]string {
	r := map[string]string{
		fleetNodes:      "testdata/describe-instance-information-fleet.json",
		wsusNode:        "testdata/describe-instance-information-wsus.json",
		fleetInstances:  "testdata/describe-instances-fleet.json",
		setupExecutions: "testdata/association-executions-setup.json",
		"ssm describe-association-executions --association-id 5b3c1e4a-7d9f-4a43-9c2e-3f4a5b6c7d8e": "testdata/association-executions-client.json",
		clientTargets:   "testdata/association-execution-targets-client.json",
		syncMetric:      "testdata/metric-synced.json",
		hoursMetric:     "testdata/metric-hours.json",
		windowsStates:   "testdata/patch-states-windows.json",
		windowsBaseline: "testdata/patch-baseline-for-group-windows.json",
		"ssm get-patch-baseline-for-patch-group --patch-group wsus --operating-system WINDOWS": "testdata/patch-baseline-for-group-wsus.json",
		"ssm describe-instance-patch-states-for-patch-group --patch-group wsus":                "testdata/patch-states-wsus.json",
		weeklyRuns: "testdata/window-executions-weekly.json",
		// The windows' newest runs: a Run Command task whose command succeeded on all its nodes.
		weeklyRunTasks:    "testdata/window-execution-tasks-weekly.json",
		weeklyInvocations: "testdata/window-task-invocations-weekly.json",
		weeklyCommand:     "testdata/list-commands-window.json",
		"ssm describe-maintenance-window-execution-tasks --window-execution-id d4e5f6a7-5555-4c8d-9e0f-2a3b4c5d6e7f":                                                           "testdata/window-execution-tasks-wsus.json",
		"ssm describe-maintenance-window-execution-task-invocations --window-execution-id d4e5f6a7-5555-4c8d-9e0f-2a3b4c5d6e7f --task-id a7b8c9d0-5555-4f1a-8b2c-5d6e7f8091a2": "testdata/window-task-invocations-wsus.json",
		"ssm list-commands --command-id c9d0e1f2-5555-4c3d-9e4f-7a8b9c0d1e2f":                                                                                                  "testdata/list-commands-window-wsus.json",
		weeklySchedule: "testdata/schedule-weekly.json",
		"ssm describe-maintenance-window-schedule --window-id mw-0fedcba9876543210":   "testdata/schedule-wsus.json",
		"ssm describe-maintenance-window-executions --window-id mw-0fedcba9876543210": "testdata/window-executions-wsus.json",
		alarms: "testdata/alarms-ok.json",
		`ssm describe-maintenance-windows-for-target --resource-type INSTANCE --targets [{"Key":"tag:privatepatch:fleet","Values":["privatepatch"]}]`: "testdata/windows-for-target-none.json",
		windowsForNodes: "testdata/windows-for-target-nodes.json",
		`ssm describe-maintenance-windows-for-target --resource-type INSTANCE --targets [{"Key":"tag:Patch Group","Values":["windows","wsus"]}]`: "testdata/windows-for-target-ours.json",
		`ssm describe-maintenance-windows-for-target --resource-type INSTANCE --targets [{"Key":"tag:PatchGroup","Values":["windows","wsus"]}]`:  "testdata/windows-for-target-none.json",
		"ssm describe-maintenance-window-tasks --window-id mw-0b1b2b3b4b5b6b7b8":                                                                 "testdata/window-tasks-backup.json",
		"cloudformation get-template --stack-name privatepatch-patching --query TemplateBody":                                                    "../../test/testdata/default.patching.template.json",
		"cloudformation get-template --stack-name privatepatch-network --query TemplateBody":                                                     "../../test/testdata/default.network.template.json",
		`ec2 describe-managed-prefix-lists --filters [{"Name":"prefix-list-name","Values":["com.amazonaws.us-west-2.s3"]}]`:                      "testdata/prefix-lists-s3.json",
		s3Entries:                 "../../proof/s3drift/testdata/entries-in-sync.json",
		"sts get-caller-identity": "testdata/caller-identity.json",
		"cloudformation get-template --stack-name privatepatch-fleet --query TemplateBody": "../../test/testdata/default.fleet.template.json",
		weeklyWindow: "testdata/get-maintenance-window-weekly.json",
		"ssm get-maintenance-window --window-id mw-0fedcba9876543210": "testdata/get-maintenance-window-wsus.json",
		// The patch groups' members, by either tag key.
		windowsMembers: "testdata/describe-instance-information-fleet.json",
		`ssm describe-instance-information --filters [{"Key":"tag:PatchGroup","Values":["windows"]}]`: "testdata/describe-instance-information-none.json",
		`ssm describe-instance-information --filters [{"Key":"tag:Patch Group","Values":["wsus"]}]`:   "testdata/describe-instance-information-wsus.json",
		`ssm describe-instance-information --filters [{"Key":"tag:PatchGroup","Values":["wsus"]}]`:    "testdata/describe-instance-information-none.json",
		associations:       "testdata/associations.json",
		alertSubscriptions: "testdata/list-subscriptions-by-topic-confirmed.json",
	}
	for _, s := range []string{"network", "fleet", "patching"} {
		r["cloudformation describe-stacks --stack-name privatepatch-"+s] = "testdata/describe-stacks-" + s + ".json"
		r["cloudformation list-stack-resources --stack-name privatepatch-"+s] = "testdata/list-stack-resources-" + s + ".json"
		r["cloudformation get-stack-policy --stack-name privatepatch-"+s] = "testdata/stack-policy.json"
	}
	r["cloudformation get-stack-policy --stack-name privatepatch-patching"] = "testdata/stack-policy-patching.json"
	for _, rule := range alertRules {
		r[failedInvocations(rule)] = "testdata/metric-failed-invocations-none.json"
	}
	return r
}

func defaultTarget(t *testing.T) Target {
	cfg, err := config.LoadFile("../../test/testdata/fixtures/default.yaml")
	require.NoError(t, err)
	targets := TargetsOf(cfg)
	require.Len(t, targets, 1)
	return targets[0]
}

func examine(t *testing.T, responses map[string]string) []Result {
	results, err := Examine(&fake{t: t, responses: responses}, defaultTarget(t), now)
	require.NoError(t, err)
	return results
}

func TestHealthyDeploymentPassesEveryCheck(t *testing.T) {
	results := examine(t, healthy())
	var out bytes.Buffer
	Print(&out, results)
	t.Log("\n" + out.String())
	assert.False(t, Failed(results))
	for _, r := range results {
		assert.Equal(t, OK, r.State, "%s: %s", r.Check, r.Evidence)
	}
	checks := map[string]bool{}
	for _, r := range results {
		checks[r.Check] = true
	}
	for _, want := range []string{"deployment", "alert rules", "node i-0a1b2c3d4e5f60001", "node i-0a1b2c3d4e5f60002", "node i-0e5d4c3b2a1f09876 (WSUS)", "WSUS setup",
		"WSUS synchronisation", "WSUS client on i-0a1b2c3d4e5f60002", "patch group windows", "patch group wsus", "patch baselines", "window privatepatch-weekly (mw-0123456789abcdef0)",
		"window privatepatch-wsus (mw-0fedcba9876543210)", "schedule privatepatch-weekly",
		"schedule privatepatch-wsus", "alarm privatepatch-patching-wsus-sync", "alert subscriptions", "S3 prefix list", "other patching", "other inventory", "data protection"} {
		assert.True(t, checks[want], "no %q row", want)
	}
	assert.Contains(t, out.String(), "Online, agent 3.3.1142.0, last ping 0 h ago")
	assert.Contains(t, out.String(), "last synchronisation succeeded 5 h ago")
	assert.Contains(t, out.String(), "2/2 nodes compliant; missing 0, failed 0, pending reboot 0")
}

// Each broken recording yields its named failure (or warning), and nothing else changes.
func TestEachBrokenRecordingProducesItsNamedVerdict(t *testing.T) {
	for _, tc := range []struct {
		name     string
		override map[string]string
		check    string
		state    State
		evidence string
	}{
		{"node lost its connection", map[string]string{fleetNodes: "testdata/describe-instance-information-fleet-connection-lost.json"},
			"node i-0a1b2c3d4e5f60002", Fail, "ConnectionLost, agent 3.3.1142.0, last ping 2 days ago"},
		// The same node, stopped (as instance schedulers and start-stopped windows leave them):
		// a warning, not a failure of the deployment, read from EC2, as Systems Manager does not
		// list a stopped node; while it is stopping, Systems Manager may still list it.
		{"a stopped node", map[string]string{fleetNodes: "testdata/describe-instance-information-fleet-one.json", fleetInstances: "testdata/describe-instances-fleet-stopped.json"},
			"node i-0a1b2c3d4e5f60002", Warn, "the instance is stopped (Systems Manager lists no stopped node)"},
		// Systems Manager does not list the WSUS server while it is stopped: EC2 says so.
		{"WSUS server stopped", map[string]string{wsusNode: "testdata/describe-instance-information-none.json",
			"ec2 describe-instances --instance-ids i-0e5d4c3b2a1f09876": "testdata/describe-instances-wsus-stopped.json"},
			"node i-0e5d4c3b2a1f09876 (WSUS)", Fail, "the instance is stopped: the fleet's scans and installs fail while WSUS is down"},
		{"WSUS server terminated", map[string]string{wsusNode: "testdata/describe-instance-information-none.json",
			"ec2 describe-instances --instance-ids i-0e5d4c3b2a1f09876": "testdata/describe-instances-wsus-terminated.json"},
			"node i-0e5d4c3b2a1f09876 (WSUS)", Fail, "the instance is terminated: the fleet has no WSUS server"},
		{"WSUS server not a managed node", map[string]string{wsusNode: "testdata/describe-instance-information-none.json",
			"ec2 describe-instances --instance-ids i-0e5d4c3b2a1f09876": "testdata/describe-instances-wsus-running.json"},
			"node i-0e5d4c3b2a1f09876 (WSUS)", Fail, "not a managed node"},
		{"a stopping node", map[string]string{fleetNodes: "testdata/describe-instance-information-fleet-connection-lost.json", fleetInstances: "testdata/describe-instances-fleet-stopping.json"},
			"node i-0a1b2c3d4e5f60002", Warn, "the instance is stopping (ConnectionLost, agent 3.3.1142.0, last ping 2 days ago)"},
		{"tagged instance is not managed", map[string]string{fleetInstances: "testdata/describe-instances-fleet-unmanaged.json", dhmcSetting: "testdata/service-setting-dhmc-off.json"},
			"node i-0a1b2c3d4e5f60003", Fail, "not a managed node (SSM Agent never registered); likely cause: no instance profile, and Default Host Management Configuration is off"},
		{"WSUS setup failed", map[string]string{setupExecutions: "testdata/association-executions-setup-failed.json"},
			"WSUS setup", Fail, "Failed"},
		{"WSUS never synchronised", map[string]string{syncMetric: "testdata/metric-not-synced.json", hoursMetric: "testdata/metric-hours-never.json"},
			"WSUS synchronisation", Fail, "never synchronised (NeverRun)"},
		{"WSUS synchronisation failed", map[string]string{syncMetric: "testdata/metric-not-synced.json", hoursMetric: "testdata/metric-hours-30.json"},
			"WSUS synchronisation", Fail, "failed"},
		{"WSUS synchronisation stale", map[string]string{hoursMetric: "testdata/metric-hours-30.json"},
			"WSUS synchronisation", Fail, "30 h ago (over 26 h)"},
		{"WSUS health not published", map[string]string{syncMetric: "testdata/metric-none.json"},
			"WSUS synchronisation", Fail, "no privatepatch/WSUS/privatepatch metrics"},
		{"WSUS client failed on a node", map[string]string{clientTargets: "testdata/association-execution-targets-client-failed.json"},
			"WSUS client on i-0a1b2c3d4e5f60002", Fail, "Failed"},
		// The newest run is a node that joined (State Manager runs the association on it alone):
		// the daily run's failure on the other node still shows.
		{"WSUS client failed on a node before a newer node's run", map[string]string{
			"ssm describe-association-executions --association-id 5b3c1e4a-7d9f-4a43-9c2e-3f4a5b6c7d8e":                                                            "testdata/association-executions-client-new-node.json",
			"ssm describe-association-execution-targets --association-id 5b3c1e4a-7d9f-4a43-9c2e-3f4a5b6c7d8e --execution-id d4e5f6a7-3333-4b8c-9d0e-2f3a4b5c6d7e": "testdata/association-execution-targets-client-new-node.json",
			clientTargets: "testdata/association-execution-targets-client-failed.json"},
			"WSUS client on i-0a1b2c3d4e5f60002", Fail, "Failed (Failed), run 10 h ago"},
		{"a fleet node no run of the WSUS client reached", map[string]string{
			"ssm describe-association-executions --association-id 5b3c1e4a-7d9f-4a43-9c2e-3f4a5b6c7d8e": "testdata/association-executions-client-one.json",
			clientTargets: "testdata/association-execution-targets-client-one-node.json"},
			"WSUS client on i-0a1b2c3d4e5f60002", Warn, "no run of the client association reached it in its last schedule period"},
		{"patches failed to install", map[string]string{windowsStates: "testdata/patch-states-windows-failed.json"},
			"patch group windows", Fail, "missing 2, failed 2"},
		// Another baseline registered for the group outside the stack: CloudFormation does not see
		// it, and the group is patched by that baseline's rules.
		{"another baseline serves a patch group", map[string]string{windowsBaseline: "testdata/patch-baseline-for-group-windows-other.json",
			"ssm get-default-patch-baseline --operating-system WINDOWS": "testdata/default-patch-baseline-aws.json"},
			"baseline of patch group windows", Fail, "Systems Manager resolves pb-0713accee01612345 for patch group windows (WINDOWS), not the stack's privatepatch-windows (pb-0c1d2e3f4a5b60001)"},
		// Non-compliant by AWS's count though nothing is missing or failed: not counted compliant.
		{"security updates not yet approved", map[string]string{windowsStates: "testdata/patch-states-windows-unapproved.json"},
			"patch group windows", Warn, "1/2 nodes compliant; missing 0, failed 0, pending reboot 0, security updates not approved yet 3"},
		{"a rejected patch installed", map[string]string{windowsStates: "testdata/patch-states-windows-rejected.json"},
			"patch group windows", Warn, "1/2 nodes compliant; missing 0, failed 0, pending reboot 0, installed though rejected 1"},
		{"patch group never scanned", map[string]string{windowsStates: "testdata/patch-states-none.json"},
			"patch group windows", Warn, "none of the group's 2 node(s) has reported a scan"},
		{"a member of the group has no patch state", map[string]string{windowsMembers: "testdata/describe-instance-information-windows-three.json"},
			"patch group windows", Warn, "2/3 nodes compliant; missing 0, failed 0, pending reboot 0; last operation 9 h ago; no patch state from i-0a1b2c3d4e5f60003"},
		{"a fleet node in no patch group", map[string]string{windowsMembers: "testdata/describe-instance-information-windows-one.json"},
			"nodes in no patch group", Warn, "i-0a1b2c3d4e5f60002 carry privatepatch:fleet=privatepatch but no Patch Group or PatchGroup tag naming one of windows, wsus"},
		{"window failed", map[string]string{weeklyRuns: "testdata/window-executions-weekly-failed.json", weeklyRunTasks: "testdata/window-execution-tasks-failed.json"},
			"window privatepatch-weekly (mw-0123456789abcdef0)", Fail, "AWS-RunPatchBaseline FAILED: The maximum error threshold was reached"},
		// A run Systems Manager reports SUCCESS: its command's failures stayed below maxErrors.
		{"a run that succeeded though a node failed", map[string]string{weeklyCommand: "testdata/list-commands-window-incomplete.json"},
			"window privatepatch-weekly (mw-0123456789abcdef0)", Warn, "last run 5 days ago: SUCCESS; AWS-RunPatchBaseline did not succeed on 1 of 10 node(s) (Incomplete)"},
		// One target's invocation failed, the task below its maxErrors: the run still SUCCESS.
		{"a run that succeeded though one of its invocations failed", map[string]string{weeklyInvocations: "testdata/window-task-invocations-weekly-failed.json"},
			"window privatepatch-weekly (mw-0123456789abcdef0)", Warn, "AWS-RunPatchBaseline's invocation ended FAILED"},
		// Undeliverable, Access Denied and Invalid Platform nodes are in neither count.
		{"a run that succeeded though its command is incomplete by no count", map[string]string{weeklyCommand: "testdata/list-commands-window-undeliverable.json"},
			"window privatepatch-weekly (mw-0123456789abcdef0)", Warn, "AWS-RunPatchBaseline ended Incomplete on its 10 node(s), though none failed or timed out by its counts"},
		// The deployed window runs an hour later than the configured one: the calendar's proof does
		// not hold for it.
		{"window runs when the calendar says it does not", map[string]string{weeklySchedule: "testdata/schedule-weekly-hour-late.json"},
			"schedule privatepatch-weekly", Fail,
			"Systems Manager runs it at 2026-11-29 03:00Z, 2026-12-06 03:00Z, 2026-12-13 03:00Z, ..., the calendar at 2026-11-29 02:00Z"},
		// Its actions switched off outside CloudFormation: OK, and alerting nobody.
		{"an alarm's actions disabled", map[string]string{alarms: "testdata/alarms-actions-disabled.json"},
			"alarm privatepatch-patching-wsus-disk", Warn, "its actions are disabled, though the stack enables them"},
		// Deleted outside CloudFormation: CloudWatch leaves it out of its answer.
		{"an alarm of the stack is gone", map[string]string{alarms: "testdata/alarms-one-deleted.json"},
			"alarm privatepatch-patching-wsus-disk", Fail, "CloudWatch has no such alarm: deleted outside CloudFormation"},
		{"alarm in ALARM", map[string]string{alarms: "testdata/alarms-sync-alarm.json"},
			"alarm privatepatch-patching-wsus-sync", Fail, "ALARM: Threshold Crossed"},
		{"S3 prefix list drifted", map[string]string{s3Entries: "../../proof/s3drift/testdata/entries-drifted.json"},
			"S3 prefix list", Fail, "lack 198.51.100.0/24"},
		{"Quick Setup patch policy on every instance", map[string]string{associations: "testdata/associations-quick-setup.json"},
			"other patching", Fail, "AWS-QuickSetup-PatchPolicy-ScanForPatches-LA-k2x9q"},
		{"another association on a patch group", map[string]string{associations: "testdata/associations-patch-group.json"},
			"other patching", Fail, "legacy-install"},
		{"another maintenance window patching the same nodes", map[string]string{windowsForNodes: "testdata/windows-for-target-nodes-legacy.json",
			"ssm describe-maintenance-window-tasks --window-id mw-0c1c2c3c4c5c6c7c8": "testdata/window-tasks-legacy.json"},
			"other patching", Fail, "maintenance window mw-0c1c2c3c4c5c6c7c8 (legacy-patching, AWS-RunPatchBaseline)"},
		// A task may name its document by ARN (an AWS-owned one's has no account ID).
		{"another maintenance window patching the same nodes, its document named by ARN", map[string]string{windowsForNodes: "testdata/windows-for-target-nodes-legacy.json",
			"ssm describe-maintenance-window-tasks --window-id mw-0c1c2c3c4c5c6c7c8": "testdata/window-tasks-legacy-arn.json"},
			"other patching", Fail, "maintenance window mw-0c1c2c3c4c5c6c7c8 (legacy-patching, arn:aws:ssm:us-west-2::document/AWS-RunPatchBaseline)"},
		// The legacy form, CreateAssociation --instance-id: InstanceId and no Targets (Association,
		// botocore 1.43.11's ssm model, read 2026-12-07).
		{"a legacy per-instance patching association", map[string]string{associations: "testdata/associations-legacy-instance.json"},
			"other patching", Fail, "6e2f0b3c-7d4a-4c1b-8e0f-2a3b4c5d6e7f (unnamed, AWS-RunPatchBaseline)"},
		{"a legacy per-instance inventory association", map[string]string{associations: "testdata/associations-legacy-inventory.json"},
			"other inventory", Fail, "7f3a1c4d-8e5b-4d2c-9f1a-3b4c5d6e7f80 (unnamed, AWS-GatherSoftwareInventory)"},
		{"another association on a resource group", map[string]string{associations: "testdata/associations-resource-group.json"},
			"other patching", Warn, "finance-scan"},
		{"another inventory association on every instance", map[string]string{associations: "testdata/associations-inventory-global.json"},
			"other inventory", Fail, "4d1e9a2b-6c3f-4b8a-9d0e-1f2a3b4c5d6e (global-inventory, AWS-GatherSoftwareInventory)"},
		{"the VPC's own S3 endpoint", map[string]string{"cloudformation get-template --stack-name privatepatch-network --query TemplateBody": "../../test/testdata/existing-vpc-hub.network.template.json",
			vpcAclsNoNat: "testdata/network-acls-open.json"},
			"S3 endpoint policy", Warn, "creates no S3 endpoint: the VPC's own serves the fleet"},
		{"a stack policy that protects another type only", map[string]string{"cloudformation get-stack-policy --stack-name privatepatch-fleet": "testdata/stack-policy-other-type.json"},
			"data protection", Fail, "privatepatch-fleet: its stack policy lets an update CommandOutputBucket"},
		{"a stack policy that denies replacing but not deleting", map[string]string{"cloudformation get-stack-policy --stack-name privatepatch-fleet": "testdata/stack-policy-replace-only.json"},
			"data protection", Fail, "(AWS::S3::Bucket) Update:Delete"},
		{"a window that is disabled", map[string]string{weeklyWindow: "testdata/get-maintenance-window-weekly-disabled.json"},
			"window privatepatch-weekly (mw-0123456789abcdef0)", Warn, "disabled: its schedule cron(0 2 ? * SUN *) starts no run"},
		{"a window that never ran though its schedule was due", map[string]string{weeklyRuns: "testdata/window-executions-none.json"},
			"window privatepatch-weekly (mw-0123456789abcdef0)", Warn, "no run yet, though its schedule cron(0 2 ? * SUN *) (UTC) was due 5 days ago"},
		{"a window that missed its last start", map[string]string{weeklyRuns: "testdata/window-executions-weekly-missed.json",
			"ssm describe-maintenance-window-execution-tasks --window-execution-id e5f6a7b8-7777-4d9e-8f1a-3b4c5d6e7f80":                                                           "testdata/window-execution-tasks-weekly.json",
			"ssm describe-maintenance-window-execution-task-invocations --window-execution-id e5f6a7b8-7777-4d9e-8f1a-3b4c5d6e7f80 --task-id a7b8c9d0-9999-4f1a-8b2c-5d6e7f8091a2": "testdata/window-task-invocations-weekly.json"},
			"window privatepatch-weekly (mw-0123456789abcdef0)", Warn, "last run 12 days ago: SUCCESS; overdue: its schedule cron(0 2 ? * SUN *) (UTC, every 7 days) was due 5 days ago"},
		{"the daily WSUS setup has not run for three days", map[string]string{setupExecutions: "testdata/association-executions-setup-stale.json"},
			"WSUS setup", Warn, "last run 3 days ago: Success (Success); overdue: its schedule rate(1 day) runs it every 24 h"},
		{"the daily WSUS client has not run for three days", map[string]string{"ssm describe-association-executions --association-id 5b3c1e4a-7d9f-4a43-9c2e-3f4a5b6c7d8e": "testdata/association-executions-client-stale.json"},
			"WSUS client", Warn, "association 5b3c1e4a-7d9f-4a43-9c2e-3f4a5b6c7d8e last ran 3 days ago; overdue: its schedule rate(1 day) runs it every 24 h"},
		{"WSUS health metrics stopped arriving", map[string]string{syncMetric: "testdata/metric-synced-stopped.json"},
			"WSUS synchronisation", Fail, "stopped arriving: the newest is from 2026-11-27T09:30:00Z, 2 h ago"},
		{"a node's last scan is older than the daily scan allows", map[string]string{windowsStates: "testdata/patch-states-windows-stale.json"},
			"patch group windows", Warn, "last operation overdue on i-0a1b2c3d4e5f60002 (4 days ago): cron(0 12 ? * * *) runs one every 24 h"},
		{"an alert rule's target failed", map[string]string{failedInvocations("AlertsMaintenanceWindowRule8CDC0712"): "testdata/metric-failed-invocations.json"},
			"alert rules", Fail, "privatepatch-patching-AlertsMaintenanceWindowRule8CDC0712-1Q2W3E4R5T6Y: 3 failed invocation(s)"},
		// Twelve days ago: the alarm is long back to OK, and the row still says so.
		{"an alert rule's target failed on the last window, days ago", map[string]string{failedInvocations("AlertsMaintenanceWindowRule8CDC0712"): "testdata/metric-failed-invocations-older.json"},
			"alert rules", Warn, "privatepatch-patching-AlertsMaintenanceWindowRule8CDC0712-1Q2W3E4R5T6Y: 2 failed invocation(s), the newest 12 days ago"},
		{"a node's agent is too old for AWS-RunPatchBaseline", map[string]string{fleetNodes: "testdata/describe-instance-information-fleet-old-agent.json"},
			"node i-0a1b2c3d4e5f60002", Warn, "agent 2.0.672.0, last ping 0 h ago; older than 2.0.834.0, the version AWS-RunPatchBaseline needs"},
		{"stack without protection", map[string]string{"cloudformation get-stack-policy --stack-name privatepatch-fleet": "testdata/stack-policy-none.json",
			"cloudformation describe-stacks --stack-name privatepatch-patching": "testdata/describe-stacks-patching-unprotected.json"},
			"data protection", Warn, "privatepatch-fleet: no stack policy protecting its data; privatepatch-patching: no termination protection"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			responses := healthy()
			maps.Copy(responses, tc.override)
			results := examine(t, responses)
			commandsNameTheRegion(t, results)
			found := false
			for _, r := range results {
				if r.Check == tc.check {
					found = true
					assert.Equal(t, tc.state, r.State, r.Evidence)
					assert.Contains(t, r.Evidence, tc.evidence)
					if r.State != OK {
						assert.NotEmpty(t, r.Action, "a failing check says what to do")
					}
				} else {
					assert.Equal(t, OK, r.State, "only %s should change: %s is %s (%s)", tc.check, r.Check, r.State, r.Evidence)
				}
			}
			assert.True(t, found, "no %q row", tc.check)
			assert.Equal(t, tc.state == Fail, Failed(results))
		})
	}
}

// Systems Manager lists no stopped node (DescribeInstanceInformation), so a stopped instance is
// named from EC2, still counts in the patch group its tag names (its patch state is judged), and
// a fleet whose instances are all stopped is not "nothing is patched".
func TestStoppedInstancesAreNamedFromEc2AndStillCountInTheirPatchGroup(t *testing.T) {
	rows := func(results []Result) map[string]Result {
		byCheck := map[string]Result{}
		for _, r := range results {
			byCheck[r.Check] = r
		}
		return byCheck
	}
	responses := healthy()
	maps.Copy(responses, map[string]string{fleetNodes: "testdata/describe-instance-information-fleet-one.json",
		fleetInstances: "testdata/describe-instances-fleet-stopped.json", windowsMembers: "testdata/describe-instance-information-windows-one.json"})
	got := rows(examine(t, responses))
	assert.Equal(t, Warn, got["node i-0a1b2c3d4e5f60002"].State)
	assert.Contains(t, got["patch group windows"].Evidence, "2/2 nodes compliant", "the stopped member counts")

	maps.Copy(responses, map[string]string{fleetNodes: "testdata/describe-instance-information-none.json",
		fleetInstances: "testdata/describe-instances-fleet-all-stopped.json", windowsMembers: "testdata/describe-instance-information-none.json"})
	got = rows(examine(t, responses))
	for _, id := range []string{"i-0a1b2c3d4e5f60001", "i-0a1b2c3d4e5f60002"} {
		assert.Equal(t, Warn, got["node "+id].State, id)
		assert.Contains(t, got["node "+id].Evidence, "the instance is stopped", id)
	}
	assert.NotContains(t, got, "fleet nodes", "stopped instances are not an empty fleet")
	assert.Contains(t, got["patch group windows"].Evidence, "2/2 nodes compliant")

	// A stopped member's old scan is not overdue, nor is one that never scanned "never scanned":
	// a scan sent to it would wait until it timed out.
	responses = healthy()
	maps.Copy(responses, map[string]string{fleetNodes: "testdata/describe-instance-information-fleet-one.json",
		fleetInstances: "testdata/describe-instances-fleet-stopped.json", windowsMembers: "testdata/describe-instance-information-windows-one.json",
		windowsStates: "testdata/patch-states-windows-stale.json"})
	row := rows(examine(t, responses))["patch group windows"]
	assert.Equal(t, OK, row.State, row.Evidence)
	assert.Contains(t, row.Evidence, "stopped (their node rows say so): i-0a1b2c3d4e5f60002")
	assert.NotContains(t, row.Evidence, "overdue")
	// A stopped instance in no patch group is named with the running ones.
	responses[fleetInstances] = "testdata/describe-instances-fleet-stopped-ungrouped.json"
	assert.Contains(t, rows(examine(t, responses))["nodes in no patch group"].Evidence, "i-0a1b2c3d4e5f60002 carry privatepatch:fleet=privatepatch")
}

func TestMissingStackOrCredentialsCouldNotRun(t *testing.T) {
	responses := healthy()
	f := &fake{t: t, responses: responses, errors: map[string]error{
		"cloudformation describe-stacks --stack-name privatepatch-network": &CLIError{Args: []string{"cloudformation"}, Err: errors.New("exit status 254"),
			Stderr: "An error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id privatepatch-network does not exist"},
	}}
	_, err := Examine(f, defaultTarget(t), now)
	var couldNot CouldNotRun
	require.ErrorAs(t, err, &couldNot)
	assert.Contains(t, err.Error(), "stack privatepatch-network is not deployed")

	f.errors = map[string]error{"cloudformation describe-stacks --stack-name privatepatch-network": &CLIError{Args: []string{"cloudformation"}, Err: errors.New("exit status 253"),
		Stderr: "Unable to locate credentials. You can configure credentials by running \"aws configure\"."}}
	_, err = Examine(f, defaultTarget(t), now)
	require.ErrorAs(t, err, &couldNot)
	assert.Contains(t, err.Error(), "Unable to locate credentials")
}

// Refused credentials stop make doctor at the caller-identity step with one message that says to
// refresh them, not a COULD NOT CHECK row per check advising drift detection ("Common Errors",
// AWS STS / EC2 / Systems Manager API references, read 2026-12-07); a later call refused the same
// way says so too.
func TestRefusedCredentialsStopAtTheCallerIdentityWithOneRefreshMessage(t *testing.T) {
	for code, stderr := range map[string]string{
		"ExpiredToken":                 "An error occurred (ExpiredToken) when calling the GetCallerIdentity operation: The security token included in the request is expired",
		"ExpiredTokenException":        "An error occurred (ExpiredTokenException) when calling the GetCallerIdentity operation: The security token included in the request is expired",
		"InvalidClientTokenId":         "An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation: The security token included in the request is invalid.",
		"UnrecognizedClientException":  "An error occurred (UnrecognizedClientException) when calling the GetCallerIdentity operation: The security token included in the request is invalid.",
		"AuthFailure":                  "An error occurred (AuthFailure) when calling the GetCallerIdentity operation: AWS was not able to validate the provided access credentials",
		"SignatureDoesNotMatch":        "An error occurred (SignatureDoesNotMatch) when calling the GetCallerIdentity operation: The request signature we calculated does not match the signature you provided.",
		"Unable to locate credentials": "Unable to locate credentials. You can configure credentials by running \"aws configure\".",
		// EC2's expired temporary credentials (a session expiring partway through the run).
		"RequestExpired": "An error occurred (RequestExpired) when calling the DescribeRouteTables operation: Request has expired.",
		// The JSON protocol services' bad secret key (Systems Manager, Config, CodePipeline).
		"InvalidSignatureException": "An error occurred (InvalidSignatureException) when calling the GetCallerIdentity operation: The request signature we calculated does not match the signature you provided.",
		// botocore's expired IAM Identity Center session, no API answer at all.
		"SSO session associated with this profile has expired": "The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile.",
		"Error loading SSO Token":                              "Error loading SSO Token: Token for my-sso does not exist",
		"Error when retrieving token from sso":                 "Error when retrieving token from sso: Token has expired and refresh failed",
	} {
		f := &fake{t: t, responses: healthy(), errors: map[string]error{
			"sts get-caller-identity": &CLIError{Args: []string{"sts", "get-caller-identity"}, Err: errors.New("exit status 254"), Stderr: stderr}}}
		_, err := Examine(f, defaultTarget(t), now)
		var couldNot CouldNotRun
		require.ErrorAs(t, err, &couldNot, code)
		assert.Contains(t, err.Error(), code, code)
		assert.Contains(t, err.Error(), "refresh the credentials", code)
		assert.NotContains(t, err.Error(), "detect-stack-drift", code)
		assert.Equal(t, []string{"sts get-caller-identity"}, f.calls, code)
	}
	expired := &CLIError{Args: strings.Fields(weeklyWindow), Err: errors.New("exit status 254"),
		Stderr: "An error occurred (ExpiredTokenException) when calling the GetMaintenanceWindow operation: The security token included in the request is expired"}
	row := couldNotCheck("window", expired)
	assert.Contains(t, row.Action, "refresh the credentials")
	assert.NotContains(t, row.Action, "detect-stack-drift")

	// A session expiring before the EC2 checks: EC2 says RequestExpired.
	expired = &CLIError{Args: []string{"ec2", "describe-route-tables"}, Err: errors.New("exit status 254"),
		Stderr: "An error occurred (RequestExpired) when calling the DescribeRouteTables operation: Request has expired."}
	row = couldNotCheck("route tables", expired)
	assert.Contains(t, row.Action, "refresh the credentials")
	assert.NotContains(t, row.Action, "detect-stack-drift")
}

// Two answers no page settles, read either way (the tests above read the other): Systems Manager
// may refuse an InstanceIds filter naming a stopped WSUS server with InvalidInstanceId instead of
// listing nothing, and EC2 answers InvalidInstanceID.NotFound once a terminated instance has left
// its answers ("usually less than one hour", DescribeInstances, read 2026-12-07).
func TestAWsusServerStoppedOrGoneIsJudgedWhicheverWayAwsAnswers(t *testing.T) {
	wsusInstance := "ec2 describe-instances --instance-ids i-0e5d4c3b2a1f09876"
	refused := &CLIError{Args: strings.Fields(wsusNode), Err: errors.New("exit status 254"),
		Stderr: "An error occurred (InvalidInstanceId) when calling the DescribeInstanceInformation operation: "}
	responses := healthy()
	responses[wsusInstance] = "testdata/describe-instances-wsus-stopped.json"
	results, err := Examine(&fake{t: t, responses: responses, errors: map[string]error{wsusNode: refused}}, defaultTarget(t), now)
	require.NoError(t, err)
	stopped := rowOf(t, results, "node i-0e5d4c3b2a1f09876 (WSUS)")
	assert.Equal(t, Fail, stopped.State)
	assert.Contains(t, stopped.Evidence, "the instance is stopped")

	gone := &CLIError{Args: strings.Fields(wsusInstance), Err: errors.New("exit status 254"),
		Stderr: "An error occurred (InvalidInstanceID.NotFound) when calling the DescribeInstances operation: The instance ID 'i-0e5d4c3b2a1f09876' does not exist"}
	responses = healthy()
	responses[wsusNode] = "testdata/describe-instance-information-none.json"
	results, err = Examine(&fake{t: t, responses: responses, errors: map[string]error{wsusInstance: gone}}, defaultTarget(t), now)
	require.NoError(t, err)
	row := rowOf(t, results, "node i-0e5d4c3b2a1f09876 (WSUS)")
	assert.Equal(t, Fail, row.State)
	assert.Contains(t, row.Evidence, "terminated or gone")
	assert.Contains(t, row.Action, "deploy the fleet stack again")
	assert.NotContains(t, row.Action, "start")
}

// No page says whether DescribeMaintenanceWindowSchedule lists the runs of a disabled window: if
// it lists none, the schedule row says the window is disabled instead of blaming the configuration
// or the calendar; if it lists them, they are compared as ever.
func TestADisabledWindowsScheduleIsNotBlamedOnTheCalendar(t *testing.T) {
	responses := healthy()
	responses[weeklyWindow] = "testdata/get-maintenance-window-weekly-disabled.json"
	responses[weeklySchedule] = "testdata/schedule-weekly-none.json"
	row := rowOf(t, examine(t, responses), "schedule privatepatch-weekly")
	assert.Equal(t, Warn, row.State, row.Evidence)
	assert.Contains(t, row.Evidence, "Systems Manager lists no run ahead: the window is disabled")
	assert.NotContains(t, row.Action, "report the difference")

	responses[weeklySchedule] = "testdata/schedule-weekly.json"
	assert.Equal(t, OK, rowOf(t, examine(t, responses), "schedule privatepatch-weekly").State, "a disabled window's listed runs are compared")
	// Enabled, a window that lists no run the calendar has still fails.
	responses = healthy()
	responses[weeklySchedule] = "testdata/schedule-weekly-none.json"
	assert.Equal(t, Fail, rowOf(t, examine(t, responses), "schedule privatepatch-weekly").State)
}

func TestEnvironmentsAreExaminedOneByOne(t *testing.T) {
	cfg, err := config.Parse("envs.yaml", []byte(`project: pp
environments:
  - {name: test, account: "111111111111", region: eu-west-1}
  - {name: prod, account: "222222222222", region: eu-central-1}
network:
  s3PrefixListIds: {eu-west-1: pl-6da54004, eu-central-1: pl-6ea54007}
  s3PrefixListCidrs: {eu-west-1: [52.218.0.0/17], eu-central-1: [52.219.168.0/24]}
`))
	require.NoError(t, err)
	targets := TargetsOf(cfg)
	require.Len(t, targets, 2)
	assert.Equal(t, Target{Environment: "test", Region: "eu-west-1", Network: "pp-test-network", Fleet: "pp-test-fleet", Patching: "pp-test-patching",
		FleetTagKey: "privatepatch:fleet", FleetTagValue: "pp", PatchGroups: []string{"wsus"},
		PatchGroupTagKeys: config.PatchGroupTagKeys, WsusEnabled: true, HealthNamespace: "privatepatch/WSUS/pp-test", Account: "111111111111",
		Windows: []calendar.Window{{Name: "pp-wsus", Schedule: "cron(0 2 ? * SAT *)", Timezone: "UTC", DurationHours: 3, CutoffHours: 1,
			Install: true, PatchGroups: []string{"wsus"}}}}, targets[0])
	assert.Equal(t, "pp-prod-fleet", targets[1].Fleet)
	assert.Equal(t, "eu-central-1", targets[1].Region)
}

func TestTimestampsOfEitherCliVersionParse(t *testing.T) {
	var v2, v1 Time
	require.NoError(t, v2.UnmarshalJSON([]byte(`"2026-11-27T02:10:05.217000+00:00"`)))
	require.NoError(t, v1.UnmarshalJSON([]byte(`1795745405.217`)))
	assert.Equal(t, time.Date(2026, 11, 27, 2, 10, 5, 217000000, time.UTC), v2.UTC())
	assert.Equal(t, v2.Unix(), v1.Unix())
	assert.Error(t, new(Time).UnmarshalJSON([]byte(`true`)))
}

// The AWS CLI prints nothing at all for an empty answer: GetStackPolicy of a stack without a
// policy, as on every stack a pipeline deployed. That is an answer, not an error.
func TestZeroByteAnswersAreEmptyAnswers(t *testing.T) {
	responses := healthy()
	for _, s := range []string{"network", "fleet", "patching"} {
		responses["cloudformation get-stack-policy --stack-name privatepatch-"+s] = "testdata/stack-policy-none.json"
	}
	data, err := os.ReadFile("testdata/stack-policy-none.json")
	require.NoError(t, err)
	require.Empty(t, data, "the recording is zero bytes, as the CLI prints")
	results := examine(t, responses)
	row := rowOf(t, results, "data protection")
	assert.Equal(t, Warn, row.State)
	assert.Contains(t, row.Evidence, "privatepatch-network: no stack policy")
	assert.False(t, Incomplete(results))
}

func rowOf(t *testing.T, results []Result, check string) Result {
	t.Helper()
	for _, r := range results {
		if r.Check == check {
			return r
		}
	}
	t.Fatalf("no %q row", check)
	return Result{}
}

// A failed run's task list denied: a row of its own says so, naming the permission; the window's
// row keeps the run's status, and the other window's row stands (the denial used to replace every
// window's row with one).
func TestADeniedReadOfAFailedRunsTasksIsThatWindowsRowOnly(t *testing.T) {
	responses := healthy()
	responses[weeklyRuns] = "testdata/window-executions-weekly-failed.json"
	f := &fake{t: t, responses: responses, errors: map[string]error{weeklyRunTasks: accessDenied(strings.Fields(weeklyRunTasks)...)}}
	results, err := Examine(f, defaultTarget(t), now)
	require.NoError(t, err)
	assert.Equal(t, Fail, rowOf(t, results, "window privatepatch-weekly (mw-0123456789abcdef0)").State, "the run's status stands")
	tasks := rowOf(t, results, "window privatepatch-weekly (mw-0123456789abcdef0), its newest run")
	assert.Equal(t, Unchecked, tasks.State)
	assert.Contains(t, tasks.Action, "allow ssm:DescribeMaintenanceWindowExecutionTasks")
	assert.Equal(t, OK, rowOf(t, results, "window privatepatch-wsus (mw-0fedcba9876543210)").State)
}

// A rule that failed in the last day fails the row, and its action names that rule, not another
// whose failures are days old (the neighbour of the one-rule recordings).
func TestAlertRulesRowNamesTheRuleThatFailedLastDay(t *testing.T) {
	responses := healthy()
	responses[failedInvocations(alertRules[0])] = "testdata/metric-failed-invocations-older.json"
	responses[failedInvocations(alertRules[1])] = "testdata/metric-failed-invocations.json"
	r := rowOf(t, examine(t, responses), "alert rules")
	assert.Equal(t, Fail, r.State)
	assert.Contains(t, r.Action, "--rule privatepatch-patching-"+alertRules[1]+"-1Q2W3E4R5T6Y")
	assert.NotContains(t, r.Evidence, alertRules[0], "the row fails on the last day's failures")
}

// A monthly window's command may no longer be listed: the row says its nodes were not read, and
// stays OK (and judges the schedule) rather than a could-not-check row.
func TestAWindowRunsCommandNoLongerListedLeavesTheRowAsItIs(t *testing.T) {
	responses := healthy()
	responses[weeklyCommand] = "testdata/list-commands-window-gone.json"
	results := examine(t, responses)
	weekly := rowOf(t, results, "window privatepatch-weekly (mw-0123456789abcdef0)")
	assert.Equal(t, OK, weekly.State)
	assert.Contains(t, weekly.Evidence, "AWS-RunPatchBaseline's command c9d0e1f2-bbbb-4c3d-9e4f-7a8b9c0d1e2f is no longer listed: its nodes not read")
	assert.False(t, Incomplete(results))
}

// Every call a healthy run makes is denied in turn (a planted failure each): the run still ends
// with a table, a COULD NOT CHECK row names the call and the IAM permission, every row of the
// healthy run is still there (or its check's could-not-check row), and the run is incomplete.
func TestEachDeniedCallBecomesItsOwnRowAndTheOthersStillRun(t *testing.T) {
	// complianceResponses adds the Security Hub and resource data sync reads.
	for _, responses := range []func() map[string]string{healthy, complianceResponses} {
		eachDeniedCall(t, responses)
	}
}

func eachDeniedCall(t *testing.T, responses func() map[string]string) {
	probe := &fake{t: t, responses: responses()}
	healthyResults, err := Examine(probe, defaultTarget(t), now)
	require.NoError(t, err)
	require.False(t, Incomplete(healthyResults))
	seen := map[string]bool{}
	for _, call := range probe.calls {
		if seen[call] {
			continue
		}
		seen[call] = true
		t.Run(call, func(t *testing.T) {
			f := &fake{t: t, responses: responses(), lenient: true, errors: map[string]error{call: accessDenied(strings.Fields(call)...)}}
			results, err := Examine(f, defaultTarget(t), now)
			require.NoError(t, err, "one denied call must not stop the run")
			assert.True(t, Incomplete(results))
			permission := Permission(strings.Fields(call), nil)
			named := false
			for _, r := range results {
				if r.State == Unchecked && strings.Contains(r.Action, "allow "+permission) && strings.Contains(r.Evidence, "AccessDeniedException") {
					named = true
				}
			}
			assert.True(t, named, "no COULD NOT CHECK row naming %s", permission)
			for _, h := range healthyResults {
				covered := false
				for _, r := range results {
					covered = covered || r.Check == h.Check || (r.State == Unchecked && strings.HasPrefix(h.Check, r.Check))
				}
				assert.True(t, covered, "row %q is missing", h.Check)
			}
		})
	}
}

// A throttled call says to run again rather than to change permissions.
func TestThrottledCallSaysToRetry(t *testing.T) {
	f := &fake{t: t, responses: healthy(), errors: map[string]error{associations: &CLIError{Args: strings.Fields(associations), Err: errors.New("exit status 254"),
		Stderr: "An error occurred (ThrottlingException) when calling the ListAssociations operation (reached max retries: 2): Rate exceeded"}}}
	results, err := Examine(f, defaultTarget(t), now)
	require.NoError(t, err)
	row := rowOf(t, results, "other patching")
	assert.Equal(t, Unchecked, row.State)
	assert.Contains(t, row.Evidence, "aws ssm list-associations: An error occurred (ThrottlingException)")
	assert.Contains(t, row.Action, "throttled")
}

// A window with a ScheduleOffset runs that many days after its cron's date: "three days after
// Patch Tuesday" is not overdue between the Tuesday and its run. Here TUE#4 with offset 4: the
// cron's dates were Oct 27 and Nov 24, the runs Oct 31 and (after now, Nov 27) Nov 28. Planted:
// the same window without its Oct 31 run is overdue.
func TestAWindowWithAScheduleOffsetIsDueOnItsOffsetDate(t *testing.T) {
	window := "window privatepatch-weekly (mw-0123456789abcdef0)"
	responses := healthy()
	responses[weeklyWindow] = "testdata/get-maintenance-window-weekly-offset.json"
	responses[weeklyRuns] = "testdata/window-executions-weekly-offset.json"
	row := rowOf(t, examine(t, responses), window)
	assert.Equal(t, OK, row.State, row.Evidence)
	assert.Equal(t, "last run 27 days ago: SUCCESS", row.Evidence)

	missed := t.TempDir() + "/runs.json"
	data, err := os.ReadFile("testdata/window-executions-weekly-offset.json")
	require.NoError(t, err)
	data = []byte(strings.Replace(strings.Replace(string(data), "2026-10-31T02:00:00.412000", "2026-09-26T02:00:00.412000", 1), "2026-10-31T02:41", "2026-09-26T02:41", 1))
	require.NoError(t, os.WriteFile(missed, data, 0o600))
	responses[weeklyRuns] = missed
	row = rowOf(t, examine(t, responses), window)
	assert.Equal(t, Warn, row.State, row.Evidence)
	assert.Contains(t, row.Evidence, "overdue: its schedule cron(0 2 ? * TUE#4 *) (UTC, every 35 days) was due 27 days ago")
}

// A window whose StartDate is ahead has not missed the starts before it ("The maintenance window
// won't run before this specified time", GetMaintenanceWindow StartDate); the planted failure is
// "a window that never ran though its schedule was due", the same window without a StartDate.
func TestAWindowBeforeItsStartDateHasMissedNothing(t *testing.T) {
	responses := healthy()
	responses[weeklyWindow] = "testdata/get-maintenance-window-weekly-future-start.json"
	responses[weeklyRuns] = "testdata/window-executions-none.json"
	row := rowOf(t, examine(t, responses), "window privatepatch-weekly (mw-0123456789abcdef0)")
	assert.Equal(t, OK, row.State, row.Evidence)
	assert.Equal(t, "no run yet", row.Evidence)
}

// Only a denial asks for a permission: a window the stack lists and Systems Manager no longer has
// (deleted outside CloudFormation) says so, and EC2's UnauthorizedOperation is a denial.
func TestOnlyADenialAsksForAPermission(t *testing.T) {
	gone := &CLIError{Args: strings.Fields(weeklyWindow), Err: errors.New("exit status 254"),
		Stderr: "An error occurred (DoesNotExistException) when calling the GetMaintenanceWindow operation: Maintenance window mw-0123456789abcdef0 does not exist"}
	f := &fake{t: t, responses: healthy(), errors: map[string]error{weeklyWindow: gone}}
	results, err := Examine(f, defaultTarget(t), now)
	require.NoError(t, err)
	row := rowOf(t, results, "window privatepatch-weekly (mw-0123456789abcdef0)")
	assert.Equal(t, Unchecked, row.State)
	assert.NotContains(t, row.Action, "allow ")
	assert.Contains(t, row.Action, "AWS answered DoesNotExistException, not a denial")

	ec2 := &CLIError{Args: strings.Fields(s3Entries), Err: errors.New("exit status 254"),
		Stderr: "An error occurred (UnauthorizedOperation) when calling the GetManagedPrefixListEntries operation: You are not authorized to perform this operation."}
	assert.Equal(t, "allow ec2:GetManagedPrefixListEntries to the caller, then make doctor again", couldNotCheck("S3 prefix list", ec2).Action)
}

// An empty fleet is a warning whatever else is deployed: WSUS being on used to hide it.
func TestEmptyFleetWarnsEvenWithWsus(t *testing.T) {
	require.True(t, defaultTarget(t).WsusEnabled)
	responses := healthy()
	maps.Copy(responses, map[string]string{fleetNodes: "testdata/describe-instance-information-none.json", fleetInstances: "testdata/describe-instances-none.json",
		windowsMembers: "testdata/describe-instance-information-none.json", windowsStates: "testdata/patch-states-none.json",
		`ssm describe-maintenance-windows-for-target --resource-type INSTANCE --targets [{"Key":"InstanceIds","Values":["i-0e5d4c3b2a1f09876"]}]`: "testdata/windows-for-target-none.json"})
	results := examine(t, responses)
	row := rowOf(t, results, "fleet nodes")
	assert.Equal(t, Warn, row.State)
	assert.Contains(t, row.Evidence, "no instance or node carries privatepatch:fleet=privatepatch")
	assert.Equal(t, Warn, rowOf(t, results, "patch group windows").State, "a group with no member is not compliant")
	assert.Contains(t, rowOf(t, results, "patch group windows").Evidence, "no managed node is tagged into the group")
}

// The evaluator follows the stack policy rules: default deny, an explicit Deny wins, Action and
// NotAction, Resource and NotResource with wildcards, the ResourceType condition.
func TestStackPolicyIsJudgedByWhatItDenies(t *testing.T) {
	bucket := []stackResource{{LogicalResourceId: "CommandOutputBucketA1B2", ResourceType: "AWS::S3::Bucket"}}
	for _, tc := range []struct {
		name, policy string
		open         bool
	}{
		{"make deploy's policy", `{"Statement":[{"Effect":"Deny","Action":["Update:Replace","Update:Delete"],"Principal":"*","Resource":"*","Condition":{"StringEquals":{"ResourceType":["AWS::S3::Bucket"]}}},{"Effect":"Allow","Action":"Update:*","Principal":"*","Resource":"*"}]}`, false},
		{"allow everything", `{"Statement":[{"Effect":"Allow","Action":"Update:*","Principal":"*","Resource":"*"}]}`, true},
		{"allow modify only: the rest is denied by default", `{"Statement":[{"Effect":"Allow","Action":"Update:Modify","Principal":"*","Resource":"*"}]}`, false},
		{"deny by logical id wildcard", `{"Statement":[{"Effect":"Deny","Action":"Update:*","Principal":"*","Resource":"LogicalResourceId/CommandOutputBucket*"},{"Effect":"Allow","Action":"Update:*","Principal":"*","Resource":"*"}]}`, false},
		{"deny another resource", `{"Statement":[{"Effect":"Deny","Action":"Update:*","Principal":"*","Resource":"LogicalResourceId/Other"},{"Effect":"Allow","Action":"Update:*","Principal":"*","Resource":"*"}]}`, true},
		{"allow all but replace and delete", `{"Statement":[{"Effect":"Allow","NotAction":["Update:Replace","Update:Delete"],"Principal":"*","Resource":"*"}]}`, false},
		{"deny all but the bucket", `{"Statement":[{"Effect":"Deny","Action":"Update:*","Principal":"*","NotResource":"LogicalResourceId/CommandOutputBucketA1B2"},{"Effect":"Allow","Action":"Update:*","Principal":"*","Resource":"*"}]}`, true},
		{"StringLike on the type", `{"Statement":[{"Effect":"Deny","Action":"Update:*","Principal":"*","Resource":"*","Condition":{"StringLike":{"ResourceType":"AWS::S3::*"}}},{"Effect":"Allow","Action":"Update:*","Principal":"*","Resource":"*"}]}`, false},
	} {
		p, err := cfnupdate.ParseStackPolicy([]byte(tc.policy))
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.open, len(unprotectedBy(p, bucket)) > 0, tc.name)
	}
}

// An unmanaged or lost node's row names the likely cause and the next step; a failing WSUS
// client's, the diagnostics to run on the node.
func TestUnmanagedAndLostNodesSayWhyAndWhatNext(t *testing.T) {
	responses := healthy()
	maps.Copy(responses, map[string]string{fleetInstances: "testdata/describe-instances-fleet-unmanaged.json", dhmcSetting: "testdata/service-setting-dhmc-off.json",
		fleetNodes: "testdata/describe-instance-information-fleet-connection-lost.json", clientTargets: "testdata/association-execution-targets-client-failed.json"})
	results := examine(t, responses)
	unmanaged := rowOf(t, results, "node i-0a1b2c3d4e5f60003")
	assert.Contains(t, unmanaged.Action, "attach an instance profile with AmazonSSMManagedInstanceCore")
	assert.Contains(t, unmanaged.Action, "--document-name AWSSupport-TroubleshootManagedInstance --parameters InstanceId=i-0a1b2c3d4e5f60003")
	lost := rowOf(t, results, "node i-0a1b2c3d4e5f60002")
	assert.Equal(t, Fail, lost.State)
	assert.NotContains(t, lost.Evidence, "no instance profile", "it has one")
	assert.Contains(t, lost.Action, "AWSSupport-TroubleshootManagedInstance --parameters InstanceId=i-0a1b2c3d4e5f60002")
	assert.Contains(t, rowOf(t, results, "WSUS client on i-0a1b2c3d4e5f60002").Action, "ssm-cli get-diagnostics")

	// Where GetServiceSetting is denied, the row says what it could not tell.
	f := &fake{t: t, responses: responses, errors: map[string]error{dhmcSetting: accessDenied(strings.Fields(dhmcSetting)...)}}
	results, err := Examine(f, defaultTarget(t), now)
	require.NoError(t, err)
	assert.Contains(t, rowOf(t, results, "node i-0a1b2c3d4e5f60003").Evidence, "unknown: ssm:GetServiceSetting failed")
}

// Each environment is examined in its own account: the first row says which account, region and
// stacks were examined, and credentials of another account are refused before any other call.
func TestEnvironmentOfAnotherAccountIsRefusedAndTheRunSaysWhatItChecked(t *testing.T) {
	target := defaultTarget(t)
	target.Account = "123456789012"
	results, err := Examine(&fake{t: t, responses: healthy()}, target, now)
	require.NoError(t, err)
	assert.Equal(t, Result{Check: "deployment", State: OK, Evidence: "account 123456789012 (as arn:aws:sts::123456789012:assumed-role/PlatformReadOnly/operator), " +
		"region us-west-2, stacks privatepatch-network, privatepatch-fleet, privatepatch-patching"}, results[0])

	target.Environment, target.Account = "prod", "222222222222"
	f := &fake{t: t, responses: healthy()}
	_, err = Examine(f, target, now)
	var couldNot CouldNotRun
	require.ErrorAs(t, err, &couldNot)
	assert.Contains(t, err.Error(), "refused: prod is in account 222222222222, and the credentials (arn:aws:sts::123456789012:assumed-role/PlatformReadOnly/operator) are account 123456789012's")
	assert.Contains(t, err.Error(), "PROFILES=prod=<profile>")
	assert.Equal(t, []string{"sts get-caller-identity"}, f.calls, "nothing else is read in the wrong account")
}

// A stack whose first deploy failed and rolled back (ROLLBACK_COMPLETE) is not a deployment: its
// resources were deleted, though ListStackResources still lists them, and every check would ask
// about them and blame a permission. So is a stack of a change set never executed.
func TestAStackThatNeverDeployedCouldNotRun(t *testing.T) {
	responses := healthy()
	responses["cloudformation describe-stacks --stack-name privatepatch-fleet"] = "testdata/describe-stacks-fleet-rolled-back.json"
	f := &fake{t: t, responses: responses}
	_, err := Examine(f, defaultTarget(t), now)
	var couldNot CouldNotRun
	require.ErrorAs(t, err, &couldNot)
	assert.ErrorContains(t, err, "stack privatepatch-fleet is ROLLBACK_COMPLETE (The following resource(s) failed to create: [WsusInstance902E8651]. Rollback requested by user.)")
	assert.ErrorContains(t, err, "delete it (aws cloudformation delete-stack")
	assert.NotContains(t, f.calls, "cloudformation list-stack-resources --stack-name privatepatch-fleet")

	_, err = PatchNow{Target: "windows", Operation: "Scan", Sleep: func(time.Duration) {}}.Run(f, defaultTarget(t), &bytes.Buffer{})
	assert.ErrorContains(t, err, "is ROLLBACK_COMPLETE", "make patch-now sends nothing to it")
	d := &deployment{aws: CLI{Profile: "live"}, t: Target{Region: "eu-west-1"}}
	assert.Equal(t, "a change set was made for it and never executed: make deploy (or delete the empty stack: "+
		"aws cloudformation delete-stack --stack-name app-fleet --region eu-west-1 --profile live)", d.untilDeployed("app-fleet", "REVIEW_IN_PROGRESS"),
		"the stack, its region and profile: stack names repeat across environments")
	assert.Contains(t, d.untilDeployed("app-fleet", "ROLLBACK_COMPLETE"), "aws cloudformation describe-stack-events --stack-name app-fleet --region eu-west-1 --profile live")
	assert.Contains(t, d.untilDeployed("app-fleet", "ROLLBACK_COMPLETE"), "turn its termination protection off (aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name app-fleet --region eu-west-1 --profile live), delete it",
		"the CDK CLI protects the stack before its first change set runs, and a protected stack cannot be deleted")
	// A rollback that could not delete a bucket holding objects (the first deploy's associations
	// wrote to it) leaves ROLLBACK_FAILED: empty or keep the bucket first.
	assert.Contains(t, d.untilDeployed("app-fleet", "ROLLBACK_FAILED"), "most likely a bucket that holds objects")
	assert.Contains(t, d.untilDeployed("app-fleet", "ROLLBACK_FAILED"), "once it is DELETE_FAILED on the bucket, delete it again keeping the bucket",
		"RetainResources applies to DELETE_FAILED stacks only")
}

// Any call answered with nothing at all (what the CLI prints for an empty answer) is read as an
// empty answer: the run goes on and ends with a table. DescribeStacks answering nothing is a stack
// that is not there.
func TestEveryZeroByteAnswerIsReadAsEmpty(t *testing.T) {
	probe := &fake{t: t, responses: healthy()}
	_, err := Examine(probe, defaultTarget(t), now)
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, call := range probe.calls {
		if seen[call] {
			continue
		}
		seen[call] = true
		responses := healthy()
		responses[call] = "testdata/stack-policy-none.json" // zero bytes
		f := &fake{t: t, responses: responses, lenient: true}
		results, err := Examine(f, defaultTarget(t), now)
		if strings.HasPrefix(call, "cloudformation describe-stacks") {
			assert.ErrorContains(t, err, "is not deployed", call)
			continue
		}
		require.NoError(t, err, call)
		assert.NotEmpty(t, results, call)
		for _, r := range results {
			assert.NotContains(t, r.Evidence, "not the JSON expected", "%s: %s", call, r.Check)
		}
	}
}

// A window whose runs the calendar cannot decide (a rate) is a warning showing what Systems
// Manager lists; a deployed window the configuration lacks is one too.
func TestScheduleTheCalendarCannotDecideIsAWarning(t *testing.T) {
	target := defaultTarget(t)
	require.Equal(t, "privatepatch-weekly", target.Windows[0].Name)
	target.Windows = target.Windows[:1]
	target.Windows[0].Schedule = "rate(7 days)"
	results, err := Examine(&fake{t: t, responses: healthy()}, target, now)
	require.NoError(t, err)
	rows := map[string]Result{}
	for _, r := range results {
		rows[r.Check] = r
	}
	weekly := rows["schedule privatepatch-weekly"]
	assert.Equal(t, Warn, weekly.State)
	assert.Contains(t, weekly.Evidence, "the patch calendar cannot decide its runs")
	assert.Contains(t, weekly.Evidence, "Systems Manager lists 2026-11-29 02:00Z")
	wsus := rows["schedule privatepatch-wsus"]
	assert.Equal(t, Warn, wsus.State)
	assert.Equal(t, "the deployed window is not in the configuration", wsus.Evidence)
}

// TestHooksNeedTheAgentVersionAWSRequires: with hooks, a node whose agent is older than 3.0.502
// fails (AWS-RunPatchBaselineWithHooks does not run there); the same node passes without hooks.
func TestHooksNeedTheAgentVersionAWSRequires(t *testing.T) {
	responses := healthy()
	responses[fleetNodes] = "testdata/describe-instance-information-fleet-hooks-agent.json"
	check := func(hooks bool) Result {
		target := defaultTarget(t)
		target.Hooks = hooks
		results, err := Examine(&fake{t: t, responses: responses}, target, now)
		require.NoError(t, err)
		for _, r := range results {
			if r.Check == "node i-0a1b2c3d4e5f60002" {
				return r
			}
		}
		require.Fail(t, "no row for the node")
		return Result{}
	}
	with := check(true)
	assert.Equal(t, Fail, with.State)
	assert.Contains(t, with.Evidence, "agent 3.0.431.0, last ping 0 h ago; older than 3.0.502, the version AWS-RunPatchBaselineWithHooks needs")
	assert.Contains(t, with.Action, "AWS-UpdateSSMAgent")
	assert.Equal(t, OK, check(false).State, "AWS-RunPatchBaseline runs on 3.0.431.0")
}

// rolloutDeployment is the healthy deployment with the weekly window's failure alarm and its
// Install task's stop alarm (stopOnFailure on), the alarms in the given states and the task as
// recorded.
func rolloutDeployment(alarmsFile, weeklyTasks string) map[string]string {
	r := healthy()
	r["cloudformation list-stack-resources --stack-name privatepatch-patching"] = "testdata/list-stack-resources-patching-rollout.json"
	delete(r, alarms)
	r["cloudwatch describe-alarms --alarm-names privatepatch-patching-privatepatch-weekly-failed privatepatch-patching-wsus-disk privatepatch-patching-wsus-sync"] = alarmsFile
	r["ssm describe-maintenance-window-tasks --window-id mw-0123456789abcdef0"] = weeklyTasks
	r["ssm describe-maintenance-window-tasks --window-id mw-0fedcba9876543210"] = "testdata/window-tasks-wsus.json"
	r[stopAlarmStates] = "testdata/alarms-stop-ok.json"
	return r
}

const stopAlarmStates = "cloudwatch describe-alarms --alarm-types CompositeAlarm --alarm-names privatepatch-patching-privatepatch-weekly-Task1-stop"

func TestARingWaitingOnAFailedWindowSaysWhyAndHowToUnblockIt(t *testing.T) {
	ok := examine(t, rolloutDeployment("testdata/alarms-rollout-ok.json", "testdata/window-tasks-weekly-attached.json"))
	failure := rowOf(t, ok, "alarm privatepatch-patching-privatepatch-weekly-failed")
	assert.Equal(t, OK, failure.State, "INSUFFICIENT_DATA is a window that never failed: %s", failure.Evidence)
	stop := rowOf(t, ok, "stop alarm of task privatepatch-weekly-Task1")
	assert.Equal(t, OK, stop.State, stop.Evidence)
	assert.False(t, Failed(ok))

	// Planted: the window failed, so its alarm is in ALARM.
	waiting := rowOf(t, examine(t, rolloutDeployment("testdata/alarms-rollout-failed.json", "testdata/window-tasks-weekly-attached.json")),
		"alarm privatepatch-patching-privatepatch-weekly-failed")
	assert.Equal(t, Fail, waiting.State)
	assert.Contains(t, waiting.Evidence, "window privatepatch-weekly ended failed, timed out, cancelled or skipped; its Install tasks and the next ring's wait")
	assert.Contains(t, waiting.Action, "aws cloudwatch set-alarm-state --state-value OK --state-reason fixed --alarm-name privatepatch-patching-privatepatch-weekly-failed --region us-west-2")

	// Planted: the task's stop alarm is in ALARM for one of the user's own stopOnAlarms, which has
	// no row of its own: the stop alarm's row says the next Install is held back, and why.
	held := rolloutDeployment("testdata/alarms-rollout-ok.json", "testdata/window-tasks-weekly-attached.json")
	held[stopAlarmStates] = "testdata/alarms-stop-alarm.json"
	stop = rowOf(t, examine(t, held), "stop alarm of task privatepatch-weekly-Task1")
	assert.Equal(t, Warn, stop.State)
	assert.Contains(t, stop.Evidence, "which is in ALARM (arn:aws:cloudwatch:us-west-2:123456789012:alarm:app-error-rate transitioned to ALARM")
	assert.Contains(t, stop.Evidence, "the task's next Install does not run until it is OK")
}

func TestAnInstallTaskWithoutItsStopAlarmFailsWithTheCallThatAttachesIt(t *testing.T) {
	// Planted: the deploy left the task without AlarmConfiguration (CloudFormation cannot set it).
	row := rowOf(t, examine(t, rolloutDeployment("testdata/alarms-rollout-ok.json", "testdata/window-tasks-weekly-unattached.json")),
		"stop alarm of task privatepatch-weekly-Task1")
	assert.Equal(t, Fail, row.State)
	assert.Contains(t, row.Evidence, "stops on no alarm, not privatepatch-patching-privatepatch-weekly-Task1-stop")
	assert.Equal(t, `aws ssm update-maintenance-window-task --window-id mw-0123456789abcdef0 --window-task-id 1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d `+
		`--max-concurrency 25% --max-errors 10% --alarm-configuration '{"Alarms":[{"Name":"privatepatch-patching-privatepatch-weekly-Task1-stop"}],"IgnorePollAlarmFailure":false}' --region us-west-2`, row.Action,
		"the call as the user runs it: in the deployment's region, whatever the shell's default")
}

// make deploy attaches each stop alarm CloudFormation left off (its update of a task removes it),
// with the one call that changes only the alarm, and leaves an attached one alone.
func TestAttachingStopAlarmsUpdatesOnlyTheTasksWithoutTheirAlarm(t *testing.T) {
	attach := "ssm update-maintenance-window-task --window-id mw-0123456789abcdef0 --window-task-id 1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d " +
		`--max-concurrency 25% --max-errors 10% --alarm-configuration {"Alarms":[{"Name":"privatepatch-patching-privatepatch-weekly-Task1-stop"}],"IgnorePollAlarmFailure":false}`
	unattached := rolloutDeployment("testdata/alarms-rollout-ok.json", "testdata/window-tasks-weekly-unattached.json")
	unattached[attach] = "testdata/update-maintenance-window-task.json"
	aws := &fake{t: t, responses: unattached}
	made, err := AttachStopAlarms(aws, defaultTarget(t))
	require.NoError(t, err)
	assert.Equal(t, []string{"aws " + attach}, made)
	assert.Contains(t, aws.calls, attach)
	var operations []string
	for _, c := range aws.calls {
		if f := strings.Fields(c); !slices.Contains(operations, f[0]+" "+f[1]) {
			operations = append(operations, f[0]+" "+f[1])
		}
	}
	assert.ElementsMatch(t, AttachStopAlarmsCalls, operations, "the calls make deploy's credentials are checked for (test/githubsetup_test.go)")
	// The row's printed call is the same call, quoted for a shell.
	row := rowOf(t, examine(t, unattached), "stop alarm of task privatepatch-weekly-Task1")
	assert.Equal(t, "aws "+strings.Replace(attach, "--alarm-configuration {", "--alarm-configuration '{", 1)+"' --region us-west-2", row.Action)

	attached := &fake{t: t, responses: rolloutDeployment("testdata/alarms-rollout-ok.json", "testdata/window-tasks-weekly-attached.json")}
	made, err = AttachStopAlarms(attached, defaultTarget(t))
	require.NoError(t, err)
	assert.Empty(t, made)
	for _, c := range attached.calls {
		assert.NotContains(t, c, "update-maintenance-window-task", "an attached alarm is left alone")
	}
}

// A window with a ScheduleTimezone other than UTC has its times in that zone's offset, minutes
// only ("NextExecutionTime": "2024-03-12T09:00-05:00" for America/Chicago, the AWS CLI's answer in
// turbot/steampipe-plugin-aws#2114; "2020-07-26T00:00+10:00" in
// aws-solutions/instance-scheduler-on-aws#185; read 2026-12-06); UTC ones end in Z (the AWS CLI's
// example of describe-maintenance-window-schedule). A form neither is refused, not misread.
func TestExecutionTimesInEveryFormSystemsManagerPrints(t *testing.T) {
	for text, want := range map[string]string{
		"2020-02-19T16:00Z":         "2020-02-19T16:00:00Z",
		"2024-03-12T09:00-05:00":    "2024-03-12T14:00:00Z",
		"2020-07-26T00:00+10:00":    "2020-07-25T14:00:00Z",
		"2026-11-29T02:00:00Z":      "2026-11-29T02:00:00Z",
		"2026-11-29T02:00:00+01:00": "2026-11-29T01:00:00Z",
	} {
		got, err := parseExecutionTime(text)
		require.NoError(t, err, text)
		assert.Equal(t, want, got.Format(time.RFC3339), text)
	}
	_, err := parseExecutionTime("2024-03-12T09:00[America/Chicago]")
	assert.Error(t, err)
}

// printedCommand is an AWS CLI command with arguments in a row's action: words (a comma inside
// one, Key=a,Values=b, is part of it), or single-quoted JSON, after "aws SERVICE OPERATION", up to
// the prose (a comma and a space, a semicolon, a parenthesis).
var printedCommand = regexp.MustCompile(`aws [a-z0-9]+ [a-z0-9-]+(?: (?:'[^']*'|(?:[^ ,;()']|,[^ ])+))+`)

// commandsNameTheRegion: every command a row tells the user to run names the deployment's
// region (us-west-2 in the recordings), which the user's shell may not have as its default.
func commandsNameTheRegion(t *testing.T, results []Result) {
	t.Helper()
	for _, r := range results {
		for _, command := range printedCommand.FindAllString(r.Action, -1) {
			assert.Contains(t, command, " --region us-west-2", "%s: %s", r.Check, r.Action)
		}
	}
}

func TestThePrintedCommandsCheckFindsACommandWithoutItsRegion(t *testing.T) {
	inner := &testing.T{}
	commandsNameTheRegion(inner, []Result{{Check: "planted", Action: "enable it (aws ssm update-maintenance-window --enabled --window-id mw-1), or make deploy"}})
	assert.True(t, inner.Failed(), "a command without --region is reported")
	found := printedCommand.FindAllString("update: aws ssm send-command --targets Key=InstanceIds,Values=i-1 --region us-west-2, then wait", -1)
	assert.Equal(t, []string{"aws ssm send-command --targets Key=InstanceIds,Values=i-1 --region us-west-2"}, found, "a comma inside an argument")
	found = printedCommand.FindAllString(`then: aws ssm update-maintenance-window-task --window-id mw-1 --alarm-configuration '{"Alarms":[{"Name":"a"}],"X":false}' --region us-west-2`, -1)
	assert.Equal(t, []string{`aws ssm update-maintenance-window-task --window-id mw-1 --alarm-configuration '{"Alarms":[{"Name":"a"}],"X":false}' --region us-west-2`}, found,
		"a quoted JSON argument with commas is one argument")
}

func TestAPrintedCommandNamesTheRegionAndTheProfileTheDoctorUsed(t *testing.T) {
	d := &deployment{aws: CLI{Region: "eu-west-1", Profile: "live"}, region: "eu-west-1"}
	assert.Equal(t, "aws ssm get-maintenance-window --window-id mw-1 --region eu-west-1 --profile live", d.inRegion("aws ssm get-maintenance-window --window-id mw-1"))
	d = &deployment{aws: CLI{}, region: "eu-west-1"}
	assert.Equal(t, "aws ssm get-maintenance-window --window-id mw-1 --region eu-west-1", d.inRegion("aws ssm get-maintenance-window --window-id mw-1"), "the default profile")
}

// A printed command is pasted into a shell: a profile name with a space, a quote or a shell
// character stays one word and expands nothing.
func TestAPrintedCommandQuotesAProfileTheShellWouldSplitOrExpand(t *testing.T) {
	for profile, want := range map[string]string{
		"live":          "--profile live",
		"team/prod-1":   "--profile team/prod-1",
		"my profile":    "--profile 'my profile'",
		"it's":          `--profile 'it'\''s'`,
		"prod;rm -rf ~": "--profile 'prod;rm -rf ~'",
		"$(whoami)":     "--profile '$(whoami)'",
	} {
		d := &deployment{aws: CLI{Region: "eu-west-1", Profile: profile}, region: "eu-west-1"}
		assert.Equal(t, "aws sts get-caller-identity --region eu-west-1 "+want, d.inRegion("aws sts get-caller-identity"), profile)
	}
}

// Where the patching stack switches Inspector on, the Inspector row says whether EC2 scanning is:
// Enable's failedAccounts, or EC2 scanning off, fail it (CloudFormation recorded success either
// way); without the custom resource there is no row.
func TestInspectorRowSaysWhetherEc2ScanningIsOn(t *testing.T) {
	status := "inspector2 batch-get-account-status --account-ids 123456789012"
	for _, tc := range []struct {
		fixture, evidence string
		state             State
	}{
		{"testdata/inspector-status-enabled.json", "account 123456789012: ENABLED, EC2 scanning ENABLED", OK},
		{"testdata/inspector-status-ec2-enabling.json", "EC2 scanning ENABLING (ENABLE_IN_PROGRESS: Amazon Inspector is being enabled for this resource type)", Warn},
		{"testdata/inspector-status-ec2-disabled.json", "EC2 scanning DISABLED (RESOURCE_NOT_FOUND: Amazon Inspector is not enabled for this resource type)", Fail},
		{"testdata/inspector-status-failed.json", "account 123456789012: ACCESS_DENIED: The account is not allowed to enable Amazon Inspector", Fail},
	} {
		responses := healthy()
		responses["cloudformation list-stack-resources --stack-name privatepatch-patching"] = "testdata/list-stack-resources-patching-inspector.json"
		responses[status] = tc.fixture
		results := examine(t, responses)
		row := rowOf(t, results, "Inspector")
		assert.Equal(t, tc.state, row.State, tc.fixture)
		assert.Contains(t, row.Evidence, tc.evidence)
		if tc.state == Fail {
			assert.Contains(t, row.Action, "aws inspector2 enable --resource-types EC2 --region us-west-2")
		}
		commandsNameTheRegion(t, results)
	}
	for _, r := range examine(t, healthy()) {
		assert.NotEqual(t, "Inspector", r.Check, "the default switches Inspector off: no row")
	}
}

// Where the patching stack enables Security Hub standards, a row per standard says whether it is
// READY: one left INCOMPLETE for want of an AWS Config recorder fails, naming the recorder; one
// PENDING waits; one not listed fails. Without standards there is no row.
func TestSecurityHubStandardRowsSayWhetherEachIsReady(t *testing.T) {
	standards := "securityhub get-enabled-standards --standards-subscription-arns " +
		"arn:aws:securityhub:us-west-2:123456789012:subscription/aws-foundational-security-best-practices/v/1.0.0 " +
		"arn:aws:securityhub:us-west-2:123456789012:subscription/nist-800-53/v/5.0.0"
	fsbp, nist := "Security Hub standard aws-foundational-security-best-practices/v/1.0.0", "Security Hub standard nist-800-53/v/5.0.0"
	for _, tc := range []struct {
		fixture, row, evidence, action string
		state                          State
	}{
		{"testdata/enabled-standards-ready.json", fsbp, "READY", "", OK},
		{"testdata/enabled-standards-ready.json", nist, "READY", "", OK},
		{"testdata/enabled-standards-no-recorder.json", fsbp, "INCOMPLETE (NO_AVAILABLE_CONFIGURATION_RECORDER)", "turn on an AWS Config recorder", Fail},
		{"testdata/enabled-standards-no-recorder.json", nist, "READY", "", OK},
		{"testdata/enabled-standards-pending.json", nist, "PENDING", "wait", Warn},
		{"testdata/enabled-standards-one-missing.json", nist, "not enabled: GetEnabledStandards does not list", "deploy the patching stack again", Fail},
	} {
		responses := complianceResponses()
		responses[standards] = tc.fixture
		results := examine(t, responses)
		row := rowOf(t, results, tc.row)
		assert.Equal(t, tc.state, row.State, tc.fixture)
		assert.Contains(t, row.Evidence, tc.evidence, tc.fixture)
		assert.Contains(t, row.Action, tc.action, tc.fixture)
	}
	for _, r := range examine(t, healthy()) {
		assert.NotContains(t, r.Check, "Security Hub", "the default enables no standard: no row")
	}
}

// Where the patching stack has a resource data sync, its row says how the last sync went: a
// Failed one fails with its message and what the sync needs, one that has not run yet waits, one
// not listed (deleted outside CloudFormation) fails; another sync of the account is not ours.
func TestInventorySyncRowSaysHowItsLastSyncWent(t *testing.T) {
	const row = "inventory sync privatepatch-patching-inventory"
	for _, tc := range []struct {
		fixture, evidence, action string
		state                     State
	}{
		{"testdata/resource-data-sync-ok.json", "Successful to s3://privatepatch-ssm-123456789012-us-west-2/inventory: last sync 1 h ago, last successful 1 h ago", "", OK},
		{"testdata/resource-data-sync-failed.json", "Failed to s3://privatepatch-ssm-123456789012-us-west-2/inventory: last sync 1 h ago, last successful never: Access Denied", "statement for ssm.amazonaws.com", Fail},
		{"testdata/resource-data-sync-new.json", "no sync yet", "wait", Warn},
		{"testdata/resource-data-sync-other.json", "not listed by ListResourceDataSync", "deploy the patching stack again", Fail},
	} {
		responses := complianceResponses()
		responses[inventorySyncs] = tc.fixture
		r := rowOf(t, examine(t, responses), row)
		assert.Equal(t, tc.state, r.State, tc.fixture)
		assert.Contains(t, r.Evidence, tc.evidence, tc.fixture)
		assert.Contains(t, r.Action, tc.action, tc.fixture)
	}
	for _, r := range examine(t, healthy()) {
		assert.NotContains(t, r.Check, "inventory sync", "the default has no resource data sync: no row")
	}
}

const (
	inventorySyncs  = "ssm list-resource-data-sync --sync-type SyncToDestination"
	recorders       = "configservice describe-configuration-recorders"
	recorderStatus  = "configservice describe-configuration-recorder-status"
	ruleEvaluations = "configservice describe-config-rule-evaluation-status --config-rule-names " +
		"privatepatch-association-compliance privatepatch-managed-by-ssm privatepatch-patch-compliance"
)

// patchingTemplateWith is the path of the default's deployed patching template with the example's
// resources of these types added, written once per list of types.
func patchingTemplateWith(types ...string) string {
	key := strings.Join(types, ",")
	if path, ok := patchingTemplates.Load(key); ok {
		return path.(string)
	}
	read := func(name string) map[string]any {
		data, err := os.ReadFile(filepath.Join("..", "..", "test", "testdata", name))
		if err != nil {
			panic(err)
		}
		var template map[string]any
		if err := json.Unmarshal(data, &template); err != nil {
			panic(err)
		}
		return template
	}
	template, example := read("default.patching.template.json"), read("example.patching.template.json")
	resources := template["Resources"].(map[string]any)
	for id, r := range example["Resources"].(map[string]any) {
		if slices.Contains(types, r.(map[string]any)["Type"].(string)) {
			resources[id] = r
		}
	}
	data, err := json.Marshal(template)
	if err != nil {
		panic(err)
	}
	dir, err := os.MkdirTemp("", "doctor-compliance")
	if err != nil {
		panic(err)
	}
	path := filepath.Join(dir, "patching.template.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		panic(err)
	}
	patchingTemplates.Store(key, path)
	return path
}

var patchingTemplates sync.Map

// The Config recorder row: recording fails the stack's rules when the account's recorder stopped
// (CloudFormation does not see it); without Config rules or standards there is no row. Each
// rule's row says whether its last evaluation failed, or none has run yet.
func TestConfigRowsSayWhetherTheRulesCanEvaluateAndDid(t *testing.T) {
	responses := complianceResponses()
	results := examine(t, responses)
	assert.Equal(t, OK, rowOf(t, results, "Config recorder").State)
	assert.Contains(t, rowOf(t, results, "Config recorder").Evidence, "records AWS::EC2::Instance, AWS::SSM::AssociationCompliance, AWS::SSM::ManagedInstanceInventory, AWS::SSM::PatchCompliance")
	responses[recorderStatus] = "testdata/config-recorder-status-stopped.json"
	row := rowOf(t, examine(t, responses), "Config recorder")
	assert.Equal(t, Fail, row.State)
	assert.Contains(t, row.Evidence, "no recording configuration recorder of this account and region records AWS::EC2::Instance")
	assert.Contains(t, row.Action, "aws configservice start-configuration-recorder --configuration-recorder-name <name> --region us-west-2")

	// Standards without rules ask for any recording recorder, as make check-update does: one
	// that records other types only passes, a stopped one fails.
	standardsOnly := complianceResponses()
	standardsOnly["cloudformation get-template --stack-name privatepatch-patching --query TemplateBody"] =
		patchingTemplateWith("AWS::SecurityHub::Hub", "AWS::SecurityHub::Standard")
	standardsOnly[recorders] = "testdata/config-recorders-s3-only.json"
	row = rowOf(t, examine(t, standardsOnly), "Config recorder")
	assert.Equal(t, OK, row.State)
	assert.Equal(t, "recording: default", row.Evidence)
	standardsOnly[recorderStatus] = "testdata/config-recorder-status-stopped.json"
	assert.Equal(t, Fail, rowOf(t, examine(t, standardsOnly), "Config recorder").State)
	// With rules, a recorder that leaves their types out fails.
	responses = complianceResponses()
	responses[recorders] = "testdata/config-recorders-s3-only.json"
	row = rowOf(t, examine(t, responses), "Config recorder")
	assert.Equal(t, Fail, row.State)
	assert.Contains(t, row.Evidence, "records AWS::EC2::Instance, AWS::SSM::AssociationCompliance")

	for _, tc := range []struct {
		fixture, row, evidence string
		state                  State
	}{
		{"testdata/config-rule-evaluation-ok.json", "privatepatch-patch-compliance", "last successful evaluation 3 h ago, last failed never", OK},
		{"testdata/config-rule-evaluation-failed.json", "privatepatch-patch-compliance", "last failed 2 h ago: InternalError: a stand-in", Fail},
		{"testdata/config-rule-evaluation-failed.json", "privatepatch-managed-by-ssm", "last failed never", OK},
		{"testdata/config-rule-evaluation-new.json", "privatepatch-managed-by-ssm", "last successful evaluation never", Warn},
	} {
		responses := complianceResponses()
		responses[ruleEvaluations] = tc.fixture
		row := rowOf(t, examine(t, responses), "Config rule "+tc.row)
		assert.Equal(t, tc.state, row.State, tc.fixture)
		assert.Contains(t, row.Evidence, tc.evidence, tc.fixture)
	}
	for _, r := range examine(t, healthy()) {
		assert.NotContains(t, r.Check, "Config", "the default has no Config rule nor standard: no row")
	}
}

// DescribeConfigRuleEvaluationStatus refuses the whole call with NoSuchConfigRuleException when
// one named rule is gone (its errors, AWS Config API Reference / SDK models, read 2026-12-07): the
// rules left are still judged, one call each, and the gone one fails as deleted.
func TestADeletedConfigRuleFailsAndTheOthersAreStillJudged(t *testing.T) {
	noSuchRule := func(args string) error {
		return &CLIError{Args: strings.Fields(args), Err: errors.New("exit status 254"),
			Stderr: "An error occurred (NoSuchConfigRuleException) when calling the DescribeConfigRuleEvaluationStatus operation: " +
				"One or more AWS Config rules in the request are invalid. Verify that the rule names are correct and try again."}
	}
	one := "configservice describe-config-rule-evaluation-status --config-rule-names "
	responses := complianceResponses()
	responses[one+"privatepatch-association-compliance"] = "testdata/config-rule-evaluation-association-only.json"
	responses[one+"privatepatch-patch-compliance"] = "testdata/config-rule-evaluation-patch-failed-only.json"
	f := &fake{t: t, responses: responses, errors: map[string]error{
		ruleEvaluations: noSuchRule(ruleEvaluations), one + "privatepatch-managed-by-ssm": noSuchRule(one + "privatepatch-managed-by-ssm")}}
	results, err := Examine(f, defaultTarget(t), now)
	require.NoError(t, err)
	gone := rowOf(t, results, "Config rule privatepatch-managed-by-ssm")
	assert.Equal(t, Fail, gone.State)
	assert.Contains(t, gone.Evidence, "deleted outside CloudFormation")
	assert.Contains(t, gone.Action, "deploy the patching stack again")
	failing := rowOf(t, results, "Config rule privatepatch-patch-compliance")
	assert.Equal(t, Fail, failing.State, "the planted failed evaluation is still seen")
	assert.Contains(t, failing.Evidence, "InternalError")
	assert.Equal(t, OK, rowOf(t, results, "Config rule privatepatch-association-compliance").State)

	// A stack with a single rule: the refusal already names it, so it is the deleted one.
	only := one + "privatepatch-managed-by-ssm"
	d := &deployment{aws: &fake{t: t, responses: responses, errors: map[string]error{only: noSuchRule(only)}}}
	statuses, err := d.ruleEvaluations([]string{"privatepatch-managed-by-ssm"})
	require.NoError(t, err)
	status, listed := statuses["privatepatch-managed-by-ssm"]
	assert.True(t, listed && status == nil, "the single rule is named deleted")
}

// complianceResponses are healthy() with a patching stack that has Security Hub standards, AWS
// Config rules and a resource data sync (security.securityHub, security.configRules,
// patching.inventory.resourceDataSync), all well.
func complianceResponses() map[string]string {
	r := healthy()
	r["cloudformation list-stack-resources --stack-name privatepatch-patching"] = "testdata/list-stack-resources-patching-compliance.json"
	r["cloudformation get-template --stack-name privatepatch-patching --query TemplateBody"] =
		patchingTemplateWith("AWS::Config::ConfigRule", "AWS::SecurityHub::Hub", "AWS::SecurityHub::Standard")
	r[recorders] = "testdata/config-recorders-all.json"
	r[recorderStatus] = "testdata/config-recorder-status-recording.json"
	r[ruleEvaluations] = "testdata/config-rule-evaluation-ok.json"
	r["securityhub get-enabled-standards --standards-subscription-arns "+
		"arn:aws:securityhub:us-west-2:123456789012:subscription/aws-foundational-security-best-practices/v/1.0.0 "+
		"arn:aws:securityhub:us-west-2:123456789012:subscription/nist-800-53/v/5.0.0"] = "testdata/enabled-standards-ready.json"
	r[inventorySyncs] = "testdata/resource-data-sync-ok.json"
	return r
}

// The CLI prints a JSON template body as an object and a YAML one as a string: an object is read,
// a string holding JSON too, and YAML is refused, not read as an empty template.
func TestATemplateBodyIsReadAsTheCliPrintsIt(t *testing.T) {
	for body, want := range map[string]string{
		`{"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}`:           "AWS::S3::Bucket",
		` "{\"Resources\": {\"Topic\": {\"Type\": \"AWS::SNS::Topic\"}}}"`: "AWS::SNS::Topic",
	} {
		template, err := templateBody([]byte(body))
		require.NoError(t, err, body)
		for _, r := range template["Resources"].(map[string]any) {
			assert.Equal(t, want, r.(map[string]any)["Type"], body)
		}
	}
	_, err := templateBody([]byte(`"Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n"`))
	assert.Error(t, err, "a YAML body")
	_, err = templateBody([]byte("null"))
	assert.EqualError(t, err, "no template body", "TemplateBody absent")
}

// Where the stack makes a baseline its operating system's default (DefaultBaseline), the doctor
// reads the default Systems Manager answers: another one fails, naming the command that registers
// the stack's again; an AWS-style ARN of the stack's baseline is the stack's.
func TestADefaultBaselineSetOutsideTheStackFails(t *testing.T) {
	data, err := os.ReadFile("../../test/testdata/default.patching.template.json")
	require.NoError(t, err)
	var template map[string]any
	require.NoError(t, json.Unmarshal(data, &template))
	baseline := template["Resources"].(map[string]any)["Baselinesprivatepatchwindows49F4305F"].(map[string]any)
	baseline["Properties"].(map[string]any)["DefaultBaseline"] = true
	edited := filepath.Join(t.TempDir(), "patching.template.json")
	data, err = json.Marshal(template)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(edited, data, 0o644))
	defaultBaseline := "ssm get-default-patch-baseline --operating-system WINDOWS"
	for _, tc := range []struct {
		name, group, fallback string
		state                 State
		check, evidence       string
	}{
		{"the stack's default", "testdata/patch-baseline-for-group-windows.json", "testdata/default-patch-baseline-ours.json",
			OK, "patch baselines", "patch group windows: privatepatch-windows (pb-0c1d2e3f4a5b60001); the WINDOWS default: privatepatch-windows (pb-0c1d2e3f4a5b60001)"},
		{"the group's baseline named by ARN", "testdata/patch-baseline-for-group-windows-arn.json", "testdata/default-patch-baseline-ours.json",
			OK, "patch baselines", "patch group windows: privatepatch-windows"},
		{"another default", "testdata/patch-baseline-for-group-windows.json", "testdata/default-patch-baseline-other.json",
			Fail, "default baseline WINDOWS", "the WINDOWS default is pb-0713accee01612345, not the stack's privatepatch-windows (pb-0c1d2e3f4a5b60001)"},
	} {
		responses := healthy()
		responses["cloudformation get-template --stack-name privatepatch-patching --query TemplateBody"] = edited
		responses[windowsBaseline] = tc.group
		responses[defaultBaseline] = tc.fallback
		results := examine(t, responses)
		row := rowOf(t, results, tc.check)
		assert.Equal(t, tc.state, row.State, tc.name)
		assert.Contains(t, row.Evidence, tc.evidence, tc.name)
		if tc.state == Fail {
			assert.Equal(t, "make the stack's the default again: aws ssm register-default-patch-baseline --baseline-id pb-0c1d2e3f4a5b60001 --region us-west-2", row.Action)
		}
		commandsNameTheRegion(t, results)
	}
	for _, r := range examine(t, healthy()) {
		assert.NotEqual(t, "default baseline WINDOWS", r.Check, "the default configuration makes no baseline the default: no read of it")
	}
}

// A patch group that resolves to another baseline: one registered for it outside the stack is
// taken off and the stack's registered again; with none registered (the group deregistered), the
// group resolves to the operating system's default, and only the register command is printed
// (deregistering what is not registered fails).
func TestAPatchGroupOnAnotherBaselineSaysHowToRegisterTheStacksAgain(t *testing.T) {
	defaultBaseline := "ssm get-default-patch-baseline --operating-system WINDOWS"
	register := "aws ssm register-patch-baseline-for-patch-group --baseline-id pb-0c1d2e3f4a5b60001 --patch-group windows --region us-west-2"
	responses := healthy()
	responses[windowsBaseline] = "testdata/patch-baseline-for-group-windows-other.json"
	responses[defaultBaseline] = "testdata/default-patch-baseline-aws.json"
	row := rowOf(t, examine(t, responses), "baseline of patch group windows")
	assert.Equal(t, Fail, row.State)
	assert.Equal(t, "take the other baseline off the group (aws ssm deregister-patch-baseline-for-patch-group --baseline-id pb-0713accee01612345 --patch-group windows --region us-west-2), then register the stack's: "+register, row.Action)

	responses[windowsBaseline] = "testdata/patch-baseline-for-group-windows-default.json"
	row = rowOf(t, examine(t, responses), "baseline of patch group windows")
	assert.Equal(t, Fail, row.State)
	assert.Contains(t, row.Evidence, "(the WINDOWS default: no baseline is registered for the group, so Patch Manager falls back to it)")
	assert.True(t, strings.HasPrefix(row.Action, "register the stack's again: "+register+" (if that answers AlreadyExistsException"), row.Action)

	// GetPatchBaselineForPatchGroup's page does not say whether a group with none registered answers
	// the default (above) or no BaselineId: with none, no empty id is printed, only the register command.
	responses[windowsBaseline] = "testdata/patch-baseline-for-group-windows-none.json"
	row = rowOf(t, examine(t, responses), "baseline of patch group windows")
	assert.Equal(t, Fail, row.State)
	assert.Contains(t, row.Evidence, "Systems Manager resolves no baseline for patch group windows (WINDOWS): none is registered for the group")
	assert.Equal(t, "register the stack's again: "+register, row.Action)
}

// An AWS answer's code is read whatever its form: EC2's have dots, and a dotted code read as no
// answer would make a refused call stop the whole run instead of failing its row.
func TestAnAnswersCodeIsReadWithEc2sDots(t *testing.T) {
	for stderr, want := range map[string]string{
		"An error occurred (InvalidInstanceID.NotFound) when calling the DescribeInstances operation: The instance ID 'i-1' does not exist": "InvalidInstanceID.NotFound",
		"An error occurred (AccessDeniedException) when calling the DescribeInstanceInformation operation: no":                              "AccessDeniedException",
	} {
		code, _, ok := APIError(&CLIError{Args: []string{"ec2", "describe-instances"}, Stderr: stderr, Err: errors.New("exit status 254")})
		assert.True(t, ok, stderr)
		assert.Equal(t, want, code)
	}
	_, _, ok := APIError(&CLIError{Args: []string{"ec2"}, Stderr: "Could not connect to the endpoint URL", Err: errors.New("exit status 255")})
	assert.False(t, ok, "no answer of an API")
}

// The review of session 19's finding 1: Amazon Inspector's own inventory association beside the
// deployment's. Deleted alone, Inspector makes it again while no association targets
// InstanceIds *; once the deployment's does (patching.inventory.allNodes), Inspector uses that.
func TestInspectorsInventoryAssociationBesideTheFleetsSaysHowToKeepOne(t *testing.T) {
	for _, tc := range []struct{ fixture, action string }{
		{"testdata/associations-inventory-inspector.json", "set patching.inventory.allNodes: true and deploy (Inspector uses an InstanceIds * inventory association instead of making its own), " +
			"then delete Amazon Inspector's (aws ssm delete-association --association-id 4d1e9a2b-6c3f-4b8a-9d0e-1f2a3b4c5d6e --region us-west-2)"},
		{"testdata/associations-inventory-inspector-all-nodes.json", "delete Amazon Inspector's (aws ssm delete-association --association-id 4d1e9a2b-6c3f-4b8a-9d0e-1f2a3b4c5d6e --region us-west-2): " +
			"it was made before this deployment's, which targets InstanceIds *"},
	} {
		responses := healthy()
		responses[associations] = tc.fixture
		row := rowOf(t, examine(t, responses), "other inventory")
		assert.Equal(t, Fail, row.State, tc.fixture)
		assert.Contains(t, row.Evidence, "4d1e9a2b-6c3f-4b8a-9d0e-1f2a3b4c5d6e (InspectorInventoryCollection-do-not-delete, AWS-GatherSoftwareInventory)", tc.fixture)
		assert.Contains(t, row.Action, tc.action, tc.fixture)
	}
	responses := healthy()
	responses[associations] = "testdata/associations-inventory-global.json"
	row := rowOf(t, examine(t, responses), "other inventory")
	assert.Equal(t, "keep one: delete or narrow them, or set patching.inventory.enabled false and let them collect", row.Action, "another's all-nodes association")
}
