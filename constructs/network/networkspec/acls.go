package networkspec

import (
	"fmt"

	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
)

// Ports the patching architecture uses; WSUS's are wsusspec's.
const (
	HTTPPort  = 80
	HTTPSPort = 443
	RDPPort   = 3389
	// WinRM is closed by the network ACLs: Session Manager and Run Command replace it.
	WinRMHTTPPort  = 5985
	WinRMHTTPSPort = 5986
	// Ephemeral (client) ports, which replies go back to ("Ephemeral ports", Amazon VPC User
	// Guide, read 2026-12-07): "A NAT gateway uses ports 1024-65535", and a network ACL should
	// allow 1024-65535 for clients it does not know; "Many Linux kernels (including the Amazon
	// Linux kernel) use ports 32768-61000"; "Windows Server 2008 and later versions use ports
	// 49152-65535".
	EphemeralFrom        = 1024
	LinuxEphemeralFrom   = 32768
	WindowsEphemeralFrom = 49152
	EphemeralTo          = 65535
	// AnyIPv4 is every IPv4 address.
	AnyIPv4 = "0.0.0.0/0"
)

// AclRuleQuota is AWS's default quota of rules per direction in one network ACL, and
// MaxAclRules what is left of it for privatepatch's rules: "Rules per network ACL: 20 ... This
// is a one-way quota ... This quota includes the default deny rules (rule number 32767 for
// IPv4 ...). This quota can be increased up to a maximum of 40" ("Amazon VPC quotas", Amazon
// VPC User Guide; read 2026-11-27). privatepatch stays within the default.
const (
	AclRuleQuota = 20
	MaxAclRules  = AclRuleQuota - 1
)

// Rule number blocks of the network ACLs. Rules are grouped in blocks and numbered by position
// within their block, so adding a CIDR never renumbers another rule: a changed RuleNumber
// replaces the entry, and CloudFormation would create the new one before deleting the old, on
// the same number. The first matching rule decides, so the blocks are:
//
//	100-599   the flows the architecture needs, from and to named CIDRs; S3RulesFrom to
//	          S3RulesTo are the S3 CIDRs' (package s3drift reads them by that block); 500-509
//	          a hub's endpoints (private) or the on-premises WSUS clients (public)
//	900-999   denials of the management ports that the reply rules below would otherwise admit
//	1000-1399 replies: ephemeral ports from the VPC, the S3 CIDRs, with NAT the internet and,
//	          with a hub's endpoints, the hub
const (
	S3RulesFrom = 300
	S3RulesTo   = 399
	// ReplyRulesFrom to ReplyRulesTo are the replies' block. Inside the VPC its rules admit all
	// of 1024-65535, wider than the instances' documented client ports, as the Ephemeral ports
	// page advises for clients whose operating system (or changed dynamic port range) is not
	// known; only the internet-facing public subnets narrow it, to the WSUS server's.
	ReplyRulesFrom = 1000
	ReplyRulesTo   = 1399
)

// AclRule allows (or denies) one TCP flow direction of a network ACL. ID is the entry's
// construct id, part of its logical ID.
type AclRule struct {
	ID               string
	Number           int
	Egress, Deny     bool
	Cidr             string
	FromPort, ToPort int
}

func ingress(id string, number int, cidr string, from, to int) AclRule {
	return AclRule{ID: "In" + id, Number: number, Cidr: cidr, FromPort: from, ToPort: to}
}

func egress(id string, number int, cidr string, from, to int) AclRule {
	return AclRule{ID: "Out" + id, Number: number, Egress: true, Cidr: cidr, FromPort: from, ToPort: to}
}

