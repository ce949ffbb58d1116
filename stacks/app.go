package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/network"
	"github.com/privatepatch/privatepatch/constructs/tagspec"
)

// PrivatePatch is every stack of one configuration.
type PrivatePatch struct {
	Network  NetworkStack
	Fleet    FleetStack
	Patching PatchingStack
}

// NewDeployments adds every deployment of cfg to app: its stacks directly for a configuration
// without environments, else a CDK stage per environment (named after it) holding its stacks.
func NewDeployments(app awscdk.App, cfg *config.Config) []PrivatePatch {
	if len(cfg.Environments) == 0 {
		return []PrivatePatch{NewPrivatePatch(app, cfg)}
	}
	var out []PrivatePatch
	for _, d := range cfg.Deployments() {
		stage := awscdk.NewStage(app, jsii.String(d.Environment), &awscdk.StageProps{Env: environment(d)})
		out = append(out, NewPrivatePatch(stage, d))
	}
	return out
}

// NewPrivatePatch adds the stacks of one deployment (one account and region) to scope, an app
// or a stage, tags them, and applies the cdk-nag packs (AwsSolutions, NIST 800-53 rev 5) so that
// every synth reports findings and writes the nag reports.
func NewPrivatePatch(scope constructs.Construct, cfg *config.Config) PrivatePatch {
	p := NewPrivatePatchWithoutNag(scope, cfg)
	applyNagPacks(scope, true)
	return p
}

// NewPrivatePatchWithoutNagReports is NewPrivatePatch with the same cdk-nag findings (the
// stacks' error and warning annotations) and without writing the packs' reports, about a third
// of their cost: for callers that read the annotations, such as the tests.
func NewPrivatePatchWithoutNagReports(scope constructs.Construct, cfg *config.Config) PrivatePatch {
	p := NewPrivatePatchWithoutNag(scope, cfg)
	applyNagPacks(scope, false)
	return p
}

// NewPrivatePatchWithoutNag is NewPrivatePatch without the cdk-nag packs, whose checks take
// about a third of a synthesis with Node running: for callers that check the same stacks another way,
// such as the tests of what CloudFormation does on update. The templates are the same.
func NewPrivatePatchWithoutNag(scope constructs.Construct, cfg *config.Config) PrivatePatch {
	for key, value := range cfg.Tags {
		// A tag a type's own rules refuse is left off that type (a Security Hub hub refuses a key
		// with a space): the configuration's tags must not fail a resource's creation.
		var props *awscdk.TagProps
		if refusing := tagspec.TypesRefusing(key, value); len(refusing) > 0 {
			props = &awscdk.TagProps{ExcludeResourceTypes: jsii.Strings(refusing...)}
		}
		awscdk.Tags_Of(scope).Add(jsii.String(key), jsii.String(value), props)
	}
	p := PrivatePatch{Network: NewNetworkStack(scope, cfg)}
	p.Fleet = NewFleetStack(scope, cfg, p.Network.Network)
	p.Patching = NewPatchingStack(scope, cfg, p.Fleet)
	for _, stack := range []awscdk.Stack{p.Network.Stack, p.Fleet.Stack, p.Patching.Stack} {
		cdknag.NagSuppressions_AddStackSuppressions(stack, &[]*cdknag.NagPackSuppression{{
			Id: jsii.String("NIST.800.53.R5-IAMNoInlinePolicy"),
			Reason: jsii.String("Each AWS::IAM::Policy here belongs to one role and is built from that role's grants (CDK's " +
				"DefaultPolicy, the run-command log writers): a customer managed policy would hold the same statements, " +
				"versioned, and could be attached elsewhere by mistake"),
		}}, jsii.Bool(false))
	}
	return p
}

// applyNagPacks checks everything under scope with cdk-nag's AwsSolutions and NIST 800-53 rev 5
// packs on every synth, and writes their reports if asked.
func applyNagPacks(scope constructs.IConstruct, reports bool) {
	props := &cdknag.NagPackProps{Verbose: jsii.Bool(true), Reports: jsii.Bool(reports)}
	awscdk.Aspects_Of(scope).Add(cdknag.NewAwsSolutionsChecks(props), nil)
	awscdk.Aspects_Of(scope).Add(cdknag.NewNIST80053R5Checks(props), nil)
}

// terminationProtection is on for every stack of a deployment: deleting one needs it turned off
// first (the stack policy make deploy sets guards updates only). cdk deploy sets the deployed
// stack's protection to the synthesised value on every deploy, so it is set here, not by a CLI
// call after the deploy that the next deploy would undo.
var terminationProtection = jsii.Bool(true)

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
