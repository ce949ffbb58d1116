package calendar

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
)

// The tests pin the first day: a Sunday, before the December 2026 Patch Tuesday.
var from = time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)

func utc(text string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", text)
	if err != nil {
		panic(err)
	}
	return t
}

// Patch Tuesdays of 2027, by hand from a printed calendar: the second Tuesday, 10:00 US Pacific,
// which is 18:00 UTC in standard time (PST, -8) and 17:00 UTC in daylight time (PDT, -7). US
// daylight time in 2027 runs from Sunday 14 March to Sunday 7 November (second Sunday of March,
// first of November), so March 9 and November 9 are still, or again, PST. September and December
// are the months where the second Tuesday falls as late as it can, the 14th.
func TestPatchTuesdaysOf2027MatchTheHandTable(t *testing.T) {
	want := []string{"2027-01-12 18:00", "2027-02-09 18:00", "2027-03-09 18:00", "2027-04-13 17:00", "2027-05-11 17:00",
		"2027-06-08 17:00", "2027-07-13 17:00", "2027-08-10 17:00", "2027-09-14 17:00", "2027-10-12 17:00",
		"2027-11-09 18:00", "2027-12-14 18:00"}
	for i, w := range want {
		assert.Equal(t, utc(w), PatchTuesday(2027, time.Month(i+1)).UTC(), "month %d", i+1)
	}
}

func runsOf(t *testing.T, w Window, until time.Time) []string {
	t.Helper()
	if w.DurationHours == 0 {
		w.DurationHours, w.CutoffHours = 4, 1
	}
	runs, err := w.runs(from, until)
	require.NoError(t, err)
	var out []string
	for _, r := range runs {
		out = append(out, r.Start.UTC().Format("2006-01-02 15:04"))
	}
	return out
}

// AWS's own examples ("Reference: Cron and rate expressions for Systems Manager", read
// 2026-12-06), and the day-of-month and day-of-week forms, against dates read off a calendar.
func TestCronFormsRunOnTheDaysOfTheHandTable(t *testing.T) {
	end := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, schedule string
		offset         int
		want           []string
	}{
		// "cron(30 23 ? * TUE#3 *)": the third Tuesday at 11:30 PM; with offset 2, "11:30 PM two
		// days later". Third Tuesdays: 2026-12-15, 2027-01-19, 2027-02-16.
		{"third Tuesday, offset 2", "cron(30 23 ? * TUE#3 *)", 2, []string{"2026-12-17 23:30", "2027-01-21 23:30", "2027-02-18 23:30"}},
		// With seconds, as the older page's "0 0 2 ? 1/1 THU#3 *" (third Thursday, 02:00) plus the year.
		{"third Thursday with seconds", "cron(0 0 2 ? 1/1 THU#3 *)", 0, []string{"2026-12-17 02:00", "2027-01-21 02:00", "2027-02-18 02:00"}},
		// Patch Tuesday plus three days: 2026-12-08, 2027-01-12 and 2027-02-09 are second Tuesdays.
		{"second Tuesday, offset 3", "cron(0 2 ? * TUE#2 *)", 3, []string{"2026-12-11 02:00", "2027-01-15 02:00", "2027-02-12 02:00"}},
		// The last Friday ("6L"): 2026-12-25, 2027-01-29, 2027-02-26.
		{"last Friday", "cron(15 10 ? * 6L *)", 0, []string{"2026-12-25 10:15", "2027-01-29 10:15", "2027-02-26 10:15"}},
		// The last day: 31, 31, 28.
		{"last day", "cron(0 2 L * ? *)", 0, []string{"2026-12-31 02:00", "2027-01-31 02:00", "2027-02-28 02:00"}},
		// The last weekday: 2027-01-31 is a Sunday, so Friday the 29th.
		{"last weekday", "cron(0 2 LW * ? *)", 0, []string{"2026-12-31 02:00", "2027-01-29 02:00", "2027-02-26 02:00"}},
		// The weekday nearest the 9th: 2027-01-09 is a Saturday (Friday 8th), 2026-12-09 a
		// Wednesday, 2027-02-09 a Tuesday.
		{"nearest weekday", "cron(0 2 9W * ? *)", 0, []string{"2026-12-09 02:00", "2027-01-08 02:00", "2027-02-09 02:00"}},
		// First Sunday of the month, a 2-day list, a month list and a year.
		{"first Sunday", "cron(0 2 ? * SUN#1 *)", 0, []string{"2026-12-06 02:00", "2027-01-03 02:00", "2027-02-07 02:00"}},
		{"days of the month in January 2027 only", "cron(0 4 1,15 JAN ? 2027)", 0, []string{"2027-01-01 04:00", "2027-01-15 04:00"}},
		{"every 12 hours on the 20th", "cron(0 0/12 20 * ? *)", 0, []string{"2026-12-20 00:00", "2026-12-20 12:00", "2027-01-20 00:00",
			"2027-01-20 12:00", "2027-02-20 00:00", "2027-02-20 12:00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, runsOf(t, Window{Name: "w", Schedule: tc.schedule, Offset: tc.offset}, end))
		})
	}
}

