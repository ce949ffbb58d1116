package ssmschedule

import (
	"time"
)

// Previous is the latest start at or before t of a schedule (rate, or cron in loc, as the
// "Cron and rate expressions" reference reads them), and the longest time between two starts
// around it. ok is false for at(...) (one run), a rate (whose starts depend on when it was
// created: the gap is the rate, the start unknown) gets ok true and a zero start, and a cron form
// windowCron refuses (W) gets ok false. The cron reader is ParseCron (cron.go).
func Previous(schedule string, t time.Time, loc *time.Location) (start time.Time, gap time.Duration, ok bool) {
	if ratePattern.MatchString(schedule) {
		gap, ok := RateInterval(schedule)
		return time.Time{}, gap, ok
	}
	c, why := windowCron(schedule)
	if why != "" {
		return time.Time{}, 0, false
	}
	if loc == nil {
		loc = time.UTC
	}
	start, ok = previous(c, t.In(loc))
	if !ok {
		return time.Time{}, 0, false
	}
	// The longest gap: walk back a year of starts, or 2000 of them (three weeks of a 15-minute
	// schedule).
	at, longest := start, time.Duration(0)
	for n := 0; n < 2000 && at.After(start.AddDate(-1, 0, 0)); n++ {
		before, found := previous(c, at.Add(-time.Minute))
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

// previous is the latest start at or before t, looking back at most 400 days.
func previous(c Cron, t time.Time) (time.Time, bool) {
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	for i := 0; i < 400; i++ {
		if c.MatchesDay(day) {
			for h := len(c.Hours) - 1; h >= 0; h-- {
				for m := len(c.Minutes) - 1; m >= 0; m-- {
					at := time.Date(day.Year(), day.Month(), day.Day(), c.Hours[h], c.Minutes[m], 0, 0, day.Location())
					if !at.After(t) {
						return at, true
					}
				}
			}
		}
		day = day.AddDate(0, 0, -1)
	}
	return time.Time{}, false
}
