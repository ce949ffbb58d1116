package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// assetHash matches the content hashes in asset file names and S3 keys, which change with every
// CDK release; they are replaced before comparing so a golden reflects only what we declare.
var assetHash = regexp.MustCompile(`[a-f0-9]{64}`)

func normalised(template map[string]any) map[string]any {
	data, err := json.Marshal(template)
	if err != nil {
		panic(err)
	}
	var out map[string]any
	if err := json.Unmarshal(assetHash.ReplaceAll(data, []byte("ASSET-HASH")), &out); err != nil {
		panic(err)
	}
	return out
}

// TestTemplatesMatchGoldenFiles compares whole templates with test/testdata. After an intended
// change, run `make update-golden` (go test ./test -update) and review the diff.
func TestTemplatesMatchGoldenFiles(t *testing.T) {
	type golden struct {
		s     *scenario
		stack string
	}
	var goldens []golden
	for _, sc := range []*scenario{defaultScenario, exampleScenario, natScenario, flowLogsToS3, existingVpc, existingVpcHub, existingVpcManaged, existingVpcLookup} {
		goldens = append(goldens, golden{sc, "network"})
	}
	for _, sc := range []*scenario{defaultScenario, exampleScenario, natWithoutWsus, wsusHTTPS, richPatching, existingVpcHub} {
		goldens = append(goldens, golden{sc, "fleet"})
	}
	for _, sc := range []*scenario{defaultScenario, exampleScenario, richPatching} {
		goldens = append(goldens, golden{sc, "patching"})
	}
	for _, g := range goldens {
		t.Run(g.s.name+"/"+g.stack, func(t *testing.T) {
			template := map[string]map[string]any{"network": g.s.synth(t).template, "fleet": g.s.fleetJSON, "patching": g.s.patchJSON}[g.stack]
			got := normalised(template)
			path := filepath.Join("testdata", g.s.name+"."+g.stack+".template.json")
			if *update {
				data, err := json.MarshalIndent(got, "", "  ")
				require.NoError(t, err)
				require.NoError(t, os.MkdirAll("testdata", 0o755))
				require.NoError(t, os.WriteFile(path, append(data, '\n'), 0o644))
			}
			data, err := os.ReadFile(path)
			require.NoError(t, err, "no golden file: run make update-golden and review it")
			var want map[string]any
			require.NoError(t, json.Unmarshal(data, &want))
			assert.Equal(t, want, got, "template differs from %s: if intended, run make update-golden and review the diff", path)
		})
	}
}

func TestGoldenNormalisationReplacesAssetHashesOnly(t *testing.T) {
	hash := "02b51ab524e7bcf8f477de3e71e5f9a72e448301b26ba62e9e75a14f9c55a093"
	got := normalised(map[string]any{"S3Key": hash + ".zip", "CidrBlock": "10.0.0.0/16"})
	assert.Equal(t, map[string]any{"S3Key": "ASSET-HASH.zip", "CidrBlock": "10.0.0.0/16"}, got)
}
