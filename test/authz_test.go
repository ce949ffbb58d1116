package test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/authz"
)

func authzDeployment(s *scenario) authz.Deployment {
	cfg, _ := s.config()
	return authz.Deployment{Name: s.name, Env: authz.Env{Account: "111111111111", Region: "us-west-2", Partition: "aws"},
		S3EndpointProvided:  cfg.Network.ExistingVpc != nil && cfg.Network.ExistingVpc.S3Endpoint == "existing",
		DeclaredReadBuckets: cfg.Network.S3Endpoint.ReadBuckets, DeclaredReadWriteBuckets: cfg.Network.S3Endpoint.ReadWriteBuckets,
		Stacks: authz.Stacks{
			*s.app.Network.StackName(): s.template, *s.app.Fleet.StackName(): s.fleetJSON, *s.app.Patching.StackName(): s.patchJSON,
		}}
}

// TestEveryScenarioAuthorisesItsRuntimeCallsAndDeniesTheForbiddenOnes evaluates the runtime
// call table (authz.Calls) of every scenario with the IAM policy evaluator, in one run: each
// needed call allowed, each forbidden one denied; and every statement, action, resource and
// condition of the templates' policies needed by a row (authz.Prove's mutations). authz's own
// tests plant defects in copies of the goldens and see them fail.
func TestEveryScenarioAuthorisesItsRuntimeCallsAndDeniesTheForbiddenOnes(t *testing.T) {
	evaluator, err := authz.Find("..")
	require.NoError(t, err)
	var deployments []authz.Deployment
	for _, sc := range []*scenario{defaultScenario, exampleScenario, natScenario, flowLogsToS3, natWithoutWsus, wsusHTTPS, richPatching,
		existingVpc, existingVpcHub} {
		deployments = append(deployments, authzDeployment(sc.synth(t)))
	}
	proof, err := evaluator.Prove(deployments)
	require.NoError(t, err)
	results := proof.Results
	for _, d := range deployments {
		require.NotEmpty(t, proof.Mutations[d.Name], d.Name)
		for _, m := range authz.Unjustified(proof.Mutations[d.Name]) {
			t.Errorf("%s: %s: no row needs it (excess privilege, or a protection no row tests)", d.Name, m.Mutation)
		}
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

// TestADeclaredS3EndpointLeavesTheEndpointsDenialsUnprovenAndListsTheBucketsItMustAllow: with
// the VPC's own S3 endpoint, the calls only an endpoint policy denies (a bucket outside the
// architecture) are not claimed, and the buckets the owner's policy must allow are named.
func TestADeclaredS3EndpointLeavesTheEndpointsDenialsUnprovenAndListsTheBucketsItMustAllow(t *testing.T) {
	d := authzDeployment(existingVpcHub.synth(t))
	require.True(t, d.S3EndpointProvided)
	calls, err := authz.Calls(d.Stacks, d.Env)
	require.NoError(t, err)
	var unproven []string
	for _, c := range calls {
		if d.Unproven(c, nil) {
			unproven = append(unproven, c.Caller+" "+c.Resource)
		}
	}
	assert.Equal(t, []string{"fleet instance (FleetRole) arn:aws:s3:::attacker-chosen-bucket/payload",
		"WSUS server (WsusRole) arn:aws:s3:::attacker-chosen-bucket/payload"}, unproven, "WSUS is in a private subnet too")
	buckets, err := authz.EndpointBuckets(d)
	require.NoError(t, err)
	for _, want := range []string{"aws-ssm-us-west-2", "aws-windows-downloads-us-west-2", "patch-baseline-snapshot-us-west-2"} {
		assert.Contains(t, buckets, want)
	}
	assert.NotContains(t, buckets, "attacker-chosen-bucket")
	assert.Contains(t, buckets, "privatepatch-ssm-111111111111-us-west-2", "the command-output bucket, which the fleet writes to")

	// Planted: with the endpoint not declared, nothing is left unproven (its absence is a failure).
	d.S3EndpointProvided = false
	for _, c := range calls {
		assert.False(t, d.Unproven(c, nil), c.Resource)
	}
}
