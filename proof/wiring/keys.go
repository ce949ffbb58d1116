package wiring

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/network/networkspec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// Keys checks the KMS keys that encrypt the stacks' topics, log groups and buckets: each is a
// symmetric encryption key ("Amazon SNS only supports symmetric encryption KMS keys", "Managing
// Amazon SNS encryption keys and costs"; "CloudWatch Logs supports only symmetric KMS keys",
// AssociateKmsKey; "Amazon S3 only supports symmetric KMS keys", PutBucketEncryption, botocore
// 1.43.11's models), and a log group names its key by ARN, as CreateLogGroup's kmsKeyId asks ("The
// Amazon Resource Name (ARN) of the KMS key"), not by its id (a Ref).
func Keys(region, account string, templates ...map[string]any) (problems, notes []string) {
	at := placeOf(region, account)
	problems = append(RotationPeriods(templates...), KeysRotate(templates...)...)
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
			// The topics take alarms and EventBridge rules, which AWS services publish: their key
			// must be a customer managed one, whose policy lets those services use it; the AWS
			// managed key alias/aws/sns's policy cannot be changed ("Enable compatibility between
			// event sources from AWS services and encrypted topics", Amazon SNS Developer Guide;
			// mutation run 10's A12).
			if key := keyText(topics[id]["KmsMasterKeyId"]); strings.HasSuffix(key, "alias/aws/sns") {
				problems = append(problems, fmt.Sprintf("topic %s: encrypted with the AWS managed key %s, whose policy admits no AWS service: the alarms and rules that publish to it are denied", id, key))
			}
		}
		groups := cfntemplate.OfType(resources, "AWS::Logs::LogGroup")
		for _, id := range slices.Sorted(maps.Keys(groups)) {
			symmetric("log group "+id, groups[id]["KmsKeyId"])
		}
		groupProblems, groupNotes := logGroupKeys(groups, keys, at)
		problems, notes = append(problems, groupProblems...), append(notes, groupNotes...)
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
	return problems, notes
}

// logGroupKeys are the problems and notes of each log group's key of the template (keys): named
// by ARN, and letting CloudWatch Logs use it for the group (allowsRegionalLogs).
func logGroupKeys(groups, keys map[string]map[string]any, at arnPlace) (problems, notes []string) {
	for _, id := range slices.Sorted(maps.Keys(groups)) {
		if _, isKey := keys[cfntemplate.Ref(groups[id]["KmsKeyId"])]; isKey {
			problems = append(problems, fmt.Sprintf("log group %s: names key %s by its id (a Ref), where CloudWatch Logs takes its ARN", id, cfntemplate.Ref(groups[id]["KmsKeyId"])))
		}
		keyID := cfntemplate.GetAtt(groups[id]["KmsKeyId"])
		key, ok := keys[keyID]
		if !ok {
			continue
		}
		switch allowsRegionalLogs(key, groups[id], at) {
		case notJudged:
			notes = append(notes, fmt.Sprintf("log group %s: key %s: %s", id, keyID, logsNotJudged))
		case denies:
			problems = append(problems, fmt.Sprintf("log group %s: key %s does not let CloudWatch Logs use it as logs.<region>.amazonaws.com "+
				"for this group (the principal and the encryption context %s its key policy must name): creating the encrypted group fails",
				id, keyID, logsContextKey))
		}
	}
	return problems, notes
}

// regionalLogs is CloudWatch Logs' principal in a key policy: "Any ETL job or crawler that writes
// encrypted Amazon CloudWatch Logs requires the following permissions in the key policy",
// "Principal": {"Service": "logs.region.amazonaws.com"} ("Setting Up Encryption in AWS Glue",
// which points to "Encrypt Log Data in CloudWatch Logs Using AWS KMS", read 2026-12-07);
// logs.amazonaws.com is not it.
var regionalLogs = regexp.MustCompile(`^logs\.[a-z]{2}(-[a-z]+)+-[0-9]\.amazonaws\.com(\.cn)?$`)

// logsContextKey is the encryption context CloudWatch Logs asks KMS under: the key policy of the
// same page binds the statement to log groups by "kms:EncryptionContext:aws:logs:arn" (ArnLike or
// ArnEquals on the group's ARN). The IAM evaluator authz uses does not model it, so it is checked
// here: a condition on another key, or on an ARN the group's does not match, denies Logs.
const logsContextKey = "kms:EncryptionContext:aws:logs:arn"

