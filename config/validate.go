package config

import (
	"fmt"
	"net/netip"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/fleet/fleetspec"
	"github.com/privatepatch/privatepatch/constructs/network/networkspec"
	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/constructs/ssmschedule"
	"github.com/privatepatch/privatepatch/constructs/tagspec"
)

// ValidationError lists every problem found in a configuration, one per line.
type ValidationError struct {
	Problems []string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("%d configuration problem(s):\n  - %s", len(e.Problems), strings.Join(e.Problems, "\n  - "))
}

type problems []string

func (p *problems) add(field string, value any, format string, args ...any) {
	*p = append(*p, fmt.Sprintf("%s: %s %s", field, spec.Quote(value), fmt.Sprintf(format, args...)))
}

// addSpec reports the problems a construct area's specification found in settings (a section
// of the configuration, or a section's inline part) under their YAML paths below prefix.
func (p *problems) addSpec(prefix string, settings any, found spec.Problems) {
	for _, f := range found { // a Field of "" is the settings as a whole
		p.add(joinPath(prefix, spec.YAMLPath(settings, f.Field)), f.Value, "%s", f.Message)
	}
}

var (
	projectPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}$`)
	accountPattern = regexp.MustCompile(`^[0-9]{12}$`)
	// What follows the region in an availability zone's name (us-west-2a); not Local Zones.
	zoneLetterPattern = regexp.MustCompile(`^[a-z]$`)
)

// Validate checks the whole configuration, every environment's deployment of it, and reports
// every problem at once.
func (c *Config) Validate() error {
	var p problems
	if len(c.Environments) > 0 {
		c.validateEnvironments(&p)
	}
	c.validateDeployments(&p)
	c.validateIgnoredFlowLogs(&p)
	c.validatePipeline(&p)
	if len(p) == 0 {
		return nil
	}
	slices.Sort(p)
	return &ValidationError{Problems: slices.Compact(p)}
}

// validate checks one deployment (one account and region).
func (c *Config) validate(p *problems) {
	if !projectPattern.MatchString(c.Project) {
		p.add("project", c.Project, "is not allowed: use 1-31 lowercase letters, digits and hyphens, starting with a letter")
	}
	for _, reserved := range reservedProjectPrefixes {
		if strings.HasPrefix(c.Project, reserved) {
			p.add("project", c.Project, "starts with %q, which AWS reserves: the resource groups and Systems Manager documents named after the project's stacks would be refused at deploy; choose a name that does not start with %s",
				reserved, strings.Join(reservedProjectPrefixes, ", "))
		}
	}
	if c.Account != "" && !accountPattern.MatchString(c.Account) {
		p.add("account", c.Account, "is not an AWS account id: use 12 digits, or leave it out")
	}
	if !knownRegion(c.Region) {
		p.add("region", c.Region, "is not an AWS region: use one such as us-west-2 or eu-central-1")
	}
	checkTags(p, "tags", c.Tags)
	c.validateTagCounts(p)
	c.validateDerivedNames(p)
	c.Network.validate(c, p)
	c.Wsus.validate(p)
	c.Fleet.validate(c, p)
	c.Patching.validate(c, p)
	c.validateWindowOverlaps(p)
	c.validateWsusApart(p)
	c.validateDownloads(p)
	c.validateHybridNodesOnly(p)
	c.Assets.validate(c, p)
	c.Security.validate(p)
	c.validateLimits(p)
	freeTextProblems(reflect.ValueOf(c).Elem(), "", p)
	c.validateAWSRefusals(p)
	// kms needs no kms endpoint or NAT: with SSE-KMS, Amazon S3 itself requests the data key from
	// AWS KMS ("How Amazon S3 uses AWS KMS", AWS KMS Developer Guide, read 2026-11-27); the
	// writers need only kms:GenerateDataKey and kms:Decrypt on the key ("Using server-side
	// encryption with AWS KMS keys (SSE-KMS)", Amazon S3 User Guide, read 2026-11-27), which
	// logbucket.GrantCommandOutput gives.
	p.addSpec("commandOutput", c.CommandOutput, c.CommandOutput.Problems())
	for i, w := range c.Patching.MaintenanceWindows {
		for j, task := range w.Tasks {
			if task.CloudWatchOutput && !c.Network.PrivateInternetRoute() && !slices.Contains(c.Network.ExtraInterfaceEndpoints, "logs") {
				p.add(fmt.Sprintf("patching.maintenanceWindows[%d].tasks[%d].cloudWatchOutput", i, j), true,
					"needs the logs interface endpoint (network.extraInterfaceEndpoints) or NAT: instances send the output to CloudWatch Logs")
			}
		}
	}
	if !c.Wsus.Enabled && !c.Network.PrivateInternetRoute() {
		p.add("wsus.enabled", false, "leaves the private subnets without an update source: keep WSUS, or enable network.nat (network.existingVpc.privateInternetPath: nat in an existing VPC) so that instances reach Microsoft Update")
	}
	if !c.Wsus.Enabled && len(c.Network.WsusClientCidrs) > 0 {
		p.add("network.wsusClientCidrs", len(c.Network.WsusClientCidrs), "on-premises networks are admitted to WSUS, and wsus.enabled is false: remove them")
	}
	c.validatePublicAddress(p)
}

// validatePublicAddress refuses wsus.publicAddress: external where no server sits in a public
// subnet, so it would change nothing: with WSUS off, or in a private WSUS subnet, which gets no
// public address either way.
func (c *Config) validatePublicAddress(p *problems) {
	if c.Wsus.PublicAddress != PublicAddressExternal {
		return
	}
	switch {
	case !c.Wsus.Enabled:
		p.add("wsus.publicAddress", c.Wsus.PublicAddress, "has no server to address: wsus.enabled is false; remove it")
	case c.Network.ExistingVpc != nil && c.Network.ExistingVpc.WsusSubnet == WsusInPrivateSubnet:
		p.add("wsus.publicAddress", c.Wsus.PublicAddress, "means nothing in a private subnet (network.existingVpc.wsusSubnet: private), which has no public address: remove it")
	}
}

func (n *Network) validate(c *Config, p *problems) {
	if n.ExistingVpc != nil {
		n.validateExistingVpc(c, p)
		vpc, err := netip.ParsePrefix(n.ExistingVpc.Cidr)
		p.addSpec("network", n, n.SharedProblems(vpc, err == nil))
		n.validateCommon(c, p)
		return
	}
	p.addSpec("network", n, n.Problems())
	if vpc, err := netip.ParsePrefix(n.VpcCidr); err == nil {
		for i, cidr := range c.S3Cidrs() {
			if s3, err := netip.ParsePrefix(cidr); err == nil && s3.Overlaps(vpc) {
				p.add("network.vpcCidr", n.VpcCidr, "overlaps the S3 prefix-list range %s (network.s3PrefixListCidrs.%s[%d]): the private subnets would route S3's addresses locally", cidr, c.Region, i)
			}
		}
	}
	if len(n.AvailabilityZones) == 0 && c.Account == "" && n.AzCount > 2 && n.AzCount <= networkspec.MaxAzs {
		p.add("network.azCount", n.AzCount, "needs an account or network.availabilityZones: an account-agnostic stack can use only 2 zones")
	}
	zonesFrom := "network.availabilityZones"
	if c.zonesFrom != "" {
		zonesFrom = c.zonesFrom
	}
	for i, az := range n.AvailabilityZones {
		if problem := zoneProblem(az, c.Region); problem != "" {
			p.add(fmt.Sprintf("%s[%d]", zonesFrom, i), az, "%s", problem)
		}
	}
	n.validateCommon(c, p)
}

// validateCommon checks what applies to a created and an existing VPC alike and needs more
// than the network's settings.
func (n *Network) validateCommon(c *Config, p *problems) {
	validateS3Cidrs(p, c)
	validateBuckets(p, "network.s3Endpoint.readBuckets", n.S3Endpoint.ReadBuckets)
	validateBuckets(p, "network.s3Endpoint.readWriteBuckets", n.S3Endpoint.ReadWriteBuckets)
}

func parseCidr(p *problems, field, value string) (netip.Prefix, bool) {
	var found spec.Problems
	prefix, ok := networkspec.ParseCidr(&found, field, value)
	for _, f := range found {
		p.add(f.Field, f.Value, "%s", f.Message)
	}
	return prefix, ok
}

func validateS3Cidrs(p *problems, c *Config) {
	for region, cidrs := range c.Network.S3PrefixListCidrs {
		field := "network.s3PrefixListCidrs." + region
		if !knownRegion(region) {
			p.add("network.s3PrefixListCidrs", region, "is not an AWS region name")
		}
		if len(cidrs) == 0 || len(cidrs) > networkspec.MaxListedCidrs {
			p.add(field, len(cidrs), "CIDRs is not allowed: list 1 to %d", networkspec.MaxListedCidrs)
		}
		for i, cidr := range cidrs {
			prefix, ok := parseCidr(p, fmt.Sprintf("%s[%d]", field, i), cidr)
			if ok && prefix.Bits() < 8 {
				p.add(fmt.Sprintf("%s[%d]", field, i), cidr, "is not an S3 prefix-list range: those are /8 or narrower, and this would open HTTPS to (nearly) the whole internet")
			}
		}
	}
	// Only network ACLs name the CIDRs: an existing VPC whose ACLs are left alone needs none.
	if c.Account == "" && c.S3Cidrs() == nil && knownRegion(c.Region) && c.Network.ManagesNetworkAcls() {
		p.add("network.s3PrefixListCidrs", c.Region, "has no S3 prefix-list CIDRs and, with no account set, CDK cannot look them up: "+
			"either add them under network.s3PrefixListCidrs.%[1]s (aws ec2 get-managed-prefix-list-entries --region %[1]s --prefix-list-id "+
			"<id of com.amazonaws.%[1]s.s3 from aws ec2 describe-managed-prefix-lists>), or set account and run cdk synth with credentials "+
			"to cache the lookup in cdk.context.json", c.Region)
	}
	for region, id := range c.Network.S3PrefixListIds {
		if !knownRegion(region) {
			p.add("network.s3PrefixListIds", region, "is not an AWS region name")
		}
		if !prefixListIdPattern.MatchString(id) {
			p.add("network.s3PrefixListIds."+region, id, "is not a prefix-list id: use the pl-... id that aws ec2 describe-managed-prefix-lists prints for com.amazonaws.%s.s3", region)
		}
	}
	if c.Account == "" && c.S3PrefixListId() == "" && knownRegion(c.Region) {
		p.add("network.s3PrefixListIds", c.Region, "has no S3 prefix-list id and, with no account set, CDK cannot look it up: "+
			"either add it under network.s3PrefixListIds.%[1]s (aws ec2 describe-managed-prefix-lists --region %[1]s "+
			"--filters Name=prefix-list-name,Values=com.amazonaws.%[1]s.s3 --query 'PrefixLists[0].PrefixListId' --output json), "+
			"or set account and run cdk synth with credentials to cache the lookup in cdk.context.json", c.Region)
	}
}

// prefixListIdPattern is the shape of a managed prefix list's id: pl- and hexadecimal digits, as
// in pl-68a54001.
var prefixListIdPattern = regexp.MustCompile(`^pl-[0-9a-f]+$`)

func validateBuckets(p *problems, field string, buckets []string) {
	for i, bucket := range buckets {
		if problem := bucketNameProblem(bucket); problem != "" {
			p.add(fmt.Sprintf("%s[%d]", field, i), bucket, "%s", problem)
		}
	}
}

func validateAssociationSchedule(p *problems, field, schedule string) {
	p.addSpec(field, nil, ssmschedule.AssociationProblems("", schedule))
}

func (w *Wsus) validate(p *problems) {
	p.addSpec("wsus", w, w.Server.Problems())
	p.addSpec("wsus.client", w.Client, w.Client.Problems())
	if w.PatchGroup != "" && !tagspec.ValidValue(w.PatchGroup) {
		p.add("wsus.patchGroup", w.PatchGroup, "%s", tagspec.PatchGroupRules)
	}
	checkChoice(p, "wsus.publicAddress", w.PublicAddress, PublicAddressElasticIp, PublicAddressExternal)
}

func (f *Fleet) validate(c *Config, p *problems) {
	// Both reach commands that people paste into a shell (stack outputs): the tag character set
	// holds no quote, $, backtick, parenthesis or semicolon.
	if !tagspec.ValidKey(f.Tag.Key) {
		p.add("fleet.tag.key", f.Tag.Key, "is not a valid tag key: %s", tagspec.KeyRules)
	}
	if f.Tag.Value == "" || !tagspec.ValidValue(f.Tag.Value) {
		p.add("fleet.tag.value", f.Tag.Value, "is not a valid tag value: use 1-256 letters, digits, spaces and _ . : / = + - @")
	}
	p.addSpec("fleet", f, fleetspec.GroupsProblems("InstanceGroups", f.InstanceGroups))
	for i, g := range f.InstanceGroups {
		if g.Zones > c.Network.Zones() {
			if c.Network.ExistingVpc != nil {
				p.add(fmt.Sprintf("fleet.instanceGroups[%d].zones", i), g.Zones, "is out of range: use 1 to the %d private subnets of network.existingVpc", c.Network.Zones())
			} else {
				p.add(fmt.Sprintf("fleet.instanceGroups[%d].zones", i), g.Zones, "is out of range: use 1 to network.azCount (%d)", c.Network.AzCount)
			}
		}
	}
}
