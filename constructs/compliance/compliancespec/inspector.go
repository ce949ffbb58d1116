package compliancespec

import (
	"fmt"
	"regexp"
)

// An Inspector suppression rule is an AWS::InspectorV2::Filter (CreateFilter). Its name: "Minimum
// length of 3. Maximum length of 64. Valid characters include alphanumeric characters, dot (.),
// underscore (_), and dash (-). Spaces are not allowed." ("CreateFilter", Amazon Inspector API
// Reference, request parameter name, and the botocore inspector2 model's CreateFilterRequest name;
// read 2026-12-06). The CloudFormation resource and the FilterName shape say only 1 to 128
// characters; the CreateFilter rule is the stricter of the two, and every name it allows the
// other allows too, so it is the one kept.
var inspectorFilterName = regexp.MustCompile(`^[A-Za-z0-9._-]{3,64}$`)

// MaxInspectorFilterValues is how many filters one criterion of a suppression rule takes: each
// FilterCriteria field (resourceTags, severity) is an "Array of ... objects", "Minimum number of 1
// item. Maximum number of 10 items." ("FilterCriteria", Amazon Inspector API Reference; botocore
// inspector2 MapFilterList and StringFilterList, max 10; read 2026-12-06).
const MaxInspectorFilterValues = 10

// InspectorFilterNameProblem says why Inspector would refuse name as a suppression rule's name,
// or "".
func InspectorFilterNameProblem(name string) string {
	if !inspectorFilterName.MatchString(name) {
		return fmt.Sprintf("is not an Inspector suppression rule name (%d characters): Inspector takes 3 to 64 letters, digits and . _ -, no spaces", len(name))
	}
	return ""
}

// MaxInspectorSuppressionTags is how many tags one suppression rule of privatepatch's may select
// on: one. Inspector documents no AND between the filters of one criterion, and joins them by OR
// where it must: a severity list such as [LOW, INFORMATIONAL] matches a finding of either, since
// a finding has one severity; Security Hub, whose findings filters Inspector's mirror, says "EQUALS
// filters on the same field are joined by OR" ("MapFilter", AWS Security Hub API Reference, read
// 2026-12-06). Two resourceTags filters would then hide the findings of every resource carrying
// either tag, not both: more than the rule says, and hidden findings alert no one. One tag (with
// severities, a different criterion) is the form that means what it says.
const MaxInspectorSuppressionTags = 1

// InspectorInventoryAssociation is the inventory association Amazon Inspector makes when its EC2
// scanning is switched on: "InspectorInventoryCollection-do-not-delete: This is a Systems Manager
// State Manager (SSM) association that Amazon Inspector uses to collect software application
// inventory from your Amazon EC2 instances. If your account already has an SSM association for
// collecting inventory from InstanceIds*, Amazon Inspector will use that instead of creating its
// own", and "If any of these SSM resources are deleted while Amazon Inspector Amazon EC2 scanning
// is activated for your account, Amazon Inspector will attempt to recreate them at the next scan
// interval" ("Scanning Amazon EC2 instances", Amazon Inspector User Guide, read 2026-12-07). It
// targets every node, so beside a deployment's own inventory association on the fleet's tag each
// node would have two; with patching.inventory.allNodes the deployment's is the one Inspector uses.
const InspectorInventoryAssociation = "InspectorInventoryCollection-do-not-delete"
