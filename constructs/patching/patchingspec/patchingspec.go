// Package patchingspec is the specification of maintenance windows and their patch tasks: the
// settings, their defaults, their rules and the names derived from them. It imports no CDK:
// config embeds these settings (its YAML keys) and the patching construct's props embed them
// too, and both check them with Problems.
package patchingspec

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // time zones are checked without the host's zoneinfo

	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/constructs/ssmschedule"
)

// Defaults and limits of a window.
const (
	// DefaultDurationHours is how long a window is open unless told otherwise.
	DefaultDurationHours = 4
	// MaxDurationHours is the longest window AWS::SSM::MaintenanceWindow takes.
	MaxDurationHours = 24
	// DefaultCutoffHours: no new task starts in the window's last hour, leaving time for reboots
	// (docs/patching.md). CloudFormation takes whole hours, so the source post's PT30M cutoff
	// becomes 0 or 1.
	DefaultCutoffHours = 1
	// DefaultTimezone of a window's schedule.
	DefaultTimezone = "UTC"
	// MaxScheduleOffset is the most days a window may run after its cron date.
	MaxScheduleOffset = 6
)

// DefaultScanSchedule is when the scan associations run: daily at 12:00 UTC (association
// schedules have no time zone), a fixed time that configuration checks against the windows. A
// rate counts from the association's creation, so rate(1 day) put the daily scan in whichever
// window the deploy's hour fell in, beside its Install. A cron scan is also kept from running
// when a deploy creates or changes it (ApplyOnlyAtCronInterval): "By default, when you create a
// new association, the system runs it immediately after it is created", and "when you update an
// association, the system runs it immediately after it is updated" (CreateAssociation and
// UpdateAssociation, Systems Manager API Reference, read 2026-12-06), whatever window is open;
// and a first scan before WSUS's first synchronisation reports nothing missing. `make patch-now
// OPERATION=Scan` scans at once.
const DefaultScanSchedule = "cron(0 12 ? * * *)"

// ScanMaxConcurrency and ScanMaxErrors rate-control every scan association. A scan's only job is
// to report every node, so no number of failures stops it: of MaxErrors, "If you specify 0, then
// the system stops sending requests after the first error is returned" (AssociationVersionInfo
// MaxErrors, Systems Manager API Reference, read 2026-12-07), and the nodes not yet reached keep
// stale compliance. The construct emits them and verify compares every scan with them (mutation
// run 24's B11: the fleet scan's MaxErrors 100% turned 0).
const (
	ScanMaxConcurrency = "50%"
	ScanMaxErrors      = "100%"
)

// ScanHours is how long a scan is taken to run when its schedule is checked against the
// windows: a judgement, not an AWS figure (no page gives a scan's length), with room for a slow
// Windows Update search.
const ScanHours = 1

// InstallOverrideListPrefix is where make patch-now KB=... uploads the InstallOverrideList of
// AWS-RunPatchBaseline in the command output bucket, which the nodes it patches read
// (s3:GetObject) by its Amazon S3 path-style URL s3://BUCKET/KEY: "If your file is stored in a
// private bucket, you must specify an Amazon S3 path-style URL" ("SSM Command document for
// patching: AWS-RunPatchBaseline", InstallOverrideList, Systems Manager User Guide, read
// 2026-12-06).
const InstallOverrideListPrefix = "patch-now/"

// The tag keys Patch Manager reads a patch group from: "A patch group must be defined using
// either the tag key Patch Group or PatchGroup" (Systems Manager User Guide, "Patch groups", read
// 2026-11-27); PatchGroup is the one allowed where tags are in instance metadata, which forbids
// spaces in keys.
const (
	PatchGroupTag         = "Patch Group"
	PatchGroupMetadataTag = "PatchGroup"
)

// PatchGroupTagKeys are both keys; the first is the default.
var PatchGroupTagKeys = []string{PatchGroupTag, PatchGroupMetadataTag}

