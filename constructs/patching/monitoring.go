package patching

import (
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatepatch/privatepatch/constructs/alerttopic"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"

	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/constructs/wsus"
)

// MonitoringProps configures Monitoring.
type MonitoringProps struct {
	// DashboardName is the dashboard's name, unique in the account (dashboards are global).
	DashboardName string
	// Topic receives the alarms.
	Topic awssns.ITopic
	// AlertRules are shown by how often they fired, by title. Default: none.
	AlertRules map[string]awsevents.IRule
	// Wsus adds the WSUS health metrics and their alarms. Default: false.
	Wsus bool
	// WsusHealthNamespace is where the WSUS server publishes its health. Default:
	// wsus.HealthNamespace.
	WsusHealthNamespace string
	// MinFreePercent alarms when the update store's free space falls below it. Default:
	// wsusspec.MinUpdateStoreFreePercent.
	MinFreePercent float64
	// DeliveringRules are the rules that deliver alerts (to Topic, or to a function that publishes
	// to it): an alarm, to Topic, when EventBridge fails to deliver any of their events: one alarm
	// per patchingspec.MaxAlarmMetrics rules (the metrics an alarm may reference). Default: none,
	// and no such alarm.
	DeliveringRules []awsevents.IRule
	// AlarmNamePrefix starts the alarms' names (unique in the account and region), e.g. the
	// stack's name and a dash: the alerts topic's policies allow the alarms by name.
	AlarmNamePrefix string
}

// Monitoring is the fleet's CloudWatch dashboard and the WSUS alarms.
type Monitoring interface {
	constructs.Construct
	Dashboard() awscloudwatch.Dashboard
	// Alarms by what they watch: alerts-undelivered (with DeliveringRules; alerts-undelivered-2 and
	// on for more than patchingspec.MaxAlarmMetrics of them), and with a WSUS server
	// wsus-disk, wsus-sync-failed, wsus-sync-stale.
	Alarms() map[string]awscloudwatch.Alarm
	// AlarmNames are the alarms' names, for the topic's policies.
	AlarmNames() []string
}

type monitoring struct {
	constructs.Construct
	dashboard  awscloudwatch.Dashboard
	alarms     map[string]awscloudwatch.Alarm
	alarmNames []string
}

func (m *monitoring) Dashboard() awscloudwatch.Dashboard     { return m.dashboard }
func (m *monitoring) Alarms() map[string]awscloudwatch.Alarm { return m.alarms }
func (m *monitoring) AlarmNames() []string                   { return m.alarmNames }

// HealthQuery is the Metrics Insights query of a WSUS health metric across the servers that
// publish it (function MIN or MAX). The alarms and the dashboard name no instance: the WSUS server
// lives in the fleet stack, and a reference to its id from this stack would keep the replaced
// server's id after a replacement (cfnupdate's stale reads). A Metrics Insights alarm "adjusts as
// resources are added to or removed from your monitored group" ("Create a CloudWatch alarm based
// on a Metrics Insights query", Amazon CloudWatch User Guide, read 2026-11-27). It covers every
// server publishing to namespace in the account and region: one deployment's
// (wsus.HealthNamespaceOf).
func HealthQuery(namespace, function, metric string) string {
	return fmt.Sprintf(`SELECT %s(%s) FROM SCHEMA("%s", InstanceId)`, function, metric, namespace)
}

// NewMonitoring creates the dashboard: Run Command outcomes, how often each alert rule fired
// (failed windows, patch non-compliance, failed associations and checks, findings), the WSUS health
// and the alarms' states; and alarms, to Topic, when the WSUS update store fills or WSUS stops
// synchronising (or stops reporting).
func NewMonitoring(scope constructs.Construct, id string, p *MonitoringProps) Monitoring {
	if p == nil {
		panic(spec.NilProps(fmt.Sprintf("patching.NewMonitoring(%q)", id), "MonitoringProps"))
	}
	parent := constructs.NewConstruct(scope, jsii.String(id))
	m := &monitoring{Construct: parent, alarms: map[string]awscloudwatch.Alarm{}}
	widgets := patchingWidgets(p)
	for i := 0; i < len(p.DeliveringRules); i += patchingspec.MaxAlarmMetrics {
		m.addUndeliveredAlarm(parent, p, i/patchingspec.MaxAlarmMetrics, p.DeliveringRules[i:min(i+patchingspec.MaxAlarmMetrics, len(p.DeliveringRules))])
	}
	if p.Wsus {
		widgets = append(widgets, m.addWsusAlarms(parent, p)...)
	}
	m.dashboard = awscloudwatch.NewDashboard(parent, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		DashboardName: jsii.String(p.DashboardName),
		Widgets:       &[]*[]awscloudwatch.IWidget{&widgets},
	})
	return m
}

// name records an alarm's name, the prefix and what it watches.
func (m *monitoring) name(p *MonitoringProps, what string) *string {
	m.alarmNames = append(m.alarmNames, p.AlarmNamePrefix+what)
	return jsii.String(p.AlarmNamePrefix + what)
}

