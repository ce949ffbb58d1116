package doctor

import (
	"fmt"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
)

// A rollout that stops itself (docs/patching.md#a-rollout-that-stops-itself): each window's failure
// alarm, and whether each Install task stops on its stop alarm, which CloudFormation cannot attach
// (patchingspec.CloudFormationTakesAlarmConfiguration).

// judgeFailureAlarm states a window's failure alarm (patchingspec.FailureAlarmName) and says
// false when name is another alarm. In ALARM, the window's Install tasks and the next ring's wait.
func (d *deployment) judgeFailureAlarm(r *Result, name, state, reason string) bool {
	prefix := d.t.Patching + "-"
	if !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, patchingspec.FailureAlarmSuffix) {
		return false
	}
	window := strings.TrimSuffix(strings.TrimPrefix(name, prefix), patchingspec.FailureAlarmSuffix)
	switch state {
	case "ALARM":
		r.State = Fail
		r.Evidence = fmt.Sprintf("ALARM: window %s ended failed, timed out, cancelled or skipped; its Install tasks and the next ring's wait (%s)", window, reason)
		r.Action = fmt.Sprintf("see the row of window %s, fix the cause, then unblock: %s",
			window, d.inRegion("aws cloudwatch set-alarm-state --state-value OK --state-reason fixed --alarm-name "+name))
	case "OK", "INSUFFICIENT_DATA":
		// INSUFFICIENT_DATA: no failure since the alarm was created (no failure sends no data).
		r.State, r.Evidence = OK, fmt.Sprintf("%s: window %s has not failed, or was unblocked", state, window)
	default:
		return false
	}
	return true
}

// maintenanceWindowTask is one of DescribeMaintenanceWindowTasks' Tasks, with its
// AlarmConfiguration and rate controls (Systems Manager API Reference, MaintenanceWindowTask, read
// 2026-12-06).
type maintenanceWindowTask struct {
	WindowTaskId       string `json:"WindowTaskId"`
	Name               string `json:"Name"`
	MaxConcurrency     string `json:"MaxConcurrency"`
	MaxErrors          string `json:"MaxErrors"`
	AlarmConfiguration *struct {
		Alarms []struct {
			Name string `json:"Name"`
		} `json:"Alarms"`
		IgnorePollAlarmFailure bool `json:"IgnorePollAlarmFailure"`
	} `json:"AlarmConfiguration"`
}

// taskStopAlarm is an Install task of a window and the stop alarm the stack made for it.
type taskStopAlarm struct {
	window string
	task   maintenanceWindowTask
	want   string
}

// attached says whether the task stops on its stop alarm, and fails when it cannot read it.
func (a taskStopAlarm) attached() bool {
	c := a.task.AlarmConfiguration
	return c != nil && len(c.Alarms) > 0 && c.Alarms[0].Name == a.want && !c.IgnorePollAlarmFailure
}

// stopAlarmTasks are the tasks with a stop alarm in the stack (patchingspec.StopAlarmName), and a
// row for each window whose tasks could not be read.
func (d *deployment) stopAlarmTasks() ([]taskStopAlarm, []Result) {
	stopAlarms := map[string]bool{}
	for _, name := range d.patching.physical("AWS::CloudWatch::CompositeAlarm", "") {
		stopAlarms[name] = true
	}
	if len(stopAlarms) == 0 {
		return nil, nil
	}
	var tasks []taskStopAlarm
	var couldNot []Result
	for _, window := range d.patching.physical("AWS::SSM::MaintenanceWindow", "") {
		var out struct {
			Tasks []maintenanceWindowTask `json:"Tasks"`
		}
		if err := d.call(&out, "ssm", "describe-maintenance-window-tasks", "--window-id", window); err != nil {
			couldNot = append(couldNot, couldNotCheck("stop alarms of window "+window, err))
			continue
		}
		for _, t := range out.Tasks {
			if want := patchingspec.StopAlarmName(d.t.Patching+"-", t.Name); stopAlarms[want] {
				tasks = append(tasks, taskStopAlarm{window, t, want})
			}
		}
	}
	return tasks, couldNot
}

// checkStopAlarms: each task with a stop alarm in the stack stops on it, failing it when it
// cannot read it (IgnorePollAlarmFailure false), or the row fails with the
// UpdateMaintenanceWindowTask call that attaches it; and a stop alarm in ALARM, which holds the
// task's next Install back, is a warning naming why. DescribeAlarms answers for composite alarms
// only when asked with AlarmTypes CompositeAlarm ("If you omit this parameter, only metric alarms
// are returned", DescribeAlarms, CloudWatch API Reference, read 2026-12-06): the failure alarms
// among their members have rows of their own, a user's stopOnAlarms none.
func (d *deployment) checkStopAlarms() ([]Result, error) {
	tasks, results := d.stopAlarmTasks()
	if len(tasks) == 0 {
		return results, nil
	}
	var names []string
	for _, a := range tasks {
		names = append(names, a.want)
	}
	var states struct {
		CompositeAlarms []struct {
			AlarmName   string `json:"AlarmName"`
			StateValue  string `json:"StateValue"`
			StateReason string `json:"StateReason"`
		} `json:"CompositeAlarms"`
	}
	statesErr := d.call(&states, append([]string{"cloudwatch", "describe-alarms", "--alarm-types", "CompositeAlarm", "--alarm-names"}, names...)...)
	if statesErr != nil {
		results = append(results, couldNotCheck("stop alarms' states", statesErr))
	}
	for _, a := range tasks {
		r := d.judgeStopAlarm(a)
		for _, s := range states.CompositeAlarms {
			if s.AlarmName == a.want && s.StateValue == "ALARM" && r.State == OK {
				r.State = Warn
				r.Evidence = fmt.Sprintf("stops on %s, which is in ALARM (%s): the task's next Install does not run until it is OK", a.want, s.StateReason)
				r.Action = "fix what its member alarms report (the failure alarms' rows say how to unblock them; your own stopOnAlarms, in CloudWatch), then it turns OK by itself"
			}
		}
		results = append(results, r)
	}
	return results, nil
}

func (d *deployment) judgeStopAlarm(a taskStopAlarm) Result {
	r := Result{Check: "stop alarm of task " + a.task.Name, State: OK, Evidence: "stops on " + a.want}
	if a.attached() {
		return r
	}
	have, ignores := "no alarm", false
	if c := a.task.AlarmConfiguration; c != nil && len(c.Alarms) > 0 {
		have, ignores = c.Alarms[0].Name, c.IgnorePollAlarmFailure
	}
	r.State = Fail
	r.Evidence = fmt.Sprintf("stops on %s, not %s: CloudFormation cannot attach a task's alarm, and its update of a task removes it: make deploy and the pipeline's protection step attach it after each deploy", have, a.want)
	if ignores {
		r.Evidence = fmt.Sprintf("stops on %s but runs on when the alarm cannot be read (IgnorePollAlarmFailure)", have)
	}
	r.Action = d.inRegion(patchingspec.AttachStopAlarmCommand(shellWord(a.window), shellWord(a.task.WindowTaskId), a.want,
		shellWord(a.task.MaxConcurrency), shellWord(a.task.MaxErrors)))
	return r
}
