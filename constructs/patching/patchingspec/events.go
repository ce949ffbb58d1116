package patchingspec

// InstanceAssociationEventFields are the detail fields of an "EC2 State Manager Instance
// Association State Change" event: what an alert rule may scope it by. AWS's example carries
// association-id, instance-id, document-name, document-version, targets, creation-date,
// last-successful-execution-date, last-execution-date, status, detailed-status, error-code,
// execution-summary, output-url and instance-association-cwe-version; no association name
// ("Amazon EventBridge event examples for Systems Manager", State Manager Instance Association
// State Change, Systems Manager User Guide, read 2026-12-06; proof/wiring/events/
// aws-example-instance-association.json).
var InstanceAssociationEventFields = []string{
	"association-id", "instance-id", "document-name", "document-version", "targets", "creation-date",
	"last-successful-execution-date", "last-execution-date", "status", "detailed-status", "error-code",
	"execution-summary", "output-url", "instance-association-cwe-version",
}

// MaxEventPatternCharacters is the longest event pattern an EventBridge rule takes by default:
// "Event pattern size ... 2,048 ... Maximum size of the event pattern, in characters" (adjustable;
// "Amazon EventBridge quotas", EventBridge User Guide, read 2026-12-06).
const MaxEventPatternCharacters = 2048

// AssociationIDLength is the length of a State Manager association id, a UUID: "Pattern:
// [0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}" ("InstanceAssociation",
// AssociationId, Systems Manager API Reference, read 2026-12-06).
const AssociationIDLength = 36
