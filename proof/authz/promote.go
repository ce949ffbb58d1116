package authz

import (
	"fmt"
	"strings"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// promotionPage: the promotion step's calls (patching.rings.promote: exact), read 2026-12-06.
const promotionPage = `"DescribeInstancePatches", "DescribeInstanceInformation", "GetMaintenanceWindowExecution" (AWS Systems Manager API ` +
	`Reference); "SSM Command document for patching: AWS-RunPatchBaseline" (InstallOverrideList, read on the node); ` + ssmActionsPage

// promotionCalls are the calls of exact promotion, found from the templates: each window task
// that runs a runbook of the project's (an AUTOMATION task whose document is not AWS-owned) with
// an AutomationAssumeRole, and each Install task that passes an InstallOverrideList.
func promotionCalls(m model, env Env) []Call {
	outputBucket, hasOutput := m.first("AWS::S3::Bucket", "CommandOutputBucket")
	if !hasOutput {
		return nil
	}
	bucket := promotionBucket{m.ref(outputBucket.Stack, outputBucket.LogicalID), m.resourcePolicy("AWS::S3::BucketPolicy", "Bucket", outputBucket)}
	roleByArn := map[string]Resource{}
	for _, role := range m.find("AWS::IAM::Role", "") {
		roleByArn[m.getAtt(role.Stack, role.LogicalID, "Arn")] = role
	}
	var calls []Call
	seen := map[string]bool{}
	for _, task := range m.find("AWS::SSM::MaintenanceWindowTask", "") {
		props, _ := m.value(task.Stack, m.properties(task)).(map[string]any)
		params := automationParams(props)
		if props["TaskType"] != "AUTOMATION" || strings.HasPrefix(fmt.Sprint(props["TaskArn"]), "AWS-") || params["AutomationAssumeRole"] == nil {
			continue
		}
		windowRole, ok := roleByArn[fmt.Sprint(props["ServiceRoleArn"])]
		stepRole, ok2 := roleByArn[first(params["AutomationAssumeRole"])]
		if !ok || !ok2 {
			continue
		}
		calls = append(calls, runbookStartCalls(m, env, windowRole, stepRole, fmt.Sprint(props["TaskArn"]))...)
		if action := first(params["Action"]); action != "" {
			if !seen[stepRole.LogicalID+action] {
				seen[stepRole.LogicalID+action] = true
				calls = append(calls, startStopCalls(m, env, stepRole, action, params)...)
			}
			continue
		}
		calls = append(calls, promotionStepCalls(m, env, stepRole, params, bucket)...)
	}
	return append(calls, promotedListCalls(m, env, bucket)...)
}

// promotionBucket is the command-output bucket the promotion writes its lists into.
type promotionBucket struct {
	name   string
	policy Doc
}

// runbookStartCalls are a window's start of a runbook of the project's, and its pass of the step's
// role (to Systems Manager only).
func runbookStartCalls(m model, env Env, windowRole, stepRole Resource, document string) []Call {
	var calls []Call
	add := func(c Call) { calls = append(calls, c) }
	region, account, partition := env.Region, env.Account, env.Partition
	caller := "maintenance window service role (" + windowRole.LogicalID + ")"
	for _, resource := range []string{
		fmt.Sprintf("arn:%s:ssm:%s:%s:automation-definition/%s:$DEFAULT", partition, region, account, document),
		fmt.Sprintf("arn:%s:ssm:%s:%s:document/%s", partition, region, account, document),
		fmt.Sprintf("arn:%s:ssm:%s:%s:automation-execution/0123abcd-0123-4567-89ab-0123456789ab", partition, region, account),
	} {
		add(Call{Caller: caller, Principal: Principal{Role: windowRole}, Action: "ssm:StartAutomationExecution", Resource: resource,
			Required: true, Source: automationPolicyPage})
	}
	add(Call{Caller: caller, Principal: Principal{Role: windowRole}, Action: "iam:PassRole",
		Resource: m.getAtt(stepRole.Stack, stepRole.LogicalID, "Arn"), Context: map[string]any{"iam:PassedToService": "ssm.amazonaws.com"},
		Required: true, Source: maintenanceWindowPage})
	add(Call{Caller: caller + ", to another service", Principal: Principal{Role: windowRole}, Action: "iam:PassRole",
		Resource: m.getAtt(stepRole.Stack, stepRole.LogicalID, "Arn"), Context: map[string]any{"iam:PassedToService": "lambda.amazonaws.com"},
		Required: false, Source: maintenanceWindowPage + " (the step's role goes to Systems Manager only)"})
	return calls
}

// promotionStepCalls are a ring's promotion step's: it reads the window's execution and the
// ring's nodes' patches, and writes only under its ring's prefix.
func promotionStepCalls(m model, env Env, stepRole Resource, params map[string]any, bucket promotionBucket) []Call {
	var calls []Call
	add := func(c Call) { calls = append(calls, c) }
	region, account, partition := env.Region, env.Account, env.Partition
	tls := map[string]any{"aws:SecureTransport": "true"}
	bucketName, bucketPolicy := bucket.name, bucket.policy
	ring, prefix := first(params["PatchGroup"]), first(params["Prefix"])
	if prefix == "" {
		return nil
	}
	step := "promotion of ring " + ring + " (" + stepRole.LogicalID + ")"
	for _, action := range []string{"ssm:GetMaintenanceWindowExecution", "ssm:DescribeInstanceInformation"} {
		add(Call{Caller: step, Principal: Principal{Role: stepRole}, Action: action, Resource: "*", Required: true, Source: promotionPage})
	}
	add(Call{Caller: step, Principal: Principal{Role: stepRole}, Action: "ssm:DescribeInstancePatches",
		Resource: fmt.Sprintf("arn:%s:ec2:%s:%s:instance/i-0123456789abcdef0", partition, region, account), Required: true, Source: promotionPage})
	if _, hybrid := m.first("AWS::IAM::Role", "SecurityHybridRole"); hybrid {
		// Hybrid nodes tagged into the ring: Systems Manager names them managed-instance/mi-...
		add(Call{Caller: step + ", on a hybrid node", Principal: Principal{Role: stepRole}, Action: "ssm:DescribeInstancePatches",
			Resource: fmt.Sprintf("arn:%s:ssm:%s:%s:managed-instance/mi-0123456789abcdef0", partition, region, account), Required: true, Source: promotionPage})
	}
	object := func(key string) string { return fmt.Sprintf("arn:%s:s3:::%s/%s", partition, bucketName, key) }
	for _, c := range []struct {
		action, key string
		required    bool
	}{
		{"s3:PutObject", prefix + "runs/0123abcd/windows/microsoft-windows-server-2022-datacenter.yaml", true},
		{"s3:PutObject", prefix + "install-override-list.yaml", true},
		{"s3:DeleteObject", prefix + "install-override-list.yaml", true},
		{"s3:PutObject", "patch/forged", false},
		{"s3:PutObject", "promote/another-ring/install-override-list.yaml", false},
		{"s3:GetObject", "inventory/forged", false},
	} {
		add(Call{Caller: step, Principal: Principal{Role: stepRole}, Action: c.action, Resource: object(c.key), Context: tls,
			ResourcePolicy: bucketPolicy, ResourcePolicyName: "the command-output bucket policy", Required: c.required,
			Source: promotionPage + " (it writes only under its ring's prefix)"})
	}
	return calls
}

// promotedListCalls: the next ring's nodes download their list (the fleet through the S3
// endpoint), and may not change it.
func promotedListCalls(m model, env Env, bucket promotionBucket) []Call {
	fleet, ok := m.first("AWS::IAM::Role", "FleetRole")
	if !ok {
		return nil
	}
	var calls []Call
	add := func(c Call) { calls = append(calls, c) }
	partition := env.Partition
	tls := map[string]any{"aws:SecureTransport": "true"}
	bucketName, bucketPolicy := bucket.name, bucket.policy
	for _, task := range m.find("AWS::SSM::MaintenanceWindowTask", "") {
		props, _ := m.value(task.Stack, m.properties(task)).(map[string]any)
		url := overrideList(props)
		if url == "" {
			continue
		}
		key := strings.TrimPrefix(url, "s3://"+bucketName+"/")
		caller := "fleet instance (FleetRole) running " + task.LogicalID
		add(Call{Caller: caller, Principal: Principal{Role: fleet}, Action: "s3:GetObject", Resource: fmt.Sprintf("arn:%s:s3:::%s/%s", partition, bucketName, key),
			Context: tls, ThroughS3Endpoint: true, ResourcePolicy: bucketPolicy, ResourcePolicyName: "the command-output bucket policy",
			Required: true, Source: promotionPage})
		if hybrid, ok := m.first("AWS::IAM::Role", "SecurityHybridRole"); ok {
			// A hybrid node in the ring reads the same list with its service role, over its own
			// path to S3 (not this VPC's endpoint).
			add(Call{Caller: "hybrid node (SecurityHybridRole) running " + task.LogicalID, Principal: Principal{Role: hybrid}, Action: "s3:GetObject",
				Resource: fmt.Sprintf("arn:%s:s3:::%s/%s", partition, bucketName, key), Context: tls,
				ResourcePolicy: bucketPolicy, ResourcePolicyName: "the command-output bucket policy", Required: true, Source: promotionPage})
		}
		for _, c := range []struct{ action, key string }{
			{"s3:PutObject", key},
			{"s3:DeleteObject", key},
			{"s3:GetObject", strings.TrimSuffix(key, "install-override-list.yaml") + "runs/0123abcd/linux/amazon-linux.yaml"},
		} {
			add(Call{Caller: caller, Principal: Principal{Role: fleet}, Action: c.action, Resource: fmt.Sprintf("arn:%s:s3:::%s/%s", partition, bucketName, c.key),
				Context: tls, ThroughS3Endpoint: true, ResourcePolicy: bucketPolicy, ResourcePolicyName: "the command-output bucket policy",
				Required: false, Source: promotionPage + " (nodes read the promoted list only)"})
		}
	}
	return calls
}

func automationParams(props map[string]any) map[string]any {
	return cfntemplate.Parameters(cfntemplate.Automation(props))
}

// startStopPage: the startStopped steps' calls, read 2026-12-06.
const startStopPage = `"DescribeInstances", "StartInstances", "StopInstances", "CreateTags", "DeleteTags" (Amazon EC2 API Reference); ` +
	`"Actions, resources, and condition keys for Amazon EC2" (aws:ResourceTag/${TagKey}, aws:TagKeys), Service Authorization Reference`

// startStopCalls are the start or stop step's calls: only instances with the fleet tag, only its own
// tag keys (and the scheduler's).
func startStopCalls(m model, env Env, role Resource, action string, params map[string]any) []Call {
	fleetKey, fleetValue, scheduler := first(params["FleetTagKey"]), first(params["FleetTagValue"]), first(params["SchedulerTagKey"])
	instance := fmt.Sprintf("arn:%s:ec2:%s:%s:instance/i-0123456789abcdef0", env.Partition, env.Region, env.Account)
	fleet := map[string]any{"aws:ResourceTag/" + fleetKey: fleetValue}
	other := map[string]any{"aws:ResourceTag/" + fleetKey: "another-fleet"}
	step := "startStopped " + action + " (" + role.LogicalID + ")"
	with := func(context map[string]any, keys ...string) map[string]any {
		out := map[string]any{}
		for k, v := range context {
			out[k] = v
		}
		if len(keys) > 0 {
			out["aws:TagKeys"] = keys
		}
		return out
	}
	verb, tagVerb := "ec2:StartInstances", "ec2:CreateTags"
	if action == "stop" {
		verb, tagVerb = "ec2:StopInstances", "ec2:DeleteTags"
	}
	calls := []Call{
		{Caller: step, Principal: Principal{Role: role}, Action: "ec2:DescribeInstances", Resource: "*", Required: true, Source: startStopPage},
		{Caller: step, Principal: Principal{Role: role}, Action: verb, Resource: instance, Context: fleet, Required: true, Source: startStopPage},
		{Caller: step, Principal: Principal{Role: role}, Action: verb, Resource: instance, Context: other, Required: false,
			Source: startStopPage + " (only the fleet's instances)"},
		{Caller: step, Principal: Principal{Role: role}, Action: tagVerb, Resource: instance, Context: with(fleet, "privatepatch:started-by"),
			Required: true, Source: startStopPage},
		{Caller: step, Principal: Principal{Role: role}, Action: tagVerb, Resource: instance, Context: with(fleet, "Patch Group"),
			Required: false, Source: startStopPage + " (patch groups and the fleet tag are not its to change)"},
		{Caller: step, Principal: Principal{Role: role}, Action: tagVerb, Resource: instance, Context: with(other, "privatepatch:started-by"),
			Required: false, Source: startStopPage + " (only the fleet's instances)"},
	}
	if scheduler != "" {
		schedulerVerb := "ec2:DeleteTags" // start sets the schedule aside, stop restores it
		if action == "stop" {
			schedulerVerb = "ec2:CreateTags"
		}
		calls = append(calls, Call{Caller: step, Principal: Principal{Role: role}, Action: schedulerVerb, Resource: instance,
			Context: with(fleet, scheduler), Required: true, Source: startStopPage})
	}
	if action == "start" {
		calls = append(calls, Call{Caller: step, Principal: Principal{Role: role}, Action: "ssm:DescribeInstanceInformation", Resource: "*",
			Required: true, Source: startStopPage})
	}
	return calls
}

func overrideList(props map[string]any) string {
	return first(cfntemplate.Parameters(cfntemplate.RunCommand(props))["InstallOverrideList"])
}

// first is the first value of a task parameter (a list of strings).
func first(v any) string {
	if list, ok := v.([]any); ok && len(list) > 0 {
		return fmt.Sprint(list[0])
	}
	return ""
}
