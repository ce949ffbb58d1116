package doctor

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
)

// PatchNow is one on-demand run of AWS-RunPatchBaseline, the source posts' Run Command step, doing
// what the deployed maintenance window that patches the same nodes does: its rate control, reboot
// option, timeout, S3 output prefix, notifications and their role; its pre-patch image before
// an Install; its resource-group type filter. Emergency form: KBs installs the named updates only
// (InstallOverrideList), approved on WSUS first where the fleet uses WSUS.
type PatchNow struct {
	// Target is a patch group, a managed node id (i-..., mi-...) or a resource group name.
	Target    string
	Operation string // Scan or Install
	// KBs are the updates to install, and only those (KB5034441, ...): Install only.
	KBs []string
	// SkipImage runs an Install without the pre-patch image its window takes.
	SkipImage bool
	// Poll is how often to ask for the command's status; Wait how long at most.
	Poll, Wait time.Duration
	// Sleep waits between polls (time.Sleep; the tests pass a stand-in).
	Sleep func(time.Duration)
	// TempDir holds the install override list before its upload ("" is os.TempDir()).
	TempDir string
}

// nodeIdPattern is a managed node id: InstancePatchState.InstanceId's pattern
// (^i-(\w{8}|\w{17})$)|(^mi-\w{17}$) (Systems Manager API Reference, read 2026-11-27).
var nodeIdPattern = regexp.MustCompile(`^(i-(\w{8}|\w{17})|mi-\w{17})$`)

// kbPattern is a Microsoft update's knowledge base id.
var kbPattern = regexp.MustCompile(`^KB[0-9]{6,8}$`)

// windowTask is a deployed maintenance window's AWS-RunPatchBaseline task and what its window targets.
type windowTask struct {
	Window         string // the task's Name, <window>-TaskN
	Targets        []sendTarget
	MaxConcurrency string
	MaxErrors      string
	RebootOption   string
	Operation      string
	OutputPrefix   string
	TimeoutSeconds float64
	// Schedule and Timezone are the task's window's (AWS::SSM::MaintenanceWindow Schedule,
	// ScheduleTimezone; "" is UTC).
	Schedule, Timezone string
	// NotificationRole is the logical id of the role Run Command publishes the task's
	// notifications with (its Run Command parameters' ServiceRoleArn, which SendCommand takes
	// "to publish Amazon SNS notifications"), Notification what it notifies of failures
	// (NotificationConfig, with the topic's logical id).
	NotificationRole string
	Notification     *notification
	// Image is the window's AWS-CreateImage task (prePatchImage), nil without one.
	Image *imageTask
	// OverrideListKey is the key, in the command output bucket, of the list the task's Install
	// installs instead of what its baseline approves (exact promotion: the ring before's list),
	// "" without one.
	OverrideListKey string
}

type notification struct {
	Topic  string // logical id
	Events []string
	Type   string
}

// imageTask is a window's AWS-CreateImage automation task: its rate control, NoReboot, and the
// logical id of its AutomationAssumeRole.
type imageTask struct {
	MaxConcurrency, MaxErrors, NoReboot, Role string
}

type sendTarget struct {
	Key    string   `json:"Key"`
	Values []string `json:"Values"`
}

// commandTerminal are the Command statuses that end a command (CommandStatus: Pending |
// InProgress | Success | Cancelled | Failed | TimedOut | Cancelling, Systems Manager API
// Reference, read 2026-11-27).
var commandTerminal = []string{"Success", "Cancelled", "Failed", "TimedOut"}

// automationTerminal are the AutomationExecutionStatus values that end an automation
// (AutomationExecution, Systems Manager API Reference: Pending | InProgress | Waiting | Success |
// TimedOut | Cancelling | Cancelled | Failed | ... | CompletedWithSuccess | CompletedWithFailure |
// Exited, read 2026-12-06). ChangeCalendarOverrideRejected (the enum in botocore 1.43.11's ssm model,
// read 2026-12-07) is a change calendar's refusal to run it: it never starts.
var automationTerminal = []string{"Success", "TimedOut", "Cancelled", "Failed", "CompletedWithSuccess", "CompletedWithFailure", "Exited", "Rejected",
	"ChangeCalendarOverrideRejected"}

// templateGet walks a template's nested maps.
func templateGet(m any, keys ...string) any {
	for _, k := range keys {
		mm, ok := m.(map[string]any)
		if !ok {
			return nil
		}
		m = mm[k]
	}
	return m
}

func templateStr(v any) string { s, _ := v.(string); return s }

