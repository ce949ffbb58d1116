package test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/constructs/nitro"
	propspec "github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/constructs/windows/windowsspec"
	"github.com/privatepatch/privatepatch/constructs/wsus"
	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
)

// wsusStack is a fresh stack with a VPC and a security group, for the wsus constructs alone.
func wsusStack() (awscdk.Stack, awsec2.IVpc, awsec2.ISecurityGroup) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("WsusAlone"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("us-west-2")},
	})
	vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{MaxAzs: jsii.Number(1)})
	group := awsec2.NewSecurityGroup(stack, jsii.String("Group"), &awsec2.SecurityGroupProps{Vpc: vpc})
	return stack, vpc, group
}

// panicOf returns what f panics with, or nil.
func panicOf(f func()) (value any) {
	defer func() { value = recover() }()
	f()
	return nil
}

func TestWsusServerWithDefaultPropsIsBuiltWithTheSpecificationsDefaults(t *testing.T) {
	stack, vpc, group := wsusStack()
	props := &wsus.ServerProps{Vpc: vpc, SecurityGroup: group}
	require.NoError(t, props.Validate())
	server := wsus.NewServer(stack, "Wsus", props)
	assert.Equal(t, "http", strings.Split(*server.URL(), ":")[0])
	var _ awsec2.IConnectable = server
	var grantable awsiam.IGrantable = server
	assert.Equal(t, server.Role(), grantable.GrantPrincipal(), "a grant to the server is a grant to its role")
	template := assertions.Template_FromStack(stack, nil)
	template.HasResourceProperties(jsii.String("AWS::EC2::Instance"), map[string]any{"InstanceType": windowsspec.DefaultInstanceType})
	template.HasResourceProperties(jsii.String("AWS::EC2::Volume"), map[string]any{"Size": wsusspec.DefaultServer().UpdateStoreGiB})
	template.HasResourceProperties(jsii.String("AWS::SSM::Association"), map[string]any{
		"ScheduleExpression": wsusspec.DefaultServer().SetupSchedule,
		"Parameters": assertions.Match_ObjectLike(&map[string]any{
			"Products": []any{windowsspec.DefaultVersion.WsusProduct()}, "SyncTimeUtc": []any{"21:00"},
		}),
	})
}

func TestWsusServerGivenBadPropsPanicsWithAnErrorNamingEachPropAndCreatesNothing(t *testing.T) {
	stack, vpc, group := wsusStack()
	props := &wsus.ServerProps{Vpc: vpc, SecurityGroup: group, TargetGroups: []string{"it's"}}
	props.UpdateStoreGiB, props.InstanceType, props.Port = 100, "t2.large", 8443
	want := `wsus.NewServer("Small"): 4 invalid prop(s):` +
		"\n  - ServerProps.UpdateStoreGiB 100 is not allowed: WSUS needs an update store of at least 150 GiB (at most 16384)" +
		"\n  - ServerProps.InstanceType \"t2.large\" is built on the Xen hypervisor, not the AWS Nitro System: the WSUS setup finds its " +
		"update-store volume by the NVMe serial number (the volume id) that only Nitro instances show; use a Nitro type such as m6i.large, " +
		"not one of the Xen families " + strings.Join(nitro.XenFamilies(), ", ") +
		"\n  - ServerProps.Port 8443 is not a WSUS port: use 8530 (HTTP) or 8531 (HTTPS)" +
		"\n  - ServerProps.TargetGroups[0] \"it's\" is not allowed: use up to 64 letters, digits, spaces and _ . -"
	got := panicOf(func() { wsus.NewServer(stack, "Small", props) })
	err, ok := got.(*propspec.Error)
	require.True(t, ok, "panics with a *propspec.Error, not %T %v", got, got)
	problems := strings.Split(err.Error(), "\n")
	wantLines := strings.Split(want, "\n")
	assert.Equal(t, wantLines[0], problems[0])
	assert.ElementsMatch(t, wantLines[1:], problems[1:])
	assert.Nil(t, stack.Node().TryFindChild(jsii.String("Small")), "nothing is created before the check")
	assert.Equal(t, strings.Replace(err.Error(), `wsus.NewServer("Small")`, "wsus.NewServer", 1), props.Validate().Error(),
		"Validate returns what NewServer panics with")
}

