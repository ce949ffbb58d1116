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
	"github.com/privatepatch/privatepatch/constructs/network/networkspec"
	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/constructs/stackenv"
)

// Subnet group names; the subnets' logical IDs derive from them, so they are part of the contract.
const (
	PublicSubnetGroup  = networkspec.PublicSubnetGroup
	PrivateSubnetGroup = networkspec.PrivateSubnetGroup
)

// Props configures a Network. Only S3PrefixListId and S3PrefixListCidrs are required.
type Props struct {
	// PublicClientsKnown: the public subnets' one client is the WSUS server on an AWS Windows AMI,
	// so their ACL admits replies from anywhere on Windows Server's ports only
	// (networkspec.AclFlows.PublicClientsKnown). Default: false, 1024-65535 with the denials.
	PublicClientsKnown bool
	// WithoutWsus: the deployment has no WSUS server (wsus.enabled: false), so neither the
	// security groups nor the ACLs open the WSUS ports from the private subnets: no server listens
	// there. Default: false, the ports are open.
	WithoutWsus bool
	// Settings: VpcCidr, AzCount, AvailabilityZones, SubnetCidrMask, Nat, AdminCidrs,
	// ExtraInterfaceEndpoints, FlowLogs; defaults and rules in networkspec.
	networkspec.Settings
	// S3PrefixListId is the id of the region's com.amazonaws.REGION.s3 managed prefix list, which
	// the private security group's HTTPS egress to S3 references. Required: see
	// LookupS3PrefixListId.
	S3PrefixListId string
	// S3PrefixListCidrs are the CIDRs of that prefix list, which network ACLs, unable to reference
	// a prefix list, must name one by one. Required: see LookupS3PrefixListCidrs.
	S3PrefixListCidrs []string
	// S3ReadBuckets are further bucket names the S3 endpoint policy lets the VPC read. In a region
	// awsbuckets does not know the patching buckets of, it must name its Patch Manager bucket and
	// its patch baseline snapshot bucket.
	// Default: none, only the Systems Manager buckets (awsbuckets.SystemsManager).
	S3ReadBuckets []string
	// PatchedOperatingSystems are the operating systems (as AWS::SSM::PatchBaseline names them)
	// patched in the private subnets: the S3 endpoint policy also allows the repository buckets
	// AWS documents for them (awsbuckets.Repositories). Default: none.
	PatchedOperatingSystems []string
	// S3ReadWriteBuckets are bucket names the S3 endpoint policy lets the VPC read, write and
	// list. Default: none.
	S3ReadWriteBuckets []string
	// S3OutputBuckets are bucket names SSM Agent writes command output to: the S3 endpoint policy
	// lets the VPC put objects there and read the bucket's encryption settings, and nothing
	// else. Default: none.
	S3OutputBuckets []string
	// S3OutputReadPrefixes are key prefixes of the output buckets that instances read through the
	// S3 endpoint (install override lists, e.g. "patch-now/"): the policy lets the VPC get the
	// objects under them, and no others. Default: none.
	S3OutputReadPrefixes []string
	// Existing, when set, is the VPC to deploy into: VpcCidr, AzCount, AvailabilityZones,
	// SubnetCidrMask and Nat then do not apply. Default: none, a VPC is created.
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
	wsusClients                           []string // on-premises networks of hybrid WSUS clients
	s3PrefixListId                        string
	natEnabled, publicClientsKnown        bool
	withoutWsus                           bool
}

