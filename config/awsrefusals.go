package config

import (
	"fmt"
	"maps"
	"net/netip"
	"reflect"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/privatepatch/privatepatch/constructs/awsbuckets"
	"github.com/privatepatch/privatepatch/constructs/network/networkspec"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
)

// Refused because AWS would refuse them at deploy, because they cannot exist or work, or because
// they would be ignored: the checks of one deployment that need more than one section.

// maxInspectorFilterDescription is the longest description of an Inspector filter, which
// security.inspector.suppressions[].reason becomes ("Filter", Amazon Inspector API Reference:
// description, "Maximum length of 512"; read 2026-12-06).
const maxInspectorFilterDescription = 512

func (c *Config) validateAWSRefusals(p *problems) {
	c.validateInterfaceEndpointQuota(p)
	c.validateSubnetRoom(p)
	c.validatePatchGroupTags(p)
	c.validateSharedVpc(p)
	c.validateS3EndpointPolicy(p)
	for i, f := range c.Security.Inspector.Suppressions {
		if n := utf8.RuneCountInString(f.Reason); n > maxInspectorFilterDescription {
			p.add(fmt.Sprintf("security.inspector.suppressions[%d].reason", i), fmt.Sprintf("%d characters", n),
				"is too long: it becomes the Inspector filter's description, which takes at most %d", maxInspectorFilterDescription)
		}
	}
	if e := c.Network.ExistingVpc; e != nil && e.Lookup == nil {
		if vpc, err := netip.ParsePrefix(e.Cidr); err == nil && vpc.Addr().Is4() {
			for _, name := range networkspec.ReservedOverlaps(vpc) {
				p.add(e.Field()+".cidr", e.Cidr, "overlaps the special-purpose block %s, which no VPC can hold: give the VPC's own block, as aws ec2 describe-vpcs prints it", name)
			}
		}
	}
	controlCharacterProblems(reflect.ValueOf(c).Elem(), "", p)
}

// validateInterfaceEndpointQuota refuses more interface endpoints than one VPC takes: AWS's
// default quota, or network.interfaceEndpointQuota where the account's was raised.
func (c *Config) validateInterfaceEndpointQuota(p *problems) {
	quota := c.Network.InterfaceEndpointQuota
	if quota < 0 {
		p.add("network.interfaceEndpointQuota", quota, "is not a quota: give the account's quota of interface endpoints per VPC (Service Quotas), or leave it out for AWS's default, %d", networkspec.MaxInterfaceEndpointsPerVpc)
		return
	}
	if quota == 0 {
		quota = networkspec.MaxInterfaceEndpointsPerVpc
	}
	if !c.Network.CreatesInterfaceEndpoints() {
		return
	}
	n := len(networkspec.SystemsManagerEndpoints) + len(c.Network.ExtraInterfaceEndpoints)
	if n > quota {
		p.add("network.extraInterfaceEndpoints", len(c.Network.ExtraInterfaceEndpoints),
			"services with the %d Systems Manager ones make %d interface endpoints in one VPC, more than the %d its quota allows (\"AWS PrivateLink quotas\", adjustable; endpoints the VPC has already count too): list at most %d, or raise the quota with Service Quotas and set network.interfaceEndpointQuota",
			len(networkspec.SystemsManagerEndpoints), n, quota, quota-len(networkspec.SystemsManagerEndpoints))
	}
}