// templateRef is the logical id a {"Ref": ID} or {"Fn::GetAtt": [ID, ...]} names.
func templateRef(v any) string {
	if ref := templateStr(templateGet(v, "Ref")); ref != "" {
		return ref
	}
	if att, ok := templateGet(v, "Fn::GetAtt").([]any); ok && len(att) > 0 {
		return templateStr(att[0])
	}
	return ""
}

// templateFirst is the first string of a list.
func templateFirst(v any) string {
	if list, ok := v.([]any); ok && len(list) > 0 {
		return templateStr(list[0])
	}
	return ""
}

// windowTasks reads the AWS-RunPatchBaseline tasks of the deployed patching stack's windows
// (AWS::SSM::MaintenanceWindowTask with their AWS::SSM::MaintenanceWindowTarget), install tasks
// first, each with its window's AWS-CreateImage task.
func windowTasks(template map[string]any) []windowTask {
	resources, _ := template["Resources"].(map[string]any)
	images := imageTasks(resources)
	var tasks []windowTask
	for _, r := range resources {
		if templateGet(r, "Type") != "AWS::SSM::MaintenanceWindowTask" || templateGet(r, "Properties", "TaskArn") != patchingspec.RunPatchBaselineDocument {
			continue
		}
		task := runPatchBaselineTask(resources, r)
		task.Image = images[templateRef(templateGet(r, "Properties", "WindowId"))]
		tasks = append(tasks, task)
	}
	sort.Slice(tasks, func(i, j int) bool {
		if (tasks[i].Operation == "Install") != (tasks[j].Operation == "Install") {
			return tasks[i].Operation == "Install"
		}
		return tasks[i].Window < tasks[j].Window
	})
	return tasks
}

// imageTasks are the windows' AWS-CreateImage tasks, by window logical id.
func imageTasks(resources map[string]any) map[string]*imageTask {
	get, str := templateGet, templateStr
	images := map[string]*imageTask{}
	for _, r := range resources {
		if get(r, "Type") == "AWS::SSM::MaintenanceWindowTask" && get(r, "Properties", "TaskArn") == patchingspec.CreateImageRunbook {
			params := get(r, "Properties", "TaskInvocationParameters", "MaintenanceWindowAutomationParameters", "Parameters")
			roles, _ := get(params, "AutomationAssumeRole").([]any)
			image := &imageTask{MaxConcurrency: str(get(r, "Properties", "MaxConcurrency")), MaxErrors: str(get(r, "Properties", "MaxErrors")),
				NoReboot: templateFirst(get(params, "NoReboot"))}
			if len(roles) > 0 {
				image.Role = templateRef(roles[0])
			}
			images[templateRef(get(r, "Properties", "WindowId"))] = image
		}
	}
	return images
}

// runPatchBaselineTask reads one AWS-RunPatchBaseline window task r: its settings, its
// window's schedule, and the targets of the window targets it names.
func runPatchBaselineTask(resources map[string]any, r any) windowTask {
	get, str := templateGet, templateStr
	run := get(r, "Properties", "TaskInvocationParameters", "MaintenanceWindowRunCommandParameters")
	task := windowTask{Window: str(get(r, "Properties", "Name")), MaxConcurrency: str(get(r, "Properties", "MaxConcurrency")),
		MaxErrors: str(get(r, "Properties", "MaxErrors")), RebootOption: templateFirst(get(run, "Parameters", "RebootOption")),
		Operation: templateFirst(get(run, "Parameters", "Operation")), OutputPrefix: str(get(run, "OutputS3KeyPrefix"))}
	task.TimeoutSeconds, _ = get(run, "TimeoutSeconds").(float64)
	task.OverrideListKey = overrideListKey(get(run, "Parameters", patchingspec.InstallOverrideListParameter))
	window := resources[templateRef(get(r, "Properties", "WindowId"))]
	task.Schedule, task.Timezone = str(get(window, "Properties", "Schedule")), str(get(window, "Properties", "ScheduleTimezone"))
	task.NotificationRole = templateRef(get(run, "ServiceRoleArn"))
	if n := get(run, "NotificationConfig"); n != nil {
		task.Notification = &notification{Topic: templateRef(get(n, "NotificationArn")), Type: str(get(n, "NotificationType"))}
		events, _ := get(n, "NotificationEvents").([]any)
		for _, e := range events {
			task.Notification.Events = append(task.Notification.Events, str(e))
		}
	}
	targets, _ := get(r, "Properties", "Targets").([]any)
	for _, t := range targets {
		refs, _ := get(t, "Values").([]any)
		for _, ref := range refs {
			windowTargets, _ := get(resources[str(get(ref, "Ref"))], "Properties", "Targets").([]any)
			for _, wt := range windowTargets {
				st := sendTarget{Key: str(get(wt, "Key"))}
				values, _ := get(wt, "Values").([]any)
				for _, v := range values {
					st.Values = append(st.Values, str(v))
				}
				task.Targets = append(task.Targets, st)
			}
		}
	}
	return task
}

