package doctor

import (
	"fmt"
	"slices"
	"time"
)

// pipelineTopicPrefix is the logical id prefix of the pipeline stack's alerts topic
// (constructs/pipelinealerts "Alerts", its alerttopic "Topic").
const pipelineTopicPrefix = "AlertsTopic"

// ExaminePipeline examines the pipeline of pipeline mode (PipelineTargetOf), in its own account
// and region: does anyone receive its alerts (a failed run, an approval that waits), and did its
// newest run succeed? Its error is a CouldNotRun, as Examine's.
func ExaminePipeline(aws AWS, t Target, now time.Time) ([]Result, error) {
	d := &deployment{aws: aws, t: t, now: now}
	who, err := d.identify()
	if err != nil {
		return nil, CouldNotRun{err}
	}
	results, err := d.readStacks(&d.pipeline)
	if err != nil {
		return nil, CouldNotRun{err}
	}
	results = append([]Result{who}, results...)
	if err := d.unread(&d.pipeline); err != nil {
		return results, nil
	}
	for _, c := range []struct {
		name string
		run  func() ([]Result, error)
	}{{"pipeline alert subscriptions", d.checkPipelineSubscriptions}, {"pipeline run", d.checkPipelineRuns}} {
		r, err := c.run()
		results = append(results, r...)
		if err != nil {
			results = append(results, couldNotCheck(c.name, err))
		}
	}
	return results, nil
}

// checkPipelineSubscriptions: the pipeline stack's alerts topic has a confirmed subscription, as
// the patching stack's must (subscriptionsRow); its topic is read by type (a topic's physical id
// is its ARN).
func (d *deployment) checkPipelineSubscriptions() ([]Result, error) {
	const check = "pipeline alert subscriptions"
	topics := d.pipeline.physical("AWS::SNS::Topic", pipelineTopicPrefix)
	if len(topics) == 0 {
		return []Result{{Check: check, State: Fail, Evidence: "the pipeline stack has no alerts topic: a failed run or an approval that waits reaches nobody", Action: "make deploy"}}, nil
	}
	return d.subscriptionsRow(check, topics[0], "pipeline.notificationEmails (or patching.notifications.emails)")
}

// pipelineExecution is a member of ListPipelineExecutions' pipelineExecutionSummaries
// (PipelineExecutionSummary: pipelineExecutionId, status Cancelled | InProgress | Stopped |
// Stopping | Succeeded | Superseded | Failed, startTime, lastUpdateTime; botocore 1.43.11's
// codepipeline model, read 2026-12-07).
type pipelineExecution struct {
	PipelineExecutionId string `json:"pipelineExecutionId"`
	Status              string `json:"status"`
	StartTime           Time   `json:"startTime"`
	LastUpdateTime      Time   `json:"lastUpdateTime"`
}

// checkPipelineRuns: the newest run of the pipeline ("Gets a summary of the most recent
// executions for a pipeline", ListPipelineExecutions, the same model, read 2026-12-07; one page).
// No page states the page's order, so the newest is the one started last. A failed or stopped run left the environments as the run before it did, and the stop
// alarms of any stage it deployed unattached; one in progress may wait on an approval.
func (d *deployment) checkPipelineRuns() ([]Result, error) {
	var out struct {
		PipelineExecutionSummaries []pipelineExecution `json:"pipelineExecutionSummaries"`
	}
	if err := d.call(&out, "codepipeline", "list-pipeline-executions", "--pipeline-name", d.t.PipelineName, "--max-results", "10", "--no-paginate"); err != nil {
		return nil, err
	}
	r := Result{Check: "pipeline run"}
	if len(out.PipelineExecutionSummaries) == 0 {
		// "Pipeline history is limited to the most recent 12 months" (ListPipelineExecutions).
		r.State, r.Evidence = Warn, "pipeline "+d.t.PipelineName+" has never run, or not in the last 12 months (the history CodePipeline keeps)"
		r.Action = "push to its branch, or " + d.inRegion("aws codepipeline start-pipeline-execution --name "+shellWord(d.t.PipelineName))
		return []Result{r}, nil
	}
	e := slices.MaxFunc(out.PipelineExecutionSummaries, func(a, b pipelineExecution) int { return a.StartTime.Compare(b.StartTime.Time) })
	r.Evidence = fmt.Sprintf("newest run %s: %s, started %s, last updated %s", e.PipelineExecutionId, e.Status, ago(d.now, e.StartTime.Time), ago(d.now, e.LastUpdateTime.Time))
	show := d.inRegion("aws codepipeline get-pipeline-execution --pipeline-name " + shellWord(d.t.PipelineName) + " --pipeline-execution-id " + e.PipelineExecutionId)
	switch e.Status {
	case "Succeeded":
		r.State = OK
	case "InProgress", "Stopping":
		r.State, r.Action = Warn, "a run is going on: it may wait on an approval ("+show+"); make doctor again once it ends"
	default: // Failed, Stopped, Cancelled, Superseded
		r.State = Fail
		r.Action = "the environments are as the run before left them: read the run (" + show + "), fix, and release again (" +
			d.inRegion("aws codepipeline start-pipeline-execution --name "+shellWord(d.t.PipelineName)) + ")"
	}
	return []Result{r}, nil
}
