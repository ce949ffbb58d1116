package calendar

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
)

// pair is two delays of two groups that approve the same severities.
type pair struct{ a, b int }

// pairs are the distinct delays with which groups a and b approve the same severities, and the
// severities that b approves and a never does.
func (p Plan) pairs(a, b string) (both []pair, onlyB []string) {
	if p.Groups[a].NotJudged != "" || p.Groups[b].NotJudged != "" {
		return nil, nil
	}
	for _, s := range p.Severities {
		da, okA := p.Groups[a].Delays[s]
		db, okB := p.Groups[b].Delays[s]
		switch {
		case okA && okB && !slices.Contains(both, pair{da, db}):
			both = append(both, pair{da, db})
		case okB && !okA:
			onlyB = append(onlyB, s)
		}
	}
	return both, onlyB
}

func (c *Calendar) installed(group string) bool {
	return len(c.Months) > 0 && c.Months[0].Installs[group] != nil
}

// installedRings are the rings, in order, that a window installs.
func (c *Calendar) installedRings() []string {
	var rings []string
	for _, r := range c.Plan.Rings {
		if c.installed(r) {
			rings = append(rings, r)
		}
	}
	return rings
}

// check finds the problems: first those of every month, then each release's.
func (c *Calendar) check() {
	p := c.Plan
	c.checkEndedWindows()
	rings := c.installedRings()
	for i := 1; i < len(rings); i++ {
		a, b := rings[i-1], rings[i]
		_, onlyB := p.pairs(a, b)
		if len(onlyB) > 0 {
			c.Problems = append(c.Problems, fmt.Sprintf("every month: ring %s approves %s releases, which ring %s before it never approves by a delay: "+
				"they reach %s first", b, strings.Join(onlyB, ", "), a, b))
		}
	}
	fleet := []string{}
	for _, g := range slices.Sorted(maps.Keys(p.Groups)) {
		if g != p.WsusGroup && c.installed(g) {
			fleet = append(fleet, g)
		}
	}
	if c.installed(p.WsusGroup) {
		c.checkWsusOwnWindows()
		c.checkWsusWindowsApart()
	}
	c.checkApprovedByDelay()
	for _, m := range c.Months {
		month := fmt.Sprintf("%s release (%s)", m.Name(), stamp(m.Release))
		c.checkRingOrder(m, month, rings)
		if c.installed(p.WsusGroup) {
			c.checkWsusFirst(m, month, fleet)
		}
		c.checkDeadlines(m, month)
	}
}

// checkEndedWindows: a window that installs and ended before the calendar's start never runs
// (AWS::SSM::MaintenanceWindow EndDate: "the date and time ... when the maintenance window is
// scheduled to become inactive"); a patch group of it that no other window installs waits for
// ever (mutation run 17's B03, an end date in the past, printed "0 runs" and passed). Retiring a
// window by its end date while another installs its groups is how AWS stops one: a note.
func (c *Calendar) checkEndedWindows() {
	p := c.Plan
	for _, w := range p.Windows {
		end, err := time.Parse(time.RFC3339, w.EndDate)
		if err != nil || !w.Install || !end.Before(p.From) {
			continue
		}
		var alone []string
		for _, g := range w.PatchGroups {
			if !slices.ContainsFunc(p.Windows, func(o Window) bool {
				_, rate := c.Rates[o.Name] // a rate window's runs are placed apart (addRate)
				return o.Name != w.Name && o.Install && (len(c.Runs[o.Name]) > 0 || (rate && !ended(o, p.From))) && slices.Contains(o.PatchGroups, g)
			}) {
				alone = append(alone, g)
			}
		}
		if len(alone) > 0 {
			c.Problems = append(c.Problems, fmt.Sprintf("window %s: its end date %s is before the calendar's start: it never runs, and no other window installs patch groups %s",
				w.Name, w.EndDate, strings.Join(alone, ", ")))
		} else {
			c.Notes = append(c.Notes, fmt.Sprintf("window %s ended (%s) before the calendar's start: other windows install its patch groups", w.Name, w.EndDate))
		}
	}
}

