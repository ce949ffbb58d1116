package config

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// compileSchema compiles the checked-in JSON Schema (make schema) with a real JSON Schema
// validator, after edit (nil: as it is).
func compileSchema(t *testing.T, edit func(any)) *jsonschema.Schema {
	data, err := os.ReadFile("privatepatch.schema.json")
	require.NoError(t, err)
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(data)))
	require.NoError(t, err)
	if edit != nil {
		edit(doc)
	}
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource("privatepatch.schema.json", doc))
	schema, err := c.Compile("privatepatch.schema.json")
	require.NoError(t, err)
	return schema
}

// schemaAccepts says whether the schema accepts a configuration, given as YAML, as an editor's
// YAML language server would judge it (the YAML read as JSON values).
func schemaAccepts(t *testing.T, schema *jsonschema.Schema, text string) (bool, string) {
	var value any
	require.NoError(t, yaml.Unmarshal([]byte(text), &value))
	data, err := json.Marshal(value)
	require.NoError(t, err)
	instance, err := jsonschema.UnmarshalJSON(strings.NewReader(string(data)))
	require.NoError(t, err)
	if err := schema.Validate(instance); err != nil {
		return false, err.Error()
	}
	return true, ""
}

// merged is base with change laid over it: mappings merge key by key, anything else replaces.
func merged(t *testing.T, base, change string) string {
	var b, c map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(base), &b))
	require.NoError(t, yaml.Unmarshal([]byte(change), &c))
	var merge func(dst, src map[string]any)
	merge = func(dst, src map[string]any) {
		for k, v := range src {
			if sm, ok := v.(map[string]any); ok {
				if dm, ok := dst[k].(map[string]any); ok {
					merge(dm, sm)
					continue
				}
			}
			dst[k] = v
		}
	}
	merge(b, c)
	out, err := yaml.Marshal(b)
	require.NoError(t, err)
	return string(out)
}

const corpusBase = "../test/testdata/fixtures/default.yaml"

// A group with the tag policy's tags, for the fleet cases.
const group = `{name: app, count: 1, tags: {Environment: Dev, InventoryCategory: App, SeverityLevel: "3", HandlePI: N, IsPublic: N}}`

