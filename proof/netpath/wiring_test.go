package netpath

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// goldenTemplate reads a scenario's golden network template (test/testdata, written by make
// update-golden).
func goldenTemplate(t *testing.T, name string) map[string]any {
	t.Helper()
	template, err := cfntemplate.ReadFile("../../test/testdata/" + name + ".network.template.json")
	require.NoError(t, err)
	return template
}

func props(template map[string]any, id string) map[string]any {
	return template["Resources"].(map[string]any)[id].(map[string]any)["Properties"].(map[string]any)
}

// The goldens' wiring holds; each planted break of it is named (a neighbour of what the flow table
// proves: the table cannot see them).
func TestWiringProblemsNameWhatTheFlowTableTakesForGranted(t *testing.T) {
	existingRouteTables := []string{"rtb-0aaaaaaaaaaaaaaa1", "rtb-0aaaaaaaaaaaaaaa2"}
	paths, err := filepath.Glob("../../test/testdata/*.network.template.json")
	require.NoError(t, err)
	for _, path := range paths {
		scenario := strings.TrimSuffix(filepath.Base(path), ".network.template.json")
		assert.Empty(t, WiringProblems(goldenTemplate(t, scenario), nil), scenario)
	}
	assert.Empty(t, WiringProblems(goldenTemplate(t, "existing-vpc"), existingRouteTables))

	for _, c := range []struct {
		name, wants string
		plant       func(template map[string]any)
		routeTables []string
	}{
		{"two egress entries of one ACL share a number", "share rule number 201 in the same direction", func(tm map[string]any) {
			props(tm, "NetworkPrivateAclOutWsusToPublic217E604C9")["RuleNumber"] = 201.0
			props(tm, "NetworkPrivateAclOutWsusToPublic146A59F53")["RuleNumber"] = 201.0
		}, nil},
		{"private DNS off", "NetworkEndpointsssm96AED6CF (ssm): PrivateDnsEnabled is not true", func(tm map[string]any) {
			props(tm, "NetworkEndpointsssm96AED6CF")["PrivateDnsEnabled"] = false
		}, nil},
		{"private DNS left out (default false)", "NetworkEndpointsssmmessagesBFC31224 (ssmmessages): PrivateDnsEnabled is not true", func(tm map[string]any) {
			delete(props(tm, "NetworkEndpointsssmmessagesBFC31224"), "PrivateDnsEnabled")
		}, nil},
		{"an endpoint in the instances' group", "NetworkEndpointsssm96AED6CF (ssm): its security groups", func(tm map[string]any) {
			props(tm, "NetworkEndpointsssm96AED6CF")["SecurityGroupIds"] = []any{map[string]any{"Fn::GetAtt": []any{"NetworkPrivateSecurityGroup457D0836", "GroupId"}}}
		}, nil},
		{"a private subnet's route table left off the S3 endpoint", "route table NetworkVpcPrivateSubnet2RouteTableC48862D1 of a private subnet", func(tm map[string]any) {
			p := props(tm, "NetworkEndpointss3F0FA7BB2")
			p["RouteTableIds"] = p["RouteTableIds"].([]any)[:1]
		}, nil},
		{"the VPC's DNS hostnames off", "VPC NetworkVpc7FB7348F: EnableDnsHostnames and EnableDnsSupport", func(tm map[string]any) {
			props(tm, "NetworkVpc7FB7348F")["EnableDnsHostnames"] = false
		}, nil},
		{"the VPC's DNS support off", "VPC NetworkVpc7FB7348F: EnableDnsHostnames and EnableDnsSupport", func(tm map[string]any) {
			props(tm, "NetworkVpc7FB7348F")["EnableDnsSupport"] = false
		}, nil},
		// Mutation run 10's B04: one endpoint's service changed to another's. (Two services
		// whose names end alike, ecr.api and codeartifact.api, are two: TestTwoServicesWhoseNamesEndAlike.)
		{"two endpoints of one service", "the VPC has another endpoint of that service with private DNS", func(tm map[string]any) {
			props(tm, "NetworkEndpointsssmmessagesBFC31224")["ServiceName"] = props(tm, "NetworkEndpointsssm96AED6CF")["ServiceName"]
		}, nil},
		{"an endpoint in the public subnets", "endpoint NetworkEndpointsssm96AED6CF (ssm): in subnet map[Ref:NetworkVpcPublicSubnet1Subnet36933139], not one of the private subnets", func(tm map[string]any) {
			props(tm, "NetworkEndpointsssm96AED6CF")["SubnetIds"] = []any{map[string]any{"Ref": "NetworkVpcPublicSubnet1Subnet36933139"}, map[string]any{"Ref": "NetworkVpcPublicSubnet2SubnetC427CCE0"}}
		}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			template := goldenTemplate(t, "default")
			c.plant(template)
			assert.Contains(t, joined(WiringProblems(template, c.routeTables)), c.wants)
		})
	}
	// EnableDnsSupport is enabled by default: left out, it is no problem.
	template := goldenTemplate(t, "default")
	delete(props(template, "NetworkVpc7FB7348F"), "EnableDnsSupport")
	assert.Empty(t, WiringProblems(template, nil))
	// An existing VPC's endpoints are in the subnets its PrivateSubnetIds output lists.
	existing := goldenTemplate(t, "existing-vpc")
	props(existing, "NetworkEndpointsssm96AED6CF")["SubnetIds"] = []any{"subnet-0bbbbbbbbbbbbbbb1"}
	assert.Contains(t, joined(WiringProblems(existing, existingRouteTables)), "endpoint NetworkEndpointsssm96AED6CF (ssm): in subnet subnet-0bbbbbbbbbbbbbbb1, not one of the private subnets")
	// An existing VPC's private route tables are the configuration's: one the S3 endpoint lacks.
	assert.Contains(t, joined(WiringProblems(goldenTemplate(t, "existing-vpc"), append(existingRouteTables, "rtb-0aaaaaaaaaaaaaaa3"))),
		"route table rtb-0aaaaaaaaaaaaaaa3 of a private subnet is not among its RouteTableIds")
}

