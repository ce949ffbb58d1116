package authz

import (
	"fmt"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/awsbuckets"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
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
	publisherKeyPage = `"Allow a user to send messages to a topic with SSE" (Managing Amazon SNS encryption keys and costs), Amazon SNS Developer Guide`
	dataSyncPage     = `"Configuring resource data sync for Inventory", AWS Systems Manager User Guide`
	// eventBridgeTargetPage: for SNS targets "do not specify a RoleArn"; the topic policy admits
	// events.amazonaws.com (read 2026-12-06).
	eventBridgeTargetPage = `"Using resource-based policies for Amazon EventBridge" (Amazon SNS permissions), Amazon EventBridge User Guide`
	overrideListPage      = `"SSM Command document for patching: AWS-RunPatchBaseline" (InstallOverrideList: a private bucket's Amazon S3 path-style URL, s3://BUCKET/KEY), AWS Systems Manager User Guide`
	commandOutputPage     = `"Create an IAM instance profile for Systems Manager" (output to your own S3 bucket), AWS Systems Manager User Guide`
	maintenanceWindowPage = `"Use the console to configure permissions for maintenance windows" (iam:PassRole for the task role), AWS Systems Manager User Guide`
	// snsNotificationsPage: a role of its own publishes Run Command's notifications, and the
	// maintenance window's role may pass it (Tasks 3 and 5).
	snsNotificationsPage   = `"Monitoring Systems Manager status changes using Amazon SNS notifications", AWS Systems Manager User Guide`
	parameterStoreActions  = `"Restricting access to Parameter Store parameters using IAM policies", AWS Systems Manager User Guide`
	crossAccountPage       = `"Cross-account policy evaluation logic", IAM User Guide`
	gatewayEndpointPolicy  = `"Control access to VPC endpoints using endpoint policies" and "Gateway endpoints for Amazon S3", AWS PrivateLink Guide`
	agentCallsPage         = `"AmazonSSMManagedInstanceCore" (AWS Managed Policy Reference: the permissions SSM Agent needs) and "Actions, resources, and condition keys for AWS Systems Manager" (what each authorises)`
	assumptionPublicBucket = "AWS's buckets are public: \"These S3 buckets are publicly accessible\" (" + patchingBucketsPage + ")"
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
	Role    Resource
	Service string
	// Arn is a role outside the templates (the pipeline's protection step's), by its ARN, whose
	// own policy allows the call.
	Arn      string
	Outsider bool
	// Administrator is a role of the deployment's account whose own policy allows everything:
	// what the account's IAM policies can do where a resource policy lets them.
	Administrator bool
	// Instance marks the Administrator as the role of an instance of yours (not the templates').
	Instance bool
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
	ResourcePolicy     Doc
	ResourcePolicyName string
	// AwsOwnedArn marks an ARN AWS presents without an account (AWS-owned documents and
	// runbooks), which the evaluator's data expects with one: it is evaluated without the
	// evaluator's input validation (see simulate.mjs).
	AwsOwnedArn bool
	// Required calls must be allowed; the others must be denied.
	Required bool
	// NotJudged says why the call's verdict proves nothing: what decides it is not in the
	// templates (a key outside them, whose key policy KMS consults first). It is still evaluated
	// without that policy, so that the statements it uses count as needed, and make verify prints
	// it as "not judged (NotJudged)", neither right nor wrong.
	NotJudged string
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
	return Deployment{Stacks: stacks, Env: env}.Calls()
}

// Calls returns the runtime calls of the deployment (see the function Calls), with the buckets its
// configuration declares.
func (d Deployment) Calls() ([]Call, error) {
	m := model{resolver{env: d.Env, stacks: d.Stacks}}
	calls := declaredReadWriteCalls(m, d.DeclaredReadWriteBuckets)
	downloads := downloadsOf(m, d.DeclaredReadBuckets)
	for _, ir := range instanceRoles(m) {
		calls = append(calls, instanceCalls(m, ir, downloads)...)
	}
	a := alertsOf(m)
	for _, role := range windowRoles(m) {
		calls = append(calls, windowCalls(m, a, role)...)
	}
	calls = append(calls, hookDocumentCalls(m)...)
	if a.hasTopic {
		calls = append(calls, ruleCalls(m, a)...)
		calls = append(calls, alarmCalls(m, a)...)
		calls = append(calls, outsiderAlertCalls(a)...)
	}
	calls = append(calls, dataSyncCalls(m)...)
	calls = append(calls, promotionCalls(m, d.Env)...)
	protected, err := protectorCalls(m, d)
	if err != nil {
		return nil, err
	}
	calls = append(calls, protected...)
	calls = append(calls, implied(m, calls)...)
	return calls, nil
}

// awsBucketPolicy stands for the policy of one of AWS's buckets, which are public
// (assumptionPublicBucket).
func awsBucketPolicy(partition, bucket string) Doc {
	return Doc{Policy: policy(map[string]any{"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
		"Resource": fmt.Sprintf("arn:%s:s3:::%s/*", partition, bucket)})}
}

// download is a bucket a node reads, with an object of the kind it holds; declared marks a bucket
// the package manager reads, not the node's role: one the configuration declares
// (network.s3Endpoint.readBuckets), or a baseline's repositories.
type download struct {
	bucket, key, what, page string
	declared                bool
}

