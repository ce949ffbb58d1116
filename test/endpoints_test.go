package test

import (
	"archive/tar"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/constructs/network/networkspec"
)

// TestInterfaceEndpointServicesAreTheOnesCdkKnows reads aws-cdk-lib's
// InterfaceVpcEndpointAwsService list from the package the build uses, so that
// networkspec.InterfaceEndpointServices follows a CDK upgrade instead of drifting.
func TestInterfaceEndpointServicesAreTheOnesCdkKnows(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-cdk-go/awscdk/v2").Output()
	require.NoError(t, err)
	archives, err := filepath.Glob(filepath.Join(strings.TrimSpace(string(out)), "jsii", "aws-cdk-lib-*.tgz"))
	require.NoError(t, err)
	require.Len(t, archives, 1)
	f, err := os.Open(archives[0])
	require.NoError(t, err)
	defer f.Close()
	gz, err := gzip.NewReader(f)
	require.NoError(t, err)
	archive := tar.NewReader(gz)
	var source []byte
	for {
		h, err := archive.Next()
		require.NoError(t, err, "aws-ec2/lib/vpc-endpoint.js not found")
		if h.Name == "package/aws-ec2/lib/vpc-endpoint.js" {
			source, err = io.ReadAll(archive)
			require.NoError(t, err)
			break
		}
	}
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