// fieldRefusals are configurations validation refuses for one value alone: the schema must
// refuse each too.
var fieldRefusals = map[string]string{
	"project pattern":          "project: Bad_Name",
	"account pattern":          `account: "12345"`,
	"region":                   "region: mars-east-1",
	"environment region":       "{region: '', environments: [{name: prod, region: mars-east-1}]}",
	"azCount above":            "network: {azCount: 7}",
	"subnet mask":              "network: {subnetCidrMask: 30}",
	"nat gateways":             "network: {nat: {enabled: true, gateways: both}}",
	"flow log destination":     "network: {flowLogs: {destination: kinesis}}",
	"always-created endpoint":  "network: {extraInterfaceEndpoints: [ssm]}",
	"unknown endpoint":         "network: {extraInterfaceEndpoints: [notaservice]}",
	"endpoint twice":           "network: {extraInterfaceEndpoints: [logs, logs]}",
	"admin CIDRs":              "network: {adminCidrs: [10.1.0.0/24, 10.2.0.0/24, 10.3.0.0/24, 10.4.0.0/24, 10.5.0.0/24, 10.6.0.0/24, 10.7.0.0/24, 10.8.0.0/24, 10.9.0.0/24, 10.10.0.0/24, 10.11.0.0/24]}",
	"wsus port":                "wsus: {port: 8080}",
	"wsus windows version":     `wsus: {windowsVersion: "2003"}`,
	"update store below":       "wsus: {updateStoreGiB: 100}",
	"update store above":       "wsus: {updateStoreGiB: 20000}",
	"syncs per day":            "wsus: {syncsPerDay: 25}",
	"classification":           "wsus: {classifications: [Bogus Updates]}",
	"instance count":           "fleet: {instanceGroups: [" + strings.Replace(group, "count: 1", "count: 21", 1) + "]}",
	"instance windows version": "fleet: {instanceGroups: [" + strings.Replace(group, "count: 1", `count: 1, windowsVersion: "2003"`, 1) + "]}",
	"operating system":         "patching: {baselines: [{name: base, operatingSystem: BEOS, patchGroups: [windows], preset: aws-default-windows}]}",
	"approve after days":       "patching: {baselines: [{name: base, patchGroups: [windows], approvalRules: [{filters: {CLASSIFICATION: [SecurityUpdates]}, approveAfterDays: 400}]}]}",
	"window duration":          "patching: {maintenanceWindows: [{name: win, schedule: 'cron(0 2 ? * SUN *)', durationHours: 25, cutoffHours: 1, targets: {patchGroups: [windows]}}]}",
	"task priority":            "patching: {maintenanceWindows: [{name: win, schedule: 'cron(0 2 ? * SUN *)', targets: {patchGroups: [windows]}, tasks: [{priority: 2000}]}]}",
	"tag key length":           "tags: {" + strings.Repeat("k", 129) + ": v}",
	"tag value length":         "tags: {Owner: " + strings.Repeat("v", 257) + "}",
	"unknown key":              "network: {vpcCidrs: 10.0.0.0/16}",
	"wrong type":               "network: {azCount: two}",
	"no zones":                 "network: {azCount: 0}",
	"no WSUS port":             "wsus: {port: 0}",
	"no window duration":       "patching: {maintenanceWindows: [{name: win, schedule: 'cron(0 2 ? * SUN *)', durationHours: 0, cutoffHours: 0, targets: {patchGroups: [windows]}}]}",
	"instance group tag value": "fleet: {instanceGroups: [" + strings.Replace(group, "HandlePI: N", "HandlePI: "+strings.Repeat("n", 257), 1) + "]}",
}

// crossFieldRefusals are refused by validation for how fields combine, which the schema does not
// express (the README's list): the schema accepts them and only the loader refuses them.
var crossFieldRefusals = map[string]string{
	"retention not a CloudWatch period": "network: {flowLogs: {destination: cloudwatch-logs, retentionDays: 2}}",
	"zone of another region":            "network: {availabilityZones: [eu-west-1a, eu-west-1b]}",
	"three zones without an account":    "network: {azCount: 3, availabilityZones: []}",
	"no update source":                  "wsus: {enabled: false}",
	"no region anywhere":                "region: ''",
	"cloudwatch output without logs":    "patching: {maintenanceWindows: [{name: win, schedule: 'cron(0 2 ? * SUN *)', targets: {patchGroups: [windows]}, tasks: [{cloudWatchOutput: true}]}]}",
}

