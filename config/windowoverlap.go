package config

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/ssmschedule"
)

// Two maintenance windows whose targets may share an instance and whose schedules may be open at
// once would run two AWS-RunPatchBaseline Installs on it together: whatever the patch group's
// tag key (a window reads one key, created instances carry both), so a window per key is no way
// to reach both kinds of instances on one schedule. Created instances keep both keys: windows
// reading either find them, and instances brought in carry whichever their metadata settings
// allow; refusing the overlap covers both, and instance-id and resource-group targets too, which
// tagging one key would not.

// createdInstance is what the configuration knows of instances the stacks create: who they are,
// their patch group and their tags (for resource group queries).
type createdInstance struct {
	who        string
	patchGroup string
	tags       map[string]string
}

func (c *Config) createdInstances() []createdInstance {
	var out []createdInstance
	for i, g := range c.Fleet.InstanceGroups {
		tags := map[string]string{c.Fleet.Tag.Key: c.Fleet.Tag.Value}
		for k, v := range c.Tags {
			tags[k] = v
		}
		for k, v := range g.Tags {
			tags[k] = v
		}
		out = append(out, createdInstance{who: fmt.Sprintf("fleet.instanceGroups[%d] (%s)", i, g.Name), patchGroup: g.PatchGroup, tags: tags})
	}
	if c.Wsus.Enabled {
		tags := map[string]string{}
		for k, v := range c.Tags {
			tags[k] = v
		}
		for k, v := range c.WsusAssetTags() {
			tags[k] = v
		}
		out = append(out, createdInstance{who: "the WSUS server", patchGroup: c.Wsus.PatchGroup, tags: tags})
	}
	return out
}

// reach is which created instances a window's targets may include: those of its patch groups;
// those carrying all the tags of a resource group the configuration declares; any, for a
// resource group declared elsewhere or EC2 instance ids (created instances' ids are not known
// before the deploy, and an id listed afterwards may name one). Hybrid node ids (mi-) name none.
func (c *Config) reach(w MaintenanceWindow, created []createdInstance) []createdInstance {
	var out []createdInstance
	t := w.Targets
	for _, inst := range created {
		switch {
		case len(t.PatchGroups) > 0:
			if inst.patchGroup != "" && slices.Contains(t.PatchGroups, inst.patchGroup) {
				out = append(out, inst)
			}
		case t.ResourceGroup != "":
			declared := slices.IndexFunc(c.Assets.ResourceGroups, func(g ResourceGroup) bool { return g.Name == t.ResourceGroup })
			if declared < 0 || carriesAll(inst.tags, c.Assets.ResourceGroups[declared].Tags) {
				out = append(out, inst)
			}
		case slices.ContainsFunc(t.InstanceIds, func(id string) bool { return strings.HasPrefix(id, "i-") }):
			out = append(out, inst)
		}
	}
	return out
}

func carriesAll(tags, want map[string]string) bool {
	for k, v := range want {
		if tags[k] != v {
			return false
		}
	}
	return true
}

// sharedTarget names what two windows' targets may share, or "".
func (c *Config) sharedTarget(a, b MaintenanceWindow, created []createdInstance) string {
	for _, g := range a.Targets.PatchGroups {
		if slices.Contains(b.Targets.PatchGroups, g) {
			key := fmt.Sprintf("%q", a.Targets.PatchGroupTagKey)
			if b.Targets.PatchGroupTagKey != a.Targets.PatchGroupTagKey {
				key = fmt.Sprintf("%q in one, %q in the other: instances may carry both, as the created ones do", a.Targets.PatchGroupTagKey, b.Targets.PatchGroupTagKey)
			}
			return fmt.Sprintf("patch group %q (tag key %s)", g, key)
		}
	}
	for _, id := range a.Targets.InstanceIds {
		if slices.Contains(b.Targets.InstanceIds, id) {
			return "instance " + id
		}
	}
	if a.Targets.ResourceGroup != "" && a.Targets.ResourceGroup == b.Targets.ResourceGroup {
		return fmt.Sprintf("resource group %q", a.Targets.ResourceGroup)
	}
	if len(a.Targets.InstanceIds) > 0 && len(b.Targets.InstanceIds) > 0 {
		return "" // explicit ids on both sides, none shared
	}
	inB := c.reach(b, created)
	for _, inst := range c.reach(a, created) {
		if slices.ContainsFunc(inB, func(x createdInstance) bool { return x.who == inst.who }) {
			return fmt.Sprintf("%s, which both windows' targets may include (%s; %s)", inst.who, describeTargets(a), describeTargets(b))
		}
	}
	return ""
}

