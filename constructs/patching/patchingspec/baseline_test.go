package patchingspec

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBaselineDefaultsAreWindowsUnspecifiedAndAllowAsDependency(t *testing.T) {
	b := Baseline{Name: "web", ApprovalRules: []ApprovalRule{{Filters: map[string][]string{"CLASSIFICATION": {"SecurityUpdates"}},
		ApproveAfterDays: Days(7)}}}.WithDefaults()
	assert.Equal(t, "WINDOWS", b.OperatingSystem)
	assert.Equal(t, "UNSPECIFIED", b.ApprovedPatchesComplianceLevel)
	assert.Equal(t, "UNSPECIFIED", b.ApprovalRules[0].ComplianceLevel)
	assert.Equal(t, "ALLOW_AS_DEPENDENCY", b.RejectedPatchesAction)
	assert.Equal(t, "NON_COMPLIANT", b.AvailableSecurityUpdatesComplianceStatus)
	assert.Empty(t, b.Problems())
}

// A security update an approval delay holds back shows as non-compliant on Windows by default;
// COMPLIANT is the opt-out; other operating systems take no value (AWS: Windows only).
func TestAvailableSecurityUpdatesAreNonCompliantOnWindowsOnly(t *testing.T) {
	rules := []ApprovalRule{{Filters: map[string][]string{"CLASSIFICATION": {"Security"}}, ApproveAfterDays: Days(7)}}
	linux := Baseline{Name: "al2023", OperatingSystem: "AMAZON_LINUX_2023", ApprovalRules: rules}.WithDefaults()
	assert.Empty(t, linux.AvailableSecurityUpdatesComplianceStatus)
	assert.Empty(t, linux.Problems())
	optOut := Baseline{Name: "web", ApprovedPatches: []string{"KB1"}, AvailableSecurityUpdatesComplianceStatus: "COMPLIANT"}.WithDefaults()
	assert.Equal(t, "COMPLIANT", optOut.AvailableSecurityUpdatesComplianceStatus)
	assert.Empty(t, optOut.Problems())
	linux.AvailableSecurityUpdatesComplianceStatus = "NON_COMPLIANT"
	assert.Equal(t, []string{`AvailableSecurityUpdatesComplianceStatus "NON_COMPLIANT" applies to Windows baselines only, and this one is for AMAZON_LINUX_2023: leave it out`},
		texts(linux.Problems()))
	optOut.AvailableSecurityUpdatesComplianceStatus = "PENDING"
	assert.Equal(t, []string{`AvailableSecurityUpdatesComplianceStatus "PENDING" is not allowed: use NON_COMPLIANT or COMPLIANT`}, texts(optOut.Problems()))
}

func TestEveryBaselineRuleNamesItsField(t *testing.T) {
	b := Baseline{Name: "x", OperatingSystem: "AMAZON_LINUX_2", RejectedPatchesAction: "DROP", PatchGroups: []string{"a;b"},
		ApprovalRules: []ApprovalRule{{Filters: map[string][]string{"MSRC_SEVERITY": {"Critical"}, "SEVERITY": {"Huge"}},
			ApproveAfterDays: Days(400), ComplianceLevel: "SEVERE"}},
		Sources: []PatchSource{{Name: "s", Configuration: "x"}}}.WithDefaults()
	var fields []string
	for _, p := range b.Problems() {
		fields = append(fields, p.Field)
	}
	assert.ElementsMatch(t, []string{"Name", "RejectedPatchesAction", "PatchGroups", "ApprovalRules[0].Filters", "ApprovalRules[0].Filters.SEVERITY",
		"ApprovalRules[0].ApproveAfterDays", "ApprovalRules[0].ComplianceLevel", "Sources[0].Name", "Sources[0].Products"}, fields)
	assert.Equal(t, []string{`OperatingSystem "VMS" is not an operating system Patch Manager supports: use one of ` +
		"WINDOWS, AMAZON_LINUX, AMAZON_LINUX_2, AMAZON_LINUX_2022, AMAZON_LINUX_2023, UBUNTU, DEBIAN, REDHAT_ENTERPRISE_LINUX, CENTOS, " +
		"ORACLE_LINUX, SUSE, ROCKY_LINUX, ALMA_LINUX, RASPBIAN, MACOS"}, texts(Baseline{Name: "web", OperatingSystem: "VMS"}.Problems()))
}

// A filter group holds at most 4 filters ("PatchFilterGroup", Systems Manager API Reference): a
// Windows rule or global filter with its 5 keys is refused here, not by CloudFormation.
func TestAFilterGroupHoldsAtMostFourFilters(t *testing.T) {
	four := map[string][]string{"CLASSIFICATION": {"SecurityUpdates"}, "MSRC_SEVERITY": {"Critical"}, "PRODUCT": {"*"}, "PATCH_SET": {"OS"}}
	five := map[string][]string{"PRODUCT_FAMILY": {"Windows"}}
	for k, v := range four {
		five[k] = v
	}
	ok := Baseline{Name: "web", ApprovalRules: []ApprovalRule{{Filters: four, ApproveAfterDays: Days(7)}}, GlobalFilters: four}.WithDefaults()
	assert.Empty(t, ok.Problems())
	bad := Baseline{Name: "web", ApprovalRules: []ApprovalRule{{Filters: five, ApproveAfterDays: Days(7)}}, GlobalFilters: five}.WithDefaults()
	assert.Equal(t, []string{
		`ApprovalRules[0].Filters 5 filters are more than the 4 a patch filter group holds`,
		`GlobalFilters 5 filters are more than the 4 a patch filter group holds`}, texts(bad.Problems()))
}

