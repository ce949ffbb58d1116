package compliancespec

import (
	"fmt"
	"slices"
)

// ConfigRule is an AWS Config managed rule privatepatch adds, with what its page says.
type ConfigRule struct {
	// ID is the construct id, Name the rule name after the deployment's prefix, Identifier
	// AWS's source identifier.
	ID, Name, Identifier string
	// ResourceTypes are what the rule evaluates (its page's "Resource Types" line).
	ResourceTypes []string
	// CarriesInstanceTags: every resource type it evaluates carries the instance's tags, so the
	// rule could be scoped to the fleet tag. A rule scope is either resource types or a tag key
	// and value, and only resources in it trigger an evaluation ("ConfigRule", Scope, AWS Config
	// API Reference, read 2026-11-27).
	CarriesInstanceTags bool
	// Page is the rule's page in the AWS Config Developer Guide, UnavailableIn the regions its
	// "AWS Region" line excepts ("All supported AWS regions except ..."), as region codes.
	Page          string
	UnavailableIn []string
	// Trigger is the page's "Trigger type" line. A rule triggered by configuration changes takes
	// no MaximumExecutionFrequency: PutConfigRule refuses it ("A maximum execution frequency for
	// this rule is not allowed because only a change in resources triggers this managed rule",
	// trussworks/terraform-aws-config#171; ConfigRule.MaximumExecutionFrequency, AWS Config API
	// Reference: only "for an AWS Config managed rule that is triggered at a periodic frequency",
	// read 2026-12-07).
	Trigger string
}

// The "Trigger type" lines of the managed rules' pages ("List of AWS Config Managed Rules by
// Trigger Type", AWS Config Developer Guide, read 2026-12-07).
// A periodic or hybrid rule takes a frequency; a change-triggered one refuses it.
const (
	TriggerConfigurationChanges = "Configuration changes"
	TriggerPeriodic             = "Periodic"
	TriggerHybrid               = "Hybrid"
)

// ConfigRules are AWS Config's managed rules for a Systems Manager fleet (pages read 2026-12-06).
// None can be scoped to the fleet tag: the patch and association compliance items are Systems
// Manager's records, not the instance, and carry none of its tags, and the managed-by-SSM rule
// evaluates AWS::SSM::ManagedInstanceInventory too, which carries none either: scoped by the fleet
// tag they would evaluate nothing (or, for the last, never its inventory item). Each is scoped by
// its resource types, over the account and region.
//
// The versions of a page AWS serves disagree on its Region line (older ones, and the China
// partition's, list more exceptions, e.g. Jakarta or Zurich for the association rule); the
// exceptions kept are those of the version that names the most recently opened regions (Taipei,
// New Zealand), taken as the current one. A translation that excepts more (the Italian page of the
// patch rule adds Canada West, Calgary) does not count: it says "In caso di conflitto ... la
// versione originale in Inglese ... prevarrà" (the English version prevails).
var ConfigRules = []ConfigRule{
	{ID: "PatchCompliance", Name: "patch-compliance", Identifier: "EC2_MANAGEDINSTANCE_PATCH_COMPLIANCE_STATUS_CHECK",
		ResourceTypes: []string{"AWS::SSM::PatchCompliance"},
		Page:          `"ec2-managedinstance-patch-compliance-status-check", AWS Config Developer Guide (read 2026-12-06)`,
		// Asia Pacific (Osaka), Europe (Milan), Asia Pacific (Taipei).
		UnavailableIn: []string{"ap-northeast-3", "eu-south-1", "ap-east-2"},
		Trigger:       TriggerConfigurationChanges},
	{ID: "AssociationCompliance", Name: "association-compliance", Identifier: "EC2_MANAGEDINSTANCE_ASSOCIATION_COMPLIANCE_STATUS_CHECK",
		ResourceTypes: []string{"AWS::SSM::AssociationCompliance"},
		Page:          `"ec2-managedinstance-association-compliance-status-check", AWS Config Developer Guide (read 2026-12-06)`,
		// Asia Pacific (New Zealand), Asia Pacific (Thailand), Asia Pacific (Osaka), Mexico
		// (Central), Asia Pacific (Taipei).
		UnavailableIn: []string{"ap-southeast-6", "ap-southeast-7", "ap-northeast-3", "mx-central-1", "ap-east-2"},
		Trigger:       TriggerConfigurationChanges},
	{ID: "ManagedBySsm", Name: "managed-by-ssm", Identifier: "EC2_INSTANCE_MANAGED_BY_SSM",
		ResourceTypes: []string{"AWS::EC2::Instance", "AWS::SSM::ManagedInstanceInventory"},
		Page:          `"ec2-instance-managed-by-systems-manager", AWS Config Developer Guide (read 2026-12-06)`,
		// Asia Pacific (Taipei).
		UnavailableIn: []string{"ap-east-2"},
		Trigger:       TriggerConfigurationChanges},
}

// ConfigRulesIn are the rules offered in region, and a message naming each one that is not.
func ConfigRulesIn(region string) (offered []ConfigRule, skipped []string) {
	for _, r := range ConfigRules {
		if slices.Contains(r.UnavailableIn, region) {
			skipped = append(skipped, fmt.Sprintf("AWS Config managed rule %s is not offered in %s (the Region line of %s): "+
				"privatepatch leaves it out there; the other rules and the patching itself are unaffected", r.Identifier, region, r.Page))
			continue
		}
		offered = append(offered, r)
	}
	return offered, skipped
}
