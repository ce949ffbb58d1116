package network

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatepatch/privatepatch/constructs/network/networkspec"
	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
)

// Ports the patching architecture uses: networkspec's and wsusspec's.
const (
	httpPort  = networkspec.HTTPPort
	httpsPort = networkspec.HTTPSPort
	rdpPort   = networkspec.RDPPort
)

func (n *network) newSecurityGroup(id, description string) awsec2.SecurityGroup {
	return awsec2.NewSecurityGroup(n.Construct, jsii.String(id), &awsec2.SecurityGroupProps{
		Vpc:              n.vpc,
		Description:      jsii.String(description),
		AllowAllOutbound: jsii.Bool(false),
	})
}

// Descriptions take only the characters EC2 accepts (networkspec.SecurityGroupDescriptionChars: no
// apostrophe), or the group fails to deploy.
//
// addSecurityGroups creates the three groups (two when a hub provides the interface endpoints). Rules naming other groups go both ways (egress on
// one, ingress on the other); CIDR rules admit instances that carry other groups too (bring your
// own fleet).
func (n *network) addSecurityGroups() {
	if n.createsInterfaceEndpoints() {
		n.endpointSG = n.newSecurityGroup("EndpointSecurityGroup", "Systems Manager interface endpoints: HTTPS from the VPC only")
		n.endpointSG.AddIngressRule(awsec2.Peer_Ipv4(jsii.String(n.vpcCidr)), awsec2.Port_Tcp(jsii.Number(httpsPort)),
			jsii.String("HTTPS from the VPC to the interface endpoints"), nil)
	}
	n.publicSG = n.newSecurityGroup("PublicSecurityGroup", "WSUS server and RDP jump host in a public subnet")
	n.privateSG = n.newSecurityGroup("PrivateSecurityGroup", "Patched instances in the private subnets")

	for i, cidr := range n.adminCidrs {
		n.publicSG.AddIngressRule(awsec2.Peer_Ipv4(jsii.String(cidr)), awsec2.Port_Tcp(jsii.Number(rdpPort)),
			jsii.String(fmt.Sprintf("RDP from administrators (%d)", i+1)), nil)
	}
	for i, cidr := range n.wsusClientSubnets() {
		n.publicSG.AddIngressRule(awsec2.Peer_Ipv4(jsii.String(cidr)), wsusPorts(),
			jsii.String(fmt.Sprintf("WSUS from private subnet %d", i+1)), nil)
	}
	for i, cidr := range n.wsusClients {
		n.publicSG.AddIngressRule(awsec2.Peer_Ipv4(jsii.String(cidr)), wsusPorts(),
			jsii.String(fmt.Sprintf("WSUS from on-premises network %d (hybrid nodes)", i+1)), nil)
	}
	n.publicSG.AddEgressRule(awsec2.Peer_AnyIpv4(), awsec2.Port_Tcp(jsii.Number(httpPort)),
		jsii.String("Microsoft Update over HTTP"), nil)
	n.publicSG.AddEgressRule(awsec2.Peer_AnyIpv4(), awsec2.Port_Tcp(jsii.Number(httpsPort)),
		jsii.String("Microsoft Update and AWS endpoints over HTTPS"), nil)
	n.publicSG.Connections().AllowTo(n.privateSG, awsec2.Port_Tcp(jsii.Number(rdpPort)),
		jsii.String("RDP from the jump host to the private instances"))

	if n.endpointSG != nil {
		n.privateSG.AddEgressRule(n.endpointSG, awsec2.Port_Tcp(jsii.Number(httpsPort)),
			jsii.String("HTTPS to the interface endpoints"), nil)
	}
	if !n.withoutWsus {
		n.privateSG.AddEgressRule(n.publicSG, wsusPorts(), jsii.String("WSUS on the public server"), nil)
	}
	// The managed prefix list, not its CIDRs: the rule follows AWS's changes to the list by itself
	// (the network ACLs cannot, see acls.go). Inline, see addInlinePrefixListEgress.
	addInlinePrefixListEgress(n.privateSG, n.s3PrefixListId, httpsPort,
		"S3 through the gateway endpoint (the S3 managed prefix list of the region)")
	// After the prefix-list rule, which must stay the group's first inline egress rule.
	if n.existing != nil && n.existing.InterfaceEndpointsProvided {
		for i, cidr := range n.existing.HubCidrs {
			n.privateSG.AddEgressRule(awsec2.Peer_Ipv4(jsii.String(cidr)), awsec2.Port_Tcp(jsii.Number(httpsPort)),
				jsii.String(fmt.Sprintf("HTTPS to the interface endpoints of the hub (%d)", i+1)), nil)
		}
	}
	if n.natEnabled {
		n.privateSG.AddEgressRule(awsec2.Peer_AnyIpv4(), awsec2.Port_Tcp(jsii.Number(httpPort)),
			jsii.String("Microsoft Update over HTTP through NAT"), nil)
		n.privateSG.AddEgressRule(awsec2.Peer_AnyIpv4(), awsec2.Port_Tcp(jsii.Number(httpsPort)),
			jsii.String("Microsoft Update and AWS over HTTPS through NAT"), nil)
	}
}

// wsusClientSubnets are the private subnets that reach WSUS: none without a WSUS server.
func (n *network) wsusClientSubnets() []string {
	if n.withoutWsus {
		return nil
	}
	return n.privateSubnetCidrs
}

func wsusPorts() awsec2.Port {
	return awsec2.Port_TcpRange(jsii.Number(wsusspec.HTTPPort), jsii.Number(wsusspec.HTTPSPort))
}

// addInlinePrefixListEgress adds an egress rule to a managed prefix list inline in the group.
// CDK's Peer.prefixList makes each rule a separate AWS::EC2::SecurityGroupEgress resource; a group
// whose egress rules are all separate is created with none inline, and "when you create a security
// group, if you do not add egress rules, we add egress rules that allow all outbound IPv4 and IPv6
// traffic" (AWS::EC2::SecurityGroup, CloudFormation Template Reference; read 2026-11-27). The
// inline egress rule type takes DestinationPrefixListId (AWS::EC2::SecurityGroup Egress: "the IP
// address ranges that are specified by a prefix list").
//
// The rule is added as the group's first inline egress rule, to a placeholder CIDR, then turned
// into the prefix-list rule by overrides. A Go object as the peer would do it directly, but jsii
// registers a Go object matching two of its interfaces (IPeer extends IConnectable) with its
// members in Go map order, and CDK's metadata of the stack then differed from one synth to the
// next.
func addInlinePrefixListEgress(group awsec2.SecurityGroup, prefixListID string, port int, description string) {
	group.AddEgressRule(awsec2.Peer_Ipv4(jsii.String(prefixListPlaceholder)), awsec2.Port_Tcp(jsii.Number(port)), jsii.String(description), nil)
	cfn := group.Node().DefaultChild().(awsec2.CfnSecurityGroup)
	cfn.AddPropertyOverride(jsii.String("SecurityGroupEgress.0.DestinationPrefixListId"), prefixListID)
	cfn.AddPropertyDeletionOverride(jsii.String("SecurityGroupEgress.0.CidrIp"))
}

// prefixListPlaceholder is the CIDR the prefix-list rule carries until its overrides apply: a
// documentation address (RFC 5737), so that a rule left with it would reach nothing.
const prefixListPlaceholder = "192.0.2.0/32"
