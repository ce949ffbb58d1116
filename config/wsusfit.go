package config

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/privatepatch/privatepatch/constructs/ssmschedule"
	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
)

// validateWsusFit refuses what the WSUS server cannot serve or would lose to its own window:
// Windows baselines of its clients approving classifications it does not synchronise, and a
// synchronisation its own maintenance window may reboot.
func (c *Config) validateWsusFit(pr *problems) {
	if !c.Wsus.Enabled {
		return
	}
	c.validateWsusClassifications(pr)
	c.validateSyncOutsideWsusWindows(pr)
}

// validateWsusClassifications refuses a Windows baseline of the clients (the baseline of each of
// the fleet's instance groups, whose instances the client configuration points at the server: the
// one serving its patch group, or the default baseline when it has none or no baseline serves it)
// whose approval rules name a CLASSIFICATION the server does not synchronise
// (wsus.classifications): its clients ask the server's Windows Update API ("This list of updates
// is sent to the Windows Update API, which determines which of the updates are applicable", "How
// patches are installed", Patch Manager, read 2026-12-06), which never has them, so the nodes
// report compliant and nothing installs. Other groups (hybrid nodes, instances of your own) may
// use Microsoft Update: not checked, nor a rule without a CLASSIFICATION filter. Without a
// configured default, the default is taken to be AWS-DefaultPatchBaseline ("used as the default
// patch baseline for Windows Server instances unless you specify a different patch baseline",
// "About predefined and custom patch baselines"): a default registered in the account outside
// this project is not seen, nor patch policies, under which "Patch groups are not used".
func (c *Config) validateWsusClassifications(pr *problems) {
	synced := c.Wsus.WithDefaults().Classifications
	baselines := c.PatchBaselines()
	reported := map[string]bool{}
	for _, g := range c.Fleet.InstanceGroups {
		b := c.PatchGroupBaseline(g.PatchGroup)
		field := c.baselineField(baselines, b.Name)
		if reported[field] {
			continue
		}
		reported[field] = true
		for j, rule := range b.ApprovalRules {
			for _, class := range rule.Filters["CLASSIFICATION"] {
				title, known := wsusspec.ClassificationTitles[class]
				if !known || slices.Contains(synced, title) {
					continue
				}
				if field == "" { // AWS's default baseline: nothing of ours approves it, the server's list leaves it out
					pr.add("wsus.classifications", strings.Join(synced, ", "),
						"leaves out %q, which %s approves (the baseline of fleet instance group %q, which no baseline of patching.baselines serves): "+
							"its clients never see those updates, and report compliant with nothing installed. Add %q to wsus.classifications, or give the group a baseline",
						title, b.Name, g.Name, title)
					continue
				}
				pr.add(fmt.Sprintf("%s.approvalRules[%d].filters.CLASSIFICATION", field, j), class,
					"approves %q updates, which the WSUS server does not synchronise (wsus.classifications: %s): its clients never see them, "+
						"and report compliant with nothing installed. Add %q to wsus.classifications, or leave %s out of the baseline",
					title, strings.Join(synced, ", "), title, class)
			}
		}
	}
}

// baselineField names where the baseline called name is configured: patching.baselines[i], or
// patching.rings.preset for a ring's (they follow the configured ones); "" for AWS's own.
func (c *Config) baselineField(baselines []Baseline, name string) string {
	i := slices.IndexFunc(baselines, func(b Baseline) bool { return b.Name == name })
	switch {
	case i < 0:
		return ""
	case i >= len(c.Patching.Baselines):
		return "patching.rings.preset"
	}
	return fmt.Sprintf("patching.baselines[%d]", i)
}

// validateSyncOutsideWsusWindows refuses a daily synchronisation at which a window patching the
// WSUS server's patch group may be open: "If any updates are installed, the instance is rebooted
// afterwards" (AWS-RunPatchBaseline, RebootIfNeeded), which cuts the synchronisation, and with one
// a day the next starts a day later. With more a day, the next comes hours later, and several a
// day cannot all keep out of a three-hour window: they are not checked.
func (c *Config) validateSyncOutsideWsusWindows(pr *problems) {
	server := c.Wsus.WithDefaults()
	if len(server.Problems()) > 0 || c.Wsus.PatchGroup == "" || server.SyncsPerDay > 1 {
		return
	}
	for _, start := range server.SyncStartsUtc() {
		sync := ssmschedule.Opening{Schedule: fmt.Sprintf("cron(%d %d ? * * *)", start%60, start/60), Timezone: "UTC",
			Duration: wsusspec.SyncRunHours * time.Hour}
		for i, w := range c.Patching.MaintenanceWindows {
			if !slices.Contains(w.Targets.PatchGroups, c.Wsus.PatchGroup) || len(w.Window.Problems()) > 0 {
				continue
			}
			if overlaps, why := ssmschedule.Overlap(sync, opening(w)); overlaps {
				pr.add("wsus.syncTimeUtc", server.SyncTimeUtc,
					"synchronises at %02d:%02d UTC (taken as %d hours), while window %q (patching.maintenanceWindows[%d], %s) may patch and reboot the server (%s): "+
						"the reboot cuts the synchronisation, and the next is a day later. Set wsus.syncTimeUtc to a time outside the server's windows, or synchronise more than once a day%s",
					start/60, start%60, wsusspec.SyncRunHours, w.Name, i, w.Schedule, why, syncDefaultNote(c.Wsus.SyncTimeUtc))
				return
			}
		}
	}
}

// syncDefaultNote tells a user whose synchronisation time is the default that the default changed.
func syncDefaultNote(set string) string {
	if set != wsusspec.DefaultServer().SyncTimeUtc {
		return ""
	}
	return " (21:00 UTC is the default since it replaced 03:00, which the server's own Saturday window interrupted)"
}
