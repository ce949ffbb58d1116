package config

import (
	"fmt"
	"slices"

	"github.com/privatepatch/privatepatch/constructs/awsbuckets"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
)

// PatchedOperatingSystems are the operating systems of the patch baselines, each once, in the
// order they first appear.
func (c *Config) PatchedOperatingSystems() []string {
	var systems []string
	for _, b := range c.PatchBaselines() {
		if !slices.Contains(systems, b.OperatingSystem) {
			systems = append(systems, b.OperatingSystem)
		}
	}
	return systems
}

// validateDownloads checks that the private subnets can download what patching needs: Patch
// Manager's payload in the region, and each Linux baseline's package repositories.
func (c *Config) validateDownloads(p *problems) {
	if !knownRegion(c.Region) {
		return // reported with the region
	}
	readBuckets := c.Network.S3Endpoint.ReadBuckets
	if problem := awsbuckets.MissingPatchManagerBucket(c.Region, readBuckets); problem != "" {
		p.add("region", c.Region, "%s", problem)
	}
	if problem := awsbuckets.MissingSnapshotBucket(c.Region, readBuckets); problem != "" {
		p.add("region", c.Region, "%s", problem)
	}
	for i, b := range c.Patching.Baselines {
		if b.HybridNodesOnly {
			continue // validateHybridNodesOnly: its nodes are not in the private subnets
		}
		if problem := awsbuckets.RepositoryProblem(b.OperatingSystem, c.Region, readBuckets, len(b.Sources) > 0, c.Network.PrivateInternetRoute()); problem != "" {
			p.add(fmt.Sprintf("patching.baselines[%d].operatingSystem", i), b.OperatingSystem, "%s", problem)
		}
	}
}

// validateHybridNodesOnly checks the baselines marked hybridNodesOnly, whose repositories
// validateDownloads leaves unchecked: none may patch an EC2 instance in the private subnets.
func (c *Config) validateHybridNodesOnly(p *problems) {
	ec2Groups := map[string]string{}
	for i, g := range c.Fleet.InstanceGroups {
		ec2Groups[g.PatchGroup] = fmt.Sprintf("instance group %q (fleet.instanceGroups[%d])", g.Name, i)
	}
	if c.Wsus.Enabled {
		ec2Groups[c.Wsus.PatchGroup] = "the WSUS server (wsus.patchGroup)"
	}
	delete(ec2Groups, "")
	for i, b := range c.Patching.Baselines {
		if !b.HybridNodesOnly {
			continue
		}
		field := fmt.Sprintf("patching.baselines[%d].hybridNodesOnly", i)
		if b.OperatingSystem == patchingspec.DefaultOperatingSystem {
			p.add(field, true, "is for Linux baselines, whose nodes download from package repositories; %s nodes take their updates from WSUS or Microsoft Update", b.OperatingSystem)
		}
		if b.Default {
			p.add(field, true, "and default: true: a default baseline patches every %s node without a patch group, EC2 instances in the private subnets too", b.OperatingSystem)
		}
		for _, group := range b.PatchGroups {
			if user, ok := ec2Groups[group]; ok {
				p.add(field, true, "and patch group %q is that of %s, an EC2 instance in the private subnets", group, user)
			}
		}
	}
}
