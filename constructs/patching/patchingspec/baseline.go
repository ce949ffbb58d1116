package patchingspec

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/constructs/tagspec"
)

// MsrcSeverities are the MSRC_SEVERITY values of Windows patch filters, most severe first.
var MsrcSeverities = []string{"Critical", "Important", "Moderate", "Low", "Unspecified"}

// OperatingSystems Patch Manager supports, as AWS::SSM::PatchBaseline names them.
var OperatingSystems = []string{"WINDOWS", "AMAZON_LINUX", "AMAZON_LINUX_2", "AMAZON_LINUX_2022", "AMAZON_LINUX_2023",
	"UBUNTU", "DEBIAN", "REDHAT_ENTERPRISE_LINUX", "CENTOS", "ORACLE_LINUX", "SUSE", "ROCKY_LINUX", "ALMA_LINUX", "RASPBIAN", "MACOS"}

var (
	rpmFilterKeys = []string{"PRODUCT", "CLASSIFICATION", "SEVERITY", "ADVISORY_ID", "ARCH", "BUGZILLA_ID", "CVE_ID",
		"EPOCH", "NAME", "RELEASE", "REPOSITORY", "SECURITY", "VERSION"}
	debFilterKeys = []string{"PRODUCT", "SECTION", "PRIORITY"}
	// filterKeys are the patch filter keys valid for each operating system.
	filterKeys = map[string][]string{
		// "the available filter keys for WINDOWS are PATCH_SET, PRODUCT, PRODUCT_FAMILY,
		// CLASSIFICATION, and MSRC_SEVERITY" (PatchFilter, Systems Manager API Reference, read
		// 2026-12-06): PATCH_ID filters DescribeAvailablePatches, not a Windows baseline; a
		// baseline names its updates in approvedPatches.
		"WINDOWS": {"PATCH_SET", "PRODUCT", "PRODUCT_FAMILY", "CLASSIFICATION", "MSRC_SEVERITY"},
		"UBUNTU":  debFilterKeys, "DEBIAN": debFilterKeys, "RASPBIAN": debFilterKeys,
		"MACOS": {"PRODUCT", "CLASSIFICATION"},
	}
	// filterValues are the values AWS accepts where they are a closed set.
	filterValues = map[string]map[string][]string{
		"WINDOWS": {
			"CLASSIFICATION": {"CriticalUpdates", "DefinitionUpdates", "Drivers", "FeaturePacks", "SecurityUpdates",
				"ServicePacks", "Tools", "UpdateRollups", "Updates", "Upgrades"},
			"MSRC_SEVERITY": MsrcSeverities,
			"PATCH_SET":     {"OS", "APPLICATION"},
		},
		// Amazon Linux's: the values AWS lists for its baselines.
		"amazon": {
			"CLASSIFICATION": {"Security", "Bugfix", "Enhancement", "Recommended", "Newpackage"},
			"SEVERITY":       {"Critical", "Important", "Medium", "Low", "None"},
		},
		// SUSE's are its own: "Supported key: CLASSIFICATION ... Security, Recommended, Optional,
		// Feature, Document, Yast" and "Supported key: SEVERITY ... Critical, Important, Moderate,
		// Low" (PatchFilter, as the SDKs' reference of CreatePatchBaseline reproduces it, read
		// 2026-12-06). The other RPM systems' values (Red Hat's, Oracle's) are not a closed set
		// here: AWS checks them, and `aws ssm describe-patch-properties` lists them.
		"SUSE": {
			"CLASSIFICATION": {"Security", "Recommended", "Optional", "Feature", "Document", "Yast"},
			"SEVERITY":       {"Critical", "Important", "Moderate", "Low"},
		},
	}
	// approvalDelayUnsupported are the systems whose approval rules take neither ApproveAfterDays
	// nor ApproveUntilDate: "Not supported for Debian Server or Ubuntu Server" (PatchRule,
	// Systems Manager API Reference, read 2026-12-06).
	approvalDelayUnsupported = []string{"UBUNTU", "DEBIAN"}
	complianceLevels         = []string{"CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNSPECIFIED"}
	datePattern              = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// osFamily is the key of os's closed filter values (filterValues).
func osFamily(os string) string {
	if strings.HasPrefix(os, "AMAZON_LINUX") {
		return "amazon"
	}
	return os
}

// TakesApprovalDelay says whether os's approval rules take approveAfterDays or approveUntilDate.
func TakesApprovalDelay(os string) bool { return !slices.Contains(approvalDelayUnsupported, os) }

func isLinux(os string) bool { return os != "WINDOWS" && os != "MACOS" }

// Limits of a patch baseline: Systems Manager API Reference, read 2026-11-27 (and the names of
// associations, window targets and tasks: ValidName):
//   - PatchRuleGroup: at most 10 PatchRules;
//   - CreatePatchBaseline ApprovedPatches: at most 50, each 1-100 characters;
//   - PatchBaselineIdentity BaselineDescription: 1-1024 characters;
//   - PatchSource: Name ^[a-zA-Z0-9_\-.]{3,50}$, Configuration 1-1024 characters, Products
//     1-20.
//   - PatchFilterGroup (an approval rule's filters, and the global filters): "Array Members:
//     Minimum number of 0 items. Maximum number of 4 items." (read 2026-12-06).
//
// and the CloudFormation resource provider schemas of AWS::SSM::PatchBaseline and
// AWS::SSM::ResourceDataSync (as cfn-lint 1.51.0 ships them, read 2026-11-27), for what the
// pages above do not show: RejectedPatches at most 50 of 1-100 characters, Sources at most 20,
// a source's products 1-128 characters, a patch filter's values at most 20 of 1-64 characters,
// and SyncName 1-64 characters (the resource data sync: config checks it).

const (
	MaxApprovalRules            = 10
	maxApprovedPatches          = 50
	maxPatchIDLength            = 100
	maxBaselineDescription      = 1024
	maxPatchSourceConfiguration = 1024
	maxPatchSourceProducts      = 20
	maxPatchSourceProductLength = 128
	maxRejectedPatches          = 50
	maxPatchSources             = 20
	maxPatchFilters             = 4
	maxPatchFilterValues        = 20
	maxPatchFilterValueLength   = 64
)

var patchSourceNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_\-.]{3,50}$`)

// Baseline defaults.
const (
	DefaultOperatingSystem       = "WINDOWS"
	DefaultComplianceLevel       = "UNSPECIFIED"
	DefaultRejectedPatchesAction = "ALLOW_AS_DEPENDENCY"
	// MaxApproveAfterDays is the longest approval delay.
	MaxApproveAfterDays = 360
)

// AvailableSecurityUpdatesComplianceStatus of a Windows baseline: the compliance status of a node
// on which a security update is available but not approved (AWS::SSM::PatchBaseline
// AvailableSecurityUpdatesComplianceStatus, "Supported for Windows Server managed nodes only";
// COMPLIANT or NON_COMPLIANT, PatchComplianceStatus of the Systems Manager API: CloudFormation
// template reference and the SDK's BaselineOverride, read 2026-12-06). AWS leaves it unset, which
// reports such a node compliant: an update held back by an approval delay, or whose delay
// restarted because a newer version superseded it, would look installed. The default makes it
// show.
const (
	SecurityUpdatesCompliant    = "COMPLIANT"
	SecurityUpdatesNonCompliant = "NON_COMPLIANT"
	// DefaultAvailableSecurityUpdatesComplianceStatus of Windows baselines.
	DefaultAvailableSecurityUpdatesComplianceStatus = SecurityUpdatesNonCompliant
)

// Baseline is one AWS::SSM::PatchBaseline.
type Baseline struct {
	// Name of the baseline: 3-128 letters, digits and _ - .
	Name string `yaml:"name"`
	// OperatingSystem, of OperatingSystems. Default: WINDOWS.
	OperatingSystem string `yaml:"operatingSystem"`
	// Description of the baseline. Default: none.
	Description string `yaml:"description"`
	// Default makes this the default baseline of its operating system.
	Default bool `yaml:"default"`
	// PatchGroups served by this baseline; each patch group belongs to one baseline.
	PatchGroups []string `yaml:"patchGroups"`
	// ApprovalRules approve patches automatically.
	ApprovalRules []ApprovalRule `yaml:"approvalRules"`
	// ApprovedPatches are approved explicitly, with ApprovedPatchesComplianceLevel (default
	// UNSPECIFIED).
	ApprovedPatches                []string `yaml:"approvedPatches"`
	ApprovedPatchesComplianceLevel string   `yaml:"approvedPatchesComplianceLevel"`
	// RejectedPatches are never installed; RejectedPatchesAction is ALLOW_AS_DEPENDENCY (the
	// default) or BLOCK.
	RejectedPatches       []string `yaml:"rejectedPatches"`
	RejectedPatchesAction string   `yaml:"rejectedPatchesAction"`
	// GlobalFilters apply to every patch before the rules (key: values).
	GlobalFilters map[string][]string `yaml:"globalFilters"`
	// Sources are alternative Linux repositories.
	Sources []PatchSource `yaml:"sources"`
	// AvailableSecurityUpdatesComplianceStatus (Windows only): COMPLIANT or NON_COMPLIANT, how a
	// node with an available security update the baseline does not approve (yet) reports.
	// Default: NON_COMPLIANT for Windows, none for other operating systems.
	AvailableSecurityUpdatesComplianceStatus string `yaml:"availableSecurityUpdatesComplianceStatus"`
}

// ApprovalRule approves patches matching all its filters after a delay or up to a date.
type ApprovalRule struct {
	// Filters: filter key (CLASSIFICATION, MSRC_SEVERITY, ...) to values.
	Filters map[string][]string `yaml:"filters"`
	// ApproveAfterDays after release, 0 to MaxApproveAfterDays.
	ApproveAfterDays *int `yaml:"approveAfterDays"`
	// ApproveUntilDate, YYYY-MM-DD: patches released up to that date.
	ApproveUntilDate string `yaml:"approveUntilDate"`
	// ComplianceLevel of missing approved patches. Default: UNSPECIFIED.
	ComplianceLevel string `yaml:"complianceLevel"`
	// EnableNonSecurity also installs non-security updates from the repositories (Linux only).
	EnableNonSecurity bool `yaml:"enableNonSecurity"`
}

// PatchSource is an alternative package repository for Linux baselines.
type PatchSource struct {
	Name          string   `yaml:"name"`
	Products      []string `yaml:"products"`
	Configuration string   `yaml:"configuration"`
}

// Days is a number of days where nil means unset.
func Days(n int) *int { return &n }

// WithDefaults fills what is unset, the rules' too.
func (b Baseline) WithDefaults() Baseline {
	fill(&b.OperatingSystem, DefaultOperatingSystem)
	fill(&b.RejectedPatchesAction, DefaultRejectedPatchesAction)
	fill(&b.ApprovedPatchesComplianceLevel, DefaultComplianceLevel)
	if b.OperatingSystem == "WINDOWS" {
		fill(&b.AvailableSecurityUpdatesComplianceStatus, DefaultAvailableSecurityUpdatesComplianceStatus)
	}
	if rules := b.ApprovalRules; len(rules) > 0 {
		b.ApprovalRules = make([]ApprovalRule, len(rules))
		for i, r := range rules {
			fill(&r.ComplianceLevel, DefaultComplianceLevel)
			b.ApprovalRules[i] = r
		}
	}
	return b
}

var baselineNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_\-.]{3,128}$`)

