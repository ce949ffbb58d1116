package test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/proof/netpath"
	"github.com/privatepatch/privatepatch/proof/s3drift"
	"github.com/privatepatch/privatepatch/proof/vpcclash"
	"github.com/privatepatch/privatepatch/stacks"
)

// An existing VPC of a landing zone, its ids given in the configuration (fictitious ids; the S3
// prefix list is the embedded default's, us-west-2). Nothing is looked up.
const existingVpcNetwork = `
region: us-west-2
tags: {Project: privatepatch}
network:
  s3PrefixListIds: {us-west-2: pl-68a54001}
  existingVpc:
    vpcId: vpc-0a1b2c3d4e5f60718
    cidr: 10.20.0.0/16
    privateSubnets:
      - {id: subnet-0aaaaaaaaaaaaaaa1, cidr: 10.20.10.0/24, zone: us-west-2a, routeTableId: rtb-0aaaaaaaaaaaaaaa1}
      - {id: subnet-0aaaaaaaaaaaaaaa2, cidr: 10.20.11.0/24, zone: us-west-2b, routeTableId: rtb-0aaaaaaaaaaaaaaa2}
`

const existingVpcPublicSubnets = `    publicSubnets:
      - {id: subnet-0bbbbbbbbbbbbbbb1, cidr: 10.20.0.0/24, zone: us-west-2a}
      - {id: subnet-0bbbbbbbbbbbbbbb2, cidr: 10.20.1.0/24, zone: us-west-2b}
`

const existingVpcFleet = `fleet:
  instanceGroups:
    - {name: app, count: 2, tags: {Environment: Dev, InventoryCategory: App, SeverityLevel: "3", HandlePI: N, IsPublic: N}}
`

var (
	// existingVpc: endpoints created in the given subnets, the S3 gateway endpoint on the given
	// route tables, the ACLs left alone, WSUS in a public subnet.
	existingVpc = &scenario{name: "existing-vpc", config: fromYAML(existingVpcNetwork + existingVpcPublicSubnets + "    interfaceEndpoints: created\n    s3Endpoint: created\n" + existingVpcFleet)}
	// existingVpcHub: a hub's interface endpoints, an S3 endpoint the VPC has, no public
	// subnets, WSUS in a private subnet behind the VPC's NAT.
	existingVpcHub = &scenario{name: "existing-vpc-hub", config: fromYAML(existingVpcHubYAML)}
	// existingVpcManaged: privatepatch's network ACLs and flow logs on the existing subnets, with
	// a hub's endpoints.
	existingVpcManaged = &scenario{name: "existing-vpc-managed-acls", config: fromYAML(existingVpcManagedYAML)}
)

// existingVpcLookup finds a landing zone's VPC by its Name tag; the lookup is answered by a
// committed cdk.context.json in the form the CDK CLI caches it (its key as CDK asks for it, its
// value a VpcContextResponse of @aws-cdk/cloud-assembly-api: subnet groups by name and type
// Public, Private or Isolated, each subnet with subnetId, cidr, availabilityZone and
// routeTableId; aws-cdk-lib 2.270.0). The fleet's subnets are isolated, the endpoints a hub's.
var existingVpcLookup = &scenario{name: "existing-vpc-lookup", context: contextFile("testdata/existing-vpc-lookup.cdk.context.json"),
	config: fromYAML(existingVpcLookupYAML)}

const existingVpcLookupYAML = `
account: "111111111111"
region: eu-west-1
network:
  s3PrefixListIds: {eu-west-1: pl-6da54004}
  existingVpc:
    lookup: {tags: {Name: workload-vpc}, privateSubnetGroup: Isolated}
    interfaceEndpoints: hub
    s3Endpoint: created
    hubCidrs: [10.0.0.0/24]
` + existingVpcFleet

// contextFile reads a cdk.context.json.
func contextFile(path string) map[string]any {
	data, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	var context map[string]any
	if err := json.Unmarshal(data, &context); err != nil {
		panic(err)
	}
	return context
}

// created lists the resource types of a template, each with its count.
func created(template map[string]any) map[string]int {
	counts := map[string]int{}
	for _, r := range template["Resources"].(map[string]any) {
		counts[r.(map[string]any)["Type"].(string)]++
	}
	return counts
}

// instanceSubnet is the subnet of an instance, which names it in its network interface.
func instanceSubnet(instance map[string]any) string {
	return fmt.Sprint(props(instance)["NetworkInterfaces"].([]any)[0].(map[string]any)["SubnetId"])
}

