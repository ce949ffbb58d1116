package test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cdk deploy sets a deployed stack's termination protection to the synthesised value on every
// deploy (the manifest's terminationProtection, which the CLI reads), so the stacks must carry it
// themselves (make deploy adds the stack policy).
func TestEveryStackOfADeploymentHasTerminationProtection(t *testing.T) {
	s := defaultScenario.synth(t)
	require.Len(t, s.stacks, 3)
	for _, stack := range s.stacks {
		assert.True(t, stack.TerminationProtection, stack.Name)
	}
}