// NewNetwork creates the VPC, its endpoints, security groups, network ACLs and flow logs.
// It panics when props are invalid, before creating anything, with an error naming every bad
// prop (Props.Validate returns it).
func NewNetwork(scope constructs.Construct, id string, props *Props) Network {
	p := withDefaults(props)
	region := stackRegion(scope, fmt.Sprintf("network.NewNetwork(%q)", id))
	if err := p.problems(region).Err(fmt.Sprintf("network.NewNetwork(%q)", id), "Props"); err != nil {
		panic(err)
	}
	n := &network{
		Construct: constructs.NewConstruct(scope, jsii.String(id)),
		existing:  p.Existing,
		vpcCidr:   p.VpcCidr,
		// Sorted: ACL entries are numbered in order, so listing the same CIDRs in another order
		// (as AWS may return a prefix list) changes no rule.
		adminCidrs:     sorted(p.AdminCidrs),
		wsusClients:    sorted(p.WsusClientCidrs),
		s3Cidrs:        sorted(p.S3PrefixListCidrs),
		s3PrefixListId: p.S3PrefixListId,
		natEnabled:     p.Nat.Enabled,
		// An existing VPC's public subnets may hold hosts of the user's own.
		publicClientsKnown: p.PublicClientsKnown && p.Existing == nil,
		withoutWsus:        p.WithoutWsus,
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
	n.readCreatedSubnets()
	n.addSecurityGroups()
	n.addEndpoints(&p)
	n.addNetworkAcls()
	addFlowLogs(n, &p)
	return n
}

// readCreatedSubnets records the created VPC's subnet CIDRs, which the ACLs name, and says why
// its public subnets route to the internet gateway.
func (n *network) readCreatedSubnets() {
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
}

// stackRegion is the region of scope's stack, which the network needs: the AWS buckets its S3
// endpoint allows and the S3 prefix list are the region's. An environment-agnostic stack's is a
// token, refused with the error that says so.
func stackRegion(scope constructs.Construct, construct string) string {
	stack, env := stackenv.Of(scope)
	if *awscdk.Token_IsUnresolved(jsii.String(env.Region)) {
		panic(spec.NoRegion(construct, *stack.Node().Path(), "the network needs it: the S3 endpoint allows the region's AWS buckets, and the S3 prefix list is the region's"))
	}
	return env.Region
}

func withDefaults(props *Props) Props {
	p := Props{}
	if props != nil {
		p = *props
	}
	p.Settings = p.Settings.WithDefaults()
	return p
}

// Validate reports every problem of props in region, each naming its prop, or nil: what
// NewNetwork would panic with, for a caller that would rather have an error.
func (p *Props) Validate(region string) error {
	d := withDefaults(p)
	return d.problems(region).Err("network.NewNetwork", "Props")
}

// problems are the props' problems, after defaults. The settings are checked by networkspec;
// with Existing, only those that apply to an existing VPC, in its block.
func (p *Props) problems(region string) spec.Problems {
	var problems spec.Problems
	if problem := awsbuckets.MissingPatchManagerBucket(region, p.S3ReadBuckets); problem != "" {
		problems.Add("S3ReadBuckets", p.S3ReadBuckets, "in region %s %s", region, problem)
	}
	if problem := awsbuckets.MissingSnapshotBucket(region, p.S3ReadBuckets); problem != "" {
		problems.Add("S3ReadBuckets", p.S3ReadBuckets, "in region %s %s", region, problem)
	}
	if !strings.HasPrefix(p.S3PrefixListId, "pl-") {
		problems.Add("S3PrefixListId", p.S3PrefixListId, "is not a prefix-list id (pl-...): the private security group could not reach S3; use LookupS3PrefixListId or give it")
	}
	if len(p.S3PrefixListCidrs) == 0 && (p.Existing == nil || p.Existing.ManageNetworkAcls) {
		problems.Add("S3PrefixListCidrs", "", "is empty: private subnets could not reach S3, so patching would fail; use LookupS3PrefixListCidrs or list them")
	}
	for i, cidr := range p.S3PrefixListCidrs {
		networkspec.ParseCidr(&problems, fmt.Sprintf("S3PrefixListCidrs[%d]", i), cidr)
	}
	e := p.Existing
	if e == nil {
		return append(problems, p.Settings.Problems()...)
	}
	// Its ids were validated with the configuration; the construct checks what it relies on.
	if e.Vpc != nil {
		if e.Lookup != nil {
			problems.Add("Existing.Lookup", e.Lookup, "cannot be set with Vpc: give one of them")
		}
		if block := known(e.Vpc.VpcCidrBlock); e.Cidr == "" && (block == "" || *awscdk.Token_IsUnresolved(jsii.String(block))) {
			problems.Add("Existing.Cidr", "", "is needed with this Vpc: its block is a CloudFormation attribute at synth (a VPC created in this app); give the block it was created with")
		}
		e = e.fromVpc()
		if e.ManageNetworkAcls && (slices.ContainsFunc(e.PrivateSubnets, noCidr) || slices.ContainsFunc(e.PublicSubnets, noCidr)) {
			problems.Add("Existing.ManageNetworkAcls", true, "needs each subnet's CIDR, which this Vpc does not give (import it with its subnets' CIDRs)")
		}
		if len(e.PrivateSubnets) == 0 {
			problems.Add("Existing.Vpc", e.VpcId, "has no private or isolated subnets: the fleet and the endpoints need them")
		}
	}
	switch {
	case e.Lookup != nil && e.Vpc == nil:
		if len(e.Lookup.Tags) == 0 || e.Lookup.PrivateSubnetGroup == "" {
			problems.Add("Existing.Lookup", e.Lookup, "needs Tags and PrivateSubnetGroup")
		}
		if e.ManageNetworkAcls {
			problems.Add("Existing.ManageNetworkAcls", true, "cannot be set with Lookup: the ACL rules depend on subnets known only at synth")
		}
	case e.Vpc == nil && (e.VpcId == "" || len(e.PrivateSubnets) == 0):
		problems.Add("Existing", e.VpcId, "needs VpcId and PrivateSubnets, or Lookup, or Vpc")
	case e.ManageNetworkAcls && len(e.PublicSubnets) == 0:
		problems.Add("Existing.ManageNetworkAcls", true, "needs PublicSubnets: the ACLs cover a public and a private subnet group")
	}
	if e.InterfaceEndpointsProvided && len(e.HubCidrs) == 0 {
		problems.Add("Existing.HubCidrs", "", "is empty: with InterfaceEndpointsProvided, the private security group must reach the hub's endpoints")
	}
	for i, cidr := range e.HubCidrs {
		networkspec.ParseCidr(&problems, fmt.Sprintf("Existing.HubCidrs[%d]", i), cidr)
	}
	var vpc netip.Prefix
	vpcOK := false
	if e.Lookup == nil && (e.Vpc == nil || e.Cidr != "") {
		vpc, vpcOK = networkspec.ParseCidr(&problems, "Existing.Cidr", e.Cidr)
	}
	return append(problems, p.Settings.SharedProblems(vpc, vpcOK)...)
}

func newVpc(scope constructs.Construct, p *Props) awsec2.Vpc {
	natGateways := p.Nat.GatewayCount(p.AzCount)
	privateType := awsec2.SubnetType_PRIVATE_ISOLATED
	if natGateways > 0 {
		privateType = awsec2.SubnetType_PRIVATE_WITH_EGRESS
	}
	props := &awsec2.VpcProps{
		IpAddresses:        &stableSubnets{vpc: netip.MustParsePrefix(p.VpcCidr), mask: p.SubnetCidrMask},
		NatGateways:        jsii.Number(natGateways),
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

func noCidr(s Subnet) bool { return s.Cidr == "" }

func sorted(values []string) []string {
	out := slices.Clone(values)
	slices.Sort(out)
	return out
}