func TestExistingVpcChangesNothingOfTheVpcSubnetsRoutesOrAclsByDefault(t *testing.T) {
	s := existingVpc.synth(t)
	types := created(s.template)
	for _, forbidden := range []string{"AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::EC2::RouteTable", "AWS::EC2::Route",
		"AWS::EC2::SubnetRouteTableAssociation", "AWS::EC2::InternetGateway", "AWS::EC2::VPCGatewayAttachment", "AWS::EC2::NatGateway",
		"AWS::EC2::NetworkAcl", "AWS::EC2::NetworkAclEntry", "AWS::EC2::SubnetNetworkAclAssociation", "AWS::EC2::FlowLog", "AWS::EC2::EIP"} {
		assert.Zero(t, types[forbidden], "%s in the network stack of an existing VPC", forbidden)
	}
	assert.Equal(t, 3, types["AWS::EC2::SecurityGroup"], "security groups are created as for a new VPC")
	assert.Equal(t, 5, types["AWS::EC2::VPCEndpoint"], "four interface endpoints and the S3 gateway endpoint")
}

func TestExistingVpcEndpointsGoIntoTheGivenSubnetsAndRouteTables(t *testing.T) {
	s := existingVpc.synth(t)
	for id, ep := range s.resources("AWS::EC2::VPCEndpoint") {
		p := props(ep)
		assert.Equal(t, "vpc-0a1b2c3d4e5f60718", p["VpcId"], id)
		if p["VpcEndpointType"] == "Gateway" {
			assert.Equal(t, []any{"rtb-0aaaaaaaaaaaaaaa1", "rtb-0aaaaaaaaaaaaaaa2"}, p["RouteTableIds"], id)
		} else {
			assert.Equal(t, []any{"subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"}, p["SubnetIds"], id)
		}
	}
	_, endpointSG := oneOf(t, s.template, "AWS::EC2::SecurityGroup", "NetworkEndpointSecurityGroup")
	assert.Equal(t, "10.20.0.0/16", props(endpointSG)["SecurityGroupIngress"].([]any)[0].(map[string]any)["CidrIp"],
		"HTTPS from the existing VPC's block")
}

func TestExistingVpcFleetAndWsusGoIntoTheGivenSubnets(t *testing.T) {
	s := existingVpc.synth(t)
	var subnets []string
	for _, i := range s.fleetResources("AWS::EC2::Instance") {
		subnets = append(subnets, instanceSubnet(i))
	}
	slices.Sort(subnets)
	assert.Equal(t, []string{"subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2", "subnet-0bbbbbbbbbbbbbbb1"}, subnets,
		"the fleet over both private subnets, WSUS in the first public one")
	assert.Len(t, s.fleetResources("AWS::EC2::EIP"), 1, "WSUS in a public subnet keeps its Elastic IP")
}

func TestHubEndpointsAreDeclaredNotCreatedAndTheFleetMayReachTheHub(t *testing.T) {
	s := existingVpcHub.synth(t)
	assert.Empty(t, s.resources("AWS::EC2::VPCEndpoint"), "the hub's interface endpoints and the VPC's S3 endpoint are declared, not created")
	_, privateSG := oneOf(t, s.template, "AWS::EC2::SecurityGroup", "NetworkPrivateSecurityGroup")
	egress := props(privateSG)["SecurityGroupEgress"].([]any)
	assert.Equal(t, "pl-68a54001", egress[0].(map[string]any)["DestinationPrefixListId"], "the prefix-list rule stays first")
	var cidrs []string
	for _, e := range egress[1:] {
		cidrs = append(cidrs, fmt.Sprintf("%v:%v", e.(map[string]any)["CidrIp"], e.(map[string]any)["ToPort"]))
	}
	assert.Equal(t, []string{"10.0.0.0/24:443", "0.0.0.0/0:80", "0.0.0.0/0:443"}, cidrs,
		"HTTPS to the hub's endpoints; HTTP and HTTPS out through the declared NAT")
	outputs := s.template["Outputs"].(map[string]any)
	for _, absent := range []string{"S3EndpointId", "SsmEndpointId", "PublicSubnetIds"} {
		assert.NotContains(t, outputs, absent)
	}
}

