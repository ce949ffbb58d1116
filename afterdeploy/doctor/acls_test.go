package doctor

import (
	"maps"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
)

// existingVpcHubYAML is test/existingvpc_test.go's hub scenario (whose golden network template the
// deployment here has): an existing VPC's two private subnets, a hub's endpoints, the VPC's own
// S3 endpoint and NAT, WSUS in a private subnet, the VPC's own ACLs.
const existingVpcHubYAML = `
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
    interfaceEndpoints: hub
    hubCidrs: [10.0.0.0/24]
    s3Endpoint: existing
    wsusSubnet: private
    privateInternetPath: nat
fleet:
  instanceGroups:
    - {name: app, count: 2, tags: {Environment: Dev, InventoryCategory: App, SeverityLevel: "3", HandlePI: N, IsPublic: N}}
`

// The VPC's ACLs, of its private subnets and of the NAT gateway's subnet their default routes
// name (route-tables-nat.json, nat-gateways-nat.json).
const (
	// vpcAclsNoNat are the private subnets' alone, as a deployment without NAT reads them.
	vpcAclsNoNat = `ec2 describe-network-acls --filters [{"Name":"association.subnet-id","Values":["subnet-0aaaaaaaaaaaaaaa1","subnet-0aaaaaaaaaaaaaaa2"]}]`
	vpcAcls      = `ec2 describe-network-acls --filters [{"Name":"association.subnet-id","Values":["subnet-0aaaaaaaaaaaaaaa1","subnet-0aaaaaaaaaaaaaaa2","subnet-0ccccccccccccccc1"]}]`
	routeTables  = "ec2 describe-route-tables --route-table-ids rtb-0aaaaaaaaaaaaaaa1 rtb-0aaaaaaaaaaaaaaa2"
	// The private subnets' associations: the subnets' own route tables, the configured ones.
	routeAssociations = `ec2 describe-route-tables --filters [{"Name":"association.subnet-id","Values":["subnet-0aaaaaaaaaaaaaaa1","subnet-0aaaaaaaaaaaaaaa2"]}]`
	natGateways       = "ec2 describe-nat-gateways --nat-gateway-ids nat-0a1b2c3d4e5f60001"
)

// aclRow examines the hub deployment with the VPC's ACLs answered by file and returns the
// network ACLs row.
func aclRow(t *testing.T, acls string, more ...string) Result {
	t.Helper()
	cfg, err := config.Parse("hub.yaml", []byte(existingVpcHubYAML))
	require.NoError(t, err)
	target := TargetsOf(cfg)[0]
	responses := healthy()
	maps.Copy(responses, map[string]string{
		"cloudformation get-template --stack-name privatepatch-network --query TemplateBody": "../../test/testdata/existing-vpc-hub.network.template.json",
		vpcAcls:           acls,
		routeTables:       "testdata/route-tables-nat.json",
		routeAssociations: "testdata/route-tables-nat.json",
		natGateways:       "testdata/nat-gateways-nat.json",
	})
	for i := 0; i+1 < len(more); i += 2 {
		responses[more[i]] = more[i+1]
	}
	results, err := Examine(&fake{t: t, responses: responses, lenient: true}, target, now)
	require.NoError(t, err)
	var rows []Result
	for _, r := range results {
		if r.Check == "network ACLs" {
			rows = append(rows, r)
		}
	}
	require.Len(t, rows, 1)
	return rows[0]
}

// An existing VPC's own ACLs are not in the templates, so make verify leaves them n/a; doctor
// reads them and judges the flows the configuration needs through them, requests and replies.
// An ACL that allows everything passes every flow; a landing zone's that lets the requests out
// but no reply from outside the VPC back in fails, naming the flows, the step and the ACL.
func TestDoctorJudgesTheNeededFlowsThroughAnExistingVpcsOwnAcls(t *testing.T) {
	open := aclRow(t, "testdata/network-acls-open.json")
	assert.Equal(t, OK, open.State, open.Evidence)
	assert.Contains(t, open.Evidence, "the VPC's own ACLs (acl-0123456789abcdef0, acl-0c0c0c0c0c0c0c0c0) pass the ")

	closed := aclRow(t, "testdata/network-acls-no-replies.json")
	assert.Equal(t, Fail, closed.State)
	assert.Contains(t, closed.Evidence, "instance to the hub's interface endpoints at 10.0.0.0/24 (port 443): reply to ports 32768-65535 entering the source subnet of acl-0fedcba9876543210: "+
		"rule 32767 in deny 0.0.0.0/0 all traffic (for ports 32768-65535)")
	assert.Contains(t, closed.Evidence, "instance in 10.20.10.0/24 to Microsoft Update through NAT (port 443)")
	assert.NotContains(t, closed.Evidence, "to WSUS", "the server and the fleet share the VPC's block, which the ACL allows")
	assert.Contains(t, closed.Action, "manageNetworkAcls: true")

	// The Ephemeral ports page's own example lets replies in on 32768-65535 only: enough for the
	// instances (Linux and Windows) and the Windows Server that WSUS is, so it passes. A deny of
	// 50000-60000 ahead of that allow drops part of every range, which sample ports missed.
	example := aclRow(t, "testdata/network-acls-instance-ports.json")
	assert.Equal(t, OK, example.State, example.Evidence)
	gap := aclRow(t, "testdata/network-acls-deny-in-range.json")
	assert.Equal(t, Fail, gap.State)
	assert.Contains(t, gap.Evidence, "rule 130 in deny 0.0.0.0/0 50000-60000 (for ports 50000-60000)")
}

