// Package netpath models how a synthesised network stack's network ACLs judge TCP traffic, so
// that required flows can be shown to pass, with every reply, and unneeded ones to be denied,
// before anything is deployed. ACL entries are evaluated in rule-number order, the first match
// decides, and anything unmatched is denied. ACLs are stateless: a flow works only if the request
// and its replies pass the ACL of both subnets it crosses. The security groups of the network
// stack are judged apart (SG): each layer must pass a needed flow and, on its own, deny a
// forbidden one.
package netpath

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/network/networkspec"
	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// Entry is one network ACL entry.
type Entry struct {
	Number   int
	Egress   bool
	Protocol int // 6 TCP, -1 all
	Cidr     netip.Prefix
	From, To int
	Allow    bool
}

func (e Entry) String() string {
	action, direction := "deny", "in"
	if e.Allow {
		action = "allow"
	}
	if e.Egress {
		direction = "out"
	}
	if e.Protocol == -1 {
		return fmt.Sprintf("rule %d %s %s %s all traffic", e.Number, direction, action, e.Cidr) // ports do not apply to protocol -1
	}
	return fmt.Sprintf("rule %d %s %s %s %d-%d", e.Number, direction, action, e.Cidr, e.From, e.To)
}

// ACL is one network ACL's entries, in rule-number order.
type ACL []Entry

// decide returns the entry that decides a packet, or nil when none matches (denied).
func (a ACL) decide(egress bool, remote netip.Addr, port int) *Entry {
	for i, e := range a {
		if e.Egress != egress || (e.Protocol != 6 && e.Protocol != -1) || !e.Cidr.Contains(remote) {
			continue
		}
		if e.Protocol == -1 || (port >= e.From && port <= e.To) {
			return &a[i]
		}
	}
	return nil
}

// Model is the VPC's subnets and their ACLs.
type Model struct {
	SubnetACL       map[netip.Prefix]ACL
	Public, Private []netip.Prefix
	// ACLs are the network ACLs by logical id, and subnetACLID each subnet's.
	ACLs        map[string]ACL
	subnetACLID map[netip.Prefix]string
	// Groups are the security groups' logical ids, and SGRules their rules (see SG).
	Groups  []string
	SGRules []SGRule
	// PrefixListID and PrefixListCidrs are the region's S3 prefix list (WithPrefixLists).
	PrefixListID    string
	PrefixListCidrs []netip.Prefix
	// AclsNotModelled: the subnets' ACLs are not the template's (FromSecurityGroups); every
	// flow's ACL verdict is "not modelled" until WithLiveACLs gives them.
	AclsNotModelled bool
	// ServerInPrivateSubnet: the WSUS server sits in a private subnet though the VPC has public
	// ones (network.existingVpc.wsusSubnet: private); see ServerHost.
	ServerInPrivateSubnet bool
	// PublicClientsUnknown: the public subnets may hold clients privatepatch does not know (the
	// configuration's !PublicClientsKnown), whose replies their ACL admits on 1024-65535.
	PublicClientsUnknown bool
	// WithoutWsus: the configuration has no WSUS server (wsus.enabled: false); a WSUS rule is
	// accepted, not needed (AcceptedRules).
	WithoutWsus bool
	// ServerRoute is why the WSUS server's packets to the internet leave the VPC by no route
	// (ServerRouteProblem): its flows to Microsoft Update need it "" (RouteProblem).
	ServerRoute string
	// ServerRouteNote is what of that route is not judged (ServerRouteProblem's note): its
	// flows to Microsoft Update print as not judged rather than passing (RouteUnjudged).
	ServerRouteNote string
	// subnetsByID are the CIDRs of the subnets the outputs name, by id (FromSecurityGroups).
	subnetsByID map[string]netip.Prefix
}

