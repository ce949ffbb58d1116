package doctor

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
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
}

func (f *fake) JSON(args ...string) ([]byte, error) {
	key := strings.Join(args, " ")
	f.calls = append(f.calls, key)
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
	if !ok {
		f.t.Errorf("unexpected command: aws %s", key)
		return nil, fmt.Errorf("no recorded response")
	}
	return os.ReadFile(file)
}

const (
	fleetNodes      = `ssm describe-instance-information --filters [{"Key":"tag:privatepatch:fleet","Values":["privatepatch"]}]`
	wsusNode        = `ssm describe-instance-information --filters [{"Key":"InstanceIds","Values":["i-0e5d4c3b2a1f09876"]}]`
	fleetInstances  = `ec2 describe-instances --filters [{"Name":"tag:privatepatch:fleet","Values":["privatepatch"]},{"Name":"instance-state-name","Values":["running"]}]`
	setupExecutions = "ssm describe-association-executions --association-id 3f1a9c2e-5b7d-4e21-9a0c-1d2e3f4a5b6c"
	clientTargets   = "ssm describe-association-execution-targets --association-id 5b3c1e4a-7d9f-4a43-9c2e-3f4a5b6c7d8e --execution-id a1b2c3d4-1111-4e5f-8a9b-0c1d2e3f4a5b"
	metricWindow    = " --dimensions Name=InstanceId,Value=i-0e5d4c3b2a1f09876 --start-time 2026-11-27T09:00:00Z --end-time 2026-11-27T12:00:00Z --period 1800 --statistics "
	syncMetric      = "cloudwatch get-metric-statistics --namespace privatepatch/WSUS/privatepatch --metric-name LastSyncSucceeded" + metricWindow + "Minimum"
	hoursMetric     = "cloudwatch get-metric-statistics --namespace privatepatch/WSUS/privatepatch --metric-name HoursSinceLastSync" + metricWindow + "Maximum"
	windowsStates   = "ssm describe-instance-patch-states-for-patch-group --patch-group windows"
	weeklyRuns      = "ssm describe-maintenance-window-executions --window-id mw-0123456789abcdef0"
	alarms          = "cloudwatch describe-alarms --alarm-names privatepatch-patching-wsus-disk privatepatch-patching-wsus-sync"
	s3Entries       = "ec2 get-managed-prefix-list-entries --prefix-list-id pl-68a54001"
	associations    = "ssm list-associations"
	windowsForNodes = `ssm describe-maintenance-windows-for-target --resource-type INSTANCE --targets [{"Key":"InstanceIds","Values":["i-0a1b2c3d4e5f60001","i-0a1b2c3d4e5f60002","i-0e5d4c3b2a1f09876"]}]`
)

// healthy is a deployment of the default configuration where everything works.
func healthy() map[string]string {
	r := map[string]string{
		fleetNodes:      "testdata/describe-instance-information-fleet.json",
		wsusNode:        "testdata/describe-instance-information-wsus.json",
		fleetInstances:  "testdata/describe-instances-fleet.json",
		setupExecutions: "testdata/association-executions-setup.json",
		"ssm describe-association-executions --association-id 5b3c1e4a-7d9f-4a43-9c2e-3f4a5b6c7d8e": "testdata/association-executions-client.json",
		clientTargets: "testdata/association-execution-targets-client.json",
		syncMetric:    "testdata/metric-synced.json",
		hoursMetric:   "testdata/metric-hours.json",
		windowsStates: "testdata/patch-states-windows.json",
		"ssm describe-instance-patch-states-for-patch-group --patch-group wsus": "testdata/patch-states-wsus.json",
		weeklyRuns: "testdata/window-executions-weekly.json",
		"ssm describe-maintenance-window-executions --window-id mw-0fedcba9876543210": "testdata/window-executions-wsus.json",
		alarms: "testdata/alarms-ok.json",
		`ssm describe-maintenance-windows-for-target --resource-type INSTANCE --targets [{"Key":"tag:privatepatch:fleet","Values":["privatepatch"]}]`: "testdata/windows-for-target-none.json",
		windowsForNodes: "testdata/windows-for-target-nodes.json",
		`ssm describe-maintenance-windows-for-target --resource-type INSTANCE --targets [{"Key":"tag:Patch Group","Values":["windows","wsus"]}]`: "testdata/windows-for-target-ours.json",
		`ssm describe-maintenance-windows-for-target --resource-type INSTANCE --targets [{"Key":"tag:PatchGroup","Values":["windows","wsus"]}]`:  "testdata/windows-for-target-none.json",
		"ssm describe-maintenance-window-tasks --window-id mw-0b1b2b3b4b5b6b7b8":                                                                 "testdata/window-tasks-backup.json",
		"cloudformation get-template --stack-name privatepatch-patching --query TemplateBody":                                                    "../test/testdata/default.patching.template.json",
		"cloudformation get-template --stack-name privatepatch-network --query TemplateBody":                                                     "../test/testdata/default.network.template.json",
		`ec2 describe-managed-prefix-lists --filters [{"Name":"prefix-list-name","Values":["com.amazonaws.us-west-2.s3"]}]`:                      "testdata/prefix-lists-s3.json",
		s3Entries:    "../s3drift/testdata/entries-in-sync.json",
		associations: "testdata/associations.json",
	}
	for _, s := range []string{"network", "fleet", "patching"} {
		r["cloudformation describe-stacks --stack-name privatepatch-"+s] = "testdata/describe-stacks-" + s + ".json"
		r["cloudformation list-stack-resources --stack-name privatepatch-"+s] = "testdata/list-stack-resources-" + s + ".json"
		r["cloudformation get-stack-policy --stack-name privatepatch-"+s] = "testdata/stack-policy.json"
	}
	return r
}