func joined(problems []string) string { return strings.Join(problems, "\n") }

func goldenFleet(t *testing.T, name string) map[string]any {
	t.Helper()
	template, err := cfntemplate.ReadFile("../../test/testdata/" + name + ".fleet.template.json")
	require.NoError(t, err)
	return template
}

// The goldens place WSUS and the fleet where the flow table judges them; a planted move of either
// into the other's group or subnet is named.
func TestPlacementProblemsNameAnInstanceOutsideItsGroupOrSubnet(t *testing.T) {
	for _, scenario := range []string{"default", "example", "existing-vpc-hub"} {
		assert.Empty(t, PlacementProblems(goldenTemplate(t, scenario), goldenFleet(t, scenario)), scenario)
	}
	nic := func(fleet map[string]any, id string) map[string]any {
		return props(fleet, id)["NetworkInterfaces"].([]any)[0].(map[string]any)
	}
	network, fleet := goldenTemplate(t, "default"), goldenFleet(t, "default")
	// The network stack's output of the private group (published for the fleet, as CDK names it).
	nic(fleet, "WsusInstance902E8651")["GroupSet"] = []any{map[string]any{"Fn::GetStackOutput": map[string]any{"OutputName": "PrivateSecurityGroupId"}}}
	nic(fleet, "WsusInstance902E8651")["SubnetId"] = map[string]any{"Fn::GetStackOutput": map[string]any{"OutputName": "PublishOutputRefNetworkVpcPrivateSubnet1Subnet6DD86AE6"}}
	network["Outputs"].(map[string]any)["PublishOutputRefNetworkVpcPrivateSubnet1Subnet6DD86AE6"] = map[string]any{"Value": map[string]any{"Ref": "NetworkVpcPrivateSubnet1Subnet6DD86AE6"}}
	problems := joined(PlacementProblems(network, fleet))
	assert.Contains(t, problems, "instance WsusInstance902E8651 (the WSUS server): in security group NetworkPrivateSecurityGroup457D0836, not the NetworkPublicSecurityGroup... the flow table places it in: its rows judge that group, not this placement")
	assert.Contains(t, problems, "instance WsusInstance902E8651 (the WSUS server): in subnet NetworkVpcPrivateSubnet1Subnet6DD86AE6, a private one")
	nic(fleet, "WsusInstance902E8651")["GroupSet"] = []any{}
	assert.Contains(t, joined(PlacementProblems(network, fleet)), "no security group of the network stack's")

	// A fleet instance in the server's group.
	network, fleet = goldenTemplate(t, "example"), goldenFleet(t, "example")
	nic(fleet, "FleetappInstance29EE22299")["GroupSet"] = nic(fleet, "WsusInstance902E8651")["GroupSet"]
	assert.Equal(t, []string{"instance FleetappInstance29EE22299 (a fleet instance): in security group NetworkPublicSecurityGroup08F36B6E, not the NetworkPrivateSecurityGroup... the flow table places it in: its rows judge that group, not this placement"},
		PlacementProblems(network, fleet))

	// An instance in a zone other than its subnet's; the update store in another zone than WSUS.
	network, fleet = goldenTemplate(t, "example"), goldenFleet(t, "example")
	props(fleet, "FleetappInstance29EE22299")["AvailabilityZone"] = "us-west-2a"
	props(fleet, "WsusUpdateStore63860FE1")["AvailabilityZone"] = "us-west-2b"
	problems = joined(PlacementProblems(network, fleet))
	assert.Contains(t, problems, "instance FleetappInstance29EE22299 (a fleet instance): in zone us-west-2a, its subnet NetworkVpcPrivateSubnet2Subnet1BDBE877 in us-west-2b")
	assert.Contains(t, problems, "volume attachment WsusUpdateStoreAttachment88DFB5F3: volume WsusUpdateStore63860FE1 is in zone us-west-2b, instance WsusInstance902E8651 in us-west-2a")

	// The server's parts on another instance, its address in another domain; a launch template by another name, or without IMDSv2.
	network, fleet = goldenTemplate(t, "example"), goldenFleet(t, "example")
	props(fleet, "WsusElasticIpF14AC9D4")["InstanceId"] = map[string]any{"Ref": "FleetappInstance1E092C320"}
	props(fleet, "WsusElasticIpF14AC9D4")["Domain"] = "standard"
	props(fleet, "WsusUpdateStoreAttachment88DFB5F3")["InstanceId"] = map[string]any{"Ref": "FleetappInstance1E092C320"}
	props(fleet, "WsusInstance902E8651")["LaunchTemplate"].(map[string]any)["LaunchTemplateName"] = "privatepatch-fleet-Wsus-Instance-old"
	props(fleet, "FleetappInstance1LaunchTemplate747227D7")["LaunchTemplateData"].(map[string]any)["MetadataOptions"].(map[string]any)["HttpTokens"] = "optional"
	problems = joined(PlacementProblems(network, fleet))
	for _, want := range []string{
		"Elastic IP WsusElasticIpF14AC9D4: on instance FleetappInstance1E092C320, not the WSUS server",
		"Elastic IP WsusElasticIpF14AC9D4: Domain standard, not vpc",
		"volume attachment WsusUpdateStoreAttachment88DFB5F3: the update store on instance map[Ref:FleetappInstance1E092C320], not the WSUS server",
		"instance WsusInstance902E8651: names launch template privatepatch-fleet-Wsus-Instance-old, while WsusInstanceLaunchTemplate3AA16D31 is named privatepatch-fleet-Wsus-Instance",
		"instance FleetappInstance1E092C320: its launch template FleetappInstance1LaunchTemplate747227D7 does not require IMDSv2 (MetadataOptions HttpTokens optional)",
	} {
		assert.Contains(t, problems, want)
	}
}