// Task operations and reboot options of AWS-RunPatchBaseline, and task defaults.
const (
	OperationInstall      = "Install"
	OperationScan         = "Scan"
	RebootIfNeeded        = "RebootIfNeeded"
	NoReboot              = "NoReboot"
	DefaultMaxConcurrency = "25%"
	DefaultMaxErrors      = "10%"
	// MaxPriority is the highest (last) task priority; 0 is the pre-patch image's.
	MaxPriority = 1000
)

// Task runs AWS-RunPatchBaseline in a window.
type Task struct {
	// Operation is Install or Scan. Default: Install.
	Operation string `yaml:"operation"`
	// RebootOption is RebootIfNeeded or NoReboot. Default: RebootIfNeeded.
	RebootOption string `yaml:"rebootOption"`
	// MaxConcurrency (a number from 1 or 1%-100%) and MaxErrors (from 0 or 0%-100%). Default:
	// 25% and 10%.
	MaxConcurrency string `yaml:"maxConcurrency"`
	MaxErrors      string `yaml:"maxErrors"`
	// Priority orders tasks, lower first, 1 to MaxPriority; 0 is the pre-patch image's. Default:
	// the task's place in the window, from 1.
	Priority int `yaml:"priority"`
	// CloudWatchOutput also sends the command output to CloudWatch Logs. Default: false.
	CloudWatchOutput bool `yaml:"cloudWatchOutput"`
	// NotifyOnFailure publishes to the alerts topic when the command fails, times out or is
	// cancelled. Default: true (nil), as docs/patching.md says.
	NotifyOnFailure *bool `yaml:"notifyOnFailure"`
	// StopOnAlarms are CloudWatch alarms of your own (their names, in the stack's account and
	// region, existing before the deploy) that stop this Install task when in ALARM, with the
	// window's failure alarm and the earlier ring's (docs/patching.md#a-rollout-that-stops-itself).
	// At most MaxStopOnAlarms. Default: none.
	StopOnAlarms []string `yaml:"stopOnAlarms"`
	// Hooks run the Install with AWS-RunPatchBaselineWithHooks and these documents before the
	// install, after it and on exit (Hooks; HooksPage). Install tasks only. Default: none
	// (AWS-RunPatchBaseline).
	Hooks *Hooks `yaml:"hooks"`
}

// Document is the Command document the task runs: AWS-RunPatchBaselineWithHooks with hooks,
// else AWS-RunPatchBaseline.
func (t Task) Document() string {
	if t.Hooks != nil {
		return RunPatchBaselineWithHooksDocument
	}
	return RunPatchBaselineDocument
}

// WithDefaults fills what is unset; place is the task's index in its window.
func (t Task) WithDefaults(place int) Task {
	fill(&t.Operation, OperationInstall)
	fill(&t.RebootOption, RebootIfNeeded)
	fill(&t.MaxConcurrency, DefaultMaxConcurrency)
	fill(&t.MaxErrors, DefaultMaxErrors)
	fill(&t.Priority, place+1)
	if t.NotifyOnFailure == nil {
		notify := true
		t.NotifyOnFailure = &notify
	}
	return t
}

// Notifies says whether the task publishes its failures (NotifyOnFailure, default true).
func (t Task) Notifies() bool { return t.NotifyOnFailure == nil || *t.NotifyOnFailure }

// Rate control of window tasks and associations, as the Systems Manager API model gives it
// (shapes MaxConcurrency and MaxErrors, each 1-7 characters: botocore data/ssm/2014-11-06/
// service-2.json; RegisterTaskWithMaintenanceWindow and CreateAssociation, AWS Systems Manager API
// Reference, read 2026-12-06). MaxErrors takes no leading zero ("05%", "00" are refused by the
// API, so CloudFormation fails mid-deploy on them).
var (
	rateControlPattern = regexp.MustCompile(`^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$`)
	maxErrorsPattern   = regexp.MustCompile(`^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$`)
)

// maxRateControlLength is the longest MaxConcurrency or MaxErrors (same API model).
const maxRateControlLength = 7