// With the hub's interface endpoints there is nothing for an endpoint security group to guard:
// none is created, nor the private group's rule towards it. The endpoints created in an existing
// VPC keep theirs (TestExistingVpcEndpointsGoIntoTheGivenSubnetsAndRouteTables), and so does a
// created VPC (TestStackOutputsNameTheNetworkParts).
func TestHubEndpointsLeaveNoEndpointSecurityGroup(t *testing.T) {
	for _, sc := range []*scenario{existingVpcHub, existingVpcManaged, existingVpcLookup} {
		s := sc.synth(t)
		for id := range s.resources("AWS::EC2::SecurityGroup") {
			assert.NotContains(t, id, "EndpointSecurityGroup", sc.name)
		}
		for id, rule := range s.resources("AWS::EC2::SecurityGroupEgress") {
			assert.NotContains(t, fmt.Sprint(props(rule)["DestinationSecurityGroupId"]), "EndpointSecurityGroup", "%s: %s", sc.name, id)
		}
		assert.NotContains(t, s.template["Outputs"], "EndpointSecurityGroupId", sc.name)
		assert.Len(t, s.resources("AWS::EC2::SecurityGroup"), 2, "%s: the public and private groups", sc.name)
	}
}

func TestWsusInAPrivateSubnetHasNoElasticIp(t *testing.T) {
	s := existingVpcHub.synth(t)
	_, wsus := oneOf(t, s.fleetJSON, "AWS::EC2::Instance", "WsusInstance")
	assert.Equal(t, "subnet-0aaaaaaaaaaaaaaa1", instanceSubnet(wsus))
	assert.Empty(t, s.fleetResources("AWS::EC2::EIP"))
	assert.Contains(t, props(wsus)["Tags"], map[string]any{"Key": "IsPublic", "Value": "N"})
}

func TestManagedAclsOnAnExistingVpcAreAssociatedWithTheGivenSubnetsAndAdmitTheHub(t *testing.T) {
	s := existingVpcManaged.synth(t)
	associations := map[string]string{}
	for _, a := range s.resources("AWS::EC2::SubnetNetworkAclAssociation") {
		p := props(a)
		associations[fmt.Sprint(p["SubnetId"])] = p["NetworkAclId"].(map[string]any)["Ref"].(string)
	}
	require.Len(t, associations, 4)
	for subnet, acl := range associations {
		group := map[bool]string{true: "NetworkPrivateAcl", false: "NetworkPublicAcl"}[strings.HasPrefix(subnet, "subnet-0aaa")]
		assert.True(t, strings.HasPrefix(acl, group), "%s in %s", subnet, acl)
	}
	entries := strings.Join(s.aclEntries(t, "NetworkPrivateAcl"), "\n")
	assert.Contains(t, entries, "egress 500 443-443 10.0.0.0/24")
	assert.Contains(t, entries, "ingress 1300 1024-65535 10.0.0.0/24")
	assert.Len(t, s.resources("AWS::EC2::FlowLog"), 1, "flow logs asked for")
	assert.Empty(t, s.resources("AWS::EC2::VPC"))
}

func TestManagedAclsOnAnExistingVpcPassEveryRequiredFlowAndBlockTheOthers(t *testing.T) {
	s := existingVpcManaged.synth(t)
	m, err := netpath.FromTemplate(s.template)
	require.NoError(t, err, "the subnets come from the stack's outputs")
	require.Len(t, m.Private, 2)
	require.Len(t, m.Public, 2)
	cfg, err := s.config()
	require.NoError(t, err)
	flows := append(netpath.RequiredFlows(m, cfg.S3Cidrs(), nil), netpath.HubFlows(m, cfg.Network.ExistingVpc.HubCidrs)...)
	for _, f := range flows {
		v := m.TCP(f.Src, f.Dst, f.Port)
		assert.True(t, v.Pass, "%s is blocked: %s (%s)", f.Name, v.Step, v.Rule)
	}
	for _, f := range netpath.ForbiddenFlows(m, false, false) {
		assert.False(t, m.TCP(f.Src, f.Dst, f.Port).Pass, f.Name)
	}
	// Planted: a hub the ACLs were not built for is denied to the instances (the WSUS server's
	// public subnet reaches any address on HTTPS, Microsoft Update's among them).
	for _, f := range netpath.HubFlows(m, []string{"10.1.0.0/24"}) {
		assert.Equal(t, f.SrcGroup == netpath.ServerGroup, m.TCP(f.Src, f.Dst, f.Port).Pass, f.Name)
	}
	synthesised, err := s3drift.FromTemplate(s.template)
	require.NoError(t, err, "make check-update reads the existing VPC's ACLs too")
	assert.Equal(t, []string{"3.5.76.0/22", "52.218.128.0/17"}, synthesised.AclCidrs)
}