// overrideListKey is the object key of a task's InstallOverrideList: its s3://BUCKET/KEY form
// (patchingspec.PromoteListURL), whose bucket, the fleet stack's, the patching template names by
// an import; "" without one.
func overrideListKey(v any) string {
	var text strings.Builder
	switch list := v.(type) {
	case []any:
		if len(list) == 1 {
			return overrideListKey(list[0])
		}
	case string:
		text.WriteString(list)
	case map[string]any:
		parts, _ := templateGet(list, "Fn::Join").([]any)
		if len(parts) == 2 {
			pieces, _ := parts[1].([]any)
			for _, piece := range pieces {
				if s, ok := piece.(string); ok {
					text.WriteString(s)
				} else {
					text.WriteString("BUCKET") // the bucket, named by the fleet stack
				}
			}
		}
	}
	_, key, ok := strings.Cut(strings.TrimPrefix(text.String(), "s3://"), "/")
	if !ok || !strings.HasPrefix(text.String(), "s3://") {
		return ""
	}
	return key
}

// settingsFor picks the window task whose settings a run on target uses, and the Run Command
// targets. A patch group is sent by the window's own tag key, and a node id (whose patch group is
// group) gets the settings of the window that targets its group; a resource group takes the
// window naming it, with that window's resource-type filter. Among a window's tasks, one of the
// same operation is preferred (a Scan uses the window's Scan task when there is one).
func (p PatchNow) settingsFor(tasks []windowTask, patchGroups []string, group string) (windowTask, []sendTarget, error) {
	if len(tasks) == 0 {
		return windowTask{}, nil, fmt.Errorf("the patching stack has no AWS-RunPatchBaseline window task whose settings to use")
	}
	pick := func(match func(windowTask) bool) int {
		chosen := -1
		for i, t := range tasks {
			if match(t) && (chosen < 0 || tasks[chosen].Operation != p.Operation && t.Operation == p.Operation) {
				chosen = i
			}
		}
		return chosen
	}
	targetsGroup := func(g string) func(windowTask) bool {
		return func(t windowTask) bool {
			return slices.ContainsFunc(t.Targets, func(st sendTarget) bool { return strings.HasPrefix(st.Key, "tag:") && slices.Contains(st.Values, g) })
		}
	}
	switch {
	case slices.Contains(patchGroups, p.Target):
		chosen := pick(targetsGroup(p.Target))
		if chosen < 0 {
			return windowTask{}, nil, fmt.Errorf("no maintenance window targets patch group %s: add one (patching.maintenanceWindows) or pass a node id", p.Target)
		}
		for _, st := range tasks[chosen].Targets {
			if strings.HasPrefix(st.Key, "tag:") && slices.Contains(st.Values, p.Target) {
				return tasks[chosen], []sendTarget{{Key: st.Key, Values: []string{p.Target}}}, nil
			}
		}
	case nodeIdPattern.MatchString(p.Target):
		if group == "" {
			return windowTask{}, nil, fmt.Errorf("node %s carries no patch group tag (%s): no window patches it, so there are no settings to copy; tag it into a group",
				p.Target, strings.Join(patchGroups, ", "))
		}
		chosen := pick(targetsGroup(group))
		if chosen < 0 {
			return windowTask{}, nil, fmt.Errorf("node %s is in patch group %s, which no maintenance window targets: add one (patching.maintenanceWindows)", p.Target, group)
		}
		return tasks[chosen], []sendTarget{{Key: "InstanceIds", Values: []string{p.Target}}}, nil
	}
	// A resource group: the window naming it, with its resource-type filter; else the first
	// install window's settings and the filter every privatepatch window on a group carries.
	names := func(t windowTask) bool {
		return slices.ContainsFunc(t.Targets, func(st sendTarget) bool {
			return st.Key == "resource-groups:Name" && slices.Contains(st.Values, p.Target)
		})
	}
	send := []sendTarget{{Key: "resource-groups:Name", Values: []string{p.Target}}}
	chosen := pick(names)
	if chosen < 0 {
		return tasks[0], append(send, sendTarget{Key: "resource-groups:ResourceTypeFilters", Values: []string{"AWS::EC2::Instance"}}), nil
	}
	for _, st := range tasks[chosen].Targets {
		if st.Key == "resource-groups:ResourceTypeFilters" {
			send = append(send, st)
		}
	}
	return tasks[chosen], send, nil
}

