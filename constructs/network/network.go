// Package network provides the private-subnet VPC that Systems Manager patching needs: public
// and private subnets, the Systems Manager interface endpoints and the S3 gateway endpoint,
// security groups, stateless network ACLs with every return rule, and flow logs.
package network

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/privatepatch/privatepatch/constructs/awsbuckets"
)

// Subnet group names; the subnets' logical IDs derive from them, so they are part of the contract.
const (
	PublicSubnetGroup  = "Public"
	PrivateSubnetGroup = "Private"
)

// FlowLogDestination is where VPC flow logs are delivered.
type FlowLogDestination string

// Flow log destinations.
const (
	FlowLogsToCloudWatchLogs FlowLogDestination = "cloudwatch-logs"
	FlowLogsToS3             FlowLogDestination = "s3"
)

// Props configures a Network. Only S3PrefixListId and S3PrefixListCidrs are required.
type Props struct {
	// VpcCidr is the VPC's IPv4 block. Default: 10.0.0.0/16.
	VpcCidr string
	// AzCount is how many availability zones get one public and one private subnet. Default: 2.
	AzCount int
	// AvailabilityZones names the zones to use: the first AzCount of them, in name order.
	// Default: the stack's zones (Fn::GetAZs for an account-agnostic stack, a CDK lookup
	// otherwise). Subnet CIDRs are fixed per zone position (SubnetBlock): adding a zone that
	// sorts after the others, or raising AzCount, leaves every existing subnet as it is.
	AvailabilityZones []string
	// SubnetCidrMask is the prefix length of every subnet. Default: 24.
	SubnetCidrMask int
	// NatGateways is the number of NAT gateways giving the private subnets an internet route.
	// Default: 0, so private subnets have no route to the internet.
	NatGateways int
	// AdminCidrs may reach the public security group on RDP 3389. Default: none.
	AdminCidrs []string
	// ExtraInterfaceEndpoints are AWS service names (as in com.amazonaws.REGION.NAME) reached
	// through interface endpoints besides ssm, ec2messages, ec2 and ssmmessages. Default: none.
	ExtraInterfaceEndpoints []string
	// S3PrefixListId is the id of the region's com.amazonaws.REGION.s3 managed prefix list, which
	// the private security group's HTTPS egress to S3 references. Required: see
	// LookupS3PrefixListId.
	S3PrefixListId string
	// S3PrefixListCidrs are the CIDRs of that prefix list, which network ACLs, unable to reference
	// a prefix list, must name one by one. Required: see LookupS3PrefixListCidrs.
	S3PrefixListCidrs []string
	// S3ReadBuckets are further bucket names the S3 endpoint policy lets the VPC read. In a region
	// awsbuckets does not know the Patch Manager bucket of, it must name that bucket.
	// Default: none, only the Systems Manager buckets (awsbuckets.SystemsManager).
	S3ReadBuckets []string
	// PatchedOperatingSystems are the operating systems (as AWS::SSM::PatchBaseline names them)
	// patched in the private subnets: the S3 endpoint policy also allows the repository buckets
	// AWS documents for them (awsbuckets.Repositories). Default: none.
	PatchedOperatingSystems []string
	// S3ReadWriteBuckets are bucket names the S3 endpoint policy lets the VPC read, write and
	// list. Default: none.
	S3ReadWriteBuckets []string
	// FlowLogDestination is where flow logs of all traffic go. Default: FlowLogsToCloudWatchLogs.
	FlowLogDestination FlowLogDestination
	// FlowLogRetentionDays is how long flow logs are kept. For CloudWatch Logs it must be one of
	// the periods CloudWatch accepts. Default: 365.
	FlowLogRetentionDays int
	// Existing, when set, is the VPC to deploy into: VpcCidr, AzCount, AvailabilityZones,
	// SubnetCidrMask and NatGateways then do not apply. Default: none, a VPC is created.
	Existing *ExistingVpc
}

