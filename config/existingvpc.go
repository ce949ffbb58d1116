package config

import (
	"fmt"
	"maps"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/network/networkspec"
)

// ExistingVpc deploys into a VPC that exists (from a landing zone, Account Factory or a network
// team) instead of creating one. Nothing of the VPC, its subnets or routes is created or changed
// unless asked: the S3 gateway endpoint is added to the listed route tables only when
// s3Endpoint is created, network ACLs are replaced only with manageNetworkAcls, flow logs are
// added only with flowLogs. Security groups are created as for a new VPC.
type ExistingVpc struct {
	// Lookup finds the VPC and its subnets by a tag query instead: CDK looks them up at synth
	// with credentials for account (required) and caches the answer in cdk.context.json. It
	// replaces vpcId, cidr, privateSubnets and publicSubnets.
	Lookup *VpcLookup `yaml:"lookup"`
	// VpcID is the VPC's id (vpc-...).
	VpcID string `yaml:"vpcId"`
	// Cidr is the VPC's IPv4 block that holds the listed subnets: the endpoint security group
	// admits HTTPS from it.
	Cidr string `yaml:"cidr"`
	// PrivateSubnets hold the fleet (and the interface endpoints privatepatch creates), one per
	// availability zone.
	PrivateSubnets []ExistingSubnet `yaml:"privateSubnets"`
	// PublicSubnets hold the WSUS server (wsusSubnet: public); when listed, one per zone of the
	// private subnets, in the same order.
	PublicSubnets []ExistingSubnet `yaml:"publicSubnets"`
	// InterfaceEndpoints is created (ssm, ssmmessages, ec2messages, ec2 and the extra ones, in the
	// private subnets) or hub: a hub VPC provides them, resolved through Route 53. Required, no
	// default: where the VPC resolves the services' names already (a hub's private hosted zone),
	// creating them fails; make check-update reads the VPC and says which.
	InterfaceEndpoints string `yaml:"interfaceEndpoints"`
	// HubCidrs are the address blocks of the hub's interface endpoints (interfaceEndpoints: hub):
	// the fleet's security group may send HTTPS there.
	HubCidrs []string `yaml:"hubCidrs"`
	// S3Endpoint is created (a gateway endpoint on the private subnets' route tables) or
	// existing: the VPC has one already, whose policy is the owner's. Required, no default: a
	// landing-zone VPC often has one on the same route tables, where creating another fails;
	// make check-update reads the VPC and says which.
	S3Endpoint string `yaml:"s3Endpoint"`
	// ManageNetworkAcls replaces the network ACLs of the listed subnets with privatepatch's.
	// Default: false, the existing ACLs are left as they are.
	ManageNetworkAcls bool `yaml:"manageNetworkAcls"`
	// PriorNetworkAcls maps each listed subnet that used a network ACL other than the VPC's
	// default, before manageNetworkAcls took it over, to that ACL (acl-...). Rollback,
	// manageNetworkAcls: false and deleting the stack return a subnet to the VPC's default ACL,
	// not to its own: listing it acknowledges that, and the stack output PriorNetworkAcls keeps
	// it for the restore (docs/network.md). make check-update reads the subnets' ACLs and refuses
	// to take over one not listed here. Default: none.
	PriorNetworkAcls map[string]string `yaml:"priorNetworkAcls"`
	// FlowLogs adds privatepatch's flow log (network.flowLogs) to the VPC. Default: false.
	FlowLogs bool `yaml:"flowLogs"`
	// OwnerAccount is the account that owns the VPC when it is shared with this deployment's
	// account (VPC sharing): only the owner creates endpoints, network ACLs and flow logs there, so
	// interfaceEndpoints: hub (the owner's, hubCidrs may then be in this VPC) and s3Endpoint:
	// existing are needed. Default: none, this deployment's account owns the VPC.
	OwnerAccount string `yaml:"ownerAccount"`
	// WsusSubnet is public (the first public subnet, with an Elastic IP) or private (the first
	// private subnet; needs privateInternetPath).
	WsusSubnet string `yaml:"wsusSubnet"`
	// PrivateInternetPath declares how the private subnets reach the internet: none, or nat (a
	// NAT gateway or firewall route the VPC's owner manages).
	PrivateInternetPath string `yaml:"privateInternetPath"`

	// from is where the configuration gives it (network.existingVpc, or an environment's own),
	// for the problems' field names.
	from string
}