// ValidConcurrency and ValidMaxErrors: the API model's pattern and length (a task's, an
// association's, and what the stop alarm's attach call passes again).
func ValidConcurrency(v string) bool {
	return len(v) <= maxRateControlLength && rateControlPattern.MatchString(v)
}

func ValidMaxErrors(v string) bool {
	return len(v) <= maxRateControlLength && maxErrorsPattern.MatchString(v)
}

// Problems are the task's problems (give them after defaults).
func (t Task) Problems() spec.Problems {
	var p spec.Problems
	if t.Operation != OperationInstall && t.Operation != OperationScan {
		p.Add("Operation", t.Operation, "is not allowed: use %s or %s", OperationInstall, OperationScan)
	}
	if t.RebootOption != RebootIfNeeded && t.RebootOption != NoReboot {
		p.Add("RebootOption", t.RebootOption, "is not allowed: use %s or %s", RebootIfNeeded, NoReboot)
	}
	if !ValidConcurrency(t.MaxConcurrency) {
		p.Add("MaxConcurrency", t.MaxConcurrency, "is not allowed: use a number from 1 or a percentage from 1%% to 100%%, without leading zeros, at most %d characters", maxRateControlLength)
	}
	if !ValidMaxErrors(t.MaxErrors) {
		p.Add("MaxErrors", t.MaxErrors, "is not allowed: use a number from 0 or a percentage from 0%% to 100%%, without leading zeros, at most %d characters", maxRateControlLength)
	}
	if t.Priority < 1 || t.Priority > MaxPriority {
		p.Add("Priority", t.Priority, "is out of range: use 1 to %d, lower first (0 is the pre-patch image's)", MaxPriority)
	}
	if t.Hooks != nil {
		if t.Operation != OperationInstall {
			p.Add("Hooks", t.Operation, "run on Install tasks only: AWS-RunPatchBaselineWithHooks runs no hook for Scan (%s)", HooksPage)
		}
		p.Within("Hooks", t.Hooks.Problems())
	}
	p = append(p, stopOnAlarmsProblems(t)...)
	return p
}

// Targets select a window's instances: by patch group (read from one tag key), resource group or
// instance id, exactly one kind.
type Targets struct {
	PatchGroups []string
	// PatchGroupTagKey is the one tag key patch groups are read from, of PatchGroupTagKeys: a
	// task runs once per window target it names ("its task invocations occur sequentially",
	// RegisterTargetWithMaintenanceWindow, AWS Systems Manager API Reference, read 2026-11-27),
	// so a window on both keys would run every task twice on an instance carrying both (the
	// fleet's do). Default: PatchGroupTagKeys[0].
	PatchGroupTagKey string
	ResourceGroup    string
	InstanceIds      []string
}

// MaxTargetValues is the most values of one window target ("AWS::SSM::MaintenanceWindowTarget
// Targets", CloudFormation User Guide: Values, Maximum 50; read 2026-12-06).
const MaxTargetValues = 50

// WithDefaults fills what is unset.
func (t Targets) WithDefaults() Targets {
	fill(&t.PatchGroupTagKey, PatchGroupTagKeys[0])
	return t
}

