package config

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// existingVpcYAML is an existing VPC in eu-west-2 with its ids given: no account, no lookups.
const existingVpcYAML = `
region: eu-west-2
network:
  s3PrefixListIds: {eu-west-2: pl-7ca54015}
  existingVpc:
    vpcId: vpc-0a1b2c3d4e5f60718
    cidr: 10.20.0.0/16
    interfaceEndpoints: created
    s3Endpoint: created
    privateSubnets:
      - {id: subnet-0aaaaaaaaaaaaaaa1, cidr: 10.20.10.0/24, zone: eu-west-2a, routeTableId: rtb-0aaaaaaaaaaaaaaa1}
      - {id: subnet-0aaaaaaaaaaaaaaa2, cidr: 10.20.11.0/24, zone: eu-west-2b, routeTableId: rtb-0aaaaaaaaaaaaaaa2}
    publicSubnets:
      - {id: subnet-0bbbbbbbbbbbbbbb1, cidr: 10.20.0.0/24, zone: eu-west-2a}
      - {id: subnet-0bbbbbbbbbbbbbbb2, cidr: 10.20.1.0/24, zone: eu-west-2b}
`

// An existing VPC states both endpoint settings: a landing-zone VPC often has an S3 gateway
// endpoint on the same route tables, or a hub's private DNS for the SSM services, and creating
// them again fails half-way; a default would pick "created" for it.
func TestExistingVpcMustStateBothEndpointSettings(t *testing.T) {
	without := strings.Replace(existingVpcYAML, "    interfaceEndpoints: created\n    s3Endpoint: created\n", "", 1)
	require.NotEqual(t, existingVpcYAML, without)
	_, err := Parse("test", []byte(without))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `network.existingVpc.interfaceEndpoints: "" is required for an existing VPC: created (in the private subnets) or hub`)
	assert.Contains(t, err.Error(), `network.existingVpc.s3Endpoint: "" is required for an existing VPC: created (a gateway endpoint on the private subnets' route tables) or existing`)
	assert.Contains(t, err.Error(), "make check-update reads the VPC with credentials and says which")
	_, err = Parse("test", []byte(strings.Replace(existingVpcYAML, "    s3Endpoint: created\n", "", 1)))
	assert.ErrorContains(t, err, `network.existingVpc.s3Endpoint: "" is required`)
	assert.NotContains(t, err.Error(), "interfaceEndpoints")
}

func TestExistingVpcWithIdsGivenValidatesWithoutAccountAndDefaultsToLeavingTheVpcAlone(t *testing.T) {
	cfg, err := Parse("test", []byte(existingVpcYAML))
	require.NoError(t, err)
	e := cfg.Network.ExistingVpc
	assert.Equal(t, EndpointsCreated, e.InterfaceEndpoints)
	assert.Equal(t, S3EndpointCreated, e.S3Endpoint)
	assert.Equal(t, WsusInPublicSubnet, e.WsusSubnet)
	assert.Equal(t, InternetPathNone, e.PrivateInternetPath)
	assert.False(t, cfg.Network.ManagesNetworkAcls(), "ACLs of an existing VPC are left alone unless asked")
	assert.False(t, e.FlowLogs)
	assert.Equal(t, 2, cfg.Network.Zones())
}

