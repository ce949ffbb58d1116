// Package fleetspec is the specification of the fleet's instance groups: their settings,
// defaults and rules. It imports no CDK: config embeds these settings (its YAML keys) and the
// fleet construct's props take them too, and both check them with Problems.
package fleetspec

import (
	"fmt"
	"regexp"

	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/constructs/tagspec"
	"github.com/privatepatch/privatepatch/constructs/windows/windowsspec"
)

// InstanceGroupTag names the group an instance belongs to.
const InstanceGroupTag = "privatepatch:instance-group"

// Defaults and limits of an instance group.
const (
	// DefaultZones is how many zones a group spreads over (at most as many as there are).
	DefaultZones = 2
	// MaxInstanceCount is the most instances of one group.
	MaxInstanceCount = 20
	// DefaultRootVolumeGiB is each fleet instance's root volume (fleet.Props.RootVolumeGiB's
	// default, which the app keeps): verify names a template that sets another.
	DefaultRootVolumeGiB = 50
)

// InstanceGroup is a set of identical Windows instances in the private subnets. Name and Count
// are required.
type InstanceGroup struct {
	// Name identifies the group: 1-31 lowercase letters, digits and hyphens, starting with a
	// letter. It is part of the instances' construct IDs, so renaming it replaces them.
	Name string `yaml:"name"`
	// Count is the number of instances, 1 to MaxInstanceCount, spread over the first Zones
	// subnets in turn.
	Count int `yaml:"count"`
	// Zones is how many availability zones (private subnets) the instances spread over. An
	// instance's subnet depends only on its number and Zones, so adding zones to the VPC moves
	// none. Default: DefaultZones, or the number of zones if fewer.
	Zones int `yaml:"zones"`
	// Instance: windowsVersion, amiId and instanceType. A Nitro type such as the default
	// encrypts traffic between instances (AWS Control Tower CT.EC2.PR.19).
	windowsspec.Instance `yaml:",inline"`
	// PatchGroup is tagged as "Patch Group" and "PatchGroup". Default: none, so the instances
	// are patched by the default patch baseline of their operating system.
	PatchGroup string `yaml:"patchGroup"`
	// Tags are asset tags added to the instances and their volumes. Default: none.
	Tags map[string]string `yaml:"tags"`
}

// WithDefaults fills what is unset; zones is how many zones there are.
func (g InstanceGroup) WithDefaults(zones int) InstanceGroup {
	if g.Zones == 0 {
		g.Zones = min(DefaultZones, zones)
	}
	g.Instance = g.Instance.WithDefaults()
	return g
}

var groupNamePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}$`)

// Problems are the group's problems (give them after defaults).
func (g InstanceGroup) Problems() spec.Problems {
	var p spec.Problems
	if !groupNamePattern.MatchString(g.Name) {
		p.Add("Name", g.Name, "is not allowed: use 1-31 lowercase letters, digits and hyphens, starting with a letter")
	}
	if g.Count < 1 || g.Count > MaxInstanceCount {
		p.Add("Count", g.Count, "is out of range: use 1 to %d", MaxInstanceCount)
	}
	if g.Zones < 1 {
		p.Add("Zones", g.Zones, "is out of range: use 1 to the number of zones")
	}
	p = append(p, g.Instance.Problems()...)
	if g.PatchGroup != "" && !tagspec.ValidValue(g.PatchGroup) {
		p.Add("PatchGroup", g.PatchGroup, "%s", tagspec.PatchGroupRules)
	}
	p.Within("Tags", tagspec.Problems(g.Tags))
	for _, key := range patchingspec.PatchGroupTagKeys {
		if _, ok := g.Tags[key]; ok {
			p.Add("Tags", key, "is set from patchGroup: use patchGroup instead")
		}
	}
	return p
}

// GroupsProblems are the problems of groups, each under field[i] (the list's Go field name),
// and names used twice.
func GroupsProblems(field string, groups []InstanceGroup) spec.Problems {
	var p spec.Problems
	seen := map[string]bool{}
	for i, g := range groups {
		field := fmt.Sprintf("%s[%d]", field, i)
		p.Within(field, g.Problems())
		if seen[g.Name] && groupNamePattern.MatchString(g.Name) {
			p.Add(field+".Name", g.Name, "is used by another instance group: names must be unique")
		}
		seen[g.Name] = true
	}
	return p
}
