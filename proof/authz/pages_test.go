package authz

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/constructs/awsbuckets"
)

// The proof's copy of AWS's bucket pages (testdata) and the constructs' (awsbuckets) are kept
// apart and held against each other here: an edit to either that the other does not share fails.
func TestTheProofsBucketPagesAgreeWithTheConstructsTablesInEveryRegion(t *testing.T) {
	regions := awsbuckets.PatchingRegions()
	require.Len(t, regions, 29)
	for _, region := range regions {
		pm, snapshot, ok := pagePatchingBuckets(region)
		require.True(t, ok, region)
		want, _ := awsbuckets.PatchManagerBucket(region)
		assert.Equal(t, want, pm, region)
		assert.Equal(t, awsbuckets.SnapshotBucket(region), snapshot, region)
		assert.ElementsMatch(t, awsbuckets.SystemsManager(region), append(append(pageAgentBuckets(region), pageInspectorBuckets(region)...), pm, snapshot), region)
	}
	_, _, ok := pagePatchingBuckets("xx-nowhere-1")
	assert.False(t, ok, "a region the page does not list")
}

// The rows name the buckets from the pages in testdata, not from awsbuckets: a wrong name there
// (planted here by asking for a region the page does not list) leaves the row without the bucket.
func TestTheRowsBucketNamesComeFromThePagesInTestdata(t *testing.T) {
	calls, err := Calls(golden(t, "default"), env)
	require.NoError(t, err)
	var buckets []string
	for _, c := range calls {
		if c.Action == "s3:GetObject" && c.ResourceAccount == awsOwnedAccount {
			buckets = append(buckets, strings.SplitN(strings.TrimPrefix(c.Resource, "arn:aws:s3:::"), "/", 2)[0])
		}
	}
	assert.Contains(t, buckets, "aws-patch-manager-us-west-2-34d7f99f8")
	assert.Contains(t, buckets, "us-west-2-birdwatcher-prod")
	assert.True(t, slices.ContainsFunc(calls, func(c Call) bool { return strings.Contains(c.Source, "authz/testdata/aws-pages") }))
}
