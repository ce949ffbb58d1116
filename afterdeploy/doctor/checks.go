package doctor

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/privatepatch/privatepatch/constructs/awsbuckets"
	"github.com/privatepatch/privatepatch/constructs/compliance/compliancespec"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/ssmschedule"
	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
	"github.com/privatepatch/privatepatch/proof/cfnupdate"
	"github.com/privatepatch/privatepatch/proof/netpath"
	"github.com/privatepatch/privatepatch/proof/s3drift"
)

// The WSUS health metrics the health association publishes every 30 minutes, dimension
// InstanceId, in the deployment's namespace (wsusspec, CDK-free: the construct publishes and the
// alarm judges the same names and numbers); TestHealthMetricNamesAreTheDeployedAlarms also checks
// them against the golden template's wsus-sync-failed and wsus-sync-stale alarms.
const (
	healthNamespace          = wsusspec.HealthNamespace
	metricLastSyncSucceeded  = wsusspec.MetricLastSyncSucceeded
	metricHoursSinceLastSync = wsusspec.MetricHoursSinceLastSync
	neverSynchronised        = wsusspec.NeverSynchronisedHours
	staleSyncHours           = wsusspec.StaleSyncHours
)

// Logical id prefixes (construct paths) of the fleet stack's WSUS associations: construct ids
// are part of the contract (README, Layout), and TestAssociationPrefixesMatchTheGoldenTemplate
// checks them.
const (
	wsusSetupAssociation  = "WsusSetupAssociation"
	wsusClientAssociation = "WsusClientAssociation"
	wsusHealthAssociation = "WsusHealthAssociation"
)

// patchDocuments: patchingspec.PatchDocuments.
var patchDocuments = patchingspec.PatchDocuments

// patchDocument says whether a task's or association's document writes patch compliance. A
// window's task names it by "name or ARN" (MaintenanceWindowTask.TaskArn, botocore 1.43.11's ssm
// model), an AWS-owned document's ARN without an account ID ("arn:aws:ssm:us-east-2::document/
// AWS-RunPatchBaseline", "How AWS Systems Manager works with IAM", read 2026-12-07): the name is
// what follows document/.
func patchDocument(nameOrArn string) bool {
	if strings.HasPrefix(nameOrArn, "arn:") {
		if _, name, ok := strings.Cut(nameOrArn, ":document/"); ok {
			nameOrArn = name
		}
	}
	return slices.Contains(patchDocuments, nameOrArn)
}

// quickSetupPatchPolicyPrefix starts the names of the State Manager associations a Quick Setup
// patch policy creates ("find the association starting with AWS-QuickSetup-PatchPolicy-
// ScanForPatches-LA-", AWS Systems Manager patching workshop; the policy's roles and stack sets
// are named AWS-QuickSetup-PatchPolicy-* too, AWSQuickSetupPatchPolicyDeploymentRolePolicy).
const quickSetupPatchPolicyPrefix = "AWS-QuickSetup-PatchPolicy-"

type node struct {
	InstanceId       string `json:"InstanceId"`
	PingStatus       string `json:"PingStatus"`
	AgentVersion     string `json:"AgentVersion"`
	LastPingDateTime Time   `json:"LastPingDateTime"`
	ResourceType     string `json:"ResourceType"`
	ComputerName     string `json:"ComputerName"`
}

func jsonFilter(key, keyName string, values ...string) string {
	data, _ := json.Marshal([]map[string]any{{key: keyName, "Values": values}})
	return string(data)
}

// describeNodes reads managed nodes by an InstanceInformationStringFilter (DescribeInstanceInformation).
func (d *deployment) describeNodes(filterKey string, values ...string) ([]node, error) {
	var out struct {
		InstanceInformationList []node `json:"InstanceInformationList"`
	}
	err := d.call(&out, "ssm", "describe-instance-information", "--filters", jsonFilter("Key", filterKey, values...))
	return out.InstanceInformationList, err
}

const agentAction = "start the instance; check its instance profile (AmazonSSMManagedInstanceCore), the ssm, ec2messages and ssmmessages endpoints and the private security group (make verify prints the flows)"

// instance is what DescribeInstances says of a fleet instance (Instance: InstanceId, State {Code,
// Name: pending | running | shutting-down | terminated | stopping | stopped}, IamInstanceProfile
// {Arn, Id}, Tags, Amazon EC2 API Reference).
type instance struct {
	InstanceId string `json:"InstanceId"`
	State      struct {
		Name string `json:"Name"`
	} `json:"State"`
	IamInstanceProfile *struct {
		Arn string `json:"Arn"`
	} `json:"IamInstanceProfile"`
	Tags []struct {
		Key   string `json:"Key"`
		Value string `json:"Value"`
	} `json:"Tags"`
}

// checkNodes: every running instance with the fleet tag, every node (hybrid included) with it,
// and the WSUS server are managed and Online; a stopped one is a warning (a stopped instance's
// agent does not ping, and only a window that starts it patches it), read from EC2, as Systems
// Manager lists no stopped node ("This operation does not return information for nodes that are
// either Stopped or Terminated", DescribeInstanceInformation, botocore 1.43.11's ssm model); a
// fleet with no instance and no node at all is a warning whatever else the deployment runs.
func (d *deployment) checkNodes() ([]Result, error) {
	tag := d.t.FleetTagKey + "=" + d.t.FleetTagValue
	managed, err := d.describeNodes("tag:"+d.t.FleetTagKey, d.t.FleetTagValue)
	if err != nil {
		return nil, err
	}
	d.nodes = map[string]node{}
	for _, n := range managed {
		d.nodes[n.InstanceId] = n
	}
	var reservations struct {
		Reservations []struct {
			Instances []instance `json:"Instances"`
		} `json:"Reservations"`
	}
	filters, _ := json.Marshal([]map[string]any{{"Name": "tag:" + d.t.FleetTagKey, "Values": []string{d.t.FleetTagValue}},
		{"Name": "instance-state-name", "Values": []string{"running", "stopping", "stopped"}}})
	var results []Result
	instancesErr := d.call(&reservations, "ec2", "describe-instances", "--filters", string(filters))
	if instancesErr != nil {
		results = append(results, couldNotCheck("node (instances with "+tag+")", instancesErr))
	}
	d.instances = map[string]instance{}
	for _, r := range reservations.Reservations {
		for _, i := range r.Instances {
			d.instances[i.InstanceId] = i
			if _, ok := d.nodes[i.InstanceId]; ok {
				continue
			}
			if i.State.Name == "running" {
				results = append(results, d.unmanagedResult(i))
			} else {
				results = append(results, stoppedResult("node "+i.InstanceId, i.State.Name, "Systems Manager lists no stopped node"))
			}
		}
	}
	if wsus := d.fleet.Outputs["WsusInstanceId"]; wsus != "" {
		results = append(results, d.wsusNodeResults(wsus)...)
	}
	for _, id := range slices.Sorted(maps.Keys(d.nodes)) {
		results = append(results, d.nodeResult(d.nodes[id], ""))
	}
	if len(d.nodes) == 0 && len(d.instances) == 0 && instancesErr == nil {
		results = append(results, Result{Check: "fleet nodes", State: Warn, Evidence: "no instance or node carries " + tag + ": nothing is patched",
			Action: "tag your instances " + tag + " (and a patch group), or add fleet.instanceGroups"})
	}
	return results, nil
}

// wsusNodeResults are the WSUS server's row: Systems Manager's view, or EC2's when it lists none.
func (d *deployment) wsusNodeResults(wsus string) []Result {
	server, err := d.describeNodes("InstanceIds", wsus)
	code, _, _ := APIError(err)
	switch {
	// "If you specify a node ID that isn't valid ..., you receive an error" (DescribeInstanceInformation,
	// read 2026-12-07): whether a stopped one is such, no page says; EC2's state tells either way.
	case code == "InvalidInstanceId":
		return []Result{d.unlistedWsusResult(wsus)}
	case err != nil:
		return []Result{couldNotCheck("node "+wsus+" (WSUS)", err)}
	case len(server) == 0:
		return []Result{d.unlistedWsusResult(wsus)}
	}
	var results []Result
	for _, n := range server {
		results = append(results, d.nodeResult(n, " (WSUS)"))
	}
	return results
}

// unmanagedResult is a running fleet instance that is not a managed node, with its likely cause.
func (d *deployment) unmanagedResult(i instance) Result {
	r := Result{Check: "node " + i.InstanceId, State: Fail,
		Evidence: "running with tag " + d.t.FleetTagKey + "=" + d.t.FleetTagValue + " but not a managed node (SSM Agent never registered)"}
	r.Evidence, r.Action = d.diagnose(i.InstanceId, r.Evidence)
	return r
}

// unlistedWsusResult is the WSUS server when Systems Manager does not list it: stopped (it lists
// no stopped node), which fails every client's scan, or not a managed node. Its state is EC2's
// (DescribeInstances by id).
func (d *deployment) unlistedWsusResult(id string) Result {
	r := Result{Check: "node " + id + " (WSUS)", State: Fail, Evidence: "not a managed node", Action: agentAction}
	var out struct {
		Reservations []struct {
			Instances []instance `json:"Instances"`
		} `json:"Reservations"`
	}
	err := d.call(&out, "ec2", "describe-instances", "--instance-ids", id)
	if code, _, _ := APIError(err); code == "InvalidInstanceID.NotFound" {
		// A terminated instance leaves EC2's answers ("usually less than one hour", DescribeInstances, read 2026-12-07).
		r.Evidence = "EC2 has no such instance (InvalidInstanceID.NotFound): terminated or gone, the fleet has no WSUS server"
		r.Action = wsusGoneAction
		return r
	} else if err != nil {
		r.Evidence += fmt.Sprintf(" (its EC2 state could not be read: %v)", err)
		return r
	}
	for _, res := range out.Reservations {
		for _, i := range res.Instances {
			switch state := i.State.Name; state {
			case "stopped", "stopping":
				r.Evidence = fmt.Sprintf("the instance is %s: the fleet's scans and installs fail while WSUS is down", state)
				r.Action = "start it: " + d.inRegion("aws ec2 start-instances --instance-ids "+id)
			case "pending":
				r.State, r.Evidence = Warn, "the instance is starting (pending): Systems Manager lists it once its agent registers"
				r.Action = "wait a few minutes and run make doctor again"
			case "shutting-down", "terminated":
				r.Evidence = fmt.Sprintf("the instance is %s: the fleet has no WSUS server", state)
				r.Action = wsusGoneAction
			}
		}
	}
	return r
}

