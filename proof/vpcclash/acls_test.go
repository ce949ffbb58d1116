package vpcclash

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func landingZoneAcls(t *testing.T) []NetworkAcl {
	data, err := os.ReadFile(filepath.Join("testdata", "acls-landing-zone.json"))
	require.NoError(t, err)
	acls, err := ParseNetworkAcls(data)
	require.NoError(t, err)
	return acls
}

func withPrior(template map[string]any, value string) map[string]any {
	out := map[string]any{}
	for k, v := range template {
		out[k] = v
	}
	outputs := map[string]any{"PriorNetworkAcls": map[string]any{"Value": value}}
	for k, v := range template["Outputs"].(map[string]any) {
		outputs[k] = v
	}
	out["Outputs"] = outputs
	return out
}

// manageNetworkAcls over subnets on a landing zone's own ACL: refused until the configuration
// records it (the output PriorNetworkAcls), so the restore has it; subnets on the VPC's default
// ACL go back to it by themselves.
func TestTakingOverASubnetsOwnNetworkAclNeedsItRecorded(t *testing.T) {
	managed := golden(t, "existing-vpc-managed-acls.network")
	assert.Equal(t, []string{"subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2", "subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"}, AclSubnets(managed))
	acls := landingZoneAcls(t)

	problems := CheckAcls("privatepatch-network", "network.existingVpc", managed, nil, acls)
	require.Len(t, problems, 2, strings.Join(problems, "\n"))
	assert.Contains(t, problems[0], "subnet-0aaaaaaaaaaaaaaa1 uses the network ACL acl-0123456789abcdef0, not the VPC's default")
	assert.Contains(t, problems[0], "network.existingVpc.priorNetworkAcls: {subnet-0aaaaaaaaaaaaaaa1: acl-0123456789abcdef0}")

	recorded := withPrior(managed, "subnet-0aaaaaaaaaaaaaaa1=acl-0123456789abcdef0,subnet-0aaaaaaaaaaaaaaa2=acl-0123456789abcdef0")
	assert.Empty(t, CheckAcls("privatepatch-network", "network.existingVpc", recorded, nil, acls))
	wrong := withPrior(managed, "subnet-0aaaaaaaaaaaaaaa1=acl-0123456789abcdef0,subnet-0aaaaaaaaaaaaaaa2=acl-0aaaaaaaaaaaaaaaa")
	problems = CheckAcls("privatepatch-network", "network.existingVpc", wrong, nil, acls)
	require.Len(t, problems, 1)
	assert.Contains(t, problems[0], "records acl-0aaaaaaaaaaaaaaaa for subnet-0aaaaaaaaaaaaaaa2, which uses acl-0123456789abcdef0")

	// Once deployed, the subnets' ACLs are privatepatch's: nothing to record any more.
	assert.Empty(t, CheckAcls("privatepatch-network", "network.existingVpc", managed, managed, acls))
	// Without manageNetworkAcls nothing is taken over.
	assert.Empty(t, CheckAcls("privatepatch-network", "network.existingVpc", golden(t, "existing-vpc.network"), nil, acls))

	_, err := ParseNetworkAcls([]byte(`{"VpcEndpoints": []}`))
	assert.ErrorContains(t, err, "no NetworkAcls")
}
