package ssmschedule

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestWindowsOpenAtTheSameTimeOverlap(t *testing.T) {
	h := time.Hour
	for _, c := range []struct {
		name string
		a, b Opening
		want bool
		why  string
	}{
		{"same weekly cron", Opening{Schedule: "cron(0 2 ? * SUN *)", Duration: 4 * h}, Opening{Schedule: "cron(0 2 ? * SUN *)", Duration: 4 * h}, true, "both are open at Sun"},
		{"one starts inside the other", Opening{Schedule: "cron(0 2 ? * SUN *)", Duration: 4 * h}, Opening{Schedule: "cron(0 5 ? * SUN *)", Duration: h}, true, "05:00"},
		{"back to back", Opening{Schedule: "cron(0 2 ? * SUN *)", Duration: 4 * h}, Opening{Schedule: "cron(0 6 ? * SUN *)", Duration: h}, false, ""},
		{"the day before", Opening{Schedule: "cron(0 2 ? * SAT *)", Duration: 3 * h}, Opening{Schedule: "cron(0 2 ? * SUN *)", Duration: 4 * h}, false, ""},
		{"a window over midnight into the next day's", Opening{Schedule: "cron(0 22 ? * SAT *)", Duration: 6 * h}, Opening{Schedule: "cron(0 2 ? * SUN *)", Duration: h}, true, "Sun"},
		{"time zones", Opening{Schedule: "cron(0 11 ? * SUN *)", Timezone: "Asia/Seoul", Duration: h}, Opening{Schedule: "cron(0 2 ? * SUN *)", Duration: 4 * h}, true, "02:00 UTC"},
		{"offset moves Patch Tuesday to Friday", Opening{Schedule: "cron(0 2 ? * TUE#2 *)", ScheduleOffset: 3, Duration: 2 * h}, Opening{Schedule: "cron(0 3 ? * FRI *)", Duration: h}, true, "Fri"},
		{"offset away from it", Opening{Schedule: "cron(0 2 ? * TUE#2 *)", ScheduleOffset: 1, Duration: 2 * h}, Opening{Schedule: "cron(0 3 ? * FRI *)", Duration: h}, false, ""},
		{"the 13th is sometimes a Friday", Opening{Schedule: "cron(0 2 13 * ? *)", Duration: 2 * h}, Opening{Schedule: "cron(0 3 ? * FRI *)", Duration: h}, true, "Fri"},
		{"the last day of February and a leap day", Opening{Schedule: "cron(0 2 L FEB ? *)", Duration: h}, Opening{Schedule: "cron(0 2 29 * ? *)", Duration: h}, true, "02-29"},
		{"at inside a weekly window", Opening{Schedule: "at(2027-03-07T03:00:00)", Duration: h}, Opening{Schedule: "cron(0 2 ? * SUN *)", Duration: 4 * h}, true, "2027-03-07"},
		{"at on another day", Opening{Schedule: "at(2027-03-08T03:00:00)", Duration: h}, Opening{Schedule: "cron(0 2 ? * SUN *)", Duration: 4 * h}, false, ""},
		{"end date before the other's start", Opening{Schedule: "cron(0 2 ? * SUN *)", Duration: 4 * h, EndDate: "2027-01-01T00:00:00Z"},
			Opening{Schedule: "cron(0 2 ? * SUN *)", Duration: 4 * h, StartDate: "2027-06-01T00:00:00Z"}, false, ""},
		{"rate cannot be decided", Opening{Schedule: "rate(7 days)", Duration: h}, Opening{Schedule: "cron(0 2 ? * SUN *)", Duration: h}, true, "when its window is created"},
		{"the nearest weekday is never a Sunday", Opening{Schedule: "cron(0 2 15W * ? *)", Duration: h}, Opening{Schedule: "cron(0 2 ? * SUN *)", Duration: h}, false, ""},
		{"the nearest weekday is sometimes a Monday", Opening{Schedule: "cron(0 2 15W * ? *)", Duration: h}, Opening{Schedule: "cron(0 2 ? * MON *)", Duration: h}, true, "Mon"},
		{"months apart", Opening{Schedule: "cron(0 2 ? JAN,JUL SUN *)", Duration: 4 * h}, Opening{Schedule: "cron(0 2 ? MAR SUN *)", Duration: 4 * h}, false, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, order := range [][2]Opening{{c.a, c.b}, {c.b, c.a}} {
				got, why := MayOverlap(order[0], order[1])
				assert.Equal(t, c.want, got, why)
				assert.Contains(t, why, c.why)
			}
		})
	}
}
