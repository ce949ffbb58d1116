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

// The compliance items' values a saved query compares: "The compliance type. For example,
// Association (for a State Manager association), Patch, or Custom:string are all valid compliance
// types" (ComplianceItem, ComplianceType), and "An item is either COMPLIANT, NON_COMPLIANT, or an
// empty string (for Windows patches that aren't applicable)" (the same, Status: AWS Systems
// Manager API Reference, read 2026-12-07). Athena compares strings case-sensitively, so 'PATCH'
// finds nothing.
var (
	complianceTypes    = []string{"Patch", "Association"}
	complianceStatuses = []string{"COMPLIANT", "NON_COMPLIANT"}
	queryLiteral       = regexp.MustCompile(`\b(compliancetype|status)\s*=\s*'([^']*)'`)
)

// Queries checks the literals the saved Athena queries compare compliance items with: a type
// Systems Manager records (a Custom: one, one a document of the stacks reports), a status it
// records. A query with another literal returns no rows, and nothing says why.
func Queries(patching, fleet map[string]any) []string {
	var reported strings.Builder
	for _, template := range []map[string]any{patching, fleet} {
		for _, doc := range cfntemplate.OfType(cfntemplate.Resources(template), "AWS::SSM::Document") {
			data, _ := json.Marshal(doc["Content"])
			reported.Write(data)
		}
	}
	queries := cfntemplate.OfType(cfntemplate.Resources(patching), "AWS::Athena::NamedQuery")
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(queries)) {
		for _, m := range queryLiteral.FindAllStringSubmatch(rendered(queries[id]["QueryString"]), -1) {
			switch field, value := m[1], m[2]; {
			case field == "status" && !slices.Contains(complianceStatuses, value):
				problems = append(problems, fmt.Sprintf("query %s: compares status with %q, which is none of %v", id, value, complianceStatuses))
			case field == "compliancetype" && strings.HasPrefix(value, "Custom:") && !strings.Contains(reported.String(), value):
				problems = append(problems, fmt.Sprintf("query %s: compares compliancetype with %q, which no document of the stacks reports", id, value))
			case field == "compliancetype" && !strings.HasPrefix(value, "Custom:") && !slices.Contains(complianceTypes, value):
				problems = append(problems, fmt.Sprintf("query %s: compares compliancetype with %q, which is none of %v or Custom:...", id, value, complianceTypes))
			}
		}
	}
	return problems
}
