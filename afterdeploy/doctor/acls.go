package doctor

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
	"github.com/privatepatch/privatepatch/proof/netpath"
)

// checkVpcAcls judges the needed flows through the network ACLs of an existing VPC that
// privatepatch leaves alone (network.existingVpc.manageNetworkAcls false): make verify cannot,
// as they are not in the templates. It reads them (DescribeNetworkAcls, by the subnets the
// network stack's outputs name, and the subnets of the NAT gateways their route tables send the
// internet to) and the region's S3 prefix list, and judges each flow netpath derives from the
// configuration, request and replies over the client's ports (ACLs are stateless), as make
// verify judges privatepatch's own. A stack with ACLs of its own gets no row: make verify proves
// those.
func (d *deployment) checkVpcAcls() ([]Result, error) {
	template, err := d.template(d.t.Network)
	if err != nil {
		return nil, err
	}
	if len(cfntemplate.OfType(cfntemplate.Resources(template), "AWS::EC2::NetworkAclEntry")) > 0 {
		return nil, nil
	}
	m, err := netpath.FromSecurityGroups(template)
	if err != nil || len(m.SubnetIDs()) == 0 {
		return nil, nil // a VPC of the stack's own, or outputs without subnets: nothing to read
	}
	m, acls, nat, err := d.liveAcls(template, m)
	if err != nil {
		return nil, err
	}
	s3, err := d.s3PrefixList()
	if err != nil {
		return nil, err
	}
	m = m.WithPrefixLists(s3.Id, s3.Cidrs)
	required, _ := netpath.FlowSet(m, s3.Cidrs, d.t.Flows.AdminCidrs, d.t.Flows.HubCidrs, d.t.Flows.WsusClientCidrs, d.t.Flows.PrivateInternetRoute)
	required = netpath.Deployed{Wsus: d.t.WsusEnabled, EndpointsInVpc: len(d.t.Flows.HubCidrs) == 0}.Keep(m, required)
	var denied []string
	for _, f := range required {
		// Microsoft Update from a private subnet (the fleet's, or a WSUS server placed in one) goes
		// through its NAT gateway; invalid where none of the VPC's was found: the private side alone.
		if f.NAT.IsValid() || (f.Dst == netpath.MicrosoftUpdate && d.t.Flows.PrivateInternetRoute) {
			f.NAT = nat.gatewayOf(m, f.Src)
		}
		if acl, _ := m.Judge(f); !acl.Pass {
			denied = append(denied, fmt.Sprintf("%s (port %d): %s of %s: %s", f.Name, f.Port, acl.Step, aclAt(m, f, acl), acl.Rule))
		}
	}
	return aclsResult(acls, denied, len(required), nat), nil
}

// aclsResult is the row: the flows denied, the NAT path's failures and what was left unjudged.
func aclsResult(acls []netpath.LiveACL, denied []string, required int, nat natPaths) []Result {
	var ids []string
	for _, a := range acls {
		ids = append(ids, a.ID)
	}
	if len(denied) > 0 {
		return []Result{{Check: "network ACLs", State: Fail,
			Evidence: fmt.Sprintf("the VPC's own ACLs (%s) deny %d of the %d flows the fleet needs: %s", strings.Join(ids, ", "), len(denied), required, strings.Join(denied, "; ")),
			Action: "allow each in the ACL named, both ways: a request's reply needs its own rule (to the client's ports), as ACLs are stateless (docs/network.md lists the flows); " +
				"or let privatepatch manage the subnets' ACLs (network.existingVpc.manageNetworkAcls: true), then make deploy"}}
	}
	evidence := fmt.Sprintf("the VPC's own ACLs (%s) pass the %d flows the fleet needs, requests and replies", strings.Join(ids, ", "), required)
	var failed, unjudged []string
	for _, u := range nat.unjudged {
		if text, ok := strings.CutPrefix(u, "FAIL "); ok {
			failed = append(failed, text)
		} else {
			unjudged = append(unjudged, u)
		}
	}
	if len(failed) > 0 {
		return []Result{{Check: "network ACLs", State: Fail,
			Evidence: evidence + "; but the private subnets' way to the internet is broken: " + strings.Join(failed, "; "),
			Action:   "give each private route table an active default route to an available public NAT gateway, or set network.existingVpc.privateInternetPath to what the VPC has, then make deploy"}}
	}
	if len(unjudged) > 0 {
		return []Result{{Check: "network ACLs", State: Warn,
			Evidence: evidence + "; " + strings.Join(unjudged, "; ") + ": for those the private subnets' ACLs alone are judged",
			Action:   "check the path to the internet past the private subnets yourself (Reachability Analyzer from an instance to 0.0.0.0/0 on 443)"}}
	}
	return []Result{{Check: "network ACLs", State: OK, Evidence: evidence + nat.judged()}}
}

