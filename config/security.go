package config

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/compliance/compliancespec"
)

// Security configures the account-level services that watch the fleet: Security Hub, Amazon
// Inspector suppression rules, AWS Config rules, finding alerts, and hybrid activations.
type Security struct {
	// SecurityHub enables Security Hub in the account and region, with standards.
	SecurityHub SecurityHub `yaml:"securityHub"`
	// Inspector holds Amazon Inspector's suppression rules for the fleet's findings.
	Inspector Inspector `yaml:"inspector"`
	// FindingAlertSeverity is the lowest severity of Security Hub and Inspector findings that
	// reach the alerts topic: LOW, MEDIUM, HIGH or CRITICAL.
	FindingAlertSeverity string `yaml:"findingAlertSeverity"`
	// ConfigRules adds AWS Config managed rules for patch and association compliance and for
	// being managed by Systems Manager, over every EC2 instance and managed node of the account
	// and region (what they evaluate carries no instance tags); a rule the region does not offer
	// is left out with a warning (compliancespec.ConfigRules). Needs an AWS Config recorder.
	ConfigRules bool `yaml:"configRules"`
	// Hybrid creates the service role for hybrid (on-premises) activations.
	Hybrid bool `yaml:"hybrid"`
}

// SecurityHub configures Security Hub.
type SecurityHub struct {
	Enabled bool `yaml:"enabled"`
	// Existing uses the hub the account already has (enabled before, or by an organization's
	// delegated administrator) instead of creating one, which would fail: only the standards are
	// enabled. Default: false.
	Existing bool `yaml:"existing"`
	// Standards to enable, by id (see SecurityHubStandards).
	Standards []string `yaml:"standards"`
}

// Inspector configures Amazon Inspector v2 for EC2: its suppression rules, and optionally
// switching it on (never off: deleting a stack must not switch it off for the whole account).
type Inspector struct {
	// Enable switches Inspector on for EC2 from the stack (a small custom resource that never
	// switches it off again). Default: false: switch it on yourself or centrally.
	Enable bool `yaml:"enable"`
	// Suppressions hide findings that match all their criteria.
	Suppressions []InspectorSuppression `yaml:"suppressions"`
}

// InspectorSuppression is an Inspector suppression rule (AWS::InspectorV2::Filter).
type InspectorSuppression struct {
	// Name of the rule, which is named <project>-<name>: letters, digits and _ . -, 3 to 64
	// characters with the project (Inspector's CreateFilter).
	Name string `yaml:"name"`
	// Reason is why the findings are accepted.
	Reason string `yaml:"reason"`
	// Tags: findings on resources carrying this tag; one at most (Inspector joins the tag
	// filters of one rule by OR: compliancespec.MaxInspectorSuppressionTags).
	Tags map[string]string `yaml:"tags"`
	// Severities: findings of these severities.
	Severities []string `yaml:"severities"`
}

// SecurityHubStandards maps the standards privatepatch can enable to their ARN paths.
var SecurityHubStandards = map[string]string{
	"aws-foundational-security-best-practices": "standards/aws-foundational-security-best-practices/v/1.0.0",
	"cis-aws-foundations-benchmark-v3.0.0":     "standards/cis-aws-foundations-benchmark/v/3.0.0",
	"nist-800-53-rev5":                         "standards/nist-800-53/v/5.0.0",
	"pci-dss-v4.0.1":                           "standards/pci-dss/v/4.0.1",
}

// FindingSeverities are the severity labels Security Hub and Inspector share, lowest first.
var FindingSeverities = []string{"LOW", "MEDIUM", "HIGH", "CRITICAL"}

// inspectorFilterNamePattern: the characters of an Inspector suppression rule's name, which
// Inspector takes without spaces; the whole name, <project>-<name>, is checked against
// compliancespec.InspectorFilterNameProblem in validateDerivedNames.
var inspectorFilterNamePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// FindingSeveritiesToAlert are the severities at or above FindingAlertSeverity.
func (s *Security) FindingSeveritiesToAlert() []string {
	i := slices.Index(FindingSeverities, s.FindingAlertSeverity)
	if i < 0 {
		return nil
	}
	return FindingSeverities[i:]
}

func (s *Security) validate(p *problems) {
	if !slices.Contains(FindingSeverities, s.FindingAlertSeverity) {
		p.add("security.findingAlertSeverity", s.FindingAlertSeverity, "is not a severity: use one of %s", strings.Join(FindingSeverities, ", "))
	}
	seen := map[string]bool{}
	for i, id := range s.SecurityHub.Standards {
		field := fmt.Sprintf("security.securityHub.standards[%d]", i)
		switch {
		case SecurityHubStandards[id] == "":
			p.add(field, id, "is not a standard privatepatch knows: use one of %s", strings.Join(slices.Sorted(maps.Keys(SecurityHubStandards)), ", "))
		case seen[id]:
			p.add(field, id, "is listed twice")
		}
		seen[id] = true
	}
	if s.SecurityHub.Existing && !s.SecurityHub.Enabled {
		p.add("security.securityHub.existing", true, "uses an existing hub for the stack's standards, and securityHub.enabled is false: enable it, or remove existing")
	}
	if len(s.SecurityHub.Standards) > 0 && !s.SecurityHub.Enabled {
		p.add("security.securityHub.standards", len(s.SecurityHub.Standards), "standards are listed, and securityHub.enabled is false: enable it or remove them")
	}
	names := map[string]bool{}
	for i, f := range s.Inspector.Suppressions {
		field := fmt.Sprintf("security.inspector.suppressions[%d]", i)
		switch {
		case !inspectorFilterNamePattern.MatchString(f.Name):
			p.add(field+".name", f.Name, "is not allowed: use letters, digits and _ . -, no spaces (Inspector takes no others)")
		case names[f.Name]:
			p.add(field+".name", f.Name, "is used by another suppression")
		}
		names[f.Name] = true
		if n := len(f.Tags); n > compliancespec.MaxInspectorSuppressionTags {
			p.add(field+".tags", n, "tags, and Inspector joins the tag filters of one rule by OR: it would hide the findings of resources carrying any of them, not all; give one tag per rule")
		}
		if n := len(f.Severities); n > compliancespec.MaxInspectorFilterValues {
			p.add(field+".severities", n, "severities are more than one Inspector suppression rule takes (%d)", compliancespec.MaxInspectorFilterValues)
		}
		if len(f.Tags) == 0 && len(f.Severities) == 0 {
			p.add(field, f.Name, "has no criteria: give tags or severities, or it would suppress every finding")
		}
		if strings.TrimSpace(f.Reason) == "" {
			p.add(field+".reason", "", "is empty: say why these findings are accepted")
		}
		for j, sev := range f.Severities {
			if !slices.Contains(append([]string{"INFORMATIONAL", "UNTRIAGED"}, FindingSeverities...), sev) {
				p.add(fmt.Sprintf("%s.severities[%d]", field, j), sev, "is not an Inspector severity: use INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL or UNTRIAGED")
			}
		}
		checkTags(p, field+".tags", f.Tags)
	}
}

// InspectorSuppressionName is the name of the Inspector filter of suppression name: the project's
// prefix and the name (stacks/patching.go makes it; make verify finds the filter by it).
func (c *Config) InspectorSuppressionName(name string) string { return c.Project + "-" + name }
