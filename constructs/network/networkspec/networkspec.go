// Package networkspec is the specification of the network area: the VPC's settings, their
// defaults and rules, the subnet layout, and the network ACLs' rule plan. It imports no CDK:
// config embeds Settings (its YAML keys) and the network construct's props embed them too; both
// check them with Problems, and the construct's ACLs and config's quota check come from the same
// plan (AclFlows).
package networkspec

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/spec"
)

// Subnet group names; the subnets' logical IDs derive from them, so they are part of the contract.
const (
	PublicSubnetGroup  = "Public"
	PrivateSubnetGroup = "Private"
)

// Limits of the settings.
const (
	// MaxAzs is the most availability zones privatepatch spreads a VPC over.
	MaxAzs = 6
	// MaxListedCidrs is the most CIDRs of one list (admin, S3, hub) that keep the network ACLs
	// within MaxAclRules per direction.
	MaxListedCidrs = 10
	// MinPrefixLength and MaxPrefixLength bound a VPC's and a subnet's IPv4 block: /16 to /28.
	MinPrefixLength = 16
	MaxPrefixLength = 28
)

// NAT gateway layouts.
const (
	NatPerAz  = "per-az"
	NatSingle = "single"
)

// Flow log destinations.
const (
	FlowLogsToCloudWatchLogs = "cloudwatch-logs"
	FlowLogsToS3             = "s3"
)

// CloudWatchRetentionDays are the retention periods CloudWatch Logs accepts ("PutRetentionPolicy",
// Amazon CloudWatch Logs API Reference: retentionInDays, "Possible values are: 1, 3, 5, ... 3653";
// read 2026-11-27).
var CloudWatchRetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// MinCloudWatchRetentionDays is the shortest retention a log group may have under the Control
// Tower proactive control CT.CLOUDWATCH.PR.2, "Require an Amazon CloudWatch log group to be
// retained for at least one year" (MINIMUM_RETENTION_IN_DAYS in its cfn-guard rule,
// @cdklabs/cdk-validator-cfnguard), which make verify checks (docs/compliance.md).
const MinCloudWatchRetentionDays = 365

// SystemsManagerEndpoints are the interface endpoints every managed instance in a private subnet
// needs: ssm (the API), ec2messages (Run Command), ec2 (volume enumeration, e.g. VSS snapshots)
// and ssmmessages (Session Manager).
var SystemsManagerEndpoints = []string{"ssm", "ec2messages", "ec2", "ssmmessages"}

// ReservedIPv4 are special-purpose blocks that no VPC can route as its own: "this" network,
// loopback, link local, multicast and the reserved class E with the limited broadcast (IANA
// IPv4 Special-Purpose Address Registry, RFC 6890, and RFC 5771 for multicast; read 2026-11-27).
var ReservedIPv4 = map[string]netip.Prefix{
	"this network (0.0.0.0/8)": netip.MustParsePrefix("0.0.0.0/8"),
	"loopback (127.0.0.0/8)":   netip.MustParsePrefix("127.0.0.0/8"),
	"link local (169.254.0.0/16), where instance metadata and the Amazon DNS server live": netip.MustParsePrefix("169.254.0.0/16"),
	"multicast (224.0.0.0/4)": netip.MustParsePrefix("224.0.0.0/4"),
	"reserved (240.0.0.0/4)":  netip.MustParsePrefix("240.0.0.0/4"),
}

