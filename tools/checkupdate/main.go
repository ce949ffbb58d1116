// Command checkupdate compares the templates `cdk synth` wrote with the ones deployed, and
// refuses an update that would replace or delete a resource holding data, or fail half-way on a
// name, rule number, address block or volume that the deployed resources still hold. It names the
// manual step where one is known.
//
//	checkupdate -stacks cdk.out                       print each stack's name and region, one a line
//	checkupdate -deployed DIR -synthesised cdk.out    DIR holds STACK.json per deployed stack
//	checkupdate -s3-prefix-lists cdk.out              print each network stack's name and region
//	checkupdate -live-prefix-lists DIR -synthesised cdk.out
//	                                                  DIR holds STACK.id and STACK.entries.json: the
//	                                                  AWS CLI's answers for com.amazonaws.REGION.s3
//	checkupdate -prerequisites -deployed DIR          print "STACK REGION KIND" for each state of
//	                                                  an account the update needs (make check-update
//	                                                  asks the AWS CLI whether it holds)
//	checkupdate -stack-policies cdk.out -out DIR      write each stack's stack policy to DIR/STACK.json
//	                                                  and print its name and region (make deploy sets them)
//
// A stack missing from DIR is new. Exit status 1 lists the problems; FORCE=1 in make deploy
// skips the check for an update that is meant to replace something, but not the S3 prefix-list
// drift check (package s3drift), which make deploy always runs.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/privatepatch/privatepatch/cfnupdate"
	"github.com/privatepatch/privatepatch/s3drift"
)

func main() {
	flag.Usage = func() {
		fmt.Fprint(flag.CommandLine.Output(), `Usage: make check-update [CONFIG=file]    (or: go run ./tools/checkupdate -deployed DIR -synthesised cdk.out)

Compares the templates cdk synth wrote with the deployed ones (read with the AWS CLI into DIR,
STACK.json each) and refuses an update that would replace or delete a resource holding data, or
fail half-way on a name, rule number, address block or volume that deployed resources still
hold, naming the manual step where one is known. With -live-prefix-lists it compares the network
ACLs' S3 CIDRs and the security group's prefix-list id with AWS's list instead. Exit status 1
lists the problems. make check-update and make deploy run it with the AWS CLI's answers.

`)
		flag.PrintDefaults()
	}
	stacks := flag.String("stacks", "", "print the name and region of each stack of this cloud assembly (cdk.out) and exit")
	deployed := flag.String("deployed", "", "directory of the deployed templates, STACK.json each")
	synthesised := flag.String("synthesised", "cdk.out", "the cloud assembly to deploy")
	spec := flag.String("spec", cfnupdate.SpecPath("."), "the CloudFormation service spec")
	networkStacks := flag.String("s3-prefix-lists", "", "print the name and region of each network stack of this cloud assembly and exit")
	livePrefixLists := flag.String("live-prefix-lists", "", "directory of the live S3 prefix lists (STACK.id, STACK.entries.json): compare them with -synthesised")
	needs := flag.Bool("prerequisites", false, "print what the update needs of each stack's account and region, and exit")
	stackPolicies := flag.String("stack-policies", "", "write the stack policy of each stack of this cloud assembly to -out and print each stack's name and region")
	out := flag.String("out", "", "the directory -stack-policies writes to")
	flag.Parse()
	var err error
	switch {
	case *stackPolicies != "":
		err = writeStackPolicies(os.Stdout, *stackPolicies, *out)
	case *networkStacks != "":
		err = listNetworkStacks(os.Stdout, *networkStacks)
	case *livePrefixLists != "":
		err = checkPrefixLists(os.Stdout, *livePrefixLists, *synthesised)
	case *needs:
		err = prerequisites(os.Stdout, *deployed, *synthesised)
	default:
		err = run(os.Stdout, *stacks, *deployed, *synthesised, *spec)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "checkupdate:", err)
		os.Exit(1)
	}
}

var errProblems = errors.New("the update is refused")

func run(out io.Writer, stacksOf, deployedDir, assembly, specPath string) error {
	if stacksOf != "" {
		templates, regions, err := cfnupdate.ReadAssembly(stacksOf)
		if err != nil {
			return err
		}
		for _, name := range sortedKeys(templates) {
			fmt.Fprintln(out, name, regions[name])
		}
		return nil
	}
	before, after, _, err := deployments(deployedDir, assembly)
	if err != nil {
		return err
	}
	spec, err := cfnupdate.LoadSpec(specPath)
	if err != nil {
		return err
	}
	result := cfnupdate.Check(spec, before, after, cfnupdate.Options{})
	if len(result.Problems) == 0 {
		fmt.Fprintf(out, "checkupdate: %d deployed stack(s) of %d update without replacing data or clashing\n", len(before), len(after))
		return nil
	}
	for _, p := range result.Problems {
		fmt.Fprintln(out, "  -", p)
	}
	return fmt.Errorf("%w: %d problem(s) above", errProblems, len(result.Problems))
}