// allowsRegionalLogs: the key's policy allows the regional CloudWatch Logs principal to generate
// data keys for group (an action of the statement, IAM's wildcards and all, covers
// kms:GenerateDataKey: the guide's statement grants kms:GenerateDataKey* with Encrypt*, Decrypt*,
// ReEncrypt* and Describe*, and kms:* covers them too), under a condition that admits the group's
// encryption context at the deployment's place: admits when one statement does, notJudged when
// none does and one's condition is not judged.
func allowsRegionalLogs(key, group map[string]any, at arnPlace) verdict {
	policy, _ := key["KeyPolicy"].(map[string]any)
	best := denies
	for _, st := range cfntemplate.List(policy["Statement"]) {
		st, _ := st.(map[string]any)
		principal, _ := st["Principal"].(map[string]any)
		if st["Effect"] == "Allow" && coversAction(st, "kms:GenerateDataKey") &&
			slices.ContainsFunc(cfntemplate.Values(principal["Service"]), func(s any) bool { return regionalLogs.MatchString(rendered(s)) }) {
			best = max(best, logsContextAdmits(st["Condition"], at, at.groupArn(group["LogGroupName"])))
		}
	}
	return best
}

// verdict is what a key policy's condition does to a request, ordered so that IAM's OR of a key's
// values is the max and its AND of keys and operators the min.
type verdict int

const (
	denies    verdict = iota
	notJudged         // an ARN operator's value of fewer than six components: no page read says how IAM pairs it
	admits
)

// logsNotJudged is the note for a log group whose key's policy admits CloudWatch Logs only under
// a condition value not judged (notJudged).
const logsNotJudged = "its key policy admits CloudWatch Logs (logs.<region>.amazonaws.com) only under an ARN condition on " + logsContextKey +
	" of fewer than six components: not judged: no AWS page says how IAM pairs its components with the group's ARN"

// coversAction: the statement's Action names action, or its NotAction does not, by IAM's
// wildcards; action names are case insensitive ("IAM JSON policy elements: Action", IAM User
// Guide).
func coversAction(st map[string]any, action string) bool {
	named := func(v any) bool {
		return slices.ContainsFunc(cfntemplate.Values(v), func(a any) bool { return glob(strings.ToLower(rendered(a)), strings.ToLower(action)) })
	}
	if not, ok := st["NotAction"]; ok {
		return !named(not)
	}
	return named(st["Action"])
}

// logsContextAdmits says whether a statement's condition lets in a log group's encryption
// context (the ARN arn, as at.groupArn gives it): no condition, or only logsContextKey under an
// ARN or string operator (IfExists alike: CloudWatch Logs always gives the key), with a value
// (any one of a list: IAM ORs a key's values) that matches arn as its operator matches.
func logsContextAdmits(condition any, at arnPlace, arn string) verdict {
	operators, _ := condition.(map[string]any)
	result := admits
	for operator, keys := range operators {
		keys, _ := keys.(map[string]any)
		operator = strings.TrimSuffix(operator, "IfExists")
		for k, v := range keys {
			if k != logsContextKey || !slices.Contains([]string{"ArnLike", "ArnEquals", "StringLike", "StringEquals"}, operator) {
				return denies
			}
			values := denies
			for _, value := range cfntemplate.Values(v) {
				values = max(values, arnConditionMatches(operator, at.resolved(value), arn))
			}
			result = min(result, values)
		}
	}
	return result
}

// arnConditionMatches: a condition value (pattern, rendered at the deployment's place) matches
// arn under operator, as "IAM JSON policy elements: Condition operators" (IAM User Guide, read
// 2026-12-07) says: ArnEquals and ArnLike: "Each of the six colon-delimited components of the ARN
// is checked separately and each can include multi-character match wildcards (*) or
// single-character match wildcards (?). The ArnEquals and ArnLike condition operators behave
// identically"; StringLike matches the whole string with those wildcards; StringEquals is "Exact
// matching". A value of fewer than six components is not judged under the ARN operators: no page
// read says how IAM pairs its components (review round 3's 2a: arn:aws:logs:* may match, as a
// Resource's trailing * runs across colons). AWS's account-wide form
// arn:aws:logs:region:account-id:* ("limits the use of the AWS KMS key to the specified account,
// but it can be used for any log group", "Encrypt log data in CloudWatch Logs using AWS KMS",
// CloudWatch Logs User Guide, read 2026-12-07) admits every group of the account.
func arnConditionMatches(operator, pattern, arn string) verdict {
	admitted := func(b bool) verdict {
		if b {
			return admits
		}
		return denies
	}
	switch operator {
	case "StringEquals":
		return admitted(pattern == arn)
	case "StringLike":
		return admitted(globName(pattern, arn))
	}
	patterns, parts := strings.SplitN(pattern, ":", 6), strings.SplitN(arn, ":", 6)
	if len(patterns) != 6 {
		return notJudged
	}
	for i := range parts {
		if parts[i] != unknownPseudo && !globName(patterns[i], parts[i]) {
			return denies
		}
	}
	return admits
}

