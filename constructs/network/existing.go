package network

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatepatch/privatepatch/constructs/network/networkspec"
)

// ExistingVpc is a VPC that exists, to deploy into instead of creating one. Nothing of the VPC,
// its subnets or routes is changed unless asked: ManageNetworkAcls replaces the subnets' network
// ACLs, FlowLogs adds a flow log, and the S3 gateway endpoint (unless S3EndpointProvided) adds
// a route to the private subnets' route tables.
type ExistingVpc struct {
	// Vpc, when set, is a VPC the consumer already built or imported in this app (the existingVpc
	// prop of AWS Solutions Constructs): its id and subnets (private, else isolated; public) are
	// used instead of VpcId, PrivateSubnets and PublicSubnets. Cidr is still needed for a VPC
	// created in this app, whose block is a CloudFormation attribute at synth. Default: nil.
	Vpc awsec2.IVpc
	// Lookup, when set, finds the VPC and its subnets instead of VpcId, Cidr, PrivateSubnets and
	// PublicSubnets.
	Lookup *VpcLookup
	// VpcId is the VPC's id.
	VpcId string
	// Cidr is the VPC block holding the subnets: the endpoint security group admits HTTPS from it.
	Cidr string
	// PrivateSubnets, one per availability zone, hold the fleet and the endpoints created here.
	PrivateSubnets []Subnet
	// PublicSubnets are in the private subnets' zones, in the same order, or none.
	PublicSubnets []Subnet
	// InterfaceEndpointsProvided declares that a hub VPC provides the interface endpoints
	// (resolved through Route 53): none is created, and the private security group may send
	// HTTPS to HubCidrs.
	InterfaceEndpointsProvided bool
	// HubCidrs are the address blocks of the hub's interface endpoints.
	HubCidrs []string
	// S3EndpointProvided declares that the VPC has an S3 endpoint already, whose policy is its
	// owner's: none is created.
	S3EndpointProvided bool
	// ManageNetworkAcls replaces the network ACLs of the subnets with this construct's.
	ManageNetworkAcls bool
	// FlowLogs adds the flow log (Props.FlowLogs) to the VPC.
	FlowLogs bool
	// PrivateInternetRoute declares that the private subnets reach the internet (a NAT or
	// firewall route of the VPC's owner): the private security group may send HTTP and HTTPS out.
	PrivateInternetRoute bool
}

// createsInterfaceEndpoints tells whether the interface endpoints, and the security group that
// guards them, are created here: not when a hub provides them.
func (n *network) createsInterfaceEndpoints() bool {
	return n.existing == nil || !n.existing.InterfaceEndpointsProvided
}

// VpcLookup finds an existing VPC by its tags: CDK's Vpc.fromLookup, which the CDK CLI answers
// with credentials for the stack's account and caches in cdk.context.json; until then CDK's
// placeholder VPC stands in.
type VpcLookup struct {
	Tags map[string]string
	// PrivateSubnetGroup and PublicSubnetGroup name the looked-up groups (CDK groups subnets by
	// their aws-cdk:subnet-name tag, or else by type: Public, Private, Isolated). The private
	// group has one subnet per zone; PublicSubnetGroup "" for none.
	PrivateSubnetGroup, PublicSubnetGroup string
}

// fromVpc returns e with the ids, block and subnets of e.Vpc in place of its own (a Cidr given
// wins over an unresolved one), or e itself without a Vpc. It creates nothing.
func (e *ExistingVpc) fromVpc() *ExistingVpc {
	if e.Vpc == nil {
		return e
	}
	resolved := *e
	resolved.VpcId = *e.Vpc.VpcId()
	if block := known(e.Vpc.VpcCidrBlock); resolved.Cidr == "" && block != "" && !*awscdk.Token_IsUnresolved(jsii.String(block)) {
		resolved.Cidr = block
	}
	private := *e.Vpc.PrivateSubnets()
	if len(private) == 0 {
		private = *e.Vpc.IsolatedSubnets()
	}
	resolved.PrivateSubnets = subnetsOf(private)
	resolved.PublicSubnets = subnetsOf(*e.Vpc.PublicSubnets())
	return &resolved
}

