package test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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

// snapshotCheck checks the snapshots, reading the default configuration's templates from the
// app's direct run (of the embedded default, config/default.yaml) instead of synthesising it again.
var snapshotCheck = &job[snapshotRun]{after: runDirect, run: func() (snapshotRun, error) {
	if directRunner.err != nil {
		return snapshotRun{}, fmt.Errorf("the app run directly: %v: %s", directRunner.err, directRunner.out)
	}
	return runSnapshot("..", "-check", "-synthesised", "config/default.yaml="+directRunner.dir), nil
}}

// The snapshots of the configurations this repository keeps (config/*.yaml, configs/*.yaml) are
// those make snapshot writes now: a change that moves a template shows in the pull request's
// files, or this test fails naming the command that refreshes them.
func TestSnapshotsOfTheRepositorysConfigurationsAreCurrent(t *testing.T) {
	run := snapshotCheck.wait(t)
	require.NoError(t, run.err, "%s", run.out)
	assert.Contains(t, run.out, "are current")
}

// The snapshots are what tools/snapshot writes for the app's templates now (the test above), and
// they are normalised where the app's own output is not: what changes with the CDK release or the
// build machine (asset hashes, CDK's version report) is left out. The app run directly writes the
// embedded default configuration, config/default.yaml, whose snapshot this reads.
func TestSnapshotsLeaveOutWhatChangesWithTheCdkReleaseOrTheMachine(t *testing.T) {
	t.Parallel()
	assetHash := regexp.MustCompile(`[a-f0-9]{64}`)
	var raw, normalised string
	for _, stack := range []string{"Network", "Fleet", "Patching"} {
		data, err := os.ReadFile(filepath.Join(directRun(t), stack+".template.json"))
		require.NoError(t, err)
		raw += string(data)
		data, err = os.ReadFile(filepath.Join("..", "snapshots", "config", "default", stack+".template.json"))
		require.NoError(t, err, "make snapshot writes snapshots/config/default/%s.template.json", stack)
		normalised += string(data)
		assert.Contains(t, string(data), `"Value": "privatepatch"`, "the configuration's own tags")
	}
	assert.Regexp(t, assetHash, raw, "the app's templates hold asset hashes: the check below can fail")
	assert.Contains(t, raw, "CDKMetadata", "the app's templates hold CDK's version report: the check below can fail")
	assert.NotRegexp(t, assetHash, normalised, "asset hashes are normalised")
	assert.NotContains(t, normalised, "CDKMetadata", "CDK's version report is left out")
}
