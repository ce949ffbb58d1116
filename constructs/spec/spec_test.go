package spec

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

type inner struct {
	AUOptions int      `yaml:"auOptions"`
	Languages []string `yaml:"languages"`
}

type outer struct {
	inner    `yaml:",inline"`
	Client   inner   `yaml:"client"`
	Groups   []inner `yaml:"instanceGroups"`
	Untagged string
}

func TestYAMLPathFollowsTheYamlTagsThroughInlineNestedAndListFields(t *testing.T) {
	for field, want := range map[string]string{
		"AUOptions":           "auOptions",
		"Languages[2]":        "languages[2]",
		"Client.AUOptions":    "client.auOptions",
		"Groups[1].Languages": "instanceGroups[1].languages",
		"Untagged":            "Untagged",
		"Missing.AUOptions":   "Missing.AUOptions",
	} {
		assert.Equal(t, want, YAMLPath(&outer{}, field), field)
	}
}

func TestErrorNamesTheConstructAndEachProp(t *testing.T) {
	var p Problems
	assert.NoError(t, p.Err("x.New", "Props"))
	p.Add("Port", 80, "is not a WSUS port")
	p.Within("Client", Problems{{Field: "Schedule", Value: "daily", Message: "is not a schedule"}})
	assert.EqualError(t, p.Err(`x.New("X")`, "Props"), "x.New(\"X\"): 2 invalid prop(s):\n  - Props.Port 80 is not a WSUS port\n  - Props.Client.Schedule \"daily\" is not a schedule")
}
