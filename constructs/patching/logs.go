package patching

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/privatepatch/privatepatch/constructs/loggroup"
)

// RunCommandLogs is the log group that maintenance window tasks with CloudWatchOutput send
// their output to, the key that encrypts it, and the policy that lets instances write to it.
type RunCommandLogs interface {
	// LogGroup receives the output (WindowProps.LogGroup).
	LogGroup() awslogs.ILogGroup
	// Key encrypts LogGroup.
	Key() awskms.IKey
	// AllowWriters lets SSM Agent on the instances of roles write to LogGroup: one policy
	// (NewCloudWatchOutputPolicy), created on the first call with roles and attached to the
	// roles of later calls.
	AllowWriters(roles ...awsiam.IRole)
}

type runCommandLogs struct {
	scope    constructs.Construct
	id       string
	key      awskms.Key
	logGroup awslogs.LogGroup
	writers  awsiam.Policy
}

// NewRunCommandLogs creates the key (id+"Key"), the log group (id, loggroup.NewEncrypted) and,
// once AllowWriters is given roles, the writers' policy (id+"Writers"), directly in scope: the
// patching stack has always had them there, and a construct of their own would change their
// logical IDs, which would replace the retained log group.
func NewRunCommandLogs(scope constructs.Construct, id string) RunCommandLogs {
	l := &runCommandLogs{scope: scope, id: id}
	l.logGroup, l.key = loggroup.NewEncrypted(scope, id, "Encrypts the run-command output log group")
	return l
}

func (l *runCommandLogs) LogGroup() awslogs.ILogGroup { return l.logGroup }
func (l *runCommandLogs) Key() awskms.IKey            { return l.key }

func (l *runCommandLogs) AllowWriters(roles ...awsiam.IRole) {
	if len(roles) == 0 {
		return
	}
	if l.writers == nil {
		l.writers = NewCloudWatchOutputPolicy(l.scope, l.id+"Writers", l.logGroup, roles)
		return
	}
	for _, role := range roles {
		l.writers.AttachToRole(role)
	}
}

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
