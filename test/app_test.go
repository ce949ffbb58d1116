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
// configuration in PRIVATEPATCH_CONFIG, writing to a new directory.
func runApp(t *testing.T, configPath string) (outDir, stderr string, exitCode int) {
	outDir = t.TempDir()
	stderr, exitCode = runAppIn(t, configPath, outDir)
	return outDir, stderr, exitCode
}

func runAppIn(t *testing.T, configPath, outDir string) (stderr string, exitCode int) {
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
	return errOut.String(), exitCode
}

func templates(t *testing.T, dir string) []string {
	found, err := filepath.Glob(filepath.Join(dir, "*.template.json"))
	require.NoError(t, err)
	return found
}

var (
	directRunOnce sync.Once
	directRunDir  string
	directRunOut  []byte
	directRunErr  error
)

// directRun runs the app once as `go run ./app` does, from the project root without the CLI's
// environment, into a directory of its own, and returns that directory.
func directRun(t *testing.T) string {
	binary := buildApp(t)
	directRunOnce.Do(func() {
		directRunDir, directRunErr = os.MkdirTemp("", "privatepatch-direct")
		if directRunErr != nil {
			return
		}
		app := exec.Command(binary)
		app.Dir = ".."
		app.Env = append(withoutCDKEnv(os.Environ()), "CDK_OUTDIR="+directRunDir)
		directRunOut, directRunErr = app.CombinedOutput()
	})
	require.NoError(t, directRunErr, "the app run directly: %s", directRunOut)
	return directRunDir
}

func TestAppWritesTemplatesAndBothNagReportsForTheDefaultConfiguration(t *testing.T) {
	outDir := directRun(t)
	var want []string
	for _, stack := range []string{"Network", "Fleet", "Patching"} {
		want = append(want, filepath.Join(outDir, stack+".template.json"))
	}
	assert.ElementsMatch(t, want, templates(t, outDir))
	for _, pack := range []string{"AwsSolutions", "NIST.800.53.R5"} {
		reports, _ := filepath.Glob(filepath.Join(outDir, pack+"-*NagReport.csv"))
		assert.Len(t, reports, 3, "cdk-nag writes a %s report next to each template", pack)
	}
}

