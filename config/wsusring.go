package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
)

// The WSUS server is its own ring: the fleet downloads its updates from it, and a WSUS flaw is
// exploitable from every subnet that reaches it (CVE-2025-59287, fixed out of band in October
// 2025: docs/wsus.md). So its patch group is its own, patched in its own window before the
// fleet's (addWsusPatchWindow: Saturday, the fleet's seed window Sunday), by a baseline that
// approves Critical and Security updates the day they are released (WsusBaseline).

// WsusBaselineName is the name of the baseline privatepatch adds for the WSUS server's patch
// group when no configured baseline serves it.
func (c *Config) WsusBaselineName() string { return c.Project + "-wsus" }

// wsusBaseline is the WSUS server's baseline: Critical and Security updates of every MSRC
// severity, approved with no delay, missing ones reported CRITICAL. Nil without a patched server
// or when a configured baseline serves its patch group.
func (c *Config) wsusBaseline() *Baseline {
	if !c.Wsus.Enabled || c.Wsus.PatchGroup == "" {
		return nil
	}
	for _, b := range c.Patching.Baselines {
		if slices.Contains(b.PatchGroups, c.Wsus.PatchGroup) {
			return nil
		}
	}
	return &Baseline{Baseline: patchingspec.Baseline{
		Name:            c.WsusBaselineName(),
		OperatingSystem: patchingspec.DefaultOperatingSystem,
		Description:     "The WSUS server: Critical and Security updates of every severity, approved on release",
		PatchGroups:     []string{c.Wsus.PatchGroup},
		ApprovalRules: []ApprovalRule{{
			Filters: map[string][]string{
				"CLASSIFICATION": {"CriticalUpdates", "SecurityUpdates"},
				"MSRC_SEVERITY":  {"Critical", "Important", "Moderate", "Low", "Unspecified"},
			},
			ApproveAfterDays: patchingspec.Days(0),
			ComplianceLevel:  "CRITICAL",
		}},
	}.WithDefaults()}
}

// validateWsusRing refuses what would put the WSUS server in the fleet's ring: a window that
// patches its patch group together with the fleet's, fleet instances in its patch group, a
// baseline or ring that serves it and other groups (or approves late).
func (c *Config) validateWsusRing(pr *problems) {
	if !c.Wsus.Enabled || c.Wsus.PatchGroup == "" {
		return
	}
	group := c.Wsus.PatchGroup
	const own = "the WSUS server's patch group (wsus.patchGroup) is its own ring, patched before the fleet: "
	for i, w := range c.Patching.MaintenanceWindows {
		if slices.Contains(w.Targets.PatchGroups, group) && len(w.Targets.PatchGroups) > 1 {
			pr.add(fmt.Sprintf("patching.maintenanceWindows[%d].targets.patchGroups", i), strings.Join(w.Targets.PatchGroups, ", "),
				"puts %q, %sleave it out of this fleet window (privatepatch adds the window %s-wsus for it), or give wsus.patchGroup a group of its own, e.g. wsus",
				group, own, c.Project)
		}
	}
	for i, g := range c.Fleet.InstanceGroups {
		if g.PatchGroup == group {
			pr.add(fmt.Sprintf("fleet.instanceGroups[%d].patchGroup", i), g.PatchGroup,
				"is wsus.patchGroup: %sgive the instances or the server another patch group", own)
		}
	}
	for i, b := range c.Patching.Baselines {
		if slices.Contains(b.PatchGroups, group) && len(b.PatchGroups) > 1 {
			pr.add(fmt.Sprintf("patching.baselines[%d].patchGroups", i), strings.Join(b.PatchGroups, ", "),
				"serves %q and fleet groups: %sserve it with a baseline of its own, or leave it out and privatepatch adds %s (Critical and Security updates, no delay)",
				group, own, c.WsusBaselineName())
		}
	}
	if r := c.Patching.Rings; r != nil {
		for i, stage := range r.Stages {
			if stage.PatchGroup == group {
				pr.add(fmt.Sprintf("patching.rings.stages[%d].patchGroup", i), stage.PatchGroup,
					"is wsus.patchGroup: %sit takes updates with no delay; leave it out of the rings", own)
			}
		}
	}
}
