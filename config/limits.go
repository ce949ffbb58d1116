package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/network/networkspec"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
)

// AWS quotas that a configuration could exceed, checked before anything is built.
const (
	// MaxFleetInstances is the largest fleet privatepatch documents: each instance takes two
	// resources of the fleet stack (the instance and its launch template; the instance profile
	// is shared), and the stack's other resources fit beside them within StackResourceQuota.
	// test/testdata/largest.yaml synthesises it.
	MaxFleetInstances = 200
	// StackResourceQuota is CloudFormation's quota of resources declared in one template
	// ("AWS CloudFormation quotas", CloudFormation User Guide: Resources, 500; read 2026-11-27).
	StackResourceQuota = 500
)

// StackResources is what one stack of a deployment holds: Listed counts, per resource type,
// the resources that the configuration's lists multiply, exactly as the constructs create them;
// Other bounds everything else, which is fixed whatever the lists hold. Tests compare both with
// the synthesised templates of several configurations, so the formula cannot drift silently.
type StackResources struct {
	Listed map[string]int
	Other  int
}

// Total is the most resources the stack can hold.
func (s StackResources) Total() int {
	total := s.Other
	for _, n := range s.Listed {
		total += n
	}
	return total
}

// Bounds of each stack's resources that no list multiplies (the largest option set: NAT per
// zone and six zones, flow logs to S3, KMS, reachability paths, Security Hub, Inspector, Config
// rules, hybrid, inventory sync, CCE checks) and the CDKMetadata resource the CDK CLI adds,
// measured on the synthesised scenarios.
const (
	otherNetworkResources  = 150
	otherFleetResources    = 40
	otherPatchingResources = 80
)

// StackResources are the resources of the deployment's stacks: "network", "fleet", "patching".
func (c *Config) StackResources() map[string]StackResources {
	wsus := 0
	if c.Wsus.Enabled {
		wsus = 1
	}
	instances, fleetProfile := 0, 0
	for _, g := range c.Fleet.InstanceGroups {
		instances += g.Count
	}
	if len(c.Fleet.InstanceGroups) > 0 {
		fleetProfile = 1
	}
	aclEntries := 0
	for _, n := range c.NetworkAclRuleCounts() {
		aclEntries += n
	}
	windows, tasks, notifiers := len(c.Patching.MaintenanceWindows), 0, 0
	for _, w := range c.Patching.MaintenanceWindows {
		tasks += len(w.Tasks)
		if w.PrePatchImage {
			tasks++
		}
		if slices.ContainsFunc(w.Tasks, patchingspec.Task.Notifies) {
			notifiers++
		}
	}
	associations := 0
	if c.Patching.Scan.Enabled {
		associations += len(c.PatchGroups()) + 1 // one per patch group, and one for the fleet tag
	}
	if c.Patching.Inventory.Enabled {
		associations++
	}
	if c.Patching.AgentUpdate.On() {
		associations += len(c.Patching.AgentUpdate.Schedules) // AWS-UpdateSSMAgent on the fleet tag, one per schedule
	}
	return map[string]StackResources{
		"network": {Other: otherNetworkResources, Listed: map[string]int{
			"AWS::EC2::VPCEndpoint":     len(networkspec.SystemsManagerEndpoints) + len(c.Network.ExtraInterfaceEndpoints) + 1,
			"AWS::EC2::NetworkAclEntry": aclEntries,
		}},
		"fleet": {Other: otherFleetResources, Listed: map[string]int{
			"AWS::EC2::Instance":         instances + wsus,
			"AWS::EC2::LaunchTemplate":   instances + wsus,
			"AWS::IAM::InstanceProfile":  fleetProfile + wsus,
			"AWS::ResourceGroups::Group": len(c.Assets.ResourceGroups) + 1 + c.wsusClientsGroups(wsus), // the stack's, and the WSUS clients'
		}},
		// A window whose tasks notify has a notification role and its policy.
		"patching": {Other: otherPatchingResources + 2*notifiers, Listed: map[string]int{
			"AWS::SSM::PatchBaseline":           len(c.PatchBaselines()),
			"AWS::SSM::MaintenanceWindow":       windows,
			"AWS::SSM::MaintenanceWindowTarget": windows,
			"AWS::SSM::MaintenanceWindowTask":   tasks,
			"AWS::SSM::Association":             associations,
			"AWS::SNS::Subscription":            len(c.Patching.Notifications.Emails),
			"AWS::InspectorV2::Filter":          len(c.Security.Inspector.Suppressions),
		}},
	}
}

