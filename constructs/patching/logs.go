package patching

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// NewCloudWatchOutputPolicy lets SSM Agent on the instances of roles send command output to
// logGroup (tasks with CloudWatchOutput). The policy is created in scope and attached to the
// roles, which may live in another stack: the roles' own stack then need not know the log group,
// so it can keep a generated name, and turning CloudWatch output off and on again (the retained
// group stays behind) never clashes with a fixed name.
func NewCloudWatchOutputPolicy(scope constructs.Construct, id string, logGroup awslogs.ILogGroup, roles []awsiam.IRole) awsiam.Policy {
	policy := awsiam.NewPolicy(scope, jsii.String(id), &awsiam.PolicyProps{
		Roles: &roles,
		Statements: &[]awsiam.PolicyStatement{
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"),
				Resources: jsii.Strings(*logGroup.LogGroupArn()),
			}),
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions: jsii.Strings("logs:DescribeLogGroups"), Resources: jsii.Strings("*"), // takes no resource
			}),
		},
	})
	cdknag.NagSuppressions_AddResourceSuppressions(policy, &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM5"),
		Reason:    jsii.String("SSM Agent creates one log stream per command in the run-command log group (its ARN ends in :*); DescribeLogGroups takes no resource"),
		AppliesTo: &[]any{"Resource::*", map[string]any{"regex": "/^Resource::<RunCommandLogs.*\\.Arn>$/"}},
	}}, jsii.Bool(false))
	return policy
}
