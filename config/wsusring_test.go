package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWsusServerGetsItsOwnBaselineApprovingCriticalAndSecurityUpdatesOnRelease(t *testing.T) {
	cfg, err := Parse("default.yaml", []byte(valid))
	require.NoError(t, err)
	baselines := cfg.PatchBaselines()
	require.NotEmpty(t, baselines)
	wsus := baselines[len(baselines)-1]
	assert.Equal(t, "privatepatch-wsus", wsus.Name)
	assert.Equal(t, []string{"wsus"}, wsus.PatchGroups)
	require.Len(t, wsus.ApprovalRules, 1)
	assert.Equal(t, 0, *wsus.ApprovalRules[0].ApproveAfterDays, "no approval delay")
	assert.Equal(t, []string{"CriticalUpdates", "SecurityUpdates"}, wsus.ApprovalRules[0].Filters["CLASSIFICATION"])
	assert.Len(t, wsus.ApprovalRules[0].Filters["MSRC_SEVERITY"], 5, "every severity")
	assert.Equal(t, "CRITICAL", wsus.ApprovalRules[0].ComplianceLevel)

	cfg, err = Parse("own.yaml", []byte(valid+"patching: {baselines: [{name: mine, preset: aws-default-windows, patchGroups: [wsus]}]}\n"))
	require.NoError(t, err)
	assert.Len(t, cfg.PatchBaselines(), 1, "a configured baseline serving the server's group replaces it")
	cfg, err = Parse("none.yaml", []byte(valid+"wsus: {patchGroup: \"\"}\n"))
	require.NoError(t, err)
	assert.Empty(t, cfg.PatchBaselines(), "no patch group, no baseline")
}

func TestWsusServerInTheFleetsRingIsRefusedNamingTheFieldAndTheFix(t *testing.T) {
	for _, c := range []struct{ name, yaml, want string }{
		{"fleet window", "patching:\n  baselines: [{name: prod, preset: aws-default-windows, patchGroups: [prod]}]\n" +
			"  maintenanceWindows: [{name: weekly, schedule: 'cron(0 2 ? * SUN *)', targets: {patchGroups: [prod, wsus]}}]\n",
			`patching.maintenanceWindows[0].targets.patchGroups: "prod, wsus" puts "wsus", the WSUS server's patch group (wsus.patchGroup) is its own ring`},
		{"the example's mistake: the server in the fleet's group", "wsus: {patchGroup: prod}\n" +
			"patching:\n  baselines: [{name: prod, preset: aws-default-windows, patchGroups: [prod]}]\n" +
			"fleet: {instanceGroups: [{name: web, patchGroup: prod}]}\n",
			`fleet.instanceGroups[0].patchGroup: "prod" is wsus.patchGroup: the WSUS server's patch group (wsus.patchGroup) is its own ring`},
		{"shared baseline", "patching:\n  baselines: [{name: prod, preset: aws-default-windows, patchGroups: [prod, wsus]}]\n",
			`patching.baselines[0].patchGroups: "prod, wsus" serves "wsus" and fleet groups`},
		{"ring", "patching: {rings: {preset: aws-default-windows, stages: [{patchGroup: wsus, approveAfterDays: 0}]}}\n",
			`patching.rings.stages[0].patchGroup: "wsus" is wsus.patchGroup`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(valid+c.yaml))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
	// Planted: the window that patches the server alone passes.
	_, err := Parse("good.yaml", []byte(valid+"patching: {maintenanceWindows: [{name: wsus-first, schedule: 'cron(0 2 ? * SAT *)', targets: {patchGroups: [wsus]}}]}\n"))
	assert.NoError(t, err)
}

func TestShippedConfigurationsKeepTheWsusServerInItsOwnRing(t *testing.T) {
	for _, file := range []string{"default.yaml", "example.yaml"} {
		cfg, err := Load(file)
		require.NoError(t, err, file)
		for _, w := range cfg.Patching.MaintenanceWindows {
			if w.Name != cfg.Project+"-wsus" {
				assert.NotContains(t, w.Targets.PatchGroups, cfg.Wsus.PatchGroup, "%s: fleet window %s", file, w.Name)
			}
		}
	}
}

func TestWsusCleanupIsOnByDefaultAndABadScheduleNamesItsKey(t *testing.T) {
	cfg, err := Parse("default.yaml", []byte(valid))
	require.NoError(t, err)
	assert.True(t, cfg.Wsus.Cleanup.On())
	_, err = Parse("bad.yaml", []byte(valid+"wsus: {cleanup: {schedule: 'cron(0 21 ? * WED#1 *)'}}\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `cleanup.schedule: "cron(0 21 ? * WED#1 *)" starts 0 minutes after the synchronisation at 21:00 UTC`)
	cfg, err = Parse("off.yaml", []byte(valid+"wsus: {cleanup: {enabled: false}}\n"))
	require.NoError(t, err)
	assert.False(t, cfg.Wsus.Cleanup.On())
}

func TestAgentUpdateIsOnByDefaultAndABadValueNamesItsKey(t *testing.T) {
	cfg, err := Parse("default.yaml", []byte(valid))
	require.NoError(t, err)
	assert.True(t, cfg.Patching.AgentUpdate.On())
	assert.Len(t, cfg.Patching.AgentUpdate.Schedules, 2)
	_, err = Parse("bad.yaml", []byte(valid+"patching: {agentUpdate: {schedules: ['rate(10 minutes)'], maxErrors: lots}}\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `patching.agentUpdate.schedules[0]: "rate(10 minutes)" is not a State Manager schedule`)
	assert.Contains(t, err.Error(), `patching.agentUpdate.maxErrors: "lots" is not allowed`)
}
