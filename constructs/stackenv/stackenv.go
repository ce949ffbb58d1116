// Package stackenv answers a stack's partition, region and account once per stack. Each is a
// call into Node, and the constructs read them for every ARN and condition they write: 98 of the
// default app's 966 calls, 9 with this.
package stackenv

import (
	"sync"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
)

// Env is a stack's partition, region and account: literals, or the tokens of the pseudo
// parameters (AWS::Partition, AWS::Region, AWS::AccountId) of an environment-agnostic stack.
type Env struct {
	Partition, Region, Account string
}

var (
	mu    sync.Mutex
	known = map[awscdk.Stack]Env{} // jsii gives the same Go value for the same stack
)

// Of is the stack of scope and its environment.
func Of(scope constructs.IConstruct) (awscdk.Stack, Env) {
	stack := awscdk.Stack_Of(scope)
	mu.Lock()
	defer mu.Unlock()
	env, ok := known[stack]
	if !ok {
		env = Env{Partition: *stack.Partition(), Region: *stack.Region(), Account: *stack.Account()}
		known[stack] = env
	}
	return stack, env
}
