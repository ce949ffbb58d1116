package network

import (
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// ExistingVpc is a VPC that exists, to deploy into instead of creating one. Nothing of the VPC,
// its subnets or routes is changed unless asked: ManageNetworkAcls replaces the subnets' network
// ACLs, FlowLogs adds a flow log, and the S3 gateway endpoint (unless S3EndpointProvided) adds
// a route to the private subnets' route tables.
type ExistingVpc struct {
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
	// FlowLogs adds the flow log (Props.FlowLogDestination) to the VPC.
	FlowLogs bool
	// PrivateInternetRoute declares that the private subnets reach the internet (a NAT or
	// firewall route of the VPC's owner): the private security group may send HTTP and HTTPS out.
	PrivateInternetRoute bool
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