const wsusGoneAction = "deploy the fleet stack again (make deploy) to replace it; find what terminated it (CloudTrail TerminateInstances)"

// stoppedResult is a fleet instance that is stopped or stopping: a warning, not a failure of the
// deployment (instance schedulers and start-stopped windows leave instances stopped).
func stoppedResult(check, state, evidence string) Result {
	return Result{Check: check, State: Warn, Evidence: fmt.Sprintf("the instance is %s (%s)", state, evidence),
		Action: "a stopped node misses its windows' installs unless the window starts it (patching.startStopped); start it, or leave it stopped on purpose"}
}

// nodeResult judges one node by its PingStatus: Online | ConnectionLost | Inactive (deprecated)
// (InstanceInformationStringFilter, Systems Manager API Reference, read 2026-11-27), and its
// agent's version against what the deployment uses.
func (d *deployment) nodeResult(n node, what string) Result {
	r := Result{Check: "node " + n.InstanceId + what,
		Evidence: fmt.Sprintf("%s, agent %s, last ping %s", n.PingStatus, n.AgentVersion, ago(d.now, n.LastPingDateTime.Time))}
	switch state := d.instances[n.InstanceId].State.Name; {
	case n.PingStatus != "Online" && (state == "stopped" || state == "stopping"):
		return stoppedResult(r.Check, state, r.Evidence)
	case n.PingStatus != "Online":
		r.State = Fail
		r.Evidence, r.Action = d.diagnose(n.InstanceId, r.Evidence)
	case d.t.Hooks && versionBefore(n.AgentVersion, patchingspec.HooksMinAgentVersion):
		// The wrapper fails on such a node: the window's install does not run there.
		r.State = Fail
		r.Evidence += fmt.Sprintf("; older than %s, the version %s needs (%s)", patchingspec.HooksMinAgentVersion,
			patchingspec.RunPatchBaselineWithHooksDocument, patchingspec.HooksPage)
		r.Action = "update SSM Agent before the window runs: " + d.inRegion("aws ssm send-command --document-name AWS-UpdateSSMAgent --targets Key=InstanceIds,Values="+n.InstanceId)
	case versionBefore(n.AgentVersion, minimumAgentForRunPatchBaseline):
		r.State = Warn
		r.Evidence += fmt.Sprintf("; older than %s, the version %s needs", minimumAgentForRunPatchBaseline, patchingspec.RunPatchBaselineDocument)
		r.Action = "update SSM Agent: " + d.inRegion("aws ssm send-command --document-name AWS-UpdateSSMAgent --targets Key=InstanceIds,Values="+n.InstanceId)
	default:
		r.State = OK
	}
	return r
}

// minimumAgentForRunPatchBaseline: "Version 2.0.834.0 or later of SSM Agent is required in order to
// use the AWS-RunPatchBaseline document" ("SSM Command document for patching: AWS-RunPatchBaseline",
// Systems Manager User Guide, read 2026-12-06). Every window, scan and make patch-now runs it.
const minimumAgentForRunPatchBaseline = "2.0.834.0"

// versionBefore compares dotted versions numerically; an unreadable version is not judged.
func versionBefore(version, minimum string) bool {
	a, b := strings.Split(version, "."), strings.Split(minimum, ".")
	for i := range max(len(a), len(b)) {
		var x, y int
		if i < len(a) {
			if _, err := fmt.Sscan(a[i], &x); err != nil {
				return false
			}
		}
		if i < len(b) {
			fmt.Sscan(b[i], &y)
		}
		if x != y {
			return x < y
		}
	}
	return false
}

// troubleshootRunbook is AWS Support's runbook that finds why an EC2 instance is not a managed
// node or lost its connection (AWSSupport-TroubleshootManagedInstance: "Troubleshooting managed
// node issues in Systems Manager with SAW", AWS re:Post and AWS China blog, read 2026-12-06).
const troubleshootRunbook = "AWSSupport-TroubleshootManagedInstance"

// ssmCliDiagnostics runs on the node itself and checks what SSM Agent needs to reach
// ("Troubleshooting managed node availability", Systems Manager User Guide, read 2026-12-06).
const ssmCliDiagnostics = `ssm-cli get-diagnostics ("C:\Program Files\Amazon\SSM\ssm-cli.exe" get-diagnostics --output table on Windows)`

// diagnose names an unmanaged or lost node's likely cause and the next step. An EC2 instance
// needs an instance profile, or Default Host Management Configuration (the account's
// /ssm/managed-instance/default-ec2-instance-management-role setting naming a role), to register
// ("Troubleshooting managed node availability", Systems Manager User Guide; the setting's value
// is an IAM role's name once configured: UpdateServiceSetting, Systems Manager API Reference,
// read 2026-12-06; Status Default before).
func (d *deployment) diagnose(id, evidence string) (string, string) {
	step := fmt.Sprintf("%s names the cause; on the node, %s",
		d.inRegion(fmt.Sprintf("aws ssm start-automation-execution --document-name %s --parameters InstanceId=%s", troubleshootRunbook, id)), ssmCliDiagnostics)
	if strings.HasPrefix(id, "mi-") {
		return evidence, "a hybrid node: on it, " + ssmCliDiagnostics + "; check its activation and the endpoints it reaches"
	}
	i, known := d.instances[id]
	if !known || i.IamInstanceProfile != nil {
		return evidence, step + "; " + agentAction
	}
	switch on, err := d.defaultHostManagement(); {
	case err != nil:
		evidence += "; likely cause: no instance profile (whether Default Host Management Configuration is on is unknown: " + Permission([]string{"ssm", "get-service-setting"}, err) + " failed)"
	case on:
		evidence += "; no instance profile, and Default Host Management Configuration is on: check IMDSv2 and the agent's version"
	default:
		evidence += "; likely cause: no instance profile, and Default Host Management Configuration is off"
		return evidence, "attach an instance profile with AmazonSSMManagedInstanceCore (fleet.instanceGroups get one), or turn on Default Host Management Configuration; " + step
	}
	return evidence, step
}

// defaultHostManagement tells whether Default Host Management Configuration is on (GetServiceSetting), read once.
func (d *deployment) defaultHostManagement() (bool, error) {
	if d.dhmc == nil {
		var out struct {
			ServiceSetting struct {
				SettingValue string `json:"SettingValue"`
				Status       string `json:"Status"`
			} `json:"ServiceSetting"`
		}
		err := d.call(&out, "ssm", "get-service-setting", "--setting-id", "/ssm/managed-instance/default-ec2-instance-management-role")
		on := out.ServiceSetting.Status != "Default" && out.ServiceSetting.SettingValue != "" && out.ServiceSetting.SettingValue != "$None"
		d.dhmc = &dhmcState{on: on, err: err}
	}
	return d.dhmc.on, d.dhmc.err
}

type dhmcState struct {
	on  bool
	err error
}

type associationExecution struct {
	ExecutionId           string `json:"ExecutionId"`
	Status                string `json:"Status"`
	DetailedStatus        string `json:"DetailedStatus"`
	CreatedTime           Time   `json:"CreatedTime"`
	ResourceCountByStatus string `json:"ResourceCountByStatus"`
}

// lastExecution is an association's newest execution (DescribeAssociationExecutions), nil
// before the first.
func (d *deployment) lastExecution(id string) (*associationExecution, error) {
	executions, err := d.executions(id)
	if err != nil || len(executions) == 0 {
		return nil, err
	}
	return &executions[0], nil
}

// executions are an association's executions, newest first (DescribeAssociationExecutions).
func (d *deployment) executions(id string) ([]associationExecution, error) {
	var out struct {
		AssociationExecutions []associationExecution `json:"AssociationExecutions"`
	}
	if err := d.call(&out, "ssm", "describe-association-executions", "--association-id", id); err != nil {
		return nil, err
	}
	sort.Slice(out.AssociationExecutions, func(i, j int) bool {
		return out.AssociationExecutions[i].CreatedTime.After(out.AssociationExecutions[j].CreatedTime.Time)
	})
	return out.AssociationExecutions, nil
}

// fleetAssociationRun is the executions, newest first, of the fleet stack's association whose
// logical id starts with prefix, and its id; without one (none in the stack, or none run yet)
// they are empty and early holds the row that says so.
func (d *deployment) fleetAssociationRun(check, prefix, wait string) (id string, runs []associationExecution, early []Result, err error) {
	ids := d.fleet.physical("AWS::SSM::Association", prefix)
	if len(ids) == 0 {
		return "", nil, []Result{{Check: check, State: Fail, Evidence: "the fleet stack has no " + check + " association", Action: "make deploy"}}, nil
	}
	if runs, err = d.executions(ids[0]); err != nil || len(runs) > 0 {
		return ids[0], runs, nil, err
	}
	return ids[0], nil, []Result{{Check: check, State: Warn, Evidence: "association " + ids[0] + " has not run yet", Action: wait}}, nil
}

// associationState judges an association execution's Status (AssociationExecution, Systems
// Manager API Reference, read 2026-11-27: the association's overall status is "Pending, Success,
// or Failed", per AssociationOverview). TimedOut, which the API reference does not list for it, is
// taken as failed should an execution report it: a run that did not finish did not succeed.
func associationState(status string) State {
	switch status {
	case "Success":
		return OK
	case "Failed", "TimedOut":
		return Fail
	}
	return Warn
}

func (d *deployment) checkWsusSetup() ([]Result, error) {
	if !d.t.WsusEnabled {
		return nil, nil
	}
	id, runs, early, err := d.fleetAssociationRun("WSUS setup", wsusSetupAssociation, "wait: it runs when created and daily")
	if len(runs) == 0 {
		return early, err
	}
	last := &runs[0]
	r := Result{Check: "WSUS setup", State: associationState(last.Status),
		Evidence: fmt.Sprintf("last run %s: %s (%s)", ago(d.now, last.CreatedTime.Time), last.Status, last.DetailedStatus)}
	if r.State == Fail {
		r.Action = fmt.Sprintf("read its output under s3://%s/wsus-setup/ (or the association's execution history), fix, then %s",
			d.fleet.Outputs["CommandOutputBucket"], d.inRegion("aws ssm start-associations-once --association-ids "+id))
	}
	err = d.ageWarning(&r, last.CreatedTime.Time, d.t.Fleet, wsusSetupAssociation)
	return []Result{r}, err
}