// The goldens route their public subnets to the internet gateway and no private one; a private
// subnet given the public route table, or a public one without its default route, is named.
func TestRouteProblemsNameAWrongDefaultRoute(t *testing.T) {
	paths, err := filepath.Glob("../../test/testdata/*.network.template.json")
	require.NoError(t, err)
	for _, path := range paths {
		assert.Empty(t, RouteProblems(goldenTemplate(t, strings.TrimSuffix(filepath.Base(path), ".network.template.json"))), path)
	}
	template := goldenTemplate(t, "default")
	props(template, "NetworkVpcPrivateSubnet2RouteTableAssociation89A2F1E8")["RouteTableId"] = map[string]any{"Ref": "NetworkVpcPublicSubnet2RouteTable0FACEBB2"}
	delete(template["Resources"].(map[string]any), "NetworkVpcPublicSubnet1DefaultRoute31EC04EC")
	problems := joined(RouteProblems(template))
	assert.Contains(t, problems, "private subnet NetworkVpcPrivateSubnet2Subnet1BDBE877: its route table NetworkVpcPublicSubnet2RouteTable0FACEBB2 sends 0.0.0.0/0 to the internet gateway")
	assert.Contains(t, problems, "public subnet NetworkVpcPublicSubnet1Subnet36933139: its route table NetworkVpcPublicSubnet1RouteTable30235CE2 has no default route")
}

