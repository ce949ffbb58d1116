package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/compliance/compliancespec"
	"github.com/privatepatch/privatepatch/constructs/tagspec"
)

// Assets is the asset-management part: the tags that classify every instance, resource groups
// built from them, and configuration (CCE) checks run on a schedule.
type Assets struct {
	// TagPolicy maps each required asset tag to its allowed values (empty: any value). Every
	// instance group and the WSUS server must carry each tag with an allowed value.
	TagPolicy map[string][]string `yaml:"tagPolicy"`
	// WsusTags are the WSUS server's asset tags; IsPublic is always Y (it is in a public subnet).
	WsusTags map[string]string `yaml:"wsusTags"`
	// ResourceGroups are tag-query groups of instances, e.g. DevWebServer = Environment Dev
	// and InventoryCategory WebServer; maintenance windows and the checks can target them.
	ResourceGroups []ResourceGroup `yaml:"resourceGroups"`
	// ConfigurationChecks runs the CCE checks on a schedule.
	ConfigurationChecks ConfigurationChecks `yaml:"configurationChecks"`
}

// ResourceGroup is an AWS::ResourceGroups::Group of the instances carrying all its tags: the
// compliance construct's (compliancespec: name, tags; rules there). Its tags are tagPolicy tags.
type ResourceGroup = compliancespec.ResourceGroup

// ConfigurationChecks configures the CCE check documents and their association.
type ConfigurationChecks struct {
	// Enabled runs the checks.
	Enabled bool `yaml:"enabled"`
	// Schedule of the checks (a State Manager schedule).
	Schedule string `yaml:"schedule"`
	// ResourceGroup limits the checks to one of resourceGroups; empty: the whole fleet tag.
	ResourceGroup string `yaml:"resourceGroup"`
}

// The asset tags of the architecture's source post.
const (
	TagEnvironment       = "Environment"
	TagInventoryCategory = "InventoryCategory"
	TagSeverityLevel     = "SeverityLevel"
	TagHandlePI          = "HandlePI"
	TagIsPublic          = "IsPublic"
)

// DefaultTagPolicy is the source post's classification: environment, asset category,
// importance 1-5, whether it handles personal information, and whether it faces the internet.
func DefaultTagPolicy() map[string][]string {
	return map[string][]string{
		TagEnvironment:       {"Dev", "Test", "Stage", "Prod"},
		TagInventoryCategory: nil,
		TagSeverityLevel:     {"1", "2", "3", "4", "5"},
		TagHandlePI:          {"Y", "N"},
		TagIsPublic:          {"Y", "N"},
	}
}

func (a *Assets) validate(c *Config, p *problems) {
	for key, values := range a.TagPolicy {
		if !tagspec.ValidKey(key) {
			p.add("assets.tagPolicy", key, "is not a valid tag key: %s", tagspec.KeyRules)
		}
		for i, v := range values {
			if v == "" || !tagspec.ValidValue(v) {
				p.add(fmt.Sprintf("assets.tagPolicy.%s[%d]", key, i), v, "is not a valid tag value: use 1-256 letters, digits, spaces and _ . : / = + - @")
			}
		}
	}
	if c.Wsus.Enabled {
		tags := c.WsusAssetTags()
		checkTags(p, "assets.wsusTags", a.WsusTags)
		a.checkTags(p, "assets.wsusTags", "the WSUS server", tags)
		if v, ok := tags[TagIsPublic]; ok && v != "Y" && a.hasPolicy(TagIsPublic) && c.WsusIsPublic() {
			p.add("assets.wsusTags.IsPublic", v, "is not allowed: the WSUS server is in a public subnet with an Elastic IP, so it is Y")
		}
		if v, ok := tags[TagIsPublic]; ok && v != "N" && a.hasPolicy(TagIsPublic) && !c.WsusIsPublic() {
			p.add("assets.wsusTags.IsPublic", v, "is not allowed: the WSUS server is in a private subnet (network.existingVpc.wsusSubnet) without a public address, so it is N")
		}
	}
	for i, g := range c.Fleet.InstanceGroups {
		field := fmt.Sprintf("fleet.instanceGroups[%d].tags", i)
		a.checkTags(p, field, fmt.Sprintf("instance group %q", g.Name), g.Tags)
		if v, ok := g.Tags[TagIsPublic]; ok && v != "N" && a.hasPolicy(TagIsPublic) {
			p.add(field+".IsPublic", v, "is not allowed for instance group %q: its instances are in private subnets without public addresses, so it is N", g.Name)
		}
	}
	p.addSpec("assets", a, compliancespec.GroupsProblems("ResourceGroups", a.ResourceGroups))
	names := a.validateResourceGroups(c, p)
	if cc := a.ConfigurationChecks; cc.Enabled {
		validateAssociationSchedule(p, "assets.configurationChecks.schedule", cc.Schedule)
		if cc.ResourceGroup != "" && !names[cc.ResourceGroup] {
			p.add("assets.configurationChecks.resourceGroup", cc.ResourceGroup, "is not one of assets.resourceGroups")
		}
	}
}

