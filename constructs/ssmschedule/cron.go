package ssmschedule

import (
	"fmt"
	"slices"
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
// follows). "Cron expressions reference" (EventBridge User Guide, read 2026-12-06): with #, the
// day-of-week field holds one expression ("3#1,6#3" is not valid). This is the one reader of
// that form: the calendar proof, the window-overlap check and Previous all use it. It refuses
// what it cannot give one meaning (W alone, nL in the day of month, L alone in the day of week,
// a wrapping range).

// cronField is one field of the grammar: its name, its values and the names that stand for some.
type cronField struct {
	name     string
	min, max int
	names    map[string]int
}

var (
	monthNumbers = map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}
	dayNumbers   = map[string]int{"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}

	secondsField    = cronField{"seconds", 0, 59, nil}
	minutesField    = cronField{"minutes", 0, 59, nil}
	hoursField      = cronField{"hours", 0, 23, nil}
	dayOfMonthField = cronField{"day-of-month", 1, 31, nil}
	monthField      = cronField{"month", 1, 12, monthNumbers}
	dayOfWeekField  = cronField{"day-of-week", 1, 7, dayNumbers}
	yearField       = cronField{"year", 1970, 2199, nil}
	// DAY#k is the kth such day of the month (TUE#3, THU#2); a month holds at most five.
	maxNth = 5
	// cronFields are the six fields after the optional seconds, in order.
	cronFields = []cronField{minutesField, hoursField, dayOfMonthField, monthField, dayOfWeekField, yearField}
)

// Cron is a parsed cron(...) expression: the seconds, minutes and hours it starts at (sorted),
// and which local dates (MatchesDay).
type Cron struct {
	Seconds, Minutes, Hours []int
	months, years           map[int]bool
	// dom is the day-of-month rule and dow the day-of-week rule; one is nil (the ?).
	dom, dow func(day time.Time) bool
}

// ParseCron parses cron(...); the error names the field and says what cannot be decided.
func ParseCron(expr string) (Cron, error) {
	body, ok := strings.CutPrefix(expr, "cron(")
	if !ok || !strings.HasSuffix(body, ")") {
		return Cron{}, fmt.Errorf("%q is not cron(...)", expr)
	}
	fields := strings.Fields(strings.TrimSuffix(body, ")"))
	c := Cron{Seconds: []int{0}}
	if len(fields) == 7 {
		s, err := parseField(fields[0], secondsField)
		if err != nil {
			return Cron{}, fmt.Errorf("seconds: %w", err)
		}
		c.Seconds, fields = sortedValues(s), fields[1:]
	}
	if len(fields) != 6 {
		return Cron{}, fmt.Errorf("%d fields: a maintenance window's cron has six, after an optional seconds field", len(fields))
	}
	sets := map[string]map[int]bool{}
	for _, i := range []int{0, 1, 3, 5} {
		s, err := parseField(fields[i], cronFields[i])
		if err != nil {
			return Cron{}, fmt.Errorf("%s: %w", cronFields[i].name, err)
		}
		sets[cronFields[i].name] = s
	}
	c.Minutes, c.Hours = sortedValues(sets["minutes"]), sortedValues(sets["hours"])
	c.months, c.years = sets["month"], sets["year"]
	if err := c.parseDays(fields[2], fields[4]); err != nil {
		return Cron{}, err
	}
	return c, nil
}

// parseDays reads the two day fields, exactly one of which is ?.
func (c *Cron) parseDays(dom, dow string) error {
	var err error
	if (dom == "?") == (dow == "?") {
		return fmt.Errorf("day-of-month %q and day-of-week %q: exactly one must be ?", dom, dow)
	}
	if dom != "?" {
		if c.dom, err = parseDayOfMonth(dom); err != nil {
			return fmt.Errorf("day-of-month: %w", err)
		}
	} else if c.dow, err = parseDayOfWeek(dow); err != nil {
		return fmt.Errorf("day-of-week: %w", err)
	}
	return nil
}

func sortedValues(s map[int]bool) []int {
	var out []int
	for v := range s {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

// parseField parses a list of values, ranges and steps of field f.
func parseField(field string, f cronField) (map[int]bool, error) {
	out := map[int]bool{}
	for _, part := range strings.Split(field, ",") {
		from, to, step, err := parseRange(part, f)
		if err != nil {
			return nil, err
		}
		for v := from; v <= to; v += step {
			out[v] = true
		}
	}
	return out, nil
}

// parseRange parses *, n, a-b, */s, n/s and a-b/s; n/s runs from n to the field's max.
func parseRange(part string, f cronField) (from, to, step int, err error) {
	base, stepText, hasStep := strings.Cut(part, "/")
	from, to, step = f.min, f.max, 1
	if hasStep {
		if step, err = strconv.Atoi(stepText); err != nil || step < 1 {
			return 0, 0, 0, fmt.Errorf("%q: the step must be a number from 1", part)
		}
	}
	if base == "*" {
		return from, to, step, nil
	}
	fromText, toText, isRange := strings.Cut(base, "-")
	if from, err = value(fromText, f); err != nil {
		return 0, 0, 0, err
	}
	switch {
	case isRange:
		if to, err = value(toText, f); err != nil {
			return 0, 0, 0, err
		}
		if to < from {
			// A wrapping range (FRI-MON) is not in AWS's examples: refused, not guessed.
			return 0, 0, 0, fmt.Errorf("%q: a range that wraps around is not decided by AWS's documentation; list the values", part)
		}
	case !hasStep:
		to = from
	}
	return from, to, step, nil
}

func value(text string, f cronField) (int, error) {
	if n, ok := f.names[text]; ok {
		return n, nil
	}
	n, err := strconv.Atoi(text)
	if err != nil || n < f.min || n > f.max {
		return 0, fmt.Errorf("%q is not a value from %d to %d", text, f.min, f.max)
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

// lastWeekday is the last Monday to Friday of day's month.
func lastWeekday(d time.Time) int {
	n := daysIn(d)
	switch time.Date(d.Year(), d.Month(), n, 0, 0, 0, 0, time.UTC).Weekday() {
	case time.Saturday:
		n--
	case time.Sunday:
		n -= 2
	}
	return n
}

// parseDayOfMonth parses *, L, LW, nW and the plain forms.
func parseDayOfMonth(field string) (func(time.Time) bool, error) {
	switch field {
	case "L":
		return func(d time.Time) bool { return d.Day() == daysIn(d) }, nil
	case "LW":
		return func(d time.Time) bool { return d.Day() == lastWeekday(d) }, nil
	}
	if n, ok := strings.CutSuffix(field, "W"); ok {
		day, err := value(n, dayOfMonthField)
		if err != nil {
			return nil, fmt.Errorf("%q: nW takes one day, 1 to 31 (W alone has no meaning)", field)
		}
		return func(d time.Time) bool { return day <= daysIn(d) && d.Day() == nearestWeekday(d, day) }, nil
	}
	if strings.ContainsAny(field, "LW") {
		return nil, fmt.Errorf("%q: L and W are taken alone (L, LW) or as nW; this form has no documented meaning", field)
	}
	days, err := parseField(field, dayOfMonthField)
	if err != nil {
		return nil, err
	}
	return func(d time.Time) bool { return days[d.Day()] }, nil
}

// parseDayOfWeek parses the plain forms, nL (the last such day of the month) and n#k (the kth).
func parseDayOfWeek(field string) (func(time.Time) bool, error) {
	if name, nth, ok := strings.Cut(field, "#"); ok {
		day, err := value(name, dayOfWeekField)
		k, kerr := strconv.Atoi(nth)
		if err != nil || kerr != nil || k < 1 || k > maxNth {
			return nil, fmt.Errorf("%q: use DAY#k, k from 1 to %d, e.g. TUE#2", field, maxNth)
		}
		return func(d time.Time) bool { return weekday(d) == day && (d.Day()-1)/7+1 == k }, nil
	}
	if name, ok := strings.CutSuffix(field, "L"); ok {
		day, err := value(name, dayOfWeekField)
		if err != nil {
			return nil, fmt.Errorf("%q: use DAYL, e.g. 6L or FRIL, the last such day of the month", field)
		}
		return func(d time.Time) bool { return weekday(d) == day && d.Day()+7 > daysIn(d) }, nil
	}
	days, err := parseField(field, dayOfWeekField)
	if err != nil {
		return nil, err
	}
	return func(d time.Time) bool { return days[weekday(d)] }, nil
}

// MatchesDay says whether the cron runs on the local date day.
func (c Cron) MatchesDay(day time.Time) bool {
	if !c.years[day.Year()] || !c.months[int(day.Month())] {
		return false
	}
	if c.dom != nil {
		return c.dom(day)
	}
	return c.dow(day)
}
