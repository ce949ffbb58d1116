// Package kernel starts CDK's jsii kernel as the app, the benchmark floor (tools/floorapp) and
// the CDK tests run it: with the app's Node options (options.go) and, where it can, without jsii's
// launcher process (launcher.go), so make bench compares the app and the floor under one runtime.
package kernel

import (
	"fmt"
	"os"

	"github.com/aws/jsii-runtime-go"
)

// Prepare sets the environment jsii starts its kernel with: NODE_OPTIONS (NodeOptions) and the
// launcher (Direct). jsii-runtime-go prepares its kernel, environment included, when the
// program's CDK packages register their types (package initialisation, before main) and starts it
// at the first call; closing the prepared one makes the next call prepare one with this
// environment. Call it before anything calls into CDK. Where the kernel cannot run without jsii's
// launcher, it runs with it, as before, and PRIVATEPATCH_KERNEL_DEBUG=1 prints why.
func Prepare() {
	os.Setenv("NODE_OPTIONS", NodeOptions(os.Getenv("NODE_OPTIONS")))
	if err := Direct(); err != nil && os.Getenv("PRIVATEPATCH_KERNEL_DEBUG") != "" {
		fmt.Fprintln(os.Stderr, "privatepatch: jsii's kernel runs with jsii's launcher:", err)
	}
	jsii.Close()
}
