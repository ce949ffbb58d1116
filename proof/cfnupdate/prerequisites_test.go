package cfnupdate

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// unnamedPrerequisites are the resources of a stack's template whose prerequisite check-update
// could not name (Prerequisites reads literals only): a Glue table without its database and name,
// a Config rule's scope type that is not in the stack's recorder prerequisite, a Security Hub
// standard in a stack without one.
func unnamedPrerequisites(stack string, template map[string]any) []string {
	found := Prerequisites(Deployment{}, Deployment{stack: template})
	tables, types, recorder := map[string]bool{}, map[string]bool{}, false
	for _, p := range found {
		switch p.Kind {
		case NoGlueTable:
			tables[p.Table] = true
		case ConfigRecorder:
			recorder = true
			for _, t := range strings.Split(p.ResourceTypes, ",") {
				types[t] = true
			}
		}
	}
	var unnamed []string
	resources, _ := template["Resources"].(map[string]any)
	for id, r := range resources {
		r, _ := r.(map[string]any)
		switch r["Type"] {
		case "AWS::Glue::Table":
			if table := glueTable(r); table == "" || !tables[table] {
				unnamed = append(unnamed, id)
			}
		case "AWS::SecurityHub::Standard":
			if !recorder {
				unnamed = append(unnamed, id)
			}
		case "AWS::Config::ConfigRule":
			props, _ := r["Properties"].(map[string]any)
			scope, _ := props["Scope"].(map[string]any)
			list, _ := scope["ComplianceResourceTypes"].([]any)
			for _, t := range list {
				if s, ok := t.(string); !ok || !types[s] {
					unnamed = append(unnamed, id)
				}
			}
		}
	}
	return unnamed
}

// check-update's Glue-table and recorder checks read the templates' literals: every table and
// every scoped rule of the golden templates (the example and rich patching stacks have both) is
// named in a prerequisite, so a Ref or a join in their place would fail here instead of leaving
// the check silently undone.
func TestEveryGlueTableAndScopedRuleOfTheGoldenTemplatesIsAPrerequisite(t *testing.T) {
	files, err := filepath.Glob("../../test/testdata/*.template.json")
	require.NoError(t, err)
	checked := map[any]int{}
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		var template map[string]any
		require.NoError(t, json.Unmarshal(data, &template))
		assert.Empty(t, unnamedPrerequisites("Stack", template), file)
		for _, r := range template["Resources"].(map[string]any) {
			checked[r.(map[string]any)["Type"]]++
		}
	}
	assert.Positive(t, checked["AWS::Glue::Table"], "the goldens hold Glue tables to check")
	assert.Positive(t, checked["AWS::Config::ConfigRule"], "and Config rules")
	assert.Positive(t, checked["AWS::SecurityHub::Standard"], "and Security Hub standards")

	// Planted: a table named by a parameter, a rule scoped by a parameter.
	planted := map[string]any{"Resources": map[string]any{
		"Table": map[string]any{"Type": "AWS::Glue::Table", "Properties": map[string]any{"DatabaseName": "db",
			"TableInput": map[string]any{"Name": map[string]any{"Ref": "TableName"}}}},
		"Rule": map[string]any{"Type": "AWS::Config::ConfigRule", "Properties": map[string]any{
			"Scope": map[string]any{"ComplianceResourceTypes": []any{"AWS::EC2::Instance", map[string]any{"Ref": "Type"}}}}},
	}}
	assert.ElementsMatch(t, []string{"Table", "Rule"}, unnamedPrerequisites("Stack", planted))
}

// Security Hub's standards report control findings only on what AWS Config records: a stack with
// a standard asks for a recording recorder, with its Config rules' types when it has rules too.
func TestSecurityHubStandardsAskForARecordingConfigurationRecorder(t *testing.T) {
	standard := map[string]any{"Type": "AWS::SecurityHub::Standard", "Properties": map[string]any{"StandardsArn": "arn:aws:securityhub:us-west-2::standards/aws-foundational-security-best-practices/v/1.0.0"}}
	rule := map[string]any{"Type": "AWS::Config::ConfigRule", "Properties": map[string]any{
		"Scope": map[string]any{"ComplianceResourceTypes": []any{"AWS::SSM::PatchCompliance"}}}}
	recorders := func(resources map[string]any) []Prerequisite {
		var out []Prerequisite
		for _, p := range Prerequisites(Deployment{}, Deployment{"Stack": {"Resources": resources}}) {
			if p.Kind == ConfigRecorder {
				out = append(out, p)
			}
		}
		return out
	}
	assert.Equal(t, []Prerequisite{{Stack: "Stack", Kind: ConfigRecorder}}, recorders(map[string]any{"Standard": standard}))
	assert.Equal(t, []Prerequisite{{Stack: "Stack", Kind: ConfigRecorder, ResourceTypes: "AWS::SSM::PatchCompliance"}},
		recorders(map[string]any{"Standard": standard, "Rule": rule}), "one prerequisite a stack")
	assert.Empty(t, recorders(map[string]any{"Hub": map[string]any{"Type": "AWS::SecurityHub::Hub"}}), "a hub without standards asks for none")
}
