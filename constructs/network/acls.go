package network

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

const (
	anyIPv4 = "0.0.0.0/0"
	// Ephemeral ports that clients (Windows and Linux) and NAT gateways answer on.
	ephemeralFrom = 1024
	ephemeralTo   = 65535
	// maxAclRules is the default quota of rules per direction in one network ACL.
	maxAclRules = 20
)

// aclRule allows (or denies) one TCP flow direction. Rules are grouped in blocks of rule numbers
// and numbered by position within their block, so adding a CIDR never renumbers another rule: a
// changed RuleNumber replaces the entry, and CloudFormation would create the new one before
// deleting the old, on the same number. The first matching rule decides, so the blocks are:
//
//	100-599   the flows the architecture needs, from and to named CIDRs; 300-399 are the S3
//	          CIDRs' (package s3drift reads them by that block)
//	900-999   denials of the management ports that the reply rules below would otherwise admit
//	1000-1399 replies: ephemeral ports from the VPC, the S3 CIDRs, with NAT the internet and,
//	          with a hub's endpoints, the hub
type aclRule struct {
	id       string
	number   int
	egress   bool
	deny     bool
	cidr     string
	from, to int
}

func ingress(id string, number int, cidr string, from, to int) aclRule {
	return aclRule{id: "In" + id, number: number, cidr: cidr, from: from, to: to}
}

func egress(id string, number int, cidr string, from, to int) aclRule {
	return aclRule{id: "Out" + id, number: number, egress: true, cidr: cidr, from: from, to: to}
}

// managementPortDenials keep RDP, WinRM and WSUS closed to everyone but the sources allowed
// above them: ephemeral reply rules (1024-65535) contain those ports.
func managementPortDenials() []aclRule {
	deny := func(id string, number, from, to int) aclRule {
		return aclRule{id: "InDeny" + id, number: number, deny: true, cidr: anyIPv4, from: from, to: to}
	}
	return []aclRule{
		deny("Rdp", 900, rdpPort, rdpPort),
		deny("WinRm", 910, winRMHTTPPort, winRMHTTPSPort),
		deny("Wsus", 920, wsusHTTPPort, wsusHTTPSPort),
	}
}

// each repeats a rule for every CIDR, numbered base, base+1, ...
func each(cidrs []string, rule func(id string, number int, cidr string, from, to int) aclRule, id string, base, from, to int) []aclRule {
	var rules []aclRule
	for i, cidr := range cidrs {
		rules = append(rules, rule(fmt.Sprintf("%s%d", id, i+1), base+i, cidr, from, to))
	}
	return rules
}

// privateAclRules are the flows of the private subnets. Every flow has its return rule.
func (n *network) privateAclRules() []aclRule {
	rules := []aclRule{
		// Instances to the interface endpoints (in the private subnets) and back; the WSUS host
		// reaches the endpoints too, and replies from WSUS (8530/8531) come back to the VPC range.
		egress("HttpsToVpc", 100, n.vpcCidr, httpsPort, httpsPort),
		ingress("HttpsFromVpc", 100, n.vpcCidr, httpsPort, httpsPort),
		egress("EphemeralToVpc", 1000, n.vpcCidr, ephemeralFrom, ephemeralTo),
		ingress("EphemeralFromVpc", 1000, n.vpcCidr, ephemeralFrom, ephemeralTo),
	}
	rules = append(rules, each(n.publicSubnetCidrs, egress, "WsusToPublic", 200, wsusHTTPPort, wsusHTTPSPort)...)
	rules = append(rules, each(n.publicSubnetCidrs, ingress, "RdpFromPublic", 200, rdpPort, rdpPort)...)
	rules = append(rules, managementPortDenials()...)
	rules = append(rules, each(n.s3Cidrs, egress, "HttpsToS3_", 300, httpsPort, httpsPort)...)
	rules = append(rules, each(n.s3Cidrs, ingress, "EphemeralFromS3_", 1100, ephemeralFrom, ephemeralTo)...)
	if n.existing != nil && n.existing.InterfaceEndpointsProvided {
		rules = append(rules, each(n.existing.HubCidrs, egress, "HttpsToHub", 500, httpsPort, httpsPort)...)
		rules = append(rules, each(n.existing.HubCidrs, ingress, "EphemeralFromHub", 1300, ephemeralFrom, ephemeralTo)...)
	}
	if n.natEnabled {
		rules = append(rules,
			egress("HttpToInternet", 400, anyIPv4, httpPort, httpPort),
			egress("HttpsToInternet", 410, anyIPv4, httpsPort, httpsPort),
			ingress("EphemeralFromInternet", 1200, anyIPv4, ephemeralFrom, rdpPort-1),
			ingress("EphemeralAboveRdpFromInternet", 1201, anyIPv4, rdpPort+1, ephemeralTo),
		)
	}
	return rules
}

