// Package deputy makes AWS service principals that act only on behalf of this account's own
// resources: the conditions AWS recommends against the confused-deputy problem, where another
// account's resource could make the service use a role, key or topic of this one.
package deputy

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatepatch/privatepatch/constructs/stackenv"
)

// Conditions bind a service to the account of scope's stack and, when sourceArn is given, to
// its resources matching that pattern (ARN with wildcards; %[1]s is the partition, %[2]s the
// region and %[3]s the account).
func Conditions(scope constructs.IConstruct, sourceArn string) map[string]any {
	_, env := stackenv.Of(scope)
	conditions := map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": env.Account}}
	if sourceArn != "" {
		conditions["ArnLike"] = map[string]any{"aws:SourceArn": fmt.Sprintf(sourceArn, env.Partition, env.Region, env.Account)}
	}
	return conditions
}

// ServicePrincipal is service (e.g. ssm.amazonaws.com) acting only for this account's resources
// matching sourceArn (see Conditions).
func ServicePrincipal(scope constructs.IConstruct, service, sourceArn string) awsiam.IPrincipal {
	conditions := Conditions(scope, sourceArn)
	return awsiam.NewServicePrincipal(jsii.String(service), &awsiam.ServicePrincipalOpts{Conditions: &conditions})
}

// Source ARN patterns of the services privatepatch grants to.
const (
	// SystemsManager covers maintenance windows, automation executions and Run Command.
	SystemsManager = "arn:%[1]s:ssm:%[2]s:%[3]s:*"
	// ResourceDataSyncs are the account's resource data syncs in the region: the source of an
	// encrypted sync's key use ("Walkthrough: Use resource data sync to aggregate inventory data",
	// its key policy, read 2026-12-07).
	ResourceDataSyncs = "arn:%[1]s:ssm:%[2]s:%[3]s:resource-data-sync/*"
	// FlowLogs are the account's VPC flow logs in the region.
	FlowLogs = "arn:%[1]s:ec2:%[2]s:%[3]s:vpc-flow-log/*"
)