// patchingWidgets are the dashboard's graphs of Run Command and of the alerts sent.
func patchingWidgets(p *MonitoringProps) []awscloudwatch.IWidget {
	hour := awscdk.Duration_Hours(jsii.Number(1))
	// The Run Command metrics Systems Manager publishes, AWS/SSM-RunCommand: CommandsSucceeded,
	// CommandsFailed and CommandsDeliveryTimedOut ("Monitoring Run Command metrics using Amazon
	// CloudWatch", read 2026-11-27; there is no CommandsTimedOut). Alert rules by TriggeredRules,
	// dimension RuleName ("Monitoring Amazon EventBridge", read 2026-11-27).
	runCommand := func(name, label string) awscloudwatch.IMetric {
		return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{Namespace: jsii.String("AWS/SSM-RunCommand"), MetricName: jsii.String(name),
			Statistic: jsii.String("Sum"), Period: hour, Label: jsii.String(label)})
	}
	var fired []awscloudwatch.IMetric
	for _, title := range slices.Sorted(maps.Keys(p.AlertRules)) {
		fired = append(fired, awscloudwatch.NewMetric(&awscloudwatch.MetricProps{Namespace: jsii.String("AWS/Events"), MetricName: jsii.String("TriggeredRules"),
			DimensionsMap: &map[string]*string{"RuleName": p.AlertRules[title].RuleName()}, Statistic: jsii.String("Sum"), Period: hour, Label: jsii.String(title)}))
	}
	return []awscloudwatch.IWidget{
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{Title: jsii.String("Run Command (patching, scans, setup, checks)"), Width: jsii.Number(12),
			Left: &[]awscloudwatch.IMetric{runCommand("CommandsSucceeded", "succeeded"), runCommand("CommandsFailed", "failed"),
				runCommand("CommandsDeliveryTimedOut", "not delivered")}}),
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{Title: jsii.String("Alerts sent, by rule"), Width: jsii.Number(12), Left: &fired}),
	}
}

// addUndeliveredAlarm adds the n-th (from 0) alarm that EventBridge could not deliver an alert of
// rules, at most patchingspec.MaxAlarmMetrics of DeliveringRules: AlertsUndeliveredAlarm
// (alerts-undelivered), then AlertsUndeliveredAlarm2 (alerts-undelivered-2), and so on.
func (m *monitoring) addUndeliveredAlarm(parent constructs.Construct, p *MonitoringProps, n int, rules []awsevents.IRule) {
	// What EventBridge could not deliver (alerttopic.FailedInvocations). The alarm publishes as
	// CloudWatch, whose path to the topic (AllowAlarms) does not depend on EventBridge's.
	what, id := "alerts-undelivered", "AlertsUndeliveredAlarm"
	if n > 0 {
		what, id = fmt.Sprintf("%s-%d", what, n+1), fmt.Sprintf("%s%d", id, n+1)
	}
	m.alarms[what] = awscloudwatch.NewAlarm(parent, jsii.String(id), &awscloudwatch.AlarmProps{
		AlarmName:          m.name(p, what),
		AlarmDescription:   jsii.String("privatepatch: EventBridge could not deliver an alert to the alerts topic or the finding filter (FailedInvocations): check the topic and key policies, and the filter's permission"),
		Metric:             alerttopic.FailedInvocations("alerts not delivered", rules),
		Threshold:          jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		EvaluationPeriods:  jsii.Number(1),
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
	m.alarms[what].AddAlarmAction(awscloudwatchactions.NewSnsAction(p.Topic))
}

// addWsusAlarms adds the WSUS server's alarms (WsusDiskAlarm, WsusSyncFailedAlarm,
// WsusSyncStaleAlarm) and returns their dashboard widgets.
func (m *monitoring) addWsusAlarms(parent constructs.Construct, p *MonitoringProps) []awscloudwatch.IWidget {
	minFree := p.MinFreePercent
	if minFree == 0 {
		minFree = wsusspec.MinUpdateStoreFreePercent
	}
	namespace := p.WsusHealthNamespace
	if namespace == "" {
		namespace = wsus.HealthNamespace
	}
	health := func(name, label, function string) awscloudwatch.IMetric {
		return awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression: jsii.String(HealthQuery(namespace, function, name)), Label: jsii.String(label),
			Period: awscdk.Duration_Minutes(jsii.Number(30)), UsingMetrics: &map[string]awscloudwatch.IMetric{},
		})
	}
	free := health(wsus.MetricUpdateStoreFree, "update store free %", "MIN")
	synced := health(wsus.MetricLastSyncSucceeded, "last sync succeeded", "MIN")
	age := health(wsus.MetricHoursSinceLastSync, "hours since last sync", "MAX")
	m.addWsusDiskAlarm(parent, p, free, minFree)
	m.addWsusSyncAlarms(parent, p, synced, age)
	for _, name := range []string{"wsus-disk", patchingspec.WsusSyncFailedAlarm, "wsus-sync-stale"} {
		m.alarms[name].AddAlarmAction(awscloudwatchactions.NewSnsAction(p.Topic))
	}
	// One Metrics Insights query per widget too: "you can have multiple widgets in a dashboard,
	// each with one query" (same quotas page).
	return []awscloudwatch.IWidget{
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{Title: jsii.String("WSUS update store"), Width: jsii.Number(6),
			Left: &[]awscloudwatch.IMetric{free}, LeftAnnotations: &[]*awscloudwatch.HorizontalAnnotation{{Value: jsii.Number(minFree), Label: jsii.String("alarm")}}}),
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{Title: jsii.String("WSUS last synchronisation succeeded"), Width: jsii.Number(6),
			Left: &[]awscloudwatch.IMetric{synced}}),
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{Title: jsii.String("WSUS hours since last synchronisation"), Width: jsii.Number(6),
			Left: &[]awscloudwatch.IMetric{age}, LeftAnnotations: &[]*awscloudwatch.HorizontalAnnotation{{Value: jsii.Number(wsusspec.StaleSyncHours), Label: jsii.String("alarm")}}}),
		awscloudwatch.NewAlarmStatusWidget(&awscloudwatch.AlarmStatusWidgetProps{Title: jsii.String("Alarms"), Width: jsii.Number(6),
			Alarms: &[]interfacesawscloudwatch.IAlarmRef{m.alarms["wsus-disk"], m.alarms[patchingspec.WsusSyncFailedAlarm], m.alarms["wsus-sync-stale"]}}),
	}
}