// NetworkAclRuleCounts is how many rules each network ACL needs per direction: "public
// inbound", "public outbound", "private inbound", "private outbound", counted on the rules
// constructs/network creates (networkspec.AclFlows) with a CIDR per zone and listed block. The
// S3 CIDRs count only when configured; looked-up ones are checked when they are known, at synth.
func (c *Config) NetworkAclRuleCounts() map[string]int {
	zones := make([]string, c.Network.Zones())
	flows := networkspec.AclFlows{
		PublicSubnetCidrs:    zones,
		PrivateSubnetCidrs:   zones,
		AdminCidrs:           c.Network.AdminCidrs,
		WsusClientCidrs:      c.Network.WsusClientCidrs,
		S3Cidrs:              c.S3Cidrs(),
		PrivateInternetRoute: c.Network.PrivateInternetRoute(),
		PublicClientsKnown:   c.PublicClientsKnown(),
		WithoutWsus:          !c.Wsus.Enabled,
	}
	if e := c.Network.ExistingVpc; e != nil && e.InterfaceEndpoints == EndpointsHub {
		flows.HubCidrs = e.HubCidrs // HTTPS out to the hub's endpoints, and their replies
	}
	return flows.RuleCounts()
}

func (c *Config) validateLimits(p *problems) {
	counts := c.NetworkAclRuleCounts()
	for _, acl := range []string{"private inbound", "private outbound", "public inbound", "public outbound"} {
		// An azCount out of range is reported by itself; counting its rules would only add noise.
		if n := counts[acl]; n > networkspec.MaxAclRules && c.Network.ManagesNetworkAcls() && c.Network.Zones() <= networkspec.MaxAzs {
			what, advice := c.aclRuleSources()
			p.add("network", what, "needs %d %s rules in one network ACL, more than the %d AWS allows by default beside the default deny rule: %s",
				n, acl, networkspec.MaxAclRules, advice)
		}
	}
	total := 0
	for _, g := range c.Fleet.InstanceGroups {
		total += g.Count
	}
	if total > MaxFleetInstances {
		p.add("fleet.instanceGroups", total, "instances are more than the %d one fleet stack holds (CloudFormation allows %d resources per stack): bring the rest of the fleet by tagging it (fleet.tag)",
			MaxFleetInstances, StackResourceQuota)
	}
	resources := c.StackResources()
	for _, stack := range []string{"network", "fleet", "patching"} {
		r := resources[stack]
		if r.Total() <= StackResourceQuota {
			continue
		}
		var parts []string
		for _, t := range slices.Sorted(maps.Keys(r.Listed)) {
			if r.Listed[t] > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", r.Listed[t], t))
			}
		}
		p.add(stackListFields[stack], r.Total(), "resources may be needed in the %s stack (%s, and up to %d others), more than the %d CloudFormation allows in one stack: "+
			"configure fewer of them", stack, strings.Join(parts, ", "), r.Other, StackResourceQuota)
	}
}

// stackListFields name the configuration lists that fill each stack, for messages.
var stackListFields = map[string]string{
	"network":  "network.extraInterfaceEndpoints",
	"fleet":    "fleet.instanceGroups and assets.resourceGroups",
	"patching": "patching (baselines, rings, maintenanceWindows and their tasks, patch groups, notifications.emails) and security.inspector.suppressions",
}

// knownRegions are the AWS regions (commercial, GovCloud, China and the European Sovereign
// Cloud) as of late 2026. A new region is one line here.
var knownRegions = []string{
	"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
	"ca-central-1", "ca-west-1", "cn-north-1", "cn-northwest-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1",
	"eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "eusc-de-east-1", "il-central-1", "me-central-1", "me-south-1",
	"mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-gov-east-1", "us-gov-west-1", "us-west-1", "us-west-2",
}

func knownRegion(region string) bool { return slices.Contains(knownRegions, region) }

// wsusClientsGroups is the WSUS clients' group of EC2 instances (wsus: 1 with a server), unless
// on-premises networks use WSUS too: the client configuration then targets the fleet tag, which
// hybrid nodes carry (wsus.ClientProps IncludeHybridNodes).
func (c *Config) wsusClientsGroups(wsus int) int {
	if len(c.Network.WsusClientCidrs) > 0 {
		return 0
	}
	return wsus
}

// PublicClientsKnown says whether the public subnets' one client is the WSUS server on an AWS
// Windows AMI (networkspec.AclFlows.PublicClientsKnown): a VPC privatepatch creates, no NAT, and
// no AMI of the user's own for the server, whose dynamic port range may have been changed.
func (c *Config) PublicClientsKnown() bool {
	return c.Network.ExistingVpc == nil && !c.Network.PrivateInternetRoute() && c.Wsus.Server.AmiID == ""
}
