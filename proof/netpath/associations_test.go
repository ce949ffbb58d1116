package netpath

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Held-out run 33's B01: the private ACL's association for a private subnet pointed at a public
// one (which then has two, and the private subnet none); and the public ACL given to a private
// subnet. Every golden with ACL associations passes first.
func TestNetworkAclAssociationsOnePerSubnetOfItsKindAreChecked(t *testing.T) {
	for _, scenario := range []string{"default", "example", "nat-per-az", "existing-vpc-managed-acls", "existing-vpc"} {
		assert.Empty(t, AssociationProblems(goldenTemplate(t, scenario)), scenario)
	}
	template := goldenTemplate(t, "default")
	resources := template["Resources"].(map[string]any)
	association := func(id string) map[string]any {
		return resources[id].(map[string]any)["Properties"].(map[string]any)
	}
	association("NetworkPrivateAclDefaultAssociationNetworkVpcPrivateSubnet27BAED1D769214528")["SubnetId"] = map[string]any{"Ref": "NetworkVpcPublicSubnet2SubnetC427CCE0"}
	assert.Equal(t, []string{
		"network ACL NetworkPrivateAcl1899B2E2: serves public subnets NetworkVpcPublicSubnet2SubnetC427CCE0 and private subnets NetworkVpcPrivateSubnet1Subnet6DD86AE6: " +
			"the private rules (HTTPS to the region's S3 ranges, WSUS from inside) and the public ones (RDP, Microsoft Update) are one list",
		"private subnet NetworkVpcPrivateSubnet2Subnet1BDBE877: no network ACL association: it keeps the VPC's default ACL, through which no flow here is proven",
		"public subnet NetworkVpcPublicSubnet2SubnetC427CCE0: associated with network ACLs NetworkPrivateAcl1899B2E2 and NetworkPublicAcl9B404FC7: a subnet has one at a time, so one association replaces the other",
	}, AssociationProblems(template))
}