// liveAcls gives the model the VPC's ACLs as AWS answers them: the private and public subnets'
// and, with NAT, the NAT gateways' subnets'.
func (d *deployment) liveAcls(template map[string]any, m netpath.Model) (netpath.Model, []netpath.LiveACL, natPaths, error) {
	var nat natPaths
	var err error
	if d.t.Flows.PrivateInternetRoute {
		if nat, err = d.natPaths(template); err != nil {
			return m, nil, nat, err
		}
		for subnet, ip := range nat.natSubnets {
			m = m.WithNATGateway(subnet, ip)
		}
	}
	answer, err := d.aws.JSON("ec2", "describe-network-acls", "--filters", jsonFilter("Name", "association.subnet-id", m.SubnetIDs()...))
	if err != nil {
		return m, nil, nat, err
	}
	acls, err := netpath.ParseLiveACLs(answer)
	if err != nil {
		return m, nil, nat, err
	}
	m, err = m.WithLiveACLs(acls)
	m.ServerInPrivateSubnet = d.t.Flows.WsusInPrivateSubnet
	return m, acls, nat, err
}

// natPaths are the NAT gateways the private subnets' default routes name: each gateway's
// subnet and private address, by the private subnet's CIDR, and the default routes that name
// something else (a transit gateway, a firewall endpoint) or a gateway in no subnet.
type natPaths struct {
	natSubnets map[string]netip.Addr // NAT subnet id -> the gateway's private address
	byPrivate  map[string]netip.Addr // private subnet id -> its gateway's private address
	unjudged   []string
}

// natPaths reads the route tables of the private subnets (the outputs PrivateSubnetIds and
// PrivateSubnetRouteTableIds, in one order: DescribeRouteTables) and the NAT gateways their
// default routes name (DescribeNatGateways: SubnetId, NatGatewayAddresses PrivateIp). A regional
// NAT gateway is in no subnet ("AvailabilityMode"): no ACL of a subnet of its is crossed.
func (d *deployment) natPaths(template map[string]any) (natPaths, error) {
	p := natPaths{natSubnets: map[string]netip.Addr{}, byPrivate: map[string]netip.Addr{}}
	subnets := outputList(template, "PrivateSubnetIds")
	tables, moved, err := d.privateRouteTables(template, subnets)
	if err != nil {
		return p, err
	}
	if len(tables) != len(subnets) || len(subnets) == 0 {
		p.unjudged = append(p.unjudged, "the route table of each private subnet is not known, so neither are the NAT gateways")
		return p, nil
	}
	gatewayOf, others, err := d.defaultRoutes(tables)
	if err != nil {
		return p, err
	}
	p.unjudged = append(moved, others...)
	var ids []string
	for _, g := range gatewayOf {
		ids = append(ids, g)
	}
	if len(ids) == 0 {
		return p, nil
	}
	var gateways struct {
		NatGateways []struct {
			NatGatewayId, SubnetId, State, ConnectivityType string
			NatGatewayAddresses                             []struct{ PrivateIp string }
		} `json:"NatGateways"`
	}
	if err := d.call(&gateways, append([]string{"ec2", "describe-nat-gateways", "--nat-gateway-ids"}, unique(ids)...)...); err != nil {
		return p, err
	}
	address := map[string]netip.Addr{}
	for _, g := range gateways.NatGateways {
		switch {
		case g.State != "" && g.State != "available":
			p.unjudged = append(p.unjudged, fmt.Sprintf("FAIL NAT gateway %s is %s, not available", g.NatGatewayId, g.State))
			continue
		case g.ConnectivityType == "private": // "if you route traffic from the private NAT gateway to the internet gateway, the internet gateway drops the traffic" (NAT gateways, Amazon VPC User Guide)
			p.unjudged = append(p.unjudged, fmt.Sprintf("FAIL NAT gateway %s is a private one, which does not reach the internet", g.NatGatewayId))
			continue
		case g.SubnetId == "" || len(g.NatGatewayAddresses) == 0:
			p.unjudged = append(p.unjudged, fmt.Sprintf("NAT gateway %s is in no subnet (a regional one): no subnet ACL on its way", g.NatGatewayId))
			continue
		}
		if ip, err := netip.ParseAddr(g.NatGatewayAddresses[0].PrivateIp); err == nil {
			address[g.NatGatewayId], p.natSubnets[g.SubnetId] = ip, ip
		}
	}
	for i, subnet := range subnets {
		if ip, ok := address[gatewayOf[tables[i]]]; ok {
			p.byPrivate[subnet] = ip
		}
	}
	return p, nil
}

