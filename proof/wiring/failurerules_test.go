package wiring

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every golden's window-execution rules match the four failure statuses; planted, a prod rule
// without TIMED_OUT and SKIPPED_OVERLAPPING (mutation run 25's B13) and one with SUCCESS added
// are named. The neighbour, the same statuses in another order, passes.
func TestWindowFailureRulesMatchEveryFailureStatusAndNoOther(t *testing.T) {
	for _, path := range patchingGoldens(t) {
		assert.Empty(t, WindowFailureRules(read(t, path)), path)
	}
	template := read(t, "../../test/testdata/example.patching.template.json")
	var rule map[string]any
	for id, r := range template["Resources"].(map[string]any) {
		if r.(map[string]any)["Type"] == "AWS::Events::Rule" && strings.HasPrefix(id, "MaintenanceWindowsweeklyprodFailureRule") {
			rule = r.(map[string]any)["Properties"].(map[string]any)
		}
	}
	require.NotNil(t, rule)
	detail := rule["EventPattern"].(map[string]any)["detail"].(map[string]any)
	detail["status"] = []any{"SKIPPED_OVERLAPPING", "CANCELLED", "TIMED_OUT", "FAILED"}
	assert.Empty(t, WindowFailureRules(template), "the neighbour")
	detail["status"] = []any{"FAILED", "CANCELLED"}
	assert.Contains(t, joined(WindowFailureRules(template)), "leave out [TIMED_OUT SKIPPED_OVERLAPPING]")
	detail["status"] = []any{"FAILED", "TIMED_OUT", "CANCELLED", "SKIPPED_OVERLAPPING", "SUCCESS"}
	assert.Contains(t, joined(WindowFailureRules(template)), "statuses [SUCCESS], which are no failure")
}
