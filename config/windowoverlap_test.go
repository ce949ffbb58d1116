package config

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// windows is valid with the given maintenance windows (YAML flow mappings) and extra top-level
// YAML; the WSUS server's own window is opted out unless extra sets wsus.
func windows(extra string, ws ...string) string {
	if !strings.Contains(extra, "wsus:") {
		extra += "wsus: {patchGroup: \"\"}\n"
	}
	return valid + extra + "patching: {baselines: [{name: prod, preset: aws-default-windows, patchGroups: [prod]}], maintenanceWindows: [" +
		strings.Join(ws, ", ") + "]}\n"
}

const appGroup = "fleet: {instanceGroups: [{name: app, count: 1, patchGroup: prod, tags: {Environment: Prod, InventoryCategory: App, SeverityLevel: \"3\", HandlePI: N, IsPublic: N}}]}\n"

func TestWindowsThatMayPatchOneInstanceAtOnceAreRefused(t *testing.T) {
	const sunday = `schedule: "cron(0 2 ? * SUN *)"`
	for _, c := range []struct {
		name string
		yaml string
		want []string
	}{
		{"one_patch_group_under_each_tag_key", windows("",
			`{name: win-a, `+sunday+`, targets: {patchGroups: [prod]}}`,
			`{name: win-b, `+sunday+`, targets: {patchGroups: [prod], patchGroupTagKey: PatchGroup}}`),
			[]string{`patching.maintenanceWindows[1]: "win-b" and window "win-a" (patching.maintenanceWindows[0]) share patch group "prod" (tag key "Patch Group" in one, "PatchGroup" in the other`,
				"both are open at Sun", "Move one schedule so that the two are never open at the same time, or take the shared target out of one of them"}},
		{"one_patch_group_same_key_overlapping_hours", windows("",
			`{name: win-a, `+sunday+`, durationHours: 4, targets: {patchGroups: [dev, prod]}}`,
			`{name: win-b, schedule: "cron(0 5 ? * SUN *)", targets: {patchGroups: [prod]}}`),
			[]string{`"win-b" and window "win-a"`, `patch group "prod" (tag key "Patch Group")`}},
		{"same_instance_id", windows("",
			`{name: win-a, `+sunday+`, targets: {instanceIds: [i-0123456789abcdef0, mi-0123456789abcdef0]}}`,
			`{name: win-b, `+sunday+`, targets: {instanceIds: [mi-0123456789abcdef0]}}`),
			[]string{`share instance mi-0123456789abcdef0`}},
		{"same_resource_group", windows("",
			`{name: win-a, `+sunday+`, targets: {resourceGroup: servers}}`,
			`{name: win-b, schedule: "cron(0 3 ? * SUN *)", targets: {resourceGroup: servers}}`),
			[]string{`share resource group "servers"`}},
		{"instance_ids_may_name_a_created_instance_of_the_patch_group", windows(appGroup,
			`{name: win-a, `+sunday+`, targets: {patchGroups: [prod]}}`,
			`{name: win-b, `+sunday+`, targets: {instanceIds: [i-0123456789abcdef0]}}`),
			[]string{`share fleet.instanceGroups[0] (app), which both windows' targets may include (win-a: patch groups prod; win-b: instance ids i-0123456789abcdef0, whose EC2 ids may name created instances)`}},
		{"a_declared_resource_group_holds_created_instances_of_the_patch_group", windows(appGroup+"assets: {resourceGroups: [{name: ProdApp, tags: {Environment: Prod}}]}\n",
			`{name: win-a, `+sunday+`, targets: {patchGroups: [prod]}}`,
			`{name: win-b, `+sunday+`, targets: {resourceGroup: ProdApp}}`),
			[]string{`share fleet.instanceGroups[0] (app)`}},
		{"the_wsus_servers_own_window_and_instance_ids_at_an_undecidable_rate", windows("wsus: {patchGroup: wsus}\n",
			`{name: win-b, schedule: "rate(7 days)", targets: {instanceIds: [i-0123456789abcdef0]}}`),
			[]string{`patching.maintenanceWindows[1]: "privatepatch-wsus" and window "win-b"`, "share the WSUS server",
				"rate(7 days) starts when its window is created, so when it is open cannot be known before the deploy"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(c.yaml))
			require.Error(t, err)
			for _, want := range c.want {
				assert.Contains(t, err.Error(), want)
			}
			assert.NotContains(t, err.Error(), "add a", "the fix is never a further window")
		})
	}
}