// downloadsOf returns the buckets SSM Agent and Patch Manager read, as the pages copied in testdata
// name them, then those the configuration declares readable.
func downloadsOf(m model, declaredRead []string) []download {
	region := m.env.Region
	patchManagerBucket, snapshotBucket, _ := pagePatchingBuckets(region)
	downloads := []download{
		{patchManagerBucket, "patchbaselineoperations/Amazon.PatchBaselineOperations-1.65.zip", "AWS-RunPatchBaseline's payload", patchingBucketsPage, false},
		{snapshotBucket, "snapshot.json", "the patch baseline snapshot", patchingBucketsPage, false},
	}
	for _, b := range pageAgentBuckets(region) {
		downloads = append(downloads, download{b, "some/object", "a bucket SSM Agent reads", agentBucketsPage, false})
	}
	for _, b := range pageInspectorBuckets(region) {
		downloads = append(downloads, download{b, "oval/windows.xml", "Amazon Inspector's vulnerability definitions (its SSM plugin on Windows)", inspectorBucketPage, false})
	}
	for _, b := range declaredRead {
		downloads = append(downloads, download{b, "repodata/repomd.xml", "a bucket declared in network.s3Endpoint.readBuckets", "the configuration's declaration", true})
	}
	// In a region the patching page does not list, the Patch Manager buckets are the declared
	// ones (validation requires them), and AWS-RunPatchBaseline reads them with the node's role,
	// as a listed region's: rows of the roles, not of the package manager.
	if _, _, listed := pagePatchingBuckets(region); !listed {
		for _, b := range awsbuckets.DeclaredPatchingBuckets(region, declaredRead) {
			downloads = append(downloads, download{b, "patchbaselineoperations/Amazon.PatchBaselineOperations-1.65.zip",
				"a Patch Manager bucket declared in network.s3Endpoint.readBuckets for a region the patching page does not list", patchingBucketsPage, false})
		}
	}
	return append(downloads, repositoryDownloads(m)...)
}

// repositoryDownloads are the package repositories in S3 of the operating systems the templates'
// patch baselines name, which the package manager reads (as a declared bucket is read). Their
// names come from the constructs' own table (awsbuckets.Repositories, from its page), not from a
// page copied here: the row proves that the endpoint lets a node read what the construct meant to
// allow, and the gateway's route, not that AWS names the buckets so.
func repositoryDownloads(m model) []download {
	seen := map[string]bool{}
	var downloads []download
	for _, b := range m.find("AWS::SSM::PatchBaseline", "") {
		os, _ := m.properties(b)["OperatingSystem"].(string)
		for _, bucket := range awsbuckets.Repositories(os, m.env.Region) {
			if !seen[bucket] {
				seen[bucket] = true
				page := awsbuckets.AmazonLinux2Page
				if os == "AMAZON_LINUX_2023" {
					page = awsbuckets.AL2023Page
				}
				downloads = append(downloads, download{bucket, "repodata/repomd.xml", os + "'s package repositories (the package manager reads them)", page, true})
			}
		}
	}
	return downloads
}

// declaredReadWriteCalls returns what network.s3Endpoint.readWriteBuckets promises: read, write and
// list, from an instance in the private subnets (through the endpoint only: the bucket is the
// user's); none without a created S3 endpoint.
func declaredReadWriteCalls(m model, buckets []string) []Call {
	if _, created := m.s3EndpointRouteTables(); !created {
		return nil
	}
	var calls []Call
	add := func(c Call) { calls = append(calls, c) }
	partition := m.env.Partition
	for _, b := range buckets {
		for _, c := range []struct{ action, resource string }{
			{"s3:GetObject", "/object"}, {"s3:PutObject", "/object"}, {"s3:PutObjectAcl", "/object"},
			{"s3:ListBucket", ""}, {"s3:GetBucketLocation", ""}, {"s3:GetEncryptionConfiguration", ""},
		} {
			add(Call{Caller: "an instance of yours in the private subnets, on a bucket declared in network.s3Endpoint.readWriteBuckets",
				Principal: Principal{Administrator: true, Instance: true}, Action: c.action, Resource: fmt.Sprintf("arn:%s:s3:::%s%s", partition, b, c.resource),
				Context: map[string]any{"aws:SecureTransport": "true"}, ThroughS3Endpoint: true, Required: true,
				Source: "the configuration's declaration (network.s3Endpoint.readWriteBuckets: read, write, list); " + gatewayEndpointPolicy})
		}
	}
	return calls
}

// instanceRole is a kind of node: the prefix of its role ("" for an instance of yours, with its own
// instance profile), whether it reaches S3 through the endpoint (private), the command-output
// prefixes it writes (derived from the templates: writesOf), and the node's ARN and id as Systems
// Manager names it.
type instanceRole struct {
	prefix, caller string
	private        bool
	writes         []written
	node, nodeID   string
}

// instanceRoles are the nodes: fleet (private subnets, through the S3 endpoint), WSUS (a public
// subnet, or in an existing VPC a private one: its calls take the S3 endpoint where its subnet
// does), hybrid nodes and an instance of yours. What each writes is what the associations and
// window tasks targeting it configure (outputWrites).
func instanceRoles(m model) []instanceRole {
	region, account, partition := m.env.Region, m.env.Account, m.env.Partition
	wsusBehindEndpoint := false
	if wsusRole, ok := m.first("AWS::IAM::Role", "WsusRole"); ok {
		wsusBehindEndpoint = m.behindS3Endpoint(wsusRole)
	}
	ec2Node := fmt.Sprintf("arn:%s:ec2:%s:%s:instance/i-0123456789abcdef0", partition, region, account)
	roles := []instanceRole{
		{"FleetRole", "fleet instance (FleetRole)", true, nil, ec2Node, "i-0123456789abcdef0"},
		{"WsusRole", "WSUS server (WsusRole)", wsusBehindEndpoint, nil, ec2Node, "i-0123456789abcdef0"},
		// On-premises: it reaches AWS over the internet or the user's own link, not this VPC's
		// endpoint; Systems Manager names it managed-instance/mi-... (ssmActionsPage).
		{"SecurityHybridRole", "hybrid node (SecurityHybridRole)", false, nil,
			fmt.Sprintf("arn:%s:ssm:%s:%s:managed-instance/mi-0123456789abcdef0", partition, region, account), "mi-0123456789abcdef0"},
		{"", "an instance of yours in the private subnets (its own instance profile)", true, nil, ec2Node, "i-0fedcba9876543210"},
	}
	outputBucket, ok := m.first("AWS::S3::Bucket", "CommandOutputBucket")
	if !ok {
		return roles
	}
	writes := outputWrites(m, m.ref(outputBucket.Stack, outputBucket.LogicalID))
	for i := range roles {
		roles[i].writes = writesOf(m, m.nodeFacts(roles[i].prefix), writes)
	}
	return roles
}

