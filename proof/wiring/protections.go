package wiring

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/logbucket/logbucketspec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// The checks of this file name a protection the stacks build in and a template lost (mutation
// run 21 found each only through a grant the least-privilege pass called unused).

// CommandOutputEncryption checks that the command-output bucket encrypts as
// commandOutput.encryption says (logbucketspec: s3-managed is SSEAlgorithm AES256, kms is aws:kms
// under a key of the fleet stack), and that the resource data sync writing inventory into it
// names that same key with kms and none without: an AES256 bucket where the configuration says
// kms keeps the output and inventory out of the customer managed key, and its grants unused (run
// 21's A09). Its access-log bucket is SSE-S3 whatever the setting (S3 server access logging
// delivers to SSE-S3 buckets only), and is not judged here.
func CommandOutputEncryption(d *config.Config, fleet, patching map[string]any) []string {
	want := d.CommandOutput.WithDefaults().Encryption
	keys := cfntemplate.OfType(cfntemplate.Resources(fleet), "AWS::KMS::Key")
	buckets := cfntemplate.OfType(cfntemplate.Resources(fleet), "AWS::S3::Bucket")
	var problems []string
	bucketKeys := map[string]string{}
	for _, id := range slices.Sorted(maps.Keys(buckets)) {
		if !strings.HasPrefix(id, "CommandOutputBucket") {
			continue
		}
		encryption, _ := buckets[id]["BucketEncryption"].(map[string]any)
		rule, _ := cfntemplate.First(encryption["ServerSideEncryptionConfiguration"]).(map[string]any)
		byDefault, _ := rule["ServerSideEncryptionByDefault"].(map[string]any)
		algorithm, key := cfntemplate.Text(byDefault["SSEAlgorithm"]), keyID(byDefault["KMSMasterKeyID"])
		switch _, ours := keys[key]; {
		case want == logbucketspec.EncryptionKMS && algorithm != "aws:kms":
			problems = append(problems, fmt.Sprintf("bucket %s: SSEAlgorithm %q, and commandOutput.encryption is kms: "+
				"the command output and inventory are not encrypted under the stack's customer managed key", id, algorithm))
		case want == logbucketspec.EncryptionKMS && !ours:
			problems = append(problems, fmt.Sprintf("bucket %s: SSE-KMS under %s, not a key of the fleet stack (commandOutput.encryption kms is its own rotated key)", id, rendered(byDefault["KMSMasterKeyID"])))
		case want == logbucketspec.EncryptionS3Managed && algorithm != "AES256":
			problems = append(problems, fmt.Sprintf("bucket %s: SSEAlgorithm %q, and commandOutput.encryption is s3-managed (AES256)", id, algorithm))
		}
		bucketKeys[id] = key
	}
	syncs := cfntemplate.OfType(cfntemplate.Resources(patching), "AWS::SSM::ResourceDataSync")
	for _, id := range slices.Sorted(maps.Keys(syncs)) {
		destination, _ := syncs[id]["S3Destination"].(map[string]any)
		bucketKey, isOutput := bucketKeys[cfntemplate.Ref(outputValue(fleet, destination["BucketName"]))]
		if !isOutput {
			continue // not the command-output bucket: the settings do not speak of it
		}
		key, named := destination["KMSKeyArn"]
		_, ours := keys[keyID(outputValue(fleet, key))]
		switch {
		case want == logbucketspec.EncryptionKMS && (!ours || bucketKey != "" && keyID(outputValue(fleet, key)) != bucketKey):
			// Without KMSKeyArn S3 still encrypts the objects under the bucket's default ("If a
			// PUT Object request doesn't specify any server-side encryption, this default
			// encryption will be applied", ServerSideEncryptionRule, Amazon S3 API Reference,
			// read 2026-12-07): the sync differs from the construct's, which names the bucket's
			// key, rather than writing unencrypted.
			got := "no KMSKeyArn (S3 then applies the bucket's default encryption)"
			if named {
				got = "KMSKeyArn " + rendered(key)
			}
			problems = append(problems, fmt.Sprintf("resource data sync %s: writes to the command-output bucket with %s, which differs from the construct's "+
				"(the bucket's key, as commandOutput.encryption is kms)", id, got))
		case want == logbucketspec.EncryptionS3Managed && named:
			problems = append(problems, fmt.Sprintf("resource data sync %s: encrypts with KMSKeyArn %s, and commandOutput.encryption is s3-managed", id, rendered(key)))
		}
	}
	return problems
}

// keyID is the logical id of the key v names by Ref or Fn::GetAtt, or "".
func keyID(v any) string {
	if id := cfntemplate.Ref(v); id != "" {
		return id
	}
	return cfntemplate.GetAtt(v)
}

