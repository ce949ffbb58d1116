package test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/constructs/patching"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	propspec "github.com/privatepatch/privatepatch/constructs/spec"
)

func windowStack() awscdk.Stack {
	return awscdk.NewStack(awscdk.NewApp(nil), jsii.String("WindowAlone"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("us-west-2")},
	})
}

func TestMaintenanceWindowConstructDefaultsAreTheConfigurationsAndTheDocs(t *testing.T) {
	stack := windowStack()
	topic := awssns.NewTopic(stack, jsii.String("Alerts"), nil)
	patching.NewMaintenanceWindow(stack, "Weekly", &patching.WindowProps{
		Window:  patchingspec.Window{Name: "weekly", Schedule: "cron(0 2 ? * SUN *)"},
		Targets: patchingspec.Targets{PatchGroups: []string{"windows"}},
		Topic:   topic,
	})
	template := assertions.Template_FromStack(stack, nil)
	// The construct defaulted to a cutoff of 0 and no notification while the configuration
	// defaulted to 1 and notifying: both now follow docs/patching.md.
	template.HasResourceProperties(jsii.String("AWS::SSM::MaintenanceWindow"), map[string]any{
		"Duration": 4, "Cutoff": 1, "ScheduleTimezone": "UTC",
	})
	template.HasResourceProperties(jsii.String("AWS::SSM::MaintenanceWindowTask"), map[string]any{
		"Name": "weekly-Task1", "Priority": 1, "MaxConcurrency": "25%", "MaxErrors": "10%",
		"TaskInvocationParameters": map[string]any{"MaintenanceWindowRunCommandParameters": assertions.Match_ObjectLike(&map[string]any{
			"NotificationConfig": assertions.Match_ObjectLike(&map[string]any{"NotificationEvents": []any{"Failed", "TimedOut", "Cancelled"}}),
		})},
	})
	template.HasResourceProperties(jsii.String("AWS::SSM::MaintenanceWindowTarget"), map[string]any{
		"Name": "weekly-targets", "Targets": []any{map[string]any{"Key": "tag:Patch Group", "Values": []any{"windows"}}},
	})
}

func TestMaintenanceWindowWithoutTopicNeedsNotificationsTurnedOff(t *testing.T) {
	props := &patching.WindowProps{
		Window:  patchingspec.Window{Name: "weekly", Schedule: "cron(0 2 ? * SUN *)"},
		Targets: patchingspec.Targets{PatchGroups: []string{"windows"}},
	}
	assert.EqualError(t, props.Validate(), "patching.NewMaintenanceWindow: 1 invalid prop(s):\n  - WindowProps.Tasks[0].NotifyOnFailure true "+
		"(the default) needs Topic, where failed commands are published; set it false to publish nothing")
	off := false
	props.Tasks = []patchingspec.Task{{NotifyOnFailure: &off}}
	require.NoError(t, props.Validate())
	stack := windowStack()
	patching.NewMaintenanceWindow(stack, "Weekly", props)
	template := assertions.Template_FromStack(stack, nil)
	template.HasResourceProperties(jsii.String("AWS::SSM::MaintenanceWindowTask"), map[string]any{
		"TaskInvocationParameters": map[string]any{"MaintenanceWindowRunCommandParameters": map[string]any{
			"NotificationConfig": assertions.Match_Absent(),
		}},
	})
}

func TestMaintenanceWindowGivenBadPropsPanicsWithAnErrorNamingEachProp(t *testing.T) {
	stack := windowStack()
	cutoff := 4
	props := &patching.WindowProps{
		Window:  patchingspec.Window{Name: "weekly", Schedule: "cron(0 2 ? * SUN *)", CutoffHours: &cutoff},
		Targets: patchingspec.Targets{PatchGroups: []string{"windows"}, InstanceIds: []string{"i-0123456789abcdef0"}},
		Topic:   awssns.NewTopic(stack, jsii.String("Alerts"), nil),
	}
	got := panicOf(func() { patching.NewMaintenanceWindow(stack, "Weekly", props) })
	require.IsType(t, &propspec.Error{}, got)
	message := got.(error).Error()
	assert.Contains(t, message, `patching.NewMaintenanceWindow("Weekly"): 2 invalid prop(s):`)
	assert.Contains(t, message, "WindowProps.CutoffHours 4 must be less than durationHours (4)")
	assert.Contains(t, message, `WindowProps.Targets "" mixes kinds of targets`)
	assert.Nil(t, stack.Node().TryFindChild(jsii.String("Weekly")), "nothing is created before the check")
}

func TestAssociationConstructsCheckTheirScheduleAsConfigDoes(t *testing.T) {
	stack := windowStack()
	got := panicOf(func() {
		patching.NewScanAssociations(stack, "Scan", &patching.ScanProps{PatchGroups: []string{"windows"}, Schedule: "rate(5 minutes)"})
	})
	require.IsType(t, &propspec.Error{}, got)
	assert.Equal(t, "patching.NewScanAssociations(\"Scan\"): 1 invalid prop(s):\n  - ScanProps.Schedule \"rate(5 minutes)\" is not a State Manager "+
		"schedule: State Manager runs associations at most every 30 minutes", got.(error).Error())
	got = panicOf(func() {
		patching.NewInventory(stack, "Inventory", &patching.InventoryProps{Target: patching.Target{Key: "k", Value: "v"}, Schedule: "daily"})
	})
	require.IsType(t, &propspec.Error{}, got)
	assert.Contains(t, got.(error).Error(), `InventoryProps.Schedule "daily" is not a State Manager schedule`)
}