// latestDatapoint is the newest datapoint of one statistic over the last three hours
// (GetMetricStatistics: Datapoints with Timestamp and the statistic asked for).
func (d *deployment) latestDatapoint(instance, metric, statistic string) (float64, time.Time, bool, error) {
	var out struct {
		Datapoints []map[string]json.RawMessage `json:"Datapoints"`
	}
	err := d.call(&out, "cloudwatch", "get-metric-statistics", "--namespace", d.t.HealthNamespace, "--metric-name", metric,
		"--dimensions", "Name=InstanceId,Value="+instance,
		"--start-time", d.now.Add(-3*time.Hour).UTC().Format(time.RFC3339), "--end-time", d.now.UTC().Format(time.RFC3339),
		"--period", "1800", "--statistics", statistic)
	if err != nil {
		return 0, time.Time{}, false, err
	}
	var value float64
	var newest time.Time
	found := false
	for _, p := range out.Datapoints {
		var ts Time
		var v float64
		if json.Unmarshal(p["Timestamp"], &ts) != nil || json.Unmarshal(p[statistic], &v) != nil {
			return 0, time.Time{}, false, fmt.Errorf("get-metric-statistics %s: a datapoint without Timestamp or %s", metric, statistic)
		}
		if !found || ts.After(newest) {
			value, newest, found = v, ts.Time, true
		}
	}
	return value, newest, found, nil
}

// checkWsusSync reads the last synchronisation from the health metrics rather than the setup
// association's output: the health association publishes what WSUS itself reports
// (GetLastSynchronizationInfo) every 30 minutes, and the wsus-sync-failed and -stale alarms judge the same numbers,
// while the setup association runs daily and its output lives in S3 objects.
func (d *deployment) checkWsusSync() ([]Result, error) {
	wsus := d.fleet.Outputs["WsusInstanceId"]
	if !d.t.WsusEnabled || wsus == "" {
		return nil, nil
	}
	succeeded, at, found, err := d.latestDatapoint(wsus, metricLastSyncSucceeded, "Minimum")
	if err != nil {
		return nil, err
	}
	hours, _, hoursFound, err := d.latestDatapoint(wsus, metricHoursSinceLastSync, "Maximum")
	if err != nil {
		return nil, err
	}
	r := Result{Check: "WSUS synchronisation"}
	switch {
	case !found || !hoursFound:
		r.State, r.Evidence = Fail, fmt.Sprintf("no %s metrics from %s in the last 3 hours", d.t.HealthNamespace, wsus)
		r.Action = "the health association reports every 30 minutes once WSUS is installed: check the WSUS setup row and the health association's history"
	case d.metricsStopped(at):
		r.State, r.Evidence = Fail, fmt.Sprintf("the %s metrics from %s stopped arriving: the newest is from %s, %s", d.t.HealthNamespace, wsus,
			at.UTC().Format(time.RFC3339), ago(d.now, at))
		r.Action = "the health association reports every 30 minutes: check the server's node row and the health association's history"
	case hours >= neverSynchronised:
		r.State, r.Evidence = Fail, "WSUS has never synchronised (NeverRun)"
		r.Action = "wait for the first synchronisation (hours) before any scan: clients scan against what WSUS has"
	case succeeded < 1:
		r.State, r.Evidence = Fail, fmt.Sprintf("the last synchronisation, %.0f h before %s, failed", hours, at.UTC().Format(time.RFC3339))
		r.Action = "RDP to the server (WsusRdpCommand output) and read the synchronisation report; check it reaches Microsoft Update (public subnet, outbound 443)"
	case hours > staleSyncHours:
		r.State, r.Evidence = Fail, fmt.Sprintf("the last successful synchronisation was %.0f h ago (over %d h)", hours, staleSyncHours)
		r.Action = "check the synchronisation schedule (wsus.syncTimeUtc, wsus.syncsPerDay) and the WSUS setup row"
	default:
		r.State, r.Evidence = OK, fmt.Sprintf("last synchronisation succeeded %.0f h ago", hours)
	}
	return []Result{r}, nil
}

// metricsStopped tells whether the newest health datapoint (the start of its 30-minute period) is
// older than two runs of the deployed health association and a period.
func (d *deployment) metricsStopped(newest time.Time) bool {
	gap, _, err := d.associationGap(d.t.Fleet, wsusHealthAssociation)
	if err != nil || gap == 0 {
		gap = 30 * time.Minute
	}
	return d.now.Sub(newest) > 2*gap+30*time.Minute
}

// clientTarget is a node's outcome in one run of the client association
// (DescribeAssociationExecutionTargets).
type clientTarget struct {
	ResourceId     string `json:"ResourceId"`
	Status         string `json:"Status"`
	DetailedStatus string `json:"DetailedStatus"`
	run            time.Time
}

// maxClientRuns bounds how many of the client association's runs are read for one node's newest.
const maxClientRuns = 10

// checkWsusClient: each node's newest outcome of the client association. A run reaches the nodes
// targeted when it starts, and "For dynamic targets, such as an Amazon Web Services resource group
// or an Amazon Web Services autoscaling group, State Manager ... applies the configuration when new
// managed nodes are added to the group" (CreateAssociation, API Reference, read 2026-12-06): the
// newest run may be such a node's alone (whether a node that gains the fleet tag gets a run of its
// own only a deployment shows; reading older runs costs nothing when it does not). Runs are read,
// newest first, until every EC2 node of the fleet has an outcome, back to one
// schedule period before the newest (maxClientRuns at most); an EC2 node of the fleet with none is
// a warning.
func (d *deployment) checkWsusClient() ([]Result, error) {
	if !d.t.WsusEnabled {
		return nil, nil
	}
	id, runs, early, err := d.fleetAssociationRun("WSUS client", wsusClientAssociation, "wait: it runs daily on the fleet tag")
	if len(runs) == 0 {
		return early, err
	}
	last := runs[0]
	targets, err := d.clientTargets(id, runs)
	if err != nil {
		return nil, err
	}
	var results []Result
	for _, node := range slices.Sorted(maps.Keys(targets)) {
		t := targets[node]
		r := Result{Check: "WSUS client on " + node, State: associationState(t.Status),
			Evidence: fmt.Sprintf("%s (%s), run %s", t.Status, t.DetailedStatus, ago(d.now, t.run))}
		if r.State == Fail {
			r.Action = fmt.Sprintf("read its output under s3://%s/wsus-client/; the node must reach WSUS (%s); on the node, %s shows what it cannot reach",
				d.fleet.Outputs["CommandOutputBucket"], d.fleet.Outputs["WsusUrl"], ssmCliDiagnostics)
		}
		results = append(results, r)
	}
	for _, node := range slices.Sorted(maps.Keys(d.nodes)) {
		if _, ok := targets[node]; !ok && strings.HasPrefix(node, "i-") {
			results = append(results, Result{Check: "WSUS client on " + node, State: Warn,
				Evidence: "no run of the client association reached it in its last schedule period",
				Action:   "its Windows Update client may not point at WSUS yet: " + d.inRegion("aws ssm start-associations-once --association-ids "+id)})
		}
	}
	if len(results) == 0 {
		results = append(results, Result{Check: "WSUS client", State: Warn, Evidence: "its last run reached no node", Action: "tag the fleet's nodes " + d.t.FleetTagKey + "=" + d.t.FleetTagValue})
	}
	age := Result{Check: "WSUS client", State: OK, Evidence: fmt.Sprintf("association %s last ran %s", id, ago(d.now, last.CreatedTime.Time))}
	err = d.ageWarning(&age, last.CreatedTime.Time, d.t.Fleet, wsusClientAssociation)
	if age.State == Warn {
		results = append(results, age)
	}
	return results, err
}

// clientTargets are each node's outcome in its newest run among runs (newest first), read until
// every EC2 node of the fleet has one, within one schedule period of the newest run.
func (d *deployment) clientTargets(id string, runs []associationExecution) (map[string]clientTarget, error) {
	period, _, err := d.associationGap(d.t.Fleet, wsusClientAssociation)
	if err != nil || period == 0 {
		period = 24 * time.Hour
	}
	targets := map[string]clientTarget{}
	covered := func() bool {
		for node := range d.nodes {
			if _, ok := targets[node]; !ok && strings.HasPrefix(node, "i-") {
				return false
			}
		}
		return true
	}
	for i, run := range runs {
		if i > 0 && (i >= maxClientRuns || covered() || runs[0].CreatedTime.Sub(run.CreatedTime.Time) > period+time.Hour) {
			break
		}
		var out struct {
			AssociationExecutionTargets []clientTarget `json:"AssociationExecutionTargets"`
		}
		if err := d.call(&out, "ssm", "describe-association-execution-targets", "--association-id", id, "--execution-id", run.ExecutionId); err != nil {
			return nil, err
		}
		for _, t := range out.AssociationExecutionTargets {
			if _, seen := targets[t.ResourceId]; !seen {
				t.run = run.CreatedTime.Time
				targets[t.ResourceId] = t
			}
		}
	}
	return targets, nil
}

// patchState is an InstancePatchState (AWS Systems Manager API Reference, read 2026-12-06). Besides
// missing, failed and pending-reboot patches, a node is non-compliant with InstalledRejectedCount
// ("patches installed on a managed node that are specified in a RejectedPatches list"; always 0
// under RejectedPatchesAction ALLOW_AS_DEPENDENCY, privatepatch's default, which reports such a
// patch INSTALLED_OTHER: the row can show them only for BLOCK baselines) and with
// AvailableSecurityUpdateCount ("security-related patches that are available but not approved
// because they didn't meet the installation criteria in the patch baseline"; reported
// non-compliant where the baseline's AvailableSecurityUpdatesComplianceStatus is NON_COMPLIANT,
// as privatepatch's Windows baselines set it, patchingspec).
type patchState struct {
	InstanceId                   string `json:"InstanceId"`
	Operation                    string `json:"Operation"`
	OperationEndTime             Time   `json:"OperationEndTime"`
	MissingCount                 int    `json:"MissingCount"`
	FailedCount                  int    `json:"FailedCount"`
	InstalledPendingRebootCount  int    `json:"InstalledPendingRebootCount"`
	InstalledRejectedCount       int    `json:"InstalledRejectedCount"`
	AvailableSecurityUpdateCount int    `json:"AvailableSecurityUpdateCount"`
}