// outputValue is the value of the fleet stack's output that v reads (Fn::GetStackOutput, or
// Fn::ImportValue of its export), or v when it reads none.
func outputValue(fleet map[string]any, v any) any {
	m, _ := v.(map[string]any)
	outputs, _ := fleet["Outputs"].(map[string]any)
	if get, ok := m["Fn::GetStackOutput"].(map[string]any); ok {
		o, _ := outputs[cfntemplate.Text(get["OutputName"])].(map[string]any)
		return o["Value"]
	}
	if name, ok := m["Fn::ImportValue"]; ok {
		for _, o := range outputs {
			o, _ := o.(map[string]any)
			if export, _ := o["Export"].(map[string]any); export != nil && fmt.Sprint(export["Name"]) == fmt.Sprint(name) {
				return o["Value"]
			}
		}
	}
	return v
}

// TopicKeys checks that every topic of the stacks is encrypted with a customer managed key.
// Without KmsMasterKeyId a topic is not encrypted at rest with KMS, which Security Hub's [SNS.1]
// "SNS topics should be encrypted at-rest using AWS KMS" fails ("The control fails if the SNS
// topic doesn't use a KMS key for server-side encryption", Security Hub CSPM controls for Amazon
// SNS, read 2026-12-07); and the key must be a customer managed one whose policy admits the
// CloudWatch alarms and EventBridge rules that publish ("Enable compatibility between event
// sources from AWS services and encrypted topics", Amazon SNS Developer Guide), not the AWS
// managed alias/aws/sns (by alias or alias ARN, or as the Default of the Parameter that gives it,
// run 10's A12 when deployed with the default). Run 21's A20 removed the alerts topic's key. A
// Ref of the template's own AWS::KMS::Alias (its AliasName, the type's primaryIdentifier in
// @aws-cdk/aws-service-spec's db, read 2026-12-07) is judged by the key its TargetKeyId names (an
// alias is a KmsMasterKeyId SNS takes). A key given from outside the template (keyElsewhere) is not
// judged, and a note says so: its policy is not in these templates.
func TopicKeys(templates ...map[string]any) (problems, notes []string) {
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		keys := cfntemplate.OfType(resources, "AWS::KMS::Key")
		topics := cfntemplate.OfType(resources, "AWS::SNS::Topic")
		for _, id := range slices.Sorted(maps.Keys(topics)) {
			given, named := topics[id]["KmsMasterKeyId"]
			key := given
			if alias, _ := resources[cfntemplate.Ref(given)].(map[string]any); alias["Type"] == "AWS::KMS::Alias" {
				aliasProperties, _ := alias["Properties"].(map[string]any)
				key = aliasProperties["TargetKeyId"]
			}
			_, ours := keys[keyID(key)]
			switch {
			case !named:
				problems = append(problems, fmt.Sprintf("topic %s: no KmsMasterKeyId: not encrypted at rest with KMS (Security Hub SNS.1), "+
					"where the stacks encrypt every topic with a customer managed key", id))
			case strings.HasSuffix(keyText(key), "alias/aws/sns") || strings.HasSuffix(parameterDefault(template, key), "alias/aws/sns"):
				problems = append(problems, fmt.Sprintf("topic %s: KmsMasterKeyId %s is the AWS managed key%s, whose policy "+
					"cannot admit the alarms and rules that publish to it", id, rendered(given), byDefault(template, key)))
			case ours:
			case keyElsewhere(template, key):
				notes = append(notes, fmt.Sprintf("topic %s: KmsMasterKeyId %s is a key outside these templates: whether it is customer managed "+
					"and its policy admits the alarms and rules that publish to the topic is not judged", id, rendered(given)))
			default:
				problems = append(problems, fmt.Sprintf("topic %s: KmsMasterKeyId %s is not a customer managed key of its stack, whose policy "+
					"admits the alarms and rules that publish to it", id, rendered(given)))
			}
		}
	}
	return problems, notes
}

// parameterDefault is the Default of the template Parameter v is the Ref of, "" for any other v.
func parameterDefault(template map[string]any, v any) string {
	parameters, _ := template["Parameters"].(map[string]any)
	parameter, _ := parameters[cfntemplate.Ref(v)].(map[string]any)
	text, _ := parameter["Default"].(string)
	return text
}

// byDefault says, when v is a Parameter's Ref, that the key is its Default.
func byDefault(template map[string]any, v any) string {
	if text := parameterDefault(template, v); text != "" {
		return fmt.Sprintf(" when deployed with its Default %q", text)
	}
	return ""
}

