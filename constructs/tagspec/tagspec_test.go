package tagspec

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
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
