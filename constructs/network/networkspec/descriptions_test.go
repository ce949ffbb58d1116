package networkspec

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSecurityGroupDescriptionsTakeOnlyTheCharactersEc2Accepts(t *testing.T) {
	for _, ok := range []string{
		"", "WSUS from private subnet 1", "RDP from administrators (1)",
		"Systems Manager interface endpoints: HTTPS from the VPC only", "a-z A-Z 0-9 ._-:/()#,@[]+=;{}!$*",
	} {
		assert.Empty(t, SecurityGroupDescriptionProblem(ok), ok)
	}
	for _, bad := range []string{
		"S3 through the gateway endpoint (the region's S3 managed prefix list)", // planted: EC2 refuses the apostrophe
		`HTTPS to "the hub"`, "WSUS -> server", "a & b", "tab\there", "über", strings.Repeat("a", 256),
	} {
		assert.NotEmpty(t, SecurityGroupDescriptionProblem(bad), bad)
	}
	assert.Contains(t, SecurityGroupDescriptionProblem("the region's list"), SecurityGroupDescriptionChars)
}
