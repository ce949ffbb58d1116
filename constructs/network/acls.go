package network

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/privatepatch/privatepatch/constructs/network/networkspec"
	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
)

// aclFlows are the flows the network ACLs carry (networkspec.AclFlows numbers their rules).
func (n *network) aclFlows() networkspec.AclFlows {
	f := networkspec.AclFlows{
		VpcCidr:            n.vpcCidr,
		PublicSubnetCidrs:  n.publicSubnetCidrs,
		PrivateSubnetCidrs: n.privateSubnetCidrs,
		AdminCidrs:         n.adminCidrs,
		S3Cidrs:            n.s3Cidrs,
		WsusClientCidrs:    n.wsusClients,
		// With NAT, or the existing VPC's declared route.
		PrivateInternetRoute: n.natEnabled,
		PublicClientsKnown:   n.publicClientsKnown,
		WithoutWsus:          n.withoutWsus,
	}
	if n.existing != nil && n.existing.InterfaceEndpointsProvided {
		f.HubCidrs = n.existing.HubCidrs
	}
	return f
}

func (n *network) addNetworkAcls() {
	flows := n.aclFlows()
	n.publicAcl = n.newAcl("PublicAcl", PublicSubnetGroup, flows.PublicRules())
	n.privateAcl = n.newAcl("PrivateAcl", PrivateSubnetGroup, flows.PrivateRules())
}

func (n *network) newAcl(id, subnetGroup string, rules []networkspec.AclRule) awsec2.NetworkAcl {
	outbound, inbound := networkspec.Directions(rules)
	acl := awsec2.NewNetworkAcl(n.Construct, jsii.String(id), &awsec2.NetworkAclProps{
		Vpc:             n.vpc,
		SubnetSelection: &awsec2.SubnetSelection{SubnetGroupName: jsii.String(subnetGroup)},
	})
	if problem := networkspec.QuotaProblem(id, outbound, inbound); problem != "" {
		// An error annotation fails synthesis with this message (S3 CIDRs looked up at synth can
		// get here; configured ones are refused by the configuration's validation first).
		awscdk.Annotations_Of(acl).AddError(jsii.String(problem))
	}
	// One AclCidr and AclTraffic object for each CIDR and port range: each is a call into
	// Node, and the same few serve all the rules (the template is the same).
	cidrs := map[string]awsec2.AclCidr{}
	traffic := map[[2]int]awsec2.AclTraffic{}
	for _, r := range rules {
		if cidrs[r.Cidr] == nil {
			cidrs[r.Cidr] = awsec2.AclCidr_Ipv4(jsii.String(r.Cidr))
		}
		ports := [2]int{r.FromPort, r.ToPort}
		if traffic[ports] == nil {
			traffic[ports] = awsec2.AclTraffic_TcpPortRange(jsii.Number(r.FromPort), jsii.Number(r.ToPort))
		}
		action := awsec2.Action_ALLOW
		if r.Deny {
			action = awsec2.Action_DENY
		}
		direction := awsec2.TrafficDirection_INGRESS
		if r.Egress {
			direction = awsec2.TrafficDirection_EGRESS
		}
		acl.AddEntry(jsii.String(r.ID), &awsec2.CommonNetworkAclEntryOptions{
			RuleNumber: jsii.Number(r.Number),
			Cidr:       cidrs[r.Cidr],
			Traffic:    traffic[ports],
			Direction:  direction,
			RuleAction: action,
		})
	}
	// After the entries: applyToChildren covers only the children that exist when it is called.
	wsus := fmt.Sprintf(" and the WSUS server only on %d/%d", wsusspec.HTTPPort, wsusspec.HTTPSPort)
	if n.withoutWsus {
		wsus = ""
	}
	cdknag.NagSuppressions_AddResourceSuppressions(acl, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-VPC3"),
		Reason: jsii.String("The architecture requires network ACLs: the private subnets may reach S3 only on its prefix-list " +
			"CIDRs" + wsus + ", as a second layer under the security groups; every rule is generated " +
			"with its return rule and checked by the network-path tests"),
	}}, jsii.Bool(true))
	return acl
}
