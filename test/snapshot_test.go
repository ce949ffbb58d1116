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

// snapshotRun is one run of make snapshot's command.
type snapshotRun struct {
	out string
	err error
}

// runSnapshot runs make snapshot's command (tools/snapshot with the app binary) in root.
func runSnapshot(root string, args ...string) snapshotRun {
	if err := buildBinaries(); err != nil {
		return snapshotRun{err: err}
	}
	app := filepath.Join(binDir, "app")
	out, err := exec.Command(filepath.Join(binDir, "snapshot"), append([]string{"-root", root, "-app", app}, args...)...).CombinedOutput()
	return snapshotRun{string(out), err}
}

var snapshotCheck = &job[snapshotRun]{run: func() (snapshotRun, error) { return runSnapshot("..", "-check"), nil }}

// The snapshots of the configurations this repository keeps (config/*.yaml, configs/*.yaml) are
// those make snapshot writes now: a change that moves a template shows in the pull request's
// files, or this test fails naming the command that refreshes them.
func TestSnapshotsOfTheRepositorysConfigurationsAreCurrent(t *testing.T) {
	run := snapshotCheck.wait(t)
	require.NoError(t, run.err, "%s", run.out)
	assert.Contains(t, run.out, "are current")
}

// sampleSnapshots is make snapshot on a sample repository (a temp dir holding cdk.json and
// configs/sample.yaml), with the real app. Its check (stale, missing and removed snapshots) is
// tools/snapshot's own test, with a stand-in app; the check with the real app is the one above.
type sampleSnapshots struct {
	root  string
	write snapshotRun
}

var snapshotSample = &job[sampleSnapshots]{run: func() (sampleSnapshots, error) {
	root, err := jobDir("privatepatch-sample")
	if err != nil {
		return sampleSnapshots{}, err
	}
	for _, name := range []string{"cdk.json", "cdk.context.json"} {
		data, err := os.ReadFile(filepath.Join("..", name))
		if err == nil {
			err = os.WriteFile(filepath.Join(root, name), data, 0o644)
		}
		if err != nil {
			return sampleSnapshots{}, err
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "configs"), 0o755); err != nil {
		return sampleSnapshots{}, err
	}
	fixture, err := os.ReadFile(defaultFixture)
	if err != nil {
		return sampleSnapshots{}, err
	}
	yaml := strings.Replace(string(fixture), "project: privatepatch\n", "project: sample\n", 1)
	if err := os.WriteFile(filepath.Join(root, "configs", "sample.yaml"), []byte(yaml), 0o644); err != nil {
		return sampleSnapshots{}, err
	}
	return sampleSnapshots{root: root, write: runSnapshot(root)}, nil
}}

// make snapshot on a sample repository writes the sample's templates, normalised: what changes
// with the CDK release or the build machine (asset hashes, CDK's version report) is left out.
func TestMakeSnapshotWritesASampleConfigurationsTemplatesNormalised(t *testing.T) {
	s := snapshotSample.wait(t)
	require.NoError(t, s.write.err, "%s", s.write.out)
	for _, stack := range []string{"Network", "Fleet", "Patching"} {
		data, err := os.ReadFile(filepath.Join(s.root, "snapshots", "configs", "sample", stack+".template.json"))
		require.NoError(t, err, "make snapshot writes snapshots/configs/sample/%s.template.json", stack)
		assert.NotRegexp(t, `[a-f0-9]{64}`, string(data), "asset hashes are normalised")
		assert.NotContains(t, string(data), "CDKMetadata", "CDK's version report is left out")
		assert.Contains(t, string(data), `"Value": "privatepatch"`, "the sample's own tags")
	}
}