// keyElsewhere: v names a key outside the template: what elsewhere says, a Ref of one of the
// template's Parameters (the key's ARN or id given at deploy time), or an ARN built by Fn::Sub or
// Fn::Join (its text holds :kms:).
func keyElsewhere(template map[string]any, v any) bool {
	parameters, _ := template["Parameters"].(map[string]any)
	m, _ := v.(map[string]any)
	_, parameter := parameters[cfntemplate.Ref(v)]
	_, sub := m["Fn::Sub"]
	_, join := m["Fn::Join"]
	return elsewhere(v) || parameter || (sub || join) && strings.Contains(keyText(v), ":kms:")
}

// keyText is v as text: an Fn::Sub's own text (its variables left as ${...}), any other value
// rendered.
func keyText(v any) string {
	m, _ := v.(map[string]any)
	sub, isSub := m["Fn::Sub"]
	if form := cfntemplate.List(sub); len(form) > 0 {
		sub = form[0] // [text, variables]
	}
	if text, ok := sub.(string); isSub && ok {
		return text
	}
	return rendered(v)
}

// elsewhere: v names a resource outside the template (a literal, or another stack's output), so
// this template does not hold what it names.
func elsewhere(v any) bool {
	m, isMap := v.(map[string]any)
	_, imported := m["Fn::ImportValue"]
	_, output := m["Fn::GetStackOutput"]
	return !isMap || imported || output
}

// DefaultSecurityGroups checks that each VPC the network stack creates has CDK's
// restrictDefaultSecurityGroup custom resource (Custom::VpcRestrictDefaultSG) naming its
// DefaultSecurityGroup: without it the default group keeps its rules (all traffic from its own
// members, all egress), which Security Hub's [EC2.2] "VPC default security groups should not
// allow inbound or outbound traffic" fails (AWS Config rule vpc-default-security-group-closed:
// "NON_COMPLIANT if the default security group has one or more inbound or outbound traffic
// rules", read 2026-12-07); run 21's A08 removed it. An existing VPC is its owner's: the template
// creates none, and nothing is judged.
func DefaultSecurityGroups(network map[string]any) []string {
	resources := cfntemplate.Resources(network)
	restricted := map[string]bool{}
	for _, cr := range cfntemplate.OfType(resources, "Custom::VpcRestrictDefaultSG") {
		att, _ := cr["DefaultSecurityGroupId"].(map[string]any)
		if parts := cfntemplate.List(att["Fn::GetAtt"]); len(parts) == 2 && parts[1] == "DefaultSecurityGroup" {
			restricted[cfntemplate.Text(parts[0])] = true
		}
	}
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(cfntemplate.OfType(resources, "AWS::EC2::VPC"))) {
		if !restricted[id] {
			problems = append(problems, fmt.Sprintf("VPC %s: no Custom::VpcRestrictDefaultSG names its DefaultSecurityGroup: the default security group "+
				"keeps allowing all traffic between its members and all egress (Security Hub EC2.2)", id))
		}
	}
	return problems
}

// CrawlerSecurityConfigurations checks that each Glue crawler's CrawlerSecurityConfiguration is
// an AWS::Glue::SecurityConfiguration of the same template, by Ref or by its literal Name: the
// stacks create the configuration beside the crawler (the crawler's logs key is in it), and under
// a name no configuration has the crawler's logs are not encrypted as intended (run 21's A16).
// Whether CreateCrawler then fails no AWS page read says; it does look the configuration up (a
// failed look-up is InvalidInputException "Error trying to retrieve security config",
// hashicorp/terraform-provider-aws#50019, third-party, read 2026-12-07), so the message says
// it may.
func CrawlerSecurityConfigurations(templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		declared := map[string]bool{}
		configurations := cfntemplate.OfType(resources, "AWS::Glue::SecurityConfiguration")
		for id, c := range configurations {
			declared[id], declared[cfntemplate.Text(c["Name"])] = true, true
		}
		crawlers := cfntemplate.OfType(resources, "AWS::Glue::Crawler")
		for _, id := range slices.Sorted(maps.Keys(crawlers)) {
			v, set := crawlers[id]["CrawlerSecurityConfiguration"]
			name := cfntemplate.Ref(v)
			if name == "" {
				name, _ = v.(string)
			}
			if set && !declared[name] {
				problems = append(problems, fmt.Sprintf("Glue crawler %s: CrawlerSecurityConfiguration %s is no security configuration of its template "+
					"(declared: %v): the crawler's logs are not encrypted as intended, and creating it may fail", id, rendered(v), slices.Sorted(maps.Keys(namesOf(configurations)))))
			}
		}
	}
	return problems
}

// namesOf are the Name properties of resources, as a set.
func namesOf(resources map[string]map[string]any) map[string]bool {
	names := map[string]bool{}
	for _, r := range resources {
		names[cfntemplate.Text(r["Name"])] = true
	}
	return names
}
