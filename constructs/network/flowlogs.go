package network

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatepatch/privatepatch/constructs/deputy"
	"github.com/privatepatch/privatepatch/constructs/kmskey"
	"github.com/privatepatch/privatepatch/constructs/logbucket"
	"github.com/privatepatch/privatepatch/constructs/network/networkspec"
)

// addFlowLogs records all of the VPC's traffic. Log data is retained when the stack is deleted.
func addFlowLogs(n *network, p *Props) {
	var destination awsec2.FlowLogDestination
	if p.FlowLogs.Destination == networkspec.FlowLogsToS3 {
		destination = awsec2.FlowLogDestination_ToS3(newFlowLogBucket(n, p.FlowLogs.RetentionDays), nil, nil)
	} else {
		destination = awsec2.FlowLogDestination_ToCloudWatchLogs(newFlowLogGroup(n, p.FlowLogs.RetentionDays), nil)
	}
	flowLog := n.vpc.AddFlowLog(jsii.String("FlowLog"), &awsec2.FlowLogOptions{
		Destination: destination,
		TrafficType: awsec2.FlowLogTrafficType_ALL,
	})
	if role := flowLog.IamRole(); role != nil {
		// The service may assume the role only for this account's flow logs. An override keeps
		// CDK's role (and its logical id); the L2 builds its trust policy itself.
		role.Node().DefaultChild().(awsiam.CfnRole).AddPropertyOverride(jsii.String("AssumeRolePolicyDocument.Statement.0.Condition"),
			deputy.Conditions(n.Construct, deputy.FlowLogs))
	}
}

func newFlowLogGroup(n *network, retentionDays int) awslogs.LogGroup {
	key := kmskey.NewKey(n.Construct, "FlowLogKey", "Encrypts the VPC flow log group")
	kmskey.AllowCloudWatchLogs(key)
	group := awslogs.NewLogGroup(n.Construct, jsii.String("FlowLogGroup"), &awslogs.LogGroupProps{
		EncryptionKey: key,
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE, // spec.KeptDeletionPolicy
	})
	// The L2 takes retention as an enum of named periods; the days are checked by networkspec.
	group.Node().DefaultChild().(awslogs.CfnLogGroup).SetRetentionInDays(jsii.Number(retentionDays))
	return group
}

func newFlowLogBucket(n *network, retentionDays int) awss3.IBucket {
	return logbucket.NewLogBucket(n.Construct, "FlowLogs", &logbucket.Props{RetentionDays: retentionDays}).Bucket()
}
