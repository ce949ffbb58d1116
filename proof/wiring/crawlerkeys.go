package wiring

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// crawlerLogGroupPrefix begins the log group a crawler with a security configuration writes to:
// /aws-glue/crawlers-role/<role name>-<security configuration name>, the group the crawler's role
// must be allowed logs:AssociateKmsKey on ("Encrypting data written by crawlers, jobs, and
// development endpoints" and "Setting up encryption in AWS Glue", AWS Glue Developer Guide, read
// 2026-12-07; a job's is /aws-glue/jobs-yourRoleName-yourSecurityConfigurationName/, JobRun
// LogGroupName, AWS Glue API Reference). CloudWatch Logs then uses the configuration's key under
// the encryption context aws:logs:arn of that group (logsContextKey).
const crawlerLogGroupPrefix = "/aws-glue/crawlers-role/"

// CrawlerLogsKeys checks that every key a Glue security configuration names for its CloudWatch
// Logs encryption (SSE-KMS, KmsKeyArn a key of the template) lets logs.<region>.amazonaws.com
// use it for the log group of each crawler the configuration is attached to, as allowsRegionalLogs
// judges a log group's key (at the deployment's region and account): a condition on the
// encryption context that names other groups (only /aws/lambda/*, mutation run 21's A17), or
// another account's or service's ARNs, denies CloudWatch Logs, and the crawler cannot write its
// logs. The IAM evaluator authz uses ignores kms:EncryptionContext keys (authz.Accepted), so this
// is judged here. The crawler's role on the same key (kms:Encrypt, Decrypt, GenerateDataKey, from
// the key policy directly or through its account-root statement and the role's own grant) is
// authz's crawler rows, which the evaluator judges.
func CrawlerLogsKeys(region, account string, templates ...map[string]any) (problems, notes []string) {
	at := placeOf(region, account)
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		keys := cfntemplate.OfType(resources, "AWS::KMS::Key")
		crawlers := cfntemplate.OfType(resources, "AWS::Glue::Crawler")
		configurations := cfntemplate.OfType(resources, "AWS::Glue::SecurityConfiguration")
		for _, id := range slices.Sorted(maps.Keys(configurations)) {
			name := rendered(configurations[id]["Name"])
			encryption, _ := configurations[id]["EncryptionConfiguration"].(map[string]any)
			cloudWatch, _ := encryption["CloudWatchEncryption"].(map[string]any)
			keyID := cfntemplate.GetAtt(cloudWatch["KmsKeyArn"])
			key, ok := keys[keyID]
			if cfntemplate.Text(cloudWatch["CloudWatchEncryptionMode"]) != "SSE-KMS" || !ok {
				continue
			}
			for _, crawlerID := range slices.Sorted(maps.Keys(crawlers)) {
				c := crawlers[crawlerID]
				if rendered(c["CrawlerSecurityConfiguration"]) != name && cfntemplate.Ref(c["CrawlerSecurityConfiguration"]) != id {
					continue
				}
				role, shown, judged := crawlerRoleName(resources, c["Role"])
				if !judged {
					continue
				}
				admitted := allowsRegionalLogs(key, map[string]any{"LogGroupName": crawlerLogGroupPrefix + role + "-" + name}, at)
				group := crawlerLogGroupPrefix + shown + "-" + name
				if admitted == notJudged {
					notes = append(notes, fmt.Sprintf("security configuration %s: key %s, for crawler %s's log group %s: %s", id, keyID, crawlerID, group, logsNotJudged))
				}
				if admitted == denies {
					problems = append(problems, fmt.Sprintf("security configuration %s: key %s does not let CloudWatch Logs use it as logs.<region>.amazonaws.com for crawler %s's log group %s "+
						"(the principal and the encryption context %s its key policy must admit): the crawler cannot write its encrypted logs",
						id, keyID, crawlerID, group, logsContextKey))
				}
			}
		}
	}
	return problems, notes
}

// crawlerRoleName is the name of the role a crawler's Role names (its ARN, a GetAtt or Ref of a
// role of the template, or a name), and how a message shows it: a generated name is written as
// the Ref that returns it, so that only a pattern admitting any name, or that Ref, matches it. A
// role with a path is not judged (judged false): no AWS page read says whether the path is part
// of the group's name.
func crawlerRoleName(resources map[string]any, v any) (name, shown string, judged bool) {
	id := cfntemplate.GetAtt(v)
	if id == "" {
		id = cfntemplate.Ref(v)
	}
	if role, ok := cfntemplate.OfType(resources, "AWS::IAM::Role")[id]; ok {
		if path := cfntemplate.Text(role["Path"]); path != "" && path != "/" {
			return "", "", false
		}
		if role["RoleName"] != nil {
			return rendered(role["RoleName"]), rendered(role["RoleName"]), true
		}
		return rendered(map[string]any{"Ref": id}), "<" + id + "'s generated name>", true
	}
	text, ok := v.(string)
	if !ok {
		return "", "", false
	}
	if _, arnName, isArn := strings.Cut(text, ":role/"); isArn {
		if strings.Contains(arnName, "/") {
			return "", "", false
		}
		return arnName, arnName, true
	}
	return text, text, true
}
