package test

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/privatepatch/privatepatch/constructs/patching"
)

// awsOwnedSsmArn finds ARNs of AWS-owned Systems Manager documents and runbooks (names that
// begin with AWS, as AWS-RunPatchBaseline, AWSSupport-...) in a flattened template string,
// capturing the account field. AWS names them without one (constructs/patching/patchingspec/awsdocuments.go).
var awsOwnedSsmArn = regexp.MustCompile(`arn:[^:"]+:ssm:[^:"]*:([^:"]*):(?:document|automation-definition)/AWS[A-Za-z0-9_.-]*`)

// templateStrings returns every string of a template, with each Fn::Join flattened and its
// intrinsic parts written as <map[Ref.AWS..AccountId]>, so that an ARN built from parts can be read whole.
func templateStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, templateStrings(e)...)
		}
		return out
	case map[string]any:
		if join, ok := x["Fn::Join"].([]any); ok && len(join) == 2 {
			if parts, ok := join[1].([]any); ok {
				var b strings.Builder
				for _, p := range parts {
					if s, ok := p.(string); ok {
						b.WriteString(s)
					} else {
						// Colons would split the ARN's fields.
						b.WriteString("<" + strings.ReplaceAll(fmt.Sprint(p), ":", ".") + ">")
					}
				}
				return []string{b.String()}
			}
		}
		var out []string
		for _, k := range sortedKeys(x) {
			out = append(out, templateStrings(x[k])...)
		}
		return out
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// awsOwnedArnsWithAccount returns the ARNs in template that name an AWS-owned document or
// runbook with an account, and how many such ARNs it names in all.
func awsOwnedArnsWithAccount(template map[string]any) (bad []string, all int) {
	for _, s := range templateStrings(template) {
		for _, m := range awsOwnedSsmArn.FindAllStringSubmatch(s, -1) {
			all++
			if m[1] != "" {
				bad = append(bad, m[0])
			}
		}
	}
	return bad, all
}

func TestNoTemplateNamesAnAwsOwnedDocumentOrRunbookWithAnAccount(t *testing.T) {
	named := 0
	for file, template := range goldenTemplates(t) {
		bad, all := awsOwnedArnsWithAccount(template)
		named += all
		assert.Empty(t, bad, "%s names AWS-owned documents or runbooks with an account: IAM matches nothing, and the call is denied", file)
	}
	// The windows' roles name AWS-RunPatchBaseline and AWS-CreateImage: the check saw them.
	assert.Positive(t, named, "no ARN of an AWS-owned document was found: the pattern no longer matches the templates")
}

func TestAwsOwnedArnCheckFindsAnAccountInADocumentOrRunbookArn(t *testing.T) {
	// Planted: the pre-patch image's ARN as it was, with this account's id.
	template := map[string]any{"Resource": map[string]any{"Fn::Join": []any{"", []any{
		"arn:aws:ssm:us-west-2:", map[string]any{"Ref": "AWS::AccountId"}, ":automation-definition/AWS-CreateImage:*"}}}}
	bad, all := awsOwnedArnsWithAccount(template)
	assert.Equal(t, 1, all)
	assert.Equal(t, []string{"arn:aws:ssm:us-west-2:<map[Ref.AWS..AccountId]>:automation-definition/AWS-CreateImage"}, bad)
	bad, _ = awsOwnedArnsWithAccount(map[string]any{"Resource": "arn:aws:ssm:us-west-2:111111111111:document/AWS-RunPatchBaseline"})
	assert.Len(t, bad, 1)
	// The construct's forms pass; a customer document with an account is not AWS-owned.
	for _, ok := range []string{
		patching.AWSDocumentArn("aws", "us-west-2", patching.RunPatchBaselineDocument),
		patching.AWSRunbookArn("aws-cn", "cn-north-1", patching.CreateImageRunbook, "*"),
		"arn:aws:ssm:us-west-2:111111111111:document/privatepatch-checks",
	} {
		bad, _ := awsOwnedArnsWithAccount(map[string]any{"Resource": ok})
		assert.Empty(t, bad, ok)
	}
}