func TestEveryRequiredEndpointOfTheExistingVpcScenariosIsCreatedOrDeclared(t *testing.T) {
	for _, sc := range []*scenario{existingVpc, existingVpcHub, existingVpcManaged, defaultScenario} {
		s := sc.synth(t)
		cfg, err := s.config()
		require.NoError(t, err)
		hub, s3 := false, false
		if e := cfg.Network.ExistingVpc; e != nil {
			hub, s3 = e.InterfaceEndpoints == config.EndpointsHub, e.S3Endpoint == config.S3EndpointExisting
		}
		endpoints := netpath.Endpoints(s.template, hub, s3)
		var services []string
		for _, e := range endpoints {
			services = append(services, e.Service)
			assert.NotEmpty(t, e.How, "%s: %s is neither created nor declared", sc.name, e.Service)
		}
		assert.ElementsMatch(t, []string{"ssm", "ssmmessages", "ec2messages", "ec2", "s3"}, services, "%s: the five required endpoints", sc.name)
	}
	// Planted: the hub scenario's template without its declarations misses all five.
	missing := netpath.Endpoints(existingVpcHub.synth(t).template, false, false)
	require.Len(t, missing, 5)
	for _, e := range missing {
		assert.Empty(t, e.How, e.Service)
	}
}

// existingVpcManagedYAML is the configuration of existingVpcManaged.
var existingVpcManagedYAML = strings.Replace(existingVpcNetwork,
	"  s3PrefixListIds:", "  s3PrefixListCidrs: {us-west-2: [3.5.76.0/22, 52.218.128.0/17]}\n  s3PrefixListIds:", 1) +
	existingVpcPublicSubnets + `    interfaceEndpoints: hub
    hubCidrs: [10.0.0.0/24]
    s3Endpoint: created
    manageNetworkAcls: true
    flowLogs: true
`

// existingVpcHubYAML is the configuration of existingVpcHub, as a file make verify reads.
const existingVpcHubYAML = existingVpcNetwork + `    interfaceEndpoints: hub
    hubCidrs: [10.0.0.0/24]
    s3Endpoint: existing
    wsusSubnet: private
    privateInternetPath: nat
` + existingVpcFleet

func TestVerifyOnAnExistingVpcCountsDeclaredEndpointsJudgesItsSecurityGroupsWithoutItsAclsAndNamesTheBuckets(t *testing.T) {
	s := existingVpcHub.synth(t)
	assembly := s.dir
	dir := t.TempDir()
	write := func(name, yaml string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(yaml), 0o644))
		return path
	}
	out, code := runVerify(t, assembly, "-control-tower=false", "-config", write("hub.yaml", existingVpcHubYAML))
	require.Equal(t, 0, code, out)
	assert.Regexp(t, `ssm\s+declared provided`, out)
	assert.Regexp(t, `s3\s+declared provided`, out)
	assert.Contains(t, out, "the ACL layer is not modelled")
	assert.Regexp(t, `yes\s+instance to the hub's interface endpoints at 10\.0\.0\.0/24\s+443\s+n/a\s+passes\s+the existing VPC's own network ACLs \(not in the template\); NetworkPrivateSecurityGroup457D0836 out to 10\.0\.0\.0/24 443-443`, out,
		"the security groups are judged alone")
	assert.Regexp(t, `no\s+instance SSH to the hub's interface endpoints at 10\.0\.0\.0/24\s+22\s+n/a\s+denied`, out)
	assert.Contains(t, out, "Its policy must allow s3:GetObject on these buckets")
	assert.Regexp(t, `\n  aws-ssm-us-west-2\n`, out)
	assert.NotContains(t, out, "attacker-chosen-bucket", "a denial only the VPC's own endpoint policy could make is not claimed")

	// Planted: the same templates with a configuration that declares nothing: all five missing.
	out, code = runVerify(t, assembly, "-control-tower=false", "-authorisation=false", "-config", write("created.yaml", existingVpcNetwork+`    interfaceEndpoints: created
    s3Endpoint: created
    wsusSubnet: private
    privateInternetPath: nat
`+existingVpcFleet))
	assert.Equal(t, 1, code, out)
	for _, service := range []string{"ssm", "ssmmessages", "ec2messages", "ec2", "s3"} {
		assert.Regexp(t, `\n  `+service+`\s+MISSING: neither created nor declared provided`, out)
	}
}

