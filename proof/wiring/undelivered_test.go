package wiring

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every golden's alerts-undelivered alarm sums the failed deliveries of every rule that delivers
// an alert; planted, the sum cut to three of its rules (mutation run 25's B11) names each rule
// left out, and a product for the sum is named. The neighbour, the same terms in another order,
// passes.
func TestTheUndeliveredAlarmSumsEveryRuleThatDeliversAnAlert(t *testing.T) {
	for _, path := range patchingGoldens(t) {
		assert.Empty(t, UndeliveredAlerts(read(t, path)), path)
	}
	template := read(t, "../../test/testdata/example.patching.template.json")
	sum := props(template, "MonitoringAlertsUndeliveredAlarmBAAFAA42")["Metrics"].([]any)[0].(map[string]any)
	require.Equal(t, "rule0+rule1+rule2+rule3+rule4+rule5+rule6", sum["Expression"])
	sum["Expression"] = "rule6 + rule5+rule4+rule3+rule2+rule1+rule0"
	assert.Empty(t, UndeliveredAlerts(template), "the neighbour")
	sum["Expression"] = "rule0+rule1+rule2"
	problems := joined(UndeliveredAlerts(template))
	for _, left := range []string{"rule3", "rule4", "rule5", "rule6"} {
		assert.Contains(t, problems, "declares "+left+", rule ")
	}
	assert.Contains(t, problems, "no alerts-undelivered alarm's expression counts its FailedInvocations")
	sum["Expression"] = "rule0+rule1+rule2+rule3+rule4+rule5*0+rule6"
	assert.Contains(t, joined(UndeliveredAlerts(template)), "is not the sum of its rules' metrics")
}
