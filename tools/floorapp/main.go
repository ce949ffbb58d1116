// Command floorapp is the benchmark floor: a CDK app of one stack with one resource, run as a
// process like the real app, so `make bench` can compare their time and peak memory.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"
)

func main() {
	if len(os.Args) > 1 {
		fmt.Fprintln(os.Stderr, `Usage: go run ./tools/floorapp    (make bench runs it)

The benchmark floor: a CDK app of one stack with one SNS topic, synthesised to CDK_OUTDIR (or a
temporary directory), so make bench can compare the real app's time and peak memory with the
least any CDK app in Go costs. It takes no arguments.`)
		if os.Args[1] == "-h" || os.Args[1] == "-help" || os.Args[1] == "--help" {
			os.Exit(0)
		}
		os.Exit(2)
	}
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Floor"), nil)
	awssns.NewTopic(stack, jsii.String("Topic"), nil)
	app.Synth(nil)
}
