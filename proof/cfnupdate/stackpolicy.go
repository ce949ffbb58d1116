package cfnupdate

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// ProtectedTypes are the stateful types (StatefulTypes) that a stack policy guards: all but
// instances and Elastic IPs. The WSUS server is replaced on purpose in two documented steps (its
// update store, a volume, is kept and stays protected), and fleet instances hold no data of their
// own. A policy names types, and a NAT gateway's Elastic IP (not Stateful) goes when
// network.natGateways shrinks; the WSUS server's is retained, so its removal would be allowed
// anyway, and check-update names its replacement.
func ProtectedTypes() []string {
	var out []string
	for t := range maps.Keys(StatefulTypes) {
		if t != "AWS::EC2::Instance" && t != "AWS::EC2::EIP" {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// PolicyStatement is one statement of a CloudFormation stack policy. Action and Resource are a
// string or a list of strings.
type PolicyStatement struct {
	Effect      string         `json:"Effect"`
	Action      any            `json:"Action,omitempty"`
	NotAction   any            `json:"NotAction,omitempty"`
	Principal   string         `json:"Principal"`
	Resource    any            `json:"Resource,omitempty"`
	NotResource any            `json:"NotResource,omitempty"`
	Condition   map[string]any `json:"Condition,omitempty"`
}

// Stack policy facts ("Prevent updates to stack resources", AWS CloudFormation User Guide, read
// 2026-11-27 and 2026-12-06): once a stack policy is set, "any update not explicitly allowed is
// denied"; a Deny overrides an Allow; the actions are Update:Modify, Update:Replace,
// Update:Delete ("actions that remove resources from the stack": removing a resource from the
// template, whatever its DeletionPolicy; the policy has no condition on DeletionPolicy) and
// Update:*; Resource is "*" or LogicalResourceId/ID; Principal supports only "*"; the Condition
// StringEquals or StringLike ResourceType names resource types. A policy cannot be removed from a
// stack, only replaced (set-stack-policy), and it applies to updates only: deleting the stack is
// what termination protection guards.
const (
	UpdateModify  = "Update:Modify"
	UpdateReplace = "Update:Replace"
	UpdateDelete  = "Update:Delete"
)

// StackPolicy is the stack policy make deploy sets on a stack: deny replacing any resource of a
// protected type the template declares; deny removing (Update:Delete) those of them that the
// template does not retain, by logical ID; allow every other update.
//
// A resource with DeletionPolicy Retain (or RetainExceptOnCreate, Retained) keeps its data when the template drops it (the deployed
// template's DeletionPolicy decides, and this policy is set from the template just deployed), so
// its removal is allowed: turning off WSUS, flow logs, KMS output, the data sync, Inspector or the
// last CloudWatch-output task removes retained buckets, keys, log groups and volumes, and
// check-update passes that (the resources are left in the account, cfnupdate's orphans). Denying
// it would stop CloudFormation half-way through an update check-update approved. One statement
// per logical ID, with Resource a string: the form the page shows by example.
func StackPolicy(template map[string]any) []PolicyStatement {
	present := map[string]bool{}
	var notRetained []string
	resources, _ := template["Resources"].(map[string]any)
	protected := ProtectedTypes()
	for id, r := range resources {
		if r, ok := r.(map[string]any); ok {
			if t, _ := r["Type"].(string); t != "" {
				present[t] = true
				if slices.Contains(protected, t) && !Retained(r) {
					notRetained = append(notRetained, id)
				}
			}
		}
	}
	sort.Strings(notRetained)
	var types []string
	for _, t := range protected {
		if present[t] {
			types = append(types, t)
		}
	}
	var policy []PolicyStatement
	if len(types) > 0 {
		policy = append(policy, PolicyStatement{Effect: "Deny", Action: UpdateReplace, Principal: "*", Resource: "*",
			Condition: map[string]any{"StringEquals": map[string]any{"ResourceType": types}}})
	}
	for _, id := range notRetained {
		policy = append(policy, PolicyStatement{Effect: "Deny", Action: UpdateDelete, Principal: "*", Resource: "LogicalResourceId/" + id})
	}
	return append(policy, PolicyStatement{Effect: "Allow", Action: "Update:*", Principal: "*", Resource: "*"})
}

// StackPolicyJSON is the policy document set-stack-policy takes (--stack-policy-body).
func StackPolicyJSON(template map[string]any) ([]byte, error) {
	return json.MarshalIndent(map[string]any{"Statement": StackPolicy(template)}, "", "  ")
}

// ParseStackPolicy reads a stack policy document (get-stack-policy's StackPolicyBody). It
// refuses elements PolicyAllows cannot evaluate (conditions other than StringEquals/StringLike on
// ResourceType), rather than guess.
func ParseStackPolicy(body []byte) ([]PolicyStatement, error) {
	var doc struct {
		Statement []map[string]any `json:"Statement"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("a stack policy: %w", err)
	}
	var out []PolicyStatement
	for _, s := range doc.Statement {
		var st PolicyStatement
		for k, v := range s {
			switch k {
			case "Effect":
				st.Effect, _ = v.(string)
			case "Action":
				st.Action = v
			case "NotAction":
				st.NotAction = v
			case "Principal":
				st.Principal, _ = v.(string)
			case "Resource":
				st.Resource = v
			case "NotResource":
				st.NotResource = v
			case "Condition":
				c, _ := v.(map[string]any)
				for op, kv := range c {
					m, _ := kv.(map[string]any)
					for key := range m {
						if (op != "StringEquals" && op != "StringLike") || key != "ResourceType" {
							return nil, fmt.Errorf("a stack policy with a %s %s condition: only StringEquals/StringLike ResourceType is evaluated here", op, key)
						}
					}
				}
				st.Condition = c
			default:
				return nil, fmt.Errorf("a stack policy with %s: it is not evaluated here", k)
			}
		}
		out = append(out, st)
	}
	return out, nil
}

func strs(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []string:
		return v
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// PolicyAllows evaluates a stack policy as the page describes it: a matching Deny wins, else a
// matching Allow, else the update is denied. Action/NotAction and Resource/NotResource take
// wildcards (LogicalResourceId/Name*), as the page's examples do.
func PolicyAllows(policy []PolicyStatement, action, logicalID, resourceType string) bool {
	anyLike := func(patterns any, value string) bool {
		return slices.ContainsFunc(strs(patterns), func(p string) bool { return likeMatch(p, value) })
	}
	resource := "LogicalResourceId/" + logicalID
	matches := func(s PolicyStatement) bool {
		switch {
		case s.Action != nil && !anyLike(s.Action, action), s.NotAction != nil && anyLike(s.NotAction, action),
			s.Resource != nil && !anyLike(s.Resource, resource), s.NotResource != nil && anyLike(s.NotResource, resource):
			return false
		}
		for op, kv := range s.Condition {
			m, _ := kv.(map[string]any)
			ok := false
			for _, t := range strs(m["ResourceType"]) {
				if (op == "StringEquals" && t == resourceType) || (op == "StringLike" && likeMatch(t, resourceType)) {
					ok = true
				}
			}
			if !ok {
				return false
			}
		}
		return true
	}
	allow := false
	for _, s := range policy {
		if matches(s) {
			if s.Effect == "Deny" {
				return false
			}
			allow = allow || s.Effect == "Allow"
		}
	}
	return allow
}

// likeMatch is StringLike: * matches any run of characters, ? one.
func likeMatch(pattern, s string) bool {
	re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(pattern)) + "$"
	return regexp.MustCompile(re).MatchString(s)
}
