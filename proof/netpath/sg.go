package netpath

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/network/networkspec"
	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
)

// The security groups a flow's ends belong to, by the logical-id prefix of the network stack's
// groups: the patched instances in the private subnets, the WSUS server and jump host in a public
// subnet, and the interface endpoints.
const (
	InstancesGroup = "NetworkPrivateSecurityGroup"
	ServerGroup    = "NetworkPublicSecurityGroup"
	EndpointsGroup = "NetworkEndpointSecurityGroup"
)

// SGRule is one rule of a security group: an allow (security groups have no denies), stateful
// (the replies of an allowed connection pass).
type SGRule struct {
	// Group is the logical id of the security group the rule belongs to.
	Group  string
	Egress bool
	// Protocol 6 TCP, -1 all, anything else (ICMP) matches no TCP flow.
	Protocol int
	From, To int
	// The peer: a CIDR, another group (its logical id), or a managed prefix list.
	Cidr       netip.Prefix
	PeerGroup  string
	PrefixList string
	// Where the rule is written: the group's inline SecurityGroupIngress/Egress or a resource.
	Where, Description string
}

func (r SGRule) String() string {
	direction, peer := "in from", r.Cidr.String()
	if r.Egress {
		direction = "out to"
	}
	switch {
	case r.PeerGroup != "":
		peer = r.PeerGroup
	case r.PrefixList != "":
		peer = "prefix list " + r.PrefixList
	}
	return fmt.Sprintf("%s %s %s %d-%d (%s)", r.Group, direction, peer, r.From, r.To, r.Where)
}

// parseSecurityGroups reads the security groups of a template: each group's inline rules, the
// AWS::EC2::SecurityGroupIngress and -Egress resources, and, for a group with no egress rule at
// all, the allow-all egress rule AWS adds ("When you create a security group, it has an outbound
// rule that allows all outbound traffic" unless the template gives egress rules:
// AWS::EC2::SecurityGroup, CloudFormation Template Reference; read 2026-12-06).
func parseSecurityGroups(resources map[string]any) (groups []string, rules []SGRule, err error) {
	add := func(group string, egress bool, p map[string]any, where string) error {
		r, modelled, err := parseSGRule(group, egress, p, where)
		if modelled {
			rules = append(rules, r)
		}
		return err
	}
	ids := make([]string, 0, len(resources))
	for id := range resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		res, _ := resources[id].(map[string]any)
		p, _ := res["Properties"].(map[string]any)
		switch res["Type"] {
		case "AWS::EC2::SecurityGroup":
			groups = append(groups, id)
			for _, key := range []string{"SecurityGroupIngress", "SecurityGroupEgress"} {
				list, _ := p[key].([]any)
				for i, item := range list {
					rule, _ := item.(map[string]any)
					if err := add(id, key == "SecurityGroupEgress", rule, fmt.Sprintf("%s.%s[%d]", id, key, i)); err != nil {
						return nil, nil, err
					}
				}
			}
		case "AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress":
			if err := add(securityGroupOf(p["GroupId"]), res["Type"] == "AWS::EC2::SecurityGroupEgress", p, id); err != nil {
				return nil, nil, err
			}
		}
	}
	return groups, append(rules, defaultEgress(resources, groups, rules)...), nil
}

// securityGroupOf returns the logical id of the group a Ref or GetAtt names, or the value given.
func securityGroupOf(v any) string {
	m, _ := v.(map[string]any)
	if ref, ok := m["Ref"].(string); ok {
		return ref
	}
	if att, ok := m["Fn::GetAtt"].([]any); ok && len(att) == 2 {
		return fmt.Sprint(att[0])
	}
	return fmt.Sprint(v)
}

