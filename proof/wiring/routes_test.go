package wiring

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
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
