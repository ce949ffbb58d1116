package compliancespec

import _ "embed"

// The Inspector enabler (compliance.NewInspectorEnabler) switches Amazon Inspector's EC2 scanning
// on when the stack is created or updated, and answers CloudFormation only once it is ENABLED. The
// facts it rests on, read 2026-12-07:
//   - Enable answers success while an account's scanning is still starting, and lists "any
//     accounts for which Amazon Inspector scans could not be enabled" in failedAccounts, each with
//     an errorCode (ALREADY_ENABLED, ENABLE_IN_PROGRESS, ACCESS_DENIED, SSM_UNAVAILABLE, ...)
//     ("Enable" and "FailedAccount", Amazon Inspector API Reference; botocore 1.43.11's inspector2
//     model, ErrorCode). One call, as CDK's AwsCustomResource made it, leaves a failed or starting
//     account to a deploy that reports success (a reviewer's find; make doctor's Inspector row
//     saw it only after).
//   - BatchGetAccountStatus says each account's resourceState.ec2.status: ENABLING, ENABLED,
//     DISABLING, DISABLED, SUSPENDING, SUSPENDED (State, Status; the same model).
//   - A custom resource's function answers with a PUT of the response object (Status SUCCESS or
//     FAILED, Reason, PhysicalResourceId, StackId, RequestId, LogicalResourceId, Data) to the
//     request's pre-signed ResponseURL ("Custom resource response objects", CloudFormation User
//     Guide); AWS's own cfn-response module sends it with an empty Content-Type. A function that
//     never answers leaves the stack waiting until the resource's ServiceTimeout.
//   - IAM is eventually consistent: a function's first call can be denied while its role's new
//     policy propagates (aws/aws-cdk issues 31429 and 23340, for AwsCustomResource's calls): the
//     enabler retries AccessDeniedException, and the failedAccounts codes that may pass
//     (throttling, INTERNAL_ERROR, *_IN_PROGRESS, ACCESS_DENIED while membership propagates, as
//     hashicorp/terraform-provider-aws's inspector2 enabler retries them), for
//     InspectorEnablerIAMWaitSeconds.
//   - A status read straight after Enable may show the state before it (Terraform's enabler waits
//     10 s before its first read, and reads an account ENABLED with every resource DISABLED as in
//     progress): the enabler waits a poll before each read, and takes DISABLED as final only
//     InspectorEnablerGraceSeconds after Enable.
//   - CloudFormation runs a custom resource when the stack creates or deletes it and when its
//     properties change ("AWS::CloudFormation::CustomResource"), not on every deploy: Inspector
//     switched off later stays off until make doctor's Inspector row says to switch it on.
const (
	// InspectorEnablerTimeoutSeconds is the function's timeout: the wait for ENABLED, within
	// Lambda's 900 s.
	InspectorEnablerTimeoutSeconds = 600
	// InspectorEnablerServiceTimeoutSeconds is the custom resource's ServiceTimeout: longer than
	// the function runs, far shorter than CloudFormation's default hour should it never answer.
	InspectorEnablerServiceTimeoutSeconds = 900
	// InspectorEnablerPollSeconds is how often it asks for the status; the IAM wait and the time
	// kept back to answer are the environment's too.
	InspectorEnablerPollSeconds     = 10
	InspectorEnablerIAMWaitSeconds  = 120
	InspectorEnablerGraceSeconds    = 60
	InspectorEnablerGraceEnv        = "GRACE_SECONDS"
	InspectorEnablerAnswerSeconds   = 30
	InspectorEnablerPollEnv         = "POLL_SECONDS"
	InspectorEnablerIAMWaitEnv      = "IAM_WAIT_SECONDS"
	InspectorEnablerAnswerEnv       = "ANSWER_SECONDS"
	InspectorEnablerAccountProperty = "Account"
	InspectorEnablerResourceType    = "Custom::InspectorEnabler"
	InspectorEnablerHandler         = "index.handler"
)

// InspectorEnablerScript is inspectorenabler.py, the function's inline code.
//
//go:embed inspectorenabler.py
var InspectorEnablerScript string
