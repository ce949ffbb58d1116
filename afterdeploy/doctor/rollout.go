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
		r.Action = fmt.Sprintf("see the row of window %s, fix the cause, then unblock: aws cloudwatch set-alarm-state --alarm-name %s --state-value OK --state-reason fixed",
			window, name)
	case "OK", "INSUFFICIENT_DATA":
		// INSUFFICIENT_DATA: no failure since the alarm was created (no failure sends no data).
		r.State, r.Evidence = OK, fmt.Sprintf("%s: window %s has not failed, or was unblocked", state, window)
	default:
		return false
	}
	return true
}

// maintenanceWindowTask is one of DescribeMaintenanceWindowTasks' Tasks, with its
// AlarmConfiguration (Systems Manager API Reference, MaintenanceWindowTask, read 2026-12-06).
type maintenanceWindowTask struct {
	WindowTaskId       string `json:"WindowTaskId"`
	Name               string `json:"Name"`
	AlarmConfiguration *struct {
		Alarms []struct {
			Name string `json:"Name"`
		} `json:"Alarms"`
		IgnorePollAlarmFailure bool `json:"IgnorePollAlarmFailure"`
	} `json:"AlarmConfiguration"`
}

// checkStopAlarms: each task with a stop alarm in the stack (patchingspec.StopAlarmName) stops on
// it, failing it when it cannot read it (IgnorePollAlarmFailure false), or the row fails with the
// UpdateMaintenanceWindowTask call that attaches it.
func (d *deployment) checkStopAlarms() ([]Result, error) {
	stopAlarms := map[string]bool{}
	for _, name := range d.patching.physical("AWS::CloudWatch::CompositeAlarm", "") {
		stopAlarms[name] = true
	}
	if len(stopAlarms) == 0 {
		return nil, nil
	}
	var results []Result
	for _, window := range d.patching.physical("AWS::SSM::MaintenanceWindow", "") {
		var out struct {
			Tasks []maintenanceWindowTask `json:"Tasks"`
		}
		if err := d.call(&out, "ssm", "describe-maintenance-window-tasks", "--window-id", window); err != nil {
			results = append(results, couldNotCheck("stop alarms of window "+window, err))
			continue
		}
		for _, t := range out.Tasks {
			want := patchingspec.StopAlarmName(d.t.Patching+"-", t.Name)
			if stopAlarms[want] {
				results = append(results, judgeStopAlarm(window, t, want))
			}
		}
	}
	return results, nil
}

func judgeStopAlarm(window string, t maintenanceWindowTask, want string) Result {
	r := Result{Check: "stop alarm of task " + t.Name, State: OK, Evidence: "stops on " + want}
	have, ignores := "no alarm", false
	if c := t.AlarmConfiguration; c != nil && len(c.Alarms) > 0 {
		have, ignores = c.Alarms[0].Name, c.IgnorePollAlarmFailure
	}
	if have == want && !ignores {
		return r
	}
	r.State = Fail
	r.Evidence = fmt.Sprintf("stops on %s, not %s: CloudFormation cannot attach a task's alarm, so it is attached after each deploy", have, want)
	if ignores {
		r.Evidence = fmt.Sprintf("stops on %s but runs on when the alarm cannot be read (IgnorePollAlarmFailure)", have)
	}
	r.Action = fmt.Sprintf(`aws ssm update-maintenance-window-task --window-id %s --window-task-id %s --alarm-configuration '{"Alarms":[{"Name":"%s"}],"IgnorePollAlarmFailure":false}'`,
		window, t.WindowTaskId, want)
	return r
}
