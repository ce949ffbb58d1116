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

// The fixtures are AWS's example events, read 2026-12-06:
//   - inspector-finding.json: "Amazon EventBridge event schema for Amazon Inspector events"
//     (Amazon Inspector User Guide), its "Amazon EC2 network reachability finding" example, as
//     printed (its findingArn ends in the page's `FINDING_ID` placeholder);
//   - securityhub-finding.json: the Security Hub Findings - Imported event of "EventBridge event
//     formats for Security Hub CSPM" (AWS Security Hub User Guide), its <finding content> the
//     "Sample finding for the AWS Foundational Security Best Practices standard" of "Samples of
//     control findings" (same guide); securityhub-finding-other.json, the same event with that
//     page's "Sample finding for CIS AWS Foundations Benchmark v3.0.0", another finding of the
//     same product.
//
// The *-updated.json files are the same findings updated (later time, lastObservedAt/updatedAt,
// a new event id), the same finding id: what both services send for an update.
// LargestSecurityHubFindingBytes: Security Hub accepts "up to 240 KB per finding" (above).
const LargestSecurityHubFindingBytes = 240 * 1024

var findingFixtures = map[string]string{
	"inspector-finding.json":         "arn:aws:inspector2:eu-central-1:123456789012:finding/`FINDING_ID`",
	"securityhub-finding-other.json": "arn:aws:securityhub:us-east-1:123456789012:subscription/cis-aws-foundations-benchmark/v/3.0.0/2.2.1/finding/38a89798-6819-4fae-861f-9cca8034602c",
	"securityhub-finding.json":       "arn:aws:securityhub:us-east-2:123456789012:subscription/aws-foundational-security-best-practices/v/1.0.0/CloudTrail.2/finding/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
}

// python3 is required, not optional: a skipped test would leave the filter untested unnoticed.
// It is Python 3.11 here and FunctionRuntime (python3.14) in Lambda: the script uses nothing newer than 3.11.
const pythonNeededBy = "the finding filter (compliancespec/findingfilter.py) is tested by running it"

type filterStep struct {
	Event        string `json:"event"`
	Now          int    `json:"now"`
	PutError     string `json:"putError,omitempty"`
	PublishError string `json:"publishError,omitempty"`
	// RememberError fails the put that remembers a published finding; StopAt "publish" stops
	// the invocation there, as Lambda does at the function's timeout.
	RememberError string `json:"rememberError,omitempty"`
	StopAt        string `json:"stopAt,omitempty"`
	// FindingBytes grows the Security Hub event's finding to that size as compact JSON.
	FindingBytes int `json:"findingBytes,omitempty"`
}

// runFilter runs script (a copy, so mutations can be planted) over steps through its handler with
// a fake boto3 (testdata/findingfilter/harness.py), the function's environment named as the
// construct names it, a memory of 1000 seconds, the hold the construct gives; it returns one line
// per step.
func runFilter(t *testing.T, script string, steps ...filterStep) []string {
	t.Helper()
	r := filterRun(t, script, steps)
	require.Zero(t, r.Code, "%s%s", r.Stdout, r.Stderr)
	return strings.Split(strings.TrimSpace(r.Stdout), "\n")
}

func filterRun(t *testing.T, script string, steps []filterStep) python.Result {
	t.Helper()
	path := filepath.Join(t.TempDir(), "findingfilter.py")
	require.NoError(t, os.WriteFile(path, []byte(script), 0o600))
	for i := range steps {
		steps[i].Event = filepath.Join("testdata", "findingfilter", steps[i].Event)
	}
	arg, err := json.Marshal(steps)
	require.NoError(t, err)
	const table, topic = "findings", "arn:aws:sns:eu-central-1:123456789012:alerts"
	return python.Run(t, pythonNeededBy, filepath.Join("testdata", "findingfilter", "harness.py"), []string{path, string(arg)},
		FindingTableEnv+"="+table, FindingTopicEnv+"="+topic, FindingMemoryEnv+"=1000",
		FindingHoldEnv+"="+strconv.Itoa(FindingFilterTimeoutSeconds),
		"HARNESS_TABLE="+table, "HARNESS_TOPIC="+topic)
}

func TestFindingIDsAreTheFieldsAWSsExampleEventsCarry(t *testing.T) {
	for fixture, id := range findingFixtures {
		data, err := os.ReadFile(filepath.Join("testdata", "findingfilter", fixture))
		require.NoError(t, err)
		assert.Contains(t, string(data), `"`+id+`"`, fixture)
	}
	assert.Contains(t, FindingFilterScript, `return detail["findingArn"]`)
	assert.Contains(t, FindingFilterScript, `return detail["findings"][0]["Id"]`)
}

func TestFindingFilterAlertsANewInspectorFindingOnceAndDropsItsUpdates(t *testing.T) {
	got := runFilter(t, FindingFilterScript,
		filterStep{Event: "inspector-finding.json", Now: 100},
		filterStep{Event: "inspector-finding-updated.json", Now: 200},
		filterStep{Event: "inspector-finding.json", Now: 300}) // EventBridge may deliver an event twice
	assert.Equal(t, []string{
		"inspector-finding.json 100: alerted, published 1, remembered 1",
		"inspector-finding-updated.json 200: dropped, published 0, remembered 1",
		"inspector-finding.json 300: dropped, published 0, remembered 1",
	}, got)
}

