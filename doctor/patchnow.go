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

// PatchNow is one on-demand run of AWS-RunPatchBaseline, the source posts' Run Command step, with
// the rate control, reboot option, timeout and S3 output prefix of the deployed maintenance window
// that patches the same nodes.
type PatchNow struct {
	// Target is a patch group, a managed node id (i-..., mi-...) or a resource group name.
	Target    string
	Operation string // Scan or Install
	// Poll is how often to ask for the command's status; Wait how long at most.
	Poll, Wait time.Duration
	// Sleep waits between polls (time.Sleep; the tests pass a stand-in).
	Sleep func(time.Duration)
}

// nodeIdPattern is a managed node id: InstancePatchState.InstanceId's pattern
// (^i-(\w{8}|\w{17})$)|(^mi-\w{17}$) (Systems Manager API Reference, read 2026-11-27).
var nodeIdPattern = regexp.MustCompile(`^(i-(\w{8}|\w{17})|mi-\w{17})$`)

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
}

type sendTarget struct {
	Key    string   `json:"Key"`
	Values []string `json:"Values"`
}

// commandTerminal are the Command statuses that end a command (CommandStatus: Pending |
// InProgress | Success | Cancelled | Failed | TimedOut | Cancelling, Systems Manager API
// Reference, read 2026-11-27).
var commandTerminal = []string{"Success", "Cancelled", "Failed", "TimedOut"}

