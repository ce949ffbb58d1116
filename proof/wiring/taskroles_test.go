package wiring

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Every golden's tasks run with their window's service role; run 24's A15 (the weekly Install task
// given the window's notification role) is named, as is a task given a role outside the
// templates.
func TestEachWindowTaskRunsWithItsWindowsServiceRole(t *testing.T) {
	for _, scenario := range goldenScenarios {
		for _, patching := range goldenStacks(t, scenario, "patching") {
			assert.Empty(t, TaskServiceRoles(patching), scenario)
		}
	}

	patching := read(t, "../../test/testdata/default.patching.template.json")
	props(patching, "MaintenanceWindowsprivatepatchweeklyTask15A70B942")["ServiceRoleArn"] = map[string]any{"Fn::GetAtt": []any{"MaintenanceWindowsprivatepatchweeklyNotificationRole2323DDEE", "Arn"}}
	assert.Equal(t, []string{"task MaintenanceWindowsprivatepatchweeklyTask15A70B942: ServiceRoleArn is MaintenanceWindowsprivatepatchweeklyNotificationRole2323DDEE, " +
		"not its window's service role MaintenanceWindowsprivatepatchweeklyServiceRole94EE9378: the task runs with a role whose calls the authorisation table does not evaluate for it"},
		TaskServiceRoles(patching))

	props(patching, "MaintenanceWindowsprivatepatchweeklyTask15A70B942")["ServiceRoleArn"] = "arn:aws:iam::111111111111:role/elsewhere"
	assert.Contains(t, joined(TaskServiceRoles(patching)), "ServiceRoleArn is arn:aws:iam::111111111111:role/elsewhere, not its window's service role")

	// The fourth review's H1: the right role's RoleId (AROA...) is no ARN.
	props(patching, "MaintenanceWindowsprivatepatchweeklyTask15A70B942")["ServiceRoleArn"] = map[string]any{"Fn::GetAtt": []any{"MaintenanceWindowsprivatepatchweeklyServiceRole94EE9378", "RoleId"}}
	assert.Equal(t, []string{"task MaintenanceWindowsprivatepatchweeklyTask15A70B942: ServiceRoleArn is its window's service role's RoleId, not its Arn: Systems Manager takes an ARN there (the fourth review's H1)"},
		TaskServiceRoles(patching))
}

// The fourth review's H2: a task with no ServiceRoleArn runs with Systems Manager's service-linked
// role; it is named as such, not as "ServiceRoleArn is <nil>".
func TestAWindowTaskWithoutServiceRoleArnIsNamedAsTheServiceLinkedRole(t *testing.T) {
	patching := read(t, "../../test/testdata/default.patching.template.json")
	delete(props(patching, "MaintenanceWindowsprivatepatchweeklyTask15A70B942"), "ServiceRoleArn")
	assert.Equal(t, []string{"task MaintenanceWindowsprivatepatchweeklyTask15A70B942: no ServiceRoleArn: Systems Manager runs it with its service-linked role, " +
		"whose calls the authorisation table does not evaluate, not its window's service role MaintenanceWindowsprivatepatchweeklyServiceRole94EE9378, " +
		"which the construct gives every task"}, TaskServiceRoles(patching))
}