// Settings are the network's settings.
type Settings struct {
	// VpcCidr is the VPC's IPv4 block, /16 to /28. Default: 10.0.0.0/16.
	VpcCidr string `yaml:"vpcCidr"`
	// AzCount is how many availability zones get one public and one private subnet, 1 to 6
	// (MaxAzs). Default: 2.
	AzCount int `yaml:"azCount"`
	// AvailabilityZones names the zones to use: the first azCount of them, in name order.
	// Default: none, CloudFormation (Fn::GetAZs) or a CDK lookup picks. Subnet CIDRs are fixed
	// per zone position: adding a zone that sorts after the others, or raising azCount, leaves
	// every existing subnet as it is.
	AvailabilityZones []string `yaml:"availabilityZones"`
	// SubnetCidrMask is the prefix length of every subnet. Default: 24.
	SubnetCidrMask int `yaml:"subnetCidrMask"`
	// Nat gives the private subnets an internet route (the variant without WSUS). Default: none,
	// so private subnets have no route to the internet.
	Nat Nat `yaml:"nat"`
	// AdminCidrs may reach the public jump host on RDP 3389. Default: none, use Session Manager.
	AdminCidrs []string `yaml:"adminCidrs"`
	// WsusClientCidrs are on-premises networks whose hybrid nodes may reach WSUS's private
	// address (over a VPN or Direct Connect routed to the VPC): the WSUS security group and the
	// public subnets' network ACL admit them on the WSUS port, and the WSUS client configuration
	// then takes in hybrid nodes with the fleet tag. Default: none, so hybrid nodes are left out
	// of it (the address is unreachable from on-premises, and the settings forbid Windows Update).
	WsusClientCidrs []string `yaml:"wsusClientCidrs"`
	// ExtraInterfaceEndpoints are further AWS services (the NAME of com.amazonaws.REGION.NAME,
	// e.g. logs, kms, monitoring) to reach privately, besides ssm, ec2messages, ec2 and
	// ssmmessages (SystemsManagerEndpoints). Default: none.
	ExtraInterfaceEndpoints []string `yaml:"extraInterfaceEndpoints"`
	// InterfaceEndpointQuota is the account's quota of interface endpoints per VPC, where it was
	// raised (Service Quotas, "AWS PrivateLink quotas": adjustable): validation refuses more
	// endpoints than it allows. Default: MaxInterfaceEndpointsPerVpc, AWS's default quota.
	InterfaceEndpointQuota int `yaml:"interfaceEndpointQuota"`
	// FlowLogs records the VPC's traffic.
	FlowLogs FlowLogs `yaml:"flowLogs"`
}

// Nat configures NAT gateways for the private subnets.
type Nat struct {
	// Enabled routes the private subnets to the internet through NAT gateways. Default: false.
	Enabled bool `yaml:"enabled"`
	// Gateways is per-az (one NAT per AZ, survives an AZ outage) or single (one shared,
	// cheaper). Default: per-az.
	Gateways string `yaml:"gateways"`
}

// GatewayCount is how many NAT gateways n asks for in a VPC of azCount zones.
func (n Nat) GatewayCount(azCount int) int {
	switch {
	case !n.Enabled:
		return 0
	case n.Gateways == NatSingle:
		return 1
	default:
		return azCount
	}
}

// FlowLogs configures VPC flow logs.
type FlowLogs struct {
	// Destination is cloudwatch-logs or s3. Default: cloudwatch-logs.
	Destination string `yaml:"destination"`
	// RetentionDays is how long flow log records are kept: for CloudWatch Logs one of the
	// periods it accepts (CloudWatchRetentionDays) from MinCloudWatchRetentionDays, for S3 at
	// least 1. Default: 365.
	RetentionDays int `yaml:"retentionDays"`
}

// Defaults are the settings when nothing is set.
func Defaults() Settings {
	return Settings{
		VpcCidr:        "10.0.0.0/16",
		AzCount:        2,
		SubnetCidrMask: 24,
		Nat:            Nat{Gateways: NatPerAz},
		FlowLogs:       FlowLogs{Destination: FlowLogsToCloudWatchLogs, RetentionDays: 365},
	}
}

// WithDefaults fills what is unset (zero) from Defaults.
func (s Settings) WithDefaults() Settings {
	d := Defaults()
	fill(&s.VpcCidr, d.VpcCidr)
	fill(&s.AzCount, d.AzCount)
	fill(&s.SubnetCidrMask, d.SubnetCidrMask)
	fill(&s.Nat.Gateways, d.Nat.Gateways)
	fill(&s.FlowLogs.Destination, d.FlowLogs.Destination)
	fill(&s.FlowLogs.RetentionDays, d.FlowLogs.RetentionDays)
	return s
}

func fill[T comparable](field *T, value T) {
	var zero T
	if *field == zero {
		*field = value
	}
}

// ParseCidr parses an IPv4 block of field, adding a problem when it is not one or has host bits.
func ParseCidr(p *spec.Problems, field, value string) (netip.Prefix, bool) {
	prefix, err := netip.ParsePrefix(value)
	switch {
	case err != nil || !prefix.Addr().Is4():
		p.Add(field, value, "is not an IPv4 CIDR block: use the form 10.0.0.0/16")
		return prefix, false
	case prefix.Masked() != prefix:
		p.Add(field, value, "has host bits set: use %s", prefix.Masked())
		return prefix, false
	}
	return prefix, true
}