// The private subnets reach the internet through a NAT gateway of the VPC (their route tables'
// default route): its subnet's ACL is read and judged too, and one that lets the requests through
// but not the replies fails, naming it. A default route to a transit gateway leaves the path past
// the private subnets unjudged: a warning that says so.
func TestDoctorJudgesTheNatGatewaysSubnetAclOnTheWayOut(t *testing.T) {
	open := aclRow(t, "testdata/network-acls-open.json")
	assert.Contains(t, open.Evidence, "through the NAT gateways' subnets subnet-0ccccccccccccccc1 too")
	closed := aclRow(t, "testdata/network-acls-nat-no-replies.json")
	assert.Equal(t, Fail, closed.State)
	assert.Contains(t, closed.Evidence, "instance in 10.20.10.0/24 to Microsoft Update through NAT (port 443): reply to ports 1024-3388 entering the public subnet of acl-0c0c0c0c0c0c0c0c0: rule 32767 in deny 0.0.0.0/0 all traffic (for ports 1024-3388)")
	assert.Contains(t, closed.Evidence, "WSUS syncs from Microsoft Update over HTTPS (port 443): reply to ports 1024-3388 entering the public subnet of acl-0c0c0c0c0c0c0c0c0",
		"the WSUS server in a private subnet syncs through the NAT gateway too")

	transit := aclRow(t, "testdata/network-acls-open.json", routeTables, "testdata/route-tables-transit-gateway.json",
		vpcAclsNoNat, "testdata/network-acls-open.json")
	assert.Equal(t, Warn, transit.State, transit.Evidence)
	assert.Contains(t, transit.Evidence, "route table rtb-0aaaaaaaaaaaaaaa1 sends the internet to tgw-0a1b2c3d4e5f60001, not a NAT gateway")
}

// A created VPC's ACLs are the stack's own, which make verify proves: no row, and no call.
func TestDoctorLeavesTheStacksOwnAclsToVerify(t *testing.T) {
	f := &fake{t: t, responses: healthy()}
	results, err := Examine(f, defaultTarget(t), now)
	require.NoError(t, err)
	for _, r := range results {
		assert.NotEqual(t, "network ACLs", r.Check)
	}
	for _, c := range f.calls {
		assert.False(t, strings.HasPrefix(c, "ec2 describe-network-acls"), c)
	}
}

