package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

type workflow struct {
	Permissions map[string]string `yaml:"permissions"`
	Jobs        map[string]struct {
		If          string            `yaml:"if"`
		Permissions map[string]string `yaml:"permissions"`
		Steps       []struct {
			Name string            `yaml:"name"`
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

func readWorkflow(t *testing.T, name string) (workflow, string) {
	data, err := os.ReadFile(filepath.Join("..", ".github", "workflows", name))
	require.NoError(t, err)
	var w workflow
	require.NoError(t, yaml.Unmarshal(data, &w), name)
	return w, string(data)
}

func TestWorkflowsRunTheReadmeCommandsWithPinnedActionsAndNoStoredKeys(t *testing.T) {
	makefile, err := os.ReadFile(filepath.Join("..", "Makefile"))
	require.NoError(t, err)
	target := regexp.MustCompile(`make ([a-z-]+)`)
	for _, name := range []string{"pull-request.yml", "deploy.yml"} {
		w, text := readWorkflow(t, name)
		assert.Equal(t, map[string]string{"contents": "read"}, w.Permissions, "%s: read-only unless a job asks for more", name)
		for _, m := range target.FindAllStringSubmatch(text, -1) {
			assert.Regexp(t, "(?m)^"+m[1]+":", string(makefile), "%s runs make %s, which the Makefile must have", name, m[1])
		}
		assert.NotContains(t, text, "aws-access-key-id", "%s: OIDC role assumption, never stored keys", name)
		for job, j := range w.Jobs {
			for _, step := range j.Steps {
				if step.Uses != "" {
					assert.True(t, pinnedByCommit(step.Uses), "%s/%s: %s is pinned by commit", name, job, step.Uses)
					assert.Regexp(t, regexp.QuoteMeta(step.Uses)+` # v\d+\.\d+\.\d+\n`, text, "%s/%s: the tag the commit is, as a comment", name, job)
				}
				if strings.Contains(step.Uses, "configure-aws-credentials") {
					assert.Equal(t, "write", j.Permissions["id-token"], "%s/%s: OIDC needs id-token: write", name, job)
					assert.Contains(t, step.With["role-to-assume"], "vars.", "%s/%s: the role comes from a repository variable", name, job)
					assert.Contains(t, j.If, "vars.", "%s/%s: runs only where a role is configured", name, job)
				}
			}
		}
	}
	pr, text := readWorkflow(t, "pull-request.yml")
	assert.Contains(t, text, "run: make test", "the README's test command")
	assert.Contains(t, text, "run: make synth", "the README's main command")
	assert.Contains(t, text, "make check-update", "a replaced stateful resource is flagged on the pull request")
	assert.Contains(t, text, "run: make snapshot CHECK=1", "stale snapshots of the repository's configurations fail the pull request")
	check, err := exec.Command("make", "-n", "-C", "..", "snapshot", "CHECK=1").CombinedOutput()
	require.NoError(t, err, "%s", check)
	assert.Regexp(t, `(?m)^go run ./tools/snapshot -app \S+ -check$`, string(check), "CHECK=1 compares, writes nothing")
	assert.Contains(t, pr.Jobs, "diff")
	assert.Contains(t, pr.Jobs["diff"].If, "github.event.pull_request.head.repo.full_name == github.repository",
		"a fork's pull request has no OIDC token: the diff job is skipped, not failed")
	_, deploy := readWorkflow(t, "deploy.yml")
	assert.Contains(t, deploy, "make deploy", "deploys through check-update")
	assert.Contains(t, deploy, "--require-approval never", "no terminal to answer the CLI's question in a pipeline")
}

// pinnedByCommit says whether a step's action is pinned to a full commit: a tag can be moved.
func pinnedByCommit(uses string) bool {
	return regexp.MustCompile(`^[\w.-]+/[\w./-]+@[0-9a-f]{40}$`).MatchString(uses)
}

func TestPinnedByCommitRefusesTagsAndShortCommits(t *testing.T) {
	assert.True(t, pinnedByCommit("actions/checkout@08eba0b27e820071cde6df949e0beb9ba4906955"))
	for _, uses := range []string{"actions/checkout@v4", "actions/checkout@v4.3.0", "actions/checkout@08eba0b", "actions/checkout@main"} {
		assert.False(t, pinnedByCommit(uses), uses)
	}
}

// verifyStep is the pull-request workflow's step that runs make verify.
func verifyStep(t *testing.T) string {
	pr, _ := readWorkflow(t, "pull-request.yml")
	for _, step := range pr.Jobs["test"].Steps {
		if strings.Contains(step.Run, "make verify") {
			return step.Run
		}
	}
	t.Fatal("the pull-request workflow runs no make verify")
	return ""
}

// runVerifyStep runs the step's own script as GitHub runs a step without a shell (bash -e) in a
// tree holding the given configurations, with a make that records each CONFIG and fails on one
// named broken, and returns the configurations it verified.
func runVerifyStep(t *testing.T, configs ...string) ([]string, string, error) {
	dir, bin := t.TempDir(), t.TempDir()
	for _, c := range configs {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(c)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, c), []byte("project: x\n"), 0o644))
	}
	fakeMake := `#!/bin/bash
config=${2#CONFIG=}
echo "$config" >> verified
case "$config" in *broken*) echo "config: broken" >&2; exit 1;; esac
mkdir -p cdk.out && echo '{}' > cdk.out/Network.template.json
`
	require.NoError(t, os.WriteFile(filepath.Join(bin, "make"), []byte(fakeMake), 0o755))
	cmd := exec.Command("bash", "-e", "-c", verifyStep(t))
	cmd.Dir, cmd.Env = dir, append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	verified, _ := os.ReadFile(filepath.Join(dir, "verified"))
	return strings.Fields(string(verified)), string(out), err
}

func TestPullRequestVerifiesEveryShippedConfigurationAndFailsOnABrokenOne(t *testing.T) {
	shipped, err := filepath.Glob(filepath.Join("..", "config", "*.yaml"))
	require.NoError(t, err)
	var names []string
	for _, c := range shipped {
		names = append(names, "config/"+filepath.Base(c))
	}
	require.Contains(t, names, "config/default.yaml")
	require.Contains(t, names, "config/example.yaml")

	verified, out, err := runVerifyStep(t, names...)
	require.NoError(t, err, out)
	assert.Equal(t, names, verified, "every configuration the repository ships")

	verified, out, err = runVerifyStep(t, append(names, "configs/prod.yaml")...)
	require.NoError(t, err, out)
	assert.Contains(t, verified, "configs/prod.yaml", "and the deployments the repository keeps")

	_, out, err = runVerifyStep(t)
	assert.Error(t, err, "no configuration is a failure, not a green run that verified nothing")
	assert.Contains(t, out, "no configuration")

	verified, _, err = runVerifyStep(t, append(names, "configs/broken.yaml", "configs/zz.yaml")...)
	assert.Error(t, err, "a broken configuration fails the step")
	assert.False(t, slices.Contains(verified, "configs/zz.yaml"), "and stops it")
}
