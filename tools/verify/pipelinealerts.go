package main

import (
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/proof/cfnupdate"
	"github.com/privatepatch/privatepatch/proof/wiring"
)

// pipelineAlertsChecks is, in pipeline mode, the pipeline stack's alerts and keys
// (wiring.PipelineAlerts), and the confused-deputy conditions of its service role the
// environments' stacks trust (wiring.ReachingServiceRoles): held-out run 26 showed no other check
// reads them.
func pipelineAlertsChecks(templates cfnupdate.Deployment, cfg *config.Config) []check {
	pipeline := templates[cfg.PipelineStackName()]
	if !cfg.Pipeline.Enabled || pipeline == nil {
		return nil
	}
	return []check{{"pipeline alerts", func(out io.Writer) (int, error) {
		fmt.Fprintf(out, "\n%s: pipeline alerts (each rule names the pipeline and states its events carry, is admitted by the alerts topic's policy and can use its key; "+
			"each other account's role reading the artifacts can use the artifact key; the service role the environments' roles trust keeps its confused-deputy conditions)\n", cfg.PipelineStackName())
		var others []map[string]any
		for _, name := range slices.Sorted(maps.Keys(templates)) {
			if name != cfg.PipelineStackName() {
				others = append(others, templates[name])
			}
		}
		problems := append(wiring.PipelineAlerts(pipeline), wiring.ReachingServiceRoles(pipeline, others...)...)
		return listProblems(out, problems, "every alert reaches the topic, on the pipeline's own events, every environment reads the artifacts, and the role the environments trust keeps its confused-deputy conditions"), nil
	}}}
}
