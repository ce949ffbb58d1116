package authz

import (
	"fmt"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// The catalogue: what each kind of resource in the templates implies at run time, with the AWS page
// each implication rests on (read 2026-12-06). implied derives the rows from the templates: every
// role and the services that assume it, every service principal a bucket, topic or key policy
// names, every key and its users. The mutation test (Prove) then shows that each statement of the
// templates is needed by one of these rows, or by those of Calls.
const (
	// "Use the console to configure permissions for maintenance windows" shows the custom service
	// role's policy: ssm:SendCommand, ssm:CancelCommand, ssm:ListCommands,
	// ssm:ListCommandInvocations, ssm:GetCommandInvocation, ssm:GetAutomationExecution,
	// ssm:StartAutomationExecution, sns:Publish, iam:PassRole.
	windowRolePage = `"Use the console to configure permissions for maintenance windows" (custom service role policy), AWS Systems Manager User Guide`
	// The confused-deputy page: "We recommend using the aws:SourceArn and aws:SourceAccount global
	// condition context keys in resource policies to limit the permissions that Systems Manager gives
	// another service to the resource" (and the same for each service's trust policy).
	confusedDeputyPage  = `"Cross-service confused deputy prevention", AWS Systems Manager User Guide; "The confused deputy problem", IAM User Guide`
	hybridRolePage      = `"Create the IAM service role required for Systems Manager in hybrid and multicloud environments", AWS Systems Manager User Guide (aws:SourceAccount, aws:SourceArn arn:aws:ssm:REGION:ACCOUNT:*)`
	eventsRolePage      = `"Using IAM roles to send events to targets" (Amazon EventBridge User Guide) and "Cross-service confused deputy prevention" (EventBridge)`
	flowLogsRolePage    = `"IAM role for publishing flow logs to CloudWatch Logs" (trust policy with aws:SourceAccount and aws:SourceArn; logs:CreateLogStream, logs:PutLogEvents, logs:DescribeLogStreams), Amazon VPC User Guide`
	defaultKeyPolicy    = `"Default key policy" ("Allows access to the AWS account and enables IAM policies"), AWS KMS Developer Guide`
	grantsPage          = `"kms:GrantIsForAWSResource" and "aws:PrincipalIsAWSService" (AWS KMS condition keys; IAM global condition keys); AWS Control Tower CT.KMS.PR.3`
	tlsPage             = `"Amazon S3 security best practices" (aws:SecureTransport deny) and "Enforce encryption in transit" (Amazon SNS Developer Guide)`
	accessLogsPage      = `"Enabling Amazon S3 server access logging" (bucket policy for logging.s3.amazonaws.com with aws:SourceArn and aws:SourceAccount), Amazon S3 User Guide`
	crawlerPage         = `"Step 2: Create an IAM role for AWS Glue" (AWSGlueServiceRole's glue and logs actions) and "Encrypting data written by crawlers, jobs, and development endpoints" (logs:AssociateKmsKey), AWS Glue Developer Guide`
	crawlerLogsKeyPage  = `"Encrypting data written by AWS Glue" (step 1: grant KMS permissions to the IAM roles passed to crawlers to encrypt CloudWatch Logs) and "Setting up encryption in AWS Glue" (kms:GenerateDataKey, kms:Decrypt, kms:Encrypt), AWS Glue Developer Guide`
	inspectorPage       = `"Enable" (Amazon Inspector API Reference) and "Using service-linked roles for Amazon Inspector" (iam:CreateServiceLinkedRole for inspector2.amazonaws.com, agentless.inspector2.amazonaws.com)`
	restrictSGPage      = `"restrictDefaultSecurityGroup" (aws-cdk-lib.aws_ec2.Vpc, AWS CDK API Reference): a custom resource removing the default security group's rules`
	createImagePage     = `"AWS-CreateImage" (Systems Manager Automation Runbook Reference) and "aws:createImage" (Automation actions reference): it creates the image and waits for it with ec2:DescribeImages`
	encryptedBucketPage = `"Using server-side encryption with AWS KMS keys (SSE-KMS)" ("you must have permission for kms:GenerateDataKey ... to upload"), Amazon S3 User Guide`
	lambdaTrustPage     = `"Lambda execution role" (trust policy for lambda.amazonaws.com), AWS Lambda Developer Guide`
	ec2TrustPage        = `"IAM roles for Amazon EC2" (an instance profile's role trusts ec2.amazonaws.com), Amazon EC2 User Guide`
	glueTrustPage       = `"Step 2: Create an IAM role for AWS Glue" (trusts glue.amazonaws.com), AWS Glue Developer Guide`
	flowLogsS3Page      = `"Publish flow logs to Amazon S3" (the bucket policy for delivery.logs.amazonaws.com: AWSLogDeliveryWrite with s3:x-amz-acl bucket-owner-full-control, AWSLogDeliveryAclCheck; aws:SourceAccount, aws:SourceArn), Amazon VPC User Guide`
	runCommandLogsPage  = `"Configuring Amazon CloudWatch Logs for Run Command" (the instance profile's logs:CreateLogStream, logs:DescribeLogGroups, logs:DescribeLogStreams, logs:PutLogEvents), AWS Systems Manager User Guide`
	wsusMetricsPage     = `"PutMetricData" (CloudWatch API) and "cloudwatch:namespace" (Actions, resources, and condition keys for Amazon CloudWatch): the WSUS health script's metrics`
	// A task's alarm is read by the task's service role: "cloudwatch:DescribeAlarms: Required to
	// monitor alarm state" ("Configure Automation to monitor CloudWatch alarms", AWS Systems Manager
	// User Guide), and a composite alarm only with DescribeAlarms "scoped to *" (DescribeAlarms,
	// CloudWatch API Reference). Read 2026-12-06.
	stopAlarmPage = `"Configure Automation to monitor CloudWatch alarms" (cloudwatch:DescribeAlarms), AWS Systems Manager User Guide; "DescribeAlarms" (composite alarms need it on *), CloudWatch API Reference`
	// A service invokes a function through the function's resource-based policy; "To ensure that
	// your function is only invoked by a specific resource, specify the Amazon Resource Name (ARN)"
	// as the source. Read 2026-12-06.
	invokePage = `"Granting Lambda function access to AWS services" (add-permission with --source-arn), AWS Lambda Developer Guide`
	// A function with its own log group (LoggingConfig.LogGroup) writes its streams there with
	// logs:CreateLogStream and logs:PutLogEvents, as AWSLambdaBasicExecutionRole allows.
	functionLogsPage = `"Sending Lambda function logs to CloudWatch Logs" (a custom log group: CreateLogStream, PutLogEvents) and "AWSLambdaBasicExecutionRole", AWS Lambda Developer Guide; AWS Managed Policy Reference`
	// The finding filter (compliancespec/findingfilter.py) puts items of the table
	// and publishes to the topic its environment names; what DynamoDB authorises each with.
	findingFilterPage = `privatepatch's finding filter (compliancespec/findingfilter.py: PutItem, Publish); "Actions, resources, and condition keys for Amazon DynamoDB" (table), Service Authorization Reference`
)

// otherService is a service that must not assume a role: whichever of these the role does not trust.
var otherServices = []string{"lambda.amazonaws.com", "ssm.amazonaws.com"}

// implied returns the rows the catalogue derives from the stacks, kind of resource by kind.
// (Encrypted log groups: CloudWatch Logs' use of their keys is not evaluated; see Accepted: the
// evaluator ignores kms:EncryptionContext:* keys.)
func implied(m model, calls []Call) []Call {
	var out []Call
	for _, rows := range []func(model) []Call{
		roleAssumptions, keyGrants, flowLogsToLogs, flowLogsToS3, runCommandLogs, bucketTLS, accessLogDelivery,
		restrictDefaultSG, inspectorEnabler, crawlerCalls, windowFollowUps, wsusMetrics, functionInvocations, functionLogs, functionResources,
	} {
		out = append(out, rows(m)...)
	}
	return append(out, keysAndTLSOfTheOthers(m, calls, out)...)
}

// inAnotherAccount is arn with the deployment's account replaced by another's.
func (m model) inAnotherAccount(arn string) string {
	return strings.Replace(arn, ":"+m.env.Account+":", ":"+outsiderAccount+":", 1)
}

// roleAssumptions returns, for each role, the services its trust policy admits assuming it, from this
// account and this account's resources (the source the service presents); another account,
// another account's resource and a service the role does not trust are refused.
func roleAssumptions(m model) []Call {
	var out []Call
	add := func(c Call) { out = append(out, c) }
	account := m.env.Account
	for _, role := range m.find("AWS::IAM::Role", "") {
		trust := m.trustPolicy(role)
		roleArn := m.getAtt(role.Stack, role.LogicalID, "Arn")
		services := roleUsers(m, role)
		if len(services) == 0 {
			// Nothing in the templates uses it (a hybrid activation's role is used from outside):
			// the services its trust policy names are taken as the ones that must assume it.
			services = trustedServices(trust.Policy)
		}
		for _, service := range services {
			source, page := serviceSource(m, role, service)
			context := map[string]any{"aws:SourceAccount": account}
			if source != "" {
				context["aws:SourceArn"] = source
			}
			caller := service + " assuming " + role.LogicalID
			add(Call{Caller: caller, Principal: Principal{Service: service}, Action: "sts:AssumeRole", Resource: roleArn,
				Context: context, ResourcePolicy: trust, Required: true, Source: page})
			if source == "" {
				continue
			}
			add(Call{Caller: service + " for another account, assuming " + role.LogicalID, Principal: Principal{Service: service}, Action: "sts:AssumeRole",
				Resource: roleArn, Context: map[string]any{"aws:SourceAccount": outsiderAccount, "aws:SourceArn": source},
				ResourcePolicy: trust, Required: false, Source: confusedDeputyPage})
			add(Call{Caller: service + " for another account's resource, assuming " + role.LogicalID, Principal: Principal{Service: service}, Action: "sts:AssumeRole",
				Resource: roleArn, Context: map[string]any{"aws:SourceAccount": account, "aws:SourceArn": m.inAnotherAccount(source)},
				ResourcePolicy: trust, Required: false, Source: confusedDeputyPage})
		}
		for _, service := range otherServices {
			if !slices.Contains(services, service) {
				add(Call{Caller: service + " (not trusted) assuming " + role.LogicalID, Principal: Principal{Service: service}, Action: "sts:AssumeRole",
					Resource: roleArn, Context: map[string]any{"aws:SourceAccount": account}, ResourcePolicy: trust, Required: false,
					Source: "IAM User Guide, \"Roles terms and concepts\" (trust policy)"})
				break
			}
		}
	}
	return out
}

// keyGrants returns, for each key, that the account's IAM policies govern it (the default key
// policy's root statement), and that no one but an AWS service creates grants on it.
func keyGrants(m model) []Call {
	var out []Call
	add := func(c Call) { out = append(out, c) }
	for _, key := range m.find("AWS::KMS::Key", "") {
		keyArn, policy := m.getAtt(key.Stack, key.LogicalID, "Arn"), m.keyPolicy(key)
		add(Call{Caller: "an administrator of this account", Principal: Principal{Administrator: true}, Action: "kms:DescribeKey", Resource: keyArn,
			ResourcePolicy: policy, Required: true, Source: defaultKeyPolicy})
		add(Call{Caller: "an administrator of this account, for itself", Principal: Principal{Administrator: true}, Action: "kms:CreateGrant", Resource: keyArn,
			Context: map[string]any{"kms:GrantIsForAWSResource": "false", "aws:PrincipalIsAWSService": "false"}, ResourcePolicy: policy, Required: false, Source: grantsPage})
		add(Call{Caller: "an administrator of this account, for an AWS service's resource", Principal: Principal{Administrator: true}, Action: "kms:CreateGrant", Resource: keyArn,
			Context: map[string]any{"kms:GrantIsForAWSResource": "true", "aws:PrincipalIsAWSService": "false"}, ResourcePolicy: policy, Required: true, Source: grantsPage})
		add(Call{Caller: "an AWS service, for itself", Principal: Principal{Administrator: true}, Action: "kms:CreateGrant", Resource: keyArn,
			Context: map[string]any{"kms:GrantIsForAWSResource": "false", "aws:PrincipalIsAWSService": "true"}, ResourcePolicy: policy, Required: true, Source: grantsPage})
	}
	return out
}

// flowLogsToLogs returns the rows of flow logs to CloudWatch Logs: the delivery role writes to its log group.
func flowLogsToLogs(m model) []Call {
	var out []Call
	add := func(c Call) { out = append(out, c) }
	region, account, partition := m.env.Region, m.env.Account, m.env.Partition
	for _, flowLog := range m.find("AWS::EC2::FlowLog", "") {
		props, _ := m.value(flowLog.Stack, m.properties(flowLog)).(map[string]any)
		role, ok := m.roleByArn(fmt.Sprint(props["DeliverLogsPermissionArn"]))
		if !ok || props["LogGroupName"] == nil {
			continue
		}
		group := fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", partition, region, account, props["LogGroupName"])
		for _, c := range []struct{ action, resource string }{
			{"logs:CreateLogStream", group + ":*"}, {"logs:DescribeLogStreams", group + ":*"}, {"logs:PutLogEvents", group + ":log-stream:eni-0123456789abcdef0-all"},
		} {
			add(Call{Caller: "VPC flow logs (" + role.LogicalID + ")", Principal: Principal{Role: role}, Action: c.action, Resource: c.resource, Required: true, Source: flowLogsRolePage})
		}
	}
	return out
}

// flowLogsToS3 returns the rows of flow logs to S3: the log delivery service writes into the bucket,
// for this account's sources only, with the bucket owner in control.
func flowLogsToS3(m model) []Call {
	var out []Call
	add := func(c Call) { out = append(out, c) }
	region, account, partition := m.env.Region, m.env.Account, m.env.Partition
	for _, flowLog := range m.find("AWS::EC2::FlowLog", "") {
		props, _ := m.value(flowLog.Stack, m.properties(flowLog)).(map[string]any)
		if props["LogDestinationType"] != "s3" {
			continue
		}
		name, key, notes := flowLogObject(props, partition, account, region)
		bucket, ok := m.bucketByName(name)
		if !ok {
			continue
		}
		bucketArn := "arn:" + partition + ":s3:::" + name
		policy := m.resourcePolicy("AWS::S3::BucketPolicy", "Bucket", bucket)
		source := fmt.Sprintf("arn:%s:logs:%s:%s:delivery-source:vpc-flow-log", partition, region, account)
		object := bucketArn + "/" + key
		rows := []struct {
			caller, action, resource string
			context                  map[string]any
			required                 bool
		}{
			{"VPC flow log delivery" + notes, "s3:PutObject", object, map[string]any{"aws:SourceAccount": account, "aws:SourceArn": source, "s3:x-amz-acl": "bucket-owner-full-control"}, true},
			{"VPC flow log delivery", "s3:GetBucketAcl", bucketArn, map[string]any{"aws:SourceAccount": account, "aws:SourceArn": source}, true},
			{"VPC flow log delivery", "s3:ListBucket", bucketArn, map[string]any{"aws:SourceAccount": account, "aws:SourceArn": source}, true},
			{"VPC flow log delivery without the owner's ACL", "s3:PutObject", object, map[string]any{"aws:SourceAccount": account, "aws:SourceArn": source, "s3:x-amz-acl": "private"}, false},
		}
		for _, action := range []string{"s3:PutObject", "s3:GetBucketAcl"} {
			resource := map[bool]string{true: object, false: bucketArn}[action == "s3:PutObject"]
			rows = append(rows,
				struct {
					caller, action, resource string
					context                  map[string]any
					required                 bool
				}{"log delivery for another account", action, resource, map[string]any{"aws:SourceAccount": outsiderAccount, "aws:SourceArn": source, "s3:x-amz-acl": "bucket-owner-full-control"}, false},
				struct {
					caller, action, resource string
					context                  map[string]any
					required                 bool
				}{"log delivery for another account's source", action, resource, map[string]any{"aws:SourceAccount": account, "aws:SourceArn": m.inAnotherAccount(source), "s3:x-amz-acl": "bucket-owner-full-control"}, false})
		}
		for _, r := range rows {
			context := withContext(r.context, "aws:SecureTransport", "true")
			add(Call{Caller: r.caller, Principal: Principal{Service: "delivery.logs.amazonaws.com"}, Action: r.action, Resource: r.resource,
				Context: context, ResourcePolicy: policy, Required: r.required, Source: flowLogsS3Page})
		}
	}
	return out
}

// flowLogObject is the bucket a flow log's LogDestination names and the key of a file delivered
// there (flowLogKey), with what the key takes that the template does not say, as the row's
// caller notes it (" (note: ...)", or ""). LogDestination is the bucket's ARN with an optional
// folder, "bucket_ARN/subfolder_name/" (CreateFlowLogs; "arn:aws:s3:::my-bucket/my-logs/",
// "Create a flow log that publishes to Amazon S3", read 2026-12-07), and delivery writes under
// it: the object row follows the folder, so a folder the bucket policy's AWSLogs/<account>/*
// does not cover is a denied delivery (run 21's A01). No page says what AWS does with a folder
// without its trailing /: it is taken in the documented form (folder/AWSLogs/...), and noted.
func flowLogObject(props map[string]any, partition, account, region string) (bucket, key, notes string) {
	bucket, folder, _ := strings.Cut(strings.TrimPrefix(fmt.Sprint(props["LogDestination"]), "arn:"+partition+":s3:::"), "/")
	var taken []string
	if folder != "" && !strings.HasSuffix(folder, "/") {
		taken = append(taken, fmt.Sprintf("the folder %q has no trailing /, not the documented form bucket_ARN/subfolder_name/: taken as %s/", folder, folder))
		folder += "/"
	}
	key, note := flowLogKey(props["DestinationOptions"], folder, account, region)
	if note != "" {
		taken = append(taken, note)
	}
	if len(taken) > 0 {
		notes = " (note: " + strings.Join(taken, "; ") + ")"
	}
	return bucket, key, notes
}

// flowLogKey is the key of a flow log file delivered under folder, which its DestinationOptions
// lay out ("Flow log files", Amazon VPC User Guide, read 2026-12-07): by default
// "bucket-and-optional-prefix/AWSLogs/account_id/vpcflowlogs/region/year/month/day/"; with
// Hive-compatible S3 prefixes "bucket-and-optional-prefix/AWSLogs/aws-account-id=account_id/
// aws-service=vpcflowlogs/aws-region=region/year=year/month=month/day=day/"; hourly partitions
// add "hour/" (Hive: "hour=hour/"). A bucket policy written for one layout denies the other
// (review of run 21, 10a). The file's name is the page's one form, "..._hash.log.gz" (it gives
// none for FileFormat parquet); the name does not change which statement admits the file. Options
// given by an intrinsic verify does not resolve are taken as the default layout, and noted.
func flowLogKey(options any, folder, account, region string) (key, note string) {
	opts, _ := options.(map[string]any)
	if options != nil && opts == nil {
		note = fmt.Sprintf("DestinationOptions %v is not resolved: the default layout taken", options)
	}
	on := func(option string) bool {
		switch v := fmt.Sprint(opts[option]); {
		case v == "true":
			return true
		case v != "false" && v != "<nil>" && note == "":
			note = fmt.Sprintf("DestinationOptions %s %v is not resolved: taken as false", option, opts[option])
		}
		return false
	}
	key, hour := fmt.Sprintf("AWSLogs/%s/vpcflowlogs/%s/2026/12/06/", account, region), "16/"
	if on("HiveCompatiblePartitions") {
		key, hour = fmt.Sprintf("AWSLogs/aws-account-id=%s/aws-service=vpcflowlogs/aws-region=%s/year=2026/month=12/day=06/", account, region), "hour=16/"
	}
	if on("PerHourPartition") {
		key += hour
	}
	return folder + key + "flow.log.gz", note
}

// runCommandLogs returns the rows of Run Command output to CloudWatch Logs: the instances write to the
// log group a window's task names.
func runCommandLogs(m model) []Call {
	var out []Call
	add := func(c Call) { out = append(out, c) }
	region, account, partition := m.env.Region, m.env.Account, m.env.Partition
	for _, task := range m.find("AWS::SSM::MaintenanceWindowTask", "") {
		props, _ := m.value(task.Stack, m.properties(task)).(map[string]any)
		runCommand := cfntemplate.RunCommand(props)
		output, _ := runCommand["CloudWatchOutputConfig"].(map[string]any)
		if output["CloudWatchOutputEnabled"] != true || output["CloudWatchLogGroupName"] == nil {
			continue
		}
		group := fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", partition, region, account, output["CloudWatchLogGroupName"])
		for _, prefix := range []string{"FleetRole", "WsusRole", "SecurityHybridRole"} {
			role, ok := m.first("AWS::IAM::Role", prefix)
			if !ok {
				continue
			}
			for _, c := range []struct{ action, resource string }{
				{"logs:CreateLogStream", group + ":*"}, {"logs:DescribeLogStreams", group + ":*"},
				{"logs:PutLogEvents", group + ":log-stream:i-0123456789abcdef0/aws-runShellScript/stdout"}, {"logs:DescribeLogGroups", "*"},
			} {
				add(Call{Caller: role.LogicalID + "'s SSM Agent, Run Command output", Principal: Principal{Role: role}, Action: c.action, Resource: c.resource,
					Required: true, Source: runCommandLogsPage})
			}
		}
		break
	}
	return out
}

// bucketTLS returns each bucket's TLS-only deny: a request without TLS is refused even to the
// account's administrators, who may read over TLS.
func bucketTLS(m model) []Call {
	var out []Call
	add := func(c Call) { out = append(out, c) }
	partition := m.env.Partition
	for _, bucket := range m.find("AWS::S3::Bucket", "") {
		policy := m.resourcePolicy("AWS::S3::BucketPolicy", "Bucket", bucket)
		if policy.Policy == nil {
			continue
		}
		name := m.ref(bucket.Stack, bucket.LogicalID)
		object := fmt.Sprintf("arn:%s:s3:::%s/some/object", partition, name)
		add(Call{Caller: "an administrator of this account, over TLS", Principal: Principal{Administrator: true}, Action: "s3:GetObject", Resource: object,
			Context: map[string]any{"aws:SecureTransport": "true"}, ResourcePolicy: policy, Required: true, Source: tlsPage})
		add(Call{Caller: "an administrator of this account, without TLS", Principal: Principal{Administrator: true}, Action: "s3:GetObject", Resource: object,
			Context: map[string]any{"aws:SecureTransport": "false"}, ResourcePolicy: policy, Required: false, Source: tlsPage})
	}
	return out
}

// accessLogDelivery returns the rows of the server access logs' delivery into their target bucket.
func accessLogDelivery(m model) []Call {
	var out []Call
	add := func(c Call) { out = append(out, c) }
	account, partition := m.env.Account, m.env.Partition
	for _, source := range m.find("AWS::S3::Bucket", "") {
		logging, _ := m.value(source.Stack, m.properties(source)["LoggingConfiguration"]).(map[string]any)
		if logging == nil {
			continue
		}
		target, ok := m.bucketByName(fmt.Sprint(logging["DestinationBucketName"]))
		if !ok {
			continue
		}
		policy := m.resourcePolicy("AWS::S3::BucketPolicy", "Bucket", target)
		sourceArn := m.getAtt(source.Stack, source.LogicalID, "Arn")
		prefix, _ := logging["LogFilePrefix"].(string) // none: the logs' keys start at the bucket's root
		object := fmt.Sprintf("arn:%s:s3:::%s/%s2026-12-06-00-00-00-0123456789ABCDEF", partition, m.ref(target.Stack, target.LogicalID), prefix)
		for _, row := range []struct {
			caller             string
			sourceAccount, arn string
			required           bool
		}{
			{"S3 server access logging of " + source.LogicalID, account, sourceArn, true},
			{"S3 server access logging for another account", outsiderAccount, sourceArn, false},
			{"S3 server access logging of another bucket", account, fmt.Sprintf("arn:%s:s3:::another-bucket", partition), false},
		} {
			add(Call{Caller: row.caller, Principal: Principal{Service: "logging.s3.amazonaws.com"}, Action: "s3:PutObject", Resource: object,
				Context:        map[string]any{"aws:SourceAccount": row.sourceAccount, "aws:SourceArn": row.arn, "aws:SecureTransport": "true"},
				ResourcePolicy: policy, Required: row.required, Source: accessLogsPage})
		}
	}
	return out
}

// restrictDefaultSG returns the rows of the CDK custom resource that empties the VPC's default security group.
func restrictDefaultSG(m model) []Call {
	var out []Call
	add := func(c Call) { out = append(out, c) }
	region, account, partition := m.env.Region, m.env.Account, m.env.Partition
	for _, cr := range m.find("Custom::VpcRestrictDefaultSG", "") {
		props, _ := m.value(cr.Stack, m.properties(cr)).(map[string]any)
		role, ok := m.functionRole(fmt.Sprint(props["ServiceToken"]))
		if !ok {
			continue
		}
		sg := fmt.Sprintf("arn:%s:ec2:%s:%s:security-group/%s", partition, region, account, props["DefaultSecurityGroupId"])
		for _, action := range []string{"ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress"} {
			add(Call{Caller: "CDK's default security group handler (" + role.LogicalID + ")", Principal: Principal{Role: role}, Action: action, Resource: sg,
				Required: true, Source: restrictSGPage + " (revokes on create, authorizes again on delete)"})
		}
	}
	return out
}

// inspectorEnabler returns the rows of the Inspector enabler (the custom resource whose function
// enables EC2 scanning and waits, compliancespec.InspectorEnablerScript).
func inspectorEnabler(m model) []Call {
	var out []Call
	add := func(c Call) { out = append(out, c) }
	account, partition := m.env.Account, m.env.Partition
	for _, cr := range m.find("Custom::InspectorEnabler", "") {
		props, _ := m.value(cr.Stack, m.properties(cr)).(map[string]any)
		role, ok := m.functionRole(fmt.Sprint(props["ServiceToken"]))
		if !ok {
			continue
		}
		caller := "the Inspector enabler (" + role.LogicalID + ")"
		add(Call{Caller: caller, Principal: Principal{Role: role}, Action: "inspector2:Enable", Resource: "*", Required: true, Source: inspectorPage})
		// It waits for EC2 scanning to be ENABLED ("BatchGetAccountStatus", Amazon Inspector API
		// Reference, read 2026-12-07): the action takes no resource.
		add(Call{Caller: caller + ", waiting", Principal: Principal{Role: role}, Action: "inspector2:BatchGetAccountStatus", Resource: "*", Required: true, Source: inspectorPage})
		// The two roles by their services ("Using service-linked roles for Amazon Inspector";
		// "Service-linked role permissions for Amazon Inspector agentless scans", read 2026-12-06).
		for _, slr := range [][2]string{{"inspector2.amazonaws.com", "AWSServiceRoleForAmazonInspector2"},
			{"agentless.inspector2.amazonaws.com", "AWSServiceRoleForAmazonInspector2Agentless"}} {
			service, name := slr[0], slr[1]
			add(Call{Caller: caller, Principal: Principal{Role: role}, Action: "iam:CreateServiceLinkedRole",
				Resource: fmt.Sprintf("arn:%s:iam::%s:role/aws-service-role/%s/%s", partition, account, service, name),
				Context:  map[string]any{"iam:AWSServiceName": service}, Required: true, Source: inspectorPage})
		}
		add(Call{Caller: caller + ", for another service", Principal: Principal{Role: role}, Action: "iam:CreateServiceLinkedRole",
			Resource: fmt.Sprintf("arn:%s:iam::%s:role/aws-service-role/inspector2.amazonaws.com/AWSServiceRoleForAmazonInspector2", partition, account),
			Context:  map[string]any{"iam:AWSServiceName": "ssm.amazonaws.com"}, Required: false, Source: inspectorPage})
	}
	return out
}

// crawlerCalls returns the rows of the Glue crawler over the resource data sync's prefix.
func crawlerCalls(m model) []Call {
	var out []Call
	add := func(c Call) { out = append(out, c) }
	region, account, partition := m.env.Region, m.env.Account, m.env.Partition
	for _, crawler := range m.find("AWS::Glue::Crawler", "") {
		props, _ := m.value(crawler.Stack, m.properties(crawler)).(map[string]any)
		role, ok := m.roleByArn(fmt.Sprint(props["Role"]))
		if !ok {
			continue
		}
		caller := "Glue crawler " + fmt.Sprint(props["Name"]) + " (" + role.LogicalID + ")"
		targets, _ := props["Targets"].(map[string]any)
		s3Targets, _ := targets["S3Targets"].([]any)
		for _, t := range s3Targets {
			path := strings.TrimPrefix(fmt.Sprint(t.(map[string]any)["Path"]), "s3://")
			bucket, prefix, _ := strings.Cut(path, "/")
			bucketArn := fmt.Sprintf("arn:%s:s3:::%s", partition, bucket)
			for _, c := range []struct{ action, resource string }{
				{"s3:ListBucket", bucketArn}, {"s3:GetBucketLocation", bucketArn},
				{"s3:GetObject", bucketArn + "/" + strings.TrimSuffix(prefix, "/") + "/AWS:InstanceInformation/accountid=" + account + "/region=" + region + "/resourcetype=ManagedInstanceInventory/i-0123456789abcdef0.json"},
			} {
				add(Call{Caller: caller, Principal: Principal{Role: role}, Action: c.action, Resource: c.resource, Required: true, Source: crawlerPage})
			}
		}
		database := fmt.Sprint(props["DatabaseName"])
		catalog := fmt.Sprintf("arn:%s:glue:%s:%s:catalog", partition, region, account)
		db := fmt.Sprintf("arn:%s:glue:%s:%s:database/%s", partition, region, account, database)
		table := fmt.Sprintf("arn:%s:glue:%s:%s:table/%s/aws_instanceinformation", partition, region, account, database)
		for _, action := range []string{"glue:GetDatabase", "glue:CreateTable", "glue:GetTable", "glue:GetTables", "glue:UpdateTable",
			"glue:BatchCreatePartition", "glue:BatchGetPartition", "glue:CreatePartition", "glue:GetPartition", "glue:GetPartitions", "glue:UpdatePartition"} {
			resources := []string{catalog, db, table}
			if action == "glue:GetDatabase" {
				resources = resources[:2]
			}
			for _, resource := range resources {
				add(Call{Caller: caller, Principal: Principal{Role: role}, Action: action, Resource: resource, Required: true, Source: crawlerPage})
			}
		}
		group := fmt.Sprintf("arn:%s:logs:%s:%s:log-group:/aws-glue/crawlers-role/%s-%s", partition, region, account, m.name(role.Stack, role.LogicalID), props["CrawlerSecurityConfiguration"])
		for _, c := range []struct{ action, resource string }{
			{"logs:CreateLogGroup", group}, {"logs:AssociateKmsKey", group}, {"logs:CreateLogStream", group + ":*"}, {"logs:PutLogEvents", group + ":log-stream:" + fmt.Sprint(props["Name"])},
		} {
			add(Call{Caller: caller, Principal: Principal{Role: role}, Action: c.action, Resource: c.resource, Required: true, Source: crawlerPage})
		}
		for _, keyArn := range m.crawlerLogsKeys(crawler.Stack, fmt.Sprint(props["CrawlerSecurityConfiguration"])) {
			out = append(out, crawlerKeyCalls(m, caller, role, keyArn)...)
		}
	}
	return out
}

// crawlerKeyCalls are the crawler role's rows on its logs key. A key outside the templates (a
// literal ARN, an imported key) has a policy they do not hold, and without it the role's own grant
// has no effect ("Unless the key policy explicitly allows it, you cannot use IAM policies to allow
// access to a KMS key", "Key policies in AWS KMS", AWS KMS Developer Guide, read 2026-12-07): its
// rows are not judged.
func crawlerKeyCalls(m model, caller string, role Resource, keyArn string) []Call {
	keyPolicy, notJudged := m.keyOrElsewhere(keyArn)
	var out []Call
	for _, action := range []string{"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"} {
		out = append(out, Call{Caller: caller, Principal: Principal{Role: role}, Action: action, Resource: keyArn, ResourcePolicy: keyPolicy, Required: true,
			Source: crawlerLogsKeyPage, NotJudged: notJudged})
	}
	return out
}

// crawlerLogsKeys are the keys the security configuration named name encrypts a crawler's
// CloudWatch Logs with (SSE-KMS).
func (m model) crawlerLogsKeys(stack, name string) []string {
	var keys []string
	for _, r := range m.find("AWS::Glue::SecurityConfiguration", "") {
		props, _ := m.value(r.Stack, m.properties(r)).(map[string]any)
		if r.Stack != stack || fmt.Sprint(props["Name"]) != name {
			continue
		}
		encryption, _ := props["EncryptionConfiguration"].(map[string]any)
		cloudWatch, _ := encryption["CloudWatchEncryption"].(map[string]any)
		if cloudWatch["CloudWatchEncryptionMode"] == "SSE-KMS" && cloudWatch["KmsKeyArn"] != nil {
			keys = append(keys, fmt.Sprint(cloudWatch["KmsKeyArn"]))
		}
	}
	return keys
}

// windowFollowUps returns the rows of the maintenance windows following what they start.
func windowFollowUps(m model) []Call {
	var out []Call
	add := func(c Call) { out = append(out, c) }
	region, account, partition := m.env.Region, m.env.Account, m.env.Partition
	for _, role := range windowRoles(m) {
		caller := "maintenance window service role (" + role.LogicalID + ")"
		for _, action := range []string{"ssm:ListCommands", "ssm:ListCommandInvocations", "ssm:GetCommandInvocation", "ssm:CancelCommand"} {
			add(Call{Caller: caller, Principal: Principal{Role: role}, Action: action, Resource: "*", Required: true, Source: windowRolePage})
		}
		passed := notificationRoles(m, role)
		if usesCreateImage(m, role) {
			passed = append(passed, role)
		}
		for _, r := range passed {
			add(Call{Caller: caller, Principal: Principal{Role: role}, Action: "iam:PassRole", Resource: m.getAtt(r.Stack, r.LogicalID, "Arn"),
				Context: map[string]any{"iam:PassedToService": "lambda.amazonaws.com"}, Required: false, Source: windowRolePage + " (passed to Systems Manager only)"})
		}
		if stopsOnAlarms(m, role) {
			add(Call{Caller: caller + ", reading its tasks' stop alarms", Principal: Principal{Role: role}, Action: "cloudwatch:DescribeAlarms", Resource: "*",
				Required: true, Source: stopAlarmPage})
			add(Call{Caller: caller + ", unblocking itself", Principal: Principal{Role: role}, Action: "cloudwatch:SetAlarmState", Resource: "*",
				Required: false, Source: stopAlarmPage + " (an operator unblocks a ring, not the window)"})
		}
		out = append(out, groupResolution(m, role, caller)...)
		if usesCreateImage(m, role) {
			add(Call{Caller: caller, Principal: Principal{Role: role}, Action: "ssm:GetAutomationExecution",
				Resource: fmt.Sprintf("arn:%s:ssm:%s:%s:automation-execution/0123abcd-0123-4567-89ab-0123456789ab", partition, region, account),
				Required: true, Source: windowRolePage})
			image := fmt.Sprintf("arn:%s:ec2:%s::image/ami-0123456789abcdef0", partition, region)
			snapshot := fmt.Sprintf("arn:%s:ec2:%s::snapshot/snap-0123456789abcdef0", partition, region)
			for _, resource := range []string{image, snapshot} {
				add(Call{Caller: caller + " as AWS-CreateImage", Principal: Principal{Role: role}, Action: "ec2:CreateImage", Resource: resource, Required: true, Source: createImagePage})
				add(Call{Caller: caller + " as AWS-CreateImage, tagging what it creates", Principal: Principal{Role: role}, Action: "ec2:CreateTags", Resource: resource,
					Context: map[string]any{"ec2:CreateAction": "CreateImage"}, Required: true, Source: createImagePage + "; \"Grant permission to tag resources during creation\", Amazon EC2 User Guide"})
				add(Call{Caller: caller + " as AWS-CreateImage, tagging what exists", Principal: Principal{Role: role}, Action: "ec2:CreateTags", Resource: resource,
					Context: map[string]any{"ec2:CreateAction": "CreateTags"}, Required: false, Source: createImagePage})
			}
			for _, action := range []string{"ec2:DescribeImages", "ec2:DescribeInstances"} {
				add(Call{Caller: caller + " as AWS-CreateImage", Principal: Principal{Role: role}, Action: action, Resource: "*", Required: true, Source: createImagePage})
			}
		}
	}
	return out
}

// targetsWsus says whether an association's targets name the WSUS server's instance.
func targetsWsus(targets any) bool {
	list, _ := targets.([]any)
	for _, t := range list {
		t, _ := t.(map[string]any)
		values, _ := t["Values"].([]any)
		if t["Key"] == "InstanceIds" && slices.ContainsFunc(values, func(v any) bool { return strings.HasPrefix(cfntemplate.Ref(v), "WsusInstance") }) {
			return true
		}
	}
	return false
}

// wsusMetrics returns the rows of the WSUS server's scripts' metrics, in the namespaces its
// associations (those targeting its instance) give them (their Namespace parameter, or the
// document's default where they leave it out: the health and cleanup-report scripts publish
// there), and not in another. The namespaces are read from the associations, not from
// the role's policy, so that a policy without the statement is a denied row, not a missing one.
func wsusMetrics(m model) []Call {
	var out []Call
	role, ok := m.first("AWS::IAM::Role", "WsusRole")
	if !ok {
		return nil
	}
	var namespaces []string
	for _, a := range m.find("AWS::SSM::Association", "") {
		props := m.properties(a)
		if !targetsWsus(props["Targets"]) {
			continue
		}
		namespace := cfntemplate.AssociationParameter(cfntemplate.Resources(m.stacks[a.Stack]), props, "Namespace")
		if namespace != "" && !slices.Contains(namespaces, namespace) {
			namespaces = append(namespaces, namespace)
		}
	}
	for _, namespace := range namespaces {
		out = append(out, Call{Caller: "WSUS server (WsusRole), its health script", Principal: Principal{Role: role}, Action: "cloudwatch:PutMetricData", Resource: "*",
			Context: map[string]any{"cloudwatch:namespace": namespace}, Required: true, Source: wsusMetricsPage})
	}
	if len(namespaces) > 0 {
		out = append(out, Call{Caller: "WSUS server (WsusRole), another namespace", Principal: Principal{Role: role}, Action: "cloudwatch:PutMetricData", Resource: "*",
			Context: map[string]any{"cloudwatch:namespace": "AWS/EC2"}, Required: false, Source: wsusMetricsPage})
	}
	return out
}

// functionInvocations returns, for each EventBridge rule whose target is a function of the
// templates, that EventBridge may invoke the function for that rule, through the function's
// resource-based policy (its permissions), and not for another rule of the account.
func functionInvocations(m model) []Call {
	var out []Call
	add := func(c Call) { out = append(out, c) }
	region, account, partition := m.env.Region, m.env.Account, m.env.Partition
	for _, function := range m.find("AWS::Lambda::Function", "") {
		arn := m.getAtt(function.Stack, function.LogicalID, "Arn")
		policy := m.functionPolicy(function)
		invoked := false
		for _, rule := range m.find("AWS::Events::Rule", "") {
			targets, _ := m.value(rule.Stack, m.properties(rule)["Targets"]).([]any)
			if !slices.ContainsFunc(targets, func(t any) bool { target, _ := t.(map[string]any); return target["Arn"] == arn }) {
				continue
			}
			invoked = true
			add(Call{Caller: "EventBridge rule " + rule.LogicalID + ", invoking " + function.LogicalID, Principal: Principal{Service: "events.amazonaws.com"},
				Action: "lambda:InvokeFunction", Resource: arn, Context: map[string]any{"aws:SourceArn": m.getAtt(rule.Stack, rule.LogicalID, "Arn"), "aws:SourceAccount": account},
				ResourcePolicy: policy, ResourcePolicyName: "the function's policy", Required: true, Source: invokePage})
		}
		if invoked {
			other := fmt.Sprintf("arn:%s:events:%s:%s:rule/someone-elses-rule", partition, region, account)
			add(Call{Caller: "an EventBridge rule that is not the function's, invoking " + function.LogicalID, Principal: Principal{Service: "events.amazonaws.com"},
				Action: "lambda:InvokeFunction", Resource: arn, Context: map[string]any{"aws:SourceArn": other, "aws:SourceAccount": account},
				ResourcePolicy: policy, ResourcePolicyName: "the function's policy", Required: false, Source: invokePage})
		}
	}
	return out
}

// functionLogs returns the rows of each function with a log group of its own: its role writes its
// streams there.
func functionLogs(m model) []Call {
	var out []Call
	add := func(c Call) { out = append(out, c) }
	region, account, partition := m.env.Region, m.env.Account, m.env.Partition
	for _, function := range m.find("AWS::Lambda::Function", "") {
		props, _ := m.value(function.Stack, m.properties(function)).(map[string]any)
		logging, _ := props["LoggingConfig"].(map[string]any)
		role, ok := m.roleByArn(fmt.Sprint(props["Role"]))
		if logging["LogGroup"] == nil || !ok {
			continue
		}
		group := fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", partition, region, account, logging["LogGroup"])
		caller := "Lambda function " + function.LogicalID + " (" + role.LogicalID + "), logging"
		add(Call{Caller: caller, Principal: Principal{Role: role}, Action: "logs:CreateLogStream", Resource: group + ":*", Required: true, Source: functionLogsPage})
		add(Call{Caller: caller, Principal: Principal{Role: role}, Action: "logs:PutLogEvents",
			Resource: group + ":log-stream:2026/12/06/[$LATEST]0123456789abcdef0123456789abcdef", Required: true, Source: functionLogsPage})
	}
	return out
}

// functionResources returns the rows of a function whose environment names a DynamoDB table and
// an SNS topic, the finding filter: its role puts the table's items and publishes to
// the topic, and may not create log groups, delete items, write another table or publish elsewhere.
func functionResources(m model) []Call {
	var out []Call
	add := func(c Call) { out = append(out, c) }
	region, account, partition := m.env.Region, m.env.Account, m.env.Partition
	for _, function := range m.find("AWS::Lambda::Function", "") {
		props, _ := m.value(function.Stack, m.properties(function)).(map[string]any)
		environment, _ := props["Environment"].(map[string]any)
		variables, _ := environment["Variables"].(map[string]any)
		var table, topic Resource
		var hasTable, hasTopic bool
		for _, v := range variables {
			if t, ok := m.tableByName(fmt.Sprint(v)); ok {
				table, hasTable = t, true
			}
			if t, ok := m.topicByArn(fmt.Sprint(v)); ok {
				topic, hasTopic = t, true
			}
		}
		role, ok := m.roleByArn(fmt.Sprint(props["Role"]))
		if !hasTable || !hasTopic || !ok {
			continue
		}
		caller := "Lambda function " + function.LogicalID + " (" + role.LogicalID + ")"
		tableArn := m.getAtt(table.Stack, table.LogicalID, "Arn")
		add(Call{Caller: caller, Principal: Principal{Role: role}, Action: "dynamodb:PutItem", Resource: tableArn, Required: true, Source: findingFilterPage})
		topicArn := m.ref(topic.Stack, topic.LogicalID)
		add(Call{Caller: caller, Principal: Principal{Role: role}, Action: "sns:Publish", Resource: topicArn,
			Context: map[string]any{"aws:SecureTransport": "true"}, ResourcePolicy: m.resourcePolicy("AWS::SNS::TopicPolicy", "Topics", topic),
			ResourcePolicyName: "the alerts topic policy", Required: true, Source: findingFilterPage})
		for _, c := range []struct{ action, resource string }{
			{"dynamodb:PutItem", fmt.Sprintf("arn:%s:dynamodb:%s:%s:table/another-table", partition, region, account)},
			{"dynamodb:Scan", tableArn},
			{"dynamodb:DeleteItem", tableArn},
			{"sns:Publish", fmt.Sprintf("arn:%s:sns:%s:%s:another-topic", partition, region, account)},
			{"logs:CreateLogGroup", fmt.Sprintf("arn:%s:logs:%s:%s:log-group:another-group", partition, region, account)},
		} {
			add(Call{Caller: caller + ", beyond what it does", Principal: Principal{Role: role}, Action: c.action, Resource: c.resource,
				Context: map[string]any{"aws:SecureTransport": "true"}, Required: false, Source: findingFilterPage})
		}
	}
	return out
}

// keysAndTLSOfTheOthers derives rows from the other rows (those of Calls, then the catalogue's
// earlier ones): each publisher to an encrypted topic and each writer to an SSE-KMS bucket needs
// the key; each publisher must use TLS.
func keysAndTLSOfTheOthers(m model, calls, earlier []Call) []Call {
	var out []Call
	add := func(c Call) { out = append(out, c) }
	partition := m.env.Partition
	for _, c := range append(slices.Clone(calls), earlier...) {
		if !c.Required || c.Principal.Outsider {
			continue
		}
		switch c.Action {
		case "sns:Publish":
			if topic, ok := m.topicByArn(c.Resource); ok {
				nonTLS := c
				nonTLS.Caller, nonTLS.Required, nonTLS.Source = c.Caller+", without TLS", false, tlsPage
				nonTLS.Context = withContext(c.Context, "aws:SecureTransport", "false")
				add(nonTLS)
				if c.Principal.Service != "" {
					// The service principal's own key rows are in Calls (alarms) with their conditions.
					break
				}
				keyArn, given := m.topicKey(topic)
				if given && !m.hasRow(calls, c, keyArn) {
					policy, notJudged := m.keyOrElsewhere(keyArn)
					for _, action := range []string{"kms:GenerateDataKey", "kms:Decrypt"} {
						add(Call{Caller: c.Caller, Principal: c.Principal, Action: action, Resource: keyArn, ResourcePolicy: policy,
							Required: true, Source: publisherKeyPage, NotJudged: notJudged})
					}
				}
			}
		case "s3:PutObject", "s3:GetObject":
			if c.Principal.Service != "" || c.Principal.Administrator {
				break // a service's own key rows carry its conditions (the data sync's, below)
			}
			bucketName, _, _ := strings.Cut(strings.TrimPrefix(c.Resource, "arn:"+partition+":s3:::"), "/")
			bucket, ok := m.bucketByName(bucketName)
			if !ok {
				continue
			}
			if keyArn := m.bucketKey(bucket); keyArn != "" {
				policy, notJudged := m.keyOrElsewhere(keyArn)
				action := map[string]string{"s3:PutObject": "kms:GenerateDataKey", "s3:GetObject": "kms:Decrypt"}[c.Action]
				add(Call{Caller: c.Caller + ", on the SSE-KMS bucket", Principal: c.Principal, Action: action, Resource: keyArn,
					ResourcePolicy: policy, Required: true, Source: encryptedBucketPage, NotJudged: notJudged})
			}
		}
	}
	return out
}

// groupResolution are the rows of role resolving the resource groups its windows target: listing
// each group by its ARN, of the name the target gives (wiring's windowResourceGroup ties it to the
// configuration's; a Ref to a group of the template is that group's Name), so that a policy
// narrowed to that group's ARN is not taken for denied (run 28's observation: the row named
// group/windows-servers, whatever the group), and its members' tags, for any RESOURCE_GROUP
// target, whatever names its group (the second review of session 18's finding 4).
func groupResolution(m model, role Resource, caller string) []Call {
	var names []string
	byGroup := false
	windowTargetOf(m, role, func(target map[string]any) bool {
		if target["ResourceType"] != "RESOURCE_GROUP" {
			return false
		}
		byGroup = true
		for _, t := range asList(target["Targets"]) {
			if t, _ := t.(map[string]any); t["Key"] == "resource-groups:Name" {
				for _, v := range asList(t["Values"]) {
					name, ok := v.(string) // resolved: a name, or the resolver's ?UNRESOLVED marker
					if !ok {
						name = "?UNRESOLVED:resource-groups:Name"
					}
					names = append(names, name)
				}
			}
		}
		return false // every target read
	})
	if !byGroup {
		return nil
	}
	call := func(action, resource string) Call {
		return Call{Caller: caller + ", resolving its resource group", Principal: Principal{Role: role}, Action: action, Resource: resource,
			Required: true, Source: windowRolePage + " (targets by resource group)"}
	}
	var out []Call
	for _, name := range slices.Compact(slices.Sorted(slices.Values(names))) {
		out = append(out, call("resource-groups:ListGroupResources", fmt.Sprintf("arn:%s:resource-groups:%s:%s:group/%s", m.env.Partition, m.env.Region, m.env.Account, name)))
	}
	return append(out, call("tag:GetResources", "*"))
}

// windowTargetOf tells whether a target of a window whose tasks run as role matches.
func windowTargetOf(m model, role Resource, match func(map[string]any) bool) bool {
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
		if windows[fmt.Sprint(props["WindowId"])] && match(props) {
			return true
		}
	}
	return false
}

