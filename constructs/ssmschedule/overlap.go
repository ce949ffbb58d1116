package ssmschedule

import (
	"fmt"
	"sort"
	"strings"
	"sync"
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
	overlaps, _, why := overlap(a, b)
	return overlaps, why
}

// Overlap says whether a and b are open at the same time, at a time it names, only when that can
// be decided: a schedule it cannot follow (rate(), some cron forms) is no overlap here.
func Overlap(a, b Opening) (bool, string) {
	overlaps, decided, why := overlap(a, b)
	return overlaps && decided, why
}

// overlapAnswer is a remembered answer of overlap.
type overlapAnswer struct {
	overlaps, decided bool
	why               string
}

// answers remembers overlap's answers by the pair of openings: each enumerates up to 29 years of
// starts, and validation asks the same pairs (the default windows, scans and synchronisations) of
// every configuration it reads. It is cleared when it holds maxAnswers.
var answers = struct {
	sync.Mutex
	m map[[2]Opening]overlapAnswer
}{m: map[[2]Opening]overlapAnswer{}}

const maxAnswers = 4096

// overlap is MayOverlap's answer and whether it was decided.
func overlap(a, b Opening) (overlaps, decided bool, why string) {
	key := [2]Opening{a, b}
	answers.Lock()
	got, ok := answers.m[key]
	answers.Unlock()
	if ok {
		return got.overlaps, got.decided, got.why
	}
	overlaps, decided, why = computeOverlap(a, b)
	answers.Lock()
	if len(answers.m) >= maxAnswers {
		clear(answers.m)
	}
	answers.m[key] = overlapAnswer{overlaps, decided, why}
	answers.Unlock()
	return overlaps, decided, why
}

// computeOverlap is overlap's answer, worked out.
func computeOverlap(a, b Opening) (overlaps, decided bool, why string) {
	lo, hi := origin, origin.AddDate(horizonYears, 0, 0)
	for _, o := range []Opening{a, b} {
		if t, err := time.Parse(time.RFC3339, o.StartDate); err == nil && t.After(lo) {
			lo = t
			hi = t.AddDate(horizonYears, 0, 0)
		}
	}
	sa, whyA := starts(a, lo.AddDate(0, 0, -8), hi)
	if whyA != "" {
		return true, false, whyA
	}
	sb, whyB := starts(b, lo.AddDate(0, 0, -8), hi)
	if whyB != "" {
		return true, false, whyB
	}
	// Sweep both sorted lists of intervals.
	for i, j := 0, 0; i < len(sa) && j < len(sb); {
		ea, eb := sa[i].Add(a.Duration), sb[j].Add(b.Duration)
		if sa[i].Before(eb) && sb[j].Before(ea) {
			at := sa[i]
			if sb[j].After(at) {
				at = sb[j]
			}
			return true, true, fmt.Sprintf("both are open at %s", at.UTC().Format("Mon 2006-01-02 15:04 MST"))
		}
		if ea.Before(eb) || ea.Equal(eb) {
			i++
		} else {
			j++
		}
	}
	return false, true, ""
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
		c, why := windowCron(o.Schedule)
		if why != "" {
			return nil, fmt.Sprintf("%s: %s", o.Schedule, why)
		}
		for day := time.Date(lo.Year(), lo.Month(), lo.Day(), 0, 0, 0, 0, loc); day.Before(hi); day = day.AddDate(0, 0, 1) {
			if !c.MatchesDay(day) {
				continue
			}
			for _, h := range c.Hours {
				for _, m := range c.Minutes {
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

// windowCron is schedule read by the one cron reader (cron.go), for MayOverlap and Previous, or
// why they cannot use it. The seconds field is dropped: the window starts within that minute.
// These two callers keep refusing W (nW, LW), as they did before the calendar's reader became
// theirs too: deciding it would change their answers for such schedules (an overlap now refused
// could pass), which is left to a change of its own.
func windowCron(schedule string) (Cron, string) {
	c, err := ParseCron(schedule)
	if err != nil {
		return Cron{}, err.Error()
	}
	return c, ""
}
