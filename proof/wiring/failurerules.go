package wiring

import (
	"fmt"
	"maps"
	"slices"

	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// WindowFailureRules checks that every rule on window executions' state changes (a window's
// failure rule, or the alerts' rule for windows without one) matches exactly the statuses the
// construct emits, patchingspec.WindowFailureStatuses, each an ending that leaves the window's
// patches uninstalled. One left out (mutation run 25's B13: TIMED_OUT and SKIPPED_OVERLAPPING)
// neither alerts nor latches the failure alarm, so the next ring is not held back; one added
// (SUCCESS) alerts, and latches, on every good run.
func WindowFailureRules(patching map[string]any) []string {
	rules := cfntemplate.OfType(cfntemplate.Resources(patching), "AWS::Events::Rule")
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(rules)) {
		pattern, _ := rules[id]["EventPattern"].(map[string]any)
		if !slices.Contains(cfntemplate.List(pattern["detail-type"]), any(patchingspec.WindowExecutionDetailType)) {
			continue
		}
		detail, _ := pattern["detail"].(map[string]any)
		got := map[string]int{}
		for _, s := range cfntemplate.List(detail["status"]) {
			got[rendered(s)]++
		}
		var missing []string
		for _, s := range patchingspec.WindowFailureStatuses {
			if got[s] == 0 {
				missing = append(missing, s)
			}
			delete(got, s)
		}
		if len(missing) > 0 {
			problems = append(problems, fmt.Sprintf("rule %s: its window executions' statuses leave out %v: a window that ends so neither alerts nor latches its failure alarm", id, missing))
		}
		if len(got) > 0 {
			problems = append(problems, fmt.Sprintf("rule %s: matches window executions' statuses %v, which are no failure (%v are): every such run alerts, and latches the failure alarm", id, slices.Sorted(maps.Keys(got)), patchingspec.WindowFailureStatuses))
		}
	}
	return problems
}