// parseSGRule reads one rule of group, found where; modelled is false for a rule no IPv4 flow
// goes through (IPv6 and the like).
func parseSGRule(group string, egress bool, p map[string]any, where string) (r SGRule, modelled bool, err error) {
	num := func(v any) int { f, _ := v.(float64); return int(f) }
	r = SGRule{Group: group, Egress: egress, From: num(p["FromPort"]), To: num(p["ToPort"]), Where: where}
	r.Description, _ = p["Description"].(string)
	switch proto := fmt.Sprint(p["IpProtocol"]); proto {
	case "tcp", "6":
		r.Protocol = 6
	case "-1":
		r.Protocol, r.From, r.To = -1, 0, 65535
	default:
		r.Protocol = 0
	}
	cidrKey, peerKey := "CidrIp", "SourceSecurityGroupId"
	if egress {
		peerKey = "DestinationSecurityGroupId"
	}
	switch {
	case p[cidrKey] != nil:
		cidr, err := netip.ParsePrefix(fmt.Sprint(p[cidrKey]))
		if err != nil {
			return r, false, fmt.Errorf("security group rule %s: %w", where, err)
		}
		r.Cidr = cidr
	case p[peerKey] != nil:
		r.PeerGroup = securityGroupOf(p[peerKey])
	case p["DestinationPrefixListId"] != nil:
		r.PrefixList = fmt.Sprint(p["DestinationPrefixListId"])
	case p["SourcePrefixListId"] != nil:
		r.PrefixList = fmt.Sprint(p["SourcePrefixListId"])
	default:
		return r, false, nil // IPv6 and the like: no IPv4 flow is modelled through them
	}
	return r, true, nil
}

// defaultEgress returns AWS's allow-all egress rule of each group the template gives no egress
// rule at all.
func defaultEgress(resources map[string]any, groups []string, rules []SGRule) []SGRule {
	var out []SGRule
	for _, g := range groups {
		res, _ := resources[g].(map[string]any)
		p, _ := res["Properties"].(map[string]any)
		hasEgress := p["SecurityGroupEgress"] != nil || slices.ContainsFunc(rules, func(r SGRule) bool { return r.Group == g && r.Egress })
		if !hasEgress {
			out = append(out, SGRule{Group: g, Egress: true, Protocol: -1, From: 0, To: 65535, Cidr: netip.MustParsePrefix("0.0.0.0/0"),
				Where: g + " (AWS's default egress rule: the template gives none)"})
		}
	}
	return out
}

// group returns the logical id of the security group whose id starts with prefix, or "".
func (m Model) group(prefix string) string {
	for _, g := range m.Groups {
		if prefix != "" && strings.HasPrefix(g, prefix) {
			return g
		}
	}
	return ""
}

func (r SGRule) matches(egress bool, peer netip.Addr, peerGroup string, port int, prefixListID string, prefixLists []netip.Prefix) bool {
	if r.Egress != egress || (r.Protocol != 6 && r.Protocol != -1) || port < r.From || port > r.To {
		return false
	}
	switch {
	case r.PeerGroup != "":
		return peerGroup != "" && r.PeerGroup == peerGroup
	case r.PrefixList != "":
		// Another list than the region's S3 list holds none of its CIDRs: an id of another
		// region's list fails the deploy ("The prefix list ... does not exist"), and any other
		// list is not the S3 path.
		return (prefixListID == "" || r.PrefixList == prefixListID) && slices.ContainsFunc(prefixLists, func(p netip.Prefix) bool { return p.Contains(peer) })
	}
	return r.Cidr.Contains(peer)
}

// SG judges a flow by the security groups of its ends (the groups its SrcGroup and DstGroup name;
// an end outside the VPC, or whose group the template does not have, has none): the source's
// egress and the destination's ingress must each have a rule that allows it. Replies pass
// (security groups are stateful). Rule names the deciding rules, or the missing one.
func (m Model) SG(f Flow) Verdict {
	src, dst := m.group(f.SrcGroup), m.group(f.DstGroup)
	if (f.SrcGroup != "" && src == "") || (f.DstGroup != "" && dst == "") || (src == "" && dst == "") {
		return Verdict{Pass: true, NotModelled: true, Step: "not modelled", Rule: "the template has no security group for " + f.SrcGroup + f.DstGroup}
	}
	var deciding []string
	for _, end := range []struct {
		group, peerGroup string
		egress           bool
		peer             netip.Addr
	}{{src, dst, true, f.Dst}, {dst, src, false, f.Src}} {
		if end.group == "" {
			continue
		}
		i := slices.IndexFunc(m.SGRules, func(r SGRule) bool {
			return r.Group == end.group && r.matches(end.egress, end.peer, end.peerGroup, f.Port, m.PrefixListID, m.PrefixListCidrs)
		})
		if i < 0 {
			step := map[bool]string{true: "leaving " + end.group, false: "entering " + end.group}[end.egress]
			return Verdict{Step: step, Rule: "no rule of " + end.group + " allows it"}
		}
		deciding = append(deciding, m.SGRules[i].String())
	}
	return Verdict{Pass: true, Step: "both ends' security groups", Rule: strings.Join(deciding, "; ")}
}

