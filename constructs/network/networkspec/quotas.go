package networkspec

import (
	"maps"
	"net/netip"
	"slices"
)

// Quotas and address rules AWS enforces when the network is deployed.
const (
	// MaxInterfaceEndpointsPerVpc is the default quota of "Interface and Gateway Load Balancer
	// endpoints per VPC" ("AWS PrivateLink quotas", AWS PrivateLink Guide, read 2026-12-06: 50,
	// adjustable). A raised quota is not visible offline, so the default is the limit here.
	MaxInterfaceEndpointsPerVpc = 50
	// MaxEndpointPolicyCharacters is "Characters per VPC endpoint policy" ("AWS PrivateLink
	// quotas", read 2026-12-06: 20,480, not adjustable, "including white space").
	MaxEndpointPolicyCharacters = 20480
	// SubnetReservedAddresses are the addresses of every subnet that AWS keeps: the first four and
	// the last ("Subnet CIDR blocks", Amazon VPC User Guide, read 2026-12-06), whose smallest
	// allowed subnet is a /28 (MaxPrefixLength): 11 usable addresses.
	SubnetReservedAddresses = 5
)

// UsableAddresses is how many addresses of a subnet with prefix length bits AWS lets network
// interfaces use.
func UsableAddresses(bits int) int {
	if bits > MaxPrefixLength || bits < 0 {
		return 0
	}
	return 1<<(32-bits) - SubnetReservedAddresses
}

// ReservedOverlaps names the special-purpose blocks (ReservedIPv4) that prefix overlaps, sorted:
// the one rule for a VPC privatepatch creates and one that exists.
func ReservedOverlaps(prefix netip.Prefix) []string {
	var names []string
	for _, name := range slices.Sorted(maps.Keys(ReservedIPv4)) {
		if prefix.Overlaps(ReservedIPv4[name]) {
			names = append(names, name)
		}
	}
	return names
}
