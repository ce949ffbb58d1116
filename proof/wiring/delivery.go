package wiring

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/compliance/compliancespec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// alertDelivery are the checks that an alert, once raised, is delivered as the construct means it
// to be: every rule enabled, each rule target given the whole event, each subscription
// unfiltered and the findings rules' patterns the construct's (held-out run 25).
func alertDelivery(network, patching, fleet map[string]any, d *config.Config) []string {
	problems := RulesEnabled(network, patching, fleet)
	problems = append(problems, WholeEvents(network, patching, fleet)...)
	problems = append(problems, SubscriptionFilters(network, patching, fleet)...)
	return append(problems, FindingPatterns(patching, d.Security.FindingSeveritiesToAlert())...)
}

// RulesEnabled: every EventBridge rule of the stacks is enabled, as the construct makes each
// (it sets no rule's Enabled): "DISABLED: The rule is disabled. EventBridge does not match any
// events against the rule" (AWS::Events::Rule State, CloudFormation resource specification; the
// EventBridge Rule type's State, read 2026-12-07). A disabled window-failure rule alerts on no
// failed window (run 24's A11); a disabled findings rule on no finding (run 25's B12).
func RulesEnabled(templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		rules := cfntemplate.OfType(cfntemplate.Resources(template), "AWS::Events::Rule")
		for _, id := range slices.Sorted(maps.Keys(rules)) {
			if state := rules[id]["State"]; state != "ENABLED" && state != "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" {
				problems = append(problems, fmt.Sprintf("rule %s: State %v, not enabled: EventBridge matches no event against it, so it delivers no alert", id, state))
			}
		}
	}
	return problems
}

// eventShapers are the target properties that change what EventBridge passes a target: "Input:
// Valid JSON text passed to the target. In this case, nothing from the event itself is passed";
// "InputPath: ... then only the part of the event specified in the path is passed to the target";
// InputTransformer builds the input from the event (the EventBridge Target type, read
// 2026-12-07).
var eventShapers = []string{"Input", "InputPath", "InputTransformer"}

// WholeEvents: the construct gives its rules' targets that pass an event on (the alerts topic, the
// finding filter function) none of eventShapers, because they need the whole event: the filter
// reads its source and detail (run 25's A13: InputPath $.detail on the Security Hub rule's target
// made every finding fail in the filter, "not a finding event"), and the topic mails the event.
// Targets that run a runbook build its parameters from the event, which AssumeRoles judges.
func WholeEvents(templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		for _, rt := range ruleTargets(resources) {
			kind := targetType(resources, rt.target["Arn"])
			if kind != "AWS::SNS::Topic" && kind != "AWS::Lambda::Function" {
				continue
			}
			for _, shaper := range eventShapers {
				if rt.target[shaper] != nil {
					problems = append(problems, fmt.Sprintf("rule %s: target %v (an %s) has %s, which the construct sets on none: the target gets less than the whole event it reads", rt.rule, rt.target["Id"], kind, shaper))
				}
			}
		}
	}
	return problems
}

// targetType is the type of the template's resource a target's Arn names: by its Ref (a
// topic's is its ARN) or a GetAtt of its Arn.
func targetType(resources map[string]any, arn any) string {
	id := cfntemplate.Ref(arn)
	if id == "" {
		id = cfntemplate.GetAtt(arn)
	}
	r, _ := resources[id].(map[string]any)
	return cfntemplate.Text(r["Type"])
}

// SubscriptionFilters: the construct sets no filter policy on any subscription, and none of the
// alerts' publishers (rule targets, alarm actions, Run Command notifications, the finding filter)
// sets message attributes. "If a subscription doesn't have a filter policy, the subscriber
// receives every message published to its topic"; with one, a message whose attributes (or body,
// under FilterPolicyScope MessageBody) do not match it is not sent to that subscriber ("Amazon SNS
// message filtering", SNS Developer Guide, read 2026-12-07). So a filter policy drops alerts (run
// 25's B07: {"severity":["CRITICAL"]} on the on-call subscription, which then got nothing).
func SubscriptionFilters(templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		subscriptions := cfntemplate.OfType(cfntemplate.Resources(template), "AWS::SNS::Subscription")
		for _, id := range slices.Sorted(maps.Keys(subscriptions)) {
			var set []string
			for _, field := range []string{"FilterPolicy", "FilterPolicyScope"} {
				if subscriptions[id][field] != nil {
					set = append(set, field)
				}
			}
			if len(set) > 0 {
				problems = append(problems, fmt.Sprintf("subscription %s: %s set, where the construct sets none: the alerts carry no attributes to match, so a filter drops them", id, strings.Join(set, " and ")))
			}
		}
	}
	return problems
}

// FindingPatterns: each findings rule (by its source) has the whole EventPattern the construct
// gives it for the configuration's alert severities (compliancespec.SecurityHubFindingRule,
// InspectorFindingRule). A piece changed passes other findings or none: run 25's B14 turned the
// Security Hub rule's Inspector exclusion ("exists": false) to true, so it passed only Inspector's
// copies and no GuardDuty, Config or standards finding.
func FindingPatterns(patching map[string]any, severities []string) []string {
	want := map[string]compliancespec.FindingRule{}
	for _, r := range []compliancespec.FindingRule{compliancespec.SecurityHubFindingRule(severities), compliancespec.InspectorFindingRule(severities)} {
		want[r.Source] = r
	}
	var problems []string
	rules := cfntemplate.OfType(cfntemplate.Resources(patching), "AWS::Events::Rule")
	for _, id := range slices.Sorted(maps.Keys(rules)) {
		pattern, _ := rules[id]["EventPattern"].(map[string]any)
		sources := cfntemplate.Texts(pattern["source"])
		if len(sources) != 1 {
			continue
		}
		r, ok := want[sources[0]]
		if !ok {
			continue
		}
		expected, _ := json.Marshal(r.Pattern())
		var normal any
		_ = json.Unmarshal(expected, &normal)
		if !reflect.DeepEqual(normal, any(pattern)) {
			got, _ := json.Marshal(pattern)
			problems = append(problems, fmt.Sprintf("rule %s: EventPattern %s, where the construct's for severities %v is %s", id, got, severities, expected))
		}
	}
	return problems
}
