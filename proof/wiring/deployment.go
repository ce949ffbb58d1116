package wiring

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/compliance/compliancespec"
	"github.com/privatepatch/privatepatch/constructs/network/networkspec"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// Deployment is every check of this package over one deployment's network, patching and fleet
// templates (any may be nil), with what the configuration d says of them: the patch groups its
// baselines serve, the tag keys it names, the user's own alarms. make verify prints it; the tests
// run it over every scenario. today (verify's: the UTC day it runs) is the reference time of the
// checks that depend on the date.
func Deployment(network, patching, fleet map[string]any, d *config.Config, today time.Time) (problems, notes []string) {
	var served []string
	for _, b := range d.PatchBaselines() {
		served = append(served, b.PatchGroups...)
	}
	problems, notes = Patching(patching, served)
	problems = append(problems, SpecProblems(patching)...)
	problems = append(problems, StartStopTargets(patching)...)
	problems = append(problems, AgentUpdates(patching, fleet)...)
	problems = append(problems, Fleet(fleet)...)
	problems = append(problems, MetadataTags(fleet)...)
	named := append([]string{d.Fleet.Tag.Key}, config.PatchGroupTagKeys...)
	named = append(append(named, slices.Collect(maps.Keys(d.Assets.TagPolicy))...), slices.Collect(maps.Keys(d.Tags))...)
	problems = append(problems, Tags(patching, fleet, named)...)
	problems = append(problems, ResourceGroupTags(fleet, assetGroups(d))...)
	problems = append(problems, Namespaces(patching, fleet)...)
	problems = append(problems, Outputs(patching, fleet)...)
	problems = append(problems, Documents(fleet, patching)...)
	keys, keyNotes := Keys(d.Region, d.Account, network, fleet, patching)
	crawlerKeys, crawlerKeyNotes := CrawlerLogsKeys(d.Region, d.Account, network, fleet, patching)
	problems, notes = append(append(problems, keys...), crawlerKeys...), append(append(notes, keyNotes...), crawlerKeyNotes...)
	problems = append(problems, Regions(d.Region, network, fleet, patching)...)
	problems = append(problems, PrefixLists(network, d.S3PrefixListId())...)
	problems = append(problems, Server(fleet)...)
	problems = append(problems, Products(fleet)...)
	problems = append(problems, Published(patching, fleet)...)
	problems = append(problems, installs(patching, d)...)
	problems = append(problems, windowPatchGroups(patching, d)...)
	tagged, tagNotes := instancePatchGroupTags(patching, fleet, d)
	problems, notes = append(problems, tagged...), append(notes, tagNotes...)
	problems = append(problems, Baselines(patching, d)...)
	problems = append(problems, Security(patching, d)...)
	problems = append(problems, Hooks(patching)...)
	problems = append(problems, HookDocuments(patching, d)...)
	problems = append(problems, Tables(patching)...)
	problems = append(problems, windowSchedules(patching, d, today)...)
	problems = append(problems, Devices(fleet)...)
	problems = append(problems, RootVolumes(fleet)...)
	problems = append(problems, CleanupModes(fleet, d)...)
	problems = append(problems, CleanupAge(fleet, d, today)...)
	problems = append(problems, FlowLogs(network)...)
	problems = append(problems, FlowLogCoverage(network, d)...)
	problems = append(problems, Bodies(fleet, patching)...)
	inventory, inventoryNotes := Inventory(patching)
	problems, notes = append(problems, inventory...), append(notes, inventoryNotes...)
	problems = append(problems, Thresholds(patching)...)
	problems = append(problems, Cadence(patching, fleet)...)
	problems = append(problems, Retention(network, fleet, patching)...)
	problems = append(problems, Queries(patching, fleet)...)
	problems = append(problems, Intent(patching, fleet, d.Region, d.Fleet.Tag.Key, d.Fleet.Tag.Value)...)
	problems = append(problems, settings(network, patching, fleet, d)...)
	roles, roleNotes := AssumeRoles(fleet, patching)
	problems, notes = append(problems, roles...), append(notes, roleNotes...)
	topics, topicNotes := TopicKeys(network, fleet, patching)
	problems, notes = append(problems, topics...), append(notes, topicNotes...)
	services, serviceNotes := Services(network, fleet, patching)
	problems, notes = append(problems, services...), append(notes, serviceNotes...)
	notes = append(notes, UnjudgedBodies(network, fleet, patching)...)
	return append(problems, alertsAndRollout(network, patching, fleet, d)...), notes
}

