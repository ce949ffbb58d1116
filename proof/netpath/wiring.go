package netpath

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// WiringProblems are what the flow table takes for granted about a network stack's template, each
// a sentence naming the resource; none when the wiring holds. privateRouteTables are the route
// tables of an existing VPC's private subnets (network.existingVpc), which its template cannot
// show. The facts are the CloudFormation resource specification's (@aws-cdk/aws-service-spec,
// read 2026-12-07):
//
//   - NetworkAclEntry RuleNumber: "Entries can't use the same rule number unless one is an egress
//     rule and the other is an ingress rule": the stack would not deploy.
//   - VPCEndpoint PrivateDnsEnabled (interface endpoints): the private hosted zone makes the
//     service's default name ("kinesis.us-east-1.amazonaws.com") resolve to the endpoint's
//     addresses; "Default: false", and then the agent resolves the public address, which a
//     private subnet without an internet route cannot reach. It needs the VPC's
//     enableDnsHostnames and enableDnsSupport true.
//   - VPCEndpoint SecurityGroupIds and SubnetIds: the flow table judges the endpoints by the
//     endpoints' group (EndpointsGroup), in the private subnets; an endpoint in another group or
//     subnet is not the one it proved.
//   - VPCEndpoint RouteTableIds (gateway endpoints): S3 is reached through the route tables
//     listed; a private subnet whose route table is not among them has no route to S3.
func WiringProblems(template map[string]any, privateRouteTables []string) []string {
	resources, _ := template["Resources"].(map[string]any)
	problems := append(duplicateRuleNumbers(resources), RouteProblems(template)...)
	interfaces := 0
	byService := map[string]string{}
	endpoints := cfntemplate.OfType(resources, "AWS::EC2::VPCEndpoint")
	for _, id := range slices.Sorted(maps.Keys(endpoints)) {
		p := endpoints[id]
		name := serviceName(p["ServiceName"])
		name = name[strings.LastIndex(name, ".")+1:]
		if p["VpcEndpointType"] == "Gateway" {
			// The private subnets' route tables: the template's own, those the configuration
			// names, and those its PrivateSubnetRouteTableIds output gives (a looked-up VPC's,
			// held-out run 36's A05).
			tables := append(privateRouteTablesOf(resources), privateRouteTables...)
			tables = append(tables, outputList(template, "PrivateSubnetRouteTableIds")...)
			slices.Sort(tables)
			for _, table := range slices.Compact(tables) {
				if !slices.ContainsFunc(cfntemplate.List(p["RouteTableIds"]), func(v any) bool { return cfntemplate.Ref(v) == table || v == table }) {
					problems = append(problems, fmt.Sprintf("endpoint %s (%s): route table %s of a private subnet is not among its RouteTableIds: that subnet has no route to it", id, name, table))
				}
			}
			continue
		}
		interfaces++
		// One interface endpoint per service with private DNS: a second one's private hosted zone
		// conflicts with the first's, and its creation fails ("private-dns-enabled cannot be set
		// because there is already a conflicting DNS domain", CreateVpcEndpoint, as
		// hashicorp/terraform-provider-aws issue 17535 quotes it; mutation run 10's B04).
		// The whole service name (com.amazonaws.<region>.ecr.api and ...codeartifact.api are two
		// services whose last parts agree: a false alarm found by a review of user configurations).
		full := serviceName(p["ServiceName"])
		if other, seen := byService[full]; seen {
			problems = append(problems, fmt.Sprintf("endpoint %s (%s): the VPC has another endpoint of that service with private DNS, %s: creating the second one fails", id, name, other))
		}
		byService[full] = id
		for _, subnet := range cfntemplate.List(p["SubnetIds"]) {
			if !privateSubnet(resources, template, subnet) {
				problems = append(problems, fmt.Sprintf("endpoint %s (%s): in subnet %v, not one of the private subnets, where the flow table puts the endpoints", id, name, subnet))
			}
		}
		if p["PrivateDnsEnabled"] != true {
			problems = append(problems, fmt.Sprintf("endpoint %s (%s): PrivateDnsEnabled is not true (default false): the service's name resolves to its public address, which the private subnets reach only through a NAT path, if they have one, and never through this endpoint", id, name))
		}
		groups := cfntemplate.List(p["SecurityGroupIds"])
		if len(groups) == 0 || slices.ContainsFunc(groups, func(g any) bool { return !strings.HasPrefix(securityGroupOf(g), EndpointsGroup) }) {
			problems = append(problems, fmt.Sprintf("endpoint %s (%s): its security groups %v are not the endpoints' group (%s...) the flow table places them in: its rows judge that group, not this placement", id, name, groups, EndpointsGroup))
		}
	}
	for id, p := range cfntemplate.OfType(resources, "AWS::EC2::VPC") {
		// EnableDnsSupport is "Enabled by default", EnableDnsHostnames "Disabled by default for
		// nondefault VPCs" (AWS::EC2::VPC).
		if interfaces > 0 && (p["EnableDnsHostnames"] != true || p["EnableDnsSupport"] == false) {
			problems = append(problems, fmt.Sprintf("VPC %s: EnableDnsHostnames and EnableDnsSupport must both be true for the endpoints' private DNS names", id))
		}
	}
	return problems
}

