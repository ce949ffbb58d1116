package wiring

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// keyProblems are Keys' problems, without its notes.
func keyProblems(region, account string, templates ...map[string]any) []string {
	problems, _ := Keys(region, account, templates...)
	return problems
}

// crawlerKeyProblems are CrawlerLogsKeys' problems, without its notes.
func crawlerKeyProblems(region, account string, templates ...map[string]any) []string {
	problems, _ := CrawlerLogsKeys(region, account, templates...)
	return problems
}

// flowLogKeyStatement is the example network golden with its flow log key's CloudWatch Logs
// statement changed by plant.
func flowLogKeyStatement(t *testing.T, plant func(st map[string]any)) map[string]any {
	network := read(t, "../../test/testdata/example.network.template.json")
	for _, st := range props(network, "NetworkFlowLogKeyF785E5F9")["KeyPolicy"].(map[string]any)["Statement"].([]any) {
		if st := st.(map[string]any); st["Sid"] == "CloudWatchLogsOfThisAccount" {
			plant(st)
		}
	}
	return network
}

// The encryption context is matched as the IAM User Guide says, over the group's whole ARN at the
// deployment's partition, region and account (review round 2, 3a and 3b): AWS's documented
// account-wide form arn:aws:logs:region:account-id:* and a kms:* statement admit the flow log
// group (whose name is generated); another account's ARN, another service's, a statement whose
// actions do not cover kms:GenerateDataKey, and a StringLike on another account's ARNs deny it.
func TestALogGroupKeysConditionIsMatchedOverTheGroupsWholeArn(t *testing.T) {
	const account = "111111111111"
	condition := func(operator, arn string) func(map[string]any) {
		return func(st map[string]any) {
			st["Condition"] = map[string]any{operator: map[string]any{logsContextKey: arn}}
		}
	}
	for name, plant := range map[string]func(map[string]any){
		"the documented account-wide form": condition("ArnLike", "arn:aws:logs:us-west-2:"+account+":*"),
		"ArnEquals keeps its wildcards":    condition("ArnEquals", "arn:aws:logs:us-west-2:"+account+":log-group:*"),
		"StringLike over the whole ARN":    condition("StringLike", "arn:aws:logs:us-west-2:"+account+":*"),
		"kms:*":                            func(st map[string]any) { st["Action"] = "kms:*" },
	} {
		assert.Empty(t, keyProblems("us-west-2", account, flowLogKeyStatement(t, plant)), name)
	}
	want := "log group NetworkFlowLogGroup4F8CEEEF: key NetworkFlowLogKeyF785E5F9 does not let CloudWatch Logs use it as logs.<region>.amazonaws.com"
	for name, plant := range map[string]func(map[string]any){
		"another account":                   condition("ArnLike", "arn:aws:logs:us-west-2:999999999999:*"),
		"another account, under StringLike": condition("StringLike", "arn:aws:logs:us-west-2:999999999999:*"),
		"another service":                   condition("ArnLike", "arn:aws:sns:us-west-2:"+account+":*"),
		"another region":                    condition("ArnLike", "arn:aws:logs:eu-west-1:"+account+":*"),
		"no data keys":                      func(st map[string]any) { st["Action"] = []any{"kms:Decrypt*", "kms:Describe*"} },
	} {
		problems := keyProblems("us-west-2", account, flowLogKeyStatement(t, plant))
		assert.Len(t, problems, 1, name)
		assert.Contains(t, joined(problems), want, name)
	}
	// Without a configured account, the account is not judged: the golden's own condition (Ref
	// AWS::AccountId) and a literal account both admit.
	assert.Empty(t, keyProblems("us-west-2", "", flowLogKeyStatement(t, condition("ArnLike", "arn:aws:logs:us-west-2:999999999999:*"))))
}

// glob takes * and ? as IAM does, and every other character (a [ of path.Match too) as itself.
func TestGlobTakesIAMsWildcardsOnly(t *testing.T) {
	for _, c := range []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true}, {"log-group:*", "log-group:/a/b:c", true}, {"a?c", "abc", true}, {"a?c", "ac", false},
		{"/aws/*/x", "/aws/a/b/x", true}, {"[ab]", "a", false}, {"[ab]", "[ab]", true}, {"kms:generatedatakey*", "kms:generatedatakey", true},
		{"a*b*c", "aXbYc", true}, {"a*b*c", "aXbY", false},
	} {
		assert.Equal(t, c.want, glob(c.pattern, c.s), "%q %q", c.pattern, c.s)
	}
}

// Review round 3's 2a: an ARN operator's value of fewer than six components ("*",
// "arn:aws:logs:*") is not judged, as no AWS page says how IAM pairs its components: a note, not
// a failure, for a log group's key and a crawler's; one of a list that admits still admits without
// a note; a six-component value of another account still fails.
func TestAShortArnConditionValueIsNotJudged(t *testing.T) {
	const account = "111111111111"
	condition := func(operator string, value any) func(map[string]any) {
		return func(st map[string]any) {
			st["Condition"] = map[string]any{operator: map[string]any{logsContextKey: value}}
		}
	}
	for _, short := range []any{"*", "arn:aws:logs:*", []any{"arn:aws:logs:*", "arn:aws:logs:us-west-2:999999999999:*"}} {
		problems, notes := Keys("us-west-2", account, flowLogKeyStatement(t, condition("ArnLike", short)))
		assert.Empty(t, problems, short)
		assert.Equal(t, []string{"log group NetworkFlowLogGroup4F8CEEEF: key NetworkFlowLogKeyF785E5F9: " + logsNotJudged}, notes, short)
		problems, notes = CrawlerLogsKeys("us-west-2", account, crawlerLogsConditionValue(t, "ArnEquals", short))
		assert.Empty(t, problems, short)
		assert.Len(t, notes, 1, short)
		assert.Contains(t, joined(notes), "security configuration InventoryQueriesSecurityConfiguration93096163: key InventoryQueriesLogsKey3D6F7292, for crawler InventoryQueriesCrawlerD90043AA's log group")
	}
	problems, notes := Keys("us-west-2", account, flowLogKeyStatement(t, condition("ArnLike", []any{"arn:aws:logs:*", "arn:aws:logs:us-west-2:" + account + ":*"})))
	assert.Empty(t, problems)
	assert.Empty(t, notes, "one value admits")
	problems, notes = Keys("us-west-2", account, flowLogKeyStatement(t, condition("ArnLike", "arn:aws:logs:us-west-2:999999999999:*")))
	assert.Len(t, problems, 1)
	assert.Empty(t, notes)
	problems, _ = Keys("us-west-2", account, flowLogKeyStatement(t, condition("StringLike", "arn:aws:logs:*:999999999999:*")))
	assert.Len(t, problems, 1, "a string operator is judged over the whole ARN")
}