// groupMembers are the nodes tagged into a patch group, under any of the patch group tag keys
// (DescribeInstanceInformation with tag:{key} filters: the tags, not the reports, say who belongs
// to a group), and the stopped fleet instances so tagged, which Systems Manager does not list but
// whose patch states still count.
func (d *deployment) groupMembers(group string) (map[string]bool, error) {
	members := map[string]bool{}
	for id, i := range d.instances {
		for _, tag := range i.Tags {
			if i.State.Name != "running" && tag.Value == group && slices.Contains(d.t.PatchGroupTagKeys, tag.Key) {
				members[id] = true
			}
		}
	}
	for _, key := range d.t.PatchGroupTagKeys {
		nodes, err := d.describeNodes("tag:"+key, group)
		if err != nil {
			return nil, err
		}
		for _, n := range nodes {
			members[n.InstanceId] = true
		}
	}
	return members, nil
}

// checkScans: each patch group counted from its members (the nodes tagged into it), with each
// member's last patch operation (DescribeInstancePatchStatesForPatchGroup: InstancePatchStates with
// MissingCount, FailedCount, InstalledPendingRebootCount, Operation, OperationEndTime); a member
// that has no patch state is named, and so is a fleet node in no group.
func (d *deployment) checkScans() ([]Result, error) {
	var results []Result
	grouped := map[string]bool{}
	allRead := true
	for _, group := range d.t.PatchGroups {
		members, err := d.groupMembers(group)
		if err != nil {
			results, allRead = append(results, couldNotCheck("patch group "+group, err)), false
			continue
		}
		maps.Copy(grouped, members)
		results = append(results, d.checkGroupScans(group, members))
	}
	if allRead && len(d.t.PatchGroups) > 0 {
		var loose []string
		for _, id := range d.fleetInstanceIds() {
			if _, fleet := d.nodes[id]; (fleet || d.stopped(id)) && !grouped[id] {
				loose = append(loose, id)
			}
		}
		if len(loose) > 0 {
			results = append(results, Result{Check: "nodes in no patch group", State: Warn,
				Evidence: fmt.Sprintf("%s carry %s=%s but no %s tag naming one of %s: no maintenance window installs their patches", strings.Join(loose, ", "),
					d.t.FleetTagKey, d.t.FleetTagValue, strings.Join(d.t.PatchGroupTagKeys, " or "), strings.Join(d.t.PatchGroups, ", ")),
				Action: fmt.Sprintf("tag them %s=<group>", d.t.PatchGroupTagKeys[0])})
		}
	}
	return results, nil
}

// groupScans are a patch group's members' patch states added up.
type groupScans struct {
	missing, failed, reboot, compliant int
	rejected, unapproved               int
	newest                             time.Time
	failedNodes, unreported            []string
	stale                              []string // members whose last operation is overdue, with its age
}

// count adds a member's patch state: it is compliant with none missing, failed, pending a
// reboot, installed though rejected, or a security update not yet approved.
func (g *groupScans) count(s patchState) {
	g.missing += s.MissingCount
	g.failed += s.FailedCount
	g.reboot += s.InstalledPendingRebootCount
	g.rejected += s.InstalledRejectedCount
	g.unapproved += s.AvailableSecurityUpdateCount
	if s.MissingCount+s.FailedCount+s.InstalledPendingRebootCount+s.InstalledRejectedCount+s.AvailableSecurityUpdateCount == 0 {
		g.compliant++
	}
	if s.FailedCount > 0 {
		g.failedNodes = append(g.failedNodes, s.InstanceId)
	}
	if s.OperationEndTime.After(g.newest) {
		g.newest = s.OperationEndTime.Time
	}
}

// checkGroupScans judges one patch group from its members' patch states.
func (d *deployment) checkGroupScans(group string, members map[string]bool) Result {
	r := Result{Check: "patch group " + group}
	var out struct {
		InstancePatchStates []patchState `json:"InstancePatchStates"`
	}
	if err := d.call(&out, "ssm", "describe-instance-patch-states-for-patch-group", "--patch-group", group); err != nil {
		return couldNotCheck(r.Check, err)
	}
	states := map[string]patchState{}
	for _, s := range out.InstancePatchStates {
		states[s.InstanceId] = s
	}
	if len(members) == 0 {
		r.State, r.Evidence = Warn, fmt.Sprintf("no managed node is tagged into the group (%s)", strings.Join(d.t.PatchGroupTagKeys, " or "))
		if len(states) > 0 {
			r.Evidence += fmt.Sprintf("; %d node(s) reported under it before", len(states))
		}
		r.Action = fmt.Sprintf("tag the group's nodes %s=%s", d.t.PatchGroupTagKeys[0], group)
		return r
	}
	var g groupScans
	var stopped []string
	for _, id := range slices.Sorted(maps.Keys(members)) {
		s, ok := states[id]
		if d.stopped(id) {
			// Neither scanned nor patched while stopped: its node row says so, and a scan sent
			// to it would wait until it timed out.
			stopped = append(stopped, id)
		} else if !ok {
			g.unreported = append(g.unreported, id)
		}
		if ok {
			g.count(s)
		}
	}
	r.Evidence = fmt.Sprintf("%d/%d nodes compliant; missing %d, failed %d, pending reboot %d", g.compliant, len(members), g.missing, g.failed, g.reboot)
	if g.rejected > 0 {
		r.Evidence += fmt.Sprintf(", installed though rejected %d", g.rejected)
	}
	if g.unapproved > 0 {
		r.Evidence += fmt.Sprintf(", security updates not approved yet %d", g.unapproved)
	}
	r.Evidence += "; last operation " + ago(d.now, g.newest)
	gap, schedule := d.scanGap(group)
	for _, id := range slices.Sorted(maps.Keys(members)) {
		if st, ok := states[id]; ok && !d.stopped(id) && overdue(d.now, st.OperationEndTime.Time, gap) {
			g.stale = append(g.stale, fmt.Sprintf("%s (%s)", id, ago(d.now, st.OperationEndTime.Time)))
		}
	}
	if len(g.stale) > 0 {
		r.Evidence += fmt.Sprintf("; last operation overdue on %s: %s runs one %s", strings.Join(g.stale, ", "), schedule, every(gap))
	}
	if len(g.unreported) > 0 {
		r.Evidence += fmt.Sprintf("; no patch state from %s", strings.Join(g.unreported, ", "))
	}
	if len(stopped) > 0 {
		r.Evidence += fmt.Sprintf("; stopped (their node rows say so): %s", strings.Join(stopped, ", "))
	}
	d.judgeGroupScans(&r, group, len(members)-len(stopped), g)
	return r
}

// stopped says whether a fleet instance is stopped or stopping (EC2's state).
func (d *deployment) stopped(id string) bool {
	state := d.instances[id].State.Name
	return state == "stopped" || state == "stopping"
}

// judgeGroupScans: failed installs fail; no scans, old scans or patches still to install warn.
// members counts those running: a stopped one is neither scanned nor due.
func (d *deployment) judgeGroupScans(r *Result, group string, members int, g groupScans) {
	switch {
	case g.failed > 0:
		r.State = Fail
		r.Action = fmt.Sprintf("patches failed to install on %s: read the window's output under s3://%s/patch/, then make patch-now TARGET=%s OPERATION=Install",
			strings.Join(g.failedNodes, ", "), d.fleet.Outputs["CommandOutputBucket"], group)
	case members > 0 && len(g.unreported) == members:
		r.State, r.Evidence = Warn, fmt.Sprintf("none of the group's %d node(s) has reported a scan", members)
		r.Action = fmt.Sprintf("after WSUS has synchronised: make patch-now TARGET=%s OPERATION=Scan", group)
	case len(g.unreported) > 0:
		r.State = Warn
		r.Action = fmt.Sprintf("a node without a patch state was never scanned: make patch-now TARGET=%s OPERATION=Scan, and check its node row", g.unreported[0])
	case len(g.stale) > 0:
		r.State = Warn
		r.Action = fmt.Sprintf("its compliance is old news: check those nodes' rows and the scan association's history, or make patch-now TARGET=%s OPERATION=Scan", group)
	case g.rejected > 0:
		r.State = Warn
		r.Action = "patches the baseline rejects are installed (installed before they were rejected, typically): remove them from the nodes, or take them off the baseline's rejectedPatches"
	case g.missing > 0 || g.reboot > 0:
		r.State = Warn
		// FailedCount counts the last operation's failed installs ("attempted to be installed during
		// the last patching operation, but failed", InstancePatchState): a scan after a window
		// that failed to install them reports them missing, so the window rows say which.
		r.Action = fmt.Sprintf("the next window installs them (if a window failed to install them, a scan since counts them missing, not failed: see the window rows), or make patch-now TARGET=%s OPERATION=Install", group)
	case g.unapproved > 0:
		r.State = Warn
		r.Action = "security updates the baseline has not approved yet (expected for approveAfterDays after each release; where the baseline's availableSecurityUpdatesComplianceStatus is NON_COMPLIANT, as privatepatch's Windows ones, AWS reports the node non-compliant meanwhile): a window installs them once approved; to install one sooner, add it to the baseline's approvedPatches, then make patch-now KB=<its id>"
	default:
		r.State = OK
	}
}

// checkWindows: each maintenance window's newest execution, and its failed tasks
// (DescribeMaintenanceWindowExecutions, DescribeMaintenanceWindowExecutionTasks; Status values
// PENDING | IN_PROGRESS | SUCCESS | FAILED | TIMED_OUT | CANCELLING | CANCELLED |
// SKIPPED_OVERLAPPING, MaintenanceWindowExecution, Systems Manager API Reference, read 2026-11-27).
func (d *deployment) checkWindows() ([]Result, error) {
	windows := d.patching.physical("AWS::SSM::MaintenanceWindow", "")
	if len(windows) == 0 {
		return nil, nil
	}
	template, templateErr := d.template(d.t.Patching)
	var results []Result
	for _, window := range windows {
		results = append(results, d.checkWindow(window, fmt.Sprintf("window %s (%s)", d.patching.templateName(template, window), window))...)
	}
	return results, templateErr
}

// windowExecution is one of DescribeMaintenanceWindowExecutions' WindowExecutions.
type windowExecution struct {
	WindowExecutionId string `json:"WindowExecutionId"`
	Status            string `json:"Status"`
	StatusDetails     string `json:"StatusDetails"`
	StartTime         Time   `json:"StartTime"`
}

// liveWindow is a window as GetMaintenanceWindow returns it: the deployed schedule, and whether
// the window is enabled.
type liveWindow struct {
	Schedule         string `json:"Schedule"`
	ScheduleTimezone string `json:"ScheduleTimezone"`
	ScheduleOffset   int    `json:"ScheduleOffset"`
	StartDate        string `json:"StartDate"`
	EndDate          string `json:"EndDate"`
	Enabled          bool   `json:"Enabled"`
	CreatedDate      Time   `json:"CreatedDate"`
}

