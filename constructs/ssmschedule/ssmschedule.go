// Package ssmschedule checks Systems Manager schedules (maintenance windows and State Manager
// associations): cron(...), rate(...) or at(...), as the "Cron and rate expressions" reference
// describes them. It imports no CDK: the configuration and the constructs check with it.
package ssmschedule

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/privatepatch/privatepatch/constructs/spec"
)

var (
	ratePattern = regexp.MustCompile(`^rate\(([0-9]+) (minute|minutes|hour|hours|day|days)\)$`)
	atPattern   = regexp.MustCompile(`^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$`)
)

// Daily is the schedule privatepatch's State Manager associations (setup, client configuration,
// scans, inventory, configuration checks) run on unless told otherwise.
const Daily = "rate(1 day)"

// scheduleKind is what a schedule is for: the forms differ slightly.
type scheduleKind int

const (
	windowSchedule scheduleKind = iota
	associationSchedule
)

// CheckWindow returns why schedule is not a maintenance window schedule, or nil.
func CheckWindow(schedule string) error { return checkSchedule(schedule, windowSchedule) }

// CheckAssociation returns why schedule is not a State Manager association schedule, or nil.
func CheckAssociation(schedule string) error { return checkSchedule(schedule, associationSchedule) }

// AssociationProblems are the problems of an association schedule set as field: none or one.
func AssociationProblems(field, schedule string) spec.Problems {
	var p spec.Problems
	if err := CheckAssociation(schedule); err != nil {
		p.Add(field, schedule, "is not a State Manager schedule: %v", err)
	}
	return p
}

// checkSchedule returns why schedule is not one Systems Manager accepts, or nil.
func checkSchedule(schedule string, kind scheduleKind) error {
	switch {
	case strings.HasPrefix(schedule, "cron("):
		return checkCron(schedule, kind)
	case strings.HasPrefix(schedule, "rate("):
		return checkRate(schedule, kind)
	case strings.HasPrefix(schedule, "at("):
		m := atPattern.FindStringSubmatch(schedule)
		if m == nil {
			return fmt.Errorf("use at(YYYY-MM-DDThh:mm:ss), e.g. at(2026-12-01T02:00:00)")
		}
		if _, err := time.Parse("2006-01-02T15:04:05", m[1]); err != nil {
			return fmt.Errorf("%s is not a date and time", m[1])
		}
		return nil
	}
	return fmt.Errorf("use cron(0 2 ? * SUN *), rate(7 days) or at(2026-12-01T02:00:00)")
}

// Association schedules, as "Reference: Cron and rate expressions for Systems Manager" (Cron and
// rate expressions for associations, read 2026-12-06) restricts them: "Associations only support
// the following rate expressions: intervals of 30 minutes or greater and less than 31 days"; "If
// you specify the optional Seconds field, its value can only be 0 (zero)"; and its cron forms
// run every 30 minutes at most often ("cron(0/30 * * * ? *) | Every 30 minutes").
const (
	maxAssociationRateDays    = 31
	minAssociationCronMinutes = 30
)

