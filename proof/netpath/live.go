package netpath

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"sort"
	"strconv"
)

// LiveACL is a network ACL as DescribeNetworkAcls answers it (Amazon EC2 API Reference,
// "NetworkAcl" and "NetworkAclEntry": CidrBlock, Egress, PortRange From/To, Protocol as a
// string, "-1" for all, RuleAction allow or deny, RuleNumber; read 2026-12-07): its IPv4
// entries and the subnets associated with it.
type LiveACL struct {
	ID      string
	Entries ACL
	Subnets []string
}

// ParseLiveACLs reads aws ec2 describe-network-acls --output json. IPv6 entries (Ipv6CidrBlock,
// no CidrBlock) are left out: no flow here is IPv6.
func ParseLiveACLs(data []byte) ([]LiveACL, error) {
	var out struct {
		NetworkAcls *[]struct {
			NetworkAclID string `json:"NetworkAclId"`
			Associations []struct {
				SubnetID string `json:"SubnetId"`
			} `json:"Associations"`
			Entries []struct {
				CidrBlock  string `json:"CidrBlock"`
				Egress     bool   `json:"Egress"`
				Protocol   string `json:"Protocol"`
				RuleAction string `json:"RuleAction"`
				RuleNumber int    `json:"RuleNumber"`
				PortRange  *struct {
					From int `json:"From"`
					To   int `json:"To"`
				} `json:"PortRange"`
			} `json:"Entries"`
		} `json:"NetworkAcls"`
	}
	if err := json.Unmarshal(data, &out); err != nil || out.NetworkAcls == nil {
		return nil, fmt.Errorf("not the output of aws ec2 describe-network-acls (no NetworkAcls): %v", err)
	}
	var acls []LiveACL
	for _, a := range *out.NetworkAcls {
		acl := LiveACL{ID: a.NetworkAclID}
		for _, s := range a.Associations {
			acl.Subnets = append(acl.Subnets, s.SubnetID)
		}
		for _, e := range a.Entries {
			if e.CidrBlock == "" {
				continue
			}
			cidr, err := netip.ParsePrefix(e.CidrBlock)
			if err != nil {
				return nil, fmt.Errorf("ACL %s rule %d: %w", a.NetworkAclID, e.RuleNumber, err)
			}
			protocol, err := strconv.Atoi(e.Protocol)
			if err != nil {
				return nil, fmt.Errorf("ACL %s rule %d: protocol %q: %w", a.NetworkAclID, e.RuleNumber, e.Protocol, err)
			}
			entry := Entry{Number: e.RuleNumber, Egress: e.Egress, Protocol: protocol, Cidr: cidr, Allow: e.RuleAction == "allow"}
			if e.PortRange != nil {
				entry.From, entry.To = e.PortRange.From, e.PortRange.To
			} else if protocol == 6 {
				entry.From, entry.To = 0, 65535 // TCP without a range: every port
			}
			acl.Entries = append(acl.Entries, entry)
		}
		sort.SliceStable(acl.Entries, func(i, j int) bool { return acl.Entries[i].Number < acl.Entries[j].Number })
		acls = append(acls, acl)
	}
	return acls, nil
}

// SubnetIDs are the ids of the subnets the template's outputs name (an existing VPC's), sorted.
func (m Model) SubnetIDs() []string {
	var ids []string
	for id := range m.subnetsByID {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// WithLiveACLs returns the model (FromSecurityGroups) with the subnets' ACLs as AWS answered
// them, so that its ACL layer is judged; it fails naming a subnet no ACL of the answer holds.
func (m Model) WithLiveACLs(acls []LiveACL) (Model, error) {
	m.SubnetACL, m.ACLs, m.subnetACLID = map[netip.Prefix]ACL{}, map[string]ACL{}, map[netip.Prefix]string{}
	for _, acl := range acls {
		m.ACLs[acl.ID] = acl.Entries
		for _, subnet := range acl.Subnets {
			if cidr, ok := m.subnetsByID[subnet]; ok {
				m.SubnetACL[cidr], m.subnetACLID[cidr] = acl.Entries, acl.ID
			}
		}
	}
	for _, id := range m.SubnetIDs() {
		if _, ok := m.subnetACLID[m.subnetsByID[id]]; !ok {
			return m, fmt.Errorf("subnet %s: no network ACL of the answer is associated with it", id)
		}
	}
	m.AclsNotModelled = false
	return m, nil
}

// ACLIDOf is the id of the ACL of the subnet holding a, or "" outside the VPC.
func (m Model) ACLIDOf(a netip.Addr) string {
	for subnet, id := range m.subnetACLID {
		if subnet.Contains(a) {
			return id
		}
	}
	return ""
}

// WithNATGateway adds a NAT gateway of the VPC at ip, in the subnet of that id, whose ACL
// WithLiveACLs then reads with the others: the flows through NAT cross it (ThroughNAT). The
// subnet's own CIDR is not needed: the gateway's address stands for it.
func (m Model) WithNATGateway(subnet string, ip netip.Addr) Model {
	if cidr, known := m.subnetsByID[subnet]; known && cidr.Contains(ip) {
		return m // a subnet of the outputs' (the WSUS server's public one): its CIDR holds the gateway
	}
	byID := maps.Clone(m.subnetsByID)
	byID[subnet] = netip.PrefixFrom(ip, ip.BitLen())
	m.subnetsByID = byID
	return m
}

// SubnetCidr is the CIDR of a subnet the outputs name, by id.
func (m Model) SubnetCidr(id string) (netip.Prefix, bool) {
	cidr, ok := m.subnetsByID[id]
	return cidr, ok
}