// ended tells whether w's end date is before t.
func ended(w Window, t time.Time) bool {
	end, err := time.Parse(time.RFC3339, w.EndDate)
	return err == nil && end.Before(t)
}

// checkWsusOwnWindows: the WSUS server installs in windows and a patch group of its own, so that
// it can install first.
func (c *Calendar) checkWsusOwnWindows() {
	p := c.Plan
	first := c.Months[0].Name()
	for _, w := range p.Windows {
		if others := slices.DeleteFunc(slices.Clone(w.PatchGroups), func(g string) bool { return g == p.WsusGroup }); w.Install &&
			len(others) < len(w.PatchGroups) && len(others) > 0 {
			c.Problems = append(c.Problems, fmt.Sprintf("every month from %s: window %s installs the WSUS server (patch group %s) and patch group %s "+
				"at the same time, not the server first: give the server a window of its own", first, w.Name, p.WsusGroup, strings.Join(others, ", ")))
		}
	}
	if len(p.WsusSharedWith) > 0 {
		c.Problems = append(c.Problems, fmt.Sprintf("every month from %s: the WSUS server's patch group %s is instance group %s's too: "+
			"they install in the same windows, not the server first: give the server a patch group of its own (wsus.patchGroup)",
			first, p.WsusGroup, strings.Join(p.WsusSharedWith, ", ")))
	}
}

// checkWsusWindowsApart: no run of a window that installs the WSUS server is open while a window
// installing Windows fleet groups is: the server installs and reboots while the fleet's
// AWS-RunPatchBaseline scans and downloads from it (Windows nodes patch through the Windows
// Update source their policy names, the WSUS server: "How patches are installed", AWS Systems
// Manager User Guide), and those runs fail (mutation run 18's A16: the server's window moved
// onto the fleet's, installs a release apart, passed the WSUS-first check). A group whose
// baseline is not a Windows one does not use WSUS; one whose baseline is not known is judged as
// Windows. Rate windows are left out: their runs depend on when the window was created.
func (c *Calendar) checkWsusWindowsApart() {
	p := c.Plan
	windows := func(server bool) []Window {
		var out []Window
		for _, w := range p.Windows {
			_, rate := c.Rates[w.Name]
			if !w.Install || rate {
				continue
			}
			if slices.Contains(w.PatchGroups, p.WsusGroup) == server && (server || slices.ContainsFunc(w.PatchGroups, func(g string) bool {
				// A group whose baseline is not known may be Windows: judged as one.
				os := p.Groups[g].OperatingSystem
				return g != p.WsusGroup && (os == patchingspec.DefaultOperatingSystem || os == "")
			})) {
				out = append(out, w)
			}
		}
		return out
	}
	for _, s := range windows(true) {
		for _, f := range windows(false) {
			for _, a := range c.Runs[s.Name] {
				i := slices.IndexFunc(c.Runs[f.Name], func(b Run) bool { return a.Start.Before(b.End) && b.Start.Before(a.End) })
				if i < 0 {
					continue
				}
				b := c.Runs[f.Name][i]
				c.Problems = append(c.Problems, fmt.Sprintf("window %s (the WSUS server, patch group %s, open %s to %s) and window %s (patch groups %s, open %s to %s) are open together: "+
					"the server installs and reboots while the fleet installs from it: move one so that they never overlap",
					s.Name, p.WsusGroup, stamp(a.Start), stamp(a.End), f.Name, strings.Join(f.PatchGroups, ", "), stamp(b.Start), stamp(b.End)))
				break
			}
		}
	}
}

// checkApprovedByDelay: each installed group's baseline approves, by a delay, every severity
// that has a deadline.
func (c *Calendar) checkApprovedByDelay() {
	p := c.Plan
	for _, g := range slices.Sorted(maps.Keys(p.Groups)) {
		if !c.installed(g) || p.Groups[g].NotJudged != "" {
			continue
		}
		for _, s := range p.Severities {
			if _, ok := p.Deadlines[s]; !ok {
				continue
			}
			if _, ok := p.Groups[g].Delays[s]; !ok {
				c.Problems = append(c.Problems, fmt.Sprintf("every month: patch group %s misses the %s deadline (%d days): its baseline %s approves no %s release by a delay",
					g, s, p.Deadlines[s], p.Groups[g].Baseline, s))
			}
		}
	}
}

