// Package awsbuckets names the AWS-owned S3 buckets that managed instances read while they are
// managed and patched: SSM Agent's buckets, Patch Manager's document and snapshot buckets, and the
// package repositories of the Linux distributions that live in S3. Private subnets reach them
// through the S3 gateway endpoint, whose policy must allow each one, and AWS asks for the same
// permission in the instance's role when a VPC endpoint is used.
//
// Every name here is copied from an AWS page named next to it, so that a reviewer can hold it
// against that page. The package imports only the standard library: configuration validation and
// the constructs both use it.
package awsbuckets

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Sources of the facts in this package, as read on 2026-11-27.
const (
	// PatchingPage lists aws-patch-manager-REGION-SUFFIX and patch-baseline-snapshot-REGION[-SUFFIX]
	// per region, and says that "if you're using a virtual private cloud (VPC) endpoint in your
	// Systems Manager operations, you must provide explicit permission in an Amazon Elastic Compute
	// Cloud (Amazon EC2) instance profile for Systems Manager, or in a service role for non-EC2
	// machines in a hybrid and multicloud environment. Otherwise, your resources can't access these
	// public buckets."
	PatchingPage = `"Reference: Amazon S3 buckets for patching operations", AWS Systems Manager User Guide (read 2026-11-27)`
	// AgentPage lists the buckets SSM Agent reads, with the same requirement for instance profiles.
	AgentPage = `"SSM Agent communications with AWS managed S3 buckets", AWS Systems Manager User Guide (read 2026-11-27)`
	// AmazonLinux2Page gives the endpoint policy for the Amazon Linux and Amazon Linux 2 repositories.
	AmazonLinux2Page = `"Kernel Live Patching on AL2", Amazon Linux 2 User Guide, its S3 endpoint policy example (read 2026-11-27)`
	// AL2023Page documents the AL2023 repository bucket for us-east-1 only: "The following example
	// policy provides the permissions required to access Amazon Linux 2023 repositories in the
	// us-east-1 region", arn:aws:s3:::al2023-repos-us-east-1-de612dc2/*.
	AL2023Page = `"Sample policies for private subnets that access Amazon S3", Amazon EMR Management Guide (read 2026-11-27)`
	// InspectorPage: "Amazon Inspector places updated Open Vulnerability and Assessment Language
	// (OVAL) definition files in the S3 bucket inspector2-oval-prod-your-AWS-Region", which its SSM
	// plugin reads on each Windows scan, and "If your Amazon VPC endpoint policy is restricting
	// access to external S3 buckets, you must specifically allow access to the bucket maintained
	// by Amazon Inspector".
	InspectorPage = `"Scanning Windows EC2 instances with Amazon Inspector", Amazon Inspector User Guide (read 2026-12-06)`
)

// inspectorBuckets are Amazon Inspector's buckets its SSM plugin reads on Windows instances
// (InspectorPage). They are allowed whether or not this stack switches Inspector on: an
// organization's delegated administrator, or an earlier activation, may scan the fleet too, and
// without them the fleet's Windows scans find nothing. %s is the region.
var inspectorBuckets = []string{"inspector2-oval-prod-%s"}

