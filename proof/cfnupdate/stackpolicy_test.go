package cfnupdate

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStackPolicyDeniesReplacingOrDeletingDataButAllowsEverythingElse(t *testing.T) {
	template := map[string]any{"Resources": map[string]any{
		"UpdateStore": map[string]any{"Type": "AWS::EC2::Volume"},
		"Bucket":      map[string]any{"Type": "AWS::S3::Bucket"},
		"Wsus":        map[string]any{"Type": "AWS::EC2::Instance"},
		"Group":       map[string]any{"Type": "AWS::EC2::SecurityGroup"},
	}}
	policy := StackPolicy(template)
	for _, action := range []string{UpdateReplace, UpdateDelete} {
		assert.False(t, PolicyAllows(policy, action, "UpdateStore", "AWS::EC2::Volume"), action)
		assert.False(t, PolicyAllows(policy, action, "Bucket", "AWS::S3::Bucket"), action)
		assert.True(t, PolicyAllows(policy, action, "Wsus", "AWS::EC2::Instance"), "the documented two-step WSUS replacement: %s", action)
		assert.True(t, PolicyAllows(policy, action, "Group", "AWS::EC2::SecurityGroup"), action)
	}
	assert.True(t, PolicyAllows(policy, UpdateModify, "UpdateStore", "AWS::EC2::Volume"), "growing the update store in place")
	// Only the types the template declares are named.
	assert.Equal(t, []string{"AWS::EC2::Volume", "AWS::S3::Bucket"}, policy[0].Condition["StringEquals"].(map[string]any)["ResourceType"])

	// Planted failure: the policy without its Denies protects nothing, and the evaluator says so.
	assert.True(t, PolicyAllows(policy[len(policy)-1:], UpdateReplace, "UpdateStore", "AWS::EC2::Volume"))
	// A set policy without the Allow blocks every update.
	assert.False(t, PolicyAllows(policy[:1], UpdateModify, "Group", "AWS::EC2::SecurityGroup"))
}

// Removing a retained resource from the template keeps its data (the deployed template's
// DeletionPolicy decides), so the policy allows it: turning off WSUS, flow logs, KMS output, the
// data sync, Inspector or the last CloudWatch-output task removes retained resources.
func TestStackPolicyAllowsRemovingRetainedDataButNotReplacingIt(t *testing.T) {
	template := map[string]any{"Resources": map[string]any{
		"UpdateStore": map[string]any{"Type": "AWS::EC2::Volume", "DeletionPolicy": "Retain"},
		"FlowLogs":    map[string]any{"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain"},
		"Topic":       map[string]any{"Type": "AWS::SNS::Topic"},
	}}
	policy := StackPolicy(template)
	assert.True(t, PolicyAllows(policy, UpdateDelete, "UpdateStore", "AWS::EC2::Volume"))
	assert.True(t, PolicyAllows(policy, UpdateDelete, "FlowLogs", "AWS::Logs::LogGroup"))
	assert.False(t, PolicyAllows(policy, UpdateReplace, "FlowLogs", "AWS::Logs::LogGroup"), "a replacement moves the data to a new resource")
	assert.False(t, PolicyAllows(policy, UpdateDelete, "Topic", "AWS::SNS::Topic"), "not retained: removing it deletes it")
}