func TestALookedUpVpcIsUsedAsTheCommittedContextDescribesIt(t *testing.T) {
	s := existingVpcLookup.synth(t)
	assert.Empty(t, created(s.template)["AWS::EC2::VPC"])
	assert.Empty(t, s.missingLookups(t), "the committed context answers every lookup")
	_, gateway := oneOf(t, s.template, "AWS::EC2::VPCEndpoint", "NetworkEndpointss3")
	assert.Equal(t, "vpc-0c0ffee0c0ffee001", props(gateway)["VpcId"])
	assert.Equal(t, []any{"rtb-0c0ffee0c0ffee0a2", "rtb-0c0ffee0c0ffee0b2"}, props(gateway)["RouteTableIds"], "the isolated group's route tables")
	// The hub's endpoints leave no endpoint security group to carry the VPC's block (10.40.0.0/16).
	outputs := s.template["Outputs"].(map[string]any)
	assert.Equal(t, "vpc-0c0ffee0c0ffee001", outputs["VpcId"].(map[string]any)["Value"])
	assert.Equal(t, "10.40.10.0/24,10.40.11.0/24", outputs["PrivateSubnetCidrs"].(map[string]any)["Value"])
	assert.Equal(t, "rtb-0c0ffee0c0ffee0a2,rtb-0c0ffee0c0ffee0b2", outputs["PrivateSubnetRouteTableIds"].(map[string]any)["Value"])
	var subnets []string
	for _, i := range s.fleetResources("AWS::EC2::Instance") {
		subnets = append(subnets, instanceSubnet(i))
	}
	slices.Sort(subnets)
	assert.Equal(t, []string{"subnet-0c0ffee0c0ffee0a1", "subnet-0c0ffee0c0ffee0a2", "subnet-0c0ffee0c0ffee0b2"}, subnets,
		"the fleet in the isolated subnets, WSUS in the first public one")
}

func TestALookupNotYetAnsweredAsksTheCliForIt(t *testing.T) {
	s := (&scenario{name: "existing-vpc-lookup-missing", withoutNag: true, config: existingVpcLookup.config}).synth(t)
	missing := s.missingLookups(t)
	require.Len(t, missing, 1)
	assert.Equal(t, "vpc-provider:account=111111111111:filter.tag:Name=workload-vpc:region=eu-west-1:returnAsymmetricSubnets=true", missing[0],
		"the key of the committed context file")
	// The app run without the CLI (go run ./app) fails on it with the command that caches the answer.
	err := stacks.UnansweredLookups(s.dir)
	require.Error(t, err, "a placeholder VPC must not pass for the deployment's")
	assert.Contains(t, err.Error(), "1 context lookup(s) have no cached answer in cdk.context.json ("+missing[0]+"), so CDK synthesised placeholders, not your VPC")
	assert.Contains(t, err.Error(), "run make synth CONFIG=<your file> (npx cdk synth -c config=<your file>) with credentials for account 111111111111 in eu-west-1")
	assert.NoError(t, stacks.UnansweredLookups(existingVpcLookup.synth(t).dir), "the committed context answers it")
}

func TestVerifyProvesTheFlowsOfManagedAclsOnAnExistingVpcHubIncluded(t *testing.T) {
	s := existingVpcManaged.synth(t)
	path := filepath.Join(t.TempDir(), "managed.yaml")
	require.NoError(t, os.WriteFile(path, []byte(existingVpcManagedYAML), 0o644))
	out, code := runVerify(t, s.dir, "-control-tower=false", "-authorisation=false", "-config", path)
	require.Equal(t, 0, code, out)
	assert.Regexp(t, `yes\s+instance to the hub's interface endpoints at 10\.0\.0\.0/24\s+443\s+passes\s+(passes|n/a)\s+rule 500 out allow 10\.0\.0\.0/24 443-443`, out)
	assert.Regexp(t, `yes\s+instance to WSUS over HTTP\s+8530\s+passes\s+(passes|n/a)\s+rule 200 in allow 10\.20\.10\.0/24 8530-8531`, out, "subnets from the outputs")
	assert.NotContains(t, out, "the ACL layer is not modelled")
	assert.NotContains(t, out, "removing each policy statement", "-authorisation=false leaves the authorisation table out (the check proves this scenario)")
}

