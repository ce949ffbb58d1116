package config

import (
	"fmt"
	"maps"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/privatepatch/privatepatch/constructs/compliance/compliancespec"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/ssmschedule"
)

// OperatingSystems Patch Manager supports, as AWS::SSM::PatchBaseline names them.
var OperatingSystems = patchingspec.OperatingSystems

func (p *Patching) validate(c *Config, pr *problems) {
	servedBy := validateBaselines(c, pr)
	if r := p.Rings; r != nil {
		r.validate(c, pr)
	}
	for i, g := range c.Fleet.InstanceGroups {
		if _, ok := servedBy[g.PatchGroup]; g.PatchGroup != "" && !ok {
			pr.add(fmt.Sprintf("fleet.instanceGroups[%d].patchGroup", i), g.PatchGroup,
				"is served by no baseline in patching.baselines or patching.rings: add it to one, or leave patchGroup out so the default baseline applies")
		}
	}
	// wsus.patchGroup needs no configured baseline: privatepatch adds one (wsusBaseline).
	c.validateWsusRing(pr)
	c.validateWsusFit(pr)
	names := map[string]bool{}
	for i, w := range p.MaintenanceWindows {
		field := fmt.Sprintf("patching.maintenanceWindows[%d]", i)
		if names[w.Name] {
			pr.add(field+".name", w.Name, "is used by another maintenance window")
		}
		names[w.Name] = true
		if c.Wsus.Enabled && patchingspec.FailureAlarmName("", w.Name) == patchingspec.WsusSyncFailedAlarm {
			pr.add(field+".name", w.Name, "names its failure alarm %s, the name of the WSUS synchronisation alarm (alarm names are unique in an account and region): name the window otherwise", patchingspec.WsusSyncFailedAlarm)
		}
		validateWindow(pr, field, w)
	}
	validateHooks(c, pr)
	pr.addSpec("patching.agentUpdate", p.AgentUpdate, p.AgentUpdate.WithDefaults().Problems())
	if p.StopOnFailure != "" && !slices.Contains(patchingspec.StopOnFailureValues, p.StopOnFailure) {
		pr.add("patching.stopOnFailure", p.StopOnFailure, "is not allowed: use %s (default %s)",
			strings.Join(patchingspec.StopOnFailureValues, " or "), patchingspec.DefaultStopOnFailure)
	}
	validateStartStopped(c, pr)
	if p.Scan.Enabled {
		validateAssociationSchedule(pr, "patching.scan.schedule", p.Scan.Schedule)
		validateScanOutsideWindows(pr, p)
	}
	validateAgentUpdatesOutsideWindows(pr, p)
	validateInventory(c, pr)
	for _, severity := range slices.Sorted(maps.Keys(p.Deadlines)) {
		field, days := "patching.deadlines."+severity, p.Deadlines[severity]
		if !slices.Contains(DeadlineSeverities, severity) {
			pr.add(field, days, "names no MSRC severity: use %s", strings.Join(DeadlineSeverities, ", "))
		} else if days < 1 || days > MaxDeadlineDays {
			pr.add(field, days, "is out of range: use 1 to %d days from the release to the end of the window that installs it", MaxDeadlineDays)
		}
	}
	for i, email := range p.Notifications.Emails {
		if !validEmail(email) {
			pr.add(fmt.Sprintf("patching.notifications.emails[%d]", i), email, emailAdvice)
		}
	}
}

// validEmail tells whether email is one plain address, as SNS's email protocol takes it.
func validEmail(email string) bool {
	a, err := mail.ParseAddress(email)
	return err == nil && a.Address == email && emailPattern.MatchString(email)
}

const emailAdvice = "is not an email address: use name@example.com, without quotes, display names or IP addresses"

