package networkspec

import (
	"encoding/json"
	"fmt"
	"slices"
)

// S3 endpoint policy, as constructs/network writes it: one statement reading the Systems Manager,
// repository and listed buckets' objects (its Sid keeps it apart), and the read-write statements
// of the project's buckets, which CDK merges into one (@aws-cdk/aws-iam:minimizePolicies).
const (
	S3ReadStatementSid = "ReadSystemsManagerAndListedBuckets"
)

// S3OutputActions are what SSM Agent asks of its command-output bucket ("Create an IAM instance
// profile for Systems Manager", output to your own bucket): no reads, lists or ACLs, which make
// verify's mutation test found no call needs.
var S3OutputActions = []string{"s3:PutObject", "s3:GetEncryptionConfiguration"}

// S3ReadWriteActions are what a read-write bucket may be asked through the endpoint.
var S3ReadWriteActions = []string{"s3:GetObject", "s3:PutObject", "s3:PutObjectAcl", "s3:ListBucket",
	"s3:GetBucketLocation", "s3:GetEncryptionConfiguration"}

type policyStatement struct {
	Action    any               `json:"Action"`
	Effect    string            `json:"Effect"`
	Principal map[string]string `json:"Principal"`
	Resource  any               `json:"Resource"`
	Sid       string            `json:"Sid,omitempty"`
}

// S3EndpointPolicy is the S3 gateway endpoint's policy document as deployed: CDK's rendering
// (keys, actions and resources sorted, duplicates dropped, a list of one written as its item)
// with partition and the buckets' names in place, as compact JSON. Its length is what the
// endpoint policy quota (MaxEndpointPolicyCharacters) counts; a test compares it with the
// synthesised templates.
func S3EndpointPolicy(partition string, read, readWrite, output, outputReadPrefixes []string) []byte {
	arn := func(bucket string) string { return fmt.Sprintf("arn:%s:s3:::%s", partition, bucket) }
	var objects, readWriteResources []string
	for _, b := range read {
		objects = append(objects, arn(b)+"/*")
	}
	for _, b := range readWrite {
		readWriteResources = append(readWriteResources, arn(b), arn(b)+"/*")
	}
	// The output bucket's name carries the account, a token where the stack's account is: CDK
	// renders it after the sorted literal ARNs.
	var outputObjects []string
	for _, b := range output {
		for _, prefix := range outputReadPrefixes {
			outputObjects = append(outputObjects, arn(b)+"/"+prefix+"*")
		}
	}
	one := func(items []string) any {
		items = slices.Compact(slices.Sorted(slices.Values(items)))
		if len(items) == 1 {
			return items[0]
		}
		return items
	}
	anyone := map[string]string{"AWS": "*"}
	readResources := any(append(slices.Compact(slices.Sorted(slices.Values(objects))), outputObjects...))
	if len(outputObjects) == 0 {
		readResources = one(objects)
	}
	statements := []policyStatement{{Action: "s3:GetObject", Effect: "Allow", Principal: anyone, Resource: readResources, Sid: S3ReadStatementSid}}
	if len(readWriteResources) > 0 {
		statements = append(statements, policyStatement{Action: one(S3ReadWriteActions), Effect: "Allow", Principal: anyone, Resource: one(readWriteResources)})
	}
	for _, b := range output {
		statements = append(statements, policyStatement{Action: one(S3OutputActions), Effect: "Allow", Principal: anyone, Resource: one([]string{arn(b), arn(b) + "/*"})})
	}
	doc, err := json.Marshal(struct {
		Statement []policyStatement `json:"Statement"`
		Version   string            `json:"Version"`
	}{statements, "2012-10-17"})
	if err != nil {
		panic(err) // strings only
	}
	return doc
}

// Partition is the AWS partition of region: aws-cn in China, aws-us-gov in GovCloud, aws-eusc in
// the European Sovereign Cloud, else aws.
func Partition(region string) string {
	for prefix, partition := range map[string]string{"cn-": "aws-cn", "us-gov-": "aws-us-gov", "eusc-": "aws-eusc"} {
		if len(region) > len(prefix) && region[:len(prefix)] == prefix {
			return partition
		}
	}
	return "aws"
}
