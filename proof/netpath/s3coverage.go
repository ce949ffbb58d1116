package netpath

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/network/networkspec"
)

// S3CoverageProblems proves that each private subnet's network ACL passes HTTPS out to every
// address of the region's S3 ranges (m.PrefixListCidrs, the ones the flow table and the construct
// use) and the replies from every one of them to the instances' client ports: the flow table
// tries one address of each range, and a rule narrowed to half a range (mutation run 21's A07),
// or a deny numbered below its allow, passes that address. S3 answers from any address of its
// prefix list ("AWS IP address ranges", Amazon VPC User Guide: published "to allow or deny
// traffic to or from some AWS services"; read 2026-12-07), so a part left out fails some
// downloads and uploads, by which address DNS returns. The WSUS server's subnet, where it is a
// public one, is proven too, on the server's client ports: its SSM Agent and the patch baseline's
// downloads reach S3 from there (review of run 21, 3c). The sets are computed exactly, CIDR by
// CIDR, in rule-number order ("Network ACL rules", Amazon VPC User Guide: "Rules are evaluated
// starting with the lowest numbered rule. As soon as a rule matches traffic, it's applied
// regardless of any higher-numbered rule that might contradict it"; read 2026-12-07). An ACL the
// template does not hold (AclsNotModelled) is the user's: none.
func (m Model) S3CoverageProblems() []string {
	if m.AclsNotModelled {
		return nil
	}
	var problems []string
	for _, acl := range m.s3ACLs() {
		for _, cidr := range m.PrefixListCidrs {
			for _, d := range []struct {
				egress bool
				ports  PortRange
				what   string
			}{{true, PortRange{networkspec.HTTPSPort, networkspec.HTTPSPort}, "HTTPS out to"}, {false, acl.clients, "replies to ports " + acl.clients.String() + " in from"}} {
				denied, unmatched := m.ACLs[acl.id].cover(d.egress, box{cidr, d.ports})
				where := fmt.Sprintf("network ACL %s (%s): %s S3 range %s", acl.id, acl.whose, d.what, cidr)
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

// s3ACL is an ACL whose subnets' clients reach S3, and those clients' ports.
type s3ACL struct {
	id, whose string
	clients   PortRange
}

// s3ACLs are the private subnets' ACLs, on a fleet instance's client ports (the WSUS server's,
// where it sits in a private subnet, are among them), then the WSUS server's subnet's, where it
// is another, on Windows Server's.
func (m Model) s3ACLs() []s3ACL {
	var ids []string
	for _, subnet := range m.Private {
		if id, ok := m.subnetACLID[subnet]; ok && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	var acls []s3ACL
	for _, id := range ids {
		acls = append(acls, s3ACL{id, "private subnets", InstancePorts})
	}
	for subnet, id := range m.subnetACLID {
		if subnet.Contains(m.ServerHost()) && !slices.Contains(ids, id) {
			acls = append(acls, s3ACL{id, "the WSUS server's subnet", WindowsServerPorts})
		}
	}
	return acls
}

// box is the set of every address of a prefix on every port of a range.
type box struct {
	cidr  netip.Prefix
	ports PortRange
}

// deniedPart is what one deny entry takes of the addresses and ports asked for.
type deniedPart struct {
	entry Entry
	boxes []box
}

// cover walks the entries of one direction in rule-number order over want, each deciding the
// part it matches that no lower-numbered entry has decided: it returns the parts deny entries
// take, and what no entry matches (denied by default).
func (a ACL) cover(egress bool, want box) ([]deniedPart, []box) {
	left := []box{want}
	var denied []deniedPart
	for _, e := range a {
		if e.Egress != egress || (e.Protocol != 6 && e.Protocol != -1) {
			continue
		}
		ports := PortRange{e.From, e.To}
		if e.Protocol == -1 {
			ports = PortRange{0, 65535}
		}
		var rest, matched []box
		for _, b := range left {
			cidr, inCidr := intersect(b.cidr, e.Cidr)
			lo, hi := max(b.ports.From, ports.From), min(b.ports.To, ports.To)
			if !inCidr || lo > hi {
				rest = append(rest, b)
				continue
			}
			matched = append(matched, box{cidr, PortRange{lo, hi}})
			for _, p := range subtract(b.cidr, e.Cidr) {
				rest = append(rest, box{p, b.ports})
			}
			for _, r := range []PortRange{{b.ports.From, lo - 1}, {hi + 1, b.ports.To}} {
				if r.From <= r.To {
					rest = append(rest, box{cidr, r})
				}
			}
		}
		if !e.Allow && len(matched) > 0 {
			denied = append(denied, deniedPart{e, matched})
		}
		if left = rest; len(left) == 0 {
			break
		}
	}
	return denied, left
}

// intersect is the prefix both a and b hold (two prefixes are nested or disjoint).
func intersect(a, b netip.Prefix) (netip.Prefix, bool) {
	switch {
	case !a.Overlaps(b):
		return netip.Prefix{}, false
	case a.Bits() >= b.Bits():
		return a, true
	}
	return b, true
}

// subtract is a less what b holds, as the fewest prefixes: halving a down to b, the halves
// that do not hold b.
func subtract(a, b netip.Prefix) []netip.Prefix {
	if !a.Overlaps(b) {
		return []netip.Prefix{a}
	}
	var out []netip.Prefix
	for a.Bits() < b.Bits() {
		low, high := halves(a)
		if high.Overlaps(b) {
			out, a = append(out, low), high
		} else {
			out, a = append(out, high), low
		}
	}
	return out
}

// halves splits a prefix into its lower and upper half.
func halves(p netip.Prefix) (netip.Prefix, netip.Prefix) {
	bits := p.Bits()
	raw := p.Masked().Addr().AsSlice()
	low := netip.PrefixFrom(p.Masked().Addr(), bits+1)
	raw[bits/8] |= 0x80 >> (bits % 8)
	high, _ := netip.AddrFromSlice(raw)
	return low, netip.PrefixFrom(high, bits+1)
}

// describe names a set of boxes: the addresses of each port range as ranges, each written as a
// CIDR where it is one, and the ports where they are not all those asked for.
func describe(boxes []box, asked PortRange) string {
	byPorts := map[PortRange][]netip.Prefix{}
	var order []PortRange
	for _, b := range boxes {
		if _, seen := byPorts[b.ports]; !seen {
			order = append(order, b.ports)
		}
		byPorts[b.ports] = append(byPorts[b.ports], b.cidr)
	}
	slices.SortFunc(order, func(x, y PortRange) int { return x.From - y.From })
	var parts []string
	for _, ports := range order {
		text := strings.Join(addressRanges(byPorts[ports]), ", ")
		if ports != asked {
			text += " on ports " + ports.String()
		}
		parts = append(parts, text)
	}
	return strings.Join(parts, "; ")
}

// addressRanges merges prefixes into runs of consecutive addresses, each written as a CIDR where
// it is exactly one, else first-last.
func addressRanges(prefixes []netip.Prefix) []string {
	slices.SortFunc(prefixes, func(x, y netip.Prefix) int { return x.Addr().Compare(y.Addr()) })
	var out []string
	for i := 0; i < len(prefixes); {
		first, last := prefixes[i].Masked().Addr(), lastAddr(prefixes[i])
		for i++; i < len(prefixes) && prefixes[i].Masked().Addr() == last.Next(); i++ {
			last = lastAddr(prefixes[i])
		}
		out = append(out, rangeText(first, last))
	}
	return out
}

func lastAddr(p netip.Prefix) netip.Addr {
	raw := p.Masked().Addr().AsSlice()
	for bit := p.Bits(); bit < len(raw)*8; bit++ {
		raw[bit/8] |= 0x80 >> (bit % 8)
	}
	a, _ := netip.AddrFromSlice(raw)
	return a
}

func rangeText(first, last netip.Addr) string {
	for bits := 0; bits <= first.BitLen(); bits++ {
		if p := netip.PrefixFrom(first, bits); p.Masked().Addr() == first && lastAddr(p) == last {
			return p.String()
		}
	}
	return first.String() + "-" + last.String()
}
