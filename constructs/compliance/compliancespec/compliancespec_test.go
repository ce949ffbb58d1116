package compliancespec

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResourceGroupRulesNameTheirField(t *testing.T) {
	assert.Empty(t, ResourceGroup{Name: "ProdWebServer", Tags: map[string]string{"Environment": "Prod"}}.Problems())
	var got []string
	for _, p := range GroupsProblems("Groups", []ResourceGroup{
		{Name: "AWSGroup", Tags: map[string]string{"a;": "x"}},
		{Name: "web"}, {Name: "web", Tags: map[string]string{"k": "v"}},
	}) {
		got = append(got, p.String())
	}
	assert.ElementsMatch(t, []string{
		`Groups[0].Name "AWSGroup" is not a resource group name: use up to 128 letters, digits and . _ -, not starting with AWS`,
		`Groups[0].Tags "a;" is not a valid tag key: use 1-128 letters, digits, spaces and _ . : / = + - @, not starting with aws:`,
		`Groups[1].Tags "" is empty: a group needs at least one tag to select its instances`,
		`Groups[2].Name "web" is used by another resource group`,
	}, got)
}

func TestConfigRulesNotOfferedInARegionAreLeftOutByName(t *testing.T) {
	offered, skipped := ConfigRulesIn("us-west-2")
	assert.Len(t, offered, len(ConfigRules))
	assert.Empty(t, skipped)

	offered, skipped = ConfigRulesIn("ap-northeast-3") // Osaka: neither compliance rule
	require.Len(t, offered, 1)
	assert.Equal(t, "EC2_INSTANCE_MANAGED_BY_SSM", offered[0].Identifier)
	require.Len(t, skipped, 2)
	assert.Contains(t, skipped[0], "EC2_MANAGEDINSTANCE_PATCH_COMPLIANCE_STATUS_CHECK is not offered in ap-northeast-3")
	assert.Contains(t, skipped[0], `"ec2-managedinstance-patch-compliance-status-check", AWS Config Developer Guide`)
	assert.Contains(t, skipped[1], "EC2_MANAGEDINSTANCE_ASSOCIATION_COMPLIANCE_STATUS_CHECK")

	offered, _ = ConfigRulesIn("eu-south-1") // Milan: the association rule only
	assert.Equal(t, []string{"EC2_MANAGEDINSTANCE_ASSOCIATION_COMPLIANCE_STATUS_CHECK", "EC2_INSTANCE_MANAGED_BY_SSM"},
		[]string{offered[0].Identifier, offered[1].Identifier})

	offered, skipped = ConfigRulesIn("ap-east-2") // Taipei: none
	assert.Empty(t, offered)
	assert.Len(t, skipped, 3)

	offered, _ = ConfigRulesIn("ca-west-1") // Calgary: only a translation of the patch rule's page excepts it
	assert.Len(t, offered, 3)
}

// Every excepted region is a region code, not a name or a typo: a check against a name would
// never match and never skip.
func TestConfigRuleExceptionsAreRegionCodes(t *testing.T) {
	code := regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-[1-9]$`)
	for _, r := range ConfigRules {
		require.NotEmpty(t, r.Page, r.Identifier)
		assert.Contains(t, []string{TriggerConfigurationChanges, TriggerPeriodic, TriggerHybrid}, r.Trigger, r.Identifier) // never unset: an unset one is never judged
		for _, region := range r.UnavailableIn {
			assert.Regexp(t, code, region, r.Identifier)
		}
	}
}

// The names and criteria Inspector's CreateFilter refuses are refused here first.
func TestInspectorFilterNamesAreWhatCreateFilterTakes(t *testing.T) {
	for _, ok := range []string{"privatepatch-dev-low", "a.b_c", "abc", strings.Repeat("x", 64)} {
		assert.Empty(t, InspectorFilterNameProblem(ok), ok)
	}
	for _, bad := range []string{"privatepatch-dev low", "ab", strings.Repeat("x", 65), "é-accents", "a/b"} {
		assert.Contains(t, InspectorFilterNameProblem(bad), "is not an Inspector suppression rule name", bad)
	}
	assert.Equal(t, 10, MaxInspectorFilterValues)
}