// globName globs s (which ends in generatedName where the group's name is generated) against
// pattern: a generated name is unknown, so only a pattern ending in * admits it.
func globName(pattern, s string) bool {
	return glob(pattern, s) && (!strings.HasSuffix(s, generatedName) || strings.HasSuffix(pattern, "*"))
}

// glob matches s against pattern, * standing for any run of characters and ? for one (IAM's
// wildcards), every other character for itself.
func glob(pattern, s string) bool {
	p, r := []rune(pattern), []rune(s)
	pi, ri, star, mark := 0, 0, -1, 0
	for ri < len(r) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == r[ri]):
			pi, ri = pi+1, ri+1
		case pi < len(p) && p[pi] == '*':
			star, mark, pi = pi, ri, pi+1
		case star >= 0:
			mark++
			pi, ri = star+1, mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// arnPlace is where a deployment's ARNs are: its partition, region and account, each
// unknownPseudo where the configuration does not give it (an account-agnostic deployment).
type arnPlace struct{ partition, region, account string }

// Markers in a rendered ARN, free of colons so that its components stay apart: a pseudo
// parameter the configuration does not give (any pattern admits it: not judged), and a log
// group's generated name.
const (
	unknownPseudo = "\x00"
	generatedName = "\x01"
)

// placeOf is the place of a deployment in region (partition from it) and account.
func placeOf(region, account string) arnPlace {
	at := arnPlace{unknownPseudo, unknownPseudo, unknownPseudo}
	if region != "" {
		at.partition, at.region = networkspec.Partition(region), region
	}
	if account != "" {
		at.account = account
	}
	return at
}

// groupArn is the ARN CloudWatch Logs gives as a log group's encryption context,
// arn:<partition>:logs:<region>:<account>:log-group:<name> (the same page: "the ARN of the log
// group as the value"), the name generatedName where the template gives none.
func (at arnPlace) groupArn(name any) string {
	text := generatedName
	if name != nil {
		text = at.resolved(name)
	}
	return fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", at.partition, at.region, at.account, text)
}

// resolved renders v with the pseudo parameters AWS::Partition, AWS::Region and AWS::AccountId
// as the place's (the stacks deploy there), and any other intrinsic as its JSON.
func (at arnPlace) resolved(v any) string {
	return cfntemplate.Joined(v, func(intrinsic any) string {
		switch cfntemplate.Ref(intrinsic) {
		case "AWS::Partition":
			return at.partition
		case "AWS::Region":
			return at.region
		case "AWS::AccountId":
			return at.account
		}
		data, _ := json.Marshal(intrinsic)
		return string(data)
	})
}

// policyTypes hold policy documents, by the property that holds them.
var policyTypes = map[string]string{"AWS::KMS::Key": "KeyPolicy", "AWS::IAM::Policy": "PolicyDocument", "AWS::IAM::ManagedPolicy": "PolicyDocument",
	"AWS::IAM::Role": "AssumeRolePolicyDocument", "AWS::S3::BucketPolicy": "PolicyDocument", "AWS::SNS::TopicPolicy": "PolicyDocument"}

// Regions checks that every ARN the stacks' policies name, in a resource or a condition (an
// encryption context, a source ARN), is in the deployment's region when it names one: a
// deployment acts in its own region, and a key statement bound to another region's log groups
// lets none of its own use the key.
func Regions(region string, templates ...map[string]any) []string {
	if region == "" {
		return nil // no region to judge by
	}
	var problems []string
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		for _, kind := range slices.Sorted(maps.Keys(policyTypes)) {
			found := cfntemplate.OfType(resources, kind)
			for _, id := range slices.Sorted(maps.Keys(found)) {
				for _, arn := range arnPrefixes(found[id][policyTypes[kind]]) {
					parts := strings.SplitN(arn, ":", 5)
					if len(parts) >= 4 && parts[3] != "" && parts[3] != "*" && !strings.Contains(parts[3], "$") && parts[3] != region {
						problems = append(problems, fmt.Sprintf("%s %s: names %s..., in region %s, not the deployment's %s", kind, id, arn, parts[3], region))
					}
				}
				for _, principal := range regionalPrincipals(found[id][policyTypes[kind]]) {
					if got := regionalPrincipal.FindStringSubmatch(principal)[2]; got != region {
						problems = append(problems, fmt.Sprintf("%s %s: names the service principal %s, of region %s, not the deployment's %s: "+
							"the service in the deployment's region is not it, and is denied", kind, id, principal, got, region))
					}
				}
			}
		}
		// The resource data sync writes to the stacks' bucket, which is in the deployment's
		// region: BucketRegion is "The AWS Region with the S3 bucket targeted by the resource
		// data sync" (AWS::SSM::ResourceDataSync S3Destination, CloudFormation resource
		// specification).
		syncs := cfntemplate.OfType(resources, "AWS::SSM::ResourceDataSync")
		for _, id := range slices.Sorted(maps.Keys(syncs)) {
			destination, _ := syncs[id]["S3Destination"].(map[string]any)
			if got, ok := destination["BucketRegion"].(string); ok && got != region {
				problems = append(problems, fmt.Sprintf("resource data sync %s: BucketRegion %s, and the stacks' bucket is in the deployment's %s", id, got, region))
			}
		}
	}
	return problems
}

