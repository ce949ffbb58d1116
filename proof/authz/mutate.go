package authz

import (
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
)

// Mutation is one change to a policy the templates write, which some row must notice: a statement
// removed, or one entry of its Action or Resource list, or one of its conditions. Removing an Allow
// statement, action or resource must turn a needed call denied; removing a Deny statement or a
// condition of an Allow must turn a forbidden call allowed; removing a condition of a Deny must
// turn a needed call denied. Whichever: some row turns wrong, or the statement, entry or condition
// is one nothing needs (excess privilege, or a protection no row tests).
//
// AWS managed policies are not mutated (they are AWS's, attached whole), nor are the policies that
// stand for what is not in the templates (AWS's buckets, an outsider's or administrator's own).
type Mutation struct {
	// Origin is where the policy is written: STACK/LOGICALID/PROPERTY (see Doc).
	Origin    string
	Statement int    // its index in the policy's Statement list
	Sid       string // the statement's Sid, if it has one
	Effect    string
	// Kind is what is removed: "statement", "action", "resource" or "condition".
	Kind string
	// Element is the action, resource or condition (OPERATOR KEY) removed.
	Element string
	// actions are the statement's Action patterns (nil for NotAction).
	actions []string
}

// canCatch tells whether the mutation can turn call wrong, so that only those calls are evaluated
// again: narrowing an Allow (removing it, an action or a resource) or widening a Deny (removing
// one of its conditions) can only deny more, which only a needed call notices; removing a Deny or
// a condition of an Allow can only allow more, which only a forbidden call notices. Either way the
// call's action must be one the statement names.
func (mu Mutation) canCatch(c Call) bool {
	narrows := (mu.Effect == "Allow") != (mu.Kind == "condition")
	if narrows != c.Required {
		return false
	}
	if mu.actions == nil {
		return true
	}
	if mu.Kind == "action" {
		return actionMatches(mu.Element, c.Action)
	}
	return slices.ContainsFunc(mu.actions, func(p string) bool { return actionMatches(p, c.Action) })
}

// actionMatches matches an IAM action pattern (with * and ?) against an action, ignoring case.
func actionMatches(pattern, action string) bool {
	p, a := strings.ToLower(pattern), strings.ToLower(action)
	if !strings.ContainsAny(p, "*?") {
		return p == a
	}
	ok, err := path.Match(p, a)
	return err == nil && ok
}

func (mu Mutation) String() string {
	statement := fmt.Sprintf("statement #%d", mu.Statement+1)
	if mu.Sid != "" {
		statement = "statement " + mu.Sid
	}
	what := fmt.Sprintf("remove the %s %s", mu.Effect, statement)
	if mu.Kind != "statement" {
		what = fmt.Sprintf("remove %s %s from the %s %s", mu.Kind, mu.Element, mu.Effect, statement)
	}
	return mu.Origin + ": " + what
}

// MutationResult is a mutation and the rows that turned wrong with it.
type MutationResult struct {
	Mutation
	Caught []Result
}

// policyProperties are the properties of each resource type that hold a policy document.
var policyProperties = map[string][]string{
	"AWS::IAM::Policy":        {"PolicyDocument"},
	"AWS::IAM::ManagedPolicy": {"PolicyDocument"},
	"AWS::S3::BucketPolicy":   {"PolicyDocument"},
	"AWS::SNS::TopicPolicy":   {"PolicyDocument"},
	"AWS::SQS::QueuePolicy":   {"PolicyDocument"},
	"AWS::EC2::VPCEndpoint":   {"PolicyDocument"},
	"AWS::KMS::Key":           {"KeyPolicy"},
	"AWS::IAM::Role":          {"AssumeRolePolicyDocument"},
}

