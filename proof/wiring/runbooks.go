package wiring

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// assumeRoleParameter is the parameter a runbook takes the role it runs as from. "When you run an
// automation, by default, the automation runs in the context of the user who initiated the
// automation"; "you can create custom runbooks and specify the service role directly in the
// runbook", as the runbook's top-level assumeRole ("Run an automated operation powered by Systems
// Manager Automation" and "Running an automation by using an IAM service role", Systems Manager
// User Guide, read 2026-12-07). A runbook that declares the parameter but leaves assumeRole out,
// or names another parameter in it, runs as its caller: a window's service role, which may not
// start or stop instances.
const assumeRoleParameter = "AutomationAssumeRole"

// AssumeRoles checks the stacks' Automation runbooks that declare AutomationAssumeRole: each runs
// as it (a top-level assumeRole of {{ AutomationAssumeRole }}), and each window task, association
// and rule target that runs one passes it (mutation run 21's B20: the start-stop runbook's
// assumeRole line removed, its starts and stops denied).
func AssumeRoles(templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		documents := cfntemplate.OfType(resources, "AWS::SSM::Document")
		runbooks := map[string]bool{}
		for _, id := range slices.Sorted(maps.Keys(documents)) {
			if cfntemplate.Text(documents[id]["DocumentType"]) != "Automation" {
				continue
			}
			content := documentContent(documents[id])
			declared, _ := content["parameters"].(map[string]any)
			if _, ok := declared[assumeRoleParameter]; !ok {
				continue
			}
			runbooks[id] = true
			role, _ := content["assumeRole"].(string)
			if m := documentReference.FindStringSubmatch(role); m == nil || m[0] != role || m[1] != assumeRoleParameter {
				problems = append(problems, fmt.Sprintf("document %s: declares %s but its assumeRole is %q, not '{{ %s }}': the runbook runs as whoever starts it (a window's service role), not the role passed to it",
					id, assumeRoleParameter, role, assumeRoleParameter))
			}
		}
		problems = append(problems, assumeRolesPassed(resources, runbooks)...)
	}
	return problems
}

// assumeRolesPassed: each window task, association and rule target that runs one of runbooks
// passes AutomationAssumeRole. Without it the execution fails to start (the parameter has no
// default) or runs as its caller.
func assumeRolesPassed(resources map[string]any, runbooks map[string]bool) []string {
	var problems []string
	missing := func(what, id, runbook string) {
		problems = append(problems, fmt.Sprintf("%s %s: runs runbook %s without passing %s, the role it runs as", what, id, runbook, assumeRoleParameter))
	}
	tasks := cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindowTask")
	for _, id := range slices.Sorted(maps.Keys(tasks)) {
		runbook := cfntemplate.Ref(tasks[id]["TaskArn"])
		if runbooks[runbook] && cfntemplate.First(cfntemplate.Parameters(cfntemplate.Automation(tasks[id]))[assumeRoleParameter]) == nil {
			missing("window task", id, runbook)
		}
	}
	associations := cfntemplate.OfType(resources, "AWS::SSM::Association")
	for _, id := range slices.Sorted(maps.Keys(associations)) {
		params, _ := associations[id]["Parameters"].(map[string]any)
		if runbook := cfntemplate.Ref(associations[id]["Name"]); runbooks[runbook] && cfntemplate.First(params[assumeRoleParameter]) == nil {
			missing("association", id, runbook)
		}
	}
	rules := cfntemplate.OfType(resources, "AWS::Events::Rule")
	for _, id := range slices.Sorted(maps.Keys(rules)) {
		for _, t := range cfntemplate.List(rules[id]["Targets"]) {
			t, _ := t.(map[string]any)
			arn, _ := json.Marshal(t["Arn"])
			for _, runbook := range slices.Sorted(maps.Keys(runbooks)) {
				if strings.Contains(string(arn), `{"Ref":"`+runbook+`"}`) && !ruleInputPasses(t["Input"]) {
					missing("rule", id, runbook)
				}
			}
		}
	}
	return problems
}

// ruleInputPasses: a rule target's Input (the automation's parameters, as JSON text or an
// intrinsic building it) gives AutomationAssumeRole.
func ruleInputPasses(input any) bool {
	if text, ok := input.(string); ok {
		var params map[string]any
		return json.Unmarshal([]byte(text), &params) == nil && params[assumeRoleParameter] != nil
	}
	data, _ := json.Marshal(input)
	return strings.Contains(string(data), `\"`+assumeRoleParameter+`\"`)
}
