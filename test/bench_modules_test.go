package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// make bench compares the app with a floor (tools/floorapp) only if the floor loads what the app
// loads: each process records the aws-cdk-lib modules it loaded (loaded-modules.cjs), and
// bench.sh fails when the two lists differ.

func TestBenchRecordsTheAwsCdkLibModulesANodeProcessLoaded(t *testing.T) {
	dir := t.TempDir()
	for _, module := range []string{"aws-cdk-lib/core/lib", "aws-cdk-lib/aws-ec2/lib", "aws-cdk-lib/region-info/lib", "cdk-nag/lib", "aws-cdk-lib/node_modules/semver"} {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, "node_modules", module), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "node_modules", module, "index.js"), []byte("module.exports = 1;\n"), 0o644))
	}
	recorder, err := filepath.Abs("../tools/floorapp/loaded-modules.cjs")
	require.NoError(t, err)
	record := func(script string) (string, bool) {
		list := filepath.Join(t.TempDir(), "modules")
		cmd := exec.Command("node", "--require", recorder, "-e", script)
		cmd.Dir = dir
		cmd.Env = append(withoutEnv(os.Environ(), "NODE_OPTIONS="), "PRIVATEPATCH_MODULES="+list)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
		data, err := os.ReadFile(list)
		return string(data), err == nil
	}
	modules, written := record(`require("./node_modules/cdk-nag/lib"); require("./node_modules/aws-cdk-lib/core/lib"); require("./node_modules/aws-cdk-lib/aws-ec2/lib");
		require("./node_modules/aws-cdk-lib/node_modules/semver")`)
	assert.True(t, written)
	assert.Equal(t, "aws-ec2\ncore\n", modules, "sorted, aws-cdk-lib's own only (not its bundled dependencies), none it did not load")
	_, written = record(`require("./node_modules/cdk-nag/lib")`)
	assert.False(t, written, "a process that loads no aws-cdk-lib module (jsii's launcher) writes nothing")
}

func TestBenchFailsWhenTheFloorLoadsOtherModulesThanTheApp(t *testing.T) {
	dir := t.TempDir()
	list := func(name, content string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
		return path
	}
	app := list("app", "aws-ec2\ncore\nregion-info\n")
	compare := func(floor string) (string, error) {
		out, err := exec.Command("bash", "../tools/bench.sh", "--compare-modules", app, floor).CombinedOutput()
		return string(out), err
	}
	out, err := compare(list("same", "aws-ec2\ncore\nregion-info\n"))
	assert.NoError(t, err)
	assert.Empty(t, out)
	out, err = compare(list("planted", "aws-athena\naws-ec2\ncore\n"))
	assert.Error(t, err, "planted: the floor lacks a module the app loads and loads one it does not")
	assert.Contains(t, out, "only the app: region-info")
	assert.Contains(t, out, "only the floor: aws-athena")
	out, err = compare(filepath.Join(dir, "never-written"))
	assert.Error(t, err, "planted: a list the recorder never wrote")
	assert.Contains(t, out, "no list of the aws-cdk-lib modules loaded in "+filepath.Join(dir, "never-written"))
}

// make bench sets the app's cost per construct beside CDK's own (the floor's -classes variant), so
// it counts each cloud assembly's constructs: tree.json, and the trees-N.json files CDK splits a
// large tree into, where a node that names a file ({id, path, fileName}) stands for that file's root.
func TestBenchCountsEveryConstructOfASplitTreeOnce(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	write("tree.json", `{"version": "tree-0.1", "tree": {"id": "App", "path": "", "children": {
		"A": {"id": "A", "path": "A", "children": {"A1": {"id": "A1", "path": "A/A1"}}},
		"B": {"id": "B", "path": "B", "fileName": "trees-1.json"}}}}`)
	count := func() string {
		out, err := exec.Command("bash", "../tools/bench.sh", "--count-constructs", dir).CombinedOutput()
		require.NoError(t, err, "%s", out)
		return string(out)
	}
	assert.Equal(t, "3\n", count(), "the tree alone: App, A, A1 (B stands for a root in another file)")
	write("trees-1.json", `{"version": "forest-0.1", "forest": {"B": {"id": "B", "path": "B", "children": {
		"B1": {"id": "B1", "path": "B/B1"}, "B2": {"id": "B2", "path": "B/B2", "children": {"C": {"id": "C", "path": "B/B2/C"}}}}}}}`)
	write("trees.json.bak", `{"forest": {"X": {"id": "X", "path": "X"}}}`)
	assert.Equal(t, "7\n", count(), "with the split-off tree: B once, B1, B2, C; a file not named trees-N.json is not the tree's")
}
