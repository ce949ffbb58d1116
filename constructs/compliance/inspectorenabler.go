package compliance

import (
	"fmt"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/privatepatch/privatepatch/constructs/compliance/compliancespec"
	"github.com/privatepatch/privatepatch/constructs/loggroup"
	"github.com/privatepatch/privatepatch/constructs/stackenv"
)

// newInspectorEnabler switches Inspector's EC2 scanning on when the stack creates it (or its
// properties change: not on every deploy), and answers CloudFormation once it is ENABLED, or fails the deploy with Inspector's reason
// (compliancespec.InspectorEnablerScript, with the facts it rests on). A function of its own, not
// CDK's AwsCustomResource: that makes one call and reports success whatever the account's state,
// and cannot retry the denial of a policy still propagating. Its log group keeps the ids the
// AwsCustomResource's had (EnableInspectorLogs), so the deployed group and key stay.
func newInspectorEnabler(parent constructs.Construct) awscdk.CustomResource {
	_, env := stackenv.Of(parent)
	logs, _ := loggroup.NewEncrypted(parent, "EnableInspectorLogs", "Encrypts the log of the function that switches Inspector on")
	role := awsiam.NewRole(parent, jsii.String("InspectorEnablerRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("privatepatch: the function that switches Inspector's EC2 scanning on and waits until it is"),
	})
	var slrs []*string
	for _, service := range InspectorServiceLinkedRoleServices {
		slrs = append(slrs, jsii.String(fmt.Sprintf("arn:%s:iam::%s:role/aws-service-role/%s/*", env.Partition, env.Account, service)))
	}
	for _, s := range []*awsiam.PolicyStatementProps{
		// Its log streams in its own group (AWSLambdaBasicExecutionRole's two actions; the group exists).
		{Actions: jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"), Resources: jsii.Strings(*logs.LogGroupArn())},
		// Enable and BatchGetAccountStatus take no resource.
		{Actions: jsii.Strings("inspector2:Enable", "inspector2:BatchGetAccountStatus"), Resources: jsii.Strings("*")},
		{Actions: jsii.Strings("iam:CreateServiceLinkedRole"), Resources: &slrs,
			Conditions: &map[string]any{"StringEquals": map[string]any{"iam:AWSServiceName": InspectorServiceLinkedRoleServices}}},
	} {
		role.AddToPolicy(awsiam.NewPolicyStatement(s))
	}
	function := awslambda.NewFunction(parent, jsii.String("InspectorEnablerFunction"), &awslambda.FunctionProps{
		Description: jsii.String("privatepatch: switches Inspector's EC2 scanning on and answers CloudFormation once it is ENABLED"),
		Runtime:     FindingFilterRuntime(),
		Handler:     jsii.String(compliancespec.InspectorEnablerHandler),
		Code:        awslambda.Code_FromInline(jsii.String(compliancespec.InspectorEnablerScript)),
		Role:        role,
		Timeout:     awscdk.Duration_Seconds(jsii.Number(compliancespec.InspectorEnablerTimeoutSeconds)),
		LogGroup:    logs,
		Environment: &map[string]*string{
			compliancespec.InspectorEnablerPollEnv:    jsii.String(strconv.Itoa(compliancespec.InspectorEnablerPollSeconds)),
			compliancespec.InspectorEnablerIAMWaitEnv: jsii.String(strconv.Itoa(compliancespec.InspectorEnablerIAMWaitSeconds)),
			compliancespec.InspectorEnablerAnswerEnv:  jsii.String(strconv.Itoa(compliancespec.InspectorEnablerAnswerSeconds)),
			compliancespec.InspectorEnablerGraceEnv:   jsii.String(strconv.Itoa(compliancespec.InspectorEnablerGraceSeconds)),
		},
	})
	// The policy before the function: its first call must not meet a role without it (and the
	// script retries a denial while the policy propagates).
	function.Node().AddDependency(role)
	enabler := awscdk.NewCustomResource(parent, jsii.String("InspectorEnabler"), &awscdk.CustomResourceProps{
		ServiceToken:   function.FunctionArn(),
		ResourceType:   jsii.String(compliancespec.InspectorEnablerResourceType),
		Properties:     &map[string]any{compliancespec.InspectorEnablerAccountProperty: env.Account},
		ServiceTimeout: awscdk.Duration_Seconds(jsii.Number(compliancespec.InspectorEnablerServiceTimeoutSeconds)),
	})
	suppressEnabler(function, role)
	return enabler
}

// suppressEnabler gives the cdk-nag reasons of what the enabler does not do.
func suppressEnabler(function awslambda.Function, role awsiam.Role) {
	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{{
		Id:     jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("inspector2:Enable and BatchGetAccountStatus take no resource; the service-linked roles' names are chosen by Inspector"),
	}}, jsii.Bool(true))
	cdknag.NagSuppressions_AddResourceSuppressions(function, &[]*cdknag.NagPackSuppression{
		{Id: jsii.String("NIST.800.53.R5-LambdaConcurrency"), Reason: jsii.String("CloudFormation invokes it once per create or update of the stack")},
		{Id: jsii.String("NIST.800.53.R5-LambdaDLQ"), Reason: jsii.String("CloudFormation invokes it synchronously for the custom resource and receives its answer; a failure fails the deploy, with Inspector's reason")},
		{Id: jsii.String("NIST.800.53.R5-LambdaInsideVPC"), Reason: jsii.String("It calls only the Inspector API and CloudFormation's response URL and holds no data; the fleet's isolated VPC is another stack's, with no endpoint for them")},
	}, jsii.Bool(true))
}
