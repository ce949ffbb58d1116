package netpath

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// ServerRouteProblem is why the WSUS server's IPv4 packets to the internet are not carried out of
// the VPC, "" where they are (or where its subnet is not the network template's to show: an
// existing VPC's). Its subnet's route table sends 0.0.0.0/0 either to a NAT gateway, which needs
// no address of the server's, or to an internet gateway, which carries only an instance with a
// public address: "The instances in the public subnet must have public IP addresses or Elastic IP
// addresses to enable communication with the internet over the internet gateway"; "To provide
// your instances with internet access without assigning them public IP addresses, you can use a
// NAT device instead" ("Connect to the internet using an internet gateway", Amazon VPC User Guide,
// read 2026-12-07). The server's address is its network interface's AssociatePublicIpAddress (or,
// without one, its subnet's MapPublicIpOnLaunch), or an Elastic IP or association naming it
// (mutation run 21's A12: the Elastic IP removed, the server never synchronises).
func ServerRouteProblem(network, fleet map[string]any) string {
	instances := cfntemplate.OfType(cfntemplate.Resources(fleet), "AWS::EC2::Instance")
	ids := slices.Sorted(maps.Keys(instances))
	i := slices.IndexFunc(ids, func(id string) bool { return strings.HasPrefix(id, WsusInstancePrefix) })
	if i < 0 {
		return ""
	}
	server, p := ids[i], instances[ids[i]]
	subnetRef, public := p["SubnetId"], any(nil)
	if nics := cfntemplate.List(p["NetworkInterfaces"]); len(nics) > 0 {
		nic, _ := nics[0].(map[string]any)
		subnetRef, public = nic["SubnetId"], nic["AssociatePublicIpAddress"]
	}
	resources := cfntemplate.Resources(network)
	subnet := cfntemplate.Ref(resolveOutput(network, subnetRef))
	props, ok := cfntemplate.OfType(resources, "AWS::EC2::Subnet")[subnet]
	if !ok {
		return ""
	}
	gateway, routed, table := defaultRoute(resources, subnet)
	switch {
	case !routed:
		return fmt.Sprintf("the WSUS server's subnet %s: its route table %s has no 0.0.0.0/0 route", subnet, table)
	case gateway == "", public == true, public == nil && props["MapPublicIpOnLaunch"] == true, elasticIP(fleet, server):
		return ""
	}
	return fmt.Sprintf("the WSUS server %s has no public IPv4 address (AssociatePublicIpAddress %v, no Elastic IP on it), and its subnet %s routes 0.0.0.0/0 to internet gateway %s, which carries only instances with one",
		server, public, subnet, gateway)
}

// defaultRoute is the internet gateway subnet's route table sends 0.0.0.0/0 to ("" where it
// sends it to a NAT gateway, a transit gateway or another target that needs no address of the
// instance's), whether the table has such a route, and the table.
func defaultRoute(resources map[string]any, subnet string) (gateway string, routed bool, table string) {
	for _, a := range cfntemplate.OfType(resources, "AWS::EC2::SubnetRouteTableAssociation") {
		if cfntemplate.Ref(a["SubnetId"]) == subnet {
			table = cfntemplate.Ref(a["RouteTableId"])
		}
	}
	gateways := cfntemplate.OfType(resources, "AWS::EC2::InternetGateway")
	for _, r := range cfntemplate.OfType(resources, "AWS::EC2::Route") {
		if cfntemplate.Ref(r["RouteTableId"]) != table || r["DestinationCidrBlock"] != "0.0.0.0/0" {
			continue
		}
		id := cfntemplate.Ref(r["GatewayId"])
		if _, ok := gateways[id]; ok {
			return id, true, table
		}
		if literal, ok := r["GatewayId"].(string); ok && strings.HasPrefix(literal, "igw-") {
			return literal, true, table
		}
		return "", true, table
	}
	return "", false, table
}

// elasticIP: an Elastic IP or Elastic IP association of the fleet stack names instance.
func elasticIP(fleet map[string]any, instance string) bool {
	resources := cfntemplate.Resources(fleet)
	for _, kind := range []string{"AWS::EC2::EIP", "AWS::EC2::EIPAssociation"} {
		for _, e := range cfntemplate.OfType(resources, kind) {
			if cfntemplate.Ref(e["InstanceId"]) == instance {
				return true
			}
		}
	}
	return false
}

// RouteProblem is why flow f's packets leave the VPC by no route (m.ServerRoute, for the WSUS
// server's flows to Microsoft Update), "" for every other flow.
func (m Model) RouteProblem(f Flow) string {
	if f.Src == m.ServerHost() && f.Dst == MicrosoftUpdate {
		return m.ServerRoute
	}
	return ""
}