// settings are the checks of what the templates set that AWS constrains or the configuration
// decides, beyond the wiring above (held-out runs 12 to 15): scans, network routes and ids,
// lifecycles, launches, the WSUS client's policy, resource groups, subscriptions, and the
// supporting services (functions, tables, Glue, Athena, keys, logs, dashboards).
func settings(network, patching, fleet map[string]any, d *config.Config) []string {
	problems := networkSettings(network, patching, fleet, d)
	problems = append(problems, ScansOutsideWindows(patching)...)
	problems = append(problems, scanPatchGroups(patching, d)...)
	problems = append(problems, Lifecycles(d, network, fleet, patching)...)
	problems = append(problems, Launches(fleet)...)
	problems = append(problems, CronOnlyFlags(fleet, patching)...)
	problems = append(problems, fleetSelections(patching, fleet, d)...)
	problems = append(problems, DocumentVersions(network, fleet, patching)...)
	problems = append(problems, clientPolicy(fleet, d)...)
	problems = append(problems, ConfiguredBaselines(patching, d)...)
	problems = append(problems, serverInstance(fleet, d)...)
	problems = append(problems, serverTargets(fleet, d)...)
	if d.Wsus.Enabled {
		server := d.Wsus.Server
		server.Products = d.WsusProducts()
		problems = append(problems, ServerAsConfigured(fleet, server)...)
	}
	problems = append(problems, GroupQueries(fleet, patching)...)
	problems = append(problems, emailSubscriptions(patching, d)...)
	problems = append(problems, alertDelivery(network, patching, fleet, d)...)
	problems = append(problems, TargetTypes(patching)...)
	problems = append(problems, WindowTargetTypes(patching, fleet)...)
	problems = append(problems, TaskNotifications(patching)...)
	problems = append(problems, namedGroups(d, fleet, patching)...)
	problems = append(problems, StackOutputRefs(d, network, fleet, patching)...)
	problems = append(problems, outputsAndTargets(network, patching, fleet, d)...)
	problems = append(problems, MetricNamespaces(patching)...)
	problems = append(problems, AWSMetrics(network, fleet, patching)...)
	problems = append(problems, DashboardsPublished(patching, fleet)...)
	problems = append(problems, DashboardRegions(d.Region, d.Account, patching, fleet)...)
	problems = append(problems, AttachedBeforeUse(fleet)...)
	problems = append(problems, AssociationSpecs(fleet)...)
	problems = append(problems, AssociationRates(patching, fleet, d)...)
	problems = append(problems, TaskServiceRoles(patching)...)
	problems = append(problems, StepInputs(fleet, patching)...)
	problems = append(problems, Uniqueness(d.Account, d.Region, network, fleet, patching)...)
	problems = append(problems, APIForms(d.Account, d.Region, network, fleet, patching)...)
	problems = append(problems, WrittenFor(patching)...)
	problems = append(problems, RuleTargets(network, fleet, patching)...)
	problems = append(problems, Ordering(network, patching)...)
	problems = append(problems, TagKeyConditions(network, fleet, patching)...)
	problems = append(problems, CommandOutputEncryption(d, fleet, patching)...)
	problems = append(problems, CrawlerSecurityConfigurations(network, fleet, patching)...)
	problems = append(problems, AlarmsAndPolicies(networkspec.Partition(d.Region), network, fleet, patching)...)
	problems = append(problems, Consistency(timeouts{
		"SecurityInspectorEnablerFunction": compliancespec.InspectorEnablerTimeoutSeconds,
		"FindingFilterFunction":            compliancespec.FindingFilterTimeoutSeconds,
	}, network, fleet, patching)...)
	return problems
}

