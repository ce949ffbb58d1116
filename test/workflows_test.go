package test

import (
	"fmt"
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
		RunsOn      string            `yaml:"runs-on"`
		Permissions map[string]string `yaml:"permissions"`
		Steps       []workflowStep    `yaml:"steps"`
	} `yaml:"jobs"`
}

type workflowStep struct {
	Name  string            `yaml:"name"`
	ID    string            `yaml:"id"`
	Uses  string            `yaml:"uses"`
	Run   string            `yaml:"run"`
	Shell string            `yaml:"shell"`
	If    string            `yaml:"if"`
	With  map[string]string `yaml:"with"`
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
	target := regexp.MustCompile(`make (?:-[a-z]+ )*([a-z][a-z-]*)`) // make -s diff runs diff
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
	deployWorkflow, deploy := readWorkflow(t, "deploy.yml")
	assert.Contains(t, deploy, "make deploy", "deploys through check-update")
	assert.Contains(t, deploy, "--require-approval never", "no terminal to answer the CLI's question in a pipeline")
	assert.Contains(t, deployWorkflow.Jobs["deploy"].If, "github.ref == 'refs/heads/main'", "a run from another branch does not deploy")
}

// githubShellFlags are bash's flags for a step as GitHub runs it: "bash -e {0}" without a shell
// key, "bash --noprofile --norc -eo pipefail {0}" with shell: bash (the "Command run internally"
// column of jobs.<job_id>.steps[*].shell, "Workflow syntax for GitHub Actions", as quoted in
// github/docs#23853, read 2026-12-07).
func githubShellFlags(shell string) []string {
	if shell == "bash" {
		return []string{"--noprofile", "--norc", "-eo", "pipefail"}
	}
	return []string{"-e"}
}

// The diff job runs make diff and make check-update in one step that records each one's status,
// and a failure of either fails the job in a step of its own, after the comment: run as GitHub
// runs the step (githubShellFlags), with a make that fails as told, each status reaches the output its
// failing step reads, and a failed diff says so in the comment's diff, not taken for "no change".
func TestTheDiffJobFailsWhenMakeDiffOrCheckUpdateFails(t *testing.T) {
	pr, _ := readWorkflow(t, "pull-request.yml")
	steps := pr.Jobs["diff"].Steps
	i := slices.IndexFunc(steps, func(s workflowStep) bool { return s.ID == "diff" })
	require.GreaterOrEqual(t, i, 0, "the diff job has a step with id diff")
	failsOn := regexp.MustCompile(`^steps\.diff\.outputs\.(\w+) != '0'$`)
	bin := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bin, "make"), []byte(`#!/bin/bash
for a in "$@"; do
  case "$a" in
    diff) echo "Stack privatepatch-network"; exit "$DIFF_STATUS";;
    check-update) exit "$CHECK_STATUS";;
  esac
done
exit 9
`), 0o755))
	for _, c := range []struct{ diff, check int }{{0, 0}, {2, 0}, {0, 1}, {1, 2}} {
		dir := t.TempDir()
		output := filepath.Join(dir, "output")
		cmd := exec.Command("bash", append(githubShellFlags(steps[i].Shell), "-c", steps[i].Run)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "GITHUB_OUTPUT="+output,
			fmt.Sprintf("DIFF_STATUS=%d", c.diff), fmt.Sprintf("CHECK_STATUS=%d", c.check), "CONFIG=")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "the step itself passes, whatever make answers: %s", out)
		written, err := os.ReadFile(output)
		require.NoError(t, err)
		outputs := map[string]string{}
		for _, line := range strings.Split(strings.TrimSpace(string(written)), "\n") {
			k, v, _ := strings.Cut(line, "=")
			outputs[k] = v
		}
		var failing []string
		for _, s := range steps[i+1:] {
			if m := failsOn.FindStringSubmatch(s.If); m != nil && outputs[m[1]] != "0" && strings.Contains(s.Run, "exit 1") {
				failing = append(failing, m[1])
			}
		}
		var want []string
		if c.check != 0 {
			want = append(want, "refused")
		}
		if c.diff != 0 {
			want = append(want, "diffed")
		}
		assert.Equal(t, want, failing, "make diff %d, check-update %d: the steps that fail the job", c.diff, c.check)
		diff, err := os.ReadFile(filepath.Join(dir, "diff.txt"))
		require.NoError(t, err)
		assert.Equal(t, c.diff != 0, strings.Contains(string(diff), "cdk diff FAILED"), "make diff %d: the comment's diff says it failed", c.diff)
	}
}

