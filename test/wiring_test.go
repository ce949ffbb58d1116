package test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/proof/calendar"
	"github.com/privatepatch/privatepatch/proof/netpath"
	"github.com/privatepatch/privatepatch/proof/wiring"
)

// make verify's wiring and placement checks find nothing in any scenario the tests synthesise
// (their plantings are in proof/wiring and proof/netpath): no check of theirs fails a
// configuration the constructs build right.
func TestVerifysWiringChecksPassEveryScenario(t *testing.T) {
	shipped, err := wiring.ShippedScripts("..")
	require.NoError(t, err)
	for _, sc := range allScenarios() {
		s := sc.synth(t)
		cfg, err := sc.config()
		require.NoError(t, err, sc.name)
		var routeTables []string
		if e := cfg.Network.ExistingVpc; e != nil {
			for _, subnet := range e.PrivateSubnets {
				routeTables = append(routeTables, subnet.RouteTableID)
			}
		}
		assert.Empty(t, netpath.WiringProblems(s.template, routeTables), sc.name)
		assert.Empty(t, netpath.PlacementProblems(s.template, s.fleetJSON), sc.name)
		problems, _ := wiring.Deployment(s.template, s.patchJSON, s.fleetJSON, cfg, time.Now().UTC().Truncate(24*time.Hour)) // verify's day
		assert.Empty(t, problems, sc.name)
		templates := map[string]map[string]any{}
		for _, stack := range s.stacks {
			templates[stack.Name] = stack.Template
		}
		assert.Empty(t, wiring.References(templates), sc.name)
		var all []map[string]any
		for _, tm := range templates {
			all = append(all, tm)
		}
		assert.Empty(t, wiring.Scripts(shipped, all...), sc.name)
		// The patch calendar as verify computes it, from a fixed day: the promote-rings fixture
		// failed it every month (its fleet ring installed before the WSUS server's Saturday
		// window), and rich-patching's rate(7 days) Linux window was refused.
		plan, err := calendar.FromTemplate(s.patchJSON, cfg, time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC))
		require.NoError(t, err, sc.name)
		c, err := calendar.Compute(plan)
		require.NoError(t, err, sc.name)
		assert.Empty(t, c.Problems, sc.name)
	}
}

// The promotion and start-stop runbooks carry their scripts as shipped; a line of each edited
// (mutation run 8's p31 was a platform name in the wrong case in promote.py) is named.
func TestThePromotionRunbookCarriesItsScriptUnaltered(t *testing.T) {
	shipped, err := wiring.ShippedScripts("..")
	require.NoError(t, err)
	s := promoteRings.synth(t)
	require.Empty(t, wiring.Scripts(shipped, s.patchJSON))
	planted := false
	for id, r := range s.patchResources("AWS::SSM::Document") {
		p := props(r)
		if text, ok := p["Content"].(string); ok && strings.Contains(text, "def handler") {
			copied := map[string]any{"Resources": map[string]any{id: map[string]any{"Type": "AWS::SSM::Document",
				"Properties": map[string]any{"DocumentType": "Automation", "Content": strings.Replace(text, "def handler", "def  handler_", 1)}}}}
			script := "startstop.py"
			if strings.HasPrefix(id, "Promotion") {
				script, planted = "promote.py", true
			}
			assert.Contains(t, fmt.Sprint(wiring.Scripts(shipped, copied)), "carries constructs/patching/patchingspec/"+script+", edited", id)
		}
	}
	assert.True(t, planted, "the promote-rings scenario has a promotion runbook")
}
