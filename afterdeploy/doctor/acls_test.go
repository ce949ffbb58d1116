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

const vpcAcls = `ec2 describe-network-acls --filters [{"Name":"association.subnet-id","Values":["subnet-0aaaaaaaaaaaaaaa1","subnet-0aaaaaaaaaaaaaaa2"]}]`

// aclRow examines the hub deployment with the VPC's ACLs answered by file and returns the
// network ACLs row.
func aclRow(t *testing.T, acls string) Result {
	t.Helper()
	cfg, err := config.Parse("hub.yaml", []byte(existingVpcHubYAML))
	require.NoError(t, err)
	target := TargetsOf(cfg)[0]
	responses := healthy()
	maps.Copy(responses, map[string]string{
		"cloudformation get-template --stack-name privatepatch-network --query TemplateBody": "../../test/testdata/existing-vpc-hub.network.template.json",
		vpcAcls: acls,
	})
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
	assert.Contains(t, open.Evidence, "the VPC's own ACLs (acl-0123456789abcdef0) pass the ")

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
