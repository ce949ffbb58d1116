// Command checkupdate compares the templates `cdk synth` wrote with the ones deployed, and
// refuses an update that would replace or delete a resource holding data, or fail half-way on a
// name, rule number, address block or volume that the deployed resources still hold. It names the
// manual step where one is known.
//
//	checkupdate -stacks cdk.out                       print each stack's name and region, one a line
//	checkupdate -deployed DIR -synthesised cdk.out    DIR holds STACK.json per deployed stack
//
// A stack missing from DIR is new. Exit status 1 lists the problems; FORCE=1 in make deploy
// skips the check for an update that is meant to replace something.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/privatepatch/privatepatch/cfnupdate"
)

func main() {
	stacks := flag.String("stacks", "", "print the name and region of each stack of this cloud assembly (cdk.out) and exit")
	deployed := flag.String("deployed", "", "directory of the deployed templates, STACK.json each")
	synthesised := flag.String("synthesised", "cdk.out", "the cloud assembly to deploy")
	spec := flag.String("spec", filepath.Join("node_modules", "@aws-cdk", "aws-service-spec", "db.json.gz"), "the CloudFormation service spec")
	flag.Parse()
	if err := run(os.Stdout, *stacks, *deployed, *synthesised, *spec); err != nil {
		fmt.Fprintln(os.Stderr, "checkupdate:", err)
		os.Exit(1)
	}
}

var errProblems = errors.New("the update is refused")

func run(out io.Writer, stacksOf, deployedDir, assembly, specPath string) error {
	if stacksOf != "" {
		templates, regions, err := readAssembly(stacksOf)
		if err != nil {
			return err
		}
		for _, name := range sortedKeys(templates) {
			fmt.Fprintln(out, name, regions[name])
		}
		return nil
	}
	if deployedDir == "" {
		return fmt.Errorf("give -deployed DIR (or -stacks cdk.out)")
	}
	after, _, err := readAssembly(assembly)
	if err != nil {
		return err
	}
	before := cfnupdate.Deployment{}
	for name := range after {
		template, err := readJSON(filepath.Join(deployedDir, name+".json"))
		if errors.Is(err, os.ErrNotExist) {
			continue // not deployed yet
		} else if err != nil {
			return err
		}
		before[name] = template
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

type manifest struct {
	Artifacts map[string]struct {
		Type        string `json:"type"`
		Environment string `json:"environment"`
		Properties  struct {
			TemplateFile  string `json:"templateFile"`
			StackName     string `json:"stackName"`
			DirectoryName string `json:"directoryName"` // of a nested assembly (a CDK stage)
		} `json:"properties"`
	} `json:"artifacts"`
}

func readManifest(dir string) (*manifest, error) {
	var m manifest
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("%s is not a synthesised cloud assembly (run make synth): %w", dir, err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s/manifest.json: %w", dir, err)
	}
	return &m, nil
}

// readAssembly reads the stack templates of a cloud assembly by stack name, from its manifest,
// with each stack's region.
func readAssembly(dir string) (cfnupdate.Deployment, map[string]string, error) {
	manifest, err := readManifest(dir)
	if err != nil {
		return nil, nil, err
	}
	out, regions := cfnupdate.Deployment{}, map[string]string{}
	for id, a := range manifest.Artifacts {
		if a.Type == "cdk:cloud-assembly" {
			// A stage: its stacks are in a nested assembly. Stack names are unique across stages.
			nested, nestedRegions, err := readAssembly(filepath.Join(dir, a.Properties.DirectoryName))
			if err != nil {
				return nil, nil, err
			}
			for name, template := range nested {
				out[name], regions[name] = template, nestedRegions[name]
			}
			continue
		}
		if a.Type != "aws:cloudformation:stack" {
			continue
		}
		name := a.Properties.StackName
		if name == "" {
			name = id
		}
		template, err := readJSON(filepath.Join(dir, a.Properties.TemplateFile))
		if err != nil {
			return nil, nil, err
		}
		// aws://ACCOUNT/REGION
		out[name], regions[name] = template, a.Environment[strings.LastIndex(a.Environment, "/")+1:]
	}
	return out, regions, nil
}

func readJSON(path string) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var v map[string]any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

func sortedKeys(d cfnupdate.Deployment) []string {
	var names []string
	for name := range d {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