// nodeFacts is what targets select a kind of node by: the templates' instances of its role, a
// hybrid node's tags as the templates tell its owner to add them, or, for an instance of yours,
// any tag and any instance id the templates do not create.
func (m model) nodeFacts(prefix string) nodeFacts {
	switch prefix {
	case "":
		facts := nodeFacts{resourceType: ec2InstanceType, yours: true}
		for _, i := range m.find("AWS::EC2::Instance", "") {
			facts.created = append(facts.created, m.ref(i.Stack, i.LogicalID))
		}
		return facts
	case "SecurityHybridRole":
		return m.hybridFacts()
	}
	role, ok := m.first("AWS::IAM::Role", prefix)
	if !ok {
		return nodeFacts{}
	}
	return m.instanceFacts(role)
}

// instanceCalls returns the calls of one kind of node, where the stacks have it: an instance of
// yours only where the S3 endpoint is created.
func instanceCalls(m model, ir instanceRole, downloads []download) []Call {
	var calls []Call
	add := func(c Call) { calls = append(calls, c) }
	region, account, partition := m.env.Region, m.env.Account, m.env.Partition
	role, ok := m.first("AWS::IAM::Role", ir.prefix)
	byo := ir.prefix == ""
	if !ok && !byo {
		return nil
	}
	principal := Principal{Role: role}
	if byo {
		// Any instance of yours in the private subnets, whose instance profile is yours (what
		// AWS documents for one: the managed policy and these buckets): only the endpoint and
		// the bucket policies are the templates', so only they are tested.
		if _, created := m.s3EndpointRouteTables(); !created {
			return nil
		}
		principal = Principal{Administrator: true, Instance: true}
	}
	calls = append(calls, downloadCalls(m, ir, principal, downloads)...)
	if ir.private {
		calls = append(calls, perimeterCalls(m, ir, principal)...)
	}
	if !byo {
		for _, a := range agentCalls(m, ir.node) {
			add(Call{Caller: ir.caller + ", its SSM Agent", Principal: principal, Action: a.action, Resource: a.resource, AwsOwnedArn: a.awsOwned,
				Required: true, Source: agentCallsPage})
		}
	}
	if ir.prefix == "WsusRole" {
		add(Call{Caller: ir.caller, Principal: principal, Action: "ssm:GetParameter",
			Resource: fmt.Sprintf("arn:%s:ssm:%s:%s:parameter/any/secret", partition, region, account),
			Required: false, Source: parameterStoreActions + " (the internet-facing server must not read Parameter Store)"})
	}
	return append(calls, outputBucketCalls(m, ir, principal)...)
}

// downloadCalls are the node's reads of AWS's buckets (and, for an instance of yours, of the
// declared ones).
func downloadCalls(m model, ir instanceRole, principal Principal, downloads []download) []Call {
	var calls []Call
	add := func(c Call) { calls = append(calls, c) }
	partition, byo := m.env.Partition, ir.prefix == ""
	for _, d := range downloads {
		if d.bucket == "" || (d.declared && !byo) {
			// A declared bucket (a Linux distribution's repositories) is read by the package
			// manager, not with the instance's role: only the endpoint's policy is on its way.
			continue
		}
		add(Call{Caller: ir.caller, Principal: principal, Action: "s3:GetObject",
			Resource:        fmt.Sprintf("arn:%s:s3:::%s/%s", partition, d.bucket, d.key),
			ResourceAccount: awsOwnedAccount, ThroughS3Endpoint: ir.private,
			ResourcePolicy: awsBucketPolicy(partition, d.bucket), ResourcePolicyName: assumptionPublicBucket,
			Required: true, Source: d.page + " (" + d.what + ")"})
	}
	return calls
}

// perimeterCalls are what the S3 endpoint's policy alone denies a node in the private subnets:
// reading an attacker's bucket and, from an instance of yours, writing to another account's.
func perimeterCalls(m model, ir instanceRole, principal Principal) []Call {
	var calls []Call
	add := func(c Call) { calls = append(calls, c) }
	partition, byo := m.env.Partition, ir.prefix == ""
	add(Call{Caller: ir.caller, Principal: principal, Action: "s3:GetObject",
		Resource: fmt.Sprintf("arn:%s:s3:::attacker-chosen-bucket/payload", partition), ResourceAccount: outsiderAccount,
		ThroughS3Endpoint: true, EndpointDenies: true, ResourcePolicy: awsBucketPolicy(partition, "attacker-chosen-bucket"), ResourcePolicyName: "a public bucket",
		Required: false, Source: gatewayEndpointPolicy})
	if byo {
		// Exfiltration: code on an instance in the private subnets, with another account's
		// credentials, writing to that account's bucket, which lets it: only the endpoint's
		// policy is on the way to deny it.
		add(Call{Caller: "a role of another account, from the private subnets", Principal: Principal{Outsider: true}, Action: "s3:PutObject",
			Resource: fmt.Sprintf("arn:%s:s3:::outsider-bucket/exfiltrated", partition), ResourceAccount: outsiderAccount,
			Context: map[string]any{"aws:SecureTransport": "true"}, ThroughS3Endpoint: true, EndpointDenies: true,
			ResourcePolicy: Doc{Policy: policy(map[string]any{"Effect": "Allow", "Principal": map[string]any{"AWS": fmt.Sprintf("arn:%s:iam::%s:root", partition, outsiderAccount)},
				"Action": "s3:PutObject", "Resource": fmt.Sprintf("arn:%s:s3:::outsider-bucket/*", partition)})},
			ResourcePolicyName: "the outsider's own bucket policy", Required: false, Source: gatewayEndpointPolicy + " (data perimeter: only the endpoint policy denies it)"})
	}
	return calls
}

