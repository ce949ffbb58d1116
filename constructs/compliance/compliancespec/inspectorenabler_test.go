package compliancespec

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/test/python"
)

const enablerNeededBy = "the Inspector enabler (compliancespec/inspectorenabler.py) is tested by running it"

// enablerRun is one run of the enabler's handler with the harness's fake Inspector (answers in
// the shapes of botocore 1.43.11's inspector2 model).
type enablerRun struct {
	Request          string           `json:"request"`
	Enable           []map[string]any `json:"enable"`
	Status           []map[string]any `json:"status"`
	RemainingSeconds int              `json:"remainingSeconds,omitempty"`
}

type enablerOutcome struct {
	Calls    []string       `json:"calls"`
	Seconds  float64        `json:"seconds"`
	Status   string         `json:"status"`
	Reason   string         `json:"reason"`
	Physical string         `json:"physical"`
	Data     map[string]any `json:"data"`
}

func runEnabler(t *testing.T, script string, run enablerRun) enablerOutcome {
	t.Helper()
	path := filepath.Join(t.TempDir(), "inspectorenabler.py")
	require.NoError(t, os.WriteFile(path, []byte(script), 0o600))
	arg, err := json.Marshal(run)
	require.NoError(t, err)
	r := python.Run(t, enablerNeededBy, filepath.Join("testdata", "inspectorenabler", "harness.py"), []string{path, string(arg)},
		InspectorEnablerPollEnv+"="+strconv.Itoa(InspectorEnablerPollSeconds), InspectorEnablerIAMWaitEnv+"="+strconv.Itoa(InspectorEnablerIAMWaitSeconds),
		InspectorEnablerAnswerEnv+"="+strconv.Itoa(InspectorEnablerAnswerSeconds), InspectorEnablerGraceEnv+"="+strconv.Itoa(InspectorEnablerGraceSeconds))
	require.Zero(t, r.Code, "%s%s", r.Stdout, r.Stderr)
	var out enablerOutcome
	lines := strings.Split(strings.TrimSpace(r.Stdout), "\n") // the script's log lines, then the harness's
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &out), r.Stdout)
	return out
}

func accountState(ec2 string) map[string]any {
	state := map[string]any{"status": ec2, "errorCode": "", "errorMessage": ""}
	if ec2 == "DISABLED" {
		state["errorCode"], state["errorMessage"] = "RESOURCE_NOT_FOUND", "Amazon Inspector is not enabled for this resource type"
	}
	return map[string]any{"accounts": []any{map[string]any{"accountId": "123456789012",
		"state":         map[string]any{"status": "ENABLED", "errorCode": "", "errorMessage": ""},
		"resourceState": map[string]any{"ec2": state, "ecr": map[string]any{"status": "DISABLED", "errorCode": "", "errorMessage": ""}}}}}
}

var enabled = map[string]any{"accounts": []any{map[string]any{"accountId": "123456789012", "status": "ENABLING",
	"resourceStatus": map[string]any{"ec2": "ENABLING", "ecr": "DISABLED"}}}}

func failedAccount(code, message string) map[string]any {
	return map[string]any{"accounts": []any{}, "failedAccounts": []any{map[string]any{"accountId": "123456789012", "errorCode": code, "errorMessage": message}}}
}

// A create answers SUCCESS only once EC2 scanning is ENABLED: Enable answers while it is ENABLING.
func TestInspectorEnablerAnswersOnceEc2ScanningIsEnabled(t *testing.T) {
	out := runEnabler(t, InspectorEnablerScript, enablerRun{Request: "Create", Enable: []map[string]any{enabled},
		Status: []map[string]any{accountState("ENABLING"), accountState("ENABLING"), accountState("ENABLED")}})
	assert.Equal(t, "SUCCESS", out.Status)
	assert.Equal(t, []string{"enable", "status", "status", "status"}, out.Calls)
	assert.Equal(t, float64(3*InspectorEnablerPollSeconds), out.Seconds, "a poll before each read: the first one straight after Enable may show the state before it")
	assert.Equal(t, "inspector2-ec2-123456789012", out.Physical)
	assert.Equal(t, map[string]any{"Ec2Status": "ENABLED"}, out.Data)
}

// An account already on, or on its way, is not a failure; a code that may pass (throttling,
// ACCESS_DENIED while membership propagates) calls Enable again, for the IAM wait; any other
// failed account fails the deploy at once, with its code and message in the stack's events.
func TestInspectorEnablerFailsTheDeployOnAFailedAccount(t *testing.T) {
	out := runEnabler(t, InspectorEnablerScript, enablerRun{Request: "Update", Enable: []map[string]any{failedAccount("ALREADY_ENABLED", "already")},
		Status: []map[string]any{accountState("ENABLED")}})
	assert.Equal(t, "SUCCESS", out.Status)
	out = runEnabler(t, InspectorEnablerScript, enablerRun{Request: "Create", Enable: []map[string]any{failedAccount("SSM_THROTTLED", "throttled"), enabled},
		Status: []map[string]any{accountState("ENABLED")}})
	assert.Equal(t, "SUCCESS", out.Status)
	assert.Equal(t, []string{"enable", "enable", "status"}, out.Calls)
	out = runEnabler(t, InspectorEnablerScript, enablerRun{Request: "Create", Enable: []map[string]any{failedAccount("BLOCKED_BY_ORGANIZATION_POLICY", "An organization policy blocks it")},
		Status: []map[string]any{accountState("ENABLED")}})
	assert.Equal(t, "FAILED", out.Status)
	assert.Contains(t, out.Reason, "Inspector could not be enabled for account 123456789012: BLOCKED_BY_ORGANIZATION_POLICY: An organization policy blocks it")
	assert.Equal(t, []string{"enable"}, out.Calls)
	out = runEnabler(t, InspectorEnablerScript, enablerRun{Request: "Create", Enable: []map[string]any{failedAccount("ACCESS_DENIED", "The account is not allowed to enable Amazon Inspector")},
		Status: []map[string]any{accountState("ENABLED")}})
	assert.Equal(t, "FAILED", out.Status)
	assert.Contains(t, out.Reason, "ACCESS_DENIED: The account is not allowed to enable Amazon Inspector")
	assert.LessOrEqual(t, out.Seconds, float64(InspectorEnablerIAMWaitSeconds))
	assert.Greater(t, len(out.Calls), 1, "retried while it may pass")
}

