package network

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// lookupPlaceholder is what an S3 prefix-list lookup yields until the CDK CLI has performed it.
const lookupPlaceholder = "192.0.2.0/24" // TEST-NET-1: never a real S3 range

// LookupS3PrefixListCidrs reads the CIDRs of the stack region's com.amazonaws.REGION.s3 managed
// prefix list from the CDK context, by two Cloud Control lookups on AWS::EC2::PrefixList: the
// list's id by name, then its entries. The CDK CLI performs missing lookups with the caller's
// credentials and caches them in cdk.context.json. The stack needs a concrete account and region.
//
// found is false until both lookups are cached; the CIDRs are then a placeholder that lets
// synthesis finish so the CLI can perform the lookups, and the caller should report an error.
func LookupS3PrefixListCidrs(scope constructs.Construct) (cidrs []string, found bool) {
	region := *awscdk.Stack_Of(scope).Region()
	list := awsec2.PrefixList_FromLookup(scope, jsii.String("S3PrefixList"), &awsec2.PrefixListLookupOptions{
		PrefixListName: jsii.String(fmt.Sprintf("com.amazonaws.%s.s3", region)),
	})
	id := *list.PrefixListId()
	if id == "pl-xxxxxxxx" { // the id lookup's own placeholder: asking for its entries would fail
		return []string{lookupPlaceholder}, false
	}
	placeholder := []any{map[string]any{"Entries": []any{map[string]any{"Cidr": lookupPlaceholder}}}}
	result := awscdk.ContextProvider_GetValue(scope, &awscdk.GetContextValueOptions{
		Provider: jsii.String("cc-api-provider"),
		Props: &map[string]any{
			"typeName":           "AWS::EC2::PrefixList",
			"exactIdentifier":    id,
			"propertiesToReturn": []string{"Entries"},
		},
		DummyValue: placeholder,
	})
	cidrs = entryCidrs(result.Value)
	if len(cidrs) == 0 || cidrs[0] == lookupPlaceholder {
		return []string{lookupPlaceholder}, false
	}
	return cidrs, true
}

// entryCidrs extracts [{"Entries": [{"Cidr": ...}]}], the shape the Cloud Control provider returns.
func entryCidrs(value any) []string {
	var cidrs []string
	resources, _ := value.([]any)
	for _, resource := range resources {
		fields, _ := resource.(map[string]any)
		entries, _ := fields["Entries"].([]any)
		for _, entry := range entries {
			if e, ok := entry.(map[string]any); ok {
				if cidr, ok := e["Cidr"].(string); ok {
					cidrs = append(cidrs, cidr)
				}
			}
		}
	}
	return cidrs
}
