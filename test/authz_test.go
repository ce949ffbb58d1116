package test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/authz"
)

// TestEveryScenarioAuthorisesItsRuntimeCallsAndDeniesTheForbiddenOnes evaluates the runtime
// call table (authz.Calls) of every scenario with the IAM policy evaluator, in one run: each
// needed call allowed, each forbidden one denied. authz's own tests revert the defects it was
// built to catch in copies of the goldens and see them fail.
func TestEveryScenarioAuthorisesItsRuntimeCallsAndDeniesTheForbiddenOnes(t *testing.T) {
	evaluator, err := authz.Find("..")
	require.NoError(t, err)
	var deployments []authz.Deployment
	for _, sc := range []*scenario{defaultScenario, exampleScenario, natScenario, flowLogsToS3, natWithoutWsus, wsusHTTPS, richPatching} {
		s := sc.synth(t)
		deployments = append(deployments, authz.Deployment{Name: s.name, Env: authz.Env{Account: "111111111111", Region: "us-west-2", Partition: "aws"},
			Stacks: authz.Stacks{
				*s.app.Network.StackName(): s.template, *s.app.Fleet.StackName(): s.fleetJSON, *s.app.Patching.StackName(): s.patchJSON,
			}})
	}
	results, err := evaluator.Evaluate(deployments)
	require.NoError(t, err)
	for _, d := range deployments {
		require.NotEmpty(t, results[d.Name], d.Name)
		required := 0
		for _, r := range results[d.Name] {
			assert.True(t, r.OK(), "%s: %s", d.Name, r)
			if r.Required {
				required++
			}
		}
		assert.Less(t, required, len(results[d.Name]), "%s: forbidden calls are checked too", d.Name)
	}
}
