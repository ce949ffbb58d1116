package netpath

import (
	"encoding/json"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
)

// golden is the network model of a scenario's golden network template, with its configuration's
// flows: the default or the example (test/testdata).
func golden(t *testing.T, scenario string) (Model, []Flow, []Flow) {
	t.Helper()
	m, err := FromTemplate(goldenTemplate(t, scenario))
	require.NoError(t, err)
	cfg, err := config.LoadDefault()
	if scenario == "example" {
		cfg, err = config.Load("../../config/example.yaml")
	}
	require.NoError(t, err)
	m = m.WithPrefixLists(cfg.S3PrefixListId(), cfg.S3Cidrs())
	return m, RequiredFlows(m, cfg.S3Cidrs(), cfg.Network.AdminCidrs), ForbiddenFlows(m, len(cfg.Network.AdminCidrs) > 0, false)
}

func wrongFlows(m Model, required, forbidden []Flow) []string {
	var wrong []string
	for _, f := range required {
		if acl, sg := m.Judge(f); Wrong(true, acl, sg) {
			wrong = append(wrong, "needed "+f.Name+": "+acl.Rule+" / "+sg.Rule)
		}
	}
	for _, f := range forbidden {
		if acl, sg := m.JudgeForbidden(f); Wrong(false, acl, sg) {
			wrong = append(wrong, "forbidden "+f.Name+": "+acl.Rule+" / "+sg.Rule)
		}
	}
	return wrong
}

func TestShippedSecurityGroupsPassEveryNeededFlowAndEachDeniesEveryForbiddenOne(t *testing.T) {
	for _, scenario := range []string{"default", "example"} {
		m, required, forbidden := golden(t, scenario)
		assert.Empty(t, wrongFlows(m, required, forbidden), scenario)
		for _, f := range forbidden {
			_, sg := m.JudgeForbidden(f)
			assert.False(t, sg.NotModelled, "%s: %s", scenario, f.Name)
		}
	}
}

func TestEveryAclEntryAndSecurityGroupRuleIsNeededByAFlow(t *testing.T) {
	for _, scenario := range []string{"default", "example"} {
		m, required, forbidden := golden(t, scenario)
		results := m.ProveRules(required, forbidden)
		require.Greater(t, len(results), 20, scenario)
		accepted := 0
		for _, r := range results {
			if len(r.Caught) == 0 && m.Acceptance(r.Rule) != "" {
				accepted++
				continue
			}
			assert.NotEmpty(t, r.Caught, "%s: %s: no flow needs it", scenario, r.Rule)
		}
		assert.Less(t, accepted, 8, scenario)
	}
}

// Planted: an instance's egress opened to the internet, RDP opened to the internet on the jump
// host, are failed forbidden flows, though the ACLs still deny them: each layer must deny on its
// own.
func TestSecurityGroupsOpenedToTheInternetFailForbiddenFlows(t *testing.T) {
	m, required, forbidden := golden(t, "default")
	open := m
	open.SGRules = append(slices.Clone(m.SGRules),
		SGRule{Group: m.group(InstancesGroup), Egress: true, Protocol: -1, To: 65535, Cidr: netip.MustParsePrefix("0.0.0.0/0"), Where: "planted"},
		SGRule{Group: m.group(ServerGroup), Protocol: 6, From: 3389, To: 3389, Cidr: netip.MustParsePrefix("0.0.0.0/0"), Where: "planted"})
	wrong := wrongFlows(open, required, forbidden)
	assert.Contains(t, strings.Join(wrong, "\n"), "forbidden instance straight to the internet")
	assert.Contains(t, strings.Join(wrong, "\n"), "forbidden internet RDP to the jump host")
	for _, f := range forbidden {
		if f.Name == "internet RDP to the jump host" {
			acl, sg := open.JudgeForbidden(f)
			assert.False(t, acl.Pass, "the ACL still denies it")
			assert.True(t, sg.Pass, "the security group lets it in")
		}
	}
}