// lastDue is the window's last due start before now (zero for rate schedules), the gap between
// its starts, and whether its schedule could be judged. A window runs ScheduleOffset days after
// its cron's date ("The number of days to wait after the date and time specified by a cron
// expression before running the maintenance window", GetMaintenanceWindow, Systems Manager API
// Reference, read 2026-12-06): the cron's last date before now less the offset, moved on by it.
func (w liveWindow) lastDue(now time.Time) (due time.Time, gap time.Duration, judged bool) {
	loc, _ := time.LoadLocation(w.ScheduleTimezone)
	due, gap, judged = ssmschedule.Previous(w.Schedule, now.Add(-lateBy(0)).AddDate(0, 0, -w.ScheduleOffset), loc)
	if !due.IsZero() {
		due = due.AddDate(0, 0, w.ScheduleOffset)
	}
	return due, gap, judged
}

// active says whether the window may run at t: "The maintenance window won't run before"
// StartDate, nor after EndDate (GetMaintenanceWindow, ISO-8601 Extended format; Systems Manager API
// Reference, read 2026-12-06).
func (w liveWindow) active(t time.Time) bool {
	if start, err := parseExecutionTime(w.StartDate); err == nil && t.Before(start) {
		return false
	}
	end, err := parseExecutionTime(w.EndDate)
	return err != nil || !t.After(end)
}

// missed says whether a window that last started at lastStart (zero: never) has missed a start
// due by now, and returns that due start and the gap between starts.
func (w liveWindow) missed(now, lastStart time.Time) (bool, time.Time, time.Duration) {
	due, gap, judged := w.lastDue(now)
	if judged && due.IsZero() { // rate(...): starts count from the window's creation
		if lastStart.Before(w.CreatedDate.Time) {
			lastStart = w.CreatedDate.Time
		}
		return overdue(now, lastStart, gap), due, gap
	}
	return judged && due.After(w.CreatedDate.Time) && w.active(due) && lastStart.Before(due.Add(-15*time.Minute)), due, gap
}

// checkWindow judges one window: disabled, never run, its newest run's status, or overdue by
// its deployed schedule; its row, and a could-not-check row for a part of its newest run that
// could not be read (the window's own row keeps what was read).
func (d *deployment) checkWindow(window, check string) []Result {
	r := Result{Check: check}
	var live liveWindow
	if err := d.call(&live, "ssm", "get-maintenance-window", "--window-id", window); err != nil {
		return []Result{couldNotCheck(r.Check, err)}
	}
	var out struct {
		WindowExecutions []windowExecution `json:"WindowExecutions"`
	}
	if err := d.call(&out, "ssm", "describe-maintenance-window-executions", "--window-id", window); err != nil {
		return []Result{couldNotCheck(r.Check, err)}
	}
	if !live.Enabled {
		r.State, r.Evidence = Warn, fmt.Sprintf("disabled: its schedule %s starts no run", live.Schedule)
		r.Action = fmt.Sprintf("enable it (%s), or make deploy: the stack declares it enabled", d.inRegion("aws ssm update-maintenance-window --enabled --window-id "+window))
		return []Result{r}
	}
	if len(out.WindowExecutions) == 0 {
		r.State, r.Evidence = OK, "no run yet"
		if missed, due, _ := live.missed(d.now, time.Time{}); missed {
			r.State, r.Evidence = Warn, fmt.Sprintf("no run yet, though its schedule %s (%s) was due %s", live.Schedule, orUTC(live.ScheduleTimezone), ago(d.now, due))
			r.Action = "check the window's targets have nodes (AllowUnassociatedTargets is off) and its history in the console"
		}
		return []Result{r}
	}
	sort.Slice(out.WindowExecutions, func(i, j int) bool {
		return out.WindowExecutions[i].StartTime.After(out.WindowExecutions[j].StartTime.Time)
	})
	last := out.WindowExecutions[0]
	unread := d.judgeLastRun(&r, last)
	if missed, due, gap := live.missed(d.now, last.StartTime.Time); r.State == OK && missed {
		r.State = Warn
		r.Evidence += fmt.Sprintf("; overdue: its schedule %s (%s, %s) was due %s", live.Schedule, orUTC(live.ScheduleTimezone), every(gap), ago(d.now, due))
		r.Action = "the scheduled run did not start: check the window is enabled, its targets have nodes, and its history"
	} else if r.State == OK && unread == nil && last.Status == "SUCCESS" {
		// An overdue window's old run matters less than its missing one: its nodes are read
		// only when it is on time.
		unread = d.judgeNodesOfSucceededRun(&r, last)
	}
	if unread != nil {
		return []Result{r, couldNotCheck(r.Check+", its newest run", unread)}
	}
	return []Result{r}
}

// judgeLastRun states a window's newest run by its status; a failed one names its tasks that
// did not succeed. Its error is a call that failed, reading those tasks.
func (d *deployment) judgeLastRun(r *Result, last windowExecution) error {
	r.Evidence = fmt.Sprintf("last run %s: %s", ago(d.now, last.StartTime.Time), last.Status)
	if last.StatusDetails != "" {
		r.Evidence += " (" + last.StatusDetails + ")"
	}
	switch last.Status {
	case "SUCCESS", "PENDING", "IN_PROGRESS":
		r.State = OK
	case "SKIPPED_OVERLAPPING":
		r.State = Warn
		r.Action = "windows that overlap skip each other: check the schedules and durations"
	case "CANCELLING", "CANCELLED":
		r.State = Warn
		r.Action = "a task's stop alarm stopped it (its row says whether the alarm is in ALARM), or someone cancelled the run (aws ssm cancel-maintenance-window-execution): fix what holds it, then make patch-now, or wait for the next window"
	default: // FAILED, TIMED_OUT
		r.State = Fail
		var tasks windowRunTasks
		if err := d.call(&tasks, "ssm", "describe-maintenance-window-execution-tasks", "--window-execution-id", last.WindowExecutionId); err != nil {
			return err
		}
		var failed []string
		for _, t := range tasks.WindowExecutionTaskIdentities {
			if t.Status != "SUCCESS" {
				failed = append(failed, fmt.Sprintf("%s %s: %s", t.TaskArn, t.Status, t.StatusDetails))
			}
		}
		if len(failed) > 0 {
			r.Evidence += "; " + strings.Join(failed, "; ")
		}
		r.Action = fmt.Sprintf("%s, then the task's output under s3://%s/patch/",
			d.inRegion("aws ssm get-maintenance-window-execution --window-execution-id "+last.WindowExecutionId), d.fleet.Outputs["CommandOutputBucket"])
	}
	return nil
}

// alertRulesLookback is how far back the alert rules' failed deliveries are read: longer than a
// monthly window's period. An hour's data points are kept 455 days, and 35 days of them (840) are
// within the 1,440 one GetMetricStatistics call returns (GetMetricStatistics, Amazon CloudWatch API
// Reference, read 2026-12-06).
const alertRulesLookback = 35 * 24 * time.Hour

// windowRunTasks is DescribeMaintenanceWindowExecutionTasks' answer: a run's tasks.
type windowRunTasks struct {
	WindowExecutionTaskIdentities []struct {
		TaskExecutionId string `json:"TaskExecutionId"`
		TaskArn         string `json:"TaskArn"`
		TaskType        string `json:"TaskType"`
		Status          string `json:"Status"`
		StatusDetails   string `json:"StatusDetails"`
	} `json:"WindowExecutionTaskIdentities"`
}

// judgeNodesOfSucceededRun warns when a run that succeeded has nodes on which its Run Command
// tasks did not: a command is "Success" while its failures stay below MaxErrors, and its
// StatusDetails "Incomplete" when "one or more invocations doesn't have a value of Success but
// not enough invocations failed for the status to be Failed"; ErrorCount counts the Failed and
// Execution Timed Out nodes, DeliveryTimedOutCount those it never reached (Command, Systems
// Manager API Reference, read 2026-12-06). A patch group's row counts a failed install only until
// the next scan (FailedCount is the last operation's), so the run's own count is read here:
// DescribeMaintenanceWindowExecutionTaskInvocations gives each task's command id (ExecutionId,
// for RUN_COMMAND), ListCommands its counts.
func (d *deployment) judgeNodesOfSucceededRun(r *Result, last windowExecution) error {
	commands, notes, err := d.runCommandsOf(last.WindowExecutionId)
	if err != nil {
		return err
	}
	var failed, ids []string
	for _, c := range commands {
		n := c.ErrorCount + c.DeliveryTimedOutCount
		switch {
		case c.invocation != "": // the invocation itself did not succeed, though the run did
			failed = append(failed, c.invocation)
			if c.CommandId == "" {
				continue
			}
		case n > 0:
			failed = append(failed, fmt.Sprintf("%s did not succeed on %d of %d node(s) (%s)", c.task, n, c.TargetCount, c.StatusDetails))
		case c.StatusDetails != "Success":
			// Undeliverable, Access Denied and Invalid Platform are in neither count.
			failed = append(failed, fmt.Sprintf("%s ended %s on its %d node(s), though none failed or timed out by its counts", c.task, c.StatusDetails, c.TargetCount))
		default:
			continue
		}
		ids = append(ids, c.CommandId)
	}
	if said := slices.Concat(failed, notes); len(said) > 0 {
		r.Evidence += "; " + strings.Join(said, "; ")
	}
	if len(failed) > 0 {
		r.State = Warn
		var listings []string
		for _, id := range ids {
			listings = append(listings, d.inRegion("aws ssm list-command-invocations --command-id "+id))
		}
		if len(listings) == 0 { // an invocation that names no command
			listings = append(listings, d.inRegion("aws ssm get-maintenance-window-execution --window-execution-id "+last.WindowExecutionId))
		}
		r.Action = fmt.Sprintf("the failures stayed below the task's maxErrors; each node's Status and StatusDetails: %s; the output under s3://%s/patch/",
			strings.Join(listings, "; "), d.fleet.Outputs["CommandOutputBucket"])
	}
	return nil
}

