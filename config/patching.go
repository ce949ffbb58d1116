package config

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
)

// Patching configures Patch Manager: baselines, maintenance windows, scans, inventory, alerts.
type Patching struct {
	// Baselines are custom patch baselines, each with the patch groups it serves.
	Baselines []Baseline `yaml:"baselines"`
	// Rings derive one baseline per stage from a preset, approving after increasing delays.
	Rings *Rings `yaml:"rings"`
	// MaintenanceWindows install (or scan) on a schedule with rate control.
	MaintenanceWindows []MaintenanceWindow `yaml:"maintenanceWindows"`
	// Scan keeps patch compliance current between installs.
	Scan Scan `yaml:"scan"`
	// Inventory gathers software inventory.
	Inventory Inventory `yaml:"inventory"`
	// Notifications are sent when windows, compliance or associations go wrong.
	Notifications Notifications `yaml:"notifications"`
	// Deadlines are the most days from a Microsoft release (Patch Tuesday) to the end of the
	// window that installs it, by MSRC severity (Critical, Important, Moderate, Low), which the
	// patch calendar (make calendar, make verify) proves for every patch group a window installs.
	// Default: none.
	Deadlines map[string]int `yaml:"deadlines"`
	// AgentUpdate keeps SSM Agent current on the fleet and the WSUS server (patchingspec:
	// enabled, schedules, maxConcurrency, maxErrors; defaults and rules there).
	AgentUpdate AgentUpdate `yaml:"agentUpdate"`
	// StartStopped: each window first starts the stopped instances among its targets (tagging
	// them with the window execution), patches, then stops exactly those again. Windows by patch
	// group or instance id only. Default: false.
	StartStopped bool `yaml:"startStopped"`
	// InstanceSchedulerTagKey is an instance scheduler's tag key (e.g. Instance Scheduler on AWS's
	// Schedule): with startStopped, a started instance's tag is set aside while the window runs
	// and restored when it is stopped. Default: none.
	InstanceSchedulerTagKey string `yaml:"instanceSchedulerTagKey"`
	// hookScripts are the hook script files the tasks name, as Parse read them.
	hookScripts map[string]hookScript
	// StopOnFailure: on or off. on: a window execution that failed, timed out, was cancelled or
	// skipped latches an alarm that stops the window's own Install tasks and the next ring's, until
	// an operator unblocks it (docs/patching.md#a-rollout-that-stops-itself). Default: on
	// (patchingspec.DefaultStopOnFailure).
	StopOnFailure string `yaml:"stopOnFailure"`
}

// StopsOnFailure says whether windows latch a failure alarm (stopOnFailure, default on).
func (p Patching) StopsOnFailure() bool {
	v := p.StopOnFailure
	if v == "" {
		v = patchingspec.DefaultStopOnFailure
	}
	return v == patchingspec.StopOnFailureOn
}

// MaxDeadlineDays is the longest deadline: a year.
const MaxDeadlineDays = 365

// DeadlineSeverities are the MSRC severities a deadline may name: those of Windows patch filters
// but Unspecified, which no release is rated.
var DeadlineSeverities = patchingspec.MsrcSeverities[:4]

// AgentUpdate runs AWS-UpdateSSMAgent on a schedule (patchingspec.AgentUpdate).
type AgentUpdate = patchingspec.AgentUpdate

// Baseline is one AWS::SSM::PatchBaseline: the patching construct's settings (patchingspec:
// name, operatingSystem, description, default, patchGroups, approvalRules, approvedPatches,
// approvedPatchesComplianceLevel, rejectedPatches, rejectedPatchesAction, globalFilters,
// sources; defaults and rules there) and a preset, which is the configuration's own.
type Baseline struct {
	patchingspec.Baseline `yaml:",inline"`
	// Preset fills approvalRules: aws-default-windows or seed-example-windows.
	Preset string `yaml:"preset"`
	// HybridNodesOnly says the baseline's patch groups are hybrid (on-premises) nodes only,
	// which reach their package repositories over their own network: the private subnets' route
	// to the repositories is not checked for it. Linux baselines only, and not a default baseline
	// or one serving an instance group or the WSUS server, which are EC2 instances in the private
	// subnets. Default: false.
	HybridNodesOnly bool `yaml:"hybridNodesOnly"`
}

// ApprovalRule approves patches matching all its filters after a delay or up to a date.
type ApprovalRule = patchingspec.ApprovalRule

// PatchSource is an alternative package repository for Linux baselines.
type PatchSource = patchingspec.PatchSource