// patchManagerBuckets are the aws-patch-manager-REGION-SUFFIX buckets ("Buckets containing SSM
// Command documents for patching operations (Linux and Windows Server)" in PatchingPage): they
// hold the payload AWS-RunPatchBaseline downloads on every Scan and Install. The macOS buckets
// (aws-patchmanager-macos-...) are left out: this project patches Windows and Linux.
var patchManagerBuckets = map[string]string{
	"us-east-2":      "aws-patch-manager-us-east-2-552881074",
	"us-east-1":      "aws-patch-manager-us-east-1-1970c647d",
	"us-west-1":      "aws-patch-manager-us-west-1-8badb4304",
	"us-west-2":      "aws-patch-manager-us-west-2-34d7f99f8",
	"af-south-1":     "aws-patch-manager-af-south-1-bdd5f65a9",
	"ap-east-1":      "aws-patch-manager-ap-east-1-632356271",
	"ap-south-2":     "aws-patch-manager-ap-south-2-32f4b4128",
	"ap-southeast-3": "aws-patch-manager-ap-southeast-3-aa48fc462",
	"ap-southeast-4": "aws-patch-manager-ap-southeast-4-01e2c40d3",
	"ap-south-1":     "aws-patch-manager-ap-south-1-cb7c62ff9",
	"ap-northeast-3": "aws-patch-manager-ap-northeast-3-67373598a",
	"ap-northeast-2": "aws-patch-manager-ap-northeast-2-10467995c",
	"ap-southeast-1": "aws-patch-manager-ap-southeast-1-7fdfd9ef7",
	"ap-southeast-2": "aws-patch-manager-ap-southeast-2-17283a275",
	"ap-northeast-1": "aws-patch-manager-ap-northeast-1-4849fa78f",
	"ca-central-1":   "aws-patch-manager-ca-central-1-3148e69e3",
	"ca-west-1":      "aws-patch-manager-ca-west-1-9e3a4b2f9",
	"eu-central-1":   "aws-patch-manager-eu-central-1-9163fdaaf",
	"eu-west-1":      "aws-patch-manager-eu-west-1-5522fb710",
	"eu-west-2":      "aws-patch-manager-eu-west-2-902a2bc74",
	"eu-south-1":     "aws-patch-manager-eu-south-1-c52f3f594",
	"eu-west-3":      "aws-patch-manager-eu-west-3-29bf85721",
	"eu-south-2":     "aws-patch-manager-eu-south-2-a4cf248b1",
	"eu-north-1":     "aws-patch-manager-eu-north-1-795879e9b",
	"eu-central-2":   "aws-patch-manager-eu-central-2-184ce43c8",
	"il-central-1":   "aws-patch-manager-il-central-1-e221cb57b",
	"me-south-1":     "aws-patch-manager-me-south-1-a53fc9dce",
	"me-central-1":   "aws-patch-manager-me-central-1-2932f2f80",
	"sa-east-1":      "aws-patch-manager-sa-east-1-ddf4b6a09",
}

// snapshotBucketsWithSuffix are the regions whose patch-baseline-snapshot bucket carries a
// suffix ("Buckets containing AWS managed patch baseline snapshots" in PatchingPage); every other
// region of patchManagerBuckets has patch-baseline-snapshot-REGION.
var snapshotBucketsWithSuffix = map[string]string{
	"af-south-1":     "patch-baseline-snapshot-af-south-1-tbxdb5b9",
	"ap-south-2":     "patch-baseline-snapshot-ap-south-2-50209442",
	"ap-southeast-3": "patch-baseline-snapshot-ap-southeast-3-be0a3174",
	"ap-southeast-4": "patch-baseline-snapshot-ap-southeast-4-dc6f76ce",
	"eu-south-2":     "patch-baseline-snapshot-eu-south-2-df2c9d70",
	"me-south-1":     "patch-baseline-snapshot-me-south-1-uduvl7q8",
}

// agentBuckets are the buckets SSM Agent reads in every region (AgentPage): documents' modules
// (aws-ssm), Windows-only documents' downloads, agent updates, Distributor packages (before and
// after agent 2.2.45.0, the latter in birdwatcher-prod or, in af-south-1 and eu-south-1 only,
// aws-ssm-distributor-file) and AWS-owned Distributor attachments. %s is the region.
var agentBuckets = []string{
	"aws-ssm-%s",
	"aws-windows-downloads-%s",
	"amazon-ssm-%s",
	"amazon-ssm-packages-%s",
	"%s-birdwatcher-prod",
	"aws-ssm-distributor-file-%s",
	"aws-ssm-document-attachments-%s",
}

// PatchingRegions are the regions PatchingPage lists, in name order.
func PatchingRegions() []string {
	regions := make([]string, 0, len(patchManagerBuckets))
	for region := range patchManagerBuckets {
		regions = append(regions, region)
	}
	sort.Strings(regions)
	return regions
}

