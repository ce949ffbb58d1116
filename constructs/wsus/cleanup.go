package wsus

import (
	_ "embed"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatepatch/privatepatch/constructs/logbucket"
	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
)

// CleanupScript declines, deletes and compresses what WSUS no longer needs, re-indexes SUSDB, and
// publishes the result; it is the body of the cleanup document.
//
//go:embed wsus-cleanup.ps1
var CleanupScript string

// Cleanup's metrics, in the health namespace with dimension InstanceId (wsusspec).
const (
	MetricCleanupHealthy   = wsusspec.MetricCleanupHealthy
	MetricDaysSinceCleanup = wsusspec.MetricDaysSinceCleanup
	CleanupOutputPrefix    = wsusspec.CleanupOutputPrefix
)

// addCleanup adds the cleanup document and its two associations: Cleanup on schedule (not at
// creation: the first run waits for the schedule, after WSUS is installed and synchronised), with
// its output in the bucket, and Report every hour, which publishes the last cleanup's state for
// the alarm. The health statement lets the role publish to the namespace.
func (s *server) addCleanup(cleanup wsusspec.Cleanup, namespace string, bucket awss3.IBucket) {
	if namespace == "" {
		namespace = HealthNamespace
	}
	document := newScriptDocument(s.Construct, "CleanupDocument",
		"privatepatch: WSUS cleanup (decline superseded and expired, delete obsolete, compress) and SUSDB re-index; idempotent",
		"CleanupWsus", CleanupScript, wsusspec.CleanupTimeoutSeconds, wsusspec.CleanupParameters())
	target := []awsssm.CfnAssociation_TargetProperty{{Key: jsii.String("InstanceIds"), Values: jsii.Strings(*s.instance.InstanceId())}}
	maxDays := jsii.String(fmt.Sprint(wsusspec.MaxDaysWithoutCleanup(cleanup.Schedule)))
	s.cleanup = newAssociation(s.Construct, "CleanupAssociation", document, target, cleanup.Schedule, bucket, CleanupOutputPrefix,
		map[string]*string{"Mode": jsii.String("Cleanup"), "Namespace": jsii.String(namespace), "MaxDaysWithoutCleanup": maxDays})
	s.cleanup.SetApplyOnlyAtCronInterval(jsii.Bool(true))
	report := newAssociation(s.Construct, "CleanupReportAssociation", document, target, wsusspec.CleanupReportSchedule, nil, "",
		map[string]*string{"Mode": jsii.String("Report"), "Namespace": jsii.String(namespace), "MaxDaysWithoutCleanup": maxDays})
	report.Node().AddDependency(s.association)
	s.cleanup.Node().AddDependency(s.association)
	if bucket != nil {
		logbucket.GrantCommandOutput(bucket, s.role, CleanupOutputPrefix)
	}
}

// CleanupAssociation runs the monthly cleanup; nil when it is off.
func (s *server) CleanupAssociation() awsssm.CfnAssociation { return s.cleanup }
