package network

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatepatch/privatepatch/constructs/network/networkspec"
)

// stableSubnets allocates each subnet the CIDR of its block (see networkspec.SubnetBlock). It implements
// awsec2.IIpAddresses.
type stableSubnets struct {
	vpc  netip.Prefix
	mask int
}

func (a *stableSubnets) AllocateVpcCidr() *awsec2.VpcIpamOptions {
	return &awsec2.VpcIpamOptions{CidrBlock: jsii.String(a.vpc.String())}
}

// subnetNumber reads the AZ position from CDK's subnet construct ids (PublicSubnet1, ...).
var subnetNumber = regexp.MustCompile(`Subnet(\d+)$`)

func (a *stableSubnets) AllocateSubnetsCidr(input *awsec2.AllocateCidrRequest) *awsec2.SubnetIpamOptions {
	var allocated []*awsec2.AllocatedSubnet
	for _, subnet := range *input.RequestedSubnets {
		m := subnetNumber.FindStringSubmatch(*subnet.SubnetConstructId)
		if m == nil {
			panic(fmt.Sprintf("unexpected subnet construct id %q", *subnet.SubnetConstructId))
		}
		number, _ := strconv.Atoi(m[1])
		cidr, err := a.blockCidr(networkspec.SubnetBlock(*subnet.Configuration.Name, number-1))
		if err != nil {
			panic(err.Error())
		}
		allocated = append(allocated, &awsec2.AllocatedSubnet{Cidr: jsii.String(cidr)})
	}
	return &awsec2.SubnetIpamOptions{AllocatedSubnets: &allocated}
}

// blockCidr is the CIDR of the block-th subnet-sized block of the VPC range.
func (a *stableSubnets) blockCidr(block int) (string, error) {
	size := uint32(1) << (32 - a.mask)
	if uint64(block+1)*uint64(size) > uint64(1)<<(32-a.vpc.Bits()) {
		return "", fmt.Errorf("VPC %s has no room for subnet block %d of /%d", a.vpc, block, a.mask)
	}
	base := a.vpc.Addr().As4()
	start := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
	start += uint32(block) * size
	addr := netip.AddrFrom4([4]byte{byte(start >> 24), byte(start >> 16), byte(start >> 8), byte(start)})
	return netip.PrefixFrom(addr, a.mask).String(), nil
}
