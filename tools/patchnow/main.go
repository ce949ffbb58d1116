// Command patchnow runs AWS-RunPatchBaseline now on a patch group, a node or a resource group,
// with the deployed maintenance window's rate control, reboot option, timeout and S3 output
// prefix, waits for it and prints each node's outcome (doctor.PatchNow).
//
//	patchnow -target windows -operation Scan [-config my.yaml] [-environment prod]
//
// Exit status: 0 every node succeeded, 1 a node did not (or the wait ended first), 2 nothing was sent.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"time"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/doctor"
)

func main() {
	configFile := flag.String("config", "", "the configuration file (default: the file PRIVATEPATCH_CONFIG names, else the embedded default)")
	environment := flag.String("environment", "", "the environment to patch, with environments")
	target := flag.String("target", "", "a patch group, a managed node id (i-..., mi-...) or a resource group name")
	operation := flag.String("operation", "Scan", "Scan or Install")
	wait := flag.Duration("wait", 2*time.Hour, "how long to wait for the command")
	flag.Usage = func() {
		fmt.Fprint(flag.CommandLine.Output(), `Usage: make patch-now TARGET=<patch group|instance id|resource group> OPERATION=Scan|Install [CONFIG=file] [ENVIRONMENT=name]

Runs AWS-RunPatchBaseline now on a patch group, a node or a resource group, with the rate control,
reboot option, timeout and S3 output prefix of the deployed maintenance window that targets it (a
node or resource group takes the first install window's), waits for the command and prints each
node's outcome. Install reboots nodes as the window would. Exit status 0 when every node
succeeded, 1 when one did not or the wait ended first, 2 when nothing was sent.

`)
		flag.PrintDefaults()
	}
	flag.Parse()
	os.Exit(run(*configFile, *environment, doctor.PatchNow{Target: *target, Operation: *operation, Poll: 15 * time.Second, Wait: *wait, Sleep: time.Sleep}))
}

func run(configFile, environment string, p doctor.PatchNow) int {
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "patch-now:", err)
		return 2
	}
	cfg, err := config.Load(configFile)
	if err != nil {
		return fail(err)
	}
	if _, err := exec.LookPath("aws"); err != nil {
		return fail(errors.New("it runs the command with the AWS CLI: install it and configure credentials"))
	}
	targets := doctor.TargetsOf(cfg)
	var names []string
	for _, t := range targets {
		names = append(names, t.Environment)
	}
	i := 0
	if len(targets) > 1 {
		if i = slices.Index(names, environment); i < 0 {
			return fail(fmt.Errorf("ENVIRONMENT=%q: give one of %v", environment, names))
		}
	}
	ok, err := p.Run(doctor.CLI{Region: targets[i].Region}, targets[i], os.Stdout)
	var couldNot doctor.CouldNotRun
	switch {
	case errors.As(err, &couldNot):
		return fail(err)
	case err != nil:
		fmt.Fprintln(os.Stderr, "patch-now:", err)
		return 1
	case !ok:
		return 1
	}
	return 0
}
