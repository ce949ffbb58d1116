package test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAgentsAreUpdatedOnTheFleetAndTheWsusServerRateControlledOnlyAtTheirCronTimes(t *testing.T) {
	s := defaultScenario.synth(t)
	wsusInstance, _ := s.only(t, "AWS::EC2::Instance", "WsusInstance")
	check := func(associations map[string]map[string]any, prefix string, target map[string]any) {
		t.Helper()
		var schedules []any
		for id, a := range associations {
			p := props(a)
			if p["Name"] != "AWS-UpdateSSMAgent" {
				continue
			}
			assert.Regexp(t, "^"+prefix, id)
			assert.Equal(t, []any{target}, p["Targets"], id)
			assert.Equal(t, []any{"25%", "10%", true}, []any{p["MaxConcurrency"], p["MaxErrors"], p["ApplyOnlyAtCronInterval"]}, id)
			schedules = append(schedules, p["ScheduleExpression"])
		}
		assert.ElementsMatch(t, []any{"cron(0 0 ? * SAT#2 *)", "cron(0 0 ? * SAT#4 *)"}, schedules, prefix)
	}
	check(s.patchResources("AWS::SSM::Association"), "AgentUpdateSchedule", map[string]any{"Key": "tag:privatepatch:fleet", "Values": []any{"privatepatch"}})
	check(s.fleetResources("AWS::SSM::Association"), "WsusAgentUpdateSchedule", map[string]any{"Key": "InstanceIds", "Values": []any{map[string]any{"Ref": wsusInstance}}})

	nat := natWithoutWsus.synth(t)
	var fleet int
	for _, a := range nat.patchResources("AWS::SSM::Association") {
		if props(a)["Name"] == "AWS-UpdateSSMAgent" {
			fleet++
		}
	}
	require.Equal(t, 2, fleet, "without WSUS the fleet's agents are still updated")
}
