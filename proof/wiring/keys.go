package wiring

import (
	"fmt"
	"maps"
	"slices"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// Keys checks the KMS keys that encrypt the stacks' topics, log groups and buckets: each is a
// symmetric encryption key ("Amazon SNS only supports symmetric encryption KMS keys", "Managing
// Amazon SNS encryption keys and costs"; "CloudWatch Logs supports only symmetric KMS keys",
// AssociateKmsKey; "Amazon S3 only supports symmetric KMS keys", PutBucketEncryption, botocore
// 1.43.11's models), and a log group names its key by ARN, as CreateLogGroup's kmsKeyId asks ("The
// Amazon Resource Name (ARN) of the KMS key"), not by its id (a Ref).
func Keys(templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		resources, _ := template["Resources"].(map[string]any)
		keys := cfntemplate.OfType(resources, "AWS::KMS::Key")
		symmetric := func(what string, v any) {
			id := cfntemplate.Ref(v)
			if id == "" {
				id = cfntemplate.GetAtt(v)
			}
			k, ok := keys[id]
			if !ok {
				return
			}
			if spec := cfntemplate.Text(k["KeySpec"]); spec != "" && spec != "SYMMETRIC_DEFAULT" {
				problems = append(problems, fmt.Sprintf("%s: key %s is %s, not a symmetric encryption key", what, id, spec))
			}
			if usage := cfntemplate.Text(k["KeyUsage"]); usage != "" && usage != "ENCRYPT_DECRYPT" {
				problems = append(problems, fmt.Sprintf("%s: key %s is for %s, not ENCRYPT_DECRYPT", what, id, usage))
			}
		}
		topics := cfntemplate.OfType(resources, "AWS::SNS::Topic")
		for _, id := range slices.Sorted(maps.Keys(topics)) {
			symmetric("topic "+id, topics[id]["KmsMasterKeyId"])
		}
		groups := cfntemplate.OfType(resources, "AWS::Logs::LogGroup")
		for _, id := range slices.Sorted(maps.Keys(groups)) {
			symmetric("log group "+id, groups[id]["KmsKeyId"])
			if _, isKey := keys[cfntemplate.Ref(groups[id]["KmsKeyId"])]; isKey {
				problems = append(problems, fmt.Sprintf("log group %s: names key %s by its id (a Ref), where CloudWatch Logs takes its ARN", id, cfntemplate.Ref(groups[id]["KmsKeyId"])))
			}
		}
		buckets := cfntemplate.OfType(resources, "AWS::S3::Bucket")
		for _, id := range slices.Sorted(maps.Keys(buckets)) {
			encryption, _ := buckets[id]["BucketEncryption"].(map[string]any)
			for _, rule := range cfntemplate.List(encryption["ServerSideEncryptionConfiguration"]) {
				rule, _ := rule.(map[string]any)
				byDefault, _ := rule["ServerSideEncryptionByDefault"].(map[string]any)
				symmetric("bucket "+id, byDefault["KMSMasterKeyID"])
			}
		}
	}
	return problems
}
