package doctor

import (
	"fmt"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
)

// The stop alarms make deploy attaches after CloudFormation (docs/patching.md#a-rollout-that-stops-itself).
// This file writes; the rest of the package but PatchNow and StackPolicy reads.

// attachArgs are the UpdateMaintenanceWindowTask call that attaches the stop alarm, and only it
// (the task's rate controls passed again, as the API requires of a task with targets).
func (a taskStopAlarm) attachArgs() []string {
	return patchingspec.AttachStopAlarmArgs(a.window, a.task.WindowTaskId, a.want, a.task.MaxConcurrency, a.task.MaxErrors)
}

// AttachStopAlarmsCalls are the AWS CLI calls (service and operation) AttachStopAlarms makes, its
// reads and its one write: what make deploy's credentials need for it (docs/github-setup.md,
// deploy.json). Its test checks them against the calls it makes.
var AttachStopAlarmsCalls = []string{
	"sts get-caller-identity",
	"cloudformation describe-stacks",
	"cloudformation list-stack-resources",
	"ssm describe-maintenance-window-tasks",
	"ssm update-maintenance-window-task",
}

// AttachStopAlarms attaches each Install task's stop alarm that is not attached, as make deploy
// does after CloudFormation: it cannot set a task's AlarmConfiguration, and its update of a task
// removes it (patchingspec.CloudFormationTakesAlarmConfiguration). It returns the calls it made;
// an error when it could not read the stacks or a window's tasks, or a call failed.
func AttachStopAlarms(aws AWS, t Target) ([]string, error) {
	d := &deployment{aws: aws, t: t}
	if _, err := d.identify(); err != nil {
		return nil, CouldNotRun{err}
	}
	if _, err := d.readStacks(); err != nil {
		return nil, CouldNotRun{err}
	}
	if err := d.failedStacks[&d.patching]; err != nil {
		return nil, fmt.Errorf("stack %s could not be read: %w", t.Patching, err)
	}
	tasks, couldNot := d.stopAlarmTasks()
	if len(couldNot) > 0 {
		return nil, fmt.Errorf("%s: %s", couldNot[0].Check, couldNot[0].Evidence)
	}
	var made []string
	for _, a := range tasks {
		if a.attached() {
			continue
		}
		args := a.attachArgs()
		var answer struct{}
		if err := d.call(&answer, args...); err != nil {
			return made, err
		}
		made = append(made, "aws "+strings.Join(args, " "))
	}
	return made, nil
}