// Mutations lists every mutation of every policy the stacks write, in stack, resource and
// statement order.
func Mutations(stacks Stacks, env Env) []Mutation {
	m := model{resolver{env: env, stacks: stacks}}
	var out []Mutation
	for _, stack := range slices.Sorted(maps.Keys(stacks)) {
		resources, _ := stacks[stack]["Resources"].(map[string]any)
		for _, id := range slices.Sorted(maps.Keys(resources)) {
			res, _ := resources[id].(map[string]any)
			resourceType, _ := res["Type"].(string)
			r := Resource{stack, id}
			props := m.properties(r)
			docs := map[string]any{}
			for _, property := range policyProperties[resourceType] {
				if props[property] != nil {
					docs[property] = props[property]
				}
			}
			if resourceType == "AWS::Lambda::Function" {
				// The function's resource-based policy, from its permissions (functionPolicy).
				if doc := m.functionPolicy(r); doc.Policy != nil {
					docs["Permissions"] = doc.Policy
				}
			}
			if resourceType == "AWS::IAM::Role" {
				inline, _ := props["Policies"].([]any)
				for i, p := range inline {
					p, _ := p.(map[string]any)
					docs[fmt.Sprintf("Policies/%d", i)] = p["PolicyDocument"]
				}
			}
			for _, property := range slices.Sorted(maps.Keys(docs)) {
				out = append(out, documentMutations(origin(r, property), m.value(stack, docs[property]))...)
			}
		}
	}
	return out
}

func documentMutations(origin string, document any) []Mutation {
	doc, _ := document.(map[string]any)
	var out []Mutation
	for i, s := range statementList(doc) {
		st, _ := s.(map[string]any)
		sid, _ := st["Sid"].(string)
		effect, _ := st["Effect"].(string)
		base := Mutation{Origin: origin, Statement: i, Sid: sid, Effect: effect}
		switch actions := st["Action"].(type) {
		case string:
			base.actions = []string{actions}
		case []any:
			for _, a := range actions {
				base.actions = append(base.actions, fmt.Sprint(a))
			}
		}
		add := func(kind, element string) {
			mu := base
			mu.Kind, mu.Element = kind, element
			out = append(out, mu)
		}
		add("statement", "")
		if effect == "Allow" {
			for _, field := range []string{"Action", "Resource"} {
				if list, ok := st[field].([]any); ok && len(list) > 1 {
					for _, entry := range list {
						add(strings.ToLower(field), fmt.Sprint(entry))
					}
				}
			}
		}
		conditions, _ := st["Condition"].(map[string]any)
		for _, operator := range slices.Sorted(maps.Keys(conditions)) {
			keys, _ := conditions[operator].(map[string]any)
			for _, key := range slices.Sorted(maps.Keys(keys)) {
				add("condition", operator+" "+key)
			}
		}
	}
	return out
}

func statementList(doc map[string]any) []any {
	switch list := doc["Statement"].(type) {
	case []any:
		return list
	case map[string]any:
		return []any{list}
	}
	return nil
}

// apply returns a copy of the resolved policy document with the mutation made.
func (mu Mutation) apply(document any) any {
	data, _ := json.Marshal(document)
	var doc map[string]any
	_ = json.Unmarshal(data, &doc)
	list := statementList(doc)
	if mu.Statement >= len(list) {
		return doc
	}
	if mu.Kind == "statement" {
		doc["Statement"] = slices.Delete(slices.Clone(list), mu.Statement, mu.Statement+1)
		return doc
	}
	st, _ := list[mu.Statement].(map[string]any)
	switch mu.Kind {
	case "action", "resource":
		field := map[string]string{"action": "Action", "resource": "Resource"}[mu.Kind]
		entries, _ := st[field].([]any)
		st[field] = slices.DeleteFunc(slices.Clone(entries), func(e any) bool { return fmt.Sprint(e) == mu.Element })
	case "condition":
		operator, key, _ := strings.Cut(mu.Element, " ")
		conditions, _ := st["Condition"].(map[string]any)
		keys, _ := conditions[operator].(map[string]any)
		delete(keys, key)
		if len(keys) == 0 {
			delete(conditions, operator)
		}
		if len(conditions) == 0 {
			delete(st, "Condition")
		}
	}
	doc["Statement"] = list
	return doc
}

// Unjustified returns the mutations no row noticed that are not Accepted.
func Unjustified(results []MutationResult) []MutationResult {
	var out []MutationResult
	for _, r := range results {
		if len(r.Caught) == 0 && r.Acceptance() == "" {
			out = append(out, r)
		}
	}
	return out
}
