package patchingspec

import (
	_ "embed"
	"fmt"
)

// Exact promotion (patching.rings.promote: exact): after a ring's Install, a promotion task of
// the ring's window runs the project's Automation runbook, whose one aws:executeScript step
// (PromoteScript) reads what the ring's nodes installed in that window run and writes the
// InstallOverrideList the next ring's Install task reads. The facts it rests on, with the pages
// they were read on (2026-12-06):
const (
	// PromoteOff and PromoteExact are the values of patching.rings.promote; off is the default.
	PromoteOff   = "off"
	PromoteExact = "exact"

	// PromoteDocumentType and PromoteSchemaVersion: an Automation runbook is an AWS::SSM::Document
	// of DocumentType Automation, whose aws:executeScript steps belong to "Schema version 0.3"
	// (linked from "aws:executeScript – Run a script", AWS Systems Manager User Guide, read
	// 2026-12-06).
	PromoteDocumentType  = "Automation"
	PromoteSchemaVersion = "0.3"
	// PromoteRuntime of the aws:executeScript step: "aws:executeScript – Run a script" (AWS
	// Systems Manager User Guide, read 2026-12-06) no longer runs Python 3.6, 3.7 or 3.8 runbooks
	// and recommends Python 3.11; the tests run the script with Python 3.11 too.
	PromoteRuntime = "python3.11"
	// PromoteHandler is the function the step calls with (events, context) (same page).
	PromoteHandler = "handler"
	// PromoteTimeoutSeconds: "Each aws:executeScript action can run up to a maximum duration of
	// 600 seconds" (same page).
	PromoteTimeoutSeconds = 600

	// InstalledState and FailedState are the DescribeInstancePatches filter (Key State) values
	// the script asks for ("DescribeInstancePatches", AWS Systems Manager API Reference: supported
	// filter keys Classification, KBId, Severity, State, sample State values Installed |
	// InstalledOther | InstalledPendingReboot; read 2026-12-06). The response's Patches are
	// PatchComplianceData (Title, KBId, Classification, Severity, State, InstalledTime) with a
	// NextToken while more pages follow; MaxResults 10 to 100.
	//
	// What "installed in this run" means: a patch's InstalledTime between the window
	// execution's StartTime and the step's time, except on Windows, whose InstalledTime is the day
	// of the install at 00:00 UTC (the AWS CLI's describe-instance-patches example output,
	// "Example 1: To get the patch state details for an instance", Windows patches with
	// InstalledTime 1546992000.0 and 1549584000.0, both midnight; read 2026-12-06): there the
	// run's days count, and one either side (no page says whether the day is the node's or
	// UTC's). A Windows patch installed a day before a run starts is promoted with it.
	InstalledState = "Installed"
	FailedState    = "Failed"
	// InstalledPendingRebootState is what an Install with RebootOption NoReboot leaves: "If you
	// choose the NoReboot option and a patch is installed, the patch is assigned a status of
	// InstalledPendingReboot" ("SSM Command document for patching: AWS-RunPatchBaseline", read
	// 2026-12-06). The script promotes both (INSTALLED_STATES), or a ring that does not reboot
	// would promote nothing.
	InstalledPendingRebootState = "InstalledPendingReboot"
	// The script asks for the largest pages (PATCHES_PAGE, NODES_PAGE): DescribeInstancePatches
	// MaxResults 10 to 100 (above), DescribeInstanceInformation 5 to 50
	// ("DescribeInstanceInformation", AWS Systems Manager API Reference, read 2026-12-06); the
	// tests' harness refuses a request outside either range.
	// NodeTagFilter is the DescribeInstanceInformation filter key that selects a ring's nodes by
	// their patch group tag: "tag:{keyname}" ("InstanceInformationStringFilter", AWS Systems
	// Manager API Reference, read 2026-12-06).
	NodeTagFilter = "tag:%s"

	// InstallOverrideListParameter of AWS-RunPatchBaseline: "an https URL or an Amazon S3
	// path-style URL to a list of patches to be installed ... in YAML format"; a private bucket
	// needs the s3://bucket/key form; the file name can't contain ` ' " or $; the YAML is
	// "patches:" with an id (Windows: a KB or MS bulletin id; Linux: name.arch) and an optional
	// title per patch. "On Windows Server nodes, however, patches in the InstallOverrideList
	// patch list are applied only if they also match the patch baseline rules"; Scan ignores it.
	// ("SSM Command document for patching: AWS-RunPatchBaseline", AWS Systems Manager User Guide,
	// read 2026-12-06.)
	InstallOverrideListParameter = "InstallOverrideList"
	// BaselineOverrideParameter is AWS-RunPatchBaseline's other override: a JSON of baselines that
	// replaces the patch group's baseline (same page, and "Using the BaselineOverride parameter").
	BaselineOverrideParameter = "BaselineOverride"

	// PromotePrefix is where promotion writes in the output bucket: PromotePrefix<ring>/.
	PromotePrefix = "promote/"
	// PromoteListName is the list the next ring reads, under its predecessor's prefix (the name
	// promote.py writes, NEXT_LIST).
	PromoteListName = "install-override-list.yaml"
)

// PromoteScript is promote.py, the runbook step's script: its handler builds boto3 clients and
// calls promote(events, ssm, s3), which the tests call with recorded responses instead.
//
//go:embed promote.py
var PromoteScript string

// PromoteRingPrefix is the output-bucket prefix ring's promotion writes under (nothing else).
func PromoteRingPrefix(ring string) string { return PromotePrefix + ring + "/" }

// PromoteListKey is the key of the list ring's promotion leaves for the next ring.
func PromoteListKey(ring string) string { return PromoteRingPrefix(ring) + PromoteListName }

// PromoteListURL is the InstallOverrideList value that reads ring's list from bucket: the S3
// path-style URL a private bucket needs.
func PromoteListURL(bucket, ring string) string {
	return fmt.Sprintf("s3://%s/%s", bucket, PromoteListKey(ring))
}