// FromTemplate builds the model from a network stack's template: its subnets (public or private
// by CDK's aws-cdk:subnet-type tag) or, in an existing VPC, the subnets its outputs name
// (PrivateSubnetIds with PrivateSubnetCidrs, the same for public), ACL entries and associations.
func FromTemplate(template map[string]any) (Model, error) {
	resources, _ := template["Resources"].(map[string]any)
	acls, err := parseACLs(resources)
	if err != nil {
		return Model{}, err
	}
	m := Model{SubnetACL: map[netip.Prefix]ACL{}, ACLs: acls, subnetACLID: map[netip.Prefix]string{}}
	groups, rules, err := parseSecurityGroups(resources)
	if err != nil {
		return Model{}, err
	}
	m.Groups, m.SGRules = groups, rules
	cidrs, err := m.addSubnets(template, resources)
	if err != nil {
		return Model{}, err
	}
	m.associateACLs(resources, cidrs)
	for _, list := range [][]netip.Prefix{m.Public, m.Private} {
		sort.Slice(list, func(i, j int) bool { return list[i].Addr().Less(list[j].Addr()) })
	}
	if len(m.Public) == 0 || len(m.Private) == 0 || len(m.SubnetACL) != len(m.Public)+len(m.Private) {
		return m, fmt.Errorf("the template needs public and private subnets, each with its own network ACL")
	}
	return m, nil
}

// FromSecurityGroups builds the model of a network stack whose subnets keep ACLs the template
// does not hold (an existing VPC's, network.existingVpc.manageNetworkAcls false): its subnets and
// security groups, the ACL layer not modelled (AclsNotModelled), so the security groups are
// judged alone. An existing VPC may have no public subnets (the WSUS server then sits in a
// private one: ServerHost).
func FromSecurityGroups(template map[string]any) (Model, error) {
	resources, _ := template["Resources"].(map[string]any)
	m := Model{SubnetACL: map[netip.Prefix]ACL{}, ACLs: map[string]ACL{}, subnetACLID: map[netip.Prefix]string{}, AclsNotModelled: true}
	groups, rules, err := parseSecurityGroups(resources)
	if err != nil {
		return Model{}, err
	}
	m.Groups, m.SGRules = groups, rules
	cidrs, err := m.addSubnets(template, resources)
	if err != nil {
		return Model{}, err
	}
	m.subnetsByID = map[string]netip.Prefix{}
	for id, cidr := range cidrs {
		if strings.HasPrefix(id, "subnet-") {
			m.subnetsByID[id] = cidr
		}
	}
	for _, list := range [][]netip.Prefix{m.Public, m.Private} {
		sort.Slice(list, func(i, j int) bool { return list[i].Addr().Less(list[j].Addr()) })
	}
	if len(m.Private) == 0 {
		return m, fmt.Errorf("the template names no private subnets (outputs PrivateSubnetIds and PrivateSubnetCidrs)")
	}
	return m, nil
}

// ServerHost is the WSUS server's (and jump host's) address: in the first public subnet, or,
// where the VPC has none or the server is placed in a private one, beside the first private
// subnet's instance.
func (m Model) ServerHost() netip.Addr {
	if len(m.Public) > 0 && !m.ServerInPrivateSubnet {
		return Host(m.Public[0])
	}
	return Host(m.Private[0]).Next()
}

