package wiring

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/proof/cfnupdate"
)

// assetAssembly writes a cloud assembly of one stack, Network, as CDK synthesises it: the
// template published as an asset, a function whose code is another, the bootstrap version
// parameter, then lets plant alter the manifest, the asset manifest and the template.
func assetAssembly(t *testing.T, plant func(manifest, assets, template map[string]any)) []cfnupdate.Stack {
	dir := t.TempDir()
	const bucket = "cdk-hnb659fds-assets-${AWS::AccountId}-us-west-2"
	destination := func(key string) map[string]any {
		return map[string]any{"d": map[string]any{"bucketName": bucket, "objectKey": key}}
	}
	assets := map[string]any{"files": map[string]any{
		"aaa": map[string]any{"source": map[string]any{"path": "asset.aaa"}, "destinations": destination("aaa.zip")},
		"ttt": map[string]any{"source": map[string]any{"path": "Network.template.json"}, "destinations": destination("ttt.json")},
		"fff": map[string]any{"source": map[string]any{"path": "Fleet.template.json"}, "destinations": destination("fff.json")},
	}}
	manifest := map[string]any{"artifacts": map[string]any{
		"Network.assets": map[string]any{"type": "cdk:asset-manifest", "properties": map[string]any{"file": "Network.assets.json"}},
		"Network": map[string]any{"type": "aws:cloudformation:stack", "dependencies": []any{"Network.assets"}, "properties": map[string]any{
			"templateFile": "Network.template.json", "stackName": "privatepatch-network", "stackTemplateAssetObjectUrl": "s3://" + bucket + "/ttt.json",
			"bootstrapStackVersionSsmParameter": "/cdk-bootstrap/hnb659fds/version"}},
	}}
	template := map[string]any{"Resources": map[string]any{"Handler": map[string]any{"Type": "AWS::Lambda::Function", "Properties": map[string]any{
		"Code": map[string]any{"S3Bucket": map[string]any{"Fn::Sub": bucket}, "S3Key": "aaa.zip"}}}},
		"Parameters": map[string]any{"BootstrapVersion": map[string]any{"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/cdk-bootstrap/hnb659fds/version"}}}
	plant(manifest, assets, template)
	for name, v := range map[string]any{"manifest.json": manifest, "Network.assets.json": assets, "Network.template.json": template, "Fleet.template.json": template} {
		data, err := json.Marshal(v)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	require.NoError(t, os.Mkdir(filepath.Join(dir, "asset.aaa"), 0o755))
	stacks, err := cfnupdate.ReadStacks(dir)
	require.NoError(t, err)
	return stacks
}

// A stack's template object and its function's code are where its asset manifest publishes them;
// run 25's plantings (A20: the Network artifact's URL is the Fleet template's object; B20: the
// handler's objectKey renamed; A07: the BootstrapVersion parameter renamed) and a templateFile of
// another stack are each named.
func TestStackAssetsNameRunTwentyFivePlantings(t *testing.T) {
	assert.Empty(t, StackAssets(assetAssembly(t, func(_, _, _ map[string]any) {})))
	stack := func(m map[string]any) map[string]any {
		return m["artifacts"].(map[string]any)["Network"].(map[string]any)["properties"].(map[string]any)
	}
	asset := func(a map[string]any, id string) map[string]any {
		return a["files"].(map[string]any)[id].(map[string]any)["destinations"].(map[string]any)["d"].(map[string]any)
	}
	for _, c := range []struct {
		name, wants string
		plant       func(manifest, assets, template map[string]any)
	}{
		{"A20: the Fleet template's object", "stackTemplateAssetObjectUrl s3://cdk-hnb659fds-assets-${AWS::AccountId}-us-west-2/fff.json is not where", func(m, _, _ map[string]any) {
			stack(m)["stackTemplateAssetObjectUrl"] = "s3://cdk-hnb659fds-assets-${AWS::AccountId}-us-west-2/fff.json"
		}},
		{"B20: the handler's key renamed", "function Handler: code s3://cdk-hnb659fds-assets-${AWS::AccountId}-us-west-2/aaa.zip is no object", func(_, a, _ map[string]any) {
			asset(a, "aaa")["objectKey"] = "aaa-v2.zip"
		}},
		{"the handler's source missing", "function Handler: code", func(_, a, _ map[string]any) {
			a["files"].(map[string]any)["aaa"].(map[string]any)["source"] = map[string]any{"path": "asset.gone"}
		}},
		{"A07: the version parameter renamed", "parameter BootstrapVersion names /cdk-bootstrap/hnb659fds/version-v2, and the manifest's", func(_, _, template map[string]any) {
			template["Parameters"].(map[string]any)["BootstrapVersion"].(map[string]any)["Default"] = "/cdk-bootstrap/hnb659fds/version-v2"
		}},
		{"A07 in both, another qualifier's", "names /cdk-bootstrap/other/version, not /cdk-bootstrap/hnb659fds/version", func(m, _, template map[string]any) {
			template["Parameters"].(map[string]any)["BootstrapVersion"].(map[string]any)["Default"] = "/cdk-bootstrap/other/version"
			stack(m)["bootstrapStackVersionSsmParameter"] = "/cdk-bootstrap/other/version"
		}},
		{"another stack's template file", "templateFile Fleet.template.json, not Network.template.json", func(m, _, _ map[string]any) {
			stack(m)["templateFile"] = "Fleet.template.json"
		}},
	} {
		assert.Contains(t, joined(StackAssets(assetAssembly(t, c.plant))), c.wants, c.name)
	}
}

// Neighbour: code in a bucket of the user's own is no asset's, and a stack without a template
// URL (the legacy synthesiser's) is not judged by one.
func TestStackAssetsLeaveOwnBucketsAndLegacyStacks(t *testing.T) {
	stacks := assetAssembly(t, func(m, _, _ map[string]any) {
		delete(m["artifacts"].(map[string]any)["Network"].(map[string]any)["properties"].(map[string]any), "stackTemplateAssetObjectUrl")
	})
	code := stacks[0].Template["Resources"].(map[string]any)["Handler"].(map[string]any)["Properties"].(map[string]any)["Code"].(map[string]any)
	code["S3Bucket"], code["S3Key"] = "my-artifacts", "handler-v7.zip"
	assert.Empty(t, StackAssets(stacks))
}