// publicAclRules are the flows of the public subnets: WSUS syncing from Microsoft Update, serving
// the private subnets, RDP jump host, and (with NAT) forwarding the private subnets' traffic.
func (n *network) publicAclRules() []aclRule {
	rules := []aclRule{
		egress("HttpToInternet", 100, anyIPv4, httpPort, httpPort),
		egress("HttpsToInternet", 110, anyIPv4, httpsPort, httpsPort),
		// Replies to every connection this subnet opens: Microsoft Update, the interface
		// endpoints, RDP sessions to the private subnets and, with NAT, forwarded traffic.
		// Split around 3389: no rule admits RDP from anywhere (AWS Control Tower CT.EC2.PR.5).
		ingress("EphemeralFromAnywhere", 1000, anyIPv4, ephemeralFrom, rdpPort-1),
		ingress("EphemeralAboveRdpFromAnywhere", 1001, anyIPv4, rdpPort+1, ephemeralTo),
	}
	rules = append(rules, managementPortDenials()...)
	rules = append(rules, each(n.privateSubnetCidrs, ingress, "WsusFromPrivate", 200, wsusHTTPPort, wsusHTTPSPort)...)
	rules = append(rules, each(n.privateSubnetCidrs, egress, "EphemeralToPrivate", 200, ephemeralFrom, ephemeralTo)...)
	rules = append(rules, each(n.privateSubnetCidrs, egress, "RdpToPrivate", 210, rdpPort, rdpPort)...)
	rules = append(rules, each(n.adminCidrs, ingress, "RdpFromAdmin", 300, rdpPort, rdpPort)...)
	rules = append(rules, each(n.adminCidrs, egress, "EphemeralToAdmin", 300, ephemeralFrom, ephemeralTo)...)
	if n.natEnabled {
		rules = append(rules, each(n.privateSubnetCidrs, ingress, "HttpFromPrivate", 400, httpPort, httpPort)...)
		rules = append(rules, each(n.privateSubnetCidrs, ingress, "HttpsFromPrivate", 410, httpsPort, httpsPort)...)
	}
	return rules
}

func (n *network) addNetworkAcls() {
	n.publicAcl = n.newAcl("PublicAcl", PublicSubnetGroup, n.publicAclRules())
	n.privateAcl = n.newAcl("PrivateAcl", PrivateSubnetGroup, n.privateAclRules())
}

func (n *network) newAcl(id, subnetGroup string, rules []aclRule) awsec2.NetworkAcl {
	counts := map[bool]int{}
	for _, r := range rules {
		counts[r.egress]++
	}
	acl := awsec2.NewNetworkAcl(n.Construct, jsii.String(id), &awsec2.NetworkAclProps{
		Vpc:             n.vpc,
		SubnetSelection: &awsec2.SubnetSelection{SubnetGroupName: jsii.String(subnetGroup)},
	})
	if counts[true] > maxAclRules || counts[false] > maxAclRules {
		// An error annotation fails synthesis with this message (S3 CIDRs looked up at synth can
		// get here; configured ones are refused by the configuration's validation first).
		awscdk.Annotations_Of(acl).AddError(jsii.String(fmt.Sprintf("%s needs %d outbound and %d inbound rules, more than the default quota of %d: list fewer CIDRs or zones",
			id, counts[true], counts[false], maxAclRules)))
	}
	for _, r := range rules {
		action := awsec2.Action_ALLOW
		if r.deny {
			action = awsec2.Action_DENY
		}
		direction := awsec2.TrafficDirection_INGRESS
		if r.egress {
			direction = awsec2.TrafficDirection_EGRESS
		}
		acl.AddEntry(jsii.String(r.id), &awsec2.CommonNetworkAclEntryOptions{
			RuleNumber: jsii.Number(r.number),
			Cidr:       awsec2.AclCidr_Ipv4(jsii.String(r.cidr)),
			Traffic:    awsec2.AclTraffic_TcpPortRange(jsii.Number(r.from), jsii.Number(r.to)),
			Direction:  direction,
			RuleAction: action,
		})
	}
	// After the entries: applyToChildren covers only the children that exist when it is called.
	cdknag.NagSuppressions_AddResourceSuppressions(acl, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-VPC3"),
		Reason: jsii.String("The architecture requires network ACLs: the private subnets may reach S3 only on its prefix-list " +
			"CIDRs and the WSUS server only on 8530/8531, as a second layer under the security groups; every rule is generated " +
			"with its return rule and checked by the network-path tests"),
	}}, jsii.Bool(true))
	return acl
}