// Problems are the baseline's problems (give them after defaults).
func (b Baseline) Problems() spec.Problems {
	var p spec.Problems
	if !baselineNamePattern.MatchString(b.Name) {
		p.Add("Name", b.Name, "is not allowed: use 3-128 letters, digits and _ - .")
	}
	if !slices.Contains(OperatingSystems, b.OperatingSystem) {
		p.Add("OperatingSystem", b.OperatingSystem, "is not an operating system Patch Manager supports: use one of %s", strings.Join(OperatingSystems, ", "))
		return p
	}
	if n := utf8.RuneCountInString(b.Description); n > maxBaselineDescription {
		p.Add("Description", fmt.Sprintf("%d characters", n), "is too long: Patch Manager takes at most %d", maxBaselineDescription)
	}
	if n := len(b.ApprovalRules); n > MaxApprovalRules {
		p.Add("ApprovalRules", n, "rules are more than the %d a patch baseline holds", MaxApprovalRules)
	}
	p = append(p, patchIDProblems("ApprovedPatches", b.ApprovedPatches, maxApprovedPatches)...)
	p = append(p, patchIDProblems("RejectedPatches", b.RejectedPatches, maxRejectedPatches)...)
	if n := len(b.Sources); n > maxPatchSources {
		p.Add("Sources", n, "sources are more than the %d a patch baseline holds", maxPatchSources)
	}
	for j, src := range b.Sources {
		p.Within(fmt.Sprintf("Sources[%d]", j), src.problems())
	}
	if len(b.ApprovalRules) == 0 && len(b.ApprovedPatches) == 0 {
		p.Add("ApprovalRules", "", "is empty: give approval rules (in the configuration, or a preset) or approved patches, or the baseline approves nothing")
	}
	for j, rule := range b.ApprovalRules {
		p.Within(fmt.Sprintf("ApprovalRules[%d]", j), rule.problems(b.OperatingSystem))
	}
	p.Within("GlobalFilters", filterProblems(b.OperatingSystem, b.GlobalFilters))
	if !slices.Contains(complianceLevels, b.ApprovedPatchesComplianceLevel) {
		p.Add("ApprovedPatchesComplianceLevel", b.ApprovedPatchesComplianceLevel, "is not a compliance level: use one of %s", strings.Join(complianceLevels, ", "))
	}
	if b.RejectedPatchesAction != DefaultRejectedPatchesAction && b.RejectedPatchesAction != "BLOCK" {
		p.Add("RejectedPatchesAction", b.RejectedPatchesAction, "is not allowed: use %s or BLOCK", DefaultRejectedPatchesAction)
	}
	switch status := b.AvailableSecurityUpdatesComplianceStatus; {
	case status == "":
	case b.OperatingSystem != "WINDOWS":
		p.Add("AvailableSecurityUpdatesComplianceStatus", status, "applies to Windows baselines only, and this one is for %s: leave it out", b.OperatingSystem)
	case status != SecurityUpdatesCompliant && status != SecurityUpdatesNonCompliant:
		p.Add("AvailableSecurityUpdatesComplianceStatus", status, "is not allowed: use %s or %s", SecurityUpdatesNonCompliant, SecurityUpdatesCompliant)
	}
	if len(b.Sources) > 0 && !isLinux(b.OperatingSystem) {
		p.Add("Sources", len(b.Sources), "alternative sources apply to Linux baselines only")
	}
	b.sourceProductProblems(&p)
	for _, group := range b.PatchGroups {
		if group == "" || !tagspec.ValidValue(group) {
			p.Add("PatchGroups", group, "%s", tagspec.PatchGroupRules)
		}
	}
	return p
}

