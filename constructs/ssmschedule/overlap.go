package ssmschedule

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Opening is when a maintenance window is open: its schedule, in Timezone, moved ScheduleOffset
// days later, open for Duration, between StartDate and EndDate where they are set (RFC 3339).
type Opening struct {
	Schedule       string
	Timezone       string
	ScheduleOffset int
	Duration       time.Duration
	StartDate      string
	EndDate        string
}

// Horizon is how far MayOverlap looks: 28 years is the Gregorian calendar's cycle of weekdays on
// dates between 1901 and 2099, so every combination of a date and a weekday that a cron
// expression can name occurs in it; one year more covers the first window's spill-over.
const horizonYears = 29

// origin is where MayOverlap starts looking when neither window has a start date: fixed, so that
// validation gives the same answer every day.
var origin = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// maxStarts bounds the starts MayOverlap enumerates per window; a window that opens more often
// (every hour for 29 years) is taken to overlap.
const maxStarts = 300000

// MayOverlap says whether a and b can be open at the same time, and why: a time both are open, or
// why it cannot be decided (a rate() schedule starts whenever its window is created, some cron
// forms are not modelled), in which case the answer is true. Both must be valid window schedules
// (CheckWindow).
func MayOverlap(a, b Opening) (bool, string) {
	lo, hi := origin, origin.AddDate(horizonYears, 0, 0)
	for _, o := range []Opening{a, b} {
		if t, err := time.Parse(time.RFC3339, o.StartDate); err == nil && t.After(lo) {
			lo = t
			hi = t.AddDate(horizonYears, 0, 0)
		}
	}
	sa, whyA := starts(a, lo.AddDate(0, 0, -8), hi)
	if whyA != "" {
		return true, whyA
	}
	sb, whyB := starts(b, lo.AddDate(0, 0, -8), hi)
	if whyB != "" {
		return true, whyB
	}
	// Sweep both sorted lists of intervals.
	for i, j := 0, 0; i < len(sa) && j < len(sb); {
		ea, eb := sa[i].Add(a.Duration), sb[j].Add(b.Duration)
		if sa[i].Before(eb) && sb[j].Before(ea) {
			at := sa[i]
			if sb[j].After(at) {
				at = sb[j]
			}
			return true, fmt.Sprintf("both are open at %s", at.UTC().Format("Mon 2006-01-02 15:04 MST"))
		}
		if ea.Before(eb) || ea.Equal(eb) {
			i++
		} else {
			j++
		}
	}
	return false, ""
}

