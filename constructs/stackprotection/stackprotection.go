// Package stackprotection protects the stacks a CDK Pipelines stage deploys, as make deploy does
// for its own: termination protection, the stack policy and the Install tasks' stop alarms. CDK
// Pipelines deploys through CodePipeline's CloudFormation actions, which apply neither protection
// (the stack's terminationProtection is ignored: aws-cdk issues 17871 and 30405, read 2026-12-06;
// a stack policy is set by no one), and CloudFormation cannot attach a task's stop alarm and
// removes it when it updates the task (patchingspec.CloudFormationTakesAlarmConfiguration). So a
// step after each stage does all three with the AWS CLI, through a role in the stage's account
// that may do only that, on only those stacks and tasks.
package stackprotection

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/privatepatch/privatepatch/constructs/deputy"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/constructs/stackenv"
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
	// StopAlarms are the Install tasks, in the scope's stack, whose stop alarms the step attaches.
	// Optional; default none: the step attaches no alarm.
	StopAlarms []StopAlarmTask
}

// StopAlarmTask is a maintenance window task and the alarm it is to stop on.
type StopAlarmTask struct {
	// WindowID is the task's window's id (its Ref). Required.
	WindowID string
	// WindowTaskID is the task's id (its WindowTaskId attribute). Required.
	WindowTaskID string
	// AlarmName is the alarm. Required: letters, digits, '_', '.' and '-', as the stack and task
	// names it is made of, so that it is one shell word.
	AlarmName string
	// MaxConcurrency and MaxErrors are the task's own, which the attach call passes again
	// (patchingspec.AttachStopAlarmArgs). Required.
	MaxConcurrency, MaxErrors string
}

// alarmNameWord: see StopAlarmTask.AlarmName.
var alarmNameWord = regexp.MustCompile(fmt.Sprintf(`^[A-Za-z0-9_.-]{1,%d}$`, patchingspec.MaxAlarmNameLength))

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
	for i, a := range p.StopAlarms {
		if a.WindowID == "" || a.WindowTaskID == "" {
			problems.Add(fmt.Sprintf("StopAlarms[%d]", i), a.WindowID+"/"+a.WindowTaskID, "needs WindowID and WindowTaskID")
		}
		if !alarmNameWord.MatchString(a.AlarmName) {
			problems.Add(fmt.Sprintf("StopAlarms[%d].AlarmName", i), a.AlarmName, "is not 1-%d letters, digits, '_', '.' and '-'", patchingspec.MaxAlarmNameLength)
		}
		if !patchingspec.ValidConcurrency(a.MaxConcurrency) {
			problems.Add(fmt.Sprintf("StopAlarms[%d].MaxConcurrency", i), a.MaxConcurrency, "is not the task's MaxConcurrency: a number from 1 or a percentage from 1%% to 100%%")
		}
		if !patchingspec.ValidMaxErrors(a.MaxErrors) {
			problems.Add(fmt.Sprintf("StopAlarms[%d].MaxErrors", i), a.MaxErrors, "is not the task's MaxErrors: a number from 0 or a percentage from 0%% to 100%%")
		}
	}
	return problems.Err("stackprotection.NewProtector", "ProtectorProps")
}

// Protector is the role a stage's protection step assumes, and the stop alarms the step attaches.
type Protector interface {
	Role() awsiam.Role
	// Attachments are the stop alarms the step attaches, each with the outputs of the scope's
	// stack that hold its window's and task's ids.
	Attachments() []Attachment
}

// Attachment is a stop alarm the step attaches: its task's ids are the stack's outputs
// WindowOutput and TaskOutput, which the step reads with DescribeStacks (not through CDK
// Pipelines' envFromCfnOutputs, whose variables share the action's configuration value of at most
// 1,000 characters, "ActionConfiguration", CodePipeline API Reference, read 2026-12-06: aws-cdk
// issue 17067; a few tasks fill it and the pipeline stack no longer deploys).
type Attachment struct {
	Stack, WindowOutput, TaskOutput, AlarmName string
	MaxConcurrency, MaxErrors                  string // the task's, passed again
}

type protector struct {
	role        awsiam.Role
	attachments []Attachment
}

