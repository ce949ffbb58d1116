package authz

import (
	"fmt"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/awsbuckets"
)

// The pages the rows below rest on, as read on 2026-11-27.
const (
	ssmActionsPage = `"Actions, resources, and condition keys for AWS Systems Manager", Service Authorization Reference`
	// automationPolicyPage says: "The account ID shouldn't be specified in the Amazon Resource Name
	// (ARN) for AWS owned public documents"; ssmActionsPage lists document* and
	// automation-execution* as what StartAutomationExecution authorises (automation-definition
	// optional), and AWS's denials name the account-less automation-definition ARN.
	automationPolicyPage = `"Setting up identity based policies examples", Systems Manager Automation; ` + ssmActionsPage
	encryptedTopicPage   = `"Enable compatibility between event sources from AWS services and encrypted topics" (Managing Amazon SNS encryption keys and costs), Amazon SNS Developer Guide`
	// publisherKeyPage: "The publisher must have the kms:GenerateDataKey and kms:Decrypt permissions".
	publisherKeyPage       = `"Allow a user to send messages to a topic with SSE" (Managing Amazon SNS encryption keys and costs), Amazon SNS Developer Guide`
	dataSyncPage           = `"Configuring resource data sync for Inventory", AWS Systems Manager User Guide`
	commandOutputPage      = `"Create an IAM instance profile for Systems Manager" (output to your own S3 bucket), AWS Systems Manager User Guide`
	maintenanceWindowPage  = `"Use the console to configure permissions for maintenance windows" (iam:PassRole for the task role), AWS Systems Manager User Guide`
	parameterStoreActions  = `"Restricting access to Parameter Store parameters using IAM policies", AWS Systems Manager User Guide`
	crossAccountPage       = `"Cross-account policy evaluation logic", IAM User Guide`
	gatewayEndpointPolicy  = `"Control access to VPC endpoints using endpoint policies" and "Gateway endpoints for Amazon S3", AWS PrivateLink Guide`
	assumptionPublicBucket = "AWS's buckets are public: \"These S3 buckets are publicly accessible\" (" + awsbuckets.PatchingPage + ")"
)

// Fixed values that stand for what is not in the templates.
const (
	// awsOwnedAccount owns AWS's Systems Manager buckets and documents.
	awsOwnedAccount = "999900000000"
	// outsiderAccount is another account, whose role's own policies allow everything.
	outsiderAccount = "444455556666"
)

// Principal is who makes a call: a role of the templates, an AWS service, or a role of another
// account that may do anything its own account allows.
type Principal struct {
	Role     Resource
	Service  string
	Outsider bool
}

// Call is one request the architecture makes at run time, or one it must never allow.
type Call struct {
	// Caller says who calls, in words.
	Caller string
	Principal
	Action, Resource string
	// ResourceAccount owns the resource. Default: the deployment's account.
	ResourceAccount string
	Context         map[string]any
	// ThroughS3Endpoint: from the private subnets, through the S3 gateway endpoint.
	ThroughS3Endpoint bool
	// EndpointDenies marks a forbidden call that only the S3 endpoint's policy denies.
	EndpointDenies bool
	// ResourcePolicy is the bucket, topic or key policy on the way, and what it is.
	ResourcePolicy     any
	ResourcePolicyName string
	// AwsOwnedArn marks an ARN AWS presents without an account (AWS-owned documents and
	// runbooks), which the evaluator's data expects with one: it is evaluated without the
	// evaluator's input validation (see simulate.mjs).
	AwsOwnedArn bool
	// Required calls must be allowed; the others must be denied.
	Required bool
	// Source names the AWS page the row rests on.
	Source string
}

// The rows spell each ARN as the service presents it, from the pages named, rather than through
// the constructs' helpers (patchingspec.AWSDocumentArn, ...): the proof is independent of the code
// it checks, so a wrong form in a helper fails it instead of agreeing with itself.

