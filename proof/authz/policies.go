package authz

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Source of the managed policy documents below, as read on 2026-11-27.
const managedPolicyPage = `"AWS Managed Policy Reference" (docs.aws.amazon.com/aws-managed-policy), read 2026-11-27`

// managedPolicies are the AWS managed policies the templates attach, as the AWS Managed Policy
// Reference prints their default versions: AmazonSSMManagedInstanceCore v2 (edited 2019-05-23)
// and AWSLambdaBasicExecutionRole. A template attaching any other managed policy is reported as
// unmodelled rather than evaluated without it.
var managedPolicies = map[string]map[string]any{
	"AmazonSSMManagedInstanceCore": policy(
		allow("ssm:DescribeAssociation", "ssm:GetDeployablePatchSnapshotForInstance", "ssm:GetDocument", "ssm:DescribeDocument",
			"ssm:GetManifest", "ssm:GetParameter", "ssm:GetParameters", "ssm:ListAssociations", "ssm:ListInstanceAssociations",
			"ssm:PutInventory", "ssm:PutComplianceItems", "ssm:PutConfigurePackageResult", "ssm:UpdateAssociationStatus",
			"ssm:UpdateInstanceAssociationStatus", "ssm:UpdateInstanceInformation"),
		allow("ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"),
		allow("ec2messages:AcknowledgeMessage", "ec2messages:DeleteMessage", "ec2messages:FailMessage", "ec2messages:GetEndpoint",
			"ec2messages:GetMessages", "ec2messages:SendReply"),
	),
	"service-role/AWSLambdaBasicExecutionRole": policy(allow("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")),
}

// boundaryPolicies are AWS managed policies authz evaluates as a role's permissions boundary
// (boundary) only: attached to a role they stay unknown (UnknownManagedPolicies), since the
// templates attach neither.
var boundaryPolicies = map[string]map[string]any{
	// AdministratorAccess v1 (created 2015-02-06): the common "a boundary is required, nothing is
	// capped" choice. Its reference page was not among the search's pages; its document as
	// get-policy-version prints it (cloudy-native/aws-managed-policies,
	// policies/AdministratorAccess.md, read 2026-12-07), and the IAM User Guide's job functions:
	// "AdministratorAccess - Provides full access to AWS services and resources".
	"AdministratorAccess": policy(allow("*")),
	// AmazonSSMReadOnlyAccess v1 (edited 2015-05-29), "AmazonSSMReadOnlyAccess - AWS Managed
	// Policy" (docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonSSMReadOnlyAccess.html,
	// read 2026-12-07): mutation run 24's B18 bounded the fleet role by it, which denies the agent's
	// writes (ssm:UpdateInstanceInformation), so its rows are judged, and denied.
	"AmazonSSMReadOnlyAccess": policy(allow("ssm:Describe*", "ssm:Get*", "ssm:List*")),
}

func allow(actions ...string) map[string]any {
	list := make([]any, len(actions))
	for i, a := range actions {
		list[i] = a
	}
	return map[string]any{"Effect": "Allow", "Action": list, "Resource": "*"}
}

func policy(statements ...map[string]any) map[string]any {
	list := make([]any, len(statements))
	for i, s := range statements {
		list[i] = s
	}
	return map[string]any{"Version": "2012-10-17", "Statement": list}
}

// Resource is one resource of the synthesised stacks.
type Resource struct {
	Stack, LogicalID string
}

func (r Resource) String() string { return r.LogicalID }

// model holds the stacks with their resolver.
type model struct {
	resolver
}

func (m model) properties(r Resource) map[string]any {
	res, _ := m.resource(r.Stack, r.LogicalID)
	props, _ := res["Properties"].(map[string]any)
	return props
}

// find returns the resources of resourceType whose logical id starts with prefix, in stack and
// logical-id order.
func (m model) find(resourceType, prefix string) []Resource {
	var out []Resource
	for _, stack := range slices.Sorted(maps.Keys(m.stacks)) {
		resources, _ := m.stacks[stack]["Resources"].(map[string]any)
		for _, id := range slices.Sorted(maps.Keys(resources)) {
			res, _ := resources[id].(map[string]any)
			if res["Type"] == resourceType && strings.HasPrefix(id, prefix) {
				out = append(out, Resource{stack, id})
			}
		}
	}
	return out
}

