package test

import (
	"fmt"
	"net/netip"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A small model of how network ACLs judge TCP traffic, built from the synthesised template:
// entries are evaluated in rule-number order, the first match decides, and anything unmatched is
// denied. NACLs are stateless, so a TCP flow works only if the request and the reply pass the
// ACL of both subnets it crosses.

type aclEntry struct {
	number   int
	egress   bool
	protocol int
	cidr     netip.Prefix
	from, to int
	allow    bool
}

type acl []aclEntry

func (a acl) allows(egress bool, remote netip.Addr, port int) bool {
	for _, e := range a {
		if e.egress != egress || (e.protocol != 6 && e.protocol != -1) || !e.cidr.Contains(remote) {
			continue
		}
		if e.protocol == -1 || (port >= e.from && port <= e.to) {
			return e.allow
		}
	}
	return false
}

type vpcModel struct {
	subnetACL map[netip.Prefix]acl // by subnet CIDR
	public    []netip.Prefix
	private   []netip.Prefix
}

func (s *scenario) vpcModel(t *testing.T) vpcModel {
	acls := map[string]acl{}
	for _, e := range s.resources("AWS::EC2::NetworkAclEntry") {
		p := props(e)
		ports := p["PortRange"].(map[string]any)
		entry := aclEntry{
			number:   int(p["RuleNumber"].(float64)),
			egress:   p["Egress"] == true,
			protocol: int(p["Protocol"].(float64)),
			cidr:     netip.MustParsePrefix(p["CidrBlock"].(string)),
			from:     int(ports["From"].(float64)),
			to:       int(ports["To"].(float64)),
			allow:    p["RuleAction"] == "allow",
		}
		id := p["NetworkAclId"].(map[string]any)["Ref"].(string)
		acls[id] = append(acls[id], entry)
	}
	for id := range acls {
		sort.Slice(acls[id], func(i, j int) bool { return acls[id][i].number < acls[id][j].number })
	}
	cidrs := map[string]netip.Prefix{}
	for id, subnet := range s.resources("AWS::EC2::Subnet") {
		cidrs[id] = netip.MustParsePrefix(props(subnet)["CidrBlock"].(string))
	}
	m := vpcModel{subnetACL: map[netip.Prefix]acl{}}
	for _, assoc := range s.resources("AWS::EC2::SubnetNetworkAclAssociation") {
		subnet := cidrs[props(assoc)["SubnetId"].(map[string]any)["Ref"].(string)]
		m.subnetACL[subnet] = acls[props(assoc)["NetworkAclId"].(map[string]any)["Ref"].(string)]
	}
	for _, cidr := range s.subnets("Public") {
		m.public = append(m.public, netip.MustParsePrefix(cidr))
	}
	for _, cidr := range s.privateSubnets(t) {
		m.private = append(m.private, netip.MustParsePrefix(cidr))
	}
	sort.Slice(m.public, func(i, j int) bool { return m.public[i].Addr().Less(m.public[j].Addr()) })
	sort.Slice(m.private, func(i, j int) bool { return m.private[i].Addr().Less(m.private[j].Addr()) })
	require.Len(t, m.subnetACL, len(m.public)+len(m.private), "every subnet has a custom network ACL")
	return m
}

// host is an address inside a subnet (its 10th address) or anywhere else.
func host(subnet netip.Prefix) netip.Addr {
	a := subnet.Addr()
	for range 10 {
		a = a.Next()
	}
	return a
}

// Client ports of replies: the lowest a NAT gateway uses, the Windows and Linux ranges, the top.
var ephemeralPorts = []int{1024, 32768, 49152, 65535}

// tcpPasses reports whether a TCP connection from src to dst:port and all its replies pass the
// ACLs of the subnets at both ends (addresses outside the VPC have no ACL). It returns which
// step fails, if any.
func (m vpcModel) tcpPasses(src, dst netip.Addr, port int) (bool, string) {
	srcACL, srcInVpc := m.aclOf(src)
	dstACL, dstInVpc := m.aclOf(dst)
	if srcInVpc && !srcACL.allows(true, dst, port) {
		return false, "request leaving the source subnet"
	}
	if dstInVpc && !dstACL.allows(false, src, port) {
		return false, "request entering the destination subnet"
	}
	for _, client := range ephemeralPorts {
		if dstInVpc && !dstACL.allows(true, src, client) {
			return false, fmt.Sprintf("reply to port %d leaving the destination subnet", client)
		}
		if srcInVpc && !srcACL.allows(false, dst, client) {
			return false, fmt.Sprintf("reply to port %d entering the source subnet", client)
		}
	}
	return true, ""
}

// natPasses checks src (private) to an internet address through the NAT gateway in a public
// subnet: private to NAT, then NAT to the internet.
func (m vpcModel) natPasses(src, internet, nat netip.Addr, port int) (bool, string) {
	srcACL, _ := m.aclOf(src)
	natACL, _ := m.aclOf(nat)
	switch {
	case !srcACL.allows(true, internet, port):
		return false, "request leaving the private subnet"
	case !natACL.allows(false, src, port):
		return false, "request entering the NAT's public subnet"
	case !natACL.allows(true, internet, port):
		return false, "request leaving the public subnet to the internet"
	}
	for _, client := range ephemeralPorts {
		switch {
		case !natACL.allows(false, internet, client):
			return false, "reply entering the public subnet"
		case !natACL.allows(true, src, client):
			return false, "reply leaving the public subnet for the private one"
		case !srcACL.allows(false, internet, client):
			return false, "reply entering the private subnet"
		}
	}
	return true, ""
}

func (m vpcModel) aclOf(a netip.Addr) (acl, bool) {
	for subnet, rules := range m.subnetACL {
		if subnet.Contains(a) {
			return rules, true
		}
	}
	return nil, false
}

var (
	microsoftUpdate = netip.MustParseAddr("13.107.4.50")
	someInternet    = netip.MustParseAddr("198.51.100.7")
	adminHost       = netip.MustParseAddr("203.0.113.5")
)

type flow struct {
	name     string
	src, dst netip.Addr
	port     int
}

func requiredFlows(m vpcModel, s3Cidrs []string) []flow {
	instance, otherPrivate := host(m.private[0]), host(m.private[1])
	wsus := host(m.public[0])
	flows := []flow{
		{"instance to an interface endpoint in another private subnet", instance, otherPrivate, 443},
		{"second AZ's instance to an interface endpoint in the first AZ", otherPrivate, instance, 443},
		{"instance to WSUS over HTTP", instance, wsus, 8530},
		{"instance to WSUS over HTTPS", instance, wsus, 8531},
		{"second AZ instance to WSUS", otherPrivate, wsus, 8530},
		{"jump host RDP to an instance", wsus, instance, 3389},
		{"jump host RDP to the other AZ", wsus, otherPrivate, 3389},
		{"WSUS to a Systems Manager endpoint", wsus, instance, 443},
		{"WSUS syncs from Microsoft Update over HTTP", wsus, microsoftUpdate, 80},
		{"WSUS syncs from Microsoft Update over HTTPS", wsus, microsoftUpdate, 443},
	}
	for _, cidr := range s3Cidrs {
		flows = append(flows, flow{"instance to S3 at " + cidr, instance, host(netip.MustParsePrefix(cidr)), 443})
	}
	return flows
}

func deniedFlows(m vpcModel) []flow {
	instance, wsus := host(m.private[0]), host(m.public[0])
	return []flow{
		{"instance straight to the internet", instance, someInternet, 443},
		{"instance to Microsoft Update over HTTP", instance, microsoftUpdate, 80},
		{"internet RDP to the jump host", someInternet, wsus, 3389},
		{"admin RDP without configured admin CIDRs", adminHost, wsus, 3389},
		{"internet RDP to an instance", someInternet, instance, 3389},
		{"internet to WSUS", someInternet, wsus, 8530},
		{"instance RDP to the jump host", instance, wsus, 3389},
		{"instance to WSUS on another port", instance, wsus, 80},
		{"jump host SMB to an instance", wsus, instance, 445},
		{"jump host SSH to an instance", wsus, instance, 22},
		{"jump host WinRM to an instance", wsus, instance, 5985},
		{"instance RDP to another private instance", instance, host(m.private[1]), 3389},
		{"instance WinRM to another private instance", instance, host(m.private[1]), 5986},
		{"WSUS to an instance on the WSUS port", wsus, instance, 8530},
	}
}

func TestNetworkAclsPassEveryRequiredFlowAndItsReplies(t *testing.T) {
	s := defaultScenario.synth(t)
	m := s.vpcModel(t)
	for _, f := range requiredFlows(m, []string{"54.231.160.0/19", "52.218.128.0/17", "52.92.32.0/22"}) {
		ok, where := m.tcpPasses(f.src, f.dst, f.port)
		assert.True(t, ok, "%s (%s -> %s:%d) is blocked: %s", f.name, f.src, f.dst, f.port, where)
	}
}

func TestNetworkAclsBlockFlowsTheArchitectureDoesNotNeed(t *testing.T) {
	s := defaultScenario.synth(t)
	m := s.vpcModel(t)
	for _, f := range deniedFlows(m) {
		ok, _ := m.tcpPasses(f.src, f.dst, f.port)
		assert.False(t, ok, "%s (%s -> %s:%d) should be blocked", f.name, f.src, f.dst, f.port)
	}
}

func TestAdminCidrsReachTheJumpHostOnRdpOnly(t *testing.T) {
	s := exampleScenario.synth(t)
	m := s.vpcModel(t)
	jump := host(m.public[0])
	ok, where := m.tcpPasses(adminHost, jump, 3389)
	assert.True(t, ok, "admin RDP is blocked: %s", where)
	for _, port := range []int{22, 445, 8530} {
		ok, _ := m.tcpPasses(adminHost, jump, port)
		assert.False(t, ok, "admin CIDR reaches port %d", port)
	}
	ok, _ = m.tcpPasses(someInternet, jump, 3389)
	assert.False(t, ok, "RDP from outside the admin CIDRs")
	ok, _ = m.tcpPasses(adminHost, host(m.private[0]), 3389)
	assert.False(t, ok, "admins reach private instances only through the jump host")
}

func TestNatPathPassesWebTrafficOnlyAndKeepsEveryOtherFlow(t *testing.T) {
	for _, sc := range []*scenario{natScenario, natSingle} {
		m := sc.synth(t).vpcModel(t)
		instance := host(m.private[1])
		for _, nat := range m.public { // per AZ or single, the gateway sits in a public subnet
			for _, port := range []int{80, 443} {
				ok, where := m.natPasses(instance, microsoftUpdate, host(nat), port)
				assert.True(t, ok, "%s: instance to Microsoft Update on %d through NAT: %s", sc.name, port, where)
			}
			ok, _ := m.natPasses(instance, someInternet, host(nat), 22)
			assert.False(t, ok, "%s: NAT opens only 80 and 443", sc.name)
		}
		for _, f := range requiredFlows(m, []string{"54.231.160.0/19"}) {
			ok, where := m.tcpPasses(f.src, f.dst, f.port)
			assert.True(t, ok, "%s: %s is blocked: %s", sc.name, f.name, where)
		}
		ok, _ := m.tcpPasses(someInternet, instance, 3389)
		assert.False(t, ok, "%s: NAT must not admit inbound connections", sc.name)
	}
}
