// Package managedinstance provides what makes an EC2 instance a Systems Manager managed instance
// that passes the project's checks: its role and its monitoring.
package managedinstance

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/privatepatch/privatepatch/constructs/awsbuckets"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/constructs/stackenv"
)

// NewRole creates an EC2 instance role with AmazonSSMManagedInstanceCore, SSM Agent's minimum.
// Callers grant anything further (e.g. logbucket.GrantCommandOutput).
func NewRole(scope constructs.Construct, id, description string) awsiam.Role {
	stackRegion(scope, fmt.Sprintf("managedinstance.NewRole(%q)", id))
	role := awsiam.NewRole(scope, jsii.String(id), &awsiam.RoleProps{
		AssumedBy:       awsiam.NewServicePrincipal(jsii.String("ec2.amazonaws.com"), nil),
		Description:     jsii.String(description),
		ManagedPolicies: &[]awsiam.IManagedPolicy{awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String("AmazonSSMManagedInstanceCore"))},
	})
	AllowSystemsManagerBuckets(role)
	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM4"),
		Reason:    jsii.String("AmazonSSMManagedInstanceCore is AWS's maintained minimum for SSM Agent; a copy would drift from it"),
		AppliesTo: &[]any{"Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore"},
	}}, jsii.Bool(true))
	return role
}

// agentActions are what SSM Agent does with AmazonSSMManagedInstanceCore, less reading Parameter
// Store (ssm:GetParameter, ssm:GetParameters): registering, associations, documents, patch
// snapshots, inventory and compliance, Run Command (ec2messages) and Session Manager
// (ssmmessages). Most take no resource, or the calling instance's own.
var agentActions = []string{
	"ssm:DescribeAssociation", "ssm:GetDeployablePatchSnapshotForInstance", "ssm:GetDocument", "ssm:DescribeDocument",
	"ssm:GetManifest", "ssm:ListAssociations", "ssm:ListInstanceAssociations", "ssm:PutInventory", "ssm:PutComplianceItems",
	"ssm:PutConfigurePackageResult", "ssm:UpdateAssociationStatus", "ssm:UpdateInstanceAssociationStatus",
	"ssm:UpdateInstanceInformation",
	"ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel",
	"ec2messages:AcknowledgeMessage", "ec2messages:DeleteMessage", "ec2messages:FailMessage", "ec2messages:GetEndpoint",
	"ec2messages:GetMessages", "ec2messages:SendReply",
}

// NewInternetFacingRole creates an EC2 instance role for an instance reachable from the
// internet (the WSUS server): what AmazonSSMManagedInstanceCore grants SSM Agent, without read
// access to every Parameter Store parameter of the account, which a compromised server could
// otherwise harvest. Callers grant anything further.
func NewInternetFacingRole(scope constructs.Construct, id, description string) awsiam.Role {
	stackRegion(scope, fmt.Sprintf("managedinstance.NewInternetFacingRole(%q)", id))
	role := awsiam.NewRole(scope, jsii.String(id), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("ec2.amazonaws.com"), nil),
		Description: jsii.String(description),
	})
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("SystemsManagerAgent"),
		Actions:   jsii.Strings(agentActions...),
		Resources: jsii.Strings("*"),
	}))
	AllowSystemsManagerBuckets(role)
	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("SSM Agent's own actions (those of AmazonSSMManagedInstanceCore without Parameter Store reads) take " +
			"no resource or act on the calling instance, as in AWS's managed policy"),
		AppliesTo: &[]any{"Resource::*"},
	}}, jsii.Bool(true))
	return role
}

// AllowSystemsManagerBuckets lets role read the AWS-owned buckets SSM Agent and
// AWS-RunPatchBaseline download from in its stack's region. AmazonSSMManagedInstanceCore does not
// allow them, and AWS asks for the permission in the instance profile (or a hybrid node's service
// role) whenever a VPC endpoint is used (awsbuckets.PatchingPage, awsbuckets.AgentPage).
func AllowSystemsManagerBuckets(role awsiam.IRole) {
	buckets := awsbuckets.SystemsManager(stackRegion(role, "managedinstance.AllowSystemsManagerBuckets"))
	allowBucketObjects(role, "ReadSystemsManagerBuckets", buckets,
		"SSM Agent reads any object of AWS's own regional Systems Manager buckets (named one by one), whose keys AWS chooses")
}

