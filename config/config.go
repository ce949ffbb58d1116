// Package config is privatepatch's typed configuration model: strict YAML loading, defaults and
// validation. It knows nothing of CDK; the stacks package maps a validated Config to construct props.
package config

import "slices"

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

// Wsus configures the WSUS server and its clients.
type Wsus struct {
	// Enabled creates the WSUS server and points the fleet at it. Without it, the private
	// subnets need NAT to reach Microsoft Update.
	Enabled bool `yaml:"enabled"`
	// WindowsVersion of the server: 2019, 2022 or 2025.
	WindowsVersion string `yaml:"windowsVersion"`
	// AmiID pins the server's AMI; empty resolves the latest at launch.
	AmiID string `yaml:"amiId"`
	// InstanceType of the server.
	InstanceType string `yaml:"instanceType"`
	// UpdateStoreGiB is the size of the update-store volume, at least 150.
	UpdateStoreGiB int `yaml:"updateStoreGiB"`
	// Port is 8530 (HTTP) or 8531 (HTTPS, needs certificateThumbprint).
	Port int `yaml:"port"`
	// CertificateThumbprint of the certificate WSUS serves on 8531.
	CertificateThumbprint string `yaml:"certificateThumbprint"`
	// Languages of the updates to synchronise.
	Languages []string `yaml:"languages"`
	// Products are WSUS product titles; empty: those of the server's and the fleet's versions.
	Products []string `yaml:"products"`
	// Classifications to synchronise and auto-approve.
	Classifications []string `yaml:"classifications"`
	// SyncTimeUtc is the first daily synchronisation, HH:MM UTC.
	SyncTimeUtc string `yaml:"syncTimeUtc"`
	// SyncsPerDay is how many synchronisations run per day, 1 to 24.
	SyncsPerDay int `yaml:"syncsPerDay"`
	// SetupSchedule re-runs the WSUS setup document to correct drift.
	SetupSchedule string `yaml:"setupSchedule"`
	// PatchGroup tags the server so that it is scanned and a maintenance window patches it
	// (from Microsoft Update). When no configured window targets it, WsusPatchWindow does.
	// Empty: the server is not patched by privatepatch.
	PatchGroup string `yaml:"patchGroup"`
	// AttachUpdateStore attaches the update-store volume to the server. Set it false for one
	// deploy before a change that replaces the server (windowsVersion, amiId): a volume is
	// attached to one instance at a time.
	AttachUpdateStore bool `yaml:"attachUpdateStore"`
	// Client is how the fleet's Windows Update clients use WSUS.
	Client WsusClient `yaml:"client"`
}

// WsusClient is the Windows Update policy the fleet gets.
type WsusClient struct {
	// TargetGroup is the WSUS computer group for client-side targeting; empty for none.
	TargetGroup string `yaml:"targetGroup"`
	// AcceptTrustedPublisherCerts accepts updates signed by other trusted publishers.
	AcceptTrustedPublisherCerts bool `yaml:"acceptTrustedPublisherCerts"`
	// NoAutoUpdate turns automatic updates off.
	NoAutoUpdate bool `yaml:"noAutoUpdate"`
	// AUOptions: 2 notify, 3 download and notify, 4 download and schedule, 5 local admin, 7 notify restart.
	AUOptions int `yaml:"auOptions"`
	// ScheduledInstallDay: 0 every day, 1-7 Sunday to Saturday (with auOptions 4).
	ScheduledInstallDay int `yaml:"scheduledInstallDay"`
	// Schedule re-applies the settings to correct drift.
	Schedule string `yaml:"schedule"`
}

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

// InstanceGroup is a set of identical Windows instances in the private subnets.
type InstanceGroup struct {
	// Name identifies the group (lowercase letters, digits, hyphens).
	Name string `yaml:"name"`
	// Count is the number of instances, 1 to 20.
	Count int `yaml:"count"`
	// Zones is how many availability zones (private subnets) the instances spread over, in
	// turn, 1 to network.azCount. Default: 2, or network.azCount if smaller.
	Zones int `yaml:"zones"`
	// WindowsVersion: 2019, 2022 or 2025.
	WindowsVersion string `yaml:"windowsVersion"`
	// AmiID pins the AMI; empty resolves the latest at launch.
	AmiID string `yaml:"amiId"`
	// InstanceType of the instances.
	InstanceType string `yaml:"instanceType"`
	// PatchGroup is tagged as "Patch Group" and "PatchGroup"; empty: the default baseline applies.
	PatchGroup string `yaml:"patchGroup"`
	// Tags are asset tags added to the instances and their volumes.
	Tags map[string]string `yaml:"tags"`
}

