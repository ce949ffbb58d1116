package test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/constructs/network"
	"github.com/privatepatch/privatepatch/constructs/network/networkspec"
	propspec "github.com/privatepatch/privatepatch/constructs/spec"
)

func TestNetworkConstructGivenBadPropsPanicsWithAnErrorNamingEachPropAndCreatesNothing(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Network"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("us-west-2")}})
	props := &network.Props{
		Settings:       networkspec.Settings{VpcCidr: "10.0.0.0/8", AdminCidrs: []string{"0.0.0.0/0"}, FlowLogs: networkspec.FlowLogs{RetentionDays: 2}},
		S3PrefixListId: "s3",
	}
	got := panicOf(func() { network.NewNetwork(stack, "Network", props) })
	require.Implements(t, (*error)(nil), got)
	assert.Equal(t, `network.NewNetwork("Network"): 5 invalid prop(s):`+
		"\n  - Props.S3PrefixListId \"s3\" is not a prefix-list id (pl-...): the private security group could not reach S3; use LookupS3PrefixListId or give it"+
		"\n  - Props.S3PrefixListCidrs \"\" is empty: private subnets could not reach S3, so patching would fail; use LookupS3PrefixListCidrs or list them"+
		"\n  - Props.VpcCidr \"10.0.0.0/8\" is not allowed: a VPC block has a prefix length from /16 to /28"+
		"\n  - Props.AdminCidrs[0] \"0.0.0.0/0\" opens RDP to (nearly) the whole internet: list your administrators' own address blocks, or none and use Session Manager"+
		"\n  - Props.FlowLogs.RetentionDays 2 is not a CloudWatch Logs retention period: use one of [1 3 5 7 14 30 60 90 120 150 180 365 400 545 731 1096 1827 2192 2557 2922 3288 3653]",
		got.(error).Error())
	validated := props.Validate("us-west-2")
	require.IsType(t, got, validated)
	assert.Equal(t, got.(*propspec.Error).Problems, validated.(*propspec.Error).Problems, "Validate returns the problems NewNetwork panics with")
	assert.Nil(t, stack.Node().TryFindChild(jsii.String("Network")), "nothing is created before the check")
}

func TestNetworkConstructInAnExistingVpcChecksItsBlockNotTheCreatedVpcSettings(t *testing.T) {
	props := &network.Props{
		Settings:          networkspec.Settings{AzCount: 9, AdminCidrs: []string{"10.20.0.0/24"}},
		S3PrefixListId:    "pl-68a54001",
		S3PrefixListCidrs: []string{"52.218.0.0/17"},
		Existing:          &network.ExistingVpc{VpcId: "vpc-0123456789abcdef0", Cidr: "10.20.0.0/16", PrivateSubnets: []network.Subnet{{Id: "subnet-1"}}},
	}
	err := props.Validate("us-west-2")
	require.Error(t, err)
	assert.Equal(t, "network.NewNetwork: 1 invalid prop(s):\n  - Props.AdminCidrs[0] \"10.20.0.0/24\" overlaps the VPC 10.20.0.0/16: "+
		"admin CIDRs are where administrators connect from, outside the VPC (inside it, use Session Manager)", err.Error())
}

// What the construct relies on of an existing VPC, each refused naming its prop.
func TestNetworkConstructRefusesAnExistingVpcItCannotBuildIn(t *testing.T) {
	base := func(e *network.ExistingVpc) *network.Props {
		return &network.Props{S3PrefixListId: "pl-68a54001", S3PrefixListCidrs: []string{"52.218.0.0/17"}, Existing: e}
	}
	subnets := []network.Subnet{{Id: "subnet-1"}}
	for _, c := range []struct {
		name     string
		existing *network.ExistingVpc
		want     string
	}{
		{"neither_ids_nor_lookup", &network.ExistingVpc{Cidr: "10.20.0.0/16"}, `Props.Existing "" needs VpcId and PrivateSubnets, or Lookup`},
		{"managed_acls_without_public_subnets", &network.ExistingVpc{VpcId: "vpc-0123456789abcdef0", Cidr: "10.20.0.0/16", PrivateSubnets: subnets, ManageNetworkAcls: true},
			"Props.Existing.ManageNetworkAcls true needs PublicSubnets"},
		{"lookup_without_tags", &network.ExistingVpc{Lookup: &network.VpcLookup{PrivateSubnetGroup: "Private"}}, "Props.Existing.Lookup"},
		{"managed_acls_with_a_lookup", &network.ExistingVpc{Lookup: &network.VpcLookup{Tags: map[string]string{"Name": "x"}, PrivateSubnetGroup: "Private"}, ManageNetworkAcls: true},
			"Props.Existing.ManageNetworkAcls true cannot be set with Lookup"},
		{"hub_without_its_cidrs", &network.ExistingVpc{VpcId: "vpc-0123456789abcdef0", Cidr: "10.20.0.0/16", PrivateSubnets: subnets, InterfaceEndpointsProvided: true},
			`Props.Existing.HubCidrs "" is empty`},
		{"bad_hub_cidr", &network.ExistingVpc{VpcId: "vpc-0123456789abcdef0", Cidr: "10.20.0.0/16", PrivateSubnets: subnets, InterfaceEndpointsProvided: true, HubCidrs: []string{"nope"}},
			"Props.Existing.HubCidrs[0]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := base(c.existing).Validate("us-west-2")
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
	assert.NoError(t, base(&network.ExistingVpc{VpcId: "vpc-0123456789abcdef0", Cidr: "10.20.0.0/16", PrivateSubnets: subnets}).Validate("us-west-2"))
}