// duplicateRuleNumbers names each network ACL entry that shares its ACL, direction and rule
// number with another.
func duplicateRuleNumbers(resources map[string]any) []string {
	seen := map[string]string{}
	var problems []string
	entries := cfntemplate.OfType(resources, "AWS::EC2::NetworkAclEntry")
	for _, id := range slices.Sorted(maps.Keys(entries)) {
		p := entries[id]
		key := fmt.Sprintf("%s %v %v", cfntemplate.Ref(p["NetworkAclId"]), p["Egress"] == true, p["RuleNumber"])
		if other, ok := seen[key]; ok {
			problems = append(problems, fmt.Sprintf("network ACL entries %s and %s share rule number %v in the same direction of %s: the stack would not deploy", other, id, p["RuleNumber"], cfntemplate.Ref(p["NetworkAclId"])))
		}
		seen[key] = id
	}
	return problems
}

// privateSubnet says whether v names a private subnet: a subnet resource not tagged public (by
// CDK's aws-cdk:subnet-type tag, as addSubnets reads them), or an id the template's
// PrivateSubnetIds output lists (an existing VPC's).
func privateSubnet(resources, template map[string]any, v any) bool {
	if s, ok := cfntemplate.OfType(resources, "AWS::EC2::Subnet")[cfntemplate.Ref(v)]; ok {
		return subnetType(s) != "Public"
	}
	ids, _, _ := outputSubnets(template, "Private")
	return slices.Contains(ids, fmt.Sprint(v))
}

// privateRouteTablesOf are the route tables associated with the template's private subnets (by
// CDK's aws-cdk:subnet-type tag, as addSubnets reads them).
func privateRouteTablesOf(resources map[string]any) []string {
	subnets := cfntemplate.OfType(resources, "AWS::EC2::Subnet")
	var tables []string
	associations := cfntemplate.OfType(resources, "AWS::EC2::SubnetRouteTableAssociation")
	for _, id := range slices.Sorted(maps.Keys(associations)) {
		p := associations[id]
		subnet, ok := subnets[cfntemplate.Ref(p["SubnetId"])]
		if !ok || subnetType(subnet) == "Public" {
			continue
		}
		tables = append(tables, cfntemplate.Ref(p["RouteTableId"]))
	}
	return tables
}

func subnetType(subnet map[string]any) string {
	tags, _ := subnet["Tags"].([]any)
	for _, tag := range tags {
		if t, _ := tag.(map[string]any); t["Key"] == "aws-cdk:subnet-type" {
			return fmt.Sprint(t["Value"])
		}
	}
	return ""
}

// RouteProblems: in a VPC the template creates, each public subnet's route table sends 0.0.0.0/0
// to an internet gateway (the WSUS server synchronises from Microsoft Update through it), and no
// private subnet's does (the fleet has no internet route but through NAT, which the flow table
// models).
func RouteProblems(template map[string]any) []string {
	resources := cfntemplate.Resources(template)
	gateways := cfntemplate.OfType(resources, "AWS::EC2::InternetGateway")
	defaultToGateway := map[string]bool{}
	for _, r := range cfntemplate.OfType(resources, "AWS::EC2::Route") {
		if _, ok := gateways[cfntemplate.Ref(r["GatewayId"])]; ok && r["DestinationCidrBlock"] == "0.0.0.0/0" {
			defaultToGateway[cfntemplate.Ref(r["RouteTableId"])] = true
		}
	}
	subnets := cfntemplate.OfType(resources, "AWS::EC2::Subnet")
	associations := cfntemplate.OfType(resources, "AWS::EC2::SubnetRouteTableAssociation")
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(associations)) {
		a := associations[id]
		subnet, ok := subnets[cfntemplate.Ref(a["SubnetId"])]
		if !ok {
			continue
		}
		table, public := cfntemplate.Ref(a["RouteTableId"]), subnetType(subnet) == "Public"
		switch {
		case public && !defaultToGateway[table]:
			problems = append(problems, fmt.Sprintf("public subnet %s: its route table %s has no default route to the internet gateway", cfntemplate.Ref(a["SubnetId"]), table))
		case !public && defaultToGateway[table]:
			problems = append(problems, fmt.Sprintf("private subnet %s: its route table %s sends 0.0.0.0/0 to the internet gateway", cfntemplate.Ref(a["SubnetId"]), table))
		}
	}
	return problems
}

// outputList is a stack output's comma-separated literal value, as the network stack writes its
// subnets and route tables for an existing VPC; none when the output is absent or not literal.
func outputList(template map[string]any, name string) []string {
	outputs, _ := template["Outputs"].(map[string]any)
	output, _ := outputs[name].(map[string]any)
	value, _ := output["Value"].(string)
	if value == "" {
		return nil
	}
	return strings.Split(value, ",")
}