// addWsusDiskAlarm adds WsusDiskAlarm: the update store's free space under minFree percent.
func (m *monitoring) addWsusDiskAlarm(parent constructs.Construct, p *MonitoringProps, free awscloudwatch.IMetric, minFree float64) {
	m.alarms["wsus-disk"] = awscloudwatch.NewAlarm(parent, jsii.String("WsusDiskAlarm"), &awscloudwatch.AlarmProps{
		AlarmName:          m.name(p, "wsus-disk"),
		AlarmDescription:   jsii.String("privatepatch: the WSUS update store is filling up: grow wsus.updateStoreGiB or decline superseded updates"),
		Metric:             free,
		Threshold:          jsii.Number(minFree),
		ComparisonOperator: awscloudwatch.ComparisonOperator_LESS_THAN_THRESHOLD,
		EvaluationPeriods:  jsii.Number(2),
		TreatMissingData:   awscloudwatch.TreatMissingData_BREACHING, // a server that stops reporting is not healthy
	})
}

// addWsusSyncAlarms adds WsusSyncFailedAlarm and WsusSyncStaleAlarm.
func (m *monitoring) addWsusSyncAlarms(parent constructs.Construct, p *MonitoringProps, synced, age awscloudwatch.IMetric) {
	// One Metrics Insights query per alarm: "Each GetMetricData operation can have only one
	// query" ("Metrics Insights quotas", Amazon CloudWatch User Guide; GetMetricData, Amazon
	// CloudWatch API Reference, read 2026-12-06), and an alarm evaluates its metrics as one such
	// request (a second query is refused: "Maximum number of queries (1) exceeded"). So a failed
	// and a stale synchronisation are two single-query alarms, each with its action: a composite
	// alarm over them would leave them without one, which AWS Control Tower's CT.CLOUDWATCH.PR.1
	// refuses. Two hours of periods each: a synchronisation in progress is not a failure. New
	// names: the metric alarm that judged both numbers was wsus-sync.
	m.alarms[patchingspec.WsusSyncFailedAlarm] = awscloudwatch.NewAlarm(parent, jsii.String("WsusSyncFailedAlarm"), &awscloudwatch.AlarmProps{
		AlarmName:          m.name(p, patchingspec.WsusSyncFailedAlarm),
		AlarmDescription:   jsii.String("privatepatch: the last WSUS synchronisation with Microsoft Update failed, or never ran"),
		Metric:             synced,
		Threshold:          jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_LESS_THAN_THRESHOLD,
		EvaluationPeriods:  jsii.Number(4),
		TreatMissingData:   awscloudwatch.TreatMissingData_BREACHING,
	})
	m.alarms["wsus-sync-stale"] = awscloudwatch.NewAlarm(parent, jsii.String("WsusSyncStaleAlarm"), &awscloudwatch.AlarmProps{
		AlarmName:          m.name(p, "wsus-sync-stale"),
		AlarmDescription:   jsii.String(fmt.Sprintf("privatepatch: WSUS has not synchronised with Microsoft Update for over %d hours", wsusspec.StaleSyncHours)),
		Metric:             age,
		Threshold:          jsii.Number(wsusspec.StaleSyncHours),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
		EvaluationPeriods:  jsii.Number(4),
		TreatMissingData:   awscloudwatch.TreatMissingData_BREACHING,
	})
}
