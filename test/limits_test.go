package test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
)

// largestScenario is the largest configuration the documentation allows (the maximum fleet and
// every per-stack option). Without cdk-nag: counting resources needs no findings, and the 200
// instances would double the checks' time.
var largestScenario = &scenario{name: "largest", withoutNag: true, config: func() (*config.Config, error) {
	return config.LoadFile("testdata/largest.yaml")
}}

func resourceTypeCounts(template map[string]any) (map[string]int, int) {
	counts := map[string]int{}
	resources := template["Resources"].(map[string]any)
	for _, r := range resources {
		counts[r.(map[string]any)["Type"].(string)]++
	}
	return counts, len(resources)
}

// TestStackResourceFormulaMatchesTheSynthesisedTemplates proves config.StackResources, which
// validation uses to refuse a configuration before CloudFormation's 500 resources per stack:
// every listed resource type is counted exactly, and the rest stays within its bound.
func TestStackResourceFormulaMatchesTheSynthesisedTemplates(t *testing.T) {
	for _, s := range []*scenario{defaultScenario, exampleScenario, natScenario, natSingle, flowLogsToS3, natWithoutWsus, wsusHTTPS, richPatching, threeZones, largestScenario} {
		s.synth(t)
		cfg, err := s.config()
		require.NoError(t, err)
		formula := cfg.StackResources()
		for stack, template := range map[string]map[string]any{"network": s.template, "fleet": s.fleetJSON, "patching": s.patchJSON} {
			counts, total := resourceTypeCounts(template)
			r := formula[stack]
			listed := 0
			for resourceType, n := range r.Listed {
				assert.Equal(t, n, counts[resourceType], "%s %s: %s", s.name, stack, resourceType)
				listed += counts[resourceType]
			}
			// +1: the CDK CLI adds a CDKMetadata resource to each stack, which the tests leave out.
			assert.LessOrEqual(t, total-listed+1, r.Other, "%s %s: resources no list multiplies exceed their bound", s.name, stack)
			t.Logf("%s %s: %d resources, %d listed, %d others", s.name, stack, total, listed, total-listed)
			assert.LessOrEqual(t, total, r.Total(), "%s %s", s.name, stack)
		}
	}
}

// TestTheLargestDocumentedConfigurationSynthesisesWithinTheQuota synthesises
// test/testdata/largest.yaml: config.MaxFleetInstances instances beside every option.
func TestTheLargestDocumentedConfigurationSynthesisesWithinTheQuota(t *testing.T) {
	s := largestScenario.synth(t)
	assert.Len(t, s.fleetResources("AWS::EC2::Instance"), config.MaxFleetInstances+1, "the maximum fleet and the WSUS server")
	assert.Len(t, s.fleetResources("AWS::IAM::InstanceProfile"), 2, "one profile for the fleet, one for the WSUS server")
	for stack, template := range map[string]map[string]any{"network": s.template, "fleet": s.fleetJSON, "patching": s.patchJSON} {
		_, total := resourceTypeCounts(template)
		assert.Less(t, total, config.StackResourceQuota, stack+": the CDK CLI adds CDKMetadata")
		t.Logf("%s: %d resources", stack, total)
	}
}
