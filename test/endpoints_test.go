package test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/constructs/network/networkspec"
)

// vpcEndpointSource is aws-cdk-lib's InterfaceVpcEndpointAwsService list.
const vpcEndpointSource = "package/aws-ec2/lib/vpc-endpoint.js"

// TestInterfaceEndpointServicesAreTheOnesCdkKnows reads aws-cdk-lib's
// InterfaceVpcEndpointAwsService list from the package the build uses, so that
// networkspec.InterfaceEndpointServices follows a CDK upgrade instead of drifting.
func TestInterfaceEndpointServicesAreTheOnesCdkKnows(t *testing.T) {
	t.Parallel()
	source := awsCdkLibFiles(t)[vpcEndpointSource]
	var regional []string
	for _, m := range regexp.MustCompile(`new InterfaceVpcEndpointAwsService\("([^"]*)"(?:,([^)]*))?\)`).FindAllStringSubmatch(string(source), -1) {
		rest := m[2]
		// The default prefix (com.amazonaws), not global, on the default port.
		if rest == "" || ((strings.HasPrefix(rest, `"com.amazonaws"`) || strings.HasPrefix(rest, "void 0")) && !strings.Contains(rest, "global") &&
			!regexp.MustCompile(`^[^,]*,\d`).MatchString(rest)) {
			regional = append(regional, m[1])
		}
	}
	slices.Sort(regional)
	regional = slices.Compact(regional)
	require.Greater(t, len(regional), 300, "the pattern no longer finds CDK's services")
	assert.Equal(t, regional, networkspec.InterfaceEndpointServices)
}