// parseACLs reads the network ACL entries, by ACL logical id, in rule number order.
func parseACLs(resources map[string]any) (map[string]ACL, error) {
	acls := map[string]ACL{}
	for _, p := range cfntemplate.OfType(resources, "AWS::EC2::NetworkAclEntry") {
		cidr, err := netip.ParsePrefix(fmt.Sprint(p["CidrBlock"]))
		if err != nil {
			return nil, fmt.Errorf("ACL entry CIDR %v: %w", p["CidrBlock"], err)
		}
		ports, _ := p["PortRange"].(map[string]any)
		num := func(v any) int { f, _ := v.(float64); return int(f) }
		entry := Entry{Number: num(p["RuleNumber"]), Egress: p["Egress"] == true, Protocol: num(p["Protocol"]), Cidr: cidr,
			From: num(ports["From"]), To: num(ports["To"]), Allow: p["RuleAction"] == "allow"}
		acls[cfntemplate.Ref(p["NetworkAclId"])] = append(acls[cfntemplate.Ref(p["NetworkAclId"])], entry)
	}
	for id := range acls {
		// By number, then ingress before egress: an inbound and an outbound entry may share a
		// number, and the template's map order must not decide the listing.
		sort.Slice(acls[id], func(i, j int) bool {
			a, b := acls[id][i], acls[id][j]
			return a.Number < b.Number || (a.Number == b.Number && !a.Egress && b.Egress)
		})
	}
	return acls, nil
}

// addSubnets adds the template's subnets to m, public or private by CDK's aws-cdk:subnet-type
// tag, then those its outputs name, and returns each one's CIDR by logical id (or given id).
func (m *Model) addSubnets(template, resources map[string]any) (map[string]netip.Prefix, error) {
	cidrs := map[string]netip.Prefix{}
	for id, p := range cfntemplate.OfType(resources, "AWS::EC2::Subnet") {
		cidr, err := netip.ParsePrefix(fmt.Sprint(p["CidrBlock"]))
		if err != nil {
			return nil, fmt.Errorf("subnet %s: %w", id, err)
		}
		cidrs[id] = cidr
		public := false
		tags, _ := p["Tags"].([]any)
		for _, tag := range tags {
			t, _ := tag.(map[string]any)
			public = public || (t["Key"] == "aws-cdk:subnet-type" && t["Value"] == "Public")
		}
		if public {
			m.Public = append(m.Public, cidr)
		} else {
			m.Private = append(m.Private, cidr)
		}
	}
	for _, group := range []string{"Public", "Private"} {
		ids, subnets, err := outputSubnets(template, group)
		if err != nil {
			return nil, err
		}
		for i, id := range ids {
			cidrs[id] = subnets[i]
		}
		if group == "Public" {
			m.Public = append(m.Public, subnets...)
		} else {
			m.Private = append(m.Private, subnets...)
		}
	}
	return cidrs, nil
}

// associateACLs gives each subnet the ACL its association names.
func (m *Model) associateACLs(resources map[string]any, cidrs map[string]netip.Prefix) {
	for _, p := range cfntemplate.OfType(resources, "AWS::EC2::SubnetNetworkAclAssociation") {
		subnet := cfntemplate.Ref(p["SubnetId"])
		if id, literal := p["SubnetId"].(string); literal {
			subnet = id // a given subnet's id
		}
		if cidr, ok := cidrs[subnet]; ok {
			m.SubnetACL[cidr] = m.ACLs[cfntemplate.Ref(p["NetworkAclId"])]
			m.subnetACLID[cidr] = cfntemplate.Ref(p["NetworkAclId"])
		}
	}
}

// outputSubnets reads the subnets of a group that the template's outputs list: <group>SubnetIds
// and <group>SubnetCidrs, comma-separated literals in the same order. A created VPC's outputs
// carry no CIDRs (its subnets are resources), so none are read from them.
func outputSubnets(template map[string]any, group string) ([]string, []netip.Prefix, error) {
	idList, texts := outputList(template, group+"SubnetIds"), outputList(template, group+"SubnetCidrs")
	if idList == nil || texts == nil {
		return nil, nil, nil
	}
	if len(idList) != len(texts) {
		return nil, nil, fmt.Errorf("outputs %sSubnetIds and %sSubnetCidrs differ in length", group, group)
	}
	var prefixes []netip.Prefix
	for _, text := range texts {
		p, err := netip.ParsePrefix(text)
		if err != nil {
			return nil, nil, fmt.Errorf("output %sSubnetCidrs: %w", group, err)
		}
		prefixes = append(prefixes, p)
	}
	return idList, prefixes, nil
}