// WithPrefixLists returns the model with the region's S3 prefix list, its id and CIDRs (looked up
// at synth, not in the template), which the groups' prefix-list rules naming that id match; with
// no id (looked up into cdk.context.json, not the configuration) every prefix-list rule matches.
func (m Model) WithPrefixLists(id string, cidrs []string) Model {
	m.PrefixListID, m.PrefixListCidrs = id, nil
	for _, c := range cidrs {
		if p, err := netip.ParsePrefix(c); err == nil {
			m.PrefixListCidrs = append(m.PrefixListCidrs, p)
		}
	}
	return m
}

// Rule is one rule of either layer: a network ACL entry of a subnet's ACL, or a security group rule.
type Rule struct {
	ACL   string // the ACL's logical id, for an ACL entry
	Entry *Entry
	SG    *SGRule
}

func (r Rule) String() string {
	if r.SG != nil {
		return "security group rule " + r.SG.String()
	}
	return "network ACL " + r.ACL + " " + r.Entry.String()
}

// Rules lists every ACL entry and security group rule of the model (AWS's default egress rules
// aside: they are not in the template to remove).
func (m Model) Rules() []Rule {
	var out []Rule
	seen := map[string]bool{}
	for _, id := range m.aclIDs() {
		for i := range m.ACLs[id] {
			out = append(out, Rule{ACL: id, Entry: &m.ACLs[id][i]})
		}
		seen[id] = true
	}
	for i := range m.SGRules {
		if !strings.Contains(m.SGRules[i].Where, "AWS's default") {
			out = append(out, Rule{SG: &m.SGRules[i]})
		}
	}
	return out
}