// Two interface endpoints whose service names share their last part (ecr.api, codeartifact.api)
// are two services, not one twice (a review's false alarm).
func TestTwoServicesWhoseNamesEndAlike(t *testing.T) {
	template := goldenTemplate(t, "default")
	resources := template["Resources"].(map[string]any)
	for _, service := range []string{"ecr.api", "codeartifact.api"} {
		endpoint := map[string]any{}
		for k, v := range resources["NetworkEndpointsssm96AED6CF"].(map[string]any) {
			endpoint[k] = v
		}
		p := map[string]any{}
		for k, v := range props(template, "NetworkEndpointsssm96AED6CF") {
			p[k] = v
		}
		p["ServiceName"] = "com.amazonaws.us-west-2." + service
		endpoint["Properties"] = p
		resources["NetworkEndpoints"+strings.ReplaceAll(service, ".", "")] = endpoint
	}
	assert.NotContains(t, joined(WiringProblems(template, nil)), "another endpoint of that service")
}

// Mutation run 23's B04: an instance moved to the existing VPC's subnet of another zone, its
// AvailabilityZone kept, is refused by RunInstances; the golden's placements pass, and a subnet
// the configuration does not list is not judged.
func TestAnInstanceInAnExistingSubnetOfAnotherZoneIsNamed(t *testing.T) {
	fleet := goldenFleet(t, "existing-vpc-hub")
	zones := map[string]string{"subnet-0aaaaaaaaaaaaaaa1": "us-west-2a", "subnet-0aaaaaaaaaaaaaaa2": "us-west-2b"}
	require.Empty(t, ExistingSubnetZoneProblems(fleet, zones))

	nic := props(fleet, "FleetappInstance1E092C320")["NetworkInterfaces"].([]any)[0].(map[string]any)
	nic["SubnetId"] = "subnet-0aaaaaaaaaaaaaaa2"
	assert.Equal(t, []string{"instance FleetappInstance1E092C320: AvailabilityZone us-west-2a, its subnet subnet-0aaaaaaaaaaaaaaa2 in us-west-2b (the existing VPC's, as configured or looked up): RunInstances refuses it"},
		ExistingSubnetZoneProblems(fleet, zones))
	assert.Empty(t, ExistingSubnetZoneProblems(fleet, map[string]string{"subnet-0aaaaaaaaaaaaaaa1": "us-west-2a"}), "an unlisted subnet")
}

// Held-out run 36's A05: a looked-up VPC's S3 gateway endpoint without one private subnet's route
// table. The configuration names no route table (the lookup found them); the stack's
// PrivateSubnetRouteTableIds output does.
func TestALookedUpVpcsS3EndpointMissingAPrivateRouteTableIsNamed(t *testing.T) {
	template := goldenTemplate(t, "existing-vpc-lookup")
	require.Empty(t, WiringProblems(template, nil))
	endpoint := template["Resources"].(map[string]any)["NetworkEndpointss3F0FA7BB2"].(map[string]any)["Properties"].(map[string]any)
	endpoint["RouteTableIds"] = []any{"rtb-0c0ffee0c0ffee0a2"}
	assert.Equal(t, []string{"endpoint NetworkEndpointss3F0FA7BB2 (s3): route table rtb-0c0ffee0c0ffee0b2 of a private subnet is not among its RouteTableIds: that subnet has no route to it"},
		WiringProblems(template, nil))
}