func defaultTarget(t *testing.T) Target {
	cfg, err := config.LoadFile("../test/testdata/fixtures/default.yaml")
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
	for _, want := range []string{"node i-0a1b2c3d4e5f60001", "node i-0a1b2c3d4e5f60002", "node i-0e5d4c3b2a1f09876 (WSUS)", "WSUS setup",
		"WSUS synchronisation", "WSUS client on i-0a1b2c3d4e5f60002", "patch group windows", "patch group wsus", "window privatepatch-weekly (mw-0123456789abcdef0)",
		"window privatepatch-wsus (mw-0fedcba9876543210)", "alarm privatepatch-patching-wsus-sync", "S3 prefix list", "other patching", "data protection"} {
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
		{"tagged instance is not managed", map[string]string{fleetInstances: "testdata/describe-instances-fleet-unmanaged.json"},
			"node i-0a1b2c3d4e5f60003", Fail, "not a managed node"},
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
		{"patches failed to install", map[string]string{windowsStates: "testdata/patch-states-windows-failed.json"},
			"patch group windows", Fail, "missing 2, failed 2"},
		{"patch group never scanned", map[string]string{windowsStates: "testdata/patch-states-none.json"},
			"patch group windows", Warn, "no node of the group has reported a scan"},
		{"window failed", map[string]string{weeklyRuns: "testdata/window-executions-weekly-failed.json",
			"ssm describe-maintenance-window-execution-tasks --window-execution-id d4e5f6a7-6666-4c8d-9e0f-2a3b4c5d6e7f": "testdata/window-execution-tasks-failed.json"},
			"window privatepatch-weekly (mw-0123456789abcdef0)", Fail, "AWS-RunPatchBaseline FAILED: The maximum error threshold was reached"},
		{"alarm in ALARM", map[string]string{alarms: "testdata/alarms-sync-alarm.json"},
			"alarm privatepatch-patching-wsus-sync", Fail, "ALARM: Threshold Crossed"},
		{"S3 prefix list drifted", map[string]string{s3Entries: "../s3drift/testdata/entries-drifted.json"},
			"S3 prefix list", Fail, "lack 198.51.100.0/24"},
		{"Quick Setup patch policy on every instance", map[string]string{associations: "testdata/associations-quick-setup.json"},
			"other patching", Fail, "AWS-QuickSetup-PatchPolicy-ScanForPatches-LA-k2x9q"},
		{"another association on a patch group", map[string]string{associations: "testdata/associations-patch-group.json"},
			"other patching", Fail, "legacy-install"},
		{"another maintenance window patching the same nodes", map[string]string{windowsForNodes: "testdata/windows-for-target-nodes-legacy.json",
			"ssm describe-maintenance-window-tasks --window-id mw-0c1c2c3c4c5c6c7c8": "testdata/window-tasks-legacy.json"},
			"other patching", Fail, "maintenance window mw-0c1c2c3c4c5c6c7c8 (legacy-patching, AWS-RunPatchBaseline)"},
		{"another association on a resource group", map[string]string{associations: "testdata/associations-resource-group.json"},
			"other patching", Warn, "finance-scan"},
		{"the VPC's own S3 endpoint", map[string]string{"cloudformation get-template --stack-name privatepatch-network --query TemplateBody": "../test/testdata/existing-vpc-hub.network.template.json"},
			"S3 endpoint policy", Warn, "creates no S3 endpoint: the VPC's own serves the fleet"},
		{"stack without protection", map[string]string{"cloudformation get-stack-policy --stack-name privatepatch-fleet": "testdata/stack-policy-none.json",
			"cloudformation describe-stacks --stack-name privatepatch-patching": "testdata/describe-stacks-patching-unprotected.json"},
			"data protection", Warn, "privatepatch-fleet: no stack policy protecting its data; privatepatch-patching: no termination protection"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			responses := healthy()
			maps.Copy(responses, tc.override)
			results := examine(t, responses)
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
		PatchGroupTagKeys: config.PatchGroupTagKeys, WsusEnabled: true, HealthNamespace: "privatepatch/WSUS/pp-test"}, targets[0])
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
