// Command doctor tells whether patching works on a deployed privatepatch: it reads the stacks and
// the account with the AWS CLI (read-only) and prints one table, check by check, with the state,
// the evidence and what to do (package doctor), for every environment of the configuration, each
// in its own account and region.
//
//	doctor [-config my.yaml] [-profiles test=dev-profile,prod=prod-profile]
//
// Exit status: 0 every check passed (warnings included), 1 a check failed, 2 it could not run on
// an environment (no AWS CLI or credentials, stacks not deployed, credentials of another account),
// 3 the run was incomplete: a check could not be made (a call denied or throttled), whatever the
// others found.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
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
	profiles := flag.String("profiles", "", "AWS CLI profiles: one for every environment, or ENV=PROFILE,... per environment (default: the CLI's)")
	attach := flag.Bool("attach-stop-alarms", false, "instead of checking, attach each Install task's stop alarm that is not attached (make deploy runs it: "+
		"CloudFormation cannot attach it, and its update of a task removes it); this writes")
	environment := flag.String("environment", "", "with -attach-stop-alarms, only this environment (default: every one)")
	flag.Usage = func() {
		fmt.Fprint(flag.CommandLine.Output(), `Usage: make doctor [CONFIG=file] [PROFILES=profile | PROFILES=env=profile,...]
       (or: go run ./tools/doctor [-config file] [-profiles ...])

Tells whether patching works on a deployed privatepatch, with the AWS CLI and your credentials,
read-only, on every environment of the configuration in its region, with its profile: which account
it examines, nodes managed and Online (and why not), the WSUS setup and its last synchronisation,
the WSUS client per node, each patch group's members and compliance, the last window runs and
whether runs are overdue by their schedules, alarms, alert delivery and whether the alerts topic has
a confirmed subscription (anyone to receive them), S3 prefix-list drift, other patch policies on the
same nodes, and the stacks' data protection, each with its evidence and what to do; in pipeline
mode, the pipeline too (PROFILES=pipeline=<profile>): its alerts' subscriptions and its newest run. An environment
whose account the credentials are not is refused. Exit status 0 when every check passed (warnings
allowed), 1 when one failed, 2 when it could not run on an environment, 3 when it was incomplete: a
call was denied or throttled, its check says COULD NOT CHECK and names the permission, and every
other check still ran. With -attach-stop-alarms it checks nothing and writes:
it attaches each Install task's stop alarm that is not attached, as make deploy does after each
deploy (CloudFormation cannot, and its update of a task removes it).

`)
		flag.PrintDefaults()
	}
	flag.Parse()
	if *attach {
		os.Exit(attachStopAlarms(*configFile, *profiles, *environment, os.Stdout))
	}
	os.Exit(run(*configFile, *profiles, os.Stdout))
}

// profileOf parses -profiles: "p" for every environment, or "env=p,env2=p2".
func profileOf(profiles, environment string) (string, error) {
	if profiles == "" {
		return "", nil
	}
	if !strings.Contains(profiles, "=") {
		return profiles, nil
	}
	for _, pair := range strings.Split(profiles, ",") {
		name, profile, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok {
			return "", fmt.Errorf("-profiles %q: give PROFILE or ENV=PROFILE,... (%q has no =)", profiles, pair)
		}
		if name == environment {
			return profile, nil
		}
	}
	return "", nil
}

