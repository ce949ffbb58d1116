package fleetspec

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/privatepatch/privatepatch/constructs/windows/windowsspec"
)

func TestGroupDefaultsSpreadOverTwoZonesOrFewer(t *testing.T) {
	g := InstanceGroup{Name: "app", Count: 3}
	assert.Equal(t, 2, g.WithDefaults(3).Zones)
	assert.Equal(t, 1, g.WithDefaults(1).Zones, "no more zones than there are")
	assert.Equal(t, windowsspec.Instance{}.WithDefaults(), g.WithDefaults(2).Instance)
	assert.Empty(t, g.WithDefaults(2).Problems())
}

func TestEveryGroupRuleNamesItsField(t *testing.T) {
	groups := []InstanceGroup{
		{Name: "App_1", Count: 21, Zones: -1, PatchGroup: "prod;rm", Tags: map[string]string{"aws:x": "1", "Owner": "a$(b)", "Patch Group": "x"}},
		{Name: "web", Count: 1, Zones: 1, Instance: windowsspec.Instance{WindowsVersion: "2016", InstanceType: "m6i.large"}},
		{Name: "web", Count: 1, Zones: 1, Instance: windowsspec.Instance{}.WithDefaults()},
	}
	var got []string
	for _, p := range GroupsProblems("Groups", groups) {
		got = append(got, p.String())
	}
	assert.ElementsMatch(t, []string{
		`Groups[0].Name "App_1" is not allowed: use 1-31 lowercase letters, digits and hyphens, starting with a letter`,
		`Groups[0].Count 21 is out of range: use 1 to 20`,
		`Groups[0].Zones -1 is out of range: use 1 to the number of zones`,
		`Groups[0].WindowsVersion "" is not a supported Windows Server version: use one of 2019, 2022, 2025`,
		`Groups[0].InstanceType "" is not an EC2 instance type: use one such as m6i.large`,
		`Groups[0].PatchGroup "prod;rm" has characters a patch group (a tag value) cannot hold: use letters, digits, spaces and _ . : / = + - @`,
		`Groups[0].Tags "aws:x" is not a valid tag key: use 1-128 letters, digits, spaces and _ . : / = + - @, not starting with aws:`,
		`Groups[0].Tags.Owner "a$(b)" is not a valid tag value: use up to 256 letters, digits, spaces and _ . : / = + - @, not starting with aws:`,
		`Groups[0].Tags "Patch Group" is set from patchGroup: use patchGroup instead`,
		`Groups[1].WindowsVersion "2016" is not a supported Windows Server version: use one of 2019, 2022, 2025`,
		`Groups[2].Name "web" is used by another instance group: names must be unique`,
	}, got)
}
