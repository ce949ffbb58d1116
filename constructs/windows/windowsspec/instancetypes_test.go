package windowsspec

import (
	"regexp"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestInstanceTypesThatCannotRunWindowsOrDoNotExistAreRefused(t *testing.T) {
	for _, tc := range []struct{ instanceType, want string }{
		{"m6i.large", ""}, {"t3.micro", ""}, {"m7i-flex.2xlarge", ""}, {"c5.metal", ""}, {"r7iz.metal-16xl", ""},
		{"u7i-12tb.224xlarge", ""}, {"m5zn.12xlarge", ""}, {"x2iedn.32xlarge", ""},
		{"m7g.large", "cannot run Windows: m7g is an AWS Graviton (Arm) family"},
		{"t4g.micro", "cannot run Windows: t4g is an AWS Graviton"},
		{"c7g.xlarge", "cannot run Windows: c7g is an AWS Graviton"},
		{"a1.large", "cannot run Windows: a1 is an AWS Graviton"},
		{"mac1.metal", "cannot run Windows: mac1 is a Mac family"},
		{"mac2-m2pro.metal", "cannot run Windows: mac2-m2pro is a Mac family"},
		{"m9z.large", `its family "m9z" is none of those "Amazon EC2 instance types" lists`},
		{"m6i.huge", `its size "huge" is not nano, micro`},
		{"m6i.0xlarge", `its size "0xlarge"`},
		{"m6i", "is not an EC2 instance type: use one such as m6i.large"},
	} {
		got := InstanceTypeProblem(tc.instanceType)
		if tc.want == "" {
			assert.Empty(t, got, tc.instanceType)
		} else {
			assert.Contains(t, got, tc.want, tc.instanceType)
		}
	}
}

// TestEveryGravitonFamilyByTheNamingRuleIsListedAsNotWindows derives the Graviton families from
// the naming convention (a g among the attribute letters after the generation digit) and checks
// the hand-kept list against them both ways, Mac and a1 (Graviton's first, named before the
// convention) and p6e-gb200 (Grace, an Arm CPU, named by its GPU) aside.
func TestEveryGravitonFamilyByTheNamingRuleIsListedAsNotWindows(t *testing.T) {
	graviton := regexp.MustCompile(`^[a-z]+[0-9]+[a-z]*g[a-z]*$`)
	for _, family := range InstanceFamilies {
		byRule := graviton.MatchString(family)
		listed := slices.Contains(NonWindowsFamilies, family)
		special := family == "a1" || family == "p6e-gb200" || regexp.MustCompile(`^mac`).MatchString(family)
		if !special {
			assert.Equal(t, byRule, listed, "family %s: Graviton by its name %v, listed as not Windows %v", family, byRule, listed)
		}
	}
	for _, family := range NonWindowsFamilies {
		assert.Contains(t, InstanceFamilies, family, "a non-Windows family is a known family")
	}
}