// Field is where the configuration gives this VPC: network.existingVpc, or
// environments[i].existingVpc.
func (e *ExistingVpc) Field() string {
	if e.from == "" {
		return "network.existingVpc"
	}
	return e.from
}

// VpcLookup is a tag query for an existing VPC, resolved by CDK's Vpc.fromLookup.
type VpcLookup struct {
	// Tags the VPC carries, e.g. {Name: workload-vpc}.
	Tags map[string]string `yaml:"tags"`
	// PrivateSubnetGroup is the subnet group that holds the fleet: CDK groups looked-up subnets
	// by their aws-cdk:subnet-name tag, or else by type (Public, Private with a NAT route,
	// Isolated). One subnet per zone. Default: Private.
	PrivateSubnetGroup string `yaml:"privateSubnetGroup"`
	// PublicSubnetGroup is the group of the public subnets (WSUS), or "none". Default: Public.
	PublicSubnetGroup string `yaml:"publicSubnetGroup"`
}

// ExistingSubnet is one subnet of an existing VPC.
type ExistingSubnet struct {
	// ID is the subnet's id (subnet-...).
	ID string `yaml:"id"`
	// Cidr is its IPv4 block: security group rules and network ACLs name it.
	Cidr string `yaml:"cidr"`
	// Zone is its availability zone, e.g. eu-west-2a.
	Zone string `yaml:"zone"`
	// RouteTableID is its route table (rtb-...): needed for the S3 gateway endpoint.
	RouteTableID string `yaml:"routeTableId"`
}

// Choices of an existing VPC's settings; the first of each is the default.
const (
	EndpointsCreated    = "created"
	EndpointsHub        = "hub"
	S3EndpointCreated   = "created"
	S3EndpointExisting  = "existing"
	WsusInPublicSubnet  = "public"
	WsusInPrivateSubnet = "private"
	InternetPathNone    = "none"
	InternetPathNat     = "nat"
)

// Ids of existing resources: the prefix and 8 or 17 hexadecimal digits ("Resource IDs", Amazon
// EC2 User Guide: "longer IDs ... 17 characters after the hyphen"; read 2026-11-27).
var (
	vpcIDPattern        = regexp.MustCompile(`^vpc-([0-9a-f]{8}|[0-9a-f]{17})$`)
	subnetIDPattern     = regexp.MustCompile(`^subnet-([0-9a-f]{8}|[0-9a-f]{17})$`)
	routeTableIDPattern = regexp.MustCompile(`^rtb-([0-9a-f]{8}|[0-9a-f]{17})$`)
	networkAclIDPattern = regexp.MustCompile(`^acl-([0-9a-f]{8}|[0-9a-f]{17})$`)
)

func (e *ExistingVpc) applyDefaults() {
	if e.Lookup != nil {
		setDefault(&e.Lookup.PrivateSubnetGroup, "Private")
		setDefault(&e.Lookup.PublicSubnetGroup, "Public")
	}
	setDefault(&e.WsusSubnet, WsusInPublicSubnet)
	setDefault(&e.PrivateInternetPath, InternetPathNone)
}

// Zones is how many availability zones (private subnets) the fleet can spread over: for a
// looked-up VPC, unknown until synth, the most there can be (the fleet takes at most what the
// lookup finds).
func (n *Network) Zones() int {
	if n.ExistingVpc != nil && n.ExistingVpc.Lookup != nil {
		return networkspec.MaxAzs
	}
	if n.ExistingVpc != nil {
		return len(n.ExistingVpc.PrivateSubnets)
	}
	return n.AzCount
}