// checkRingOrder: of a release, each ring installs no earlier than the one before it, by as
// many days as their delays differ. The days are calendar days where the earlier ring's window
// is scheduled (its runs' Start is in the window's zone): a week holding a daylight-saving change
// is 6 days 23 hours, or 7 days 1 hour, long, and still the week the user scheduled.
func (c *Calendar) checkRingOrder(m Month, month string, rings []string) {
	for i := 1; i < len(rings); i++ {
		a, b := rings[i-1], rings[i]
		both, _ := c.Plan.pairs(a, b)
		for _, d := range both {
			ia, ib := m.Installs[a][d.a], m.Installs[b][d.b]
			switch {
			case ia.Run == nil:
				c.Problems = append(c.Problems, fmt.Sprintf("%s: ring %s (%d days) has no window run to install it", month, a, d.a))
			case ib.Earliest == nil:
			case ib.Earliest.Start.Before(ia.Run.Start):
				c.Problems = append(c.Problems, fmt.Sprintf("%s: ring %s (%d days) can install it at %s (window %s), before ring %s (%d days) at %s (window %s)",
					month, b, d.b, stamp(ib.Earliest.Start), ib.Earliest.Window, a, d.a, stamp(ia.Run.Start), ia.Run.Window))
			case ib.Earliest.Start.Before(ia.Run.Start.AddDate(0, 0, d.b-d.a)):
				c.Problems = append(c.Problems, fmt.Sprintf("%s: ring %s can install it at %s (window %s), %.1f days after ring %s at %s (window %s): "+
					"less than the %d days their approval delays differ (%d and %d)", month, b, stamp(ib.Earliest.Start), ib.Earliest.Window,
					ib.Earliest.Start.Sub(ia.Run.Start).Hours()/24, a, stamp(ia.Run.Start), ia.Run.Window, d.b-d.a, d.a, d.b))
			}
		}
	}
}

// checkWsusFirst: of a release, the WSUS server's run ends before any fleet group can start
// installing it.
func (c *Calendar) checkWsusFirst(m Month, month string, fleet []string) {
	p := c.Plan
	for _, g := range fleet {
		both, _ := p.pairs(p.WsusGroup, g)
		for _, d := range both {
			iw, ig := m.Installs[p.WsusGroup][d.a], m.Installs[g][d.b]
			switch {
			case iw.Run == nil:
				c.Problems = append(c.Problems, fmt.Sprintf("%s: the WSUS server's patch group %s has no window run to install it", month, p.WsusGroup))
			case ig.Earliest == nil:
			case ig.Earliest.Start.Before(iw.Run.End):
				c.Problems = append(c.Problems, fmt.Sprintf("%s: the WSUS server (patch group %s, %d days) installs it in window %s until %s, "+
					"and patch group %s (%d days) can start installing it at %s (window %s): the server the fleet installs from must be done first",
					month, p.WsusGroup, d.a, iw.Run.Window, stamp(iw.Run.End), g, d.b, stamp(ig.Earliest.Start), ig.Earliest.Window))
			}
		}
	}
}

// checkDeadlines: of a release, each group's install of each severity ends by its deadline.
func (c *Calendar) checkDeadlines(m Month, month string) {
	p := c.Plan
	for _, g := range slices.Sorted(maps.Keys(m.Installs)) {
		for _, s := range p.Severities {
			deadline, ok := p.Deadlines[s]
			delay, approved := p.Groups[g].Delays[s]
			if !ok || !approved {
				continue
			}
			install := m.Installs[g][delay]
			switch {
			case install.Run == nil:
				c.Problems = append(c.Problems, fmt.Sprintf("%s: patch group %s misses the %s deadline (%d days): no window run installs it", month, g, s, deadline))
			case install.Days(m.Release) > float64(deadline):
				c.Problems = append(c.Problems, fmt.Sprintf("%s: patch group %s misses the %s deadline (%d days): approved after %d days, installed by %s (window %s), %.1f days after the release",
					month, g, s, deadline, delay, stamp(install.Run.End), install.Run.Window, install.Days(m.Release)))
			}
		}
	}
}

