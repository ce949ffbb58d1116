package wiring

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// RuleTargets: each EventBridge rule target's Arn is an ARN, "The Amazon Resource Name (ARN) of
// the target" (the EventBridge Target type, read 2026-12-07): a literal arn:, a GetAtt of an Arn
// attribute, or the Ref of a type whose Ref is one (isARN, by RefIsNoARN's list). The Ref of a
// function is its name, which names no target: no event reaches the function (mutation run 22's
// B19: the Security Hub findings rule's target made the Ref of the finding filter).
func RuleTargets(templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		for _, rt := range ruleTargets(resources) {
			t := rt.target
			if isARN(resources, t["Arn"]) {
				continue
			}
			given, _ := json.Marshal(t["Arn"])
			what := "which is no ARN"
			if ref := cfntemplate.Ref(t["Arn"]); ref != "" {
				target, _ := resources[ref].(map[string]any)
				what = fmt.Sprintf("the %s of an %s, which is no ARN", RefIsNoARN[cfntemplate.Text(target["Type"])], target["Type"])
			}
			problems = append(problems, fmt.Sprintf("rule %s: target %v's Arn is %s, %s, as a target's Arn must be", rt.rule, t["Id"], given, what))
		}
	}
	return problems
}

// ruleTarget is one target of an EventBridge rule: the rule's logical id and the target.
type ruleTarget struct {
	rule   string
	target map[string]any
}

// ruleTargets are every target of the resources' EventBridge rules, by rule id, then in order.
func ruleTargets(resources map[string]any) []ruleTarget {
	var all []ruleTarget
	rules := cfntemplate.OfType(resources, "AWS::Events::Rule")
	for _, id := range slices.Sorted(maps.Keys(rules)) {
		for _, t := range cfntemplate.List(rules[id]["Targets"]) {
			t, _ := t.(map[string]any)
			all = append(all, ruleTarget{rule: id, target: t})
		}
	}
	return all
}