// outputBucketCalls are the node's calls on the command-output bucket, where there is one: its
// writes under its own prefixes, its read of the patch-now install override list, and the other
// prefixes it is denied.
func outputBucketCalls(m model, ir instanceRole, principal Principal) []Call {
	outputBucket, hasOutput := m.first("AWS::S3::Bucket", "CommandOutputBucket")
	if !hasOutput {
		return nil
	}
	var calls []Call
	add := func(c Call) { calls = append(calls, c) }
	partition, byo := m.env.Partition, ir.prefix == ""
	bucketName := m.ref(outputBucket.Stack, outputBucket.LogicalID)
	bucketPolicy := m.resourcePolicy("AWS::S3::BucketPolicy", "Bucket", outputBucket)
	tls := map[string]any{"aws:SecureTransport": "true"}
	add(Call{Caller: ir.caller, Principal: principal, Action: "s3:GetEncryptionConfiguration",
		Resource: fmt.Sprintf("arn:%s:s3:::%s", partition, bucketName), Context: tls, ThroughS3Endpoint: ir.private,
		ResourcePolicy: bucketPolicy, ResourcePolicyName: "the command-output bucket policy", Required: true, Source: commandOutputPage + " (s3:GetEncryptionConfiguration)"})
	for _, w := range ir.writes {
		caller := ir.caller + ", output of " + w.source
		if w.note != "" {
			caller += " (" + w.note + ")"
		}
		add(Call{Caller: caller, Principal: principal, Action: "s3:PutObject",
			Resource: fmt.Sprintf("arn:%s:s3:::%s/%s0123abcd-0123-4567-89ab-0123456789ab/%s/awsrunPowerShellScript/0.awsrunPowerShellScript/stdout", partition, bucketName, w.prefix, ir.nodeID),
			Context:  tls, ThroughS3Endpoint: ir.private, ResourcePolicy: bucketPolicy, ResourcePolicyName: "the command-output bucket policy",
			Required: true, Source: commandOutputPage + "; " + targetPage})
	}
	// make patch-now KB=...: AWS-RunPatchBaseline downloads the install override list by its
	// s3:// URL with the node's role (overrideListPage). The WSUS server reads it only when it
	// is in a patch group (its instance's Patch Group tag, which patch-now targets); every
	// role is denied reading other prefixes.
	if ir.prefix != "WsusRole" || m.wsusInAPatchGroup() {
		// principal: an instance of yours reads with its own profile, an administrator's here (the
		// first role of the stacks stood in for it, and failed where that was not the fleet's: a
		// review's false alarm on a configuration without instance groups or WSUS).
		add(Call{Caller: ir.caller, Principal: principal, Action: "s3:GetObject",
			Resource: fmt.Sprintf("arn:%s:s3:::%s/patch-now/install-override-list-KB5034441.yaml", partition, bucketName),
			Context:  tls, ThroughS3Endpoint: ir.private, ResourcePolicy: bucketPolicy, ResourcePolicyName: "the command-output bucket policy",
			Required: true, Source: overrideListPage})
	}
	add(Call{Caller: ir.caller, Principal: principal, Action: "s3:GetObject",
		Resource: fmt.Sprintf("arn:%s:s3:::%s/inventory/forged", partition, bucketName),
		Context:  tls, ThroughS3Endpoint: ir.private, ResourcePolicy: bucketPolicy, ResourcePolicyName: "the command-output bucket policy",
		Required: false, Source: overrideListPage + " (the nodes read patch-now/ only)"})
	for _, other := range otherPrefixes(m, ir, bucketName) {
		if byo {
			break
		}
		add(Call{Caller: ir.caller, Principal: principal, Action: "s3:PutObject",
			Resource: fmt.Sprintf("arn:%s:s3:::%s/%sforged", partition, bucketName, other),
			Context:  tls, ThroughS3Endpoint: ir.private, ResourcePolicy: bucketPolicy, ResourcePolicyName: "the command-output bucket policy",
			Required: false, Source: commandOutputPage + " (each writer keeps to its own prefixes)"})
	}
	return calls
}

// alerts is the alerts topic and its key, where the stacks have them.
type alerts struct {
	hasTopic, hasKey       bool
	topicArn, keyArn       string
	topicPolicy, keyPolicy Doc
}

func alertsOf(m model) alerts {
	var a alerts
	topic, hasTopic := m.first("AWS::SNS::Topic", "AlertsTopic")
	key, hasKey := m.first("AWS::KMS::Key", "AlertsKey")
	a.hasTopic, a.hasKey = hasTopic, hasKey
	if hasTopic {
		a.topicArn = m.ref(topic.Stack, topic.LogicalID)
		a.topicPolicy = m.resourcePolicy("AWS::SNS::TopicPolicy", "Topics", topic)
	}
	if hasKey {
		a.keyArn = m.getAtt(key.Stack, key.LogicalID, "Arn")
		a.keyPolicy = m.keyPolicy(key)
	}
	return a
}

// windowRoles are the maintenance windows' service roles (their construct's ServiceRole), not
// their notification roles.
func windowRoles(m model) []Resource {
	return slices.DeleteFunc(m.find("AWS::IAM::Role", "MaintenanceWindows"), func(r Resource) bool {
		return !strings.Contains(r.LogicalID, "ServiceRole")
	})
}