// CommandOutput configures the command-output bucket.
type CommandOutput struct {
	// RetentionDays is how long command output is kept.
	RetentionDays int `yaml:"retentionDays"`
	// Encryption is s3-managed or kms (a customer managed key with rotation).
	Encryption string `yaml:"encryption"`
}

// Command-output encryption choices.
const (
	EncryptionS3Managed = "s3-managed"
	EncryptionKMS       = "kms"
)

// Network configures the VPC, its endpoints, security groups, network ACLs and flow logs.
type Network struct {
	// VpcCidr is the VPC's IPv4 block.
	VpcCidr string `yaml:"vpcCidr"`
	// AzCount is how many availability zones get one public and one private subnet.
	AzCount int `yaml:"azCount"`
	// AvailabilityZones names the zones to use: the first azCount of them, in name order.
	// Empty lets CloudFormation or a CDK lookup pick.
	AvailabilityZones []string `yaml:"availabilityZones"`
	// SubnetCidrMask is the prefix length of every subnet.
	SubnetCidrMask int `yaml:"subnetCidrMask"`
	// Nat gives the private subnets an internet route (the variant without WSUS).
	Nat Nat `yaml:"nat"`
	// AdminCidrs may reach the public jump host on RDP 3389. Empty: use Session Manager.
	AdminCidrs []string `yaml:"adminCidrs"`
	// ExtraInterfaceEndpoints are further AWS services (e.g. logs, kms, monitoring) to reach
	// privately, in addition to ssm, ec2messages, ec2 and ssmmessages.
	ExtraInterfaceEndpoints []string `yaml:"extraInterfaceEndpoints"`
	// S3PrefixListCidrs maps a region to the CIDRs of its com.amazonaws.REGION.s3 prefix list.
	// An entry for the deployment region overrides the CDK context lookup.
	S3PrefixListCidrs map[string][]string `yaml:"s3PrefixListCidrs"`
	// S3PrefixListIds maps a region to the id of its com.amazonaws.REGION.s3 prefix list, which
	// the private security group's egress rule references. An entry for the deployment region
	// overrides the CDK context lookup.
	S3PrefixListIds map[string]string `yaml:"s3PrefixListIds"`
	// S3Endpoint widens the S3 gateway endpoint policy beyond the Systems Manager buckets.
	S3Endpoint S3Endpoint `yaml:"s3Endpoint"`
	// FlowLogs records the VPC's traffic.
	FlowLogs FlowLogs `yaml:"flowLogs"`
	// ExistingVpc deploys into a VPC that exists instead of creating one; vpcCidr, azCount,
	// availabilityZones, subnetCidrMask and nat then do not apply. Default: none.
	ExistingVpc *ExistingVpc `yaml:"existingVpc"`
	// ReachabilityPaths creates VPC Reachability Analyzer paths for the flows the architecture
	// needs, to analyse after a deploy (each analysis is charged).
	ReachabilityPaths bool `yaml:"reachabilityPaths"`
}

// NAT gateway layouts.
const (
	NatPerAz  = "per-az"
	NatSingle = "single"
)

// Nat configures NAT gateways for the private subnets.
type Nat struct {
	// Enabled routes the private subnets to the internet through NAT gateways.
	Enabled bool `yaml:"enabled"`
	// Gateways is per-az (one NAT per AZ, survives an AZ outage) or single (one shared, cheaper).
	Gateways string `yaml:"gateways"`
}

// S3Endpoint lists buckets, besides the Systems Manager ones, reachable through the S3 endpoint.
type S3Endpoint struct {
	// ReadBuckets are bucket names the private subnets may read (e.g. Linux package repositories).
	ReadBuckets []string `yaml:"readBuckets"`
	// ReadWriteBuckets are the project's own bucket names (command output, inventory).
	ReadWriteBuckets []string `yaml:"readWriteBuckets"`
}

// Flow log destinations.
const (
	FlowLogsToCloudWatch = "cloudwatch-logs"
	FlowLogsToS3         = "s3"
)

// FlowLogs configures VPC flow logs.
type FlowLogs struct {
	// Destination is cloudwatch-logs or s3.
	Destination string `yaml:"destination"`
	// RetentionDays is how long flow log records are kept.
	RetentionDays int `yaml:"retentionDays"`
}