// Rings are baselines for dev, test and prod patch groups, cloned from one preset with
// increasing approval delays, so a patch reaches production only after it ran elsewhere.
type Rings struct {
	// Preset the ring baselines start from.
	Preset string `yaml:"preset"`
	// Stages in order, each a patch group and its delay.
	Stages []RingStage `yaml:"stages"`
	// Promote is off or exact. exact: after each ring's Install, a promotion task of its window
	// writes what that ring's nodes installed in the run, and the next ring's Install tasks install
	// only that list (InstallOverrideList; on Windows, only what their baseline approves too).
	// Needs one maintenance window per ring targeting only its patch group. Default: off.
	Promote string `yaml:"promote"`
}

// PromotesExactly says whether rings promote exactly what the ring before them installed.
func (r *Rings) PromotesExactly() bool { return r != nil && r.Promote == patchingspec.PromoteExact }

// RingWindows are, for each ring stage, the indexes of the maintenance windows that target its
// patch group and no other (the ring's own windows).
func (c *Config) RingWindows() [][]int {
	r := c.Patching.Rings
	if r == nil {
		return nil
	}
	out := make([][]int, len(r.Stages))
	for i, stage := range r.Stages {
		for j, w := range c.Patching.MaintenanceWindows {
			if len(w.Targets.PatchGroups) == 1 && w.Targets.PatchGroups[0] == stage.PatchGroup {
				out[i] = append(out[i], j)
			}
		}
	}
	return out
}

// RingStage is one ring.
type RingStage struct {
	PatchGroup       string `yaml:"patchGroup"`
	ApproveAfterDays int    `yaml:"approveAfterDays"`
}

// MaintenanceWindow is a scheduled window with patch tasks. The window's and its tasks'
// settings, with their defaults and rules, are the patching construct's (patchingspec); the
// targets are read here, as their tag key has its own YAML type.
type MaintenanceWindow struct {
	// Window: name, schedule, timezone, scheduleOffset, durationHours, cutoffHours, startDate,
	// endDate, allowUnassociatedTargets, tasks, prePatchImage.
	patchingspec.Window `yaml:",inline"`
	// Targets of the window.
	Targets WindowTargets `yaml:"targets"`
}

// WindowTargets select instances by patch group, resource group or id.
type WindowTargets struct {
	PatchGroups []string `yaml:"patchGroups"`
	// PatchGroupTagKey is the one tag key patch groups are read from: "Patch Group", or
	// "PatchGroup" for instances with tags in instance metadata (which forbids spaces). One key:
	// a window targeting both would run every task twice on an instance carrying both.
	PatchGroupTagKey PatchGroupTagKey `yaml:"patchGroupTagKey"`
	ResourceGroup    string           `yaml:"resourceGroup"`
	InstanceIds      []string         `yaml:"instanceIds"`
}

// PatchGroupTagKey is one patch group tag key. A list in its place is refused with the reason,
// not YAML's "cannot unmarshal !!seq into string".
type PatchGroupTagKey string

// UnmarshalYAML takes a scalar only.
func (k *PatchGroupTagKey) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind != yaml.ScalarNode {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: patchGroupTagKey takes one key, %s, not a list: a window "+
			"targeting two runs every task twice on an instance that carries both (the fleet's do); read the patch group from "+
			"one key, and give instances that carry only the other key that one too (or, where tags are in instance metadata, PatchGroup alone)",
			node.Line, strings.Join(PatchGroupTagKeys, " or "))}}
	}
	*k = PatchGroupTagKey(node.Value)
	return nil
}

// PatchGroupTagKeys are the tag keys Patch Manager reads a patch group from; the first is the
// default (patchingspec.PatchGroupTagKeys).
var PatchGroupTagKeys = patchingspec.PatchGroupTagKeys

// Spec are the targets as the patching construct takes them.
func (t WindowTargets) Spec() patchingspec.Targets {
	return patchingspec.Targets{PatchGroups: t.PatchGroups, PatchGroupTagKey: string(t.PatchGroupTagKey),
		ResourceGroup: t.ResourceGroup, InstanceIds: t.InstanceIds}
}

// PatchTask runs AWS-RunPatchBaseline (patchingspec.Task: operation, rebootOption,
// maxConcurrency, maxErrors, priority, cloudWatchOutput, notifyOnFailure).
type PatchTask = patchingspec.Task

// Scan configures the State Manager scan associations.
type Scan struct {
	Enabled  bool   `yaml:"enabled"`
	Schedule string `yaml:"schedule"`
}

// Inventory configures AWS-GatherSoftwareInventory and the resource data sync.
type Inventory struct {
	Enabled          bool   `yaml:"enabled"`
	Schedule         string `yaml:"schedule"`
	ResourceDataSync bool   `yaml:"resourceDataSync"`
	// AllNodes makes the inventory association the account and region's all-nodes one
	// (InstanceIds *), which Amazon Inspector uses instead of making its own
	// (compliancespec.InspectorInventoryAssociation): a node given both Inspector's association
	// and one on the fleet's tag has two inventory associations. It then collects from every
	// managed node of the account and region, not the fleet's only. Default: security.inspector.enable
	// (true where the stack switches Inspector on; set it true wherever Inspector's EC2 scanning is
	// on by other means). False with security.inspector.enable is refused.
	AllNodes *bool `yaml:"allNodes"`
}

