package wsusspec

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/constructs/ssmschedule"
)

// WSUS maintenance (wsus-cleanup.ps1). Without it a server grows until clients' scans time out:
// superseded and expired updates are never declined, and obsolete updates, computers and content
// pile up in SUSDB and the update store. The cleanup runs Invoke-WsusServerCleanup with every
// switch of the Server Cleanup Wizard ("Invoke-WsusServerCleanup", UpdateServices module,
// Windows Server 2025 PowerShell reference, read 2026-12-06), then re-indexes SUSDB through the
// Windows Internal Database's pipe, as "Reindex the WSUS database" and "The complete guide to
// Microsoft WSUS and Configuration Manager SUP maintenance" (Microsoft Learn, read 2026-12-06)
// describe.
const (
	// DefaultCleanupSchedule: the first Wednesday of the month, 08:00 UTC. It is before Patch
	// Tuesday (the second), so the month's large synchronisation lands on a clean database; it is
	// hours from the default 21:00 synchronisation, and days from the server's window (Saturday)
	// and the fleet's (Sunday). A cron expression: State Manager's DAY#n form ("Reference: Cron
	// and rate expressions for Systems Manager", its AWS-UpdateSSMAgent association example
	// cron(0 0 ? * THU#2 *), read 2026-12-06).
	DefaultCleanupSchedule = "cron(0 8 ? * WED#1 *)"
	// CleanupTimeoutSeconds: a neglected SUSDB takes hours to clean (the guide's first cleanup
	// "can take a long time"); eight hours, within aws:runPowerShellScript's 172800 seconds.
	CleanupTimeoutSeconds = 8 * 3600
	// CleanupReportSchedule is how often the server publishes the cleanup's state: a Metrics
	// Insights alarm evaluates only the latest 3 hours of data ("Limits that apply to alarms based
	// on Metrics Insights queries", Amazon CloudWatch User Guide, read 2026-12-06), so a monthly
	// result must be published again every hour.
	CleanupReportSchedule = "rate(1 hour)"
	// MetricCleanupHealthy is 1 while the last cleanup succeeded and the last success (or, before
	// the first, the first report) is at most MaxDaysWithoutCleanup old; 0 otherwise. The alarm
	// reads this one metric: one Metrics Insights query.
	MetricCleanupHealthy = "CleanupHealthy"
	// MetricDaysSinceCleanup is how many days ago the last cleanup succeeded, for the record.
	MetricDaysSinceCleanup = "DaysSinceCleanup"
	// CleanupOutputPrefix is where cleanup runs write their output in the output bucket.
	CleanupOutputPrefix = "wsus-cleanup/"
	// SyncRunHours is how long a synchronisation is taken to run when it is checked against
	// other work on the server (the cleanup, its own window, the fleet's installs; StaleSyncHours
	// allows two).
	SyncRunHours = 2
)

// Cleanup is the WSUS server's maintenance.
type Cleanup struct {
	// Enabled runs the cleanup and re-index on Schedule, and alarms when it fails or has not
	// succeeded for two periods. Default (nil): true.
	Enabled *bool `yaml:"enabled"`
	// Schedule is a State Manager cron expression with a fixed minute and hour, outside the
	// synchronisation hours (each synchronisation and the two hours after it).
	// Default: DefaultCleanupSchedule.
	Schedule string `yaml:"schedule"`
}

// On says whether the cleanup runs (Enabled, default true).
func (c Cleanup) On() bool { return c.Enabled == nil || *c.Enabled }

// WithDefaults fills what is unset.
func (c Cleanup) WithDefaults() Cleanup {
	if c.Enabled == nil {
		on := true
		c.Enabled = &on
	}
	fill(&c.Schedule, DefaultCleanupSchedule)
	return c
}

// cronTime: minute, hour, day of month, month, day of week, year.
var cronTime = regexp.MustCompile(`^cron\(([0-9]{1,2}) ([0-9]{1,2}) (\S+) (\S+) (\S+) (\S+)\)$`)

// varyingDays: a cron day field whose days are not evenly spaced: a list, a range or a step
// (a held-out check found MON,THU given a period of one day, whose runs are four days apart).
func varyingDays(field string) bool { return field != "*" && strings.ContainsAny(field, ",-/*") }