// windowCalls are a maintenance window role's calls: Run Command, the pre-patch image and
// notifications.
func windowCalls(m model, a alerts, role Resource) []Call {
	var calls []Call
	add := func(c Call) { calls = append(calls, c) }
	region, account, partition := m.env.Region, m.env.Account, m.env.Partition
	caller := "maintenance window service role (" + role.LogicalID + ")"
	documents := runCommandDocuments(m, role)
	for _, document := range documents {
		add(Call{Caller: caller + ", running " + document, Principal: Principal{Role: role}, Action: "ssm:SendCommand",
			Resource: documentArn(m, document), AwsOwnedArn: strings.HasPrefix(document, "AWS-"),
			Required: true, Source: ssmActionsPage + " (an AWS-owned document has no account in its ARN); the window task's TaskArn"})
	}
	add(Call{Caller: caller, Principal: Principal{Role: role}, Action: "ssm:SendCommand",
		Resource: fmt.Sprintf("arn:%s:ec2:%s:%s:instance/i-0123456789abcdef0", partition, region, account),
		Required: true, Source: ssmActionsPage})
	// Hybrid nodes join the patch groups by tag: a window targeting tags reaches them, and may
	// command them only when hybrid nodes are invited; a window naming an mi- id reaches that
	// node whatever the invitation (a false-alarm hunt's find: stacks' windowReachesHybridNodes).
	if targetsTags(m, role) || targetsHybridIds(m, role) {
		_, hybrid := m.first("AWS::IAM::Role", "SecurityHybridRole")
		add(Call{Caller: caller, Principal: Principal{Role: role}, Action: "ssm:SendCommand",
			Resource: fmt.Sprintf("arn:%s:ssm:%s:%s:managed-instance/mi-0123456789abcdef0", partition, region, account),
			Required: hybrid || targetsHybridIds(m, role), Source: ssmActionsPage + " (hybrid nodes are managed-instance/mi-...)"})
	}
	if !slices.Contains(documents, "AWS-RunPowerShellScript") {
		add(Call{Caller: caller, Principal: Principal{Role: role}, Action: "ssm:SendCommand",
			Resource: documentArn(m, "AWS-RunPowerShellScript"), AwsOwnedArn: true,
			Required: false, Source: ssmActionsPage + " (a document none of the window's Run Command tasks runs)"})
	}
	// The wrapper is derived above where a task runs it; hookWindowCalls adds its refusal elsewhere.
	if !slices.Contains(documents, "AWS-RunPatchBaselineWithHooks") {
		calls = append(calls, hookWindowCalls(m, role, caller)...)
	}
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
	if usesCreateImage(m, role) { // its AutomationAssumeRole
		add(Call{Caller: caller, Principal: Principal{Role: role}, Action: "iam:PassRole",
			Resource: m.getAtt(role.Stack, role.LogicalID, "Arn"), Context: map[string]any{"iam:PassedToService": "ssm.amazonaws.com"},
			Required: true, Source: maintenanceWindowPage})
	}
	if a.hasTopic {
		calls = append(calls, notificationCalls(m, a, role, caller)...)
	}
	return calls
}

// notificationCalls are the calls of Run Command's notifications of role's window: the window
// passes each notification role its tasks name (MaintenanceWindowRunCommandParameters'
// ServiceRoleArn, "to publish Amazon SNS notifications"), which publishes to the alerts topic and
// does nothing else; the window's own role no longer publishes.
func notificationCalls(m model, a alerts, role Resource, caller string) []Call {
	var calls []Call
	add := func(c Call) { calls = append(calls, c) }
	instance := fmt.Sprintf("arn:%s:ec2:%s:%s:instance/i-0123456789abcdef0", m.env.Partition, m.env.Region, m.env.Account)
	for _, notifier := range notificationRoles(m, role) {
		notifierCaller := "Run Command's notification role (" + notifier.LogicalID + ")"
		add(Call{Caller: caller, Principal: Principal{Role: role}, Action: "iam:PassRole",
			Resource: m.getAtt(notifier.Stack, notifier.LogicalID, "Arn"), Context: map[string]any{"iam:PassedToService": "ssm.amazonaws.com"},
			Required: true, Source: snsNotificationsPage})
		add(Call{Caller: notifierCaller, Principal: Principal{Role: notifier}, Action: "sns:Publish", Resource: a.topicArn,
			Context: map[string]any{"aws:SecureTransport": "true"}, ResourcePolicy: a.topicPolicy, ResourcePolicyName: "the alerts topic policy",
			Required: true, Source: snsNotificationsPage})
		add(Call{Caller: notifierCaller, Principal: Principal{Role: notifier}, Action: "ssm:SendCommand", Resource: instance,
			Required: false, Source: ssmActionsPage + " (the notification role only publishes)"})
	}
	if len(calls) > 0 {
		add(Call{Caller: caller + " (notifications are its notification role's)", Principal: Principal{Role: role}, Action: "sns:Publish",
			Resource: a.topicArn, Context: map[string]any{"aws:SecureTransport": "true"}, ResourcePolicy: a.topicPolicy,
			ResourcePolicyName: "the alerts topic policy", Required: false, Source: snsNotificationsPage})
	}
	return calls
}