// Calls returns the runtime calls of the synthesised stacks: every one the architecture makes,
// and the forbidden ones it must deny. Rows whose caller or resource the stacks do not have
// (a feature left off) are left out.
func Calls(stacks Stacks, env Env) ([]Call, error) {
	m := model{resolver{env: env, stacks: stacks}}
	var calls []Call
	add := func(c Call) { calls = append(calls, c) }
	region, account, partition := env.Region, env.Account, env.Partition

	awsBucketPolicy := func(bucket string) any {
		return policy(map[string]any{"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
			"Resource": fmt.Sprintf("arn:%s:s3:::%s/*", partition, bucket)})
	}
	patchManagerBucket, _ := awsbuckets.PatchManagerBucket(region)
	downloads := []struct{ bucket, key, what string }{
		{patchManagerBucket, "patchbaselineoperations/Amazon.PatchBaselineOperations-1.65.zip", "AWS-RunPatchBaseline's payload"},
		{awsbuckets.SnapshotBucket(region), "snapshot.json", "the patch baseline snapshot"},
		{"aws-ssm-" + region, "aws:runPowerShellScript/module.zip", "a document's module"},
	}

	// The instances: fleet (private subnets, through the S3 endpoint) and WSUS (a public subnet,
	// or in an existing VPC a private one: its calls take the S3 endpoint where its subnet does).
	wsusBehindEndpoint := false
	if wsusRole, ok := m.first("AWS::IAM::Role", "WsusRole"); ok {
		wsusBehindEndpoint = m.behindS3Endpoint(wsusRole)
	}
	ec2Node := fmt.Sprintf("arn:%s:ec2:%s:%s:instance/i-0123456789abcdef0", partition, region, account)
	instanceRoles := []struct {
		prefix, caller string
		private        bool
		writes         []string
		node, nodeID   string // the node's ARN and id as Systems Manager names it
	}{
		{"FleetRole", "fleet instance (FleetRole)", true, []string{"patch/", "wsus-client/", "cce/"}, ec2Node, "i-0123456789abcdef0"},
		{"WsusRole", "WSUS server (WsusRole)", wsusBehindEndpoint, []string{"wsus-setup/"}, ec2Node, "i-0123456789abcdef0"},
		// On-premises: it reaches AWS over the internet or the user's own link, not this VPC's
		// endpoint; Systems Manager names it managed-instance/mi-... (ssmActionsPage).
		{"SecurityHybridRole", "hybrid node (SecurityHybridRole)", false, []string{"patch/", "wsus-client/", "cce/"},
			fmt.Sprintf("arn:%s:ssm:%s:%s:managed-instance/mi-0123456789abcdef0", partition, region, account), "mi-0123456789abcdef0"},
	}
	outputBucket, hasOutput := m.first("AWS::S3::Bucket", "CommandOutputBucket")
	for _, ir := range instanceRoles {
		role, ok := m.first("AWS::IAM::Role", ir.prefix)
		if !ok {
			continue
		}
		for _, d := range downloads {
			if d.bucket == "" {
				continue
			}
			add(Call{Caller: ir.caller, Principal: Principal{Role: role}, Action: "s3:GetObject",
				Resource:        fmt.Sprintf("arn:%s:s3:::%s/%s", partition, d.bucket, d.key),
				ResourceAccount: awsOwnedAccount, ThroughS3Endpoint: ir.private,
				ResourcePolicy: awsBucketPolicy(d.bucket), ResourcePolicyName: assumptionPublicBucket,
				Required: true, Source: awsbuckets.PatchingPage + "; " + awsbuckets.AgentPage + " (" + d.what + ")"})
		}
		if ir.private {
			add(Call{Caller: ir.caller, Principal: Principal{Role: role}, Action: "s3:GetObject",
				Resource: fmt.Sprintf("arn:%s:s3:::attacker-chosen-bucket/payload", partition), ResourceAccount: outsiderAccount,
				ThroughS3Endpoint: true, EndpointDenies: true, ResourcePolicy: awsBucketPolicy("attacker-chosen-bucket"), ResourcePolicyName: "a public bucket",
				Required: false, Source: gatewayEndpointPolicy})
		}
		add(Call{Caller: ir.caller, Principal: Principal{Role: role}, Action: "ssm:UpdateInstanceInformation",
			Resource: ir.node, Required: true, Source: ssmActionsPage})
		if ir.prefix == "WsusRole" {
			add(Call{Caller: ir.caller, Principal: Principal{Role: role}, Action: "ssm:GetParameter",
				Resource: fmt.Sprintf("arn:%s:ssm:%s:%s:parameter/any/secret", partition, region, account),
				Required: false, Source: parameterStoreActions + " (the internet-facing server must not read Parameter Store)"})
		}
		if !hasOutput {
			continue
		}
		bucketName := m.ref(outputBucket.Stack, outputBucket.LogicalID)
		bucketPolicy := m.resourcePolicy("AWS::S3::BucketPolicy", "Bucket", outputBucket)
		tls := map[string]any{"aws:SecureTransport": "true"}
		for _, prefix := range ir.writes {
			add(Call{Caller: ir.caller, Principal: Principal{Role: role}, Action: "s3:PutObject",
				Resource: fmt.Sprintf("arn:%s:s3:::%s/%sdocument/%s/stdout", partition, bucketName, prefix, ir.nodeID),
				Context:  tls, ThroughS3Endpoint: ir.private, ResourcePolicy: bucketPolicy, ResourcePolicyName: "the command-output bucket policy",
				Required: true, Source: commandOutputPage})
		}
		for _, other := range []string{"wsus-setup/", "inventory/", "wsus-client/"} {
			if strings.Contains(strings.Join(ir.writes, " "), other) {
				continue
			}
			add(Call{Caller: ir.caller, Principal: Principal{Role: role}, Action: "s3:PutObject",
				Resource: fmt.Sprintf("arn:%s:s3:::%s/%sforged", partition, bucketName, other),
				Context:  tls, ThroughS3Endpoint: ir.private, ResourcePolicy: bucketPolicy, ResourcePolicyName: "the command-output bucket policy",
				Required: false, Source: commandOutputPage + " (each writer keeps to its own prefixes)"})
		}
	}

	// Maintenance windows: Run Command, the pre-patch image and notifications.
	topic, hasTopic := m.first("AWS::SNS::Topic", "AlertsTopic")
	key, hasKey := m.first("AWS::KMS::Key", "AlertsKey")
	var topicArn string
	var topicPolicy, alertsKeyPolicy any
	if hasTopic {
		topicArn = m.ref(topic.Stack, topic.LogicalID)
		topicPolicy = m.resourcePolicy("AWS::SNS::TopicPolicy", "Topics", topic)
	}
	var keyArn string
	if hasKey {
		keyArn = m.getAtt(key.Stack, key.LogicalID, "Arn")
		alertsKeyPolicy = m.keyPolicy(key)
	}
	for _, role := range m.find("AWS::IAM::Role", "MaintenanceWindows") {
		caller := "maintenance window service role (" + role.LogicalID + ")"
		add(Call{Caller: caller, Principal: Principal{Role: role}, Action: "ssm:SendCommand",
			Resource: fmt.Sprintf("arn:%s:ssm:%s::document/AWS-RunPatchBaseline", partition, region), AwsOwnedArn: true,
			Required: true, Source: ssmActionsPage + " (an AWS-owned document has no account in its ARN)"})
		add(Call{Caller: caller, Principal: Principal{Role: role}, Action: "ssm:SendCommand",
			Resource: fmt.Sprintf("arn:%s:ec2:%s:%s:instance/i-0123456789abcdef0", partition, region, account),
			Required: true, Source: ssmActionsPage})
		// Hybrid nodes join the patch groups by tag: a window targeting tags reaches them, and may
		// command them only when hybrid nodes are invited.
		if targetsTags(m, role) {
			_, hybrid := m.first("AWS::IAM::Role", "SecurityHybridRole")
			add(Call{Caller: caller, Principal: Principal{Role: role}, Action: "ssm:SendCommand",
				Resource: fmt.Sprintf("arn:%s:ssm:%s:%s:managed-instance/mi-0123456789abcdef0", partition, region, account),
				Required: hybrid, Source: ssmActionsPage + " (hybrid nodes are managed-instance/mi-...)"})
		}
		add(Call{Caller: caller, Principal: Principal{Role: role}, Action: "ssm:SendCommand",
			Resource: fmt.Sprintf("arn:%s:ssm:%s::document/AWS-RunPowerShellScript", partition, region), AwsOwnedArn: true,
			Required: false, Source: ssmActionsPage + " (the window runs AWS-RunPatchBaseline only)"})
		if usesCreateImage(m, role) {
			for _, resource := range []string{
				fmt.Sprintf("arn:%s:ssm:%s::automation-definition/AWS-CreateImage:$DEFAULT", partition, region),
				fmt.Sprintf("arn:%s:ssm:%s::document/AWS-CreateImage", partition, region),
				fmt.Sprintf("arn:%s:ssm:%s:%s:automation-execution/0123abcd-0123-4567-89ab-0123456789ab", partition, region, account),
			} {
				add(Call{Caller: caller, Principal: Principal{Role: role}, Action: "ssm:StartAutomationExecution",
					Resource: resource, AwsOwnedArn: !strings.Contains(resource, "automation-execution"),
					Required: true, Source: automationPolicyPage})
			}
			add(Call{Caller: caller + " as AWS-CreateImage", Principal: Principal{Role: role}, Action: "ec2:CreateImage",
				Resource: fmt.Sprintf("arn:%s:ec2:%s:%s:instance/i-0123456789abcdef0", partition, region, account),
				Required: true, Source: `"AWS-CreateImage", Systems Manager Automation Runbook Reference`})
		}
		if passesRole(m, role) {
			add(Call{Caller: caller, Principal: Principal{Role: role}, Action: "iam:PassRole",
				Resource: m.getAtt(role.Stack, role.LogicalID, "Arn"), Context: map[string]any{"iam:PassedToService": "ssm.amazonaws.com"},
				Required: true, Source: maintenanceWindowPage})
		}
		if hasTopic && notifies(m, role) {
			add(Call{Caller: caller + " (Run Command notification)", Principal: Principal{Role: role}, Action: "sns:Publish", Resource: topicArn,
				Context: map[string]any{"aws:SecureTransport": "true"}, ResourcePolicy: topicPolicy, ResourcePolicyName: "the alerts topic policy",
				Required: true, Source: maintenanceWindowPage})
		}
	}

	// The alerts: EventBridge's publish role and CloudWatch alarms publish to the encrypted topic.
	if hasTopic {
		if role, ok := m.first("AWS::IAM::Role", "AlertsPublishRole"); ok {
			add(Call{Caller: "EventBridge rules (AlertsPublishRole)", Principal: Principal{Role: role}, Action: "sns:Publish", Resource: topicArn,
				Context: map[string]any{"aws:SecureTransport": "true"}, ResourcePolicy: topicPolicy, ResourcePolicyName: "the alerts topic policy",
				Required: true, Source: encryptedTopicPage})
			if hasKey {
				for _, action := range []string{"kms:GenerateDataKey", "kms:Decrypt"} {
					add(Call{Caller: "EventBridge rules (AlertsPublishRole)", Principal: Principal{Role: role}, Action: action, Resource: keyArn,
						ResourcePolicy: alertsKeyPolicy, ResourcePolicyName: "the alerts key policy", Required: true, Source: publisherKeyPage})
				}
			}
		}
		for _, alarm := range m.find("AWS::CloudWatch::Alarm", "") {
			actions := fmt.Sprint(m.value(alarm.Stack, m.properties(alarm)["AlarmActions"]))
			if !strings.Contains(actions, topicArn) {
				continue
			}
			context := map[string]any{"aws:SourceAccount": account, "aws:SourceArn": m.getAtt(alarm.Stack, alarm.LogicalID, "Arn"), "aws:SecureTransport": "true"}
			caller := "CloudWatch alarm " + alarm.LogicalID
			add(Call{Caller: caller, Principal: Principal{Service: "cloudwatch.amazonaws.com"}, Action: "sns:Publish", Resource: topicArn,
				Context: context, ResourcePolicy: topicPolicy, ResourcePolicyName: "the alerts topic policy", Required: true, Source: encryptedTopicPage})
			if hasKey {
				for _, action := range []string{"kms:GenerateDataKey", "kms:Decrypt"} {
					add(Call{Caller: caller, Principal: Principal{Service: "cloudwatch.amazonaws.com"}, Action: action, Resource: keyArn,
						Context: context, ResourcePolicy: alertsKeyPolicy, ResourcePolicyName: "the alerts key policy", Required: true, Source: encryptedTopicPage})
				}
			}
		}
		add(Call{Caller: "a role of another account", Principal: Principal{Outsider: true}, Action: "sns:Publish", Resource: topicArn,
			Context: map[string]any{"aws:SecureTransport": "true"}, ResourcePolicy: topicPolicy, ResourcePolicyName: "the alerts topic policy",
			Required: false, Source: crossAccountPage})
		if hasKey {
			add(Call{Caller: "a role of another account", Principal: Principal{Outsider: true}, Action: "kms:Decrypt", Resource: keyArn,
				ResourcePolicy: alertsKeyPolicy, ResourcePolicyName: "the alerts key policy", Required: false, Source: crossAccountPage})
		}
	}

	// The inventory's resource data sync writes into the command-output bucket.
	if sync, ok := m.first("AWS::SSM::ResourceDataSync", ""); ok && hasOutput {
		destination, _ := m.value(sync.Stack, m.properties(sync)["S3Destination"]).(map[string]any)
		add(Call{Caller: "resource data sync " + sync.LogicalID, Principal: Principal{Service: "ssm.amazonaws.com"}, Action: "s3:PutObject",
			Resource: fmt.Sprintf("arn:%s:s3:::%s/%s/AWS:InstanceInformation/accountid=%s/region=%s/resourcetype=ManagedInstanceInventory/i-0123456789abcdef0.json",
				partition, destination["BucketName"], destination["BucketPrefix"], account, region),
			Context:        map[string]any{"aws:SourceAccount": account, "aws:SecureTransport": "true", "s3:x-amz-acl": "bucket-owner-full-control"},
			ResourcePolicy: m.resourcePolicy("AWS::S3::BucketPolicy", "Bucket", outputBucket), ResourcePolicyName: "the command-output bucket policy",
			Required: true, Source: dataSyncPage})
	}
	return append(calls, promotionCalls(m, env)...), nil
}

