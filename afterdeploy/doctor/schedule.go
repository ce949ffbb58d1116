package doctor

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/privatepatch/privatepatch/proof/calendar"
)

// executionTimeLayouts are the forms of ScheduledWindowExecution ExecutionTime: "ISO-8601
// Extended format" (Systems Manager API Reference), minutes only in the AWS CLI's example of
// describe-maintenance-window-schedule ("2020-02-19T16:00Z"; AWS CLI Command Reference, read
// 2026-12-06), or with seconds.
var executionTimeLayouts = []string{"2006-01-02T15:04Z07:00", time.RFC3339}

func parseExecutionTime(text string) (time.Time, error) {
	for _, layout := range executionTimeLayouts {
		if t, err := time.Parse(layout, text); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("ExecutionTime %q is not an ISO-8601 date and time", text)
}

// checkSchedules compares each deployed window's upcoming runs, as Systems Manager lists them
// (DescribeMaintenanceWindowSchedule: ScheduledWindowExecutions), with the runs the patch
// calendar computes for the configured window of that name (package calendar): where they differ,
// the deployed window is not the configured one, or the calendar's model of AWS's schedule is
// wrong, and neither the calendar's proof nor its deadlines hold for this deployment.
func (d *deployment) checkSchedules() ([]Result, error) {
	windows := d.patching.physical("AWS::SSM::MaintenanceWindow", "")
	if len(windows) == 0 {
		return nil, nil
	}
	template, err := d.template(d.t.Patching)
	if err != nil {
		return nil, err
	}
	var results []Result
	for _, id := range windows {
		r, err := d.checkSchedule(id, d.patching.templateName(template, id))
		if err != nil {
			return nil, err
		}
		results = append(results, r)
	}
	return results, nil
}

// checkSchedule compares one deployed window's listed runs with the calendar's for the
// configured window of its name. Its error is one that stops the whole check.
func (d *deployment) checkSchedule(id, name string) (Result, error) {
	r := Result{Check: "schedule " + name} // the window row above names its id
	i := slices.IndexFunc(d.t.Windows, func(w calendar.Window) bool { return w.Name == name })
	if i < 0 {
		r.State, r.Evidence = Warn, "the deployed window is not in the configuration"
		r.Action = "deploy the configuration (make deploy), or run make doctor with the configuration it was deployed from"
		return r, nil
	}
	w := d.t.Windows[i]
	listed, err := d.listedRuns(id)
	if err != nil {
		return Result{}, err
	}
	until := d.now.AddDate(0, 2, 0)
	if len(listed) > 0 {
		until = listed[len(listed)-1].Add(time.Minute)
	}
	// From the offset's days before now: a cron time then has its run still ahead.
	runs, err := w.Runs(d.now.AddDate(0, 0, -w.Offset-1), until)
	if err != nil {
		r.State, r.Evidence = Warn, fmt.Sprintf("the patch calendar cannot decide its runs (%v); Systems Manager lists %s", err, times(listed, 3))
		r.Action = "see docs/patching.md, The patch calendar"
		return r, nil
	}
	var computed []time.Time
	for _, run := range runs {
		if run.Start.After(d.now) {
			computed = append(computed, run.Start.UTC())
		}
	}
	switch {
	case slices.Equal(listed, computed) && len(listed) == 0:
		r.State, r.Evidence = OK, "no run ahead, as the calendar computes (start or end date)"
	case slices.Equal(listed, computed):
		r.State, r.Evidence = OK, fmt.Sprintf("next %d runs as the calendar's: %s", len(listed), times(listed, 2))
	case len(listed) == 0 && d.windowDisabled(id):
		r.State, r.Evidence = Warn, fmt.Sprintf("Systems Manager lists no run ahead: the window is disabled; the calendar's next are %s", times(computed, 3))
		r.Action = "enable it (the window's row says how): this row compares the runs then"
	default:
		r.State = Fail
		r.Evidence = fmt.Sprintf("Systems Manager runs it at %s, the calendar at %s", times(listed, 3), times(computed, 3))
		r.Action = fmt.Sprintf("compare %s (Schedule, ScheduleTimezone, ScheduleOffset, StartDate, EndDate) "+
			"with the configuration: deploy it, or report the difference (make calendar's proof assumes the calendar's runs)", d.inRegion("aws ssm get-maintenance-window --window-id "+id))
	}
	return r, nil
}

// windowDisabled tells whether GetMaintenanceWindow says the window is disabled (Enabled false);
// no page says whether DescribeMaintenanceWindowSchedule lists a disabled window's runs (read
// 2026-12-07), so one that lists none is asked. An error answers no: the window's row shows it.
func (d *deployment) windowDisabled(id string) bool {
	var live liveWindow
	return d.call(&live, "ssm", "get-maintenance-window", "--window-id", id) == nil && !live.Enabled
}

// listedRuns are the window's upcoming runs as Systems Manager lists them, in order.
func (d *deployment) listedRuns(id string) ([]time.Time, error) {
	var out struct {
		ScheduledWindowExecutions []struct {
			ExecutionTime string `json:"ExecutionTime"`
		} `json:"ScheduledWindowExecutions"`
	}
	if err := d.call(&out, "ssm", "describe-maintenance-window-schedule", "--window-id", id); err != nil {
		return nil, err
	}
	var listed []time.Time
	for _, e := range out.ScheduledWindowExecutions {
		t, err := parseExecutionTime(e.ExecutionTime)
		if err != nil {
			return nil, err
		}
		listed = append(listed, t)
	}
	slices.SortFunc(listed, time.Time.Compare)
	return listed, nil
}

// times are the first n times, in UTC.
func times(ts []time.Time, n int) string {
	if len(ts) == 0 {
		return "no run"
	}
	var out []string
	for _, t := range ts[:min(n, len(ts))] {
		out = append(out, t.Format("2006-01-02 15:04Z"))
	}
	if len(ts) > n {
		out = append(out, "...")
	}
	return strings.Join(out, ", ")
}
