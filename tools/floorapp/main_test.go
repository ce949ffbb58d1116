package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// make bench's yardstick for a construct's cost is this floor's -classes variant, made of the
// app's own construct classes: tools/bench.sh fails, naming them, when the app makes a class the
// variant does not. CDK's class names mix upper and lower case (aws-cdk-lib.Stack,
// aws-cdk-lib.aws_ec2.Vpc), which a dictionary collation such as en_US.UTF-8 sorts otherwise than
// the tree reader (constructs.cjs) does, so the comparison runs in that locale too, built here
// with localedef where the machine has it.
func TestBenchFailsWhenTheClassesFloorLacksAClassOfTheApp(t *testing.T) {
	tree := func(classes ...string) string {
		dir := t.TempDir()
		children := map[string]any{}
		for i, class := range classes {
			children[fmt.Sprint("C", i)] = map[string]any{"id": fmt.Sprint("C", i), "path": fmt.Sprint("C", i), "constructInfo": map[string]any{"fqn": class}}
		}
		data, err := json.Marshal(map[string]any{"version": "tree-0.1", "tree": map[string]any{"id": "App", "path": "", "children": children}})
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "tree.json"), data, 0o644))
		return dir
	}
	locales := map[string][]string{"C": {"LC_ALL=C"}}
	if _, err := exec.LookPath("localedef"); err == nil {
		dir := t.TempDir()
		if out, err := exec.Command("localedef", "-i", "en_US", "-f", "UTF-8", filepath.Join(dir, "en_US.UTF-8")).CombinedOutput(); err == nil {
			locales["en_US.UTF-8"] = []string{"LOCPATH=" + dir, "LC_ALL=en_US.UTF-8"}
		} else {
			t.Logf("no en_US.UTF-8 locale to compare in (localedef: %s)", out)
		}
	}
	app := tree("aws-cdk-lib.aws_ec2.Vpc", "aws-cdk-lib.aws_ssm.CfnAssociation", "aws-cdk-lib.Stack", "aws-cdk-lib.CfnOutput")
	for name, env := range locales {
		t.Run(name, func(t *testing.T) {
			compare := func(classes string) (string, error) {
				cmd := exec.Command("bash", "../bench.sh", "--compare-classes", app, classes)
				for _, kv := range os.Environ() {
					if !strings.HasPrefix(kv, "LC_") && !strings.HasPrefix(kv, "LANG=") && !strings.HasPrefix(kv, "LOCPATH=") {
						cmd.Env = append(cmd.Env, kv)
					}
				}
				cmd.Env = append(cmd.Env, env...)
				out, err := cmd.CombinedOutput()
				return string(out), err
			}
			out, err := compare(tree("aws-cdk-lib.aws_ssm.CfnAssociation", "aws-cdk-lib.aws_ec2.Vpc", "aws-cdk-lib.aws_glue.CfnDatabase",
				"aws-cdk-lib.CfnOutput", "aws-cdk-lib.Stack"))
			assert.NoError(t, err, "every class of the app, and one more: %s", out)
			out, err = compare(tree("aws-cdk-lib.aws_ec2.Vpc", "aws-cdk-lib.Stack"))
			assert.Error(t, err, "planted: the variant lacks classes of the app")
			lines := strings.Split(strings.TrimSpace(out), "\n")
			assert.Equal(t, []string{"  aws-cdk-lib.CfnOutput", "  aws-cdk-lib.aws_ssm.CfnAssociation"}, lines[1:], "named, and only they: %s", out)
			out, err = compare(t.TempDir())
			assert.Error(t, err, "planted: a variant that wrote no tree")
			assert.Contains(t, out, "tree.json")
		})
	}
}