// fleetSelections are the checks of what the inventory and the configuration checks select, and
// of the tags the fleet's instances are selected by.
func fleetSelections(patching, fleet map[string]any, d *config.Config) []string {
	problems := InventorySchedules(d, fleet, patching)
	problems = append(problems, InventoryOverlaps(fleet, patching)...)
	problems = append(problems, InventoryTargets(d, patching)...)
	problems = append(problems, InstanceGroupTags(fleet, d)...)
	problems = append(problems, CheckTargets(fleet, d)...)
	problems = append(problems, StartStopParameters(patching, d)...)
	return append(problems, WsusSubnet(fleet, d)...)
}

// networkSettings are the checks of the network stack's VPC as the configuration asks: an
// existing VPC's ids and routing, the NAT path and its routes, endpoints of the region, addresses
// and the default security groups.
func networkSettings(network, patching, fleet map[string]any, d *config.Config) []string {
	problems := NatSubnets(network)
	problems = append(problems, ExistingVpcIds(d, network, fleet, patching)...)
	problems = append(problems, ExistingVpcRouting(d, network)...)
	problems = append(problems, NatRoutes(network, d)...)
	problems = append(problems, DuplicateRoutes(network)...)
	problems = append(problems, EndpointRegions(network, d.Region)...)
	problems = append(problems, Addresses(network)...)
	return append(problems, DefaultSecurityGroups(network)...)
}

// alertsAndRollout are the checks of the alarms and rules that alert and that hold a ring back:
// the composite stop alarms (with the configuration's own stopOnAlarms), each failure alarm's
// latch and window, the rules' metrics and events, and the alarms' names.
func alertsAndRollout(network, patching, fleet map[string]any, d *config.Config) []string {
	var external []string
	for _, w := range d.Patching.MaintenanceWindows {
		for _, t := range w.Tasks {
			external = append(external, t.StopOnAlarms...)
		}
	}
	resources, _ := patching["Resources"].(map[string]any)
	problems := compositeRules(resources, external)
	problems = append(problems, RolloutStops(patching, d)...)
	problems = append(problems, PromotedLists(patching, d)...)
	problems = append(problems, EventMetricAlarms(patching)...)
	problems = append(problems, FailureAlarmLatches(patching)...)
	problems = append(problems, FailureAlarmThresholds(patching)...)
	problems = append(problems, FailureAlarmWindows(patching, d.StackName("patching")+"-")...)
	problems = append(problems, DashboardFailureLines(patching)...)
	problems = append(problems, WindowFailureRules(patching)...)
	problems = append(problems, AlarmFunctions(network, fleet, patching)...)
	problems = append(problems, AlarmNames(network, fleet, patching)...)
	problems = append(problems, AssociationAlerts(patching, fleet)...)
	return append(problems, Rules(patching)...)
}