// ManagesNetworkAcls tells whether privatepatch sets the network ACLs: always in its own VPC,
// in an existing one only when asked.
func (n *Network) ManagesNetworkAcls() bool {
	return n.ExistingVpc == nil || n.ExistingVpc.ManageNetworkAcls
}

// CreatesInterfaceEndpoints tells whether privatepatch creates the interface endpoints: in its
// own VPC, and in an existing one unless a hub provides them.
func (n *Network) CreatesInterfaceEndpoints() bool {
	return n.ExistingVpc == nil || n.ExistingVpc.InterfaceEndpoints != EndpointsHub
}

// CreatesFlowLogs tells whether privatepatch adds its flow log: always to its own VPC, to an
// existing one only when asked.
func (n *Network) CreatesFlowLogs() bool {
	return n.ExistingVpc == nil || n.ExistingVpc.FlowLogs
}

// PrivateInternetRoute tells whether the private subnets reach the internet: through the NAT
// gateways privatepatch creates, or a path declared in an existing VPC.
func (n *Network) PrivateInternetRoute() bool {
	return n.Nat.Enabled || (n.ExistingVpc != nil && n.ExistingVpc.PrivateInternetPath == InternetPathNat)
}

// validateExistingVpc checks network.existingVpc; the settings of a VPC privatepatch creates
// must then be left at their defaults.
func (n *Network) validateExistingVpc(c *Config, p *problems) {
	e := n.ExistingVpc
	field := e.Field()
	n.validateOwnVpcSettingsUnset(p, field)
	e.validateChoices(p)
	var vpc netip.Prefix
	vpcOK := false
	hasPublic := len(e.PublicSubnets) > 0
	if e.Lookup != nil {
		e.validateLookup(c, p)
		hasPublic = e.Lookup.PublicSubnetGroup != "none"
	} else {
		vpc, vpcOK = e.validateIds(c, p)
	}
	e.validateHubCidrs(c, p, vpc, vpcOK)

	if c.Wsus.Enabled {
		switch {
		case e.WsusSubnet == WsusInPublicSubnet && !hasPublic:
			p.add(field+".wsusSubnet", e.WsusSubnet, "needs %s.publicSubnets (or lookup.publicSubnetGroup): list them, or place WSUS in a private subnet (wsusSubnet: private) with a declared internet path", field)
		case e.WsusSubnet == WsusInPrivateSubnet && e.PrivateInternetPath != InternetPathNat:
			p.add(field+".wsusSubnet", e.WsusSubnet, "needs a path to Microsoft Update: declare %s.privateInternetPath: nat (the VPC's NAT or firewall route)", field)
		}
	}
	e.validateNetworkAcls(c, p)
}

// validateOwnVpcSettingsUnset: the settings of a VPC privatepatch creates stay at their
// defaults, each refusal naming the existing VPC's setting to use instead.
func (n *Network) validateOwnVpcSettingsUnset(p *problems, field string) {
	defaults := Defaults().Network
	for _, own := range []struct {
		name    string
		set     bool
		value   any
		instead string
	}{
		{"network.vpcCidr", n.VpcCidr != defaults.VpcCidr, n.VpcCidr, field + ".cidr"},
		{"network.azCount", n.AzCount != defaults.AzCount, n.AzCount, field + ".privateSubnets (one per zone)"},
		{"network.availabilityZones", len(n.AvailabilityZones) > 0, strings.Join(n.AvailabilityZones, ","), field + ".privateSubnets[].zone"},
		{"network.subnetCidrMask", n.SubnetCidrMask != defaults.SubnetCidrMask, n.SubnetCidrMask, field + ".privateSubnets[].cidr"},
		{"network.nat.enabled", n.Nat.Enabled, true, field + ".privateInternetPath: nat"},
		{"network.nat.gateways", n.Nat.Gateways != defaults.Nat.Gateways, n.Nat.Gateways, field + ".privateInternetPath: nat (the VPC's own NAT)"},
		{"network.reachabilityPaths", n.ReachabilityPaths, true, "nothing yet (the paths need an internet gateway id)"},
	} {
		if own.set {
			p.add(own.name, own.value, "applies to a VPC privatepatch creates, not to %s: use %s", field, own.instead)
		}
	}
}

