package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNormaliseReplacesAssetHashesAndCdkVersionMetadataOnly(t *testing.T) {
	hash := "02b51ab524e7bcf8f477de3e71e5f9a72e448301b26ba62e9e75a14f9c55a093"
	got, err := Normalise([]byte(`{"Resources":{"CDKMetadata":{"Type":"AWS::CDK::Metadata","Properties":{"Analytics":"v2:deflate64:H4sI"},"Condition":"CDKMetadataAvailable"},
		"Fn":{"Type":"AWS::Lambda::Function","Properties":{"Code":{"S3Key":"` + hash + `.zip"},"MemorySize":128}}},
		"Conditions":{"CDKMetadataAvailable":{"Fn::Or":[]}}}`))
	require.NoError(t, err)
	assert.Equal(t, `{
  "Resources": {
    "Fn": {
      "Properties": {
        "Code": {
          "S3Key": "ASSET-HASH.zip"
        },
        "MemorySize": 128
      },
      "Type": "AWS::Lambda::Function"
    }
  }
}
`, string(got))
	kept, err := Normalise([]byte(`{"Conditions":{"Mine":{"Fn::Equals":["a","b"]},"CDKMetadataAvailable":{}}}`))
	require.NoError(t, err)
	assert.Contains(t, string(kept), `"Mine"`, "the template's own conditions stay")
}

// fakeApp writes one template whose only value is the configuration file's text, where the app
// would write its cloud assembly, and fails on a configuration containing "broken".
func fakeApp(t *testing.T) string {
	app := filepath.Join(t.TempDir(), "app")
	require.NoError(t, os.WriteFile(app, []byte(`#!/bin/bash
set -e
if grep -q broken "$PRIVATEPATCH_CONFIG"; then echo "privatepatch: broken: 1 configuration problem(s)" >&2; exit 1; fi
[ -f cdk.json ] || { echo "cdk.json not found" >&2; exit 1; }
[ -z "$CDK_DEFAULT_REGION" ] || { echo "the caller's region leaked in" >&2; exit 1; }
mkdir -p "$CDK_OUTDIR/assembly-prod"
printf '{"Resources":{"Topic":{"Type":"AWS::SNS::Topic","Properties":{"DisplayName":"%s"}}}}' "$(head -1 "$PRIVATEPATCH_CONFIG")" > "$CDK_OUTDIR/Network.template.json"
cp "$CDK_OUTDIR/Network.template.json" "$CDK_OUTDIR/assembly-prod/ProdFleet.template.json"
echo '{}' > "$CDK_OUTDIR/manifest.json"
`), 0o755))
	return app
}

func sampleRoot(t *testing.T, configs map[string]string) string {
	root := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(root, "cdk.json"), []byte(`{"app":"go run ./app"}`), 0o644))
	for path, text := range configs {
		require.NoError(t, os.MkdirAll(filepath.Join(root, filepath.Dir(path)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(root, path), []byte(text), 0o644))
	}
	return root
}

func check(t *testing.T, root, app string) (string, []stale) {
	want, err := synthesise(root, app, nil)
	require.NoError(t, err)
	found, err := compare(root, want)
	require.NoError(t, err)
	var out bytes.Buffer
	if len(found) > 0 {
		report(&out, found)
	}
	return out.String(), found
}

