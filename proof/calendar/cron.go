package calendar

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The cron form of maintenance windows, as "Reference: Cron and rate expressions for Systems
// Manager" (AWS Systems Manager User Guide, read 2026-12-06) gives it: an optional seconds field,
// then six fields, minutes (0-59), hours (0-23), day-of-month (1-31, with ? L W), month (1-12 or
// JAN-DEC), day-of-week (1-7 or SUN-SAT, 1 is Sunday, with ? L #) and year (1970-2199), each a
// value, a range, a step (/) or a list (,), and ? in exactly one of the day fields. Its examples,
// which the tests replay: "0 0 2 ? 1/1 THU#3 *" is 02:00 on the third Thursday, "0 0 2 L * ?"
// 02:00 on the last day of the month, "0 15 10 ? * 6L" 10:15 on the last Friday. nW is the
// weekday nearest day n in the same month, LW the last weekday (the Quartz meaning AWS's cron
// follows). ssmschedule checks the form at validation; this evaluates it, and refuses what it
// cannot give one meaning (W alone, nL in the day of month, L alone in the day of week).

// cron is a parsed cron expression.
type cron struct {
	seconds, minutes, hours, months, years set
	// dom is the day-of-month rule and dow the day-of-week rule; one is nil (the ?).
	dom, dow func(day time.Time) bool
}

// set holds the values a field allows.
type set map[int]bool

var (
	monthNames = map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}
	dayNames   = map[string]int{"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
)

// parseCron parses cron(...); the error says what the model cannot decide.
func parseCron(schedule string) (*cron, error) {
	body, ok := strings.CutPrefix(schedule, "cron(")
	if !ok || !strings.HasSuffix(body, ")") {
		return nil, fmt.Errorf("%q is not cron(...)", schedule)
	}
	fields := strings.Fields(strings.TrimSuffix(body, ")"))
	c := &cron{seconds: set{0: true}}
	var err error
	if len(fields) == 7 {
		if c.seconds, err = parseField(fields[0], 0, 59, nil); err != nil {
			return nil, fmt.Errorf("seconds: %w", err)
		}
		fields = fields[1:]
	}
	if len(fields) != 6 {
		return nil, fmt.Errorf("%d fields: a maintenance window's cron has six, after an optional seconds field", len(fields))
	}
	if c.minutes, err = parseField(fields[0], 0, 59, nil); err != nil {
		return nil, fmt.Errorf("minutes: %w", err)
	}
	if c.hours, err = parseField(fields[1], 0, 23, nil); err != nil {
		return nil, fmt.Errorf("hours: %w", err)
	}
	if c.months, err = parseField(fields[3], 1, 12, monthNames); err != nil {
		return nil, fmt.Errorf("month: %w", err)
	}
	if c.years, err = parseField(fields[5], 1970, 2199, nil); err != nil {
		return nil, fmt.Errorf("year: %w", err)
	}
	if (fields[2] == "?") == (fields[4] == "?") {
		return nil, fmt.Errorf("day-of-month %q and day-of-week %q: exactly one must be ?", fields[2], fields[4])
	}
	if fields[2] != "?" {
		if c.dom, err = parseDayOfMonth(fields[2]); err != nil {
			return nil, fmt.Errorf("day-of-month: %w", err)
		}
	} else if c.dow, err = parseDayOfWeek(fields[4]); err != nil {
		return nil, fmt.Errorf("day-of-week: %w", err)
	}
	return c, nil
}

// parseField parses a list of values, ranges and steps between min and max.
func parseField(field string, min, max int, names map[string]int) (set, error) {
	out := set{}
	for _, part := range strings.Split(field, ",") {
		lo, hi, err := parseRange(part, min, max, names)
		if err != nil {
			return nil, err
		}
		for v := lo.from; v <= hi; v += lo.step {
			out[v] = true
		}
	}
	return out, nil
}

type start struct{ from, step int }

