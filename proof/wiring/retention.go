package wiring

import (
	"fmt"
	"maps"
	"slices"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
	"github.com/privatepatch/privatepatch/proof/cfnupdate"
)

// Retention checks that every resource holding data is kept when the stack deletes or replaces
// it: DeletionPolicy and UpdateReplacePolicy Retain on each of cfnupdate.StatefulTypes but
// instances and topics, which hold no data once gone (a topic's subscriptions are re-made, an
// instance's data is on its volumes). "Retained data" is the project's rule (the README's secure
// defaults); CloudFormation's default is to delete: "If a resource has no DeletionPolicy
// attribute, AWS CloudFormation deletes the resource by default" ("DeletionPolicy attribute",
// CloudFormation User Guide, read 2026-12-07).
func Retention(templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		for _, id := range slices.Sorted(maps.Keys(resources)) {
			r, _ := resources[id].(map[string]any)
			kind := cfntemplate.Text(r["Type"])
			if !cfnupdate.StatefulTypes[kind] || kind == "AWS::EC2::Instance" || kind == "AWS::SNS::Topic" {
				continue
			}
			for _, attribute := range []string{"DeletionPolicy", "UpdateReplacePolicy"} {
				if got := cfntemplate.Text(r[attribute]); got != "Retain" {
					problems = append(problems, fmt.Sprintf("%s %s: %s is %q, not Retain: deleting or replacing the stack's resource loses its data", kind, id, attribute, got))
				}
			}
		}
	}
	return problems
}