// runCommandsOf returns the commands a window run's Run Command tasks sent, as ListCommands
// counts them (and each invocation that did not succeed), and notes on what could not be read: an
// invocation that names no command (ExecutionId is optional), and a command no longer listed (Run Command keeps a
// command's history for a limited time; a monthly window's may be gone).
func (d *deployment) runCommandsOf(windowExecutionID string) ([]runCommand, []string, error) {
	var tasks windowRunTasks
	if err := d.call(&tasks, "ssm", "describe-maintenance-window-execution-tasks", "--window-execution-id", windowExecutionID); err != nil {
		return nil, nil, err
	}
	var commands []runCommand
	var notes []string
	for _, task := range tasks.WindowExecutionTaskIdentities {
		if task.TaskType != "RUN_COMMAND" {
			continue
		}
		var invocations struct {
			WindowExecutionTaskInvocationIdentities []struct {
				ExecutionId   string `json:"ExecutionId"`
				Status        string `json:"Status"`
				StatusDetails string `json:"StatusDetails"`
			} `json:"WindowExecutionTaskInvocationIdentities"`
		}
		if err := d.call(&invocations, "ssm", "describe-maintenance-window-execution-task-invocations",
			"--window-execution-id", windowExecutionID, "--task-id", task.TaskExecutionId); err != nil {
			return nil, nil, err
		}
		for _, invocation := range invocations.WindowExecutionTaskInvocationIdentities {
			switch {
			case invocation.Status != "SUCCESS":
				// One target's invocation failed while the task stayed below its maxErrors.
				ended := task.TaskArn + "'s invocation ended " + invocation.Status
				if invocation.StatusDetails != "" {
					ended += " (" + invocation.StatusDetails + ")"
				}
				commands = append(commands, runCommand{CommandId: invocation.ExecutionId, task: task.TaskArn, invocation: ended})
				continue
			case invocation.ExecutionId == "":
				notes = append(notes, task.TaskArn+"'s invocation names no command: its nodes not read")
				continue
			}
			var out struct {
				Commands []runCommand `json:"Commands"`
			}
			err := d.call(&out, "ssm", "list-commands", "--command-id", invocation.ExecutionId)
			if code, _, _ := APIError(err); code == "InvalidCommandId" || (err == nil && len(out.Commands) == 0) {
				notes = append(notes, fmt.Sprintf("%s's command %s is no longer listed: its nodes not read", task.TaskArn, invocation.ExecutionId))
				continue
			} else if err != nil {
				return nil, nil, err
			}
			for _, c := range out.Commands {
				c.task = task.TaskArn
				commands = append(commands, c)
			}
		}
	}
	return commands, notes, nil
}

// runCommand is one of ListCommands' Commands: a command's counts of its nodes.
type runCommand struct {
	CommandId             string `json:"CommandId"`
	StatusDetails         string `json:"StatusDetails"`
	TargetCount           int    `json:"TargetCount"`
	ErrorCount            int    `json:"ErrorCount"`
	DeliveryTimedOutCount int    `json:"DeliveryTimedOutCount"`
	task                  string // the window task's document, which sent it
	invocation            string // set when the window's invocation of it did not succeed: what it ended as
}

// alarmsWithActions are the patching stack's alarms, by physical name, whose deployed template
// leaves their actions enabled (ActionsEnabled absent or true, AWS::CloudWatch::Alarm): one
// found disabled was switched off outside CloudFormation. Empty when the template is unread.
func (d *deployment) alarmsWithActions() map[string]bool {
	template, err := d.template(d.t.Patching)
	if err != nil {
		return nil
	}
	resources, _ := template["Resources"].(map[string]any)
	on := map[string]bool{}
	for _, r := range d.patching.Resources {
		resource, _ := resources[r.LogicalResourceId].(map[string]any)
		if resource["Type"] != "AWS::CloudWatch::Alarm" {
			continue
		}
		props, _ := resource["Properties"].(map[string]any)
		if enabled, set := props["ActionsEnabled"].(bool); !set || enabled {
			on[r.PhysicalResourceId] = true
		}
	}
	return on
}

// checkAlarms: the patching stack's alarms (DescribeAlarms: MetricAlarms with StateValue OK |
// ALARM | INSUFFICIENT_DATA, CloudWatch API Reference, read 2026-11-27).
func (d *deployment) checkAlarms() ([]Result, error) {
	names := d.patching.physical("AWS::CloudWatch::Alarm", "")
	if len(names) == 0 {
		return nil, nil
	}
	var out struct {
		MetricAlarms []struct {
			AlarmName      string `json:"AlarmName"`
			StateValue     string `json:"StateValue"`
			StateReason    string `json:"StateReason"`
			ActionsEnabled bool   `json:"ActionsEnabled"`
		} `json:"MetricAlarms"`
	}
	if err := d.call(&out, append([]string{"cloudwatch", "describe-alarms", "--alarm-names"}, names...)...); err != nil {
		return nil, err
	}
	actionsOn := d.alarmsWithActions()
	var results []Result
	returned := map[string]bool{}
	for _, a := range out.MetricAlarms {
		returned[a.AlarmName] = true
	}
	// An alarm the stack lists that CloudWatch does not return was deleted outside CloudFormation:
	// it alarms on nothing, and a window's failure alarm no longer holds its stop alarm. Drift
	// detection confirms it ("Detect unmanaged configuration changes to stacks and resources with
	// drift detection", CloudFormation User Guide, read 2026-12-06); no page shows recreating it.
	for _, name := range names {
		if !returned[name] {
			results = append(results, Result{Check: "alarm " + name, State: Fail,
				Evidence: "the patching stack has it, and CloudWatch has no such alarm: deleted outside CloudFormation",
				Action:   "confirm with drift detection: " + d.inRegion("aws cloudformation detect-stack-drift --stack-name "+d.t.Patching)})
		}
	}
	for _, a := range out.MetricAlarms {
		r := Result{Check: "alarm " + a.AlarmName, Evidence: a.StateValue}
		if d.judgeFailureAlarm(&r, a.AlarmName, a.StateValue, a.StateReason) {
			results = append(results, r)
			continue
		}
		switch a.StateValue {
		case "OK":
			r.State = OK
		case "ALARM":
			r.State, r.Evidence = Fail, a.StateValue+": "+a.StateReason
			r.Action = "see the WSUS rows above and the dashboard"
		default:
			r.State, r.Evidence = Warn, a.StateValue+": "+a.StateReason
			r.Action = "the WSUS health metrics are missing: see the WSUS synchronisation row"
		}
		if actionsOn[a.AlarmName] && !a.ActionsEnabled {
			r.Evidence += "; its actions are disabled, though the stack enables them: it alarms without alerting anyone"
			if r.State == OK {
				r.State, r.Action = Warn, "enable them: "+d.inRegion("aws cloudwatch enable-alarm-actions --alarm-names "+a.AlarmName)
			}
		}
		results = append(results, r)
	}
	return results, nil
}

// checkS3Drift compares the deployed network stack's S3 prefix list (security group id, ACL CIDRs)
// with AWS's list now (package s3drift, as make check-update does for the synthesised one).
func (d *deployment) checkS3Drift() ([]Result, error) {
	template, err := d.template(d.t.Network)
	if err != nil {
		return nil, err
	}
	synthesised, err := s3drift.FromTemplate(template)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.t.Network, err)
	}
	name := "com.amazonaws." + d.region + ".s3"
	live, err := d.s3PrefixList()
	if err != nil {
		return nil, err
	}
	problems := s3drift.Compare(d.t.Network, d.region, synthesised, live)
	if len(problems) == 0 {
		return []Result{{Check: "S3 prefix list", State: OK, Evidence: fmt.Sprintf("%s (%s): the ACLs' %d CIDRs and the security group match", name, live.Id, len(live.Cidrs))}}, nil
	}
	return []Result{{Check: "S3 prefix list", State: Fail, Evidence: strings.Join(problems, "; "), Action: "the fix is named in the evidence; then make deploy"}}, nil
}

// s3PrefixList is the region's S3 prefix list as AWS answers it now (its id and CIDRs; none
// where the region has no such list), read once.
func (d *deployment) s3PrefixList() (s3drift.Live, error) {
	if d.s3List != nil {
		return *d.s3List, nil
	}
	var lists struct {
		PrefixLists []struct {
			PrefixListId string `json:"PrefixListId"`
		} `json:"PrefixLists"`
	}
	name := "com.amazonaws." + d.region + ".s3"
	if err := d.call(&lists, "ec2", "describe-managed-prefix-lists", "--filters", jsonFilter("Name", "prefix-list-name", name)); err != nil {
		return s3drift.Live{}, err
	}
	var live s3drift.Live
	if len(lists.PrefixLists) > 0 {
		live.Id = lists.PrefixLists[0].PrefixListId
		entries, err := d.aws.JSON("ec2", "get-managed-prefix-list-entries", "--prefix-list-id", live.Id)
		if err != nil {
			return s3drift.Live{}, err
		}
		if live.Cidrs, err = s3drift.ParseEntries(entries); err != nil {
			return s3drift.Live{}, err
		}
	}
	d.s3List = &live
	return live, nil
}

// checkS3Endpoint: a deployed network stack without an S3 endpoint was deployed into an existing
// VPC whose own S3 endpoint was declared (network.existingVpc.s3Endpoint: existing). That
// endpoint's policy is its owner's; patching fails where it does not allow AWS's buckets
// ("Troubleshooting Patch Manager", AWS Systems Manager User Guide: the node must reach them
// through the S3 gateway endpoint, NAT gateway, or internet gateway; read 2026-11-27).
func (d *deployment) checkS3Endpoint() ([]Result, error) {
	template, err := d.template(d.t.Network)
	if err != nil {
		return nil, err
	}
	if netpath.Endpoints(template, false, false)[len(netpath.RequiredEndpoints)-1].How == "created" {
		return nil, nil // privatepatch's own endpoint: make verify proves its policy
	}
	buckets := awsbuckets.SystemsManager(d.region)
	if bucket := d.fleet.Outputs["CommandOutputBucket"]; bucket != "" {
		buckets = append(buckets, bucket+" (s3:PutObject too)")
	}
	return []Result{{Check: "S3 endpoint policy", State: Warn,
		Evidence: fmt.Sprintf("%s creates no S3 endpoint: the VPC's own serves the fleet, and its policy, not privatepatch's, is not examined", d.t.Network),
		Action: fmt.Sprintf("make sure its policy allows s3:GetObject on %s, and on the Linux repository and network.s3Endpoint.readBuckets buckets make verify lists; "+
			"%s shows it", strings.Join(buckets, ", "), d.inRegion("aws ec2 describe-vpc-endpoints --filters Name=service-name,Values=com.amazonaws."+d.region+".s3"))}}, nil
}

// deployedTemplate is a stack's template as deployed (GetTemplate).
func (d *deployment) deployedTemplate(stackName string) (map[string]any, error) {
	var body json.RawMessage
	if err := d.call(&body, "cloudformation", "get-template", "--stack-name", stackName, "--query", "TemplateBody"); err != nil {
		return nil, err
	}
	template, err := templateBody(body)
	if err != nil {
		return nil, fmt.Errorf("the deployed template of %s: %w", stackName, err)
	}
	return template, nil
}