// Daylight saving: a window keeps its local time, so its UTC time moves by an hour across the
// change. US: 2027-03-14 and 2027-11-07; European Union: last Sundays of March and October
// (2027-03-28 and 2027-10-31), at 01:00 UTC.
func TestWindowsKeepTheirLocalTimeAcrossDaylightSaving(t *testing.T) {
	la := Window{Name: "la", Schedule: "cron(0 9 ? * WED *)", Timezone: "America/Los_Angeles"}
	runs := runsOf(t, la, time.Date(2027, 12, 1, 0, 0, 0, 0, time.UTC))
	assert.Contains(t, runs, "2027-03-10 17:00", "PST, -8")
	assert.Contains(t, runs, "2027-03-17 16:00", "PDT, -7")
	assert.Contains(t, runs, "2027-11-03 16:00", "PDT")
	assert.Contains(t, runs, "2027-11-10 17:00", "PST again")
	berlin := Window{Name: "berlin", Schedule: "cron(0 3 ? * SUN *)", Timezone: "Europe/Berlin"}
	runs = runsOf(t, berlin, time.Date(2027, 12, 1, 0, 0, 0, 0, time.UTC))
	assert.Contains(t, runs, "2027-03-21 02:00", "CET, +1")
	assert.Contains(t, runs, "2027-03-28 01:00", "CEST, +2")
	assert.Contains(t, runs, "2027-10-24 01:00", "CEST")
	assert.Contains(t, runs, "2027-10-31 02:00", "CET again")
}