func (p *protector) Role() awsiam.Role         { return p.role }
func (p *protector) Attachments() []Attachment { return p.attachments }

// ssmServiceLinkedRole is the role Systems Manager may create when a task's alarm is attached:
// "Assign tasks to a maintenance window using the console" names iam:CreateServiceLinkedRole for
// it (read 2026-11-27; whose permission, it does not say), and
// "Using service-linked roles for Systems Manager" names the role
// aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM.
const ssmServiceLinkedRole = "aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM"

// NewProtector creates the role the step assumes, trusted by the step's role only:
// SetStackPolicy and UpdateTerminationProtection on the stage's stacks; and, with StopAlarms,
// DescribeStacks on the scope's stack, whose outputs it adds for the StopAlarms' ids,
// UpdateMaintenanceWindowTask on those windows and tasks, and Systems Manager's service-linked role.
func NewProtector(scope constructs.Construct, id string, props ProtectorProps) Protector {
	if err := props.Validate(); err != nil {
		panic(err)
	}
	stack, env := stackenv.Of(scope)
	stackArn := func(name string) *string {
		// A stack's ARN ends with a unique id: arn:PARTITION:cloudformation:REGION:ACCOUNT:stack/NAME/ID.
		return jsii.String(fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s/*", env.Partition, env.Region, env.Account, name))
	}
	var arns []*string
	for _, name := range props.Stacks {
		arns = append(arns, stackArn(name))
	}
	statements := []awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(Actions...),
		Resources: &arns,
	})}
	p := &protector{}
	if len(props.StopAlarms) > 0 {
		statements = append(statements, p.addStopAlarms(scope, id, props.StopAlarms, stackArn(*stack.StackName()))...)
	}
	p.role = awsiam.NewRole(scope, jsii.String(id), &awsiam.RoleProps{
		RoleName:    jsii.String(props.RoleName),
		Description: jsii.String("privatepatch pipeline: sets termination protection and the stack policy of this environment's stacks, and attaches its Install tasks' stop alarms, after each deploy"),
		AssumedBy:   awsiam.NewArnPrincipal(jsii.String(props.StepRoleArn)),
		InlinePolicies: &map[string]awsiam.PolicyDocument{"ProtectStacks": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{
			Statements: &statements,
		})},
	})
	cdknag.NagSuppressions_AddResourceSuppressions(p.role, &[]*cdknag.NagPackSuppression{{
		Id:     jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("a stack's ARN ends with the unique id CloudFormation gives it: stack/NAME/* names each of this environment's stacks and nothing else"),
	}}, jsii.Bool(true))
	return p
}

// addStopAlarms adds the outputs of the tasks' ids and returns the statements attaching their
// alarms needs.
func (p *protector) addStopAlarms(scope constructs.Construct, id string, tasks []StopAlarmTask, ownStackArn *string) []awsiam.PolicyStatement {
	stack, env := stackenv.Of(scope)
	var updates []*string
	for i, a := range tasks {
		window, task := patchingspec.StopAlarmResourceArns(env.Partition, env.Region, env.Account, a.WindowID, a.WindowTaskID)
		updates = append(updates, jsii.String(window), jsii.String(task))
		// Outputs at the stack's top level: their logical ids are their ids, which the step names.
		at := Attachment{Stack: *stack.StackName(), WindowOutput: fmt.Sprintf("%sStopAlarmWindow%d", id, i+1), TaskOutput: fmt.Sprintf("%sStopAlarmTask%d", id, i+1), AlarmName: a.AlarmName,
			MaxConcurrency: a.MaxConcurrency, MaxErrors: a.MaxErrors}
		awscdk.NewCfnOutput(stack, jsii.String(at.WindowOutput), &awscdk.CfnOutputProps{
			Value: jsii.String(a.WindowID), Description: jsii.String("privatepatch pipeline: the window of the task whose stop alarm " + a.AlarmName + " the protection step attaches")})
		awscdk.NewCfnOutput(stack, jsii.String(at.TaskOutput), &awscdk.CfnOutputProps{
			Value: jsii.String(a.WindowTaskID), Description: jsii.String("privatepatch pipeline: the task whose stop alarm " + a.AlarmName + " the protection step attaches")})
		p.attachments = append(p.attachments, at)
	}
	return []awsiam.PolicyStatement{
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("ReadStopAlarmTaskIds"),
			Actions:   jsii.Strings("cloudformation:DescribeStacks"),
			Resources: &[]*string{ownStackArn},
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("AttachStopAlarms"),
			Actions:   jsii.Strings("ssm:UpdateMaintenanceWindowTask"),
			Resources: &updates,
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("CreateSystemsManagerServiceLinkedRole"),
			Actions:    jsii.Strings("iam:CreateServiceLinkedRole"),
			Resources:  jsii.Strings(fmt.Sprintf("arn:%s:iam::%s:role/%s", env.Partition, env.Account, ssmServiceLinkedRole)),
			Conditions: &map[string]any{"StringEquals": map[string]any{"iam:AWSServiceName": "ssm.amazonaws.com"}},
		}),
	}
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
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("AssumeTheStagesProtectorRoles"),
		Actions:   jsii.Strings("sts:AssumeRole"),
		Resources: jsii.Strings(props.ProtectorRoleArns...),
	}))
	return role
}

// Commands are the step's shell commands, one line (the credentials it assumes stay in it): assume
// the protector role, then for each stack enable termination protection and set its stack policy
// from policyDir/STACK.json (checkupdate -stack-policies, in the synth step), then attach each
// stop alarm with the call make deploy makes (patchingspec.AttachStopAlarmArgs), its task's ids
// read from the stack's outputs.
func Commands(protectorRoleArn, region, policyDir string, stacks []string, stopAlarms []Attachment) []string {
	lines := []string{
		"set -eu",
		// A stage's first deploy creates the role moments before: IAM may not let it be assumed
		// at once, so six tries 10 s apart.
		fmt.Sprintf("for attempt in 1 2 3 4 5 6; do creds=$(aws sts assume-role --role-arn %s --role-session-name privatepatch-protect --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text) && break; "+
			"creds=''; [ $attempt -eq 6 ] || { echo 'assume-role failed: trying again in 10 s' >&2; sleep 10; }; done", protectorRoleArn),
		"set -- $creds",
		fmt.Sprintf(`{ [ $# -eq 3 ] || { echo 'could not assume %s' >&2; false; }; }`, protectorRoleArn),
		`export AWS_ACCESS_KEY_ID="$1" AWS_SECRET_ACCESS_KEY="$2" AWS_SESSION_TOKEN="$3"`,
	}
	for _, s := range stacks {
		lines = append(lines,
			fmt.Sprintf("aws cloudformation update-termination-protection --region %s --enable-termination-protection --stack-name %s", region, s),
			fmt.Sprintf("aws cloudformation set-stack-policy --region %s --stack-name %s --stack-policy-body file://%s/%s.json", region, s, policyDir, s),
			fmt.Sprintf("echo '%s: termination protection and stack policy set'", s))
	}
	for i, a := range stopAlarms {
		window, task := fmt.Sprintf("STOP_ALARM_WINDOW_%d", i+1), fmt.Sprintf("STOP_ALARM_TASK_%d", i+1)
		output := func(key string) string {
			return fmt.Sprintf(`$(aws cloudformation describe-stacks --region %s --stack-name %s --query "Stacks[0].Outputs[?OutputKey=='%s'].OutputValue" --output text)`, region, a.Stack, key)
		}
		lines = append(lines,
			window+"="+output(a.WindowOutput),
			task+"="+output(a.TaskOutput),
			fmt.Sprintf(`{ [ -n "$%s" ] && [ -n "$%s" ] || { echo '%s has no outputs %s and %s: deploy this version of the stack' >&2; false; }; }`, window, task, a.Stack, a.WindowOutput, a.TaskOutput),
			patchingspec.AttachStopAlarmCommand(`"$`+window+`"`, `"$`+task+`"`, a.AlarmName, a.MaxConcurrency, a.MaxErrors)+" --region "+region+" --query WindowTaskId --output text",
			fmt.Sprintf("echo 'stop alarm %s attached'", a.AlarmName))
	}
	return []string{strings.Join(lines, " && ")}
}