func TestSnapshotWritesEachConfigurationsTemplatesAndTheCheckNamesWhatIsStale(t *testing.T) {
	t.Setenv("CDK_DEFAULT_REGION", "eu-west-1")
	app := fakeApp(t)
	root := sampleRoot(t, map[string]string{"config/mine.yaml": "project: mine\n", "configs/prod.yaml": "project: prod\n", "configs/notes.txt": "not a configuration"})

	out, found := check(t, root, app)
	assert.Len(t, found, 4, "nothing written yet: every template is missing")
	assert.Contains(t, out, "run make snapshot, review the template changes and commit snapshots/")

	want, err := synthesise(root, app, nil)
	require.NoError(t, err)
	require.NoError(t, write(root, want))
	for _, path := range []string{"config/mine/Network.template.json", "config/mine/assembly-prod/ProdFleet.template.json", "configs/prod/Network.template.json"} {
		assert.FileExists(t, filepath.Join(root, "snapshots", path))
	}
	_, found = check(t, root, app)
	assert.Empty(t, found, "written and unchanged: current")

	// Planted: a changed configuration, a removed one, a hand-edited snapshot.
	require.NoError(t, os.WriteFile(filepath.Join(root, "configs", "prod.yaml"), []byte("project: prod2\n"), 0o644))
	require.NoError(t, os.Remove(filepath.Join(root, "config", "mine.yaml")))
	out, found = check(t, root, app)
	assert.Equal(t, []stale{
		{"snapshots/configs/prod/Network.template.json", "differs from the synthesised template"},
		{"snapshots/configs/prod/assembly-prod/ProdFleet.template.json", "differs from the synthesised template"},
		{"snapshots/config/mine/Network.template.json", "no configuration synthesises it any more"},
		{"snapshots/config/mine/assembly-prod/ProdFleet.template.json", "no configuration synthesises it any more"},
	}, found)
	assert.Contains(t, out, "snapshots/configs/prod/Network.template.json: differs")
	assert.Contains(t, out, "run make snapshot")

	want, err = synthesise(root, app, nil)
	require.NoError(t, err)
	require.NoError(t, write(root, want))
	assert.NoDirExists(t, filepath.Join(root, "snapshots", "config", "mine"), "a removed configuration's snapshots go")
	_, found = check(t, root, app)
	assert.Empty(t, found)
}

func TestSnapshotRefusesABrokenConfigurationAndAnEmptyRepository(t *testing.T) {
	app := fakeApp(t)
	_, err := synthesise(sampleRoot(t, map[string]string{"configs/prod.yaml": "broken\n"}), app, nil)
	assert.ErrorContains(t, err, "configs/prod.yaml does not synthesise")
	assert.ErrorContains(t, err, "broken: 1 configuration problem(s)")
	_, err = synthesise(sampleRoot(t, nil), app, nil)
	assert.ErrorContains(t, err, "no configuration under")
}

// A configuration the caller already synthesised (make test passes the app's direct run of the
// default) is read from its directory, not run again, and gives the snapshot a run would; a
// directory without templates, or a configuration the repository does not keep, is refused.
func TestSnapshotReadsTheTemplatesAlreadySynthesisedForAConfiguration(t *testing.T) {
	t.Setenv("CDK_DEFAULT_REGION", "eu-west-1")
	app := fakeApp(t)
	root := sampleRoot(t, map[string]string{"config/mine.yaml": "project: mine\n", "configs/prod.yaml": "project: prod\n"})
	ran, err := synthesise(root, app, nil)
	require.NoError(t, err)

	out, err := runApp(root, app, "configs/prod.yaml")
	require.NoError(t, err)
	defer os.RemoveAll(out)
	read, err := synthesise(root, app, synthesisedFlag{"configs/prod.yaml": out})
	require.NoError(t, err)
	assert.Equal(t, ran, read)

	// Planted: the directory holds another configuration's templates, so the snapshot differs.
	other, err := runApp(root, app, "config/mine.yaml")
	require.NoError(t, err)
	defer os.RemoveAll(other)
	read, err = synthesise(root, app, synthesisedFlag{"configs/prod.yaml": other})
	require.NoError(t, err)
	assert.NotEqual(t, ran["snapshots/configs/prod/Network.template.json"], read["snapshots/configs/prod/Network.template.json"])

	_, err = synthesise(root, app, synthesisedFlag{"configs/prod.yaml": t.TempDir()})
	assert.ErrorContains(t, err, "configs/prod.yaml: no template in")
	_, err = synthesise(root, app, synthesisedFlag{"configs/absent.yaml": out})
	assert.ErrorContains(t, err, "-synthesised configs/absent.yaml: not a configuration under")
	assert.Error(t, synthesisedFlag{}.Set("configs/prod.yaml"), "CONFIG=DIR")
}
