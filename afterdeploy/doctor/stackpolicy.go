package doctor

import (
	"fmt"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/proof/cfnupdate"
)

// unprotectedBy are the stack's resources of a protected type (cfnupdate.ProtectedTypes, what make
// deploy's policy guards) that the stack policy lets an update replace or delete, as
// "ID (TYPE): ACTIONS". The policy is evaluated by cfnupdate.PolicyAllows, the evaluator
// check-update uses ("Prevent updates to stack resources").
func unprotectedBy(policy []cfnupdate.PolicyStatement, resources []stackResource) []string {
	var out []string
	for _, r := range resources {
		if !slices.Contains(cfnupdate.ProtectedTypes(), r.ResourceType) {
			continue
		}
		var actions []string
		for _, action := range []string{cfnupdate.UpdateReplace, cfnupdate.UpdateDelete} {
			if cfnupdate.PolicyAllows(policy, action, r.LogicalResourceId, r.ResourceType) {
				actions = append(actions, action)
			}
		}
		if len(actions) > 0 {
			out = append(out, fmt.Sprintf("%s (%s) %s", r.LogicalResourceId, r.ResourceType, strings.Join(actions, ", ")))
		}
	}
	slices.Sort(out)
	return out
}
