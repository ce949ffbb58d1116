package test

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/proof/controltower"
)

// TestTemplatesPassAwsControlTowerProactiveControls runs every AWS Control Tower proactive
// control (cfn-guard rules) that checks a resource type the templates declare over the stacks
// that differ in what they declare, as an account with those controls enabled would before
// deploying. The controls in controltower.NotAdopted are not run.
func TestTemplatesPassAwsControlTowerProactiveControls(t *testing.T) {
	waitsInParallel(t)
	require.NoError(t, controlTowerCheck.prepared())
	controlTowerCheck.ran()
	require.NoError(t, controlTower.err)
	assert.ElementsMatch(t, keysOf(controltower.NotAdopted), controlTower.skipped, "each control not adopted checks a resource type the templates declare")
	require.Contains(t, controlTower.rules, filepath.Join(controlTower.guard.Rules, "ec2", "ct-ec2-pr-5.guard"))
	files := slices.Sorted(maps.Keys(controlTowerCheck.templates))
	for _, file := range files {
		assert.Empty(t, controlTower.failing[file], "Control Tower controls fail in %s: fix the template, or add them to controltower.NotAdopted with the reason:\n%s",
			filepath.Base(file), controlTower.output[file])
	}
	t.Logf("%d templates, %d controls run, %d not adopted", len(files), len(controlTower.rules), len(controltower.NotAdopted))
}

var (
	controlTowerCheck = &externalCheck{prepare: prepareControlTower, run: runControlTower}
	controlTower      struct {
		guard   controltower.Guard
		rules   []string // those that apply to any of the templates
		skip    map[string]bool
		skipped []string // the controls in skip that apply
		failing map[string][]string
		output  map[string]string
		err     error
	}
)

func prepareControlTower(c *externalCheck) error {
	guard, err := controltower.Find("..")
	if err != nil {
		return err
	}
	controlTower.guard, controlTower.skip = guard, map[string]bool{}
	// Each template that differs in what it declares, once: cfn-guard takes up to a second a template.
	for _, g := range []struct {
		s      *scenario
		stacks []string
	}{
		{defaultScenario, []string{"network", "fleet", "patching"}}, {exampleScenario, []string{"network", "fleet", "patching"}},
		{natScenario, []string{"network"}}, {flowLogsToS3, []string{"network"}},
		{natWithoutWsus, []string{"fleet"}}, {wsusHTTPS, []string{"fleet"}}, {richPatching, []string{"fleet", "patching"}},
	} {
		if g.s.build(); g.s.err != nil {
			return fmt.Errorf("scenario %s did not synthesise: %v", g.s.name, g.s.err)
		}
		for _, stack := range g.stacks {
			template := map[string]map[string]any{"network": g.s.template, "fleet": g.s.fleetJSON, "patching": g.s.patchJSON}[stack]
			if _, err := c.write(g.s.name+"."+stack, template); err != nil {
				return err
			}
		}
	}
	// The pipeline stack and CodePipeline's support stack in the other region.
	if buildPipeline(); pipelineErr != nil {
		return fmt.Errorf("the pipeline app did not synthesise: %v", pipelineErr)
	}
	for _, stack := range pipelineOwnStacks() {
		if _, err := c.write("pipeline."+*stack.Id(), stack.Template().(map[string]any)); err != nil {
			return err
		}
	}
	for control := range controltower.NotAdopted {
		controlTower.skip[control] = true
	}
	templates := slices.Collect(maps.Values(c.templates))
	controlTower.rules = guard.RuleFiles(templates, controlTower.skip)
	for _, rule := range guard.RuleFiles(templates, nil) {
		if controlTower.skip[controltower.Control(rule)] {
			controlTower.skipped = append(controlTower.skipped, controltower.Control(rule))
		}
	}
	return nil
}

func runControlTower(c *externalCheck) {
	controlTower.failing, controlTower.output, controlTower.err = controlTower.guard.Failing(c.templates, controlTower.skip)
}