// installs: each window's patch tasks are the configuration's, by operation, reboot option,
// rate control and priority (a planted Install turned NoReboot leaves updates pending a reboot
// and the nodes non-compliant: mutation run 10's A10; a MaxConcurrency of 1 turned 100% takes
// every node of a hooked group out of service at once: run 18's B16; a Scan given the Install's
// priority runs beside it, "tasks that have the same priority scheduled in parallel": run 20's
// B14); a window the configuration gives an Install task has one (otherwise it runs, and
// patches nothing).
func installs(patching map[string]any, d *config.Config) []string {
	resources := cfntemplate.Resources(patching)
	windows := windowIDs(resources)
	var problems []string
	for _, w := range d.Patching.MaintenanceWindows {
		id, ok := windows[w.Name]
		if !ok {
			continue
		}
		window, _, _ := templateWindow(resources, id, cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindow")[id])
		if w.Installs() && !window.Installs() {
			problems = append(problems, fmt.Sprintf("window %s (%s): the configuration installs in it, the template has no Install task", w.Name, id))
			continue
		}
		var want, got []string
		for i, t := range w.Tasks {
			t = t.WithDefaults(i + 1)
			want = append(want, fmt.Sprintf("%s %s, MaxConcurrency %s, MaxErrors %s, priority %d", t.Operation, t.RebootOption, t.MaxConcurrency, t.MaxErrors, t.Priority))
		}
		for _, t := range window.Tasks {
			got = append(got, fmt.Sprintf("%s %s, MaxConcurrency %s, MaxErrors %s, priority %d", t.Operation, t.RebootOption, t.MaxConcurrency, t.MaxErrors, t.Priority))
		}
		slices.Sort(want)
		slices.Sort(got)
		if len(want) > 0 && !slices.Equal(got, want) {
			problems = append(problems, fmt.Sprintf("window %s (%s): patch tasks %v, the configuration's are %v", w.Name, id, got, want))
		}
		problems = append(problems, patchTaskDocuments(resources, id, w)...)
	}
	return problems
}

// patchTaskDocuments checks the documents a window's patch tasks run against its configured
// tasks: AWS-RunPatchBaselineWithHooks for a task with hooks, AWS-RunPatchBaseline for one
// without (patchingspec.HooksPage: only the first runs hooks; the second takes no hook
// parameters). Held-out run 38's A02 (a hooks task's document changed to AWS-RunPatchBaseline)
// was named only by the authorisation table.
func patchTaskDocuments(resources map[string]any, window string, w config.MaintenanceWindow) []string {
	var want, got []string
	for _, t := range w.Tasks {
		if t.Hooks != nil {
			want = append(want, patchingspec.RunPatchBaselineWithHooksDocument)
		} else {
			want = append(want, patchingspec.RunPatchBaselineDocument)
		}
	}
	tasks := cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindowTask")
	for _, id := range slices.Sorted(maps.Keys(tasks)) {
		document := cfntemplate.TaskDocument(tasks[id])
		if cfntemplate.Ref(tasks[id]["WindowId"]) == window && slices.Contains(patchDocuments, document) {
			got = append(got, document)
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if len(want) == 0 || slices.Equal(got, want) {
		return nil
	}
	return []string{fmt.Sprintf("window %s (%s): its patch tasks run %v, the configuration's tasks need %v (hooks run only with %s)",
		w.Name, window, got, want, patchingspec.RunPatchBaselineWithHooksDocument)}
}

// windowPatchGroups: a window the configuration targets by patch groups targets those groups in
// the template, no other and none fewer. A window on a group no instance carries patches nothing,
// and the tag checks take a user's own instances for possible carriers, so only the configuration
// tells (a held-out planting: windows-prod become windows-production). A window it targets by a
// resource group or instance ids targets those (configuredTargets).
func windowPatchGroups(patching map[string]any, d *config.Config) []string {
	resources := cfntemplate.Resources(patching)
	windows := windowIDs(resources)
	var problems []string
	for _, w := range d.Patching.MaintenanceWindows {
		id, ok := windows[w.Name]
		if !ok {
			continue
		}
		if len(w.Targets.PatchGroups) > 0 {
			groups := cfntemplate.WindowPatchGroups(resources, id, patchingspec.PatchGroupTagKeys)
			want := slices.Compact(slices.Sorted(slices.Values(w.Targets.PatchGroups)))
			if got := slices.Compact(slices.Sorted(slices.Values(groups))); !slices.Equal(got, want) {
				problems = append(problems, fmt.Sprintf("window %s (%s): targets patch groups %v, the configuration's are %v", w.Name, id, got, want))
			}
		}
		problems = append(problems, configuredTargets(resources, w, id, d)...)
	}
	return problems
}

// windowIDs are the template's maintenance windows' logical ids by their names.
func windowIDs(resources map[string]any) map[string]string {
	windows := map[string]string{}
	for id, w := range cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindow") {
		windows[cfntemplate.Text(w["Name"])] = id
	}
	return windows
}

// assetGroups are the configuration's asset groups, by their AWS names, with their tags.
func assetGroups(d *config.Config) map[string]map[string]string {
	groups := map[string]map[string]string{}
	for _, g := range d.Assets.ResourceGroups {
		groups[d.ResourceGroupName(g.Name)] = g.Tags
	}
	return groups
}
