// Command app synthesises privatepatch. It loads the configuration named by the CDK context
// value "config" (cdk synth -c config=PATH) or the PRIVATEPATCH_CONFIG environment variable,
// falling back to the embedded default, validates it, and only then creates the stacks.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/stacks"
)

// configEnv names the configuration file for `go run ./app`, where no CDK context is given.
const configEnv = "PRIVATEPATCH_CONFIG"

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	cfg, err := loadConfig(app)
	if err != nil {
		fmt.Fprintln(os.Stderr, "privatepatch:", err)
		jsii.Close()
		os.Exit(1)
	}
	stacks.NewPrivatePatch(app, cfg)
	app.Synth(nil)
}

func loadConfig(app awscdk.App) (*config.Config, error) {
	path, _ := app.Node().TryGetContext(jsii.String("config")).(string)
	if path == "" {
		path = os.Getenv(configEnv)
	}
	if path == "" {
		return config.LoadDefault()
	}
	return config.LoadFile(path)
}
