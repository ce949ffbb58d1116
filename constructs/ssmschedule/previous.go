package ssmschedule

import (
	"strconv"
	"strings"
	"time"
)

// Previous is the latest start at or before t of a schedule (rate, or cron in loc, as the
// "Cron and rate expressions" reference reads them), and the longest time between two starts
// around it. ok is false for at(...) (one run), a rate (whose starts depend on when it was
// created: the gap is the rate, the start unknown) gets ok true and a zero start, and a cron form
// this reader does not evaluate (L, W, # and nL in the day fields) gets ok false.
func Previous(schedule string, t time.Time, loc *time.Location) (start time.Time, gap time.Duration, ok bool) {
	if m := ratePattern.FindStringSubmatch(schedule); m != nil {
		n, _ := strconv.Atoi(m[1])
		unit := map[string]time.Duration{"minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour}[strings.TrimSuffix(m[2], "s")]
		return time.Time{}, time.Duration(n) * unit, n > 0
	}
	c, ok := parseCron(schedule)
	if !ok {
		return time.Time{}, 0, false
	}
	if loc == nil {
		loc = time.UTC
	}
	start, ok = c.previous(t.In(loc))
	if !ok {
		return time.Time{}, 0, false
	}
	// The longest gap: walk back a year of starts, or 2000 of them (three weeks of a 15-minute
	// schedule).
	at, longest := start, time.Duration(0)
	for n := 0; n < 2000 && at.After(start.AddDate(-1, 0, 0)); n++ {
		before, found := c.previous(at.Add(-time.Minute))
		if !found {
			break
		}
		longest = max(longest, at.Sub(before))
		at = before
	}
	if longest == 0 {
		return start, 0, false
	}
	return start, longest, true
}

// cron is a parsed cron(...) expression: the allowed values of each field.
type cron struct {
	minutes, hours, days, months, weekdays, years map[int]bool
	anyDay, anyWeekday                            bool
}

var weekdayNumbers = map[string]int{"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
var monthNumbers = map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}

func parseCron(schedule string) (cron, bool) {
	if CheckWindow(schedule) != nil && CheckAssociation(schedule) != nil || !strings.HasPrefix(schedule, "cron(") {
		return cron{}, false
	}
	fields := strings.Fields(strings.TrimSuffix(strings.TrimPrefix(schedule, "cron("), ")"))
	if len(fields) == 7 {
		fields = fields[1:] // seconds: starts are judged to the minute
	}
	var c cron
	var ok [6]bool
	c.minutes, ok[0] = cronSet(fields[0], 0, 59, nil)
	c.hours, ok[1] = cronSet(fields[1], 0, 23, nil)
	c.days, ok[2] = cronSet(fields[2], 1, 31, nil)
	c.months, ok[3] = cronSet(fields[3], 1, 12, monthNumbers)
	c.weekdays, ok[4] = cronSet(fields[4], 1, 7, weekdayNumbers)
	c.years, ok[5] = cronSet(fields[5], 1970, 2199, nil)
	c.anyDay, c.anyWeekday = fields[2] == "?" || fields[2] == "*", fields[4] == "?" || fields[4] == "*"
	return c, ok == [6]bool{true, true, true, true, true, true}
}

// cronSet is the set of values a field allows; ok false for forms it does not evaluate.
func cronSet(field string, lo, hi int, names map[string]int) (map[int]bool, bool) {
	set := map[int]bool{}
	value := func(s string) (int, bool) {
		if n, ok := names[s]; ok {
			return n, true
		}
		n, err := strconv.Atoi(s)
		return n, err == nil && n >= lo && n <= hi
	}
	if field == "?" {
		field = "*"
	}
	for _, part := range strings.Split(field, ",") {
		part, stepText, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			var err error
			if step, err = strconv.Atoi(stepText); err != nil || step < 1 {
				return nil, false
			}
		}
		from, to := lo, hi
		switch {
		case part == "*":
		case strings.Contains(part, "-"):
			a, b, _ := strings.Cut(part, "-")
			var okA, okB bool
			if from, okA = value(a); !okA {
				return nil, false
			}
			if to, okB = value(b); !okB {
				return nil, false
			}
		default:
			v, ok := value(part)
			if !ok {
				return nil, false
			}
			from = v
			if !hasStep {
				to = v
			}
		}
		for v := from; v <= to; v += step {
			set[v] = true
		}
	}
	return set, true
}

func (c cron) dayMatches(d time.Time) bool {
	if !c.years[d.Year()] || !c.months[int(d.Month())] {
		return false
	}
	day, weekday := c.days[d.Day()], c.weekdays[int(d.Weekday())+1]
	switch {
	case c.anyDay && c.anyWeekday:
		return true
	case c.anyDay:
		return weekday
	case c.anyWeekday:
		return day
	}
	return day && weekday
}

// previous is the latest start at or before t, looking back at most 400 days.
func (c cron) previous(t time.Time) (time.Time, bool) {
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	for i := 0; i < 400; i++ {
		if c.dayMatches(day) {
			for h := 23; h >= 0; h-- {
				if !c.hours[h] || i == 0 && h > t.Hour() {
					continue
				}
				for m := 59; m >= 0; m-- {
					if i == 0 && h == t.Hour() && m > t.Minute() {
						continue
					}
					at := time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, day.Location())
					if c.minutes[m] && !at.After(t) {
						return at, true
					}
				}
			}
		}
		day = day.AddDate(0, 0, -1)
	}
	return time.Time{}, false
}