// privateRouteTables are the route tables the private subnets use, in their order: the one each
// is associated with, or the VPC's main one ("Subnet route tables": a subnet not explicitly
// associated uses the main route table, Amazon VPC User Guide), read with DescribeRouteTables'
// association.subnet-id and association.main filters. Each that is not the configured one
// (network.existingVpc.privateSubnets[].routeTableId, on which the stack puts the S3 endpoint)
// is named.
func (d *deployment) privateRouteTables(template map[string]any, subnets []string) ([]string, []string, error) {
	type tables struct {
		RouteTables []struct {
			RouteTableId string
			Associations []struct {
				SubnetId string
				Main     bool
			}
		}
	}
	var associated tables
	if err := d.call(&associated, "ec2", "describe-route-tables", "--filters", jsonFilter("Name", "association.subnet-id", subnets...)); err != nil {
		return nil, nil, err
	}
	// Each table comes with all its associations ("RouteTable", Amazon EC2 API Reference, read
	// 2026-12-07): other subnets' and the main one, which has no SubnetId. Only the asked subnets count.
	of := map[string]string{}
	for _, t := range associated.RouteTables {
		for _, a := range t.Associations {
			if slices.Contains(subnets, a.SubnetId) {
				of[a.SubnetId] = t.RouteTableId
			}
		}
	}
	if len(of) < len(subnets) {
		var main tables
		vpc := outputList(template, "VpcId")
		if len(vpc) == 1 {
			filters := `[{"Name":"vpc-id","Values":["` + vpc[0] + `"]},{"Name":"association.main","Values":["true"]}]`
			if err := d.call(&main, "ec2", "describe-route-tables", "--filters", filters); err != nil {
				return nil, nil, err
			}
		}
		for _, subnet := range subnets {
			if _, ok := of[subnet]; !ok && len(main.RouteTables) > 0 {
				of[subnet] = main.RouteTables[0].RouteTableId
			}
		}
	}
	configured := outputList(template, "PrivateSubnetRouteTableIds")
	var out, moved []string
	for i, subnet := range subnets {
		table, ok := of[subnet]
		if !ok {
			continue
		}
		out = append(out, table)
		if i < len(configured) && configured[i] != table {
			moved = append(moved, fmt.Sprintf("subnet %s routes by %s, not the configured %s (network.existingVpc.privateSubnets[%d].routeTableId), which the S3 endpoint is on", subnet, table, configured[i], i))
		}
	}
	return out, moved, nil
}

