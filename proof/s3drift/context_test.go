package s3drift

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The keys are CDK's, as the app's synth (aws-cdk-lib 2.270) reported them missing in
// manifest.json for account 111111111111 in us-west-2: a key of another shape would never find
// synth's answer, and the ranges would stay unknown.
func TestLookupKeysAreTheOnesSynthAsksFor(t *testing.T) {
	assert.Equal(t, "cc-api-provider:account=111111111111:expectedMatchCount=exactly-one:propertiesToReturn.0=PrefixListId:"+
		"propertyMatch.PrefixListName=com.amazonaws.us-west-2.s3:region=us-west-2:typeName=AWS$:$:EC2$:$:PrefixList",
		IdLookupKey("111111111111", "us-west-2"))
	assert.Equal(t, "cc-api-provider:account=111111111111:exactIdentifier=pl-68a54001:propertiesToReturn.0=Entries:"+
		"region=us-west-2:typeName=AWS$:$:EC2$:$:PrefixList",
		EntriesLookupKey("111111111111", "us-west-2", "pl-68a54001"))
}

// The cached answers are read in the shape the Cloud Control provider stores; another account's,
// region's or list's answer is none.
func TestContextAnswersAreReadForTheirAccountRegionAndList(t *testing.T) {
	context := map[string]any{
		IdLookupKey("111111111111", "us-west-2"): []any{map[string]any{"Identifier": "pl-68a54001", "PrefixListId": "pl-68a54001"}},
		EntriesLookupKey("111111111111", "us-west-2", "pl-68a54001"): []any{map[string]any{"Identifier": "pl-68a54001",
			"Entries": []any{map[string]any{"Cidr": "52.92.128.0/17"}, map[string]any{"Cidr": "3.5.76.0/22", "Description": "x"}}}},
	}
	assert.Equal(t, "pl-68a54001", ContextPrefixListId(context, "111111111111", "us-west-2"))
	assert.Equal(t, []string{"3.5.76.0/22", "52.92.128.0/17"}, ContextCidrs(context, "111111111111", "us-west-2", "pl-68a54001"))
	assert.Empty(t, ContextPrefixListId(context, "222222222222", "us-west-2"))
	assert.Nil(t, ContextCidrs(context, "111111111111", "eu-west-1", "pl-68a54001"))
	assert.Nil(t, ContextCidrs(context, "111111111111", "us-west-2", "pl-00000000"))
	assert.Nil(t, ContextCidrs(nil, "111111111111", "us-west-2", "pl-68a54001"))
}