// Ubuntu and Debian rules take no approval delay ("Not supported for Debian Server or Ubuntu
// Server", PatchRule): one without is valid, one with either is refused; other systems still
// need one.
func TestUbuntuAndDebianRulesTakeNoApprovalDelayAndOthersNeedOne(t *testing.T) {
	rule := func(os string, r ApprovalRule) Baseline {
		r.Filters = map[string][]string{"PRODUCT": {"*"}}
		return Baseline{Name: "base", OperatingSystem: os, ApprovalRules: []ApprovalRule{r}}.WithDefaults()
	}
	for _, os := range []string{"UBUNTU", "DEBIAN"} {
		assert.Empty(t, rule(os, ApprovalRule{}).Problems(), os)
		assert.False(t, TakesApprovalDelay(os))
		assert.Len(t, rule(os, ApprovalRule{ApproveAfterDays: Days(7)}).Problems(), 1, os)
		assert.Len(t, rule(os, ApprovalRule{ApproveUntilDate: "2026-12-01"}).Problems(), 1, os)
	}
	for _, os := range []string{"WINDOWS", "AMAZON_LINUX_2023", "SUSE", "RASPBIAN"} {
		assert.True(t, TakesApprovalDelay(os))
		assert.Equal(t, []string{`ApprovalRules[0] "" needs approveAfterDays (0-360) or approveUntilDate (YYYY-MM-DD)`}, texts(rule(os, ApprovalRule{}).Problems()), os)
	}
}

// A source serves the nodes of its products: one for a product the baseline's PRODUCT filters
// leave out serves nodes nothing is approved for (mutation run 17's A20). Filters without
// PRODUCT, or with "*" or a pattern covering the source's product, take it.
func TestASourceForAProductTheBaselineDoesNotPatchIsRefused(t *testing.T) {
	source := []PatchSource{{Name: "internal-bookworm", Configuration: "deb https://apt.example.com/debian bookworm main", Products: []string{"Debian12"}}}
	rule := func(products ...string) ApprovalRule {
		filters := map[string][]string{"PRIORITY": {"Required"}}
		if products != nil {
			filters["PRODUCT"] = products
		}
		return ApprovalRule{Filters: filters}
	}
	for _, tc := range []struct {
		name     string
		rules    []ApprovalRule
		global   map[string][]string
		products []string
		approved []string
		refused  string
	}{
		{name: "the rule's product", rules: []ApprovalRule{rule("Debian12")}},
		{name: "rules without a product", rules: []ApprovalRule{rule()}},
		{name: "every product", rules: []ApprovalRule{rule("*")}},
		{name: "a pattern", rules: []ApprovalRule{rule("Debian1*")}},
		{name: "one rule of two names it", rules: []ApprovalRule{rule("Debian11"), rule("Debian12")}},
		{name: "another rule takes every product", rules: []ApprovalRule{rule("Debian11"), rule()}},
		{name: "another product", rules: []ApprovalRule{rule("Debian11")},
			refused: `Sources[0].Products "Debian12" are none of the products this baseline's PRODUCT filters patch (Debian11): the source serves nodes the baseline approves nothing for; list the products its approval rules approve`},
		{name: "the global filter leaves it out", rules: []ApprovalRule{rule()}, global: map[string][]string{"PRODUCT": {"Debian11"}},
			refused: `Sources[0].Products "Debian12" are none of the products this baseline's PRODUCT filters patch (Debian11): the source serves nodes the baseline approves nothing for; list the products its approval rules approve`},
		{name: "one of its products is patched", rules: []ApprovalRule{rule("Debian12")}, products: []string{"Debian11", "Debian12"}},
		{name: "patches approved by name, whatever the rules' products", rules: []ApprovalRule{rule("Debian11")}, approved: []string{"openssl"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sources := source
			if tc.products != nil {
				sources = []PatchSource{{Name: source[0].Name, Configuration: source[0].Configuration, Products: tc.products}}
			}
			b := Baseline{Name: "debian", OperatingSystem: "DEBIAN", ApprovalRules: tc.rules, GlobalFilters: tc.global, Sources: sources, ApprovedPatches: tc.approved}.WithDefaults()
			if tc.refused == "" {
				assert.Empty(t, texts(b.Problems()))
			} else {
				assert.Equal(t, []string{tc.refused}, texts(b.Problems()))
			}
		})
	}
}
