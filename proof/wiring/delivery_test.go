package wiring

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
)

// Every golden's rules are enabled; a disabled alert rule and a disabled findings rule (run 25's
// B12) are named, and the window-failure rule beside it is not.
func TestRulesEnabledNamesADisabledFindingsRuleAndNoEnabledOne(t *testing.T) {
	for _, scenario := range goldenScenarios {
		assert.Empty(t, RulesEnabled(goldenStacks(t, scenario, "network", "patching", "fleet")...), scenario)
	}
	patching := read(t, "../../test/testdata/example.patching.template.json")
	props(patching, "SecurityInspectorFindingsRule09C61347")["State"] = "DISABLED"
	props(patching, "AlertsComplianceRuleA87A8F82")["State"] = "DISABLED"
	assert.Equal(t, []string{
		"rule AlertsComplianceRuleA87A8F82: State DISABLED, not enabled: EventBridge matches no event against it, so it delivers no alert",
		"rule SecurityInspectorFindingsRule09C61347: State DISABLED, not enabled: EventBridge matches no event against it, so it delivers no alert",
	}, RulesEnabled(patching))
}

// An InputPath on the finding filter's target (run 25's A13) and an Input on the topic's are
// named; the other rules' targets, which pass the whole event, are not.
func TestWholeEventsNamesAShapedTargetOnly(t *testing.T) {
	for _, scenario := range goldenScenarios {
		assert.Empty(t, WholeEvents(goldenStacks(t, scenario, "network", "patching", "fleet")...), scenario)
	}
	patching := read(t, "../../test/testdata/example.patching.template.json")
	props(patching, "SecuritySecurityHubFindingsRule2508B81A")["Targets"].([]any)[0].(map[string]any)["InputPath"] = "$.detail"
	props(patching, "AlertsComplianceRuleA87A8F82")["Targets"].([]any)[0].(map[string]any)["Input"] = `{"a":1}`
	assert.Equal(t, []string{
		"rule AlertsComplianceRuleA87A8F82: target Target0 (an AWS::SNS::Topic) has Input, which the construct sets on none: the target gets less than the whole event it reads",
		"rule SecuritySecurityHubFindingsRule2508B81A: target Target0 (an AWS::Lambda::Function) has InputPath, which the construct sets on none: the target gets less than the whole event it reads",
	}, WholeEvents(patching))
}

// A filter policy on the alerts' subscription (run 25's B07) is named, and so is a scope alone.
func TestSubscriptionFiltersNamesAFilteredSubscription(t *testing.T) {
	for _, scenario := range goldenScenarios {
		assert.Empty(t, SubscriptionFilters(goldenStacks(t, scenario, "network", "patching", "fleet")...), scenario)
	}
	patching := read(t, "../../test/testdata/example.patching.template.json")
	props(patching, "AlertsTopicpatchingalertsexamplecomEE1E8059")["FilterPolicy"] = map[string]any{"severity": []any{"CRITICAL"}}
	assert.Equal(t, []string{"subscription AlertsTopicpatchingalertsexamplecomEE1E8059: FilterPolicy set, where the construct sets none: the alerts carry no attributes to match, so a filter drops them"}, SubscriptionFilters(patching))
	delete(props(patching, "AlertsTopicpatchingalertsexamplecomEE1E8059"), "FilterPolicy")
	props(patching, "AlertsTopicpatchingalertsexamplecomEE1E8059")["FilterPolicyScope"] = "MessageBody"
	assert.Len(t, SubscriptionFilters(patching), 1)
}

// The example's findings rules have the construct's patterns; the Security Hub rule's Inspector
// exclusion inverted (run 25's B14) is named, and the Inspector rule beside it is not.
func TestFindingPatternsNamesAnInvertedExclusion(t *testing.T) {
	cfg, err := config.Load("../../config/example.yaml")
	require.NoError(t, err)
	severities := cfg.Security.FindingSeveritiesToAlert()
	patching := read(t, "../../test/testdata/example.patching.template.json")
	require.Empty(t, FindingPatterns(patching, severities))
	findings := props(patching, "SecuritySecurityHubFindingsRule2508B81A")["EventPattern"].(map[string]any)["detail"].(map[string]any)["findings"].(map[string]any)
	findings["ProductFields"].(map[string]any)["aws/inspector/ProductVersion"] = []any{map[string]any{"exists": true}}
	problems := FindingPatterns(patching, severities)
	require.Len(t, problems, 1)
	assert.Contains(t, problems[0], `rule SecuritySecurityHubFindingsRule2508B81A: EventPattern {"detail":{"findings":{"ProductFields":{"aws/inspector/ProductVersion":[{"exists":true}]}`)
	assert.Len(t, FindingPatterns(patching, []string{"LOW", "MEDIUM", "HIGH", "CRITICAL"}), 2, "other severities: both rules differ")
}

// A key rotated every 3650 days (run 25's B17) is named; 2560 and "365" are taken.
func TestRotationPeriodsNamesAPeriodKMSRefuses(t *testing.T) {
	for _, scenario := range goldenScenarios {
		assert.Empty(t, RotationPeriods(goldenStacks(t, scenario, "network", "patching", "fleet")...), scenario)
	}
	patching := read(t, "../../test/testdata/example.patching.template.json")
	var keys []string
	for id, r := range patching["Resources"].(map[string]any) {
		if r.(map[string]any)["Type"] == "AWS::KMS::Key" {
			keys = append(keys, id)
		}
	}
	require.GreaterOrEqual(t, len(keys), 3)
	props(patching, keys[0])["RotationPeriodInDays"] = 3650.0
	props(patching, keys[1])["RotationPeriodInDays"] = 2560.0
	props(patching, keys[2])["RotationPeriodInDays"] = "365"
	assert.Equal(t, []string{"key " + keys[0] + ": RotationPeriodInDays 3650, where KMS takes a whole number of days from 90 to 2560: its creation fails"}, RotationPeriods(patching))
}
