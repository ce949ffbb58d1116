package test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/constructs/network/networkspec"
)

// resolveAtDeploy replaces what CloudFormation resolves in a policy document with what it
// resolves to: the account (agnostic stacks; any 12 digits, config's estimate uses the same) and
// the partition, and joins Fn::Join.
func resolveAtDeploy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["Ref"].(string); ok && len(v) == 1 {
			return map[string]string{"AWS::AccountId": "123456789012", "AWS::Partition": "aws"}[ref]
		}
		if join, ok := v["Fn::Join"].([]any); ok && len(v) == 1 {
			var parts []string
			for _, part := range join[1].([]any) {
				parts = append(parts, resolveAtDeploy(part).(string))
			}
			return strings.Join(parts, join[0].(string))
		}
		out := map[string]any{}
		for k, x := range v {
			out[k] = resolveAtDeploy(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = resolveAtDeploy(x)
		}
		return out
	}
	return v
}

// TestTheS3EndpointPolicyEstimateIsTheSynthesisedPolicy proves config's CDK-free S3 endpoint
// policy (whose length validation holds to the 20,480 characters of a VPC endpoint policy) is,
// character for character, the policy the network construct synthesises, in every network
// scenario: with listed read and read-write buckets (example), agnostic and with an account.
func TestTheS3EndpointPolicyEstimateIsTheSynthesisedPolicy(t *testing.T) {
	for _, sc := range []*scenario{defaultScenario, exampleScenario, natScenario, existingVpc, existingVpcManaged, existingVpcLookup} {
		t.Run(sc.name, func(t *testing.T) {
			s := sc.synth(t)
			cfg, err := sc.config()
			require.NoError(t, err)
			_, gateway := oneOf(t, s.template, "AWS::EC2::VPCEndpoint", "NetworkEndpointss3")
			deployed, err := json.Marshal(resolveAtDeploy(props(gateway)["PolicyDocument"]))
			require.NoError(t, err)
			estimate := cfg.S3EndpointPolicy()
			assert.Equal(t, string(deployed), string(estimate))
			assert.Less(t, len(estimate), networkspec.MaxEndpointPolicyCharacters)
		})
	}
}
