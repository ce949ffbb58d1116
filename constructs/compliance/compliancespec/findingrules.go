package compliancespec

import "slices"

// FindingRule is one findings rule's event pattern, as the construct emits it and verify
// compares it: source, detail-type and detail.
type FindingRule struct {
	Source, DetailType string
	Detail             map[string]any
}

// Pattern is the rule's whole EventPattern.
func (r FindingRule) Pattern() map[string]any {
	return map[string]any{"source": []string{r.Source}, "detail-type": []string{r.DetailType}, "detail": r.Detail}
}

// SecurityHubFindingRule passes new, active Security Hub findings at severities, except the
// copies Inspector sends it (those carrying InspectorFindingMark), which InspectorFindingRule
// passes: "exists": false matches a leaf field the event lacks ("Content filtering in Amazon
// EventBridge event patterns", read 2026-12-06); true would pass only Inspector's copies.
func SecurityHubFindingRule(severities []string) FindingRule {
	return FindingRule{Source: "aws.securityhub", DetailType: "Security Hub Findings - Imported",
		Detail: map[string]any{"findings": map[string]any{
			"Severity":      map[string]any{"Label": severities},
			"Workflow":      map[string]any{"Status": []string{"NEW"}},
			"RecordState":   []string{"ACTIVE"},
			"ProductFields": map[string]any{InspectorFindingMark: []any{map[string]any{"exists": false}}},
		}}}
}

// InspectorFindingRule passes active Inspector findings at severities, and the untriaged ones
// when LOW is among them (InspectorUntriaged).
func InspectorFindingRule(severities []string) FindingRule {
	inspector := severities
	if slices.Contains(severities, "LOW") {
		inspector = append(slices.Clone(severities), InspectorUntriaged)
	}
	return FindingRule{Source: "aws.inspector2", DetailType: "Inspector2 Finding",
		Detail: map[string]any{"severity": inspector, "status": []string{"ACTIVE"}}}
}
