// Package calendar proves, before a deploy, when patches land: for the next months from a date,
// each month's Patch Tuesday and every maintenance window's runs, computed from its schedule
// (cron or at), ScheduleOffset, ScheduleTimezone (with daylight saving), StartDate/EndDate,
// duration and cutoff as AWS documents them; then, for each patch group a window installs, when
// a release is installed given its baseline's approval delays. It fails, naming the month, when a
// later ring installs a release before an earlier one or closer to it than their delays differ,
// when the WSUS server's install does not come before the fleet's, or when a deadline is missed;
// and it refuses a schedule whose runs it cannot decide (a rate, a local time that daylight saving
// skips or repeats, an offset run on the other side of StartDate or EndDate than its cron time)
// rather than guess. It imports no CDK: make calendar and make verify run it on the configuration.
package calendar

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // time zones and their daylight-saving rules without the host's zoneinfo

	"github.com/privatepatch/privatepatch/constructs/ssmschedule"

	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
)

// Microsoft's release: the second Tuesday of the month ("Patch Tuesday": TechRepublic, "Insider's
// guide to managing Microsoft Patch Tuesday", and the MSRC's update cycle, read 2026-12-06), at
// 10:00 US Pacific time (the and common knowledge: no Microsoft page in the stored
// corpus states the hour; a public Patch Tuesday calendar, fexofenadine/mspatchingical, uses
// 17:00 UTC, which is 10:00 PDT).
const (
	releaseHour = 10
	releaseZone = "America/Los_Angeles"
)

// PatchTuesday is the release of year and month: the second Tuesday, 10:00 US Pacific.
func PatchTuesday(year int, month time.Month) time.Time {
	pacific, _ := time.LoadLocation(releaseZone)
	first := time.Date(year, month, 1, releaseHour, 0, 0, 0, pacific)
	return first.AddDate(0, 0, (int(time.Tuesday)-int(first.Weekday())+7)%7+7)
}

// Window is a maintenance window as the calendar needs it.
type Window struct {
	Name     string
	Schedule string
	// Timezone is an IANA name; empty is UTC.
	Timezone string
	// Offset is ScheduleOffset, days after the cron date.
	Offset int
	// DurationHours and CutoffHours: tasks start from the run until Duration-Cutoff after it.
	DurationHours, CutoffHours int
	// StartDate and EndDate (RFC 3339, empty for none) bound the runs.
	StartDate, EndDate string
	// Install says whether a task installs (AWS-RunPatchBaseline Install); a scan-only window
	// installs nothing and is listed only.
	Install bool
	// PatchGroups the window targets; none when it targets a resource group or instance ids.
	PatchGroups []string
}

// Group is a patch group and its baseline's approval delays.
type Group struct {
	Name, Baseline string
	// OperatingSystem is its baseline's; "" where the baseline is not known.
	OperatingSystem string
	// Delays are approveAfterDays by MSRC severity; a severity missing is never approved by a
	// delay (an approveUntilDate or explicit list approves no future release).
	Delays map[string]int
	// NotJudged says why the group's approvals are not judged against the deadlines: its
	// baseline is not a Windows one (MSRC severities are Windows's), or not one these stacks or
	// the configuration know.
	NotJudged string
}

// groupOf is a patch group served by baseline b: judged by its delays where b is a Windows
// baseline.
func groupOf(name string, b patchingspec.Baseline, severities []string) Group {
	g := Group{Name: name, Baseline: b.Name, OperatingSystem: b.OperatingSystem, Delays: delays(b, severities)}
	if b.OperatingSystem != "" && b.OperatingSystem != patchingspec.DefaultOperatingSystem {
		g.Delays, g.NotJudged = nil, "a "+b.OperatingSystem+" baseline: MSRC severities and their deadlines are Windows's"
	}
	return g
}

