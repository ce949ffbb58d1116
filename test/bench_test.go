package test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/stacks"
)

// BenchmarkSynthDefault measures one synthesis of the embedded default configuration, cdk-nag
// included, with Node already running (make bench).
func BenchmarkSynthDefault(b *testing.B) {
	cfg, err := config.LoadDefault()
	if err != nil {
		b.Fatal(err)
	}
	context := cdkJSONContext(b)
	for b.Loop() {
		app := awscdk.NewApp(&awscdk.AppProps{Context: &context, AnalyticsReporting: jsii.Bool(false)})
		stacks.NewPrivatePatch(app, cfg)
		app.Synth(nil)
	}
}

// BenchmarkConfigParse measures loading and validating the embedded default.
func BenchmarkConfigParse(b *testing.B) {
	for b.Loop() {
		if _, err := config.LoadDefault(); err != nil {
			b.Fatal(err)
		}
	}
}
