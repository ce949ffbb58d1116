package config

import (
	"fmt"
	"maps"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/privatepatch/privatepatch/constructs/compliance/compliancespec"
	"github.com/privatepatch/privatepatch/constructs/fleet/fleetspec"
	"github.com/privatepatch/privatepatch/constructs/tagspec"
)

// AWS's limits and character rules that configured values, and the names privatepatch builds
// from them, must keep. Each is written here once, with the page it comes from; validation
// uses these and nothing else restates them.

// Tags: tagspec (the rules the constructs check too).

// S3 bucket names: "General purpose bucket naming rules", Amazon S3 User Guide, read
// 2026-11-27: 3-63 lowercase letters, digits, dots and hyphens, beginning and ending with a
// letter or digit, no two adjacent periods, not formatted as an IP address, and none of these
// reserved prefixes and suffixes.
var (
	bucketPattern          = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	reservedBucketPrefixes = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	// reservedProjectPrefixes: the project begins every stack's name, which names the stacks'
	// resource groups (compliancespec.ValidName: not starting with aws) and the documents
	// CloudFormation names for them (STACK-LOGICALID-SUFFIX): "You can't use the following strings
	// as document name prefixes ...: aws, amazon, amzn" (CreateDocument, Name, AWS Systems Manager
	// API Reference; read 2026-12-06). The project is lowercase.
	reservedProjectPrefixes = []string{"aws", "amazon", "amzn"}
	reservedBucketSuffixes  = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3"}
)

// Patch baselines' limits and the names of associations, window targets and tasks:
// patchingspec. AWS::SSM::ResourceDataSync's SyncName is 1-64 characters (its CloudFormation
// resource provider schema, as cfn-lint 1.51.0 ships it, read 2026-11-27).
const maxResourceDataSyncName = 64

// CDK token markers (aws-cdk-lib 2.270.0, core/lib/private/encoding.js): a string holding one
// is resolved to another value at synth.
var cdkTokenMarkers = []string{"${Token[", "#{Token["}

// checkTags reports the tag keys and values of field that AWS would refuse.
func checkTags(p *problems, field string, tags map[string]string) {
	for _, f := range tagspec.Problems(tags) {
		p.add(joinPath(field, f.Field), f.Value, "%s", f.Message)
	}
}

// bucketNameProblem says why AWS would refuse name as a general purpose bucket name, or "".
func bucketNameProblem(name string) string {
	switch {
	case !bucketPattern.MatchString(name):
		return "is not an S3 bucket name: use 3-63 lowercase letters, digits, dots and hyphens, beginning and ending with a letter or digit"
	case strings.Contains(name, ".."):
		return "has two adjacent periods, which S3 bucket names cannot"
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return "is formatted as an IP address, which S3 bucket names cannot be"
	}
	for _, prefix := range reservedBucketPrefixes {
		if strings.HasPrefix(name, prefix) {
			return fmt.Sprintf("starts with %s, a prefix S3 reserves", prefix)
		}
	}
	for _, suffix := range reservedBucketSuffixes {
		if strings.HasSuffix(name, suffix) {
			return fmt.Sprintf("ends with %s, a suffix S3 reserves", suffix)
		}
	}
	return ""
}

// Tag keys privatepatch adds to the instances it creates: the Name CDK gives them, the patch
// group under both keys (PatchGroupTagKeys), and on fleet instances the fleet tag and the
// instance group (fleetspec.InstanceGroupTag).
var (
	addedInstanceTags = []string{"Name", PatchGroupTagKeys[0], PatchGroupTagKeys[1]}
	addedFleetTags    = []string{fleetspec.InstanceGroupTag}
)

