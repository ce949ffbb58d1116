package assembly

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFailedSynthLeavesNoTemplate covers a synth that fails after validation, half-way through
// CDK: the templates of the stacks written before the failure are there, the manifest is not.
func TestFailedSynthLeavesNoTemplate(t *testing.T) {
	for name, files := range map[string][]string{
		"stacks_before_the_failure": {"Network.template.json", "Network.assets.json"},
		"stage_of_an_environment":   {"assembly-prod/prod-Network.template.json"},
		"earlier_assembly":          {"manifest.json", "cdk.out", "Fleet.template.json"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range files {
				require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755))
				require.NoError(t, os.WriteFile(filepath.Join(dir, f), []byte("{}"), 0o644))
			}
			Clear(dir)
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			assert.Empty(t, entries)
		})
	}
	t.Run("not_an_assembly", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644))
		Clear(dir)
		assert.FileExists(t, filepath.Join(dir, "notes.txt"), "a folder that holds no assembly is left alone")
	})
}