// templateBody decodes GetTemplate's TemplateBody as the AWS CLI prints it: a JSON template (what
// CDK deploys) as an object, a YAML one as a string, taken here as JSON text or refused. Only a
// string is decoded as one: trying every body as a string scanned the whole template once more.
func templateBody(body []byte) (map[string]any, error) {
	if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] == '"' {
		var text string
		if err := json.Unmarshal(trimmed, &text); err != nil {
			return nil, err
		}
		body = []byte(text)
	}
	var template map[string]any
	if err := json.Unmarshal(body, &template); err != nil {
		return nil, err
	}
	if template == nil { // null, or nothing: not an empty template
		return nil, errors.New("no template body")
	}
	return template, nil
}

// templateName is the Name property of the resource with this physical id, or its logical id.
func (s stack) templateName(template map[string]any, physicalId string) string {
	for _, r := range s.Resources {
		if r.PhysicalResourceId != physicalId {
			continue
		}
		resources, _ := template["Resources"].(map[string]any)
		resource, _ := resources[r.LogicalResourceId].(map[string]any)
		props, _ := resource["Properties"].(map[string]any)
		if name, ok := props["Name"].(string); ok {
			return name
		}
		return r.LogicalResourceId
	}
	return physicalId
}

type association struct {
	AssociationId   string `json:"AssociationId"`
	AssociationName string `json:"AssociationName"`
	Name            string `json:"Name"`
	// InstanceId is the legacy form's one node (CreateAssociation --instance-id), which has no
	// Targets (Association: InstanceId "The managed node ID", botocore 1.43.11's ssm model, read 2026-12-07).
	InstanceId string   `json:"InstanceId"`
	Targets    []target `json:"Targets"`
}

// target is one of an association's targets.
type target struct {
	Key    string   `json:"Key"`
	Values []string `json:"Values"`
}

// checkCompetingPatching: an association this deployment did not create that scans or installs
// patches on its nodes overwrites their patch compliance ("If you implement more than one of these
// methods at a time, the patch compliance information you see is always the result of the most
// recent scan", Patch Manager organization patching configuration, Systems Manager User Guide,
// read 2026-11-27). Quick Setup patch policies are such associations.
func (d *deployment) checkCompetingPatching() ([]Result, error) {
	var out struct {
		Associations []association `json:"Associations"`
	}
	if err := d.call(&out, "ssm", "list-associations"); err != nil {
		return nil, err
	}
	ours := map[string]bool{}
	for _, s := range []stack{d.fleet, d.patching} {
		for _, id := range s.physical("AWS::SSM::Association", "") {
			ours[id] = true
		}
	}
	var competing, unclear []string
	for _, a := range out.Associations {
		quickSetup := strings.HasPrefix(a.AssociationName, quickSetupPatchPolicyPrefix)
		if ours[a.AssociationId] || !(quickSetup || patchDocument(a.Name)) {
			continue
		}
		what := fmt.Sprintf("%s (%s, %s)", a.AssociationId, orUnnamed(a.AssociationName), a.Name)
		switch d.overlaps(a) {
		case "yes":
			competing = append(competing, what)
		case "unknown":
			unclear = append(unclear, what)
		}
	}
	windows, err := d.competingWindows()
	if err != nil {
		return nil, err
	}
	competing = append(competing, windows...)
	switch {
	case len(competing) > 0:
		return []Result{{Check: "other patching", State: Fail, Evidence: "these patch the same nodes: " + strings.Join(competing, "; "),
			Action: "delete them (or the Quick Setup patch policy) or narrow their targets: each scan overwrites the nodes' patch compliance"}}, nil
	case len(unclear) > 0:
		return []Result{{Check: "other patching", State: Warn, Evidence: "these associations patch nodes chosen by resource group or another tag: " + strings.Join(unclear, "; "),
			Action: "make sure they do not reach this fleet"}}, nil
	}
	// DescribeMaintenanceWindowsForTarget takes the targets asked about: a window by resource group
	// or by another tag is not seen, and the row says so.
	return []Result{{Check: "other patching", State: OK, Evidence: "no other patch association or Quick Setup patch policy targets these nodes, " +
		"nor another patching window by their ids, the fleet tag or a patch group tag (one by resource group or another tag is not seen)"}}, nil
}

// inventoryAssociation starts the logical id of the patching stack's inventory association, and
// inventoryDocument is the document every inventory association runs.
const (
	inventoryAssociation = "InventoryAssociation"
	inventoryDocument    = "AWS-GatherSoftwareInventory"
)

// checkCompetingInventory: "An instance can have only one inventory association configured at a
// time. If you configure an instance with two or more inventory associations, the association
// doesn't run and no inventory data is collected" ("Walkthrough: Configure your managed instances
// for Inventory by using the CLI", AWS Systems Manager User Guide, read 2026-12-06). The same page
// creates a global inventory association (InstanceIds *), as account-wide setups do: beside the
// deployment's own, neither collects on the fleet, and the resource data sync and the queries on
// it stay empty.
func (d *deployment) checkCompetingInventory() ([]Result, error) {
	ours := d.patching.physical("AWS::SSM::Association", inventoryAssociation)
	if len(ours) == 0 {
		return nil, nil
	}
	var out struct {
		Associations []association `json:"Associations"`
	}
	if err := d.call(&out, "ssm", "list-associations"); err != nil {
		return nil, err
	}
	var competing, unclear []string
	var inspector string // Inspector's own association, when it reaches the fleet
	oursAllNodes := false
	for _, a := range out.Associations {
		if slices.Contains(ours, a.AssociationId) {
			oursAllNodes = oursAllNodes || slices.ContainsFunc(a.Targets, func(t target) bool { return t.Key == "InstanceIds" && slices.Contains(t.Values, "*") })
		}
		if a.Name != inventoryDocument || slices.Contains(ours, a.AssociationId) {
			continue
		}
		what := fmt.Sprintf("%s (%s, %s)", a.AssociationId, orUnnamed(a.AssociationName), a.Name)
		switch d.overlaps(a) {
		case "yes":
			competing = append(competing, what)
			if a.AssociationName == compliancespec.InspectorInventoryAssociation {
				inspector = a.AssociationId
			}
		case "unknown":
			unclear = append(unclear, what)
		}
	}
	action := "keep one: delete or narrow them, or set patching.inventory.enabled false and let them collect"
	switch {
	case inspector != "" && oursAllNodes:
		action = fmt.Sprintf("delete Amazon Inspector's (aws ssm delete-association --association-id %s --region %s): it was made before this deployment's, "+
			"which targets InstanceIds * and which Inspector uses instead of making its own", inspector, d.region)
	case inspector != "":
		action = fmt.Sprintf("set patching.inventory.allNodes: true and deploy (Inspector uses an InstanceIds * inventory association instead of making its own), "+
			"then delete Amazon Inspector's (aws ssm delete-association --association-id %s --region %s): deleted alone, Inspector makes it again", inspector, d.region)
	}
	switch {
	case len(competing) > 0:
		return []Result{{Check: "other inventory", State: Fail,
			Evidence: "these inventory associations reach the fleet's nodes too: " + strings.Join(competing, "; ") + "; a node with two runs neither and collects no inventory",
			Action:   action}}, nil
	case len(unclear) > 0:
		return []Result{{Check: "other inventory", State: Warn, Evidence: "these inventory associations reach nodes chosen by resource group or another tag: " + strings.Join(unclear, "; "),
			Action: "make sure they do not reach this fleet: a node with two inventory associations runs neither"}}, nil
	}
	return []Result{{Check: "other inventory", State: OK, Evidence: "no other inventory association targets these nodes"}}, nil
}

// competingWindows are the maintenance windows this deployment did not create that target its
// nodes (DescribeMaintenanceWindowsForTarget, by node id, fleet tag and patch group tag) and run
// a patching document (DescribeMaintenanceWindowTasks: Tasks with TaskArn).
// fleetInstanceIds are the fleet's nodes, its stopped instances (which Systems Manager does not
// list, and a window that starts stopped instances may target) and the WSUS server.
func (d *deployment) fleetInstanceIds() []string {
	fleet := maps.Clone(d.nodes)
	for id, i := range d.instances {
		if i.State.Name != "running" {
			fleet[id] = node{}
		}
	}
	ids := slices.Sorted(maps.Keys(fleet))
	if wsus := d.fleet.Outputs["WsusInstanceId"]; wsus != "" {
		ids = append(ids, wsus)
	}
	return ids
}

func (d *deployment) competingWindows() ([]string, error) {
	ours := map[string]bool{}
	for _, id := range d.patching.physical("AWS::SSM::MaintenanceWindow", "") {
		ours[id] = true
	}
	ids := d.fleetInstanceIds()
	queries := [][]sendTarget{{{Key: "tag:" + d.t.FleetTagKey, Values: []string{d.t.FleetTagValue}}}}
	for len(ids) > 0 { // Values holds at most 50
		n := min(len(ids), 50)
		queries = append(queries, []sendTarget{{Key: "InstanceIds", Values: ids[:n]}})
		ids = ids[n:]
	}
	if len(d.t.PatchGroups) > 0 {
		for _, key := range d.t.PatchGroupTagKeys {
			queries = append(queries, []sendTarget{{Key: "tag:" + key, Values: d.t.PatchGroups}})
		}
	}
	found := map[string]string{}
	for _, q := range queries {
		targets, _ := json.Marshal(q)
		var out struct {
			WindowIdentities []struct {
				WindowId string `json:"WindowId"`
				Name     string `json:"Name"`
			} `json:"WindowIdentities"`
		}
		if err := d.call(&out, "ssm", "describe-maintenance-windows-for-target", "--resource-type", "INSTANCE", "--targets", string(targets)); err != nil {
			return nil, err
		}
		for _, w := range out.WindowIdentities {
			if !ours[w.WindowId] {
				found[w.WindowId] = w.Name
			}
		}
	}
	var competing []string
	for _, id := range slices.Sorted(maps.Keys(found)) {
		var tasks struct {
			Tasks []struct {
				TaskArn string `json:"TaskArn"`
			} `json:"Tasks"`
		}
		if err := d.call(&tasks, "ssm", "describe-maintenance-window-tasks", "--window-id", id); err != nil {
			return nil, err
		}
		for _, t := range tasks.Tasks {
			if patchDocument(t.TaskArn) {
				competing = append(competing, fmt.Sprintf("maintenance window %s (%s, %s)", id, orUnnamed(found[id]), t.TaskArn))
				break
			}
		}
	}
	return competing, nil
}

