package doctor

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// alertSubscriptionsPage2 is the call that follows page 1's NextToken
// (list-subscriptions-by-topic-page-1.json).
const alertSubscriptionsPage2 = alertSubscriptions + " --next-token AAFdJk4aC3pZ7mQeXAMPLEtOkEn2rT0x9b8c7d6e5f4a3b2c1d0e"

// snsError is what the AWS CLI does when Amazon SNS answers ListSubscriptionsByTopic with an error:
// exit status 254 and botocore's ClientError on stderr (the query protocol's error codes:
// AuthorizationError and NotFound among ListSubscriptionsByTopic's errors, Throttled the code of
// SNS's ThrottledException, in botocore 1.43.11's sns model, read 2026-12-06).
func snsError(command, code, message string) error {
	return &CLIError{Args: strings.Fields(command), Err: errors.New("exit status 254"),
		Stderr: "An error occurred (" + code + ") when calling the ListSubscriptionsByTopic operation: " + message}
}

// The alert subscriptions row says whether the alerts reach anyone: no subscription fails, only
// subscriptions pending confirmation warn, a confirmed one passes (naming how many and their
// protocols); every page is read; a call AWS refuses is a COULD NOT CHECK row, never OK. Each row
// but the healthy one is a planted failure of the healthy deployment.
func TestAlertSubscriptionsRowSaysWhetherAlertsReachAnyone(t *testing.T) {
	for _, tc := range []struct {
		name      string
		responses map[string]string
		errors    map[string]error
		state     State
		evidence  []string
		action    []string
		calls     []string
	}{
		{name: "one confirmed e-mail (the healthy deployment)", state: OK,
			evidence: []string{"1 confirmed subscription(s) to topic privatepatch-patching-AlertsTopic (email)"}},
		{name: "no subscription: the default configuration", responses: map[string]string{alertSubscriptions: "testdata/list-subscriptions-by-topic-none.json"},
			state:    Fail,
			evidence: []string{"topic privatepatch-patching-AlertsTopic has no subscription: alerts reach nobody"},
			action: []string{"add patching.notifications.emails to the configuration and make deploy",
				"aws sns subscribe --topic-arn " + alertsTopicArn + " --protocol email --notification-endpoint you@example.com --region us-west-2"}},
		{name: "a zero-byte answer is no subscription", responses: map[string]string{alertSubscriptions: "testdata/stack-policy-none.json"},
			state: Fail, evidence: []string{"has no subscription: alerts reach nobody"}},
		{name: "every subscription pending confirmation", responses: map[string]string{alertSubscriptions: "testdata/list-subscriptions-by-topic-pending.json"},
			state: Warn,
			evidence: []string{"every subscription of topic privatepatch-patching-AlertsTopic is PendingConfirmation: " +
				"patching-team@example.com (email), on-call@example.com (email); alerts reach nobody until one is confirmed"},
			action: []string{"confirmation e-mail from AWS Notifications and chooses Confirm subscription", "valid for two days",
				"aws sns subscribe --topic-arn " + alertsTopicArn}},
		{name: "one confirmed and one pending", responses: map[string]string{alertSubscriptions: "testdata/list-subscriptions-by-topic-mixed.json"},
			state: OK,
			evidence: []string{"1 confirmed subscription(s) to topic privatepatch-patching-AlertsTopic (email); " +
				"still PendingConfirmation: on-call@example.com (email)"}},
		// Page 1 holds 100 pending subscriptions and a NextToken; page 2 the confirmed ones.
		{name: "two pages: NextToken followed", responses: map[string]string{alertSubscriptions: "testdata/list-subscriptions-by-topic-page-1.json",
			alertSubscriptionsPage2: "testdata/list-subscriptions-by-topic-page-2.json"},
			state: OK,
			evidence: []string{"2 confirmed subscription(s) to topic privatepatch-patching-AlertsTopic (email, sqs)",
				"still PendingConfirmation: on-call-001@example.com (email), ", "on-call-010@example.com (email) and 90 more"},
			calls: []string{alertSubscriptions, alertSubscriptionsPage2}},
		// Planted: the same first page, and a second page without a confirmed subscription. The
		// verdict follows page 2, so page 2 is read.
		{name: "two pages, none confirmed", responses: map[string]string{alertSubscriptions: "testdata/list-subscriptions-by-topic-page-1.json",
			alertSubscriptionsPage2: "testdata/list-subscriptions-by-topic-pending.json"},
			state: Warn, evidence: []string{"is PendingConfirmation: on-call-001@example.com (email)", "and 92 more; alerts reach nobody until one is confirmed"},
			calls: []string{alertSubscriptions, alertSubscriptionsPage2}},
		{name: "denied: Amazon SNS's AuthorizationError", errors: map[string]error{alertSubscriptions: snsError(alertSubscriptions, "AuthorizationError",
			"User: arn:aws:sts::123456789012:assumed-role/PlatformReadOnly/operator is not authorized to perform: SNS:ListSubscriptionsByTopic on resource: "+alertsTopicArn)},
			state:    Unchecked,
			evidence: []string{"aws sns list-subscriptions-by-topic: An error occurred (AuthorizationError) when calling the ListSubscriptionsByTopic operation"},
			action:   []string{"allow sns:ListSubscriptionsByTopic to the caller, then make doctor again"}},
		{name: "the topic deleted outside CloudFormation", errors: map[string]error{alertSubscriptions: snsError(alertSubscriptions, "NotFound", "Topic does not exist")},
			state: Unchecked, evidence: []string{"An error occurred (NotFound)"}, action: []string{"AWS answered NotFound, not a denial"}},
		{name: "throttled", errors: map[string]error{alertSubscriptions: snsError(alertSubscriptions, "Throttled", "Rate exceeded")},
			state: Unchecked, evidence: []string{"An error occurred (Throttled)"}, action: []string{"throttled: run make doctor again later"}},
		// The first page read, the second refused: no verdict on half the subscriptions.
		{name: "the second page refused", responses: map[string]string{alertSubscriptions: "testdata/list-subscriptions-by-topic-page-1.json"},
			errors: map[string]error{alertSubscriptionsPage2: snsError(alertSubscriptionsPage2, "AuthorizationError", "not authorized")},
			state:  Unchecked, evidence: []string{"AuthorizationError"}, action: []string{"allow sns:ListSubscriptionsByTopic"},
			calls: []string{alertSubscriptions, alertSubscriptionsPage2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			responses := healthy()
			for command, file := range tc.responses {
				responses[command] = file
			}
			f := &fake{t: t, responses: responses, errors: tc.errors}
			results, err := Examine(f, defaultTarget(t), now)
			require.NoError(t, err)
			commandsNameTheRegion(t, results)
			var rows []Result
			for _, r := range results {
				if r.Check == "alert subscriptions" {
					rows = append(rows, r)
				} else {
					assert.Equal(t, OK, r.State, "only the alert subscriptions row changes: %s is %s (%s)", r.Check, r.State, r.Evidence)
				}
			}
			require.Len(t, rows, 1, "one alert subscriptions row")
			row := rows[0]
			assert.Equal(t, tc.state, row.State, row.Evidence)
			for _, want := range tc.evidence {
				assert.Contains(t, row.Evidence, want)
			}
			for _, want := range tc.action {
				assert.Contains(t, row.Action, want)
			}
			if tc.state != OK {
				assert.NotEmpty(t, row.Action, "a row that is not OK says what to do")
			}
			assert.Equal(t, tc.state == Fail, Failed(results))
			assert.Equal(t, tc.state == Unchecked, Incomplete(results))
			for _, call := range tc.calls {
				assert.Contains(t, f.calls, call)
			}
		})
	}
}