// validateChoices checks the existing VPC's endpoint, WSUS subnet and internet path choices.
func (e *ExistingVpc) validateChoices(p *problems) {
	field := e.Field()
	// No default for the endpoints: an existing VPC often has them already (a landing zone's S3
	// gateway endpoint on the same route tables, a hub's private DNS for the SSM services), where
	// creating them fails half-way; offline only the configuration can say.
	if e.InterfaceEndpoints == "" {
		p.add(field+".interfaceEndpoints", "", "is required for an existing VPC: %s (in the private subnets) or %s (a hub VPC's, resolved through its private hosted zones); creating endpoints whose names the VPC resolves already fails, and make check-update reads the VPC with credentials and says which", EndpointsCreated, EndpointsHub)
	} else {
		checkChoice(p, field+".interfaceEndpoints", e.InterfaceEndpoints, EndpointsCreated, EndpointsHub)
	}
	if e.S3Endpoint == "" {
		p.add(field+".s3Endpoint", "", "is required for an existing VPC: %s (a gateway endpoint on the private subnets' route tables) or %s (the VPC has one); a second S3 gateway endpoint on a route table that has one fails, and make check-update reads the VPC with credentials and says which", S3EndpointCreated, S3EndpointExisting)
	} else {
		checkChoice(p, field+".s3Endpoint", e.S3Endpoint, S3EndpointCreated, S3EndpointExisting)
	}
	checkChoice(p, field+".wsusSubnet", e.WsusSubnet, WsusInPublicSubnet, WsusInPrivateSubnet)
	if e.PrivateInternetPath == "proxy" {
		p.add(field+".privateInternetPath", e.PrivateInternetPath, "is not supported yet: the WSUS setup configures no proxy; use %s (a NAT or firewall route) or %s", InternetPathNat, InternetPathNone)
	} else {
		checkChoice(p, field+".privateInternetPath", e.PrivateInternetPath, InternetPathNone, InternetPathNat)
	}
}

// validateHubCidrs checks the hub's endpoint blocks: given exactly with interfaceEndpoints: hub,
// few enough for the network ACLs, not the internet, not this VPC (vpc, when vpcOK).
func (e *ExistingVpc) validateHubCidrs(c *Config, p *problems, vpc netip.Prefix, vpcOK bool) {
	field := e.Field()
	if e.InterfaceEndpoints == EndpointsHub && len(e.HubCidrs) == 0 {
		p.add(field+".hubCidrs", "", "is empty: with interfaceEndpoints: hub, list the address blocks of the hub's endpoints, which the fleet's security group may reach on HTTPS")
	}
	if e.InterfaceEndpoints != EndpointsHub && len(e.HubCidrs) > 0 {
		p.add(field+".hubCidrs", strings.Join(e.HubCidrs, ","), "applies only to interfaceEndpoints: hub")
	}
	if len(e.HubCidrs) > networkspec.MaxListedCidrs {
		p.add(field+".hubCidrs", len(e.HubCidrs), "blocks is too many: at most %d fit the network ACL rule quota", networkspec.MaxListedCidrs)
	}
	for i, cidr := range e.HubCidrs {
		f := fmt.Sprintf("%s.hubCidrs[%d]", field, i)
		prefix, ok := parseCidr(p, f, cidr)
		switch {
		case ok && prefix.Bits() < 8:
			p.add(f, cidr, "would open HTTPS to (nearly) the whole internet: list the hub's endpoint subnets")
		case ok && vpcOK && prefix.Overlaps(vpc) && !e.SharedWith(c.Account): // a shared VPC's owner's endpoints are in it
			p.add(f, cidr, "overlaps this VPC %s: the hub is another VPC", vpc)
		}
	}
}

