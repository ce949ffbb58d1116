package wiring

import (
	"fmt"
	"maps"
	"slices"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// DocumentVersions checks that each association of a document the same template creates runs the
// version the constructs set: none, "$LATEST" or "$DEFAULT". The documents are UpdateMethod
// NewVersion, and "When you specify NewVersion, the default version of the document is changed
// to the newly created version" (AWS::SSM::Document UpdateMethod, CloudFormation User Guide, as
// aws-cdk-go v2.270.0's awsssm.CfnDocumentProps carries it, read 2026-12-07): a fixed number
// pins the association to that version, and a later change of the document never runs
// (held-out run 30's B19: the WSUS client association's $LATEST become "1").
func DocumentVersions(templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		documents := cfntemplate.OfType(resources, "AWS::SSM::Document")
		associations := cfntemplate.OfType(resources, "AWS::SSM::Association")
		for _, id := range slices.Sorted(maps.Keys(associations)) {
			a := associations[id]
			document := cfntemplate.Ref(a["Name"])
			if _, ours := documents[document]; !ours {
				continue
			}
			if v := cfntemplate.Text(a["DocumentVersion"]); v != "" && v != "$LATEST" && v != "$DEFAULT" {
				problems = append(problems, fmt.Sprintf("association %s: runs version %s of the stack's document %s (UpdateMethod %s), not its newest: later changes of the document never run", id, v, document, cfntemplate.Text(documents[document]["UpdateMethod"])))
			}
		}
	}
	return problems
}
