package test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/constructs/patching"
)

// TestAssociationAlertRuleRefusesMoreAssociationsThanAnEventPatternHolds: EventBridge takes an
// event pattern of at most 2,048 characters ("Amazon EventBridge quotas", Event pattern size,
// adjustable; read 2026-12-06), and each association id is a 36-character UUID ("InstanceAssociation",
// Systems Manager API Reference: AssociationId pattern). 48 ids make the association rule's
// pattern 2,014 characters; 49 make it 2,053, which the rule's deploy would be refused with.
func TestAssociationAlertRuleRefusesMoreAssociationsThanAnEventPatternHolds(t *testing.T) {
	ids := func(n int) []*string {
		out := make([]*string, n)
		for i := range out {
			out[i] = jsii.String(fmt.Sprintf("00000000-0000-0000-0000-%012d", i))
		}
		return out
	}
	alerts := func() patching.Alerts {
		stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Alerts"), &awscdk.StackProps{
			Env: &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("us-west-2")},
		})
		return patching.NewAlerts(stack, "Alerts", &patching.AlertsProps{})
	}
	assert.Nil(t, panicOf(func() { alerts().WatchAssociations(ids(48)...) }), "48 associations fit")
	got := panicOf(func() { alerts().WatchAssociations(ids(49)...) })
	require.Implements(t, (*error)(nil), got, "49 associations do not")
	assert.Equal(t, `patching.Alerts.WatchAssociations: 49 associations make the association alert rule's event pattern 2053 characters, `+
		`more than the 2048 EventBridge takes ("Amazon EventBridge quotas", Event pattern size): watch fewer associations (fewer patch groups scanned)`,
		got.(error).Error())
}