func withContext(context map[string]any, key, value string) map[string]any {
	out := map[string]any{key: value}
	for k, v := range context {
		if k != key {
			out[k] = v
		}
	}
	return out
}

// hasRow tells whether calls already hold a key row for c's caller.
func (m model) hasRow(calls []Call, c Call, keyArn string) bool {
	return slices.ContainsFunc(calls, func(k Call) bool { return k.Caller == c.Caller && k.Resource == keyArn })
}

// roleUsers are the services that assume role, from what uses it in the templates: a maintenance
// window task (ssm), an EventBridge target (events), a flow log (vpc-flow-logs), a Lambda function
// (lambda), an instance profile (ec2), a Glue crawler (glue).
func roleUsers(m model, role Resource) []string {
	arn, name := m.getAtt(role.Stack, role.LogicalID, "Arn"), m.ref(role.Stack, role.LogicalID)
	uses := []struct{ resourceType, property, service string }{
		{"AWS::SSM::MaintenanceWindowTask", "ServiceRoleArn", "ssm.amazonaws.com"},
		{"AWS::SSM::MaintenanceWindowTask", "TaskInvocationParameters", "ssm.amazonaws.com"}, // Run Command's notifications
		{"AWS::Events::Rule", "Targets", "events.amazonaws.com"},
		{"AWS::EC2::FlowLog", "DeliverLogsPermissionArn", "vpc-flow-logs.amazonaws.com"},
		{"AWS::Lambda::Function", "Role", "lambda.amazonaws.com"},
		{"AWS::IAM::InstanceProfile", "Roles", "ec2.amazonaws.com"},
		{"AWS::Glue::Crawler", "Role", "glue.amazonaws.com"},
	}
	var out []string
	for _, u := range uses {
		for _, r := range m.find(u.resourceType, "") {
			value := m.value(r.Stack, m.properties(r)[u.property])
			if list, ok := value.([]any); ok && u.property == "Roles" {
				if slices.ContainsFunc(list, func(v any) bool { return fmt.Sprint(v) == name }) {
					out = append(out, u.service)
				}
			} else if strings.Contains(fmt.Sprint(value), arn) {
				out = append(out, u.service)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// trustedServices are the service principals the Allow statements of a trust policy name.
func trustedServices(document any) []string {
	doc, _ := document.(map[string]any)
	var out []string
	for _, s := range statementList(doc) {
		st, _ := s.(map[string]any)
		if st["Effect"] != "Allow" {
			continue
		}
		principal, _ := st["Principal"].(map[string]any)
		switch services := principal["Service"].(type) {
		case string:
			out = append(out, services)
		case []any:
			for _, s := range services {
				out = append(out, fmt.Sprint(s))
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// serviceSource is the resource a service presents as aws:SourceArn when it assumes role, read
// from what uses the role in the templates, and the page that says so; "" where the service
// presents none the proof relies on.
func serviceSource(m model, role Resource, service string) (string, string) {
	region, account, partition := m.env.Region, m.env.Account, m.env.Partition
	roleArn := m.getAtt(role.Stack, role.LogicalID, "Arn")
	switch service {
	case "ssm.amazonaws.com":
		for _, task := range m.find("AWS::SSM::MaintenanceWindowTask", "") {
			props, _ := m.value(task.Stack, m.properties(task)).(map[string]any)
			if fmt.Sprint(props["ServiceRoleArn"]) == roleArn {
				return fmt.Sprintf("arn:%s:ssm:%s:%s:maintenancewindow/%s", partition, region, account, props["WindowId"]), windowRolePage + "; " + confusedDeputyPage
			}
		}
		if isNotificationRole(m, role) {
			// No page says which source Run Command presents when it publishes a notification: its
			// role trusts as snsNotificationsPage shows (patching's notificationRoleFor).
			return "", snsNotificationsPage
		}
		return fmt.Sprintf("arn:%s:ssm:%s:%s:managed-instance/mi-0123456789abcdef0", partition, region, account), hybridRolePage
	case "events.amazonaws.com":
		for _, rule := range m.find("AWS::Events::Rule", "") {
			if strings.Contains(fmt.Sprint(m.value(rule.Stack, m.properties(rule)["Targets"])), roleArn) {
				return m.getAtt(rule.Stack, rule.LogicalID, "Arn"), eventsRolePage
			}
		}
		return "", eventsRolePage
	case "vpc-flow-logs.amazonaws.com":
		return fmt.Sprintf("arn:%s:ec2:%s:%s:vpc-flow-log/fl-0123456789abcdef0", partition, region, account), flowLogsRolePage
	case "lambda.amazonaws.com":
		return "", lambdaTrustPage
	case "ec2.amazonaws.com":
		return "", ec2TrustPage
	case "glue.amazonaws.com":
		return "", glueTrustPage
	}
	return "", confusedDeputyPage
}

// isNotificationRole tells whether a maintenance window task names role to publish Run Command's
// notifications (MaintenanceWindowRunCommandParameters' ServiceRoleArn).
func isNotificationRole(m model, role Resource) bool {
	for _, r := range windowRoles(m) {
		if slices.Contains(notificationRoles(m, r), role) {
			return true
		}
	}
	return false
}

func (m model) identityPoliciesOrNil(role Resource) []namedPolicy {
	policies, _ := m.identityPolicies(role)
	return policies
}

func (m model) roleByArn(arn string) (Resource, bool) {
	for _, r := range m.find("AWS::IAM::Role", "") {
		if m.getAtt(r.Stack, r.LogicalID, "Arn") == arn {
			return r, true
		}
	}
	return Resource{}, false
}

// keyOrElsewhere is the policy of the templates' key arn names, or, for a key outside the
// templates (a literal ARN, an import, a Parameter, an alias), why its rows are not judged: its
// policy, which KMS consults before any IAM grant, is not in them (crawlerKeyCalls' page). Every
// KMS row on such a key (a crawler's logs key, a topic publisher's, an SSE-KMS bucket writer's)
// says so rather than being dropped (review round 3's 3a).
func (m model) keyOrElsewhere(arn string) (Doc, string) {
	if key, ok := m.keyByArn(arn); ok {
		return m.keyPolicy(key), ""
	}
	return Doc{}, "key policy not in these templates"
}

// topicKey is the key of topic's KmsMasterKeyId, and whether it has one: an alias of the stacks
// (its Ref, the AliasName) by its TargetKeyId, as wiring.TopicKeys reads it, and a key of the
// stacks by its ARN, so that the publishers' key rows are judged by its policy (they were "key
// policy not in these templates" for the template's own alias: the fourth review's L1).
func (m model) topicKey(topic Resource) (string, bool) {
	given, ok := m.properties(topic)["KmsMasterKeyId"]
	if !ok || given == nil {
		return "", false
	}
	if ref, _ := given.(map[string]any); ref["Ref"] != nil {
		id := fmt.Sprint(ref["Ref"])
		if alias, found := m.resource(topic.Stack, id); found && alias["Type"] == "AWS::KMS::Alias" {
			given = m.properties(Resource{topic.Stack, id})["TargetKeyId"]
		}
	}
	keyArn := fmt.Sprint(m.value(topic.Stack, given))
	if key, ours := m.keyByArn(keyArn); ours {
		keyArn = m.getAtt(key.Stack, key.LogicalID, "Arn")
	}
	return keyArn, true
}

func (m model) keyByArn(arn string) (Resource, bool) {
	for _, k := range m.find("AWS::KMS::Key", "") {
		if m.getAtt(k.Stack, k.LogicalID, "Arn") == arn || m.ref(k.Stack, k.LogicalID) == arn {
			return k, true
		}
	}
	return Resource{}, false
}

func (m model) topicByArn(arn string) (Resource, bool) {
	for _, t := range m.find("AWS::SNS::Topic", "") {
		if m.ref(t.Stack, t.LogicalID) == arn {
			return t, true
		}
	}
	return Resource{}, false
}

func (m model) tableByName(name string) (Resource, bool) {
	for _, t := range m.find("AWS::DynamoDB::Table", "") {
		if m.ref(t.Stack, t.LogicalID) == name {
			return t, true
		}
	}
	return Resource{}, false
}

func (m model) bucketByName(name string) (Resource, bool) {
	for _, b := range m.find("AWS::S3::Bucket", "") {
		if m.ref(b.Stack, b.LogicalID) == name {
			return b, true
		}
	}
	return Resource{}, false
}

// bucketKey is the KMS key of an SSE-KMS bucket, or "".
func (m model) bucketKey(bucket Resource) string {
	encryption, _ := m.value(bucket.Stack, m.properties(bucket)["BucketEncryption"]).(map[string]any)
	rules, _ := encryption["ServerSideEncryptionConfiguration"].([]any)
	for _, r := range rules {
		rule, _ := r.(map[string]any)
		sse, _ := rule["ServerSideEncryptionByDefault"].(map[string]any)
		if sse["SSEAlgorithm"] == "aws:kms" && sse["KMSMasterKeyID"] != nil {
			return fmt.Sprint(sse["KMSMasterKeyID"])
		}
	}
	return ""
}

// functionRole is the execution role of the Lambda function whose ARN is functionArn.
func (m model) functionRole(functionArn string) (Resource, bool) {
	for _, f := range m.find("AWS::Lambda::Function", "") {
		if m.getAtt(f.Stack, f.LogicalID, "Arn") == functionArn {
			return m.roleByArn(fmt.Sprint(m.value(f.Stack, m.properties(f)["Role"])))
		}
	}
	return Resource{}, false
}
