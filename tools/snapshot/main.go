// Command snapshot writes the templates of every configuration a repository keeps (config/*.yaml
// and configs/*.yaml) to snapshots/<config dir>/<name>/, normalised so that they diff cleanly in a
// pull request, or (-check) says which of them are stale and the command that refreshes them.
//
//	make snapshot            write them (commit snapshots/)
//	make snapshot CHECK=1    compare only: exit 1 naming each stale, missing or orphaned file
//
// Each configuration is synthesised by the app binary (-app) run from the root, as go run ./app
// runs (cdk.json's feature flags, cdk.context.json's cached lookups), with nothing of the caller's
// credentials: CDK_DEFAULT_ACCOUNT and CDK_DEFAULT_REGION are dropped, so a configuration without
// a region is refused rather than snapshotted for whoever ran it.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Dir is the folder, under the root, that holds the snapshots.
const Dir = "snapshots"

// refresh is the command that rewrites them, named by every stale report.
const refresh = "make snapshot"

func main() {
	flag.Usage = func() {
		fmt.Fprint(flag.CommandLine.Output(), `Usage: make snapshot [CHECK=1]    (or: go run ./tools/snapshot -app cdk.out/bin/app [-check] [-root DIR])

Synthesises every configuration under config/ and configs/ and writes its templates, normalised
(asset hashes and CDK's version metadata replaced), to snapshots/<dir>/<name>/<stack>.template.json,
removing the snapshots of configurations that are gone. With -check it writes nothing and exits 1
naming each stale, missing or orphaned snapshot and the command that refreshes them.

`)
		flag.PrintDefaults()
	}
	root := flag.String("root", ".", "the project root: config/, configs/, cdk.json, snapshots/")
	app := flag.String("app", "", "the app binary (go build -o cdk.out/bin/app ./app)")
	check := flag.Bool("check", false, "compare only, write nothing")
	synthesised := synthesisedFlag{}
	flag.Var(synthesised, "synthesised", "CONFIG=DIR: the templates the same app already wrote to DIR for CONFIG (e.g. config/default.yaml), read instead of running it again (repeatable)")
	flag.Parse()
	if *app == "" {
		flag.Usage()
		os.Exit(2)
	}
	want, err := synthesise(*root, *app, synthesised)
	if err != nil {
		fmt.Fprintln(os.Stderr, "snapshot:", err)
		os.Exit(2)
	}
	if *check {
		stale, err := compare(*root, want)
		if err != nil {
			fmt.Fprintln(os.Stderr, "snapshot:", err)
			os.Exit(2)
		}
		if len(stale) > 0 {
			report(os.Stderr, stale)
			os.Exit(1)
		}
		fmt.Printf("snapshot: %d templates of %s are current\n", len(want), Dir)
		return
	}
	if err := write(*root, want); err != nil {
		fmt.Fprintln(os.Stderr, "snapshot:", err)
		os.Exit(2)
	}
	fmt.Printf("snapshot: wrote %d templates to %s/: review and commit them\n", len(want), Dir)
}

// Configurations are the configuration files the repository keeps, relative to root, sorted.
func Configurations(root string) ([]string, error) {
	var found []string
	for _, dir := range []string{"config", "configs"} {
		matches, err := filepath.Glob(filepath.Join(root, dir, "*.yaml"))
		if err != nil {
			return nil, err
		}
		for _, m := range matches {
			found = append(found, filepath.Join(dir, filepath.Base(m)))
		}
	}
	if len(found) == 0 {
		return nil, fmt.Errorf("no configuration under %s: nothing to snapshot", filepath.Join(root, "config")+" or configs")
	}
	slices.Sort(found)
	return found, nil
}

// SnapshotDir is where a configuration's templates go: config/default.yaml ->
// snapshots/config/default.
func SnapshotDir(config string) string {
	return filepath.Join(Dir, strings.TrimSuffix(config, ".yaml"))
}

// synthesisedFlag is -synthesised: configuration -> the directory its templates are in.
type synthesisedFlag map[string]string

func (f synthesisedFlag) String() string { return fmt.Sprint(map[string]string(f)) }

func (f synthesisedFlag) Set(value string) error {
	config, dir, ok := strings.Cut(value, "=")
	if !ok || config == "" || dir == "" {
		return fmt.Errorf("%q is not CONFIG=DIR", value)
	}
	f[filepath.Clean(config)] = dir
	return nil
}

