package patching

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
	"go.yaml.in/yaml/v3"

	"github.com/privatepatch/privatepatch/constructs/deputy"
	"github.com/privatepatch/privatepatch/constructs/managedinstance"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/constructs/stackenv"
)

// PromotionProps configures exact promotion: the runbook, and one role per promoting ring.
type PromotionProps struct {
	// Rings are the patch groups whose windows promote what they installed to the next ring:
	// every ring but the last, in order. Required.
	Rings []string
	// Bucket receives the lists, each ring's under patchingspec.PromoteRingPrefix. Required.
	Bucket awss3.IBucket
	// HybridNodes lets the step read the patch states of hybrid (on-premises) nodes of the rings
	// too. Default: false (EC2 instances only).
	HybridNodes bool
}

func (p *PromotionProps) problems() spec.Problems {
	var problems spec.Problems
	if len(p.Rings) == 0 {
		problems.Add("Rings", "", "is empty: name the patch groups that promote (every ring but the last)")
	}
	for i, ring := range p.Rings {
		if ring == "" || strings.ContainsAny(ring, "`'\"$/") || slices.Index(p.Rings, ring) != i {
			// The list's name can't contain ` ' " or $ (AWS-RunPatchBaseline page); / would nest prefixes.
			problems.Add(fmt.Sprintf("Rings[%d]", i), ring, "is not a usable ring: unique, non-empty, without ` ' \" $ or /")
		}
	}
	if p.Bucket == nil {
		problems.Add("Bucket", "", "is required: the lists are written there")
	}
	return problems
}

// Promotion is the promotion runbook and the role its step runs with for each ring.
type Promotion interface {
	constructs.Construct
	// Document is the Automation runbook (its Ref is its name).
	Document() awsssm.CfnDocument
	// Role is the role ring's promotion runs with: it reads patch states and writes only under
	// the ring's prefix.
	Role(ring string) awsiam.IRole
}

type promotion struct {
	constructs.Construct
	document awsssm.CfnDocument
	roles    map[string]awsiam.IRole
}

func (p *promotion) Document() awsssm.CfnDocument  { return p.document }
func (p *promotion) Role(ring string) awsiam.IRole { return p.roles[ring] }

// promoteParameters are the runbook's parameters; the script reads all but the role.
var promoteParameters = []string{"AutomationAssumeRole", "PatchGroup", "PatchGroupTagKey", "WindowExecutionId", "Bucket", "Prefix"}

// NewPromotion creates the promotion runbook (an Automation document whose one aws:executeScript
// step runs patchingspec.PromoteScript) and one role per ring. It panics with every bad prop.
func NewPromotion(scope constructs.Construct, id string, props *PromotionProps) Promotion {
	if props == nil {
		panic(spec.NilProps(fmt.Sprintf("patching.NewPromotion(%q)", id), "PromotionProps"))
	}
	if err := props.problems().Err(fmt.Sprintf("patching.NewPromotion(%q)", id), "PromotionProps"); err != nil {
		panic(err)
	}
	p := &promotion{Construct: constructs.NewConstruct(scope, jsii.String(id)), roles: map[string]awsiam.IRole{}}
	_, env := stackenv.Of(p.Construct)
	p.addRunbook(promoteRunbook())
	region, account, partition := env.Region, env.Account, env.Partition
	readFrom := []string{managedinstance.EC2InstancesArn(partition, region, account)}
	if props.HybridNodes {
		readFrom = append(readFrom, managedinstance.HybridNodesArn(partition, region, account))
	}
	for i, ring := range props.Rings {
		p.roles[ring] = p.addRingRole(i, ring, props, readFrom)
	}
	return p
}

// promoteRunbook is the runbook's content: one aws:executeScript step, the project's script,
// given every parameter but the role it assumes.
func promoteRunbook() map[string]any {
	parameters := map[string]any{}
	payload := map[string]any{}
	for _, name := range promoteParameters {
		parameters[name] = map[string]any{"type": "String"}
		if name != "AutomationAssumeRole" {
			payload[name] = "{{ " + name + " }}"
		}
	}
	parameters["AutomationAssumeRole"] = map[string]any{"type": "String", "description": "The ring's promotion role"}
	return map[string]any{
		"schemaVersion": patchingspec.PromoteSchemaVersion,
		"description":   "privatepatch exact promotion: what a ring installed in this window run becomes the next ring's InstallOverrideList",
		"assumeRole":    "{{ AutomationAssumeRole }}",
		"parameters":    parameters,
		"mainSteps": []any{map[string]any{
			"name":           "Promote",
			"action":         "aws:executeScript",
			"timeoutSeconds": patchingspec.PromoteTimeoutSeconds,
			"onFailure":      "Abort",
			"isEnd":          true,
			"inputs": map[string]any{
				"Runtime":      patchingspec.PromoteRuntime,
				"Handler":      patchingspec.PromoteHandler,
				"Script":       patchingspec.PromoteScript,
				"InputPayload": payload,
			},
			"outputs": []any{map[string]any{"Name": "Message", "Selector": "$.Payload.Message", "Type": "String"}},
		}},
		"outputs": []any{"Promote.Message"},
	}
}

