package main

import (
	"fmt"
	"io"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/proof/cfnupdate"
	"github.com/privatepatch/privatepatch/proof/wiring"
)

// pipelineAlertsChecks is, in pipeline mode, the pipeline stack's alerts and keys
// (wiring.PipelineAlerts): held-out run 26 showed no other check reads them.
func pipelineAlertsChecks(templates cfnupdate.Deployment, cfg *config.Config) []check {
	pipeline := templates[cfg.PipelineStackName()]
	if !cfg.Pipeline.Enabled || pipeline == nil {
		return nil
	}
	return []check{{"pipeline alerts", func(out io.Writer) (int, error) {
		fmt.Fprintf(out, "\n%s: pipeline alerts (each rule names the pipeline and states its events carry, is admitted by the alerts topic's policy and can use its key; "+
			"each other account's role reading the artifacts can use the artifact key)\n", cfg.PipelineStackName())
		return listProblems(out, wiring.PipelineAlerts(pipeline), "every alert reaches the topic, on the pipeline's own events, and every environment reads the artifacts"), nil
	}}}
}