// defaultRoutes are the NAT gateways the route tables' default routes (0.0.0.0/0) name, by route
// table, and each default route to something else, described (DescribeRouteTables).
func (d *deployment) defaultRoutes(tables []string) (map[string]string, []string, error) {
	var routes struct {
		RouteTables []struct {
			RouteTableId string `json:"RouteTableId"`
			Routes       []struct {
				DestinationCidrBlock, State, NatGatewayId, GatewayId, TransitGatewayId, NetworkInterfaceId, InstanceId,
				VpcPeeringConnectionId, CoreNetworkArn, LocalGatewayId, CarrierGatewayId string
			} `json:"Routes"`
		} `json:"RouteTables"`
	}
	if err := d.call(&routes, append([]string{"ec2", "describe-route-tables", "--route-table-ids"}, unique(tables)...)...); err != nil {
		return nil, nil, err
	}
	gatewayOf, others := map[string]string{}, []string(nil)
	for _, t := range routes.RouteTables {
		found := false
		for _, r := range t.Routes {
			if r.DestinationCidrBlock != "0.0.0.0/0" {
				continue
			}
			found = true
			target := cmp.Or(r.NatGatewayId, r.TransitGatewayId, r.NetworkInterfaceId, r.GatewayId, r.InstanceId, r.VpcPeeringConnectionId, r.CoreNetworkArn, r.LocalGatewayId, r.CarrierGatewayId, "nothing")
			switch {
			case r.State != "" && r.State != "active": // "blackhole": its target is gone ("Route", Amazon EC2 API Reference)
				others = append(others, fmt.Sprintf("FAIL route table %s's default route to %s is %s", t.RouteTableId, target, r.State))
			case r.NatGatewayId != "":
				gatewayOf[t.RouteTableId] = r.NatGatewayId
			default:
				others = append(others, fmt.Sprintf("route table %s sends the internet to %s, not a NAT gateway", t.RouteTableId, target))
			}
		}
		if !found {
			others = append(others, fmt.Sprintf("FAIL route table %s has no default route (0.0.0.0/0), though the configuration gives the private subnets one (network.existingVpc.privateInternetPath)", t.RouteTableId))
		}
	}
	return gatewayOf, others, nil
}

// gatewayOf is the private address of the NAT gateway the subnet holding src routes through,
// invalid where none was found.
func (p natPaths) gatewayOf(m netpath.Model, src netip.Addr) netip.Addr {
	for subnet, ip := range p.byPrivate {
		if cidr, ok := m.SubnetCidr(subnet); ok && cidr.Contains(src) {
			return ip
		}
	}
	return netip.Addr{}
}

// judged says which NAT gateways' subnets were judged.
func (p natPaths) judged() string {
	if len(p.natSubnets) == 0 {
		return ""
	}
	var subnets []string
	for s := range p.natSubnets {
		subnets = append(subnets, s)
	}
	slices.Sort(subnets)
	return ", through the NAT gateways' subnets " + strings.Join(subnets, ", ") + " too"
}

// outputList is a stack output's comma-separated values.
func outputList(template map[string]any, name string) []string {
	outputs, _ := template["Outputs"].(map[string]any)
	o, _ := outputs[name].(map[string]any)
	if v, _ := o["Value"].(string); v != "" {
		return strings.Split(v, ",")
	}
	return nil
}

func unique(values []string) []string {
	out := slices.Clone(values)
	slices.Sort(out)
	return slices.Compact(out)
}

// aclAt names the ACL of the subnet whose step denied the flow: the source's, the
// destination's, or, through NAT, the private subnet's or the NAT gateway's (netpath names the
// steps so).
func aclAt(m netpath.Model, f netpath.Flow, v netpath.Verdict) string {
	switch {
	case f.NAT.IsValid() && strings.Contains(v.Step, "public subnet"):
		return m.ACLIDOf(f.NAT)
	case strings.Contains(v.Step, "source") || strings.Contains(v.Step, "private subnet"):
		return m.ACLIDOf(f.Src)
	}
	return m.ACLIDOf(f.Dst)
}
