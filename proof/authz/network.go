package authz

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// behindS3Endpoint tells whether an instance launched with role sends its S3 requests through
// the VPC's S3 endpoint, read from the templates: its subnet's route table is one the S3 gateway
// endpoint of the stacks is attached to ("Traffic to Amazon S3 from the subnets that are
// associated with the route table specified in RouteTableIds is automatically routed through the
// gateway endpoint": AWS::EC2::VPCEndpoint, CloudFormation Template Reference, example "Create a
// gateway endpoint"; read 2026-11-27). Where the stacks create
// no S3 endpoint (an existing VPC's own, declared), an instance in one of the private subnets
// (output PrivateSubnetIds) is taken to use that one. Instances are found through their
// instance profile; a role no instance of the templates uses is not behind it.
func (m model) behindS3Endpoint(role Resource) bool {
	subnets := m.instanceSubnets(role)
	served, created := m.s3EndpointRouteTables()
	if !created {
		private := m.outputList("PrivateSubnetIds")
		return slices.ContainsFunc(subnets, func(s string) bool { return slices.Contains(private, s) })
	}
	tables := m.subnetRouteTables()
	return slices.ContainsFunc(subnets, func(s string) bool { return tables[s] != "" && served[tables[s]] })
}

// instanceSubnets are the subnets of the instances whose instance profile holds role.
func (m model) instanceSubnets(role Resource) []string {
	roleName := m.ref(role.Stack, role.LogicalID)
	var profiles []string
	for _, p := range m.find("AWS::IAM::InstanceProfile", "") {
		roles, _ := m.value(p.Stack, m.properties(p)["Roles"]).([]any)
		if slices.ContainsFunc(roles, func(r any) bool { return fmt.Sprint(r) == roleName }) {
			profiles = append(profiles, m.ref(p.Stack, p.LogicalID))
		}
	}
	var subnets []string
	for _, i := range m.find("AWS::EC2::Instance", "") {
		props, _ := m.value(i.Stack, m.properties(i)).(map[string]any)
		if !slices.Contains(profiles, fmt.Sprint(props["IamInstanceProfile"])) {
			continue
		}
		if subnet, ok := props["SubnetId"]; ok {
			subnets = append(subnets, fmt.Sprint(subnet))
		}
		interfaces, _ := props["NetworkInterfaces"].([]any)
		for _, ni := range interfaces {
			if ni, _ := ni.(map[string]any); ni["SubnetId"] != nil {
				subnets = append(subnets, fmt.Sprint(ni["SubnetId"]))
			}
		}
	}
	return subnets
}

// s3EndpointRouteTables are the route tables of the S3 gateway endpoints of the stacks, and
// whether there is one.
func (m model) s3EndpointRouteTables() (map[string]bool, bool) {
	tables, found := map[string]bool{}, false
	for _, ep := range m.find("AWS::EC2::VPCEndpoint", "") {
		props := m.properties(ep)
		if props["VpcEndpointType"] != "Gateway" || !strings.HasSuffix(fmt.Sprint(m.value(ep.Stack, props["ServiceName"])), ".s3") {
			continue
		}
		found = true
		ids, _ := m.value(ep.Stack, props["RouteTableIds"]).([]any)
		for _, id := range ids {
			tables[fmt.Sprint(id)] = true
		}
	}
	return tables, found
}

// subnetRouteTables maps subnets to their route tables: a created VPC's route table
// associations, and an existing VPC's PrivateSubnetIds and PrivateSubnetRouteTableIds outputs.
func (m model) subnetRouteTables() map[string]string {
	tables := map[string]string{}
	for _, a := range m.find("AWS::EC2::SubnetRouteTableAssociation", "") {
		props, _ := m.value(a.Stack, m.properties(a)).(map[string]any)
		tables[fmt.Sprint(props["SubnetId"])] = fmt.Sprint(props["RouteTableId"])
	}
	subnets, routeTables := m.outputList("PrivateSubnetIds"), m.outputList("PrivateSubnetRouteTableIds")
	if len(subnets) == len(routeTables) {
		for i, s := range subnets {
			tables[s] = routeTables[i]
		}
	}
	return tables
}

// outputList is the comma-separated value of the output name of the stack that has it.
func (m model) outputList(name string) []string {
	for _, stack := range slices.Sorted(maps.Keys(m.stacks)) {
		outputs, _ := m.stacks[stack]["Outputs"].(map[string]any)
		if output, ok := outputs[name].(map[string]any); ok {
			if value := fmt.Sprint(m.value(stack, output["Value"])); value != "" {
				return strings.Split(value, ",")
			}
		}
	}
	return nil
}