// Problems are the problems of the settings of a VPC privatepatch creates (give them after
// defaults). The zones' names are checked against the region by the caller, which knows it.
func (s Settings) Problems() spec.Problems {
	var p spec.Problems
	vpc, vpcOK := ParseCidr(&p, "VpcCidr", s.VpcCidr)
	if vpcOK && (vpc.Bits() < MinPrefixLength || vpc.Bits() > MaxPrefixLength) {
		p.Add("VpcCidr", s.VpcCidr, "is not allowed: a VPC block has a prefix length from /%d to /%d", MinPrefixLength, MaxPrefixLength)
		vpcOK = false
	}
	if vpcOK {
		for _, name := range ReservedOverlaps(vpc) {
			p.Add("VpcCidr", s.VpcCidr, "overlaps the special-purpose block %s: use a private block such as %s", name, Defaults().VpcCidr)
		}
	}
	azOK := s.AzCount >= 1 && s.AzCount <= MaxAzs
	if !azOK {
		p.Add("AzCount", s.AzCount, "is out of range: use 1 to %d", MaxAzs)
	} else if len(s.AvailabilityZones) > 0 && s.AzCount > len(s.AvailabilityZones) {
		p.Add("AzCount", s.AzCount, "is more than the %d zones listed in availability zones", len(s.AvailabilityZones))
	}
	seen := map[string]bool{}
	for i, az := range s.AvailabilityZones {
		if seen[az] {
			p.Add(fmt.Sprintf("AvailabilityZones[%d]", i), az, "is listed twice")
		}
		seen[az] = true
	}
	if s.SubnetCidrMask < MinPrefixLength || s.SubnetCidrMask > MaxPrefixLength {
		p.Add("SubnetCidrMask", s.SubnetCidrMask, "is out of range: a subnet has a prefix length from /%d to /%d", MinPrefixLength, MaxPrefixLength)
	} else if vpcOK && azOK {
		// Subnets have fixed places per zone (see SubnetBlock), each 2^(32-mask) addresses.
		needed := SubnetBlocksNeeded(s.AzCount) << (32 - s.SubnetCidrMask)
		if available := 1 << (32 - vpc.Bits()); needed > available {
			p.Add("VpcCidr", s.VpcCidr, "is too small for %d zones of /%d subnets (%d addresses needed, %d available): use a larger block or a longer subnet mask",
				s.AzCount, s.SubnetCidrMask, needed, available)
		}
	}
	return append(p, s.SharedProblems(vpc, vpcOK)...)
}

// SharedProblems are the problems of the settings that apply to a created and an existing VPC
// alike, in the VPC block vpc (when vpcOK).
func (s Settings) SharedProblems(vpc netip.Prefix, vpcOK bool) spec.Problems {
	var p spec.Problems
	if s.Nat.Gateways != NatPerAz && s.Nat.Gateways != NatSingle {
		p.Add("Nat.Gateways", s.Nat.Gateways, "is not allowed: use %s or %s", NatPerAz, NatSingle)
	}
	p = append(p, outsideCidrProblems("AdminCidrs", s.AdminCidrs, vpc, vpcOK,
		"opens RDP to (nearly) the whole internet: list your administrators' own address blocks, or none and use Session Manager",
		"admin CIDRs are where administrators connect from, outside the VPC (inside it, use Session Manager)")...)
	p = append(p, outsideCidrProblems("WsusClientCidrs", s.WsusClientCidrs, vpc, vpcOK,
		"opens WSUS to (nearly) the whole internet: list the on-premises networks of your hybrid nodes",
		"these are on-premises networks, outside the VPC (inside it, WSUS is reached already)")...)
	p = append(p, endpointProblems(s.ExtraInterfaceEndpoints)...)
	p.Within("FlowLogs", s.FlowLogs.Problems())
	return p
}

// outsideCidrProblems are the problems of a list of address blocks outside the VPC that the
// network ACLs admit one rule each: too many for the rule quota, broader than /8 (tooWide says
// why that is wrong), or overlapping the VPC (inside says what they are instead).
func outsideCidrProblems(field string, cidrs []string, vpc netip.Prefix, vpcOK bool, tooWide, inside string) spec.Problems {
	var p spec.Problems
	if len(cidrs) > MaxListedCidrs {
		p.Add(field, len(cidrs), "blocks is too many: at most %d fit the network ACL rule quota", MaxListedCidrs)
	}
	for i, cidr := range cidrs {
		item := fmt.Sprintf("%s[%d]", field, i)
		prefix, ok := ParseCidr(&p, item, cidr)
		switch {
		case ok && prefix.Bits() < 8:
			p.Add(item, cidr, "%s", tooWide)
		case ok && vpcOK && prefix.Overlaps(vpc):
			p.Add(item, cidr, "overlaps the VPC %s: "+inside, vpc)
		}
	}
	return p
}