// nodeGroup is the patch group a node's tags put it in (DescribeInstances Tags for an EC2
// instance; ListTagsForResource TagList, resource type ManagedInstance, for a hybrid node).
func (d *deployment) nodeGroup(id string) (string, error) {
	var tags []struct {
		Key   string `json:"Key"`
		Value string `json:"Value"`
	}
	if strings.HasPrefix(id, "mi-") {
		var out struct {
			TagList []struct {
				Key   string `json:"Key"`
				Value string `json:"Value"`
			} `json:"TagList"`
		}
		if err := d.call(&out, "ssm", "list-tags-for-resource", "--resource-type", "ManagedInstance", "--resource-id", id); err != nil {
			return "", err
		}
		tags = out.TagList
	} else {
		var out struct {
			Reservations []struct {
				Instances []instance `json:"Instances"`
			} `json:"Reservations"`
		}
		if err := d.call(&out, "ec2", "describe-instances", "--instance-ids", id); err != nil {
			return "", err
		}
		for _, r := range out.Reservations {
			for _, i := range r.Instances {
				for _, t := range i.Tags {
					tags = append(tags, struct {
						Key   string `json:"Key"`
						Value string `json:"Value"`
					}{t.Key, t.Value})
				}
			}
		}
	}
	for _, key := range d.t.PatchGroupTagKeys {
		for _, t := range tags {
			if t.Key == key {
				return t.Value, nil
			}
		}
	}
	return "", nil
}

// physicalOf is the physical id of a stack resource by logical id.
func (s stack) physicalOf(logicalId string) string {
	for _, r := range s.Resources {
		if r.LogicalResourceId == logicalId {
			return r.PhysicalResourceId
		}
	}
	return ""
}

// roleArn is the ARN of a role of the patching stack (its physical id is the role's name; CDK
// roles have the path /), in the stack's partition and account.
func (d *deployment) roleArn(logicalId string) string {
	name := d.patching.physicalOf(logicalId)
	if name == "" || d.account == "" {
		return ""
	}
	partition := "aws"
	if parts := strings.Split(d.patching.Id, ":"); len(parts) > 1 {
		partition = parts[1]
	}
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, d.account, name)
}

// Run sends the command, waits for it and prints each node's outcome; it returns whether every
// invocation succeeded. Its error is a CouldNotRun when nothing was sent.
func (p PatchNow) Run(aws AWS, t Target, out io.Writer) (bool, error) {
	p, err := p.checked(t)
	if err != nil {
		return false, CouldNotRun{err}
	}
	d := &deployment{aws: aws, t: t}
	task, targets, err := p.resolve(d, t)
	if err != nil {
		return false, CouldNotRun{err}
	}
	s := p.sendCommandArgs(d, task, targets)
	fmt.Fprintf(out, "patch-now: %s on %s with %s's settings: %s, output s3://%s/%s\n", p.Operation, p.Target, task.Window, strings.Join(s.copied, ", "), s.bucket, s.prefix)

	members, err := targetMembers(d, targets)
	if err != nil {
		return false, CouldNotRun{err}
	}
	if p.Operation == "Install" {
		if ok, err := p.prePatchImage(d, task, targets, out); !ok || err != nil {
			return false, err
		}
	}
	if len(p.KBs) > 0 {
		url, ok, err := p.installOverrideList(d, s.bucket, out)
		if !ok || err != nil {
			return false, err
		}
		s.parameters["InstallOverrideList"] = []string{url}
	}
	s.args[slices.Index(s.args, "--parameters")+1] = jsonOf(s.parameters)

	var sent struct {
		Command struct {
			CommandId string `json:"CommandId"`
		} `json:"Command"`
	}
	if err := d.call(&sent, s.args...); err != nil {
		return false, CouldNotRun{err}
	}
	id := sent.Command.CommandId
	fmt.Fprintf(out, "patch-now: command %s sent; waiting (%s)\n", id, d.inRegion("aws ssm list-command-invocations --command-id "+id))
	status, done, err := p.waitCommand(d, id)
	if err != nil || !done {
		if err == nil {
			fmt.Fprintf(out, "patch-now: still %s after %s; it goes on: follow it with the command above\n", status, p.Wait)
		}
		return false, err
	}
	nodes, ok, err := reportInvocations(d, id, status, s.bucket+"/"+s.prefix, targets, members, out)
	if !ok || err != nil || len(p.KBs) == 0 {
		return ok, err
	}
	return p.installedOnEveryNode(d, nodes, out)
}