// Defaults returns the values every configuration file starts from: a file sets only what differs.
func Defaults() Config {
	return Config{
		Project: "privatepatch",
		Network: Network{
			VpcCidr:        "10.0.0.0/16",
			AzCount:        2,
			SubnetCidrMask: 24,
			Nat:            Nat{Gateways: NatPerAz},
			FlowLogs:       FlowLogs{Destination: FlowLogsToCloudWatch, RetentionDays: 365},
		},
		Wsus: Wsus{
			Enabled:           true,
			WindowsVersion:    DefaultWindowsVersion,
			InstanceType:      "m6i.large",
			UpdateStoreGiB:    200,
			Port:              8530,
			Languages:         []string{"en"},
			Classifications:   []string{"Critical Updates", "Security Updates"},
			SyncTimeUtc:       "03:00",
			SyncsPerDay:       1,
			SetupSchedule:     "rate(1 day)",
			AttachUpdateStore: true,
			// WSUS itself needs patches: it had a critical remote-code-execution flaw in 2025.
			PatchGroup: "wsus",
			Client:     WsusClient{AUOptions: 3, Schedule: "rate(1 day)"},
		},
		Fleet:         Fleet{Tag: Tag{Key: "privatepatch:fleet"}},
		CommandOutput: CommandOutput{RetentionDays: 365, Encryption: EncryptionS3Managed},
		Patching: Patching{
			Scan:      Scan{Enabled: true, Schedule: "rate(1 day)"},
			Inventory: Inventory{Enabled: true, Schedule: "rate(1 day)"},
		},
		Assets: Assets{
			TagPolicy: DefaultTagPolicy(),
			WsusTags: map[string]string{TagEnvironment: "Prod", TagInventoryCategory: "WSUS", TagSeverityLevel: "3",
				TagHandlePI: "N"},
			ConfigurationChecks: ConfigurationChecks{Enabled: true, Schedule: "rate(1 day)"},
		},
		Security: Security{FindingAlertSeverity: "HIGH"},
		Pipeline: Pipeline{Branch: "main"},
	}
}

// DefaultWindowsVersion is used where no Windows version is given.
const DefaultWindowsVersion = "2022"

// applyDefaults fills what YAML cannot pre-fill: fields of list elements, and defaults that
// depend on other fields.
func (c *Config) applyDefaults() {
	if c.Network.ExistingVpc != nil {
		c.Network.ExistingVpc.applyDefaults()
	}
	setDefault(&c.Fleet.Tag.Value, c.Project)
	for i := range c.Patching.Baselines {
		b := &c.Patching.Baselines[i]
		setDefault(&b.OperatingSystem, "WINDOWS")
		setDefault(&b.RejectedPatchesAction, "ALLOW_AS_DEPENDENCY")
		setDefault(&b.ApprovedPatchesComplianceLevel, "UNSPECIFIED")
		for j := range b.ApprovalRules {
			setDefault(&b.ApprovalRules[j].ComplianceLevel, "UNSPECIFIED")
		}
	}
	c.addWsusPatchWindow()
	for i := range c.Patching.MaintenanceWindows {
		w := &c.Patching.MaintenanceWindows[i]
		if w.DurationHours == nil {
			w.DurationHours = days(4)
		}
		setDefault(&w.Timezone, "UTC")
		if w.CutoffHours == nil {
			w.CutoffHours = days(1)
		}
		setDefault(&w.Targets.PatchGroupTagKey, PatchGroupTagKey(PatchGroupTagKeys[0]))
		if len(w.Tasks) == 0 {
			w.Tasks = []PatchTask{{}}
		}
		for j := range w.Tasks {
			t := &w.Tasks[j]
			setDefault(&t.Operation, "Install")
			setDefault(&t.RebootOption, "RebootIfNeeded")
			setDefault(&t.MaxConcurrency, "25%")
			setDefault(&t.MaxErrors, "10%")
			setDefault(&t.Priority, j+1)
			if t.NotifyOnFailure == nil {
				notify := true
				t.NotifyOnFailure = &notify
			}
		}
	}
	for i := range c.Fleet.InstanceGroups {
		g := &c.Fleet.InstanceGroups[i]
		setDefault(&g.WindowsVersion, DefaultWindowsVersion)
		setDefault(&g.InstanceType, "m6i.large")
		setDefault(&g.Zones, min(2, c.Network.Zones()))
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
		Name:          name,
		Schedule:      WsusPatchWindowSchedule,
		DurationHours: days(3),
		CutoffHours:   days(1),
		Targets:       WindowTargets{PatchGroups: []string{c.Wsus.PatchGroup}},
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
	switch {
	case !c.Network.Nat.Enabled:
		return 0
	case c.Network.Nat.Gateways == NatSingle:
		return 1
	default:
		return c.Network.AzCount
	}
}

// setDefault sets *field to value when it holds its zero value.
func setDefault[T comparable](field *T, value T) {
	var zero T
	if *field == zero {
		*field = value
	}
}
