package cfntemplate

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestReadsResourcesValuesAndIntrinsics(t *testing.T) {
	var template map[string]any
	assert.NoError(t, json.Unmarshal([]byte(`{"Resources": {
		"Window": {"Type": "AWS::SSM::MaintenanceWindow", "Properties": {"Duration": 3, "Cutoff": "1", "Name": "w"}},
		"Task": {"Type": "AWS::SSM::MaintenanceWindowTask", "Properties": {"WindowId": {"Ref": "Window"},
			"Targets": [{"Key": "WindowTargetIds", "Values": [{"Fn::GetAtt": ["Target", "WindowTargetId"]}]}]}}}}`), &template))
	windows := OfType(Resources(template), "AWS::SSM::MaintenanceWindow")
	assert.Equal(t, []string{"Window"}, keys(windows))
	assert.Equal(t, 3, Int(windows["Window"]["Duration"]))
	assert.Equal(t, 1, Int(windows["Window"]["Cutoff"]), "a number as text")
	assert.Equal(t, 0, Int(nil))
	assert.Equal(t, "w", Text(windows["Window"]["Name"]))
	assert.Equal(t, "", Text(nil))
	task := OfType(Resources(template), "AWS::SSM::MaintenanceWindowTask")["Task"]
	assert.Equal(t, "Window", Ref(task["WindowId"]))
	assert.Equal(t, "", Ref("Window"), "a literal is no Ref")
	target := First(task["Targets"]).(map[string]any)
	assert.Equal(t, "Target", GetAtt(First(target["Values"])))
	assert.Nil(t, First([]any{}))
	assert.Nil(t, List("not a list"))
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestAssociationParameterIsTheGivenValueElseTheReferencedDocumentsDefault(t *testing.T) {
	var template map[string]any
	assert.NoError(t, json.Unmarshal([]byte(`{"Resources": {
		"Health": {"Type": "AWS::SSM::Document", "Properties": {"Content": {"parameters": {"Namespace": {"type": "String", "default": "PrivatePatch/Wsus"}}}}},
		"Given": {"Type": "AWS::SSM::Association", "Properties": {"Name": {"Ref": "Health"}, "Parameters": {"Namespace": ["Ops/Wsus"]}}},
		"LeftOut": {"Type": "AWS::SSM::Association", "Properties": {"Name": {"Ref": "Health"}}},
		"AwsDocument": {"Type": "AWS::SSM::Association", "Properties": {"Name": "AWS-RunPatchBaseline"}},
		"Elsewhere": {"Type": "AWS::SSM::Association", "Properties": {"Name": {"Ref": "NotInTheseResources"}}}}}`), &template))
	resources := Resources(template)
	associations := OfType(resources, "AWS::SSM::Association")
	assert.Equal(t, "Ops/Wsus", AssociationParameter(resources, associations["Given"], "Namespace"))
	assert.Equal(t, "PrivatePatch/Wsus", AssociationParameter(resources, associations["LeftOut"], "Namespace"))
	assert.Equal(t, "", AssociationParameter(resources, associations["LeftOut"], "Operation"), "a parameter the document does not declare")
	assert.Equal(t, "", AssociationParameter(resources, associations["AwsDocument"], "Namespace"), "a document not among the resources")
	assert.Equal(t, "", AssociationParameter(resources, associations["Elsewhere"], "Namespace"))
}

// A property given as one value or as a list reads the same (a policy's Principal Service takes
// both); absent, it is none.
func TestValuesOfAScalarOrAList(t *testing.T) {
	assert.Equal(t, []string{"logs.us-west-2.amazonaws.com"}, Texts("logs.us-west-2.amazonaws.com"))
	assert.Equal(t, []string{"a", "b"}, Texts([]any{"a", "b"}))
	assert.Empty(t, Values(nil))
	assert.Len(t, Values(map[string]any{"Ref": "X"}), 1)
}

// A value joins as text: an Fn::Join with its separator, nested ones too, other intrinsics as the
// caller writes them.
func TestJoinedJoinsNestedJoins(t *testing.T) {
	inner := map[string]any{"Fn::Join": []any{"-", []any{"a", "b"}}}
	v := map[string]any{"Fn::Join": []any{"/", []any{"x", inner, map[string]any{"Ref": "R"}}}}
	assert.Equal(t, "x/a-b/<R>", Joined(v, func(any) string { return "<R>" }))
}

func TestTaskInvocationBlocksAndTheirParameters(t *testing.T) {
	task := map[string]any{"TaskInvocationParameters": map[string]any{
		"MaintenanceWindowRunCommandParameters": map[string]any{"Parameters": map[string]any{"Operation": []any{"Install"}}},
	}}
	if got := Text(First(Parameters(RunCommand(task))["Operation"])); got != "Install" {
		t.Errorf("run command Operation = %q, want Install", got)
	}
	if Automation(task) != nil || Parameters(Automation(task)) != nil {
		t.Error("a Run Command task has no Automation block")
	}
	automation := map[string]any{"TaskInvocationParameters": map[string]any{
		"MaintenanceWindowAutomationParameters": map[string]any{"Parameters": map[string]any{"Action": []any{"stop"}}},
	}}
	if got := Text(First(Parameters(Automation(automation))["Action"])); got != "stop" {
		t.Errorf("automation Action = %q, want stop", got)
	}
	if RunCommand(automation) != nil || RunCommand(map[string]any{}) != nil {
		t.Error("an Automation task, or one without invocation parameters, has no Run Command block")
	}
}

func TestInstanceSubnetIsTheFirstNetworkInterfacesWhenThereAreAny(t *testing.T) {
	assert.Equal(t, "subnet-own", InstanceSubnet(map[string]any{"SubnetId": "subnet-own"}))
	assert.Equal(t, map[string]any{"Ref": "Public"}, InstanceSubnet(map[string]any{"NetworkInterfaces": []any{
		map[string]any{"DeviceIndex": "0", "SubnetId": map[string]any{"Ref": "Public"}},
		map[string]any{"DeviceIndex": "1", "SubnetId": "subnet-second"},
	}}))
	assert.Nil(t, InstanceSubnet(map[string]any{}))
}

func TestTaskDocumentIsTheNameWhetherTaskArnIsANameOrAnARN(t *testing.T) {
	assert.Equal(t, "AWS-RunPatchBaseline", TaskDocument(map[string]any{"TaskArn": "AWS-RunPatchBaseline"}))
	assert.Equal(t, "AWS-RunPatchBaseline", TaskDocument(map[string]any{"TaskArn": "arn:aws:ssm:eu-west-1::document/AWS-RunPatchBaseline"}))
}

func TestManagedInstanceTagsAreTheShorthandTagsOfAnAddTagsToResourceOnAHybridNode(t *testing.T) {
	tags, ok := ManagedInstanceTags(`aws ssm add-tags-to-resource --region r --resource-type ManagedInstance --resource-id MI-ID --tags 'Key=fleet,Value=pp' 'Key=Patch Group,Value=PATCH-GROUP'`)
	assert.True(t, ok)
	assert.Equal(t, map[string]string{"fleet": "pp", "Patch Group": "PATCH-GROUP"}, tags)
	_, ok = ManagedInstanceTags(`aws ssm add-tags-to-resource --resource-type Document --resource-id d --tags Key=a,Value=b`)
	assert.False(t, ok, "not a hybrid node")
	_, ok = ManagedInstanceTags(`aws ssm describe-instance-information`)
	assert.False(t, ok)
}
