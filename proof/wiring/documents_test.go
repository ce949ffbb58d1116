package wiring

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Mutation run 22's B11 made the configuration-checks document, schema 2.2 with PowerShell and
// shell steps, an Automation one: CreateDocument refuses it, and its association could not run it
// on the instances as a command.
func TestACommandDocumentMadeAnAutomationOneIsNamed(t *testing.T) {
	fleet := read(t, "../../test/testdata/default.fleet.template.json")
	props(fleet, "ConfigurationChecksDocumentE059575A")["DocumentType"] = "Automation"
	assert.Equal(t, []string{
		`document ConfigurationChecksDocumentE059575A: is of type Automation with schemaVersion "2.2": Automation documents take schema 0.3`,
		"document ConfigurationChecksDocumentE059575A: step 0's action aws:runPowerShellScript is a Command document plugin, which an Automation runbook cannot use",
		"document ConfigurationChecksDocumentE059575A: step 1's action aws:runShellScript is a Command document plugin, which an Automation runbook cannot use",
		"association ConfigurationChecksAssociation01E80C0A: runs document ConfigurationChecksDocumentE059575A, of type Automation, on its targets at a rate without " +
			"AutomationTargetParameterName: it runs a Command or Policy document so",
		"association ConfigurationChecksInstancesAssociationA5F4AF05: runs document ConfigurationChecksDocumentE059575A, of type Automation, on its targets at a rate without " +
			"AutomationTargetParameterName: it runs a Command or Policy document so",
	}, Documents(fleet))
}

// The neighbours: a runbook (schema 0.3, aws:executeScript) is an Automation document that an
// AUTOMATION task starts; made a Command one, or sent by a RUN_COMMAND task, it is named.
func TestARunbookIsAnAutomationDocumentAnAutomationTaskStarts(t *testing.T) {
	template, task := startStopRunbook(t, "{{ AutomationAssumeRole }}")
	assert.Empty(t, Documents(template))

	task["TaskType"] = "RUN_COMMAND"
	assert.Equal(t, []string{"window task MaintenanceWindowsweeklyStartStopped8B8544F7 (RUN_COMMAND): runs document StartStoppedRunbookD76F190F, of type Automation, not Command"},
		Documents(template))

	task["TaskType"] = "AUTOMATION"
	props(template, "StartStoppedRunbookD76F190F")["DocumentType"] = "Command"
	assert.Equal(t, []string{
		`document StartStoppedRunbookD76F190F: is of type Command with schemaVersion "0.3": Command documents take schema 1.2, 2.0, 2.2`,
		`document StartStoppedRunbookD76F190F: step 0's action "aws:executeScript" is no Command document plugin, which a Command document's steps are`,
		"window task MaintenanceWindowsweeklyStartStopped8B8544F7 (AUTOMATION): runs document StartStoppedRunbookD76F190F, of type Command, not Automation",
	}, Documents(template))
}
