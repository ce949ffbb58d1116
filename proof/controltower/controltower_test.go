package controltower

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func bucket(versioned bool) map[string]any {
	properties := map[string]any{}
	if versioned {
		properties["VersioningConfiguration"] = map[string]any{"Status": "Enabled"}
	}
	return map[string]any{"Resources": map[string]any{"Bucket": map[string]any{"Type": "AWS::S3::Bucket", "Properties": properties}}}
}

func TestRuleFilesAreThoseOfDeclaredResourceTypesLessSkippedControls(t *testing.T) {
	guard, err := Find("../..")
	require.NoError(t, err)
	topic := map[string]any{"Resources": map[string]any{"Topic": map[string]any{"Type": "AWS::SNS::Topic"}}}
	assert.Empty(t, guard.RuleFiles([]map[string]any{topic}, nil), "no Control Tower rule checks SNS topics")

	rules := guard.RuleFiles([]map[string]any{topic, bucket(true)}, map[string]bool{"ct-s3-pr-10": true})
	assert.Contains(t, rules, filepath.Join(guard.Rules, "s3", "ct-s3-pr-3.guard"), "CT.S3.PR.3 checks buckets")
	assert.NotContains(t, rules, filepath.Join(guard.Rules, "s3", "ct-s3-pr-10.guard"), "skipped")
	assert.False(t, slices.ContainsFunc(rules, func(r string) bool { return filepath.Base(filepath.Dir(r)) == "ec2" }), "no EC2 resources, no EC2 rules")
}

// TestFailingReportsEachTemplatesOwnControls runs templates that fail and pass a control at the
// same time (CT.S3.PR.3: a versioned bucket needs a lifecycle rule; it skips unversioned ones):
// each result must be its own template's.
func TestFailingReportsEachTemplatesOwnControls(t *testing.T) {
	guard, err := Find("../..")
	require.NoError(t, err)
	dir := t.TempDir()
	templates := map[string]map[string]any{}
	var files []string
	for i := range 8 {
		template := bucket(i%2 == 1)
		data, err := json.Marshal(template)
		require.NoError(t, err)
		files = append(files, filepath.Join(dir, fmt.Sprintf("t%d.json", i)))
		require.NoError(t, os.WriteFile(files[i], data, 0o644))
		templates[files[i]] = template
	}
	// Only CT.S3.PR.3 runs: every other control that checks buckets is skipped.
	skip := map[string]bool{}
	for _, rule := range guard.RuleFiles([]map[string]any{bucket(true)}, nil) {
		if Control(rule) != "ct-s3-pr-3" {
			skip[Control(rule)] = true
		}
	}
	failing, output, err := guard.Failing(templates, skip)
	require.NoError(t, err)
	for i, file := range files {
		if i%2 == 0 {
			assert.Empty(t, failing[file], "unversioned bucket %d", i)
		} else {
			assert.Equal(t, []string{"ct-s3-pr-3"}, failing[file], "versioned bucket without a lifecycle rule %d", i)
			assert.Contains(t, output[file], "FAIL")
		}
	}
}
