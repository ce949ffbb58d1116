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

// TestAKeptAnswerIsTheRunsOwnAndAChangedTemplateOrRuleRunsAgain runs CT.S3.PR.3 over a failing
// template with an empty evaluations' cache (proof/evalcache), then again: the kept answer names
// this run's file. A kept answer planted as wrong is found only for the same template and rules:
// a changed template or a changed rule runs cfn-guard.
func TestAKeptAnswerIsTheRunsOwnAndAChangedTemplateOrRuleRunsAgain(t *testing.T) {
	t.Setenv("PRIVATEPATCH_EVAL_CACHE", t.TempDir())
	guard, err := Find("../..")
	require.NoError(t, err)
	pr3 := filepath.Join(guard.Rules, "s3", "ct-s3-pr-3.guard")
	write := func(name string, template map[string]any) string {
		data, err := json.Marshal(template)
		require.NoError(t, err)
		file := filepath.Join(t.TempDir(), name)
		require.NoError(t, os.WriteFile(file, data, 0o644))
		return file
	}
	ran, err := guard.check(write("versioned.json", bucket(true)), []string{pr3})
	require.NoError(t, err)
	require.Equal(t, []string{"ct-s3-pr-3"}, ran.Controls)

	again := write("versioned.json", bucket(true))
	kept, err := guard.check(again, []string{pr3})
	require.NoError(t, err)
	assert.Equal(t, ran.Controls, kept.Controls)
	assert.Contains(t, kept.Output, again, "the output names this run's file")

	// Plant a wrong answer for the versioned bucket: it is what the same input now gets.
	data, err := os.ReadFile(again)
	require.NoError(t, err)
	options := []string{"validate", "--show-summary", "fail", "--output-format", "single-line-summary"}
	guard.cache.Put(guard.key(options, []string{pr3}, again, data), []byte("exit 19\nct-planted.guard/check    FAIL"))
	planted, err := guard.check(again, []string{pr3})
	require.NoError(t, err)
	require.Equal(t, []string{"ct-planted"}, planted.Controls, "the same template and rules take the kept answer")

	changed := bucket(true)
	changed["Resources"].(map[string]any)["Bucket"].(map[string]any)["Properties"].(map[string]any)["Tags"] = []any{}
	rerun, err := guard.check(write("changed.json", changed), []string{pr3})
	require.NoError(t, err)
	assert.Equal(t, []string{"ct-s3-pr-3"}, rerun.Controls, "a changed template runs cfn-guard")

	renamed := guard
	renamed.byFile = map[string]rule{pr3: {file: pr3, digest: [32]byte{1}}}
	rerun, err = renamed.check(again, []string{pr3})
	require.NoError(t, err)
	assert.Equal(t, []string{"ct-s3-pr-3"}, rerun.Controls, "a changed rule runs cfn-guard")

	// A kept answer whose exit status and output disagree is not taken: the run is made again.
	guard.cache.Put(guard.key(options, []string{pr3}, again, data), []byte("exit 19\nno rule named"))
	rerun, err = guard.check(again, []string{pr3})
	require.NoError(t, err)
	assert.Equal(t, []string{"ct-s3-pr-3"}, rerun.Controls, "a kept answer that contradicts itself")

	// The same bytes in a file cfn-guard skips (it reads JSON and YAML files): its own answer.
	skipped, err := guard.check(write("versioned.txt", bucket(true)), []string{pr3})
	require.NoError(t, err)
	assert.Empty(t, skipped.Controls, "cfn-guard skips a .txt data file")
	kept, err = guard.check(write("versioned.json", bucket(true)), []string{pr3})
	require.NoError(t, err)
	assert.Equal(t, []string{"ct-s3-pr-3"}, kept.Controls, "the .txt file's answer is not the .json file's")
}

// TestFailingIsReadWhateverColoursTheCallersEnvironmentAsks: CLICOLOR_FORCE makes cfn-guard wrap
// FAIL in escape codes, which no rule would parse (exit 19 with no failing control read).
func TestFailingIsReadWhateverColoursTheCallersEnvironmentAsks(t *testing.T) {
	t.Setenv("PRIVATEPATCH_EVAL_CACHE", t.TempDir())
	t.Setenv("CLICOLOR_FORCE", "1")
	guard, err := Find("../..")
	require.NoError(t, err)
	data, err := json.Marshal(bucket(true))
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "versioned.json")
	require.NoError(t, os.WriteFile(file, data, 0o644))
	a, err := guard.check(file, []string{filepath.Join(guard.Rules, "s3", "ct-s3-pr-3.guard")})
	require.NoError(t, err)
	assert.Equal(t, []string{"ct-s3-pr-3"}, a.Controls)

	_, err = parseGuard("exit 19", "\x1b[1;31mFAIL\x1b[0m")
	assert.ErrorContains(t, err, "no failing rule could be read", "a failure nothing parses is an error, not a pass")
	_, err = parseGuard("exit 0", "ct-s3-pr-3.guard/check    FAIL")
	assert.Error(t, err)
	_, err = parseGuard("exit 5", "")
	assert.Error(t, err)
}

// TestARuleChangedOnDiskIsRunAgain installs the same cfn-guard with one rule edited (its check
// turned into one every bucket passes) in another project root: the answer kept for the real rule
// is not the edited rule's.
func TestARuleChangedOnDiskIsRunAgain(t *testing.T) {
	t.Setenv("PRIVATEPATCH_EVAL_CACHE", t.TempDir())
	real, err := Find("../..")
	require.NoError(t, err)
	root := t.TempDir()
	pkg := filepath.Join(root, "node_modules", "@cdklabs", "cdk-validator-cfnguard")
	binary, err := filepath.Rel(filepath.Join("..", ".."), real.binary)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(root, binary)), 0o755))
	abs, err := filepath.Abs(real.binary)
	require.NoError(t, err)
	require.NoError(t, os.Symlink(abs, filepath.Join(root, binary)))
	rules := filepath.Join(pkg, "rules", "control-tower", "cfn-guard", "s3")
	require.NoError(t, os.MkdirAll(rules, 0o755))
	text, err := os.ReadFile(filepath.Join(real.Rules, "s3", "ct-s3-pr-3.guard"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(rules, "ct-s3-pr-3.guard"), text, 0o644))

	data, err := json.Marshal(bucket(true))
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "versioned.json")
	require.NoError(t, os.WriteFile(file, data, 0o644))
	check := func() []string {
		g, err := Find(root)
		require.NoError(t, err)
		a, err := g.check(file, []string{filepath.Join(g.Rules, "s3", "ct-s3-pr-3.guard")})
		require.NoError(t, err)
		return a.Controls
	}
	require.Equal(t, []string{"ct-s3-pr-3"}, check(), "the rule as installed")
	// A rule that checks nothing any bucket has: every bucket skips it.
	edited := "let planted = Resources.*[ Type == 'AWS::Planted::Thing' ]\nrule planted when %planted !empty { %planted.Properties exists }\n"
	require.NoError(t, os.WriteFile(filepath.Join(rules, "ct-s3-pr-3.guard"), []byte(edited), 0o644))
	assert.Empty(t, check(), "the edited rule ran, not the kept answer of the installed one")
}