// unevenRuns says why a cleanup cron's runs can be further apart than the alarm's two periods
// allow (MaxDaysWithoutCleanup), or "": days by a list, range or step; a month or a year; a fifth
// weekday, which most months lack; the weekday nearest the 31st. A plain day 29 to 31 skips the
// months that lack it, at most 61 days apart (March 31 to May 31), which with the 8-hour run is
// within the 62 days (proof/wiring's CleanupAge, over the calendar of cron(0 8 31 * ? *): 61 days,
// 2027-03-31 to 2027-05-31). 31W moves a Sunday's run back to Friday the 29th, and the same gap
// becomes 63 days (CleanupAge: 2027-10-29 to 2027-12-31).
func unevenRuns(dayOfMonth, month, dayOfWeek, year string) string {
	switch {
	case varyingDays(dayOfMonth) || varyingDays(dayOfWeek):
		return "names its days by a list, range or step"
	case month != "*":
		// Unreachable today: ssmschedule refuses a month first (State Manager takes none in an
		// association's cron); kept so that a month never passes here if that changes.
		return "runs in some months only (the month must be *)"
	case year != "*":
		return "runs in some years only (the year must be *)"
	case strings.HasSuffix(dayOfWeek, "#5"):
		return "runs on a fifth weekday, which most months lack"
	case dayOfMonth == "31W":
		return "runs on the weekday nearest the 31st, which moves a Sunday the 31st back to Friday the 29th: with the months " +
			"that lack a 31st skipped, 63 days pass between runs (29 October to 31 December 2027), more than the alarm's 62"
	}
	return ""
}

// CleanupPeriodDays is the period the alarm allows two of between the schedule's runs: 31 for a
// monthly cron (a day of the month, or DAY#n / DAYL, whose runs are 28 to 35 days apart; a day
// 29 to 31 skips the months without it, up to 61 days, which two periods still hold with the
// run), 7 for a weekly one (one day of the week), 1 for every day. Validation refuses the other
// forms (lists, ranges, steps), whose runs are unevenly spaced.
func CleanupPeriodDays(schedule string) int {
	m := cronTime.FindStringSubmatch(schedule)
	if m == nil {
		return 1
	}
	dayOfMonth, dayOfWeek := m[3], m[5]
	switch {
	case dayOfMonth != "?" && !strings.ContainsAny(dayOfMonth, ",-/*"):
		return 31
	case strings.Contains(dayOfWeek, "#") || strings.HasSuffix(dayOfWeek, "L") && dayOfWeek != "L":
		return 31
	case dayOfMonth == "?" && !strings.ContainsAny(dayOfWeek, ",-/*"):
		return 7
	}
	return 1
}

// MaxDaysWithoutCleanup is two periods of schedule: the alarm fires after that long without a
// successful cleanup.
func MaxDaysWithoutCleanup(schedule string) int { return 2 * CleanupPeriodDays(schedule) }