// validateBaselines checks every baseline, configured or made for a ring or the WSUS server,
// under the field it comes from: unique names, one baseline per patch group, one default per
// operating system. It returns each served patch group's baseline name.
func validateBaselines(c *Config, pr *problems) (servedBy map[string]string) {
	p := &c.Patching
	servedBy = map[string]string{}
	defaults := map[string]string{}
	named := map[string]string{}
	for i, b := range c.PatchBaselines() {
		field := fmt.Sprintf("patching.baselines[%d]", i)
		if i >= len(p.Baselines) {
			field = fmt.Sprintf("patching.rings.stages[%d]", i-len(p.Baselines))
		}
		if b.Name == c.WsusBaselineName() && i >= len(p.Baselines) && c.wsusBaseline() != nil && slices.Equal(b.PatchGroups, []string{c.Wsus.PatchGroup}) {
			field = "wsus.patchGroup"
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
	return servedBy
}

// validate checks patching.rings: a preset, stages whose delays grow, and its promotion.
func (r *Rings) validate(c *Config, pr *problems) {
	if _, ok := presets[r.Preset]; !ok {
		pr.add("patching.rings.preset", r.Preset, "is not a preset: use %s or %s", PresetAwsDefaultWindows, PresetSeedExampleWindows)
	}
	if len(r.Stages) == 0 {
		pr.add("patching.rings.stages", "", "is empty: list the rings, e.g. dev 0, test 7, prod 14 days")
	}
	validatePromotion(c, pr)
	for i := 1; i < len(r.Stages); i++ {
		if r.Stages[i].ApproveAfterDays <= r.Stages[i-1].ApproveAfterDays {
			pr.add(fmt.Sprintf("patching.rings.stages[%d].approveAfterDays", i), r.Stages[i].ApproveAfterDays,
				"must be more than the ring before it (%d): later rings wait longer", r.Stages[i-1].ApproveAfterDays)
		}
	}
}

func validateBaseline(pr *problems, field string, b Baseline) {
	pr.addSpec(field, b, b.Baseline.Problems())
	if b.Preset != "" && slices.Contains(OperatingSystems, b.OperatingSystem) {
		if _, ok := presets[b.Preset]; !ok {
			pr.add(field+".preset", b.Preset, "is not a preset: use %s or %s", PresetAwsDefaultWindows, PresetSeedExampleWindows)
		} else if b.OperatingSystem != patchingspec.DefaultOperatingSystem {
			pr.add(field+".preset", b.Preset, "is a Windows preset, and this baseline is for %s", b.OperatingSystem)
		}
	}
}

func validateWindow(pr *problems, field string, w MaintenanceWindow) {
	pr.addSpec(field, w.Window, w.Window.Problems())
	pr.addSpec(field+".targets", w.Targets, w.Targets.Spec().Problems())
}

// validatePromotion checks patching.rings.promote: exact needs each ring's own window (one, so
// that a run is the ring's run) with an Install task, and no other window installing on a later
// ring's nodes without its list.
func validatePromotion(c *Config, pr *problems) {
	r := c.Patching.Rings
	if r.Promote != "" && r.Promote != patchingspec.PromoteOff && r.Promote != patchingspec.PromoteExact {
		pr.add("patching.rings.promote", r.Promote, "is not allowed: use %s (the default) or %s", patchingspec.PromoteOff, patchingspec.PromoteExact)
		return
	}
	if !r.PromotesExactly() {
		return
	}
	if len(r.Stages) < 2 {
		pr.add("patching.rings.promote", r.Promote, "needs two rings or more: the first ring's installs are promoted to the next")
	}
	windows := c.RingWindows()
	for i, stage := range r.Stages {
		field := fmt.Sprintf("patching.rings.stages[%d].patchGroup", i)
		switch own := windows[i]; {
		case len(own) == 0:
			pr.add(field, stage.PatchGroup, "has no maintenance window of its own: promote: exact needs one window targeting only patchGroups [%s] "+
				"(its promotion runs after its Install; the next ring's Install reads the list)", stage.PatchGroup)
		case len(own) > 1:
			pr.add(field, stage.PatchGroup, "has %d maintenance windows of its own (patching.maintenanceWindows%v): promote: exact needs one, "+
				"so that each list is one run's installs", len(own), own)
		default:
			w := c.Patching.MaintenanceWindows[own[0]].Window.WithDefaults()
			var operations []string
			for _, t := range w.Tasks {
				operations = append(operations, t.Operation)
			}
			if !slices.Contains(operations, patchingspec.OperationInstall) {
				pr.add(fmt.Sprintf("patching.maintenanceWindows[%d].tasks", own[0]), operations, "has no Install task: with promote: exact, ring %s's window installs, "+
					"and promotes or reads what the ring before installed", stage.PatchGroup)
			}
			if last := slices.MaxFunc(w.Tasks, func(a, b PatchTask) int { return a.Priority - b.Priority }).Priority; last >= patchingspec.MaxPriority && i < len(r.Stages)-1 {
				pr.add(fmt.Sprintf("patching.maintenanceWindows[%d].tasks", own[0]), last, "leaves no priority for the promotion, which runs last: keep priorities below %d", patchingspec.MaxPriority)
			}
		}
		if i == 0 {
			continue
		}
		// Another window on a later ring's nodes would install there what its baseline approves,
		// without the list: the ring would get patches the ring before never ran.
		for j, w := range c.Patching.MaintenanceWindows {
			if slices.Contains(w.Targets.PatchGroups, stage.PatchGroup) && len(w.Targets.PatchGroups) > 1 {
				pr.add(fmt.Sprintf("patching.maintenanceWindows[%d].targets.patchGroups", j), w.Targets.PatchGroups,
					"includes ring %s with other patch groups: with promote: exact it would install there without the list of ring %s; give the ring its own window",
					stage.PatchGroup, r.Stages[i-1].PatchGroup)
			}
		}
	}
}

// validateStartStopped checks patching.startStopped and instanceSchedulerTagKey.
func validateStartStopped(c *Config, pr *problems) {
	p := &c.Patching
	if p.InstanceSchedulerTagKey != "" {
		switch {
		case !p.StartStopped:
			pr.add("patching.instanceSchedulerTagKey", p.InstanceSchedulerTagKey, "needs patching.startStopped: only a window that starts instances suspends their schedule")
		case strings.HasPrefix(strings.ToLower(p.InstanceSchedulerTagKey), "aws:") || len(p.InstanceSchedulerTagKey) > 128 ||
			p.InstanceSchedulerTagKey == c.Fleet.Tag.Key || slices.Contains(PatchGroupTagKeys, p.InstanceSchedulerTagKey):
			pr.add("patching.instanceSchedulerTagKey", p.InstanceSchedulerTagKey, "is not a scheduler's tag key: 1-128 characters, not aws:..., not the fleet or patch group tag (the window removes it while it runs)")
		}
	}
	if !p.StartStopped {
		return
	}
	for i, w := range p.MaintenanceWindows {
		if w.Targets.ResourceGroup != "" {
			pr.add(fmt.Sprintf("patching.maintenanceWindows[%d].targets.resourceGroup", i), w.Targets.ResourceGroup,
				"cannot be used with patching.startStopped: the start step finds stopped instances by patch group tag or instance id")
		}
		for j, t := range w.Window.WithDefaults().Tasks {
			if t.Priority > patchingspec.MaxPriority-2 && t.Priority <= patchingspec.MaxPriority {
				pr.add(fmt.Sprintf("patching.maintenanceWindows[%d].tasks[%d].priority", i, j), t.Priority,
					"must be %d or less with startStopped: the stop step (and a ring's promotion) run after the last task", patchingspec.MaxPriority-2)
			}
		}
		if !w.PrePatchImage {
			continue
		}
		for j, t := range w.Window.WithDefaults().Tasks {
			if t.Priority <= patchingspec.ImageAfterStartPriority {
				pr.add(fmt.Sprintf("patching.maintenanceWindows[%d].tasks[%d].priority", i, j), t.Priority,
					"must be %d or more with startStopped and prePatchImage: 0 starts the stopped instances, 1 images them", patchingspec.ImageAfterStartPriority+1)
			}
		}
	}
}

// validateScanOutsideWindows refuses a scan schedule that starts while a window may be open: the
// scans reach every patch group and the fleet, so a scan and the window's Install would run
// AWS-RunPatchBaseline on the same nodes at once. Only an overlap it can show is refused: a rate
// (it counts from the association's creation) or a window it cannot follow is left alone.
func validateScanOutsideWindows(pr *problems, p *Patching) {
	if ssmschedule.CheckAssociation(p.Scan.Schedule) != nil {
		return
	}
	scan := ssmschedule.Opening{Schedule: p.Scan.Schedule, Timezone: "UTC", Duration: patchingspec.ScanHours * time.Hour}
	for i, w := range p.MaintenanceWindows {
		if len(w.Window.Problems()) > 0 {
			continue
		}
		if overlaps, why := ssmschedule.Overlap(scan, opening(w)); overlaps {
			pr.add("patching.scan.schedule", p.Scan.Schedule,
				"runs while maintenance window %q (patching.maintenanceWindows[%d], %s) is open (%s, taking a scan as %d hour): a scan and the window's "+
					"Install would run AWS-RunPatchBaseline on the same nodes at once. Set patching.scan.schedule to a time (UTC) outside every window%s",
				w.Name, i, w.Schedule, why, patchingspec.ScanHours, defaultNote(p.Scan.Schedule))
			return
		}
	}
}

// defaultNote tells a user who never set the scan schedule that its default changed.
func defaultNote(schedule string) string {
	if schedule != patchingspec.DefaultScanSchedule {
		return ""
	}
	return " (this is the default since it replaced rate(1 day), which drifted into the windows)"
}

// validateAgentUpdatesOutsideWindows refuses an agent update that runs while a window is open
// (patchingspec.AgentUpdateInWindow): a patch command sent while the agent restarts may never
// complete.
func validateAgentUpdatesOutsideWindows(pr *problems, p *Patching) {
	if !p.AgentUpdate.On() {
		return
	}
	for i, s := range p.AgentUpdate.WithDefaults().Schedules {
		for j, w := range p.MaintenanceWindows {
			if len(w.Window.Problems()) > 0 {
				continue
			}
			if overlaps, why := patchingspec.AgentUpdateInWindow(s, w.Window); overlaps {
				pr.add(fmt.Sprintf("patching.agentUpdate.schedules[%d]", i), s,
					"updates SSM Agent while maintenance window %q (patching.maintenanceWindows[%d], %s) is open (%s, taking an update as %d hour): "+
						"a patch command sent while the agent restarts may never complete; schedule it outside every window",
					w.Name, j, w.Schedule, why, patchingspec.AgentUpdateHours)
				break
			}
		}
	}
}

// validateOwnAlarmNames refuses, with environments, a task's stopOnAlarms entry in privatepatch's
// own alarm names (<project>[-<environment>]-patching-...): one list serves every environment,
// and the stacks' alarms are named per environment, so such a name exists in one environment at
// most (the single deployment's form in none: held-out run 14's finding). In a single deployment
// naming the stack's own alarms is supported (stacks' waitForNamedAlarms).
func (c *Config) validateOwnAlarmNames(pr *problems) {
	where := map[string]string{c.Project + "-patching-": "in no environment (it is a single deployment's name)"}
	for _, d := range c.Deployments() {
		where[d.StackName("patching")+"-"] = "in environment " + d.Environment + " only"
	}
	for i, w := range c.Patching.MaintenanceWindows {
		for j, t := range w.Tasks {
			for k, name := range t.StopOnAlarms {
				for _, prefix := range slices.Sorted(maps.Keys(where)) {
					if strings.HasPrefix(name, prefix) {
						pr.add(fmt.Sprintf("patching.maintenanceWindows[%d].tasks[%d].stopOnAlarms[%d]", i, j, k), name,
							"is one of privatepatch's own alarm names, which exists %s: with environments the list serves every environment; name alarms of your own, present in each", where[prefix])
					}
				}
			}
		}
	}
}

// validateInventory checks patching.inventory: its schedule, and the options that need it on.
func validateInventory(c *Config, pr *problems) {
	inv := c.Patching.Inventory
	if inv.Enabled {
		validateAssociationSchedule(pr, "patching.inventory.schedule", inv.Schedule)
		if c.Security.Inspector.Enable && !c.InventoryAllNodes() {
			pr.add("patching.inventory.allNodes", false, "cannot be false with security.inspector.enable: Inspector then makes its own inventory association on every node (%s) "+
				"unless one targets InstanceIds *, and a fleet node given both has two inventory associations (\"Scanning Amazon EC2 instances\", Amazon Inspector User Guide): "+
				"leave it unset (it follows security.inspector.enable) or true", compliancespec.InspectorInventoryAssociation)
		}
	}
	if inv.AllNodes != nil && *inv.AllNodes && !inv.Enabled {
		pr.add("patching.inventory.allNodes", true, "needs patching.inventory.enabled: there is no inventory association to target every node")
	}
	if inv.ResourceDataSync && !inv.Enabled {
		pr.add("patching.inventory.resourceDataSync", true, "needs patching.inventory.enabled: there is nothing to sync")
	}
}
