package netpath

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wsusNIC is the WSUS server's network interface in a fleet golden (to plant in).
func wsusNIC(fleet map[string]any) map[string]any {
	return props(fleet, "WsusInstance902E8651")["NetworkInterfaces"].([]any)[0].(map[string]any)
}

// serverRoute is ServerRouteProblem's problem, its note required empty.
func serverRoute(t *testing.T, network, fleet map[string]any, others ...map[string]any) string {
	t.Helper()
	problem, note := ServerRouteProblem(network, fleet, false, others...)
	require.Empty(t, note)
	return problem
}

func TestEveryGoldenWsusServerReachesTheInternetByItsRoute(t *testing.T) {
	for _, scenario := range []string{"default", "example"} {
		assert.Empty(t, serverRoute(t, goldenTemplate(t, scenario), goldenFleet(t, scenario)), scenario)
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
	assert.Equal(t, wants, serverRoute(t, network, fleet))

	m, err := FromTemplate(network)
	require.NoError(t, err)
	m.ServerRoute = serverRoute(t, network, fleet)
	for _, f := range RequiredFlows(m, nil, nil) {
		if f.Dst == MicrosoftUpdate && f.Src == m.ServerHost() {
			assert.Equal(t, wants, m.RouteProblem(f), f.Name)
		} else {
			assert.Empty(t, m.RouteProblem(f), f.Name)
		}
	}

	// A public address of its own, or an association of an Elastic IP, serves as well.
	wsusNIC(fleet)["AssociatePublicIpAddress"] = true
	assert.Empty(t, serverRoute(t, network, fleet))
	wsusNIC(fleet)["AssociatePublicIpAddress"] = false
	fleet["Resources"].(map[string]any)["WsusAddress"] = map[string]any{"Type": "AWS::EC2::EIPAssociation",
		"Properties": map[string]any{"AllocationId": "eipalloc-0123456789abcdef0", "InstanceId": map[string]any{"Ref": "WsusInstance902E8651"}}}
	assert.Empty(t, serverRoute(t, network, fleet))
}

// The neighbour: a WSUS server whose subnet routes 0.0.0.0/0 to a NAT gateway reaches Microsoft
// Update through it, with no address of its own.
func TestANatRoutedWsusServerNeedsNoElasticIP(t *testing.T) {
	network, fleet := goldenTemplate(t, "nat-per-az"), goldenFleet(t, "default")
	delete(fleet["Resources"].(map[string]any), "WsusElasticIpF14AC9D4")
	network["Outputs"].(map[string]any)["WsusSubnet"] = map[string]any{"Value": map[string]any{"Ref": "NetworkVpcPrivateSubnet1Subnet6DD86AE6"}}
	wsusNIC(fleet)["SubnetId"] = map[string]any{"Fn::GetStackOutput": map[string]any{"OutputName": "WsusSubnet"}}
	assert.Empty(t, serverRoute(t, network, fleet))

	// The same subnet without its default route reaches nothing.
	delete(network["Resources"].(map[string]any), "NetworkVpcPrivateSubnet1DefaultRoute08635105")
	assert.Equal(t, "the WSUS server's subnet NetworkVpcPrivateSubnet1Subnet6DD86AE6: its route table NetworkVpcPrivateSubnet1RouteTable7D7AA3CD has no 0.0.0.0/0 route",
		serverRoute(t, network, fleet))
}

// The Elastic IP may name the server's network interface rather than the server, and may be in
// another template of the deployment, naming the server by the fleet's output.
func TestAnElasticIPOnTheServersInterfaceOrInAnotherTemplateServes(t *testing.T) {
	network, fleet := goldenTemplate(t, "default"), goldenFleet(t, "default")
	resources := fleet["Resources"].(map[string]any)
	delete(resources, "WsusElasticIpF14AC9D4")
	require.NotEmpty(t, serverRoute(t, network, fleet))

	eni := map[string]any{"Ref": "WsusInterface"}
	wsusNIC(fleet)["NetworkInterfaceId"] = eni
	resources["WsusAddress"] = map[string]any{"Type": "AWS::EC2::EIPAssociation",
		"Properties": map[string]any{"AllocationId": "eipalloc-0123456789abcdef0", "NetworkInterfaceId": eni}}
	assert.Empty(t, serverRoute(t, network, fleet))
	resources["WsusAddress"].(map[string]any)["Properties"].(map[string]any)["NetworkInterfaceId"] = map[string]any{"Ref": "AnotherInterface"}
	assert.NotEmpty(t, serverRoute(t, network, fleet), "another interface's address is not the server's")

	delete(resources, "WsusAddress")
	fleet["Outputs"] = map[string]any{"WsusInstanceId": map[string]any{"Value": map[string]any{"Ref": "WsusInstance902E8651"}}}
	other := map[string]any{"Resources": map[string]any{"WsusAddress": map[string]any{"Type": "AWS::EC2::EIP", "Properties": map[string]any{
		"Domain": "vpc", "InstanceId": map[string]any{"Fn::GetStackOutput": map[string]any{"OutputName": "WsusInstanceId", "StackName": "privatepatch-fleet"}}}}}}
	assert.Empty(t, serverRoute(t, network, fleet, other))
}

// A string "true" is a public address as true is.
func TestAStringTrueIsAPublicAddress(t *testing.T) {
	network, fleet := goldenTemplate(t, "default"), goldenFleet(t, "default")
	delete(fleet["Resources"].(map[string]any), "WsusElasticIpF14AC9D4")
	wsusNIC(fleet)["AssociatePublicIpAddress"] = "true"
	assert.Empty(t, serverRoute(t, network, fleet))
	wsusNIC(fleet)["AssociatePublicIpAddress"] = "false"
	assert.NotEmpty(t, serverRoute(t, network, fleet))
}

// natServer is the nat-per-az network with the WSUS server, without an Elastic IP, in the first
// private subnet, whose 0.0.0.0/0 goes to the first public subnet's NAT gateway.
func natServer(t *testing.T) (network, fleet map[string]any) {
	network, fleet = goldenTemplate(t, "nat-per-az"), goldenFleet(t, "default")
	delete(fleet["Resources"].(map[string]any), "WsusElasticIpF14AC9D4")
	network["Outputs"].(map[string]any)["WsusSubnet"] = map[string]any{"Value": map[string]any{"Ref": "NetworkVpcPrivateSubnet1Subnet6DD86AE6"}}
	wsusNIC(fleet)["SubnetId"] = map[string]any{"Fn::GetStackOutput": map[string]any{"OutputName": "WsusSubnet"}}
	return network, fleet
}

// A private NAT gateway whose own subnet routes to the internet gateway (which drops its traffic),
// or a public one whose own subnet has no route to the internet gateway, carries nothing to the
// internet: both named.
func TestANatGatewayWithoutAWayToTheInternetIsNamed(t *testing.T) {
	network, fleet := natServer(t)
	resources := network["Resources"].(map[string]any)
	nat := resources["NetworkVpcPublicSubnet1NATGateway64781A21"].(map[string]any)["Properties"].(map[string]any)
	nat["ConnectivityType"] = "private"
	assert.Equal(t, "the WSUS server's subnet NetworkVpcPrivateSubnet1Subnet6DD86AE6 routes 0.0.0.0/0 to NAT gateway NetworkVpcPublicSubnet1NATGateway64781A21, "+
		"whose ConnectivityType is private, and its own subnet NetworkVpcPublicSubnet1Subnet36933139 routes 0.0.0.0/0 to internet gateway NetworkVpcIGW6BEA7B02, which drops a private NAT gateway's traffic",
		serverRoute(t, network, fleet))
	nat["ConnectivityType"] = "public"
	assert.Empty(t, serverRoute(t, network, fleet))

	delete(resources, "NetworkVpcPublicSubnet1DefaultRoute31EC04EC")
	wants := "the WSUS server's subnet NetworkVpcPrivateSubnet1Subnet6DD86AE6 routes 0.0.0.0/0 to NAT gateway NetworkVpcPublicSubnet1NATGateway64781A21, " +
		"whose own subnet NetworkVpcPublicSubnet1Subnet36933139 routes 0.0.0.0/0 to no internet gateway (route table NetworkVpcPublicSubnet1RouteTable30235CE2): it carries nothing to the internet"
	assert.Equal(t, wants, serverRoute(t, network, fleet))
	nat["ConnectivityType"] = "private"
	assert.Equal(t, wants, serverRoute(t, network, fleet), "a private one routed nowhere")
}

// Review round 2, 11a: a private NAT gateway whose subnet routes on through a transit gateway (or
// a virtual private gateway), to a central egress, is the note a public one routed there gets,
// not a failure: "You can route traffic from the NAT gateway through a transit gateway or a
// virtual private gateway" ("NAT gateways", Amazon VPC User Guide).
func TestAPrivateNatGatewayRoutedThroughATransitGatewayIsNotJudged(t *testing.T) {
	for _, connectivity := range []string{"private", "public"} {
		network, fleet := natServer(t)
		resources := network["Resources"].(map[string]any)
		resources["NetworkVpcPublicSubnet1NATGateway64781A21"].(map[string]any)["Properties"].(map[string]any)["ConnectivityType"] = connectivity
		route := resources["NetworkVpcPublicSubnet1DefaultRoute31EC04EC"].(map[string]any)["Properties"].(map[string]any)
		for _, target := range []string{"TransitGatewayId tgw-0123456789abcdef0", "GatewayId vgw-0123456789abcdef0"} {
			delete(route, "GatewayId")
			delete(route, "TransitGatewayId")
			key, value, _ := strings.Cut(target, " ")
			route[key] = value
			problem, note := ServerRouteProblem(network, fleet, false)
			assert.Empty(t, problem, connectivity, target)
			assert.Equal(t, "NAT gateway NetworkVpcPublicSubnet1NATGateway64781A21's subnet NetworkVpcPublicSubnet1Subnet36933139 routes 0.0.0.0/0 to "+target+": whether that reaches the internet is not judged",
				note, connectivity)
		}
	}
}

// Review round 2, 11b: with wsus.publicAddress: external, a server without an address in the
// templates is a note, not a failure; without it (the default), run 21's A12 stays named.
func TestAnAddressDeclaredExternalIsANoteAndTheDefaultStillFails(t *testing.T) {
	network, fleet := goldenTemplate(t, "default"), goldenFleet(t, "default")
	delete(fleet["Resources"].(map[string]any), "WsusElasticIpF14AC9D4")
	problem, note := ServerRouteProblem(network, fleet, true)
	assert.Empty(t, problem)
	assert.Contains(t, note, "the WSUS server WsusInstance902E8651 has no public IPv4 address in the templates, and its public address is declared managed outside them (wsus.publicAddress: external)")
	assert.Contains(t, serverRoute(t, network, fleet), "has no public IPv4 address", "the default judges it")

	// A route that carries nothing is named whatever the address.
	resources := network["Resources"].(map[string]any)
	for id, r := range resources {
		if r.(map[string]any)["Type"] == "AWS::EC2::Route" && r.(map[string]any)["Properties"].(map[string]any)["RouteTableId"].(map[string]any)["Ref"] == "NetworkVpcPublicSubnet1RouteTable30235CE2" {
			delete(resources, id)
		}
	}
	problem, _ = ServerRouteProblem(network, fleet, true)
	assert.Contains(t, problem, "has no 0.0.0.0/0 route")
}

// Review round 2, 11c: an existing VPC's subnet (not the network template's) is a note, and the
// model's rows to Microsoft Update say it is not judged.
func TestAnExistingVpcsServerSubnetIsNotJudgedAndSaysSo(t *testing.T) {
	network, fleet := goldenTemplate(t, "existing-vpc-hub"), goldenFleet(t, "existing-vpc-hub")
	problem, note := ServerRouteProblem(network, fleet, false)
	assert.Empty(t, problem)
	assert.Equal(t, "the WSUS server's subnet is not the network template's: its route out is not judged", note)

	m, err := FromSecurityGroups(network)
	require.NoError(t, err)
	m.ServerRouteNote = note
	unjudged := 0
	for _, f := range RequiredFlows(m, nil, nil) {
		if f.Src == m.ServerHost() && f.Dst == MicrosoftUpdate {
			unjudged++
			assert.Equal(t, note, m.RouteUnjudged(f), f.Name)
		} else {
			assert.Empty(t, m.RouteUnjudged(f), f.Name)
		}
		assert.Empty(t, m.RouteProblem(f), f.Name)
	}
	assert.Positive(t, unjudged)
}

// A route to a transit gateway (or a peering connection, an endpoint) and a subnet on the main
// route table are not judged: a note, neither a pass nor a problem.
func TestARouteToATransitGatewayOrTheMainTableIsNotJudged(t *testing.T) {
	network, fleet := natServer(t)
	resources := network["Resources"].(map[string]any)
	route := resources["NetworkVpcPrivateSubnet1DefaultRoute08635105"].(map[string]any)["Properties"].(map[string]any)
	delete(route, "NatGatewayId")
	route["TransitGatewayId"] = "tgw-0123456789abcdef0"
	problem, note := ServerRouteProblem(network, fleet, false)
	assert.Empty(t, problem)
	assert.Equal(t, "the WSUS server's subnet NetworkVpcPrivateSubnet1Subnet6DD86AE6 routes 0.0.0.0/0 to TransitGatewayId tgw-0123456789abcdef0: whether that reaches the internet is not judged", note)

	delete(resources, "NetworkVpcPrivateSubnet1RouteTableAssociation327CA62F")
	problem, note = ServerRouteProblem(network, fleet, false)
	assert.Empty(t, problem)
	assert.Equal(t, "the WSUS server's subnet NetworkVpcPrivateSubnet1Subnet6DD86AE6 has no explicit route table association: its VPC's main route table, and its route to the internet, are not judged", note)
}