// Host is an address inside a subnet: its tenth.
func Host(subnet netip.Prefix) netip.Addr {
	a := subnet.Addr()
	for range 10 {
		a = a.Next()
	}
	return a
}

// PortRange is a range of client (ephemeral) ports, both ends included.
type PortRange struct{ From, To int }

func (r PortRange) String() string { return fmt.Sprintf("%d-%d", r.From, r.To) }

// Client port ranges, the ports a reply goes back to (networkspec's, from the "Ephemeral ports"
// page of the Amazon VPC User Guide):
//   - InstancePorts: a fleet instance, Linux or Windows Server 2008 and later, as the page's own
//     example ACL allows (32768-65535);
//   - WindowsServerPorts: the WSUS server, Windows Server;
//   - AnyClientPorts: a client outside the VPC (on premises, an administrator, the internet), and
//     the replies a NAT gateway receives.
var (
	InstancePorts      = PortRange{networkspec.LinuxEphemeralFrom, networkspec.EphemeralTo}
	WindowsServerPorts = PortRange{networkspec.WindowsEphemeralFrom, networkspec.EphemeralTo}
	AnyClientPorts     = PortRange{networkspec.EphemeralFrom, networkspec.EphemeralTo}
)

// Verdict is what the ACLs do with a flow: whether it passes, and which step and rule decide.
type Verdict struct {
	Pass bool
	// Step is where a denied flow stops, or "request and replies" for one that passes.
	Step string
	// Rule is the deciding entry: the one that denies, or the one that admits the request into
	// the destination subnet (out of the source subnet when the destination is outside the VPC).
	Rule string
	// NotModelled: the layer has nothing to judge the flow by (a security group the template
	// does not have, as in an existing VPC).
	NotModelled bool
}

// sameSubnet tells whether a and b are in one subnet of the model: traffic between them crosses
// no network ACL ("Control subnet traffic with network access control lists", Amazon VPC User
// Guide: a network ACL allows or denies traffic in and out of a subnet; read 2026-12-07).
func (m Model) sameSubnet(a, b netip.Addr) bool {
	for _, list := range [][]netip.Prefix{m.Public, m.Private} {
		for _, subnet := range list {
			if subnet.Contains(a) && subnet.Contains(b) {
				return true
			}
		}
	}
	return false
}

// withinOneSubnet is the ACL verdict of a flow between two addresses of one subnet: the ACL layer
// has nothing to judge, so only the security groups can deny it.
var withinOneSubnet = Verdict{Pass: true, NotModelled: true, Step: "within one subnet", Rule: "no network ACL between two addresses of one subnet"}

func (m Model) aclOf(a netip.Addr) (ACL, bool) {
	for subnet, rules := range m.SubnetACL {
		if subnet.Contains(a) {
			return rules, true
		}
	}
	return nil, false
}

type step struct {
	name   string
	acl    ACL
	egress bool
	remote netip.Addr
	ports  PortRange // one port for a request, the client's range for its replies
}

func judge(steps []step, deciding int) Verdict {
	var decidingRule string
	for i, s := range steps {
		e, denied := s.acl.decideRange(s.egress, s.remote, s.ports)
		which := "" // a reply's range names the ports denied; a request's one port is its own
		if denied != nil && s.ports.From != s.ports.To {
			which = " ports " + denied.String()
		}
		switch {
		case denied != nil && e == nil:
			return Verdict{Step: s.name, Rule: "no rule matches" + which + " (implicit deny)"}
		case denied != nil && which != "":
			return Verdict{Step: s.name, Rule: fmt.Sprintf("%s (for%s)", e, which)}
		case denied != nil:
			return Verdict{Step: s.name, Rule: e.String()}
		case i == deciding:
			decidingRule = e.String()
		}
	}
	return Verdict{Pass: true, Step: "request and replies", Rule: decidingRule}
}