// installedOnEveryNode tells whether each node that ran an emergency Install has each named
// update installed (DescribeInstancePatches, KBId filter; PatchComplianceData State INSTALLED,
// INSTALLED_PENDING_REBOOT, INSTALLED_OTHER or INSTALLED_REJECTED, the PatchComplianceDataState
// enum, AWS Systems Manager API Reference and botocore's model, read 2026-12-07; the CLI's own example prints Installed, so either spelling is read), and
// names the ones it lacks; one NOT_APPLICABLE to a node (another product or version) is said so,
// not counted missing. Every node reporting Success does not say so: on Windows, "patches in the
// InstallOverrideList patch list are applied only if they also match the patch baseline rules"
// (patchingspec.InstallOverrideListParameter), so an update the baseline does not approve yet
// (approveAfterDays) is skipped, and the command succeeds having installed nothing.
func (p PatchNow) installedOnEveryNode(d *deployment, nodes []string, out io.Writer) (bool, error) {
	filters, _ := json.Marshal([]map[string]any{{"Key": "KBId", "Values": p.KBs}})
	all := true
	for _, node := range nodes {
		var got struct {
			Patches []struct {
				KBId  string `json:"KBId"`
				State string `json:"State"`
			} `json:"Patches"`
		}
		if err := d.call(&got, "ssm", "describe-instance-patches", "--instance-id", node, "--filters", string(filters)); err != nil {
			return false, err
		}
		installed, notApplicable := map[string]bool{}, map[string]bool{}
		for _, patch := range got.Patches {
			switch strings.ToLower(strings.ReplaceAll(patch.State, "_", "")) {
			case "installed", "installedpendingreboot", "installedother":
				installed[patch.KBId] = true
			case "installedrejected": // on the node, though its baseline now rejects it
				installed[patch.KBId] = true
				fmt.Fprintf(out, "patch-now: %s is installed on %s though its patch baseline rejects it (INSTALLED_REJECTED)\n", patch.KBId, node)
			case "notapplicable":
				notApplicable[patch.KBId] = true
			}
		}
		var lacks []string
		for _, kb := range p.KBs {
			switch {
			case notApplicable[kb]:
				fmt.Fprintf(out, "patch-now: %s does not apply to %s (NOT_APPLICABLE: another product or version)\n", kb, node)
			case !installed[kb]:
				lacks = append(lacks, kb)
			}
		}
		if len(lacks) > 0 {
			all = false
			fmt.Fprintf(out, "patch-now: %s does not have %s installed though its command succeeded: on Windows a listed update is installed only "+
				"if the node's patch baseline approves it too; approve it there (approvedPatches), or wait until approveAfterDays has passed\n", node, strings.Join(lacks, ", "))
		}
	}
	if all {
		fmt.Fprintf(out, "patch-now: %s installed on every node\n", strings.Join(p.KBs, ", "))
	}
	return all, nil
}

// checked refuses a request AWS-RunPatchBaseline cannot carry out; named KBs make it an Install.
func (p PatchNow) checked(t Target) (PatchNow, error) {
	if len(p.KBs) > 0 && p.Operation == "Scan" {
		return p, fmt.Errorf("KB=%s installs named updates: give OPERATION=Install (or no OPERATION)", strings.Join(p.KBs, ","))
	}
	if len(p.KBs) > 0 {
		p.Operation = "Install"
	}
	for _, kb := range p.KBs {
		if !kbPattern.MatchString(kb) {
			return p, fmt.Errorf("KB=%q: give knowledge base ids, e.g. KB=KB5034441,KB5034439", kb)
		}
	}
	if p.Operation != "Scan" && p.Operation != "Install" {
		return p, fmt.Errorf("OPERATION=%q: give Scan or Install (AWS-RunPatchBaseline's Operation)", p.Operation)
	}
	if p.Target == "" {
		return p, fmt.Errorf("give TARGET: a patch group (%s), a managed node id (i-..., mi-...) or a resource group name", strings.Join(t.PatchGroups, ", "))
	}
	return p, nil
}