func subnetsOf(subnets []awsec2.ISubnet) []Subnet {
	var out []Subnet
	for _, s := range subnets {
		out = append(out, Subnet{Id: *s.SubnetId(), Cidr: known(s.Ipv4CidrBlock), Zone: *s.AvailabilityZone(), RouteTableId: *s.RouteTable().RouteTableId()})
	}
	return out
}

// known is get's value, or "" where CDK refuses to give one (an imported subnet without its
// CIDR throws).
func known(get func() *string) (value string) {
	defer func() {
		if recover() != nil {
			value = ""
		}
	}()
	if v := get(); v != nil {
		return *v
	}
	return ""
}

// resolve returns the VPC with what the consumer's VPC or the lookup gives in place of its ids,
// or e itself.
func (e *ExistingVpc) resolve(scope constructs.Construct) *ExistingVpc {
	if e.Vpc != nil {
		return e.fromVpc()
	}
	if e.Lookup == nil {
		return e
	}
	tags := map[string]*string{}
	for k, v := range e.Lookup.Tags {
		tags[k] = jsii.String(v)
	}
	looked := awsec2.Vpc_FromLookup(scope, jsii.String("Lookup"), &awsec2.VpcLookupOptions{Tags: &tags})
	resolved := *e
	resolved.VpcId, resolved.Cidr = *looked.VpcId(), *looked.VpcCidrBlock()
	resolved.PrivateSubnets = lookedUpSubnets(looked, e.Lookup.PrivateSubnetGroup, nil)
	if e.Lookup.PublicSubnetGroup != "" {
		resolved.PublicSubnets = lookedUpSubnets(looked, e.Lookup.PublicSubnetGroup, resolved.PrivateSubnets)
	}
	if !e.InterfaceEndpointsProvided {
		for _, g := range []struct {
			field   string
			subnets []Subnet
		}{{"Lookup.PrivateSubnetGroup", resolved.PrivateSubnets}, {"Lookup.PublicSubnetGroup", resolved.PublicSubnets}} {
			if problem := outsidePrimaryBlock(g.field, resolved.Cidr, g.subnets); problem != "" {
				panic(problem)
			}
		}
	}
	return &resolved
}

// outsidePrimaryBlock explains why a looked-up subnet outside the VPC's block cannot use the
// interface endpoints privatepatch creates: their security group admits HTTPS from the block the
// lookup gives, the VPC's primary one (a VPC may have secondary blocks, which the lookup does not
// return), so the subnet's instances would never register. Subnets named by id are held to
// existingVpc.cidr by the configuration in the same way. "" when every subnet is inside.
func outsidePrimaryBlock(field, vpcCidr string, subnets []Subnet) string {
	vpc, err := netip.ParsePrefix(vpcCidr)
	if err != nil {
		return ""
	}
	for _, s := range subnets {
		if cidr, err := netip.ParsePrefix(s.Cidr); err == nil && !networkspec.InsideBlock(vpc, cidr) {
			return fmt.Sprintf("ExistingVpc.%s: the looked-up VPC's subnet %s (%s) is outside the VPC's primary block %s, from which the interface endpoints' security group admits HTTPS: "+
				"its instances could not reach Systems Manager. Name a subnet group of the primary block (existingVpc.lookup.privateSubnetGroup, publicSubnetGroup), "+
				"or use a hub's endpoints (interfaceEndpoints: hub)", field, s.Id, s.Cidr, vpcCidr)
		}
	}
	return ""
}