// decideRange judges every port of r as the entries do, in rule-number order, the first match
// deciding each port: it returns the entry that admits the lowest port and nil when every port
// passes, or the ports first denied and the entry that denies them (nil where no rule matches).
// A range, not sample ports: a deny inside the client's range drops the replies to those ports.
func (a ACL) decideRange(egress bool, remote netip.Addr, r PortRange) (*Entry, *PortRange) {
	left := []PortRange{r}
	var first *Entry
	for i, e := range a {
		if e.Egress != egress || (e.Protocol != 6 && e.Protocol != -1) || !e.Cidr.Contains(remote) {
			continue
		}
		from, to := e.From, e.To
		if e.Protocol == -1 {
			from, to = 0, 65535
		}
		var rest []PortRange
		for _, l := range left {
			lo, hi := max(l.From, from), min(l.To, to)
			if lo > hi {
				rest = append(rest, l)
				continue
			}
			if !e.Allow {
				return &a[i], &PortRange{lo, hi}
			}
			if first == nil {
				first = &a[i]
			}
			if l.From < lo {
				rest = append(rest, PortRange{l.From, lo - 1})
			}
			if hi < l.To {
				rest = append(rest, PortRange{hi + 1, l.To})
			}
		}
		if left = rest; len(left) == 0 {
			return first, nil
		}
	}
	return nil, &left[0]
}

// TCP judges a TCP connection from src to dst:port and its replies, through the ACLs of the
// subnets at both ends (addresses outside the VPC have none), the replies to the client ports of
// src (ClientPorts).
func (m Model) TCP(src, dst netip.Addr, port int) Verdict {
	return m.TCPFrom(src, dst, port, m.ClientPorts(src))
}

// ClientPorts are the ports a client at a uses: the WSUS server's (Windows Server), an
// instance's elsewhere in the VPC, any client's outside it.
func (m Model) ClientPorts(a netip.Addr) PortRange {
	switch {
	case a == m.ServerHost():
		return WindowsServerPorts
	case slices.ContainsFunc(append(slices.Clone(m.Public), m.Private...), func(p netip.Prefix) bool { return p.Contains(a) }):
		return InstancePorts
	}
	if _, in := m.aclOf(a); in {
		return InstancePorts
	}
	return AnyClientPorts
}

// TCPFrom is TCP with the client's ports given.
func (m Model) TCPFrom(src, dst netip.Addr, port int, client PortRange) Verdict {
	if m.sameSubnet(src, dst) {
		return withinOneSubnet
	}
	srcACL, srcIn := m.aclOf(src)
	dstACL, dstIn := m.aclOf(dst)
	var steps []step
	deciding := -1
	request := PortRange{port, port}
	if srcIn {
		steps = append(steps, step{"request leaving the source subnet", srcACL, true, dst, request})
		deciding = 0
	}
	if dstIn {
		deciding = len(steps)
		steps = append(steps, step{"request entering the destination subnet", dstACL, false, src, request})
	}
	if dstIn {
		steps = append(steps, step{fmt.Sprintf("reply to ports %s leaving the destination subnet", client), dstACL, true, src, client})
	}
	if srcIn {
		steps = append(steps, step{fmt.Sprintf("reply to ports %s entering the source subnet", client), srcACL, false, dst, client})
	}
	return judge(steps, deciding)
}

// Request judges only the request of a TCP connection from src to dst:port (leaving the source
// subnet, entering the destination's), not its replies: what a forbidden flow's ACLs must deny,
// so that nothing unneeded reaches a host even where the replies would be dropped.
func (m Model) Request(src, dst netip.Addr, port int) Verdict {
	if m.sameSubnet(src, dst) {
		return withinOneSubnet
	}
	srcACL, srcIn := m.aclOf(src)
	dstACL, dstIn := m.aclOf(dst)
	var steps []step
	deciding := 0
	request := PortRange{port, port}
	if srcIn {
		steps = append(steps, step{"request leaving the source subnet", srcACL, true, dst, request})
	}
	if dstIn {
		deciding = len(steps)
		steps = append(steps, step{"request entering the destination subnet", dstACL, false, src, request})
	}
	return judge(steps, deciding)
}

