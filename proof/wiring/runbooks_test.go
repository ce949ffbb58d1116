package wiring

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// assumeRoleProblems are AssumeRoles' problems, its notes left out.
func assumeRoleProblems(templates ...map[string]any) []string {
	problems, _ := AssumeRoles(templates...)
	return problems
}

func TestEveryGoldenRunbookRunsAsTheRolePassedToIt(t *testing.T) {
	paths, err := filepath.Glob("../../test/testdata/*.template.json")
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	for _, path := range paths {
		assert.Empty(t, assumeRoleProblems(read(t, path)), path)
	}
}

// startStopRunbook is the default patching golden with the start-stop runbook (its content as the
// stacks write it, YAML, cut to what the check reads) and a window task that starts it.
func startStopRunbook(t *testing.T, assumeRole string) (template map[string]any, task map[string]any) {
	template = read(t, "../../test/testdata/default.patching.template.json")
	content := "description: 'privatepatch startStopped'\nmainSteps:\n    - action: aws:executeScript\n      name: StartOrStop\n" +
		"parameters:\n    Action:\n        type: String\n    AutomationAssumeRole:\n        type: String\nschemaVersion: \"0.3\"\n"
	if assumeRole != "" {
		content = "assumeRole: '" + assumeRole + "'\n" + content
	}
	resources := template["Resources"].(map[string]any)
	resources["StartStoppedRunbookD76F190F"] = map[string]any{"Type": "AWS::SSM::Document", "Properties": map[string]any{
		"DocumentType": "Automation", "DocumentFormat": "YAML", "Content": content}}
	task = map[string]any{"TaskType": "AUTOMATION", "TaskArn": map[string]any{"Ref": "StartStoppedRunbookD76F190F"},
		"WindowId": map[string]any{"Ref": "MaintenanceWindowsprivatepatchweeklyWindowE6C2AFD8"},
		"TaskInvocationParameters": map[string]any{"MaintenanceWindowAutomationParameters": map[string]any{"Parameters": map[string]any{
			"Action": []any{"start"}, "AutomationAssumeRole": []any{map[string]any{"Fn::GetAtt": []any{"StartStoppedRoleE38A72D6", "Arn"}}}}}}}
	resources["MaintenanceWindowsweeklyStartStopped8B8544F7"] = map[string]any{"Type": "AWS::SSM::MaintenanceWindowTask", "Properties": task}
	return template, task
}

func TestARunbookRunsAsTheRolePassedToIt(t *testing.T) {
	template, _ := startStopRunbook(t, "{{ AutomationAssumeRole }}")
	assert.Empty(t, assumeRoleProblems(template))
	template, _ = startStopRunbook(t, "{{AutomationAssumeRole}}")
	assert.Empty(t, assumeRoleProblems(template), "Systems Manager reads {{ Name }} with or without the spaces")
}

// Mutation run 21's B20 removed the start-stop runbook's assumeRole line: it then runs as the
// window's service role, which may not start or stop instances.
func TestARunbookWithoutAssumeRoleRunsAsItsCaller(t *testing.T) {
	template, _ := startStopRunbook(t, "")
	assert.Equal(t, []string{`document StartStoppedRunbookD76F190F: declares AutomationAssumeRole but its assumeRole is "", not '{{ AutomationAssumeRole }}': ` +
		`the runbook runs as whoever starts it (a window's service role), not the role passed to it`}, assumeRoleProblems(template))
}

// The neighbour: an assumeRole naming another parameter runs as whatever that one is given.
func TestARunbookAssumingAnotherParameterIsNamed(t *testing.T) {
	template, _ := startStopRunbook(t, "{{ Action }}")
	assert.Equal(t, []string{`document StartStoppedRunbookD76F190F: declares AutomationAssumeRole but its assumeRole is "{{ Action }}", not '{{ AutomationAssumeRole }}': ` +
		`the runbook runs as whoever starts it (a window's service role), not the role passed to it`}, assumeRoleProblems(template))
}