// An existing VPC with public subnets, the NAT gateway in the WSUS server's own public subnet
// (the usual layout): that subnet keeps its CIDR, so the server's flows cross its ACL, and a
// public ACL that denies everything fails them (a review's find: the gateway's address replaced
// the subnet, and those flows passed unjudged). A blackhole default route fails the row.
func TestDoctorJudgesTheServersSubnetWhenTheNatGatewaySharesIt(t *testing.T) {
	cfg, err := config.Parse("public.yaml", []byte(`region: eu-west-1
network:
  s3PrefixListIds: {eu-west-1: pl-6da54004}
  existingVpc:
    vpcId: vpc-0c0ffee0c0ffee001
    cidr: 10.40.0.0/16
    privateSubnets:
      - {id: subnet-0c0ffee0c0ffee0a2, cidr: 10.40.10.0/24, zone: eu-west-1a, routeTableId: rtb-0c0ffee0c0ffee0a2}
      - {id: subnet-0c0ffee0c0ffee0b2, cidr: 10.40.11.0/24, zone: eu-west-1b, routeTableId: rtb-0c0ffee0c0ffee0b2}
    publicSubnets:
      - {id: subnet-0c0ffee0c0ffee0a1, cidr: 10.40.0.0/24, zone: eu-west-1a}
      - {id: subnet-0c0ffee0c0ffee0b1, cidr: 10.40.1.0/24, zone: eu-west-1b}
    interfaceEndpoints: hub
    hubCidrs: [10.0.0.0/24]
    s3Endpoint: created
    privateInternetPath: nat
fleet:
  instanceGroups:
    - {name: app, count: 2, tags: {Environment: Dev, InventoryCategory: App, SeverityLevel: "3", HandlePI: N, IsPublic: N}}
`))
	require.NoError(t, err)
	row := func(routes string) Result {
		responses := healthy()
		maps.Copy(responses, map[string]string{
			"cloudformation get-template --stack-name privatepatch-network --query TemplateBody":                                                                                                            "../../test/testdata/existing-vpc-lookup.network.template.json",
			`ec2 describe-network-acls --filters [{"Name":"association.subnet-id","Values":["subnet-0c0ffee0c0ffee0a1","subnet-0c0ffee0c0ffee0a2","subnet-0c0ffee0c0ffee0b1","subnet-0c0ffee0c0ffee0b2"]}]`: "testdata/network-acls-public-closed.json",
			"ec2 describe-route-tables --route-table-ids rtb-0c0ffee0c0ffee0a2 rtb-0c0ffee0c0ffee0b2":                                                                                                       routes,
			`ec2 describe-route-tables --filters [{"Name":"association.subnet-id","Values":["subnet-0c0ffee0c0ffee0a2","subnet-0c0ffee0c0ffee0b2"]}]`:                                                       routes,
			"ec2 describe-nat-gateways --nat-gateway-ids nat-0c0ffee0c0ffee0a1":                                                                                                                             "testdata/nat-gateways-public-subnet.json",
			`ec2 describe-managed-prefix-lists --filters [{"Name":"prefix-list-name","Values":["com.amazonaws.eu-west-1.s3"]}]`:                                                                             "testdata/prefix-lists-s3.json",
		})
		results, err := Examine(&fake{t: t, responses: responses, lenient: true}, TargetsOf(cfg)[0], now)
		require.NoError(t, err)
		for _, r := range results {
			if r.Check == "network ACLs" {
				return r
			}
		}
		t.Fatal("no network ACLs row")
		return Result{}
	}
	closed := row("testdata/route-tables-nat-public.json")
	assert.Equal(t, Fail, closed.State, closed.Evidence)
	assert.Contains(t, closed.Evidence, "instance to WSUS over HTTP (port 8530): request entering the destination subnet of acl-0d0d0d0d0d0d0d0d2")
	assert.Contains(t, closed.Evidence, "to Microsoft Update through NAT (port 443): request entering the NAT's public subnet of acl-0d0d0d0d0d0d0d0d2")

	blackhole := row("testdata/route-tables-blackhole.json")
	assert.Equal(t, Fail, blackhole.State)
}

// The private subnets' route tables are read by their associations, not taken from the
// configuration: a subnet moved to another route table is named (the S3 endpoint is on the
// configured one), and the NAT path is followed from the table it really uses (a review's find).
func TestDoctorReadsThePrivateSubnetsRouteTablesByAssociation(t *testing.T) {
	row := aclRow(t, "testdata/network-acls-open.json",
		routeAssociations, "testdata/route-tables-moved.json",
		"ec2 describe-route-tables --route-table-ids rtb-0aaaaaaaaaaaaaaa1 rtb-0aaaaaaaaaaaaaaa9", "testdata/route-tables-moved.json")
	assert.Equal(t, Warn, row.State, row.Evidence)
	assert.Contains(t, row.Evidence, "subnet subnet-0aaaaaaaaaaaaaaa2 routes by rtb-0aaaaaaaaaaaaaaa9, not the configured rtb-0aaaaaaaaaaaaaaa2 (network.existingVpc.privateSubnets[1].routeTableId)")
}

// DescribeRouteTables returns each matching table with all its associations, other subnets' and the
// main one too ("RouteTable", Amazon EC2 API Reference, read 2026-12-07): a private subnet on the
// VPC's main table (no explicit association) is still found when another private subnet's table is
// shared, and the planted blackhole default route of the main table, read for it, fails.
func TestDoctorFollowsAPrivateSubnetOnTheMainRouteTableBesideASharedOne(t *testing.T) {
	row := aclRow(t, "testdata/network-acls-open.json",
		routeAssociations, "testdata/route-tables-shared.json",
		`ec2 describe-route-tables --filters [{"Name":"vpc-id","Values":["vpc-0a1b2c3d4e5f60718"]},{"Name":"association.main","Values":["true"]}]`,
		"testdata/route-tables-main-blackhole.json",
		"ec2 describe-route-tables --route-table-ids rtb-0aaaaaaaaaaaaaaa0 rtb-0aaaaaaaaaaaaaaa1", "testdata/route-tables-main-and-shared.json",
		vpcAclsNoNat, "testdata/network-acls-open.json")
	assert.Equal(t, Fail, row.State, row.Evidence)
	assert.NotContains(t, row.Evidence, "is not known")
	assert.Contains(t, row.Evidence, "route table rtb-0aaaaaaaaaaaaaaa0's default route to nat-0a1b2c3d4e5f6dead is blackhole")
}