// make refuses what it would take wrongly: a switch set to anything but 1 (make takes FORCE=0 as
// on), and GNU make 3.81, which ignores .SHELLFLAGS and so lets a failure inside a pipe pass.
func TestMakeRefusesASwitchOtherThanOneAndAMakeWithoutShellflags(t *testing.T) {
	for _, args := range [][]string{{"deploy", "FORCE=0"}, {"patch-now", "SKIP_IMAGE=false"}, {"snapshot", "CHECK=no"}} {
		out, err := exec.Command("make", append([]string{"-n", "-C", ".."}, args...)...).CombinedOutput()
		assert.Error(t, err, "%v", args)
		assert.Contains(t, string(out), args[1]+": give "+strings.Split(args[1], "=")[0]+"=1, or leave it out", "%v", args)
	}
	out, err := exec.Command("make", "-n", "-C", "..", "snapshot", "CHECK=1").CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "-check", "1 is on")
	out, err = exec.Command("make", "-n", "-C", "..", "help", "MAKE_VERSION=3.81").CombinedOutput()
	assert.Error(t, err)
	assert.Contains(t, string(out), "GNU make 3.81 ignores .SHELLFLAGS")
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
	cmd := exec.Command("bash", append(githubShellFlags(""), "-c", verifyStep(t))...)
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

// commentStep is the pull-request workflow's step that posts or updates the diff comment.
func commentStep(t *testing.T) string {
	pr, _ := readWorkflow(t, "pull-request.yml")
	for _, step := range pr.Jobs["diff"].Steps {
		if strings.Contains(step.Run, "tools/prcomment") {
			// GitHub runs a step with shell: bash as bash -eo pipefail, without as bash -e.
			require.Equal(t, "bash", step.Shell, "the comment step runs with pipefail")
			return step.Run
		}
	}
	t.Fatal("the diff job writes no comment with tools/prcomment")
	return ""
}

// runCommentStep runs the step's script as GitHub would, with a go that writes the comment and a
// gh that answers the comment listing with existing (the ids of comments carrying the marker)
// and records every call; it returns the calls.
func runCommentStep(t *testing.T, existing string) []string {
	calls, err := commentStepCalls(t, existing, false)
	require.NoError(t, err)
	return calls
}

// commentStepCalls runs the comment step as runCommentStep does; with listingFails, gh's listing
// of the comments fails.
func commentStepCalls(t *testing.T, existing string, listingFails bool) ([]string, error) {
	dir, bin := t.TempDir(), t.TempDir()
	fakeGo := "#!/bin/bash\nprintf '%s\\n' \"" + prcommentMarker(t) + "\" '**make check-update** passed'\n"
	fakeGh := `#!/bin/bash
echo "$*" >> calls
if [ "$2" != -X ]; then
  [ -n "$LISTING_FAILS" ] && { echo "HTTP 502" >&2; exit 1; }
  # The listing: the workflow's own jq filter, applied by gh to the API's answer, is not run here;
  # the stand-in answers as gh would after it.
  # Each id a page, as --paginate prints them, the next after a pause.
  for id in $EXISTING; do echo "$id"; sleep 0.2; done
fi
exit 0
`
	require.NoError(t, os.WriteFile(filepath.Join(bin, "go"), []byte(fakeGo), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(bin, "gh"), []byte(fakeGh), 0o755))
	cmd := exec.Command("bash", append(githubShellFlags("bash"), "-c", commentStep(t))...)
	cmd.Dir = dir
	fails := ""
	if listingFails {
		fails = "1"
	}
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "EXISTING="+existing, "LISTING_FAILS="+fails,
		"GITHUB_REPOSITORY=o/r", "PR=7", "REFUSED=0", "ARTIFACT_URL=https://example.com/a")
	out, runErr := cmd.CombinedOutput()
	calls, err := os.ReadFile(filepath.Join(dir, "calls"))
	require.NoError(t, err, "%s", out)
	comment, err := os.ReadFile(filepath.Join(dir, "comment.md"))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(comment), prcommentMarker(t)))
	return strings.Split(strings.TrimSpace(string(calls)), "\n"), runErr
}