// Network is the VPC and its access controls. Its parts are exposed so callers can extend them.
type Network interface {
	constructs.Construct
	// Vpc is the VPC.
	Vpc() awsec2.IVpc
	// PublicSecurityGroup is for the WSUS server and RDP jump host in a public subnet.
	PublicSecurityGroup() awsec2.ISecurityGroup
	// PrivateSecurityGroup is for the patched instances in the private subnets.
	PrivateSecurityGroup() awsec2.ISecurityGroup
	// EndpointSecurityGroup guards the interface endpoints: HTTPS from the VPC only; nil when a
	// hub provides them.
	EndpointSecurityGroup() awsec2.ISecurityGroup
	// PublicAcl and PrivateAcl are the network ACLs of the two subnet groups; nil in an existing
	// VPC whose ACLs are left alone.
	PublicAcl() awsec2.INetworkAcl
	PrivateAcl() awsec2.INetworkAcl
	// InterfaceEndpoints maps each service name to its interface endpoint; empty when a hub
	// provides them.
	InterfaceEndpoints() map[string]awsec2.InterfaceVpcEndpoint
	// S3Endpoint is the S3 gateway endpoint on the private route tables; nil when the existing
	// VPC provides one.
	S3Endpoint() awsec2.GatewayVpcEndpoint
	// InternetGatewayId is the id of the internet gateway of the public subnets; nil in an
	// existing VPC.
	InternetGatewayId() *string
	// AllowS3ReadWrite lets the VPC read, write and list bucketName through the S3 endpoint.
	AllowS3ReadWrite(bucketName *string)
	// S3EndpointBuckets are the buckets the S3 endpoint's policy allows, or (with an endpoint the
	// VPC provides) must allow: read-only ones, then read-write ones.
	S3EndpointBuckets() (read, readWrite []string)
}

type network struct {
	constructs.Construct
	vpc                                   awsec2.IVpc
	created                               awsec2.Vpc // nil in an existing VPC
	existing                              *ExistingVpc
	readBuckets, readWriteBuckets         []string
	publicSG, privateSG, endpointSG       awsec2.SecurityGroup
	publicAcl, privateAcl                 awsec2.NetworkAcl
	interfaceEndpoints                    map[string]awsec2.InterfaceVpcEndpoint
	s3Endpoint                            awsec2.GatewayVpcEndpoint
	vpcCidr                               string
	publicSubnetCidrs, privateSubnetCidrs []string
	adminCidrs, s3Cidrs                   []string
	s3PrefixListId                        string
	natEnabled                            bool
}

// NewNetwork creates the VPC, its endpoints, security groups, network ACLs and flow logs.
// It panics when props are invalid, before creating anything.
func NewNetwork(scope constructs.Construct, id string, props *Props) Network {
	p := withDefaults(props)
	if err := p.validate(*awscdk.Stack_Of(scope).Region()); err != nil {
		panic(fmt.Sprintf("network %s: %v", id, err))
	}
	n := &network{
		Construct: constructs.NewConstruct(scope, jsii.String(id)),
		existing:  p.Existing,
		vpcCidr:   p.VpcCidr,
		// Sorted: ACL entries are numbered in order, so listing the same CIDRs in another order
		// (as AWS may return a prefix list) changes no rule.
		adminCidrs:     sorted(p.AdminCidrs),
		s3Cidrs:        sorted(p.S3PrefixListCidrs),
		s3PrefixListId: p.S3PrefixListId,
		natEnabled:     p.NatGateways > 0,
	}
	if p.Existing != nil {
		p.Existing = p.Existing.resolve(n.Construct)
		n.existing = p.Existing
		n.vpcCidr, n.natEnabled = p.Existing.Cidr, p.Existing.PrivateInternetRoute
		n.vpc = importVpc(n.Construct, p.Existing)
		for _, s := range p.Existing.PublicSubnets {
			n.publicSubnetCidrs = append(n.publicSubnetCidrs, s.Cidr)
		}
		for _, s := range p.Existing.PrivateSubnets {
			n.privateSubnetCidrs = append(n.privateSubnetCidrs, s.Cidr)
		}
		n.addSecurityGroups()
		n.addEndpoints(&p)
		if p.Existing.ManageNetworkAcls {
			n.addNetworkAcls()
		}
		if p.Existing.FlowLogs {
			addFlowLogs(n, &p)
		}
		return n
	}
	n.created = newVpc(n.Construct, &p)
	n.vpc = n.created
	for _, s := range *n.vpc.PublicSubnets() {
		n.publicSubnetCidrs = append(n.publicSubnetCidrs, *s.Ipv4CidrBlock())
		cdknag.NagSuppressions_AddResourceSuppressions(s, &[]*cdknag.NagPackSuppression{{
			Id: jsii.String("NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW"),
			Reason: jsii.String("The public subnets hold the WSUS server, which synchronises from Microsoft Update, and any NAT " +
				"gateways; what they may reach is limited by their security group and network ACL (80/443 out), and the " +
				"private subnets have no route to the internet gateway"),
		}}, jsii.Bool(true))
	}
	for _, s := range *n.vpc.SelectSubnets(&awsec2.SubnetSelection{SubnetGroupName: jsii.String(PrivateSubnetGroup)}).Subnets {
		n.privateSubnetCidrs = append(n.privateSubnetCidrs, *s.Ipv4CidrBlock())
	}
	n.addSecurityGroups()
	n.addEndpoints(&p)
	n.addNetworkAcls()
	addFlowLogs(n, &p)
	return n
}