// ThroughNAT judges src (private) to an internet address through a NAT gateway at nat (in a
// public subnet): private to NAT, then NAT to the internet, and the replies back. The NAT
// gateway talks to the internet from its own ports (AnyClientPorts) and hands the replies on to
// the instance's (the "Ephemeral ports" page: "A NAT gateway uses ports 1024-65535").
func (m Model) ThroughNAT(src, internet, nat netip.Addr, port int) Verdict {
	srcACL, _ := m.aclOf(src)
	natACL, _ := m.aclOf(nat)
	request, client := PortRange{port, port}, m.ClientPorts(src)
	steps := []step{
		{"request leaving the private subnet", srcACL, true, internet, request},
		{"request entering the NAT's public subnet", natACL, false, src, request},
		{"request leaving the public subnet to the internet", natACL, true, internet, request},
	}
	for _, r := range NATReplyPorts {
		steps = append(steps, step{fmt.Sprintf("reply to ports %s entering the public subnet", r), natACL, false, internet, r})
	}
	steps = append(steps,
		step{fmt.Sprintf("reply to ports %s leaving the public subnet for the private one", client), natACL, true, src, client},
		step{fmt.Sprintf("reply to ports %s entering the private subnet", client), srcACL, false, internet, client})
	return judge(steps, 1)
}

// NATReplyPorts are the ports a NAT gateway's replies from the internet must be let in on: its
// 1024-65535, but the management ports (RDP 3389, WinRM 5985-5986, WSUS 8530-8531) that the
// public ACL denies from the internet by design (AWS Control Tower CT.EC2.PR.5: no rule admits
// RDP from anywhere). A connection the NAT gateway happens to give one of those five of its
// 64,512 ports gets no reply and is retried: an accepted cost, written down here.
var NATReplyPorts = func() []PortRange {
	denied := []PortRange{{networkspec.RDPPort, networkspec.RDPPort}, {networkspec.WinRMHTTPPort, networkspec.WinRMHTTPSPort}, {wsusspec.HTTPPort, wsusspec.HTTPSPort}}
	var out []PortRange
	from := AnyClientPorts.From
	for _, d := range denied {
		out = append(out, PortRange{from, d.From - 1})
		from = d.To + 1
	}
	return append(out, PortRange{from, AnyClientPorts.To})
}()

// Flow is one TCP flow the architecture needs or must not allow.
type Flow struct {
	Name     string
	Src, Dst netip.Addr
	Port     int
	// SrcGroup and DstGroup name the security group of each end (InstancesGroup, ServerGroup,
	// EndpointsGroup), or "" for an end outside the VPC.
	SrcGroup, DstGroup string
	// NAT is the NAT gateway the flow goes through, if any (see ThroughNAT).
	NAT netip.Addr
	// SGOnly marks a forbidden flow only the security groups can deny (with NAT, the private
	// subnets' ACLs pass HTTPS to the internet).
	SGOnly bool
}

func flow(name string, src, dst netip.Addr, port int, srcGroup, dstGroup string) Flow {
	return Flow{Name: name, Src: src, Dst: dst, Port: port, SrcGroup: srcGroup, DstGroup: dstGroup}
}

// Addresses outside the VPC the flows use.
var (
	MicrosoftUpdate = netip.MustParseAddr("13.107.4.50")
	SomeInternet    = netip.MustParseAddr("198.51.100.7")
	AdminHost       = netip.MustParseAddr("203.0.113.5")
	// S3StandIn plays the S3 prefix list's members where neither the configuration nor the
	// template's ACLs give the region's S3 ranges (an existing VPC whose ACLs are its own): the
	// security groups name S3 by the list's id, so any member decides alike. The benchmarking
	// range (RFC 2544), outside every range the other flows use.
	S3StandIn = "198.18.0.0/15"
)