// Plan is what the calendar is computed from.
type Plan struct {
	// From is the first day; the months are the Patch Tuesdays at or after it.
	From   time.Time
	Months int
	// Windows are every maintenance window.
	Windows []Window
	// Groups are the patch groups, by name, that a window installs or a ring names.
	Groups map[string]Group
	// Rings are patch groups in rollout order (patching.rings.stages).
	Rings []string
	// WsusGroup is the WSUS server's patch group, "" without one.
	WsusGroup string
	// WsusSharedWith are the instance groups (fleet.instanceGroups) in the WSUS server's patch
	// group: they install in the server's own windows.
	WsusSharedWith []string
	// WsusServer is the server the fleet's groups install from, nil without one (a NAT path to
	// Microsoft Update): their install of a release waits for its synchronisation
	// (wsusspec.Server.SyncedBy); the server's own group updates from Microsoft Update.
	WsusServer *wsusspec.Server
	// Deadlines are the most days from a release to the end of its install, by MSRC severity.
	Deadlines map[string]int
	// Severities are the MSRC severities judged, most severe first.
	Severities []string
}

// Run is one run of a window.
type Run struct {
	Window string
	// Start is when the window opens; LastTaskStart the last moment a task may start (the
	// cutoff); End when it closes.
	Start, LastTaskStart, End time.Time
	// WorstCase marks a rate window's run placed where its interval puts it at the latest: a
	// rate's runs depend on when the window was created, so this one may come earlier.
	WorstCase bool
}

// Install is when a patch group installs one month's release of one approval delay.
type Install struct {
	Group string
	Delay int
	// Run is the first run of a window installing the group that starts at or after approval;
	// nil when none does within the horizon.
	Run *Run
	// Earliest is the first run from the start of the approval's UTC day: where AWS's pages
	// differ (approvalOf), an install may come that early. Checks that one ring comes after
	// another take the earliest of the later ring and the latest of the earlier.
	Earliest *Run
}

// Days from the release to the end of the install's window.
func (i Install) Days(release time.Time) float64 { return i.Run.End.Sub(release).Hours() / 24 }

// Month is one release and its installs, by group and delay.
type Month struct {
	Release  time.Time
	Installs map[string]map[int]Install
}

// Name is the month as YYYY-MM.
func (m Month) Name() string { return m.Release.Format("2006-01") }

// Calendar is the computed calendar and what is wrong with it.
type Calendar struct {
	Plan Plan
	Runs map[string][]Run
	// Rates are the installing windows on a rate(...) schedule, with its interval: their runs
	// depend on when the window was created, so installs take their worst case (addInstalls).
	Rates    map[string]time.Duration
	Months   []Month
	Problems []string
	// Notes say what the calendar leaves out, and why.
	Notes []string
}

// firstFrom is the first run starting at or after t, or nil.
func firstFrom(runs []Run, t time.Time) *Run {
	for i := range runs {
		if !runs[i].Start.Before(t) {
			return &runs[i]
		}
	}
	return nil
}

// approvalOf is when after the release a delay of days approves it: Patch Manager evaluates
// release dates in UTC, and "If a patch is released at 2025-11-09T18:00:00Z and ApproveAfterDays
// is set to 7, the patch will be approved after 2025-11-16T18:00:00Z" (PatchRule, AWS Systems
// Manager API Reference, read 2026-12-06). The CloudFormation reference (AWS::SSM::PatchBaseline
// Rule, read the same day) words it by UTC day instead ("patches released between
// 2025-11-16T00:00:00Z and 2025-11-16T23:59:59Z"), so a run on the approval's UTC day before that
// time may install it or not: Install keeps both.
func approvalOf(release time.Time, days int) time.Time {
	return release.Add(time.Duration(days) * 24 * time.Hour)
}

// horizon is how long after the last release runs are computed: the longest delay and two
// months of runs.
func (p Plan) horizon(last time.Time) time.Time {
	longest := 0
	for _, g := range p.Groups {
		for _, d := range g.Delays {
			longest = max(longest, d)
		}
	}
	return last.AddDate(0, 2, longest)
}

