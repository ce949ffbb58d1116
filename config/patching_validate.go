package config

import (
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // maintenance window time zones are checked without the host's zoneinfo
	"unicode/utf8"

	"github.com/privatepatch/privatepatch/constructs/tagspec"
)

// OperatingSystems Patch Manager supports, as AWS::SSM::PatchBaseline names them.
var OperatingSystems = []string{"WINDOWS", "AMAZON_LINUX", "AMAZON_LINUX_2", "AMAZON_LINUX_2022", "AMAZON_LINUX_2023",
	"UBUNTU", "DEBIAN", "REDHAT_ENTERPRISE_LINUX", "CENTOS", "ORACLE_LINUX", "SUSE", "ROCKY_LINUX", "ALMA_LINUX", "RASPBIAN", "MACOS"}

var (
	rpmFilterKeys = []string{"PRODUCT", "CLASSIFICATION", "SEVERITY", "ADVISORY_ID", "ARCH", "BUGZILLA_ID", "CVE_ID",
		"EPOCH", "NAME", "RELEASE", "REPOSITORY", "SECURITY", "VERSION"}
	debFilterKeys = []string{"PRODUCT", "SECTION", "PRIORITY"}
	// filterKeys are the patch filter keys valid for each operating system.
	filterKeys = map[string][]string{
		"WINDOWS": {"PATCH_SET", "PRODUCT", "PRODUCT_FAMILY", "CLASSIFICATION", "MSRC_SEVERITY", "PATCH_ID"},
		"UBUNTU":  debFilterKeys, "DEBIAN": debFilterKeys, "RASPBIAN": debFilterKeys,
		"MACOS": {"PRODUCT", "CLASSIFICATION"},
	}
	// filterValues are the values AWS accepts where they are a closed set.
	filterValues = map[string]map[string][]string{
		"WINDOWS": {
			"CLASSIFICATION": {"CriticalUpdates", "DefinitionUpdates", "Drivers", "FeaturePacks", "SecurityUpdates",
				"ServicePacks", "Tools", "UpdateRollups", "Updates", "Upgrades"},
			"MSRC_SEVERITY": {"Critical", "Important", "Moderate", "Low", "Unspecified"},
			"PATCH_SET":     {"OS", "APPLICATION"},
		},
		"rpm": {
			"CLASSIFICATION": {"Security", "Bugfix", "Enhancement", "Recommended", "Newpackage"},
			"SEVERITY":       {"Critical", "Important", "Medium", "Low", "None"},
		},
	}
	complianceLevels = []string{"CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNSPECIFIED"}
	baselineNamePat  = regexp.MustCompile(`^[a-zA-Z0-9_\-.]{3,128}$`)
	datePattern      = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

func osFamily(os string) string {
	switch os {
	case "WINDOWS", "UBUNTU", "DEBIAN", "RASPBIAN", "MACOS":
		return os
	}
	return "rpm"
}

func isLinux(os string) bool { return os != "WINDOWS" && os != "MACOS" }

func (p *Patching) validate(c *Config, pr *problems) {
	servedBy := map[string]string{}
	defaults := map[string]string{}
	named := map[string]string{}
	for i, b := range c.PatchBaselines() {
		field := fmt.Sprintf("patching.baselines[%d]", i)
		if i >= len(p.Baselines) {
			field = fmt.Sprintf("patching.rings.stages[%d]", i-len(p.Baselines))
		}
		if other, ok := named[b.Name]; ok {
			// The name is the baseline's construct id too: two would collide at synth.
			pr.add(field+".name", b.Name, "is the name of %s too: baseline names must be unique (ring baselines are named <project>-<patchGroup>)", other)
		}
		named[b.Name] = field
		validateBaseline(pr, field, b)
		for _, group := range b.PatchGroups {
			if other, ok := servedBy[group]; ok {
				pr.add(field+".patchGroups", group, "is already served by baseline %q: a patch group maps to exactly one baseline", other)
			}
			servedBy[group] = b.Name
		}
		if b.Default {
			if other, ok := defaults[b.OperatingSystem]; ok {
				pr.add(field+".default", true, "makes %q a second default baseline for %s, after %q: choose one", b.Name, b.OperatingSystem, other)
			}
			defaults[b.OperatingSystem] = b.Name
		}
	}
	if r := p.Rings; r != nil {
		if _, ok := presets[r.Preset]; !ok {
			pr.add("patching.rings.preset", r.Preset, "is not a preset: use %s or %s", PresetAwsDefaultWindows, PresetSeedExampleWindows)
		}
		if len(r.Stages) == 0 {
			pr.add("patching.rings.stages", "", "is empty: list the rings, e.g. dev 0, test 7, prod 14 days")
		}
		for i := 1; i < len(r.Stages); i++ {
			if r.Stages[i].ApproveAfterDays <= r.Stages[i-1].ApproveAfterDays {
				pr.add(fmt.Sprintf("patching.rings.stages[%d].approveAfterDays", i), r.Stages[i].ApproveAfterDays,
					"must be more than the ring before it (%d): later rings wait longer", r.Stages[i-1].ApproveAfterDays)
			}
		}
	}
	for i, g := range c.Fleet.InstanceGroups {
		if _, ok := servedBy[g.PatchGroup]; g.PatchGroup != "" && !ok {
			pr.add(fmt.Sprintf("fleet.instanceGroups[%d].patchGroup", i), g.PatchGroup,
				"is served by no baseline in patching.baselines or patching.rings: add it to one, or leave patchGroup out so the default baseline applies")
		}
	}
	// wsus.patchGroup need not be served by a baseline: AWS's default Windows baseline then applies.
	names := map[string]bool{}
	for i, w := range p.MaintenanceWindows {
		field := fmt.Sprintf("patching.maintenanceWindows[%d]", i)
		if names[w.Name] {
			pr.add(field+".name", w.Name, "is used by another maintenance window")
		}
		names[w.Name] = true
		validateWindow(pr, field, w)
	}
	if p.Scan.Enabled {
		validateAssociationSchedule(pr, "patching.scan.schedule", p.Scan.Schedule)
	}
	if p.Inventory.Enabled {
		validateAssociationSchedule(pr, "patching.inventory.schedule", p.Inventory.Schedule)
	}
	if p.Inventory.ResourceDataSync && !p.Inventory.Enabled {
		pr.add("patching.inventory.resourceDataSync", true, "needs patching.inventory.enabled: there is nothing to sync")
	}
	for i, email := range p.Notifications.Emails {
		if a, err := mail.ParseAddress(email); err != nil || a.Address != email || !emailPattern.MatchString(email) {
			pr.add(fmt.Sprintf("patching.notifications.emails[%d]", i), email, "is not an email address: use name@example.com, without quotes, display names or IP addresses")
		}
	}
}

func validateBaseline(pr *problems, field string, b Baseline) {
	if !baselineNamePat.MatchString(b.Name) {
		pr.add(field+".name", b.Name, "is not allowed: use 3-128 letters, digits and _ - .")
	}
	if !slices.Contains(OperatingSystems, b.OperatingSystem) {
		pr.add(field+".operatingSystem", b.OperatingSystem, "is not an operating system Patch Manager supports: use one of %s", strings.Join(OperatingSystems, ", "))
		return
	}
	if b.Preset != "" {
		if _, ok := presets[b.Preset]; !ok {
			pr.add(field+".preset", b.Preset, "is not a preset: use %s or %s", PresetAwsDefaultWindows, PresetSeedExampleWindows)
		} else if b.OperatingSystem != "WINDOWS" {
			pr.add(field+".preset", b.Preset, "is a Windows preset, and this baseline is for %s", b.OperatingSystem)
		}
	}
	if n := utf8.RuneCountInString(b.Description); n > maxBaselineDescription {
		pr.add(field+".description", fmt.Sprintf("%d characters", n), "is too long: Patch Manager takes at most %d", maxBaselineDescription)
	}
	if n := len(b.ApprovalRules); n > maxApprovalRules {
		pr.add(field+".approvalRules", n, "rules are more than the %d a patch baseline holds", maxApprovalRules)
	}
	if n := len(b.ApprovedPatches); n > maxApprovedPatches {
		pr.add(field+".approvedPatches", n, "patches are more than the %d a patch baseline holds", maxApprovedPatches)
	}
	for j, id := range b.ApprovedPatches {
		if n := utf8.RuneCountInString(id); n < 1 || n > maxPatchIDLength {
			pr.add(fmt.Sprintf("%s.approvedPatches[%d]", field, j), id, "is not a patch name: use 1-%d characters", maxPatchIDLength)
		}
	}
	if n := len(b.RejectedPatches); n > maxRejectedPatches {
		pr.add(field+".rejectedPatches", n, "patches are more than the %d a patch baseline holds", maxRejectedPatches)
	}
	for j, id := range b.RejectedPatches {
		if n := utf8.RuneCountInString(id); n < 1 || n > maxPatchIDLength {
			pr.add(fmt.Sprintf("%s.rejectedPatches[%d]", field, j), id, "is not a patch name: use 1-%d characters", maxPatchIDLength)
		}
	}
	if n := len(b.Sources); n > maxPatchSources {
		pr.add(field+".sources", n, "sources are more than the %d a patch baseline holds", maxPatchSources)
	}
	for j, src := range b.Sources {
		sf := fmt.Sprintf("%s.sources[%d]", field, j)
		if !patchSourceNamePattern.MatchString(src.Name) {
			pr.add(sf+".name", src.Name, "is not a patch source name: use 3-50 letters, digits and _ - .")
		}
		if n := utf8.RuneCountInString(src.Configuration); n < 1 || n > maxPatchSourceConfiguration {
			pr.add(sf+".configuration", fmt.Sprintf("%d characters", n), "is not allowed: a repository configuration holds 1-%d characters", maxPatchSourceConfiguration)
		}
		if n := len(src.Products); n < 1 || n > maxPatchSourceProducts {
			pr.add(sf+".products", n, "products is not allowed: list 1 to %d", maxPatchSourceProducts)
		}
		for k, product := range src.Products {
			if n := utf8.RuneCountInString(product); n < 1 || n > maxPatchSourceProductLength {
				pr.add(fmt.Sprintf("%s.products[%d]", sf, k), product, "is not a product: use 1-%d characters", maxPatchSourceProductLength)
			}
		}
	}
	if len(b.ApprovalRules) == 0 && len(b.ApprovedPatches) == 0 {
		pr.add(field+".approvalRules", "", "is empty: give approval rules, a preset or approved patches, or the baseline approves nothing")
	}
	for j, rule := range b.ApprovalRules {
		rf := fmt.Sprintf("%s.approvalRules[%d]", field, j)
		validateFilters(pr, rf+".filters", b.OperatingSystem, rule.Filters)
		switch {
		case rule.ApproveAfterDays != nil && rule.ApproveUntilDate != "":
			pr.add(rf, "approveAfterDays and approveUntilDate", "are both set: choose one")
		case rule.ApproveAfterDays != nil && (*rule.ApproveAfterDays < 0 || *rule.ApproveAfterDays > 360):
			pr.add(rf+".approveAfterDays", *rule.ApproveAfterDays, "is out of range: use 0 to 360")
		case rule.ApproveUntilDate != "" && !validDate(rule.ApproveUntilDate):
			pr.add(rf+".approveUntilDate", rule.ApproveUntilDate, "is not a date: use YYYY-MM-DD")
		case rule.ApproveAfterDays == nil && rule.ApproveUntilDate == "":
			pr.add(rf, "", "needs approveAfterDays (0-360) or approveUntilDate (YYYY-MM-DD)")
		}
		if !slices.Contains(complianceLevels, rule.ComplianceLevel) {
			pr.add(rf+".complianceLevel", rule.ComplianceLevel, "is not a compliance level: use one of %s", strings.Join(complianceLevels, ", "))
		}
		if rule.EnableNonSecurity && !isLinux(b.OperatingSystem) {
			pr.add(rf+".enableNonSecurity", true, "applies to Linux baselines only, and this one is for %s", b.OperatingSystem)
		}
	}
	validateFilters(pr, field+".globalFilters", b.OperatingSystem, b.GlobalFilters)
	if !slices.Contains(complianceLevels, b.ApprovedPatchesComplianceLevel) {
		pr.add(field+".approvedPatchesComplianceLevel", b.ApprovedPatchesComplianceLevel, "is not a compliance level: use one of %s", strings.Join(complianceLevels, ", "))
	}
	if b.RejectedPatchesAction != "ALLOW_AS_DEPENDENCY" && b.RejectedPatchesAction != "BLOCK" {
		pr.add(field+".rejectedPatchesAction", b.RejectedPatchesAction, "is not allowed: use ALLOW_AS_DEPENDENCY or BLOCK")
	}
	if len(b.Sources) > 0 && !isLinux(b.OperatingSystem) {
		pr.add(field+".sources", len(b.Sources), "alternative sources apply to Linux baselines only")
	}
	for _, group := range b.PatchGroups {
		if group == "" || !tagspec.ValidValue(group) {
			pr.add(field+".patchGroups", group, "has characters a patch group (a tag value) cannot hold: use letters, digits, spaces and _ . : / = + - @")
		}
	}
}

func validateFilters(pr *problems, field, os string, filters map[string][]string) {
	keys := filterKeys[os]
	if keys == nil {
		keys = rpmFilterKeys
	}
	for key, values := range filters {
		if !slices.Contains(keys, key) {
			pr.add(field, key, "is not a patch filter key for %s: use one of %s", os, strings.Join(keys, ", "))
			continue
		}
		if len(values) == 0 {
			pr.add(field+"."+key, "", "is empty: list at least one value")
		}
		if len(values) > maxPatchFilterValues {
			pr.add(field+"."+key, len(values), "values are more than the %d a patch filter holds", maxPatchFilterValues)
		}
		allowed := filterValues[osFamily(os)][key]
		for _, v := range values {
			if n := utf8.RuneCountInString(v); n < 1 || n > maxPatchFilterValueLength {
				pr.add(field+"."+key, v, "is not a patch filter value: use 1-%d characters", maxPatchFilterValueLength)
			}
			if allowed != nil && v != "*" && !slices.Contains(allowed, v) {
				pr.add(field+"."+key, v, "is not a %s value for %s: use one of %s", key, os, strings.Join(allowed, ", "))
			}
		}
	}
}

func validDate(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return datePattern.MatchString(s) && err == nil
}

func validateWindow(pr *problems, field string, w MaintenanceWindow) {
	pr.addSpec(field, w.Window, w.Window.Problems())
	pr.addSpec(field+".targets", w.Targets, w.Targets.Spec().Problems())
}
