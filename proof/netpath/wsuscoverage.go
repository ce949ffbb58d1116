package netpath

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
)

// WsusClientCoverageProblems proves that the WSUS server's subnet's network ACL admits WSUS
// (wsusspec.HTTPPort, HTTPSPort) in from every address of each configured on-premises range
// (network.wsusClientCidrs) and passes the replies out to them on Windows' dynamic ports: the
// flow table tries the first address of each range only, so a rule narrowed from a /12 to a /16
// (run 25's A19) passes it while the rest of the range hits the ACL's default deny. The sets
// are exact, in rule-number order, as S3CoverageProblems' (cover). An ACL the template does not
// hold (AclsNotModelled) is the user's: none.
func (m Model) WsusClientCoverageProblems(wsusClientCidrs []string) []string {
	if m.AclsNotModelled || len(wsusClientCidrs) == 0 {
		return nil
	}
	var ids []string
	for subnet, id := range m.subnetACLID {
		if subnet.Contains(m.ServerHost()) && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	var problems []string
	for _, id := range ids {
		for _, text := range wsusClientCidrs {
			cidr, err := netip.ParsePrefix(text)
			if err != nil {
				continue // the configuration's validation refuses it
			}
			cidr = cidr.Masked()
			for _, d := range []struct {
				egress bool
				ports  PortRange
				what   string
			}{{false, PortRange{wsusspec.HTTPPort, wsusspec.HTTPSPort}, "WSUS in from"},
				{true, WindowsServerPorts, "replies to ports " + WindowsServerPorts.String() + " out to"}} {
				denied, unmatched := m.ACLs[id].cover(d.egress, box{cidr, d.ports})
				where := fmt.Sprintf("network ACL %s (the WSUS server's subnet): %s on-premises range %s (network.wsusClientCidrs)", id, d.what, cidr)
				for _, part := range denied {
					problems = append(problems, fmt.Sprintf("%s: %s is denied by %s, the first rule it matches", where, describe(part.boxes, d.ports), part.entry))
				}
				if len(unmatched) > 0 {
					problems = append(problems, fmt.Sprintf("%s: %s matches no rule (implicit deny)", where, describe(unmatched, d.ports)))
				}
			}
		}
	}
	return problems
}
