package patching

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/spec"
)

// A rollout that stops itself (patchingspec/rollout.go has the facts and their pages). Each window
// may have a failure alarm, latched by its failed executions; each Install task gets one stop
// alarm (AlarmConfiguration takes exactly one): a composite of the window's failure alarm, the
// earlier ring's and the task's own StopOnAlarms. CloudFormation cannot attach it to the task
// (no AlarmConfiguration property): make deploy and the pipeline's protection step make the
// UpdateMaintenanceWindowTask call that does (patchingspec.AttachStopAlarmArgs), and make doctor
// checks the attachment and prints the call.

// addFailureAlarm adds FailureRule, matching the window's executions that ended
// patchingspec.WindowFailureStatuses (the alerts' maintenance-window pattern, for this window
// only), and FailureAlarm on the rule's TriggeredRules, which stays in ALARM (TreatMissingData
// ignore: no failure sends no data point) until an operator sets it to OK. The alarm notifies
// Topic: "the next ring waits".
//
// The rule gets its target from the stack (MaintenanceWindow.FailureRule, Alerts.Notify): the
// alerts topic, which then reports the window's failure instead of the alerts' own rule. No AWS
// page shows a rule without targets counted in TriggeredRules ("The number of rules that have run
// and matched with any event", "Monitoring Amazon EventBridge", read 2026-12-06), and every
// example of an alarm on a rule's metrics has a target: the documented form is a rule with one.
func (w *maintenanceWindow) addFailureAlarm(p *WindowProps) {
	w.failureRule = awsevents.NewRule(w.Construct, jsii.String("FailureRule"), &awsevents.RuleProps{
		Description: jsii.String(fmt.Sprintf("privatepatch: window %s ended failed, timed out, cancelled or skipped (latches its failure alarm)", p.Name)),
		EventPattern: &awsevents.EventPattern{
			Source:     jsii.Strings("aws.ssm"),
			DetailType: jsii.Strings(patchingspec.WindowExecutionDetailType),
			Detail:     &map[string]any{"status": patchingspec.WindowFailureStatuses, "window-id": []*string{w.window.Ref()}},
		},
	})
	name := patchingspec.FailureAlarmName(p.AlarmNamePrefix, p.Name)
	w.failureAlarm = awscloudwatch.NewAlarm(w.Construct, jsii.String("FailureAlarm"), &awscloudwatch.AlarmProps{
		AlarmName: jsii.String(name),
		AlarmDescription: jsii.String(fmt.Sprintf("privatepatch: window %s failed; its Install tasks and the next ring's wait. Unblock after fixing: "+
			"aws cloudwatch set-alarm-state --alarm-name %s --state-value OK --state-reason fixed", p.Name, name)),
		Metric: awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String("AWS/Events"), MetricName: jsii.String("TriggeredRules"),
			DimensionsMap: &map[string]*string{"RuleName": w.failureRule.RuleName()}, Statistic: jsii.String("Sum"),
			Period: awscdk.Duration_Minutes(jsii.Number(patchingspec.FailureRulePeriodMinutes)),
		}),
		Threshold: jsii.Number(patchingspec.FailureAlarmThreshold),
		// Synthesised as patchingspec.FailureAlarmComparison (the goldens' test holds them together).
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		EvaluationPeriods:  jsii.Number(patchingspec.FailureAlarmEvaluationPeriods),
		TreatMissingData:   awscloudwatch.TreatMissingData_IGNORE,
	})
	w.failureAlarm.AddAlarmAction(awscloudwatchactions.NewSnsAction(p.Topic))
}

// alarmProblems are the problems of the props' failure and stop alarms.
func (p *WindowProps) alarmProblems() spec.Problems {
	var problems spec.Problems
	if p.FailureAlarm && p.Topic == nil {
		problems.Add("FailureAlarm", true, "needs Topic, which the alarm notifies")
	}
	for i, t := range p.Tasks {
		names := stopAlarmsOf(p, t)
		if len(names) > 0 && p.AlarmNamePrefix == "" {
			problems.Add(fmt.Sprintf("Tasks[%d]", i), len(names), "alarms to stop on need AlarmNamePrefix: the stop alarm is named from it")
		}
		if len(names) > patchingspec.MaxCompositeRuleAlarms {
			problems.Add(fmt.Sprintf("Tasks[%d]", i), len(names), "alarms are more than one composite alarm's rule takes (%d)", patchingspec.MaxCompositeRuleAlarms)
		}
		if n := len(patchingspec.CompositeRule(names)); n > patchingspec.MaxCompositeRuleLength {
			problems.Add(fmt.Sprintf("Tasks[%d]", i), n, "characters are more than a composite alarm's rule takes (%d): name fewer or shorter alarms to stop on", patchingspec.MaxCompositeRuleLength)
		}
	}
	return problems
}

// stopAlarmsOf are the alarms Install task t stops on: the window's failure alarm, the earlier
// ring's, the task's own.
func stopAlarmsOf(p *WindowProps, t PatchTask) []string {
	if t.Operation != patchingspec.OperationInstall {
		return nil
	}
	var names []string
	if p.FailureAlarm {
		names = append(names, patchingspec.FailureAlarmName(p.AlarmNamePrefix, p.Name))
	}
	names = append(names, p.EarlierAlarms...)
	return append(names, t.StopOnAlarms...)
}

// addStopAlarm adds StopAlarm<n>, the composite alarm task i stops on, and lets the role read
// alarms (once): "scoped to *", as composite alarms need.
func (w *maintenanceWindow) addStopAlarm(p *WindowProps, i int, names []string) {
	taskName := p.TaskName(i)
	name := patchingspec.StopAlarmName(p.AlarmNamePrefix, taskName)
	composite := awscloudwatch.NewCfnCompositeAlarm(w.Construct, jsii.String(fmt.Sprintf("StopAlarm%d", i+1)), &awscloudwatch.CfnCompositeAlarmProps{
		AlarmName: jsii.String(name),
		AlarmRule: jsii.String(patchingspec.CompositeRule(names)),
		AlarmDescription: jsii.String(fmt.Sprintf("privatepatch: task %s stops while this is in ALARM "+
			"(attach it: make doctor prints the update-maintenance-window-task call)", taskName)),
		ActionsEnabled: jsii.Bool(false), // the alarms it combines notify
	})
	if w.failureAlarm != nil {
		composite.Node().AddDependency(w.failureAlarm)
	}
	w.stopAlarms[taskName] = name
	w.composites = append(w.composites, composite)
	if len(w.composites) == 1 {
		w.role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("ReadStopAlarms"),
			Actions:   jsii.Strings("cloudwatch:DescribeAlarms"),
			Resources: jsii.Strings("*"), // composite alarms are read only with DescribeAlarms on *
		}))
	}
}

func (w *maintenanceWindow) FailureAlarm() awscloudwatch.Alarm { return w.failureAlarm }
func (w *maintenanceWindow) FailureRule() awsevents.Rule       { return w.failureRule }
func (w *maintenanceWindow) StopAlarms() map[string]string     { return w.stopAlarms }
func (w *maintenanceWindow) StopComposites() []awscloudwatch.CfnCompositeAlarm {
	return w.composites
}
