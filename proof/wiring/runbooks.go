package wiring

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
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
// and rule target that runs one passes it where it has no default (mutation run 21's B20: the
// start-stop runbook's assumeRole line removed, its starts and stops denied). A caller that passes
// nothing to a runbook whose default is empty runs it as itself: a note, as the caller's role may
// serve.
func AssumeRoles(templates ...map[string]any) (problems, notes []string) {
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		documents := cfntemplate.OfType(resources, "AWS::SSM::Document")
		runbooks := map[string]runbookRole{}
		for _, id := range slices.Sorted(maps.Keys(documents)) {
			if cfntemplate.Text(documents[id]["DocumentType"]) != "Automation" {
				continue
			}
			content := documentContent(documents[id])
			declared, _ := content["parameters"].(map[string]any)
			parameter, ok := declared[assumeRoleParameter].(map[string]any)
			if _, declares := declared[assumeRoleParameter]; !declares {
				continue
			}
			runbooks[id] = runbookRole{}
			if v, defaulted := parameter["default"]; ok && defaulted {
				runbooks[id] = runbookRole{defaulted: true, empty: !givesRole(v)}
			}
			role, _ := content["assumeRole"].(string)
			if m := documentReference.FindStringSubmatch(role); m == nil || m[0] != role || m[1] != assumeRoleParameter {
				problems = append(problems, fmt.Sprintf("document %s: declares %s but its assumeRole is %q, not '{{ %s }}': the runbook runs as whoever starts it (a window's service role), not the role passed to it",
					id, assumeRoleParameter, role, assumeRoleParameter))
			}
		}
		p, n := assumeRolesPassed(resources, runbooks)
		problems, notes = append(problems, p...), append(notes, n...)
	}
	return problems, notes
}

// runbookRole is what a runbook's AutomationAssumeRole parameter declares: whether it has a
// default, and whether that is empty (as in AWS's own runbooks: the runbook then runs as its caller).
type runbookRole struct{ defaulted, empty bool }

// assumeRolesPassed: each window task, association and rule target that runs one of runbooks
// passes AutomationAssumeRole, unless the runbook gives it a default. Without it the execution
// fails to start (a required parameter left out) or runs as its caller.
func assumeRolesPassed(resources map[string]any, runbooks map[string]runbookRole) (problems, notes []string) {
	passes := func(what, id, runbook string, passed bool) {
		switch r := runbooks[runbook]; {
		case passed || (r.defaulted && !r.empty):
		case r.defaulted:
			notes = append(notes, fmt.Sprintf("%s %s: passes runbook %s no %s, whose default is empty: the runbook runs as its caller's role, not judged here", what, id, runbook, assumeRoleParameter))
		default:
			problems = append(problems, fmt.Sprintf("%s %s: runs runbook %s without passing %s, the role it runs as", what, id, runbook, assumeRoleParameter))
		}
	}
	tasks := cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindowTask")
	for _, id := range slices.Sorted(maps.Keys(tasks)) {
		if runbook := cfntemplate.Ref(tasks[id]["TaskArn"]); hasRunbook(runbooks, runbook) {
			passes("window task", id, runbook, givesRole(cfntemplate.Parameters(cfntemplate.Automation(tasks[id]))[assumeRoleParameter]))
		}
	}
	associations := cfntemplate.OfType(resources, "AWS::SSM::Association")
	for _, id := range slices.Sorted(maps.Keys(associations)) {
		params, _ := associations[id]["Parameters"].(map[string]any)
		if runbook := cfntemplate.Ref(associations[id]["Name"]); hasRunbook(runbooks, runbook) {
			passes("association", id, runbook, givesRole(params[assumeRoleParameter]))
		}
	}
	for _, rt := range ruleTargets(resources) {
		arn, _ := json.Marshal(rt.target["Arn"])
		transformer, _ := rt.target["InputTransformer"].(map[string]any)
		for _, runbook := range slices.Sorted(maps.Keys(runbooks)) {
			if strings.Contains(string(arn), `{"Ref":"`+runbook+`"}`) {
				passes("rule", rt.rule, runbook, ruleInputPasses(rt.target["Input"]) || ruleInputPasses(transformer["InputTemplate"]))
			}
		}
	}
	return problems, notes
}

func hasRunbook(runbooks map[string]runbookRole, id string) bool {
	_, ok := runbooks[id]
	return ok
}

// givesRole tells whether a value of AutomationAssumeRole gives a role: a non-empty string, a list
// holding one, or an intrinsic (judged non-empty). "", [] and [""] give none: the runbook then
// runs as its caller (the review of round 2, 9a and 9b).
func givesRole(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case string:
		return strings.TrimSpace(v) != ""
	case []any:
		return slices.ContainsFunc(v, givesRole)
	}
	return true
}

// emptyRole is AutomationAssumeRole given "", [] or [""] in a parameters' JSON text.
var emptyRole = regexp.MustCompile(`"` + assumeRoleParameter + `"\s*:\s*(""|\[\s*(""\s*)?\])`)

// ruleInputPasses: a rule target's Input or its InputTransformer's InputTemplate (the automation's
// parameters, as JSON text, a template with <placeholders>, or an intrinsic building either) gives
// AutomationAssumeRole a value that is not empty.
func ruleInputPasses(input any) bool {
	text, literal := input.(string)
	if !literal {
		sub, _ := input.(map[string]any)
		if text, literal = cfntemplate.First(cfntemplate.Values(sub["Fn::Sub"])).(string); !literal {
			text = rendered(input) // an Fn::Join joined, the intrinsics in it as their JSON
		}
	}
	var params map[string]any
	if json.Unmarshal([]byte(text), &params) == nil {
		return givesRole(params[assumeRoleParameter])
	}
	// A template's placeholders, or an intrinsic's JSON inside, are no JSON.
	return strings.Contains(text, `"`+assumeRoleParameter+`"`) && !emptyRole.MatchString(text)
}