// AllowDeclaredPatchingBuckets lets role read the Patch Manager buckets a configuration declares
// for a region AWS's patching page does not list (awsbuckets.DeclaredPatchingBuckets): there
// AllowSystemsManagerBuckets cannot name them. Nothing without buckets.
func AllowDeclaredPatchingBuckets(role awsiam.IRole, buckets []string) {
	if len(buckets) == 0 {
		return
	}
	allowBucketObjects(role, "ReadDeclaredPatchingBuckets", buckets,
		"AWS-RunPatchBaseline reads any object of the Patch Manager buckets the configuration declares for this region (named one by one), whose keys AWS chooses")
}

// allowBucketObjects adds the statement sid letting role read any object of buckets, and the
// AwsSolutions-IAM5 suppression (with reason) that names exactly those buckets' object ARNs.
func allowBucketObjects(role awsiam.IRole, sid string, buckets []string, reason string) {
	_, env := stackenv.Of(role)
	var objects, quoted []string
	for _, bucket := range buckets {
		objects = append(objects, fmt.Sprintf("arn:%s:s3:::%s/*", env.Partition, bucket))
		quoted = append(quoted, regexp.QuoteMeta(bucket))
	}
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String(sid),
		Actions:   jsii.Strings("s3:GetObject"),
		Resources: jsii.Strings(objects...),
	}))
	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{{
		Id:     jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String(reason),
		AppliesTo: &[]any{map[string]any{
			"regex": fmt.Sprintf("/^Resource::arn:[^:]+:s3:::(%s)\\/\\*$/", strings.Join(quoted, "|"))}},
	}}, jsii.Bool(true))
}

// RequireImdsv2 gives instance the launch template that CDK's RequireImdsv2 prop would make
// (same construct id, so the same logical id; HttpTokens required), made here instead of in
// CDK's aspect during synthesis, so that it carries what that aspect's template lacked without
// an aspect of ours to fix it (a Go aspect is a call from Node into Go for the instance and each
// of its children on every synth: a tenth of the tests' time in Node, docs/benchmarks.md). It
// turns on detailed monitoring, as AWS Control Tower CT.EC2.PR.10 asks of every launch template
// (the instance itself has it through its DetailedMonitoring prop), names the template after the
// stack, so that two deployments in one account and region do not collide (CDK names it after
// the construct path alone, and launch template names are unique per region), and keeps tags out
// of instance metadata (InstanceMetadataTagsDisabled). The instance is created without
// RequireImdsv2, which would add CDK's template as well.
//
// The form is CDK's own (aws-cdk-lib 2.270.0, aws-ec2/lib/aspects/require-imdsv2-aspect.js) and
// the documented one: HttpTokens "required" ("optional | required", AWS::EC2::LaunchTemplate
// MetadataOptions); the instance names the template, not its id as well ("the ID or the name of
// the launch template, but not both"), and takes its latest version with Fn::GetAtt
// LatestVersionNumber (AWS::EC2::Instance LaunchTemplateSpecification; both CloudFormation
// Template Reference, read 2026-12-06).
func RequireImdsv2(instance awsec2.Instance) {
	name := LaunchTemplateName(instance)
	template := awsec2.NewCfnLaunchTemplate(instance, jsii.String("LaunchTemplate"), &awsec2.CfnLaunchTemplateProps{
		LaunchTemplateData: &awsec2.CfnLaunchTemplate_LaunchTemplateDataProperty{
			MetadataOptions: &awsec2.CfnLaunchTemplate_MetadataOptionsProperty{
				HttpTokens:           jsii.String("required"),
				InstanceMetadataTags: jsii.String(InstanceMetadataTagsDisabled),
			},
			Monitoring: &awsec2.CfnLaunchTemplate_MonitoringProperty{Enabled: jsii.Bool(true)},
		},
		LaunchTemplateName: jsii.String(name),
	})
	instance.Instance().SetLaunchTemplate(&awsec2.CfnInstance_LaunchTemplateSpecificationProperty{
		LaunchTemplateName: jsii.String(name),
		Version:            template.AttrLatestVersionNumber(),
	})
}