// validateTagCounts reports resources that would carry more than tagspec.MaxPerResource tags:
// the configured tags go to every resource, beside those of the instance or group.
func (c *Config) validateTagCounts(p *problems) {
	count := func(sets ...[]string) int {
		keys := map[string]bool{}
		for _, set := range sets {
			for _, k := range set {
				keys[k] = true
			}
		}
		return len(keys)
	}
	global := slices.Collect(maps.Keys(c.Tags))
	if n := len(global); n > tagspec.MaxPerResource {
		p.add("tags", n, "tags are more than the %d AWS allows on one resource", tagspec.MaxPerResource)
		return
	}
	for i, g := range c.Fleet.InstanceGroups {
		if n := count(global, slices.Collect(maps.Keys(g.Tags)), addedInstanceTags, addedFleetTags, []string{c.Fleet.Tag.Key}); n > tagspec.MaxPerResource {
			p.add(fmt.Sprintf("fleet.instanceGroups[%d].tags", i), n, "tags would be on each instance of group %q with tags, the fleet tag and the %d privatepatch adds: AWS allows %d on one resource",
				g.Name, len(addedInstanceTags)+len(addedFleetTags), tagspec.MaxPerResource)
		}
	}
	if c.Wsus.Enabled {
		if n := count(global, slices.Collect(maps.Keys(c.WsusAssetTags())), addedInstanceTags); n > tagspec.MaxPerResource {
			p.add("assets.wsusTags", n, "tags would be on the WSUS server with tags and the %d privatepatch adds: AWS allows %d on one resource",
				len(addedInstanceTags), tagspec.MaxPerResource)
		}
	}
}

// validateDerivedNames checks the names privatepatch builds from configured parts, as the
// constructs build them, against AWS's rules, naming the configured field.
func (c *Config) validateDerivedNames(p *problems) {
	prefix := c.Project + "-"
	// A window's derived names (its target's and tasks') are checked by patchingspec.
	if c.Patching.Scan.Enabled {
		// constructs/patching.NewScanAssociations: <project>-scan-<patch group>, one character
		// for each of the patch group's, and -<key> after it for a second tag key.
		keys := c.PatchGroupScanKeys()
		for _, group := range c.PatchGroups() {
			suffix := ""
			if len(keys[group]) > 1 {
				suffix = "-" + strings.ReplaceAll(keys[group][1], " ", "-")
			}
			if n := utf8.RuneCountInString(prefix + "scan-" + group + suffix); n > 128 {
				p.add("patching", group, "is too long a patch group: its scan association is named %sscan-<patch group>%s, %d characters, and Systems Manager takes at most 128", prefix, suffix, n)
			}
		}
	}
	if c.Patching.Inventory.ResourceDataSync {
		// constructs/patching.NewInventory: <patching stack name>-inventory, -kms with KMS.
		if sync := c.StackName("patching") + "-inventory-kms"; len(sync) > maxResourceDataSyncName {
			p.add("patching.inventory.resourceDataSync", true, "needs a resource data sync named %s-inventory(-kms), %d characters, and Systems Manager takes at most %d: shorten the project or environment name",
				c.StackName("patching"), len(sync), maxResourceDataSyncName)
		}
	}
	for i, g := range c.Assets.ResourceGroups {
		if n := len(c.ResourceGroupName(g.Name)); n > 128 {
			p.add(fmt.Sprintf("assets.resourceGroups[%d].name", i), g.Name, "is too long: the group is named %s<name>, %d characters, and Resource Groups takes at most 128", prefix, n)
		}
	}
	// compliance.NewSecurity: InspectorSuppressionName; a name of characters Inspector refuses is
	// refused by Security.validate already.
	for i, f := range c.Security.Inspector.Suppressions {
		if inspectorFilterNamePattern.MatchString(f.Name) {
			if name := c.InspectorSuppressionName(f.Name); compliancespec.InspectorFilterNameProblem(name) != "" {
				p.add(fmt.Sprintf("security.inspector.suppressions[%d].name", i), f.Name, "makes the rule name %s, which %s", name, compliancespec.InspectorFilterNameProblem(name))
			}
		}
	}
	// stacks.CommandOutputBucketName: <project>-ssm-<account>-<region>; an account-agnostic
	// stack's account has 12 digits too.
	account := c.Account
	if account == "" {
		account = "000000000000"
	}
	if bucket := fmt.Sprintf("%sssm-%s-%s", prefix, account, c.Region); knownRegion(c.Region) {
		if problem := bucketNameProblem(bucket); problem != "" {
			p.add("project", c.Project, "makes the command-output bucket name %q, which %s", bucket, problem)
		}
	}
}

// emailPattern is an address as mail systems deliver it: a dot-atom local part (RFC 5322
// section 3.4.1, no quoted strings) at a DNS host name with at least one dot (no IP literal).
// The Amazon SNS API reference says only that an email endpoint is an email address.
var emailPattern = regexp.MustCompile(`^[A-Za-z0-9!#$%&'*+/=?^_` + "`" + `{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_` + "`" + `{|}~-]+)*@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$`)