var (
	endpointPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*$`)
	// regionPattern is the shape of a region's name in a full service name (us-west-2).
	regionPattern = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+-[0-9]+$`)
)

func endpointProblems(names []string) spec.Problems {
	var p spec.Problems
	seen := map[string]bool{}
	for i, name := range names {
		field := fmt.Sprintf("ExtraInterfaceEndpoints[%d]", i)
		switch {
		case strings.HasPrefix(name, "com.amazonaws.") || strings.HasPrefix(name, "aws."):
			rest := strings.TrimPrefix(strings.TrimPrefix(name, "com.amazonaws."), "aws.")
			region, service, _ := strings.Cut(rest, ".")
			if !regionPattern.MatchString(region) {
				region, service = "REGION", rest
			}
			p.Add(field, name, "is a full service name: give the part after com.amazonaws.%s., such as %s", region, service)
		case !endpointPattern.MatchString(name):
			p.Add(field, name, "is not an AWS service endpoint name: use the part after com.amazonaws.REGION., such as logs or kms")
		case slices.Contains(SystemsManagerEndpoints, name) || name == "s3":
			p.Add(field, name, "is always created: remove it from the list")
		case !slices.Contains(InterfaceEndpointServices, name):
			p.Add(field, name, "is not an interface endpoint service privatepatch knows (networkspec.InterfaceEndpointServices, from aws-cdk-lib): use one such as logs, kms or monitoring")
		case seen[name]:
			p.Add(field, name, "is listed twice")
		}
		seen[name] = true
	}
	return p
}

// Problems are the flow log settings' problems.
func (f FlowLogs) Problems() spec.Problems {
	var p spec.Problems
	switch f.Destination {
	case FlowLogsToCloudWatchLogs:
		switch {
		case !slices.Contains(CloudWatchRetentionDays, f.RetentionDays):
			p.Add("RetentionDays", f.RetentionDays, "is not a CloudWatch Logs retention period: use one of %v", CloudWatchRetentionDays)
		case f.RetentionDays < MinCloudWatchRetentionDays:
			p.Add("RetentionDays", f.RetentionDays, "is shorter than the year the Control Tower control CT.CLOUDWATCH.PR.2 asks of a log group, "+
				"which make verify checks: use %d or more, or destination s3 for a shorter retention", MinCloudWatchRetentionDays)
		}
	case FlowLogsToS3:
		if f.RetentionDays < 1 {
			p.Add("RetentionDays", f.RetentionDays, "is not allowed: keep flow logs for at least 1 day")
		}
	default:
		p.Add("Destination", f.Destination, "is not allowed: use %s or %s", FlowLogsToCloudWatchLogs, FlowLogsToS3)
	}
	return p
}

// SubnetBlock is the index of the subnet-sized block of the VPC range that the subnet of one
// group (PublicSubnetGroup or PrivateSubnetGroup) in one AZ slot (0 for the first zone) takes.
//
// CDK's default allocation numbers all public subnets first and the private ones after them, so
// adding a zone shifts every private subnet: CloudFormation must replace a subnet whose CIDR
// changes, cannot create the new one while the old still holds the range, and would replace
// every instance in it. Here a slot's blocks never depend on how many zones there are. Slots go
// in pairs of four blocks, public then private, which is also CDK's layout for two zones, so
// existing two-zone VPCs keep their subnets:
//
//	slots 0, 1: public 0, 1   private 2, 3
//	slots 2, 3: public 4, 5   private 6, 7
//	slots 4, 5: public 8, 9   private 10, 11
func SubnetBlock(group string, slot int) int {
	block := slot/2*4 + slot%2
	if group == PrivateSubnetGroup {
		block += 2
	}
	return block
}

// SubnetBlocksNeeded is how many subnet-sized blocks the VPC range must hold for azCount zones.
func SubnetBlocksNeeded(azCount int) int {
	return SubnetBlock(PrivateSubnetGroup, azCount-1) + 1
}

// InsideBlock says whether subnet lies within vpc: a block no larger than it and starting in it
// (a VPC's subnets are carved from its blocks).
func InsideBlock(vpc, subnet netip.Prefix) bool {
	return subnet.Bits() >= vpc.Bits() && vpc.Masked().Contains(subnet.Addr())
}
