package test

import (
	"fmt"
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// resolve replaces the pseudo parameters and Fn::Join in a template value with what they are in
// account and region, so that a policy can be evaluated as AWS would.
func resolve(v any, account, region string) any {
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["Ref"]; ok && len(v) == 1 {
			switch ref {
			case "AWS::AccountId":
				return account
			case "AWS::Region":
				return region
			case "AWS::Partition":
				return "aws"
			}
			return v
		}
		if join, ok := v["Fn::Join"].([]any); ok && len(v) == 1 {
			var parts []string
			for _, p := range join[1].([]any) {
				parts = append(parts, fmt.Sprint(resolve(p, account, region)))
			}
			return strings.Join(parts, join[0].(string))
		}
		out := map[string]any{}
		for k, x := range v {
			out[k] = resolve(x, account, region)
		}
		return out
	case []any:
		var out []any
		for _, x := range v {
			out = append(out, resolve(x, account, region))
		}
		return out
	}
	return v
}

// serviceRequest is an AWS service calling an action on a resource for one of its own resources,
// with the request context keys the resource policy may test.
type serviceRequest struct {
	service, action string
	context         map[string]string
}

func strings1(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, fmt.Sprint(x))
		}
		return out
	}
	return nil
}

// globMatch is IAM's wildcard match (* and ?), case-sensitive as for ARNs; actions are compared
// case-insensitively by the caller.
func globMatch(pattern, value string) bool {
	ok, err := path.Match(strings.ReplaceAll(pattern, "/", "\x00"), strings.ReplaceAll(value, "/", "\x00"))
	return err == nil && ok
}

// conditionHolds evaluates the condition operators privatepatch's resource policies use.
func conditionHolds(condition map[string]any, ctx map[string]string) bool {
	for operator, keys := range condition {
		ifExists := strings.HasSuffix(operator, "IfExists")
		op := strings.TrimSuffix(operator, "IfExists")
		for key, want := range keys.(map[string]any) {
			got, present := ctx[key]
			if !present {
				if ifExists {
					continue
				}
				return false
			}
			matched := false
			for _, w := range strings1(want) {
				switch op {
				case "StringEquals", "ArnEquals", "Bool":
					matched = matched || w == got
				case "StringLike", "ArnLike":
					matched = matched || globMatch(w, got)
				default:
					panic("condition operator not modelled: " + operator)
				}
			}
			if !matched {
				return false
			}
		}
	}
	return true
}

func statementApplies(st map[string]any, r serviceRequest) bool {
	principalMatches := false
	switch p := st["Principal"].(type) {
	case string:
		principalMatches = p == "*"
	case map[string]any:
		for _, aws := range strings1(p["AWS"]) {
			principalMatches = principalMatches || aws == "*"
		}
		for _, service := range strings1(p["Service"]) {
			principalMatches = principalMatches || service == r.service
		}
	}
	actionMatches := false
	for _, a := range strings1(st["Action"]) {
		actionMatches = actionMatches || globMatch(strings.ToLower(a), strings.ToLower(r.action))
	}
	condition, _ := st["Condition"].(map[string]any)
	return principalMatches && actionMatches && conditionHolds(condition, r.context)
}

// allows evaluates a resolved resource policy for a service request: an explicit Deny wins,
// otherwise an Allow must apply (IAM's evaluation logic for the elements modelled here).
func allows(policy map[string]any, r serviceRequest) bool {
	allowed := false
	for _, s := range policy["Statement"].([]any) {
		st := s.(map[string]any)
		if !statementApplies(st, r) {
			continue
		}
		if st["Effect"] == "Deny" {
			return false
		}
		allowed = true
	}
	return allowed
}

func TestPolicyEvaluationRefusesWhatIamRefuses(t *testing.T) {
	policy := map[string]any{"Statement": []any{
		map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": "cloudwatch.amazonaws.com"}, "Action": "kms:GenerateDataKey*",
			"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": "111111111111"},
				"ArnLike": map[string]any{"aws:SourceArn": []any{"arn:aws:cloudwatch:us-west-2:111111111111:alarm:a"}}}},
		map[string]any{"Effect": "Deny", "Principal": "*", "Action": "*", "Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}}},
	}}
	ok := serviceRequest{"cloudwatch.amazonaws.com", "kms:GenerateDataKey", map[string]string{
		"aws:SourceAccount": "111111111111", "aws:SourceArn": "arn:aws:cloudwatch:us-west-2:111111111111:alarm:a", "aws:SecureTransport": "true"}}
	assert.True(t, allows(policy, ok))
	with := func(key, value string) serviceRequest {
		r := serviceRequest{ok.service, ok.action, map[string]string{}}
		for k, v := range ok.context {
			r.context[k] = v
		}
		if value == "" {
			delete(r.context, key)
		} else {
			r.context[key] = value
		}
		return r
	}
	assert.False(t, allows(policy, with("aws:SourceArn", "arn:aws:cloudwatch:us-west-2:111111111111:alarm:b")), "another alarm")
	assert.False(t, allows(policy, with("aws:SourceAccount", "222222222222")), "another account")
	assert.False(t, allows(policy, with("aws:SourceArn", "")), "no source")
	assert.False(t, allows(policy, with("aws:SecureTransport", "false")), "the Deny wins")
	assert.False(t, allows(policy, serviceRequest{"events.amazonaws.com", ok.action, ok.context}), "another service")
	assert.False(t, allows(policy, serviceRequest{ok.service, "kms:Decrypt", ok.context}), "another action")
}
