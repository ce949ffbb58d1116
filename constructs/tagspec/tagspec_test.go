package tagspec

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTagRulesAreAWSs(t *testing.T) {
	assert.True(t, ValidKey("privatepatch:fleet") && ValidKey(strings.Repeat("k", MaxKeyLength)) && ValidKey("Kostenstelle Ä"))
	assert.False(t, ValidKey("") || ValidKey(strings.Repeat("k", MaxKeyLength+1)) || ValidKey("AWS:x") || ValidKey("a;b"))
	assert.True(t, ValidValue("") && ValidValue(strings.Repeat("v", MaxValueLength)))
	assert.False(t, ValidValue(strings.Repeat("v", MaxValueLength+1)) || ValidValue("aws:x") || ValidValue("a'b"))
}

func TestProblemsNameABadKeyByTheTagsAndABadValueByItsKey(t *testing.T) {
	problems := Problems(map[string]string{"b": "ok", "a;": "x", "c": "$(id)"})
	assert.Len(t, problems, 2)
	assert.Equal(t, "", problems[0].Field)
	assert.Equal(t, "a;", problems[0].Value)
	assert.Equal(t, "c", problems[1].Field)
}

func TestTagKeysThatDifferOnlyInCaseAreRefused(t *testing.T) {
	found := Problems(map[string]string{"Owner": "a", "owner": "b", "Team": "c"})
	if len(found) != 1 || found[0].Value != "owner" || !strings.Contains(found[0].Message, `differs from the tag key "Owner" only in case`) {
		t.Fatalf("want one problem naming owner and Owner, got %+v", found)
	}
	if found := Problems(map[string]string{"Owner": "a", "Team": "c"}); len(found) != 0 {
		t.Fatalf("distinct keys: %+v", found)
	}
}

// A key Security Hub's pattern refuses (a space, @, a letter outside a-z) is left off its hub; a
// one-character key or a value over 128 characters off an Inspector suppression rule; an @ in a
// key or value off a DynamoDB table; a tag all take goes everywhere.
func TestTypesRefusingATagAreThoseWhosePatternRefusesIt(t *testing.T) {
	for _, tc := range []struct {
		key, value string
		want       []string
	}{
		{"Owner", "platform-team", nil},
		{"privatepatch:fleet", "x", nil},
		{"cost-centre.2", strings.Repeat("v", 128), nil},
		{"Cost Center", "42", []string{"AWS::SecurityHub::Hub", "AWS::InspectorV2::Filter"}},
		{"owner@team", "x", []string{"AWS::SecurityHub::Hub", "AWS::InspectorV2::Filter", "AWS::DynamoDB::Table"}},
		{"Owner", "ops@example.com", []string{"AWS::DynamoDB::Table"}},
		{"Équipe", "x", []string{"AWS::SecurityHub::Hub", "AWS::InspectorV2::Filter"}},
		{"x", "y", []string{"AWS::InspectorV2::Filter"}},
		{strings.Repeat("k", 128), "y", []string{"AWS::InspectorV2::Filter"}},
		{"Owner", strings.Repeat("v", 129), []string{"AWS::InspectorV2::Filter"}},
		{"a b", "y", []string{"AWS::SecurityHub::Hub", "AWS::InspectorV2::Filter"}},
		{"k", strings.Repeat("v", 200), []string{"AWS::InspectorV2::Filter"}},
	} {
		require.True(t, ValidKey(tc.key) && ValidValue(tc.value), "the general rules allow %q=%q", tc.key, tc.value)
		assert.Equal(t, tc.want, TypesRefusing(tc.key, tc.value), "%q=%q", tc.key, tc.value)
	}
}