// Notifications configures the SNS topic and the EventBridge rules that feed it.
type Notifications struct {
	Emails []string `yaml:"emails"`
}

// Baseline presets. Rules approve CLASSIFICATION and MSRC_SEVERITY after 7 days.
const (
	PresetAwsDefaultWindows  = "aws-default-windows"
	PresetSeedExampleWindows = "seed-example-windows"
)

// presets are ready-made approval rules for Windows baselines.
var presets = map[string][]ApprovalRule{
	// The rules of AWS-DefaultPatchBaseline for Windows Server.
	PresetAwsDefaultWindows: {{
		Filters: map[string][]string{
			"CLASSIFICATION": {"CriticalUpdates", "SecurityUpdates"},
			"MSRC_SEVERITY":  {"Critical", "Important"},
		},
		ApproveAfterDays: patchingspec.Days(7),
		ComplianceLevel:  patchingspec.DefaultComplianceLevel,
	}},
	// The custom baseline of the awstut SOA 04/003 example.
	PresetSeedExampleWindows: {{
		Filters: map[string][]string{
			"CLASSIFICATION": {"CriticalUpdates"},
			"MSRC_SEVERITY":  {"Critical"},
		},
		ApproveAfterDays: patchingspec.Days(7),
		ComplianceLevel:  patchingspec.DefaultComplianceLevel,
	}},
}

// AwsDefaultWindowsBaseline is the name of AWS's default patch baseline for Windows Server.
const AwsDefaultWindowsBaseline = "AWS-DefaultPatchBaseline"

// PatchGroupBaseline is the baseline that patches group: the one serving it, else the default
// Windows baseline configured (default: true), else AWS's (AWS-DefaultPatchBaseline, whose rules
// are the aws-default-windows preset). Patch Manager falls back to the operating system's default
// baseline for a patch group no baseline serves; the groups here are Windows ones.
func (c *Config) PatchGroupBaseline(group string) Baseline {
	var fallback *Baseline
	for _, b := range c.PatchBaselines() {
		if slices.Contains(b.PatchGroups, group) {
			return b
		}
		if b.Default && b.OperatingSystem == patchingspec.DefaultOperatingSystem && fallback == nil {
			fallback = &b
		}
	}
	if fallback != nil {
		return *fallback
	}
	return AwsDefaultBaseline()
}

// AwsDefaultBaseline is AWS's default Windows baseline, which a node uses when no baseline is
// registered for its patch group and none is registered as the default.
func AwsDefaultBaseline() Baseline {
	return Baseline{Baseline: patchingspec.Baseline{Name: AwsDefaultWindowsBaseline, ApprovalRules: presets[PresetAwsDefaultWindows]}.WithDefaults()}
}

// PatchBaselines returns the configured baselines with presets applied and rings expanded, then
// the WSUS server's (wsusBaseline) when no configured baseline serves its patch group.
func (c *Config) PatchBaselines() []Baseline {
	var out []Baseline
	for _, b := range c.Patching.Baselines {
		if b.Preset != "" && len(b.ApprovalRules) == 0 {
			b.ApprovalRules = presets[b.Preset]
		}
		out = append(out, b)
	}
	if r := c.Patching.Rings; r != nil {
		for _, stage := range r.Stages {
			var rules []ApprovalRule
			for _, rule := range presets[r.Preset] {
				rule.ApproveAfterDays = patchingspec.Days(stage.ApproveAfterDays)
				rules = append(rules, rule)
			}
			out = append(out, Baseline{Baseline: patchingspec.Baseline{
				Name:            fmt.Sprintf("%s-%s", c.Project, stage.PatchGroup),
				OperatingSystem: patchingspec.DefaultOperatingSystem,
				Description:     fmt.Sprintf("Ring %s: %s, approved %d days after release", stage.PatchGroup, r.Preset, stage.ApproveAfterDays),
				PatchGroups:     []string{stage.PatchGroup},
				ApprovalRules:   rules,
			}.WithDefaults()})
		}
	}
	if b := c.wsusBaseline(); b != nil {
		out = append(out, *b)
	}
	return out
}

// InventoryAllNodes is patching.inventory.allNodes, or its default: security.inspector.enable.
func (c *Config) InventoryAllNodes() bool {
	if all := c.Patching.Inventory.AllNodes; all != nil {
		return *all
	}
	return c.Security.Inspector.Enable
}