// deployments reads the deployed templates (STACK.json in deployedDir; a stack missing there is
// new) and the synthesised ones, with each stack's region.
func deployments(deployedDir, assembly string) (before, after cfnupdate.Deployment, regions map[string]string, err error) {
	if deployedDir == "" {
		return nil, nil, nil, fmt.Errorf("give -deployed DIR (or -stacks cdk.out)")
	}
	after, regions, err = cfnupdate.ReadAssembly(assembly)
	if err != nil {
		return nil, nil, nil, err
	}
	before = cfnupdate.Deployment{}
	for name := range after {
		template, err := cfnupdate.ReadTemplate(filepath.Join(deployedDir, name+".json"))
		if errors.Is(err, os.ErrNotExist) {
			continue // not deployed yet
		} else if err != nil {
			return nil, nil, nil, err
		}
		before[name] = template
	}
	return before, after, regions, nil
}

// prerequisites prints "STACK REGION KIND" for each cfnupdate.Prerequisite of the update.
func prerequisites(out io.Writer, deployedDir, assembly string) error {
	before, after, regions, err := deployments(deployedDir, assembly)
	if err != nil {
		return err
	}
	for _, p := range cfnupdate.Prerequisites(before, after) {
		fmt.Fprintln(out, p.Stack, regions[p.Stack], p.Kind)
	}
	return nil
}

func sortedKeys(d cfnupdate.Deployment) []string {
	var names []string
	for name := range d {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// listNetworkStacks prints the name and region of each stack whose S3 prefix list the drift
// check reads.
func listNetworkStacks(out io.Writer, assembly string) error {
	templates, regions, err := cfnupdate.ReadAssembly(assembly)
	if err != nil {
		return err
	}
	for _, name := range sortedKeys(templates) {
		if s3drift.IsNetworkStack(templates[name]) {
			fmt.Fprintln(out, name, regions[name])
		}
	}
	return nil
}

// checkPrefixLists compares each network stack's S3 prefix-list id (security group) and CIDRs
// (network ACL) with the live list the AWS CLI wrote into dir, and refuses on any difference.
func checkPrefixLists(out io.Writer, dir, assembly string) error {
	templates, regions, err := cfnupdate.ReadAssembly(assembly)
	if err != nil {
		return err
	}
	var problems []string
	checked := 0
	for _, name := range sortedKeys(templates) {
		if !s3drift.IsNetworkStack(templates[name]) {
			continue
		}
		synthesised, err := s3drift.FromTemplate(templates[name])
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		id, err := os.ReadFile(filepath.Join(dir, name+".id"))
		if err != nil {
			return fmt.Errorf("the live S3 prefix list of %s was not read: %w", name, err)
		}
		live := s3drift.Live{Id: s3drift.ParseId(id)}
		if live.Id != "" {
			data, err := os.ReadFile(filepath.Join(dir, name+".entries.json"))
			if err != nil {
				return fmt.Errorf("the live S3 prefix list of %s was not read: %w", name, err)
			}
			if live.Cidrs, err = s3drift.ParseEntries(data); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
		problems = append(problems, s3drift.Compare(name, regions[name], synthesised, live)...)
		checked++
	}
	if len(problems) == 0 {
		fmt.Fprintf(out, "checkupdate: the S3 prefix list of %d network stack(s) matches AWS's (security group id and network ACL CIDRs)\n", checked)
		return nil
	}
	for _, p := range problems {
		fmt.Fprintln(out, "  -", p)
	}
	return fmt.Errorf("%w: the S3 prefix list has drifted, %d problem(s) above", errProblems, len(problems))
}

// writeStackPolicies writes, for each stack, the policy that denies replacing or deleting its
// data in an update (cfnupdate.StackPolicy) to dir/STACK.json, and prints the stack's name and
// region.
func writeStackPolicies(out io.Writer, assembly, dir string) error {
	if dir == "" {
		return fmt.Errorf("give -out DIR with -stack-policies")
	}
	templates, regions, err := cfnupdate.ReadAssembly(assembly)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, name := range sortedKeys(templates) {
		body, err := cfnupdate.StackPolicyJSON(templates[name])
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name+".json"), body, 0o644); err != nil {
			return err
		}
		fmt.Fprintln(out, name, regions[name])
	}
	return nil
}