// The runbook runs as the role only where its caller passes one.
func TestACallerOfARunbookPassesTheRole(t *testing.T) {
	template, task := startStopRunbook(t, "{{ AutomationAssumeRole }}")
	params := task["TaskInvocationParameters"].(map[string]any)["MaintenanceWindowAutomationParameters"].(map[string]any)["Parameters"].(map[string]any)
	delete(params, "AutomationAssumeRole")
	assert.Equal(t, []string{"window task MaintenanceWindowsweeklyStartStopped8B8544F7: runs runbook StartStoppedRunbookD76F190F without passing AutomationAssumeRole, the role it runs as"},
		assumeRoleProblems(template))

	template, _ = startStopRunbook(t, "{{ AutomationAssumeRole }}")
	resources := template["Resources"].(map[string]any)
	arn := map[string]any{"Fn::Join": []any{"", []any{"arn:aws:ssm:us-west-2:123456789012:automation-definition/", map[string]any{"Ref": "StartStoppedRunbookD76F190F"}, ":$DEFAULT"}}}
	rule := map[string]any{"Targets": []any{map[string]any{"Id": "Runbook", "Arn": arn, "Input": `{"Action":["stop"]}`}}}
	resources["StopRule"] = map[string]any{"Type": "AWS::Events::Rule", "Properties": rule}
	resources["StopAssociation"] = map[string]any{"Type": "AWS::SSM::Association", "Properties": map[string]any{
		"Name": map[string]any{"Ref": "StartStoppedRunbookD76F190F"}, "Parameters": map[string]any{"Action": []any{"stop"}}}}
	assert.Equal(t, "association StopAssociation: runs runbook StartStoppedRunbookD76F190F without passing AutomationAssumeRole, the role it runs as\n"+
		"rule StopRule: runs runbook StartStoppedRunbookD76F190F without passing AutomationAssumeRole, the role it runs as", strings.Join(assumeRoleProblems(template), "\n"))
	rule["Targets"].([]any)[0].(map[string]any)["Input"] = `{"Action":["stop"],"AutomationAssumeRole":["arn:aws:iam::123456789012:role/StartStopped"]}`
	assert.Len(t, assumeRoleProblems(template), 1)
}

// A runbook written as JSON is read the same.
func TestARunbookInJSONIsReadAsOne(t *testing.T) {
	template, _ := startStopRunbook(t, "")
	props(template, "StartStoppedRunbookD76F190F")["Content"] = `{"schemaVersion":"0.3","assumeRole":"{{ AutomationAssumeRole }}","parameters":{"AutomationAssumeRole":{"type":"String"}},"mainSteps":[]}`
	assert.Empty(t, assumeRoleProblems(template))
	props(template, "StartStoppedRunbookD76F190F")["Content"] = map[string]any{"schemaVersion": "0.3", "parameters": map[string]any{"AutomationAssumeRole": map[string]any{"type": "String"}}}
	assert.Len(t, assumeRoleProblems(template), 1)
}

// A runbook that gives the role a default needs no caller to pass one (AWS's own runbooks default
// it to an empty string); with an empty default, a caller that passes none runs it as itself: a note.
func TestACallerOfARunbookWithADefaultRoleNeedNotPassOne(t *testing.T) {
	template, task := startStopRunbook(t, "{{ AutomationAssumeRole }}")
	content := props(template, "StartStoppedRunbookD76F190F")["Content"].(string)
	props(template, "StartStoppedRunbookD76F190F")["Content"] = strings.Replace(content, "AutomationAssumeRole:\n        type: String\n",
		"AutomationAssumeRole:\n        type: String\n        default: ''\n", 1)
	problems, notes := AssumeRoles(template)
	assert.Empty(t, problems)
	assert.Empty(t, notes, "the task passes the role")

	params := task["TaskInvocationParameters"].(map[string]any)["MaintenanceWindowAutomationParameters"].(map[string]any)["Parameters"].(map[string]any)
	delete(params, "AutomationAssumeRole")
	problems, notes = AssumeRoles(template)
	assert.Empty(t, problems)
	assert.Equal(t, []string{"window task MaintenanceWindowsweeklyStartStopped8B8544F7: passes runbook StartStoppedRunbookD76F190F no AutomationAssumeRole, " +
		"whose default is empty: the runbook runs as its caller's role, not judged here"}, notes)

	props(template, "StartStoppedRunbookD76F190F")["Content"] = strings.Replace(content, "AutomationAssumeRole:\n        type: String\n",
		"AutomationAssumeRole:\n        type: String\n        default: arn:aws:iam::123456789012:role/StartStopped\n", 1)
	problems, notes = AssumeRoles(template)
	assert.Empty(t, problems)
	assert.Empty(t, notes)
}

// A rule target that builds the parameters with an InputTransformer passes the role in its
// template; one whose template leaves it out is named.
func TestARuleTargetPassesTheRoleInItsInputTemplate(t *testing.T) {
	template, _ := startStopRunbook(t, "{{ AutomationAssumeRole }}")
	arn := map[string]any{"Fn::Join": []any{"", []any{"arn:aws:ssm:us-west-2:123456789012:automation-definition/", map[string]any{"Ref": "StartStoppedRunbookD76F190F"}, ":$DEFAULT"}}}
	transformer := map[string]any{"InputPathsMap": map[string]any{"instance": "$.detail.instance-id"},
		"InputTemplate": `{"Action":["stop"],"InstanceId":[<instance>],"AutomationAssumeRole":["arn:aws:iam::123456789012:role/StartStopped"]}`}
	template["Resources"].(map[string]any)["StopRule"] = map[string]any{"Type": "AWS::Events::Rule", "Properties": map[string]any{
		"Targets": []any{map[string]any{"Id": "Runbook", "Arn": arn, "InputTransformer": transformer}}}}
	assert.Empty(t, assumeRoleProblems(template))
	transformer["InputTemplate"] = `{"Action":["stop"],"InstanceId":[<instance>]}`
	assert.Equal(t, []string{"rule StopRule: runs runbook StartStoppedRunbookD76F190F without passing AutomationAssumeRole, the role it runs as"}, assumeRoleProblems(template))
}

