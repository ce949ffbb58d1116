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

// idLookupPlaceholder is the id CDK's prefix-list lookup yields until the CLI has performed it.
const idLookupPlaceholder = "pl-xxxxxxxx"

// S3PrefixListName is the name of a region's AWS-managed S3 prefix list ("AWS-managed prefix
// lists", Amazon VPC User Guide: Amazon S3, com.amazonaws.region.s3; read 2026-11-27).
func S3PrefixListName(region string) string {
	return fmt.Sprintf("com.amazonaws.%s.s3", region)
}

// LookupS3PrefixListId reads the id of the stack region's com.amazonaws.REGION.s3 managed prefix
// list from the CDK context (a Cloud Control lookup on AWS::EC2::PrefixList by name). The CDK CLI
// performs a missing lookup with the caller's credentials and caches it in cdk.context.json. The
// stack needs a concrete account and region.
//
// found is false until the lookup is cached; the id is then a placeholder that lets synthesis
// finish so the CLI can perform the lookup, and the caller should report an error.
func LookupS3PrefixListId(scope constructs.Construct) (id string, found bool) {
	region := stackRegion(scope, "network.LookupS3PrefixListId")
	list := awsec2.PrefixList_FromLookup(scope, jsii.String("S3PrefixList"), &awsec2.PrefixListLookupOptions{
		PrefixListName: jsii.String(S3PrefixListName(region)),
	})
	id = *list.PrefixListId()
	return id, id != idLookupPlaceholder
}

// LookupS3PrefixListCidrs reads the CIDRs of the prefix list id (see LookupS3PrefixListId) from
// the CDK context, by a Cloud Control lookup of its entries, cached like the id.
//
// found is false until the lookup is cached, or while id is still the id lookup's placeholder
// (asking for its entries would fail); the CIDRs are then a placeholder.
func LookupS3PrefixListCidrs(scope constructs.Construct, id string) (cidrs []string, found bool) {
	if id == idLookupPlaceholder {
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
