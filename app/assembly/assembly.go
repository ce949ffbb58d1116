// Package assembly clears a cloud assembly a failed synth leaves behind. It holds no CDK, so
// its test builds without the CDK bindings.
package assembly

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Clear empties outdir when it holds a cloud assembly, whole or partly written, so that
// a failed synth leaves no template, neither of an earlier synth nor of the stacks written
// before the failure (CDK writes each stack's template before the manifest), for a pipeline to
// pick up. Anything else is left alone.
func Clear(outdir string) {
	if outdir == "" {
		return
	}
	entries, err := os.ReadDir(outdir)
	if err != nil || !slices.ContainsFunc(entries, isAssemblyFile) {
		return
	}
	for _, e := range entries {
		os.RemoveAll(filepath.Join(outdir, e.Name()))
	}
}

// isAssemblyFile reports whether e is one of the files CDK writes into a cloud assembly.
func isAssemblyFile(e os.DirEntry) bool {
	name := e.Name()
	switch {
	case name == "manifest.json", name == "cdk.out", name == "tree.json":
		return true
	case strings.HasSuffix(name, ".template.json"), strings.HasSuffix(name, ".assets.json"):
		return true
	case strings.HasPrefix(name, "assembly-") && e.IsDir():
		return true
	}
	return false
}