// regionalPrincipal is a service principal that names a region, as CloudWatch Logs' does
// ("Principal": {"Service": "logs.region.amazonaws.com"}, "Encrypt log data in CloudWatch Logs
// using AWS Key Management Service", read 2026-12-07): the service of that region only.
var regionalPrincipal = regexp.MustCompile(`^([a-z0-9-]+)\.([a-z]{2}(?:-[a-z]+)+-[0-9])\.amazonaws\.com(\.cn)?$`)

// regionalPrincipals are the literal regional service principals of a policy document's
// statements (a principal CDK joins from {"Ref": "AWS::Region"} is the deployment's by
// construction, and rendered with the Ref it does not match).
func regionalPrincipals(document any) []string {
	doc, _ := document.(map[string]any)
	var out []string
	for _, st := range cfntemplate.List(doc["Statement"]) {
		st, _ := st.(map[string]any)
		principal, _ := st["Principal"].(map[string]any)
		for _, service := range cfntemplate.Values(principal["Service"]) {
			if text := rendered(service); regionalPrincipal.MatchString(text) {
				out = append(out, text)
			}
		}
	}
	return out
}

// arnPrefixes are the literal ARN texts in a policy document: whole strings, and the first part of
// each Fn::Join (CDK writes an ARN with the account as {"Ref": "AWS::AccountId"} between parts).
func arnPrefixes(v any) []string {
	var out []string
	switch v := v.(type) {
	case string:
		if strings.HasPrefix(v, "arn:") {
			out = append(out, v)
		}
	case map[string]any:
		if join := cfntemplate.List(v["Fn::Join"]); len(join) == 2 {
			if parts := cfntemplate.List(join[1]); len(parts) > 0 {
				if s, ok := parts[0].(string); ok && strings.HasPrefix(s, "arn:") {
					return []string{s}
				}
			}
		}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			out = append(out, arnPrefixes(v[k])...)
		}
	case []any:
		for _, item := range v {
			out = append(out, arnPrefixes(item)...)
		}
	}
	return out
}

// PrefixLists checks that every security group rule that names a prefix list literally names the
// S3 list the configuration gives for the deployment's region (network.s3PrefixListIds): a
// prefix list is a regional resource, and another region's id fails the deploy ("The prefix list
// ... does not exist"); where a NAT route lets HTTPS out to anywhere, the flow table still passes,
// so only this names a template that drifted from the configuration (mutation run 9's N04). It
// does not say the configured id is the region's S3 list: no AWS page lists the ids, and the
// drift check (s3drift, with credentials) asks AWS. An id CDK looked up (a token, or no
// configured id) is not judged.
func PrefixLists(network map[string]any, s3PrefixList string) []string {
	if s3PrefixList == "" {
		return nil
	}
	resources := cfntemplate.Resources(network)
	var problems []string
	check := func(id string, rule map[string]any) {
		for _, key := range []string{"DestinationPrefixListId", "SourcePrefixListId"} {
			if got, ok := rule[key].(string); ok && got != s3PrefixList {
				problems = append(problems, fmt.Sprintf("security group rule %s: %s %s is not the region's S3 prefix list %s (network.s3PrefixListIds): another region's list does not exist here, and the deploy fails", id, key, got, s3PrefixList))
			}
		}
	}
	for _, kind := range []string{"AWS::EC2::SecurityGroupEgress", "AWS::EC2::SecurityGroupIngress"} {
		rules := cfntemplate.OfType(resources, kind)
		for _, id := range slices.Sorted(maps.Keys(rules)) {
			check(id, rules[id])
		}
	}
	groups := cfntemplate.OfType(resources, "AWS::EC2::SecurityGroup")
	for _, id := range slices.Sorted(maps.Keys(groups)) {
		for _, key := range []string{"SecurityGroupEgress", "SecurityGroupIngress"} {
			for _, r := range cfntemplate.List(groups[id][key]) {
				r, _ := r.(map[string]any)
				check(id, r)
			}
		}
	}
	return problems
}