// Planted: a rule no flow needs (SMB from the jump host) is reported; a needed one removed (the
// instances' egress to WSUS) fails a needed flow.
func TestARuleNothingNeedsIsReportedAndARemovedOneFailsAFlow(t *testing.T) {
	m, required, forbidden := golden(t, "default")
	m.SGRules = append(m.SGRules, SGRule{Group: m.group(InstancesGroup), Protocol: 6, From: 445, To: 445, PeerGroup: m.group(ServerGroup), Where: "planted"})
	var unneeded []string
	for _, r := range m.ProveRules(required, forbidden) {
		if len(r.Caught) == 0 && m.Acceptance(r.Rule) == "" {
			unneeded = append(unneeded, r.Rule.String())
		}
		if r.Rule.SG != nil && strings.Contains(r.Rule.SG.Description, "WSUS on the public server") {
			assert.Contains(t, r.Caught, "instance to WSUS over HTTP")
		}
	}
	assert.Equal(t, []string{"security group rule NetworkPrivateSecurityGroup457D0836 in from NetworkPublicSecurityGroup08F36B6E 445-445 (planted)"}, unneeded)
}

// An inbound and an outbound entry may share a rule number: the listing is by number, then
// inbound before outbound, whatever the template's map order (read many times, planted by the
// randomised map order itself).
func TestAclEntriesAreListedByNumberThenDirection(t *testing.T) {
	for range 20 {
		m, _, _ := golden(t, "example")
		shared := false
		for id, acl := range m.ACLs {
			for i := 1; i < len(acl); i++ {
				a, b := acl[i-1], acl[i]
				require.True(t, a.Number < b.Number || (a.Number == b.Number && !a.Egress && b.Egress), "%s: %+v before %+v", id, a, b)
				shared = shared || a.Number == b.Number
			}
		}
		require.True(t, shared, "the example's ACLs have inbound and outbound entries with one number")
	}
}

// A security group rule naming another prefix list than the region's S3 list does not reach S3
// (mutation run 6's N13: us-east-1's list in us-west-2, which fails the deploy, passed the flow
// table, which took every prefix list for S3's).
func TestAPrefixListRuleReachesS3OnlyByTheRegionsS3List(t *testing.T) {
	m, required, forbidden := golden(t, "example")
	require.Empty(t, wrongFlows(m, required, forbidden))
	for i, r := range m.SGRules {
		if r.PrefixList != "" {
			m.SGRules[i].PrefixList = "pl-63a5400a"
		}
	}
	assert.Contains(t, strings.Join(wrongFlows(m, required, forbidden), "\n"), "S3")
}

// An admin CIDR that holds the stranger's usual address (198.51.100.0/28, which the
// configuration accepts) lets admins in by design: the forbidden flows meet an address outside
// every configured range instead (a held-out run's false alarm: "no internet RDP to the jump host"
// failed). A range the configuration does not name still meets SomeInternet.
func TestTheStrangerIsOutsideEveryConfiguredRange(t *testing.T) {
	assert.Equal(t, SomeInternet, Outsider([]string{"203.0.113.0/28"}, nil))
	assert.Equal(t, netip.MustParseAddr("192.0.2.7"), Outsider([]string{"198.51.100.0/28"}))
	assert.Equal(t, netip.MustParseAddr("203.0.113.77"), Outsider([]string{"198.51.100.0/24"}, []string{"192.0.2.0/24"}))

	// The example's network, as the constructs build it for admins in 198.51.100.0/28.
	template := goldenTemplate(t, "example")
	data := strings.ReplaceAll(mustJSON(t, template), "203.0.113.0/28", "198.51.100.0/28")
	m, err := FromTemplate(mustUnmarshal(t, data))
	require.NoError(t, err)
	cfg, err := config.Load("../../config/example.yaml")
	require.NoError(t, err)
	m = m.WithPrefixLists(cfg.S3PrefixListId(), cfg.S3Cidrs())
	admins := []string{"198.51.100.0/28"}
	required, forbidden := FlowSet(m, cfg.S3Cidrs(), admins, nil, nil, false)
	assert.Empty(t, wrongFlows(m, required, forbidden))
	assert.NotEmpty(t, wrongFlows(m, required, ForbiddenFlows(m, true, false)), "with the usual stranger inside the admins' range, RDP from it passes")
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return string(data)
}

func mustUnmarshal(t *testing.T, data string) map[string]any {
	t.Helper()
	var v map[string]any
	require.NoError(t, json.Unmarshal([]byte(data), &v))
	return v
}

