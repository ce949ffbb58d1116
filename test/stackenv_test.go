package test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"

	"github.com/privatepatch/privatepatch/constructs/stackenv"
)

// stackenv keeps each stack's environment by the stack: two stacks of one app in other regions
// and accounts, asked for in turn and again, each get their own, and an environment-agnostic
// stack the pseudo parameters' tokens.
func TestEachStackGetsItsOwnEnvironmentOnceRead(t *testing.T) {
	app := awscdk.NewApp(&awscdk.AppProps{TreeMetadata: jsii.Bool(false)})
	stack := func(id, account, region string) awscdk.Stack {
		props := &awscdk.StackProps{}
		if region != "" {
			props.Env = &awscdk.Environment{Account: jsii.String(account), Region: jsii.String(region)}
		}
		return awscdk.NewStack(app, jsii.String(id), props)
	}
	oregon, ireland, anywhere := stack("Oregon", "111111111111", "us-west-2"), stack("Ireland", "222222222222", "eu-west-1"), stack("Anywhere", "", "")
	for range 2 {
		_, env := stackenv.Of(oregon)
		assert.Equal(t, stackenv.Env{Partition: *oregon.Partition(), Region: "us-west-2", Account: "111111111111"}, env)
		_, env = stackenv.Of(ireland)
		assert.Equal(t, stackenv.Env{Partition: *ireland.Partition(), Region: "eu-west-1", Account: "222222222222"}, env)
		found, env := stackenv.Of(anywhere)
		assert.Equal(t, *anywhere.StackName(), *found.StackName())
		assert.True(t, *awscdk.Token_IsUnresolved(jsii.String(env.Region)), "an environment-agnostic stack's region is a token: %s", env.Region)
		assert.Equal(t, *anywhere.Account(), env.Account)
	}
}