// "Maintenance window scheduling and active period options" (read 2026-12-06), Example 1: start
// date 2021-01-01T00:00:00-08:00, America/Los_Angeles, cron(0 09 ? * WED *): the first run is the
// first Wednesday after the start, 9 AM Pacific. The page says "Wednesday, January 4, 2021"; 4
// January 2021 was a Monday, and the first Wednesday the 6th (its 2019 version, with FRI, gives
// Friday 4 January 2019, which is right). The end date bounds the last run.
func TestStartAndEndDateBoundTheRunsAsTheAWSExample(t *testing.T) {
	w := Window{Name: "lax", Schedule: "cron(0 09 ? * WED *)", Timezone: "America/Los_Angeles", DurationHours: 3, CutoffHours: 1,
		StartDate: "2021-01-01T00:00:00-08:00", EndDate: "2021-01-21T00:00:00-08:00"}
	runs, err := w.runs(time.Date(2020, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.Len(t, runs, 3)
	assert.Equal(t, utc("2021-01-06 17:00"), runs[0].Start.UTC(), "9 AM PST")
	assert.Equal(t, utc("2021-01-06 19:00"), runs[0].LastTaskStart.UTC(), "duration 3, cutoff 1: no task starts after 2 hours")
	assert.Equal(t, utc("2021-01-06 20:00"), runs[0].End.UTC())
	assert.Equal(t, utc("2021-01-20 17:00"), runs[2].Start.UTC(), "the last before the end date")
	w.Schedule, w.StartDate, w.EndDate = "cron(0 09 ? * FRI *)", "2019-01-01T00:00:00-08:00", ""
	runs, err = w.runs(time.Date(2018, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2019, 1, 10, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.Len(t, runs, 1)
	assert.Equal(t, utc("2019-01-04 17:00"), runs[0].Start.UTC())
}

// What AWS does not document is refused, naming the window and the day, not guessed.
func TestUndecidableSchedulesAreRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		w    Window
		want string
	}{
		{"a time daylight saving skips", Window{Schedule: "cron(30 2 ? * SUN *)", Timezone: "America/Los_Angeles"},
			"2027-03-14 02:30 does not exist in America/Los_Angeles"},
		{"a time daylight saving repeats", Window{Schedule: "cron(30 1 ? * SUN *)", Timezone: "America/Los_Angeles"},
			"2027-11-07 01:30 happens twice in America/Los_Angeles"},
		// Patch Tuesday 2027-03-09 plus five days is Sunday 14 March, 02:00 Pacific: skipped.
		{"an offset into the skipped hour", Window{Schedule: "cron(0 2 ? * TUE#2 *)", Timezone: "America/Los_Angeles", Offset: 5},
			"2027-03-14 02:00 does not exist in America/Los_Angeles"},
		{"the skipped hour in Europe", Window{Schedule: "cron(0 2 ? * SUN *)", Timezone: "Europe/Berlin"},
			"2027-03-28 02:00 does not exist in Europe/Berlin"},
		{"at() in another time zone", Window{Schedule: "at(2027-01-05T02:00:00)", Timezone: "Asia/Seoul"}, "AWS documents at() in UTC"},
		{"an offset across the start date", Window{Schedule: "cron(0 2 ? * TUE#2 *)", Offset: 3, StartDate: "2027-01-13T00:00:00Z"},
			"fall on either side of startDate"},
		{"W alone", Window{Schedule: "cron(0 2 W * ? *)"}, "W alone has no meaning"},
		{"a wrapping range", Window{Schedule: "cron(0 2 ? * FRI-MON *)"}, "wraps around"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.w.Name, tc.w.DurationHours, tc.w.CutoffHours, tc.w.Install = "planted", 4, 1, true
			_, err := Compute(Plan{From: from, Months: 24, Windows: []Window{tc.w}})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "window planted: ")
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func ring(name string, delay int) Group {
	return Group{Name: name, Baseline: name, Delays: map[string]int{"Critical": delay, "Important": delay}}
}

var severities = []string{"Critical", "Important", "Moderate", "Low"}

// An install waits for the approval (release + delay, in UTC) and then for the next run: a 7-day
// delay misses Patch Tuesday + 3 and waits for the next month's.
func TestInstallIsTheFirstRunAfterApproval(t *testing.T) {
	plan := Plan{From: from, Months: 3, Severities: severities, Deadlines: map[string]int{"Critical": 14},
		Windows: []Window{{Name: "pt3", Schedule: "cron(0 2 ? * TUE#2 *)", Offset: 3, DurationHours: 4, CutoffHours: 1, Install: true,
			PatchGroups: []string{"fast", "slow"}}},
		Groups: map[string]Group{"fast": ring("fast", 0), "slow": ring("slow", 7)}}
	c, err := Compute(plan)
	require.NoError(t, err)
	jan := c.Months[1]
	assert.Equal(t, utc("2027-01-12 18:00"), jan.Release.UTC())
	assert.Equal(t, utc("2027-01-15 02:00"), jan.Installs["fast"][0].Run.Start.UTC())
	assert.InDelta(t, 2.5, jan.Installs["fast"][0].Days(jan.Release), 0.01, "2 days and 8 hours, then the 4-hour window")
	assert.Equal(t, utc("2027-02-12 02:00"), jan.Installs["slow"][7].Run.Start.UTC(), "approved 2027-01-19 18:00: the next run is February's")
	assert.Contains(t, c.Problems, "2027-01 release (Tue 2027-01-12 18:00Z): patch group slow misses the Critical deadline (14 days): "+
		"approved after 7 days, installed by Fri 2027-02-12 06:00Z (window pt3), 30.5 days after the release")
	assert.Len(t, c.Problems, 3, "slow misses it every month, fast never:\n%s", strings.Join(c.Problems, "\n"))
}

// Where a run falls on the approval's UTC day before the approval's hour, AWS's two references
// disagree: the later ring is checked from the earlier possibility, the deadline from the later.
func TestARunOnTheApprovalDayCountsBothWays(t *testing.T) {
	plan := Plan{From: from, Months: 1, Severities: severities,
		Windows: []Window{{Name: "daily", Schedule: "cron(0 2 * * ? *)", DurationHours: 2, CutoffHours: 1, Install: true, PatchGroups: []string{"g"}}},
		Groups:  map[string]Group{"g": ring("g", 7)}}
	c, err := Compute(plan)
	require.NoError(t, err)
	i := c.Months[0].Installs["g"][7]
	assert.Equal(t, utc("2026-12-16 02:00"), i.Run.Start.UTC(), "approved 2026-12-15 18:00")
	assert.Equal(t, utc("2026-12-15 02:00"), i.Earliest.Start.UTC(), "on the approval's UTC day")
}

// The inverted-ring pattern: development on the first Sunday, production on the first Tuesday.
// In months that start on a Monday or Tuesday the first Tuesday comes before the first Sunday, so
// production installs the release before development: March 2027 starts on a Monday, so the
// February release reaches production on 2 March and development on 7 March.
func TestFirstSundayDevAndFirstTuesdayProdFailsNamingTheMonth(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "config", "default.yaml"))
	require.NoError(t, err)
	base := string(data)
	base = base[:strings.Index(base, "\npatching:")]
	cfg, err := config.Parse("inverted.yaml", []byte(base+`
patching:
  baselines:
    # The WSUS server installs first: before the development ring, so with no delay either.
    - name: wsus-server
      patchGroups: [wsus]
      approvalRules: [{filters: {CLASSIFICATION: [CriticalUpdates, SecurityUpdates], MSRC_SEVERITY: [Critical, Important]}, approveAfterDays: 0}]
  rings:
    preset: aws-default-windows
    stages:
      - {patchGroup: windows-dev, approveAfterDays: 0}
      - {patchGroup: windows-prod, approveAfterDays: 7}
  maintenanceWindows:
    - {name: dev-first-sunday, schedule: 'cron(0 2 ? * SUN#1 *)', targets: {patchGroups: [windows-dev]}}
    - {name: prod-first-tuesday, schedule: 'cron(0 2 ? * TUE#1 *)', targets: {patchGroups: [windows-prod]}}
`))
	require.NoError(t, err)
	c, err := Compute(FromConfig(cfg, from))
	require.NoError(t, err)
	assert.Contains(t, c.Problems, "2027-02 release (Tue 2027-02-09 18:00Z): ring windows-prod (7 days) can install it at Tue 2027-03-02 02:00Z "+
		"(window prod-first-tuesday), before ring windows-dev (0 days) at Sun 2027-03-07 02:00Z (window dev-first-sunday)")
	// December's release: development on 3 January, production on 5 January: 2 days apart, not 7.
	assert.Contains(t, c.Problems, "2026-12 release (Tue 2026-12-08 18:00Z): ring windows-prod can install it at Tue 2027-01-05 02:00Z "+
		"(window prod-first-tuesday), 2.0 days after ring windows-dev at Sun 2027-01-03 02:00Z (window dev-first-sunday): "+
		"less than the 7 days their approval delays differ (0 and 7)")

	assert.NotContains(t, strings.Join(c.Problems, "\n"), "WSUS", "the server (Saturday, no delay) comes first")
	// Moved to the Sunday after Patch Tuesday and the one a week later, the rings hold.
	cfg.Patching.MaintenanceWindows[0].Schedule, cfg.Patching.MaintenanceWindows[0].ScheduleOffset = "cron(0 2 ? * TUE#2 *)", 5
	cfg.Patching.MaintenanceWindows[1].Schedule, cfg.Patching.MaintenanceWindows[1].ScheduleOffset = "cron(0 2 ? * TUE#3 *)", 5
	c, err = Compute(FromConfig(cfg, from))
	require.NoError(t, err)
	assert.Empty(t, c.Problems)
}

// The WSUS server installs before the fleet: not in the same window, nor in the fleet's group,
// nor after it.
func TestWsusServerAfterOrWithTheFleetFails(t *testing.T) {
	weekly := func(name, day string, groups ...string) Window {
		return Window{Name: name, Schedule: "cron(0 2 ? * " + day + " *)", DurationHours: 3, CutoffHours: 1, Install: true, PatchGroups: groups}
	}
	plan := Plan{From: from, Months: 2, Severities: severities, WsusGroup: "wsus",
		Groups:  map[string]Group{"wsus": ring("wsus", 7), "fleet": ring("fleet", 7)},
		Windows: []Window{weekly("server", "SAT", "wsus"), weekly("fleet", "SUN", "fleet")}}
	c, err := Compute(plan)
	require.NoError(t, err)
	assert.Empty(t, c.Problems, "Saturday's server, Sunday's fleet")

	plan.Windows = []Window{weekly("server", "MON", "wsus"), weekly("fleet", "SUN", "fleet")}
	c, err = Compute(plan)
	require.NoError(t, err)
	assert.Contains(t, c.Problems, "2026-12 release (Tue 2026-12-08 18:00Z): the WSUS server (patch group wsus, 7 days) installs it in window server "+
		"until Mon 2026-12-21 05:00Z, and patch group fleet (7 days) can start installing it at Sun 2026-12-20 02:00Z (window fleet): "+
		"the server the fleet installs from must be done first")

	plan.Windows = []Window{weekly("together", "SUN", "wsus", "fleet")}
	c, err = Compute(plan)
	require.NoError(t, err)
	assert.Contains(t, c.Problems[0], "every month from 2026-12: window together installs the WSUS server (patch group wsus) and patch group fleet at the same time")

	plan.Windows, plan.WsusSharedWith = []Window{weekly("server", "SAT", "wsus")}, []string{"app"}
	c, err = Compute(plan)
	require.NoError(t, err)
	assert.Equal(t, []string{"every month from 2026-12: the WSUS server's patch group wsus is instance group app's too: they install in the same " +
		"windows, not the server first: give the server a patch group of its own (wsus.patchGroup)"}, c.Problems)
}

// A later ring that approves a severity the earlier one never approves gets it first.
func TestLaterRingApprovingMoreThanTheEarlierFails(t *testing.T) {
	plan := Plan{From: from, Months: 1, Severities: severities, Rings: []string{"dev", "prod"},
		Groups: map[string]Group{"dev": ring("dev", 0), "prod": {Name: "prod", Baseline: "p", Delays: map[string]int{"Critical": 7, "Moderate": 7}}},
		Windows: []Window{{Name: "dev", Schedule: "cron(0 2 ? * THU *)", DurationHours: 2, Install: true, PatchGroups: []string{"dev"}},
			{Name: "prod", Schedule: "cron(0 2 ? * THU *)", DurationHours: 2, Install: true, PatchGroups: []string{"prod"}}}}
	c, err := Compute(plan)
	require.NoError(t, err)
	assert.Equal(t, []string{"every month: ring prod approves Moderate releases, which ring dev before it never approves by a delay: they reach prod first"}, c.Problems)
}

// Every shipped configuration's calendar passes, from the pinned day.
func TestShippedConfigurationsCalendarsPass(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "config", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		cfg, err := config.LoadFile(f)
		require.NoError(t, err)
		c, err := Compute(FromConfig(cfg, from))
		require.NoError(t, err, f)
		assert.Empty(t, c.Problems, f)
		var out strings.Builder
		c.Print(&out)
		assert.Contains(t, out.String(), "0 problem(s)", f)
	}
}

// The approval delays of a baseline by MSRC severity: the shortest rule that lets it through.
func TestDelaysBySeverityFollowTheMsrcFilter(t *testing.T) {
	cfg, err := config.LoadDefault()
	require.NoError(t, err)
	b := cfg.PatchGroupBaseline("no-such-group")
	assert.Equal(t, config.AwsDefaultWindowsBaseline, b.Name, "a patch group no baseline serves gets AWS's default")
	assert.Equal(t, map[string]int{"Critical": 7, "Important": 7}, delays(b.Baseline, severities))
}

// A rate window's runs depend on when it is created, so its install of a release is judged at
// its worst case: as early as the approval for the rings after it, as late as a whole interval
// after it for the deadlines and the rings before it. One whose groups are not judged (not
// Windows) is no refusal.
func TestRateWindowsAreJudgedAtTheirWorstCase(t *testing.T) {
	rate := func(name, schedule string, groups ...string) Window {
		return Window{Name: name, Schedule: schedule, DurationHours: 3, CutoffHours: 1, Install: true, PatchGroups: groups}
	}
	linux := Group{Name: "linux", Baseline: "al2023", NotJudged: "a AMAZON_LINUX_2023 baseline"}
	c, err := Compute(Plan{From: from, Months: 24, Severities: severities, Groups: map[string]Group{"linux": linux},
		Windows: []Window{rate("metadata-tagged", "rate(7 days)", "linux")}})
	require.NoError(t, err, "a rate on a group the calendar does not judge")
	assert.Empty(t, c.Problems)

	// Deadlines: rate(1 day) installs a release approved on day 0 within 1 day and 3 hours.
	plan := Plan{From: from, Months: 24, Severities: severities, Deadlines: map[string]int{"Critical": 2},
		Groups: map[string]Group{"dev": ring("dev", 0)}, Windows: []Window{rate("daily", "rate(1 day)", "dev")}}
	c, err = Compute(plan)
	require.NoError(t, err)
	assert.Empty(t, c.Problems, "1.1 days at worst, within 2")
	install := c.Months[0].Installs["dev"][0]
	assert.True(t, install.Run.WorstCase)
	assert.Equal(t, c.Months[0].Release.Add(24*time.Hour), install.Run.Start, "the worst case: a whole interval after the approval")
	assert.Equal(t, c.Months[0].Release, install.Earliest.Start, "and as early as the approval")
	worst, ok := c.OutOfBand("dev", 0)
	assert.True(t, ok)
	assert.Equal(t, 27*time.Hour, worst)

	// Planted: rate(7 days) may install 7 days and 3 hours after the release.
	plan.Windows = []Window{rate("weekly", "rate(7 days)", "dev")}
	c, err = Compute(plan)
	require.NoError(t, err)
	require.Len(t, c.Problems, 24)
	assert.Contains(t, c.Problems[0], "patch group dev misses the Critical deadline (2 days): approved after 0 days, installed by")
	assert.Contains(t, c.Problems[0], "7.1 days after the release")

	// A cron run sooner than the rate's worst case is the install.
	plan.Windows = append(plan.Windows, rate("tuesday-night", "cron(0 22 ? * TUE#2 *)", "dev"))
	c, err = Compute(plan)
	require.NoError(t, err)
	assert.Empty(t, c.Problems)
	assert.False(t, c.Months[0].Installs["dev"][0].Run.WorstCase)

	// Rings: a later ring on a rate may run as soon as its approval; planted before the earlier
	// ring's weekly run, which comes up to a week after its own.
	rings := Plan{From: from, Months: 2, Severities: severities, Rings: []string{"dev", "test"},
		Groups:  map[string]Group{"dev": ring("dev", 0), "test": ring("test", 1)},
		Windows: []Window{rate("dev", "cron(0 2 ? * SUN *)", "dev"), rate("test", "rate(1 day)", "test")}}
	c, err = Compute(rings)
	require.NoError(t, err)
	assert.Contains(t, c.Problems[0], "2026-12 release (Tue 2026-12-08 18:00Z): ring test (1 days) can install it at Wed 2026-12-09 00:00Z (window test), "+
		"before ring dev (0 days) at Sun 2026-12-13 02:00Z (window dev)")
	// And an earlier ring on a rate counts at its latest.
	rings.Groups["test"] = ring("test", 7)
	rings.Windows = []Window{rate("dev", "rate(7 days)", "dev"), rate("test", "cron(0 2 * * ? *)", "test")}
	c, err = Compute(rings)
	require.NoError(t, err)
	assert.Contains(t, c.Problems[0], "2026-12 release (Tue 2026-12-08 18:00Z): ring test (7 days) can install it at Tue 2026-12-15 02:00Z (window test), "+
		"before ring dev (0 days) at Tue 2026-12-15 18:00Z (window dev)")
}

// A WSUS client finds a release only once the server has synchronised it: a fleet window on the
// evening of Patch Tuesday before the synchronisation's end installs it a week later; the
// server's own group, which updates from Microsoft Update, does not wait.
func TestFleetGroupsInstallOnceTheWsusServerHasSynchronised(t *testing.T) {
	weekly := func(name, at string, groups ...string) Window {
		return Window{Name: name, Schedule: "cron(" + at + " ? * TUE *)", DurationHours: 2, CutoffHours: 1, Install: true, PatchGroups: groups}
	}
	server := wsusspec.DefaultServer() // synchronises at 21:00 UTC, taken as 2 hours
	plan := Plan{From: from, Months: 1, Severities: severities, WsusGroup: "wsus", WsusServer: &server,
		Groups:  map[string]Group{"wsus": ring("wsus", 0), "fleet": ring("fleet", 0)},
		Windows: []Window{weekly("server", "0 19", "wsus"), weekly("fleet", "30 22", "fleet")}}
	c, err := Compute(plan)
	require.NoError(t, err)
	release := c.Months[0].Release.UTC() // Tue 2026-12-08 18:00Z
	assert.Equal(t, release.Add(time.Hour), c.Months[0].Installs["wsus"][0].Run.Start.UTC(), "the server at 19:00, from Microsoft Update")
	assert.Equal(t, release.AddDate(0, 0, 7).Add(4*time.Hour+30*time.Minute), c.Months[0].Installs["fleet"][0].Run.Start.UTC(),
		"22:30 is before the synchronisation's end (23:00): the next Tuesday's run")
	assert.Contains(t, c.Notes, "the fleet's groups install a release once the WSUS server has synchronised it: its first synchronisation after the release "+
		"(syncTimeUtc 21:00, 1 a day), as soon as it starts for the order of installs, 2 hours later for the deadlines; the update's download after approval is not modelled")
	assert.Equal(t, release.Add(4*time.Hour+30*time.Minute), c.Months[0].Installs["fleet"][0].Earliest.Start.UTC(),
		"for the order of installs, the fleet may find it from the synchronisation's start (21:00): that evening's run")

	// A review's counter-example: the fleet at 22:30, inside the synchronisation's assumed two
	// hours, and the server at 00:30: a quick synchronisation lets the fleet install first.
	plan.Windows = []Window{weekly("fleet", "30 22", "fleet"), {Name: "server", Schedule: "cron(30 0 ? * WED *)", DurationHours: 2, CutoffHours: 1, Install: true, PatchGroups: []string{"wsus"}}}
	c, err = Compute(plan)
	require.NoError(t, err)
	assert.Contains(t, strings.Join(c.Problems, "\n"), "2026-12 release (Tue 2026-12-08 18:00Z): the WSUS server (patch group wsus, 0 days) installs it in window server until Wed 2026-12-09 02:30Z, "+
		"and patch group fleet (0 days) can start installing it at Tue 2026-12-08 22:30Z (window fleet)")
	plan.Windows = []Window{weekly("server", "0 19", "wsus"), weekly("fleet", "30 22", "fleet")}

	plan.WsusServer = nil // a NAT path: no synchronisation to wait for
	c, err = Compute(plan)
	require.NoError(t, err)
	assert.Equal(t, release.Add(4*time.Hour+30*time.Minute), c.Months[0].Installs["fleet"][0].Run.Start.UTC())
}

// The server takes a release in at its first synchronisation after it: one at the release's very
// time has not got it; with several a day, the next; the wait is one period and one run.
func TestTheWsusServerSynchronisesAReleaseAtItsNextSynchronisation(t *testing.T) {
	server := wsusspec.DefaultServer()
	summer := time.Date(2027, 7, 13, 17, 0, 0, 0, time.UTC)
	start, end := server.Synchronising(summer)
	assert.Equal(t, time.Date(2027, 7, 13, 21, 0, 0, 0, time.UTC), start)
	assert.Equal(t, start.Add(2*time.Hour), end)
	server.SyncTimeUtc = "17:00"
	start, _ = server.Synchronising(summer)
	assert.Equal(t, time.Date(2027, 7, 14, 17, 0, 0, 0, time.UTC), start, "a synchronisation at the release's very time has not got it")
	server.SyncsPerDay = 4
	start, _ = server.Synchronising(summer)
	assert.Equal(t, time.Date(2027, 7, 13, 23, 0, 0, 0, time.UTC), start)
	assert.Equal(t, 8*time.Hour, server.SyncWait())
}

// A rate's start date still ahead fixes its runs (the rate counts from it); an end date ends its
// runs, so a worst-case install after it is none (a review's false alarm: both were refused).
func TestARateWindowsStartAndEndDates(t *testing.T) {
	w := Window{Name: "migration", Schedule: "rate(3 days)", DurationHours: 3, CutoffHours: 1, Install: true, PatchGroups: []string{"dev"},
		StartDate: "2026-12-09T22:00:00Z"}
	plan := Plan{From: from, Months: 2, Severities: severities, Groups: map[string]Group{"dev": ring("dev", 0)}, Windows: []Window{w}}
	c, err := Compute(plan)
	require.NoError(t, err)
	require.NotEmpty(t, c.Runs["migration"])
	assert.Equal(t, time.Date(2026, 12, 9, 22, 0, 0, 0, time.UTC), c.Runs["migration"][0].Start)
	assert.Equal(t, time.Date(2026, 12, 12, 22, 0, 0, 0, time.UTC), c.Runs["migration"][1].Start)
	install := c.Months[0].Installs["dev"][0]
	assert.False(t, install.Run.WorstCase)
	assert.Equal(t, time.Date(2026, 12, 9, 22, 0, 0, 0, time.UTC), install.Run.Start.UTC(), "the first run after the release (Tue 18:00Z)")

	// A start date in the past counts for nothing: the worst case, until the end date.
	plan.Windows[0].StartDate, plan.Windows[0].EndDate = "2026-01-01T00:00:00Z", "2026-12-20T00:00:00Z"
	plan.Deadlines = map[string]int{"Critical": 10}
	c, err = Compute(plan)
	require.NoError(t, err)
	assert.True(t, c.Months[0].Installs["dev"][0].Run.WorstCase, "December: within the end date")
	assert.Nil(t, c.Months[1].Installs["dev"][0].Run, "January: after the end date, no run installs it")
	assert.Contains(t, strings.Join(c.Problems, "\n"), "2027-01 release (Tue 2027-01-12 18:00Z): patch group dev misses the Critical deadline (10 days): no window run installs it")
}

// Rings a week apart in a zone with daylight saving: the week holding the change is 6 days 23
// hours (or 7 days 1 hour) long in UTC, and still the "7 days" the delays differ by, counted as
// the zone's calendar days the windows are scheduled in (session 14's false-alarm hunt).
func TestRingsAWeekApartHoldAcrossADaylightSavingChange(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "config", "default.yaml"))
	require.NoError(t, err)
	base := string(data)
	base = base[:strings.Index(base, "\npatching:")]
	cfg, err := config.Parse("berlin.yaml", []byte(base+`
patching:
  baselines:
    - name: wsus-server
      patchGroups: [wsus]
      approvalRules: [{filters: {CLASSIFICATION: [CriticalUpdates, SecurityUpdates], MSRC_SEVERITY: [Critical, Important]}, approveAfterDays: 0}]
  rings:
    preset: aws-default-windows
    stages:
      - {patchGroup: windows-dev, approveAfterDays: 7}
      - {patchGroup: windows-prod, approveAfterDays: 14}
  maintenanceWindows:
    - {name: wsus-saturday, schedule: 'cron(0 4 ? * SAT *)', timezone: Europe/Berlin, targets: {patchGroups: [wsus]}}
    - {name: dev-sunday, schedule: 'cron(0 4 ? * SUN *)', timezone: Europe/Berlin, targets: {patchGroups: [windows-dev]}}
    - {name: prod-sunday, schedule: 'cron(0 4 ? * SUN *)', timezone: Europe/Berlin, targets: {patchGroups: [windows-prod]}}
`))
	require.NoError(t, err)
	c, err := Compute(FromConfig(cfg, from))
	require.NoError(t, err)
	var spring bool
	for _, m := range c.Months {
		dev, prod := m.Installs["windows-dev"][7].Run, m.Installs["windows-prod"][14].Run
		if dev != nil && prod != nil && prod.Start.Sub(dev.Start) == 7*24*time.Hour-time.Hour {
			spring = true
		}
	}
	require.True(t, spring, "no month puts the spring change between the rings: the test proves nothing")
	assert.Empty(t, c.Problems)
}

