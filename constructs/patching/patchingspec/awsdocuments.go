package patchingspec

import "fmt"

// The AWS-owned Systems Manager documents and runbooks the windows run, and the ARNs an IAM
// policy names them by.
//
// The resource forms are those of the Service Authorization Reference, "Actions, resources, and
// condition keys for AWS Systems Manager", resource types (read 2026-11-27):
//
//	document:              arn:${Partition}:ssm:${Region}:${Account}:document/${DocumentName}
//	automation-definition: arn:${Partition}:ssm:${Region}:${Account}:automation-definition/${AutomationDefinitionName}:${VersionId}
//
// and AWS's own documents carry no account in them: "The account ID shouldn't be specified in
// the Amazon Resource Name (ARN) for AWS owned public documents" (Systems Manager User Guide,
// "Setting up identity based policies examples", Automation, read 2026-11-27), "documents that
// begin with AWS-*" ("AWS Systems Manager identity-based policy examples", read 2026-11-27). A
// policy that names one with this account's id matches nothing, and the call is denied.
const (
	// RunPatchBaselineDocument is the Command document every patch task and scan runs.
	RunPatchBaselineDocument = "AWS-RunPatchBaseline"
	// CreateImageRunbook is the Automation runbook of the pre-patch image.
	CreateImageRunbook = "AWS-CreateImage"
)

// AWSDocumentArn is the ARN of the AWS-owned document name in partition and region.
func AWSDocumentArn(partition, region, name string) string {
	return fmt.Sprintf("arn:%s:ssm:%s::document/%s", partition, region, name)
}

// AWSRunbookArn is the ARN of version ("*" for any) of the AWS-owned runbook name, as
// ssm:StartAutomationExecution authorises it.
func AWSRunbookArn(partition, region, name, version string) string {
	return fmt.Sprintf("arn:%s:ssm:%s::automation-definition/%s:%s", partition, region, name, version)
}

// PatchDocuments are the documents that scan or install patches, and so write patch compliance
// with the baseline registered for the node's patch group ("SSM Command documents for patching
// managed nodes", Systems Manager User Guide, read 2026-11-27: AWS-RunPatchBaseline,
// AWS-RunPatchBaselineAssociation (which Quick Setup's Host Management uses for its daily scan),
// AWS-RunPatchBaselineWithHooks).
var PatchDocuments = []string{RunPatchBaselineDocument, "AWS-RunPatchBaselineAssociation", RunPatchBaselineWithHooksDocument}
