package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/network"
)

// PrivatePatch is every stack of one configuration.
type PrivatePatch struct {
	Network  NetworkStack
	Fleet    FleetStack
	Patching PatchingStack
}

// NewPrivatePatch adds the stacks for cfg to app, tags them, and applies the cdk-nag
// AwsSolutions checks so that every synth reports findings and writes the nag report.
func NewPrivatePatch(app awscdk.App, cfg *config.Config) PrivatePatch {
	for key, value := range cfg.Tags {
		awscdk.Tags_Of(app).Add(jsii.String(key), jsii.String(value), nil)
	}
	p := PrivatePatch{Network: NewNetworkStack(app, cfg)}
	p.Fleet = NewFleetStack(app, cfg, p.Network.Network)
	p.Patching = NewPatchingStack(app, cfg, p.Fleet)
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{
		Verbose: jsii.Bool(true),
		Reports: jsii.Bool(true),
	}), nil)
	return p
}

// environment pins the region always and the account when configured; without an account the
// stacks deploy to any account but cannot use context lookups.
func environment(cfg *config.Config) *awscdk.Environment {
	env := &awscdk.Environment{Region: jsii.String(cfg.Region)}
	if cfg.Account != "" {
		env.Account = jsii.String(cfg.Account)
	}
	return env
}

func publicSubnets() *awsec2.SubnetSelection {
	return &awsec2.SubnetSelection{SubnetGroupName: jsii.String(network.PublicSubnetGroup)}
}

func privateSubnets() *awsec2.SubnetSelection {
	return &awsec2.SubnetSelection{SubnetGroupName: jsii.String(network.PrivateSubnetGroup)}
}
