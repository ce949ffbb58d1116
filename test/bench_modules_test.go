package test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"
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

// make bench counts the constructs of each cloud assembly and compares their classes, reading the
// construct tree from tree.json by its references into the trees-N.json files CDK splits a large
// tree into (@aws-cdk/core.TreeMetadata:maxNodes): CDK leaves older copies of a subtree in those
// files, so reading them file by file counts constructs more than once. Here CDK itself writes a
// small app's tree whole and split.
func TestBenchReadsEachConstructOfATreeCdkSplitOnce(t *testing.T) {
	synth := func(context map[string]any) string {
		dir := t.TempDir()
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(dir), Context: &context})
		for _, name := range []string{"One", "Two"} {
			stack := awscdk.NewStack(app, jsii.String(name), nil)
			for i := range 5 {
				awssns.NewTopic(stack, jsii.String(fmt.Sprint("Topic", i)), nil)
			}
		}
		app.Synth(nil)
		return dir
	}
	whole := synth(map[string]any{})
	split := synth(map[string]any{"@aws-cdk/core.TreeMetadata:maxNodes": 4})
	read := func(mode, dir string) string {
		out, err := exec.Command("node", "../tools/floorapp/constructs.cjs", mode, dir).CombinedOutput()
		require.NoError(t, err, "%s", out)
		return strings.TrimSpace(string(out))
	}
	var tree struct{ Tree treeNode }
	data, err := os.ReadFile(filepath.Join(whole, "tree.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &tree))
	assert.Equal(t, strconv.Itoa(tree.Tree.count()), read("count", whole), "the whole tree's nodes")
	assert.Equal(t, read("count", whole), read("count", split), "the split tree's constructs, each once")
	assert.Equal(t, read("classes", whole), read("classes", split))
	assert.Contains(t, strings.Split(read("classes", whole), "\n"), "aws-cdk-lib.aws_sns.Topic")

	forests, err := filepath.Glob(filepath.Join(split, "trees-*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, forests, "CDK split the tree")
	copies := 0 // what reading the files one by one would count
	for _, file := range forests {
		var forest struct{ Forest map[string]treeNode }
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(data, &forest))
		for _, root := range forest.Forest {
			copies += root.count()
		}
	}
	total, err := strconv.Atoi(read("count", whole))
	require.NoError(t, err)
	assert.Greater(t, copies, total, "CDK left older copies of subtrees in the files: a counter reading them file by file overcounts")

	out, err := exec.Command("node", "../tools/floorapp/constructs.cjs", "count", t.TempDir()).CombinedOutput()
	assert.Error(t, err, "planted: no tree.json")
	assert.Contains(t, string(out), "tree.json")
}

// treeNode is a construct tree's node as tree.json writes it; a reference into another file
// ({id, path, fileName, treeId}) counts as none.
type treeNode struct {
	FileName string              `json:"fileName"`
	Children map[string]treeNode `json:"children"`
}

func (n treeNode) count() int {
	if n.FileName != "" {
		return 0
	}
	total := 1
	for _, child := range n.Children {
		total += child.count()
	}
	return total
}