func TestWindowsThatCannotPatchOneInstanceAtOnceAreAccepted(t *testing.T) {
	const sunday = `schedule: "cron(0 2 ? * SUN *)"`
	for _, c := range []struct{ name, yaml string }{
		{"other_patch_groups", windows("", `{name: win-a, `+sunday+`, targets: {patchGroups: [prod]}}`, `{name: win-b, `+sunday+`, targets: {patchGroups: [dev], patchGroupTagKey: PatchGroup}}`)},
		{"same_group_one_after_the_other", windows("", `{name: win-a, `+sunday+`, durationHours: 3, targets: {patchGroups: [prod]}}`,
			`{name: win-b, schedule: "cron(0 5 ? * SUN *)", targets: {patchGroups: [prod], patchGroupTagKey: PatchGroup}}`)},
		{"other_instance_ids", windows(appGroup, `{name: win-a, `+sunday+`, targets: {instanceIds: [i-0123456789abcdef0]}}`, `{name: win-b, `+sunday+`, targets: {instanceIds: [i-0123456789abcdef1]}}`)},
		{"hybrid_node_ids_and_a_created_patch_group", windows(appGroup, `{name: win-a, `+sunday+`, targets: {patchGroups: [prod]}}`, `{name: win-b, `+sunday+`, targets: {instanceIds: [mi-0123456789abcdef0]}}`)},
		{"a_declared_resource_group_without_the_patch_groups_instances", windows(appGroup+"assets: {resourceGroups: [{name: DevApp, tags: {Environment: Dev}}]}\n",
			`{name: win-a, `+sunday+`, targets: {patchGroups: [prod]}}`, `{name: win-b, `+sunday+`, targets: {resourceGroup: DevApp}}`)},
		{"the_wsus_servers_own_window_the_day_before", windows("wsus: {patchGroup: wsus}\n", `{name: win-b, `+sunday+`, targets: {instanceIds: [i-0123456789abcdef0]}}`)},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("good.yaml", []byte(c.yaml))
			assert.NoError(t, err)
		})
	}
}

// The WSUS server's window and a window installing on Windows patch groups, its clients, are
// never open together: the server would install and reboot while they install from it.
func TestTheWsusServersWindowOpenWithItsClientsIsRefused(t *testing.T) {
	const wsus = "wsus: {patchGroup: wsus}\n"
	for _, c := range []struct {
		name string
		yaml string
		want []string
	}{
		{"the_default_server_window_on_saturday_and_a_client_window_inside_it", windows(wsus,
			`{name: win-a, schedule: "cron(0 4 ? * SAT *)", targets: {patchGroups: [prod]}}`),
			[]string{`patching.maintenanceWindows[1]: "privatepatch-wsus" installs on the WSUS server (patch group "wsus"), and window "win-a" (patching.maintenanceWindows[0]) on Windows patch group "prod"`,
				`their schedules cron(0 2 ? * SAT *) and cron(0 4 ? * SAT *) can be open at once (both are open at`,
				"the server installs and reboots while its clients install from it"}},
		{"a_server_window_in_tokyo_time_on_a_utc_client_window", windows(wsus,
			`{name: win-a, schedule: "cron(0 2 ? * SUN *)", targets: {patchGroups: [prod]}}`,
			`{name: wsus-tokyo, schedule: "cron(0 10 ? * SUN *)", timezone: Asia/Tokyo, targets: {patchGroups: [wsus]}}`),
			[]string{`patching.maintenanceWindows[1]: "wsus-tokyo" installs on the WSUS server (patch group "wsus"), and window "win-a" (patching.maintenanceWindows[0])`}},
		{"a_client_group_without_a_baseline_gets_the_default_windows_one", windows(wsus,
			`{name: win-a, schedule: "cron(0 3 ? * SAT *)", targets: {patchGroups: [other]}}`),
			[]string{`on Windows patch group "other"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(c.yaml))
			require.Error(t, err)
			for _, want := range c.want {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
	linux := valid + wsus + "patching: {baselines: [{name: al2-fleet, operatingSystem: AMAZON_LINUX_2, patchGroups: [linux], " +
		"approvalRules: [{filters: {CLASSIFICATION: [Security]}, approveAfterDays: 7}]}], maintenanceWindows: [%s]}\n"
	for _, c := range []struct{ name, yaml string }{
		{"a_linux_group_inside_the_servers_window", strings.Replace(linux, "%s",
			`{name: al-a, schedule: "cron(0 3 ? * SAT *)", targets: {patchGroups: [linux]}}`, 1)},
		{"a_scan_of_the_clients_inside_it", windows(wsus,
			`{name: scan-a, schedule: "cron(0 3 ? * SAT *)", tasks: [{operation: Scan}], targets: {patchGroups: [prod]}}`)},
		{"the_clients_the_next_day", windows(wsus, `{name: win-a, schedule: "cron(0 2 ? * SUN *)", targets: {patchGroups: [prod]}}`)},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("good.yaml", []byte(c.yaml))
			assert.NoError(t, err)
		})
	}
}
