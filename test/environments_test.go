package test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/stacks"
)

const twoEnvironmentsYAML = `
environments:
  - {name: prod-usw2, region: us-west-2}
  - {name: prod-euw1, account: "111111111111", region: eu-west-1, availabilityZones: [eu-west-1a, eu-west-1b]}
network:
  s3PrefixListIds: {us-west-2: pl-68a54001}
  s3PrefixListCidrs:
    us-west-2: [54.231.160.0/19]
    eu-west-1: [52.218.0.0/17]
fleet:
  instanceGroups: [{name: web, count: 1, tags: {Environment: Dev, InventoryCategory: App, SeverityLevel: "3", HandlePI: N, IsPublic: N}}]
`

func TestEachEnvironmentIsAStageWithItsOwnStacksAccountRegionAndS3Cidrs(t *testing.T) {
	cfg, err := config.Parse("environments.yaml", []byte(twoEnvironmentsYAML))
	require.NoError(t, err)
	context := cdkJSONContext(t)
	app := awscdk.NewApp(&awscdk.AppProps{Context: &context, AnalyticsReporting: jsii.Bool(false)})
	deployments := stacks.NewDeployments(app, cfg)
	require.Len(t, deployments, 2)

	for i, want := range []struct{ stage, region, account, s3 string }{
		{"prod-usw2", "us-west-2", "${Token[AWS.AccountId", "54.231.160.0/19"},
		{"prod-euw1", "eu-west-1", "111111111111", "52.218.0.0/17"},
	} {
		d := deployments[i]
		assert.Equal(t, want.stage, *awscdk.Stage_Of(d.Network.Stack).StageName())
		assert.Equal(t, []string{"privatepatch-" + want.stage + "-network", "privatepatch-" + want.stage + "-fleet", "privatepatch-" + want.stage + "-patching"},
			[]string{*d.Network.StackName(), *d.Fleet.StackName(), *d.Patching.StackName()})
		assert.Equal(t, want.region, *d.Fleet.Region())
		assert.True(t, strings.HasPrefix(*d.Fleet.Account(), want.account), "%s account %s", want.stage, *d.Fleet.Account())
		network := stackAssertions(t, d.Network.Stack)
		network.HasResourceProperties(jsii.String("AWS::EC2::NetworkAclEntry"), map[string]any{"CidrBlock": want.s3, "RuleNumber": 300, "Egress": true})
		fleet := stackAssertions(t, d.Fleet.Stack)
		fleet.HasResourceProperties(jsii.String("AWS::EC2::LaunchTemplate"), map[string]any{
			"LaunchTemplateName": "privatepatch-" + want.stage + "-fleet-Fleet-web-Instance1",
		})
	}
	euw1 := stackAssertions(t, deployments[1].Network.Stack)
	euw1.HasResourceProperties(jsii.String("AWS::EC2::Subnet"), map[string]any{"AvailabilityZone": "eu-west-1a", "CidrBlock": "10.0.0.0/24"})
}

// prod deploys into an existing VPC of its own, test creates its VPC with the network settings.
const environmentsWithAnExistingVpcYAML = `
environments:
  - name: prod
    account: "111111111111"
    region: us-west-2
    existingVpc:
      vpcId: vpc-0a1b2c3d4e5f60718
      cidr: 10.20.0.0/16
      privateSubnets:
        - {id: subnet-0aaaaaaaaaaaaaaa1, cidr: 10.20.10.0/24, zone: us-west-2a, routeTableId: rtb-0aaaaaaaaaaaaaaa1}
        - {id: subnet-0aaaaaaaaaaaaaaa2, cidr: 10.20.11.0/24, zone: us-west-2b, routeTableId: rtb-0aaaaaaaaaaaaaaa2}
      interfaceEndpoints: hub
      hubCidrs: [10.0.0.0/24]
      s3Endpoint: created
      wsusSubnet: private
      privateInternetPath: nat
  - {name: test, account: "222222222222", region: us-west-2}
network:
  vpcCidr: 10.9.0.0/16
  nat: {enabled: true, gateways: single}
  s3PrefixListIds: {us-west-2: pl-68a54001}
  s3PrefixListCidrs: {us-west-2: [54.231.160.0/19]}
`

func TestAnEnvironmentDeploysIntoItsOwnExistingVpcWhileAnotherCreatesOne(t *testing.T) {
	cfg, err := config.Parse("environments.yaml", []byte(environmentsWithAnExistingVpcYAML))
	require.NoError(t, err)
	context := cdkJSONContext(t)
	app := awscdk.NewApp(&awscdk.AppProps{Context: &context, AnalyticsReporting: jsii.Bool(false)})
	deployments := stacks.NewDeployments(app, cfg)
	require.Len(t, deployments, 2)

	prod := stackAssertions(t, deployments[0].Network.Stack)
	prod.ResourceCountIs(jsii.String("AWS::EC2::VPC"), jsii.Number(0))
	prod.ResourceCountIs(jsii.String("AWS::EC2::NatGateway"), jsii.Number(0))
	prod.HasOutput(jsii.String("VpcId"), map[string]any{"Value": "vpc-0a1b2c3d4e5f60718"})
	prodFleet := stackAssertions(t, deployments[0].Fleet.Stack)
	prodFleet.ResourceCountIs(jsii.String("AWS::EC2::EIP"), jsii.Number(0))

	test := stackAssertions(t, deployments[1].Network.Stack)
	test.HasResourceProperties(jsii.String("AWS::EC2::VPC"), map[string]any{"CidrBlock": "10.9.0.0/16"})
	test.ResourceCountIs(jsii.String("AWS::EC2::NatGateway"), jsii.Number(1))
}
