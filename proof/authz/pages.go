package authz

import (
	"embed"
	"regexp"
	"strings"
)

// The AWS pages the rows' bucket names come from, copied into testdata: not the tables the
// constructs use (constructs/awsbuckets), so that a wrong name in either fails the proof rather
// than agreeing with itself.
//
//go:embed testdata/aws-pages/*.md
var pages embed.FS

const (
	patchingBucketsPage = `"Reference: Amazon S3 buckets for patching operations", AWS Systems Manager User Guide (read 2026-11-27; proof/authz/testdata/aws-pages)`
	agentBucketsPage    = `"SSM Agent communications with AWS managed S3 buckets", AWS Systems Manager User Guide (read 2026-11-27; proof/authz/testdata/aws-pages)`
	inspectorBucketPage = `"Scanning Windows EC2 instances with Amazon Inspector", Amazon Inspector User Guide (read 2026-12-06; proof/authz/testdata/aws-pages)`
)

var patchingRow = regexp.MustCompile("(?m)^\\| ([a-z0-9-]+) \\| `([^`]+)` \\| `([^`]+)` \\|$")

// pagePatchingBuckets returns region's command-documents (aws-patch-manager) and snapshot
// buckets as the patching page lists them, and false for a region it does not list.
func pagePatchingBuckets(region string) (patchManager, snapshot string, ok bool) {
	data, _ := pages.ReadFile("testdata/aws-pages/patch-operations-s3-buckets.md")
	for _, m := range patchingRow.FindAllStringSubmatch(string(data), -1) {
		if m[1] == region {
			return m[2], m[3], true
		}
	}
	return "", "", false
}

var agentRow = regexp.MustCompile("(?m)^- `([a-z0-9-]*region[a-z0-9-]*)`")

// pageAgentBuckets returns the buckets the agent page lists for every region (the patching ones
// aside), in its order.
func pageAgentBuckets(region string) []string {
	return pageBuckets("ssm-agent-s3-buckets.md", region)
}

// pageInspectorBuckets returns the buckets Amazon Inspector's SSM plugin reads on Windows.
func pageInspectorBuckets(region string) []string {
	return pageBuckets("inspector-windows-scanning.md", region)
}

// pageBuckets returns the buckets a page in testdata lists (its "- `...region...`" lines), but the
// patch baseline snapshots (pagePatchingBuckets), in its order.
func pageBuckets(page, region string) []string {
	data, _ := pages.ReadFile("testdata/aws-pages/" + page)
	var out []string
	for _, m := range agentRow.FindAllStringSubmatch(string(data), -1) {
		if strings.HasPrefix(m[1], "patch-baseline-snapshot") {
			continue
		}
		out = append(out, strings.Replace(m[1], "region", region, 1))
	}
	return out
}