// Compute computes the calendar. The error refuses a schedule the model cannot decide, naming
// the window.
func Compute(p Plan) (*Calendar, error) {
	c := &Calendar{Plan: p, Runs: map[string][]Run{}, Rates: map[string]time.Duration{}, Months: p.months()}
	if len(c.Months) == 0 {
		return c, nil
	}
	until := p.horizon(c.Months[len(c.Months)-1].Release)
	for _, w := range p.Windows {
		if !w.Install {
			c.Notes = append(c.Notes, fmt.Sprintf("window %s installs nothing (Scan only): not in the calendar", w.Name))
			continue
		}
		if interval, ok := ssmschedule.RateInterval(w.Schedule); ok {
			if err := c.addRate(w, interval, until); err != nil {
				return nil, fmt.Errorf("window %s: %w", w.Name, err)
			}
		} else {
			runs, err := w.runs(p.From, until)
			if err != nil {
				return nil, fmt.Errorf("window %s: %w", w.Name, err)
			}
			c.Runs[w.Name] = runs
		}
		if len(w.PatchGroups) == 0 {
			c.Notes = append(c.Notes, fmt.Sprintf("window %s targets a resource group or instance ids, not patch groups: its runs are listed, "+
				"and it is in no ring, WSUS or deadline check", w.Name))
		}
	}
	if s := p.WsusServer; s != nil {
		c.Notes = append(c.Notes, fmt.Sprintf("the fleet's groups install a release once the WSUS server has synchronised it: its first "+
			"synchronisation after the release (syncTimeUtc %s, %d a day), as soon as it starts for the order of installs, %d hours later "+
			"for the deadlines; the update's download after approval is not modelled", s.SyncTimeUtc, max(s.SyncsPerDay, 1), wsusspec.SyncRunHours))
	}
	for _, name := range slices.Sorted(maps.Keys(p.Groups)) {
		c.addInstalls(name)
	}
	c.check()
	return c, nil
}

// months are the plan's Patch Tuesdays at or after its first day, without installs yet.
func (p Plan) months() []Month {
	var months []Month
	y, m, _ := p.From.Date()
	for len(months) < p.Months {
		if release := PatchTuesday(y, m); !release.Before(p.From) {
			months = append(months, Month{Release: release, Installs: map[string]map[int]Install{}})
		}
		m++
		if m > 12 {
			y, m = y+1, 1
		}
	}
	return months
}

// addRate places a rate window. A start date still ahead of the plan's first day fixes its runs:
// the rate counts from it, for a window deployed before then. Otherwise the runs depend on when
// the window was created ("if you provide a start date that occurs in the past, the current date
// and time are used": UpdateMaintenanceWindow), so its installs are taken at their worst case
// (Rates); either way none starts after its end date.
func (c *Calendar) addRate(w Window, interval time.Duration, until time.Time) error {
	_, start, end, err := w.where()
	if err != nil {
		return err
	}
	if !start.IsZero() && start.After(c.Plan.From) {
		var runs []Run
		for at := start; at.Before(until) && (end.IsZero() || !at.After(end)); at = at.Add(interval) {
			runs = append(runs, w.runAt(at))
		}
		c.Runs[w.Name] = runs
		c.Notes = append(c.Notes, fmt.Sprintf("window %s: %s counts from its start date %s, still ahead: its runs are placed from it (for a window deployed before then)",
			w.Name, w.Schedule, stamp(start)))
		return nil
	}
	c.Rates[w.Name] = interval
	c.Notes = append(c.Notes, fmt.Sprintf("window %s: %s counts from whenever the window is created, so its install of a release is taken "+
		"at its worst case: a run as early as the approval and as late as %s after it", w.Name, w.Schedule, days(interval)))
	return nil
}

