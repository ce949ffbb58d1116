// Package stacks composes privatepatch's constructs into CloudFormation stacks, mapping the
// validated configuration to construct props. Stacks hold no resources of their own.
package stacks

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/network"
)

// S3LookupPendingWarning identifies the warning that the S3 prefix-list lookup has not run yet.
const S3LookupPendingWarning = "privatepatch:s3PrefixListLookupPending"

// NetworkStack holds the VPC that the patched fleet lives in.
type NetworkStack struct {
	awscdk.Stack
	Network network.Network
}

// NewNetworkStack creates <project>-network from a validated configuration.
func NewNetworkStack(scope constructs.Construct, cfg *config.Config) NetworkStack {
	stack := awscdk.NewStack(scope, jsii.String("Network"), &awscdk.StackProps{
		StackName:             jsii.String(cfg.StackName("network")),
		Description:           jsii.String("privatepatch: VPC, Systems Manager endpoints, security groups and network ACLs for patching private subnets"),
		Env:                   environment(cfg),
		TerminationProtection: terminationProtection,
	})
	s3ListId, idFound := cfg.S3PrefixListId(), true
	if s3ListId == "" {
		s3ListId, idFound = network.LookupS3PrefixListId(stack)
	}
	s3Cidrs, cidrsFound := cfg.S3Cidrs(), true
	if s3Cidrs == nil && cfg.Network.ManagesNetworkAcls() { // only network ACLs name them
		s3Cidrs, cidrsFound = network.LookupS3PrefixListCidrs(stack, s3ListId)
	}
	if !idFound || !cidrsFound {
		// A warning, not an error: errors fail synthesis, and the CDK CLI performs lookups only
		// after a first synthesis succeeds. A lookup that then fails is reported as an error by CDK.
		awscdk.Annotations_Of(stack).AddWarningV2(jsii.String(S3LookupPendingWarning), jsii.String(fmt.Sprintf(
			"S3 prefix list (id and CIDRs) for region %[1]s is not in cdk.context.json yet: synthesise with the CDK CLI (make synth) and "+
				"credentials for account %[2]s so that it looks it up and caches it there (commit the file), "+
				"or give network.s3PrefixListIds.%[1]s and network.s3PrefixListCidrs.%[1]s in the configuration",
			cfg.Region, cfg.Account)))
	}
	existing := existingVpc(cfg.Network.ExistingVpc)
	net := network.NewNetwork(stack, "Network", &network.Props{
		Settings:                cfg.Network.Settings,
		S3PrefixListId:          s3ListId,
		S3PrefixListCidrs:       s3Cidrs,
		S3ReadBuckets:           cfg.Network.S3Endpoint.ReadBuckets,
		PatchedOperatingSystems: cfg.PatchedOperatingSystems(),
		S3ReadWriteBuckets:      cfg.Network.S3Endpoint.ReadWriteBuckets,
		S3OutputBuckets:         []string{CommandOutputBucketName(cfg)},
		S3OutputReadPrefixes:    cfg.OutputReadPrefixes(),
		Existing:                existing,
		PublicClientsKnown:      cfg.PublicClientsKnown(),
		WithoutWsus:             !cfg.Wsus.Enabled,
	})
	addNetworkOutputs(stack, net, existing)
	if e := cfg.Network.ExistingVpc; e != nil && len(e.PriorNetworkAcls) > 0 {
		awscdk.NewCfnOutput(stack, jsii.String(PriorNetworkAclsOutput), &awscdk.CfnOutputProps{
			Value:       jsii.String(PriorNetworkAcls(e.PriorNetworkAcls)),
			Description: jsii.String("Each subnet's own network ACL before manageNetworkAcls took it over (subnet=acl, comma-separated): restore with aws ec2 replace-network-acl-association (docs/network.md)"),
		})
	}
	return NetworkStack{Stack: stack, Network: net}
}

// PriorNetworkAclsOutput is the network stack's output recording existingVpc.priorNetworkAcls,
// which make check-update reads (vpcclash.PriorNetworkAcls).
const PriorNetworkAclsOutput = "PriorNetworkAcls"

// PriorNetworkAcls is the output's value: subnet=acl pairs, comma-separated, by subnet.
func PriorNetworkAcls(prior map[string]string) string {
	var pairs []string
	for _, subnet := range slices.Sorted(maps.Keys(prior)) {
		pairs = append(pairs, subnet+"="+prior[subnet])
	}
	return strings.Join(pairs, ",")
}

