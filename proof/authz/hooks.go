package authz

import (
	"fmt"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// hooksPage: AWS-RunPatchBaselineWithHooks runs AWS-RunPatchBaseline and the hook documents
// (PreInstallHookDocName, PostInstallHookDocName, OnExitHookDocName: "the name or ARN of an SSM
// document") on the node, as steps of its own ("if any of the aws:runDocument steps fail"):
// the window sends the wrapper only, and the node's agent reads each hook document
// (ssm:GetDocument, an action of AmazonSSMManagedInstanceCore on document*).
const hooksPage = `"About the AWS-RunPatchBaselineWithHooks SSM document" (its hooks are aws:runDocument steps on the node), AWS Systems Manager User Guide; ` +
	ssmActionsPage

// hookParameters are the wrapper's parameters naming a hook document.
var hookParameters = []string{"PreInstallHookDocName", "PostInstallHookDocName", "OnExitHookDocName"}

// hookWindowCalls are the window role's rows for AWS-RunPatchBaselineWithHooks: it may send the
// wrapper exactly when one of its tasks runs it.
func hookWindowCalls(m model, role Resource, caller string) []Call {
	uses := taskOf(m, role, func(task map[string]any) bool { return fmt.Sprint(task["TaskArn"]) == "AWS-RunPatchBaselineWithHooks" })
	source := hooksPage
	if !uses {
		source += " (no task of this window has hooks)"
	}
	return []Call{{Caller: caller, Principal: Principal{Role: role}, Action: "ssm:SendCommand",
		Resource:    fmt.Sprintf("arn:%s:ssm:%s::document/AWS-RunPatchBaselineWithHooks", m.env.Partition, m.env.Region),
		AwsOwnedArn: true, Required: uses, Source: source}}
}

// hookDocumentCalls are the reads of every hook document a task names by the created nodes'
// roles (the fleet's instance groups, the WSUS server, hybrid nodes; instances of yours read it
// with their own profile): one the stacks create (its ARN in this account), an AWS-owned one
// (AWS-..., no account) or another named one.
func hookDocumentCalls(m model) []Call {
	var documents []string
	for _, task := range m.find("AWS::SSM::MaintenanceWindowTask", "") {
		props, _ := m.value(task.Stack, m.properties(task)).(map[string]any)
		if fmt.Sprint(props["TaskArn"]) != "AWS-RunPatchBaselineWithHooks" {
			continue
		}
		parameters := cfntemplate.Parameters(cfntemplate.RunCommand(props))
		for _, p := range hookParameters {
			values, _ := parameters[p].([]any)
			for _, v := range values {
				if name := fmt.Sprint(v); !slices.Contains(documents, name) {
					documents = append(documents, name)
				}
			}
		}
	}
	var calls []Call
	for _, prefix := range []string{"FleetRole", "WsusRole", "SecurityHybridRole"} {
		role, ok := m.first("AWS::IAM::Role", prefix)
		if !ok {
			continue
		}
		for _, name := range documents {
			arn, awsOwned := m.documentArn(name)
			calls = append(calls, Call{Caller: "node running a patch hook (" + prefix + "), its SSM Agent", Principal: Principal{Role: role},
				Action: "ssm:GetDocument", Resource: arn, AwsOwnedArn: awsOwned, Required: true, Source: hooksPage})
		}
	}
	return calls
}

// documentArn is the ARN of the document name: itself when it is one, without an account for
// an AWS-owned one (AWS-...).
func (m model) documentArn(name string) (arn string, awsOwned bool) {
	switch {
	case strings.HasPrefix(name, "arn:"):
		return name, false
	case strings.HasPrefix(name, "AWS-"):
		return fmt.Sprintf("arn:%s:ssm:%s::document/%s", m.env.Partition, m.env.Region, name), true
	}
	return fmt.Sprintf("arn:%s:ssm:%s:%s:document/%s", m.env.Partition, m.env.Region, m.env.Account, name), false
}
