package main

import (
	"fmt"
	"io"
	"time"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/proof/calendar"
)

// calendarCheck prints the patch calendar from today (package calendar) of what the patching
// template declares (calendar.FromTemplate: its windows and baselines, with the configuration's
// rings and deadlines), or of the configuration where the assembly has no patching template, and
// returns how many of its checks fail; a schedule it cannot decide counts as one.
func calendarCheck(out io.Writer, cfg *config.Config, patching map[string]any, today time.Time) int {
	fmt.Fprintln(out)
	plan := calendar.FromConfig(cfg, today)
	if patching != nil {
		var err error
		if plan, err = calendar.FromTemplate(patching, cfg, today); err != nil {
			fmt.Fprintf(out, "patch calendar: the patching template: %v  <-- WRONG\n", err)
			return 1
		}
	} else {
		fmt.Fprintln(out, "patch calendar: of the configuration (the assembly has no patching stack)")
	}
	c, err := calendar.Compute(plan)
	if err != nil {
		fmt.Fprintf(out, "patch calendar: refused: %v  <-- WRONG\n", err)
		return 1
	}
	c.Print(out)
	return len(c.Problems)
}
