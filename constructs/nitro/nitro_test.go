package nitro

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNitroTypesAreAcceptedAndXenTypesRefused(t *testing.T) {
	for _, nitro := range []string{"m6i.large", "t3.large", "m5.xlarge", "t3a.medium", "c5.2xlarge", "r5d.large", "m7i.large",
		"p3dn.24xlarge", "i3.metal", "i3en.large", "x2iedn.xlarge", "u-6tb1.metal", "z1d.large"} {
		assert.True(t, Based(nitro), "%s is built on Nitro", nitro)
	}
	for _, xen := range []string{"t2.large", "m4.large", "m4.16xlarge", "c4.xlarge", "r4.large", "i3.large", "p3.2xlarge",
		"x1e.xlarge", "g3s.xlarge", "m3.medium", "t1.micro", "hs1.8xlarge"} {
		assert.False(t, Based(xen), "%s is built on Xen", xen)
	}
}

func TestXenFamiliesAreSortedAndACopy(t *testing.T) {
	families := XenFamilies()
	assert.IsIncreasing(t, families)
	families[0] = "m6i"
	assert.True(t, Based("m6i.large"), "a caller changing the list it got does not change the rule")
}