func describeTargets(w MaintenanceWindow) string {
	t := w.Targets
	switch {
	case len(t.PatchGroups) > 0:
		return fmt.Sprintf("%s: patch groups %s", w.Name, strings.Join(t.PatchGroups, ", "))
	case t.ResourceGroup != "":
		return fmt.Sprintf("%s: resource group %q", w.Name, t.ResourceGroup)
	}
	return fmt.Sprintf("%s: instance ids %s, whose EC2 ids may name created instances", w.Name, strings.Join(t.InstanceIds, ", "))
}

func opening(w MaintenanceWindow) ssmschedule.Opening {
	return ssmschedule.Opening{Schedule: w.Schedule, Timezone: w.Timezone, ScheduleOffset: w.ScheduleOffset,
		Duration: time.Duration(*w.DurationHours) * time.Hour, StartDate: w.StartDate, EndDate: w.EndDate}
}

// validateWindowOverlaps refuses two windows that may patch one instance at the same time.
// Windows that are themselves invalid are left to their own problems.
func (c *Config) validateWindowOverlaps(pr *problems) {
	windows := c.Patching.MaintenanceWindows
	valid := make([]bool, len(windows))
	for i, w := range windows {
		valid[i] = len(w.Window.Problems()) == 0 && len(w.Targets.Spec().Problems()) == 0
	}
	created := c.createdInstances()
	for i := range windows {
		for j := i + 1; j < len(windows); j++ {
			if !valid[i] || !valid[j] {
				continue
			}
			a, b := windows[i], windows[j]
			shared := c.sharedTarget(a, b, created)
			if shared == "" {
				continue
			}
			overlap, why := ssmschedule.MayOverlap(opening(a), opening(b))
			if !overlap {
				continue
			}
			pr.add(fmt.Sprintf("patching.maintenanceWindows[%d]", j), b.Name,
				"and window %q (patching.maintenanceWindows[%d]) share %s, and their schedules %s and %s can be open at once (%s): "+
					"two AWS-RunPatchBaseline runs would patch and reboot the same instance together. Move one schedule so that "+
					"the two are never open at the same time, or take the shared target out of one of them",
				a.Name, i, shared, a.Schedule, b.Schedule, why)
		}
	}
}

// validateWsusApart refuses a window installing on the WSUS server whose schedule can be open
// while a window installing on a Windows patch group is: the server installs and reboots while
// its clients install from it. make calendar and make verify check the same run by run
// (proof/calendar); this is the part the schedules alone decide, so that such a configuration
// never synthesises. A rate() schedule, which starts whenever the window is created, is left to
// them, as are windows targeting the server by resource group or instance id.
func (c *Config) validateWsusApart(pr *problems) {
	group := c.Wsus.PatchGroup
	if !c.Wsus.Enabled || group == "" {
		return
	}
	windows := c.Patching.MaintenanceWindows
	judged := func(w MaintenanceWindow) bool {
		return w.Installs() && len(w.Window.Problems()) == 0 && len(w.Targets.Spec().Problems()) == 0
	}
	for i, server := range windows {
		if !judged(server) || !slices.Contains(server.Targets.PatchGroups, group) {
			continue
		}
		for j, fleet := range windows {
			client := slices.IndexFunc(fleet.Targets.PatchGroups, func(g string) bool {
				return g != group && c.PatchGroupBaseline(g).OperatingSystem == patchingspec.DefaultOperatingSystem
			})
			if j == i || !judged(fleet) || slices.Contains(fleet.Targets.PatchGroups, group) || client < 0 {
				continue
			}
			if overlap, why := ssmschedule.Overlap(opening(server), opening(fleet)); overlap {
				pr.add(fmt.Sprintf("patching.maintenanceWindows[%d]", i), server.Name,
					"installs on the WSUS server (patch group %q), and window %q (patching.maintenanceWindows[%d]) on Windows patch group %q, "+
						"and their schedules %s and %s can be open at once (%s): the server installs and reboots while its clients install from it. "+
						"Move one schedule so that the two are never open together (make calendar shows every run)",
					group, fleet.Name, j, fleet.Targets.PatchGroups[client], server.Schedule, fleet.Schedule, why)
			}
		}
	}
}
