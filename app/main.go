// Command app synthesises privatepatch. It loads the configuration named by the CDK context
// value "config" (cdk synth -c config=PATH) or the PRIVATEPATCH_CONFIG environment variable,
// falling back to the embedded default, validates it, and only then creates the stacks.
//
// Run by the CDK CLI it gets its context and output directory from the CLI; run directly
// (go run ./app, from the project root) it reads cdk.json and cdk.context.json itself and writes
// to cdk.out, so both ways synthesise the same templates.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatepatch/privatepatch/app/assembly"
	"github.com/privatepatch/privatepatch/app/cdkcontext"
	"github.com/privatepatch/privatepatch/app/kernel"
	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/stacks"
)

// usage is what --help prints; the CDK CLI runs the app without arguments.
const usage = `Usage: make synth [CONFIG=file]    (or: npx cdk synth [-c config=file], go run ./app)

privatepatch's CDK app: loads the configuration (the CDK context value "config", else the file
named by PRIVATEPATCH_CONFIG, else the embedded default config/default.yaml), validates it,
reporting every bad value at once, and only then synthesises the network, fleet and patching
stacks (or, with pipeline.enabled, the pipeline stack) to CDK_OUTDIR, or cdk.out when run
directly from the project root. Exit status 1 on a bad configuration, with nothing synthesised.
It takes no arguments.
`

func main() {
	if len(os.Args) > 1 {
		fmt.Fprint(os.Stderr, usage)
		if os.Args[1] == "-h" || os.Args[1] == "-help" || os.Args[1] == "--help" {
			exit(0)
		}
		exit(2)
	}
	outdir := os.Getenv("CDK_OUTDIR")
	context, err := cdkcontext.Direct(".")
	if err == nil && outdir == "" {
		outdir = "cdk.out"
	}
	var cfg *config.Config
	if err == nil {
		cfg, err = loadConfig(context)
	}
	if err == nil {
		err = synth(cfg, context, outdir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "privatepatch:", err)
		assembly.Clear(outdir)
		exit(1)
	}
}

// exit ends the program without leaving jsii's runtime behind: the Go bindings unpack it into a
// new temporary directory when the program starts, and only jsii.Close removes it (each --help or
// rejected configuration left 2.2 MB under /tmp).
func exit(code int) {
	jsii.Close()
	os.Exit(code)
}

// loadConfig reads the configuration before anything of CDK starts, so that bad input fails
// fast and builds nothing.
func loadConfig(context map[string]any) (*config.Config, error) {
	path, _ := context["config"].(string)
	if cli := os.Getenv("CDK_CONTEXT_JSON"); cli != "" {
		var c map[string]any
		if err := json.Unmarshal([]byte(cli), &c); err != nil {
			return nil, fmt.Errorf("CDK_CONTEXT_JSON: %w", err)
		}
		path, _ = c["config"].(string)
	}
	if path == "" {
		path = os.Getenv(config.ConfigEnv)
	}
	// The CLI sets these from the caller's credentials; they apply where no region is configured.
	fallback := config.Fallback{Account: os.Getenv("CDK_DEFAULT_ACCOUNT"), Region: os.Getenv("CDK_DEFAULT_REGION")}
	if path == "" {
		return fallback.LoadDefault()
	}
	return fallback.LoadFile(path)
}

// synth builds the stacks and writes the cloud assembly. A failure inside CDK (a panic carrying
// a JavaScript error) becomes an error with its message, not a stack trace.
func synth(cfg *config.Config, context map[string]any, outdir string) (err error) {
	defer jsii.Close()
	defer func() {
		if r := recover(); r != nil {
			msg := fmt.Sprint(r)
			if i := strings.Index(msg, "\n    at "); i >= 0 {
				msg = msg[:i]
			}
			err = fmt.Errorf("synthesis failed: %s", msg)
		}
	}()
	kernel.Prepare() // V8's young generation capped (about 60 MiB less at the kernel's peak), no launcher process
	props := &awscdk.AppProps{Outdir: jsii.String(outdir)}
	if context != nil {
		props.Context = &context
	}
	app := awscdk.NewApp(props)
	if cfg.Pipeline.Enabled {
		stacks.NewPipeline(app, cfg)
	} else {
		stacks.NewDeployments(app, cfg)
	}
	app.Synth(nil)
	if context != nil {
		// Run without the CDK CLI, nothing performs a lookup that cdk.context.json lacks.
		return stacks.UnansweredLookups(outdir)
	}
	return nil
}
