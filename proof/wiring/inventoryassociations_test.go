package wiring

import (
	"testing"

	"github.com/privatepatch/privatepatch/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Held-out run 30's B08: the inventory's rate(12 hours) planted as rate(12 days), a valid rate
// that only the configuration tells wrong.
func TestInventoryScheduleOtherThanTheConfiguredOneIsNamed(t *testing.T) {
	cfg, err := config.Load("../../config/default.yaml")
	require.NoError(t, err)
	patching := read(t, "../../test/testdata/default.patching.template.json")
	require.Empty(t, InventorySchedules(cfg, patching), "the default schedule, rate(1 day)")
	cfg.Patching.Inventory.Schedule = ""
	require.Empty(t, InventorySchedules(cfg, patching), "an empty schedule is the construct's default")
	rich := read(t, "../../test/testdata/rich-patching.patching.template.json")
	cfg.Patching.Inventory.Schedule = "rate(12 hours)"
	require.Empty(t, InventorySchedules(cfg, rich))
	props(rich, "InventoryAssociationABD231A7")["ScheduleExpression"] = "rate(12 days)"
	assert.Equal(t, []string{`association InventoryAssociationABD231A7: gathers inventory on "rate(12 days)", not the configured "rate(12 hours)" (patching.inventory.schedule)`},
		InventorySchedules(cfg, rich))
	cfg.Patching.Inventory.Enabled = false
	assert.Empty(t, InventorySchedules(cfg, rich), "no inventory configured: no schedule to hold it to")
}
