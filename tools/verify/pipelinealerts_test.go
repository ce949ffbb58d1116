package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
	"github.com/privatepatch/privatepatch/proof/cfnupdate"
)

// The pipeline alerts check runs in pipeline mode only, on the pipeline stack, and fails on a
// planted defect (run 26's A14: a state no pipeline event carries).
func TestPipelineAlertsCheckRunsInPipelineModeAndFailsAPlantedRule(t *testing.T) {
	template, err := cfntemplate.ReadFile("../../test/testdata/pipeline/Pipeline.template.json")
	require.NoError(t, err)
	cfg, err := config.LoadDefault()
	require.NoError(t, err)
	templates := cfnupdate.Deployment{cfg.PipelineStackName(): template}
	assert.Empty(t, pipelineAlertsChecks(templates, cfg), "not in pipeline mode")
	cfg.Pipeline.Enabled = true
	checks := pipelineAlertsChecks(templates, cfg)
	require.Len(t, checks, 1)
	var out bytes.Buffer
	wrong, err := checks[0].run(&out)
	require.NoError(t, err)
	assert.Zero(t, wrong, out.String())
	rule := cfntemplate.Resources(template)["AlertsFailedRule29D0C7BA"].(map[string]any)["Properties"].(map[string]any)
	rule["EventPattern"].(map[string]any)["detail"].(map[string]any)["state"] = []any{"FAILURE"}
	out.Reset()
	wrong, err = checks[0].run(&out)
	require.NoError(t, err)
	assert.Equal(t, 1, wrong)
	assert.Contains(t, out.String(), `rule AlertsFailedRule29D0C7BA: detail.state "FAILURE" is not one of`)
}