// validateSubnetRoom refuses private subnets without the addresses their network interfaces
// need: one per interface endpoint privatepatch creates, one per instance placed in the subnet
// (instance k of a group goes to its subnet k mod zones), and WSUS's in an existing VPC's first
// private subnet. A looked-up VPC's subnets are known only at synth.
func (c *Config) validateSubnetRoom(p *problems) {
	endpoints := 0
	if c.Network.CreatesInterfaceEndpoints() {
		endpoints = len(networkspec.SystemsManagerEndpoints) + len(c.Network.ExtraInterfaceEndpoints)
	}
	needs := func(slot int, wsusHere bool) (int, string) {
		instances := 0
		for _, g := range c.Fleet.InstanceGroups {
			if g.Zones >= 1 && slot < g.Zones {
				instances += g.Count / g.Zones
				if slot < g.Count%g.Zones {
					instances++
				}
			}
		}
		parts := []string{fmt.Sprintf("%d interface endpoints", endpoints), fmt.Sprintf("%d instances", instances)}
		total := endpoints + instances
		if wsusHere {
			total++
			parts = append(parts, "the WSUS server")
		}
		return total, strings.Join(parts, ", ")
	}
	e := c.Network.ExistingVpc
	switch {
	case e == nil:
		bits := c.Network.SubnetCidrMask
		if bits < networkspec.MinPrefixLength || bits > networkspec.MaxPrefixLength {
			return // reported by the network's own rules
		}
		if need, what := needs(0, false); need > networkspec.UsableAddresses(bits) {
			p.add("network.subnetCidrMask", bits, "leaves each subnet %d usable addresses (%d less the %d AWS reserves), fewer than the %d the first private subnet needs (%s): use a shorter mask",
				networkspec.UsableAddresses(bits), 1<<(32-bits), networkspec.SubnetReservedAddresses, need, what)
		}
	case e.Lookup == nil:
		wsusPrivate := c.Wsus.Enabled && e.WsusSubnet == WsusInPrivateSubnet
		for i, s := range e.PrivateSubnets {
			field := fmt.Sprintf("%s.privateSubnets[%d].cidr", e.Field(), i)
			prefix, err := netip.ParsePrefix(s.Cidr)
			if err != nil || !prefix.Addr().Is4() {
				continue // reported as not a block
			}
			if prefix.Bits() > networkspec.MaxPrefixLength {
				p.add(field, s.Cidr, "is smaller than a /%d, the smallest subnet AWS allows (\"Subnet CIDR blocks\", Amazon VPC User Guide): give the subnet's own block", networkspec.MaxPrefixLength)
				continue
			}
			if need, what := needs(i, wsusPrivate && i == 0); need > networkspec.UsableAddresses(prefix.Bits()) {
				p.add(field, s.Cidr, "has %d usable addresses (%d less the %d AWS reserves), fewer than the %d its network interfaces need (%s): list a larger subnet, or fewer endpoints or instances",
					networkspec.UsableAddresses(prefix.Bits()), 1<<(32-prefix.Bits()), networkspec.SubnetReservedAddresses, need, what)
			}
		}
		for i, s := range e.PublicSubnets {
			if prefix, err := netip.ParsePrefix(s.Cidr); err == nil && prefix.Addr().Is4() && prefix.Bits() > networkspec.MaxPrefixLength {
				p.add(fmt.Sprintf("%s.publicSubnets[%d].cidr", e.Field(), i), s.Cidr, "is smaller than a /%d, the smallest subnet AWS allows (\"Subnet CIDR blocks\", Amazon VPC User Guide): give the subnet's own block", networkspec.MaxPrefixLength)
			}
		}
	}
}

// validatePatchGroupTags refuses a patch group tag key where it would reach every instance:
// Patch Manager reads an instance's patch group from it, so one value would move the whole fleet
// (and the WSUS server) into one patch group and out of the ones configured per group.
func (c *Config) validatePatchGroupTags(p *problems) {
	isPatchGroupKey := func(key string) bool {
		return slices.ContainsFunc(PatchGroupTagKeys, func(k string) bool { return strings.EqualFold(k, key) })
	}
	for _, key := range slices.Sorted(maps.Keys(c.Tags)) {
		if isPatchGroupKey(key) {
			p.add("tags", key, "would tag every instance, the WSUS server too, with patch group %q, which Patch Manager reads from this key: set patch groups with fleet.instanceGroups[].patchGroup and wsus.patchGroup", c.Tags[key])
		}
	}
	if isPatchGroupKey(c.Fleet.Tag.Key) {
		p.add("fleet.tag.key", c.Fleet.Tag.Key, "would put every fleet instance in patch group %q, which Patch Manager reads from this key: choose another key, such as privatepatch:fleet, and set patch groups with fleet.instanceGroups[].patchGroup", c.Fleet.Tag.Value)
	}
	for _, key := range slices.Sorted(maps.Keys(c.Assets.WsusTags)) {
		if isPatchGroupKey(key) {
			p.add("assets.wsusTags", key, "sets the WSUS server's patch group, which is wsus.patchGroup's: use that")
		}
	}
}

// multiLineFields are the YAML keys whose values are files and may hold line breaks and tabs:
// a patch source's configuration (a yum repository file).
var multiLineFields = []string{"configuration"}

