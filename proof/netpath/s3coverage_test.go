package netpath

import (
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
)

// goldenS3Cidrs are the S3 ranges a golden scenario was synthesised with: its configuration's
// (the default's, the example's, or the managed-ACLs scenario's two of test/existingvpc_test.go).
func goldenS3Cidrs(t *testing.T, scenario string) []string {
	t.Helper()
	if scenario == "existing-vpc-managed-acls" {
		return []string{"3.5.76.0/22", "52.218.128.0/17"}
	}
	cfg, err := config.LoadDefault()
	if scenario == "example" {
		cfg, err = config.Load("../../config/example.yaml")
	}
	require.NoError(t, err)
	return cfg.S3Cidrs()
}

// s3Model is a network template's model with the scenario's S3 ranges.
func s3Model(t *testing.T, template map[string]any, scenario string) Model {
	t.Helper()
	m, err := FromTemplate(template)
	require.NoError(t, err)
	return m.WithPrefixLists("", goldenS3Cidrs(t, scenario))
}

// addEntry plants a network ACL entry on the default golden's private ACL.
func addEntry(template map[string]any, id string, number int, egress bool, cidr string, from, to int, action string) {
	template["Resources"].(map[string]any)[id] = map[string]any{"Type": "AWS::EC2::NetworkAclEntry", "Properties": map[string]any{
		"CidrBlock": cidr, "Egress": egress, "NetworkAclId": map[string]any{"Ref": "NetworkPrivateAcl1899B2E2"},
		"PortRange": map[string]any{"From": float64(from), "To": float64(to)}, "Protocol": 6.0, "RuleAction": action, "RuleNumber": float64(number)}}
}

func TestEveryGoldenPrivateAclCoversEveryS3RangeBothWays(t *testing.T) {
	paths, err := filepath.Glob("../../test/testdata/*.network.template.json")
	require.NoError(t, err)
	checked := 0
	for _, path := range paths {
		scenario := strings.TrimSuffix(filepath.Base(path), ".network.template.json")
		template := goldenTemplate(t, scenario)
		if _, err := FromTemplate(template); err != nil {
			// An existing VPC whose ACLs are left alone: the user's, not judged.
			m, err := FromSecurityGroups(template)
			require.NoError(t, err, scenario)
			assert.Empty(t, m.WithPrefixLists("", []string{S3StandIn}).S3CoverageProblems(), scenario)
			continue
		}
		assert.Empty(t, s3Model(t, template, scenario).S3CoverageProblems(), scenario)
		checked++
	}
	assert.GreaterOrEqual(t, checked, 5)
}

const privateS3 = "network ACL NetworkPrivateAcl1899B2E2 (private subnets): "

// Mutation run 21's A07: the rule for 52.92.128.0/17 narrowed to its lower half. The flow table's
// one address of the range (its tenth) still passes.
func TestANarrowedS3RuleLeavesTheRestOfItsRangeUncovered(t *testing.T) {
	template := goldenTemplate(t, "default")
	props(template, "NetworkPrivateAclOutHttpsToS36499896A1")["CidrBlock"] = "52.92.128.0/18"
	assert.Equal(t, []string{privateS3 + "HTTPS out to S3 range 52.92.128.0/17: 52.92.192.0/18 matches no rule (implicit deny)"},
		s3Model(t, template, "default").S3CoverageProblems())

	template = goldenTemplate(t, "default")
	props(template, "NetworkPrivateAclInEphemeralFromS36F41662B0")["CidrBlock"] = "52.92.128.0/18"
	assert.Equal(t, []string{privateS3 + "replies to ports 32768-65535 in from S3 range 52.92.128.0/17: 52.92.192.0/18 matches no rule (implicit deny)"},
		s3Model(t, template, "default").S3CoverageProblems())

	// The return rule's ports narrowed: the instances' client ports below them are uncovered.
	template = goldenTemplate(t, "default")
	props(template, "NetworkPrivateAclInEphemeralFromS36F41662B0")["PortRange"] = map[string]any{"From": 40000.0, "To": 65535.0}
	assert.Equal(t, []string{privateS3 + "replies to ports 32768-65535 in from S3 range 52.92.128.0/17: 52.92.128.0/17 on ports 32768-39999 matches no rule (implicit deny)"},
		s3Model(t, template, "default").S3CoverageProblems())
}