func TestBaselineConstructDefaultsToWindowsAndNamesBadProps(t *testing.T) {
	stack := windowStack()
	patching.NewBaseline(stack, "Web", &patching.BaselineProps{Baseline: patchingspec.Baseline{Name: "web",
		ApprovalRules: []patchingspec.ApprovalRule{{Filters: map[string][]string{"CLASSIFICATION": {"SecurityUpdates"}}, ApproveAfterDays: patchingspec.Days(7)}}}})
	// Ubuntu rules carry no approval delay: CreatePatchBaseline takes none for Ubuntu or Debian.
	patching.NewBaseline(stack, "Ubuntu", &patching.BaselineProps{Baseline: patchingspec.Baseline{Name: "ubuntu", OperatingSystem: "UBUNTU",
		ApprovalRules: []patchingspec.ApprovalRule{{Filters: map[string][]string{"PRIORITY": {"Required"}}}}}})
	template := assertions.Template_FromStack(stack, nil)
	template.HasResourceProperties(jsii.String("AWS::SSM::PatchBaseline"), map[string]any{
		"OperatingSystem": "WINDOWS", "RejectedPatchesAction": "ALLOW_AS_DEPENDENCY", "ApprovedPatchesComplianceLevel": "UNSPECIFIED",
		"AvailableSecurityUpdatesComplianceStatus": "NON_COMPLIANT",
	})
	for _, b := range *template.FindResources(jsii.String("AWS::SSM::PatchBaseline"), nil) {
		properties := (*b)["Properties"].(map[string]any)
		rule := properties["ApprovalRules"].(map[string]any)["PatchRules"].([]any)[0].(map[string]any)
		if properties["OperatingSystem"] == "UBUNTU" {
			assert.NotContains(t, rule, "ApproveAfterDays")
			assert.NotContains(t, rule, "ApproveUntilDate")
		} else {
			assert.Equal(t, float64(7), rule["ApproveAfterDays"])
		}
	}
	got := panicOf(func() {
		patching.NewBaseline(stack, "Empty", &patching.BaselineProps{Baseline: patchingspec.Baseline{Name: "empty"}})
	})
	require.IsType(t, &propspec.Error{}, got)
	assert.Equal(t, "patching.NewBaseline(\"Empty\"): 1 invalid prop(s):\n  - BaselineProps.ApprovalRules \"\" is empty: give approval rules "+
		"(in the configuration, or a preset) or approved patches, or the baseline approves nothing", got.(error).Error())
}

// Planted: the window refuses a promotion or an override list it cannot honour, naming the prop.
func TestMaintenanceWindowRefusesAPromotionOrListItCannotHonour(t *testing.T) {
	scanOnly := []patchingspec.Task{{Operation: patchingspec.OperationScan}}
	for _, c := range []struct {
		name  string
		props patching.WindowProps
		want  string
	}{
		{"promotion without Install", patching.WindowProps{Targets: patchingspec.Targets{PatchGroups: []string{"dev"}},
			Window: patchingspec.Window{Tasks: scanOnly}, Promote: &patching.PromoteTask{}}, "needs an Install task: it promotes what the window installed"},
		{"promotion of two groups", patching.WindowProps{Targets: patchingspec.Targets{PatchGroups: []string{"dev", "test"}},
			Promote: &patching.PromoteTask{}}, "needs the window to target exactly one patch group"},
		{"promotion without its runbook", patching.WindowProps{Targets: patchingspec.Targets{PatchGroups: []string{"dev"}},
			Promote: &patching.PromoteTask{}}, "needs Runbook, Role and Bucket"},
		{"promotion after the last priority", patching.WindowProps{Targets: patchingspec.Targets{PatchGroups: []string{"dev"}},
			Window: patchingspec.Window{Tasks: []patchingspec.Task{{Priority: patchingspec.MaxPriority}}}, Promote: &patching.PromoteTask{}},
			"runs after the last task (priority 1000)"},
		{"an https list", patching.WindowProps{Targets: patchingspec.Targets{PatchGroups: []string{"test"}},
			InstallOverrideList: "https://example.com/list.yaml"}, "WindowProps.InstallOverrideList"},
		{"a list name AWS refuses", patching.WindowProps{Targets: patchingspec.Targets{PatchGroups: []string{"test"}},
			InstallOverrideList: "s3://bucket/it's.yaml"}, "the key without"},
		{"a list for a Scan", patching.WindowProps{Targets: patchingspec.Targets{PatchGroups: []string{"test"}},
			Window: patchingspec.Window{Tasks: scanOnly}, InstallOverrideList: "s3://bucket/promote/dev/install-override-list.yaml"}, "Scan ignores the list"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.props.Window.Name, c.props.Window.Schedule = "weekly", "rate(7 days)"
			off := false
			for i := range c.props.Window.Tasks {
				c.props.Window.Tasks[i].NotifyOnFailure = &off
			}
			if len(c.props.Window.Tasks) == 0 {
				c.props.Window.Tasks = []patchingspec.Task{{NotifyOnFailure: &off}}
			}
			err := c.props.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
	ok := patching.WindowProps{Window: patchingspec.Window{Name: "weekly", Schedule: "rate(7 days)", Tasks: []patchingspec.Task{{NotifyOnFailure: new(bool)}}},
		Targets: patchingspec.Targets{PatchGroups: []string{"test"}}, InstallOverrideList: "s3://bucket/promote/dev/install-override-list.yaml"}
	require.NoError(t, ok.Validate())
}
