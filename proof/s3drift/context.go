package s3drift

import (
	"fmt"
	"slices"
	"strings"
)

// ContextCidrs are the region's S3 ranges as synth looked them up: the answer the CDK CLI cached
// in the context (cdk.context.json) for constructs/network's LookupS3PrefixListCidrs, a Cloud
// Control lookup of the entries of prefix list id, sorted. nil when the context holds no answer:
// the ranges are then unknown offline, and the private ACL's own are no proof of itself (review
// of run 21, 3a).
func ContextCidrs(context map[string]any, account, region, id string) []string {
	var cidrs []string
	answer, _ := context[EntriesLookupKey(account, region, id)].([]any)
	for _, resource := range answer {
		fields, _ := resource.(map[string]any)
		entries, _ := fields["Entries"].([]any)
		for _, entry := range entries {
			e, _ := entry.(map[string]any)
			if cidr, ok := e["Cidr"].(string); ok {
				cidrs = append(cidrs, cidr)
			}
		}
	}
	slices.Sort(cidrs)
	return cidrs
}

// ContextPrefixListId is the region's S3 prefix list id as synth looked it up by name
// (constructs/network's LookupS3PrefixListId), "" when the context holds no answer.
func ContextPrefixListId(context map[string]any, account, region string) string {
	answer, _ := context[IdLookupKey(account, region)].([]any)
	if len(answer) != 1 {
		return ""
	}
	fields, _ := answer[0].(map[string]any)
	id, _ := fields["PrefixListId"].(string)
	return id
}

// IdLookupKey is the context key of the lookup of the region's S3 prefix list id by name
// (awsec2.PrefixList_FromLookup, aws-cdk-lib 2.270's prefix-list.js).
func IdLookupKey(account, region string) string {
	return contextKey("cc-api-provider", map[string]string{"account": account, "region": region, "typeName": "AWS::EC2::PrefixList",
		"expectedMatchCount": "exactly-one", "propertiesToReturn.0": "PrefixListId", "propertyMatch.PrefixListName": fmt.Sprintf("com.amazonaws.%s.s3", region)})
}

// EntriesLookupKey is the context key of the lookup of prefix list id's entries
// (constructs/network's LookupS3PrefixListCidrs).
func EntriesLookupKey(account, region, id string) string {
	return contextKey("cc-api-provider", map[string]string{"account": account, "region": region, "typeName": "AWS::EC2::PrefixList",
		"exactIdentifier": id, "propertiesToReturn.0": "Entries"})
}

// contextKey is CDK's ContextProvider.getKey (aws-cdk-lib 2.270, core/lib/context-provider.js):
// the provider, then each property (nested ones flattened to path.key, a list's items by index)
// as key=value, sorted and joined by ":", a ":" inside a value written "$:". props here are
// already flattened.
func contextKey(provider string, props map[string]string) string {
	var parts []string
	for k, v := range props {
		parts = append(parts, k+"="+strings.ReplaceAll(v, ":", "$:"))
	}
	slices.Sort(parts)
	return provider + ":" + strings.Join(parts, ":")
}