// Without the AlertsTopicArn output (a stack deployed before it), the topic is the stack's
// AWS::SNS::Topic; planted: without either, the row fails.
func TestAlertSubscriptionsFindTheTopicWithoutTheOutput(t *testing.T) {
	dir := t.TempDir()
	rewrite := func(from, to string, edit func(map[string]any)) string {
		data, err := os.ReadFile(from)
		require.NoError(t, err)
		var v map[string]any
		require.NoError(t, json.Unmarshal(data, &v))
		edit(v)
		data, err = json.Marshal(v)
		require.NoError(t, err)
		path := filepath.Join(dir, to)
		require.NoError(t, os.WriteFile(path, data, 0o600))
		return path
	}
	noOutput := rewrite("testdata/describe-stacks-patching.json", "stacks.json", func(v map[string]any) {
		delete(v["Stacks"].([]any)[0].(map[string]any), "Outputs")
	})
	resources := "cloudformation list-stack-resources --stack-name privatepatch-patching"
	physical := "arn:aws:sns:us-west-2:123456789012:privatepatch-patching-AlertsTopicCF7C81C9-Zx9Yw8Vu7Ts6"
	responses := healthy()
	responses["cloudformation describe-stacks --stack-name privatepatch-patching"] = noOutput
	delete(responses, alertSubscriptions)
	responses["sns list-subscriptions-by-topic --topic-arn "+physical+" --no-paginate"] = "testdata/list-subscriptions-by-topic-confirmed.json"
	row := rowOf(t, examine(t, responses), "alert subscriptions")
	assert.Equal(t, OK, row.State, row.Evidence)
	assert.Contains(t, row.Evidence, "topic privatepatch-patching-AlertsTopicCF7C81C9-Zx9Yw8Vu7Ts6")

	responses[resources] = rewrite(responses[resources], "resources.json", func(v map[string]any) {
		var kept []any
		for _, r := range v["StackResourceSummaries"].([]any) {
			if r.(map[string]any)["ResourceType"] != "AWS::SNS::Topic" {
				kept = append(kept, r)
			}
		}
		v["StackResourceSummaries"] = kept
	})
	row = rowOf(t, examine(t, responses), "alert subscriptions")
	assert.Equal(t, Fail, row.State)
	assert.Equal(t, "the patching stack has no alerts topic (no AlertsTopicArn output, no AWS::SNS::Topic): alerts reach nobody", row.Evidence)
}