func (m model) first(resourceType, prefix string) (Resource, bool) {
	found := m.find(resourceType, prefix)
	if len(found) == 0 {
		return Resource{}, false
	}
	return found[0], true
}

// identityPolicies returns the resolved policies attached to role: its inline policies,
// AWS::IAM::Policy resources of any stack naming it, and its managed policies.
func (m model) identityPolicies(role Resource) ([]namedPolicy, error) {
	name := m.name(role.Stack, role.LogicalID)
	props := m.properties(role)
	var out []namedPolicy
	inline, _ := props["Policies"].([]any)
	for i, p := range inline {
		p, _ := p.(map[string]any)
		out = append(out, namedPolicy{fmt.Sprint(p["PolicyName"]), m.value(role.Stack, p["PolicyDocument"]), origin(role, fmt.Sprintf("Policies/%d", i))})
	}
	for _, p := range m.find("AWS::IAM::Policy", "") {
		roles, _ := m.value(p.Stack, m.properties(p)["Roles"]).([]any)
		if slices.ContainsFunc(roles, func(r any) bool { return fmt.Sprint(r) == name }) {
			out = append(out, namedPolicy{p.LogicalID, m.value(p.Stack, m.properties(p)["PolicyDocument"]), origin(p, "PolicyDocument")})
		}
	}
	for _, policyName := range m.managedPolicyNames(role) {
		document, ok := managedPolicies[policyName]
		if !ok { // never evaluated as an empty policy: UnknownManagedPolicies names it first
			return nil, fmt.Errorf("%s/%s attaches managed policy arn:aws:iam::aws:policy/%s, whose document authz does not hold: add it to managedPolicies", role.Stack, role, policyName)
		}
		out = append(out, namedPolicy{Name: policyName, Policy: document}) // AWS's: not mutated
	}
	return out, nil
}

// managedPolicyNames are the names (the part after :policy/) of the managed policies role
// attaches.
func (m model) managedPolicyNames(role Resource) []string {
	var names []string
	managed, _ := m.value(role.Stack, m.properties(role)["ManagedPolicyArns"]).([]any)
	for _, arn := range managed {
		names = append(names, fmt.Sprint(arn)[strings.Index(fmt.Sprint(arn), ":policy/")+len(":policy/"):])
	}
	return names
}

// boundary is role's permissions boundary, the policy that caps what its identity policies grant:
// "An entity's permissions boundary allows it to perform only the actions that are allowed by both
// its identity-based policies and its permissions boundaries" ("Permissions boundaries for IAM
// entities", IAM User Guide, read 2026-12-07). The evaluator intersects it (permissionBoundaryPolicies).
//   - A managed policy of the stacks (Ref, or GetAtt PolicyArn, of an AWS::IAM::ManagedPolicy), or an
//     AWS managed policy whose document managedPolicies holds: its document (mutation run 24's B18,
//     the fleet role bounded by AmazonSSMReadOnlyAccess, is then denied by the rows themselves).
//   - Another AWS managed policy: an error, as for an attached one (UnknownManagedPolicies). A
//     boundary of privatepatch's roles is the organisation's own; an AWS managed one authz lacks is
//     almost surely a mistake, and its public document can be added here.
//   - Any other (an organisation's customer managed boundary, such as CDK's
//     @aws-cdk/core:permissionsBoundary emits): unknown, its document is in the account, not the
//     templates. notJudged says so, and the role's rows are evaluated without it and not judged.
//
// None (nil, "") where the role has no boundary.
func (m model) boundary(role Resource) (bound []namedPolicy, notJudged string, err error) {
	raw, ok := m.properties(role)["PermissionsBoundary"]
	if !ok {
		return nil, "", nil
	}
	intrinsic, _ := raw.(map[string]any)
	id, _ := intrinsic["Ref"].(string)
	if att, isAtt := intrinsic["Fn::GetAtt"].([]any); isAtt && len(att) == 2 && att[1] == "PolicyArn" {
		id = fmt.Sprint(att[0])
	}
	if res, found := m.resource(role.Stack, id); found && id != "" && res["Type"] == "AWS::IAM::ManagedPolicy" {
		return []namedPolicy{{Name: "PermissionsBoundary " + id, Policy: m.value(role.Stack, m.properties(Resource{role.Stack, id})["PolicyDocument"])}}, "", nil
	}
	arn := fmt.Sprint(m.value(role.Stack, raw))
	if prefix := ":iam::aws:policy/"; strings.Contains(arn, prefix) {
		name := arn[strings.Index(arn, prefix)+len(prefix):]
		document, known := managedPolicies[name]
		if !known {
			document, known = boundaryPolicies[name]
		}
		if known {
			return []namedPolicy{{Name: "PermissionsBoundary " + name, Policy: document}}, "", nil
		}
		return nil, "", fmt.Errorf("%s/%s has permissions boundary %s, an AWS managed policy whose document authz does not hold: its rows would be decided without the boundary, which caps every grant of the role (add it to managedPolicies)", role.Stack, role, arn)
	}
	return nil, "permissions boundary " + arn + " is not in these templates", nil
}

