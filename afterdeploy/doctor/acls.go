package doctor

import (
	"fmt"
	"strings"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
	"github.com/privatepatch/privatepatch/proof/netpath"
)

// checkVpcAcls judges the needed flows through the network ACLs of an existing VPC that
// privatepatch leaves alone (network.existingVpc.manageNetworkAcls false): make verify cannot,
// as they are not in the templates. It reads them (DescribeNetworkAcls, by the subnets the
// network stack's outputs name) and the region's S3 prefix list, and judges each flow netpath
// derives from the configuration, request and replies (ACLs are stateless), as make verify
// judges privatepatch's own. A flow through NAT is judged at the private subnet's ACL only:
// which public subnet holds the VPC's NAT gateway is not in the templates. A stack with ACLs of
// its own gets no row: make verify proves those.
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
	var answer []byte
	if answer, err = d.aws.JSON("ec2", "describe-network-acls", "--filters", jsonFilter("Name", "association.subnet-id", m.SubnetIDs()...)); err != nil {
		return nil, err
	}
	acls, err := netpath.ParseLiveACLs(answer)
	if err != nil {
		return nil, err
	}
	if m, err = m.WithLiveACLs(acls); err != nil {
		return nil, err
	}
	s3, err := d.s3PrefixList()
	if err != nil {
		return nil, err
	}
	m.ServerInPrivateSubnet = d.t.Flows.WsusInPrivateSubnet
	m = m.WithPrefixLists(s3.Id, s3.Cidrs)
	required, _ := netpath.FlowSet(m, s3.Cidrs, d.t.Flows.AdminCidrs, d.t.Flows.HubCidrs, d.t.Flows.WsusClientCidrs, d.t.Flows.PrivateInternetRoute)
	required = netpath.Deployed{Wsus: d.t.WsusEnabled, EndpointsInVpc: len(d.t.Flows.HubCidrs) == 0}.Keep(m, required)
	var denied []string
	for _, f := range required { // m.TCP: a flow through NAT as the private subnet's ACL sees it
		if v := m.TCP(f.Src, f.Dst, f.Port); !v.Pass {
			denied = append(denied, fmt.Sprintf("%s (port %d): %s of %s: %s", f.Name, f.Port, v.Step, aclAt(m, f, v), v.Rule))
		}
	}
	var ids []string
	for _, a := range acls {
		ids = append(ids, a.ID)
	}
	if len(denied) > 0 {
		return []Result{{Check: "network ACLs", State: Fail,
			Evidence: fmt.Sprintf("the VPC's own ACLs (%s) deny %d of the %d flows the fleet needs: %s", strings.Join(ids, ", "), len(denied), len(required), strings.Join(denied, "; ")),
			Action: "allow each in the ACL named, both ways: a request's reply needs its own rule (to ports 1024-65535), as ACLs are stateless (docs/network.md lists the flows); " +
				"or let privatepatch manage the subnets' ACLs (network.existingVpc.manageNetworkAcls: true), then make deploy"}}, nil
	}
	return []Result{{Check: "network ACLs", State: OK,
		Evidence: fmt.Sprintf("the VPC's own ACLs (%s) pass the %d flows the fleet needs, requests and replies (through NAT: the private subnets' ACLs only)", strings.Join(ids, ", "), len(required))}}, nil
}

// aclAt names the ACL of the subnet whose step denied the flow: the source's or the
// destination's (netpath.Model.TCP names its steps so).
func aclAt(m netpath.Model, f netpath.Flow, v netpath.Verdict) string {
	if strings.Contains(v.Step, "source") {
		return m.ACLIDOf(f.Src)
	}
	return m.ACLIDOf(f.Dst)
}