func orUTC(timezone string) string {
	if timezone == "" {
		return "UTC"
	}
	return timezone
}

func orUnnamed(name string) string {
	if name == "" {
		return "unnamed"
	}
	return name
}

// overlaps tells whether an association's targets reach this deployment's nodes: "yes", "no" or
// "unknown" (a resource group, or a tag this tool cannot resolve).
func (d *deployment) overlaps(a association) string {
	verdict := "no"
	ids := slices.Collect(maps.Keys(d.nodes))
	if wsus := d.fleet.Outputs["WsusInstanceId"]; wsus != "" {
		ids = append(ids, wsus)
	}
	if a.InstanceId != "" && slices.Contains(ids, a.InstanceId) {
		return "yes"
	}
	for _, t := range a.Targets {
		switch {
		case t.Key == "InstanceIds":
			for _, v := range t.Values {
				if v == "*" || slices.Contains(ids, v) {
					return "yes"
				}
			}
		case t.Key == "tag:"+d.t.FleetTagKey:
			// A node carries one value per key: another value is another fleet.
			if slices.Contains(t.Values, d.t.FleetTagValue) {
				return "yes"
			}
		case strings.HasPrefix(t.Key, "tag:") && slices.Contains(d.t.PatchGroupTagKeys, strings.TrimPrefix(t.Key, "tag:")):
			for _, v := range t.Values {
				if slices.Contains(d.t.PatchGroups, v) {
					return "yes"
				}
			}
		case strings.HasPrefix(t.Key, "tag:"), strings.HasPrefix(t.Key, "resource-groups:"), t.Key == "tag-key":
			verdict = "unknown"
		}
	}
	return verdict
}

// checkProtection: make deploy sets a stack policy that denies replacing or deleting the stateful
// resources (cfnupdate.StackPolicy) and the stacks carry termination protection. The deployed policy
// is judged by what it denies: one that lets an update replace or delete a protected resource fails.
func (d *deployment) checkProtection() ([]Result, error) {
	var missing, open []string
	var failures []error
	for _, s := range []stack{d.network, d.fleet, d.patching} {
		if !s.TerminationProtection {
			missing = append(missing, s.Name+": no termination protection")
		}
		var policy struct {
			StackPolicyBody string `json:"StackPolicyBody"`
		}
		if err := d.call(&policy, "cloudformation", "get-stack-policy", "--stack-name", s.Name); err != nil {
			failures = append(failures, err)
			continue
		}
		if policy.StackPolicyBody == "" {
			missing = append(missing, s.Name+": no stack policy protecting its data")
			continue
		}
		parsed, err := cfnupdate.ParseStackPolicy([]byte(policy.StackPolicyBody))
		if err != nil {
			open = append(open, fmt.Sprintf("%s: its stack policy cannot be judged (%v)", s.Name, err))
			continue
		}
		if allowed := unprotectedBy(parsed, s.Resources); len(allowed) > 0 {
			open = append(open, fmt.Sprintf("%s: its stack policy lets an update %s", s.Name, strings.Join(allowed, "; ")))
		}
	}
	var results []Result
	switch {
	case len(open) > 0:
		results = append(results, Result{Check: "data protection", State: Fail, Evidence: strings.Join(append(open, missing...), "; "),
			Action: "make deploy sets the policy that denies Update:Replace and Update:Delete on them; until then an update can lose their data"})
	case len(missing) > 0:
		results = append(results, Result{Check: "data protection", State: Warn, Evidence: strings.Join(missing, "; "),
			Action: "make deploy sets both (stacks deployed by an older version, a pipeline or the console lack them)"})
	case len(failures) == 0:
		results = append(results, Result{Check: "data protection", State: OK, Evidence: "termination protection on all three stacks, and stack policies that deny replacing or deleting their data"})
	}
	for _, err := range failures {
		results = append(results, couldNotCheck("data protection", err))
	}
	return results, nil
}

// checkAlertRules: the patching stack's EventBridge rules (alerts, findings) delivered what they
// matched: FailedInvocations (AWS/Events, dimension RuleName, Sum) is zero. "EventBridge only
// sends this metric to CloudWatch if it isn't zero", so no datapoint is zero ("Monitoring Amazon
// EventBridge", Amazon EventBridge User Guide, read 2026-12-06). It reads alertRulesLookback, not a
// day: the rules fire on weekly and monthly windows, and the alerts-undelivered alarm (one
// five-minute period, missing data not breaching) is back to OK minutes after a lost alert. A
// failure in the last day fails the row; an older one warns.
func (d *deployment) checkAlertRules() ([]Result, error) {
	rules := d.patching.physical("AWS::Events::Rule", "")
	if len(rules) == 0 {
		return nil, nil
	}
	var recent, older, recentRules, olderRules []string
	var results []Result
	for _, rule := range rules {
		var out struct {
			Datapoints []struct {
				Timestamp Time    `json:"Timestamp"`
				Sum       float64 `json:"Sum"`
			} `json:"Datapoints"`
		}
		err := d.call(&out, "cloudwatch", "get-metric-statistics", "--namespace", "AWS/Events", "--metric-name", "FailedInvocations",
			"--dimensions", "Name=RuleName,Value="+rule,
			"--start-time", d.now.Add(-alertRulesLookback).UTC().Format(time.RFC3339), "--end-time", d.now.UTC().Format(time.RFC3339),
			"--period", "3600", "--statistics", "Sum")
		if err != nil {
			results = append(results, couldNotCheck("alert rule "+rule, err))
			continue
		}
		var lastDay, before float64
		var newest time.Time
		for _, p := range out.Datapoints {
			if p.Sum <= 0 {
				continue
			}
			if p.Timestamp.After(newest) {
				newest = p.Timestamp.Time
			}
			if !p.Timestamp.Before(d.now.Add(-24 * time.Hour)) { // an hour's point is stamped with its start
				lastDay += p.Sum
			} else {
				before += p.Sum
			}
		}
		switch {
		case lastDay > 0:
			recent = append(recent, fmt.Sprintf("%s: %.0f failed invocation(s)", rule, lastDay))
			recentRules = append(recentRules, rule)
		case before > 0:
			older = append(older, fmt.Sprintf("%s: %.0f failed invocation(s), the newest %s", rule, before, ago(d.now, newest)))
			olderRules = append(olderRules, rule)
		}
	}
	days := int(alertRulesLookback / (24 * time.Hour))
	action := "check the rule's target may publish (its role, the topic's access policy, the topic's KMS key policy): "
	switch {
	case len(recent) > 0:
		return append(results, Result{Check: "alert rules", State: Fail,
			Evidence: "in the last 24 h, " + strings.Join(recent, "; ") + ": those alerts never reached the topic",
			Action:   action + d.inRegion("aws events list-targets-by-rule --rule "+recentRules[0])}), nil
	case len(older) > 0:
		return append(results, Result{Check: "alert rules", State: Warn,
			Evidence: fmt.Sprintf("in the last %d days, %s: those alerts never reached the topic (none in the last 24 h)", days, strings.Join(older, "; ")),
			Action:   action + d.inRegion("aws events list-targets-by-rule --rule "+olderRules[0]) + fmt.Sprintf("; once delivery is fixed, this row clears when the failures are %d days old", days)}), nil
	}
	return append(results, Result{Check: "alert rules", State: OK, Evidence: fmt.Sprintf("no failed invocation in the last %d days on the %d EventBridge rules", days, len(rules))}), nil
}

// inspectorEnabler is the logical id prefix of the patching stack's custom resource that switches
// Inspector on (security.inspector.enable; constructs/compliance newInspectorEnabler).
const inspectorEnabler = "SecurityInspectorEnabler"

// checkInspector: where the patching stack switches Inspector on, is it scanning the account's EC2
// instances? The custom resource succeeds only once EC2 scanning was ENABLED, but that was at the
// last deploy: anyone may switch it off since, or an organization's delegated administrator
// suspend it; BatchGetAccountStatus says what is now.
func (d *deployment) checkInspector() ([]Result, error) {
	if len(d.patching.physical(compliancespec.InspectorEnablerResourceType, inspectorEnabler)) == 0 {
		return nil, nil
	}
	type state struct {
		Status       string `json:"status"`
		ErrorCode    string `json:"errorCode"`
		ErrorMessage string `json:"errorMessage"`
	}
	var out struct {
		Accounts []struct {
			AccountId     string `json:"accountId"`
			State         state  `json:"state"`
			ResourceState struct {
				Ec2 state `json:"ec2"`
			} `json:"resourceState"`
		} `json:"accounts"`
		FailedAccounts []struct {
			AccountId    string `json:"accountId"`
			ErrorCode    string `json:"errorCode"`
			ErrorMessage string `json:"errorMessage"`
		} `json:"failedAccounts"`
	}
	if err := d.call(&out, "inspector2", "batch-get-account-status", "--account-ids", d.account); err != nil {
		return nil, err
	}
	r := Result{Check: "Inspector", State: Fail,
		Action: "switch it on: " + d.inRegion("aws inspector2 enable --resource-types EC2") +
			" (what the stack's EnableInspector does when it is created or updated); in an organization, its delegated administrator does, " +
			"with its own credentials: aws inspector2 enable --resource-types EC2 --account-ids " + d.account + " --region " + cmp.Or(d.region, d.t.Region)}
	switch {
	case len(out.FailedAccounts) > 0:
		f := out.FailedAccounts[0]
		r.Evidence = fmt.Sprintf("account %s: %s: %s", f.AccountId, f.ErrorCode, f.ErrorMessage)
	case len(out.Accounts) == 0:
		r.Evidence = "Inspector returned no status for account " + d.account
	default:
		ec2 := out.Accounts[0].ResourceState.Ec2
		r.Evidence = fmt.Sprintf("account %s: %s, EC2 scanning %s", out.Accounts[0].AccountId, out.Accounts[0].State.Status, ec2.Status)
		if ec2.Status != "ENABLED" && ec2.ErrorCode != "" {
			r.Evidence += fmt.Sprintf(" (%s: %s)", ec2.ErrorCode, ec2.ErrorMessage)
		}
		switch ec2.Status {
		case "ENABLED":
			r.State, r.Action = OK, ""
		case "ENABLING":
			r.State, r.Action = Warn, "wait: Inspector is switching EC2 scanning on; make doctor again"
		}
	}
	return []Result{r}, nil
}