// patchIDProblems: at most max patches of 1 to maxPatchIDLength characters.
func patchIDProblems(field string, ids []string, max int) spec.Problems {
	var p spec.Problems
	if n := len(ids); n > max {
		p.Add(field, n, "patches are more than the %d a patch baseline holds", max)
	}
	for j, id := range ids {
		if n := utf8.RuneCountInString(id); n < 1 || n > maxPatchIDLength {
			p.Add(fmt.Sprintf("%s[%d]", field, j), id, "is not a patch name: use 1-%d characters", maxPatchIDLength)
		}
	}
	return p
}

func (src PatchSource) problems() spec.Problems {
	var p spec.Problems
	if !patchSourceNamePattern.MatchString(src.Name) {
		p.Add("Name", src.Name, "is not a patch source name: use 3-50 letters, digits and _ - .")
	}
	if n := utf8.RuneCountInString(src.Configuration); n < 1 || n > maxPatchSourceConfiguration {
		p.Add("Configuration", fmt.Sprintf("%d characters", n), "is not allowed: a repository configuration holds 1-%d characters", maxPatchSourceConfiguration)
	}
	if line := disabledRepository(src.Configuration); line != "" {
		p.Add("Configuration", line, "turns the repository off: its nodes read nothing from this source (AWS's example sets enabled=1; dnf.conf(5), enabled: include this repository as a package source): remove the line or set enabled=1")
	}
	if n := len(src.Products); n < 1 || n > maxPatchSourceProducts {
		p.Add("Products", n, "products is not allowed: list 1 to %d", maxPatchSourceProducts)
	}
	for k, product := range src.Products {
		if n := utf8.RuneCountInString(product); n < 1 || n > maxPatchSourceProductLength {
			p.Add(fmt.Sprintf("Products[%d]", k), product, "is not a product: use 1-%d characters", maxPatchSourceProductLength)
		}
	}
	return p
}

