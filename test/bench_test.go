package test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/stacks"
)

// The benchmarks measure synthesis with Node already running (make bench; docs/benchmarks.md),
// without CDK's built-in CloudFormation validation, as every synth in this package (TestMain).

func synthOnce(b *testing.B, cfg *config.Config) {
	context := cdkJSONContext(b)
	app := awscdk.NewApp(&awscdk.AppProps{Context: &context, AnalyticsReporting: jsii.Bool(false)})
	stacks.NewDeployments(app, cfg)
	app.Synth(nil)
}

// BenchmarkSynthDefault measures one synthesis of the embedded default configuration, both
// cdk-nag packs included.
func BenchmarkSynthDefault(b *testing.B) {
	cfg, err := config.LoadDefault()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		synthOnce(b, cfg)
	}
}

// BenchmarkSynthFloor is the floor: an app of one stack with one resource, as cheap as CDK gets.
func BenchmarkSynthFloor(b *testing.B) {
	context := cdkJSONContext(b)
	for b.Loop() {
		app := awscdk.NewApp(&awscdk.AppProps{Context: &context, AnalyticsReporting: jsii.Bool(false)})
		stack := awscdk.NewStack(app, jsii.String("Floor"), nil)
		awssns.NewTopic(stack, jsii.String("Topic"), nil)
		app.Synth(nil)
	}
}

// benchmarkGrowth synthesises, for each size, the configuration that yaml(size) returns.
func benchmarkGrowth(b *testing.B, sizes []int, yaml func(n int) string) {
	for _, n := range sizes {
		cfg, err := config.Parse("bench.yaml", []byte(yaml(n)))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				synthOnce(b, cfg)
			}
		})
	}
}

// BenchmarkSynthInstanceGroups measures growth with the number of instance groups.
func BenchmarkSynthInstanceGroups(b *testing.B) {
	benchmarkGrowth(b, []int{1, 10, 100}, func(n int) string {
		var yaml strings.Builder
		yaml.WriteString("region: us-west-2\nnetwork: {s3PrefixListIds: {us-west-2: pl-68a54001}, s3PrefixListCidrs: {us-west-2: [54.231.160.0/19]}}\nfleet:\n  instanceGroups:\n")
		for i := range n {
			fmt.Fprintf(&yaml, "    - {name: g%d, count: 1, %s}\n", i, `tags: {Environment: Dev, InventoryCategory: App, SeverityLevel: "3", HandlePI: N, IsPublic: N}`)
		}
		return yaml.String()
	})
}

// BenchmarkSynthEnvironments measures growth with the number of environments (three stacks each).
func BenchmarkSynthEnvironments(b *testing.B) {
	benchmarkGrowth(b, []int{1, 5, 20}, func(n int) string {
		var yaml strings.Builder
		yaml.WriteString("network: {s3PrefixListIds: {us-west-2: pl-68a54001}, s3PrefixListCidrs: {us-west-2: [54.231.160.0/19]}}\nenvironments:\n")
		for i := range n {
			fmt.Fprintf(&yaml, "  - {name: env%d, account: \"%012d\", region: us-west-2}\n", i, 100000000000+i)
		}
		return yaml.String()
	})
}

// BenchmarkConfigParse measures loading and validating the embedded default.
func BenchmarkConfigParse(b *testing.B) {
	for b.Loop() {
		if _, err := config.LoadDefault(); err != nil {
			b.Fatal(err)
		}
	}
}