// notificationRoles are the roles the Run Command tasks of role's window publish their
// notifications with.
func notificationRoles(m model, role Resource) []Resource {
	var out []Resource
	for _, task := range runCommandTasks(m, role) {
		if task.runCommand["ServiceRoleArn"] == nil {
			continue
		}
		if r, ok := m.roleByArn(fmt.Sprint(task.runCommand["ServiceRoleArn"])); ok && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// runCommandTask is a Run Command task's properties and its Run Command parameters.
type runCommandTask struct{ props, runCommand map[string]any }

// runCommandTasks are the Run Command tasks the window sends as role (the task's ServiceRoleArn;
// the Run Command parameters' own ServiceRoleArn only publishes the notifications).
func runCommandTasks(m model, role Resource) []runCommandTask {
	roleArn := m.getAtt(role.Stack, role.LogicalID, "Arn")
	var out []runCommandTask
	for _, task := range m.find("AWS::SSM::MaintenanceWindowTask", "") {
		props, _ := m.value(task.Stack, m.properties(task)).(map[string]any)
		runCommand := cfntemplate.RunCommand(props)
		if props["TaskType"] == "RUN_COMMAND" && runCommand != nil && fmt.Sprint(props["ServiceRoleArn"]) == roleArn {
			out = append(out, runCommandTask{props, runCommand})
		}
	}
	return out
}

// ruleCalls are the EventBridge rules' publishes to the alerts topic, as their service, through
// the topic and key policies, and that of a rule which is not an alert's.
func ruleCalls(m model, a alerts) []Call {
	var calls []Call
	add := func(c Call) { calls = append(calls, c) }
	region, account, partition := m.env.Region, m.env.Account, m.env.Partition
	for _, rule := range m.find("AWS::Events::Rule", "") {
		if !strings.Contains(fmt.Sprint(m.value(rule.Stack, m.properties(rule)["Targets"])), a.topicArn) {
			continue
		}
		// EventBridge sets aws:SourceArn (the rule) and aws:SourceAccount on the publish ("Using
		// IAM policy conditions in Amazon EventBridge"); not on the key use, for which the SNS
		// guide says they are "not supported for EventBridge-to-encrypted topics" (encryptedTopicPage).
		caller := "EventBridge rule " + rule.LogicalID
		ruleArn := m.getAtt(rule.Stack, rule.LogicalID, "Arn")
		add(Call{Caller: caller, Principal: Principal{Service: "events.amazonaws.com"}, Action: "sns:Publish", Resource: a.topicArn,
			Context:        map[string]any{"aws:SourceArn": ruleArn, "aws:SourceAccount": account, "aws:SecureTransport": "true"},
			ResourcePolicy: a.topicPolicy, ResourcePolicyName: "the alerts topic policy", Required: true, Source: eventBridgeTargetPage})
		if a.hasKey {
			for _, action := range []string{"kms:GenerateDataKey", "kms:Decrypt"} {
				add(Call{Caller: caller, Principal: Principal{Service: "events.amazonaws.com"}, Action: action, Resource: a.keyArn,
					ResourcePolicy: a.keyPolicy, ResourcePolicyName: "the alerts key policy", Required: true, Source: encryptedTopicPage})
			}
		}
	}
	// Another rule of this account, not one of the alerts' (another account's is the
	// cross-account row's): the topic policy names the rules.
	otherRule := fmt.Sprintf("arn:%s:events:%s:%s:rule/someone-elses-rule", partition, region, account)
	add(Call{Caller: "an EventBridge rule that is not an alert's", Principal: Principal{Service: "events.amazonaws.com"}, Action: "sns:Publish", Resource: a.topicArn,
		Context:        map[string]any{"aws:SourceArn": otherRule, "aws:SourceAccount": account, "aws:SecureTransport": "true"},
		ResourcePolicy: a.topicPolicy, ResourcePolicyName: "the alerts topic policy", Required: false, Source: eventBridgeTargetPage})
	// Metric and composite alarms publish alike, each with its own ARN as aws:SourceArn.
	return calls
}

// alarmCalls are the CloudWatch alarms' publishes to the alerts topic, as their service, through
// the topic and key policies, and those of CloudWatch for another account or alarm.
func alarmCalls(m model, a alerts) []Call {
	var calls []Call
	add := func(c Call) { calls = append(calls, c) }
	account := m.env.Account
	for _, alarm := range append(m.find("AWS::CloudWatch::Alarm", ""), m.find("AWS::CloudWatch::CompositeAlarm", "")...) {
		actions := fmt.Sprint(m.value(alarm.Stack, m.properties(alarm)["AlarmActions"]))
		if !strings.Contains(actions, a.topicArn) {
			continue
		}
		context := map[string]any{"aws:SourceAccount": account, "aws:SourceArn": m.getAtt(alarm.Stack, alarm.LogicalID, "Arn"), "aws:SecureTransport": "true"}
		caller := "CloudWatch alarm " + alarm.LogicalID
		add(Call{Caller: caller, Principal: Principal{Service: "cloudwatch.amazonaws.com"}, Action: "sns:Publish", Resource: a.topicArn,
			Context: context, ResourcePolicy: a.topicPolicy, ResourcePolicyName: "the alerts topic policy", Required: true, Source: encryptedTopicPage})
		alarmArn := m.getAtt(alarm.Stack, alarm.LogicalID, "Arn")
		for _, wrong := range []struct {
			caller  string
			context map[string]any
		}{
			{"CloudWatch for another account", map[string]any{"aws:SourceAccount": outsiderAccount, "aws:SourceArn": alarmArn, "aws:SecureTransport": "true"}},
			{"CloudWatch for another alarm", map[string]any{"aws:SourceAccount": account, "aws:SourceArn": alarmArn + "-another", "aws:SecureTransport": "true"}},
		} {
			add(Call{Caller: wrong.caller, Principal: Principal{Service: "cloudwatch.amazonaws.com"}, Action: "sns:Publish", Resource: a.topicArn,
				Context: wrong.context, ResourcePolicy: a.topicPolicy, ResourcePolicyName: "the alerts topic policy", Required: false, Source: confusedDeputyPage})
			if a.hasKey {
				add(Call{Caller: wrong.caller, Principal: Principal{Service: "cloudwatch.amazonaws.com"}, Action: "kms:Decrypt", Resource: a.keyArn,
					Context: wrong.context, ResourcePolicy: a.keyPolicy, ResourcePolicyName: "the alerts key policy", Required: false, Source: confusedDeputyPage})
			}
		}
		if a.hasKey {
			for _, action := range []string{"kms:GenerateDataKey", "kms:Decrypt"} {
				add(Call{Caller: caller, Principal: Principal{Service: "cloudwatch.amazonaws.com"}, Action: action, Resource: a.keyArn,
					Context: context, ResourcePolicy: a.keyPolicy, ResourcePolicyName: "the alerts key policy", Required: true, Source: encryptedTopicPage})
			}
		}
	}
	return calls
}

// outsiderAlertCalls are another account's publish to the topic and use of its key, denied.
func outsiderAlertCalls(a alerts) []Call {
	var calls []Call
	add := func(c Call) { calls = append(calls, c) }
	add(Call{Caller: "a role of another account", Principal: Principal{Outsider: true}, Action: "sns:Publish", Resource: a.topicArn,
		Context: map[string]any{"aws:SecureTransport": "true"}, ResourcePolicy: a.topicPolicy, ResourcePolicyName: "the alerts topic policy",
		Required: false, Source: crossAccountPage})
	if a.hasKey {
		add(Call{Caller: "a role of another account", Principal: Principal{Outsider: true}, Action: "kms:Decrypt", Resource: a.keyArn,
			ResourcePolicy: a.keyPolicy, ResourcePolicyName: "the alerts key policy", Required: false, Source: crossAccountPage})
	}
	return calls
}

// dataSyncCalls are the inventory's resource data sync's writes into the command-output bucket.
func dataSyncCalls(m model) []Call {
	outputBucket, hasOutput := m.first("AWS::S3::Bucket", "CommandOutputBucket")
	sync, ok := m.first("AWS::SSM::ResourceDataSync", "")
	if !ok || !hasOutput {
		return nil
	}
	var calls []Call
	add := func(c Call) { calls = append(calls, c) }
	region, account, partition := m.env.Region, m.env.Account, m.env.Partition
	destination, _ := m.value(sync.Stack, m.properties(sync)["S3Destination"]).(map[string]any)
	syncArn := fmt.Sprintf("arn:%s:ssm:%s:%s:resource-data-sync/%s", partition, region, account, m.name(sync.Stack, sync.LogicalID))
	object := fmt.Sprintf("arn:%s:s3:::%s/%s/AWS:InstanceInformation/accountid=%s/region=%s/resourcetype=ManagedInstanceInventory/i-0123456789abcdef0.json",
		partition, destination["BucketName"], destination["BucketPrefix"], account, region)
	// The sync, and (denied) another Systems Manager resource of this account writing as it.
	for _, row := range []struct {
		caller, sourceArn string
		required          bool
	}{
		{"resource data sync " + sync.LogicalID, syncArn, true},
		{"another Systems Manager resource of this account (an association)", fmt.Sprintf("arn:%s:ssm:%s:%s:association/0a1b2c3d-0000-4000-8000-000000000000", partition, region, account), false},
	} {
		add(Call{Caller: row.caller, Principal: Principal{Service: "ssm.amazonaws.com"}, Action: "s3:PutObject", Resource: object,
			Context:        map[string]any{"aws:SourceAccount": account, "aws:SourceArn": row.sourceArn, "aws:SecureTransport": "true", "s3:x-amz-acl": "bucket-owner-full-control"},
			ResourcePolicy: m.resourcePolicy("AWS::S3::BucketPolicy", "Bucket", outputBucket), ResourcePolicyName: "the command-output bucket policy",
			Required: row.required, Source: dataSyncPage})
	}
	bucketArn := m.getAtt(outputBucket.Stack, outputBucket.LogicalID, "Arn")
	for _, sourceAccount := range []string{account, outsiderAccount} {
		caller := "resource data sync " + sync.LogicalID
		if sourceAccount != account {
			caller = "another account's resource data sync"
		}
		add(Call{Caller: caller, Principal: Principal{Service: "ssm.amazonaws.com"}, Action: "s3:GetBucketAcl", Resource: bucketArn,
			Context:        map[string]any{"aws:SourceAccount": sourceAccount, "aws:SecureTransport": "true"},
			ResourcePolicy: m.resourcePolicy("AWS::S3::BucketPolicy", "Bucket", outputBucket), ResourcePolicyName: "the command-output bucket policy",
			Required: sourceAccount == account, Source: dataSyncPage + " (the bucket policy's s3:GetBucketAcl for ssm.amazonaws.com)"})
	}
	if destination["KMSKeyArn"] != nil {
		calls = append(calls, dataSyncKeyCalls(m, sync, fmt.Sprint(destination["KMSKeyArn"]))...)
	}
	add(Call{Caller: "another account's resource data sync", Principal: Principal{Service: "ssm.amazonaws.com"}, Action: "s3:PutObject", Resource: object,
		Context: map[string]any{"aws:SourceAccount": outsiderAccount, "aws:SourceArn": strings.Replace(syncArn, ":"+account+":", ":"+outsiderAccount+":", 1),
			"aws:SecureTransport": "true", "s3:x-amz-acl": "bucket-owner-full-control"},
		ResourcePolicy: m.resourcePolicy("AWS::S3::BucketPolicy", "Bucket", outputBucket), ResourcePolicyName: "the command-output bucket policy",
		Required: false, Source: confusedDeputyPage})
	return calls
}

// dataSyncKeyCalls are an encrypted sync's: Systems Manager encrypts with the key, for this
// account's syncs only.
func dataSyncKeyCalls(m model, sync Resource, keyArn string) []Call {
	var calls []Call
	add := func(c Call) { calls = append(calls, c) }
	region, account, partition := m.env.Region, m.env.Account, m.env.Partition
	if key, ok := m.keyByArn(keyArn); ok {
		syncArn := fmt.Sprintf("arn:%s:ssm:%s:%s:resource-data-sync/%s", partition, region, account, m.name(sync.Stack, sync.LogicalID))
		for _, row := range []struct {
			caller, sourceAccount, sourceArn string
			required                         bool
		}{
			{"resource data sync " + sync.LogicalID, account, syncArn, true},
			{"another account's resource data sync", outsiderAccount, syncArn, false},
			{"a resource data sync of another account's", account, strings.Replace(syncArn, ":"+account+":", ":"+outsiderAccount+":", 1), false},
			{"another Systems Manager resource of this account (an association)", account,
				fmt.Sprintf("arn:%s:ssm:%s:%s:association/0a1b2c3d-0000-4000-8000-000000000000", partition, region, account), false},
		} {
			// kms:GenerateDataKey only, as the key policy of "Walkthrough: Use resource data sync
			// to aggregate inventory data" grants an encrypted sync.
			add(Call{Caller: row.caller, Principal: Principal{Service: "ssm.amazonaws.com"}, Action: "kms:GenerateDataKey", Resource: keyArn,
				Context: map[string]any{"aws:SourceAccount": row.sourceAccount, "aws:SourceArn": row.sourceArn}, ResourcePolicy: m.keyPolicy(key),
				Required: row.required, Source: dataSyncPage + " (a KMS-encrypted sync: the key policy lets ssm.amazonaws.com encrypt)"})
		}
	}
	return calls
}

type agentCall struct {
	action, resource string
	awsOwned         bool
}

// agentCalls are the calls SSM Agent makes on a node: the actions of AmazonSSMManagedInstanceCore
// (the policy AWS documents as what the agent needs), each on the resource the Service
// Authorization Reference says it authorises; ssm:GetParameter(s) are left out (only documents
// resolving {{ssm:...}} parameters need them, and none of privatepatch's does).
func agentCalls(m model, node string) []agentCall {
	region, account, partition := m.env.Region, m.env.Account, m.env.Partition
	document := fmt.Sprintf("arn:%s:ssm:%s::document/AWS-RunPatchBaseline", partition, region)
	association := fmt.Sprintf("arn:%s:ssm:%s:%s:association/0123abcd-0123-4567-89ab-0123456789ab", partition, region, account)
	var out []agentCall
	for _, s := range statementList(managedPolicies["AmazonSSMManagedInstanceCore"]) {
		actions, _ := s.(map[string]any)["Action"].([]any)
		for _, a := range actions {
			action := fmt.Sprint(a)
			call := agentCall{action: action, resource: "*"}
			switch action {
			case "ssm:GetParameter", "ssm:GetParameters":
				continue
			case "ssm:UpdateInstanceInformation", "ssm:ListInstanceAssociations", "ssm:PutComplianceItems", "ssm:DescribeAssociation", "ssm:UpdateAssociationStatus":
				call.resource = node
			case "ssm:GetDocument", "ssm:DescribeDocument":
				call.resource, call.awsOwned = document, true
			case "ssm:UpdateInstanceAssociationStatus":
				call.resource = association
			}
			out = append(out, call)
		}
	}
	return out
}

// usesCreateImage tells whether role is the service role of a window with an AWS-CreateImage task.
func usesCreateImage(m model, role Resource) bool {
	return taskOf(m, role, func(task map[string]any) bool { return fmt.Sprint(task["TaskArn"]) == "AWS-CreateImage" })
}

// targetsTags tells whether the window of role targets instances by tag (patch groups).
func targetsTags(m model, role Resource) bool {
	return windowTargetOf(m, role, func(target map[string]any) bool { return strings.Contains(fmt.Sprint(target["Targets"]), "tag:") })
}

// targetsHybridIds tells whether role's window targets a hybrid node by its mi- id.
func targetsHybridIds(m model, role Resource) bool {
	return windowTargetOf(m, role, func(target map[string]any) bool {
		for _, t := range asList(target["Targets"]) {
			t, _ := t.(map[string]any)
			if fmt.Sprint(t["Key"]) != "InstanceIds" {
				continue
			}
			for _, v := range asList(t["Values"]) {
				if strings.HasPrefix(fmt.Sprint(v), "mi-") {
					return true
				}
			}
		}
		return false
	})
}

// stopsOnAlarms tells whether role's window has stop alarms (its construct's StopAlarm<n>).
func stopsOnAlarms(m model, role Resource) bool {
	window, _, ok := strings.Cut(role.LogicalID, "ServiceRole")
	return ok && len(m.find("AWS::CloudWatch::CompositeAlarm", window+"StopAlarm")) > 0
}

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

// wsusInAPatchGroup tells whether the templates' WSUS instance carries a patch group tag ("Patch
// Group" or "PatchGroup", "Patch groups", AWS Systems Manager User Guide): make patch-now may then
// target it, and it reads the install override list.
func (m model) wsusInAPatchGroup() bool {
	instance, ok := m.first("AWS::EC2::Instance", "WsusInstance")
	if !ok {
		return false
	}
	tags, _ := m.properties(instance)["Tags"].([]any)
	for _, t := range tags {
		if tag, _ := t.(map[string]any); tag["Key"] == "Patch Group" || tag["Key"] == "PatchGroup" {
			return true
		}
	}
	return false
}

// otherPrefixes are the top-level prefixes of the command-output bucket that the templates have
// others write (every output prefix configured into it, the data sync's) and ir does not: the
// roles' grants are per top-level prefix (patch/, cce/, ...), so a finer prefix of ir's own
// (another window's under patch/) is not another's.
func otherPrefixes(m model, ir instanceRole, bucketName string) []string {
	top := func(prefix string) string { first, _, _ := strings.Cut(prefix, "/"); return first + "/" }
	var all []string
	for _, w := range outputWrites(m, bucketName) {
		all = append(all, top(w.prefix))
	}
	if sync, ok := m.first("AWS::SSM::ResourceDataSync", ""); ok {
		destination, _ := m.value(sync.Stack, m.properties(sync)["S3Destination"]).(map[string]any)
		if fmt.Sprint(destination["BucketName"]) == bucketName && destination["BucketPrefix"] != nil {
			all = append(all, top(fmt.Sprint(destination["BucketPrefix"])))
		}
	}
	slices.Sort(all)
	all = slices.Compact(all)
	return slices.DeleteFunc(all, func(p string) bool {
		return slices.ContainsFunc(ir.writes, func(w written) bool { return top(w.prefix) == p })
	})
}

// runCommandDocuments are the documents (TaskArn) of the Run Command tasks whose service role is role.
func runCommandDocuments(m model, role Resource) []string {
	var out []string
	for _, task := range runCommandTasks(m, role) {
		out = append(out, fmt.Sprint(task.props["TaskArn"]))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// documentArn is a document's ARN as Systems Manager presents it: an AWS-owned one (AWS-...)
// without an account, the account's own with it (ssmActionsPage).
func documentArn(m model, name string) string {
	if strings.HasPrefix(name, "AWS-") {
		return fmt.Sprintf("arn:%s:ssm:%s::document/%s", m.env.Partition, m.env.Region, name)
	}
	return fmt.Sprintf("arn:%s:ssm:%s:%s:document/%s", m.env.Partition, m.env.Region, m.env.Account, name)
}