// internetCandidates are addresses that stand for "anywhere on the internet", in order: the
// documentation ranges (RFC 5737), then public ones.
var internetCandidates = []netip.Addr{SomeInternet, netip.MustParseAddr("192.0.2.7"), netip.MustParseAddr("203.0.113.77"),
	netip.MustParseAddr("8.8.4.4"), netip.MustParseAddr("1.0.0.7"), netip.MustParseAddr("100.100.100.100")}

// Outsider is an address outside every range the configuration lets in (admin, hub and WSUS
// client CIDRs): the stranger of the forbidden flows. A configured range that holds SomeInternet
// (an admin CIDR in 198.51.100.0/24, which the configuration accepts) lets its flows in by design,
// not by a defect (a held-out run's false alarm); a range in the templates that the configuration
// does not name still meets SomeInternet.
func Outsider(configured ...[]string) netip.Addr {
	var ranges []netip.Prefix
	for _, list := range configured {
		for _, c := range list {
			if p, err := netip.ParsePrefix(c); err == nil {
				ranges = append(ranges, p)
			}
		}
	}
	for _, c := range internetCandidates {
		if !slices.ContainsFunc(ranges, func(p netip.Prefix) bool { return p.Contains(c) }) {
			return c
		}
	}
	return SomeInternet
}

// S3FlowPrefix begins the name of a needed flow to S3, the rest its range.
const S3FlowPrefix = "instance to S3 at "

// RequiredFlows are the flows the architecture needs: instances to the endpoints, S3 and WSUS;
// the jump host's RDP; WSUS to Microsoft Update; admins' RDP (to the first address of each
// admin CIDR).
func RequiredFlows(m Model, s3Cidrs, adminCidrs []string) []Flow {
	instance, otherPrivate := Host(m.Private[0]), Host(m.Private[len(m.Private)-1])
	wsus := m.ServerHost()
	flows := []Flow{
		flow("instance to an interface endpoint in another private subnet", instance, otherPrivate, 443, InstancesGroup, EndpointsGroup),
		flow("last AZ's instance to an interface endpoint in the first AZ", otherPrivate, instance, 443, InstancesGroup, EndpointsGroup),
		flow("instance to WSUS over HTTP", instance, wsus, wsusspec.HTTPPort, InstancesGroup, ServerGroup),
		flow("instance to WSUS over HTTPS", instance, wsus, wsusspec.HTTPSPort, InstancesGroup, ServerGroup),
		// Every zone's clients on both ports (FlowSet adds the middle zones): metadata goes over the
		// port of the client URL, content over HTTP, and an ACL is judged per source (run 24's A05).
		flow("last AZ's instance to WSUS over HTTP", otherPrivate, wsus, wsusspec.HTTPPort, InstancesGroup, ServerGroup),
		flow("last AZ's instance to WSUS over HTTPS", otherPrivate, wsus, wsusspec.HTTPSPort, InstancesGroup, ServerGroup),
		flow("jump host RDP to an instance", wsus, instance, 3389, ServerGroup, InstancesGroup),
		flow("jump host RDP to the last AZ", wsus, otherPrivate, 3389, ServerGroup, InstancesGroup),
		flow("WSUS to a Systems Manager endpoint", wsus, instance, 443, ServerGroup, EndpointsGroup),
		flow("WSUS syncs from Microsoft Update over HTTP", wsus, MicrosoftUpdate, 80, ServerGroup, ""),
		flow("WSUS syncs from Microsoft Update over HTTPS", wsus, MicrosoftUpdate, 443, ServerGroup, ""),
	}
	for _, cidr := range s3Cidrs {
		if p, err := netip.ParsePrefix(cidr); err == nil {
			flows = append(flows, flow(S3FlowPrefix+cidr, instance, Host(p), 443, InstancesGroup, ""))
		}
	}
	for _, cidr := range adminCidrs {
		if p, err := netip.ParsePrefix(cidr); err == nil {
			flows = append(flows, flow("admin RDP from "+cidr+" to the jump host", p.Addr(), wsus, 3389, "", ServerGroup))
		}
	}
	return flows
}

