package wiring

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// patchingGoldens are every golden patching template, the pipeline stages' included.
func patchingGoldens(t *testing.T) []string {
	paths, err := filepath.Glob("../../test/testdata/*.patching.template.json")
	require.NoError(t, err)
	nested, err := filepath.Glob("../../test/testdata/pipeline*/assembly-*/*Patching*.template.json")
	require.NoError(t, err)
	require.NotEmpty(t, nested)
	return append(paths, nested...)
}

// Run 28's A11: an instance-id window's target names exactly the configured ids; one dropped is
// never patched, one added patches a node nobody configured.
func TestAnInstanceIdWindowTargetsExactlyTheConfiguredIds(t *testing.T) {
	rich, err := config.Parse("rich.yaml", []byte(`
region: us-west-2
network:
  s3PrefixListIds: {us-west-2: pl-68a54001}
  s3PrefixListCidrs: {us-west-2: [54.231.160.0/19]}
patching:
  maintenanceWindows:
    - {name: pinned-instances, schedule: 'cron(0 3 ? * TUE#2 *)', targets: {instanceIds: [i-0123456789abcdef0]}}
`))
	require.NoError(t, err)
	patching := read(t, "../../test/testdata/rich-patching.patching.template.json")
	require.Empty(t, windowPatchGroups(patching, rich))
	target := props(patching, "MaintenanceWindowspinnedinstancesTarget50475E31")["Targets"].([]any)[0].(map[string]any)
	target["Values"] = []any{"i-0123456789abcdef0", "i-0fedcba9876543210"}
	assert.Equal(t, []string{"window pinned-instances: target(s) [MaintenanceWindowspinnedinstancesTarget50475E31] name instance ids [i-0123456789abcdef0 i-0fedcba9876543210], " +
		"the configuration's are [i-0123456789abcdef0] (RegisterTargetWithMaintenanceWindow, Targets, Example 1: the exact nodes it runs on)"}, windowPatchGroups(patching, rich))
	target["Values"] = []any{}
	assert.Contains(t, joined(windowPatchGroups(patching, rich)), "name instance ids [], the configuration's are [i-0123456789abcdef0]")
}

// Run 28's A03: a resource-group target of a patching window selects EC2 instances, by its own
// type filter and, for a group of the stacks, by the group's query.
func TestAResourceGroupPatchTargetSelectsEC2Instances(t *testing.T) {
	for _, path := range patchingGoldens(t) {
		assert.Empty(t, WindowTargetTypes(read(t, path)), path)
	}
	patching := read(t, "../../test/testdata/rich-patching.patching.template.json")
	id := "MaintenanceWindowsafterpatchtuesdayTarget63AF771A"
	filter := props(patching, id)["Targets"].([]any)[1].(map[string]any)
	require.Equal(t, "resource-groups:ResourceTypeFilters", filter["Key"])
	filter["Values"] = []any{"AWS::EC2::Volume"}
	assert.Equal(t, []string{"window target " + id + ": resource-groups:ResourceTypeFilters [AWS::EC2::Volume], without AWS::EC2::Instance: " +
		"AWS-RunPatchBaseline gets no instance of the group, and none is patched (RegisterTargetWithMaintenanceWindow, Targets, Example 5)"}, WindowTargetTypes(patching))
	filter["Values"] = []any{"AWS::EC2::INSTANCE", "AWS::SSM::ManagedInstance"} // the page's spelling, and hybrid nodes beside
	assert.Empty(t, WindowTargetTypes(patching))

	// The group is the stacks' own: its query's type filter is read too.
	cfntemplate.Resources(patching)["PlantedGroup"] = map[string]any{"Type": "AWS::ResourceGroups::Group", "Properties": map[string]any{
		"Name": "windows-servers", "ResourceQuery": map[string]any{"Type": "TAG_FILTERS_1_0", "Query": map[string]any{"ResourceTypeFilters": []any{"AWS::EC2::Volume"}}}}}
	assert.Equal(t, []string{"window target " + id + ": the stacks' resource group windows-servers selects [AWS::EC2::Volume], no AWS::EC2::Instance: AWS-RunPatchBaseline gets no instance of it"}, WindowTargetTypes(patching))
	// Without ResourceTypeFilters a group takes CloudFormation's default, AWS::AllSupported: no
	// false alarm (the second review of session 18's finding 2).
	delete(cfntemplate.Resources(patching)["PlantedGroup"].(map[string]any)["Properties"].(map[string]any)["ResourceQuery"].(map[string]any)["Query"].(map[string]any), "ResourceTypeFilters")
	assert.Empty(t, WindowTargetTypes(patching))
}

// Run 28's A12: each notifying task notifies of the construct's events (FailureNotificationEvents:
// Failed, TimedOut, Cancelled), as Command, to the alerts topic.
func TestEachTaskNotifiesTheAlertsTopicOfFailedTimedOutAndCancelledCommands(t *testing.T) {
	for _, e := range []string{"Failed", "TimedOut", "Cancelled"} {
		assert.Contains(t, patchingspec.FailureNotificationEvents, e)
	}
	for _, e := range patchingspec.FailureNotificationEvents {
		assert.Contains(t, patchingspec.NotificationEvents, e, "an event the API takes")
	}
	assert.Contains(t, patchingspec.NotificationTypes, patchingspec.NotificationType)
	for _, path := range patchingGoldens(t) {
		assert.Empty(t, TaskNotifications(read(t, path)), path)
	}
	patching := read(t, "../../test/testdata/rich-patching.patching.template.json")
	id := "MaintenanceWindowsafterpatchtuesdayTask243096E0F"
	n := cfntemplate.RunCommand(props(patching, id))["NotificationConfig"].(map[string]any)
	n["NotificationEvents"] = []any{"Success"}
	n["NotificationType"] = "Invocation"
	cfntemplate.Resources(patching)["PlantedTopic"] = map[string]any{"Type": "AWS::SNS::Topic", "Properties": map[string]any{}}
	n["NotificationArn"] = map[string]any{"Ref": "PlantedTopic"}
	problems := TaskNotifications(patching)
	require.Len(t, problems, 3)
	assert.Equal(t, "task "+id+": notifies of events [Success], not [Cancelled Failed TimedOut]: a failed, timed-out or cancelled patch command must reach the alerts topic, and no other status", problems[0])
	assert.Equal(t, "task "+id+`: NotificationType "Invocation", not Command`, problems[1])
	assert.Contains(t, problems[2], "task "+id+": notifies map[Ref:PlantedTopic], not the alerts topic (")
}
