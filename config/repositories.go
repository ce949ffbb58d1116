package config

import (
	"fmt"
	"slices"

	"github.com/privatepatch/privatepatch/constructs/awsbuckets"
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
		if problem := awsbuckets.RepositoryProblem(b.OperatingSystem, c.Region, readBuckets, len(b.Sources) > 0, c.Network.PrivateInternetRoute()); problem != "" {
			p.add(fmt.Sprintf("patching.baselines[%d].operatingSystem", i), b.OperatingSystem, "%s", problem)
		}
	}
}
