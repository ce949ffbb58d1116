package netpath

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wsusNIC is the WSUS server's network interface in a fleet golden (to plant in).
func wsusNIC(fleet map[string]any) map[string]any {
	return props(fleet, "WsusInstance902E8651")["NetworkInterfaces"].([]any)[0].(map[string]any)
}

func TestEveryGoldenWsusServerReachesTheInternetByItsRoute(t *testing.T) {
	for _, scenario := range []string{"default", "example", "existing-vpc-hub"} {
		assert.Empty(t, ServerRouteProblem(goldenTemplate(t, scenario), goldenFleet(t, scenario)), scenario)
	}
}

// Mutation run 21's A12 removed the WSUS server's Elastic IP: in its public subnet, without a
// public address, the internet gateway carries none of its traffic, and the flow table's rows to
// Microsoft Update, which the ACLs and groups pass, need the route.
func TestAWsusServerBehindAnInternetGatewayWithoutAnAddressIsNamed(t *testing.T) {
	network, fleet := goldenTemplate(t, "default"), goldenFleet(t, "default")
	delete(fleet["Resources"].(map[string]any), "WsusElasticIpF14AC9D4")
	const wants = "the WSUS server WsusInstance902E8651 has no public IPv4 address (AssociatePublicIpAddress false, no Elastic IP on it), " +
		"and its subnet NetworkVpcPublicSubnet1Subnet36933139 routes 0.0.0.0/0 to internet gateway NetworkVpcIGW6BEA7B02, which carries only instances with one"
	assert.Equal(t, wants, ServerRouteProblem(network, fleet))

	m, err := FromTemplate(network)
	require.NoError(t, err)
	m.ServerRoute = ServerRouteProblem(network, fleet)
	for _, f := range RequiredFlows(m, nil, nil) {
		if f.Dst == MicrosoftUpdate && f.Src == m.ServerHost() {
			assert.Equal(t, wants, m.RouteProblem(f), f.Name)
		} else {
			assert.Empty(t, m.RouteProblem(f), f.Name)
		}
	}

	// A public address of its own, or an association of an Elastic IP, serves as well.
	wsusNIC(fleet)["AssociatePublicIpAddress"] = true
	assert.Empty(t, ServerRouteProblem(network, fleet))
	wsusNIC(fleet)["AssociatePublicIpAddress"] = false
	fleet["Resources"].(map[string]any)["WsusAddress"] = map[string]any{"Type": "AWS::EC2::EIPAssociation",
		"Properties": map[string]any{"AllocationId": "eipalloc-0123456789abcdef0", "InstanceId": map[string]any{"Ref": "WsusInstance902E8651"}}}
	assert.Empty(t, ServerRouteProblem(network, fleet))
}

// The neighbour: a WSUS server whose subnet routes 0.0.0.0/0 to a NAT gateway reaches Microsoft
// Update through it, with no address of its own.
func TestANatRoutedWsusServerNeedsNoElasticIP(t *testing.T) {
	network, fleet := goldenTemplate(t, "nat-per-az"), goldenFleet(t, "default")
	delete(fleet["Resources"].(map[string]any), "WsusElasticIpF14AC9D4")
	network["Outputs"].(map[string]any)["WsusSubnet"] = map[string]any{"Value": map[string]any{"Ref": "NetworkVpcPrivateSubnet1Subnet6DD86AE6"}}
	wsusNIC(fleet)["SubnetId"] = map[string]any{"Fn::GetStackOutput": map[string]any{"OutputName": "WsusSubnet"}}
	assert.Empty(t, ServerRouteProblem(network, fleet))

	// The same subnet without its default route reaches nothing.
	delete(network["Resources"].(map[string]any), "NetworkVpcPrivateSubnet1DefaultRoute08635105")
	assert.Equal(t, "the WSUS server's subnet NetworkVpcPrivateSubnet1Subnet6DD86AE6: its route table NetworkVpcPrivateSubnet1RouteTable7D7AA3CD has no 0.0.0.0/0 route",
		ServerRouteProblem(network, fleet))
}