// checkRate checks rate(N unit): the unit is singular for 1 and plural otherwise; associations
// run at most every 30 minutes, and maintenance windows every hour.
func checkRate(schedule string, kind scheduleKind) error {
	m := ratePattern.FindStringSubmatch(schedule)
	if m == nil {
		return fmt.Errorf("use rate(N minutes|hours|days), e.g. rate(1 day) or rate(12 hours)")
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n < 1 {
		return fmt.Errorf("the rate must be at least 1")
	}
	singular := !strings.HasSuffix(m[2], "s")
	if singular != (n == 1) {
		unit := strings.TrimSuffix(m[2], "s")
		if n != 1 {
			unit += "s"
		}
		return fmt.Errorf("write rate(%d %s)", n, unit)
	}
	minutes := map[string]int{"minute": 1, "hour": 60, "day": 1440}[strings.TrimSuffix(m[2], "s")] * n
	if kind == associationSchedule && minutes < 30 {
		return fmt.Errorf("State Manager runs associations at most every 30 minutes")
	}
	if kind == associationSchedule && minutes >= maxAssociationRateDays*24*60 {
		return fmt.Errorf("State Manager takes rates of less than %d days: use a cron expression for a longer period", maxAssociationRateDays)
	}
	if kind == windowSchedule && minutes < 60 {
		return fmt.Errorf("maintenance windows run at most every hour")
	}
	return nil
}

// checkCron checks AWS's cron form: an optional seconds field, then minutes hours day-of-month
// month day-of-week year, with ? in exactly one of the day fields. Associations cannot name a
// month.
func checkCron(schedule string, kind scheduleKind) error {
	if !strings.HasSuffix(schedule, ")") {
		return fmt.Errorf("it does not end with )")
	}
	fields := strings.Fields(strings.TrimSuffix(strings.TrimPrefix(schedule, "cron("), ")"))
	if len(fields) == 7 {
		if err := checkCronField(fields[0], secondsField); err != nil {
			return err
		}
		if kind == associationSchedule && fields[0] != "0" {
			return fmt.Errorf("seconds %q: State Manager takes only 0 in an association's seconds field", fields[0])
		}
		fields = fields[1:]
	}
	if len(fields) != 6 {
		return fmt.Errorf("%d fields: use six (minutes hours day-of-month month day-of-week year), optionally after seconds", len(fields))
	}
	if (fields[2] == "?") == (fields[4] == "?") {
		return fmt.Errorf("day-of-month and day-of-week need exactly one ?")
	}
	if kind == associationSchedule && fields[3] != "*" {
		return fmt.Errorf("month %q: State Manager does not take months in association schedules, use *", fields[3])
	}
	for i, f := range cronFields {
		if err := checkCronField(fields[i], f); err != nil {
			return err
		}
	}
	if kind != associationSchedule {
		return nil
	}
	parsed, err := ParseCron(schedule)
	if err != nil {
		return err
	}
	if first, second, ok := tooClose(parsed, minAssociationCronMinutes); !ok {
		return fmt.Errorf("it starts at %s and %s: State Manager runs associations at most every %d minutes", first, second, minAssociationCronMinutes)
	}
	return nil
}

// checkCronField checks one field's values and names against the grammar's table (cron.go).
func checkCronField(field string, f cronField) error {
	name := f.name
	if field == "*" || field == "?" || (name == "day-of-month" && (field == "L" || field == "W" || field == "LW")) {
		return nil
	}
	for _, part := range strings.Split(field, ",") {
		part, step, hasStep := strings.Cut(part, "/")
		if hasStep {
			if n, err := strconv.Atoi(step); err != nil || n < 1 {
				return fmt.Errorf("%s %q has a bad step", name, field)
			}
		}
		switch name {
		case "day-of-month":
			part = strings.TrimSuffix(strings.TrimSuffix(part, "W"), "L")
		case "day-of-week":
			var nth string
			var hasNth bool
			part, nth, hasNth = strings.Cut(part, "#")
			// DAY#n is the nth such day of the month (maxNth, cron.go).
			if n, err := strconv.Atoi(nth); hasNth && (err != nil || n < 1 || n > maxNth || hasStep) {
				return fmt.Errorf("%s %q: the day after # is which one of the month, 1 to %d", name, field, maxNth)
			}
			part = strings.TrimSuffix(part, "L")
		}
		for _, bound := range strings.Split(part, "-") {
			if _, named := f.names[bound]; bound == "*" || named {
				continue
			}
			n, err := strconv.Atoi(bound)
			if err != nil || n < f.min || n > f.max {
				what := fmt.Sprintf("%d-%d", f.min, f.max)
				if f.names != nil {
					what += " or " + strings.Join(namesInOrder(f.names), ", ")
				}
				return fmt.Errorf("%s %q: use %s", name, field, what)
			}
		}
	}
	return nil
}

// namesInOrder are a field's names in the order of their values (JAN to DEC, SUN to SAT).
func namesInOrder(names map[string]int) []string {
	out := slices.Collect(maps.Keys(names))
	slices.SortFunc(out, func(a, b string) int { return names[a] - names[b] })
	return out
}

// tooClose answers two starts of an association's cron closer than gap minutes, as HH:MM, or
// ok: the minutes of the day it starts at (each of its hours with each of its minutes, as
// ParseCron reads them, ranges and steps included) in order, and the last of a day with the first
// of the next when the cron runs on two days in a row (a year from 2026-01-01 is looked at).
// AWS documents the 30-minute floor for rate expressions; for cron, "Associations only support
// the following cron expressions: every 1/2, 1, 2, 4, 8, or 12 hours; every day or every week at
// a specific time" ("Reference: Cron and rate expressions for Systems Manager", read 2026-12-07),
// a list its own examples go beyond (cron(0 0 ? * THU#2 *), monthly). So this is our reading:
// starts at least 30 minutes apart, what every one of those shapes keeps.
func tooClose(c Cron, gap int) (first, second string, ok bool) {
	var at []int
	for _, h := range c.Hours {
		for _, m := range c.Minutes {
			at = append(at, h*60+m)
		}
	}
	hhmm := func(m int) string { return fmt.Sprintf("%02d:%02d", m/60%24, m%60) }
	for i := 1; i < len(at); i++ {
		if at[i]-at[i-1] < gap {
			return hhmm(at[i-1]), hhmm(at[i]), false
		}
	}
	if len(at) > 1 && at[0]+24*60-at[len(at)-1] < gap && runsTwoDaysInARow(c) {
		return hhmm(at[len(at)-1]), hhmm(at[0]) + " the next day", false
	}
	return "", "", true
}

// runsTwoDaysInARow says whether the cron matches two consecutive days in a year from 2026-01-01.
func runsTwoDaysInARow(c Cron) bool {
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for range 366 {
		next := day.AddDate(0, 0, 1)
		if c.MatchesDay(day) && c.MatchesDay(next) {
			return true
		}
		day = next
	}
	return false
}

// RateInterval is the period of a rate(N unit) schedule, and false for any other schedule or a
// rate of 0.
func RateInterval(schedule string) (time.Duration, bool) {
	m := ratePattern.FindStringSubmatch(schedule)
	if m == nil || m[1] == "0" || strings.Trim(m[1], "0") == "" {
		return 0, false
	}
	n, _ := strconv.Atoi(m[1])
	unit := map[string]time.Duration{"minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour}[strings.TrimSuffix(m[2], "s")]
	return time.Duration(n) * unit, true
}
