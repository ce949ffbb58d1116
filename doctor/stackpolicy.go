package doctor

import (
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/cfnupdate"
)

// stackPolicy is a CloudFormation stack policy document, evaluated the way "Prevent updates to
// stack resources" (AWS CloudFormation User Guide, read 2026-12-06) describes it: once a policy is
// set, an update action on a resource is denied unless a statement allows it, and an explicit Deny
// overrides any Allow. Statements name actions (Update:Modify, Update:Replace, Update:Delete,
// Update:*) in Action or NotAction, resources ("LogicalResourceId/ID", wildcards allowed) in
// Resource or NotResource, and may narrow by resource type with the StringEquals or StringLike
// condition on ResourceType.
type stackPolicy struct {
	Statement []policyStatement `json:"Statement"`
}

type policyStatement struct {
	Effect      string         `json:"Effect"`
	Action      stringList     `json:"Action"`
	NotAction   stringList     `json:"NotAction"`
	Resource    stringList     `json:"Resource"`
	NotResource stringList     `json:"NotResource"`
	Condition   map[string]any `json:"Condition"`
}

// stringList is a policy element that is a string or a list of strings.
type stringList []string

func (l *stringList) UnmarshalJSON(data []byte) error {
	var one string
	if json.Unmarshal(data, &one) == nil {
		*l = stringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(data, &many); err != nil {
		return fmt.Errorf("not a string or a list of strings: %s", data)
	}
	*l = many
	return nil
}

// wildcard matches value against a pattern with * and ? (path.Match treats / specially, and
// neither policy action names nor logical ids contain one after the prefix).
func wildcard(pattern, value string) bool {
	if pattern == "*" {
		return true
	}
	ok, err := path.Match(strings.ReplaceAll(pattern, "/", "\x00"), strings.ReplaceAll(value, "/", "\x00"))
	return err == nil && ok
}

func anyMatch(patterns []string, value string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return wildcard(p, value) })
}

// applies tells whether a statement covers an action on a resource.
func (s policyStatement) applies(action, logicalId, resourceType string) bool {
	switch {
	case len(s.Action) > 0 && !anyMatch(s.Action, action), len(s.NotAction) > 0 && anyMatch(s.NotAction, action):
		return false
	}
	resource := "LogicalResourceId/" + logicalId
	switch {
	case len(s.Resource) > 0 && !anyMatch(s.Resource, resource), len(s.NotResource) > 0 && anyMatch(s.NotResource, resource):
		return false
	}
	for operator, keys := range s.Condition {
		values, _ := keys.(map[string]any)
		for key, v := range values {
			if key != "ResourceType" {
				return false // a condition this evaluator does not know: assume it does not apply
			}
			var list stringList
			data, _ := json.Marshal(v)
			if list.UnmarshalJSON(data) != nil {
				return false
			}
			switch operator {
			case "StringEquals":
				if !slices.Contains(list, resourceType) {
					return false
				}
			case "StringLike":
				if !anyMatch(list, resourceType) {
					return false
				}
			default:
				return false
			}
		}
	}
	return true
}

// allows tells whether the policy lets an update perform action on the resource.
func (p stackPolicy) allows(action, logicalId, resourceType string) bool {
	allowed := false
	for _, s := range p.Statement {
		if !s.applies(action, logicalId, resourceType) {
			continue
		}
		if s.Effect == "Deny" {
			return false
		}
		allowed = allowed || s.Effect == "Allow"
	}
	return allowed
}

// unprotected are the stack's resources of a protected type (cfnupdate.ProtectedTypes, what make
// deploy's policy guards) that the policy lets an update replace or delete, as "ID (TYPE): ACTIONS".
func (p stackPolicy) unprotected(resources []stackResource) []string {
	var out []string
	for _, r := range resources {
		if !slices.Contains(cfnupdate.ProtectedTypes(), r.ResourceType) {
			continue
		}
		var actions []string
		for _, action := range []string{"Update:Replace", "Update:Delete"} {
			if p.allows(action, r.LogicalResourceId, r.ResourceType) {
				actions = append(actions, action)
			}
		}
		if len(actions) > 0 {
			out = append(out, fmt.Sprintf("%s (%s) %s", r.LogicalResourceId, r.ResourceType, strings.Join(actions, ", ")))
		}
	}
	slices.Sort(out)
	return out
}