func withDefaults(props *Props) Props {
	p := Props{}
	if props != nil {
		p = *props
	}
	if p.VpcCidr == "" {
		p.VpcCidr = "10.0.0.0/16"
	}
	if p.AzCount == 0 {
		p.AzCount = 2
	}
	if p.SubnetCidrMask == 0 {
		p.SubnetCidrMask = 24
	}
	if p.FlowLogDestination == "" {
		p.FlowLogDestination = FlowLogsToCloudWatchLogs
	}
	if p.FlowLogRetentionDays == 0 {
		p.FlowLogRetentionDays = 365
	}
	return p
}

func (p *Props) validate(region string) error {
	if problem := awsbuckets.MissingPatchManagerBucket(region, p.S3ReadBuckets); problem != "" {
		return fmt.Errorf("region %s %s", region, problem)
	}
	if p.Existing != nil {
		// Its ids were validated with the configuration; the construct checks what it relies on.
		switch {
		case p.Existing.Lookup != nil:
			if len(p.Existing.Lookup.Tags) == 0 || p.Existing.Lookup.PrivateSubnetGroup == "" || p.Existing.ManageNetworkAcls {
				return fmt.Errorf("Existing.Lookup needs Tags and PrivateSubnetGroup, and cannot have ManageNetworkAcls")
			}
			return p.validateFlowLogs()
		case p.Existing.VpcId == "" || len(p.Existing.PrivateSubnets) == 0:
			return fmt.Errorf("Existing needs VpcId and PrivateSubnets, or Lookup")
		case p.Existing.ManageNetworkAcls && len(p.Existing.PublicSubnets) == 0:
			return fmt.Errorf("Existing.ManageNetworkAcls needs PublicSubnets: the ACLs cover a public and a private subnet group")
		case p.Existing.InterfaceEndpointsProvided && len(p.Existing.HubCidrs) == 0:
			return fmt.Errorf("Existing.InterfaceEndpointsProvided needs HubCidrs: the private security group must reach the hub's endpoints")
		}
		p.VpcCidr = p.Existing.Cidr
	}
	if !strings.HasPrefix(p.S3PrefixListId, "pl-") {
		return fmt.Errorf("S3PrefixListId %q is not a prefix-list id (pl-...): the private security group could not reach S3; use LookupS3PrefixListId or give it", p.S3PrefixListId)
	}
	if len(p.S3PrefixListCidrs) == 0 && (p.Existing == nil || p.Existing.ManageNetworkAcls) {
		return fmt.Errorf("S3PrefixListCidrs is empty: private subnets could not reach S3, so patching would fail; use LookupS3PrefixListCidrs or list them")
	}
	var hubCidrs []string
	if p.Existing != nil {
		hubCidrs = p.Existing.HubCidrs
	}
	for _, cidr := range slices.Concat([]string{p.VpcCidr}, p.AdminCidrs, p.S3PrefixListCidrs, hubCidrs) {
		if prefix, err := netip.ParsePrefix(cidr); err != nil || !prefix.Addr().Is4() {
			return fmt.Errorf("%q is not an IPv4 CIDR block", cidr)
		}
	}
	for _, cidr := range p.AdminCidrs {
		if netip.MustParsePrefix(cidr).Bits() == 0 {
			return fmt.Errorf("admin CIDR %q would open RDP to the internet", cidr)
		}
	}
	vpc := netip.MustParsePrefix(p.VpcCidr)
	if p.Existing != nil {
		return p.validateFlowLogs()
	}
	if p.SubnetCidrMask < vpc.Bits() || p.SubnetCidrMask > 28 {
		return fmt.Errorf("SubnetCidrMask /%d does not fit VPC %s (use /%d to /28)", p.SubnetCidrMask, p.VpcCidr, vpc.Bits())
	}
	if needed, available := SubnetBlocksNeeded(p.AzCount), 1<<(p.SubnetCidrMask-vpc.Bits()); needed > available {
		return fmt.Errorf("VPC %s holds %d subnets of /%d, and %d zones need %d blocks (see SubnetBlock)", p.VpcCidr, available, p.SubnetCidrMask, p.AzCount, needed)
	}
	if len(p.AvailabilityZones) > 0 && len(p.AvailabilityZones) < p.AzCount {
		return fmt.Errorf("AzCount %d is more than the %d AvailabilityZones", p.AzCount, len(p.AvailabilityZones))
	}
	return p.validateFlowLogs()
}

