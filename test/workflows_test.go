package test

import (
	"os"
	"path/filepath"
	"regexp"
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
					assert.Regexp(t, `@v\d+$`, step.Uses, "%s/%s: actions are pinned to a major version", name, job)
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
	assert.Contains(t, pr.Jobs, "diff")
	_, deploy := readWorkflow(t, "deploy.yml")
	assert.Contains(t, deploy, "make deploy", "deploys through check-update")
	assert.Contains(t, deploy, "--require-approval never", "no terminal to answer the CLI's question in a pipeline")
}