// BoundaryNotes names each role of the deployment whose permissions boundary is not in the
// templates (boundary): its rows are not judged, the rest of the deployment is.
func BoundaryNotes(d Deployment) []string {
	m := model{resolver{env: d.Env, stacks: d.Stacks}}
	var out []string
	for _, role := range m.find("AWS::IAM::Role", "") {
		if _, notJudged, err := m.boundary(role); err == nil && notJudged != "" {
			out = append(out, fmt.Sprintf("%s/%s: %s: the rows of this role are not judged", role.Stack, role.LogicalID, notJudged))
		}
	}
	return out
}

// UnknownManagedPolicies names each AWS managed policy a role of the deployment attaches, or has as
// its permissions boundary, whose document authz does not hold (managedPolicies, boundary): the
// stacks use none such, and what it grants or caps cannot be evaluated, so Evaluate and Prove
// refuse such a deployment (mutation run 19's B19: AmazonEC2RoleforSSM, s3:* on every bucket among
// much else, stopped verify with that error, naming the wrong stack; verify now names it as a
// problem and leaves that deployment's calls unevaluated).
func UnknownManagedPolicies(d Deployment) []string {
	m := model{resolver{env: d.Env, stacks: d.Stacks}}
	var out []string
	for _, role := range m.find("AWS::IAM::Role", "") {
		for _, name := range m.managedPolicyNames(role) {
			if _, ok := managedPolicies[name]; !ok {
				out = append(out, fmt.Sprintf("%s/%s attaches managed policy %s, which the stacks never attach and whose grants are not evaluated", role.Stack, role.LogicalID, name))
			}
		}
		if _, _, err := m.boundary(role); err != nil {
			out = append(out, err.Error())
		}
	}
	return out
}

// resourcePolicy returns the resolved policy that policyType (AWS::S3::BucketPolicy,
// AWS::SNS::TopicPolicy) attaches to target through property (Bucket, Topics), or none.
func (m model) resourcePolicy(policyType, property string, target Resource) Doc {
	targetRef := m.ref(target.Stack, target.LogicalID)
	for _, p := range m.find(policyType, "") {
		attached := m.value(p.Stack, m.properties(p)[property])
		list, isList := attached.([]any)
		if !isList {
			list = []any{attached}
		}
		if slices.ContainsFunc(list, func(a any) bool { return fmt.Sprint(a) == targetRef }) {
			return Doc{origin(p, "PolicyDocument"), m.value(p.Stack, m.properties(p)["PolicyDocument"])}
		}
	}
	return Doc{}
}