// A NextToken that comes back is refused, not followed for ever.
func TestAlertSubscriptionsStopOnARepeatedNextToken(t *testing.T) {
	responses := healthy()
	responses[alertSubscriptions] = "testdata/list-subscriptions-by-topic-page-1.json"
	responses[alertSubscriptionsPage2] = "testdata/list-subscriptions-by-topic-page-1.json"
	row := rowOf(t, examine(t, responses), "alert subscriptions")
	assert.Equal(t, Unchecked, row.State)
	assert.Contains(t, row.Evidence, `NextToken "AAFdJk4aC3pZ7mQeXAMPLEtOkEn2rT0x9b8c7d6e5f4a3b2c1d0e" came back a second time, after 200 subscriptions`)
}

// The recordings are checked against ListSubscriptionsByTopic's output shape: planted, a member
// in another casing is caught.
func TestSubscriptionRecordingsFollowTheSNSModel(t *testing.T) {
	m := loadAPIModels(t)
	good, err := os.ReadFile("testdata/list-subscriptions-by-topic-mixed.json")
	require.NoError(t, err)
	require.Empty(t, m.recordingProblems("sns", "ListSubscriptionsByTopic", good))
	drifted := strings.Replace(string(good), `"SubscriptionArn"`, `"SubscriptionARN"`, 1)
	assert.Contains(t, m.recordingProblems("sns", "ListSubscriptionsByTopic", []byte(drifted)),
		"ListSubscriptionsByTopic.Subscriptions[0].SubscriptionARN: Subscription has no member SubscriptionARN (it has SubscriptionArn)")
	assert.Empty(t, m.requestProblems(strings.Fields(alertSubscriptionsPage2)), "the calls are ListSubscriptionsByTopic's parameters")
	assert.NotEmpty(t, m.requestProblems([]string{"sns", "list-subscriptions-by-topic", "--next-token", "x"}), "planted: TopicArn is required")
}