// resolve reads the deployment behind the credentials and finds the window task whose settings
// the command copies, and the command's targets.
func (p PatchNow) resolve(d *deployment, t Target) (windowTask, []sendTarget, error) {
	// The wrong account's answers would send the command to another deployment's nodes; where the
	// configuration names no account there is nothing to compare with.
	if who, err := d.identify(); err != nil {
		return windowTask{}, nil, err
	} else if who.State != OK && t.Account != "" {
		return windowTask{}, nil, fmt.Errorf("the account of the credentials could not be checked against %s: %s", t.Account, who.Evidence)
	}
	if failed, err := d.readStacks(); err != nil {
		return windowTask{}, nil, err
	} else if len(failed) > 0 {
		return windowTask{}, nil, fmt.Errorf("%s: %s", failed[0].Check, failed[0].Evidence)
	}
	template, err := d.template(t.Patching)
	if err != nil {
		return windowTask{}, nil, err
	}
	group := ""
	if nodeIdPattern.MatchString(p.Target) {
		if group, err = d.nodeGroup(p.Target); err != nil {
			return windowTask{}, nil, err
		}
	}
	return p.settingsFor(windowTasks(template), t.PatchGroups, group)
}

// sendCall is a send-command call copying a window task's settings, before its parameters
// are final (a KB list adds InstallOverrideList).
type sendCall struct {
	args       []string
	parameters map[string][]string
	copied     []string // the settings copied, said aloud
	bucket     string
	prefix     string
}

// sendCommandArgs copies the window task's rate control, reboot option, timeout, role and notification.
func (p PatchNow) sendCommandArgs(d *deployment, task windowTask, targets []sendTarget) sendCall {
	bucket := d.fleet.Outputs["CommandOutputBucket"]
	// The window's prefix ends with its operation (patch/<window>/Install/); nodes may write under patch/.
	prefix := strings.TrimSuffix(task.OutputPrefix, task.Operation+"/") + p.Operation + "/"
	parameters := map[string][]string{"Operation": {p.Operation}, "RebootOption": {task.RebootOption}}
	args := []string{"ssm", "send-command", "--document-name", patchingspec.RunPatchBaselineDocument, "--targets", jsonOf(targets),
		"--parameters", "", "--max-concurrency", task.MaxConcurrency, "--max-errors", task.MaxErrors,
		"--output-s3-bucket-name", bucket, "--output-s3-key-prefix", prefix,
		"--comment", commandComment(fmt.Sprintf("make patch-now %s %s", p.Operation, p.Target))}
	if task.TimeoutSeconds > 0 {
		args = append(args, "--timeout-seconds", fmt.Sprint(task.TimeoutSeconds))
	}
	copied := []string{fmt.Sprintf("%s at a time", task.MaxConcurrency), fmt.Sprintf("stop at %s errors", task.MaxErrors), task.RebootOption}
	if p.Operation == patchingspec.OperationInstall && task.Operation == patchingspec.OperationInstall && task.OverrideListKey != "" {
		// The window's Install installs the ring before's list, not what the baseline approves:
		// so does its Install now (a KB= list replaces it, in Run).
		url := fmt.Sprintf("s3://%s/%s", bucket, task.OverrideListKey)
		parameters[patchingspec.InstallOverrideListParameter] = []string{url}
		copied = append(copied, "the promoted list "+url)
	}
	if role := d.roleArn(task.NotificationRole); role != "" {
		args = append(args, "--service-role-arn", role)
		copied = append(copied, "notification role "+role)
	}
	if n := task.Notification; n != nil {
		if topic := d.patching.physicalOf(n.Topic); topic != "" {
			args = append(args, "--notification-config", jsonOf(map[string]any{"NotificationArn": topic, "NotificationEvents": n.Events, "NotificationType": n.Type}))
			copied = append(copied, fmt.Sprintf("notifies %s of %s", topic, strings.Join(n.Events, ", ")))
		}
	}
	return sendCall{args: args, parameters: parameters, copied: copied, bucket: bucket, prefix: prefix}
}

// reportInvocations prints each node's outcome of an ended command (output under
// s3://<location><command id>/) and the target's members it did not reach, and returns the nodes
// and whether every one succeeded and every member was reached.
func reportInvocations(d *deployment, id, status, location string, targets []sendTarget, members []member, out io.Writer) ([]string, bool, error) {
	var invocations struct {
		CommandInvocations []struct {
			InstanceId        string `json:"InstanceId"`
			InstanceName      string `json:"InstanceName"`
			Status            string `json:"Status"`
			StatusDetails     string `json:"StatusDetails"`
			StandardOutputUrl string `json:"StandardOutputUrl"`
		} `json:"CommandInvocations"`
	}
	if err := d.call(&invocations, "ssm", "list-command-invocations", "--command-id", id); err != nil {
		return nil, false, err
	}
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "NODE\tNAME\tSTATUS\tDETAILS")
	allSucceeded := len(invocations.CommandInvocations) > 0
	var nodes []string
	for _, i := range invocations.CommandInvocations {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", i.InstanceId, i.InstanceName, i.Status, i.StatusDetails)
		allSucceeded = allSucceeded && i.Status == "Success"
		nodes = append(nodes, i.InstanceId)
	}
	w.Flush()
	fmt.Fprintf(out, "patch-now: command %s %s; output under s3://%s%s/\n", id, status, location, id)
	if len(invocations.CommandInvocations) == 0 {
		fmt.Fprintln(out, "patch-now: no managed node matched the target")
	}
	allSucceeded = reportUnreached(targets, members, nodes, out) && allSucceeded
	return nodes, allSucceeded, nil
}

