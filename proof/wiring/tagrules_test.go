package wiring

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Every golden's tags are ones their resources take; a tag planted where its resource's rules
// refuse it is named with its resource and the rule (held-out run 26's B09 and B10).
func TestEveryTagIsOneItsResourceTakes(t *testing.T) {
	for _, scenario := range goldenScenarios {
		all := map[string]map[string]any{}
		for _, stack := range []string{"network", "fleet", "patching"} {
			if templates := goldenStacks(t, scenario, stack); len(templates) == 1 {
				all[stack] = templates[0]
			}
		}
		assert.NotEmpty(t, all, scenario)
		assert.Empty(t, TagRules(all), scenario)
	}
	resource := func(kind string, tags any) map[string]map[string]any {
		return map[string]map[string]any{"patching": {"Resources": map[string]any{"R": map[string]any{"Type": kind, "Properties": map[string]any{"Tags": tags}}}}}
	}
	list := func(key, value string) []any { return []any{map[string]any{"Key": key, "Value": value}} }
	var fiftyOne []any
	for i := range 51 {
		fiftyOne = append(fiftyOne, map[string]any{"Key": string(rune('A'+i%26)) + string(rune('a'+i/26)), "Value": "v"})
	}
	for _, c := range []struct {
		name      string
		templates map[string]map[string]any
		want      string
	}{
		{"a_security_hub_hub_key_with_a_space", resource("AWS::SecurityHub::Hub", map[string]any{"Cost Center": "IT Ops 42"}),
			`patching AWS::SecurityHub::Hub R: tag "Cost Center"="IT Ops 42" is not one AWS::SecurityHub::Hub takes (EnableSecurityHub's TagMap`},
		{"a_dynamodb_value_with_an_at", resource("AWS::DynamoDB::Table", list("Owner", "platform@example.com")),
			`patching AWS::DynamoDB::Table R: tag "Owner"="platform@example.com" is not one AWS::DynamoDB::Table takes ("Tagging restrictions in DynamoDB"`},
		{"a_reserved_key_anywhere", resource("AWS::SSM::Document", list("aws:owner", "me")), `tag "aws:owner"="me" is not a tag key AWS takes`},
		{"a_value_with_a_comma", resource("AWS::EC2::Instance", list("Owner", "a,b")), `tag "Owner"="a,b" is not a tag value AWS takes`},
		{"fifty_one_tags", resource("AWS::EC2::Instance", fiftyOne), "carries 51 tags, more than the 50 AWS allows a resource"},
	} {
		t.Run(c.name, func(t *testing.T) { assert.Contains(t, joined(TagRules(c.templates)), c.want) })
	}
	for name, tags := range map[string]any{
		"the_same_key_with_a_space_elsewhere": list("Cost Center", "IT Ops 42"),
		"an_intrinsic_value":                  []any{map[string]any{"Key": "Name", "Value": map[string]any{"Ref": "AWS::StackName"}}},
		"an_intrinsic_map":                    map[string]any{"Fn::If": []any{"c", map[string]any{}, map[string]any{}}},
		// CloudFormation's own tags, skipped in the map form as in the list form (review 18's finding 7).
		"cloudformations_own_in_a_list": list("aws:cloudformation:stack-name", "privatepatch-patching"),
		"cloudformations_own_in_a_map":  map[string]any{"aws:cloudformation:stack-name": "privatepatch-patching"},
	} {
		assert.Empty(t, TagRules(resource("AWS::EC2::Instance", tags)), name)
	}
}

// A configured asset group selects exactly its configured tags: a value whose case differs
// selects none of its instances (held-out run 26's B05), and a group the fleet stack lacks is
// named too.
func TestEachAssetGroupSelectsItsConfiguredTags(t *testing.T) {
	fleet := goldenStacks(t, "example", "fleet")[0]
	configured := map[string]map[string]string{"privatepatch-ProdWebServer": {"Environment": "Prod", "InventoryCategory": "WebServer"}}
	assert.Empty(t, ResourceGroupTags(fleet, configured))
	assert.Empty(t, ResourceGroupTags(fleet, nil), "no group configured: nothing to compare")

	filter := props(fleet, "ResourceGroupsprivatepatchProdWebServerC534B834")["ResourceQuery"].(map[string]any)["Query"].(map[string]any)["TagFilters"].([]any)[1].(map[string]any)
	filter["Values"] = []any{"Webserver"}
	assert.Contains(t, joined(ResourceGroupTags(fleet, configured)),
		"resource group privatepatch-ProdWebServer (ResourceGroupsprivatepatchProdWebServerC534B834): selects the tags map[Environment:[Prod] InventoryCategory:[Webserver]], not the configuration's map[Environment:[Prod] InventoryCategory:[WebServer]]")
	assert.Contains(t, joined(ResourceGroupTags(fleet, map[string]map[string]string{"privatepatch-Other": {"A": "b"}})),
		"resource group privatepatch-Other: configured (assets.resourceGroups), not in the fleet stack")
}

// Held-out run 31's A10: the alerts topic's output names another resource (the key's ARN); every
// golden's ...TopicArn outputs are their topics' Refs.
func TestATopicArnOutputIsItsTopicsRef(t *testing.T) {
	for _, scenario := range goldenScenarios {
		for _, patching := range goldenStacks(t, scenario, "patching") {
			assert.Empty(t, topicArnOutputs(patching), scenario)
		}
	}
	patching := read(t, "../../test/testdata/default.patching.template.json")
	patching["Outputs"].(map[string]any)["AlertsTopicArn"].(map[string]any)["Value"] = map[string]any{"Fn::GetAtt": []any{"AlertsKey9E1197AF", "Arn"}}
	fleet := read(t, "../../test/testdata/default.fleet.template.json")
	assert.Contains(t, joined(Outputs(patching, fleet)), "output AlertsTopicArn: ")
	assert.Contains(t, joined(Outputs(patching, fleet)), "not a Ref of an SNS topic of the stack: what subscribes to it")
}