// functionPolicy returns the resource-based policy of a Lambda function, as Lambda writes it from
// the function's AWS::Lambda::Permission resources: one statement each, Sid the permission's
// logical id, the principal, action and function, and SourceArn as "ArnLike" "AWS:SourceArn",
// SourceAccount as "StringEquals" "AWS:SourceAccount" (the statement add-permission prints in
// "Granting Lambda function access to AWS services", AWS Lambda Developer Guide, read
// 2026-12-06). Policy nil when the function has no permission.
func (m model) functionPolicy(function Resource) Doc {
	arn, name := m.getAtt(function.Stack, function.LogicalID, "Arn"), m.ref(function.Stack, function.LogicalID)
	var statements []any
	for _, p := range m.find("AWS::Lambda::Permission", "") {
		props, _ := m.value(p.Stack, m.properties(p)).(map[string]any)
		if target := fmt.Sprint(props["FunctionName"]); target != arn && target != name {
			continue
		}
		principal := map[string]any{"AWS": props["Principal"]}
		if strings.HasSuffix(fmt.Sprint(props["Principal"]), ".amazonaws.com") {
			principal = map[string]any{"Service": props["Principal"]}
		}
		statement := map[string]any{"Sid": p.LogicalID, "Effect": "Allow", "Principal": principal, "Action": props["Action"], "Resource": arn}
		condition := map[string]any{}
		if props["SourceArn"] != nil {
			condition["ArnLike"] = map[string]any{"AWS:SourceArn": props["SourceArn"]}
		}
		if props["SourceAccount"] != nil {
			condition["StringEquals"] = map[string]any{"AWS:SourceAccount": props["SourceAccount"]}
		}
		if len(condition) > 0 {
			statement["Condition"] = condition
		}
		statements = append(statements, statement)
	}
	if len(statements) == 0 {
		return Doc{}
	}
	return Doc{origin(function, "Permissions"), map[string]any{"Version": "2012-10-17", "Statement": statements}}
}

// keyPolicy returns the resolved key policy of a KMS key.
func (m model) keyPolicy(key Resource) Doc {
	return Doc{origin(key, "KeyPolicy"), m.value(key.Stack, m.properties(key)["KeyPolicy"])}
}

// trustPolicy returns the resolved trust policy of a role.
func (m model) trustPolicy(role Resource) Doc {
	return Doc{origin(role, "AssumeRolePolicyDocument"), m.value(role.Stack, m.properties(role)["AssumeRolePolicyDocument"])}
}

// s3EndpointPolicy returns the policy of the S3 gateway endpoint, or none (Policy nil) where there is none.
func (m model) s3EndpointPolicy() Doc {
	for _, ep := range m.find("AWS::EC2::VPCEndpoint", "") {
		props := m.properties(ep)
		if props["VpcEndpointType"] == "Gateway" && strings.Contains(fmt.Sprint(m.value(ep.Stack, props["ServiceName"])), ".s3") {
			if props["PolicyDocument"] == nil {
				return Doc{}
			}
			return Doc{origin(ep, "PolicyDocument"), anyPrincipalAsStar(m.value(ep.Stack, props["PolicyDocument"]))}
		}
	}
	return Doc{}
}

type namedPolicy struct {
	Name   string `json:"name"`
	Policy any    `json:"policy"`
	// Origin is where the policy is written in the templates (see Doc), empty for AWS's.
	Origin string `json:"-"`
}

// Doc is a resolved policy and where the templates write it: "STACK/LOGICALID/PROPERTY" (the
// property PolicyDocument, KeyPolicy, AssumeRolePolicyDocument, Policies/N, or Permissions: a
// function's policy made of its AWS::Lambda::Permission resources), or empty for a
// policy that is not in the templates (AWS's buckets, an outsider's own policy). Only policies
// with an origin are mutated (see Mutation).
type Doc struct {
	Origin string
	Policy any
}

func origin(r Resource, property string) string { return r.Stack + "/" + r.LogicalID + "/" + property }

// anyPrincipalAsStar writes CDK's AnyPrincipal ({"AWS": "*"}) in an endpoint policy as "*", the
// form the evaluator accepts there. For the signed requests evaluated here the two match the same
// principals; they differ only for anonymous requests, which no call here makes.
func anyPrincipalAsStar(document any) any {
	doc, _ := document.(map[string]any)
	statements, _ := doc["Statement"].([]any)
	for _, s := range statements {
		if st, ok := s.(map[string]any); ok && fmt.Sprint(st["Principal"]) == fmt.Sprint(map[string]any{"AWS": "*"}) {
			st["Principal"] = "*"
		}
	}
	return document
}