// InstanceMetadataTagsDisabled keeps instance tags out of instance metadata (the
// AWS::EC2::LaunchTemplate MetadataOptions value, "disabled | enabled"): "PatchGroup (without a
// space) is required if you have allowed tags in EC2 instance metadata" (Systems Manager User
// Guide, "Creating and managing patch groups", read 2026-12-06), so the instances' "Patch Group"
// tag, which the default windows read, would not apply where an account default allowed them.
const InstanceMetadataTagsDisabled = "disabled"

// LaunchTemplateName is the name of instance's IMDSv2 launch template: its stack's name and its
// construct path within the stack, e.g. privatepatch-fleet-Fleet-web-Instance1.
func LaunchTemplateName(instance awsec2.Instance) string {
	stack := awscdk.Stack_Of(instance)
	path := strings.TrimPrefix(*instance.Node().Path(), *stack.Node().Path()+"/")
	return *stack.StackName() + "-" + strings.ReplaceAll(path, "/", "-")
}

// InVpcThroughItsNetworkInterface answers cdk-nag's NIST EC2InstancesInVPC for an instance
// whose subnet is given on its network interface (as CDK does when AssociatePublicIpAddress is
// set), which the rule does not read.
var InVpcThroughItsNetworkInterface = &cdknag.NagPackSuppression{
	Id:     jsii.String("NIST.800.53.R5-EC2InstancesInVPC"),
	Reason: jsii.String("The instance is in a VPC subnet, named in NetworkInterfaces[0].SubnetId; the rule reads only the top-level SubnetId"),
}

// Managed node ARNs, as ssm:SendCommand authorises them, for every node of partition, region
// and account: EC2 instances, and hybrid (on-premises) nodes registered through an activation,
// whose ids begin mi-. Service Authorization Reference, "Actions, resources, and condition keys
// for AWS Systems Manager", resource types instance (arn:${Partition}:ec2:${Region}:${Account}:
// instance/${InstanceId}) and managed-instance (arn:${Partition}:ssm:${Region}:${Account}:
// managed-instance/${ManagedInstanceName}), read 2026-11-27.
func EC2InstancesArn(partition, region, account string) string {
	return fmt.Sprintf("arn:%s:ec2:%s:%s:instance/*", partition, region, account)
}

// HybridNodesArn: see EC2InstancesArn.
func HybridNodesArn(partition, region, account string) string {
	return fmt.Sprintf("arn:%s:ssm:%s:%s:managed-instance/*", partition, region, account)
}

// Patch group tag keys (patchingspec.PatchGroupTagKeys).
const (
	PatchGroupTag         = patchingspec.PatchGroupTag
	PatchGroupMetadataTag = patchingspec.PatchGroupMetadataTag
)

// TagPatchGroup puts instance in patch group under both tag keys.
func TagPatchGroup(instance awsec2.Instance, group string) {
	for _, key := range patchingspec.PatchGroupTagKeys {
		awscdk.Tags_Of(instance).Add(jsii.String(key), jsii.String(group), nil)
	}
}

// stackRegion is the region of scope's stack. In an environment-agnostic stack it is a token, and
// the region's Patch Manager bucket, which the instances must read, could not be named: refused,
// before anything is created, with the error that says so.
func stackRegion(scope constructs.IConstruct, construct string) string {
	stack, env := stackenv.Of(scope)
	if *awscdk.Token_IsUnresolved(jsii.String(env.Region)) {
		panic(spec.NoRegion(construct, *stack.Node().Path(), "the instance role reads the region's AWS buckets (Patch Manager's is named per region)"))
	}
	return env.Region
}
