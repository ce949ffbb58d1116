package wiring

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// crawlerLogsCondition sets the log-group part of the Glue logs key's condition in the example
// patching golden.
func crawlerLogsCondition(t *testing.T, logGroup any) map[string]any {
	patching := read(t, "../../test/testdata/example.patching.template.json")
	for _, st := range props(patching, "InventoryQueriesLogsKey3D6F7292")["KeyPolicy"].(map[string]any)["Statement"].([]any) {
		st := st.(map[string]any)
		if st["Sid"] == "CloudWatchLogsOfThisAccount" {
			st["Condition"].(map[string]any)["ArnLike"].(map[string]any)[logsContextKey] = map[string]any{"Fn::Join": []any{"", []any{
				"arn:aws:logs:us-west-2:", map[string]any{"Ref": "AWS::AccountId"}, ":log-group:", logGroup}}}
		}
	}
	return patching
}

// Every golden's Glue security configuration key lets CloudWatch Logs use it for its crawler's
// log group, /aws-glue/crawlers-role/<role>-<configuration>; run 21's A17 (the condition
// narrowed to /aws/lambda/*) and a condition naming another crawler's group exactly are named,
// and a condition naming the crawler's own group (the role's generated name by its Ref) or all
// crawlers' groups passes.
func TestCrawlerLogsKeysAdmitTheCrawlersLogGroup(t *testing.T) {
	for _, scenario := range goldenScenarios {
		assert.Empty(t, CrawlerLogsKeys(goldenStacks(t, scenario, "network", "fleet", "patching")...), scenario)
	}
	want := "security configuration InventoryQueriesSecurityConfiguration93096163: key InventoryQueriesLogsKey3D6F7292 does not let CloudWatch Logs use it as logs.<region>.amazonaws.com " +
		"for crawler InventoryQueriesCrawlerD90043AA's log group /aws-glue/crawlers-role/<InventoryQueriesCrawlerRole014F2020's generated name>-privatepatch-inventory"
	for _, planted := range []string{"/aws/lambda/*", "/aws-glue/crawlers-role/other-role-privatepatch-inventory"} {
		problems := CrawlerLogsKeys(crawlerLogsCondition(t, planted))
		assert.Len(t, problems, 1, planted)
		assert.Contains(t, joined(problems), want, planted)
	}
	for _, admitted := range []any{"/aws-glue/crawlers-role/*",
		map[string]any{"Fn::Join": []any{"", []any{"/aws-glue/crawlers-role/", map[string]any{"Ref": "InventoryQueriesCrawlerRole014F2020"}, "-privatepatch-inventory"}}}} {
		assert.Empty(t, CrawlerLogsKeys(crawlerLogsCondition(t, admitted)), admitted)
	}
}