// validateNetworkAcls checks priorNetworkAcls (listed subnets to ACL ids, only with
// manageNetworkAcls) and what manageNetworkAcls does not support yet.
func (e *ExistingVpc) validateNetworkAcls(c *Config, p *problems) {
	field := e.Field()
	if len(e.PriorNetworkAcls) > 0 && !e.ManageNetworkAcls {
		p.add(field+".priorNetworkAcls", len(e.PriorNetworkAcls), "subnets is not allowed: it records the ACLs manageNetworkAcls: true takes over")
	}
	listed := map[string]bool{}
	for _, s := range append(slices.Clone(e.PrivateSubnets), e.PublicSubnets...) {
		listed[s.ID] = true
	}
	for _, subnet := range slices.Sorted(maps.Keys(e.PriorNetworkAcls)) {
		f := field + ".priorNetworkAcls." + subnet
		if !listed[subnet] {
			p.add(f, subnet, "is not one of the listed subnets: map each listed subnet that had an ACL of its own to that ACL")
		}
		if acl := e.PriorNetworkAcls[subnet]; !networkAclIDPattern.MatchString(acl) {
			p.add(f, acl, "is not a network ACL id: use acl- and 8 or 17 hexadecimal digits, as aws ec2 describe-network-acls prints it")
		}
	}
	if e.ManageNetworkAcls {
		switch {
		case e.Lookup != nil:
			p.add(field+".manageNetworkAcls", true, "is not supported with a lookup yet: the ACL rules depend on subnets known only at synth; give the ids instead")
		case len(e.PublicSubnets) == 0:
			p.add(field+".manageNetworkAcls", true, "needs %s.publicSubnets: privatepatch's ACLs cover a public and a private subnet group", field)
		case c.Wsus.Enabled && e.WsusSubnet == WsusInPrivateSubnet:
			p.add(field+".manageNetworkAcls", true, "is not supported with wsusSubnet: private yet: the ACLs carry WSUS's flows to the public subnets")
		}
	}
}

// validateIds checks a VPC given by its ids, and returns its block.
func (e *ExistingVpc) validateIds(c *Config, p *problems) (vpc netip.Prefix, vpcOK bool) {
	field := e.Field()
	if !vpcIDPattern.MatchString(e.VpcID) {
		p.add(field+".vpcId", e.VpcID, "is not a VPC id: use vpc- and 8 or 17 hexadecimal digits, as aws ec2 describe-vpcs prints it")
	}
	vpc, vpcOK = parseCidr(p, field+".cidr", e.Cidr)
	if vpcOK && (vpc.Bits() < 16 || vpc.Bits() > 28) {
		p.add(field+".cidr", e.Cidr, "is not allowed: a VPC block has a prefix length from /16 to /28")
		vpcOK = false
	}

	if len(e.PrivateSubnets) == 0 || len(e.PrivateSubnets) > networkspec.MaxAzs {
		p.add(field+".privateSubnets", len(e.PrivateSubnets), "subnets is not allowed: list 1 to %d, one per availability zone", networkspec.MaxAzs)
	}
	needRouteTables := e.S3Endpoint == S3EndpointCreated
	seenIDs, seenZones := map[string]bool{}, map[string]bool{}
	var cidrs []netip.Prefix
	for i, s := range e.PrivateSubnets {
		f := fmt.Sprintf("%s.privateSubnets[%d]", field, i)
		if cidr, ok := e.validateSubnet(c, p, f, s, needRouteTables, vpc, vpcOK, seenIDs); ok {
			cidrs = append(cidrs, cidr)
		}
		if seenZones[s.Zone] {
			p.add(f+".zone", s.Zone, "is the zone of another private subnet: list one private subnet per availability zone")
		}
		seenZones[s.Zone] = true
	}
	if len(e.PublicSubnets) > 0 && len(e.PublicSubnets) != len(e.PrivateSubnets) {
		p.add(field+".publicSubnets", len(e.PublicSubnets), "subnets is not allowed: list one per zone of the %d private subnets, in the same order, or none", len(e.PrivateSubnets))
	}
	for i, s := range e.PublicSubnets {
		f := fmt.Sprintf("%s.publicSubnets[%d]", field, i)
		if cidr, ok := e.validateSubnet(c, p, f, s, false, vpc, vpcOK, seenIDs); ok {
			cidrs = append(cidrs, cidr)
		}
		if i < len(e.PrivateSubnets) && s.Zone != e.PrivateSubnets[i].Zone {
			p.add(f+".zone", s.Zone, "is not the zone of privateSubnets[%d] (%s): list the public subnets in the private subnets' zone order", i, e.PrivateSubnets[i].Zone)
		}
	}
	for _, o := range overlappingPrefixes(cidrs) {
		p.add(field, o[1].String(), "overlaps the listed subnet %s: each subnet has its own block", o[0])
	}

	return vpc, vpcOK
}

