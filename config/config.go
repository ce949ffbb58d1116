// Package config is privatepatch's typed configuration model: strict YAML loading, defaults and
// validation. It knows nothing of CDK; the stacks package maps a validated Config to construct props.
package config

import (
	"slices"

	"github.com/privatepatch/privatepatch/constructs/fleet/fleetspec"
	"github.com/privatepatch/privatepatch/constructs/logbucket/logbucketspec"
	"github.com/privatepatch/privatepatch/constructs/network/networkspec"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/ssmschedule"
	"github.com/privatepatch/privatepatch/constructs/windows/windowsspec"
	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
)

// Config is one deployment of privatepatch: an account and region and everything built in them.
type Config struct {
	// Project prefixes stack names (<project>-network) and is tagged on every resource.
	Project string `yaml:"project"`
	// Account is the 12-digit AWS account id. Optional: without it the stacks are
	// account-agnostic, CDK cannot run context lookups, and at most two AZs are used.
	Account string `yaml:"account"`
	// Region is the AWS region the stacks deploy to, e.g. us-west-2.
	Region string `yaml:"region"`
	// Environments deploy everything to several accounts and regions, each in its own CDK
	// stage; account and region then belong to each environment. Default: one, from account
	// and region.
	Environments []Environment `yaml:"environments"`
	// Environment is the name of the environment a deployment is for (set by Deployments).
	Environment string `yaml:"-"`
	// zonesFrom is where the deployment's zones are written when not network.availabilityZones
	// (an environment's own), for the problems' field names.
	zonesFrom string
	// Tags are added to every taggable resource.
	Tags map[string]string `yaml:"tags"`
	// Network is the VPC that the patched fleet lives in.
	Network Network `yaml:"network"`
	// Wsus is the update server in a public subnet, and how instances use it.
	Wsus Wsus `yaml:"wsus"`
	// Fleet is the Windows instances to create, and the tag that marks every patched instance.
	Fleet Fleet `yaml:"fleet"`
	// CommandOutput is the S3 bucket that Systems Manager runs write their output to.
	CommandOutput CommandOutput `yaml:"commandOutput"`
	// Patching is Patch Manager: baselines, maintenance windows, scans, inventory, alerts.
	Patching Patching `yaml:"patching"`
	// Assets is asset management: the asset-tag policy, resource groups, configuration checks.
	Assets Assets `yaml:"assets"`
	// Security is Security Hub, Inspector suppressions, AWS Config rules, finding alerts and
	// hybrid activations.
	Security Security `yaml:"security"`
	// Pipeline deploys the environments from a CDK pipeline instead of a workstation.
	Pipeline Pipeline `yaml:"pipeline"`
}

// Wsus configures the WSUS server and its clients. The server's and the clients' settings, with
// their defaults and rules, are the wsus construct's (wsusspec); what is here is the
// configuration's own.
type Wsus struct {
	// Enabled creates the WSUS server and points the fleet at it. Without it, the private
	// subnets need NAT to reach Microsoft Update.
	Enabled bool `yaml:"enabled"`
	// Server: windowsVersion, amiId, instanceType, updateStoreGiB, port,
	// certificateThumbprint, languages, products (empty: those of the server's and the fleet's
	// versions), classifications, syncTimeUtc, syncsPerDay, setupSchedule.
	wsusspec.Server `yaml:",inline"`
	// PatchGroup tags the server so that it is scanned and a maintenance window patches it
	// (from Microsoft Update). When no configured window targets it, WsusPatchWindow does.
	// Empty: the server is not patched by privatepatch.
	PatchGroup string `yaml:"patchGroup"`
	// AttachUpdateStore attaches the update-store volume to the server. Set it false for one
	// deploy before a change that replaces the server (windowsVersion, amiId): a volume is
	// attached to one instance at a time.
	AttachUpdateStore bool `yaml:"attachUpdateStore"`
	// PublicAddress is how the server in a public subnet gets the public IPv4 address with which
	// it reaches Microsoft Update through the internet gateway: elasticIp, an Elastic IP of
	// privatepatch's; or external, one managed outside privatepatch (an allow-listed Elastic IP
	// you associate by hand or from another stack): privatepatch creates none, and make verify
	// notes the server's route out as not judged. Default: elasticIp.
	PublicAddress string `yaml:"publicAddress"`
	// Client is how the fleet's Windows Update clients use WSUS.
	Client wsusspec.Client `yaml:"client"`
}

