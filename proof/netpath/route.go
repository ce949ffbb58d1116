package netpath

import (
	"cmp"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// ServerRouteProblem is why the WSUS server's IPv4 packets to the internet are not carried out of
// the VPC, "" where they are; note says what is not judged. Its subnet's route table sends
// 0.0.0.0/0 either to a NAT gateway, which needs no address of the server's, or to an internet
// gateway, which carries only an instance with a public address: "The instances in the public
// subnet must have public IP addresses or Elastic IP addresses to enable communication with the
// internet over the internet gateway"; "To provide your instances with internet access without
// assigning them public IP addresses, you can use a NAT device instead" ("Connect to the internet
// using an internet gateway", Amazon VPC User Guide, read 2026-12-07). The server's address is its
// network interface's AssociatePublicIpAddress (true or "true"; without one, its subnet's
// MapPublicIpOnLaunch), or an Elastic IP or association naming it or its network interface, in
// fleet or in others, the deployment's other templates (mutation run 21's A12: the Elastic IP
// removed, the server never synchronises); with externalAddress (the configuration's
// wsus.publicAddress: external) an address outside the templates is declared, and its absence
// there is a note. A NAT gateway is judged by natProblem; a subnet not the network template's (an
// existing VPC's), on its VPC's main route table (no explicit association), or routing to a
// transit gateway, peering connection, endpoint or other target is a note: not judged.
func ServerRouteProblem(network, fleet map[string]any, externalAddress bool, others ...map[string]any) (problem, note string) {
	instances := cfntemplate.OfType(cfntemplate.Resources(fleet), "AWS::EC2::Instance")
	ids := slices.Sorted(maps.Keys(instances))
	i := slices.IndexFunc(ids, func(id string) bool { return strings.HasPrefix(id, WsusInstancePrefix) })
	if i < 0 {
		return "", ""
	}
	server, p := ids[i], instances[ids[i]]
	subnetRef, public := p["SubnetId"], any(nil)
	nics := cfntemplate.List(p["NetworkInterfaces"])
	if len(nics) > 0 {
		nic, _ := nics[0].(map[string]any)
		subnetRef, public = nic["SubnetId"], nic["AssociatePublicIpAddress"]
	}
	resources := cfntemplate.Resources(network)
	subnet := cfntemplate.Ref(resolveOutput(network, subnetRef))
	props, ok := cfntemplate.OfType(resources, "AWS::EC2::Subnet")[subnet]
	if !ok {
		return "", SubnetNotJudged
	}
	r := defaultRoute(resources, subnet)
	switch {
	case r.table == "":
		return "", fmt.Sprintf("the WSUS server's subnet %s has no explicit route table association: its VPC's main route table, and its route to the internet, are not judged", subnet)
	case !r.routed:
		return fmt.Sprintf("the WSUS server's subnet %s: its route table %s has no 0.0.0.0/0 route", subnet, r.table), ""
	case r.nat != "":
		return natProblem(resources, subnet, r.nat)
	case r.gateway == "":
		return "", fmt.Sprintf("the WSUS server's subnet %s routes 0.0.0.0/0 to %s: whether that reaches the internet is not judged", subnet, r.other)
	case cfntemplate.Text(public) == "true", public == nil && cfntemplate.Text(props["MapPublicIpOnLaunch"]) == "true", elasticIP(server, nics, fleet, append(others, network)):
		return "", ""
	case externalAddress:
		return "", fmt.Sprintf("the WSUS server %s has no public IPv4 address in the templates, and its public address is declared managed outside them (wsus.publicAddress: external): "+
			"it is not judged here (make doctor's WSUS synchronisation row shows whether the server reaches Microsoft Update)", server)
	}
	return fmt.Sprintf("the WSUS server %s has no public IPv4 address (AssociatePublicIpAddress %v, no Elastic IP on it), and its subnet %s routes 0.0.0.0/0 to internet gateway %s, which carries only instances with one",
		server, public, subnet, r.gateway), ""
}

// SubnetNotJudged is ServerRouteProblem's note where the server's subnet is not the network
// template's (review round 2, 11c: an existing VPC's route out printed as passing).
const SubnetNotJudged = "the WSUS server's subnet is not the network template's: its route out is not judged"

// natProblem: a NAT gateway carries the server's packets to the internet only if it is a public
// one whose own subnet routes 0.0.0.0/0 to an internet gateway, or its traffic goes on through a
// transit gateway or virtual private gateway (to a central egress, not judged). "Public – (Default)
// ... You create a public NAT gateway in a public subnet ... You route traffic from the NAT gateway
// to the internet gateway for the VPC"; "Private – ... You can route traffic from the NAT gateway
// through a transit gateway or a virtual private gateway ... if you route traffic from the private
// NAT gateway to the internet gateway, the internet gateway drops the traffic" ("NAT gateways",
// Amazon VPC User Guide, read 2026-12-07). So a private one fails only where its subnet's
// 0.0.0.0/0 goes to an internet gateway or nowhere (review round 2, 11a). A NAT gateway not of the
// template, or whose subnet has no explicit route table, is not judged.
func natProblem(resources map[string]any, subnet, nat string) (problem, note string) {
	gateway, ok := cfntemplate.OfType(resources, "AWS::EC2::NatGateway")[nat]
	if !ok {
		return "", fmt.Sprintf("the WSUS server's subnet %s routes 0.0.0.0/0 to NAT gateway %s, not the template's: its way out is not judged", subnet, nat)
	}
	private := cfntemplate.Text(gateway["ConnectivityType"]) == "private"
	own := cfntemplate.Ref(gateway["SubnetId"])
	r := defaultRoute(resources, own)
	switch {
	case own == "" || r.table == "":
		return "", fmt.Sprintf("NAT gateway %s's subnet %s has no explicit route table association: its route to the internet is not judged", nat, own)
	case private && r.gateway != "":
		return fmt.Sprintf("the WSUS server's subnet %s routes 0.0.0.0/0 to NAT gateway %s, whose ConnectivityType is private, and its own subnet %s routes 0.0.0.0/0 to internet gateway %s, which drops a private NAT gateway's traffic",
			subnet, nat, own, r.gateway), ""
	case !r.routed || (r.nat != "" && !private):
		return fmt.Sprintf("the WSUS server's subnet %s routes 0.0.0.0/0 to NAT gateway %s, whose own subnet %s routes 0.0.0.0/0 to no internet gateway (route table %s): it carries nothing to the internet",
			subnet, nat, own, r.table), ""
	case r.gateway == "":
		return "", fmt.Sprintf("NAT gateway %s's subnet %s routes 0.0.0.0/0 to %s: whether that reaches the internet is not judged", nat, own, cmp.Or(r.other, "NAT gateway "+r.nat))
	}
	return "", ""
}

// route is where a subnet's explicitly associated route table (table, "" without an association)
// sends 0.0.0.0/0: whether it does (routed), to an internet gateway (gateway), to a NAT gateway
// (nat), or to another target (other, its property and value).
type route struct {
	table, gateway, nat, other string
	routed                     bool
}

// defaultRoute is the 0.0.0.0/0 route of subnet's route table.
func defaultRoute(resources map[string]any, subnet string) route {
	var r route
	for _, a := range cfntemplate.OfType(resources, "AWS::EC2::SubnetRouteTableAssociation") {
		if cfntemplate.Ref(a["SubnetId"]) == subnet {
			r.table = cfntemplate.Ref(a["RouteTableId"])
		}
	}
	if r.table == "" {
		return r // the main route table: no route's RouteTableId names it
	}
	gateways := cfntemplate.OfType(resources, "AWS::EC2::InternetGateway")
	for _, rt := range cfntemplate.OfType(resources, "AWS::EC2::Route") {
		if cfntemplate.Ref(rt["RouteTableId"]) != r.table || rt["DestinationCidrBlock"] != "0.0.0.0/0" {
			continue
		}
		r.routed = true
		id := cfntemplate.Ref(rt["GatewayId"])
		literal, _ := rt["GatewayId"].(string)
		_, ours := gateways[id]
		switch {
		case ours:
			r.gateway = id
		case strings.HasPrefix(literal, "igw-"):
			r.gateway = literal
		case rt["NatGatewayId"] != nil:
			r.nat = cmp.Or(cfntemplate.Ref(rt["NatGatewayId"]), cfntemplate.Text(rt["NatGatewayId"]))
		default:
			for _, k := range slices.Sorted(maps.Keys(rt)) {
				if k != "RouteTableId" && k != "DestinationCidrBlock" {
					r.other = fmt.Sprintf("%s %s", k, cmp.Or(cfntemplate.Ref(rt[k]), cfntemplate.Text(rt[k])))
				}
			}
		}
		return r
	}
	return r
}

// elasticIP: an Elastic IP or association names the instance (InstanceId) or one of its network
// interfaces (NetworkInterfaceId, as a NetworkInterfaces entry names it), in fleet, or in others by
// fleet's outputs; or, in others, names its own network interface that an entry names by
// that template's output.
func elasticIP(instance string, nics []any, fleet map[string]any, others []map[string]any) bool {
	for _, template := range append([]map[string]any{fleet}, others...) {
		for _, kind := range []string{"AWS::EC2::EIP", "AWS::EC2::EIPAssociation"} {
			for _, e := range cfntemplate.OfType(cfntemplate.Resources(template), kind) {
				if cfntemplate.Ref(resolveOutput(fleet, e["InstanceId"])) == instance {
					return true
				}
				if e["NetworkInterfaceId"] != nil && slices.ContainsFunc(nics, func(nic any) bool {
					m, _ := nic.(map[string]any)
					eni := m["NetworkInterfaceId"]
					return eni != nil && (reflect.DeepEqual(resolveOutput(fleet, e["NetworkInterfaceId"]), eni) ||
						reflect.DeepEqual(e["NetworkInterfaceId"], resolveOutput(template, eni)))
				}) {
					return true
				}
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

// RouteUnjudged is what of flow f's route out of the VPC is not judged (m.ServerRouteNote, for
// the WSUS server's flows to Microsoft Update): its row must not print as passing.
func (m Model) RouteUnjudged(f Flow) string {
	if f.Src == m.ServerHost() && f.Dst == MicrosoftUpdate {
		return m.ServerRouteNote
	}
	return ""
}