// controlCharacterProblems reports every configured text holding a control character (a line
// break, tab, escape or NUL): names and tags refuse them already by their patterns; descriptions,
// reasons and the rest would carry them into templates, consoles and commands unseen.
func controlCharacterProblems(v reflect.Value, path string, p *problems) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			controlCharacterProblems(v.Elem(), path, p)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			if inline(f) {
				controlCharacterProblems(v.Field(i), path, p)
				continue
			}
			name := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if name == "-" || slices.Contains(multiLineFields, name) {
				continue
			}
			controlCharacterProblems(v.Field(i), joinPath(path, name), p)
		}
	case reflect.Slice:
		for i := range v.Len() {
			controlCharacterProblems(v.Index(i), fmt.Sprintf("%s[%d]", path, i), p)
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, k := range keys {
			controlCharacterProblems(k, path, p)
			controlCharacterProblems(v.MapIndex(k), joinPath(path, k.String()), p)
		}
	case reflect.String:
		if i := strings.IndexFunc(v.String(), unicode.IsControl); i >= 0 {
			r, _ := utf8.DecodeRuneInString(v.String()[i:])
			p.add(path, v.String(), "holds the control character %U: write it on one line, without tabs or other control characters", r)
		}
	}
}

// validateSharedVpc refuses what a participant of a shared VPC cannot create. Its owner "is
// responsible for creating, managing, and deleting" the subnets, route tables, network ACLs,
// gateway endpoints and interface endpoints, and participants "cannot create ... flow logs for a
// shared VPC subnet" ("Responsibilities and permissions for owners and participants", Amazon VPC
// User Guide, read 2026-12-06); CreateVpcEndpoint from a participant fails with "This operation
// does not support shared VPCs" (AWS re:Post Knowledge Center, "vpc-interface-endpoint-creation-
// errors", read 2026-12-06).
func (c *Config) validateSharedVpc(p *problems) {
	e := c.Network.ExistingVpc
	if e == nil || e.OwnerAccount == "" {
		return
	}
	field := e.Field()
	switch {
	case !accountPattern.MatchString(e.OwnerAccount):
		p.add(field+".ownerAccount", e.OwnerAccount, "is not an AWS account id: use the 12 digits of the account that owns the VPC, or leave it out when this account does")
		return
	case c.Account == "":
		p.add(field+".ownerAccount", e.OwnerAccount, "needs account: without it, it is unknown whether this deployment's account owns the VPC or shares it")
		return
	case !e.SharedWith(c.Account):
		return
	}
	owner := fmt.Sprintf("only its owner, account %s, can", e.OwnerAccount)
	if e.InterfaceEndpoints == EndpointsCreated {
		p.add(field+".interfaceEndpoints", e.InterfaceEndpoints, "cannot be created from account %s in a VPC it shares: %s create interface endpoints; declare interfaceEndpoints: %s with hubCidrs the subnets of the owner's endpoints",
			c.Account, owner, EndpointsHub)
	}
	if e.S3Endpoint == S3EndpointCreated {
		p.add(field+".s3Endpoint", e.S3Endpoint, "cannot be created from account %s in a VPC it shares: %s create gateway endpoints and change route tables; declare s3Endpoint: %s",
			c.Account, owner, S3EndpointExisting)
	}
	if e.ManageNetworkAcls {
		p.add(field+".manageNetworkAcls", true, "cannot be done from account %s in a VPC it shares: %s manage network ACLs; leave it out", c.Account, owner)
	}
	if e.FlowLogs {
		p.add(field+".flowLogs", true, "cannot be done from account %s in a VPC it shares: participants cannot create flow logs for the VPC or its subnets; leave it out (the owner's flow logs apply)", c.Account)
	}
}

// SharedWith tells whether the VPC is another account's, shared with account (a participant).
func (e *ExistingVpc) SharedWith(account string) bool {
	return e.OwnerAccount != "" && account != "" && e.OwnerAccount != account
}