func TestAppRejectsBadConfigurationWithoutWritingATemplate(t *testing.T) {
	dir := t.TempDir()
	file := func(name, yaml string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(yaml), 0o644))
		return path
	}
	const s3 = "  s3PrefixListCidrs: {us-west-2: [54.231.160.0/19]}\n"
	for _, tc := range []struct {
		name, path string
		want       []string
	}{
		{"every_invalid_value_reported", file("bad.yaml", "region: us-west-2\nnetwork:\n  adminCidrs: [0.0.0.0/0]\n  vpcCidr: 10.0.0.0/8\n"),
			[]string{"3 configuration problem(s)", `network.adminCidrs[0]: "0.0.0.0/0"`, `network.vpcCidr: "10.0.0.0/8"`,
				`network.s3PrefixListCidrs: "us-west-2" has no S3 prefix-list CIDRs`}},
		{"missing_file", filepath.Join(dir, "absent.yaml"), []string{"absent.yaml does not exist"}},
		{"null_section", file("null.yaml", "region: us-west-2\nwsus: ~\nnetwork:\n"+s3), []string{`wsus: "~" is empty`}},
		{"not_yaml", file("tabs.yaml", "region: us-west-2\n\tnetwork: {}\n"), []string{"tabs.yaml: line 2"}},
		{"acl_quota", file("quota.yaml", "region: us-west-2\naccount: \"111122223333\"\nnetwork:\n  azCount: 6\n  nat: {enabled: true}\n"+s3),
			[]string{"public inbound rules in one network ACL"}},
		{"garbage_schedule", file("rate.yaml", "region: us-west-2\npatching: {scan: {schedule: rate(1 days)}}\nnetwork:\n"+s3),
			[]string{`patching.scan.schedule: "rate(1 days)"`}},
		{"token_in_text", file("token.yaml", "region: us-west-2\ntags: {Owner: \"${Token[X.1]}\"}\nnetwork:\n"+s3), []string{"holds ${Token["}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			outDir := t.TempDir()
			// A cloud assembly from an earlier synth: a failed one must not leave it to be deployed.
			require.NoError(t, os.WriteFile(filepath.Join(outDir, "manifest.json"), []byte("{}"), 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(outDir, "Network.template.json"), []byte("{}"), 0o644))
			stderr, code := runAppIn(t, tc.path, outDir)
			assert.Equal(t, 1, code)
			for _, want := range tc.want {
				assert.Contains(t, stderr, want)
			}
			for _, trace := range []string{"goroutine ", "panic", "\n    at ", ".go:"} {
				assert.NotContains(t, stderr, trace, "a message, not a stack trace")
			}
			entries, err := os.ReadDir(outDir)
			require.NoError(t, err)
			assert.Empty(t, entries, "nothing is left in the output directory")
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

// TestGoRunAndCdkSynthWriteTheSameTemplates runs the real CDK CLI once: the app run directly
// (go run ./app) must apply cdk.json's feature flags and the CLI's own context as the CLI does.
func TestGoRunAndCdkSynthWriteTheSameTemplates(t *testing.T) {
	cdk, err := filepath.Abs(filepath.Join("..", "node_modules", ".bin", "cdk"))
	require.NoError(t, err)
	if _, err := os.Stat(cdk); err != nil {
		t.Fatalf("the CDK CLI is not installed: run make setup (%v)", err)
	}
	viaCLI, direct := t.TempDir(), directRun(t)
	cli := exec.Command(cdk, "synth", "--quiet", "--app", buildApp(t), "--output", viaCLI)
	cli.Dir = ".."
	out, err := cli.CombinedOutput()
	require.NoError(t, err, "cdk synth: %s", out)

	for _, stack := range []string{"Network", "Fleet", "Patching"} {
		want, err := os.ReadFile(filepath.Join(viaCLI, stack+".template.json"))
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join(direct, stack+".template.json"))
		require.NoError(t, err)
		assert.JSONEq(t, string(want), string(got), "%s: go run ./app and cdk synth differ", stack)
	}
}

func withoutCDKEnv(env []string) []string {
	var out []string
	for _, e := range env {
		if !strings.HasPrefix(e, "CDK_") {
			out = append(out, e)
		}
	}
	return out
}

// runVerify runs make verify's command on a cloud assembly, from the project root.
func runVerify(t *testing.T, assembly string, args ...string) (string, int) {
	cmd := exec.Command("go", append([]string{"run", "./tools/verify", "-assembly", assembly}, args...)...)
	cmd.Dir = ".."
	out, err := cmd.CombinedOutput()
	if exitErr, ok := err.(*exec.ExitError); ok {
		return string(out), exitErr.ExitCode()
	}
	require.NoError(t, err, "%s", out)
	return string(out), 0
}

func TestVerifyPrintsTheFlowTableAndSchemaCheckAndFailsOnABrokenTemplate(t *testing.T) {
	good := directRun(t)
	out, code := runVerify(t, good)
	require.Equal(t, 0, code, out)
	assert.Regexp(t, `yes\s+instance to WSUS over HTTP\s+8530\s+passes\s+rule 200 in allow 10\.0\.2\.0/24 8530-8531`, out)
	assert.Regexp(t, `no\s+internet RDP to the jump host\s+3389\s+denied\s+request entering the destination subnet: rule 900 in deny 0\.0\.0\.0/0 3389-3389`, out)
	assert.Regexp(t, `schema: \d+ resources in 3 templates .*: 0 problem\(s\)`, out)
	assert.Contains(t, out, "privatepatch-patching: every control passes", "the Control Tower controls, as docs/compliance.md lists them")
	assert.Contains(t, out, "privatepatch-network: failing ct-lambda-pr-3")

	// A copy without the public ACL's WSUS rule for the first private subnet, and with a typo.
	broken := t.TempDir()
	require.NoError(t, os.CopyFS(broken, os.DirFS(good)))
	path := filepath.Join(broken, "Network.template.json")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var template map[string]any
	require.NoError(t, json.Unmarshal(data, &template))
	resources := template["Resources"].(map[string]any)
	for id, r := range resources {
		if strings.HasPrefix(id, "NetworkPublicAclInWsusFromPrivate1") {
			delete(resources, id)
		}
		if strings.HasPrefix(id, "NetworkVpc7FB7348F") {
			props(r.(map[string]any))["EnableDnsHostname"] = true
		}
	}
	data, err = json.Marshal(template)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, data, 0o644))
	out, code = runVerify(t, broken, "-control-tower=false")
	assert.Equal(t, 1, code, out)
	assert.Regexp(t, `yes\s+instance to WSUS over HTTP\s+8530\s+denied\s+request entering the destination subnet: rule 920 in deny 0\.0\.0\.0/0 8530-8531\s+<-- WRONG`, out,
		"without its allow rule, the WSUS denial decides")
	assert.Contains(t, out, "(AWS::EC2::VPC): unknown property EnableDnsHostname")
}