// The review of round 2, 9a: an empty AutomationAssumeRole ("", [] or [""]) passes no role, in a
// task's, an association's or a rule's parameters; its neighbours, a role built by an intrinsic in
// a rule's Input and one in a parameter, pass.
func TestAnEmptyAssumeRolePassesNoRole(t *testing.T) {
	template, task := startStopRunbook(t, "{{ AutomationAssumeRole }}")
	params := task["TaskInvocationParameters"].(map[string]any)["MaintenanceWindowAutomationParameters"].(map[string]any)["Parameters"].(map[string]any)
	for _, empty := range []any{"", []any{}, []any{""}} {
		params["AutomationAssumeRole"] = empty
		assert.Equal(t, []string{"window task MaintenanceWindowsweeklyStartStopped8B8544F7: runs runbook StartStoppedRunbookD76F190F without passing AutomationAssumeRole, the role it runs as"},
			assumeRoleProblems(template), "%#v", empty)
	}
	params["AutomationAssumeRole"] = map[string]any{"Fn::GetAtt": []any{"StartStoppedRoleE38A72D6", "Arn"}}
	assert.Empty(t, assumeRoleProblems(template), "an intrinsic, not a list")

	resources := template["Resources"].(map[string]any)
	resources["StopAssociation"] = map[string]any{"Type": "AWS::SSM::Association", "Properties": map[string]any{
		"Name": map[string]any{"Ref": "StartStoppedRunbookD76F190F"}, "Parameters": map[string]any{"AutomationAssumeRole": []any{""}}}}
	assert.Equal(t, []string{"association StopAssociation: runs runbook StartStoppedRunbookD76F190F without passing AutomationAssumeRole, the role it runs as"}, assumeRoleProblems(template))
	delete(resources, "StopAssociation")

	arn := map[string]any{"Fn::Join": []any{"", []any{"arn:aws:ssm:us-west-2:123456789012:automation-definition/", map[string]any{"Ref": "StartStoppedRunbookD76F190F"}, ":$DEFAULT"}}}
	target := map[string]any{"Id": "Runbook", "Arn": arn}
	resources["StopRule"] = map[string]any{"Type": "AWS::Events::Rule", "Properties": map[string]any{"Targets": []any{target}}}
	stopRule := []string{"rule StopRule: runs runbook StartStoppedRunbookD76F190F without passing AutomationAssumeRole, the role it runs as"}
	for _, input := range []any{`{"Action":["stop"],"AutomationAssumeRole":[]}`, `{"Action":["stop"],"AutomationAssumeRole":""}`,
		map[string]any{"Fn::Sub": `{"Action":["stop"],"AutomationAssumeRole":[""]}`}} {
		target["Input"] = input
		assert.Equal(t, stopRule, assumeRoleProblems(template), "%v", input)
	}
	delete(target, "Input")
	target["InputTransformer"] = map[string]any{"InputPathsMap": map[string]any{"instance": "$.detail.instance-id"},
		"InputTemplate": `{"Action":["stop"],"InstanceId":[<instance>],"AutomationAssumeRole":[ "" ]}`}
	assert.Equal(t, stopRule, assumeRoleProblems(template))
	delete(target, "InputTransformer")
	target["Input"] = map[string]any{"Fn::Join": []any{"", []any{`{"Action":["stop"],"AutomationAssumeRole":["`, map[string]any{"Fn::GetAtt": []any{"StartStoppedRoleE38A72D6", "Arn"}}, `"]}`}}}
	assert.Empty(t, assumeRoleProblems(template))
}

// The review of round 2, 9b: a default given by an intrinsic is a role, not an empty default (no
// note); its neighbour, an empty default, is.
func TestARunbookDefaultGivenByAnIntrinsicIsARole(t *testing.T) {
	template, task := startStopRunbook(t, "")
	params := task["TaskInvocationParameters"].(map[string]any)["MaintenanceWindowAutomationParameters"].(map[string]any)["Parameters"].(map[string]any)
	delete(params, "AutomationAssumeRole")
	role := map[string]any{"type": "String", "default": map[string]any{"Fn::GetAtt": []any{"StartStoppedRoleE38A72D6", "Arn"}}}
	props(template, "StartStoppedRunbookD76F190F")["Content"] = map[string]any{"schemaVersion": "0.3", "assumeRole": "{{ AutomationAssumeRole }}",
		"parameters": map[string]any{"AutomationAssumeRole": role}}
	problems, notes := AssumeRoles(template)
	assert.Empty(t, problems)
	assert.Empty(t, notes)
	role["default"] = ""
	_, notes = AssumeRoles(template)
	assert.Len(t, notes, 1)
}