// HubFlows are the flows to interface endpoints a hub VPC provides: an instance and the WSUS
// server (its SSM Agent) to the first address of each hub CIDR, and their replies.
func HubFlows(m Model, hubCidrs []string) []Flow {
	var flows []Flow
	for _, cidr := range hubCidrs {
		if p, err := netip.ParsePrefix(cidr); err == nil {
			flows = append(flows, flow("instance to the hub's interface endpoints at "+cidr, Host(m.Private[0]), Host(p), 443, InstancesGroup, ""),
				flow("WSUS server to the hub's interface endpoints at "+cidr, m.ServerHost(), Host(p), 443, ServerGroup, ""))
		}
	}
	return flows
}

// ForbiddenFlows are flows the architecture does not need, which the ACLs must deny. With NAT,
// the private subnets may send 80 and 443 into the public subnets (towards the NAT gateways,
// see ThroughNAT), which an ACL cannot tell from traffic to the WSUS server there: those flows
// are left out, and the security groups keep them apart.
func ForbiddenFlows(m Model, withAdmins, withNAT bool) []Flow {
	return ForbiddenFlowsFrom(m, withAdmins, withNAT, SomeInternet)
}

// ForbiddenFlowsFrom are ForbiddenFlows with internet as the stranger's address (Outsider).
func ForbiddenFlowsFrom(m Model, withAdmins, withNAT bool, internet netip.Addr) []Flow {
	instance, other, wsus := Host(m.Private[0]), Host(m.Private[len(m.Private)-1]), m.ServerHost()
	var flows []Flow
	if !withNAT {
		flows = []Flow{
			flow("instance straight to the internet", instance, internet, 443, InstancesGroup, ""),
			flow("instance to Microsoft Update over HTTP", instance, MicrosoftUpdate, 80, InstancesGroup, ""),
			flow("instance to WSUS on another port", instance, wsus, 80, InstancesGroup, ServerGroup),
		}
	}
	flows = append(flows, []Flow{
		flow("internet RDP to the jump host", internet, wsus, 3389, "", ServerGroup),
		flow("internet WinRM to the jump host", internet, wsus, 5985, "", ServerGroup),

		flow("internet RDP to an instance", internet, instance, 3389, "", InstancesGroup),
		flow("internet to WSUS", internet, wsus, wsusspec.HTTPPort, "", ServerGroup),
		flow("internet to WSUS over HTTPS", internet, wsus, wsusspec.HTTPSPort, "", ServerGroup),
		flow("instance RDP to the jump host", instance, wsus, 3389, InstancesGroup, ServerGroup),
		flow("jump host SMB to an instance", wsus, instance, 445, ServerGroup, InstancesGroup),
		flow("jump host SSH to an instance", wsus, instance, 22, ServerGroup, InstancesGroup),
		flow("jump host WinRM to an instance", wsus, instance, 5985, ServerGroup, InstancesGroup),
		flow("instance RDP to another private instance", instance, other, 3389, InstancesGroup, InstancesGroup),
		flow("instance WinRM to another private instance", instance, other, 5986, InstancesGroup, InstancesGroup),
		flow("WSUS to an instance on the WSUS port", wsus, instance, wsusspec.HTTPPort, ServerGroup, InstancesGroup),
	}...)
	endpointOut := flow("an interface endpoint to the internet", other, internet, 443, EndpointsGroup, "")
	endpointOut.SGOnly = withNAT
	flows = append(flows, endpointOut)
	if !withAdmins {
		flows = append(flows, flow("admin RDP without configured admin CIDRs", AdminHost, wsus, 3389, "", ServerGroup))
	}
	return flows
}
