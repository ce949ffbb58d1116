// Package managedinstance provides what makes an EC2 instance a Systems Manager managed instance.
package managedinstance

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// NewRole creates an EC2 instance role with AmazonSSMManagedInstanceCore, SSM Agent's minimum.
// Callers grant anything further (e.g. logbucket.GrantCommandOutput).
func NewRole(scope constructs.Construct, id, description string) awsiam.Role {
	role := awsiam.NewRole(scope, jsii.String(id), &awsiam.RoleProps{
		AssumedBy:       awsiam.NewServicePrincipal(jsii.String("ec2.amazonaws.com"), nil),
		Description:     jsii.String(description),
		ManagedPolicies: &[]awsiam.IManagedPolicy{awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String("AmazonSSMManagedInstanceCore"))},
	})
	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM4"),
		Reason:    jsii.String("AmazonSSMManagedInstanceCore is AWS's maintained minimum for SSM Agent; a copy would drift from it"),
		AppliesTo: &[]any{"Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore"},
	}}, jsii.Bool(true))
	return role
}
