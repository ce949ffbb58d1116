// Command floorapp is the benchmark floor: a CDK app of one stack with one resource, run as a
// process like the real app, so `make bench` can compare their time and peak memory.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Floor"), nil)
	awssns.NewTopic(stack, jsii.String("Topic"), nil)
	app.Synth(nil)
}
