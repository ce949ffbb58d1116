// Command calendar prints the patch calendar of a configuration (make calendar CONFIG=...): for
// the next 24 Patch Tuesdays, when each patch group a maintenance window installs gets the
// release, and whether the rings, the WSUS server and the deadlines hold (package calendar).
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/proof/calendar"
)

func main() {
	configPath := flag.String("config", "", "the configuration (default: the embedded one)")
	from := flag.String("from", "", "the first day, YYYY-MM-DD (default: today, UTC)")
	months := flag.Int("months", calendar.DefaultMonths, "how many Patch Tuesdays")
	flag.Usage = func() {
		fmt.Fprint(flag.CommandLine.Output(), `Usage: make calendar [CONFIG=file]    (or: go run ./tools/calendar [-config file] [-from YYYY-MM-DD])

Prints the patch calendar of a configuration: for the next 24 Patch Tuesdays (second Tuesday,
10:00 US Pacific), every maintenance window's runs as AWS computes them from the cron schedule,
schedule offset, time zone (with daylight saving), start and end date, duration and cutoff, and for
each patch group a window installs, when it installs each release given its baseline's approval
delays, with the worst case for an out-of-band release. Exit status 1 when a later ring can install
a release before an earlier one or closer than their delays differ, when the WSUS server does not
install before the fleet, when a patching.deadlines entry is missed (each naming the month), or when
a schedule cannot be decided (a rate, a local time daylight saving skips or repeats); 2 when the
configuration cannot be read. make verify runs the same checks.

`)
		flag.PrintDefaults()
	}
	flag.Parse()
	day := time.Now().UTC().Truncate(24 * time.Hour)
	if *from != "" {
		var err error
		if day, err = time.Parse("2006-01-02", *from); err != nil {
			fmt.Fprintf(os.Stderr, "calendar: -from %q: use YYYY-MM-DD\n", *from)
			os.Exit(2)
		}
	}
	cfg, err := config.Load(*configPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "calendar:", err)
		os.Exit(2)
	}
	plan := calendar.FromConfig(cfg, day)
	plan.Months = *months
	c, err := calendar.Compute(plan)
	if err != nil {
		fmt.Fprintln(os.Stderr, "calendar: refused:", err)
		os.Exit(1)
	}
	c.Print(os.Stdout)
	if len(c.Problems) > 0 {
		fmt.Fprintf(os.Stderr, "calendar: %d problem(s)\n", len(c.Problems))
		os.Exit(1)
	}
}