// addInstalls adds, to each month, the patch group's install for each of its delays: the first
// run of the windows that install it from the approval; a group no window installs is a note.
// A rate window's run may come any time within its interval (Rates): it counts as a run at the
// approval for Earliest, and as one a whole interval later for Run, the worst case of both.
func (c *Calendar) addInstalls(name string) {
	g := c.Plan.Groups[name]
	var runs []Run
	var rates []Window
	for _, w := range c.Plan.Windows {
		if _, rate := c.Rates[w.Name]; w.Install && slices.Contains(w.PatchGroups, name) && rate {
			rates = append(rates, w)
		} else if w.Install && slices.Contains(w.PatchGroups, name) {
			runs = append(runs, c.Runs[w.Name]...)
		}
	}
	slices.SortFunc(runs, func(a, b Run) int { return a.Start.Compare(b.Start) })
	if len(runs) == 0 && len(rates) == 0 {
		c.Notes = append(c.Notes, fmt.Sprintf("patch group %s: no maintenance window installs it, so nothing here says when it is patched: "+
			"not in the calendar", name))
		return
	}
	for i := range c.Months {
		month := &c.Months[i]
		month.Installs[name] = map[int]Install{}
		for _, delay := range distinct(g.Delays) {
			approved := approvalOf(month.Release, delay)
			earliest := approved
			if delay > 0 {
				earliest = approved.UTC().Truncate(24 * time.Hour)
			}
			if p := c.Plan; p.WsusServer != nil && name != p.WsusGroup {
				// The soonest the fleet could find it (the synchronisation's start) bounds the
				// ordering checks, the latest (its end) the deadlines.
				start, end := p.WsusServer.Synchronising(month.Release)
				approved, earliest = later(approved, end), later(earliest, start)
			}
			install := Install{Group: name, Delay: delay, Run: firstFrom(runs, approved), Earliest: firstFrom(runs, earliest)}
			for _, w := range rates {
				_, _, end, _ := w.where() // no run starts after the end date
				early, late := w.runAt(earliest), w.runAt(approved.Add(c.Rates[w.Name]))
				late.WorstCase = true
				if end.IsZero() || !late.Start.After(end) {
					install.Run = sooner(install.Run, &late)
				}
				if end.IsZero() || !early.Start.After(end) {
					install.Earliest = sooner(install.Earliest, &early)
				}
			}
			month.Installs[name][delay] = install
		}
	}
}

// later is the later of two times.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// sooner is the run of a and b that starts first; a nil run is none.
func sooner(a, b *Run) *Run {
	if a == nil || (b != nil && b.Start.Before(a.Start)) {
		return b
	}
	return a
}

// days writes a duration in days, or hours below a day.
func days(d time.Duration) string {
	if d < 24*time.Hour {
		return fmt.Sprintf("%g hours", d.Hours())
	}
	return fmt.Sprintf("%g days", d.Hours()/24)
}

func distinct(delays map[string]int) []int {
	var out []int
	for _, d := range delays {
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return out
}

func stamp(t time.Time) string { return t.UTC().Format("Mon 2006-01-02 15:04Z") }

// Runs are the window's runs that start from from until until, as Compute computes them: a cron
// time before from counts as passed, so a window deployed before from with a schedule offset has
// runs from the cron times from the offset's days before. The error refuses what AWS's pages do
// not decide.
func (w Window) Runs(from, until time.Time) ([]Run, error) { return w.runs(from, until) }

// runs are the window's runs that start from from until until.
func (w Window) runs(from, until time.Time) ([]Run, error) {
	loc, startDate, endDate, err := w.where()
	if err != nil {
		return nil, err
	}
	var starts []time.Time
	switch {
	case strings.HasPrefix(w.Schedule, "rate("):
		// A rate counts from when the window is created or enabled, and "When using a rate
		// schedule, if you provide a start date that occurs in the past, the current date and time
		// are used as the start date" (UpdateMaintenanceWindow StartDate, API Reference, read
		// 2026-12-07): the deploy decides its runs, not the configuration. Compute places a rate
		// window without a start or end date by its worst case instead (Calendar.Rates).
		return nil, fmt.Errorf("%s runs from whenever the window is created (or from its start date, if that is still ahead then): "+
			"its runs cannot be listed; the calendar (Compute) takes them at their worst case", w.Schedule)
	case strings.HasPrefix(w.Schedule, "at("):
		if w.Timezone != "" && w.Timezone != "UTC" {
			return nil, fmt.Errorf("%s with timezone %s: AWS documents at() in UTC, and its example pairs it with a time zone without saying which wins: "+
				"use UTC or a cron schedule", w.Schedule, w.Timezone)
		}
		t, err := time.Parse("2006-01-02T15:04:05", strings.TrimSuffix(strings.TrimPrefix(w.Schedule, "at("), ")"))
		if err != nil {
			return nil, fmt.Errorf("%q is not at(YYYY-MM-DDThh:mm:ss)", w.Schedule)
		}
		starts = append(starts, t)
	default:
		if starts, err = w.cronStarts(from, until, loc, startDate, endDate); err != nil {
			return nil, err
		}
	}
	var runs []Run
	for _, s := range starts {
		// StartDate and EndDate "determine only the valid period during which the maintenance
		// window can run on its schedule" ("Maintenance window scheduling and active period
		// options", read 2026-12-06): its example's first run is the first scheduled time after
		// the start date.
		if s.Before(from) || !s.Before(until) || (!startDate.IsZero() && s.Before(startDate)) || (!endDate.IsZero() && s.After(endDate)) {
			continue
		}
		runs = append(runs, w.runAt(s))
	}
	return runs, nil
}

// runAt is the window's run that starts at start.
func (w Window) runAt(start time.Time) Run {
	return Run{Window: w.Name, Start: start,
		LastTaskStart: start.Add(time.Duration(w.DurationHours-w.CutoffHours) * time.Hour),
		End:           start.Add(time.Duration(w.DurationHours) * time.Hour)}
}

// where is the window's time zone (UTC without one) and its active period's start and end
// dates (zero without them).
func (w Window) where() (loc *time.Location, startDate, endDate time.Time, err error) {
	loc = time.UTC
	if w.Timezone != "" {
		if loc, err = time.LoadLocation(w.Timezone); err != nil {
			return nil, startDate, endDate, fmt.Errorf("timezone %q: %w", w.Timezone, err)
		}
	}
	for _, d := range []struct {
		text string
		into *time.Time
	}{{w.StartDate, &startDate}, {w.EndDate, &endDate}} {
		if d.text == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, d.text)
		if err != nil {
			return nil, startDate, endDate, fmt.Errorf("%q is not an ISO-8601 date and time", d.text)
		}
		*d.into = t
	}
	return loc, startDate, endDate, nil
}

