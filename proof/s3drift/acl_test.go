package s3drift

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/privatepatch/privatepatch/proof/netpath"
)

func TestAclCidrsAreThePrivateAclsHttpsRangesOutsideTheVpc(t *testing.T) {
	private, public := netip.MustParsePrefix("172.20.2.0/24"), netip.MustParsePrefix("172.20.0.0/24")
	entry := func(number int, cidr string, port int) netpath.Entry {
		return netpath.Entry{Number: number, Egress: true, Protocol: 6, Cidr: netip.MustParsePrefix(cidr), From: port, To: port, Allow: true}
	}
	m := netpath.Model{
		Public: []netip.Prefix{public}, Private: []netip.Prefix{private},
		SubnetACL: map[netip.Prefix]netpath.ACL{
			public: nil,
			private: {entry(100, "172.20.0.0/16", 443), entry(300, "52.218.0.0/17", 443), entry(301, "3.5.64.0/21", 443),
				entry(410, "0.0.0.0/0", 443), entry(200, "172.20.0.0/24", 8530)},
		},
	}
	assert.Equal(t, []string{"3.5.64.0/21", "52.218.0.0/17"}, AclCidrs(m), "not the VPC range, NAT's 0.0.0.0/0 or WSUS's port; sorted")
}
