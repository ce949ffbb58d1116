package wiring

import (
	"testing"

	"github.com/privatepatch/privatepatch/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Held-out run 30's A07 and A06, in a VPC account 222222222222 shares: a subnet route-table
// association and an S3 gateway endpoint on the owner's route tables, where s3Endpoint is
// existing. The goldens of existing VPCs pass first, the one creating its S3 endpoint included.
func TestRoutesInAnExistingVpcAreNamed(t *testing.T) {
	const vpc = `
region: us-west-2
account: "333333333333"
network:
  s3PrefixListIds: {us-west-2: pl-68a54001}
  existingVpc:
    vpcId: vpc-0a1b2c3d4e5f60718
    cidr: 10.20.0.0/16
    ownerAccount: "222222222222"
    privateSubnets:
      - {id: subnet-0aaaaaaaaaaaaaaa1, cidr: 10.20.10.0/24, zone: us-west-2a, routeTableId: rtb-0aaaaaaaaaaaaaaa1}
      - {id: subnet-0aaaaaaaaaaaaaaa2, cidr: 10.20.11.0/24, zone: us-west-2b, routeTableId: rtb-0aaaaaaaaaaaaaaa2}
    interfaceEndpoints: hub
    hubCidrs: [10.0.0.0/24]
    s3Endpoint: existing
    wsusSubnet: private
    privateInternetPath: nat
`
	shared, err := config.Parse("shared.yaml", []byte(vpc))
	require.NoError(t, err)
	owned, err := config.Parse("owned.yaml", []byte(vpc))
	require.NoError(t, err)
	owned.Network.ExistingVpc.OwnerAccount, owned.Network.ExistingVpc.S3Endpoint = "", config.S3EndpointCreated
	for _, golden := range []string{"existing-vpc", "existing-vpc-lookup", "existing-vpc-managed-acls"} {
		assert.Empty(t, ExistingVpcRouting(owned, read(t, "../../test/testdata/"+golden+".network.template.json")), golden)
	}
	network := read(t, "../../test/testdata/existing-vpc-hub.network.template.json")
	require.Empty(t, ExistingVpcRouting(shared, network))
	resources := network["Resources"].(map[string]any)
	resources["Subnet2Association"] = map[string]any{"Type": "AWS::EC2::SubnetRouteTableAssociation",
		"Properties": map[string]any{"SubnetId": "subnet-0aaaaaaaaaaaaaaa2", "RouteTableId": "rtb-0aaaaaaaaaaaaaaa1"}}
	resources["S3Gateway"] = map[string]any{"Type": "AWS::EC2::VPCEndpoint",
		"Properties": map[string]any{"VpcId": "vpc-0a1b2c3d4e5f60718", "ServiceName": "com.amazonaws.us-west-2.s3", "RouteTableIds": []any{"rtb-0aaaaaaaaaaaaaaa1"}}}
	assert.Equal(t, []string{
		"S3Gateway: creates a gateway endpoint on the route tables of the existing VPC vpc-0a1b2c3d4e5f60718, where network.existingVpc.s3Endpoint is existing (the VPC has its own), and its routes are shared by account 222222222222, which only the owner may change",
		"Subnet2Association: creates an AWS::EC2::SubnetRouteTableAssociation in the existing VPC vpc-0a1b2c3d4e5f60718 (network.existingVpc), whose subnets and routes are shared by account 222222222222, which only the owner may change",
	}, ExistingVpcRouting(shared, network))

	// Another service's gateway endpoint is named as its own, in a shared VPC only (the second
	// review of session 18's finding 8: it was called the S3 endpoint).
	delete(resources, "Subnet2Association")
	resources["S3Gateway"].(map[string]any)["Properties"].(map[string]any)["ServiceName"] = "com.amazonaws.us-west-2.dynamodb"
	assert.Equal(t, []string{"S3Gateway: creates a gateway endpoint (com.amazonaws.us-west-2.dynamodb) on the route tables of the existing VPC vpc-0a1b2c3d4e5f60718, " +
		"whose routes are shared by account 222222222222, which only the owner may change"}, ExistingVpcRouting(shared, network))
	assert.Empty(t, ExistingVpcRouting(owned, network), "the VPC is this account's: its own choice")

	// The second review of session 18's finding 8: the S3 endpoint is known by its ServiceName
	// ending in .s3 in any form, CDK's Join with the region (the goldens') and a Sub; the
	// DynamoDB one written as a Sub is named as its own.
	owned.Network.ExistingVpc.S3Endpoint = config.S3EndpointExisting
	golden := read(t, "../../test/testdata/existing-vpc.network.template.json")
	const s3Named = "NetworkEndpointss3F0FA7BB2: creates a gateway endpoint on the route tables of the existing VPC vpc-0a1b2c3d4e5f60718, where network.existingVpc.s3Endpoint is existing (the VPC has its own), and its routes are its owner's"
	assert.Equal(t, []string{s3Named}, ExistingVpcRouting(owned, golden), "CDK's Join")
	endpoint := golden["Resources"].(map[string]any)["NetworkEndpointss3F0FA7BB2"].(map[string]any)["Properties"].(map[string]any)
	endpoint["ServiceName"] = map[string]any{"Fn::Sub": "com.amazonaws.${AWS::Region}.s3"}
	assert.Equal(t, []string{s3Named}, ExistingVpcRouting(owned, golden), "a Sub")
	endpoint["ServiceName"] = map[string]any{"Fn::Sub": []any{"com.amazonaws.${AWS::Region}.dynamodb", map[string]any{}}}
	assert.Equal(t, []string{"NetworkEndpointss3F0FA7BB2: creates a gateway endpoint (com.amazonaws.<region>.dynamodb) on the route tables of the existing VPC vpc-0a1b2c3d4e5f60718, " +
		"whose routes are shared by account 222222222222, which only the owner may change"}, ExistingVpcRouting(shared, golden))
}
