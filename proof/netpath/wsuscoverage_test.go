package netpath

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wsusClientModel is the default golden's model with the WSUS server's subnet's ACL admitting
// WSUS from cidr and replying to it, as the construct writes a wsusClientCidrs range's rules.
func wsusClientModel(t *testing.T, cidr string) Model {
	template := goldenTemplate(t, "default")
	m, err := FromTemplate(template)
	require.NoError(t, err)
	var acl string
	for subnet, id := range m.subnetACLID {
		if subnet.Contains(m.ServerHost()) {
			acl = id
		}
	}
	require.NotEmpty(t, acl)
	for i, e := range []struct {
		egress   bool
		from, to int
	}{{false, 8530, 8531}, {true, 49152, 65535}} {
		template["Resources"].(map[string]any)["PlantedOnPremises"+string(rune('A'+i))] = map[string]any{"Type": "AWS::EC2::NetworkAclEntry", "Properties": map[string]any{
			"CidrBlock": cidr, "Egress": e.egress, "NetworkAclId": map[string]any{"Ref": acl},
			"PortRange": map[string]any{"From": float64(e.from), "To": float64(e.to)}, "Protocol": 6.0, "RuleAction": "allow", "RuleNumber": float64(500 + i)}}
	}
	m, err = FromTemplate(template)
	require.NoError(t, err)
	return m
}

// Rules for the whole configured range pass; run 25's A19 (the /12's inbound rule narrowed to a
// /16) leaves 172.17.0.0-172.31.255.255 to the default deny, which the flow table's one address
// (the range's first) does not see, and is named.
func TestWsusClientCoverageNamesRunTwentyFiveA19(t *testing.T) {
	assert.Empty(t, wsusClientModel(t, "172.16.0.0/12").WsusClientCoverageProblems([]string{"172.16.0.0/12"}))
	assert.Contains(t, joined(wsusClientModel(t, "172.16.0.0/16").WsusClientCoverageProblems([]string{"172.16.0.0/12"})),
		"WSUS in from on-premises range 172.16.0.0/12 (network.wsusClientCidrs): 172.17.0.0-172.31.255.255")
}

// Neighbour: a rule wider than the configured range covers it, and a configuration without
// on-premises ranges asks for nothing.
func TestWsusClientCoverageAcceptsAWiderRuleAndNoRanges(t *testing.T) {
	assert.Empty(t, wsusClientModel(t, "172.16.0.0/12").WsusClientCoverageProblems([]string{"172.20.0.0/16"}))
	assert.Empty(t, wsusClientModel(t, "172.16.0.0/12").WsusClientCoverageProblems(nil))
}