// synthesise runs the app for each configuration (or reads the templates it already wrote, in
// synthesised) and returns the normalised templates by their path under root.
func synthesise(root, app string, synthesised map[string]string) (map[string][]byte, error) {
	configs, err := Configurations(root)
	if err != nil {
		return nil, err
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	for config := range synthesised {
		if !slices.Contains(configs, config) {
			return nil, fmt.Errorf("-synthesised %s: not a configuration under %s (%s)", config, root, strings.Join(configs, ", "))
		}
	}
	want := map[string][]byte{}
	for _, config := range configs {
		out, ok := synthesised[config]
		if !ok {
			if out, err = runApp(absRoot, app, config); err != nil {
				return nil, err
			}
			defer os.RemoveAll(out)
		}
		if err := collect(want, out, config); err != nil {
			return nil, err
		}
	}
	return want, nil
}

// runApp synthesises config into a new directory and returns it.
func runApp(absRoot, app, config string) (string, error) {
	out, err := os.MkdirTemp("", "privatepatch-snapshot")
	if err != nil {
		return "", err
	}
	cmd := exec.Command(app)
	cmd.Dir = absRoot
	cmd.Env = append(environment(), "CDK_OUTDIR="+out, "PRIVATEPATCH_CONFIG="+filepath.Join(absRoot, config))
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if err := cmd.Run(); err != nil {
		os.RemoveAll(out)
		return "", fmt.Errorf("%s does not synthesise (%v): %s", config, err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// collect adds the normalised templates under out, config's, to want.
func collect(want map[string][]byte, out, config string) error {
	var found int
	err := filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".template.json") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		normal, err := Normalise(data)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		rel, err := filepath.Rel(out, path)
		if err != nil {
			return err
		}
		want[filepath.Join(SnapshotDir(config), rel)] = normal
		found++
		return nil
	})
	if err == nil && found == 0 {
		err = fmt.Errorf("%s: no template in %s", config, out)
	}
	return err
}

// environment is the caller's, without what would make a snapshot depend on who runs it: the
// credentials' account and region, and a CDK CLI's context.
func environment() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "CDK_DEFAULT_ACCOUNT", "CDK_DEFAULT_REGION", "CDK_CONTEXT_JSON", "CDK_OUTDIR", "PRIVATEPATCH_CONFIG":
			continue
		}
		env = append(env, kv)
	}
	return env
}

// assetHash matches the content hashes of asset file names and S3 keys, which change with every
// CDK release and build machine (as the goldens in test/testdata normalise them).
var assetHash = regexp.MustCompile(`[a-f0-9]{64}`)

// Normalise returns the template with what changes without a change of the configuration
// replaced by fixed tokens: asset hashes become ASSET-HASH, and CDK's version report (the
// CDKMetadata resource, whose Analytics value encodes the CDK version and construct list, and
// its condition) is removed. Keys are sorted and indented, one value a line, so a diff shows the
// changed property.
func Normalise(template []byte) ([]byte, error) {
	var t map[string]any
	if err := json.Unmarshal(assetHash.ReplaceAll(template, []byte("ASSET-HASH")), &t); err != nil {
		return nil, err
	}
	if resources, ok := t["Resources"].(map[string]any); ok {
		delete(resources, "CDKMetadata")
	}
	if conditions, ok := t["Conditions"].(map[string]any); ok {
		delete(conditions, "CDKMetadataAvailable")
		if len(conditions) == 0 {
			delete(t, "Conditions")
		}
	}
	data, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// stale is one snapshot that differs from the synthesised template.
type stale struct{ path, why string }

// compare returns each file under root/snapshots that differs, is missing or has no
// configuration any more.
func compare(root string, want map[string][]byte) ([]stale, error) {
	have, err := existing(root)
	if err != nil {
		return nil, err
	}
	var found []stale
	for _, path := range slices.Sorted(maps.Keys(want)) {
		data, ok := have[path]
		switch {
		case !ok:
			found = append(found, stale{path, "missing"})
		case !bytes.Equal(data, want[path]):
			found = append(found, stale{path, "differs from the synthesised template"})
		}
	}
	for _, path := range slices.Sorted(maps.Keys(have)) {
		if _, ok := want[path]; !ok {
			found = append(found, stale{path, "no configuration synthesises it any more"})
		}
	}
	return found, nil
}

func report(w io.Writer, found []stale) {
	fmt.Fprintf(w, "snapshot: %d snapshot(s) of %s are stale:\n", len(found), Dir)
	for _, s := range found {
		fmt.Fprintf(w, "  %s: %s\n", s.path, s.why)
	}
	fmt.Fprintf(w, "run %s, review the template changes and commit %s/\n", refresh, Dir)
}

// existing reads every file under root/snapshots, by its path under root.
func existing(root string) (map[string][]byte, error) {
	have := map[string][]byte{}
	err := filepath.WalkDir(filepath.Join(root, Dir), func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path == filepath.Join(root, Dir) {
			return fs.SkipAll
		}
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		have[rel] = data
		return nil
	})
	return have, err
}

// write replaces root/snapshots with want.
func write(root string, want map[string][]byte) error {
	if err := os.RemoveAll(filepath.Join(root, Dir)); err != nil {
		return err
	}
	for path, data := range want {
		full := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