// A deny numbered below the allow decides the part of the range it matches, both ways.
func TestALowerNumberedDenyInsideAnS3RangeIsNamed(t *testing.T) {
	template := goldenTemplate(t, "default")
	addEntry(template, "PlantedOutDeny", 250, true, "52.92.130.7/32", 443, 443, "deny")
	addEntry(template, "PlantedInDeny", 950, false, "3.5.80.0/24", 50000, 50010, "deny")
	assert.Equal(t, []string{
		privateS3 + "replies to ports 32768-65535 in from S3 range 3.5.80.0/21: 3.5.80.0/24 on ports 50000-50010 is denied by rule 950 in deny 3.5.80.0/24 50000-50010, the first rule it matches",
		privateS3 + "HTTPS out to S3 range 52.92.128.0/17: 52.92.130.7/32 is denied by rule 250 out deny 52.92.130.7/32 443-443, the first rule it matches",
	}, s3Model(t, template, "default").S3CoverageProblems())

	// Numbered above the allow, the deny decides nothing of the range.
	template = goldenTemplate(t, "default")
	addEntry(template, "PlantedOutDeny", 450, true, "52.92.130.7/32", 443, 443, "deny")
	assert.Empty(t, s3Model(t, template, "default").S3CoverageProblems())
}

// The WSUS server in a public subnet reaches S3 too, its SSM Agent and the patch baseline's
// downloads (review of run 21, 3c): its subnet's ACL passes every S3 address out, by the rule to
// the internet, and the replies to Windows Server's client ports. Planted: a deny for one S3
// range numbered below that rule, and the reply rule narrowed, which no flow of the table tries.
func TestTheWsusServersPublicSubnetCoversEveryS3RangeToo(t *testing.T) {
	const public = "network ACL NetworkPublicAcl9B404FC7 (the WSUS server's subnet): "
	template := goldenTemplate(t, "default")
	addEntry(template, "PlantedPublicDeny", 105, true, "52.218.128.0/17", 443, 443, "deny")
	props(template, "PlantedPublicDeny")["NetworkAclId"] = map[string]any{"Ref": "NetworkPublicAcl9B404FC7"}
	props(template, "NetworkPublicAclInEphemeralFromAnywhere00A80040")["PortRange"] = map[string]any{"From": 50000.0, "To": 65535.0}
	problems := s3Model(t, template, "default").S3CoverageProblems()
	assert.Contains(t, problems, public+"HTTPS out to S3 range 52.218.128.0/17: 52.218.128.0/17 is denied by rule 105 out deny 52.218.128.0/17 443-443, the first rule it matches")
	assert.Contains(t, problems, public+"replies to ports 49152-65535 in from S3 range 3.5.76.0/22: 3.5.76.0/22 on ports 49152-49999 matches no rule (implicit deny)")
	for _, p := range problems {
		assert.True(t, strings.HasPrefix(p, public), "the private ACL is untouched: %s", p)
	}
}

// Coverage is of the set of addresses, not a rule per CIDR: a range split over two rules, or
// (with NAT) passed by the rule to the internet, is covered.
func TestCoverageIsOfTheRangeNotOfOneRuleForIt(t *testing.T) {
	template := goldenTemplate(t, "default")
	props(template, "NetworkPrivateAclOutHttpsToS36499896A1")["CidrBlock"] = "52.92.128.0/18"
	addEntry(template, "PlantedUpperHalf", 399, true, "52.92.192.0/18", 443, 443, "allow")
	assert.Empty(t, s3Model(t, template, "default").S3CoverageProblems())

	nat := goldenTemplate(t, "nat-per-az")
	delete(nat["Resources"].(map[string]any), "NetworkPrivateAclOutHttpsToS36499896A1")
	problems := s3Model(t, nat, "nat-per-az").S3CoverageProblems()
	assert.Empty(t, problems)
}

func TestSubtractAndDescribeAreExactCidrArithmetic(t *testing.T) {
	b := func(cidr string, from, to int) box { return box{mustPrefix(cidr), PortRange{from, to}} }
	denied, left := ACL{{Number: 100, Egress: true, Protocol: 6, Cidr: mustPrefix("10.0.0.5/32"), From: 443, To: 443, Allow: true}}.
		cover(true, b("10.0.0.0/29", 443, 443))
	assert.Empty(t, denied)
	// 10.0.0.0/29 less 10.0.0.5: the runs on either side, the first no CIDR, the second one.
	assert.Equal(t, "10.0.0.0-10.0.0.4, 10.0.0.6/31", describe(left, PortRange{443, 443}))
	assert.Equal(t, []netip.Prefix{mustPrefix("10.0.0.0/30"), mustPrefix("10.0.0.6/31"), mustPrefix("10.0.0.4/32")},
		subtract(mustPrefix("10.0.0.0/29"), mustPrefix("10.0.0.5/32")))
	assert.Equal(t, []netip.Prefix{mustPrefix("10.0.0.0/29")}, subtract(mustPrefix("10.0.0.0/29"), mustPrefix("10.0.1.0/24")))
	assert.Empty(t, subtract(mustPrefix("10.0.0.0/29"), mustPrefix("10.0.0.0/8")))
}

var mustPrefix = netip.MustParsePrefix
