package main

import (
	"fmt"
	"io"
	"time"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/proof/calendar"
)

// calendarCheck prints the patch calendar of the configuration from today (package calendar)
// and returns how many of its checks fail; a schedule it cannot decide counts as one.
func calendarCheck(out io.Writer, cfg *config.Config, today time.Time) int {
	fmt.Fprintln(out)
	c, err := calendar.Compute(calendar.FromConfig(cfg, today))
	if err != nil {
		fmt.Fprintf(out, "patch calendar: refused: %v  <-- WRONG\n", err)
		return 1
	}
	c.Print(out)
	return len(c.Problems)
}