func TestWsusServerRequiresItsVpcAndSecurityGroup(t *testing.T) {
	assert.EqualError(t, (&wsus.ServerProps{}).Validate(), "wsus.NewServer: 2 invalid prop(s):\n  - ServerProps.Vpc <nil> is required\n  - ServerProps.SecurityGroup <nil> is required")
}

func TestWsusClientGivenBadPropsPanicsWithAnErrorNamingEachProp(t *testing.T) {
	stack, _, _ := wsusStack()
	// HTTPS on WSUS's HTTP port: the policy would be written, and every scan would fail.
	props := &wsus.ClientProps{WsusURL: jsii.String("https://10.0.0.10:8530"), TargetTagKey: "fleet"}
	props.AUOptions, props.Schedule = 6, "rate(5 minutes)"
	got := panicOf(func() { wsus.NewClientConfiguration(stack, "Client", props) })
	require.IsType(t, &propspec.Error{}, got)
	message := got.(error).Error()
	assert.Contains(t, message, `wsus.NewClientConfiguration("Client"): 5 invalid prop(s):`)
	assert.Contains(t, message, `ClientProps.WsusURL "https://10.0.0.10:8530" is not a WSUS URL: use http://HOST:8530 or https://HOST:8531`)
	assert.Contains(t, message, `ClientProps.Ec2GroupName "" is required unless IncludeHybridNodes`)
	assert.Contains(t, message, "ClientProps.AUOptions 6 is not an AUOptions value: use 2 (notify), 3 (download, notify), 4 (download, schedule, with noAutoUpdate only) or 7 (notify restart)")
	assert.Contains(t, message, `ClientProps.Schedule "rate(5 minutes)" is not a State Manager schedule: State Manager runs associations at most every 30 minutes`)
	assert.Contains(t, message, `ClientProps.TargetTagValue "" is required`)
}

// The client association takes in hybrid nodes only when told to (IncludeHybridNodes): by default
// it targets a resource group of EC2 instances only, which the construct creates and names.
func TestWsusClientTargetsEc2InstancesOnlyUnlessHybridNodesAreIncluded(t *testing.T) {
	for _, hybrid := range []bool{false, true} {
		stack, _, _ := wsusStack()
		props := &wsus.ClientProps{WsusURL: jsii.String("http://10.0.0.10:8530"), TargetTagKey: "fleet", TargetTagValue: "web",
			Ec2GroupName: "web-wsus-clients", IncludeHybridNodes: hybrid}
		require.NoError(t, props.Validate())
		wsus.NewClientConfiguration(stack, "Client", props)
		template := assertions.Template_FromStack(stack, nil)
		if hybrid {
			template.HasResourceProperties(jsii.String("AWS::SSM::Association"), map[string]any{
				"Targets": []any{map[string]any{"Key": "tag:fleet", "Values": []any{"web"}}}})
			template.ResourceCountIs(jsii.String("AWS::ResourceGroups::Group"), jsii.Number(0))
			continue
		}
		template.HasResourceProperties(jsii.String("AWS::SSM::Association"), map[string]any{
			"Targets": []any{map[string]any{"Key": "resource-groups:Name", "Values": []any{"web-wsus-clients"}}}})
		template.HasResourceProperties(jsii.String("AWS::ResourceGroups::Group"), map[string]any{"Name": "web-wsus-clients",
			"ResourceQuery": map[string]any{"Type": "TAG_FILTERS_1_0", "Query": map[string]any{
				"ResourceTypeFilters": []any{"AWS::EC2::Instance"}, "TagFilters": []any{map[string]any{"Key": "fleet", "Values": []any{"web"}}}}}})
	}
	props := &wsus.ClientProps{WsusURL: jsii.String("http://10.0.0.10:8530"), TargetTagKey: "fleet", TargetTagValue: "web"}
	assert.ErrorContains(t, props.Validate(), `ClientProps.Ec2GroupName "" is required unless IncludeHybridNodes`)
}
