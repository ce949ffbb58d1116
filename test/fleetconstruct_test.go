package test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/constructs/compliance"
	"github.com/privatepatch/privatepatch/constructs/fleet"
	"github.com/privatepatch/privatepatch/constructs/windows/windowsspec"
)

func TestFleetConstructWithDefaultGroupSettingsBuildsTheSpecificationsDefaults(t *testing.T) {
	stack, vpc, group := wsusStack()
	props := &fleet.Props{Vpc: vpc, SecurityGroup: group, SubnetGroupName: "Public", Groups: []fleet.InstanceGroup{{Name: "app", Count: 2}}}
	require.NoError(t, props.Validate())
	f := fleet.NewFleet(stack, "Fleet", props)
	assert.Len(t, f.Instances()["app"], 2)
	var grantable awsiam.IGrantable = f
	assert.Equal(t, f.Role(), grantable.GrantPrincipal(), "a grant to the fleet is a grant to its role")
	template := assertions.Template_FromStack(stack, nil)
	template.ResourcePropertiesCountIs(jsii.String("AWS::EC2::Instance"), map[string]any{"InstanceType": windowsspec.DefaultInstanceType}, jsii.Number(2))
}

func TestFleetConstructGivenBadPropsPanicsWithAnErrorNamingEachProp(t *testing.T) {
	stack, vpc, group := wsusStack()
	props := &fleet.Props{Vpc: vpc, SecurityGroup: group, Groups: []fleet.InstanceGroup{{Name: "app", Count: 0}, {Name: "app", Count: 1}},
		Tags: map[string]string{"aws:fleet": "x"}}
	got := panicOf(func() { fleet.NewFleet(stack, "Fleet", props) })
	require.Implements(t, (*error)(nil), got)
	assert.Equal(t, `fleet.NewFleet("Fleet"): 3 invalid prop(s):`+
		"\n  - Props.Groups[0].Count 0 is out of range: use 1 to 20"+
		"\n  - Props.Groups[1].Name \"app\" is used by another instance group: names must be unique"+
		"\n  - Props.Tags \"aws:fleet\" is not a valid tag key: use 1-128 letters, digits, spaces and _ . : / = + - @, not starting with aws:",
		got.(error).Error())
	assert.Nil(t, stack.Node().TryFindChild(jsii.String("Fleet")), "nothing is created before the check")
}

func TestResourceGroupsConstructNamesAGroupWithoutTags(t *testing.T) {
	stack, _, _ := wsusStack()
	got := panicOf(func() {
		compliance.NewResourceGroups(stack, "Groups", &compliance.ResourceGroupsProps{Groups: []compliance.TagGroup{{Name: "web"}}})
	})
	require.Implements(t, (*error)(nil), got)
	assert.Equal(t, "compliance.NewResourceGroups(\"Groups\"): 1 invalid prop(s):\n  - ResourceGroupsProps.Groups[0].Tags \"\" is empty: "+
		"a group needs at least one tag to select its instances", got.(error).Error())
}
