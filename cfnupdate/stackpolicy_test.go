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

// allowed evaluates a stack policy the way the CloudFormation User Guide describes it ("Prevent
// updates to stack resources"): a matching Deny wins, else a matching Allow, else the update is
// denied. It knows the elements StackPolicy writes: Action as a string or list with Update:*,
// Resource "*" or LogicalResourceId/ID, and Condition StringEquals ResourceType.
func allowed(policy []PolicyStatement, action, logicalID, resourceType string) bool {
	matches := func(s PolicyStatement) bool {
		var actions []string
		switch a := s.Action.(type) {
		case string:
			actions = []string{a}
		case []string:
			actions = a
		}
		if !slices.Contains(actions, action) && !slices.Contains(actions, "Update:*") {
			return false
		}
		if s.Resource != "*" && s.Resource != "LogicalResourceId/"+logicalID {
			return false
		}
		if eq, ok := s.Condition["StringEquals"].(map[string]any); ok {
			types, _ := eq["ResourceType"].([]string)
			return slices.Contains(types, resourceType)
		}
		return true
	}
	allow := false
	for _, s := range policy {
		if matches(s) {
			if s.Effect == "Deny" {
				return false
			}
			allow = true
		}
	}
	return allow
}

func TestStackPolicyDeniesReplacingOrDeletingDataButAllowsEverythingElse(t *testing.T) {
	template := map[string]any{"Resources": map[string]any{
		"UpdateStore": map[string]any{"Type": "AWS::EC2::Volume"},
		"Bucket":      map[string]any{"Type": "AWS::S3::Bucket"},
		"Wsus":        map[string]any{"Type": "AWS::EC2::Instance"},
		"Group":       map[string]any{"Type": "AWS::EC2::SecurityGroup"},
	}}
	policy := StackPolicy(template)
	for _, action := range []string{"Update:Replace", "Update:Delete"} {
		assert.False(t, allowed(policy, action, "UpdateStore", "AWS::EC2::Volume"), action)
		assert.False(t, allowed(policy, action, "Bucket", "AWS::S3::Bucket"), action)
		assert.True(t, allowed(policy, action, "Wsus", "AWS::EC2::Instance"), "the documented two-step WSUS replacement: %s", action)
		assert.True(t, allowed(policy, action, "Group", "AWS::EC2::SecurityGroup"), action)
	}
	assert.True(t, allowed(policy, "Update:Modify", "UpdateStore", "AWS::EC2::Volume"), "growing the update store in place")
	// Only the types the template declares are named.
	assert.Equal(t, []string{"AWS::EC2::Volume", "AWS::S3::Bucket"}, policy[0].Condition["StringEquals"].(map[string]any)["ResourceType"])

	// Planted failure: the policy without its Deny protects nothing, and the evaluator says so.
	assert.True(t, allowed(policy[1:], "Update:Replace", "UpdateStore", "AWS::EC2::Volume"))
	// A set policy without the Allow blocks every update.
	assert.False(t, allowed(policy[:1], "Update:Modify", "Group", "AWS::EC2::SecurityGroup"))
}

func TestStackPoliciesOfTheGoldenTemplatesProtectEveryStatefulResourceButInstances(t *testing.T) {
	for _, name := range []string{"default.network", "default.fleet", "default.patching", "flowlogs-s3.network"} {
		data, err := os.ReadFile("../test/testdata/" + name + ".template.json")
		require.NoError(t, err)
		var template map[string]any
		require.NoError(t, json.Unmarshal(data, &template))
		policy := StackPolicy(template)
		protected := 0
		for id, r := range template["Resources"].(map[string]any) {
			typ := r.(map[string]any)["Type"].(string)
			want := StatefulTypes[typ] && typ != "AWS::EC2::Instance"
			assert.Equal(t, !want, allowed(policy, "Update:Replace", id, typ), "%s %s %s", name, id, typ)
			assert.True(t, allowed(policy, "Update:Modify", id, typ), "%s %s", name, id)
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
}