func TestFindingFilterAlertsASecurityHubFindingOnce(t *testing.T) {
	got := runFilter(t, FindingFilterScript,
		filterStep{Event: "securityhub-finding.json", Now: 100},
		filterStep{Event: "securityhub-finding-updated.json", Now: 200},
		filterStep{Event: "inspector-finding.json", Now: 300}) // another finding: its own alert
	assert.Equal(t, []string{
		"securityhub-finding.json 100: alerted, published 1, remembered 1",
		"securityhub-finding-updated.json 200: dropped, published 0, remembered 1",
		"inspector-finding.json 300: alerted, published 1, remembered 2",
	}, got)
}

// After the memory (1000 s in the harness), an update of a finding still open alerts again, even
// while DynamoDB has not yet deleted the expired item.
func TestFindingFilterAlertsAgainAfterItsMemoryExpires(t *testing.T) {
	got := runFilter(t, FindingFilterScript,
		filterStep{Event: "inspector-finding.json", Now: 100},
		filterStep{Event: "inspector-finding-updated.json", Now: 1100},
		filterStep{Event: "inspector-finding-updated.json", Now: 1101})
	assert.Equal(t, []string{
		"inspector-finding.json 100: alerted, published 1, remembered 1",
		"inspector-finding-updated.json 1100: dropped, published 0, remembered 1",
		"inspector-finding-updated.json 1101: alerted, published 1, remembered 1",
	}, got)
}

// A failure other than the conditional check raises, so that Lambda retries the event and then
// counts an error (the Errors alarm); a failed publish leaves only the hold, which has lapsed when
// Lambda retries (a minute later), so that the retry alerts.
func TestFindingFilterRaisesOnOtherFailuresSoThatLambdaRetries(t *testing.T) {
	got := runFilter(t, FindingFilterScript,
		filterStep{Event: "inspector-finding.json", Now: 100, PutError: "ProvisionedThroughputExceededException"},
		filterStep{Event: "inspector-finding.json", Now: 160, PublishError: "KMSAccessDeniedException"},
		filterStep{Event: "inspector-finding.json", Now: 280})
	assert.Equal(t, []string{
		"inspector-finding.json 100: raised ClientError ProvisionedThroughputExceededException, published 0, remembered 0",
		"inspector-finding.json 160: raised ClientError KMSAccessDeniedException, published 0, remembered 1",
		"inspector-finding.json 280: alerted, published 1, remembered 1",
	}, got)
}

// Lambda stops an invocation at the function's timeout wherever it is, and retries the event a
// minute later (a timeout is a function error): the finding must alert on that retry. Before,
// the put remembered the finding for 30 days at once, and the retry dropped it: never alerted.
// A duplicate of the event while the first invocation holds the finding is dropped; the retry
// alerts for both.
func TestFindingFilterAlertsOnLambdasRetryAfterAnInvocationStoppedMidway(t *testing.T) {
	stoppedAt := 100 + FindingFilterTimeoutSeconds
	got := runFilter(t, FindingFilterScript,
		filterStep{Event: "inspector-finding.json", Now: 100, StopAt: "publish"},
		filterStep{Event: "inspector-finding.json", Now: 110},
		filterStep{Event: "inspector-finding.json", Now: stoppedAt + LambdaFirstRetryWaitSeconds},
		filterStep{Event: "inspector-finding-updated.json", Now: stoppedAt + LambdaFirstRetryWaitSeconds + 100})
	assert.Equal(t, []string{
		"inspector-finding.json 100: stopped at its timeout, published 0, remembered 1",
		"inspector-finding.json 110: dropped, published 0, remembered 1",
		"inspector-finding.json 190: alerted, published 1, remembered 1",
		"inspector-finding-updated.json 290: dropped, published 0, remembered 1",
	}, got)
}

// When remembering a published finding fails, the invocation raises and Lambda's retry alerts
// again: a finding may alert twice, never not at all.
func TestFindingFilterAlertsAgainWhenItCouldNotRememberAPublishedFinding(t *testing.T) {
	got := runFilter(t, FindingFilterScript,
		filterStep{Event: "securityhub-finding.json", Now: 100, RememberError: "InternalServerError"},
		filterStep{Event: "securityhub-finding.json", Now: 160},
		filterStep{Event: "securityhub-finding-updated.json", Now: 260})
	assert.Equal(t, []string{
		"securityhub-finding.json 100: raised ClientError InternalServerError, published 1, remembered 1",
		"securityhub-finding.json 160: alerted, published 1, remembered 1",
		"securityhub-finding-updated.json 260: dropped, published 0, remembered 1",
	}, got)
}

