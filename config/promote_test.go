package config

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
)

// exactRings is a configuration of two rings, dev then prod, with exact promotion, and these
// maintenance windows (YAML list items under maintenanceWindows:).
func exactRings(windows string) string {
	return `
region: us-west-2
network:
  s3PrefixListIds: {us-west-2: pl-68a54001}
  s3PrefixListCidrs: {us-west-2: [54.231.160.0/19]}
patching:
  rings:
    preset: aws-default-windows
    promote: exact
    stages: [{patchGroup: dev, approveAfterDays: 0}, {patchGroup: prod, approveAfterDays: 7}]
  maintenanceWindows:
` + windows
}

func TestExactPromotionConfigurationIsRefusedWhereItCannotBeExact(t *testing.T) {
	base := exactRings
	own := "    - {name: dev-w, schedule: rate(7 days), targets: {patchGroups: [dev]}}\n    - {name: prod-w, schedule: rate(7 days), targets: {patchGroups: [prod]}}\n"
	for _, c := range []struct{ name, yaml, want string }{
		{"valid", base(own), ""},
		{"a ring without its window", base("    - {name: dev-w, schedule: rate(7 days), targets: {patchGroups: [dev]}}\n"),
			`patching.rings.stages[1].patchGroup: "prod" has no maintenance window of its own`},
		{"two windows of one ring", base(own + "    - {name: dev-2, schedule: rate(1 day), targets: {patchGroups: [dev]}}\n"),
			`patching.rings.stages[0].patchGroup: "dev" has 2 maintenance windows of its own`},
		{"a window mixing rings", base(own + "    - {name: both, schedule: rate(1 day), targets: {patchGroups: [dev, prod]}}\n"),
			"includes ring prod with other patch groups"},
		{"a ring window that only scans", base("    - {name: dev-w, schedule: rate(7 days), targets: {patchGroups: [dev]}}\n" +
			"    - {name: prod-w, schedule: rate(7 days), targets: {patchGroups: [prod]}, tasks: [{operation: Scan}]}\n"),
			`patching.maintenanceWindows[1].tasks: [Scan] has no Install task`},
		{"an unknown mode", strings.Replace(base(own), "promote: exact", "promote: approximate", 1),
			`patching.rings.promote: "approximate" is not allowed: use off (the default) or exact`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("promote.yaml", []byte(c.yaml))
			if c.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
	assert.True(t, slices.Contains([]string{patchingspec.PromoteOff, patchingspec.PromoteExact}, "exact"))
}

func TestStartStoppedConfigurationIsRefusedWhereItCannotWork(t *testing.T) {
	base := `
region: us-west-2
network:
  s3PrefixListIds: {us-west-2: pl-68a54001}
  s3PrefixListCidrs: {us-west-2: [54.231.160.0/19]}
patching:
  startStopped: true
  instanceSchedulerTagKey: Schedule
  maintenanceWindows:
`
	for _, c := range []struct{ name, yaml, want string }{
		{"valid", base + "    - {name: www, schedule: rate(7 days), prePatchImage: true, targets: {patchGroups: [a]}, tasks: [{priority: 2}]}\n", ""},
		{"no priority left for the stop", base + "    - {name: www, schedule: rate(7 days), targets: {patchGroups: [a]}, tasks: [{priority: 1000}]}\n",
			"patching.maintenanceWindows[0].tasks[0].priority: 1000 must be 998 or less with startStopped"},
		{"a resource group", base + "    - {name: www, schedule: rate(7 days), targets: {resourceGroup: web}}\n",
			`patching.maintenanceWindows[0].targets.resourceGroup: "web" cannot be used with patching.startStopped`},
		{"an image at the tasks' priority", base + "    - {name: www, schedule: rate(7 days), prePatchImage: true, targets: {patchGroups: [a]}}\n",
			"patching.maintenanceWindows[0].tasks[0].priority: 1 must be 2 or more with startStopped and prePatchImage"},
		{"a scheduler without startStopped", strings.Replace(base, "startStopped: true", "startStopped: false", 1) +
			"    - {name: www, schedule: rate(7 days), targets: {patchGroups: [a]}}\n", `patching.instanceSchedulerTagKey: "Schedule" needs patching.startStopped`},
		{"the patch group key as scheduler", strings.Replace(base, "instanceSchedulerTagKey: Schedule", "instanceSchedulerTagKey: Patch Group", 1) +
			"    - {name: www, schedule: rate(7 days), targets: {patchGroups: [a]}}\n", "is not a scheduler's tag key"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("startstopped.yaml", []byte(c.yaml))
			if c.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}