// lookedUpSubnets are a looked-up group's subnets, one per zone; with inZonesOf, one in each of
// its zones, in its order (as Vpc.fromVpcAttributes takes them).
func lookedUpSubnets(vpc awsec2.IVpc, group string, inZonesOf []Subnet) []Subnet {
	byZone := map[string]Subnet{}
	var zones []string
	for _, s := range *vpc.SelectSubnets(&awsec2.SubnetSelection{SubnetGroupName: jsii.String(group)}).Subnets {
		subnet := Subnet{Id: *s.SubnetId(), Cidr: *s.Ipv4CidrBlock(), Zone: *s.AvailabilityZone(), RouteTableId: *s.RouteTable().RouteTableId()}
		if _, twice := byZone[subnet.Zone]; twice && inZonesOf == nil {
			panic(fmt.Sprintf("the looked-up VPC's subnet group %q has two subnets in %s: name a group with one subnet per zone (lookup.privateSubnetGroup, from the aws-cdk:subnet-name tag)", group, subnet.Zone))
		}
		byZone[subnet.Zone] = subnet
		zones = append(zones, subnet.Zone)
	}
	if inZonesOf == nil {
		var out []Subnet
		for _, zone := range zones {
			out = append(out, byZone[zone])
		}
		return out
	}
	var out []Subnet
	for _, private := range inZonesOf {
		s, ok := byZone[private.Zone]
		if !ok {
			panic(fmt.Sprintf("the looked-up VPC's subnet group %q has no subnet in %s, where a private subnet is: Vpc.fromVpcAttributes needs one per zone", group, private.Zone))
		}
		out = append(out, s)
	}
	return out
}

// Subnet is a subnet of an existing VPC.
type Subnet struct {
	Id, Cidr, Zone, RouteTableId string
}

// importVpc refers to the existing VPC by its attributes: CDK's Vpc.fromVpcAttributes takes
// the zones, and the subnet ids, CIDRs and route tables of each group "in length and order" of
// the zones (VpcAttributes, AWS CDK API Reference; read 2026-11-27). The groups keep the names
// of a created VPC's, so subnet selections by group name are the same.
func importVpc(scope constructs.Construct, e *ExistingVpc) awsec2.IVpc {
	field := func(subnets []Subnet, get func(Subnet) string) *[]*string {
		if len(subnets) == 0 {
			return nil
		}
		var out []string
		for _, s := range subnets {
			out = append(out, get(s))
		}
		return jsii.Strings(out...)
	}
	id := func(s Subnet) string { return s.Id }
	cidr := func(s Subnet) string { return s.Cidr }
	zone := func(s Subnet) string { return s.Zone }
	attrs := &awsec2.VpcAttributes{
		VpcId:                       jsii.String(e.VpcId),
		VpcCidrBlock:                jsii.String(e.Cidr),
		AvailabilityZones:           field(e.PrivateSubnets, zone),
		PrivateSubnetIds:            field(e.PrivateSubnets, id),
		PrivateSubnetIpv4CidrBlocks: field(e.PrivateSubnets, cidr),
		PrivateSubnetNames:          nil,
		PublicSubnetIds:             field(e.PublicSubnets, id),
		PublicSubnetIpv4CidrBlocks:  field(e.PublicSubnets, cidr),
	}
	if !slices.ContainsFunc(e.PrivateSubnets, func(s Subnet) bool { return s.RouteTableId == "" }) {
		attrs.PrivateSubnetRouteTableIds = field(e.PrivateSubnets, func(s Subnet) string { return s.RouteTableId })
	}
	if len(e.PublicSubnets) > 0 && !slices.ContainsFunc(e.PublicSubnets, func(s Subnet) bool { return s.RouteTableId == "" }) {
		attrs.PublicSubnetRouteTableIds = field(e.PublicSubnets, func(s Subnet) string { return s.RouteTableId })
	}
	vpc := awsec2.Vpc_FromVpcAttributes(scope, jsii.String("Vpc"), attrs)
	// The zones are the existing subnets': resources pinned to a subnet's zone (the WSUS update
	// store) name it. CDK applies an acknowledgement to the whole app.
	awscdk.Validations_Of(vpc).Acknowledge(&awscdk.Acknowledgment{
		Id:     jsii.String("CloudFormation-Validate::W3010"),
		Reason: jsii.String("the availability zones are those of the existing VPC's subnets, given in the configuration"),
	})
	if attrs.PublicSubnetRouteTableIds == nil {
		for _, s := range *vpc.PublicSubnets() {
			// Nothing here routes through the public subnets' tables: WSUS needs only the subnet.
			awscdk.Annotations_Of(s).AcknowledgeWarning(jsii.String("@aws-cdk/aws-ec2:noSubnetRouteTableId"),
				jsii.String("no gateway endpoint or route is added to the public subnets"))
		}
	}
	return vpc
}
