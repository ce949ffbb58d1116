package compliancespec

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestResourceGroupRulesNameTheirField(t *testing.T) {
	assert.Empty(t, ResourceGroup{Name: "ProdWebServer", Tags: map[string]string{"Environment": "Prod"}}.Problems())
	var got []string
	for _, p := range GroupsProblems("Groups", []ResourceGroup{
		{Name: "AWSGroup", Tags: map[string]string{"a;": "x"}},
		{Name: "web"}, {Name: "web", Tags: map[string]string{"k": "v"}},
	}) {
		got = append(got, p.String())
	}
	assert.ElementsMatch(t, []string{
		`Groups[0].Name "AWSGroup" is not a resource group name: use up to 128 letters, digits and . _ -, not starting with AWS`,
		`Groups[0].Tags "a;" is not a valid tag key: use 1-128 letters, digits, spaces and _ . : / = + - @, not starting with aws:`,
		`Groups[1].Tags "" is empty: a group needs at least one tag to select its instances`,
		`Groups[2].Name "web" is used by another resource group`,
	}, got)
}