// AclFlows are what the network ACLs' rules are made of. Give the lists sorted: entries are
// numbered in order, so the same CIDRs in another order (as AWS may return a prefix list) must
// change no rule. To count rules only, lists of the right length (of "") will do.
type AclFlows struct {
	VpcCidr                               string
	PublicSubnetCidrs, PrivateSubnetCidrs []string
	AdminCidrs, S3Cidrs                   []string
	// HubCidrs are a hub's interface endpoints, reached on HTTPS; none when the VPC has its own.
	HubCidrs []string
	// PrivateInternetRoute is NAT (created, or an existing VPC's route) for the private subnets.
	PrivateInternetRoute bool
	// WsusClientCidrs are on-premises networks whose hybrid nodes reach WSUS (in a public subnet).
	WsusClientCidrs []string
	// PublicClientsKnown: the public subnets' one client is the WSUS server on an AWS Windows AMI
	// (a created VPC, no NAT, no pinned AMI), whose replies come back to Windows Server's default
	// dynamic ports: the public ACL admits replies from anywhere on those only. Otherwise (an
	// existing VPC's subnets may hold hosts of yours; an AMI of your own may have its dynamic port
	// range changed, which Microsoft documents as possible; a NAT gateway answers on 1024-65535)
	// it admits 1024-65535, split around RDP, with the denials of the management ports.
	PublicClientsKnown bool
	// WithoutWsus: no WSUS server (wsus.enabled: false), so no rule carries the private subnets'
	// WSUS traffic to the public ones.
	WithoutWsus bool
}

// managementPortDenials keep RDP, WinRM and WSUS closed to everyone but the sources allowed
// above them: ephemeral reply rules (1024-65535) contain those ports.
func managementPortDenials() []AclRule {
	deny := func(id string, number, from, to int) AclRule {
		return AclRule{ID: "InDeny" + id, Number: number, Deny: true, Cidr: AnyIPv4, FromPort: from, ToPort: to}
	}
	return []AclRule{
		deny("Rdp", 900, RDPPort, RDPPort),
		deny("WinRm", 910, WinRMHTTPPort, WinRMHTTPSPort),
		deny("Wsus", 920, wsusspec.HTTPPort, wsusspec.HTTPSPort),
	}
}

// each repeats a rule for every CIDR, numbered base, base+1, ...
func each(cidrs []string, rule func(id string, number int, cidr string, from, to int) AclRule, id string, base, from, to int) []AclRule {
	var rules []AclRule
	for i, cidr := range cidrs {
		rules = append(rules, rule(fmt.Sprintf("%s%d", id, i+1), base+i, cidr, from, to))
	}
	return rules
}

// PrivateRules are the flows of the private subnets. Every flow has its return rule.
func (f AclFlows) PrivateRules() []AclRule {
	rules := []AclRule{
		// Instances to the interface endpoints (in the private subnets) and back; the WSUS host
		// reaches the endpoints too, and replies from WSUS come back to the VPC range.
		egress("HttpsToVpc", 100, f.VpcCidr, HTTPSPort, HTTPSPort),
		ingress("HttpsFromVpc", 100, f.VpcCidr, HTTPSPort, HTTPSPort),
		egress("EphemeralToVpc", 1000, f.VpcCidr, EphemeralFrom, EphemeralTo),
		ingress("EphemeralFromVpc", 1000, f.VpcCidr, EphemeralFrom, EphemeralTo),
	}
	if !f.WithoutWsus {
		rules = append(rules, each(f.PublicSubnetCidrs, egress, "WsusToPublic", 200, wsusspec.HTTPPort, wsusspec.HTTPSPort)...)
	}
	rules = append(rules, each(f.PublicSubnetCidrs, ingress, "RdpFromPublic", 200, RDPPort, RDPPort)...)
	rules = append(rules, managementPortDenials()...)
	rules = append(rules, each(f.S3Cidrs, egress, "HttpsToS3_", S3RulesFrom, HTTPSPort, HTTPSPort)...)
	rules = append(rules, each(f.S3Cidrs, ingress, "EphemeralFromS3_", 1100, EphemeralFrom, EphemeralTo)...)
	rules = append(rules, each(f.HubCidrs, egress, "HttpsToHub", 500, HTTPSPort, HTTPSPort)...)
	rules = append(rules, each(f.HubCidrs, ingress, "EphemeralFromHub", 1300, EphemeralFrom, EphemeralTo)...)
	if f.PrivateInternetRoute {
		rules = append(rules,
			egress("HttpToInternet", 400, AnyIPv4, HTTPPort, HTTPPort),
			egress("HttpsToInternet", 410, AnyIPv4, HTTPSPort, HTTPSPort),
			ingress("EphemeralFromInternet", 1200, AnyIPv4, EphemeralFrom, RDPPort-1),
			ingress("EphemeralAboveRdpFromInternet", 1201, AnyIPv4, RDPPort+1, EphemeralTo),
		)
	}
	return rules
}