// validateEnvironmentZones refuses zones that no deployment would use: an environment's own in
// an existing VPC (its zones are its subnets'), and network.availabilityZones of a region no
// environment that creates its VPC without zones of its own deploys to.
func (c *Config) validateEnvironmentZones(p *problems) {
	used := len(c.Network.AvailabilityZones) == 0
	for i, e := range c.Environments {
		existing := e.ExistingVpc != nil || c.Network.ExistingVpc != nil
		switch {
		case len(e.AvailabilityZones) > 0 && existing:
			from := "network.existingVpc"
			if e.ExistingVpc != nil {
				from = fmt.Sprintf("environments[%d].existingVpc", i)
			}
			p.add(fmt.Sprintf("environments[%d].availabilityZones", i), strings.Join(e.AvailabilityZones, ","),
				"would be ignored: environment %q deploys into an existing VPC (%s), whose zones are those of its subnets; remove them", e.Name, from)
		case len(e.AvailabilityZones) == 0 && !existing && len(c.Network.AvailabilityZones) > 0 && strings.HasPrefix(c.Network.AvailabilityZones[0], e.Region):
			used = true
		}
	}
	if !used {
		p.add("network.availabilityZones", strings.Join(c.Network.AvailabilityZones, ","),
			"would be ignored: no environment that creates its VPC without zones of its own is in their region; give each environment its own (environments[].availabilityZones) and remove these")
	}
}

// aclRuleSources names the settings that multiply the network ACLs' rules, as the configuration
// writes them, and what to change: those of the VPC at hand only (an existing VPC's subnets and
// hub blocks, not azCount or nat, which validation refuses beside it).
func (c *Config) aclRuleSources() (what, advice string) {
	n := &c.Network
	var parts, fewer []string
	if e := n.ExistingVpc; e != nil {
		parts = append(parts, fmt.Sprintf("%d %s.privateSubnets", len(e.PrivateSubnets), e.Field()), fmt.Sprintf("%d publicSubnets", len(e.PublicSubnets)))
		fewer = append(fewer, "subnets")
		if e.InterfaceEndpoints == EndpointsHub {
			parts = append(parts, fmt.Sprintf("%d hubCidrs", len(e.HubCidrs)))
			fewer = append(fewer, "hub blocks")
		}
	} else {
		parts = append(parts, fmt.Sprintf("azCount %d", n.AzCount))
		fewer = append(fewer, "zones")
	}
	parts = append(parts, fmt.Sprintf("%d adminCidrs", len(n.AdminCidrs)), fmt.Sprintf("%d S3 CIDRs", len(c.S3Cidrs())))
	fewer = append(fewer, "admin CIDRs", "S3 CIDRs")
	if len(n.WsusClientCidrs) > 0 {
		parts = append(parts, fmt.Sprintf("%d wsusClientCidrs", len(n.WsusClientCidrs)))
		fewer = append(fewer, "WSUS client CIDRs")
	}
	advice = "list fewer " + strings.Join(fewer, ", ")
	switch {
	case n.ExistingVpc != nil:
		parts = append(parts, "privateInternetPath "+n.ExistingVpc.PrivateInternetPath)
		advice += fmt.Sprintf(", or leave %s.manageNetworkAcls out to keep the VPC's own ACLs", n.ExistingVpc.Field())
	case n.Nat.Enabled:
		parts = append(parts, "nat enabled")
		advice += " (or NAT off)"
	}
	return strings.Join(parts, ", "), advice
}

// overlappingPrefixes pairs each prefix that overlaps one listed before it in address order with
// that one, in O(n log n): sorted by address, a block overlaps an earlier one exactly when it
// starts within the furthest-reaching earlier block (blocks nest or are apart). Validation stays
// linear(ithmic) in the size of the input, thousands of subnets included.
func overlappingPrefixes(prefixes []netip.Prefix) [][2]netip.Prefix {
	sorted := slices.Clone(prefixes)
	slices.SortStableFunc(sorted, func(a, b netip.Prefix) int {
		if c := a.Addr().Compare(b.Addr()); c != 0 {
			return c
		}
		return a.Bits() - b.Bits()
	})
	var out [][2]netip.Prefix
	var reach netip.Prefix // the earlier block ending last
	for i, prefix := range sorted {
		if i > 0 && reach.Contains(prefix.Addr()) {
			out = append(out, [2]netip.Prefix{reach, prefix})
			continue
		}
		if i == 0 || lastAddr(prefix).Compare(lastAddr(reach)) > 0 {
			reach = prefix
		}
	}
	return out
}

// lastAddr is the last address of an IPv4 block.
func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr().As4()
	n := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	n |= 1<<(32-p.Bits()) - 1
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
}

