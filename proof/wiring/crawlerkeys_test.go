package wiring

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// crawlerLogsCondition sets the Glue logs key's condition in the example patching golden to
// operator on the log groups given (one value, or a list of several).
func crawlerLogsCondition(t *testing.T, operator string, logGroups ...any) map[string]any {
	var arns []any
	for _, logGroup := range logGroups {
		arns = append(arns, map[string]any{"Fn::Join": []any{"", []any{"arn:aws:logs:us-west-2:", map[string]any{"Ref": "AWS::AccountId"}, ":log-group:", logGroup}}})
	}
	var value any = arns
	if len(arns) == 1 {
		value = arns[0]
	}
	return crawlerLogsConditionValue(t, operator, value)
}

// crawlerLogsConditionValue sets the Glue logs key's condition in the example patching golden to
// operator on value (the encryption context's ARN pattern).
func crawlerLogsConditionValue(t *testing.T, operator string, value any) map[string]any {
	patching := read(t, "../../test/testdata/example.patching.template.json")
	for _, st := range props(patching, "InventoryQueriesLogsKey3D6F7292")["KeyPolicy"].(map[string]any)["Statement"].([]any) {
		st := st.(map[string]any)
		if st["Sid"] == "CloudWatchLogsOfThisAccount" {
			st["Condition"] = map[string]any{operator: map[string]any{logsContextKey: value}}
		}
	}
	return patching
}

// Every golden's Glue security configuration key lets CloudWatch Logs use it for its crawler's
// log group, /aws-glue/crawlers-role/<role>-<configuration>; run 21's A17 (the condition
// narrowed to /aws/lambda/*), a condition naming only other groups, and a * under StringEquals
// (literal there) are named; a condition naming the crawler's own group (the role's generated
// name by its Ref), all crawlers' groups (under ArnLike or ArnEquals), or a list one of whose
// values does, passes.
func TestCrawlerLogsKeysAdmitTheCrawlersLogGroup(t *testing.T) {
	for _, scenario := range goldenScenarios {
		assert.Empty(t, crawlerKeyProblems("us-west-2", "", goldenStacks(t, scenario, "network", "fleet", "patching")...), scenario)
	}
	want := "security configuration InventoryQueriesSecurityConfiguration93096163: key InventoryQueriesLogsKey3D6F7292 does not let CloudWatch Logs use it as logs.<region>.amazonaws.com " +
		"for crawler InventoryQueriesCrawlerD90043AA's log group /aws-glue/crawlers-role/<InventoryQueriesCrawlerRole014F2020's generated name>-privatepatch-inventory"
	ownGroup := map[string]any{"Fn::Join": []any{"", []any{"/aws-glue/crawlers-role/", map[string]any{"Ref": "InventoryQueriesCrawlerRole014F2020"}, "-privatepatch-inventory"}}}
	for _, planted := range []struct {
		operator  string
		logGroups []any
	}{
		{"ArnLike", []any{"/aws/lambda/*"}},
		{"ArnLike", []any{"/aws-glue/crawlers-role/other-role-privatepatch-inventory"}},
		{"ArnLike", []any{"/aws/lambda/*", "/aws-glue/crawlers-role/other-role-privatepatch-inventory"}},
		// Under StringEquals a * is itself (review of run 21's checks, 5c).
		{"StringEquals", []any{"/aws-glue/crawlers-role/*"}},
	} {
		problems := crawlerKeyProblems("us-west-2", "111111111111", crawlerLogsCondition(t, planted.operator, planted.logGroups...))
		assert.Len(t, problems, 1, planted)
		assert.Contains(t, joined(problems), want, planted)
	}
	for _, admitted := range []struct {
		operator  string
		logGroups []any
	}{
		{"ArnLike", []any{"/aws-glue/crawlers-role/*"}},
		{"ArnLike", []any{ownGroup}},
		{"StringEquals", []any{ownGroup}},
		// ArnEquals takes wildcards as ArnLike does ("These behave identically").
		{"ArnEquals", []any{"/aws-glue/crawlers-role/*"}},
		// IAM ORs a key's values: one of the list admits the group (review of run 21's checks, 5b).
		{"ArnLike", []any{"/aws/lambda/*", "/aws-glue/crawlers-role/*"}},
	} {
		assert.Empty(t, crawlerKeyProblems("us-west-2", "111111111111", crawlerLogsCondition(t, admitted.operator, admitted.logGroups...)), admitted)
	}
}

// The crawler's group is matched over its whole ARN too (review round 2, 3a and 3b): AWS's
// documented account-wide form admits it, another account's and another service's ARNs do not.
func TestCrawlerLogsKeysMatchTheGroupsWholeArn(t *testing.T) {
	const account = "111111111111"
	assert.Empty(t, crawlerKeyProblems("us-west-2", account, crawlerLogsConditionValue(t, "ArnLike", "arn:aws:logs:us-west-2:"+account+":*")))
	for _, arn := range []string{"arn:aws:logs:us-west-2:999999999999:log-group:/aws-glue/crawlers-role/*", "arn:aws:sns:us-west-2:" + account + ":log-group:/aws-glue/crawlers-role/*"} {
		problems := crawlerKeyProblems("us-west-2", account, crawlerLogsConditionValue(t, "ArnEquals", arn))
		assert.Len(t, problems, 1, arn)
		assert.Contains(t, joined(problems), "does not let CloudWatch Logs use it", arn)
	}
}
