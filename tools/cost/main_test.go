package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
)

func find(lines []line, prefix string) (line, bool) {
	for _, l := range lines {
		if strings.HasPrefix(l.item, prefix) {
			return l, true
		}
	}
	return line{}, false
}

func TestDefaultEstimateCountsTheWsusServerEndpointsAndKeys(t *testing.T) {
	cfg, err := config.LoadFile("../../test/testdata/fixtures/default.yaml")
	require.NoError(t, err)
	lines, err := estimate(cfg)
	require.NoError(t, err)
	wsus, ok := find(lines, "WSUS server, m6i.large")
	require.True(t, ok)
	assert.InDelta(t, 0.188*730, wsus.monthly, 0.01)
	endpoints, ok := find(lines, "interface endpoints: 4 x 2 AZs")
	require.True(t, ok)
	assert.InDelta(t, 8*0.01*730, endpoints.monthly, 0.01)
	_, nat := find(lines, "NAT gateways")
	assert.False(t, nat, "no NAT by default")
	sum := 0.0
	for _, l := range lines {
		sum += l.monthly
	}
	assert.InDelta(t, sum, total(lines), 0.001)
}

func TestReportComparesTheVariantsAndSaysWhatIsLeftOut(t *testing.T) {
	cfg, err := config.LoadFile("../../test/testdata/fixtures/default.yaml")
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, report(&out, cfg))
	text := out.String()
	assert.Contains(t, text, "prices of 2026-11")
	assert.Contains(t, text, "WSUS in the public subnet, endpoints, no NAT")
	assert.Contains(t, text, "NAT gateways to Microsoft Update, no WSUS")
	assert.Contains(t, text, "Left out: data transfer")
}

func TestAnUnpricedInstanceTypeNamesThePriceTable(t *testing.T) {
	cfg, err := config.Parse("odd.yaml", []byte("region: us-west-2\nnetwork: {s3PrefixListIds: {us-west-2: pl-68a54001}, s3PrefixListCidrs: {us-west-2: [54.231.160.0/19]}}\nwsus: {instanceType: x2iedn.32xlarge}\n"))
	require.NoError(t, err)
	_, err = estimate(cfg)
	assert.ErrorContains(t, err, "no price for instance type x2iedn.32xlarge in tools/cost/prices.go")
}

// existingVpcYAML is an existing VPC with three private subnets (the default azCount is 2).
func existingVpcYAML(settings string) []byte {
	return []byte(`region: us-west-2
network:
  s3PrefixListIds: {us-west-2: pl-68a54001}
  existingVpc:
    vpcId: vpc-0a1b2c3d4e5f60718
    cidr: 10.20.0.0/16
    privateSubnets:
      - {id: subnet-0aaaaaaaaaaaaaaa1, cidr: 10.20.10.0/24, zone: us-west-2a, routeTableId: rtb-0aaaaaaaaaaaaaaa1}
      - {id: subnet-0aaaaaaaaaaaaaaa2, cidr: 10.20.11.0/24, zone: us-west-2b, routeTableId: rtb-0aaaaaaaaaaaaaaa2}
      - {id: subnet-0aaaaaaaaaaaaaaa3, cidr: 10.20.12.0/24, zone: us-west-2c, routeTableId: rtb-0aaaaaaaaaaaaaaa3}
` + withEndpointSettings(settings))
}

// withEndpointSettings states the endpoint settings an existing VPC requires, as created where
// settings leaves them out.
func withEndpointSettings(settings string) string {
	for _, key := range []string{"interfaceEndpoints", "s3Endpoint"} {
		if !strings.Contains(settings, key+":") {
			settings += "    " + key + ": created\n"
		}
	}
	return settings
}

