package test

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	appBinaryOnce sync.Once
	appBinary     string
	appBinaryErr  error
)

// buildApp compiles ./app once, as `cdk synth` runs it.
func buildApp(t *testing.T) string {
	appBinaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "privatepatch-app")
		if err != nil {
			appBinaryErr = err
			return
		}
		appBinary = filepath.Join(dir, "app")
		out, err := exec.Command("go", "build", "-o", appBinary, "../app").CombinedOutput()
		if err != nil {
			appBinaryErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, appBinaryErr)
	return appBinary
}

// runApp runs the app as the CDK CLI would (cdk.json's context in CDK_CONTEXT_JSON), with the
// configuration in PRIVATEPATCH_CONFIG.
func runApp(t *testing.T, configPath string) (outDir, stderr string, exitCode int) {
	outDir = t.TempDir()
	context, err := json.Marshal(cdkJSONContext(t))
	require.NoError(t, err)
	cmd := exec.Command(buildApp(t))
	cmd.Env = append(os.Environ(), "CDK_OUTDIR="+outDir, "PRIVATEPATCH_CONFIG="+configPath, "CDK_CONTEXT_JSON="+string(context))
	var errOut strings.Builder
	cmd.Stderr = &errOut
	err = cmd.Run()
	if exitErr, ok := err.(*exec.ExitError); ok {
		exitCode = exitErr.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return outDir, errOut.String(), exitCode
}

func templates(t *testing.T, dir string) []string {
	found, err := filepath.Glob(filepath.Join(dir, "*.template.json"))
	require.NoError(t, err)
	return found
}

func TestAppWritesTemplateAndNagReportForTheDefaultConfiguration(t *testing.T) {
	outDir, stderr, code := runApp(t, "")
	require.Equal(t, 0, code, stderr)
	var want []string
	for _, stack := range []string{"Network", "Fleet", "Patching"} {
		want = append(want, filepath.Join(outDir, stack+".template.json"))
	}
	assert.ElementsMatch(t, want, templates(t, outDir))
	reports, _ := filepath.Glob(filepath.Join(outDir, "AwsSolutions-*NagReport.csv"))
	assert.Len(t, reports, 3, "cdk-nag writes a report next to each template")
}

func TestAppRejectsBadConfigurationWithoutWritingATemplate(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("region: us-west-2\nnetwork:\n  adminCidrs: [0.0.0.0/0]\n  vpcCidr: 10.0.0.0/8\n"), 0o644))
	for _, tc := range []struct {
		name, path string
		want       []string
	}{
		{"every_invalid_value_reported", bad, []string{"3 configuration problem(s)", `network.adminCidrs[0]: "0.0.0.0/0"`,
			`network.vpcCidr: "10.0.0.0/8"`, `network.s3PrefixListCidrs: "us-west-2" has no S3 prefix-list CIDRs`}},
		{"missing_file", filepath.Join(dir, "absent.yaml"), []string{"absent.yaml does not exist"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			outDir, stderr, code := runApp(t, tc.path)
			assert.Equal(t, 1, code)
			for _, want := range tc.want {
				assert.Contains(t, stderr, want)
			}
			assert.Empty(t, templates(t, outDir), "bad input must not produce a partial template")
		})
	}
}

func TestCdkJsonEnablesEveryRecommendedFeatureFlagAndWorksOffline(t *testing.T) {
	cdkJSONContext(t)
	assert.Equal(t, "go run ./app", cdkJSON.App)
	require.NotNil(t, cdkJSON.Notices)
	assert.False(t, *cdkJSON.Notices, "notices need the internet")
	assert.Equal(t, false, cdkJSON.Context["cli-telemetry"])

	recommended := recommendedFeatureFlags(t)
	require.NotEmpty(t, recommended)
	for flag, value := range recommended {
		assert.Equal(t, value, cdkJSON.Context[flag], "cdk.json sets %s as recommended by the pinned aws-cdk-lib", flag)
	}
}

// recommendedFeatureFlags reads recommended-feature-flags.json from the aws-cdk-lib bundled in
// the Go module that go.mod pins.
func recommendedFeatureFlags(t *testing.T) map[string]any {
	goMod, err := os.ReadFile("../go.mod")
	require.NoError(t, err)
	version := regexp.MustCompile(`github.com/aws/aws-cdk-go/awscdk/v2 v(\S+)`).FindSubmatch(goMod)
	require.NotNil(t, version)
	modCache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	require.NoError(t, err)
	tgz := filepath.Join(strings.TrimSpace(string(modCache)), "github.com/aws/aws-cdk-go/awscdk/v2@v"+string(version[1]),
		"jsii", "aws-cdk-lib-"+string(version[1])+".tgz")
	f, err := os.Open(tgz)
	require.NoError(t, err)
	defer f.Close()
	gz, err := gzip.NewReader(f)
	require.NoError(t, err)
	archive := tar.NewReader(gz)
	for {
		header, err := archive.Next()
		if err == io.EOF {
			t.Fatalf("%s has no recommended-feature-flags.json", tgz)
		}
		require.NoError(t, err)
		if header.Name == "package/recommended-feature-flags.json" {
			var flags map[string]any
			require.NoError(t, json.NewDecoder(archive).Decode(&flags))
			return flags
		}
	}
}

func TestStacksDeployInDependencyOrder(t *testing.T) {
	s := defaultScenario.synth(t)
	names := func(stacks *[]awscdk.Stack) []string {
		var out []string
		for _, st := range *stacks {
			out = append(out, *st.StackName())
		}
		return out
	}
	assert.Empty(t, names(s.app.Network.Dependencies()))
	assert.Equal(t, []string{"privatepatch-network"}, names(s.app.Fleet.Dependencies()), "the fleet reads the VPC and its security groups")
	assert.Equal(t, []string{"privatepatch-fleet"}, names(s.app.Patching.Dependencies()), "patching writes to the fleet stack's bucket")
}