// CleanupProblems are the cleanup settings' problems (give them after defaults), given the
// server's synchronisation settings: the schedule must be a cron expression with a fixed minute
// and hour that starts outside every synchronisation and the SyncRunHours after it.
func (s Server) CleanupProblems() spec.Problems {
	var p spec.Problems
	c := s.Cleanup
	if !c.On() {
		return p
	}
	if err := ssmschedule.CheckAssociation(c.Schedule); err != nil {
		p.Add("Schedule", c.Schedule, "is not a State Manager schedule: %v", err)
		return p
	}
	m := cronTime.FindStringSubmatch(c.Schedule)
	if m == nil {
		p.Add("Schedule", c.Schedule, "needs a fixed minute and hour, cron(M H ...), so that the cleanup runs outside WSUS's synchronisation, e.g. %s", DefaultCleanupSchedule)
		return p
	}
	if problem := unevenRuns(m[3], m[4], m[5], m[6]); problem != "" {
		p.Add("Schedule", c.Schedule, "%s: the cleanup alarm allows two periods without a good cleanup (MaxDaysWithoutCleanup), and with "+
			"runs unevenly apart it would fire between them; take one day of the month (1 to 31, L, 1W to 30W, LW), one day of the week, a weekday's "+
			"1st to 4th or last (WED#1, WEDL) or every day (*), in every month and year, e.g. %s", problem, DefaultCleanupSchedule)
		return p
	}
	hour, _ := strconv.Atoi(m[2])
	minute, _ := strconv.Atoi(m[1])
	start := hour*60 + minute
	if !timeOfDayRegexp.MatchString(s.SyncTimeUtc) || s.SyncsPerDay < 1 || s.SyncsPerDay > MaxSyncsPerDay {
		return p // the synchronisation settings' own problems are reported
	}
	if 24*60/s.SyncsPerDay <= SyncRunHours*60 {
		p.Add("Schedule", c.Schedule, "has no time to run: with %d synchronisations a day, each taken as %d hours, WSUS is always synchronising "+
			"in the database the cleanup works in; synchronise at most %d times a day, or turn the cleanup off (cleanup: {enabled: false})",
			s.SyncsPerDay, SyncRunHours, 24/SyncRunHours-1)
		return p
	}
	for _, sync := range s.SyncStartsUtc() {
		if after := (start - sync + 24*60) % (24 * 60); after < SyncRunHours*60 {
			p.Add("Schedule", c.Schedule, "starts %d minutes after the synchronisation at %02d:%02d UTC (syncTimeUtc %s, %d a day): "+
				"WSUS synchronises and cleans up in the same database; start it at least %d hours after every synchronisation",
				after, sync/60, sync%60, s.SyncTimeUtc, s.SyncsPerDay, SyncRunHours)
			break
		}
	}
	return p
}

// SyncStartsUtc are the minutes of the day (UTC) at which the server synchronises: SyncTimeUtc
// and every 24/SyncsPerDay hours after it, as the setup script sets them.
func (s Server) SyncStartsUtc() []int {
	var first int
	if h, m, ok := strings.Cut(s.SyncTimeUtc, ":"); ok {
		hour, _ := strconv.Atoi(h)
		minute, _ := strconv.Atoi(m)
		first = hour*60 + minute
	}
	n := max(s.SyncsPerDay, 1)
	var starts []int
	for i := range n {
		starts = append(starts, (first+i*24*60/n)%(24*60))
	}
	return starts
}

// Synchronising is when the server takes in an update Microsoft releases at release: its first
// synchronisation to start after the release, from its start (the soonest a client could find the
// update, for checks that one install comes after another) to SyncRunHours later (the latest it is
// taken to have it, for deadlines). The server's approval rule approves it as it synchronises
// (docs/wsus.md). What it leaves out: the update's files, which WSUS downloads after approval
// ("WSUS downloads the update file only after it is approved", DownloadUpdateBinariesAsNeeded),
// may take longer.
func (s Server) Synchronising(release time.Time) (start, end time.Time) {
	day := release.UTC().Truncate(24 * time.Hour)
	for _, d := range []int{0, 1} {
		for _, minute := range s.SyncStartsUtc() {
			at := day.AddDate(0, 0, d).Add(time.Duration(minute) * time.Minute)
			if at.After(release) && (start.IsZero() || at.Before(start)) {
				start = at
			}
		}
	}
	return start, start.Add(SyncRunHours * time.Hour)
}

// SyncWait is the longest an update waits for the server to have it: one period between
// synchronisations and one synchronisation.
func (s Server) SyncWait() time.Duration {
	return 24*time.Hour/time.Duration(max(s.SyncsPerDay, 1)) + SyncRunHours*time.Hour
}

// CleanupParameters are the cleanup document's parameters.
func CleanupParameters() []DocumentParameter {
	return []DocumentParameter{
		{"Mode", "Cleanup (decline, delete, compress, re-index, then report) or Report (publish the last cleanup's state)", "Report", "^(Cleanup|Report)$"},
		{"Namespace", "CloudWatch namespace of the health metrics", HealthNamespace, `^[A-Za-z0-9][A-Za-z0-9/_.-]{0,254}$`},
		{"MaxDaysWithoutCleanup", "Days without a successful cleanup before it reports unhealthy (two periods)",
			strconv.Itoa(MaxDaysWithoutCleanup(DefaultCleanupSchedule)), "^[1-9][0-9]{0,3}$"},
	}
}