// PatchManagerBucket is region's aws-patch-manager bucket, and false where PatchingPage lists
// none for the region.
func PatchManagerBucket(region string) (string, bool) {
	bucket, ok := patchManagerBuckets[region]
	return bucket, ok
}

// SnapshotBucket is region's patch-baseline-snapshot bucket (PatchingPage).
func SnapshotBucket(region string) string {
	if suffixed, ok := snapshotBucketsWithSuffix[region]; ok {
		return suffixed
	}
	return "patch-baseline-snapshot-" + region
}

// SystemsManager returns the AWS-owned buckets SSM Agent, AWS-RunPatchBaseline and Amazon
// Inspector's SSM plugin read in region.
// In a region PatchingPage does not list, neither Patch Manager bucket is among them (their names
// are not known from the region alone): see MissingPatchManagerBucket and DeclaredPatchingBuckets.
func SystemsManager(region string) []string {
	var buckets []string
	for _, format := range agentBuckets {
		buckets = append(buckets, fmt.Sprintf(format, region))
	}
	for _, format := range inspectorBuckets {
		buckets = append(buckets, fmt.Sprintf(format, region))
	}
	if bucket, ok := patchManagerBuckets[region]; ok {
		buckets = append(buckets, SnapshotBucket(region), bucket)
	}
	return buckets
}

// DeclaredPatchingBuckets are, in a region PatchingPage does not list, the Patch Manager buckets
// the configuration declares readable (network.s3Endpoint.readBuckets, which validation requires
// there: MissingPatchManagerBucket, MissingSnapshotBucket): AWS-RunPatchBaseline reads them with
// the node's role, as it reads a listed region's, so the roles need them too, not the endpoint
// only. Without them the node's payload download was denied in such a region (GovCloud, a new
// region), and verify called the guessed snapshot grant excess privilege (a review's find). None
// in a listed region, whose buckets SystemsManager gives.
func DeclaredPatchingBuckets(region string, readBuckets []string) []string {
	if _, listed := patchManagerBuckets[region]; listed {
		return nil
	}
	var out []string
	for _, b := range readBuckets {
		for _, name := range []string{"aws-patch-manager-" + region, "patch-baseline-snapshot-" + region} {
			if b == name || strings.HasPrefix(b, name+"-") {
				out = append(out, b)
			}
		}
	}
	return out
}

// MissingPatchManagerBucket explains, for a region PatchingPage does not list, that one of
// readBuckets must be its aws-patch-manager bucket, and how to find that bucket's name. It
// returns "" when the region is listed or readBuckets names such a bucket: aws-patch-manager-REGION
// with or without a suffix (AWS-RunPatchBaseline's own script builds "aws-patch-manager-%s" %
// region, without a suffix, for regions outside its list of older ones).
func MissingPatchManagerBucket(region string, readBuckets []string) string {
	if _, ok := patchManagerBuckets[region]; ok {
		return ""
	}
	name := "aws-patch-manager-" + region
	if slices.ContainsFunc(readBuckets, func(b string) bool { return b == name || strings.HasPrefix(b, name+"-") }) {
		return ""
	}
	return fmt.Sprintf("has no Patch Manager bucket in %s, and without it AWS-RunPatchBaseline cannot download its payload "+
		"through the S3 endpoint: add the region's bucket, %s or %s-SUFFIX, to network.s3Endpoint.readBuckets "+
		"(a Scan's output names the bucket it downloads from; AWS-RunPatchBaseline's script builds the name)",
		PatchingPage, name, name)
}