// acceptedCorpus are configurations validation accepts: the shipped ones, the tests' fixtures,
// and variations over the default.
func acceptedCorpus(t *testing.T) map[string]string {
	corpus := map[string]string{}
	for _, pattern := range []string{"*.yaml", "../test/testdata/fixtures/*.yaml", "../test/testdata/largest.yaml"} {
		files, err := filepath.Glob(pattern)
		require.NoError(t, err)
		for _, f := range files {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			corpus[f] = string(data)
		}
	}
	base, err := os.ReadFile(corpusBase)
	require.NoError(t, err)
	for name, change := range map[string]string{
		"https and two syncs":  "wsus: {port: 8531, certificateThumbprint: 0123456789abcdef0123456789abcdef01234567, syncsPerDay: 2, windowsVersion: \"2019\", updateStoreGiB: 150}",
		"nat single":           "network: {nat: {enabled: true, gateways: single}, azCount: 1, availabilityZones: [us-west-2a]}",
		"flow logs to s3":      "network: {flowLogs: {destination: s3, retentionDays: 2}, extraInterfaceEndpoints: [logs, kms]}",
		"a full fleet group":   "fleet: {instanceGroups: [" + strings.Replace(group, "count: 1", "count: 20", 1) + "]}",
		"empty means default":  "fleet: {instanceGroups: [" + strings.Replace(group, "count: 1", "count: 1, windowsVersion: ''", 1) + "]}\npatching: {baselines: [{name: base, operatingSystem: '', patchGroups: [windows], preset: aws-default-windows}], maintenanceWindows: [{name: win, schedule: 'cron(0 2 ? * SUN *)', targets: {patchGroups: [windows]}, tasks: [{priority: 0}]}]}",
		"account":              `account: "123456789012"`,
		"long tags":            "tags: {" + strings.Repeat("k", 128) + ": " + strings.Repeat("v", 256) + "}",
		"the widest window":    "patching: {scan: {schedule: 'cron(0 12 ? * MON-SAT *)'}, maintenanceWindows: [{name: win, schedule: 'cron(0 2 ? * SUN *)', durationHours: 24, cutoffHours: 1, targets: {patchGroups: [windows]}, tasks: [{priority: 1000}]}]}",
		"approve at the limit": "patching: {baselines: [{name: base, patchGroups: [windows], approvalRules: [{filters: {CLASSIFICATION: [SecurityUpdates]}, approveAfterDays: 360}]}]}",
	} {
		corpus[name] = merged(t, string(base), change)
	}
	return corpus
}

// The schema and the loader agree both ways over the corpus: every configuration the loader
// accepts, the schema accepts; every one refused for a value alone, the schema refuses; the
// cross-field refusals are the loader's alone, as the README says.
func TestSchemaAndLoaderAgreeOverACorpusOfAcceptedAndRefusedConfigurations(t *testing.T) {
	schema := compileSchema(t, nil)
	for name, text := range acceptedCorpus(t) {
		_, err := Parse(name, []byte(text))
		require.NoError(t, err, "%s: the corpus's accepted configurations are valid", name)
		ok, why := schemaAccepts(t, schema, text)
		assert.True(t, ok, "%s: the loader accepts it, the schema refuses it: %s", name, why)
	}
	base, err := os.ReadFile(corpusBase)
	require.NoError(t, err)
	for name, change := range fieldRefusals {
		text := merged(t, string(base), change)
		_, err := Parse(name, []byte(text))
		require.Error(t, err, "%s: the loader refuses it", name)
		ok, _ := schemaAccepts(t, schema, text)
		assert.False(t, ok, "%s: the loader refuses it (%v), the schema accepts it", name, err)
	}
	for name, change := range crossFieldRefusals {
		text := merged(t, string(base), change)
		_, err := Parse(name, []byte(text))
		require.Error(t, err, "%s: the loader refuses it", name)
		ok, why := schemaAccepts(t, schema, text)
		assert.True(t, ok, "%s: a cross-field refusal the schema was not meant to express: %s", name, why)
	}
}

// Planted: the schema without its value rules (keys and types only, as before) lets every
// value refusal through, and the corpus test would say so.
func TestTheCorpusCatchesASchemaWithoutValueRules(t *testing.T) {
	var strip func(any)
	strip = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for _, k := range []string{"enum", "pattern", "minimum", "maximum", "maxLength", "maxItems", "uniqueItems", "propertyNames", "anyOf"} {
				delete(v, k)
			}
			for _, child := range v {
				strip(child)
			}
		case []any:
			for _, child := range v {
				strip(child)
			}
		}
	}
	schema := compileSchema(t, strip)
	base, err := os.ReadFile(corpusBase)
	require.NoError(t, err)
	let := 0
	for name, change := range fieldRefusals {
		if ok, _ := schemaAccepts(t, schema, merged(t, string(base), change)); ok {
			let++
		} else {
			assert.Contains(t, []string{"unknown key", "wrong type"}, name, "only keys and types are left")
		}
	}
	assert.Equal(t, len(fieldRefusals)-2, let)
}