var (
	instanceIDPattern = regexp.MustCompile(`^(i|mi)-[0-9a-f]{8,17}$`)
	resourceGroupPat  = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,128}$`)
)

// Problems are the targets' problems (give them after defaults). Field names are the Go ones;
// config names its YAML keys the same, lower-cased.
func (t Targets) Problems() spec.Problems {
	var p spec.Problems
	if len(t.PatchGroups) == 0 && t.ResourceGroup == "" && len(t.InstanceIds) == 0 {
		p.Add("", "", "is empty: target patchGroups, a resourceGroup or instanceIds")
	}
	if (len(t.PatchGroups) > 0 && (t.ResourceGroup != "" || len(t.InstanceIds) > 0)) || (t.ResourceGroup != "" && len(t.InstanceIds) > 0) {
		p.Add("", "", "mixes kinds of targets: use one of patchGroups, resourceGroup or instanceIds per window")
	}
	if !slices.Contains(PatchGroupTagKeys, t.PatchGroupTagKey) {
		p.Add("PatchGroupTagKey", t.PatchGroupTagKey, "is not a patch group tag key: use one of %s "+
			"(one per window; instances may carry both, as the created ones do)", strings.Join(PatchGroupTagKeys, " or "))
	}
	for _, values := range []struct {
		field string
		list  []string
	}{{"PatchGroups", t.PatchGroups}, {"InstanceIds", t.InstanceIds}} {
		if len(values.list) > MaxTargetValues {
			p.Add(values.field, len(values.list), "values are more than the %d one window target takes: split them over several windows", MaxTargetValues)
		}
	}
	if t.ResourceGroup != "" && !resourceGroupPat.MatchString(t.ResourceGroup) {
		p.Add("ResourceGroup", t.ResourceGroup, "is not a resource group name")
	}
	for j, id := range t.InstanceIds {
		if !instanceIDPattern.MatchString(id) {
			p.Add(fmt.Sprintf("InstanceIds[%d]", j), id, "is not an instance id")
		}
	}
	return p
}

// Window is a maintenance window running patch tasks; its targets are apart (Targets), as the
// configuration reads their tag key with its own YAML type.
type Window struct {
	// Name of the window: 3-128 letters, digits and _ - . (with its derived names, TargetName and
	// TaskName).
	Name string `yaml:"name"`
	// Schedule: cron(...) (AWS's six fields), rate(...) or at(...).
	Schedule string `yaml:"schedule"`
	// Timezone (IANA name) the schedule is in. Default: DefaultTimezone.
	Timezone string `yaml:"timezone"`
	// ScheduleOffset runs the window N days (1 to MaxScheduleOffset) after the cron date, e.g.
	// after Patch Tuesday. Default: 0.
	ScheduleOffset int `yaml:"scheduleOffset"`
	// DurationHours the window is open, 1 to MaxDurationHours. Default (nil, not 0):
	// DefaultDurationHours.
	DurationHours *int `yaml:"durationHours"`
	// CutoffHours before the end when no new task starts, less than DurationHours. Default (nil):
	// DefaultCutoffHours.
	CutoffHours *int `yaml:"cutoffHours"`
	// StartDate and EndDate (ISO-8601) bound when the window is active. Default: none.
	StartDate string `yaml:"startDate"`
	EndDate   string `yaml:"endDate"`
	// AllowUnassociatedTargets lets tasks run on targets not registered with the window.
	AllowUnassociatedTargets bool `yaml:"allowUnassociatedTargets"`
	// Tasks run in priority order. Default: one Install task.
	Tasks []Task `yaml:"tasks"`
	// PrePatchImage creates an AMI of each target (without reboot) before the patch tasks.
	PrePatchImage bool `yaml:"prePatchImage"`
}

// Hours is a number of hours where nil means the default.
func Hours(n int) *int { return &n }

// WithDefaults fills what is unset, the tasks' too.
func (w Window) WithDefaults() Window {
	if w.DurationHours == nil {
		w.DurationHours = Hours(DefaultDurationHours)
	}
	if w.CutoffHours == nil {
		w.CutoffHours = Hours(DefaultCutoffHours)
	}
	fill(&w.Timezone, DefaultTimezone)
	tasks := w.Tasks
	if len(tasks) == 0 {
		tasks = []Task{{}}
	}
	w.Tasks = make([]Task, len(tasks))
	for i, t := range tasks {
		w.Tasks[i] = t.WithDefaults(i)
	}
	return w
}

// Installs says whether a task of the window installs (defaults applied): the windows the patch
// calendar and the WSUS server's apart-rule judge.
func (w Window) Installs() bool {
	return slices.ContainsFunc(w.Tasks, func(t Task) bool { return t.Operation == OperationInstall })
}

// TargetName is the name of the window's target.
func (w Window) TargetName() string { return w.Name + "-targets" }

// TaskName is the name of the window's task at index i.
func (w Window) TaskName(i int) string { return fmt.Sprintf("%s-%s", w.Name, TaskID(i)) }

// TaskID is the construct id of the window's task at index i.
func TaskID(i int) string { return fmt.Sprintf("Task%d", i+1) }

// namePattern is the names of associations (CreateAssociation AssociationName), maintenance
// window targets (RegisterTargetWithMaintenanceWindow Name) and tasks
// (RegisterTaskWithMaintenanceWindow Name) (AWS Systems Manager API Reference, read 2026-11-27).
var namePattern = regexp.MustCompile(`^[a-zA-Z0-9_\-.]{3,128}$`)

// ValidName says whether name is a Systems Manager name (3-128 letters, digits and _ - .).
func ValidName(name string) bool { return namePattern.MatchString(name) }

// Problems are the window's problems (give them after defaults).
func (w Window) Problems() spec.Problems {
	var p spec.Problems
	if !ValidName(w.Name) {
		p.Add("Name", w.Name, "is not allowed: use 3-128 letters, digits and _ - .")
	} else {
		for _, derived := range []string{w.TargetName(), w.TaskName(len(w.Tasks) - 1)} {
			if !ValidName(derived) {
				p.Add("Name", w.Name, "is too long: the window's target and tasks are named %q, and Systems Manager takes 3-128 characters; shorten it", derived)
				break
			}
		}
	}
	if err := ssmschedule.CheckWindow(w.Schedule); err != nil {
		p.Add("Schedule", w.Schedule, "is not a maintenance window schedule: %v", err)
	}
	if _, err := time.LoadLocation(w.Timezone); err != nil || w.Timezone == "Local" {
		p.Add("Timezone", w.Timezone, "is not an IANA time zone: use one such as UTC, Asia/Seoul or America/New_York")
	} else if err := ssmschedule.CheckLocalTimes(w.Schedule, w.Timezone, w.ScheduleOffset); err != nil {
		// make calendar and make verify refuse such a window: so does the configuration.
		p.Add("Schedule", w.Schedule, "in %s: %v", w.Timezone, err)
	}
	if w.ScheduleOffset != 0 && (!strings.HasPrefix(w.Schedule, "cron(") || w.ScheduleOffset < 1 || w.ScheduleOffset > MaxScheduleOffset) {
		p.Add("ScheduleOffset", w.ScheduleOffset, "is not allowed: 1 to %d days, with a cron schedule only", MaxScheduleOffset)
	}
	duration := *w.DurationHours
	if duration < 1 || duration > MaxDurationHours {
		p.Add("DurationHours", duration, "is out of range: use 1 to %d (leave it out for %d)", MaxDurationHours, DefaultDurationHours)
	}
	if cutoff := *w.CutoffHours; cutoff < 0 || cutoff >= duration {
		p.Add("CutoffHours", cutoff, "must be less than durationHours (%d): whole hours, so the seed's 30-minute cutoff becomes 0 or 1", duration)
	}
	for _, d := range []struct{ name, value string }{{"StartDate", w.StartDate}, {"EndDate", w.EndDate}} {
		if _, err := time.Parse(time.RFC3339, d.value); d.value != "" && err != nil {
			p.Add(d.name, d.value, "is not an ISO-8601 date and time: use e.g. 2026-12-01T00:00:00Z")
		}
	}
	start, startErr := time.Parse(time.RFC3339, w.StartDate)
	if end, endErr := time.Parse(time.RFC3339, w.EndDate); startErr == nil && endErr == nil && !end.After(start) {
		p.Add("EndDate", w.EndDate, "is not after startDate (%s): the window would never be active; give an end after the start", w.StartDate)
	}
	for i, t := range w.Tasks {
		p.Within(fmt.Sprintf("Tasks[%d]", i), t.Problems())
	}
	return p
}

func fill[T comparable](field *T, value T) {
	var zero T
	if *field == zero {
		*field = value
	}
}

// MaxAlarmMetrics is how many metrics an alarm on a metric math expression may reference:
// "Alarms based on metric math expressions can reference a maximum of 10 metrics. This is a hard
// limit" ("Limits", Amazon CloudWatch User Guide, alarms, read 2026-12-06).
const MaxAlarmMetrics = 10