// MissingSnapshotBucket explains, for a region PatchingPage does not list, that one of
// readBuckets must be its patch-baseline-snapshot bucket: AWS-RunPatchBaseline reads the patch
// baseline snapshot from it, and six of the listed regions' names carry a suffix
// (snapshotBucketsWithSuffix), so an unlisted region's name cannot be known from the region
// alone. It returns "" when the region is listed or readBuckets names patch-baseline-snapshot-
// REGION, with or without a suffix.
func MissingSnapshotBucket(region string, readBuckets []string) string {
	if _, ok := patchManagerBuckets[region]; ok {
		return ""
	}
	name := "patch-baseline-snapshot-" + region
	if slices.ContainsFunc(readBuckets, func(b string) bool { return b == name || strings.HasPrefix(b, name+"-") }) {
		return ""
	}
	return fmt.Sprintf("has no patch baseline snapshot bucket in %s, and without it AWS-RunPatchBaseline cannot read the "+
		"baseline's snapshot through the S3 endpoint: add the region's bucket, %s or %s-SUFFIX, to network.s3Endpoint.readBuckets "+
		"(six listed regions' names carry a suffix, so it is not guessed; a Scan's output names the snapshot it reads)",
		PatchingPage, name, name)
}

// linuxRepositories are the buckets whose package repositories AWS documents in S3, per operating
// system as AWS::SSM::PatchBaseline names it; %s is the region.
var linuxRepositories = map[string][]string{
	"AMAZON_LINUX":   {"packages.%s.amazonaws.com", "repo.%s.amazonaws.com"},     // AmazonLinux2Page
	"AMAZON_LINUX_2": {"amazonlinux.%s.amazonaws.com", "amazonlinux-2-repos-%s"}, // AmazonLinux2Page
}

// UndocumentedRepositories are repository buckets AWS documents for one region only
// (AL2023Page: us-east-1), named here for every region with the same suffix, which public
// configurations show elsewhere too (ap-northeast-1, ap-southeast-3) but no AWS page does.
// Outside us-east-1 they are never allowed by default: a configuration names them itself, after
// checking on an instance; in us-east-1, Repositories gives it.
var UndocumentedRepositories = map[string]string{
	"AMAZON_LINUX_2023": "al2023-repos-%s-de612dc2",
}

// Repositories returns the S3 buckets of operatingSystem's package repositories in region that AWS
// documents. Operating systems whose repositories are on the internet (Ubuntu, RHEL, SUSE, ...)
// or in an undocumented bucket (AL2023 outside us-east-1) have none here.
func Repositories(operatingSystem, region string) []string {
	var buckets []string
	for _, format := range linuxRepositories[operatingSystem] {
		buckets = append(buckets, fmt.Sprintf(format, region))
	}
	// The one region AL2023Page documents its bucket for: there it is AWS's word, not a guess (a
	// review's find: a us-east-1 configuration was told to add the bucket the message called
	// documented).
	if format, ok := UndocumentedRepositories[operatingSystem]; ok && region == documentedAL2023Region {
		buckets = append(buckets, fmt.Sprintf(format, region))
	}
	return buckets
}

// documentedAL2023Region is the region AL2023Page gives the AL2023 repository bucket for.
const documentedAL2023Region = "us-east-1"

// RepositoryProblem explains why instances of operatingSystem in the private subnets cannot
// reach their package repositories, given the buckets the S3 endpoint allows beyond the
// documented ones (readBuckets), whether the baseline names its own sources, and whether the
// private subnets have a NAT route to the internet. It returns "" when they can: Windows (WSUS),
// a documented repository bucket, a configured one, own sources, or internet repositories and NAT.
// NAT does not help with a bucket: traffic to S3 takes the gateway endpoint's route and policy.
func RepositoryProblem(operatingSystem, region string, readBuckets []string, hasSources, nat bool) string {
	if operatingSystem == "WINDOWS" || len(Repositories(operatingSystem, region)) > 0 || hasSources {
		return ""
	}
	if format, ok := UndocumentedRepositories[operatingSystem]; ok {
		bucket := fmt.Sprintf(format, region)
		if slices.Contains(readBuckets, bucket) {
			return ""
		}
		return fmt.Sprintf("patches from repositories in S3 bucket %s, which AWS documents for us-east-1 only (%s), so the S3 "+
			"endpoint does not allow it by default: check it on an instance (`dnf repolist -v`) and add it to "+
			"network.s3Endpoint.readBuckets", bucket, AL2023Page)
	}
	if nat {
		return ""
	}
	return "patches from repositories on the internet, and the private subnets have no route there: enable network.nat, " +
		"or give the baseline sources that point at a mirror the instances can reach"
}
