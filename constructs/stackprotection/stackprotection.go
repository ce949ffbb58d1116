// Package stackprotection protects the stacks a CDK Pipelines stage deploys, as make deploy does
// for its own: termination protection and the stack policy. CDK Pipelines deploys through
// CodePipeline's CloudFormation actions, which apply neither (the stack's terminationProtection is
// ignored: aws-cdk issues 17871 and 30405, read 2026-12-06; a stack policy is set by no one), so a
// step after each stage sets both with the AWS CLI, through a role in the stage's account that may
// do only that, on only those stacks.
package stackprotection

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/privatepatch/privatepatch/constructs/deputy"
	"github.com/privatepatch/privatepatch/constructs/spec"
)

// Actions are the only calls the step makes on a stage's stacks.
var Actions = []string{"cloudformation:SetStackPolicy", "cloudformation:UpdateTerminationProtection"}

// maxRoleName is IAM's limit on a role name (CreateRole RoleName: 1-64 characters).
const maxRoleName = 64

// ProtectorProps configure the role a stage's protection step assumes in the stage's account.
type ProtectorProps struct {
	// RoleName is the role's fixed name, which the pipeline's step names. Required, at most 64 characters.
	RoleName string
	// StepRoleArn is the pipeline step's role (in the pipeline's account), the only principal
	// that may assume it. Required.
	StepRoleArn string
	// Stacks are the names of the stage's stacks, in the role's account and region. Required.
	Stacks []string
}

// Validate names each bad prop.
func (p ProtectorProps) Validate() error {
	var problems spec.Problems
	if p.RoleName == "" || len(p.RoleName) > maxRoleName {
		problems.Add("RoleName", p.RoleName, "is not an IAM role name: 1-64 characters")
	}
	if !strings.HasPrefix(p.StepRoleArn, "arn:") {
		problems.Add("StepRoleArn", p.StepRoleArn, "is not an IAM role ARN")
	}
	if len(p.Stacks) == 0 {
		problems.Add("Stacks", "", "is empty: name the stage's stacks")
	}
	return problems.Err("stackprotection.NewProtector", "ProtectorProps")
}

// NewProtector creates the role the step assumes: SetStackPolicy and UpdateTerminationProtection
// on the stage's stacks, trusted by the step's role only.
func NewProtector(scope constructs.Construct, id string, props ProtectorProps) awsiam.Role {
	if err := props.Validate(); err != nil {
		panic(err)
	}
	stack := awscdk.Stack_Of(scope)
	var arns []*string
	for _, name := range props.Stacks {
		// A stack's ARN ends with a unique id: arn:PARTITION:cloudformation:REGION:ACCOUNT:stack/NAME/ID.
		arns = append(arns, jsii.String(fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s/*", *stack.Partition(), *stack.Region(), *stack.Account(), name)))
	}
	role := awsiam.NewRole(scope, jsii.String(id), &awsiam.RoleProps{
		RoleName:    jsii.String(props.RoleName),
		Description: jsii.String("privatepatch pipeline: sets termination protection and the stack policy of this environment's stacks after each deploy"),
		AssumedBy:   awsiam.NewArnPrincipal(jsii.String(props.StepRoleArn)),
		InlinePolicies: &map[string]awsiam.PolicyDocument{"ProtectStacks": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{
			Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions:   jsii.Strings(Actions...),
				Resources: &arns,
			})},
		})},
	})
	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{{
		Id:     jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("a stack's ARN ends with the unique id CloudFormation gives it: stack/NAME/* names each of this environment's stacks and nothing else"),
	}}, jsii.Bool(true))
	return role
}

// StepRoleProps configure the pipeline step's role, in the pipeline's account.
type StepRoleProps struct {
	// RoleName is the role's fixed name, which each protector role trusts. Required, at most 64 characters.
	RoleName string
	// ProtectorRoleArns are the roles the step may assume, one per stage. Required.
	ProtectorRoleArns []string
}

// NewStepRole creates the role of the pipeline's protection steps: CodeBuild of this account may
// use it, and it may assume the stages' protector roles and nothing else (CDK Pipelines adds what
// the step needs of its logs and artifacts).
func NewStepRole(scope constructs.Construct, id string, props StepRoleProps) awsiam.Role {
	var problems spec.Problems
	if props.RoleName == "" || len(props.RoleName) > maxRoleName {
		problems.Add("RoleName", props.RoleName, "is not an IAM role name: 1-64 characters")
	}
	if len(props.ProtectorRoleArns) == 0 {
		problems.Add("ProtectorRoleArns", "", "is empty: name each stage's protector role")
	}
	if err := problems.Err("stackprotection.NewStepRole", "StepRoleProps"); err != nil {
		panic(err)
	}
	role := awsiam.NewRole(scope, jsii.String(id), &awsiam.RoleProps{
		RoleName:    jsii.String(props.RoleName),
		Description: jsii.String("privatepatch pipeline: the protection step after each stage, which assumes that stage's protector role"),
		AssumedBy:   deputy.ServicePrincipal(scope, "codebuild.amazonaws.com", "arn:%[1]s:codebuild:%[2]s:%[3]s:project/*"),
	})
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("AssumeTheStagesProtectorRoles"),
		Actions:   jsii.Strings("sts:AssumeRole"),
		Resources: jsii.Strings(props.ProtectorRoleArns...),
	}))
	return role
}

// Commands are the step's shell commands, one line (the credentials it assumes stay in it): assume
// the protector role, then for each stack enable termination protection and set its stack policy
// from policyDir/STACK.json (checkupdate -stack-policies, in the synth step).
func Commands(protectorRoleArn, region, policyDir string, stacks []string) []string {
	lines := []string{
		"set -eu",
		fmt.Sprintf("set -- $(aws sts assume-role --role-arn %s --role-session-name privatepatch-protect --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)", protectorRoleArn),
		`export AWS_ACCESS_KEY_ID="$1" AWS_SECRET_ACCESS_KEY="$2" AWS_SESSION_TOKEN="$3"`,
	}
	for _, s := range stacks {
		lines = append(lines,
			fmt.Sprintf("aws cloudformation update-termination-protection --region %s --enable-termination-protection --stack-name %s", region, s),
			fmt.Sprintf("aws cloudformation set-stack-policy --region %s --stack-name %s --stack-policy-body file://%s/%s.json", region, s, policyDir, s),
			fmt.Sprintf("echo '%s: termination protection and stack policy set'", s))
	}
	return []string{strings.Join(lines, " && ")}
}