// addRunbook creates the runbook (Runbook), its content as YAML text.
func (p *promotion) addRunbook(runbook map[string]any) {
	p.document = awsssm.NewCfnDocument(p.Construct, jsii.String("Runbook"), &awsssm.CfnDocumentProps{
		DocumentType:   jsii.String(patchingspec.PromoteDocumentType),
		DocumentFormat: jsii.String("YAML"),
		UpdateMethod:   jsii.String("NewVersion"),
		Content:        runbook,
	})
	// The content goes as YAML text, not as an object CloudFormation would pass on as JSON:
	// "aws:executeScript – Run a script" (AWS Systems Manager User Guide, read 2026-12-06) does not
	// support the embedded Script input in JSON runbooks ("JSON runbooks must provide script
	// content using the Attachment input parameter"). AWS::SSM::Document's Content "also supports
	// String data types" (CloudFormation resource reference); CDK's props check wants an object,
	// hence the override.
	content, err := yaml.Marshal(runbook)
	if err != nil {
		panic(err)
	}
	p.document.AddPropertyOverride(jsii.String("Content"), string(content))
}

// addRingRole creates ring's promotion role (Role<i+1>): it reads the patch states of readFrom
// and writes under the ring's own prefix only.
func (p *promotion) addRingRole(i int, ring string, props *PromotionProps, readFrom []string) awsiam.IRole {
	role := awsiam.NewRole(p.Construct, jsii.String(fmt.Sprintf("Role%d", i+1)), &awsiam.RoleProps{
		AssumedBy:   deputy.ServicePrincipal(p.Construct, "ssm.amazonaws.com", deputy.SystemsManager),
		Description: jsii.String("privatepatch promotion of ring " + ring + ": reads its patch states, writes its list"),
	})
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("FindTheRunAndTheRing"),
		Actions:   jsii.Strings("ssm:GetMaintenanceWindowExecution", "ssm:DescribeInstanceInformation"),
		Resources: jsii.Strings("*"), // these actions take no resource
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("ReadPatchStates"),
		Actions:   jsii.Strings("ssm:DescribeInstancePatches"),
		Resources: jsii.Strings(readFrom...),
	}))
	prefix := patchingspec.PromoteRingPrefix(ring)
	// Its own prefix only: the lists of this run, and the next ring's list, which it replaces
	// or, when the ring installed nothing, deletes.
	// PutObject and DeleteObject only (not CDK's grantPut, whose aborts, retention, legal holds
	// and tags make verify's mutation test found no call needs), and the key's data keys.
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:PutObject", "s3:DeleteObject"),
		Resources: jsii.Strings(*props.Bucket.ArnForObjects(jsii.String(prefix + "*"))),
	}))
	if key := props.Bucket.EncryptionKey(); key != nil {
		role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("kms:GenerateDataKey", "kms:Decrypt"),
			Resources: jsii.Strings(*key.KeyArn()),
		}))
	}
	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("The ring's nodes are found by tag at run time, so DescribeInstancePatches needs instance/* (and " +
			"managed-instance/* with hybrid nodes); GetMaintenanceWindowExecution and DescribeInstanceInformation take no " +
			"resource; the step writes one list per product and run under the ring's prefix; with a KMS bucket S3 needs " +
			"CDK's standard encrypt grant on that one key"),
		AppliesTo: &[]any{"Resource::*", "Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*",
			map[string]any{"regex": "/^Action::s3:(Abort|PutObject|DeleteObject).*$/"},
			map[string]any{"regex": "/^Resource::arn:.*:instance\\/\\*$/"},
			map[string]any{"regex": "/^Resource::arn:.*:managed-instance\\/\\*$/"},
			map[string]any{"regex": "/^Resource::.*\\/" + strings.ReplaceAll(prefix, "/", "\\/") + "\\*$/"}},
	}}, jsii.Bool(true))
	return role
}

// PromoteTask is a window's promotion step: after its Install tasks, the runbook reads what the
// window's patch group installed in this run and writes the next ring's list.
type PromoteTask struct {
	// Runbook is the promotion runbook (Promotion.Document). Required.
	Runbook awsssm.CfnDocument
	// Role is the ring's promotion role (Promotion.Role). Required.
	Role awsiam.IRole
	// Bucket is where the lists go (PromotionProps.Bucket). Required.
	Bucket awss3.IBucket
}

// addPromoteTask registers the promotion after every other task of the window (priority one more
// than the last), without targets: it runs once per window run, not once per node.
func (w *maintenanceWindow) addPromoteTask(p *WindowProps, priority int) {
	t := p.Promote
	w.allowRunbook("Promotion", t.Runbook, t.Role)
	ring := p.PatchGroups[0]
	w.tasks = append(w.tasks, awsssm.NewCfnMaintenanceWindowTask(w.Construct, jsii.String("Promote"), &awsssm.CfnMaintenanceWindowTaskProps{
		WindowId:       w.window.Ref(),
		Name:           jsii.String(p.Name + "-promote"),
		Description:    jsii.String("Exact promotion: what " + ring + " installed in this run becomes the next ring's InstallOverrideList"),
		TaskType:       jsii.String("AUTOMATION"),
		TaskArn:        t.Runbook.Ref(),
		Priority:       jsii.Number(priority),
		ServiceRoleArn: w.role.RoleArn(),
		TaskInvocationParameters: &awsssm.CfnMaintenanceWindowTask_TaskInvocationParametersProperty{
			MaintenanceWindowAutomationParameters: &awsssm.CfnMaintenanceWindowTask_MaintenanceWindowAutomationParametersProperty{
				DocumentVersion: jsii.String("$DEFAULT"),
				Parameters: map[string]any{
					"AutomationAssumeRole": []*string{t.Role.RoleArn()},
					"PatchGroup":           []string{ring},
					"PatchGroupTagKey":     []string{p.PatchGroupTagKey},
					// "About Pseudo Parameters" (maintenance windows): the current window execution.
					"WindowExecutionId": []string{"{{WINDOW_EXECUTION_ID}}"},
					"Bucket":            []*string{t.Bucket.BucketName()},
					"Prefix":            []string{patchingspec.PromoteRingPrefix(ring)},
				},
			},
		},
	}))
}
