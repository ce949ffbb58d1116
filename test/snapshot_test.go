package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runSnapshot runs make snapshot's command (tools/snapshot with the app binary) in root.
func runSnapshot(t *testing.T, root string, args ...string) (string, error) {
	cmd := exec.Command(binary(t, "snapshot"), append([]string{"-root", root, "-app", buildApp(t)}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// The snapshots of the configurations this repository keeps (config/*.yaml, configs/*.yaml) are
// those make snapshot writes now: a change that moves a template shows in the pull request's
// files, or this test fails naming the command that refreshes them.
func TestSnapshotsOfTheRepositorysConfigurationsAreCurrent(t *testing.T) {
	out, err := runSnapshot(t, "..", "-check")
	require.NoError(t, err, "%s", out)
	assert.Contains(t, out, "are current")
}

// make snapshot on a sample repository (a temp dir holding cdk.json and configs/sample.yaml), with
// the real app: it writes the sample's normalised templates, and the check then names each one a
// changed configuration makes stale, and the command that refreshes them.
func TestMakeSnapshotWritesASampleConfigurationAndTheCheckFindsItStale(t *testing.T) {
	root := t.TempDir()
	for _, name := range []string{"cdk.json", "cdk.context.json"} {
		data, err := os.ReadFile(filepath.Join("..", name))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(root, name), data, 0o644))
	}
	require.NoError(t, os.MkdirAll(filepath.Join(root, "configs"), 0o755))
	sample := filepath.Join(root, "configs", "sample.yaml")
	fixture, err := os.ReadFile(defaultFixture)
	require.NoError(t, err)
	yaml := strings.Replace(string(fixture), "project: privatepatch\n", "project: sample\n", 1)
	require.NoError(t, os.WriteFile(sample, []byte(yaml), 0o644))

	out, err := runSnapshot(t, root)
	require.NoError(t, err, "%s", out)
	for _, stack := range []string{"Network", "Fleet", "Patching"} {
		data, err := os.ReadFile(filepath.Join(root, "snapshots", "configs", "sample", stack+".template.json"))
		require.NoError(t, err, "make snapshot writes snapshots/configs/sample/%s.template.json", stack)
		assert.NotRegexp(t, `[a-f0-9]{64}`, string(data), "asset hashes are normalised")
		assert.NotContains(t, string(data), "CDKMetadata", "CDK's version report is left out")
	}

	// Planted: a tag value changed in the configuration after the snapshot.
	require.NoError(t, os.WriteFile(sample, []byte(strings.Replace(yaml, "  Project: privatepatch\n", "  Project: renamed\n", 1)), 0o644))
	out, err = runSnapshot(t, root, "-check")
	require.Error(t, err, "a stale snapshot fails the check")
	for _, stack := range []string{"Network", "Fleet", "Patching"} {
		assert.Contains(t, out, "snapshots/configs/sample/"+stack+".template.json: differs from the synthesised template")
	}
	assert.Contains(t, out, "run make snapshot, review the template changes and commit snapshots/")
}
