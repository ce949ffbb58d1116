package wiring

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// TaskServiceRoles: each maintenance window task runs with its window's service role, the role the
// window construct gives it (MaintenanceWindows<name>ServiceRole, beside MaintenanceWindows<name>
// Window) and the one whose rows the authorisation table evaluates (authz's windowRoles): the
// task's ServiceRoleArn is "the IAM service role for Amazon Web Services Systems Manager to assume
// when running a maintenance window task" (MaintenanceWindowTask ServiceRoleArn, Systems Manager
// API Reference, read 2026-12-07). A task given another role, such as the window's Run Command
// notification role, which may only publish, sends no command, and the table, evaluating the
// window's role, has no row for what the task does (mutation run 24's A15: the weekly Install
// task given the notification role was caught only through that role's trust). An omitted
// ServiceRoleArn is no AWS error: "If you do not specify a service role ARN, Systems Manager uses a
// service-linked role in your account" (same page). It stays a problem here: the construct sets it
// on every task, the service-linked role's policy is AWS's and not in these templates, so no row
// of the table is about it, and the page itself "strongly recommend[s] ... a custom service role"
// (the fourth review's H2, which had it printed as "<nil>").
func TaskServiceRoles(patching map[string]any) []string {
	resources := cfntemplate.Resources(patching)
	roles := cfntemplate.OfType(resources, "AWS::IAM::Role")
	tasks := cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindowTask")
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(tasks)) {
		window := cfntemplate.Ref(tasks[id]["WindowId"])
		const suffix = len("Window") + 8 // the construct's id and CDK's 8-character hash
		if len(window) <= suffix || window[len(window)-suffix:len(window)-8] != "Window" {
			continue // not a window of the construct's: ServiceRoleArn has no role to be
		}
		prefix := window[:len(window)-suffix] + "ServiceRole"
		var want string
		for role := range roles {
			if strings.HasPrefix(role, prefix) && len(role) == len(prefix)+8 {
				want = role
			}
		}
		given, set := tasks[id]["ServiceRoleArn"]
		got := cfntemplate.GetAtt(given)
		if want == "" {
			problems = append(problems, fmt.Sprintf("task %s: its window %s has no service role %s<hash>, with which the construct runs its tasks", id, window, prefix))
		} else if !set || given == nil {
			problems = append(problems, fmt.Sprintf("task %s: no ServiceRoleArn: Systems Manager runs it with its service-linked role, whose calls the authorisation table does not evaluate, "+
				"not its window's service role %s, which the construct gives every task", id, want))
		} else if got == want && getAttAttribute(given) != "Arn" {
			problems = append(problems, fmt.Sprintf("task %s: ServiceRoleArn is its window's service role's %s, not its Arn: Systems Manager takes an ARN there (the fourth review's H1)",
				id, getAttAttribute(given)))
		} else if got != want {
			if got == "" {
				got = fmt.Sprint(tasks[id]["ServiceRoleArn"])
			}
			problems = append(problems, fmt.Sprintf("task %s: ServiceRoleArn is %s, not its window's service role %s: the task runs with a role whose calls the authorisation table does not evaluate for it",
				id, got, want))
		}
	}
	return problems
}