// accountPlaceholder stands for the account of an account-agnostic stack, known at deploy: 12
// digits, as every account id.
const accountPlaceholder = "123456789012"

// S3EndpointPolicy is the policy of the S3 gateway endpoint privatepatch creates, as deployed
// (networkspec.S3EndpointPolicy over the buckets stacks gives constructs/network: the Systems
// Manager and repository buckets of the region, the listed ones and the command-output bucket),
// or nil when the endpoint is the VPC's own.
func (c *Config) S3EndpointPolicy() []byte {
	if e := c.Network.ExistingVpc; e != nil && e.S3Endpoint == S3EndpointExisting {
		return nil
	}
	read := awsbuckets.SystemsManager(c.Region)
	for _, os := range c.PatchedOperatingSystems() {
		read = append(read, awsbuckets.Repositories(os, c.Region)...)
	}
	read = append(read, c.Network.S3Endpoint.ReadBuckets...)
	account := c.Account
	if account == "" {
		account = accountPlaceholder
	}
	// stacks.CommandOutputBucketName.
	output := []string{fmt.Sprintf("%s-ssm-%s-%s", c.Project, account, c.Region)}
	return networkspec.S3EndpointPolicy(networkspec.Partition(c.Region), read, c.Network.S3Endpoint.ReadWriteBuckets, output, c.OutputReadPrefixes())
}

// OutputReadPrefixes are the key prefixes of the command-output bucket that instances read
// through the S3 endpoint: make patch-now's install override lists, and with exact promotion
// the lists each ring leaves for the next (patchingspec.PromotePrefix).
func (c *Config) OutputReadPrefixes() []string {
	prefixes := []string{patchingspec.InstallOverrideListPrefix}
	if c.Patching.Rings.PromotesExactly() {
		prefixes = append(prefixes, patchingspec.PromotePrefix)
	}
	return prefixes
}

// validateS3EndpointPolicy refuses an S3 endpoint policy longer than a VPC endpoint policy holds.
func (c *Config) validateS3EndpointPolicy(p *problems) {
	if n := len(c.S3EndpointPolicy()); n > networkspec.MaxEndpointPolicyCharacters {
		p.add("network.s3Endpoint", fmt.Sprintf("%d readBuckets and %d readWriteBuckets", len(c.Network.S3Endpoint.ReadBuckets), len(c.Network.S3Endpoint.ReadWriteBuckets)),
			"make an S3 endpoint policy of %d characters (with the Systems Manager, repository and command-output buckets), more than the %d a VPC endpoint policy holds (\"AWS PrivateLink quotas\", not adjustable): list fewer buckets",
			n, networkspec.MaxEndpointPolicyCharacters)
	}
}

// validateIgnoredFlowLogs refuses flow log settings that no deployment uses: every one of them
// deploys into an existing VPC without existingVpc.flowLogs.
func (c *Config) validateIgnoredFlowLogs(p *problems) {
	defaults := Defaults().Network.FlowLogs
	if c.Network.FlowLogs == defaults {
		return
	}
	for _, d := range c.Deployments() {
		if d.Network.CreatesFlowLogs() {
			return
		}
	}
	value := fmt.Sprintf("destination %s, retentionDays %d", c.Network.FlowLogs.Destination, c.Network.FlowLogs.RetentionDays)
	p.add("network.flowLogs", value, "would be ignored: privatepatch adds no flow log to an existing VPC unless asked; set existingVpc.flowLogs: true, or remove network.flowLogs")
}

// zoneProblem says why zone is not an availability zone of region, or "". A zone is the
// region's name and one letter. Local Zones (us-west-2-lax-1a) and Wavelength Zones
// (us-east-1-wl1-bos-wlz-1) are named after the region too, and refused with their own reason:
// privatepatch places its subnets, endpoints and instances in availability zones only.
func zoneProblem(zone, region string) string {
	switch rest, ok := strings.CutPrefix(zone, region); {
	case ok && zoneLetterPattern.MatchString(rest):
		return ""
	case ok && strings.HasPrefix(rest, "-"):
		return fmt.Sprintf("is not an availability zone of region %q but a Local or Wavelength Zone, which privatepatch does not use: use one of the region's availability zones, its name and one letter, e.g. %sa", region, region)
	}
	return fmt.Sprintf("is not an availability zone of region %q: use the region's name and one letter, e.g. %sa", region, region)
}