// member is an EC2 instance (or a node id) the command's target names: its id and its Name tag.
type member struct{ id, name string }

// targetMembers are what the command's target names, whether Systems Manager manages them or not:
// for a tag target, the running EC2 instances with the tag (DescribeInstances, filters tag:KEY and
// instance-state-name, Amazon EC2 API Reference, read 2026-12-07); for an id target, the ids; for a
// resource group none (its members need resource-groups:ListGroupResources, not granted to
// patch-now). Run Command "locates and attempts to run the command on all managed nodes that match
// the specified tags" ("Run commands at scale", Systems Manager User Guide, read 2026-12-07): a
// tagged instance that is not a managed node gets no invocation and no word, so these are compared
// with the invocations (reportUnreached).
func targetMembers(d *deployment, targets []sendTarget) ([]member, error) {
	switch key := targets[0].Key; {
	case key == "InstanceIds":
		var ids []member
		for _, id := range targets[0].Values {
			ids = append(ids, member{id: id})
		}
		return ids, nil
	case !strings.HasPrefix(key, "tag:"):
		return nil, nil
	}
	filters, _ := json.Marshal([]map[string]any{{"Name": targets[0].Key, "Values": targets[0].Values},
		{"Name": "instance-state-name", "Values": []string{"running"}}})
	var reservations struct {
		Reservations []struct {
			Instances []instance `json:"Instances"`
		} `json:"Reservations"`
	}
	if err := d.call(&reservations, "ec2", "describe-instances", "--filters", string(filters)); err != nil {
		return nil, fmt.Errorf("the target's instances could not be listed, nothing was sent: %w", err)
	}
	var members []member
	for _, r := range reservations.Reservations {
		for _, i := range r.Instances {
			m := member{id: i.InstanceId}
			for _, t := range i.Tags {
				if t.Key == "Name" {
					m.name = t.Value
				}
			}
			members = append(members, m)
		}
	}
	return members, nil
}

// reportUnreached names each member of the target that no invocation reached and tells whether
// every one was reached; a resource group's members are not known (targetMembers), which it says.
func reportUnreached(targets []sendTarget, members []member, reached []string, out io.Writer) bool {
	if targets[0].Key == "resource-groups:Name" {
		fmt.Fprintf(out, "patch-now: members of resource group %s that are not managed nodes are not listed here (that needs resource-groups:ListGroupResources): "+
			"make doctor's node rows name the fleet's\n", targets[0].Values[0])
		return true
	}
	all := true
	for _, m := range members {
		if slices.Contains(reached, m.id) {
			continue
		}
		all = false
		name := ""
		if m.name != "" {
			name = " (" + m.name + ")"
		}
		fmt.Fprintf(out, "patch-now: not reached: %s%s: not a managed node Online when the command was sent: make doctor's node rows say why\n", m.id, name)
	}
	return all
}

// commandComment is a send-command comment within SendCommand's limit: Comment is at most 100
// characters (the Comment shape, Systems Manager API model in botocore; a longer one is refused
// with a ValidationException and nothing is sent). A long resource group name or KB list is cut.
func commandComment(text string) string {
	const limit = 100
	if r := []rune(text); len(r) > limit {
		return string(r[:limit-3]) + "..."
	}
	return text
}

func jsonOf(v any) string {
	data, _ := json.Marshal(v)
	return string(data)
}

// waitCommand polls ListCommands until the command ends or the wait does: its status, and whether it ended.
func (p PatchNow) waitCommand(d *deployment, id string) (string, bool, error) {
	status := ""
	for waited := time.Duration(0); ; waited += p.Poll {
		var listed struct {
			Commands []struct {
				Status        string `json:"Status"`
				StatusDetails string `json:"StatusDetails"`
			} `json:"Commands"`
		}
		if err := d.call(&listed, "ssm", "list-commands", "--command-id", id); err != nil {
			return status, false, err
		}
		if len(listed.Commands) > 0 {
			status = listed.Commands[0].Status + " (" + listed.Commands[0].StatusDetails + ")"
			if slices.Contains(commandTerminal, listed.Commands[0].Status) {
				return status, true, nil
			}
		}
		if waited >= p.Wait {
			return status, false, nil
		}
		p.Sleep(p.Poll)
	}
}