// cronStarts are the starts of a cron window's runs whose cron time is from from until until,
// each its cron time moved by the schedule offset.
func (w Window) cronStarts(from, until time.Time, loc *time.Location, startDate, endDate time.Time) ([]time.Time, error) {
	c, err := ssmschedule.ParseCron(w.Schedule)
	if err != nil {
		return nil, err
	}
	if w.Offset != 0 && (w.Offset < 1 || w.Offset > 6) {
		return nil, fmt.Errorf("scheduleOffset %d: AWS takes 1 to 6 days", w.Offset)
	}
	var starts []time.Time
	first := time.Date(from.In(loc).Year(), from.In(loc).Month(), from.In(loc).Day(), 0, 0, 0, 0, loc)
	for day := first; day.Before(until); day = day.AddDate(0, 0, 1) {
		if !c.MatchesDay(day) {
			continue
		}
		for _, h := range c.Hours {
			for _, m := range c.Minutes {
				for _, s := range c.Seconds {
					at, run, err := w.offsetRun(day, h, m, s, loc)
					if err != nil {
						return nil, err
					}
					// "If you create a maintenance window with a cron expression that targets a
					// day that has already passed in the current period, but add a schedule
					// offset date that falls in the future, the maintenance window won't run in
					// the period": a cron time before from counts as passed.
					if at.Before(from) {
						continue
					}
					for _, bound := range []struct {
						name string
						at   time.Time
					}{{"startDate", startDate}, {"endDate", endDate}} {
						if !bound.at.IsZero() && at.Before(bound.at) != run.Before(bound.at) {
							return nil, fmt.Errorf("the cron time %s and its offset run %s fall on either side of %s %s: AWS does not say "+
								"which one the active period bounds", stamp(at), stamp(run), bound.name, bound.at.Format(time.RFC3339))
						}
					}
					starts = append(starts, run)
				}
			}
		}
	}
	return starts, nil
}

// offsetRun is the cron time h:m:s on day, and the run it starts: the offset is days after the
// cron's date and time, at the same local time ("won't run until 11:30 PM two days later").
func (w Window) offsetRun(day time.Time, h, m, s int, loc *time.Location) (at, run time.Time, err error) {
	if at, err = ssmschedule.LocalTime(day.Year(), day.Month(), day.Day(), h, m, s, loc); err != nil {
		return at, run, err
	}
	run = at
	if w.Offset > 0 {
		d := day.AddDate(0, 0, w.Offset)
		if run, err = ssmschedule.LocalTime(d.Year(), d.Month(), d.Day(), h, m, s, loc); err != nil {
			return at, run, err
		}
	}
	return at, run, nil
}
