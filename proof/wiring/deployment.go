package wiring

import (
	"maps"
	"slices"

	"github.com/privatepatch/privatepatch/config"
)

// Deployment is every check of this package over one deployment's network, patching and fleet
// templates (any may be nil), with what the configuration d says of them: the patch groups its
// baselines serve, the tag keys it names, the user's own alarms. make verify prints it; the tests
// run it over every scenario.
func Deployment(network, patching, fleet map[string]any, d *config.Config) (problems, notes []string) {
	var served []string
	for _, b := range d.PatchBaselines() {
		served = append(served, b.PatchGroups...)
	}
	problems, notes = Patching(patching, served)
	problems = append(problems, SpecProblems(patching)...)
	problems = append(problems, Fleet(fleet)...)
	named := append([]string{d.Fleet.Tag.Key}, config.PatchGroupTagKeys...)
	named = append(append(named, slices.Collect(maps.Keys(d.Assets.TagPolicy))...), slices.Collect(maps.Keys(d.Tags))...)
	problems = append(problems, Tags(patching, fleet, named)...)
	problems = append(problems, Namespaces(patching, fleet)...)
	problems = append(problems, Outputs(patching, fleet)...)
	problems = append(problems, Documents(fleet, patching)...)
	problems = append(problems, Keys(network, fleet, patching)...)
	problems = append(problems, Regions(d.Region, network, fleet, patching)...)
	problems = append(problems, Intent(patching, fleet, d.Region, d.Fleet.Tag.Key, d.Fleet.Tag.Value)...)
	var external []string
	for _, w := range d.Patching.MaintenanceWindows {
		for _, t := range w.Tasks {
			external = append(external, t.StopOnAlarms...)
		}
	}
	resources, _ := patching["Resources"].(map[string]any)
	problems = append(problems, compositeRules(resources, external)...)
	return append(problems, Rules(patching)...), notes
}