// prePatchImage takes the image the window's AWS-CreateImage task takes before its Install, with
// its rate control, NoReboot and role, and waits for it: an Install goes ahead only once every
// image exists. Without an image task there is nothing to do; SkipImage skips it, said aloud; a
// target AWS-CreateImage cannot image (a hybrid node) is refused without SkipImage.
func (p PatchNow) prePatchImage(d *deployment, task windowTask, targets []sendTarget, out io.Writer) (bool, error) {
	if task.Image == nil {
		return true, nil
	}
	if p.SkipImage {
		fmt.Fprintf(out, "patch-now: SKIP_IMAGE: no pre-patch image, though %s takes one before it installs\n", task.Window)
		return true, nil
	}
	role := d.roleArn(task.Image.Role)
	params := map[string][]string{"NoReboot": {task.Image.NoReboot}}
	if role != "" {
		params["AutomationAssumeRole"] = []string{role}
	}
	automationTargets, err := imageTargets(task, targets)
	if err != nil {
		return false, err
	}
	args := []string{"ssm", "start-automation-execution", "--document-name", patchingspec.CreateImageRunbook, "--target-parameter-name", "InstanceId",
		"--targets", jsonOf(automationTargets), "--parameters", jsonOf(params), "--max-concurrency", task.Image.MaxConcurrency, "--max-errors", task.Image.MaxErrors}
	var started struct {
		AutomationExecutionId string `json:"AutomationExecutionId"`
	}
	if err := d.call(&started, args...); err != nil {
		return false, CouldNotRun{fmt.Errorf("the pre-patch image could not start, nothing was installed (SKIP_IMAGE=1 installs without it): %w", err)}
	}
	id := started.AutomationExecutionId
	fmt.Fprintf(out, "patch-now: pre-patch image first, as %s does: automation %s (%s); waiting\n", task.Window, id, patchingspec.CreateImageRunbook)
	return p.waitImage(d, id, out)
}

// imageTargets are the command's targets as Automation's rate control takes them ("Run automated
// operations at scale", Systems Manager User Guide, read 2026-12-06): ParameterValues for
// instance ids, as its AWS-CreateImage example, tag:KEY for tags, ResourceGroup for a resource
// group. A hybrid node, which AWS-CreateImage cannot image, is refused.
func imageTargets(task windowTask, targets []sendTarget) ([]sendTarget, error) {
	switch targets[0].Key {
	case "InstanceIds":
		if strings.HasPrefix(targets[0].Values[0], "mi-") {
			return nil, CouldNotRun{fmt.Errorf("%s takes a pre-patch image (AWS-CreateImage) before it installs, which a hybrid node cannot have: pass SKIP_IMAGE=1 to install without one", task.Window)}
		}
		return []sendTarget{{Key: "ParameterValues", Values: targets[0].Values}}, nil
	case "resource-groups:Name":
		return []sendTarget{{Key: "ResourceGroup", Values: targets[0].Values}}, nil
	default:
		return targets[:1], nil
	}
}

// waitImage polls the image automation until it ends or the wait does: whether it succeeded.
func (p PatchNow) waitImage(d *deployment, id string, out io.Writer) (bool, error) {
	for waited := time.Duration(0); ; waited += p.Poll {
		var got struct {
			AutomationExecution struct {
				AutomationExecutionStatus string `json:"AutomationExecutionStatus"`
				FailureMessage            string `json:"FailureMessage"`
			} `json:"AutomationExecution"`
		}
		if err := d.call(&got, "ssm", "get-automation-execution", "--automation-execution-id", id); err != nil {
			return false, err
		}
		status := got.AutomationExecution.AutomationExecutionStatus
		if slices.Contains(automationTerminal, status) {
			if status != "Success" && status != "CompletedWithSuccess" {
				fmt.Fprintf(out, "patch-now: the pre-patch image ended %s (%s): nothing was installed (%s)\n",
					status, got.AutomationExecution.FailureMessage, d.inRegion("aws ssm get-automation-execution --automation-execution-id "+id))
				return false, nil
			}
			fmt.Fprintf(out, "patch-now: pre-patch image %s\n", status)
			return true, nil
		}
		if waited >= p.Wait {
			fmt.Fprintf(out, "patch-now: the pre-patch image is still %s after %s: nothing was installed; it goes on (%s)\n",
				status, p.Wait, d.inRegion("aws ssm get-automation-execution --automation-execution-id "+id))
			return false, nil
		}
		p.Sleep(p.Poll)
	}
}