// An existing VPC whose ACLs privatepatch leaves alone still has the template's security groups:
// they are judged alone, the ACLs "not modelled" (passing neither way). The hub scenario has no
// public subnet: the WSUS server sits in a private one. Planted: the hub rule opened to every
// protocol (mutation run 17's A06) fails the hub's other-port neighbour; the S3 rule opened to
// every port fails S3's.
func TestAnExistingVpcsSecurityGroupsAreJudgedWithoutItsAcls(t *testing.T) {
	template := goldenTemplate(t, "existing-vpc-hub")
	_, err := FromTemplate(template)
	require.Error(t, err, "its ACLs are not the template's")
	m, err := FromSecurityGroups(template)
	require.NoError(t, err)
	assert.Empty(t, m.Public)
	assert.True(t, m.ServerHost().IsValid())
	m = m.WithPrefixLists("pl-68a54001", []string{"52.218.128.0/17"})
	required, forbidden := FlowSet(m, []string{"52.218.128.0/17"}, nil, []string{"10.0.0.0/24"}, nil, true)
	assert.Empty(t, wrongFlows(m, required, forbidden))
	judged := 0
	for _, f := range append(slices.Clone(required), forbidden...) {
		acl, sg := m.Judge(f)
		assert.True(t, acl.NotModelled, f.Name)
		if !sg.NotModelled {
			judged++
		}
	}
	assert.Greater(t, judged, 20, "the security groups decide most flows")

	for i, r := range m.SGRules {
		switch {
		case r.Cidr.String() == "10.0.0.0/24":
			m.SGRules[i].Protocol, m.SGRules[i].From, m.SGRules[i].To = -1, 0, 65535 // as parseSGRule reads IpProtocol -1
		case r.PrefixList == "pl-68a54001":
			m.SGRules[i].From, m.SGRules[i].To = 0, 65535
		}
	}
	wrong := strings.Join(wrongFlows(m, required, forbidden), "\n")
	assert.Contains(t, wrong, "forbidden instance SSH to the hub's interface endpoints at 10.0.0.0/24")
	assert.Contains(t, wrong, "forbidden instance SSH to S3 at 52.218.128.0/17")
}

// A deployment without WSUS has no flow to or from the server or the jump host; one on a hub's
// endpoints none to endpoints in the VPC; the WSUS server reaches the hub as the instances do.
func TestAFlowSetKeepsOnlyWhatTheDeploymentHas(t *testing.T) {
	m, required, _ := golden(t, "default")
	required = append(required, HubFlows(m, []string{"10.9.0.0/24"})...)
	names := func(flows []Flow) string {
		var out []string
		for _, f := range flows {
			out = append(out, f.Name)
		}
		return strings.Join(out, "\n")
	}
	all := names(Deployed{Wsus: true, EndpointsInVpc: true}.Keep(m, required))
	assert.Equal(t, names(required), all)
	assert.Contains(t, all, "WSUS server to the hub's interface endpoints at 10.9.0.0/24")
	noWsus := names(Deployed{EndpointsInVpc: true}.Keep(m, required))
	for _, gone := range []string{"instance to WSUS over HTTP", "jump host RDP to an instance", "WSUS syncs from Microsoft Update over HTTPS", "WSUS server to the hub's"} {
		assert.NotContains(t, noWsus, gone)
	}
	assert.Contains(t, noWsus, "instance to an interface endpoint in another private subnet")
	hub := names(Deployed{Wsus: true}.Keep(m, required))
	assert.NotContains(t, hub, "instance to an interface endpoint in another private subnet")
	assert.NotContains(t, hub, "WSUS to a Systems Manager endpoint")
	assert.Contains(t, hub, "instance to WSUS over HTTP")
}

// The public subnets' reply rule is as wide as its clients need: with the WSUS server on an AWS
// AMI its one client, a rule widened to 1024-65535 is one no flow needs (planted); where the
// configuration says the clients are not known, that width is accepted with its reason.
func TestAPublicReplyRuleWiderThanItsKnownClientsNeedIsNamed(t *testing.T) {
	m, required, forbidden := golden(t, "default")
	for id, acl := range m.ACLs {
		if !m.privateACL(id) {
			m.ACLs[id] = append(acl, Entry{Number: 1001, Protocol: 6, Cidr: netip.MustParsePrefix("0.0.0.0/0"), From: 1024, To: 3388, Allow: true})
			slices.SortFunc(m.ACLs[id], func(a, b Entry) int { return a.Number - b.Number })
			for subnet, aclID := range m.subnetACLID {
				if aclID == id {
					m.SubnetACL[subnet] = m.ACLs[id]
				}
			}
		}
	}
	unneeded := func() []string {
		var out []string
		for _, r := range m.ProveRules(required, forbidden) {
			if len(r.Caught) == 0 && m.Acceptance(r.Rule) == "" {
				out = append(out, r.Rule.String())
			}
		}
		return out
	}
	assert.Equal(t, []string{"network ACL NetworkPublicAcl9B404FC7 rule 1001 in allow 0.0.0.0/0 1024-3388"}, unneeded())
	m.PublicClientsUnknown = true
	assert.Empty(t, unneeded())
}

