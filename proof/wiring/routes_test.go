package wiring

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// Mutation run 24's B14: private subnet 2's default route sent to the NAT gateway of zone 1, while
// the configuration asks for one NAT gateway per zone.
func TestAPerAzSubnetRoutingToAnotherZonesNatGatewayIsNamed(t *testing.T) {
	cfg, err := config.Load("../../config/default.yaml")
	require.NoError(t, err)
	cfg.Network.Nat.Enabled, cfg.Network.Nat.Gateways = true, config.NatPerAz
	network := read(t, "../../test/testdata/nat-per-az.network.template.json")
	require.Empty(t, NatRoutes(network, cfg))

	props(network, "NetworkVpcPrivateSubnet2DefaultRouteA15DC6D5")["NatGatewayId"] = map[string]any{"Ref": "NetworkVpcPublicSubnet1NATGateway64781A21"}
	assert.Equal(t, []string{`subnet NetworkVpcPrivateSubnet2Subnet1BDBE877: network.nat.gateways is per-az, and its default route goes to NAT gateway NetworkVpcPublicSubnet1NATGateway64781A21 in another zone ({"Fn::Select":[0,{"Fn::GetAZs":""}]}, not {"Fn::Select":[1,{"Fn::GetAZs":""}]}): when that zone is down, this one loses the internet, and every byte crosses zones`},
		NatRoutes(network, cfg))

	cfg.Network.Nat.Gateways = config.NatSingle
	assert.Empty(t, NatRoutes(network, cfg), "one shared NAT gateway is what single asks for")
}