// usesCreateImage tells whether role is the service role of a window with an AWS-CreateImage task.
func usesCreateImage(m model, role Resource) bool {
	return taskOf(m, role, func(task map[string]any) bool { return fmt.Sprint(task["TaskArn"]) == "AWS-CreateImage" })
}

// notifies tells whether a Run Command task of role's window publishes notifications.
func notifies(m model, role Resource) bool {
	return taskOf(m, role, func(task map[string]any) bool { return strings.Contains(fmt.Sprint(task), "NotificationArn") })
}

// targetsTags tells whether the window of role targets instances by tag (patch groups).
func targetsTags(m model, role Resource) bool {
	roleArn := m.getAtt(role.Stack, role.LogicalID, "Arn")
	windows := map[string]bool{}
	for _, task := range m.find("AWS::SSM::MaintenanceWindowTask", "") {
		props, _ := m.value(task.Stack, m.properties(task)).(map[string]any)
		if fmt.Sprint(props["ServiceRoleArn"]) == roleArn {
			windows[fmt.Sprint(props["WindowId"])] = true
		}
	}
	for _, target := range m.find("AWS::SSM::MaintenanceWindowTarget", "") {
		props, _ := m.value(target.Stack, m.properties(target)).(map[string]any)
		if windows[fmt.Sprint(props["WindowId"])] && strings.Contains(fmt.Sprint(props["Targets"]), "tag:") {
			return true
		}
	}
	return false
}

func passesRole(m model, role Resource) bool { return usesCreateImage(m, role) || notifies(m, role) }

func taskOf(m model, role Resource, match func(map[string]any) bool) bool {
	roleArn := m.getAtt(role.Stack, role.LogicalID, "Arn")
	for _, task := range m.find("AWS::SSM::MaintenanceWindowTask", "") {
		props, _ := m.value(task.Stack, m.properties(task)).(map[string]any)
		if fmt.Sprint(props["ServiceRoleArn"]) == roleArn && match(props) {
			return true
		}
	}
	return false
}