// validateResourceGroups checks the groups' names and tags, and returns their names.
func (a *Assets) validateResourceGroups(c *Config, p *problems) map[string]bool {
	names := map[string]bool{}
	// A group's name "must be unique within the AWS Region in which you create the resource"
	// (AWS::ResourceGroups::Group, CloudFormation Template Reference, read 2026-12-07): the fleet
	// stack's own groups take theirs first.
	stackGroups := map[string]string{
		c.StackName("fleet"):                    "the fleet stack's own group",
		c.NamePrefix() + "-" + WsusClientsGroup: "the WSUS clients' group",
	}
	for i, g := range a.ResourceGroups {
		field := fmt.Sprintf("assets.resourceGroups[%d]", i)
		names[g.Name] = true
		if taken, ok := stackGroups[c.ResourceGroupName(g.Name)]; ok {
			p.add(field+".name", g.Name, "would be named %s, the name of %s, which the fleet stack creates (group names are unique in a region): choose another", c.ResourceGroupName(g.Name), taken)
		}
		for _, key := range slices.Sorted(maps.Keys(g.Tags)) {
			allowed, ok := a.TagPolicy[key]
			switch {
			case !ok:
				p.add(field+".tags", key, "is not a tag of assets.tagPolicy (%s): groups select by asset tags", strings.Join(slices.Sorted(maps.Keys(a.TagPolicy)), ", "))
			case len(allowed) > 0 && !slices.Contains(allowed, g.Tags[key]):
				p.add(field+".tags."+key, g.Tags[key], "is not an allowed value: use one of %s", strings.Join(allowed, ", "))
			}
		}
	}
	return names
}

func (a *Assets) hasPolicy(key string) bool {
	_, ok := a.TagPolicy[key]
	return ok
}

// checkTags reports every policy tag that tags lacks or gives a value the policy does not allow.
func (a *Assets) checkTags(p *problems, field, what string, tags map[string]string) {
	for _, key := range slices.Sorted(maps.Keys(a.TagPolicy)) {
		allowed := a.TagPolicy[key]
		value, ok := tags[key]
		switch {
		case !ok || value == "":
			p.add(field, key, "is missing on %s: the asset-tag policy requires it (%s)", what, describeAllowed(allowed))
		case len(allowed) > 0 && !slices.Contains(allowed, value):
			p.add(field+"."+key, value, "is not allowed on %s: use one of %s", what, strings.Join(allowed, ", "))
		}
	}
}

func describeAllowed(allowed []string) string {
	if len(allowed) == 0 {
		return "any value"
	}
	return "one of " + strings.Join(allowed, ", ")
}

// WsusClientsGroup ends the name of the resource group the WSUS client configuration targets,
// <name prefix>-wsus-clients: the fleet's EC2 instances, without hybrid nodes.
const WsusClientsGroup = "wsus-clients"

// ResourceGroupName is the AWS name of a resource group: <project>-<name> for one of
// assets.resourceGroups (names are unique per account and region), name itself for another
// (created outside privatepatch).
func (c *Config) ResourceGroupName(name string) string {
	for _, g := range c.Assets.ResourceGroups {
		if g.Name == name {
			return c.Project + "-" + name
		}
	}
	return name
}

// WsusIsPublic tells whether the WSUS server is in a public subnet with an Elastic IP: always,
// but in an existing VPC that places it in a private subnet.
func (c *Config) WsusIsPublic() bool {
	return c.Network.ExistingVpc == nil || c.Network.ExistingVpc.WsusSubnet != WsusInPrivateSubnet
}

// WsusAssetTags are the WSUS server's asset tags, IsPublic (Y, or N in a private subnet) included.
func (c *Config) WsusAssetTags() map[string]string {
	tags := map[string]string{}
	for k, v := range c.Assets.WsusTags {
		tags[k] = v
	}
	if _, ok := c.Assets.TagPolicy[TagIsPublic]; ok {
		if _, set := tags[TagIsPublic]; !set {
			tags[TagIsPublic] = map[bool]string{true: "Y", false: "N"}[c.WsusIsPublic()]
		}
	}
	return tags
}
