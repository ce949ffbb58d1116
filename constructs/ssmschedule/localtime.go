package ssmschedule

import (
	"fmt"
	"strings"
	"time"
)

// LocalTime is the wall-clock time in loc, or an error when daylight saving skips it (spring
// forward) or repeats it (fall back): AWS does not document when a window scheduled then runs.
func LocalTime(y int, mo time.Month, d, h, mi, s int, loc *time.Location) (time.Time, error) {
	t := time.Date(y, mo, d, h, mi, s, 0, loc)
	wall := fmt.Sprintf("%04d-%02d-%02d %02d:%02d", y, mo, d, h, mi)
	if t.Hour() != h || t.Minute() != mi || t.Day() != d {
		return t, fmt.Errorf("%s does not exist in %s (daylight saving skips it), and AWS does not document when such a run happens: "+
			"move the window out of the skipped hour", wall, loc)
	}
	for _, shift := range []time.Duration{-2 * time.Hour, -time.Hour, -30 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour} {
		if o := t.Add(shift); o.Hour() == h && o.Minute() == mi && o.Day() == d {
			return t, fmt.Errorf("%s happens twice in %s (daylight saving repeats it), and AWS does not document which one runs: "+
				"move the window out of the repeated hour", wall, loc)
		}
	}
	return t, nil
}

// CheckLocalTimes returns why a cron window schedule in timezone starts (or, moved offset days,
// runs) at a local time daylight saving skips or repeats on a day it runs, or nil: over the
// horizon MayOverlap uses, from its fixed origin, so every date and weekday a cron can name is
// met under the zone's rules as this machine's time zone database has them. A rate schedule, or
// one in a zone without daylight saving, has none.
func CheckLocalTimes(schedule, timezone string, offset int) error {
	if !strings.HasPrefix(schedule, "cron(") || timezone == "" || timezone == "UTC" {
		return nil
	}
	loc, err := time.LoadLocation(timezone)
	if err != nil {
		return nil // the time zone's own problem
	}
	c, err := ParseCron(schedule)
	if err != nil {
		return nil // the schedule's own problem
	}
	start := time.Date(origin.Year(), origin.Month(), origin.Day(), 0, 0, 0, 0, loc)
	for day := start; day.Year() < origin.Year()+horizonYears; day = day.AddDate(0, 0, 1) {
		if !c.MatchesDay(day) {
			continue
		}
		run := day.AddDate(0, 0, offset)
		for _, h := range c.Hours {
			for _, m := range c.Minutes {
				for _, d := range []time.Time{day, run} {
					if _, err := LocalTime(d.Year(), d.Month(), d.Day(), h, m, 0, loc); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}