func TestParsedStackPoliciesAreEvaluatedAsWritten(t *testing.T) {
	template := map[string]any{"Resources": map[string]any{"Topic": map[string]any{"Type": "AWS::SNS::Topic"}, "Key": map[string]any{"Type": "AWS::KMS::Key", "DeletionPolicy": "Retain"}}}
	body, err := StackPolicyJSON(template)
	require.NoError(t, err)
	parsed, err := ParseStackPolicy(body)
	require.NoError(t, err)
	for _, c := range []struct{ action, id, typ string }{
		{UpdateDelete, "Topic", "AWS::SNS::Topic"}, {UpdateDelete, "Key", "AWS::KMS::Key"},
		{UpdateReplace, "Key", "AWS::KMS::Key"}, {UpdateModify, "Topic", "AWS::SNS::Topic"},
	} {
		assert.Equal(t, PolicyAllows(StackPolicy(template), c.action, c.id, c.typ), PolicyAllows(parsed, c.action, c.id, c.typ), "%v", c)
	}
	// StringLike and lists, as a hand-written policy may use them.
	like, err := ParseStackPolicy([]byte(`{"Statement": [{"Effect": "Deny", "Action": ["Update:Delete"], "Principal": "*", "Resource": ["*"],
		"Condition": {"StringLike": {"ResourceType": ["AWS::S3::*"]}}}, {"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"}]}`))
	require.NoError(t, err)
	assert.False(t, PolicyAllows(like, UpdateDelete, "B", "AWS::S3::Bucket"))
	assert.True(t, PolicyAllows(like, UpdateDelete, "K", "AWS::KMS::Key"))
	// NotAction, NotResource and wildcard logical ids, as the page's examples use them.
	not, err := ParseStackPolicy([]byte(`{"Statement": [{"Effect": "Deny", "NotAction": "Update:Modify", "Principal": "*", "NotResource": "LogicalResourceId/Scratch*"},
		{"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"}]}`))
	require.NoError(t, err)
	assert.False(t, PolicyAllows(not, UpdateReplace, "Bucket", "AWS::S3::Bucket"))
	assert.True(t, PolicyAllows(not, UpdateModify, "Bucket", "AWS::S3::Bucket"))
	assert.True(t, PolicyAllows(not, UpdateReplace, "ScratchVolume", "AWS::EC2::Volume"))
	for _, unknown := range []string{
		`{"Statement": [{"Effect": "Deny", "Action": "Update:*", "Principal": "*", "Resource": "*", "Condition": {"StringNotEquals": {"ResourceType": ["AWS::S3::Bucket"]}}}]}`,
	} {
		_, err := ParseStackPolicy([]byte(unknown))
		assert.ErrorContains(t, err, "evaluated here", unknown)
	}
}

func TestStackPoliciesOfTheGoldenTemplatesProtectEveryStatefulResourceButInstances(t *testing.T) {
	for _, name := range []string{"default.network", "default.fleet", "default.patching", "flowlogs-s3.network"} {
		data, err := os.ReadFile("../../test/testdata/" + name + ".template.json")
		require.NoError(t, err)
		var template map[string]any
		require.NoError(t, json.Unmarshal(data, &template))
		policy := StackPolicy(template)
		protected := 0
		for id, r := range template["Resources"].(map[string]any) {
			typ := r.(map[string]any)["Type"].(string)
			want := slices.Contains(ProtectedTypes(), typ)
			retained := Retained(r.(map[string]any))
			assert.Equal(t, !want, PolicyAllows(policy, "Update:Replace", id, typ), "%s %s %s", name, id, typ)
			assert.Equal(t, !want || retained, PolicyAllows(policy, "Update:Delete", id, typ), "%s %s %s: removal denied unless retained", name, id, typ)
			assert.True(t, PolicyAllows(policy, "Update:Modify", id, typ), "%s %s", name, id)
			if want {
				protected++
			}
		}
		assert.Positive(t, protected, "%s holds data to protect", name)
		body, err := StackPolicyJSON(template)
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(string(body), `{`) && strings.Contains(string(body), `"Principal": "*"`))
	}
}

func TestProtectedTypesIncludeTheUpdateStoreBucketsKeysAndLogGroups(t *testing.T) {
	for _, typ := range []string{"AWS::EC2::Volume", "AWS::S3::Bucket", "AWS::KMS::Key", "AWS::Logs::LogGroup"} {
		assert.Contains(t, ProtectedTypes(), typ)
	}
	assert.NotContains(t, ProtectedTypes(), "AWS::EC2::Instance")
	assert.NotContains(t, ProtectedTypes(), "AWS::EC2::EIP", "a NAT gateway's address must go when natGateways shrinks")
}
