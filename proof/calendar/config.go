package calendar

import (
	"slices"
	"time"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
)

// DefaultMonths is how many Patch Tuesdays the calendar covers.
const DefaultMonths = 24

// FromConfig is the plan of a configuration (validated, defaults applied) from the day from: its
// windows, the patch groups they install and the rings name, with their baselines' delays, the
// ring order (patching.rings.stages), the WSUS server's patch group and the deadlines.
func FromConfig(cfg *config.Config, from time.Time) Plan {
	p := Plan{From: from, Months: DefaultMonths, Groups: map[string]Group{}, Deadlines: cfg.Patching.Deadlines,
		Severities: config.DeadlineSeverities}
	if cfg.Wsus.Enabled {
		server := cfg.Wsus.Server
		p.WsusServer = &server
		p.WsusGroup = cfg.Wsus.PatchGroup
		for _, g := range cfg.Fleet.InstanceGroups {
			if p.WsusGroup != "" && g.PatchGroup == p.WsusGroup {
				p.WsusSharedWith = append(p.WsusSharedWith, g.Name)
			}
		}
	}
	addGroup := func(name string) {
		if _, ok := p.Groups[name]; !ok {
			b := cfg.PatchGroupBaseline(name)
			p.Groups[name] = groupOf(name, b.Baseline, p.Severities)
		}
	}
	p.Windows = Windows(cfg)
	for _, w := range p.Windows {
		if w.Install {
			for _, g := range w.PatchGroups {
				addGroup(g)
			}
		}
	}
	if r := cfg.Patching.Rings; r != nil {
		for _, s := range r.Stages {
			p.Rings = append(p.Rings, s.PatchGroup)
			addGroup(s.PatchGroup)
		}
	}
	return p
}

// Windows are the configuration's maintenance windows (defaults applied), as the calendar
// computes their runs.
func Windows(cfg *config.Config) []Window {
	var out []Window
	for _, w := range cfg.Patching.MaintenanceWindows {
		out = append(out, Window{Name: w.Name, Schedule: w.Schedule, Timezone: w.Timezone, Offset: w.ScheduleOffset,
			DurationHours: *w.DurationHours, CutoffHours: *w.CutoffHours, StartDate: w.StartDate, EndDate: w.EndDate,
			Install: w.Installs(), PatchGroups: w.Targets.PatchGroups})
	}
	return out
}

// delays are the shortest approveAfterDays with which b's rules approve each severity. On Windows
// a rule approves a severity unless its MSRC_SEVERITY filter leaves it out; a rule with
// approveUntilDate approves no later release. Other operating systems have no MSRC severity:
// every severity gets the shortest delay of any rule.
func delays(b patchingspec.Baseline, severities []string) map[string]int {
	out := map[string]int{}
	for _, r := range b.ApprovalRules {
		if r.ApproveAfterDays == nil {
			continue
		}
		for _, s := range severities {
			if values, filtered := r.Filters["MSRC_SEVERITY"]; b.OperatingSystem == patchingspec.DefaultOperatingSystem && filtered &&
				!slices.Contains(values, s) && !slices.Contains(values, "*") {
				continue
			}
			if d, ok := out[s]; !ok || *r.ApproveAfterDays < d {
				out[s] = *r.ApproveAfterDays
			}
		}
	}
	return out
}