func (e *ExistingVpc) validateSubnet(c *Config, p *problems, field string, s ExistingSubnet, needRouteTable bool, vpc netip.Prefix, vpcOK bool, seen map[string]bool) (netip.Prefix, bool) {
	switch {
	case !subnetIDPattern.MatchString(s.ID):
		p.add(field+".id", s.ID, "is not a subnet id: use subnet- and 8 or 17 hexadecimal digits, as aws ec2 describe-subnets prints it")
	case seen[s.ID]:
		p.add(field+".id", s.ID, "is listed twice")
	}
	seen[s.ID] = true
	if problem := zoneProblem(s.Zone, c.Region); problem != "" {
		p.add(field+".zone", s.Zone, "%s", problem)
	}
	if s.RouteTableID != "" && !routeTableIDPattern.MatchString(s.RouteTableID) {
		p.add(field+".routeTableId", s.RouteTableID, "is not a route table id: use rtb- and 8 or 17 hexadecimal digits")
	} else if s.RouteTableID == "" && needRouteTable {
		p.add(field+".routeTableId", "", "is missing: the S3 gateway endpoint is added to the private subnets' route tables (or declare %s.s3Endpoint: existing)", e.Field())
	}
	cidr, ok := parseCidr(p, field+".cidr", s.Cidr)
	if ok && vpcOK && !networkspec.InsideBlock(vpc, cidr) {
		p.add(field+".cidr", s.Cidr, "is not inside %s.cidr %s", e.Field(), vpc)
		ok = false
	}
	return cidr, ok
}

func checkChoice(p *problems, field, value string, allowed ...string) {
	if !slices.Contains(allowed, value) {
		p.add(field, value, "is not allowed: use %s", strings.Join(allowed, " or "))
	}
}

// validateLookup checks a tag query; what it finds is checked at synth (constructs/network).
func (e *ExistingVpc) validateLookup(c *Config, p *problems) {
	field := e.Field() + ".lookup"
	if e.VpcID != "" || e.Cidr != "" || len(e.PrivateSubnets) > 0 || len(e.PublicSubnets) > 0 {
		p.add(field, "tags", "and vpcId, cidr, privateSubnets or publicSubnets are both given: give the ids, or a lookup that finds them")
	}
	if c.Account == "" {
		p.add(field, "tags", "needs account: CDK looks the VPC up at synth with credentials for that account and caches it in cdk.context.json (or give vpcId, cidr and the subnets)")
	}
	if len(e.Lookup.Tags) == 0 {
		p.add(field+".tags", "", "is empty: name the tags that find the VPC, e.g. {Name: workload-vpc}")
	}
	checkTags(p, field+".tags", e.Lookup.Tags)
	if e.Lookup.PrivateSubnetGroup == "none" {
		p.add(field+".privateSubnetGroup", "none", "is not allowed: the fleet needs private subnets")
	}
}
