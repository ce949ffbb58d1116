// Package compliancespec is the specification of the asset groups: a resource group of the
// instances that carry all its tags, with its rules. It imports no CDK: config's
// assets.resourceGroups are these, and the compliance construct checks its groups with the
// same Problems.
package compliancespec

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/constructs/tagspec"
)

// ResourceGroup is an AWS::ResourceGroups::Group of the EC2 instances carrying all its tags.
type ResourceGroup struct {
	// Name of the group, unique in the account and region: up to 128 letters, digits and . _ -,
	// not starting with AWS.
	Name string `yaml:"name"`
	// Tags select the instances: every key with its value. At least one.
	Tags map[string]string `yaml:"tags"`
}

var namePattern = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,128}$`)

// ValidName says whether name can name a resource group.
func ValidName(name string) bool {
	return namePattern.MatchString(name) && !strings.HasPrefix(strings.ToLower(name), "aws")
}

// Problems are the group's problems.
func (g ResourceGroup) Problems() spec.Problems {
	var p spec.Problems
	if !ValidName(g.Name) {
		p.Add("Name", g.Name, "is not a resource group name: use up to 128 letters, digits and . _ -, not starting with AWS")
	}
	if len(g.Tags) == 0 {
		p.Add("Tags", "", "is empty: a group needs at least one tag to select its instances")
	}
	p.Within("Tags", tagspec.Problems(g.Tags))
	return p
}

// GroupsProblems are the problems of groups, each under field[i], and names used twice.
func GroupsProblems(field string, groups []ResourceGroup) spec.Problems {
	var p spec.Problems
	seen := map[string]bool{}
	for i, g := range groups {
		f := fmt.Sprintf("%s[%d]", field, i)
		p.Within(f, g.Problems())
		if seen[g.Name] && ValidName(g.Name) {
			p.Add(f+".Name", g.Name, "is used by another resource group")
		}
		seen[g.Name] = true
	}
	return p
}

// InspectorFindingMark is the ProductFields entry that marks, in Security Hub, a finding Amazon
// Inspector sent it: "Amazon Inspector findings have the following entry in ProductFields:
// "aws/inspector/ProductVersion": "2"", and once both services are on, "Amazon Inspector sends
// all of the findings it generates to Security Hub" ("Available AWS service integrations",
// Amazon Inspector, Security Hub User Guide, read 2026-12-06). Inspector Classic's findings,
// under the same product ARN, lack it.
const InspectorFindingMark = "aws/inspector/ProductVersion"

// InspectorUntriaged is the severity of an Inspector finding not yet scored: "UNTRIAGED applies to
// PACKAGE_VULNERABILITY type findings that the vendor has not assigned a severity yet" (Finding,
// severity, Amazon Inspector API; the Kotlin SDK's page, read 2026-12-07). It is below no label
// and above none, so only the lowest alert threshold privatepatch offers (LOW) takes it in.
const InspectorUntriaged = "UNTRIAGED"

// The Security Hub hub privatepatch creates (not an existing one) sets both of its switches, as
// "AWS::SecurityHub::Hub" (CloudFormation Template Reference, read 2026-12-07) describes them:
//   - HubEnableDefaultStandards: "When you use this resource to enable Security Hub, default
//     security standards are enabled. To disable default standards, set the
//     EnableDefaultStandards property to false" (unset, it is true: CfnHubProps). false: the hub
//     enables exactly the configured standards, each by its own AWS::SecurityHub::Standard;
//   - HubAutoEnableControls: "When you use this resource to enable Security Hub, new controls are
//     automatically enabled for your enabled standards. To disable automatic enablement of new
//     controls, set the AutoEnableControls property to false" (unset, it is true). true: the
//     controls AWS adds to an enabled standard are evaluated, and coverage does not shrink
//     release by release (mutation run 23's A03).
const (
	HubEnableDefaultStandards = false
	HubAutoEnableControls     = true
)

// ChecksMaxConcurrency and ChecksMaxErrors rate-control the configuration checks' associations: a
// failing check is a finding, and the others still run (MaxErrors 100%: of 0, "the system stops
// sending requests after the first error is returned", AssociationVersionInfo MaxErrors, Systems
// Manager API Reference, read 2026-12-07). The construct emits them; verify compares them.
const (
	ChecksMaxConcurrency = "25%"
	ChecksMaxErrors      = "100%"
)

// HybridRegistrationLimit is how many nodes the activation the patching stack's
// HybridActivationCommand output creates may register. RegistrationLimit is "the maximum number
// of managed instances you want to register" (AWS CLI reference, ssm create-activation, and
// CreateActivation, read 2026-12-07): a leaked code and id register up to that many machines as
// this account's nodes, so it is kept small.
const HybridRegistrationLimit = 10
