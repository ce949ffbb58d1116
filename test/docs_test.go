package test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/constructs/awsbuckets"
)

func readDoc(t *testing.T, path string) string {
	data, err := os.ReadFile(filepath.Join("..", path))
	require.NoError(t, err)
	return string(data)
}

// The pipeline's build command is described as it runs (stacks/pipeline.go's buildspec, which
// TestPipelineBuildsTestsAndDeploysEachEnvironmentInWavesByRegion checks): make test, then make
// verify of the configuration file, never make synth.
func TestDocsDescribeThePipelineBuildAsItRuns(t *testing.T) {
	for path, want := range map[string]string{
		"README.md":           "runs `make test` and `make verify CONFIG=<configFile>`",
		"config/example.yaml": "runs make test and make verify CONFIG=<configFile> on CodeBuild",
		"stacks/pipeline.go":  "(make test,\n// then make verify of the configuration file)",
	} {
		text := readDoc(t, path)
		assert.Contains(t, text, want, path)
		assert.NotRegexp(t, `make test,? (then|and) make synth`, text, "%s: the build runs make verify, not make synth", path)
	}
}

// The pinned CLI refuses cdk bootstrap --trust without --cloudformation-execution-policies
// (aws-cdk 2.1148.1, lib/index.js: MissingExecutionPoliciesForTrust), so every documented
// bootstrap that trusts an account names them.
func TestDocumentedBootstrapWithTrustNamesExecutionPolicies(t *testing.T) {
	found := 0
	for _, path := range []string{"README.md", "config/example.yaml"} {
		text := strings.ReplaceAll(readDoc(t, path), "\\\n", " ")
		for _, command := range regexp.MustCompile(`cdk bootstrap[^\n`+"`"+`]*--trust[^\n`+"`"+`]*`).FindAllString(text, -1) {
			found++
			assert.Contains(t, command, "--cloudformation-execution-policies", "%s: %s", path, command)
		}
	}
	assert.Positive(t, found, "the README says how to bootstrap for the pipeline")
}

// An instance brought into the fleet reads the Systems Manager buckets through the S3 endpoint,
// and AWS asks for that permission in its instance profile (awsbuckets.PatchingPage): the bring-
// your-own-fleet docs spell out the statement the stack's own roles carry, bucket by bucket.
func TestBringYourOwnFleetDocsNameTheS3ReadStatementOfTheInstanceProfile(t *testing.T) {
	text := readDoc(t, "docs/wsus.md")
	start := strings.Index(text, "## Bring your own fleet")
	require.GreaterOrEqual(t, start, 0)
	section := text[start:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	for _, want := range []string{`"Sid": "ReadSystemsManagerBuckets"`, `"Action": "s3:GetObject"`, "AmazonSSMManagedInstanceCore does not"} {
		assert.Contains(t, section, want)
	}
	const region = "us-west-2"
	for _, bucket := range awsbuckets.SystemsManager(region) {
		name := strings.ReplaceAll(bucket, region, "REGION")
		if strings.HasPrefix(name, "aws-patch-manager-REGION-") {
			name = "aws-patch-manager-REGION-SUFFIX"
		}
		assert.Contains(t, section, `"arn:aws:s3:::`+name+`/*"`)
	}
}
