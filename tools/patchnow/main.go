// Command patchnow runs AWS-RunPatchBaseline now on a patch group, a node or a resource group,
// doing what the deployed maintenance window that patches it does (rate control, reboot option,
// timeout, S3 output prefix, service role, notifications, pre-patch image, resource-type filter),
// waits for it and prints each node's outcome (doctor.PatchNow). -kb installs named updates only.
//
//	patchnow -target windows -operation Scan [-config my.yaml] [-environment prod] [-profile p] [-kb KB5034441] [-skip-image]
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
	"strings"
	"time"

	"github.com/privatepatch/privatepatch/afterdeploy/doctor"
	"github.com/privatepatch/privatepatch/config"
)

func main() {
	configFile := flag.String("config", "", "the configuration file (default: the file PRIVATEPATCH_CONFIG names, else the embedded default)")
	environment := flag.String("environment", "", "the environment to patch, with environments")
	target := flag.String("target", "", "a patch group, a managed node id (i-..., mi-...) or a resource group name")
	operation := flag.String("operation", "Scan", "Scan or Install")
	wait := flag.Duration("wait", 2*time.Hour, "how long to wait for the command")
	profile := flag.String("profile", "", "the AWS CLI profile of the environment's account (default: the CLI's)")
	kbs := flag.String("kb", "", "install these updates only, comma-separated knowledge base ids (KB5034441,...): approved on WSUS first where the fleet uses WSUS")
	skipImage := flag.Bool("skip-image", false, "install without the pre-patch image the window takes first")
	flag.Usage = func() {
		fmt.Fprint(flag.CommandLine.Output(), `Usage: make patch-now TARGET=<patch group|instance id|resource group> OPERATION=Scan|Install
                      [KB=KB5034441,...] [SKIP_IMAGE=1] [CONFIG=file] [ENVIRONMENT=name] [PROFILE=name]

Runs AWS-RunPatchBaseline now on a patch group, a node or a resource group, as the deployed
maintenance window that targets it does: its rate control, reboot option, timeout, S3 output
prefix, service role and failure notifications (a node takes the window of its patch group; a
resource group the window naming it, with its resource-type filter; a Scan the window's Scan task
where there is one). Before an Install it takes the window's pre-patch image (AWS-CreateImage)
and waits for it, unless SKIP_IMAGE=1. KB=... installs those updates only (InstallOverrideList),
approving them on WSUS first where the fleet uses WSUS. It waits for the command and prints each
node's outcome. Install reboots nodes as the window would. Exit status 0 when every node
succeeded, 1 when one did not or the wait ended first, 2 when nothing was sent.

`)
		flag.PrintDefaults()
	}
	flag.Parse()
	p := doctor.PatchNow{Target: *target, Operation: *operation, SkipImage: *skipImage, Poll: 15 * time.Second, Wait: *wait, Sleep: time.Sleep}
	for _, kb := range strings.Split(*kbs, ",") {
		if kb = strings.TrimSpace(kb); kb != "" {
			p.KBs = append(p.KBs, kb)
		}
	}
	os.Exit(run(*configFile, *environment, *profile, p))
}

func run(configFile, environment, profile string, p doctor.PatchNow) int {
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
	ok, err := p.Run(doctor.CLI{Region: targets[i].Region, Profile: profile}, targets[i], os.Stdout)
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