// Run 24's A05: the public ACL's rule from the last private subnet narrowed to 8530. Clients
// there fetch metadata over 8531 (wsus.port), so the last zone's HTTPS flow must fail.
func TestTheLastZonesClientsNeedBothWsusPorts(t *testing.T) {
	template := goldenTemplate(t, "default")
	m, err := FromTemplate(template)
	require.NoError(t, err)
	cfg, err := config.LoadDefault()
	require.NoError(t, err)
	m = m.WithPrefixLists(cfg.S3PrefixListId(), cfg.S3Cidrs())
	required, forbidden := FlowSet(m, cfg.S3Cidrs(), nil, nil, nil, false)
	assert.Empty(t, wrongFlows(m, required, forbidden))

	narrowed := 0
	for id, r := range template["Resources"].(map[string]any) {
		if strings.HasPrefix(id, "NetworkPublicAclInWsusFromPrivate2") {
			r.(map[string]any)["Properties"].(map[string]any)["PortRange"] = map[string]any{"From": 8530, "To": 8530}
			narrowed++
		}
	}
	require.Equal(t, 1, narrowed)
	m, err = FromTemplate(template)
	require.NoError(t, err)
	m = m.WithPrefixLists(cfg.S3PrefixListId(), cfg.S3Cidrs())
	got := strings.Join(wrongFlows(m, required, forbidden), "\n")
	assert.Contains(t, got, "needed last AZ's instance to WSUS over HTTPS")
}

// Without WSUS (wsus.enabled: false) no flow needs the WSUS ports: WithoutWsusClients drops the
// instances' flows to the server's 8530-8531 and keeps the rest. A template of an older network
// stack, which left the WSUS rules in, has them accepted by name where the model is told WSUS is
// off, and unjustified where it is not (mutation run 27's observation 1), shown on the nat-per-az
// golden, which has them (NAT: config refuses WSUS off without a private internet route).
func TestWithoutWsusNoFlowNeedsTheWsusPorts(t *testing.T) {
	m, err := FromTemplate(goldenTemplate(t, "nat-per-az"))
	require.NoError(t, err)
	s3 := []string{"3.5.76.0/22", "3.5.80.0/21", "52.218.128.0/17", "52.92.128.0/17"}
	m = m.WithPrefixLists("pl-68a54001", s3)
	m.PublicClientsUnknown = true // a NAT gateway's replies
	required, forbidden := FlowSet(m, s3, nil, nil, nil, true)
	require.Empty(t, wrongFlows(m, required, forbidden))
	without := WithoutWsusClients(m, required)
	var dropped []string
	for _, f := range required {
		if !slices.ContainsFunc(without, func(w Flow) bool { return w.Name == f.Name }) {
			dropped = append(dropped, f.Name)
			assert.Contains(t, []int{wsusspec.HTTPPort, wsusspec.HTTPSPort}, f.Port, f.Name)
		}
	}
	assert.Contains(t, dropped, "instance to WSUS over HTTP")
	assert.Contains(t, dropped, "last AZ's instance to WSUS over HTTPS")
	assert.Len(t, without, len(required)-len(dropped))
	unjustified := func(m Model) []string {
		var rules []string
		for _, r := range m.ProveRules(without, forbidden) {
			if len(r.Caught) == 0 && m.Acceptance(r.Rule) == "" {
				rules = append(rules, r.Rule.String())
			}
		}
		return rules
	}
	left := unjustified(m)
	assert.NotEmpty(t, left, "the WSUS rules no flow needs")
	for _, r := range left {
		assert.Contains(t, r, "8530-8531")
	}
	m.WithoutWsus = true
	assert.Empty(t, unjustified(m), "accepted: the older stack's WSUS rules, named")
}
