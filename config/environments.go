package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Environment is one account and region that the whole configuration is deployed to. Everything
// else is shared; region-specific data (S3 prefix-list CIDRs) is keyed by region already.
type Environment struct {
	// Name identifies the environment in stack names (<project>-<name>-network) and in the
	// CDK stage that holds its stacks: 1-20 lowercase letters, digits and hyphens.
	Name string `yaml:"name"`
	// Account is the 12-digit AWS account id. Optional, as the top-level account.
	Account string `yaml:"account"`
	// Region is the AWS region.
	Region string `yaml:"region"`
	// AvailabilityZones replaces network.availabilityZones in this environment (zones are
	// region-specific). Default: network.availabilityZones if they are of this region, else none.
	AvailabilityZones []string `yaml:"availabilityZones"`
	// ExistingVpc replaces network.existingVpc in this environment, whose account and region have
	// a VPC of their own. The settings of a VPC privatepatch creates (network.vpcCidr,
	// azCount, availabilityZones, subnetCidrMask, nat, reachabilityPaths) then serve the other
	// environments, which create theirs.
	ExistingVpc *ExistingVpc `yaml:"existingVpc"`
}

// Fallback supplies an account and region where the configuration gives none, as `cdk init`
// apps take CDK_DEFAULT_ACCOUNT and CDK_DEFAULT_REGION from the CLI's credentials.
type Fallback struct {
	Account, Region string
}

var environmentNamePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,19}$`)

// Deployments are the configurations to deploy, one per environment: the configuration itself
// when it lists no environments, else a copy per environment with its account, region and
// zones.
func (c *Config) Deployments() []*Config {
	if len(c.Environments) == 0 {
		return []*Config{c}
	}
	var out []*Config
	for i, e := range c.Environments {
		d := *c
		d.Environments = nil
		d.Environment, d.Account, d.Region = e.Name, e.Account, e.Region
		switch {
		case len(e.AvailabilityZones) > 0:
			d.Network.AvailabilityZones = e.AvailabilityZones
			d.zonesFrom = fmt.Sprintf("environments[%d].availabilityZones", i)
		case len(c.Network.AvailabilityZones) > 0 && !strings.HasPrefix(c.Network.AvailabilityZones[0], e.Region):
			d.Network.AvailabilityZones = nil
		}
		if e.ExistingVpc != nil {
			own := *e.ExistingVpc
			own.from = fmt.Sprintf("environments[%d].existingVpc", i)
			d.Network.ExistingVpc = &own
			if c.createsVpcSomewhere() {
				// Those settings are the other environments'; validation checks them there.
				defaults := Defaults().Network
				d.Network.VpcCidr, d.Network.AzCount, d.Network.AvailabilityZones = defaults.VpcCidr, defaults.AzCount, nil
				d.Network.SubnetCidrMask, d.Network.Nat, d.Network.ReachabilityPaths = defaults.SubnetCidrMask, defaults.Nat, defaults.ReachabilityPaths
			}
		}
		out = append(out, &d)
	}
	return out
}

// createsVpcSomewhere tells whether some environment creates its VPC: one without its own
// existingVpc, where network.existingVpc gives none.
func (c *Config) createsVpcSomewhere() bool {
	return c.Network.ExistingVpc == nil && slices.ContainsFunc(c.Environments, func(e Environment) bool { return e.ExistingVpc == nil })
}

// sharedExistingVpc reports network.existingVpc given by its ids where two environments or more
// would deploy into it: each environment is another account or region, whose VPC has other ids,
// and a VPC that several accounts share must be chosen for each on purpose (each environment's
// stacks add their security groups and endpoints to it). A tag query is looked up in each
// environment's own account and region, and may be shared.
func (c *Config) sharedExistingVpc(p *problems) {
	e := c.Network.ExistingVpc
	if e == nil || e.Lookup != nil {
		return
	}
	var sharing []string
	for _, env := range c.Environments {
		if env.ExistingVpc == nil {
			sharing = append(sharing, env.Name)
		}
	}
	if len(sharing) > 1 {
		p.add("network.existingVpc.vpcId", e.VpcID, "would serve environments %s, each another account or region: give each environment its own (environments[].existingVpc), or a lookup by tags", strings.Join(sharing, ", "))
	}
}

// StackName is the CloudFormation name of one of the deployment's stacks, e.g. network:
// <project>-network, or <project>-<environment>-network in a multi-environment configuration.
func (c *Config) StackName(stack string) string {
	return c.NamePrefix() + "-" + stack
}

// NamePrefix starts the names that must be unique per account and region: the project, and the
// environment's name in a multi-environment configuration.
func (c *Config) NamePrefix() string {
	if c.Environment == "" {
		return c.Project
	}
	return c.Project + "-" + c.Environment
}

// validateEnvironments checks the list itself; each deployment is validated on its own.
func (c *Config) validateEnvironments(p *problems) {
	if c.Account != "" || c.Region != "" {
		p.add("environments", len(c.Environments), "are listed, so account and region belong to each of them: remove the top-level account and region")
	}
	c.validateOwnAlarmNames(p)
	names := map[string]bool{}
	targets := map[string]string{}
	for i, e := range c.Environments {
		field := fmt.Sprintf("environments[%d]", i)
		switch {
		case !environmentNamePattern.MatchString(e.Name):
			p.add(field+".name", e.Name, "is not allowed: use 1-20 lowercase letters, digits and hyphens, starting with a letter")
		case names[e.Name]:
			p.add(field+".name", e.Name, "is used by another environment")
		}
		names[e.Name] = true
		target := e.Account + "/" + e.Region
		if other, ok := targets[target]; ok {
			p.add(field, e.Name, "deploys to the same account and region as %q: their stacks would share the bucket name", other)
		}
		targets[target] = e.Name
	}
	c.sharedExistingVpc(p)
	c.validateEnvironmentZones(p)
	c.pinnedImagesAcrossRegions(p)
	c.instanceIdsAcrossEnvironments(p)
}

// instanceIdsAcrossEnvironments reports a window that targets instance ids in a configuration of
// several environments: every environment gets the window, and "Each resource identifier, such as
// an AMI ID, instance ID, EBS volume ID, or EBS snapshot ID, is tied to its Region and can be used
// only in the Region in which you created the resource" ("Resource locations", Amazon EC2 User
// Guide, read 2026-12-07); an instance is one account's too. So in every other environment the
// window would name instances that are not there and patch nothing.
func (c *Config) instanceIdsAcrossEnvironments(p *problems) {
	if len(c.Environments) < 2 {
		return
	}
	for i, w := range c.Patching.MaintenanceWindows {
		if len(w.Targets.InstanceIds) > 0 {
			p.add(fmt.Sprintf("patching.maintenanceWindows[%d].targets.instanceIds", i), strings.Join(w.Targets.InstanceIds, ", "),
				"names instances of one account and region, and each of the %d environments gets this window: target patch groups "+
					"or a resource group (assets.resourceGroups creates one in each environment), or give that environment a configuration of its own",
				len(c.Environments))
		}
	}
}

// pinnedImagesAcrossRegions reports an AMI id pinned for environments in more than one region:
// "AMIs are Region-specific resources—to launch an instance in a specific AWS Region, the AMI
// must be located in that Region" ("Copy an Amazon EC2 AMI", Amazon EC2 User Guide, read
// 2026-12-07), so the instance in every other region would fail to launch and its stack roll back.
func (c *Config) pinnedImagesAcrossRegions(p *problems) {
	var regions []string
	for _, e := range c.Environments {
		if !slices.Contains(regions, e.Region) {
			regions = append(regions, e.Region)
		}
	}
	if len(regions) < 2 {
		return
	}
	advice := fmt.Sprintf("pins one AMI for environments in %s, and an AMI belongs to one region: leave it out for the latest image of windowsVersion in each region, or give each region a configuration of its own", strings.Join(regions, ", "))
	if c.Wsus.Enabled && c.Wsus.AmiID != "" {
		p.add("wsus.amiId", c.Wsus.AmiID, "%s", advice)
	}
	for i, g := range c.Fleet.InstanceGroups {
		if g.AmiID != "" {
			p.add(fmt.Sprintf("fleet.instanceGroups[%d].amiId", i), g.AmiID, "%s", advice)
		}
	}
}

// validateDeployments validates every deployment. A problem that every environment has is
// reported once; one that only some have names them.
func (c *Config) validateDeployments(p *problems) {
	deployments := c.Deployments()
	counts := map[string]int{}
	var order []string
	byEnv := map[string][]string{}
	for _, d := range deployments {
		var dp problems
		d.validate(&dp)
		for _, problem := range slices.Compact(slices.Sorted(slices.Values(dp))) {
			if counts[problem] == 0 {
				order = append(order, problem)
			}
			counts[problem]++
			byEnv[problem] = append(byEnv[problem], d.Environment)
		}
	}
	for _, problem := range order {
		if counts[problem] == len(deployments) || len(deployments) == 1 {
			*p = append(*p, problem)
			continue
		}
		*p = append(*p, fmt.Sprintf("environments %s: %s", strings.Join(byEnv[problem], ", "), problem))
	}
}