func TestAnExistingVpcWithAHubPricesNoEndpointsElasticIpOrFlowLogKeyAndSaysSo(t *testing.T) {
	cfg, err := config.Parse("hub.yaml", existingVpcYAML(`    interfaceEndpoints: hub
    hubCidrs: [10.0.0.0/24]
    s3Endpoint: existing
    wsusSubnet: private
    privateInternetPath: nat
`))
	require.NoError(t, err)
	lines, err := estimate(cfg)
	require.NoError(t, err)
	for _, absent := range []string{"interface endpoints", "WSUS Elastic IP", "NAT gateways"} {
		_, ok := find(lines, absent)
		assert.False(t, ok, absent)
	}
	keys, ok := find(lines, "KMS keys: 2")
	require.True(t, ok, "the alerts key and the finding filter's log key only: no flow log, so no flow-log key")
	assert.InDelta(t, 2.0, keys.monthly, 0.001)

	var out bytes.Buffer
	require.NoError(t, report(&out, cfg))
	text := out.String()
	assert.Contains(t, text, "With network.existingVpc, not priced (privatepatch does not create them):\n"+
		"  the VPC, its subnets, routes and gateways, and its NAT or firewall path\n  the hub's interface endpoints\n"+
		"  the VPC's S3 endpoint\n  flow logs (existingVpc.flowLogs is false)\n")
	assert.Contains(t, text, "no WSUS, the VPC's own NAT path (not priced)")
	assert.NotContains(t, text, "NAT gateways to Microsoft Update", "privatepatch creates no NAT gateway in an existing VPC")
}

// Planted: what privatepatch does create in an existing VPC is priced, per private subnet.
func TestAnExistingVpcPricesTheEndpointsElasticIpAndFlowLogKeyItCreates(t *testing.T) {
	cfg, err := config.Parse("created.yaml", existingVpcYAML(`    publicSubnets:
      - {id: subnet-0bbbbbbbbbbbbbbb1, cidr: 10.20.0.0/24, zone: us-west-2a}
      - {id: subnet-0bbbbbbbbbbbbbbb2, cidr: 10.20.1.0/24, zone: us-west-2b}
      - {id: subnet-0bbbbbbbbbbbbbbb3, cidr: 10.20.2.0/24, zone: us-west-2c}
    flowLogs: true
`))
	require.NoError(t, err)
	lines, err := estimate(cfg)
	require.NoError(t, err)
	endpoints, ok := find(lines, "interface endpoints: 4 x 3 AZs")
	require.True(t, ok, "one endpoint interface per given private subnet, not per azCount: %v", lines)
	assert.InDelta(t, 12*0.01*730, endpoints.monthly, 0.01)
	_, ok = find(lines, "WSUS Elastic IP")
	assert.True(t, ok, "WSUS in a public subnet keeps its Elastic IP")
	_, ok = find(lines, "KMS keys: 3")
	assert.True(t, ok, "the flow logs' key with flowLogs: true")

	var out bytes.Buffer
	require.NoError(t, report(&out, cfg))
	assert.Contains(t, out.String(), "  the VPC, its subnets, routes and gateways, and its NAT or firewall path\n\n")
	assert.NotContains(t, out.String(), "the hub's interface endpoints")
}

func TestACreatedVpcsReportSaysNothingOfAnExistingOne(t *testing.T) {
	cfg, err := config.LoadFile("../../test/testdata/fixtures/default.yaml")
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, report(&out, cfg))
	assert.NotContains(t, out.String(), "existingVpc")
}

func TestEnvironmentsInExistingVpcsOfTheirOwnArePricedEachAndSummed(t *testing.T) {
	cfg, err := config.Parse("envs.yaml", []byte(`
environments:
  - name: prod
    account: "111111111111"
    region: us-west-2
    existingVpc:
      vpcId: vpc-0a1b2c3d4e5f60718
      cidr: 10.20.0.0/16
      privateSubnets:
        - {id: subnet-0aaaaaaaaaaaaaaa1, cidr: 10.20.10.0/24, zone: us-west-2a, routeTableId: rtb-0aaaaaaaaaaaaaaa1}
      interfaceEndpoints: hub
      hubCidrs: [10.0.0.0/24]
      s3Endpoint: created
      wsusSubnet: private
      privateInternetPath: nat
  - {name: test, account: "222222222222", region: us-west-2}
network:
  s3PrefixListIds: {us-west-2: pl-68a54001}
  s3PrefixListCidrs: {us-west-2: [54.231.160.0/19]}
`))
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, report(&out, cfg))
	text := out.String()
	assert.Contains(t, text, "The environments differ (the above is prod's):")
	assert.Regexp(t, `\n  prod\s+164\.14 USD\n  test\s+227\.19 USD\n  all environments\s+391\.33 USD\n`, text)
	assert.NotContains(t, text, "x 2 environments", "the first environment's total is not everyone's")
}