// windowTasks reads the AWS-RunPatchBaseline tasks of the deployed patching stack's windows
// (AWS::SSM::MaintenanceWindowTask with their AWS::SSM::MaintenanceWindowTarget), install tasks first.
func windowTasks(template map[string]any) []windowTask {
	resources, _ := template["Resources"].(map[string]any)
	get := func(m any, keys ...string) any {
		for _, k := range keys {
			mm, ok := m.(map[string]any)
			if !ok {
				return nil
			}
			m = mm[k]
		}
		return m
	}
	str := func(v any) string { s, _ := v.(string); return s }
	first := func(v any) string {
		if list, ok := v.([]any); ok && len(list) > 0 {
			return str(list[0])
		}
		return ""
	}
	var tasks []windowTask
	for _, r := range resources {
		if get(r, "Type") != "AWS::SSM::MaintenanceWindowTask" || get(r, "Properties", "TaskArn") != patchingspec.RunPatchBaselineDocument {
			continue
		}
		run := get(r, "Properties", "TaskInvocationParameters", "MaintenanceWindowRunCommandParameters")
		task := windowTask{Window: str(get(r, "Properties", "Name")), MaxConcurrency: str(get(r, "Properties", "MaxConcurrency")),
			MaxErrors: str(get(r, "Properties", "MaxErrors")), RebootOption: first(get(run, "Parameters", "RebootOption")),
			Operation: first(get(run, "Parameters", "Operation")), OutputPrefix: str(get(run, "OutputS3KeyPrefix"))}
		task.TimeoutSeconds, _ = get(run, "TimeoutSeconds").(float64)
		window := resources[str(get(r, "Properties", "WindowId", "Ref"))]
		task.Schedule, task.Timezone = str(get(window, "Properties", "Schedule")), str(get(window, "Properties", "ScheduleTimezone"))
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

// settingsFor picks the window task whose settings a run on target uses, and the Run Command
// targets: a patch group is sent by the window's own tag key; a node id or resource group takes
// the settings of the window naming it, else of the first install window.
func (p PatchNow) settingsFor(tasks []windowTask, patchGroups []string) (windowTask, []sendTarget, error) {
	if len(tasks) == 0 {
		return windowTask{}, nil, fmt.Errorf("the patching stack has no AWS-RunPatchBaseline window task whose settings to use")
	}
	names := func(t windowTask, key, value string) bool {
		for _, target := range t.Targets {
			if (key == "" || target.Key == key) && slices.Contains(target.Values, value) {
				return true
			}
		}
		return false
	}
	var send []sendTarget
	chosen := -1
	switch {
	case slices.Contains(patchGroups, p.Target):
		for i, t := range tasks {
			for _, target := range t.Targets {
				if strings.HasPrefix(target.Key, "tag:") && slices.Contains(target.Values, p.Target) && chosen < 0 {
					chosen, send = i, []sendTarget{{Key: target.Key, Values: []string{p.Target}}}
				}
			}
		}
		if chosen < 0 {
			return windowTask{}, nil, fmt.Errorf("no maintenance window targets patch group %s: add one (patching.maintenanceWindows) or pass a node id", p.Target)
		}
	case nodeIdPattern.MatchString(p.Target):
		send = []sendTarget{{Key: "InstanceIds", Values: []string{p.Target}}}
	default: // a resource group
		send = []sendTarget{{Key: "resource-groups:Name", Values: []string{p.Target}}}
	}
	if chosen < 0 {
		chosen = 0
		for i, t := range tasks {
			if names(t, send[0].Key, p.Target) {
				chosen = i
				break
			}
		}
	}
	return tasks[chosen], send, nil
}

// Run sends the command, waits for it and prints each node's outcome; it returns whether every
// invocation succeeded. Its error is a CouldNotRun when nothing was sent.
func (p PatchNow) Run(aws AWS, t Target, out io.Writer) (bool, error) {
	if p.Operation != "Scan" && p.Operation != "Install" {
		return false, CouldNotRun{fmt.Errorf("OPERATION=%q: give Scan or Install (AWS-RunPatchBaseline's Operation)", p.Operation)}
	}
	if p.Target == "" {
		return false, CouldNotRun{fmt.Errorf("give TARGET: a patch group (%s), a managed node id (i-..., mi-...) or a resource group name", strings.Join(t.PatchGroups, ", "))}
	}
	d := &deployment{aws: aws, t: t}
	if failed, err := d.readStacks(); err != nil {
		return false, CouldNotRun{err}
	} else if len(failed) > 0 {
		return false, CouldNotRun{fmt.Errorf("%s: %s", failed[0].Check, failed[0].Evidence)}
	}
	template, err := d.deployedTemplate(t.Patching)
	if err != nil {
		return false, CouldNotRun{err}
	}
	task, targets, err := p.settingsFor(windowTasks(template), t.PatchGroups)
	if err != nil {
		return false, CouldNotRun{err}
	}
	bucket := d.fleet.Outputs["CommandOutputBucket"]
	// The window's prefix ends with its operation (patch/<window>/Install/); nodes may write under patch/.
	prefix := strings.TrimSuffix(task.OutputPrefix, task.Operation+"/") + p.Operation + "/"
	targetsJSON, _ := json.Marshal(targets)
	params, _ := json.Marshal(map[string][]string{"Operation": {p.Operation}, "RebootOption": {task.RebootOption}})
	args := []string{"ssm", "send-command", "--document-name", patchingspec.RunPatchBaselineDocument, "--targets", string(targetsJSON),
		"--parameters", string(params), "--max-concurrency", task.MaxConcurrency, "--max-errors", task.MaxErrors,
		"--output-s3-bucket-name", bucket, "--output-s3-key-prefix", prefix,
		"--comment", fmt.Sprintf("make patch-now %s %s", p.Operation, p.Target)}
	if task.TimeoutSeconds > 0 {
		args = append(args, "--timeout-seconds", fmt.Sprint(task.TimeoutSeconds))
	}
	fmt.Fprintf(out, "patch-now: %s on %s with %s's settings: %s at a time, stop at %s errors, %s, output s3://%s/%s\n",
		p.Operation, p.Target, task.Window, task.MaxConcurrency, task.MaxErrors, task.RebootOption, bucket, prefix)
	var sent struct {
		Command struct {
			CommandId string `json:"CommandId"`
		} `json:"Command"`
	}
	if err := d.call(&sent, args...); err != nil {
		return false, CouldNotRun{err}
	}
	id := sent.Command.CommandId
	fmt.Fprintf(out, "patch-now: command %s sent; waiting (aws ssm list-command-invocations --command-id %s)\n", id, id)
	status := ""
	for waited := time.Duration(0); ; waited += p.Poll {
		var listed struct {
			Commands []struct {
				Status        string `json:"Status"`
				StatusDetails string `json:"StatusDetails"`
			} `json:"Commands"`
		}
		if err := d.call(&listed, "ssm", "list-commands", "--command-id", id); err != nil {
			return false, err
		}
		if len(listed.Commands) > 0 {
			status = listed.Commands[0].Status + " (" + listed.Commands[0].StatusDetails + ")"
			if slices.Contains(commandTerminal, listed.Commands[0].Status) {
				break
			}
		}
		if waited >= p.Wait {
			fmt.Fprintf(out, "patch-now: still %s after %s; it goes on: follow it with the command above\n", status, p.Wait)
			return false, nil
		}
		p.Sleep(p.Poll)
	}
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
		return false, err
	}
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "NODE\tNAME\tSTATUS\tDETAILS")
	allSucceeded := len(invocations.CommandInvocations) > 0
	for _, i := range invocations.CommandInvocations {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", i.InstanceId, i.InstanceName, i.Status, i.StatusDetails)
		allSucceeded = allSucceeded && i.Status == "Success"
	}
	w.Flush()
	fmt.Fprintf(out, "patch-now: command %s %s; output under s3://%s/%s%s/\n", id, status, bucket, prefix, id)
	if len(invocations.CommandInvocations) == 0 {
		fmt.Fprintln(out, "patch-now: no node matched the target")
	}
	return allSucceeded, nil
}