// OutOfBand is the worst case from a release on any day (out of band) to the end of its
// install, for a group and delay: the delay, the longest stretch from one run's start to the next
// run's end and, for a fleet group, the wait for the WSUS server's synchronisation.
func (c *Calendar) OutOfBand(group string, delay int) (time.Duration, bool) {
	var runs []Run
	var worst time.Duration
	found := false
	for _, w := range c.Plan.Windows {
		if !w.Install || !slices.Contains(w.PatchGroups, group) {
			continue
		}
		runs = append(runs, c.Runs[w.Name]...)
		// A rate window's worst: a release just after one run waits the interval for the next.
		if interval, ok := c.Rates[w.Name]; ok && (!found || interval+time.Duration(w.DurationHours)*time.Hour < worst) {
			worst, found = interval+time.Duration(w.DurationHours)*time.Hour, true
		}
	}
	slices.SortFunc(runs, func(a, b Run) int { return a.Start.Compare(b.Start) })
	if len(runs) >= 2 {
		var cron time.Duration
		for i := 1; i < len(runs); i++ {
			cron = max(cron, runs[i].End.Sub(runs[i-1].Start))
		}
		// With both kinds, the sooner of the two installs: neither is worse than its own worst.
		if !found || cron < worst {
			worst, found = cron, true
		}
	}
	if !found {
		return 0, false
	}
	// A fleet group also waits for the WSUS server to synchronise a release.
	if p := c.Plan; p.WsusServer != nil && group != p.WsusGroup {
		worst += p.WsusServer.SyncWait()
	}
	return worst + time.Duration(delay)*24*time.Hour, true
}

// Print writes the calendar: the windows, the groups and their delays, one row per release with
// each group's install, the out-of-band worst cases, the notes and the problems.
func (c *Calendar) Print(out io.Writer) {
	p := c.Plan
	fmt.Fprintf(out, "patch calendar: %d Patch Tuesdays from %s (second Tuesday, 10:00 US Pacific); times UTC\n", len(c.Months), p.From.Format("2006-01-02"))
	fmt.Fprintln(out, "\nwindows that install (runs computed from schedule, offset, time zone, start and end date):")
	for _, w := range p.Windows {
		if w.Install {
			fmt.Fprintln(out, c.windowLine(w))
		}
	}
	columns := c.printGroups(out)
	c.printReleases(out, columns)
	fmt.Fprintln(out, "\nworst case from a release on any day (out of band) to the end of its install:")
	for _, col := range columns {
		if worst, ok := c.OutOfBand(col.Group, col.Delay); ok {
			fmt.Fprintf(out, "  %-16s +%dd: %.1f days\n", col.Group, col.Delay, worst.Hours()/24)
		}
	}
	for _, n := range c.Notes {
		fmt.Fprintln(out, "note:", n)
	}
	fmt.Fprintf(out, "\nchecked: %s: %d problem(s)\n", strings.Join(c.checksMade(), "; "), len(c.Problems))
	for _, problem := range c.Problems {
		fmt.Fprintf(out, "  %s  <-- WRONG\n", problem)
	}
}

// windowLine describes a window that installs: its schedule, time zone, hours and patch groups.
func (c *Calendar) windowLine(w Window) string {
	tz := w.Timezone
	if tz == "" {
		tz = "UTC"
	}
	extra := ""
	if w.Offset > 0 {
		extra += fmt.Sprintf(" +%d days", w.Offset)
	}
	if w.StartDate != "" || w.EndDate != "" {
		extra += fmt.Sprintf(", active %s..%s", w.StartDate, w.EndDate)
	}
	groups := strings.Join(w.PatchGroups, ", ")
	if groups == "" {
		groups = "(not patch groups)"
	}
	runs := fmt.Sprintf("%d runs", len(c.Runs[w.Name]))
	if interval, ok := c.Rates[w.Name]; ok {
		runs = "runs every " + days(interval) + " from its creation: taken at its worst case (~)"
	}
	return fmt.Sprintf("  %-24s %s%s in %s, open %d h, tasks start until %d h; patch groups %s; %s",
		w.Name, w.Schedule, extra, tz, w.DurationHours, w.DurationHours-w.CutoffHours, groups, runs)
}

