package networkspec

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
)

func TestDefaultSettingsHaveNoProblemsAndZeroSettingsGetTheDefaults(t *testing.T) {
	assert.Empty(t, Defaults().Problems())
	assert.Equal(t, Defaults(), Settings{}.WithDefaults())
	set := Settings{VpcCidr: "10.1.0.0/16", AzCount: 3, FlowLogs: FlowLogs{Destination: FlowLogsToS3}}.WithDefaults()
	assert.Equal(t, "10.1.0.0/16", set.VpcCidr, "a set value stays")
	assert.Equal(t, 3, set.AzCount)
	assert.Equal(t, 365, set.FlowLogs.RetentionDays, "an unset field of a set section gets its default")
}

func TestEveryRuleNamesItsFieldValueAndWhatIsAllowed(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Settings)
		want   []string
	}{
		{"vpc_not_a_cidr", func(s *Settings) { s.VpcCidr = "10.0.0.0/33" }, []string{`VpcCidr "10.0.0.0/33" is not an IPv4 CIDR block: use the form 10.0.0.0/16`}},
		{"vpc_host_bits", func(s *Settings) { s.VpcCidr = "10.0.0.1/16" }, []string{`VpcCidr "10.0.0.1/16" has host bits set: use 10.0.0.0/16`}},
		{"vpc_too_wide", func(s *Settings) { s.VpcCidr = "10.0.0.0/8" }, []string{`VpcCidr "10.0.0.0/8" is not allowed: a VPC block has a prefix length from /16 to /28`}},
		{"vpc_link_local", func(s *Settings) { s.VpcCidr = "169.254.0.0/16" }, []string{`VpcCidr "169.254.0.0/16" overlaps the special-purpose block link local (169.254.0.0/16), ` +
			`where instance metadata and the Amazon DNS server live: use a private block such as 10.0.0.0/16`}},
		{"vpc_too_small", func(s *Settings) { s.VpcCidr = "10.0.0.0/24" }, []string{`VpcCidr "10.0.0.0/24" is too small for 2 zones of /24 subnets (1024 addresses needed, 256 available): ` +
			`use a larger block or a longer subnet mask`}},
		{"az_zero", func(s *Settings) { s.AzCount = 0 }, []string{"AzCount 0 is out of range: use 1 to 6"}},
		{"az_seven", func(s *Settings) { s.AzCount = 7 }, []string{"AzCount 7 is out of range: use 1 to 6"}},
		{"az_more_than_listed", func(s *Settings) { s.AvailabilityZones = []string{"us-west-2a"} }, []string{"AzCount 2 is more than the 1 zones listed in availability zones"}},
		{"zone_twice", func(s *Settings) { s.AvailabilityZones = []string{"us-west-2a", "us-west-2a"} }, []string{`AvailabilityZones[1] "us-west-2a" is listed twice`}},
		{"mask_29", func(s *Settings) { s.SubnetCidrMask = 29 }, []string{"SubnetCidrMask 29 is out of range: a subnet has a prefix length from /16 to /28"}},
		{"nat_gateways", func(s *Settings) { s.Nat.Gateways = "two" }, []string{`Nat.Gateways "two" is not allowed: use per-az or single`}},
		{"admin_internet", func(s *Settings) { s.AdminCidrs = []string{"0.0.0.0/0"} }, []string{`AdminCidrs[0] "0.0.0.0/0" opens RDP to (nearly) the whole internet: ` +
			`list your administrators' own address blocks, or none and use Session Manager`}},
		{"admin_not_cidr", func(s *Settings) { s.AdminCidrs = []string{"203.0.113.5"} }, []string{`AdminCidrs[0] "203.0.113.5" is not an IPv4 CIDR block: use the form 10.0.0.0/16`}},
		{"admin_in_vpc", func(s *Settings) { s.AdminCidrs = []string{"10.0.5.0/24"} }, []string{`AdminCidrs[0] "10.0.5.0/24" overlaps the VPC 10.0.0.0/16: admin CIDRs are ` +
			`where administrators connect from, outside the VPC (inside it, use Session Manager)`}},
		{"admin_too_many", func(s *Settings) {
			for i := range MaxListedCidrs + 1 {
				s.AdminCidrs = append(s.AdminCidrs, fmt.Sprintf("203.0.113.%d/32", i))
			}
		}, []string{"AdminCidrs 11 blocks is too many: at most 10 fit the network ACL rule quota"}},
		{"endpoint_always", func(s *Settings) { s.ExtraInterfaceEndpoints = []string{"ssm", "s3"} }, []string{`ExtraInterfaceEndpoints[0] "ssm" is always created: remove it from the list`,
			`ExtraInterfaceEndpoints[1] "s3" is always created: remove it from the list`}},
		{"endpoint_twice", func(s *Settings) { s.ExtraInterfaceEndpoints = []string{"logs", "logs"} }, []string{`ExtraInterfaceEndpoints[1] "logs" is listed twice`}},
		{"endpoint_full_name", func(s *Settings) { s.ExtraInterfaceEndpoints = []string{"com.amazonaws.eu-west-1.kms"} },
			[]string{`ExtraInterfaceEndpoints[0] "com.amazonaws.eu-west-1.kms" is a full service name: give the part after com.amazonaws.eu-west-1., such as kms`}},
		{"endpoint_unknown", func(s *Settings) { s.ExtraInterfaceEndpoints = []string{"warpdrive"} }, []string{`ExtraInterfaceEndpoints[0] "warpdrive" is not an interface endpoint service ` +
			`privatepatch knows (networkspec.InterfaceEndpointServices, from aws-cdk-lib): use one such as logs, kms or monitoring`}},
		{"endpoint_shape", func(s *Settings) { s.ExtraInterfaceEndpoints = []string{"Logs!"} }, []string{`ExtraInterfaceEndpoints[0] "Logs!" is not an AWS service endpoint name: ` +
			`use the part after com.amazonaws.REGION., such as logs or kms`}},
		{"retention_cloudwatch", func(s *Settings) { s.FlowLogs.RetentionDays = 2 }, []string{"FlowLogs.RetentionDays 2 is not a CloudWatch Logs retention period: use one of " +
			"[1 3 5 7 14 30 60 90 120 150 180 365 400 545 731 1096 1827 2192 2557 2922 3288 3653]"}},
		{"retention_s3", func(s *Settings) { s.FlowLogs = FlowLogs{Destination: FlowLogsToS3, RetentionDays: -5} },
			[]string{"FlowLogs.RetentionDays -5 is not allowed: keep flow logs for at least 1 day"}},
		{"destination", func(s *Settings) { s.FlowLogs.Destination = "kinesis" }, []string{`FlowLogs.Destination "kinesis" is not allowed: use cloudwatch-logs or s3`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Defaults()
			tc.change(&s)
			var got []string
			for _, p := range s.Problems() {
				got = append(got, p.String())
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestAnExistingVpcChecksOnlyTheSharedSettingsInItsBlock(t *testing.T) {
	s := Defaults()
	s.VpcCidr, s.AzCount = "nope", 9 // a created VPC's settings: not checked
	s.AdminCidrs = []string{"10.20.1.0/24"}
	got := s.SharedProblems(netip.MustParsePrefix("10.20.0.0/16"), true)
	require.Len(t, got, 1)
	assert.Equal(t, `AdminCidrs[0] "10.20.1.0/24" overlaps the VPC 10.20.0.0/16: admin CIDRs are where administrators connect from, outside the VPC (inside it, use Session Manager)`,
		got[0].String())
	assert.Empty(t, s.SharedProblems(netip.Prefix{}, false), "a block not known (a lookup) is not compared")
}

func TestNatGatewayCountIsPerZoneOrOne(t *testing.T) {
	assert.Equal(t, 0, Nat{Gateways: NatPerAz}.GatewayCount(3))
	assert.Equal(t, 3, Nat{Enabled: true, Gateways: NatPerAz}.GatewayCount(3))
	assert.Equal(t, 1, Nat{Enabled: true, Gateways: NatSingle}.GatewayCount(3))
}

func TestSubnetBlocksOfAZoneNeverMoveAndFitTheirCount(t *testing.T) {
	assert.Equal(t, []int{0, 1, 4, 5, 8, 9}, blocks(PublicSubnetGroup))
	assert.Equal(t, []int{2, 3, 6, 7, 10, 11}, blocks(PrivateSubnetGroup))
	for azCount, want := range map[int]int{1: 3, 2: 4, 3: 7, 4: 8, 6: 12} {
		assert.Equal(t, want, SubnetBlocksNeeded(azCount), "%d zones", azCount)
	}
}

func blocks(group string) []int {
	var out []int
	for slot := range MaxAzs {
		out = append(out, SubnetBlock(group, slot))
	}
	return out
}

// flows has n zones, admins admin CIDRs and s3 S3 CIDRs.
func flows(zones, admins, s3 int, nat bool) AclFlows {
	list := func(n int, format string) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf(format, i))
		}
		return out
	}
	return AclFlows{VpcCidr: "10.0.0.0/16", PublicSubnetCidrs: list(zones, "10.0.%d.0/24"), PrivateSubnetCidrs: list(zones, "10.0.1%d.0/24"),
		AdminCidrs: list(admins, "203.0.113.%d/32"), S3Cidrs: list(s3, "52.%d.0.0/16"), PrivateInternetRoute: nat}
}

func TestAclRuleNumbersAreUniquePerDirectionAndTheS3RulesStayInTheirBlock(t *testing.T) {
	f := flows(MaxAzs, MaxListedCidrs, MaxListedCidrs, true)
	f.HubCidrs = []string{"10.99.0.0/24", "10.99.1.0/24"}
	for name, rules := range map[string][]AclRule{"public": f.PublicRules(), "private": f.PrivateRules()} {
		seen := map[string]string{}
		for _, r := range rules {
			key := fmt.Sprintf("%v %d", r.Egress, r.Number)
			assert.Empty(t, seen[key], "%s rule %s reuses the number of %s", name, r.ID, seen[key])
			seen[key] = r.ID
		}
	}
	var s3 []string
	for _, r := range f.PrivateRules() {
		if r.Egress && r.Number >= S3RulesFrom && r.Number <= S3RulesTo {
			s3 = append(s3, r.Cidr)
		}
	}
	assert.Equal(t, f.S3Cidrs, s3, "the S3 block holds exactly the S3 CIDRs' rules, which s3drift reads")
}

func TestAclRulesAddedForACidrRenumberNoOtherRule(t *testing.T) {
	before, after := flows(2, 1, 1, false), flows(2, 2, 2, false)
	number := func(rules []AclRule) map[string]int {
		out := map[string]int{}
		for _, r := range rules {
			out[r.ID] = r.Number
		}
		return out
	}
	grown := number(append(after.PublicRules(), after.PrivateRules()...))
	for id, n := range number(append(before.PublicRules(), before.PrivateRules()...)) {
		assert.Equal(t, n, grown[id], id)
	}
}

// WSUS's ports are admitted from the private subnets only: with NAT, whose reply rules span
// them, a denial keeps them closed to the rest; without, nothing else admits them.
func TestWsusFlowsUseWsusPortsAndAreDeniedToOthers(t *testing.T) {
	wsus := func(nat bool) []string {
		var out []string
		f := flows(1, 0, 1, nat)
		f.PublicClientsKnown = true
		for _, r := range f.PublicRules() {
			if r.FromPort == wsusspec.HTTPPort && r.ToPort == wsusspec.HTTPSPort {
				out = append(out, fmt.Sprintf("%s %d deny=%v", r.ID, r.Number, r.Deny))
			}
		}
		return out
	}
	assert.Equal(t, []string{"InWsusFromPrivate1 200 deny=false"}, wsus(false))
	assert.Equal(t, []string{"InDenyWsus 920 deny=true", "InWsusFromPrivate1 200 deny=false"}, wsus(true))
}

// Without a WSUS server no rule carries the private subnets' WSUS traffic, and no other rule
// moves (mutation run 27's observation: 8530-8531 stayed open with wsus.enabled false); the
// denial of the WSUS ports to everyone stays.
func TestWithoutWsusNoRuleAdmitsTheWsusPortsAndNoOtherMoves(t *testing.T) {
	with := flows(2, 1, 2, true)
	without := with
	without.WithoutWsus = true
	for name, rules := range map[string][2][]AclRule{"public": {with.PublicRules(), without.PublicRules()}, "private": {with.PrivateRules(), without.PrivateRules()}} {
		var kept []AclRule
		for _, r := range rules[0] {
			if r.Deny || r.FromPort != wsusspec.HTTPPort {
				kept = append(kept, r)
			}
		}
		assert.Equal(t, kept, rules[1], name)
		assert.Less(t, len(rules[1]), len(rules[0]), name)
	}
}

func TestRuleCountsFollowTheListsAndTheQuotaIsEnforced(t *testing.T) {
	// With the public clients known (the WSUS server on an AWS AMI), one reply rule from anywhere
	// and no denials (nothing admits the management ports); otherwise two and the three denials.
	assert.Equal(t, map[string]int{"public inbound": 7, "public outbound": 6, "private inbound": 8, "private outbound": 5}, flows(2, 0, 1, false).RuleCounts())
	known := flows(2, 0, 1, false)
	known.PublicClientsKnown = true
	assert.Equal(t, 3, known.RuleCounts()["public inbound"])
	// Each zone adds a WSUS and an RDP rule each way, with NAT two forwarded flows in; each admin
	// and S3 CIDR one each way.
	assert.Equal(t, map[string]int{"public inbound": 2 + 3 + 6 + 1 + 2*6, "public outbound": 2 + 2*6 + 1, "private inbound": 2 + 6 + 3 + 4 + 2,
		"private outbound": 2 + 6 + 4 + 2}, flows(6, 1, 4, true).RuleCounts())
	assert.Empty(t, QuotaProblem("PublicAcl", 19, 19))
	// The quota of 20 counts the default deny rule (32767): 20 rules of privatepatch's are one too many.
	assert.Equal(t, "PublicAcl needs 20 outbound and 19 inbound rules, more than the 19 the default quota of 20 leaves beside the default deny rule: list fewer CIDRs or zones",
		QuotaProblem("PublicAcl", 20, 19))
}

// On-premises networks declared to reach WSUS get its ports in, and the replies out, in their
// own block, above the denials: nothing else is admitted from them.
func TestWsusClientNetworksReachWsusAndGetItsRepliesOnly(t *testing.T) {
	f := flows(1, 0, 1, false)
	f.WsusClientCidrs = []string{"192.168.0.0/16", "172.16.0.0/12"}
	var got []string
	for _, r := range f.PublicRules() {
		if r.Cidr == "192.168.0.0/16" || r.Cidr == "172.16.0.0/12" {
			got = append(got, fmt.Sprintf("%s %d egress=%v %s %d-%d", r.ID, r.Number, r.Egress, r.Cidr, r.FromPort, r.ToPort))
		}
	}
	assert.Equal(t, []string{
		"InWsusFromOnPremises1 500 egress=false 192.168.0.0/16 8530-8531", "InWsusFromOnPremises2 501 egress=false 172.16.0.0/12 8530-8531",
		"OutEphemeralToOnPremises1 500 egress=true 192.168.0.0/16 1024-65535", "OutEphemeralToOnPremises2 501 egress=true 172.16.0.0/12 1024-65535",
	}, got)
	assert.Empty(t, func() (private []string) {
		for _, r := range f.PrivateRules() {
			if r.Cidr == "192.168.0.0/16" {
				private = append(private, r.ID)
			}
		}
		return
	}(), "the private subnets admit nothing from on-premises")
	counts := f.RuleCounts()
	assert.Equal(t, flows(1, 0, 1, false).RuleCounts()["public inbound"]+2, counts["public inbound"], "counted against the quota")
}

func TestWsusClientCidrsAreCheckedLikeAdminCidrs(t *testing.T) {
	s := Defaults()
	s.WsusClientCidrs = []string{"0.0.0.0/0", "10.0.1.0/24", "192.168.0.1"}
	var got []string
	for _, p := range s.Problems() {
		got = append(got, p.String())
	}
	text := strings.Join(got, "\n")
	assert.Contains(t, text, `WsusClientCidrs[0] "0.0.0.0/0" opens WSUS to (nearly) the whole internet`)
	assert.Contains(t, text, `WsusClientCidrs[1] "10.0.1.0/24" overlaps the VPC 10.0.0.0/16`)
	assert.Contains(t, text, `WsusClientCidrs[2] "192.168.0.1" is not an IPv4 CIDR block`)
}

// The public subnets' replies from anywhere: with their one client the WSUS server on an AWS
// Windows AMI, Windows Server's 49152-65535 only; with NAT, or clients privatepatch does not know,
// 1024-65535, split around RDP ("Ephemeral ports", Amazon VPC User Guide).
func TestPublicRepliesFromAnywhereAreTheWsusServersPortsOrANatGateways(t *testing.T) {
	fromAnywhere := func(f AclFlows) []string {
		var got []string
		for _, r := range f.PublicRules() {
			if r.Cidr == AnyIPv4 && !r.Egress && !r.Deny {
				got = append(got, fmt.Sprintf("%d %d-%d", r.Number, r.FromPort, r.ToPort))
			}
		}
		return got
	}
	known := flows(2, 0, 1, false)
	known.PublicClientsKnown = true
	assert.Equal(t, []string{"1000 49152-65535"}, fromAnywhere(known))
	assert.Equal(t, []string{"1000 1024-3388", "1001 3390-65535"}, fromAnywhere(flows(2, 0, 1, false)), "clients privatepatch does not know")
	known.PrivateInternetRoute = true
	assert.Equal(t, []string{"1000 1024-3388", "1001 3390-65535"}, fromAnywhere(known), "a NAT gateway")
}
