package awsbuckets

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pageRow is a table row of testdata/patch-operations-s3-buckets.md: region code and bucket.
var pageRow = regexp.MustCompile(`(?m)^\|[^|]+\|\s*([a-z]{2}-[a-z]+-\d)\s*\|\s*([a-z0-9.-]+)\s*\|$`)

// pageBuckets reads the page's two tables: region -> the buckets they list for it.
func pageBuckets(t *testing.T) map[string][]string {
	t.Helper()
	page, err := os.ReadFile("testdata/patch-operations-s3-buckets.md")
	require.NoError(t, err)
	buckets := map[string][]string{}
	for _, row := range pageRow.FindAllStringSubmatch(string(page), -1) {
		buckets[row[1]] = append(buckets[row[1]], row[2])
	}
	return buckets
}

func TestEveryRegionOfThePatchingPageGetsItsPatchManagerAndSnapshotBuckets(t *testing.T) {
	page := pageBuckets(t)
	require.Len(t, page, 29, "the page lists 29 regions; the table parser missed some")
	var regions []string
	for region, buckets := range page {
		regions = append(regions, region)
		require.Len(t, buckets, 2, region)
		got := SystemsManager(region)
		for _, bucket := range buckets {
			assert.Contains(t, got, bucket, "region %s", region)
		}
		// aws-ssm-REGION holds the documents' modules everywhere (AgentPage).
		assert.Contains(t, got, "aws-ssm-"+region)
	}
	slices.Sort(regions)
	assert.Equal(t, regions, PatchingRegions(), "regions known here and on the page")
}

func TestSnapshotBucketOfARegionWithASuffixIsOnlyTheSuffixedOne(t *testing.T) {
	got := SystemsManager("me-south-1")
	assert.Contains(t, got, "patch-baseline-snapshot-me-south-1-uduvl7q8")
	assert.NotContains(t, got, "patch-baseline-snapshot-me-south-1")
}

func TestMissingPatchManagerBucketIsReportedOnlyForAnUnlistedRegionWithoutOne(t *testing.T) {
	assert.Empty(t, MissingPatchManagerBucket("us-west-2", nil))
	problem := MissingPatchManagerBucket("mx-central-1", []string{"my-bucket"})
	assert.Contains(t, problem, "aws-patch-manager-mx-central-1-SUFFIX")
	assert.Contains(t, problem, "network.s3Endpoint.readBuckets")
	assert.Empty(t, MissingPatchManagerBucket("mx-central-1", []string{"aws-patch-manager-mx-central-1-0123abcd"}))
	assert.NotContains(t, SystemsManager("mx-central-1"), "", "an unlisted region still gets the agent's buckets")
	assert.False(t, slices.ContainsFunc(SystemsManager("mx-central-1"), func(b string) bool {
		return strings.HasPrefix(b, "aws-patch-manager-")
	}), "no guessed Patch Manager bucket")
}

// The snapshot bucket's name may carry a suffix (six listed regions' do), so in a region the page
// does not list it is not guessed either: readBuckets must name it.
func TestMissingSnapshotBucketIsReportedOnlyForAnUnlistedRegionWithoutOne(t *testing.T) {
	assert.Empty(t, MissingSnapshotBucket("us-west-2", nil))
	assert.Empty(t, MissingSnapshotBucket("me-south-1", nil))
	problem := MissingSnapshotBucket("mx-central-1", []string{"aws-patch-manager-mx-central-1-0123abcd"})
	assert.Contains(t, problem, "patch-baseline-snapshot-mx-central-1-SUFFIX")
	assert.Contains(t, problem, "network.s3Endpoint.readBuckets")
	assert.Empty(t, MissingSnapshotBucket("mx-central-1", []string{"patch-baseline-snapshot-mx-central-1"}))
	assert.Empty(t, MissingSnapshotBucket("mx-central-1", []string{"patch-baseline-snapshot-mx-central-1-abc123"}))
	assert.NotEmpty(t, MissingSnapshotBucket("mx-central-1", []string{"patch-baseline-snapshot-mx-central-10"}), "another region's name")
}

func TestRepositoryProblems(t *testing.T) {
	al2023 := "al2023-repos-us-west-2-de612dc2"
	for _, c := range []struct {
		name, os   string
		readBucket []string
		sources    bool
		nat        bool
		want       string
	}{
		{"windows_uses_wsus", "WINDOWS", nil, false, false, ""},
		{"amazon_linux_2_buckets_are_documented", "AMAZON_LINUX_2", nil, false, false, ""},
		{"al2023_without_its_bucket", "AMAZON_LINUX_2023", nil, false, false, al2023},
		{"al2023_bucket_is_not_reached_through_nat", "AMAZON_LINUX_2023", nil, false, true, al2023},
		{"al2023_with_its_bucket", "AMAZON_LINUX_2023", []string{al2023}, false, false, ""},
		{"ubuntu_without_nat", "UBUNTU", nil, false, false, "enable network.nat"},
		{"ubuntu_with_nat", "UBUNTU", nil, false, true, ""},
		{"ubuntu_with_own_sources", "UBUNTU", nil, true, false, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := RepositoryProblem(c.os, "us-west-2", c.readBucket, c.sources, c.nat)
			if c.want == "" {
				assert.Empty(t, got)
			} else {
				assert.Contains(t, got, c.want)
			}
		})
	}
	assert.Equal(t, []string{"amazonlinux.eu-west-1.amazonaws.com", "amazonlinux-2-repos-eu-west-1"}, Repositories("AMAZON_LINUX_2", "eu-west-1"))
	assert.Empty(t, Repositories("AMAZON_LINUX_2023", "eu-west-1"), "undocumented buckets are never allowed by default")
	// us-east-1's is documented (AL2023Page): allowed by default, and no problem there (a
	// review's find: the message told a us-east-1 configuration to add it).
	assert.Equal(t, []string{"al2023-repos-us-east-1-de612dc2"}, Repositories("AMAZON_LINUX_2023", "us-east-1"))
	assert.Empty(t, RepositoryProblem("AMAZON_LINUX_2023", "us-east-1", nil, false, false))
}

// In a region the patching page does not list, the roles read the Patch Manager buckets the
// configuration declares, not a guessed snapshot bucket (a review's find: the guess was excess
// privilege, and the declared payload bucket was not the roles' to read); a listed region's come
// from SystemsManager.
func TestDeclaredPatchingBucketsAreTheRolesInAnUnlistedRegionOnly(t *testing.T) {
	declared := []string{"aws-patch-manager-mx-central-1", "patch-baseline-snapshot-mx-central-1-abc123", "my-repository", "aws-patch-manager-us-west-2"}
	assert.Equal(t, []string{"aws-patch-manager-mx-central-1", "patch-baseline-snapshot-mx-central-1-abc123"}, DeclaredPatchingBuckets("mx-central-1", declared))
	assert.Empty(t, DeclaredPatchingBuckets("us-west-2", declared))
	for _, b := range SystemsManager("mx-central-1") {
		assert.NotContains(t, b, "patch-baseline-snapshot", "no guessed snapshot bucket")
	}
	assert.Contains(t, SystemsManager("us-west-2"), SnapshotBucket("us-west-2"))
}