// printGroups writes each installed group's delays, baseline and role, and returns the release
// table's columns: one per group and distinct delay.
func (c *Calendar) printGroups(out io.Writer) []Install {
	p := c.Plan
	var columns []Install
	fmt.Fprintln(out, "\npatch groups (approval delay in days by MSRC severity; baseline):")
	for _, g := range slices.Sorted(maps.Keys(p.Groups)) {
		if !c.installed(g) {
			continue
		}
		var delays []string
		for _, s := range p.Severities {
			if d, ok := p.Groups[g].Delays[s]; ok {
				delays = append(delays, fmt.Sprintf("%s %d", s, d))
			}
		}
		role := ""
		if i := slices.Index(p.Rings, g); i >= 0 {
			role = fmt.Sprintf(", ring %d", i+1)
		}
		if g == p.WsusGroup {
			role += ", the WSUS server"
		}
		if reason := p.Groups[g].NotJudged; reason != "" {
			delays = []string{"not judged, " + reason}
		}
		fmt.Fprintf(out, "  %-16s %s; %s%s\n", g, strings.Join(delays, ", "), p.Groups[g].Baseline, role)
		for _, d := range distinct(p.Groups[g].Delays) {
			columns = append(columns, Install{Group: g, Delay: d})
		}
	}
	return columns
}

// printReleases writes one row per release with each column's install, marking an install an
// earlier run may make too.
func (c *Calendar) printReleases(out io.Writer, columns []Install) {
	row := func(cells []string) {
		line := fmt.Sprintf("%-22s", cells[0])
		for _, cell := range cells[1:] {
			line += fmt.Sprintf("  %-28s", cell)
		}
		fmt.Fprintln(out, strings.TrimRight(line, " "))
	}
	header := []string{"release"}
	for _, col := range columns {
		header = append(header, fmt.Sprintf("%s +%dd: install (days)", col.Group, col.Delay))
	}
	fmt.Fprintln(out)
	row(header)
	marked, worstCase := false, false
	for _, m := range c.Months {
		cells := []string{stamp(m.Release)}
		for _, col := range columns {
			i := m.Installs[col.Group][col.Delay]
			cell := "none"
			if i.Run != nil {
				cell = fmt.Sprintf("%s (%.1f)", i.Run.Start.UTC().Format("Mon 01-02 15:04"), i.Days(m.Release))
				switch {
				case i.Run.WorstCase:
					cell += " ~"
					worstCase = true
				case i.Earliest != nil && i.Earliest.Start != i.Run.Start:
					cell += " *"
					marked = true
				}
			}
			cells = append(cells, cell)
		}
		row(cells)
	}
	fmt.Fprintln(out, "(install: the run's start; days: from the release to the run's end)")
	if marked {
		fmt.Fprintln(out, "* an earlier run on the approval's UTC day may install it too (AWS's API and CloudFormation references word the delay differently); the checks allow for both")
	}
	if worstCase {
		fmt.Fprintln(out, "~ a rate window's worst case: it may run any time from the approval until then, as its creation decides (re-enabling or updating the window restarts the count); the checks allow for both")
	}
}

// checksMade names what check looked at for this plan.
func (c *Calendar) checksMade() []string {
	p := c.Plan
	checks := []string{}
	if rings := c.installedRings(); len(rings) > 1 {
		checks = append(checks, "rings in order ("+strings.Join(rings, ", ")+") and apart by their delays")
	}
	if c.installed(p.WsusGroup) {
		checks = append(checks, "the WSUS server ("+p.WsusGroup+") installs before the fleet")
	}
	if len(p.Deadlines) > 0 {
		var ds []string
		for _, s := range p.Severities {
			if d, ok := p.Deadlines[s]; ok {
				ds = append(ds, fmt.Sprintf("%s %d days", s, d))
			}
		}
		checks = append(checks, "deadlines "+strings.Join(ds, ", "))
	}
	if len(checks) == 0 {
		checks = append(checks, "nothing to check (no two rings with windows, no WSUS patch group a window installs, no deadlines)")
	}
	return checks
}