// Security Hub accepts findings "up to 240 KB per finding" ("Guidelines for using the
// BatchImportFindings API", AWS Security Hub CSPM Partner Guide, read 2026-12-06), and SNS a
// message of at most 262,144 bytes (the harness): the largest finding's event must still publish.
// json.dumps' default ", " and ": " and \u escapes grew it past SNS's limit; compact, it fits.
func TestFindingFilterPublishesTheLargestSecurityHubFindingWithinSNSsMessageSize(t *testing.T) {
	got := runFilter(t, FindingFilterScript,
		filterStep{Event: "securityhub-finding.json", Now: 100, FindingBytes: LargestSecurityHubFindingBytes})
	assert.Equal(t, []string{"securityhub-finding.json 100: alerted, published 1, remembered 1"}, got)
}

// The hold must outlast the invocation (a duplicate meanwhile is dropped) and lapse before
// Lambda's first retry (which then alerts).
func TestFindingHoldOutlastsTheInvocationAndLapsesBeforeLambdasRetry(t *testing.T) {
	require.NoError(t, CheckFindingHold(FindingFilterTimeoutSeconds, FindingFilterTimeoutSeconds))
	for _, bad := range []struct{ hold, timeout int }{
		{FindingFilterTimeoutSeconds - 1, FindingFilterTimeoutSeconds}, // planted: lapses while the invocation runs
		{LambdaFirstRetryWaitSeconds, LambdaFirstRetryWaitSeconds},     // planted: still held when Lambda retries
		{FindingMemoryDays * 24 * 3600, FindingFilterTimeoutSeconds},   // planted: the old design, held for the memory
	} {
		assert.Error(t, CheckFindingHold(bad.hold, bad.timeout), "hold %d, timeout %d", bad.hold, bad.timeout)
	}
}

// Planted failures: each mutation of the script breaks what the tests above hold it to.
func TestFindingFilterMutationsAreCaught(t *testing.T) {
	steps := func() []filterStep {
		return []filterStep{
			{Event: "inspector-finding.json", Now: 100, PutError: "InternalServerError"},
			{Event: "inspector-finding.json", Now: 160, PublishError: "KMSAccessDeniedException"},
			{Event: "inspector-finding.json", Now: 280},
			{Event: "inspector-finding-updated.json", Now: 300},
			{Event: "securityhub-finding.json", Now: 400},
			{Event: "securityhub-finding-updated.json", Now: 500},
			{Event: "securityhub-finding-other.json", Now: 600, FindingBytes: LargestSecurityHubFindingBytes},
			{Event: "inspector-finding-updated.json", Now: 1281},
		}
	}
	want := runFilter(t, FindingFilterScript, steps()...)
	require.Equal(t, []string{
		"inspector-finding.json 100: raised ClientError InternalServerError, published 0, remembered 0",
		"inspector-finding.json 160: raised ClientError KMSAccessDeniedException, published 0, remembered 1",
		"inspector-finding.json 280: alerted, published 1, remembered 1",
		"inspector-finding-updated.json 300: dropped, published 0, remembered 1",
		"securityhub-finding.json 400: alerted, published 1, remembered 2",
		"securityhub-finding-updated.json 500: dropped, published 0, remembered 2",
		"securityhub-finding-other.json 600: alerted, published 1, remembered 3",
		"inspector-finding-updated.json 1281: alerted, published 1, remembered 3",
	}, want)
	for _, m := range []struct{ name, from, to string }{
		{"every failure taken for a seen finding", `if _code(error) == "ConditionalCheckFailedException":`, "if True:"},
		{"a seen finding alerted again", "            return False\n", "            return True\n"},
		{"the put's failure swallowed", "        raise  # Lambda retries", "        return False  # Lambda retries"},
		{"the finding remembered before it is published", "str(int(now) + hold)", "str(int(now) + memory)"},
		{"a published finding not remembered", "    remember(dynamodb, table, fid, now, memory)\n", ""},
		{"an expired finding never alerts again", `"attribute_not_exists(#id) OR #expires < :now"`, `"attribute_not_exists(#id)"`},
		{"the event's id taken for the finding's", `return detail["findingArn"]`, `return event["id"]`},
		{"the account taken for the Security Hub finding", `return detail["findings"][0]["Id"]`, `return detail["findings"][0]["AwsAccountId"]`},
		{"another environment name", `os.environ["TABLE_NAME"]`, `os.environ["FINDINGS_TABLE"]`},
		{"the memory ignored", `int(os.environ["MEMORY_SECONDS"])`, `30 * 24 * 3600`},
		{"the event published as json.dumps spaces it", `json.dumps(event, separators=(",", ":"), ensure_ascii=False)`, `json.dumps(event)`},
		{"the hold ignored", `int(os.environ["HOLD_SECONDS"])`, `30 * 24 * 3600`},
	} {
		t.Run(m.name, func(t *testing.T) {
			require.Contains(t, FindingFilterScript, m.from, "the mutation no longer applies: update it")
			out := filterRun(t, strings.Replace(FindingFilterScript, m.from, m.to, 1), steps()).Stdout
			assert.NotEqual(t, want, strings.Split(strings.TrimSpace(out), "\n"), "the tests did not notice: %s", m.name)
		})
	}
}
