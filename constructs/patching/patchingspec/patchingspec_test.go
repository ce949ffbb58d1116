package patchingspec

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/privatepatch/privatepatch/constructs/spec"
)

func TestWindowDefaultsAreTheDocumentedOnes(t *testing.T) {
	w := Window{Name: "weekly", Schedule: "cron(0 2 ? * SUN *)"}.WithDefaults()
	assert.Equal(t, 4, *w.DurationHours)
	assert.Equal(t, 1, *w.CutoffHours, "docs/patching.md: the default cutoff is 1 hour")
	assert.Equal(t, "UTC", w.Timezone)
	assert.Len(t, w.Tasks, 1)
	task := w.Tasks[0]
	assert.True(t, task.Notifies(), "docs/patching.md: failed commands are published to the alerts topic")
	assert.Equal(t, Task{Operation: "Install", RebootOption: "RebootIfNeeded", MaxConcurrency: "25%", MaxErrors: "10%", Priority: 1,
		NotifyOnFailure: task.NotifyOnFailure}, task)
	assert.Empty(t, w.Problems())
	assert.Equal(t, "Patch Group", Targets{PatchGroups: []string{"windows"}}.WithDefaults().PatchGroupTagKey)
}

func TestTasksArePrioritisedInTheirOrderAndAnExplicitFalseIsKept(t *testing.T) {
	off := false
	w := Window{Tasks: []Task{{}, {NotifyOnFailure: &off}, {Priority: 7}}}.WithDefaults()
	assert.Equal(t, []int{1, 2, 7}, []int{w.Tasks[0].Priority, w.Tasks[1].Priority, w.Tasks[2].Priority})
	assert.False(t, w.Tasks[1].Notifies())
	assert.Nil(t, (Window{Tasks: []Task{{}}}).Tasks[0].NotifyOnFailure, "WithDefaults does not change its receiver's tasks")
}

func TestEveryWindowRuleNamesItsField(t *testing.T) {
	zero := 0
	w := Window{Name: "x", Schedule: "rate(5 minutes)", Timezone: "Mars/Olympus", ScheduleOffset: 3, DurationHours: &zero,
		StartDate: "tomorrow", Tasks: []Task{{Operation: "Reboot", MaxConcurrency: "0", MaxErrors: "101%", Priority: 1001}}}.WithDefaults()
	var fields []string
	for _, p := range w.Problems() {
		fields = append(fields, p.Field)
	}
	slices.Sort(fields)
	assert.Equal(t, []string{"CutoffHours", "DurationHours", "Name", "Schedule", "ScheduleOffset", "StartDate", "Tasks[0].MaxConcurrency",
		"Tasks[0].MaxErrors", "Tasks[0].Operation", "Tasks[0].Priority", "Timezone"}, fields)

	long := Window{Name: strings.Repeat("a", 121),
		Schedule: "rate(7 days)"}.WithDefaults()
	assert.Equal(t, []string{`Name "` + long.Name + `" is too long: the window's target and tasks are named "` + long.Name +
		`-targets", and Systems Manager takes 3-128 characters; shorten it`}, texts(long.Problems()))
}

func TestTargetsNeedExactlyOneKindAndAKnownTagKey(t *testing.T) {
	assert.Equal(t, []string{`"" is empty: target patchGroups, a resourceGroup or instanceIds`},
		texts(Targets{}.WithDefaults().Problems()))
	assert.Equal(t, []string{`"" mixes kinds of targets: use one of patchGroups, resourceGroup or instanceIds per window`,
		`PatchGroupTagKey "Patch_Group" is not a patch group tag key: use one of Patch Group or PatchGroup (one per window; instances may carry both, as the created ones do)`,
		`InstanceIds[0] "i-xyz" is not an instance id`},
		texts(Targets{PatchGroups: []string{"a"}, InstanceIds: []string{"i-xyz"}, PatchGroupTagKey: "Patch_Group"}.Problems()))
}

func texts(problems spec.Problems) []string {
	var out []string
	for _, p := range problems {
		out = append(out, p.String())
	}
	return out
}

func TestAgentUpdateIsOnEveryFourteenDaysBeforeTheWindowsByDefaultAndChecksItsSettings(t *testing.T) {
	a := AgentUpdate{}.WithDefaults()
	assert.True(t, a.On())
	assert.Equal(t, []string{"cron(0 0 ? * SAT#2 *)", "cron(0 0 ? * SAT#4 *)"}, a.Schedules)
	assert.Empty(t, a.Problems())
	bad := AgentUpdate{Schedules: []string{"rate(10 minutes)", "a", "b", "c", "d"}, MaxConcurrency: "0", MaxErrors: "x"}.WithDefaults()
	var fields []string
	for _, p := range bad.Problems() {
		fields = append(fields, p.Field)
	}
	assert.Equal(t, []string{"Schedules", "Schedules[0]", "Schedules[1]", "Schedules[2]", "Schedules[3]", "Schedules[4]", "MaxConcurrency", "MaxErrors"}, fields)
	off := false
	assert.Empty(t, AgentUpdate{Enabled: &off, Schedules: []string{"x"}}.Problems(), "off: nothing checked")
}

// The values Systems Manager's API model takes for rate control (MaxConcurrency and MaxErrors
// shapes): the task and the agent update association refuse every other one up front, not
// CloudFormation mid-deploy.
func TestRateControlTakesExactlyWhatTheAPIModelTakes(t *testing.T) {
	for _, c := range []struct {
		concurrency, errors string
		ok                  bool
	}{
		{"1", "0", true}, {"25%", "10%", true}, {"1%", "0%", true}, {"100%", "100%", true}, {"1234567", "1234567", true},
		{"1", "05%", false}, {"1", "00", false}, {"1", "007", false}, {"1", "00%", false},
		{"1", "12345678", false}, {"12345678", "0", false}, {"01", "0", false}, {"0%", "0", false},
	} {
		task := Task{Operation: OperationInstall, RebootOption: RebootIfNeeded, MaxConcurrency: c.concurrency, MaxErrors: c.errors, Priority: 1}
		agent := AgentUpdate{Schedules: DefaultAgentUpdateSchedules, MaxConcurrency: c.concurrency, MaxErrors: c.errors}
		assert.Equal(t, c.ok, len(task.Problems()) == 0, "task %q %q: %v", c.concurrency, c.errors, texts(task.Problems()))
		assert.Equal(t, c.ok, len(agent.Problems()) == 0, "agent update %q %q: %v", c.concurrency, c.errors, texts(agent.Problems()))
	}
}