// What the configuration says privatepatch creates (make cost prices it: tools/cost) is what the
// templates hold, in every network scenario: interface endpoints, flow logs, WSUS's Elastic IP.
func TestTheConfigurationsAnswersOnWhatIsCreatedMatchTheTemplates(t *testing.T) {
	for _, sc := range []*scenario{defaultScenario, exampleScenario, natScenario, flowLogsToS3, existingVpc, existingVpcHub, existingVpcManaged, existingVpcLookup} {
		s := sc.synth(t)
		cfg, err := sc.config()
		require.NoError(t, err)
		interfaces := 0
		for _, ep := range s.resources("AWS::EC2::VPCEndpoint") {
			if props(ep)["VpcEndpointType"] == "Interface" {
				interfaces++
			}
		}
		assert.Equal(t, cfg.Network.CreatesInterfaceEndpoints(), interfaces > 0, "%s: interface endpoints", sc.name)
		assert.Equal(t, cfg.Network.CreatesFlowLogs(), len(s.resources("AWS::EC2::FlowLog")) > 0, "%s: flow logs", sc.name)
		if cfg.Wsus.Enabled {
			assert.Equal(t, cfg.WsusIsPublic(), len(s.fleetResources("AWS::EC2::EIP")) > 0, "%s: WSUS's Elastic IP", sc.name)
		}
	}
}

// existingVpc.priorNetworkAcls is kept in the network stack as the output PriorNetworkAcls, in
// the form make check-update reads (vpcclash) and the restore in docs/network.md uses; without
// it there is no such output.
func TestPriorNetworkAclsAreRecordedInTheNetworkStack(t *testing.T) {
	s := (&scenario{name: "existing-vpc-prior-acls", withoutNag: true, config: fromYAML(existingVpcManagedYAML +
		"    priorNetworkAcls: {subnet-0aaaaaaaaaaaaaaa2: acl-0123456789abcdef0, subnet-0aaaaaaaaaaaaaaa1: acl-0123456789abcdef0}\n")}).synth(t)
	output := s.template["Outputs"].(map[string]any)[stacks.PriorNetworkAclsOutput].(map[string]any)
	assert.Equal(t, "subnet-0aaaaaaaaaaaaaaa1=acl-0123456789abcdef0,subnet-0aaaaaaaaaaaaaaa2=acl-0123456789abcdef0", output["Value"])
	assert.Equal(t, map[string]string{"subnet-0aaaaaaaaaaaaaaa1": "acl-0123456789abcdef0", "subnet-0aaaaaaaaaaaaaaa2": "acl-0123456789abcdef0"},
		vpcclash.PriorNetworkAcls(s.template))
	assert.NotContains(t, existingVpcManaged.synth(t).template["Outputs"], stacks.PriorNetworkAclsOutput)
}

// A looked-up subnet in a secondary block of the VPC (the lookup returns the primary block only)
// could not reach the interface endpoints privatepatch creates, whose security group admits the
// primary block: the synth refuses it, naming the subnet; with a hub's endpoints it is fine.
func TestALookedUpSubnetOutsideTheVpcsPrimaryBlockIsRefusedWhenTheEndpointsAreCreated(t *testing.T) {
	data, err := os.ReadFile("testdata/existing-vpc-lookup.cdk.context.json")
	require.NoError(t, err)
	secondary := strings.Replace(string(data), `"cidr": "10.40.11.0/24"`, `"cidr": "100.64.11.0/24"`, 1)
	var context map[string]any
	require.NoError(t, json.Unmarshal([]byte(secondary), &context))
	created := strings.Replace(strings.Replace(existingVpcLookupYAML, "interfaceEndpoints: hub", "interfaceEndpoints: created", 1), "    hubCidrs: [10.0.0.0/24]\n", "", 1)
	s := &scenario{name: "existing-vpc-lookup-secondary", withoutNag: true, context: context, config: fromYAML(created)}
	s.build()
	require.NotNil(t, s.err, "a subnet outside the primary block")
	assert.Contains(t, fmt.Sprint(s.err), "ExistingVpc.Lookup.PrivateSubnetGroup: the looked-up VPC's subnet subnet-0c0ffee0c0ffee0b2 (100.64.11.0/24) is outside the VPC's primary block 10.40.0.0/16")

	hub := &scenario{name: "existing-vpc-lookup-secondary-hub", withoutNag: true, context: context, config: fromYAML(existingVpcLookupYAML)}
	hub.build()
	assert.Nil(t, hub.err, "with a hub's endpoints the subnet is fine")
}
