package wiring

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/privatepatch/privatepatch/proof/cfnupdate"
)

// Held-out run 33's A08: one environment's output bucket given the other's name. The fleet golden
// names its bucket privatepatch-ssm-<account>-us-west-2, the region written out: copied into a
// second environment as it is, the name is the first one's.
func TestABucketNameTwoEnvironmentsShareIsNamed(t *testing.T) {
	fleet := func() map[string]any { return read(t, "../../test/testdata/default.fleet.template.json") }
	west := cfnupdate.Stack{Name: "privatepatch-west-fleet", Account: "111111111111", Region: "us-west-2", Template: fleet()}
	east := cfnupdate.Stack{Name: "privatepatch-east-fleet", Account: "111111111111", Region: "us-east-1", Template: fleet()}
	assert.Equal(t, []string{"privatepatch-west-fleet's CommandOutputBucket0DD4DD73: BucketName privatepatch-ssm-111111111111-us-west-2 is privatepatch-east-fleet's CommandOutputBucket0DD4DD73's too, in one namespace (partition aws): the second to be created fails"},
		SharedNames([]cfnupdate.Stack{west, east}))

	// Each its own region in the name, as the app writes it: apart.
	props(east.Template, "CommandOutputBucket0DD4DD73")["BucketName"] = map[string]any{"Fn::Join": []any{"", []any{"privatepatch-ssm-", map[string]any{"Ref": "AWS::AccountId"}, "-", map[string]any{"Ref": "AWS::Region"}}}}
	assert.Empty(t, SharedNames([]cfnupdate.Stack{west, east}))
	// Another account's is another bucket name; a partition is the namespace, not the account.
	east.Account = "222222222222"
	props(east.Template, "CommandOutputBucket0DD4DD73")["BucketName"] = map[string]any{"Fn::Sub": "privatepatch-ssm-111111111111-${AWS::Region}"}
	east.Region = "us-west-2"
	assert.Len(t, SharedNames([]cfnupdate.Stack{west, east}), 1, "an Fn::Sub rendered for its stack: the same name in another account")
	// A name with an account CloudFormation alone knows is not compared.
	west.Account, east.Account = "unknown-account", "unknown-account"
	assert.Empty(t, SharedNames([]cfnupdate.Stack{west, east}))
}

// IAM names are the account's, in every region, and case does not tell them apart; another
// account's are its own.
func TestARoleNameTwoRegionsOfOneAccountShareIsNamed(t *testing.T) {
	role := func(name string) map[string]any {
		return map[string]any{"Resources": map[string]any{"Role": map[string]any{"Type": "AWS::IAM::Role", "Properties": map[string]any{"RoleName": name}}}}
	}
	west := cfnupdate.Stack{Name: "west", Account: "111111111111", Region: "us-west-2", Template: role("privatepatch-scan")}
	east := cfnupdate.Stack{Name: "east", Account: "111111111111", Region: "us-east-1", Template: role("PrivatePatch-Scan")}
	assert.Equal(t, []string{"west's Role: RoleName privatepatch-scan is east's Role's too, in one namespace (account 111111111111): the second to be created fails"},
		SharedNames([]cfnupdate.Stack{west, east}))
	east.Account = "222222222222"
	assert.Empty(t, SharedNames([]cfnupdate.Stack{west, east}))
	east.Account = "unknown-account"
	assert.Empty(t, SharedNames([]cfnupdate.Stack{west, east}), "an account the manifest does not know is not compared")
}
