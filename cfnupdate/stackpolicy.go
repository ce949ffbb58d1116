package cfnupdate

import (
	"encoding/json"
	"maps"
	"slices"
)

// ProtectedTypes are the stateful types (StatefulTypes) that a stack policy guards: all but
// instances. The WSUS server is replaced on purpose in two documented steps (its update store,
// a volume, is kept and stays protected), and fleet instances hold no data of their own.
func ProtectedTypes() []string {
	var out []string
	for t := range maps.Keys(StatefulTypes) {
		if t != "AWS::EC2::Instance" {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// PolicyStatement is one statement of a CloudFormation stack policy.
type PolicyStatement struct {
	Effect    string         `json:"Effect"`
	Action    any            `json:"Action"`
	Principal string         `json:"Principal"`
	Resource  string         `json:"Resource"`
	Condition map[string]any `json:"Condition,omitempty"`
}

// StackPolicy is the stack policy make deploy sets on a stack: deny replacing or deleting (in an
// update) any resource of a protected type the template declares, allow every other update.
//
// The format ("Prevent updates to stack resources", AWS CloudFormation User Guide, read
// 2026-11-27): once a stack policy is set, "any update not explicitly allowed is denied", so the
// policy allows Update:* on "*"; a Deny overrides an Allow; Update:Replace and Update:Delete are the
// actions that recreate or remove a resource; Principal supports only "*"; the Condition
// StringEquals ResourceType names resource types. A policy cannot be removed from a stack, only
// replaced (set-stack-policy), and it applies to updates only: deleting the stack is what
// termination protection guards.
func StackPolicy(template map[string]any) []PolicyStatement {
	present := map[string]bool{}
	resources, _ := template["Resources"].(map[string]any)
	for _, r := range resources {
		if r, ok := r.(map[string]any); ok {
			if t, _ := r["Type"].(string); t != "" {
				present[t] = true
			}
		}
	}
	var types []string
	for _, t := range ProtectedTypes() {
		if present[t] {
			types = append(types, t)
		}
	}
	var policy []PolicyStatement
	if len(types) > 0 {
		policy = append(policy, PolicyStatement{Effect: "Deny", Action: []string{"Update:Replace", "Update:Delete"}, Principal: "*", Resource: "*",
			Condition: map[string]any{"StringEquals": map[string]any{"ResourceType": types}}})
	}
	return append(policy, PolicyStatement{Effect: "Allow", Action: "Update:*", Principal: "*", Resource: "*"})
}

// StackPolicyJSON is the policy document set-stack-policy takes (--stack-policy-body).
func StackPolicyJSON(template map[string]any) ([]byte, error) {
	return json.MarshalIndent(map[string]any{"Statement": StackPolicy(template)}, "", "  ")
}
