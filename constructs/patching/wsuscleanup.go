package patching

import (
	"fmt"
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/privatepatch/privatepatch/constructs/spec"

	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
)

// WsusCleanupAlarmProps configures the WSUS cleanup alarm.
type WsusCleanupAlarmProps struct {
	// AlarmName is the alarm's name, unique in the account and region: the alerts topic's
	// policies allow the alarm by name (Alerts.AllowAlarms).
	AlarmName string
	// Namespace is where the WSUS server publishes its health. Default: wsusspec.HealthNamespace.
	Namespace string
	// Topic receives the alarm.
	Topic awssns.ITopic
}

// NewWsusCleanupAlarm alarms, to Topic, when the WSUS server's last cleanup failed or none has
// succeeded for two periods (MetricCleanupHealthy below 1), or when the server stops reporting
// (missing data breaches). One Metrics Insights query, as GetMetricData allows one per request
// ("Metrics Insights quotas", Amazon CloudWatch User Guide, read 2026-12-06), over the namespace
// (HealthQuery: the fleet stack's instance id is not referenced). The server reports every hour
// (wsusspec.CleanupReportSchedule) and an alarm may evaluate the latest 3 hours: two one-hour
// periods.
func NewWsusCleanupAlarm(scope constructs.Construct, id string, p *WsusCleanupAlarmProps) awscloudwatch.Alarm {
	if p == nil {
		panic(spec.NilProps(fmt.Sprintf("patching.NewWsusCleanupAlarm(%q)", id), "WsusCleanupAlarmProps"))
	}
	namespace := p.Namespace
	if namespace == "" {
		namespace = wsusspec.HealthNamespace
	}
	alarm := awscloudwatch.NewAlarm(scope, jsii.String(id), &awscloudwatch.AlarmProps{
		AlarmName: jsii.String(p.AlarmName),
		AlarmDescription: jsii.String("privatepatch: the WSUS cleanup (decline, delete, compress, SUSDB re-index) failed, or has not succeeded " +
			"for two periods: clients' scans slow down as SUSDB grows; see the cleanup association's output (wsus-cleanup/)"),
		Metric: awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression:   jsii.String(HealthQuery(namespace, "MIN", wsusspec.MetricCleanupHealthy)),
			Label:        jsii.String("cleanup healthy"),
			Period:       awscdk.Duration_Hours(jsii.Number(1)),
			UsingMetrics: &map[string]awscloudwatch.IMetric{},
		}),
		Threshold:          jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_LESS_THAN_THRESHOLD,
		EvaluationPeriods:  jsii.Number(2),
		TreatMissingData:   awscloudwatch.TreatMissingData_BREACHING,
	})
	alarm.AddAlarmAction(awscloudwatchactions.NewSnsAction(p.Topic))
	return alarm
}