func (m Model) aclIDs() []string {
	ids := make([]string, 0, len(m.ACLs))
	for id := range m.ACLs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Without returns the model with rule removed.
func (m Model) Without(rule Rule) Model {
	out := m
	if rule.SG != nil {
		out.SGRules = slices.DeleteFunc(slices.Clone(m.SGRules), func(r SGRule) bool { return r == *rule.SG })
		group := rule.SG.Group
		if rule.SG.Egress && !slices.ContainsFunc(out.SGRules, func(r SGRule) bool { return r.Group == group && r.Egress }) {
			// A group left without egress rules gets AWS's default one (see parseSecurityGroups).
			out.SGRules = append(out.SGRules, SGRule{Group: group, Egress: true, Protocol: -1, To: 65535,
				Cidr: netip.MustParsePrefix("0.0.0.0/0"), Where: group + " (AWS's default egress rule)"})
		}
		return out
	}
	kept := slices.DeleteFunc(slices.Clone(m.ACLs[rule.ACL]), func(e Entry) bool { return e == *rule.Entry })
	out.SubnetACL = map[netip.Prefix]ACL{}
	for subnet, acl := range m.SubnetACL {
		if m.subnetACLID[subnet] == rule.ACL {
			acl = kept
		}
		out.SubnetACL[subnet] = acl
	}
	return out
}

// Judge judges a needed flow by both layers: the network ACLs (the request and its replies,
// directly or through the NAT gateway at f.NAT) and the security groups.
func (m Model) Judge(f Flow) (acl, sg Verdict) {
	if m.AclsNotModelled {
		return aclsNotModelled, m.SG(f)
	}
	if f.NAT.IsValid() {
		acl = m.ThroughNAT(f.Src, f.Dst, f.NAT, f.Port)
	} else {
		acl = m.TCP(f.Src, f.Dst, f.Port)
	}
	return acl, m.SG(f)
}

// aclsNotModelled is the ACL verdict of a model whose subnets keep ACLs the template does not hold.
var aclsNotModelled = Verdict{Pass: true, NotModelled: true, Step: "not modelled", Rule: "the existing VPC's own network ACLs (not in the template)"}

// JudgeForbidden judges a forbidden flow by each layer on its own: the ACLs on its request alone
// (Request), and the security groups.
func (m Model) JudgeForbidden(f Flow) (acl, sg Verdict) {
	if m.AclsNotModelled {
		return aclsNotModelled, m.SG(f)
	}
	if f.SGOnly {
		return Verdict{NotModelled: true, Step: "not judged", Rule: "the ACLs cannot tell it from traffic to the NAT gateway"}, m.SG(f)
	}
	return m.Request(f.Src, f.Dst, f.Port), m.SG(f)
}

// Wrong tells whether a flow's verdicts (Judge for a needed flow, JudgeForbidden for a forbidden
// one) are wrong: a needed flow must pass both layers; a forbidden one must be denied by each
// layer on its own (where the layer is modelled), so that opening either one is caught.
func Wrong(needed bool, acl, sg Verdict) bool {
	if needed {
		return !acl.Pass || !sg.Pass
	}
	return (acl.Pass && !acl.NotModelled) || (sg.Pass && !sg.NotModelled)
}

// judge is Judge or JudgeForbidden.
func (m Model) judge(needed bool, f Flow) (Verdict, Verdict) {
	if needed {
		return m.Judge(f)
	}
	return m.JudgeForbidden(f)
}

// RuleResult is a rule and the flows that turn wrong without it.
type RuleResult struct {
	Rule   Rule
	Caught []string
}

// ProveRules removes each ACL entry and security group rule in turn and judges the flows again:
// a rule whose removal turns no flow wrong is one no flow needs (or a deny no forbidden flow
// tests).
func (m Model) ProveRules(required, forbidden []Flow) []RuleResult {
	var out []RuleResult
	for _, rule := range m.Rules() {
		without := m.Without(rule)
		r := RuleResult{Rule: rule}
		for _, set := range []struct {
			flows  []Flow
			needed bool
		}{{required, true}, {forbidden, false}} {
			for _, f := range set.flows {
				if acl, sg := m.judge(set.needed, f); Wrong(set.needed, acl, sg) {
					continue // wrong already: reported as such
				}
				if acl, sg := without.judge(set.needed, f); Wrong(set.needed, acl, sg) {
					r.Caught = append(r.Caught, f.Name)
				}
			}
		}
		out = append(out, r)
	}
	return out
}

// AcceptedRules are the rules no flow needs that are known, with the reason: make verify names
// them rather than failing on them.
var AcceptedRules = []struct {
	// Match tells whether the accepted reason applies to the rule of the model.
	Match  func(m Model, r Rule) bool
	Reason string
}{
	{
		Match: func(m Model, r Rule) bool {
			return (r.SG != nil || r.Entry.Allow) && m.returnRuleCovers(r)
		},
		Reason: "redundant: a wider rule of the same ACL or security group (a return-traffic rule, or with NAT the internet one) passes the same packets; written with the service it serves",
	},
	{
		Match: func(m Model, r Rule) bool { return m.WithoutWsus && wsusPortRule(r) },
		Reason: "a WSUS rule of a configuration without WSUS (wsus.enabled: false): no server listens there; the network stack " +
			"left it in before it learnt to leave it out, and the next deploy removes it",
	},
	{
		Match: func(m Model, r Rule) bool { return r.Entry != nil && !r.Entry.Allow && !m.laterAllowOverlaps(r) },
		Reason: "redundant: no later rule admits these ports, so the implicit deny refuses them too; written to name the " +
			"deciding rule (the flow table's RDP denial)",
	},
	{
		Match: func(m Model, r Rule) bool { return m.replyRule(r) && m.privateACL(r.ACL) },
		Reason: "a reply rule for client ports below the instances' documented ones (32768): the private subnets may hold instances of yours, " +
			"of any operating system or changed dynamic port range, so 1024-65535, as the Ephemeral ports page advises for clients it does not know",
	},
	{
		Match: func(m Model, r Rule) bool { return m.replyRule(r) && !m.privateACL(r.ACL) && m.PublicClientsUnknown },
		Reason: "a reply rule for client ports below Windows Server's (49152): the public subnets hold a NAT gateway (1024-65535), or may hold clients " +
			"privatepatch does not know (an existing VPC's hosts, a WSUS AMI of your own with a changed dynamic port range)",
	},
	{
		Match: func(m Model, r Rule) bool {
			return r.Entry != nil && r.Entry.Allow && len(m.Public) > 1 && !r.Entry.Cidr.Contains(Host(m.Public[0])) &&
				slices.ContainsFunc(m.Public[1:], func(p netip.Prefix) bool { return r.Entry.Cidr == p })
		},
		Reason: "the WSUS server and jump host are in the first public subnet; the ACLs admit them in any public subnet (networkspec writes each rule per subnet)",
	},
}

// laterAllowOverlaps tells whether an allow entry after a deny entry of the same ACL and direction
// admits any of its ports: without one, the deny only restates the implicit deny.
func (m Model) laterAllowOverlaps(r Rule) bool {
	for _, e := range m.ACLs[r.ACL] {
		if e.Allow && e.Egress == r.Entry.Egress && e.Number > r.Entry.Number && e.From <= r.Entry.To && e.To >= r.Entry.From &&
			(e.Cidr.Overlaps(r.Entry.Cidr)) {
			return true
		}
	}
	return false
}

// returnRuleCovers tells whether another allow rule of the same layer passes every packet this
// allow rule does: another entry of the same ACL and direction, or another rule of the same
// security group and direction, with a wider CIDR (or the same peer) and ports.
func (m Model) returnRuleCovers(r Rule) bool {
	if r.SG != nil {
		return slices.ContainsFunc(m.SGRules, func(o SGRule) bool {
			return o != *r.SG && o.Group == r.SG.Group && o.Egress == r.SG.Egress && o.From <= r.SG.From && o.To >= r.SG.To &&
				(o.Protocol == -1 || o.Protocol == r.SG.Protocol) &&
				((o.PeerGroup == "" && o.PrefixList == "" && o.Cidr.Bits() == 0) || (o.PeerGroup == r.SG.PeerGroup && o.PrefixList == r.SG.PrefixList && o.Cidr == r.SG.Cidr))
		})
	}
	// Each port of the entry is passed by another allow entry of a wider CIDR, or refused before
	// the entry by a deny entry of a wider CIDR.
	contains := func(e Entry) bool {
		return e != *r.Entry && e.Egress == r.Entry.Egress && e.Cidr.Bits() <= r.Entry.Cidr.Bits() && e.Cidr.Contains(r.Entry.Cidr.Addr())
	}
	for port := r.Entry.From; port <= r.Entry.To; port++ {
		covered := slices.ContainsFunc(m.ACLs[r.ACL], func(e Entry) bool {
			return contains(e) && port >= e.From && port <= e.To && (e.Allow || e.Number < r.Entry.Number)
		})
		if !covered {
			return false
		}
	}
	return true
}

// Acceptance returns the reason a rule no flow needs is accepted, or "".
func (m Model) Acceptance(r Rule) string {
	for _, a := range AcceptedRules {
		if a.Match(m, r) {
			return a.Reason
		}
	}
	return ""
}

// FlowSet is every flow of a configuration: the needed ones (RequiredFlows, a hub's endpoints,
// Microsoft Update through the NAT gateway where the private subnets have an internet route) and
// the forbidden ones.
func FlowSet(m Model, s3Cidrs, adminCidrs, hubCidrs, wsusClientCidrs []string, privateInternetRoute bool) (required, forbidden []Flow) {
	required = append(RequiredFlows(m, s3Cidrs, adminCidrs), HubFlows(m, hubCidrs)...)
	// Every zone's instances reach WSUS and the jump host reaches them (the first and the last
	// are in RequiredFlows): each zone's rules are needed by a flow of its own.
	wsus := m.ServerHost()
	for i := 1; i < len(m.Private)-1; i++ {
		zone := Host(m.Private[i])
		required = append(required,
			flow("instance in "+m.Private[i].String()+" to WSUS over HTTP", zone, wsus, wsusspec.HTTPPort, InstancesGroup, ServerGroup),
			flow("instance in "+m.Private[i].String()+" to WSUS over HTTPS", zone, wsus, wsusspec.HTTPSPort, InstancesGroup, ServerGroup),
			flow("jump host RDP to "+m.Private[i].String(), wsus, zone, 3389, ServerGroup, InstancesGroup))
	}
	// On-premises networks that use WSUS (network.wsusClientCidrs: hybrid nodes), from the first
	// address of each.
	for _, cidr := range wsusClientCidrs {
		if p, err := netip.ParsePrefix(cidr); err == nil {
			for _, port := range []int{wsusspec.HTTPPort, wsusspec.HTTPSPort} {
				required = append(required, flow(fmt.Sprintf("on-premises %s to WSUS on %d", cidr, port), p.Addr(), wsus, port, "", ServerGroup))
			}
		}
	}
	if privateInternetRoute {
		// Every private subnet's instances; the public subnets share one ACL, so the NAT gateway's
		// subnet does not change the verdict.
		for _, subnet := range m.Private {
			for _, port := range []int{80, 443} {
				f := flow("instance in "+subnet.String()+" to Microsoft Update through NAT", Host(subnet), MicrosoftUpdate, port, InstancesGroup, "")
				f.NAT = m.ServerHost()
				required = append(required, f)
			}
		}
	}
	forbidden = append(ForbiddenFlowsFrom(m, len(adminCidrs) > 0, privateInternetRoute, Outsider(adminCidrs, hubCidrs, wsusClientCidrs)),
		OtherPortFlows(m, s3Cidrs, hubCidrs)...)
	return required, forbidden
}

// OtherPortFlows are the forbidden neighbours of the needed flows to addresses outside the VPC
// (S3's ranges, a hub's endpoints): the same instance and destination on a port no flow needs
// (SSH, 22, below the ephemeral range return rules open). A rule that opens every port, or every
// protocol (IpProtocol -1, whose ports EC2 ignores), to such an address passes its needed flow
// and fails its neighbour (mutation run 17's A06: the hub rule's protocol tcp became -1).
func OtherPortFlows(m Model, s3Cidrs, hubCidrs []string) []Flow {
	var flows []Flow
	for _, set := range []struct {
		what  string
		cidrs []string
	}{{"S3", s3Cidrs}, {"the hub's interface endpoints", hubCidrs}} {
		for _, cidr := range set.cidrs {
			if p, err := netip.ParsePrefix(cidr); err == nil {
				flows = append(flows, flow("instance SSH to "+set.what+" at "+cidr, Host(m.Private[0]), Host(p), 22, InstancesGroup, ""))
			}
		}
	}
	return flows
}

// privateACL tells whether the ACL of that id is a private subnet's.
func (m Model) privateACL(id string) bool {
	return slices.ContainsFunc(m.Private, func(p netip.Prefix) bool { return m.subnetACLID[p] == id })
}

// WithoutWsusClients are flows without those to the WSUS server's ports, for a configuration
// without a WSUS server (wsus.enabled: false): no instance needs them, and the network stack
// leaves their rules out.
func WithoutWsusClients(m Model, flows []Flow) []Flow {
	server := m.ServerHost()
	return slices.DeleteFunc(slices.Clone(flows), func(f Flow) bool {
		return f.Dst == server && f.Port >= wsusspec.HTTPPort && f.Port <= wsusspec.HTTPSPort
	})
}

// wsusPortRule tells whether r allows only the WSUS ports: the rules of the private subnets'
// WSUS traffic (and of on-premises clients'), an ACL's or a security group's.
func wsusPortRule(r Rule) bool {
	if r.SG != nil {
		return r.SG.From >= wsusspec.HTTPPort && r.SG.To <= wsusspec.HTTPSPort
	}
	return r.Entry.Allow && r.Entry.From >= wsusspec.HTTPPort && r.Entry.To <= wsusspec.HTTPSPort
}

// Deployed says what a deployment has, where a flow set is judged against ACLs that are not the
// stacks' own (make doctor, an existing VPC's): without a WSUS server, no flow to or from it or
// the jump host; with a hub's endpoints, none to endpoints inside the VPC.
type Deployed struct {
	Wsus, EndpointsInVpc bool
}

// Keep are the flows of a deployment as Deployed says it is.
func (d Deployed) Keep(m Model, flows []Flow) []Flow {
	server := m.ServerHost()
	return slices.DeleteFunc(slices.Clone(flows), func(f Flow) bool {
		return (!d.Wsus && (f.Src == server || f.Dst == server)) || (!d.EndpointsInVpc && f.DstGroup == EndpointsGroup)
	})
}

// replyRule tells whether r is an allow entry of the replies' block within 1024-65535.
func (m Model) replyRule(r Rule) bool {
	return r.Entry != nil && r.Entry.Allow && r.Entry.Number >= networkspec.ReplyRulesFrom && r.Entry.Number <= networkspec.ReplyRulesTo &&
		r.Entry.From >= AnyClientPorts.From && r.Entry.To <= AnyClientPorts.To
}
