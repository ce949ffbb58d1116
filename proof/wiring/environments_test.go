package wiring

import (
	"testing"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/proof/cfnupdate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Mutation run 24's B20: the patching stack's manifest environment in another region than the
// configuration's is named; the same stacks in the configured region and account pass, and with
// no account configured the account stays unknown-account without a problem.
func TestAStacksManifestEnvironmentIsItsDeploymentsRegionAndAccount(t *testing.T) {
	cfg, err := config.Load("../../config/example.yaml")
	require.NoError(t, err)
	cfg.Account, cfg.Region = "", "us-west-2"
	stacks := func(patching string) []cfnupdate.Stack {
		var out []cfnupdate.Stack
		for _, part := range []string{"network", "fleet", "patching"} {
			out = append(out, cfnupdate.Stack{Name: cfg.StackName(part), Account: cfnupdate.UnknownAccount, Region: "us-west-2", TerminationProtection: true})
		}
		out[2].Region = patching
		return out
	}
	assert.Empty(t, StackEnvironments(stacks("us-west-2"), cfg))
	assert.Equal(t, []string{cfg.StackName("patching") + " deploys to region us-east-1 by its manifest environment aws://unknown-account/us-east-1, the configuration's region is us-west-2: its resources are made where the deployment's others are not"},
		StackEnvironments(stacks("us-east-1"), cfg))

	// The fourth review's F1: a configured stack not in the manifest under its name is named.
	renamed := stacks("us-west-2")
	renamed[1].Name += "-copy"
	assert.Equal(t, []string{cfg.StackName("fleet") + ": the configuration's fleet stack is not in the cloud assembly's manifest under that name: " +
		"the deploy would make it under another name, or not at all"}, StackEnvironments(renamed, cfg))

	// Held-out run 41's A09 and B08: a stack's termination protection turned off in its manifest.
	unprotected := stacks("us-west-2")
	unprotected[0].TerminationProtection = false
	problems := StackEnvironments(unprotected, cfg)
	require.Len(t, problems, 1)
	assert.Contains(t, problems[0], cfg.StackName("network")+": its manifest turns termination protection off, and cdk deploy sets the manifest's value on every deploy")

	cfg.Account = "111111111111"
	assert.Len(t, StackEnvironments(stacks("us-west-2"), cfg), 3, "an account configured: unknown-account is not it")
}