// disabledRepository is the line of a yum, dnf or zypper repository configuration that turns the
// repository off (enabled with a false value: 0, false, no or off, dnf.conf(5)'s booleans), or ""
// (held-out run 38's B05: a source given enabled=0 passed as long as the configuration said so).
func disabledRepository(configuration string) string {
	for _, line := range strings.Split(configuration, "\n") {
		key, value, ok := strings.Cut(line, "=")
		if ok && strings.EqualFold(strings.TrimSpace(key), "enabled") && slices.Contains([]string{"0", "false", "no", "off"}, strings.ToLower(strings.TrimSpace(value))) {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

func (rule ApprovalRule) problems(os string) spec.Problems {
	var p spec.Problems
	p.Within("Filters", filterProblems(os, rule.Filters))
	switch {
	case !TakesApprovalDelay(os) && (rule.ApproveAfterDays != nil || rule.ApproveUntilDate != ""):
		p.Add("", "approveAfterDays or approveUntilDate", "is set, and %s approval rules take neither: leave both out (Patch Manager approves %s patches as their repositories publish them)", os, os)
	case !TakesApprovalDelay(os):
	case rule.ApproveAfterDays != nil && rule.ApproveUntilDate != "":
		p.Add("", "approveAfterDays and approveUntilDate", "are both set: choose one")
	case rule.ApproveAfterDays != nil && (*rule.ApproveAfterDays < 0 || *rule.ApproveAfterDays > MaxApproveAfterDays):
		p.Add("ApproveAfterDays", *rule.ApproveAfterDays, "is out of range: use 0 to %d", MaxApproveAfterDays)
	case rule.ApproveUntilDate != "" && !validDate(rule.ApproveUntilDate):
		p.Add("ApproveUntilDate", rule.ApproveUntilDate, "is not a date: use YYYY-MM-DD")
	case rule.ApproveAfterDays == nil && rule.ApproveUntilDate == "":
		p.Add("", "", "needs approveAfterDays (0-%d) or approveUntilDate (YYYY-MM-DD)", MaxApproveAfterDays)
	}
	if !slices.Contains(complianceLevels, rule.ComplianceLevel) {
		p.Add("ComplianceLevel", rule.ComplianceLevel, "is not a compliance level: use one of %s", strings.Join(complianceLevels, ", "))
	}
	if rule.EnableNonSecurity && !isLinux(os) {
		p.Add("EnableNonSecurity", true, "applies to Linux baselines only, and this one is for %s", os)
	}
	return p
}

// filterProblems are the problems of patch filters for operating system os: a bad key with
// Field "" (the filters as a whole), a bad value with Field its key.
func filterProblems(os string, filters map[string][]string) spec.Problems {
	var p spec.Problems
	keys := filterKeys[os]
	if keys == nil {
		keys = rpmFilterKeys
	}
	if n := len(filters); n > maxPatchFilters {
		p.Add("", n, "filters are more than the %d a patch filter group holds", maxPatchFilters)
	}
	for _, key := range slices.Sorted(maps.Keys(filters)) {
		values := filters[key]
		if !slices.Contains(keys, key) {
			p.Add("", key, "is not a patch filter key for %s: use one of %s", os, strings.Join(keys, ", "))
			continue
		}
		if len(values) == 0 {
			p.Add(key, "", "is empty: list at least one value")
		}
		if len(values) > maxPatchFilterValues {
			p.Add(key, len(values), "values are more than the %d a patch filter holds", maxPatchFilterValues)
		}
		allowed := filterValues[osFamily(os)][key]
		for _, v := range values {
			if n := utf8.RuneCountInString(v); n < 1 || n > maxPatchFilterValueLength {
				p.Add(key, v, "is not a patch filter value: use 1-%d characters", maxPatchFilterValueLength)
			}
			if allowed != nil && v != "*" && !slices.Contains(allowed, v) {
				p.Add(key, v, "is not a %s value for %s: use one of %s", key, os, strings.Join(allowed, ", "))
			}
		}
	}
	return p
}

func validDate(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return datePattern.MatchString(s) && err == nil
}

// UsesApt tells whether an operating system's nodes install from apt repositories (its patch
// filters are Debian's: PRODUCT, SECTION, PRIORITY): a baseline source is then a "deb" line, where
// the others take a yum/dnf or zypper repository section (PatchSource Configuration, Systems
// Manager API Reference).
func UsesApt(operatingSystem string) bool {
	return slices.Equal(filterKeys[operatingSystem], debFilterKeys)
}

// sourceProductProblems: a source serves a product the baseline patches. A source applies to the
// nodes of its products only ("The specific operating system versions a patch repository applies
// to", AWS::SSM::PatchBaseline PatchSource, CloudFormation Template Reference, read 2026-12-07),
// so one none of whose products the baseline's PRODUCT filters take is never used for a node the
// baseline approves anything on, and the nodes it does approve for read the default repositories
// (mutation run 17's A20: a Debian11 source under a Debian12 rule). A source listing more
// products than those is fine. A filter without PRODUCT (or with "*") takes every product.
func (b Baseline) sourceProductProblems(p *spec.Problems) {
	filters := b.productFilters()
	takes := func(product string) bool {
		for _, patterns := range filters {
			if !slices.ContainsFunc(patterns, func(pattern string) bool { ok, _ := path.Match(pattern, product); return ok }) {
				return false
			}
		}
		return true
	}
	for j, src := range b.Sources {
		if len(filters) > 0 && len(src.Products) > 0 && !slices.ContainsFunc(src.Products, takes) {
			var lists []string
			for _, patterns := range filters {
				lists = append(lists, strings.Join(patterns, ", "))
			}
			p.Add(fmt.Sprintf("Sources[%d].Products", j), strings.Join(src.Products, ", "), "are none of the products this baseline's PRODUCT filters patch (%s): "+
				"the source serves nodes the baseline approves nothing for; list the products its approval rules approve", strings.Join(lists, "; "))
		}
	}
}

// productFilters is the PRODUCT patterns a patch must match to be approved, each list one that
// restricts: the global filter's, and the rules' together when every rule names products and no
// patch is approved by name (ApprovedPatches are approved whatever the rules' filters).
func (b Baseline) productFilters() [][]string {
	restricts := func(values []string) bool { return len(values) > 0 && !slices.Contains(values, "*") }
	var filters [][]string
	if global := b.GlobalFilters["PRODUCT"]; restricts(global) {
		filters = append(filters, global)
	}
	if len(b.ApprovedPatches) > 0 {
		return filters
	}
	var byRules []string
	for _, rule := range b.ApprovalRules {
		if !restricts(rule.Filters["PRODUCT"]) {
			return filters
		}
		byRules = append(byRules, rule.Filters["PRODUCT"]...)
	}
	if byRules != nil {
		filters = append(filters, byRules)
	}
	return filters
}
