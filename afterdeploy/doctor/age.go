package doctor

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/privatepatch/privatepatch/constructs/ssmschedule"
)

// Age is part of health: a run that should have happened by its deployed schedule and did not is
// a finding even when the last run succeeded. The schedules are the deployed ones: the
// associations' ScheduleExpression in the deployed templates, the windows' Schedule and
// ScheduleTimezone as GetMaintenanceWindow returns them.

// lateBy is how long after its due time a run may still be coming: a quarter of the schedule's
// gap, at least an hour (State Manager and maintenance windows start runs within minutes, a
// daily association's run drifts with the time it was created, and a run takes time to report).
func lateBy(gap time.Duration) time.Duration { return max(time.Hour, gap/4) }

// overdue tells whether a run last seen at last is overdue for a schedule whose longest gap is
// gap: older than the gap and its lateness.
func overdue(now, last time.Time, gap time.Duration) bool {
	return gap > 0 && now.Sub(last) > gap+lateBy(gap)
}

// every says a gap in words: "every 24 h", "every 7 days".
func every(gap time.Duration) string {
	if gap >= 48*time.Hour {
		return fmt.Sprintf("every %.0f days", gap.Hours()/24)
	}
	if gap >= time.Hour {
		return fmt.Sprintf("every %.0f h", gap.Hours())
	}
	return fmt.Sprintf("every %.0f min", gap.Minutes())
}

// template is a stack's deployed template, read once.
func (d *deployment) template(stackName string) (map[string]any, error) {
	if t, ok := d.templates[stackName]; ok {
		return t, nil
	}
	t, err := d.deployedTemplate(stackName)
	if err != nil {
		return nil, err
	}
	if d.templates == nil {
		d.templates = map[string]map[string]any{}
	}
	d.templates[stackName] = t
	return t, nil
}

// templateAssociation is an association of a deployed template: its logical id, schedule,
// document name (when a literal), parameters and targets.
type templateAssociation struct {
	LogicalId, Schedule, Document string
	Operation                     string
	Targets                       []sendTarget
}

func templateAssociations(template map[string]any) []templateAssociation {
	resources, _ := template["Resources"].(map[string]any)
	var out []templateAssociation
	for id, r := range resources {
		r, _ := r.(map[string]any)
		if r["Type"] != "AWS::SSM::Association" {
			continue
		}
		props, _ := r["Properties"].(map[string]any)
		a := templateAssociation{LogicalId: id}
		a.Schedule, _ = props["ScheduleExpression"].(string)
		a.Document, _ = props["Name"].(string)
		params, _ := props["Parameters"].(map[string]any)
		if ops, ok := params["Operation"].([]any); ok && len(ops) > 0 {
			a.Operation, _ = ops[0].(string)
		}
		targets, _ := props["Targets"].([]any)
		for _, t := range targets {
			t, _ := t.(map[string]any)
			st := sendTarget{}
			st.Key, _ = t["Key"].(string)
			values, _ := t["Values"].([]any)
			for _, v := range values {
				if s, ok := v.(string); ok {
					st.Values = append(st.Values, s)
				}
			}
			a.Targets = append(a.Targets, st)
		}
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b templateAssociation) int { return strings.Compare(a.LogicalId, b.LogicalId) })
	return out
}

// associationGap is the longest gap of the schedule of the fleet stack's association whose
// logical id starts with prefix, and the schedule; zero when it has none this reader evaluates.
func (d *deployment) associationGap(stackName, prefix string) (time.Duration, string, error) {
	template, err := d.template(stackName)
	if err != nil {
		return 0, "", err
	}
	for _, a := range templateAssociations(template) {
		if strings.HasPrefix(a.LogicalId, prefix) {
			_, gap, ok := ssmschedule.Previous(a.Schedule, d.now, time.UTC)
			if ok {
				return gap, a.Schedule, nil
			}
			return 0, a.Schedule, nil
		}
	}
	return 0, "", nil
}

// ageWarning turns an OK association row into a warning when its last run is overdue.
func (d *deployment) ageWarning(r *Result, last time.Time, stackName, prefix string) error {
	gap, schedule, err := d.associationGap(stackName, prefix)
	if err != nil || r.State != OK || !overdue(d.now, last, gap) {
		return err
	}
	r.State = Warn
	r.Evidence += fmt.Sprintf("; overdue: its schedule %s runs it %s", schedule, every(gap))
	r.Action = "State Manager has not run it since: check the association's status and its nodes' rows (aws ssm describe-association-executions)"
	return nil
}

// scanGap is the shortest longest-gap of the deployed patching operations that reach a patch
// group's members: the patching stack's AWS-RunPatchBaseline associations on the fleet tag or the
// group's tag, and its windows' AWS-RunPatchBaseline tasks on the group. Zero when none is known.
func (d *deployment) scanGap(group string) (time.Duration, string) {
	template, err := d.template(d.t.Patching)
	if err != nil {
		return 0, ""
	}
	best, what := time.Duration(0), ""
	consider := func(gap time.Duration, schedule string) {
		if gap > 0 && (best == 0 || gap < best) {
			best, what = gap, schedule
		}
	}
	for _, a := range templateAssociations(template) {
		if !slices.Contains(patchDocuments, a.Document) {
			continue
		}
		for _, t := range a.Targets {
			fleet := t.Key == "tag:"+d.t.FleetTagKey && slices.Contains(t.Values, d.t.FleetTagValue)
			inGroup := strings.HasPrefix(t.Key, "tag:") && slices.Contains(d.t.PatchGroupTagKeys, strings.TrimPrefix(t.Key, "tag:")) && slices.Contains(t.Values, group)
			if fleet || inGroup {
				_, gap, _ := ssmschedule.Previous(a.Schedule, d.now, time.UTC)
				consider(gap, a.Schedule)
			}
		}
	}
	for _, task := range windowTasks(template) {
		for _, t := range task.Targets {
			if strings.HasPrefix(t.Key, "tag:") && slices.Contains(t.Values, group) {
				loc, _ := time.LoadLocation(task.Timezone)
				_, gap, _ := ssmschedule.Previous(task.Schedule, d.now, loc)
				consider(gap, task.Schedule)
			}
		}
	}
	return best, what
}