func TestExistingVpcProblemsNameTheirField(t *testing.T) {
	// with replaces the first occurrence of old in existingVpcYAML, or appends add under existingVpc.
	with := func(old, replacement string) string {
		require.Contains(t, existingVpcYAML, old)
		return strings.Replace(existingVpcYAML, old, replacement, 1)
	}
	add := func(lines string) string { return existingVpcYAML + lines }
	for _, tc := range []struct {
		name, yaml string
		want       []string
	}{
		{"vpc_cidr_of_a_created_vpc", with("  existingVpc:\n", "  vpcCidr: 10.9.0.0/16\n  existingVpc:\n"),
			[]string{`network.vpcCidr: "10.9.0.0/16" applies to a VPC privatepatch creates, not to network.existingVpc: use network.existingVpc.cidr`}},
		{"nat_of_a_created_vpc", with("  existingVpc:\n", "  nat: {enabled: true}\n  existingVpc:\n"),
			[]string{`network.nat.enabled: true applies to a VPC privatepatch creates, not to network.existingVpc: use network.existingVpc.privateInternetPath: nat`}},
		{"az_count_of_a_created_vpc", with("  existingVpc:\n", "  azCount: 3\n  existingVpc:\n"),
			[]string{`network.azCount: 3 applies to a VPC privatepatch creates`}},
		{"bad_vpc_id", with("vpc-0a1b2c3d4e5f60718", "vpc-12"),
			[]string{`network.existingVpc.vpcId: "vpc-12" is not a VPC id: use vpc- and 8 or 17 hexadecimal digits`}},
		{"bad_subnet_id", with("subnet-0aaaaaaaaaaaaaaa1", "subnet-xyz"),
			[]string{`network.existingVpc.privateSubnets[0].id: "subnet-xyz" is not a subnet id`}},
		{"subnet_listed_twice", with("subnet-0bbbbbbbbbbbbbbb1", "subnet-0aaaaaaaaaaaaaaa1"),
			[]string{`network.existingVpc.publicSubnets[0].id: "subnet-0aaaaaaaaaaaaaaa1" is listed twice`}},
		{"subnet_outside_the_vpc", with("10.20.11.0/24", "10.30.11.0/24"),
			[]string{`network.existingVpc.privateSubnets[1].cidr: "10.30.11.0/24" is not inside network.existingVpc.cidr 10.20.0.0/16`}},
		{"overlapping_subnets", with("10.20.1.0/24", "10.20.10.0/25"),
			[]string{`network.existingVpc: "10.20.10.0/25" overlaps the listed subnet 10.20.10.0/24`}},
		{"zone_of_another_region", with("zone: eu-west-2b, routeTableId", "zone: us-east-1b, routeTableId"),
			[]string{`network.existingVpc.privateSubnets[1].zone: "us-east-1b" is not an availability zone of region "eu-west-2"`}},
		{"two_private_subnets_in_one_zone", with("zone: eu-west-2b, routeTableId", "zone: eu-west-2a, routeTableId"),
			[]string{`network.existingVpc.privateSubnets[1].zone: "eu-west-2a" is the zone of another private subnet`}},
		{"public_subnets_in_another_order", with("cidr: 10.20.0.0/24, zone: eu-west-2a", "cidr: 10.20.0.0/24, zone: eu-west-2c"),
			[]string{`network.existingVpc.publicSubnets[0].zone: "eu-west-2c" is not the zone of privateSubnets[0] (eu-west-2a)`}},
		{"no_route_table_for_the_s3_endpoint", with(", routeTableId: rtb-0aaaaaaaaaaaaaaa2", ""),
			[]string{`network.existingVpc.privateSubnets[1].routeTableId: "" is missing: the S3 gateway endpoint is added to the private subnets' route tables`}},
		{"unknown_endpoint_mode", with("    interfaceEndpoints: created\n", "    interfaceEndpoints: central\n"),
			[]string{`network.existingVpc.interfaceEndpoints: "central" is not allowed: use created or hub`}},
		{"hub_without_its_cidrs", with("    interfaceEndpoints: created\n", "    interfaceEndpoints: hub\n"),
			[]string{`network.existingVpc.hubCidrs: "" is empty: with interfaceEndpoints: hub, list the address blocks of the hub's endpoints`}},
		{"hub_cidr_inside_the_vpc", with("    interfaceEndpoints: created\n", "    interfaceEndpoints: hub\n    hubCidrs: [10.20.128.0/24]\n"),
			[]string{`network.existingVpc.hubCidrs[0]: "10.20.128.0/24" overlaps this VPC 10.20.0.0/16: the hub is another VPC`}},
		{"hub_cidrs_without_a_hub", add("    hubCidrs: [10.0.0.0/24]\n"),
			[]string{`network.existingVpc.hubCidrs: "10.0.0.0/24" applies only to interfaceEndpoints: hub`}},
		{"hub_cidr_of_the_whole_internet", with("    interfaceEndpoints: created\n", "    interfaceEndpoints: hub\n    hubCidrs: [0.0.0.0/4]\n"),
			[]string{`network.existingVpc.hubCidrs[0]: "0.0.0.0/4" would open HTTPS to (nearly) the whole internet`}},
		{"too_many_hub_cidrs", with("    interfaceEndpoints: created\n", "    interfaceEndpoints: hub\n    hubCidrs: ["+strings.Repeat("10.0.0.0/24, ", 20)+"10.0.1.0/24]\n"),
			[]string{`network.existingVpc.hubCidrs: 21 blocks is too many: at most`}},
		{"wsus_in_public_without_public_subnets", strings.Split(existingVpcYAML, "    publicSubnets:")[0],
			[]string{`network.existingVpc.wsusSubnet: "public" needs network.existingVpc.publicSubnets`}},
		{"wsus_in_private_without_a_path", add("    wsusSubnet: private\n"),
			[]string{`network.existingVpc.wsusSubnet: "private" needs a path to Microsoft Update: declare network.existingVpc.privateInternetPath: nat`}},
		{"proxy_path", add("    wsusSubnet: private\n    privateInternetPath: proxy\n"),
			[]string{`network.existingVpc.privateInternetPath: "proxy" is not supported yet: the WSUS setup configures no proxy`}},
		{"managed_acls_with_wsus_in_private", add("    wsusSubnet: private\n    privateInternetPath: nat\n    manageNetworkAcls: true\n"),
			[]string{`network.existingVpc.manageNetworkAcls: true is not supported with wsusSubnet: private yet`}},
		{"wsus_in_private_marked_public", add("    wsusSubnet: private\n    privateInternetPath: nat\n") + "assets: {wsusTags: {IsPublic: Y}}\n",
			[]string{`assets.wsusTags.IsPublic: "Y" is not allowed: the WSUS server is in a private subnet (network.existingVpc.wsusSubnet) without a public address, so it is N`}},
		{"wsus_in_private_with_an_external_address", add("    wsusSubnet: private\n    privateInternetPath: nat\n") + "wsus: {publicAddress: external}\n",
			[]string{`wsus.publicAddress: "external" means nothing in a private subnet (network.existingVpc.wsusSubnet: private), which has no public address: remove it`}},
		{"no_private_subnets", strings.Split(existingVpcYAML, "    privateSubnets:")[0] + "    wsusSubnet: public\n",
			[]string{`network.existingVpc.privateSubnets: 0 subnets is not allowed: list 1 to 6, one per availability zone`}},
		{"fleet_over_more_zones_than_subnets", existingVpcYAML + "fleet: {instanceGroups: [{name: app, count: 1, zones: 3, tags: {Environment: Dev, InventoryCategory: App, SeverityLevel: \"3\", HandlePI: N, IsPublic: N}}]}\n",
			[]string{`fleet.instanceGroups[0].zones: 3 is out of range: use 1 to the 2 private subnets of network.existingVpc`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("test", []byte(tc.yaml))
			require.Error(t, err)
			for _, want := range tc.want {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
}

func TestExistingVpcWithUnmanagedAclsNeedsNoS3CidrsButManagedOnesDo(t *testing.T) {
	_, err := Parse("test", []byte(existingVpcYAML))
	require.NoError(t, err, "no network ACL names the S3 CIDRs")
	_, err = Parse("test", []byte(existingVpcYAML+"    manageNetworkAcls: true\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `network.s3PrefixListCidrs: "eu-west-2" has no S3 prefix-list CIDRs`)
}

// lookupVpcYAML finds the VPC by a tag, with an account: the ids come from a CDK lookup.
const lookupVpcYAML = `
account: "111111111111"
region: eu-west-1
network:
  existingVpc:
    lookup: {tags: {Name: workload-vpc}}
    interfaceEndpoints: created
    s3Endpoint: created
`

func TestALookedUpVpcNeedsAnAccountAndNoIdsAndDefaultsToThePrivateAndPublicGroups(t *testing.T) {
	cfg, err := Parse("test", []byte(lookupVpcYAML))
	require.NoError(t, err)
	assert.Equal(t, "Private", cfg.Network.ExistingVpc.Lookup.PrivateSubnetGroup)
	assert.Equal(t, "Public", cfg.Network.ExistingVpc.Lookup.PublicSubnetGroup)
	assert.Equal(t, 6, cfg.Network.Zones(), "unknown until synth: the fleet takes at most what the lookup finds")
}

func TestLookupProblemsNameTheirField(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"without_account", strings.Replace(lookupVpcYAML, "account: \"111111111111\"\n", "", 1),
			`network.existingVpc.lookup: "tags" needs account: CDK looks the VPC up at synth`},
		{"with_ids_too", lookupVpcYAML + "    vpcId: vpc-0a1b2c3d4e5f60718\n",
			`network.existingVpc.lookup: "tags" and vpcId, cidr, privateSubnets or publicSubnets are both given`},
		{"without_tags", strings.Replace(lookupVpcYAML, "{Name: workload-vpc}", "{}", 1),
			`network.existingVpc.lookup.tags: "" is empty`},
		{"managed_acls", lookupVpcYAML + "    manageNetworkAcls: true\n",
			`network.existingVpc.manageNetworkAcls: true is not supported with a lookup yet`},
		{"wsus_public_without_public_group", strings.Replace(lookupVpcYAML, "{Name: workload-vpc}}", "{Name: workload-vpc}, publicSubnetGroup: none}", 1),
			`network.existingVpc.wsusSubnet: "public" needs network.existingVpc.publicSubnets (or lookup.publicSubnetGroup)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("test", []byte(tc.yaml))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// environmentsYAML: prod in an existing VPC of its own (eu-west-2), test creating its VPC
// (us-west-2) with a created VPC's settings, which serve test only.
const environmentsYAML = `
environments:
  - name: prod
    account: "111111111111"
    region: eu-west-2
    existingVpc:
      vpcId: vpc-0a1b2c3d4e5f60718
      cidr: 10.20.0.0/16
      privateSubnets:
        - {id: subnet-0aaaaaaaaaaaaaaa1, cidr: 10.20.10.0/24, zone: eu-west-2a, routeTableId: rtb-0aaaaaaaaaaaaaaa1}
      interfaceEndpoints: hub
      hubCidrs: [10.0.0.0/24]
      s3Endpoint: created
      wsusSubnet: private
      privateInternetPath: nat
  - {name: test, account: "222222222222", region: us-west-2}
network:
  vpcCidr: 10.9.0.0/16
  nat: {enabled: true}
  s3PrefixListIds: {eu-west-2: pl-7ca54015, us-west-2: pl-68a54001}
  s3PrefixListCidrs: {us-west-2: [54.231.160.0/19]}
`

func TestEachEnvironmentMayBringItsOwnExistingVpcWhileOthersCreateTheirs(t *testing.T) {
	cfg, err := Parse("envs.yaml", []byte(environmentsYAML))
	require.NoError(t, err)
	prod, test := cfg.Deployments()[0], cfg.Deployments()[1]
	require.NotNil(t, prod.Network.ExistingVpc)
	assert.Equal(t, "vpc-0a1b2c3d4e5f60718", prod.Network.ExistingVpc.VpcID)
	assert.Equal(t, S3EndpointCreated, prod.Network.ExistingVpc.S3Endpoint, "defaults apply to an environment's own VPC")
	assert.Equal(t, "environments[0].existingVpc", prod.Network.ExistingVpc.Field())
	assert.False(t, prod.Network.Nat.Enabled, "the created VPC's NAT is test's")
	assert.Equal(t, Defaults().Network.VpcCidr, prod.Network.VpcCidr)
	assert.Nil(t, test.Network.ExistingVpc)
	assert.Equal(t, "10.9.0.0/16", test.Network.VpcCidr)
	assert.True(t, test.Network.Nat.Enabled)
	assert.Nil(t, cfg.Network.ExistingVpc, "the configuration itself is unchanged")
}

func TestAnEnvironmentsExistingVpcProblemsNameTheEnvironmentsField(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       []string
	}{
		{"bad_vpc_id", strings.Replace(environmentsYAML, "vpc-0a1b2c3d4e5f60718", "vpc-12", 1),
			[]string{`environments prod: environments[0].existingVpc.vpcId: "vpc-12" is not a VPC id`}},
		{"subnet_outside", strings.Replace(environmentsYAML, "cidr: 10.20.10.0/24", "cidr: 10.30.10.0/24", 1),
			[]string{`environments[0].existingVpc.privateSubnets[0].cidr: "10.30.10.0/24" is not inside environments[0].existingVpc.cidr 10.20.0.0/16`}},
		// No environment creates a VPC: a created VPC's settings apply to none.
		{"created_vpc_settings_unused", strings.Replace(environmentsYAML, "  - {name: test, account: \"222222222222\", region: us-west-2}\n", "", 1),
			[]string{`network.nat.enabled: true applies to a VPC privatepatch creates, not to environments[0].existingVpc: use environments[0].existingVpc.privateInternetPath: nat`}},
		// Planted: before, network.existingVpc with environments passed validation (the check
		// read the environments of a deployment, which has none).
		{"shared_by_two_environments", twoEnvironmentsInOneVpc,
			[]string{`network.existingVpc.vpcId: "vpc-0a1b2c3d4e5f60718" would serve environments prod, test, each another account or region: give each environment its own (environments[].existingVpc)`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("envs.yaml", []byte(tc.yaml))
			require.Error(t, err)
			for _, want := range tc.want {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
}

const twoEnvironmentsInOneVpc = `
environments:
  - {name: prod, account: "111111111111", region: eu-west-2}
  - {name: test, account: "222222222222", region: eu-west-2}
network:
  s3PrefixListIds: {eu-west-2: pl-7ca54015}
  existingVpc:
    vpcId: vpc-0a1b2c3d4e5f60718
    cidr: 10.20.0.0/16
    interfaceEndpoints: created
    s3Endpoint: created
    privateSubnets:
      - {id: subnet-0aaaaaaaaaaaaaaa1, cidr: 10.20.10.0/24, zone: eu-west-2a, routeTableId: rtb-0aaaaaaaaaaaaaaa1}
    publicSubnets:
      - {id: subnet-0bbbbbbbbbbbbbbb1, cidr: 10.20.0.0/24, zone: eu-west-2a}
`

func TestOneEnvironmentMayUseNetworkExistingVpcAndATagLookupMayServeSeveral(t *testing.T) {
	one := strings.Replace(twoEnvironmentsInOneVpc, "  - {name: test, account: \"222222222222\", region: eu-west-2}\n", "", 1)
	_, err := Parse("one.yaml", []byte(one))
	require.NoError(t, err)
	lookup := `
environments:
  - {name: prod, account: "111111111111", region: eu-west-2}
  - {name: test, account: "222222222222", region: eu-west-2}
network:
  s3PrefixListIds: {eu-west-2: pl-7ca54015}
  existingVpc:
    lookup: {tags: {Name: workload-vpc}}
    interfaceEndpoints: created
    s3Endpoint: created
`
	cfg, err := Parse("lookup.yaml", []byte(lookup))
	require.NoError(t, err, "each environment looks the tags up in its own account and region")
	assert.Len(t, cfg.Deployments(), 2)
}

// priorNetworkAcls records the ACL each subnet had before manageNetworkAcls took it over.
func TestPriorNetworkAclsNameListedSubnetsAndAclIdsWithManagedAcls(t *testing.T) {
	managed := strings.Replace(existingVpcYAML, "  s3PrefixListIds:", "  s3PrefixListCidrs: {eu-west-2: [52.95.148.0/23]}\n  s3PrefixListIds:", 1) + "    manageNetworkAcls: true\n"
	cfg, err := Parse("test", []byte(managed+"    priorNetworkAcls: {subnet-0aaaaaaaaaaaaaaa1: acl-0123456789abcdef0}\n"))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"subnet-0aaaaaaaaaaaaaaa1": "acl-0123456789abcdef0"}, cfg.Network.ExistingVpc.PriorNetworkAcls)
	for _, c := range []struct{ name, yaml, want string }{
		{"not_a_listed_subnet", managed + "    priorNetworkAcls: {subnet-0ccccccccccccccc1: acl-0123456789abcdef0}\n",
			`network.existingVpc.priorNetworkAcls.subnet-0ccccccccccccccc1: "subnet-0ccccccccccccccc1" is not one of the listed subnets`},
		{"not_an_acl_id", managed + "    priorNetworkAcls: {subnet-0aaaaaaaaaaaaaaa1: default}\n",
			`network.existingVpc.priorNetworkAcls.subnet-0aaaaaaaaaaaaaaa1: "default" is not a network ACL id`},
		{"without_managed_acls", existingVpcYAML + "    priorNetworkAcls: {subnet-0aaaaaaaaaaaaaaa1: acl-0123456789abcdef0}\n",
			`network.existingVpc.priorNetworkAcls: 1 subnets is not allowed: it records the ACLs manageNetworkAcls: true takes over`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("test", []byte(c.yaml))
			assert.ErrorContains(t, err, c.want)
		})
	}
}