func run(configFile, profiles string, out io.Writer) int {
	cfg, err := config.Load(configFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "doctor:", err)
		return 2
	}
	if _, err := exec.LookPath("aws"); err != nil {
		fmt.Fprintln(os.Stderr, "doctor: it reads the deployment with the AWS CLI: install it and configure credentials")
		return 2
	}
	status, failed, incomplete, warnings := 0, false, false, 0
	var summary []string
	targets := doctor.TargetsOf(cfg)
	if pipeline, ok := doctor.PipelineTargetOf(cfg); ok {
		targets = append(targets, pipeline) // its own account and region (PROFILES=pipeline=...)
	}
	for _, target := range targets {
		name := target.Environment
		switch {
		case target.Pipeline != "":
			name = "pipeline " + target.PipelineName
		case name == "":
			name = "deployment " + target.Network[:len(target.Network)-len("-network")]
		default:
			name = "environment " + name
		}
		profile, err := profileOf(profiles, target.Environment)
		if err != nil {
			fmt.Fprintln(os.Stderr, "doctor:", err)
			return 2
		}
		fmt.Fprintf(out, "\n%s (%s%s)\n", name, orDefault(target.Region, "the CLI's region"), map[bool]string{true: ", profile " + profile, false: ""}[profile != ""])
		examine := doctor.Examine
		if target.Pipeline != "" {
			examine = doctor.ExaminePipeline
		}
		results, err := examine(doctor.CLI{Region: target.Region, Profile: profile}, target, time.Now())
		var couldNot doctor.CouldNotRun
		if errors.As(err, &couldNot) {
			fmt.Fprintln(os.Stderr, "doctor: could not run on", name+":", err)
			summary = append(summary, name+": NOT CHECKED ("+err.Error()+")")
			status = 2
			continue
		}
		doctor.Print(out, results)
		counts := map[doctor.State]int{}
		for _, r := range results {
			counts[r.State]++
		}
		failed = failed || counts[doctor.Fail] > 0
		incomplete = incomplete || counts[doctor.Unchecked] > 0
		warnings += counts[doctor.Warn]
		summary = append(summary, fmt.Sprintf("%s: checked, %d FAIL, %d WARN, %d COULD NOT CHECK", name, counts[doctor.Fail], counts[doctor.Warn], counts[doctor.Unchecked]))
	}
	fmt.Fprintln(out, "\ndoctor: "+strings.Join(summary, "\ndoctor: "))
	if failed {
		fmt.Fprintln(out, "doctor: a check FAILED: see WHAT TO DO")
	}
	switch {
	case status == 2:
	case incomplete:
		fmt.Fprintln(out, "doctor: INCOMPLETE: a check could not be made (COULD NOT CHECK names the call and the permission)")
		status = 3
	case failed:
		status = 1
	case warnings > 0:
		fmt.Fprintf(out, "doctor: no check failed; %d WARN row(s): see WHAT TO DO\n", warnings)
	default:
		fmt.Fprintln(out, "doctor: every check passed")
	}
	return status
}

// attachStopAlarms attaches the stop alarms of every environment (or one), printing each call.
func attachStopAlarms(configFile, profiles, environment string, out io.Writer) int {
	cfg, err := config.Load(configFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "doctor:", err)
		return 2
	}
	if cfg.Pipeline.Enabled && environment == "" {
		// make deploy deployed the pipeline stack only; the environments' stacks are the
		// pipeline's to deploy, and its Protect-<environment> steps attach their alarms.
		fmt.Fprintln(out, "doctor: pipeline mode: each stage's Protect-<environment> step attaches its Install tasks' stop alarms after the pipeline deploys it; "+
			"make attach-stop-alarms ENVIRONMENT=name attaches one environment's with your credentials")
		return 0
	}
	targets := doctor.TargetsOf(cfg)
	if environment != "" {
		var names []string
		for _, target := range targets {
			names = append(names, target.Environment)
		}
		if !slices.Contains(names, environment) {
			// As checkupdate refuses it for make deploy: a misspelt name would attach nothing, silently.
			if len(cfg.Environments) == 0 {
				fmt.Fprintf(os.Stderr, "doctor: ENVIRONMENT=%s: the configuration has no environments; leave ENVIRONMENT out\n", environment)
			} else {
				fmt.Fprintf(os.Stderr, "doctor: ENVIRONMENT=%s: no such environment; the configuration's are %s\n", environment, strings.Join(names, ", "))
			}
			return 2
		}
	}
	status := 0
	for _, target := range targets {
		if environment != "" && target.Environment != environment {
			continue
		}
		profile, err := profileOf(profiles, target.Environment)
		if err == nil {
			var made []string
			made, err = doctor.AttachStopAlarms(doctor.CLI{Region: target.Region, Profile: profile}, target)
			for _, call := range made {
				fmt.Fprintln(out, "doctor: attached a stop alarm:", call)
			}
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "doctor: stop alarms of %s not attached: %v (make doctor names each; the deploy is done)\n", target.Patching, err)
			status = 1
		}
	}
	return status
}

func orDefault(value, otherwise string) string {
	if value == "" {
		return otherwise
	}
	return value
}