// parseRange parses *, n, a-b, */s, n/s and a-b/s; n/s runs from n to max.
func parseRange(part string, min, max int, names map[string]int) (start, int, error) {
	base, step, hasStep := strings.Cut(part, "/")
	s := start{from: min, step: 1}
	if hasStep {
		n, err := strconv.Atoi(step)
		if err != nil || n < 1 {
			return s, 0, fmt.Errorf("%q: the step must be a number from 1", part)
		}
		s.step = n
	}
	if base == "*" {
		return s, max, nil
	}
	from, to, isRange := strings.Cut(base, "-")
	a, err := value(from, min, max, names)
	if err != nil {
		return s, 0, err
	}
	s.from = a
	switch {
	case isRange:
		b, err := value(to, min, max, names)
		if err != nil {
			return s, 0, err
		}
		if b < a {
			// A wrapping range (FRI-MON) is not in AWS's examples: refused, not guessed.
			return s, 0, fmt.Errorf("%q: a range that wraps around is not decided by AWS's documentation; list the values", part)
		}
		return s, b, nil
	case hasStep:
		return s, max, nil
	}
	return s, a, nil
}

func value(text string, min, max int, names map[string]int) (int, error) {
	if n, ok := names[text]; ok {
		return n, nil
	}
	n, err := strconv.Atoi(text)
	if err != nil || n < min || n > max {
		return 0, fmt.Errorf("%q is not a value from %d to %d", text, min, max)
	}
	return n, nil
}

func daysIn(day time.Time) int {
	return time.Date(day.Year(), day.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func weekday(day time.Time) int { return int(day.Weekday()) + 1 } // 1 is Sunday, as in AWS's cron

// nearestWeekday is the weekday nearest day n of day's month, not leaving the month.
func nearestWeekday(day time.Time, n int) int {
	d := time.Date(day.Year(), day.Month(), n, 0, 0, 0, 0, time.UTC)
	switch d.Weekday() {
	case time.Saturday:
		if n == 1 {
			return 3
		}
		return n - 1
	case time.Sunday:
		if n == daysIn(day) {
			return n - 2
		}
		return n + 1
	}
	return n
}

// parseDayOfMonth parses *, L, LW, nW and the plain forms.
func parseDayOfMonth(field string) (func(time.Time) bool, error) {
	switch field {
	case "L":
		return func(d time.Time) bool { return d.Day() == daysIn(d) }, nil
	case "LW":
		return func(d time.Time) bool {
			last := time.Date(d.Year(), d.Month(), daysIn(d), 0, 0, 0, 0, time.UTC)
			n := daysIn(d)
			switch last.Weekday() {
			case time.Saturday:
				n--
			case time.Sunday:
				n -= 2
			}
			return d.Day() == n
		}, nil
	}
	if n, ok := strings.CutSuffix(field, "W"); ok {
		day, err := value(n, 1, 31, nil)
		if err != nil {
			return nil, fmt.Errorf("%q: nW takes one day, 1 to 31 (W alone has no meaning)", field)
		}
		return func(d time.Time) bool { return day <= daysIn(d) && d.Day() == nearestWeekday(d, day) }, nil
	}
	if strings.ContainsAny(field, "LW") {
		return nil, fmt.Errorf("%q: L and W are taken alone (L, LW) or as nW; this form has no documented meaning", field)
	}
	days, err := parseField(field, 1, 31, nil)
	if err != nil {
		return nil, err
	}
	return func(d time.Time) bool { return days[d.Day()] }, nil
}

// parseDayOfWeek parses the plain forms, nL (the last such day of the month) and n#k (the kth).
func parseDayOfWeek(field string) (func(time.Time) bool, error) {
	if name, nth, ok := strings.Cut(field, "#"); ok {
		day, err := value(name, 1, 7, dayNames)
		k, kerr := strconv.Atoi(nth)
		if err != nil || kerr != nil || k < 1 || k > 5 {
			return nil, fmt.Errorf("%q: use DAY#k, k from 1 to 5, e.g. TUE#2", field)
		}
		return func(d time.Time) bool { return weekday(d) == day && (d.Day()-1)/7+1 == k }, nil
	}
	if name, ok := strings.CutSuffix(field, "L"); ok {
		day, err := value(name, 1, 7, dayNames)
		if err != nil {
			return nil, fmt.Errorf("%q: use DAYL, e.g. 6L or FRIL, the last such day of the month", field)
		}
		return func(d time.Time) bool { return weekday(d) == day && d.Day()+7 > daysIn(d) }, nil
	}
	days, err := parseField(field, 1, 7, dayNames)
	if err != nil {
		return nil, err
	}
	return func(d time.Time) bool { return days[weekday(d)] }, nil
}

// matchesDay says whether the cron runs on the local date day.
func (c *cron) matchesDay(day time.Time) bool {
	if !c.years[day.Year()] || !c.months[int(day.Month())] {
		return false
	}
	if c.dom != nil {
		return c.dom(day)
	}
	return c.dow(day)
}