// Choices of wsus.publicAddress; the first is the default.
const (
	PublicAddressElasticIp = "elasticIp"
	PublicAddressExternal  = "external"
)

// Fleet configures the patched instances.
type Fleet struct {
	// Tag marks the instances privatepatch configures: created instances get it, and instances
	// you bring join by carrying it.
	Tag Tag `yaml:"tag"`
	// InstanceGroups are the instances to create; none to bring your own.
	InstanceGroups []InstanceGroup `yaml:"instanceGroups"`
}

// Tag is one tag key and value.
type Tag struct {
	Key   string `yaml:"key"`
	Value string `yaml:"value"`
}

// InstanceGroup is a set of identical Windows instances in the private subnets: the fleet
// construct's (fleetspec: name, count, zones, windowsVersion, amiId, instanceType, patchGroup,
// tags; defaults and rules there). Zones is at most network.azCount.
type InstanceGroup = fleetspec.InstanceGroup

// CommandOutput configures the command-output bucket: the log bucket's settings
// (logbucketspec: retentionDays, encryption; defaults and rules there).
type CommandOutput = logbucketspec.Settings

// Command-output encryption choices.
const (
	EncryptionS3Managed = logbucketspec.EncryptionS3Managed
	EncryptionKMS       = logbucketspec.EncryptionKMS
)

// Network configures the VPC, its endpoints, security groups, network ACLs and flow logs.
type Network struct {
	// Settings: vpcCidr, azCount, availabilityZones, subnetCidrMask, nat, adminCidrs,
	// extraInterfaceEndpoints, flowLogs; the network construct's (networkspec: defaults and
	// rules there). Zone names are checked against the region here.
	networkspec.Settings `yaml:",inline"`
	// S3PrefixListCidrs maps a region to the CIDRs of its com.amazonaws.REGION.s3 prefix list.
	// An entry for the deployment region overrides the CDK context lookup.
	S3PrefixListCidrs map[string][]string `yaml:"s3PrefixListCidrs"`
	// S3PrefixListIds maps a region to the id of its com.amazonaws.REGION.s3 prefix list, which
	// the private security group's egress rule references. An entry for the deployment region
	// overrides the CDK context lookup.
	S3PrefixListIds map[string]string `yaml:"s3PrefixListIds"`
	// S3Endpoint widens the S3 gateway endpoint policy beyond the Systems Manager buckets.
	S3Endpoint S3Endpoint `yaml:"s3Endpoint"`
	// ExistingVpc deploys into a VPC that exists instead of creating one; vpcCidr, azCount,
	// availabilityZones, subnetCidrMask and nat then do not apply. Default: none.
	// environments[].existingVpc replaces it in one environment.
	ExistingVpc *ExistingVpc `yaml:"existingVpc"`
	// ReachabilityPaths creates VPC Reachability Analyzer paths for the flows the architecture
	// needs, to analyse after a deploy (each analysis is charged).
	ReachabilityPaths bool `yaml:"reachabilityPaths"`
}

// NAT gateway layouts.
const (
	NatPerAz  = networkspec.NatPerAz
	NatSingle = networkspec.NatSingle
)

// Nat configures NAT gateways for the private subnets (networkspec: enabled, gateways).
type Nat = networkspec.Nat

