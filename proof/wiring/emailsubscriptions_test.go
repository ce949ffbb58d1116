package wiring

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
)

// An email subscription to an address the configuration does not name (run 25's B08) is named,
// with the configured one left unsubscribed; one subscribed twice is named too.
func TestEmailSubscriptionsNamesAnUnconfiguredAddressAndACountOtherThanOne(t *testing.T) {
	cfg, err := config.Load("../../config/example.yaml")
	require.NoError(t, err)
	patching := read(t, "../../test/testdata/example.patching.template.json")
	require.Empty(t, emailSubscriptions(patching, cfg))
	props(patching, "AlertsTopicpatchingalertsexamplecomEE1E8059")["Endpoint"] = "alerts@example.com"
	assert.Equal(t, []string{
		"subscription AlertsTopicpatchingalertsexamplecomEE1E8059: e-mail alerts@example.com, which is none of the configuration's (patching-alerts@example.com)",
		"the configured e-mail patching-alerts@example.com is subscribed 0 times, not once",
	}, emailSubscriptions(patching, cfg))
	props(patching, "AlertsTopicpatchingalertsexamplecomEE1E8059")["Endpoint"] = "patching-alerts@example.com"
	resources := patching["Resources"].(map[string]any)
	resources["Twice"] = resources["AlertsTopicpatchingalertsexamplecomEE1E8059"]
	assert.Equal(t, []string{"the configured e-mail patching-alerts@example.com is subscribed 2 times, not once"}, emailSubscriptions(patching, cfg))
}
