package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/privatepatch/privatepatch/config"
)

var configDir = filepath.Join("..", "..", "config")

func TestCheckedInSchemaIsWhatTheGeneratorWrites(t *testing.T) {
	generated, err := generate(configDir)
	require.NoError(t, err)
	checkedIn, err := os.ReadFile(filepath.Join(configDir, "privatepatch.schema.json"))
	require.NoError(t, err)
	assert.Equal(t, string(generated), string(checkedIn),
		"config/privatepatch.schema.json is out of date with package config: run make schema and commit it")
}

// problems checks a decoded YAML value against the subset of JSON Schema the generator writes
// (type, properties, additionalProperties, items) and lists what does not match. YAML's null
// (a key without a value) keeps the default, as the loader does.
func problems(path string, value any, schema map[string]any) []string {
	if value == nil {
		return nil
	}
	var found []string
	switch schema["type"] {
	case "object":
		m, ok := value.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: %v is not a mapping", path, value)}
		}
		properties, _ := schema["properties"].(map[string]any)
		for key, v := range m {
			if p, ok := properties[key].(map[string]any); ok {
				found = append(found, problems(path+"."+key, v, p)...)
			} else if extra, ok := schema["additionalProperties"].(map[string]any); ok {
				found = append(found, problems(path+"."+key, v, extra)...)
			} else {
				found = append(found, fmt.Sprintf("%s: unknown key %s", path, key))
			}
		}
	case "array":
		list, ok := value.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: %v is not a list", path, value)}
		}
		for i, v := range list {
			found = append(found, problems(fmt.Sprintf("%s[%d]", path, i), v, schema["items"].(map[string]any))...)
		}
	default:
		ok := map[string]bool{
			"string":  fmt.Sprintf("%T", value) == "string",
			"boolean": fmt.Sprintf("%T", value) == "bool",
			"integer": fmt.Sprintf("%T", value) == "int",
			"number":  fmt.Sprintf("%T", value) == "int" || fmt.Sprintf("%T", value) == "float64",
		}[schema["type"].(string)]
		if !ok {
			found = append(found, fmt.Sprintf("%s: %v is not a %s", path, value, schema["type"]))
		}
	}
	sort.Strings(found)
	return found
}

func schemaProblems(t *testing.T, yamlText string) []string {
	data, err := generate(configDir)
	require.NoError(t, err)
	var schema map[string]any
	require.NoError(t, json.Unmarshal(data, &schema))
	var value any
	require.NoError(t, yaml.Unmarshal([]byte(yamlText), &value))
	return problems("", value, schema)
}

// The schema accepts what the loader accepts: the shipped configurations, which the loader
// validates, match it key for key.
func TestShippedConfigurationsMatchTheSchema(t *testing.T) {
	for _, name := range []string{"default.yaml", "example.yaml"} {
		data, err := os.ReadFile(filepath.Join(configDir, name))
		require.NoError(t, err)
		_, err = config.Parse(name, data)
		require.NoError(t, err, "the loader accepts %s", name)
		assert.Empty(t, schemaProblems(t, string(data)), name)
	}
}

// And refuses what the loader refuses for its shape: a misspelled key, a list where a mapping
// belongs, a word where a number belongs.
func TestSchemaRefusesUnknownKeysAndWrongShapes(t *testing.T) {
	for yamlText, want := range map[string]string{
		"netwrk: {}\n":                              ": unknown key netwrk",
		"network:\n  vpcCird: 10.0.0.0/16\n":        ".network: unknown key vpcCird",
		"network:\n  azCount: two\n":                ".network.azCount: two is not a integer",
		"wsus: [a]\n":                               ".wsus: [a] is not a mapping",
		"fleet:\n  instanceGroups:\n    - nme: a\n": ".fleet.instanceGroups[0]: unknown key nme",
	} {
		assert.Equal(t, []string{want}, schemaProblems(t, yamlText), yamlText)
		_, err := config.Parse("planted.yaml", []byte(yamlText))
		assert.Error(t, err, "the loader refuses it too: %s", yamlText)
	}
}
