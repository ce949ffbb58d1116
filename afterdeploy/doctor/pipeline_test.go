package doctor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
)

const (
	pipelineTopic     = "arn:aws:sns:us-west-2:123456789012:privatepatch-pipeline-AlertsTopicCF7C81C9-Pq9Rs8Tu7Vw6"
	pipelineRuns      = "codepipeline list-pipeline-executions --pipeline-name privatepatch --max-results 10 --no-paginate"
	pipelineSubscribe = "sns list-subscriptions-by-topic --topic-arn " + pipelineTopic + " --no-paginate"
)

// pipelineTarget is the pipeline of the default configuration in pipeline mode.
func pipelineTarget(t *testing.T) Target {
	cfg, err := config.Load("")
	require.NoError(t, err)
	cfg.Pipeline.Enabled = true
	target, ok := PipelineTargetOf(cfg)
	require.True(t, ok)
	return target
}

// healthyPipeline: the pipeline stack deployed, a confirmed subscription, the newest run succeeded.
func healthyPipeline() map[string]string {
	return map[string]string{
		"sts get-caller-identity": "testdata/caller-identity.json",
		"cloudformation describe-stacks --stack-name privatepatch-pipeline":      "testdata/describe-stacks-pipeline.json",
		"cloudformation list-stack-resources --stack-name privatepatch-pipeline": "testdata/list-stack-resources-pipeline.json",
		pipelineSubscribe: "testdata/list-subscriptions-by-topic-confirmed.json",
		pipelineRuns:      "testdata/list-pipeline-executions-succeeded.json",
	}
}

// In pipeline mode the doctor examines the pipeline too, in its account and region: its alerts
// reach someone, and its newest run succeeded; a failed run, one going on, one never made, and a
// topic nobody receives are each named, with what to do.
func TestThePipelinesAlertsAndNewestRunAreExamined(t *testing.T) {
	cfg, err := config.Load("")
	require.NoError(t, err)
	_, ok := PipelineTargetOf(cfg)
	assert.False(t, ok, "no pipeline without pipeline mode")

	results, err := ExaminePipeline(&fake{t: t, responses: healthyPipeline()}, pipelineTarget(t), now)
	require.NoError(t, err)
	for _, r := range results {
		assert.Equal(t, OK, r.State, "%s: %s", r.Check, r.Evidence)
	}
	assert.Contains(t, rowOf(t, results, "deployment").Evidence, "stack privatepatch-pipeline")
	assert.Contains(t, rowOf(t, results, "pipeline run").Evidence, "newest run 0d2a7a3e-1111-4b5c-9d8e-7f6a5b4c3d2e: Succeeded")
	assert.Contains(t, rowOf(t, results, "pipeline alert subscriptions").Evidence, "confirmed subscription(s) to topic privatepatch-pipeline-AlertsTopicCF7C81C9-Pq9Rs8Tu7Vw6")

	for _, c := range []struct {
		name, command, file, check string
		state                      State
		evidence, action           string
	}{
		{"a failed run", pipelineRuns, "testdata/list-pipeline-executions-failed.json", "pipeline run", Fail, ": Failed, started 4 h ago",
			"aws codepipeline get-pipeline-execution --pipeline-name privatepatch --pipeline-execution-id 0d2a7a3e-1111-4b5c-9d8e-7f6a5b4c3d2e --region us-west-2"},
		// No page states the answer's order: the newest is the latest startTime, wherever listed.
		{"a failed run listed after an older success", pipelineRuns, "testdata/list-pipeline-executions-failed-older-first.json", "pipeline run", Fail,
			"newest run 0d2a7a3e-1111-4b5c-9d8e-7f6a5b4c3d2e: Failed", "fix, and release again"},
		{"a run going on", pipelineRuns, "testdata/list-pipeline-executions-inprogress.json", "pipeline run", Warn, ": InProgress", "it may wait on an approval"},
		{"no run yet", pipelineRuns, "testdata/list-pipeline-executions-none.json", "pipeline run", Warn, "has never run",
			"aws codepipeline start-pipeline-execution --name privatepatch --region us-west-2"},
		{"nobody receives its alerts", pipelineSubscribe, "testdata/list-subscriptions-by-topic-none.json", "pipeline alert subscriptions", Fail, "has no subscription",
			"add pipeline.notificationEmails (or patching.notifications.emails) to the configuration"},
	} {
		responses := healthyPipeline()
		responses[c.command] = c.file
		results, err := ExaminePipeline(&fake{t: t, responses: responses}, pipelineTarget(t), now)
		require.NoError(t, err, c.name)
		row := rowOf(t, results, c.check)
		assert.Equal(t, c.state, row.State, c.name)
		assert.Contains(t, row.Evidence, c.evidence, c.name)
		assert.Contains(t, row.Action, c.action, c.name)
	}
	// A denied read is its own row; the other check still runs.
	f := &fake{t: t, responses: healthyPipeline(), errors: map[string]error{pipelineRuns: accessDenied("codepipeline", "list-pipeline-executions")}}
	results, err = ExaminePipeline(f, pipelineTarget(t), now)
	require.NoError(t, err)
	assert.Equal(t, Unchecked, rowOf(t, results, "pipeline run").State)
	assert.Contains(t, rowOf(t, results, "pipeline run").Action, "codepipeline:ListPipelineExecutions")
	assert.Equal(t, OK, rowOf(t, results, "pipeline alert subscriptions").State)
}
