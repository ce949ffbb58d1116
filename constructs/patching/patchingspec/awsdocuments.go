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
	// InventoryDocument is the Command document of the inventory association.
	InventoryDocument = "AWS-GatherSoftwareInventory"
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

// How long a window's patch command may wait to start on a node. A window task's TimeoutSeconds:
// "If this time is reached and the command hasn't already started running, it doesn't run"
// (AWS::SSM::MaintenanceWindowTask MaintenanceWindowRunCommandParameters, CloudFormation Template
// Reference); and a node's invocation still Pending, which rate control holds back until a batch
// before it ends, becomes Delivery Timed Out once "the sum of the Timeout (seconds) and the
// Execution timeout" has passed, and "Delivery timeouts don't count against the parent command's
// MaxErrors limit" ("Understanding command statuses", Systems Manager User Guide; Command
// ExpiresAfter, "calculated based on the total timeout for the overall command"; read
// 2026-12-07). With 600 s, a group patched 25% at a time lost the batches that had not started
// 2 h 10 min after the window opened: never patched, and the command only Incomplete (a
// reviewer's find). So the timeout lets a batch start until the window's cutoff, no later.
const (
	// RunPatchBaselineStepTimeoutSeconds is AWS-RunPatchBaseline's steps' timeout, its execution
	// timeout: "timeoutSeconds": 7200 on PatchWindows (the document's content as AWS shows it in
	// the console, printed in "Writing better AWS SSM command documents", jdheyburn.co.uk; no
	// AWS page prints the document).
	RunPatchBaselineStepTimeoutSeconds = 7200
	// MinPatchTaskTimeoutSeconds is the shortest: ten minutes for a node's agent to take the
	// command in a short window.
	MinPatchTaskTimeoutSeconds = 600
)

// PatchTaskTimeoutSeconds is a window patch task's TimeoutSeconds: with the execution timeout, a
// held-back batch may start until the cutoff (durationHours - cutoffHours after the window
// opens), and no later; at least MinPatchTaskTimeoutSeconds.
func PatchTaskTimeoutSeconds(durationHours, cutoffHours int) int {
	return max(MinPatchTaskTimeoutSeconds, (durationHours-cutoffHours)*3600-RunPatchBaselineStepTimeoutSeconds)
}
