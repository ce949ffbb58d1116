// Command calendar prints the patch calendar of a configuration (make calendar CONFIG=...): for
// the next 24 Patch Tuesdays, when each patch group a maintenance window installs gets the
// release, and whether the rings, the WSUS server and the deadlines hold (package calendar).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/proof/calendar"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, time.Now())) }

// run is the command: its exit status, 0 when every check holds, 1 on a problem, 2 when the
// configuration or the flags cannot be read.
func run(args []string, stdout, stderr io.Writer, now time.Time) int {
	flags := flag.NewFlagSet("calendar", flag.ContinueOnError)
	flags.SetOutput(stderr)
	configPath := flags.String("config", "", "the configuration (default: the embedded one)")
	from := flags.String("from", "", "the first day, YYYY-MM-DD (default: today, UTC)")
	months := flags.Int("months", calendar.DefaultMonths, "how many Patch Tuesdays")
	problemsOnly := flags.Bool("problems", false, "print only the problems, not the calendar (make check-update and make deploy)")
	flags.Usage = func() {
		fmt.Fprint(flags.Output(), `Usage: make calendar [CONFIG=file]    (or: go run ./tools/calendar [-config file] [-from YYYY-MM-DD] [-problems])

Prints the patch calendar of a configuration: for the next 24 Patch Tuesdays (second Tuesday,
10:00 US Pacific), every maintenance window's runs as AWS computes them from the cron schedule,
schedule offset, time zone (with daylight saving), start and end date, duration and cutoff, and for
each patch group a window installs, when it installs each release given its baseline's approval
delays, with the worst case for an out-of-band release. Exit status 1 when a later ring can install
a release before an earlier one or closer than their delays differ, when the WSUS server does not
install before the fleet, when a patching.deadlines entry is missed (each naming the month), or when
a schedule cannot be decided (a rate, a local time daylight saving skips or repeats); 2 when the
configuration cannot be read. make verify runs the same checks, and make check-update (so make
deploy) runs them with -problems, which prints only what fails.

`)
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "calendar: unexpected argument %q\n", flags.Arg(0))
		return 2
	}
	day := now.UTC().Truncate(24 * time.Hour)
	if *from != "" {
		var err error
		if day, err = time.Parse("2006-01-02", *from); err != nil {
			fmt.Fprintf(stderr, "calendar: -from %q: use YYYY-MM-DD\n", *from)
			return 2
		}
	}
	cfg, err := config.Load(*configPath)
	if err != nil {
		fmt.Fprintln(stderr, "calendar:", err)
		return 2
	}
	plan := calendar.FromConfig(cfg, day)
	plan.Months = *months
	c, err := calendar.Compute(plan)
	if err != nil {
		fmt.Fprintln(stderr, "calendar: refused:", err)
		return 1
	}
	if !*problemsOnly {
		c.Print(stdout)
	}
	if len(c.Problems) > 0 {
		if *problemsOnly {
			for _, p := range c.Problems {
				fmt.Fprintln(stderr, "calendar:", p)
			}
		}
		fmt.Fprintf(stderr, "calendar: %d problem(s)\n", len(c.Problems))
		return 1
	}
	return 0
}
