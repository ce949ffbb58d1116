package wiring

import (
	"fmt"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/proof/cfnupdate"
)

// StackEnvironments: each stack of a deployment of the configuration deploys, by its artifact's
// environment in the cloud assembly's manifest (aws://ACCOUNT/REGION, "The environment into which
// this artifact is deployed": ArtifactManifest.environment, the cloud-assembly schema,
// cdklabs/cloud-assembly-schema-go, read 2026-12-07), into the deployment's region, and into its
// account where the configuration gives one (otherwise the app leaves it unknown-account: the
// credentials'). cdk deploy takes the manifest's environment, not the template's, so a stack sent
// to another region creates its baselines, windows and scans where no instance of the fleet is,
// while the templates still name the configured region's ARNs (mutation run 24's B20: the patching
// stack's environment us-west-2 turned us-east-1).
func StackEnvironments(stacks []cfnupdate.Stack, cfg *config.Config) []string {
	byName := map[string]cfnupdate.Stack{}
	for _, s := range stacks {
		byName[s.Name] = s
	}
	var problems []string
	for _, d := range cfg.Deployments() {
		for _, part := range []string{"network", "fleet", "patching"} {
			s, ok := byName[d.StackName(part)]
			if !ok {
				// Renamed, or left out: a second copy of the stack under another name, or none
				// (the fourth review's F1; References names it only when its outputs are read).
				problems = append(problems, fmt.Sprintf("%s: the configuration's %s stack is not in the cloud assembly's manifest under that name: "+
					"the deploy would make it under another name, or not at all", d.StackName(part), part))
				continue
			}
			if d.Region != "" && s.Region != d.Region {
				problems = append(problems, fmt.Sprintf("%s deploys to region %s by its manifest environment aws://%s/%s, the configuration's region is %s: its resources are made where the deployment's others are not",
					s.Name, s.Region, s.Account, s.Region, d.Region))
			}
			if !s.TerminationProtection {
				problems = append(problems, fmt.Sprintf("%s: its manifest turns termination protection off, and cdk deploy sets the manifest's value on every deploy: "+
					"the stack could then be deleted with its data (\"Protect CloudFormation stacks from being deleted\", AWS CloudFormation User Guide; stacks/app.go turns it on for every stack)", s.Name))
			}
			if d.Account != "" && s.Account != d.Account {
				problems = append(problems, fmt.Sprintf("%s deploys to account %s by its manifest environment aws://%s/%s, the configuration's account is %s",
					s.Name, s.Account, s.Account, s.Region, d.Account))
			}
		}
	}
	return problems
}
