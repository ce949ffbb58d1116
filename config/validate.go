package config

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
)

// ValidationError lists every problem found in a configuration, one per line.
type ValidationError struct {
	Problems []string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("%d configuration problem(s):\n  - %s", len(e.Problems), strings.Join(e.Problems, "\n  - "))
}

type problems []string

func (p *problems) add(field string, value any, format string, args ...any) {
	*p = append(*p, fmt.Sprintf("%s: %s %s", field, quote(value), fmt.Sprintf(format, args...)))
}

func quote(value any) string {
	if s, ok := value.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(value)
}

var (
	projectPattern  = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}$`)
	accountPattern  = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern   = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$`)
	endpointPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*$`)
	bucketPattern   = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
)

// BuiltInInterfaceEndpoints are the endpoints Systems Manager needs in every private subnet.
var BuiltInInterfaceEndpoints = []string{"ssm", "ec2messages", "ec2", "ssmmessages"}

// cloudWatchRetentionDays are the retention periods CloudWatch Logs accepts.
var cloudWatchRetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

const (
	maxAzs = 6
	// maxListedCidrs keeps the network ACLs within the default quota of 20 rules per direction.
	maxListedCidrs = 10
)

// Validate checks the whole configuration and reports every problem at once.
func (c *Config) Validate() error {
	var p problems
	if !projectPattern.MatchString(c.Project) {
		p.add("project", c.Project, "is not allowed: use 1-31 lowercase letters, digits and hyphens, starting with a letter")
	}
	if c.Account != "" && !accountPattern.MatchString(c.Account) {
		p.add("account", c.Account, "is not an AWS account id: use 12 digits, or leave it out")
	}
	if !regionPattern.MatchString(c.Region) {
		p.add("region", c.Region, "is not an AWS region name: use one such as us-west-2 or eu-central-1")
	}
	for key, value := range c.Tags {
		if key == "" || len(key) > 128 || strings.HasPrefix(strings.ToLower(key), "aws:") {
			p.add("tags", key, "is not a valid tag key: use 1-128 characters not starting with aws:")
		}
		if len(value) > 256 {
			p.add("tags."+key, value, "is too long: tag values hold at most 256 characters")
		}
	}
	c.Network.validate(c, &p)
	if len(p) == 0 {
		return nil
	}
	slices.Sort(p)
	return &ValidationError{Problems: p}
}

func (n *Network) validate(c *Config, p *problems) {
	vpc, vpcOK := parseCidr(p, "network.vpcCidr", n.VpcCidr)
	if vpcOK && (vpc.Bits() < 16 || vpc.Bits() > 28) {
		p.add("network.vpcCidr", n.VpcCidr, "is not allowed: a VPC block has a prefix length from /16 to /28")
		vpcOK = false
	}
	if n.AzCount < 1 || n.AzCount > maxAzs {
		p.add("network.azCount", n.AzCount, "is out of range: use 1 to %d", maxAzs)
	} else if len(n.AvailabilityZones) > 0 && n.AzCount > len(n.AvailabilityZones) {
		p.add("network.azCount", n.AzCount, "is more than the %d zones listed in network.availabilityZones", len(n.AvailabilityZones))
	} else if len(n.AvailabilityZones) == 0 && c.Account == "" && n.AzCount > 2 {
		p.add("network.azCount", n.AzCount, "needs an account or network.availabilityZones: an account-agnostic stack can use only 2 zones")
	}
	for i, az := range n.AvailabilityZones {
		if !strings.HasPrefix(az, c.Region) || len(az) <= len(c.Region) {
			p.add(fmt.Sprintf("network.availabilityZones[%d]", i), az, "is not a zone of region %q", c.Region)
		}
	}
	if n.SubnetCidrMask < 16 || n.SubnetCidrMask > 28 {
		p.add("network.subnetCidrMask", n.SubnetCidrMask, "is out of range: a subnet has a prefix length from /16 to /28")
	} else if vpcOK && n.AzCount >= 1 && n.AzCount <= maxAzs {
		// One public and one private subnet per AZ, each 2^(32-mask) addresses.
		needed := 2 * n.AzCount << (32 - n.SubnetCidrMask)
		if available := 1 << (32 - vpc.Bits()); needed > available {
			p.add("network.vpcCidr", n.VpcCidr, "is too small for %d subnets of /%d (%d addresses needed, %d available): use a larger block or a longer network.subnetCidrMask",
				2*n.AzCount, n.SubnetCidrMask, needed, available)
		}
	}
	if n.Nat.Gateways != NatPerAz && n.Nat.Gateways != NatSingle {
		p.add("network.nat.gateways", n.Nat.Gateways, "is not allowed: use %s or %s", NatPerAz, NatSingle)
	}
	validateAdminCidrs(p, n.AdminCidrs)
	validateEndpoints(p, n.ExtraInterfaceEndpoints)
	validateS3Cidrs(p, c)
	validateBuckets(p, "network.s3Endpoint.readBuckets", n.S3Endpoint.ReadBuckets)
	validateBuckets(p, "network.s3Endpoint.readWriteBuckets", n.S3Endpoint.ReadWriteBuckets)
	n.FlowLogs.validate(p)
}

func parseCidr(p *problems, field, value string) (netip.Prefix, bool) {
	prefix, err := netip.ParsePrefix(value)
	switch {
	case err != nil || !prefix.Addr().Is4():
		p.add(field, value, "is not an IPv4 CIDR block: use the form 10.0.0.0/16")
		return prefix, false
	case prefix.Masked() != prefix:
		p.add(field, value, "has host bits set: use %s", prefix.Masked())
		return prefix, false
	}
	return prefix, true
}

func validateAdminCidrs(p *problems, cidrs []string) {
	if len(cidrs) > maxListedCidrs {
		p.add("network.adminCidrs", len(cidrs), "blocks is too many: at most %d fit the network ACL rule quota", maxListedCidrs)
	}
	for i, cidr := range cidrs {
		field := fmt.Sprintf("network.adminCidrs[%d]", i)
		prefix, ok := parseCidr(p, field, cidr)
		if ok && prefix.Bits() < 8 {
			p.add(field, cidr, "opens RDP to (nearly) the whole internet: list your administrators' own address blocks, or none and use Session Manager")
		}
	}
}

func validateEndpoints(p *problems, names []string) {
	seen := map[string]bool{}
	for i, name := range names {
		field := fmt.Sprintf("network.extraInterfaceEndpoints[%d]", i)
		switch {
		case !endpointPattern.MatchString(name):
			p.add(field, name, "is not an AWS service endpoint name: use the part after com.amazonaws.REGION., such as logs or kms")
		case slices.Contains(BuiltInInterfaceEndpoints, name) || name == "s3":
			p.add(field, name, "is always created: remove it from the list")
		case seen[name]:
			p.add(field, name, "is listed twice")
		}
		seen[name] = true
	}
}

func validateS3Cidrs(p *problems, c *Config) {
	for region, cidrs := range c.Network.S3PrefixListCidrs {
		field := "network.s3PrefixListCidrs." + region
		if !regionPattern.MatchString(region) {
			p.add("network.s3PrefixListCidrs", region, "is not an AWS region name")
		}
		if len(cidrs) == 0 || len(cidrs) > maxListedCidrs {
			p.add(field, len(cidrs), "CIDRs is not allowed: list 1 to %d", maxListedCidrs)
		}
		for i, cidr := range cidrs {
			parseCidr(p, fmt.Sprintf("%s[%d]", field, i), cidr)
		}
	}
	if c.Account == "" && c.S3Cidrs() == nil && regionPattern.MatchString(c.Region) {
		p.add("network.s3PrefixListCidrs", c.Region, "has no S3 prefix-list CIDRs and, with no account set, CDK cannot look them up: "+
			"either add them under network.s3PrefixListCidrs.%[1]s (aws ec2 get-managed-prefix-list-entries --region %[1]s --prefix-list-id "+
			"<id of com.amazonaws.%[1]s.s3 from aws ec2 describe-managed-prefix-lists>), or set account and run cdk synth with credentials "+
			"to cache the lookup in cdk.context.json", c.Region)
	}
}

func validateBuckets(p *problems, field string, buckets []string) {
	for i, bucket := range buckets {
		if !bucketPattern.MatchString(bucket) {
			p.add(fmt.Sprintf("%s[%d]", field, i), bucket, "is not an S3 bucket name: use 3-63 lowercase letters, digits, dots and hyphens")
		}
	}
}

func (f *FlowLogs) validate(p *problems) {
	switch f.Destination {
	case FlowLogsToCloudWatch:
		if !slices.Contains(cloudWatchRetentionDays, f.RetentionDays) {
			p.add("network.flowLogs.retentionDays", f.RetentionDays, "is not a CloudWatch Logs retention period: use one of %v", cloudWatchRetentionDays)
		}
	case FlowLogsToS3:
		if f.RetentionDays < 1 {
			p.add("network.flowLogs.retentionDays", f.RetentionDays, "is not allowed: keep flow logs for at least 1 day")
		}
	default:
		p.add("network.flowLogs.destination", f.Destination, "is not allowed: use %s or %s", FlowLogsToCloudWatch, FlowLogsToS3)
	}
}
