// Command checkupdate compares the templates `cdk synth` wrote with the ones deployed, and
// refuses an update that would replace or delete a resource holding data, or fail half-way on a
// name, rule number, address block or volume that the deployed resources still hold. It names the
// manual step where one is known.
//
//	checkupdate -stacks cdk.out                       print each stack's name and region, one a line
//	checkupdate -deployed DIR -synthesised cdk.out    DIR holds STACK.json per deployed stack
//	checkupdate -prerequisites -deployed DIR          print "STACK REGION KIND" for each state of
//	                                                  an account the update needs (make check-update
//	                                                  asks the AWS CLI whether it holds)
//
// A stack missing from DIR is new. Exit status 1 lists the problems; FORCE=1 in make deploy
// skips the check for an update that is meant to replace something.
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
)

func main() {
	stacks := flag.String("stacks", "", "print the name and region of each stack of this cloud assembly (cdk.out) and exit")
	deployed := flag.String("deployed", "", "directory of the deployed templates, STACK.json each")
	synthesised := flag.String("synthesised", "cdk.out", "the cloud assembly to deploy")
	spec := flag.String("spec", cfnupdate.SpecPath("."), "the CloudFormation service spec")
	needs := flag.Bool("prerequisites", false, "print what the update needs of each stack's account and region, and exit")
	flag.Parse()
	var err error
	if *needs {
		err = prerequisites(os.Stdout, *deployed, *synthesised)
	} else {
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
