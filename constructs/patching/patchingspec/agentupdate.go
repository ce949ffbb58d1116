package patchingspec

import (
	"fmt"
	"time"

	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/constructs/ssmschedule"
)

// UpdateSSMAgentDocument is the AWS-owned Command document that updates SSM Agent to the latest
// version ("Automatically updating SSM Agent", AWS Systems Manager User Guide, whose association
// example runs it on cron(0 0 ? * THU#2 *), read 2026-12-06). It downloads the agent from the
// region's amazon-ssm-REGION bucket (awsbuckets), which the S3 endpoint admits.
const UpdateSSMAgentDocument = "AWS-UpdateSSMAgent"

// DefaultAgentUpdateSchedules: the second and fourth Saturday of the month, 00:00 UTC, two hours
// before the WSUS server's window (Saturday 02:00) and a day before the fleet's (Sunday 02:00):
// every 14 days, 21 across a month's end. State Manager has no cron form for every 14 days (DAY#n
// takes one n, and there is no week step), and rate(14 days) counts from the association's
// creation, so its runs would drift into a window ("Reference: Cron and rate expressions for
// Systems Manager", read 2026-12-06): one association per cron, in AWS's DAY#n form.
var DefaultAgentUpdateSchedules = []string{"cron(0 0 ? * SAT#2 *)", "cron(0 0 ? * SAT#4 *)"}

// MaxAgentUpdateSchedules keeps the associations few.
const MaxAgentUpdateSchedules = 4

// AgentUpdate keeps SSM Agent current on the fleet and the WSUS server with AWS-UpdateSSMAgent.
type AgentUpdate struct {
	// Enabled updates the agents. Default (nil): true.
	Enabled *bool `yaml:"enabled"`
	// Schedules, one association each (1 to MaxAgentUpdateSchedules State Manager schedules).
	// Default: DefaultAgentUpdateSchedules.
	Schedules []string `yaml:"schedules"`
	// MaxConcurrency and MaxErrors rate-control each association: a number or a percentage.
	// Default: 25% and 10%, as the window tasks.
	MaxConcurrency string `yaml:"maxConcurrency"`
	MaxErrors      string `yaml:"maxErrors"`
}

// On says whether agents are updated (Enabled, default true).
func (a AgentUpdate) On() bool { return a.Enabled == nil || *a.Enabled }

// WithDefaults fills what is unset.
func (a AgentUpdate) WithDefaults() AgentUpdate {
	if a.Enabled == nil {
		on := true
		a.Enabled = &on
	}
	if len(a.Schedules) == 0 {
		a.Schedules = append([]string(nil), DefaultAgentUpdateSchedules...)
	}
	fill(&a.MaxConcurrency, DefaultMaxConcurrency)
	fill(&a.MaxErrors, DefaultMaxErrors)
	return a
}

// Problems are the settings' problems (give them after defaults).
func (a AgentUpdate) Problems() spec.Problems {
	var p spec.Problems
	if !a.On() {
		return p
	}
	if len(a.Schedules) > MaxAgentUpdateSchedules {
		p.Add("Schedules", len(a.Schedules), "are too many: at most %d, one association each", MaxAgentUpdateSchedules)
	}
	for i, s := range a.Schedules {
		p = append(p, ssmschedule.AssociationProblems(fmt.Sprintf("Schedules[%d]", i), s)...)
	}
	if !ValidConcurrency(a.MaxConcurrency) {
		p.Add("MaxConcurrency", a.MaxConcurrency, "is not allowed: use a number from 1 or a percentage from 1%% to 100%%, without leading zeros, at most %d characters", maxRateControlLength)
	}
	if !ValidMaxErrors(a.MaxErrors) {
		p.Add("MaxErrors", a.MaxErrors, "is not allowed: use a number from 0 or a percentage from 0%% to 100%%, without leading zeros, at most %d characters", maxRateControlLength)
	}
	return p
}

// AgentUpdateHours is how long an agent update is taken to run when its schedule is checked
// against the windows: a judgement, as ScanHours (no page gives its length).
const AgentUpdateHours = 1

// Opening is when the window is open, for ssmschedule's overlap checks (give it after defaults).
func (w Window) Opening() ssmschedule.Opening {
	hours := DefaultDurationHours
	if w.DurationHours != nil {
		hours = *w.DurationHours
	}
	return ssmschedule.Opening{Schedule: w.Schedule, Timezone: w.Timezone, ScheduleOffset: w.ScheduleOffset,
		Duration: time.Duration(hours) * time.Hour, StartDate: w.StartDate, EndDate: w.EndDate}
}

// AgentUpdateInWindow says whether an agent update on schedule runs while w is open, and when: the
// update restarts SSM Agent, and "If an SSM Command is issued while the SSM Agent is being
// upgraded, it will be marked as "In Progress" but will never Complete" (aws/amazon-ssm-agent
// issue 430, "SSM Agent Update can cause SSM Commands to get lost", read 2026-12-07), so a
// window's patch task could hang until its timeout. Only an overlap ssmschedule can show counts:
// a rate (it counts from the association's creation) is left alone.
func AgentUpdateInWindow(schedule string, w Window) (bool, string) {
	if ssmschedule.CheckAssociation(schedule) != nil {
		return false, ""
	}
	return ssmschedule.Overlap(ssmschedule.Opening{Schedule: schedule, Timezone: "UTC", Duration: AgentUpdateHours * time.Hour}, w.Opening())
}