// A window that installs and whose end date has passed never runs: a group no other window
// installs is never patched (mutation run 17's B03 printed "0 runs" and passed). One still to end
// is fine, and so is one retired while another window installs its groups.
func TestAnEndedInstallWindowFailsNamingItsGroups(t *testing.T) {
	w := Window{Name: "server", Schedule: "cron(0 2 ? * SAT *)", DurationHours: 3, CutoffHours: 1, Install: true, PatchGroups: []string{"wsus"}, EndDate: "2027-12-31T00:00:00Z"}
	plan := Plan{From: from, Months: 1, Severities: severities, Groups: map[string]Group{"wsus": ring("wsus", 7)}, Windows: []Window{w}}
	c, err := Compute(plan)
	require.NoError(t, err)
	assert.Empty(t, c.Problems)

	plan.Windows[0].EndDate = "2024-12-31T00:00:00Z"
	c, err = Compute(plan)
	require.NoError(t, err)
	assert.Equal(t, []string{"window server: its end date 2024-12-31T00:00:00Z is before the calendar's start: it never runs, and no other window installs patch groups wsus"}, c.Problems)

	// Retired by its end date, its group installed by a window after it: a note, no problem.
	next := w
	next.Name, next.EndDate = "server-2025", ""
	plan.Windows = append(plan.Windows, next)
	c, err = Compute(plan)
	require.NoError(t, err)
	assert.Empty(t, c.Problems)
	assert.Contains(t, c.Notes, "window server ended (2024-12-31T00:00:00Z) before the calendar's start: other windows install its patch groups")

	// Its successor on a rate schedule (whose runs are placed apart) takes over too (a review's
	// false alarm: only cron windows' runs were counted).
	plan.Windows[1].Schedule = "rate(7 days)"
	c, err = Compute(plan)
	require.NoError(t, err)
	assert.Empty(t, c.Problems)
}