// starts are o's window starts from lo to hi, sorted, within its start and end dates; or why they
// cannot be known.
func starts(o Opening, lo, hi time.Time) ([]time.Time, string) {
	loc, err := time.LoadLocation(o.Timezone)
	if o.Timezone == "" {
		loc, err = time.UTC, nil
	}
	if err != nil {
		return nil, fmt.Sprintf("time zone %q is unknown", o.Timezone)
	}
	var first, last time.Time
	if t, err := time.Parse(time.RFC3339, o.StartDate); err == nil {
		first = t
	}
	if t, err := time.Parse(time.RFC3339, o.EndDate); err == nil {
		last = t
	}
	keep := func(t time.Time) bool {
		return (first.IsZero() || !t.Before(first)) && (last.IsZero() || !t.After(last))
	}
	var out []time.Time
	switch {
	case strings.HasPrefix(o.Schedule, "at("):
		m := atPattern.FindStringSubmatch(o.Schedule)
		if m == nil {
			return nil, fmt.Sprintf("%s is not a schedule", o.Schedule)
		}
		t, err := time.ParseInLocation("2006-01-02T15:04:05", m[1], loc)
		if err != nil {
			return nil, fmt.Sprintf("%s is not a schedule", o.Schedule)
		}
		if keep(t) {
			out = append(out, t)
		}
		return out, ""
	case strings.HasPrefix(o.Schedule, "cron("):
		c, why := parseCron(o.Schedule)
		if why != "" {
			return nil, fmt.Sprintf("%s: %s", o.Schedule, why)
		}
		for day := time.Date(lo.Year(), lo.Month(), lo.Day(), 0, 0, 0, 0, loc); day.Before(hi); day = day.AddDate(0, 0, 1) {
			if !c.matchesDay(day) {
				continue
			}
			for _, h := range c.hours {
				for _, m := range c.minutes {
					t := time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, loc).AddDate(0, 0, o.ScheduleOffset)
					if keep(t) {
						out = append(out, t)
					}
				}
			}
			if len(out) > maxStarts {
				return nil, fmt.Sprintf("%s opens more often than can be compared", o.Schedule)
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
		return out, ""
	}
	return nil, fmt.Sprintf("%s starts when its window is created, so when it is open cannot be known before the deploy", o.Schedule)
}

// cron is a parsed window cron expression: the minutes and hours a window starts at, and which
// days.
type cron struct {
	minutes, hours []int
	months, years  map[int]bool // nil: any
	dom            map[int]bool // nil: any; with lastDom, the month's last day
	lastDom        bool
	useDow         bool         // day-of-month is ?: the days are the day-of-week field's
	dow            map[int]bool // 1 (SUN) to 7 (SAT); nil: any
	nthDow         map[[2]int]bool
	lastDow        map[int]bool
}

var dowNumbers = map[string]int{"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
var monthNumbers = map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}

var plainTerm = regexp.MustCompile(`^([0-9A-Z*]+)(?:-([0-9A-Z]+))?(?:/([0-9]+))?$`)

// parseCron reads a valid window cron expression; a form it does not model (W, a bare L in
// day-of-week) gives why.
func parseCron(schedule string) (*cron, string) {
	fields := strings.Fields(strings.TrimSuffix(strings.TrimPrefix(schedule, "cron("), ")"))
	if len(fields) == 7 {
		fields = fields[1:] // seconds: the window starts within that minute
	}
	if len(fields) != 6 {
		return nil, "not a cron expression"
	}
	c := &cron{}
	f := &fieldParser{}
	c.minutes = allowed(f.set(fields[0], 0, 59, nil), 0, 59)
	c.hours = allowed(f.set(fields[1], 0, 23, nil), 0, 23)
	c.months = f.set(fields[3], 1, 12, monthNumbers)
	c.years = f.set(fields[5], 1970, 2199, nil)
	// The day of the week counts only when the day of the month is "?".
	if fields[2] == "?" {
		c.useDow = true
		if fields[4] != "*" {
			if why := c.parseDow(fields[4]); why != "" {
				return nil, why
			}
		}
	} else if why := c.parseDom(fields[2]); why != "" {
		return nil, why
	}
	if f.why != "" {
		return nil, f.why
	}
	return c, ""
}

// fieldParser reads the plain cron fields, keeping the first reason one is not modelled.
type fieldParser struct{ why string }

// set is the values field allows, nil for any ("*", "?") or after a field was refused.
func (f *fieldParser) set(field string, min, max int, names map[string]int) map[int]bool {
	if f.why != "" || field == "*" || field == "?" {
		return nil
	}
	out := map[int]bool{}
	for _, term := range strings.Split(field, ",") {
		values, w := expand(term, min, max, names)
		if w != "" {
			f.why = w
			return nil
		}
		for _, v := range values {
			out[v] = true
		}
	}
	return out
}

// allowed lists the values from min to max that m holds, all of them if m is nil.
func allowed(m map[int]bool, min, max int) []int {
	var out []int
	for v := min; v <= max; v++ {
		if m == nil || m[v] {
			out = append(out, v)
		}
	}
	return out
}

// parseDow reads a day-of-week field other than "*": days, nth days (#) and last days (L).
func (c *cron) parseDow(field string) string {
	c.dow, c.nthDow, c.lastDow = map[int]bool{}, map[[2]int]bool{}, map[int]bool{}
	for _, term := range strings.Split(field, ",") {
		switch {
		case strings.Contains(term, "#"):
			day, nth, _ := strings.Cut(term, "#")
			d, ok := number(day, dowNumbers)
			n, err := strconv.Atoi(nth)
			if !ok || err != nil {
				return fmt.Sprintf("day-of-week %q is not modelled", term)
			}
			c.nthDow[[2]int{d, n}] = true
		case strings.HasSuffix(term, "L") && term != "L":
			d, ok := number(strings.TrimSuffix(term, "L"), dowNumbers)
			if !ok {
				return fmt.Sprintf("day-of-week %q is not modelled", term)
			}
			c.lastDow[d] = true
		default:
			values, w := expand(term, 1, 7, dowNumbers)
			if w != "" {
				return w
			}
			for _, v := range values {
				c.dow[v] = true
			}
		}
	}
	return ""
}

// parseDom reads a day-of-month field other than "?": days and the last day (L).
func (c *cron) parseDom(field string) string {
	for _, term := range strings.Split(field, ",") {
		if term == "L" {
			c.lastDom = true
			if c.dom == nil {
				c.dom = map[int]bool{}
			}
			continue
		}
		if strings.ContainsAny(term, "LW") {
			return fmt.Sprintf("day-of-month %q is not modelled", term)
		}
		values, w := expand(term, 1, 31, nil)
		if w != "" {
			return w
		}
		if term == "*" {
			c.dom = nil
			break
		}
		if c.dom == nil {
			c.dom = map[int]bool{}
		}
		for _, v := range values {
			c.dom[v] = true
		}
	}
	return ""
}

func number(s string, names map[string]int) (int, bool) {
	if v, ok := names[s]; ok {
		return v, true
	}
	v, err := strconv.Atoi(s)
	return v, err == nil
}

// expand is one term of a field: *, N, A-B, each with an optional /step.
func expand(term string, min, max int, names map[string]int) ([]int, string) {
	m := plainTerm.FindStringSubmatch(term)
	if m == nil {
		return nil, fmt.Sprintf("%q is not modelled", term)
	}
	from, to := min, max
	if m[1] != "*" {
		v, ok := number(m[1], names)
		if !ok {
			return nil, fmt.Sprintf("%q is not modelled", term)
		}
		from, to = v, v
		if m[3] != "" {
			to = max
		}
	}
	if m[2] != "" {
		v, ok := number(m[2], names)
		if !ok {
			return nil, fmt.Sprintf("%q is not modelled", term)
		}
		to = v
	}
	step := 1
	if m[3] != "" {
		step, _ = strconv.Atoi(m[3])
	}
	if step < 1 || from > to {
		return nil, fmt.Sprintf("%q is not modelled", term)
	}
	var out []int
	for v := from; v <= to; v += step {
		out = append(out, v)
	}
	return out, ""
}

func (c *cron) matchesDay(day time.Time) bool {
	if c.months != nil && !c.months[int(day.Month())] {
		return false
	}
	if c.years != nil && !c.years[day.Year()] {
		return false
	}
	lastOfMonth := day.AddDate(0, 0, 1).Month() != day.Month()
	if !c.useDow {
		return c.dom == nil || c.dom[day.Day()] || (c.lastDom && lastOfMonth)
	}
	if c.dow == nil {
		return true
	}
	weekday := int(day.Weekday()) + 1
	return c.dow[weekday] || c.nthDow[[2]int{weekday, (day.Day()-1)/7 + 1}] || (c.lastDow[weekday] && day.AddDate(0, 0, 7).Month() != day.Month())
}
