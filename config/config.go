// Package config is privatepatch's typed configuration model: strict YAML loading, defaults and
// validation. It knows nothing of CDK; the stacks package maps a validated Config to construct props.
package config

// Config is one deployment of privatepatch: an account and region and everything built in them.
type Config struct {
	// Project prefixes stack names (<project>-network) and is tagged on every resource.
	Project string `yaml:"project"`
	// Account is the 12-digit AWS account id. Optional: without it the stacks are
	// account-agnostic, CDK cannot run context lookups, and at most two AZs are used.
	Account string `yaml:"account"`
	// Region is the AWS region the stacks deploy to, e.g. us-west-2.
	Region string `yaml:"region"`
	// Tags are added to every taggable resource.
	Tags map[string]string `yaml:"tags"`
	// Network is the VPC that the patched fleet lives in.
	Network Network `yaml:"network"`
}

// Network configures the VPC, its endpoints, security groups, network ACLs and flow logs.
type Network struct {
	// VpcCidr is the VPC's IPv4 block.
	VpcCidr string `yaml:"vpcCidr"`
	// AzCount is how many availability zones get one public and one private subnet.
	AzCount int `yaml:"azCount"`
	// AvailabilityZones names the zones to use; empty lets CloudFormation or a CDK lookup pick.
	AvailabilityZones []string `yaml:"availabilityZones"`
	// SubnetCidrMask is the prefix length of every subnet.
	SubnetCidrMask int `yaml:"subnetCidrMask"`
	// Nat gives the private subnets an internet route (the variant without WSUS).
	Nat Nat `yaml:"nat"`
	// AdminCidrs may reach the public jump host on RDP 3389. Empty: use Session Manager.
	AdminCidrs []string `yaml:"adminCidrs"`
	// ExtraInterfaceEndpoints are further AWS services (e.g. logs, kms, monitoring) to reach
	// privately, in addition to ssm, ec2messages, ec2 and ssmmessages.
	ExtraInterfaceEndpoints []string `yaml:"extraInterfaceEndpoints"`
	// S3PrefixListCidrs maps a region to the CIDRs of its com.amazonaws.REGION.s3 prefix list.
	// An entry for the deployment region overrides the CDK context lookup.
	S3PrefixListCidrs map[string][]string `yaml:"s3PrefixListCidrs"`
	// S3Endpoint widens the S3 gateway endpoint policy beyond the Systems Manager buckets.
	S3Endpoint S3Endpoint `yaml:"s3Endpoint"`
	// FlowLogs records the VPC's traffic.
	FlowLogs FlowLogs `yaml:"flowLogs"`
}

// NAT gateway layouts.
const (
	NatPerAz  = "per-az"
	NatSingle = "single"
)

// Nat configures NAT gateways for the private subnets.
type Nat struct {
	// Enabled routes the private subnets to the internet through NAT gateways.
	Enabled bool `yaml:"enabled"`
	// Gateways is per-az (one NAT per AZ, survives an AZ outage) or single (one shared, cheaper).
	Gateways string `yaml:"gateways"`
}

// S3Endpoint lists buckets, besides the Systems Manager ones, reachable through the S3 endpoint.
type S3Endpoint struct {
	// ReadBuckets are bucket names the private subnets may read (e.g. Linux package repositories).
	ReadBuckets []string `yaml:"readBuckets"`
	// ReadWriteBuckets are the project's own bucket names (command output, inventory).
	ReadWriteBuckets []string `yaml:"readWriteBuckets"`
}

// Flow log destinations.
const (
	FlowLogsToCloudWatch = "cloudwatch-logs"
	FlowLogsToS3         = "s3"
)

// FlowLogs configures VPC flow logs.
type FlowLogs struct {
	// Destination is cloudwatch-logs or s3.
	Destination string `yaml:"destination"`
	// RetentionDays is how long flow log records are kept.
	RetentionDays int `yaml:"retentionDays"`
}

// Defaults returns the values every configuration file starts from: a file sets only what differs.
func Defaults() Config {
	return Config{
		Project: "privatepatch",
		Network: Network{
			VpcCidr:        "10.0.0.0/16",
			AzCount:        2,
			SubnetCidrMask: 24,
			Nat:            Nat{Gateways: NatPerAz},
			FlowLogs:       FlowLogs{Destination: FlowLogsToCloudWatch, RetentionDays: 365},
		},
	}
}

// S3Cidrs returns the configured S3 prefix-list CIDRs for the deployment region, or nil when
// they are to be looked up.
func (c *Config) S3Cidrs() []string {
	return c.Network.S3PrefixListCidrs[c.Region]
}

// NatGatewayCount is how many NAT gateways the configuration asks for.
func (c *Config) NatGatewayCount() int {
	switch {
	case !c.Network.Nat.Enabled:
		return 0
	case c.Network.Nat.Gateways == NatSingle:
		return 1
	default:
		return c.Network.AzCount
	}
}
