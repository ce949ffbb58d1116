package wiring

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// ConfiguredBaselines checks each patch baseline of the template against the configuration's of
// that name (config.PatchBaselines, defaults applied), field by field, and names a baseline of
// either side the other lacks. The rules the configuration is validated by hold for what the
// template says (SpecProblems), but a valid baseline can still be another than the one asked
// for: a source's gpgcheck=0 (unsigned packages installed as root), DefaultBaseline true (every
// ungrouped node of the account and region patched by it) (mutation run 19's B13, B20). The
// Description is left out: it is the construct's wording.
func ConfiguredBaselines(patching map[string]any, d *config.Config) []string {
	want := map[string]patchingspec.Baseline{}
	for _, b := range d.PatchBaselines() {
		want[b.Name] = b.Baseline.WithDefaults()
	}
	var problems []string
	seen := map[string]bool{}
	baselines := cfntemplate.OfType(cfntemplate.Resources(patching), "AWS::SSM::PatchBaseline")
	for _, id := range slices.Sorted(maps.Keys(baselines)) {
		got := templateBaseline(baselines[id])
		w, ok := want[got.Name]
		if !ok {
			problems = append(problems, fmt.Sprintf("baseline %s (%s): the configuration has no baseline of that name", id, got.Name))
			continue
		}
		seen[got.Name] = true
		for _, field := range baselineFields(w, got) {
			problems = append(problems, fmt.Sprintf("baseline %s (%s): %s", id, got.Name, field))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(want)) {
		if !seen[name] {
			problems = append(problems, fmt.Sprintf("baseline %s of the configuration is not in the template", name))
		}
	}
	return problems
}

// baselineFields names each field the two baselines differ in, with both values.
func baselineFields(want, got patchingspec.Baseline) []string {
	fields := func(b patchingspec.Baseline) map[string]string {
		b.Name, b.Description = "", ""
		out := map[string]string{}
		data, _ := json.Marshal(b)
		var raw map[string]json.RawMessage
		_ = json.Unmarshal(data, &raw)
		for k, v := range raw {
			if s := string(v); s != "null" && s != "[]" && s != "{}" && s != `""` && s != "false" {
				out[k] = s
			}
		}
		return out
	}
	w, g := fields(want), fields(got)
	var diffs []string
	for _, k := range slices.Sorted(maps.Keys(maps.Collect(func(yield func(string, bool) bool) {
		for k := range w {
			yield(k, true)
		}
		for k := range g {
			yield(k, true)
		}
	}))) {
		if w[k] != g[k] {
			diffs = append(diffs, fmt.Sprintf("%s is %s, the configuration's %s", k, orNone(g[k]), orNone(w[k])))
		}
	}
	return diffs
}

func orNone(s string) string {
	if s == "" {
		return "unset"
	}
	return s
}
