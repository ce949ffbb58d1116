package cfnupdate

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type manifest struct {
	Artifacts map[string]struct {
		Type                   string                     `json:"type"`
		Dependencies           []string                   `json:"dependencies"`
		Environment            string                     `json:"environment"`
		AdditionalMetadataFile string                     `json:"additionalMetadataFile"`
		Metadata               map[string][]MetadataEntry `json:"metadata"`
		Properties             struct {
			TemplateFile          string `json:"templateFile"`
			StackName             string `json:"stackName"`
			TerminationProtection bool   `json:"terminationProtection"`
			DirectoryName         string `json:"directoryName"` // of a nested assembly (a CDK stage)
			TemplateURL           string `json:"stackTemplateAssetObjectUrl"`
			BootstrapParameter    string `json:"bootstrapStackVersionSsmParameter"`
			BootstrapVersion      int    `json:"requiresBootstrapStackVersion"`
			File                  string `json:"file"` // of an asset manifest
		} `json:"properties"`
	} `json:"artifacts"`
}

// MetadataEntry is one entry of a stack's metadata (aws:cdk:warning, aws:cdk:logicalId, ...).
type MetadataEntry struct {
	Type string `json:"type"`
	Data any    `json:"data"`
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

// Stack is one stack of a cloud assembly, where its manifest says it deploys.
type Stack struct {
	Name string
	// ID is the stack's artifact id in the manifest: its construct id in the app or stage.
	ID       string
	Template map[string]any
	// Account and Region are the stack's environment (aws://ACCOUNT/REGION): "unknown-account"
	// (or "unknown-region") for a stack that deploys wherever the credentials point.
	Account, Region string
	// Environment is the name of the CDK stage the stack is in (privatepatch names each stage
	// after its environment), "" for a stack of the app itself.
	Environment string
	// TerminationProtection is the stack's, as cdk deploy sets it.
	TerminationProtection bool
	// Metadata is the stack's metadata inline in the manifest, by construct path; MetadataFile
	// the file that holds the rest ("" when none), as cxapi's readMetadata merges them.
	Metadata     map[string][]MetadataEntry
	MetadataFile string
	// DependsOn are the names of the stacks of its assembly that its artifact's dependencies
	// list (its asset manifests left out): cdk deploy deploys them first.
	DependsOn []string
	// TemplateFile is the artifact's templateFile, relative to Dir; TemplateURL its
	// stackTemplateAssetObjectUrl, the object cdk deploy deploys; AssetManifests the files of
	// the asset manifests it depends on, relative to Dir, which publish that object and the
	// stack's other assets.
	Dir, TemplateFile, TemplateURL string
	AssetManifests                 []string
	// BootstrapParameter is its bootstrapStackVersionSsmParameter, which the CLI reads, and
	// BootstrapVersion its requiresBootstrapStackVersion, the least version it accepts there.
	BootstrapParameter string
	BootstrapVersion   int
}

// UnknownAccount is the account of an environment-agnostic stack in the manifest.
const UnknownAccount = "unknown-account"

// ReadStacks reads the stacks of a cloud assembly from its manifest, with the stages' (nested
// assemblies') stacks, sorted by name.
func ReadStacks(dir string) ([]Stack, error) {
	stacks, err := readStacks(dir, "")
	if err != nil {
		return nil, err
	}
	sort.Slice(stacks, func(i, j int) bool { return stacks[i].Name < stacks[j].Name })
	return stacks, nil
}

func readStacks(dir, environment string) ([]Stack, error) {
	manifest, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	var out []Stack
	for id, a := range manifest.Artifacts {
		if a.Type == "cdk:cloud-assembly" {
			// A stage: its stacks are in a nested assembly, assembly-<stage path>. Stack names
			// are unique across stages.
			nested, err := readStacks(filepath.Join(dir, a.Properties.DirectoryName), strings.TrimPrefix(a.Properties.DirectoryName, "assembly-"))
			if err != nil {
				return nil, err
			}
			out = append(out, nested...)
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
			return nil, err
		}
		// aws://ACCOUNT/REGION
		env := strings.Split(strings.TrimPrefix(a.Environment, "aws://"), "/")
		s := Stack{Name: name, ID: id, Template: template, Environment: environment, Account: UnknownAccount, Region: "unknown-region",
			TerminationProtection: a.Properties.TerminationProtection, Metadata: a.Metadata,
			Dir: dir, TemplateFile: a.Properties.TemplateFile, TemplateURL: a.Properties.TemplateURL,
			BootstrapParameter: a.Properties.BootstrapParameter, BootstrapVersion: a.Properties.BootstrapVersion}
		if a.AdditionalMetadataFile != "" {
			s.MetadataFile = filepath.Join(dir, a.AdditionalMetadataFile)
		}
		if len(env) == 2 {
			s.Account, s.Region = env[0], env[1]
		}
		out = append(out, s)
	}
	for i, s := range out {
		if s.Environment != environment {
			continue // a nested assembly's, whose own manifest named its dependencies
		}
		for _, d := range manifest.Artifacts[s.ID].Dependencies {
			if a := manifest.Artifacts[d]; a.Type == "aws:cloudformation:stack" {
				out[i].DependsOn = append(out[i].DependsOn, cmp.Or(a.Properties.StackName, d))
			} else if a.Type == "cdk:asset-manifest" {
				out[i].AssetManifests = append(out[i].AssetManifests, a.Properties.File)
			}
		}
	}
	return out, nil
}

// ReadAssembly reads the stack templates of a cloud assembly by stack name, from its manifest,
// with each stack's region.
func ReadAssembly(dir string) (Deployment, map[string]string, error) {
	stacks, err := ReadStacks(dir)
	if err != nil {
		return nil, nil, err
	}
	out, regions := Deployment{}, map[string]string{}
	for _, s := range stacks {
		out[s.Name], regions[s.Name] = s.Template, s.Region
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
