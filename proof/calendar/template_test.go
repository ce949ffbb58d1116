package calendar

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

func goldenPatching(t *testing.T, scenario string) map[string]any {
	t.Helper()
	template, err := cfntemplate.ReadFile("../../test/testdata/" + scenario + ".patching.template.json")
	require.NoError(t, err)
	return template
}

func resourceProps(template map[string]any, id string) map[string]any {
	return template["Resources"].(map[string]any)[id].(map[string]any)["Properties"].(map[string]any)
}

// The plan read from the shipped configurations' golden templates is the plan of the
// configurations (the construct declares what the configuration says); a planted change of a
// window's schedule or a baseline's delay shows in the plan read from the template, which verify
// judges.
func TestThePlanFromTheTemplateIsTheConfigurationsUntilTheTemplateDiffers(t *testing.T) {
	example, err := config.LoadFile("../../config/example.yaml")
	require.NoError(t, err)
	byDefault, err := config.LoadDefault()
	require.NoError(t, err)
	for scenario, cfg := range map[string]*config.Config{"default": byDefault, "example": example} {
		fromTemplate, err := FromTemplate(goldenPatching(t, scenario), cfg, from)
		require.NoError(t, err, scenario)
		fromConfig := FromConfig(cfg, from)
		assert.Equal(t, fromConfig.Windows, fromTemplate.Windows, scenario)
		assert.Equal(t, fromConfig.Groups, fromTemplate.Groups, scenario)
	}

	template := goldenPatching(t, "default")
	resourceProps(template, "MaintenanceWindowsprivatepatchweeklyWindowE6C2AFD8")["Schedule"] = "cron(0 2 ? * SAT *)"
	resourceProps(template, "Baselinesprivatepatchwindows49F4305F")["ApprovalRules"].(map[string]any)["PatchRules"].([]any)[0].(map[string]any)["ApproveAfterDays"] = 70.0
	plan, err := FromTemplate(template, byDefault, from)
	require.NoError(t, err)
	assert.Equal(t, "cron(0 2 ? * SAT *)", plan.Windows[0].Schedule)
	assert.Equal(t, 70, plan.Groups["windows"].Delays["Critical"])
	c, err := Compute(plan)
	require.NoError(t, err)
	var out strings.Builder
	c.Print(&out)
	assert.Contains(t, out.String(), "+70d", "the printed calendar is the template's")

	// A baseline that no longer registers the group: whatever the configuration says, the
	// account's default baseline decides, which the template does not show: not judged (a
	// reviewer's planting: the calendar showed the configured delays, then AWS's default's).
	delete(resourceProps(template, "Baselinesprivatepatchwindows49F4305F"), "PatchGroups")
	plan, err = FromTemplate(template, byDefault, from)
	require.NoError(t, err)
	assert.Contains(t, plan.Groups["windows"].NotJudged, "no baseline of these stacks registers it")
	plan.Deadlines = map[string]int{"Critical": 3} // AWS's default baseline (7 days) would miss it
	c, err = Compute(plan)
	require.NoError(t, err)
	assert.NotContains(t, strings.Join(c.Problems, "\n"), "patch group windows", "a group not judged fails no deadline")
	// A Linux baseline's group: MSRC deadlines are Windows's.
	assert.Contains(t, groupOf("linux", patchingspecBaseline("AMAZON_LINUX_2023"), severities).NotJudged, "MSRC severities and their deadlines are Windows's")

	resourceProps(template, "MaintenanceWindowsprivatepatchweeklyWindowE6C2AFD8")["Name"] = "renamed"
	_, err = FromTemplate(template, byDefault, from)
	assert.ErrorContains(t, err, "window renamed (MaintenanceWindowsprivatepatchweeklyWindowE6C2AFD8) of the template is not one of the configuration's")
}

func patchingspecBaseline(os string) patchingspec.Baseline {
	return patchingspec.Baseline{Name: "al2023", OperatingSystem: os}
}

// A patch group may have a baseline for each operating system: its Windows one is the one the
// deadlines judge, whichever logical ID sorts first, and the plan does not follow map order.
func TestAGroupWithAWindowsAndALinuxBaselineIsJudgedByItsWindowsOne(t *testing.T) {
	for _, linuxID := range []string{"ABaselineLinux", "ZBaselineLinux"} {
		resources := map[string]any{
			linuxID:            map[string]any{"Type": "AWS::SSM::PatchBaseline", "Properties": map[string]any{"Name": "rhel9", "OperatingSystem": "REDHAT_ENTERPRISE_LINUX", "PatchGroups": []any{"prod"}}},
			"MBaselineWindows": map[string]any{"Type": "AWS::SSM::PatchBaseline", "Properties": map[string]any{"Name": "windows", "PatchGroups": []any{"prod"}}},
			"NBaselineSuse":    map[string]any{"Type": "AWS::SSM::PatchBaseline", "Properties": map[string]any{"Name": "suse15", "OperatingSystem": "SUSE", "PatchGroups": []any{"linux"}}},
			"OBaselineAmazon":  map[string]any{"Type": "AWS::SSM::PatchBaseline", "Properties": map[string]any{"Name": "al2023", "OperatingSystem": "AMAZON_LINUX_2023", "PatchGroups": []any{"linux"}}},
		}
		for range 20 {
			baselines, _ := templateBaselines(resources)
			assert.Equal(t, "windows", baselines["prod"].Name, linuxID)
			assert.Equal(t, "suse15", baselines["linux"].Name, "no Windows baseline: the first by logical ID")
		}
	}
}
