package test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/stretchr/testify/assert"
)

// cdk deploy sets a deployed stack's termination protection to the synthesised value on every
// deploy, so the stacks must carry it themselves (make deploy adds the stack policy).
func TestEveryStackOfADeploymentHasTerminationProtection(t *testing.T) {
	s := defaultScenario.synth(t)
	for _, stack := range []awscdk.Stack{s.app.Network.Stack, s.app.Fleet.Stack, s.app.Patching.Stack} {
		assert.True(t, *stack.TerminationProtection(), *stack.StackName())
	}
}