// prcommentMarker is the marker tools/prcomment starts the comment with.
func prcommentMarker(t *testing.T) string {
	src, err := os.ReadFile(filepath.Join("..", "tools", "prcomment", "main.go"))
	require.NoError(t, err)
	m := regexp.MustCompile(`const Marker = "([^"]+)"`).FindStringSubmatch(string(src))
	require.NotNil(t, m)
	return m[1]
}

// The pull request gets one comment, updated in place on each push: the step finds it by the
// marker tools/prcomment writes, edits it when there, creates it once otherwise, and sends the
// file's text (gh api -F body=@file; -f would send the name).
func TestPullRequestCommentIsUpdatedInPlaceFoundByItsMarker(t *testing.T) {
	step := commentStep(t)
	assert.Contains(t, step, `startswith("`+prcommentMarker(t)+`")`, "the listing looks for the marker tools/prcomment writes")
	assert.Contains(t, step, "--paginate", "a busy pull request has more than one page of comments")
	assert.NotContains(t, step, "gh pr comment", "no new comment on each push")

	calls := runCommentStep(t, "")
	require.Len(t, calls, 2, "%v", calls)
	assert.Contains(t, calls[0], "api repos/o/r/issues/7/comments --paginate")
	assert.Equal(t, "api -X POST repos/o/r/issues/7/comments -F body=@comment.md", calls[1], "none yet: created once")

	calls = runCommentStep(t, "4242")
	require.Len(t, calls, 2, "%v", calls)
	assert.Equal(t, "api -X PATCH repos/o/r/issues/comments/4242 -F body=@comment.md", calls[1], "found: edited in place")

	// Two marked comments on two pages (an earlier run's double post): the first is edited, and
	// the step does not fail because it read one line and closed the pipe (head -n 1 under
	// pipefail: gh's next write dies of SIGPIPE, status 141).
	calls = runCommentStep(t, "4242 4343")
	require.Len(t, calls, 2, "%v", calls)
	assert.Equal(t, "api -X PATCH repos/o/r/issues/comments/4242 -F body=@comment.md", calls[1])

	// A listing that fails fails the step: it is not taken for "no comment yet" (another post).
	calls, err := commentStepCalls(t, "4242", true)
	assert.Error(t, err)
	assert.Len(t, calls, 1, "no comment posted: %v", calls)

	pr, text := readWorkflow(t, "pull-request.yml")
	assert.Contains(t, text, "make -s diff", "make's echoed commands stay out of the comment")
	assert.Contains(t, text, "make -s check-update")
	assert.Contains(t, text, "steps.full.outputs.artifact-url", "the comment links the full output")
	assert.Equal(t, "write", pr.Jobs["diff"].Permissions["pull-requests"])
}

// The PowerShell tests run somewhere: a job of the pull-request workflow runs make test-ps on a
// GitHub-hosted Ubuntu runner, which has pwsh, for every pull request (no condition to skip it).
func TestPullRequestRunsThePesterTestsOnARunnerWithPowerShell(t *testing.T) {
	pr, _ := readWorkflow(t, "pull-request.yml")
	var runners []string
	for name, job := range pr.Jobs {
		for _, step := range job.Steps {
			if strings.TrimSpace(step.Run) == "make test-ps" {
				assert.Empty(t, job.If, "%s: runs on every pull request", name)
				runners = append(runners, job.RunsOn)
			}
		}
	}
	require.Len(t, runners, 1, "one job runs make test-ps")
	assert.Regexp(t, `^ubuntu-\d`, runners[0], "a GitHub-hosted Ubuntu runner (pwsh installed)")
	makefile, err := os.ReadFile(filepath.Join("..", "Makefile"))
	require.NoError(t, err)
	assert.Contains(t, string(makefile), "Invoke-Pester -Path constructs/wsus, constructs/compliance -CI", "make test-ps runs the Pester tests, failing the job on a failure (-CI)")
}
