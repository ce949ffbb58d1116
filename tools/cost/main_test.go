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
	cfg, err := config.LoadDefault()
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
	cfg, err := config.LoadDefault()
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
	cfg, err := config.Parse("odd.yaml", []byte("region: us-west-2\nnetwork: {s3PrefixListIds: {us-west-2: pl-68a54001}, s3PrefixListCidrs: {us-west-2: [54.231.160.0/19]}}\nwsus: {instanceType: x9.huge}\n"))
	require.NoError(t, err)
	_, err = estimate(cfg)
	assert.ErrorContains(t, err, "no price for instance type x9.huge in tools/cost/prices.go")
}