// The role's policy may not be in effect at the first call: a denial is retried until it is, for
// the IAM wait, and then fails; another error fails at once.
func TestInspectorEnablerWaitsForItsRolesPolicyThenGivesUp(t *testing.T) {
	out := runEnabler(t, InspectorEnablerScript, enablerRun{Request: "Create",
		Enable: []map[string]any{{"error": "AccessDeniedException"}, {"error": "AccessDeniedException"}, enabled}, Status: []map[string]any{accountState("ENABLED")}})
	assert.Equal(t, "SUCCESS", out.Status)
	assert.Equal(t, []string{"enable", "enable", "enable", "status"}, out.Calls)
	out = runEnabler(t, InspectorEnablerScript, enablerRun{Request: "Create", Enable: []map[string]any{{"error": "AccessDeniedException"}}, Status: []map[string]any{accountState("ENABLED")}})
	assert.Equal(t, "FAILED", out.Status)
	assert.LessOrEqual(t, out.Seconds, float64(InspectorEnablerIAMWaitSeconds))
	assert.Contains(t, out.Reason, "AccessDeniedException")
	out = runEnabler(t, InspectorEnablerScript, enablerRun{Request: "Create", Enable: []map[string]any{{"error": "ValidationException"}}, Status: []map[string]any{accountState("ENABLED")}})
	assert.Equal(t, "FAILED", out.Status)
	assert.Equal(t, []string{"enable"}, out.Calls)
}

// Scanning that stays ENABLING fails before the function's timeout, with time to answer; one that
// turns DISABLED fails at once with Inspector's reason.
func TestInspectorEnablerAnswersBeforeItsTimeout(t *testing.T) {
	out := runEnabler(t, InspectorEnablerScript, enablerRun{Request: "Create", Enable: []map[string]any{enabled},
		Status: []map[string]any{accountState("ENABLING")}, RemainingSeconds: InspectorEnablerTimeoutSeconds})
	assert.Equal(t, "FAILED", out.Status)
	assert.Contains(t, out.Reason, "is still ENABLING")
	assert.LessOrEqual(t, out.Seconds, float64(InspectorEnablerTimeoutSeconds-InspectorEnablerAnswerSeconds))
	out = runEnabler(t, InspectorEnablerScript, enablerRun{Request: "Create", Enable: []map[string]any{enabled}, Status: []map[string]any{accountState("DISABLED")}})
	assert.Equal(t, "FAILED", out.Status)
	assert.Contains(t, out.Reason, "is DISABLED: RESOURCE_NOT_FOUND")
	assert.GreaterOrEqual(t, out.Seconds, float64(InspectorEnablerGraceSeconds), "DISABLED is final only after the grace")
	// A first read that still shows the state before Enable is not final.
	out = runEnabler(t, InspectorEnablerScript, enablerRun{Request: "Create", Enable: []map[string]any{enabled},
		Status: []map[string]any{accountState("DISABLED"), accountState("ENABLING"), accountState("ENABLED")}})
	assert.Equal(t, "SUCCESS", out.Status)
}

// A delete answers SUCCESS without a call: the stack never switches Inspector off.
func TestInspectorEnablerLeavesInspectorOnWhenDeleted(t *testing.T) {
	out := runEnabler(t, InspectorEnablerScript, enablerRun{Request: "Delete", Enable: []map[string]any{{"error": "planted: not called"}}, Status: []map[string]any{{"error": "planted"}}})
	assert.Equal(t, "SUCCESS", out.Status)
	assert.Empty(t, out.Calls)
}

// Planted: the script that made one call and answered (AwsCustomResource's behaviour) passes none
// of the above.
func TestInspectorEnablerWithoutItsWaitIsCaught(t *testing.T) {
	oneCall := strings.Replace(InspectorEnablerScript, `    enabled_at = now()`, `    return {"Ec2Status": "unknown"}`, 1)
	require.NotEqual(t, InspectorEnablerScript, oneCall)
	out := runEnabler(t, oneCall, enablerRun{Request: "Create", Enable: []map[string]any{enabled}, Status: []map[string]any{accountState("DISABLED")}})
	assert.Equal(t, "SUCCESS", out.Status, "the planted script reports success on an account whose scanning is off: the wait is what the tests above prove")
}