// Mutation run 32's A03: a public NAT gateway without its Elastic IP; and the same with the EIP's
// Ref (its public address) where its allocation ID belongs. A regional NAT gateway allocates its own.
func TestAPublicNatGatewayWithoutItsElasticIpAllocationIsNamed(t *testing.T) {
	cfg, err := config.Load("../../config/default.yaml")
	require.NoError(t, err)
	cfg.Network.Nat.Enabled, cfg.Network.Nat.Gateways = true, config.NatPerAz
	network := read(t, "../../test/testdata/nat-per-az.network.template.json")
	require.Empty(t, NatRoutes(network, cfg))

	nat := props(network, "NetworkVpcPublicSubnet1NATGateway64781A21")
	allocation := nat["AllocationId"]
	delete(nat, "AllocationId")
	assert.Equal(t, []string{"NAT gateway NetworkVpcPublicSubnet1NATGateway64781A21: a public NAT gateway without an AllocationId: CreateNatGateway requires an Elastic IP, and the stack fails"},
		NatRoutes(network, cfg))
	nat["AvailabilityMode"] = "regional"
	assert.Empty(t, NatRoutes(network, cfg), "a regional NAT gateway allocates its addresses itself")
	delete(nat, "AvailabilityMode")

	eip := allocation.(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
	nat["AllocationId"] = map[string]any{"Ref": eip}
	assert.Equal(t, []string{"NAT gateway NetworkVpcPublicSubnet1NATGateway64781A21: AllocationId is the Ref of Elastic IP " + eip + ", its public address, not its allocation ID (Fn::GetAtt " + eip + ".AllocationId): the stack fails"},
		NatRoutes(network, cfg))
}

// Mutation run 32's A05: private subnet 2's default route moved to subnet 1's table (which then
// has two) and A11: a subnet's route-table association deleted (it falls back to the main table).
func TestTwoRoutesToOneDestinationInATableAndAnUnassociatedSubnetAreNamed(t *testing.T) {
	cfg, err := config.Load("../../config/default.yaml")
	require.NoError(t, err)
	cfg.Network.Nat.Enabled, cfg.Network.Nat.Gateways = true, config.NatPerAz
	for _, golden := range []string{"nat-per-az", "default", "example"} {
		require.Empty(t, DuplicateRoutes(read(t, "../../test/testdata/"+golden+".network.template.json")), golden)
	}
	network := read(t, "../../test/testdata/nat-per-az.network.template.json")
	route := props(network, "NetworkVpcPrivateSubnet2DefaultRouteA15DC6D5")
	route["RouteTableId"] = props(network, "NetworkVpcPrivateSubnet1DefaultRoute08635105")["RouteTableId"]
	assert.Equal(t, []string{`routes NetworkVpcPrivateSubnet1DefaultRoute08635105 and NetworkVpcPrivateSubnet2DefaultRouteA15DC6D5: both route "0.0.0.0/0" in route table NetworkVpcPrivateSubnet1RouteTable7D7AA3CD: a table has one route per destination, so the second's creation fails and the stack with it`},
		DuplicateRoutes(network))

	// EC2 stores a CIDR in canonical form: 0.0.0.0/0 written 0.0.0.1/0 is the same destination
	// (the review of session 19's checks, 2.2).
	route["DestinationCidrBlock"] = "0.0.0.1/0"
	assert.Len(t, DuplicateRoutes(network), 1, "one destination, written two ways")

	network = read(t, "../../test/testdata/nat-per-az.network.template.json")
	resources := network["Resources"].(map[string]any)
	for id, r := range cfntemplate.OfType(resources, "AWS::EC2::SubnetRouteTableAssociation") {
		if cfntemplate.Ref(r["SubnetId"]) == "NetworkVpcPrivateSubnet2Subnet1BDBE877" {
			delete(resources, id)
		}
	}
	assert.Equal(t, []string{"subnet NetworkVpcPrivateSubnet2Subnet1BDBE877: network.nat is on, and no route table of the template is associated with it: it uses the VPC's main route table, which routes 0.0.0.0/0 nowhere, so its instances reach no internet"},
		NatRoutes(network, cfg))
}

// Held-out run 33's B10: the flow log narrowed to one private subnet, in a created VPC and in an
// existing one with network.existingVpc.flowLogs; and with no flow log at all.
func TestAFlowLogNarrowerThanTheVpcIsNamed(t *testing.T) {
	cfg, err := config.Load("../../config/default.yaml")
	require.NoError(t, err)
	network := read(t, "../../test/testdata/default.network.template.json")
	require.Empty(t, FlowLogCoverage(network, cfg))
	flowLog := props(network, "NetworkVpcFlowLog9B71FB8D")
	flowLog["ResourceType"], flowLog["ResourceId"] = "Subnet", map[string]any{"Ref": "NetworkVpcPrivateSubnet1Subnet6DD86AE6"}
	assert.Equal(t, []string{`flow logs: none records the VPC {"Ref":"NetworkVpc7FB7348F"}, as the configuration asks (NetworkVpcFlowLog9B71FB8D records Subnet {"Ref":"NetworkVpcPrivateSubnet1Subnet6DD86AE6"}): the flows of its other subnets and interfaces go unrecorded`},
		FlowLogCoverage(network, cfg))
	delete(network["Resources"].(map[string]any), "NetworkVpcFlowLog9B71FB8D")
	assert.Equal(t, []string{`flow logs: none records the VPC {"Ref":"NetworkVpc7FB7348F"}, as the configuration asks (there is none): the flows of its other subnets and interfaces go unrecorded`},
		FlowLogCoverage(network, cfg))

	existing := read(t, "../../test/testdata/existing-vpc-managed-acls.network.template.json")
	cfg.Network.ExistingVpc = &config.ExistingVpc{FlowLogs: true}
	require.Empty(t, FlowLogCoverage(existing, cfg))
	props(existing, "NetworkVpcFlowLog9B71FB8D")["ResourceId"] = "vpc-0ffffffffffffffff"
	assert.Equal(t, []string{`flow logs: none records the VPC "vpc-0a1b2c3d4e5f60718", as the configuration asks (NetworkVpcFlowLog9B71FB8D records VPC "vpc-0ffffffffffffffff"): the flows of its other subnets and interfaces go unrecorded`},
		FlowLogCoverage(existing, cfg), "another VPC's flow log records none of this one")
	cfg.Network.ExistingVpc.FlowLogs = false
	assert.Empty(t, FlowLogCoverage(existing, cfg), "an existing VPC's flow logs are its owner's unless the configuration asks")
}