// S3Endpoint lists buckets, besides the Systems Manager ones, reachable through the S3 endpoint.
type S3Endpoint struct {
	// ReadBuckets are bucket names the private subnets may read (e.g. Linux package repositories).
	ReadBuckets []string `yaml:"readBuckets"`
	// ReadWriteBuckets are buckets of yours the private subnets may read, write and list (the
	// command-output bucket needs no entry: the endpoint lets SSM Agent write its output there).
	ReadWriteBuckets []string `yaml:"readWriteBuckets"`
}

// Flow log destinations.
const (
	FlowLogsToCloudWatch = networkspec.FlowLogsToCloudWatchLogs
	FlowLogsToS3         = networkspec.FlowLogsToS3
)

// FlowLogs configures VPC flow logs (networkspec: destination, retentionDays).
type FlowLogs = networkspec.FlowLogs

// Defaults returns the values every configuration file starts from: a file sets only what differs.
func Defaults() Config {
	return Config{
		Project: "privatepatch",
		Network: Network{Settings: networkspec.Defaults()},
		Wsus: Wsus{
			Enabled:           true,
			Server:            wsusspec.DefaultServer(),
			AttachUpdateStore: true,
			PublicAddress:     PublicAddressElasticIp,
			// WSUS itself needs patches: it had a critical remote-code-execution flaw in 2025.
			PatchGroup: "wsus",
			Client:     wsusspec.DefaultClient(),
		},
		Fleet:         Fleet{Tag: Tag{Key: "privatepatch:fleet"}},
		CommandOutput: logbucketspec.Defaults(),
		Patching: Patching{
			Scan:      Scan{Enabled: true, Schedule: patchingspec.DefaultScanSchedule},
			Inventory: Inventory{Enabled: true, Schedule: ssmschedule.Daily},
			// Agents kept current: on, every 14 days before the windows (patchingspec).
			AgentUpdate: patchingspec.AgentUpdate{}.WithDefaults(),
		},
		Assets: Assets{
			TagPolicy: DefaultTagPolicy(),
			WsusTags: map[string]string{TagEnvironment: "Prod", TagInventoryCategory: "WSUS", TagSeverityLevel: "3",
				TagHandlePI: "N"},
			ConfigurationChecks: ConfigurationChecks{Enabled: true, Schedule: ssmschedule.Daily},
		},
		Security: Security{FindingAlertSeverity: "HIGH"},
		Pipeline: Pipeline{Branch: "main"},
	}
}

// applyDefaults fills what YAML cannot pre-fill: fields of list elements, and defaults that
// depend on other fields.
func (c *Config) applyDefaults() {
	if c.Network.ExistingVpc != nil {
		c.Network.ExistingVpc.applyDefaults()
	}
	for _, e := range c.Environments {
		if e.ExistingVpc != nil {
			e.ExistingVpc.applyDefaults()
		}
	}
	setDefault(&c.Fleet.Tag.Value, c.Project)
	for i := range c.Patching.Baselines {
		b := &c.Patching.Baselines[i]
		b.Baseline = b.Baseline.WithDefaults()
	}
	c.addWsusPatchWindow()
	for i := range c.Patching.MaintenanceWindows {
		w := &c.Patching.MaintenanceWindows[i]
		w.Window = w.Window.WithDefaults()
		setDefault(&w.Targets.PatchGroupTagKey, PatchGroupTagKey(PatchGroupTagKeys[0]))
	}
	for i, g := range c.Fleet.InstanceGroups {
		c.Fleet.InstanceGroups[i] = g.WithDefaults(c.Network.Zones())
	}
}

// WsusPatchWindowSchedule is when the WSUS server is patched when no configured window targets
// its patch group: Saturday 02:00 UTC, the day before the seed's fleet window, so the server
// that serves the fleet's updates is current first.
const WsusPatchWindowSchedule = "cron(0 2 ? * SAT *)"

