package cfnupdate

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

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

// ReadAssembly reads the stack templates of a cloud assembly by stack name, from its manifest,
// with each stack's region.
func ReadAssembly(dir string) (Deployment, map[string]string, error) {
	manifest, err := readManifest(dir)
	if err != nil {
		return nil, nil, err
	}
	out, regions := Deployment{}, map[string]string{}
	for id, a := range manifest.Artifacts {
		if a.Type == "cdk:cloud-assembly" {
			// A stage: its stacks are in a nested assembly. Stack names are unique across stages.
			nested, nestedRegions, err := ReadAssembly(filepath.Join(dir, a.Properties.DirectoryName))
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
		template, err := ReadTemplate(filepath.Join(dir, a.Properties.TemplateFile))
		if err != nil {
			return nil, nil, err
		}
		// aws://ACCOUNT/REGION
		out[name], regions[name] = template, a.Environment[strings.LastIndex(a.Environment, "/")+1:]
	}
	return out, regions, nil
}

// ReadTemplate reads one template file.
func ReadTemplate(path string) (map[string]any, error) {
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