// The WSUS server's window is never open while a Windows fleet group's is: the server reboots
// while the fleet installs from it (mutation run 18's A16: the server's Saturday window moved
// onto the fleet's Sunday, a release apart by the delays, passed the WSUS-first check). A Linux
// group's window may overlap it: those nodes do not use WSUS.
func TestTheWsusServersWindowOverlappingAWindowsFleetWindowFails(t *testing.T) {
	weekly := func(name, day string, groups ...string) Window {
		return Window{Name: name, Schedule: "cron(0 2 ? * " + day + " *)", DurationHours: 3, CutoffHours: 1, Install: true, PatchGroups: groups}
	}
	windows := func(g Group) Group { g.OperatingSystem = "WINDOWS"; return g }
	linux := ring("rhel", 7)
	linux.OperatingSystem = "REDHAT_ENTERPRISE_LINUX"
	plan := Plan{From: from, Months: 2, Severities: severities, WsusGroup: "wsus",
		Groups:  map[string]Group{"wsus": windows(ring("wsus", 0)), "fleet": windows(ring("fleet", 7)), "rhel": linux},
		Windows: []Window{weekly("server", "SAT", "wsus"), weekly("fleet", "SUN", "fleet"), weekly("rhel", "SAT", "rhel")}}
	c, err := Compute(plan)
	require.NoError(t, err)
	assert.Empty(t, c.Problems, "Saturday's server, Sunday's fleet, and a Linux group beside the server")

	plan.Windows[0] = weekly("server", "SUN", "wsus")
	c, err = Compute(plan)
	require.NoError(t, err)
	assert.Equal(t, []string{"window server (the WSUS server, patch group wsus, open Sun 2026-12-06 02:00Z to Sun 2026-12-06 05:00Z) and window fleet " +
		"(patch groups fleet, open Sun 2026-12-06 02:00Z to Sun 2026-12-06 05:00Z) are open together: the server installs and reboots while the fleet installs from it: " +
		"move one so that they never overlap"}, c.Problems)

	// A group whose baseline is not known may be Windows: judged as one.
	plan.Windows = []Window{weekly("server", "SAT", "wsus"), weekly("unknown", "SAT", "rhel")}
	linux.OperatingSystem = ""
	plan.Groups["rhel"] = linux
	c, err = Compute(plan)
	require.NoError(t, err)
	assert.Len(t, c.Problems, 1)
}