func (p *Props) validateFlowLogs() error {
	if p.FlowLogDestination != FlowLogsToCloudWatchLogs && p.FlowLogDestination != FlowLogsToS3 {
		return fmt.Errorf("FlowLogDestination %q is not %q or %q", p.FlowLogDestination, FlowLogsToCloudWatchLogs, FlowLogsToS3)
	}
	if p.FlowLogRetentionDays < 1 {
		return fmt.Errorf("FlowLogRetentionDays %d is less than 1", p.FlowLogRetentionDays)
	}
	return nil
}

func newVpc(scope constructs.Construct, p *Props) awsec2.Vpc {
	privateType := awsec2.SubnetType_PRIVATE_ISOLATED
	if p.NatGateways > 0 {
		privateType = awsec2.SubnetType_PRIVATE_WITH_EGRESS
	}
	props := &awsec2.VpcProps{
		IpAddresses:        &stableSubnets{vpc: netip.MustParsePrefix(p.VpcCidr), mask: p.SubnetCidrMask},
		NatGateways:        jsii.Number(p.NatGateways),
		EnableDnsHostnames: jsii.Bool(true),
		EnableDnsSupport:   jsii.Bool(true),
		// Strips the default security group's rules, so nothing can rely on it by accident.
		RestrictDefaultSecurityGroup: jsii.Bool(true),
		SubnetConfiguration: &[]*awsec2.SubnetConfiguration{{
			Name:       jsii.String(PublicSubnetGroup),
			SubnetType: awsec2.SubnetType_PUBLIC,
			CidrMask:   jsii.Number(p.SubnetCidrMask),
			// Instances that need a public address get an Elastic IP (AWS Control Tower CT.EC2.PR.11).
			MapPublicIpOnLaunch: jsii.Bool(false),
		}, {
			Name:       jsii.String(PrivateSubnetGroup),
			SubnetType: privateType,
			CidrMask:   jsii.Number(p.SubnetCidrMask),
		}},
	}
	if len(p.AvailabilityZones) > 0 {
		// Sorted, as Fn::GetAZs and CDK's lookup return them: subnets are numbered by zone, so
		// listing the same zones in another order must not move them.
		zones := slices.Clone(p.AvailabilityZones[:p.AzCount])
		slices.Sort(zones)
		props.AvailabilityZones = jsii.Strings(zones...)
	} else {
		props.MaxAzs = jsii.Number(p.AzCount)
	}
	return awsec2.NewVpc(scope, jsii.String("Vpc"), props)
}

func (n *network) Vpc() awsec2.IVpc                             { return n.vpc }
func (n *network) PublicSecurityGroup() awsec2.ISecurityGroup   { return n.publicSG }
func (n *network) PrivateSecurityGroup() awsec2.ISecurityGroup  { return n.privateSG }
func (n *network) EndpointSecurityGroup() awsec2.ISecurityGroup { return n.endpointSG }
func (n *network) PublicAcl() awsec2.INetworkAcl                { return n.publicAcl }
func (n *network) PrivateAcl() awsec2.INetworkAcl               { return n.privateAcl }
func (n *network) S3Endpoint() awsec2.GatewayVpcEndpoint        { return n.s3Endpoint }
func (n *network) InternetGatewayId() *string {
	if n.created == nil {
		return nil
	}
	return n.created.InternetGatewayId()
}
func (n *network) InterfaceEndpoints() map[string]awsec2.InterfaceVpcEndpoint {
	return n.interfaceEndpoints
}

func sorted(values []string) []string {
	out := slices.Clone(values)
	slices.Sort(out)
	return out
}
