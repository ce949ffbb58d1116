package wiring

import (
	"testing"

	"github.com/privatepatch/privatepatch/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every golden's associations carry their construct's rate controls; run 24's B11 (the fleet
// scan's MaxErrors 100% turned 0) is named, as is a configuration check's and an agent update's
// changed value, and the WSUS client configuration's.
func TestEachAssociationsRateControlsAreItsConstructs(t *testing.T) {
	cfg, err := config.Load("../../config/example.yaml")
	require.NoError(t, err)
	for _, scenario := range goldenScenarios {
		stacks := goldenStacks(t, scenario, "patching", "fleet")
		if len(stacks) == 2 {
			assert.Empty(t, AssociationRates(stacks[0], stacks[1], cfg), scenario)
		}
	}

	patching, fleet := read(t, "../../test/testdata/default.patching.template.json"), read(t, "../../test/testdata/default.fleet.template.json")
	props(patching, "ScanFleetC9C4BFC5")["MaxErrors"] = "0"
	props(fleet, "ConfigurationChecksAssociation01E80C0A")["MaxConcurrency"] = "100%"
	props(fleet, "WsusAgentUpdateSchedule149B2BB41")["MaxErrors"] = "50%"
	props(fleet, "WsusClientAssociationD1829CE5")["MaxErrors"] = "0"
	assert.Equal(t, []string{
		`association ConfigurationChecksAssociation01E80C0A: MaxConcurrency "100%", not the "25%" of a configuration check (compliancespec)`,
		`association WsusAgentUpdateSchedule149B2BB41: MaxErrors "50%", not the "10%" of an agent update (patching.agentUpdate): once more than MaxErrors of its nodes fail, it stops sending to those it has not reached`,
		`association WsusClientAssociationD1829CE5: MaxErrors "0", not the "25%" of the WSUS client configuration (wsusspec): once more than MaxErrors of its nodes fail, it stops sending to those it has not reached`,
		`association ScanFleetC9C4BFC5: MaxErrors "0", not the "100%" of a scan (patchingspec): once more than MaxErrors of its nodes fail, it stops sending to those it has not reached`,
	}, AssociationRates(patching, fleet, cfg))
}
