// Command doctor tells whether patching works on a deployed privatepatch: it reads the stacks and
// the account with the AWS CLI (read-only) and prints one table, check by check, with the state,
// the evidence and what to do (package doctor).
//
//	doctor [-config my.yaml]
//
// Exit status: 0 every check passed (warnings included), 1 a check failed, 2 it could not run
// (no AWS CLI or credentials, stacks not deployed).
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/doctor"
)

func main() {
	configFile := flag.String("config", "", "the configuration file (default: the file PRIVATEPATCH_CONFIG names, else the embedded default)")
	flag.Usage = func() {
		fmt.Fprint(flag.CommandLine.Output(), `Usage: make doctor [CONFIG=file]    (or: go run ./tools/doctor [-config file])

Tells whether patching works on a deployed privatepatch, with the AWS CLI and your credentials,
read-only, on every environment of the configuration: nodes managed and Online, the WSUS setup and
its last synchronisation, the WSUS client per node, each patch group's compliance, the last window
runs, alarms, S3 prefix-list drift, other patch policies on the same nodes, and the stacks' data
protection, each with its evidence and what to do. Exit status 0 when every check passed (warnings
allowed), 1 when one failed, 2 when it could not run (no AWS CLI or credentials, no stacks).

`)
		flag.PrintDefaults()
	}
	flag.Parse()
	os.Exit(run(*configFile))
}

func run(configFile string) int {
	cfg, err := config.Load(configFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "doctor:", err)
		return 2
	}
	if _, err := exec.LookPath("aws"); err != nil {
		fmt.Fprintln(os.Stderr, "doctor: it reads the deployment with the AWS CLI: install it and configure credentials")
		return 2
	}
	status := 0
	for _, target := range doctor.TargetsOf(cfg) {
		if target.Environment != "" {
			fmt.Printf("\nenvironment %s (%s)\n", target.Environment, target.Region)
		}
		results, err := doctor.Examine(doctor.CLI{Region: target.Region}, target, time.Now())
		var couldNot doctor.CouldNotRun
		if errors.As(err, &couldNot) {
			fmt.Fprintln(os.Stderr, "doctor: could not run:", err)
			status = 2
			continue
		}
		doctor.Print(os.Stdout, results)
		if doctor.Failed(results) && status == 0 {
			status = 1
		}
	}
	switch status {
	case 0:
		fmt.Println("\ndoctor: every check passed")
	case 1:
		fmt.Println("\ndoctor: a check FAILED: see WHAT TO DO")
	}
	return status
}