func addNetworkOutputs(stack awscdk.Stack, net network.Network, existing *network.ExistingVpc) {
	output := func(id, description string, value *string) {
		awscdk.NewCfnOutput(stack, jsii.String(id), &awscdk.CfnOutputProps{Value: value, Description: jsii.String(description)})
	}
	vpc := net.Vpc()
	output("VpcId", "VPC id", vpc.VpcId())
	if len(*vpc.PublicSubnets()) > 0 {
		output("PublicSubnetIds", "Public subnet ids (WSUS server, jump host, NAT gateways), comma-separated",
			awscdk.Fn_Join(jsii.String(","), vpc.SelectSubnets(publicSubnets()).SubnetIds))
	}
	output("PrivateSubnetIds", "Private subnet ids (patched fleet, interface endpoints), comma-separated",
		awscdk.Fn_Join(jsii.String(","), vpc.SelectSubnets(privateSubnets()).SubnetIds))
	if existing != nil {
		// The subnets are not in the template: make verify and the S3 drift check read them here.
		output("PrivateSubnetCidrs", "Private subnet CIDRs, in the order of PrivateSubnetIds", jsii.String(subnetCidrs(vpc.SelectSubnets(privateSubnets()))))
		if len(*vpc.PublicSubnets()) > 0 {
			output("PublicSubnetCidrs", "Public subnet CIDRs, in the order of PublicSubnetIds", jsii.String(subnetCidrs(vpc.SelectSubnets(publicSubnets()))))
		}
		// authz reads which subnets the S3 gateway endpoint serves (a created VPC's are in the
		// template as route table associations). A lookup always finds the route tables.
		if existing.Lookup != nil || !slices.ContainsFunc(existing.PrivateSubnets, func(s network.Subnet) bool { return s.RouteTableId == "" }) {
			var tables []string
			for _, s := range *vpc.SelectSubnets(privateSubnets()).Subnets {
				tables = append(tables, *s.RouteTable().RouteTableId())
			}
			output("PrivateSubnetRouteTableIds", "Private subnets' route tables, in the order of PrivateSubnetIds", jsii.String(strings.Join(tables, ",")))
		}
	}
	output("PublicSecurityGroupId", "Security group of the WSUS server and jump host", net.PublicSecurityGroup().SecurityGroupId())
	output("PrivateSecurityGroupId", "Security group of the patched instances", net.PrivateSecurityGroup().SecurityGroupId())
	if net.EndpointSecurityGroup() != nil {
		output("EndpointSecurityGroupId", "Security group of the interface endpoints", net.EndpointSecurityGroup().SecurityGroupId())
	}
	if net.S3Endpoint() != nil {
		output("S3EndpointId", "S3 gateway endpoint id", net.S3Endpoint().VpcEndpointId())
	}
	endpoints := net.InterfaceEndpoints()
	names := make([]string, 0, len(endpoints))
	for name := range endpoints {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		output(outputID(name)+"EndpointId", fmt.Sprintf("Interface endpoint id of com.amazonaws.REGION.%s", name), endpoints[name].VpcEndpointId())
	}
}

// outputID turns a service name such as ssm or ec2messages or sagemaker.api into SsmXxx form.
func outputID(service string) string {
	var id strings.Builder
	for _, part := range strings.FieldsFunc(service, func(r rune) bool { return r == '.' || r == '-' }) {
		id.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return id.String()
}

// existingVpc maps network.existingVpc to the construct's props, or nil for a created VPC.
func existingVpc(e *config.ExistingVpc) *network.ExistingVpc {
	if e == nil {
		return nil
	}
	subnets := func(in []config.ExistingSubnet) []network.Subnet {
		var out []network.Subnet
		for _, s := range in {
			out = append(out, network.Subnet{Id: s.ID, Cidr: s.Cidr, Zone: s.Zone, RouteTableId: s.RouteTableID})
		}
		return out
	}
	var lookup *network.VpcLookup
	if l := e.Lookup; l != nil {
		lookup = &network.VpcLookup{Tags: l.Tags, PrivateSubnetGroup: l.PrivateSubnetGroup, PublicSubnetGroup: l.PublicSubnetGroup}
		if l.PublicSubnetGroup == "none" {
			lookup.PublicSubnetGroup = ""
		}
	}
	return &network.ExistingVpc{
		Lookup:                     lookup,
		VpcId:                      e.VpcID,
		Cidr:                       e.Cidr,
		PrivateSubnets:             subnets(e.PrivateSubnets),
		PublicSubnets:              subnets(e.PublicSubnets),
		InterfaceEndpointsProvided: e.InterfaceEndpoints == config.EndpointsHub,
		HubCidrs:                   e.HubCidrs,
		S3EndpointProvided:         e.S3Endpoint == config.S3EndpointExisting,
		ManageNetworkAcls:          e.ManageNetworkAcls,
		FlowLogs:                   e.FlowLogs,
		PrivateInternetRoute:       e.PrivateInternetPath == config.InternetPathNat,
	}
}

func subnetCidrs(selected *awsec2.SelectedSubnets) string {
	var cidrs []string
	for _, s := range *selected.Subnets {
		cidrs = append(cidrs, *s.Ipv4CidrBlock())
	}
	return strings.Join(cidrs, ",")
}