// PublicRules are the flows of the public subnets: WSUS syncing from Microsoft Update, serving
// the private subnets, RDP jump host, and (with NAT) forwarding the private subnets' traffic.
func (f AclFlows) PublicRules() []AclRule {
	rules := []AclRule{
		egress("HttpToInternet", 100, AnyIPv4, HTTPPort, HTTPPort),
		egress("HttpsToInternet", 110, AnyIPv4, HTTPSPort, HTTPSPort),
		// Replies to every connection this subnet opens: Microsoft Update, the interface
		// endpoints and S3, RDP sessions to the private subnets. With its one client the WSUS
		// server on an AWS Windows AMI, only Windows Server's client ports.
		ingress("EphemeralFromAnywhere", 1000, AnyIPv4, WindowsEphemeralFrom, EphemeralTo),
	}
	if f.PrivateInternetRoute || !f.PublicClientsKnown {
		// A NAT gateway's forwarded traffic comes back to any of its 1024-65535, and a client
		// privatepatch does not know may use any of them. Split around 3389: no rule admits RDP
		// from anywhere (AWS Control Tower CT.EC2.PR.5); the denials keep the management ports
		// inside that range closed.
		rules = []AclRule{rules[0], rules[1],
			ingress("EphemeralFromAnywhere", 1000, AnyIPv4, EphemeralFrom, RDPPort-1),
			ingress("EphemeralAboveRdpFromAnywhere", 1001, AnyIPv4, RDPPort+1, EphemeralTo),
		}
		rules = append(rules, managementPortDenials()...)
	}
	if !f.WithoutWsus {
		rules = append(rules, each(f.PrivateSubnetCidrs, ingress, "WsusFromPrivate", 200, wsusspec.HTTPPort, wsusspec.HTTPSPort)...)
	}
	rules = append(rules, each(f.PrivateSubnetCidrs, egress, "EphemeralToPrivate", 200, EphemeralFrom, EphemeralTo)...)
	rules = append(rules, each(f.PrivateSubnetCidrs, egress, "RdpToPrivate", 210, RDPPort, RDPPort)...)
	rules = append(rules, each(f.AdminCidrs, ingress, "RdpFromAdmin", 300, RDPPort, RDPPort)...)
	rules = append(rules, each(f.AdminCidrs, egress, "EphemeralToAdmin", 300, EphemeralFrom, EphemeralTo)...)
	// Hybrid nodes' WSUS client traffic, from the declared on-premises networks only.
	rules = append(rules, each(f.WsusClientCidrs, ingress, "WsusFromOnPremises", 500, wsusspec.HTTPPort, wsusspec.HTTPSPort)...)
	rules = append(rules, each(f.WsusClientCidrs, egress, "EphemeralToOnPremises", 500, EphemeralFrom, EphemeralTo)...)
	if f.PrivateInternetRoute {
		rules = append(rules, each(f.PrivateSubnetCidrs, ingress, "HttpFromPrivate", 400, HTTPPort, HTTPPort)...)
		rules = append(rules, each(f.PrivateSubnetCidrs, ingress, "HttpsFromPrivate", 410, HTTPSPort, HTTPSPort)...)
	}
	return rules
}

// Directions counts rules per direction.
func Directions(rules []AclRule) (outbound, inbound int) {
	for _, r := range rules {
		if r.Egress {
			outbound++
		} else {
			inbound++
		}
	}
	return outbound, inbound
}

// RuleCounts is how many rules each ACL needs per direction: "public inbound", "public
// outbound", "private inbound", "private outbound".
func (f AclFlows) RuleCounts() map[string]int {
	publicOut, publicIn := Directions(f.PublicRules())
	privateOut, privateIn := Directions(f.PrivateRules())
	return map[string]int{"public inbound": publicIn, "public outbound": publicOut, "private inbound": privateIn, "private outbound": privateOut}
}

// QuotaProblem says why an ACL of outbound and inbound rules exceeds MaxAclRules, or "".
func QuotaProblem(acl string, outbound, inbound int) string {
	if outbound <= MaxAclRules && inbound <= MaxAclRules {
		return ""
	}
	return fmt.Sprintf("%s needs %d outbound and %d inbound rules, more than the %d the default quota of %d leaves beside the default deny rule: list fewer CIDRs or zones",
		acl, outbound, inbound, MaxAclRules, AclRuleQuota)
}