// addWsusPatchWindow adds a window for the WSUS server's patch group unless one targets it.
func (c *Config) addWsusPatchWindow() {
	if !c.Wsus.Enabled || c.Wsus.PatchGroup == "" {
		return
	}
	name := c.Project + "-wsus"
	for _, w := range c.Patching.MaintenanceWindows {
		if slices.Contains(w.Targets.PatchGroups, c.Wsus.PatchGroup) || w.Name == name {
			return
		}
	}
	c.Patching.MaintenanceWindows = append(c.Patching.MaintenanceWindows, MaintenanceWindow{
		Window:  patchingspec.Window{Name: name, Schedule: WsusPatchWindowSchedule, DurationHours: patchingspec.Hours(3)},
		Targets: WindowTargets{PatchGroups: []string{c.Wsus.PatchGroup}},
		// No pre-patch image: it would snapshot the update store too, every week; the store
		// is retained on its own volume and rebuilt by synchronisation if need be.
	})
}

// PatchGroups are every patch group of the configuration: those its baselines serve, then the
// WSUS server's.
func (c *Config) PatchGroups() []string {
	var groups []string
	for _, b := range c.PatchBaselines() {
		groups = append(groups, b.PatchGroups...)
	}
	if c.Wsus.Enabled && c.Wsus.PatchGroup != "" && !slices.Contains(groups, c.Wsus.PatchGroup) {
		groups = append(groups, c.Wsus.PatchGroup)
	}
	return groups
}

// PatchGroupScanKeys are, by patch group, the tag keys the windows that target it by patch group
// read it from, in the order of PatchGroupTagKeys; groups no window targets so are left out (their
// scan reads the default key). An instance tagged with only the key its window reads is then
// scanned between windows too.
func (c *Config) PatchGroupScanKeys() map[string][]string {
	keys := map[string][]string{}
	for _, w := range c.Patching.MaintenanceWindows {
		for _, g := range w.Targets.PatchGroups {
			if key := string(w.Targets.PatchGroupTagKey); key != "" && !slices.Contains(keys[g], key) {
				keys[g] = append(keys[g], key)
			}
		}
	}
	for g := range keys {
		slices.SortFunc(keys[g], func(a, b string) int { return slices.Index(PatchGroupTagKeys, a) - slices.Index(PatchGroupTagKeys, b) })
	}
	return keys
}

// WindowsVersions are the distinct Windows versions of the WSUS server and the instance groups.
func (c *Config) WindowsVersions() []string {
	versions := []string{c.Wsus.WindowsVersion}
	for _, g := range c.Fleet.InstanceGroups {
		if !slices.Contains(versions, g.WindowsVersion) {
			versions = append(versions, g.WindowsVersion)
		}
	}
	return versions
}

// WsusProducts are the product titles the WSUS server synchronises: the configured ones
// (wsus.products), or those of every Windows version in use (the server's and the instance
// groups').
func (c *Config) WsusProducts() []string {
	if len(c.Wsus.Products) > 0 {
		return c.Wsus.Products
	}
	var products []string
	for _, v := range c.WindowsVersions() {
		if p := windowsspec.Version(v).WsusProduct(); !slices.Contains(products, p) {
			products = append(products, p)
		}
	}
	return products
}

// S3Cidrs returns the configured S3 prefix-list CIDRs for the deployment region, or nil when
// they are to be looked up.
func (c *Config) S3Cidrs() []string {
	return c.Network.S3PrefixListCidrs[c.Region]
}

// S3PrefixListId returns the configured id of the deployment region's S3 prefix list, or ""
// when it is to be looked up.
func (c *Config) S3PrefixListId() string {
	return c.Network.S3PrefixListIds[c.Region]
}

// NatGatewayCount is how many NAT gateways the configuration asks for.
func (c *Config) NatGatewayCount() int {
	return c.Network.Nat.GatewayCount(c.Network.AzCount)
}

// setDefault sets *field to value when it holds its zero value.
func setDefault[T comparable](field *T, value T) {
	var zero T
	if *field == zero {
		*field = value
	}
}
