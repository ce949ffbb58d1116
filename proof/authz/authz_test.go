package authz

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var env = Env{Account: "111111111111", Region: "us-west-2", Partition: "aws"}

// golden reads the golden templates of a scenario of the CDK tests (test/testdata), by the stack
// names they reference each other with: the parts named, or all three.
func golden(t *testing.T, scenario string, parts ...string) Stacks {
	t.Helper()
	if len(parts) == 0 {
		parts = []string{"network", "fleet", "patching"}
	}
	stacks := Stacks{}
	for _, part := range parts {
		data, err := os.ReadFile(fmt.Sprintf("../../test/testdata/%s.%s.template.json", scenario, part))
		require.NoError(t, err)
		var template map[string]any
		require.NoError(t, json.Unmarshal(data, &template))
		stacks["privatepatch-"+part] = template
	}
	return stacks
}

// statements visits every policy statement of every resource in stacks.
func statements(stacks Stacks, visit func(resourceType string, statement map[string]any) bool) {
	for _, template := range stacks {
		for _, r := range template["Resources"].(map[string]any) {
			res := r.(map[string]any)
			props, _ := res["Properties"].(map[string]any)
			for _, key := range []string{"PolicyDocument", "KeyPolicy"} {
				doc, _ := props[key].(map[string]any)
				list, _ := doc["Statement"].([]any)
				var kept []any
				for _, s := range list {
					if visit(res["Type"].(string), s.(map[string]any)) {
						kept = append(kept, s)
					}
				}
				if doc != nil {
					doc["Statement"] = kept
				}
			}
		}
	}
}

// The shipped goldens and the three defects of issue 13 and 14 reverted in copies of them, all
// evaluated in one run of the evaluator.
var (
	evaluated struct {
		once    sync.Once
		results map[string][]Result
		err     error
	}
)

func results(t *testing.T) map[string][]Result {
	t.Helper()
	evaluated.once.Do(func() {
		evaluator, err := Find("../..")
		if err != nil {
			evaluated.err = err
			return
		}
		var deployments []Deployment
		for _, scenario := range []string{"default", "example"} {
			deployments = append(deployments, Deployment{Name: scenario, Stacks: golden(t, scenario), Env: env})
		}

		// The S3 endpoint without Patch Manager's payload bucket.
		noPayload := golden(t, "example")
		statements(noPayload, func(resourceType string, s map[string]any) bool {
			if resourceType == "AWS::EC2::VPCEndpoint" {
				var kept []any
				for _, r := range s["Resource"].([]any) {
					if !strings.Contains(fmt.Sprint(r), "aws-patch-manager-") {
						kept = append(kept, r)
					}
				}
				s["Resource"] = kept
			}
			return true
		})
		// The window role naming AWS-CreateImage with an account, as before the fix.
		createImageWithAccount := golden(t, "default")
		statements(createImageWithAccount, func(_ string, s map[string]any) bool {
			if s["Sid"] == "StartCreateImage" {
				s["Resource"] = map[string]any{"Fn::Join": []any{"", []any{"arn:aws:ssm:us-west-2:", map[string]any{"Ref": "AWS::AccountId"},
					":automation-definition/AWS-CreateImage:*"}}}
			}
			return true
		})
		// The alerts topic and key without their statements for CloudWatch alarms.
		noAlarmStatements := golden(t, "default")
		statements(noAlarmStatements, func(_ string, s map[string]any) bool {
			return !strings.Contains(fmt.Sprint(s["Principal"]), "cloudwatch.amazonaws.com")
		})
		// A topic policy that lets anyone publish.
		openTopic := golden(t, "default")
		statements(openTopic, func(resourceType string, s map[string]any) bool {
			if resourceType == "AWS::SNS::TopicPolicy" && s["Effect"] == "Allow" {
				s["Principal"], s["Condition"] = "*", nil
				delete(s, "Condition")
			}
			return true
		})
		// The alerts topic and key as they were with EventBridge's publish role: no statement for
		// events.amazonaws.com (the rules' targets named the role).
		eventsByRole := golden(t, "default")
		statements(eventsByRole, func(_ string, s map[string]any) bool {
			return !strings.Contains(fmt.Sprint(s["Principal"]), "events.amazonaws.com")
		})
		// The key statement bound by aws:SourceArn, which SNS does not support for EventBridge.
		eventsKeyBySource := golden(t, "default")
		statements(eventsKeyBySource, func(_ string, s map[string]any) bool {
			if s["Sid"] == "EventBridgeRulesUseKey" {
				s["Condition"] = map[string]any{"ArnLike": map[string]any{"aws:SourceArn": "arn:aws:events:us-west-2:111111111111:rule/*"}}
			}
			return true
		})
		// The topic statement for EventBridge without its rules.
		eventsAnyRule := golden(t, "default")
		statements(eventsAnyRule, func(_ string, s map[string]any) bool {
			if s["Sid"] == "EventBridgeRulesPublish" {
				delete(s["Condition"].(map[string]any), "ArnEquals")
			}
			return true
		})
		// WSUS in a private subnet of an existing VPC behind an S3 gateway endpoint the stack
		// creates, and the same endpoint with its writes scoped to the fleet's prefixes.
		wsusBehindEndpoint := hubWithCreatedS3Endpoint(t, nil)
		endpointForFleetOnly := hubWithCreatedS3Endpoint(t, nil)
		statements(endpointForFleetOnly, func(resourceType string, s map[string]any) bool {
			if resourceType == "AWS::EC2::VPCEndpoint" && strings.Contains(fmt.Sprint(s["Action"]), "s3:PutObject") {
				var scoped []any
				for _, prefix := range []string{"patch/", "wsus-client/", "cce/"} {
					scoped = append(scoped, "arn:aws:s3:::privatepatch-ssm-111111111111-us-west-2/"+prefix+"*")
				}
				s["Resource"] = scoped
			}
			return true
		})
		// The WSUS role without the statement that lets its health script publish its metrics.
		noWsusMetrics := golden(t, "default")
		statements(noWsusMetrics, func(_ string, s map[string]any) bool { return s["Sid"] != "PublishWsusHealth" })
		// The health association without its Namespace: the document's default applies.
		healthDefaultNamespace := golden(t, "default")
		delete(resourceOf(t, healthDefaultNamespace, "privatepatch-fleet", "WsusHealthAssociation")["Parameters"].(map[string]any), "Namespace")
		// The maintenance window role trusting a service it must not.
		wrongService := Deployment{Name: "wrong-service", Stacks: golden(t, "default"), Env: env}
		for id, r := range wrongService.Stacks["privatepatch-patching"]["Resources"].(map[string]any) {
			if strings.HasPrefix(id, "MaintenanceWindowsprivatepatchweeklyServiceRole") && r.(map[string]any)["Type"] == "AWS::IAM::Role" {
				trust := r.(map[string]any)["Properties"].(map[string]any)["AssumeRolePolicyDocument"].(map[string]any)
				trust["Statement"].([]any)[0].(map[string]any)["Principal"] = map[string]any{"Service": "lambda.amazonaws.com"}
			}
		}
		// The S3 endpoint opened to every bucket, in the default configuration (no fleet role:
		// only the bring-your-own instance's rows see it).
		openEndpoint := Deployment{Name: "open-endpoint", Stacks: golden(t, "default"), Env: env}
		endpoint := resourceOf(t, openEndpoint.Stacks, "privatepatch-network", "NetworkEndpointss3")["PolicyDocument"].(map[string]any)
		endpoint["Statement"].([]any)[0].(map[string]any)["Resource"] = "*"
		endpoint["Statement"].([]any)[1].(map[string]any)["Resource"] = "*"
		// The flow log to S3 given a folder (run 21's A01): delivery writes under it, where the
		// bucket policy admits only AWSLogs/<account>/*; and the same folder with the policy
		// following it, which admits it.
		// The crawler's logs key without the account-root statement (so the role's own grant does
		// not count), the same key naming the role itself, and the role without its grant.
		crawlerKeyWithoutRoot, crawlerKeyNamesRole := crawlerLogsKeyPolicy(t, false), crawlerLogsKeyPolicy(t, true)
		crawlerWithoutGrant := golden(t, "example")
		statements(crawlerWithoutGrant, func(_ string, s map[string]any) bool { return s["Sid"] != "CrawlerLogsKey" })
		// The crawler's logs key given by a literal ARN: a key outside the templates.
		crawlerKeyElsewhere := golden(t, "example")
		configuration := resourceOf(t, crawlerKeyElsewhere, "privatepatch-patching", "InventoryQueriesSecurityConfiguration")
		configuration["EncryptionConfiguration"].(map[string]any)["CloudWatchEncryption"].(map[string]any)["KmsKeyArn"] = elsewhereKeyArn
		readOnlyBoundary, openBoundary := boundedFleetRole(t, "ssm:Describe*", "ssm:Get*", "ssm:List*"), boundedFleetRole(t, "*")
		flowLogFolder := flowLogInFolder(t, false)
		flowLogFolderAdmitted := flowLogInFolder(t, true)
		deployments = append(deployments, wrongService, openEndpoint, newOutputPrefix(t),
			Deployment{Name: "flow-log-folder", Stacks: flowLogFolder, Env: env}, Deployment{Name: "flow-log-folder-admitted", Stacks: flowLogFolderAdmitted, Env: env},
			Deployment{Name: "flow-log-hive", Stacks: flowLogHive(t, false), Env: env}, Deployment{Name: "flow-log-hive-admitted", Stacks: flowLogHive(t, true), Env: env})
		for name, stacks := range map[string]Stacks{"no-payload-bucket": noPayload, "create-image-with-account": createImageWithAccount,
			"no-alarm-statements": noAlarmStatements, "open-topic": openTopic,
			"events-by-role": eventsByRole, "events-key-by-source": eventsKeyBySource, "events-any-rule": eventsAnyRule,
			"wsus-behind-created-s3-endpoint": wsusBehindEndpoint, "s3-endpoint-for-the-fleet-only": endpointForFleetOnly,
			"no-wsus-metrics": noWsusMetrics, "health-default-namespace": healthDefaultNamespace,
			"crawler-key-without-root": crawlerKeyWithoutRoot, "crawler-key-names-role": crawlerKeyNamesRole, "crawler-without-key-grant": crawlerWithoutGrant,
			"crawler-key-elsewhere": crawlerKeyElsewhere, "fleet-role-read-only-boundary": readOnlyBoundary, "fleet-role-open-boundary": openBoundary,
			"fleet-role-ssm-read-only-boundary": awsBoundedFleetRole(t, "arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess"),
			"fleet-role-administrator-boundary": awsBoundedFleetRole(t, "arn:aws:iam::aws:policy/AdministratorAccess"),
			"fleet-role-organisation-boundary":  awsBoundedFleetRole(t, organisationBoundary)} {
			deployments = append(deployments, Deployment{Name: name, Stacks: stacks, Env: env})
		}
		evaluated.results, evaluated.err = evaluator.Evaluate(deployments)
	})
	require.NoError(t, evaluated.err)
	return evaluated.results
}

// find returns the results of a deployment whose caller, action and resource contain the parts.
func find(t *testing.T, deployment, caller, action, resource string) []Result {
	t.Helper()
	var out []Result
	for _, r := range results(t)[deployment] {
		if strings.Contains(r.Caller, caller) && r.Action == action && strings.Contains(r.Resource, resource) {
			out = append(out, r)
		}
	}
	require.NotEmpty(t, out, "%s: no call of %s %s %s", deployment, caller, action, resource)
	return out
}

// needed are the rows that must be allowed (the catalogue adds forbidden neighbours, such as the
// same caller without TLS).
func needed(rows []Result) []Result {
	var out []Result
	for _, r := range rows {
		if r.Required {
			out = append(out, r)
		}
	}
	return out
}

func TestShippedConfigurationsAreAuthorisedForEveryNeededCallAndDeniedEveryForbiddenOne(t *testing.T) {
	for _, scenario := range []string{"default", "example"} {
		rs := results(t)[scenario]
		require.NotEmpty(t, rs)
		for _, r := range rs {
			assert.True(t, r.OK(), "%s: %s", scenario, r)
			assert.NotEmpty(t, r.Source, "every row names the AWS page it rests on: %s", r)
			// A row is an AWS request as written: no fmt verb misfired into its caller or ARN
			// (an access log bucket without LogFilePrefix once gave .../%!s(<nil>)2026-...).
			assert.NotContains(t, r.Caller+" "+r.Resource, "%!", "%s: %s", scenario, r)
		}
	}
	// The rows the issue names are there, and decided by the statements that make them work.
	payload := find(t, "example", "FleetRole", "s3:GetObject", "aws-patch-manager-us-west-2-34d7f99f8")[0]
	assert.True(t, payload.ThroughS3Endpoint)
	assert.Contains(t, strings.Join(payload.Deciding, "; "), "endpoint policy S3GatewayEndpoint statement ReadSystemsManagerAndListedBuckets")
	createImage := find(t, "default", "maintenance window", "ssm:StartAutomationExecution", "automation-definition/AWS-CreateImage")[0]
	assert.Contains(t, strings.Join(createImage.Deciding, "; "), "statement StartCreateImage")
	for _, r := range find(t, "default", "CloudWatch alarm", "sns:Publish", "AlertsTopic") {
		assert.Equal(t, r.Required, r.Verdict == "Allowed", "%s", r) // the rows without TLS are denied
	}
	// Hybrid nodes: invited in the example, so its windows may command them and they may
	// download AWS's payload; not in the default, whose windows may not.
	assert.True(t, find(t, "example", "maintenance window", "ssm:SendCommand", ":managed-instance/")[0].Required)
	assert.False(t, find(t, "default", "maintenance window", "ssm:SendCommand", ":managed-instance/")[0].Required)
	assert.Equal(t, "Allowed", find(t, "example", "SecurityHybridRole", "s3:GetObject", "aws-patch-manager-")[0].Verdict)
}

// flowLogInFolder is the flowlogs-s3 network stack whose flow log writes into the folder
// flowlogs/ of its bucket; admitted: its bucket policy's delivery statement names that folder.
func flowLogInFolder(t *testing.T, admitted bool) Stacks {
	stacks := golden(t, "flowlogs-s3", "network")
	bucket := map[string]any{"Fn::GetAtt": []any{"NetworkFlowLogsBucketA9BF4847", "Arn"}}
	resourceOf(t, stacks, "privatepatch-network", "NetworkVpcFlowLog")["LogDestination"] = map[string]any{"Fn::Join": []any{"", []any{bucket, "/flowlogs/"}}}
	if admitted {
		statements(stacks, func(resourceType string, s map[string]any) bool {
			if resourceType == "AWS::S3::BucketPolicy" && s["Action"] == "s3:PutObject" && strings.Contains(fmt.Sprint(s["Principal"]), "delivery.logs") {
				s["Resource"] = map[string]any{"Fn::Join": []any{"", []any{bucket, "/flowlogs/AWSLogs/", map[string]any{"Ref": "AWS::AccountId"}, "/*"}}}
			}
			return true
		})
	}
	return stacks
}

// crawlerLogsKeyPolicy is the example, whose crawler's logs key has no account-root statement;
// namesRole: a statement of the key lets the crawler's role use it instead.
func crawlerLogsKeyPolicy(t *testing.T, namesRole bool) Stacks {
	stacks := golden(t, "example")
	policy := resourceOf(t, stacks, "privatepatch-patching", "InventoryQueriesLogsKey")["KeyPolicy"].(map[string]any)
	var kept []any
	for _, st := range policy["Statement"].([]any) {
		if !strings.Contains(fmt.Sprint(st.(map[string]any)["Principal"]), ":root") {
			kept = append(kept, st)
		}
	}
	if namesRole {
		kept = append(kept, map[string]any{"Sid": "TheCrawlerWritesItsLogs", "Effect": "Allow", "Resource": "*",
			"Principal": map[string]any{"AWS": map[string]any{"Fn::GetAtt": []any{"InventoryQueriesCrawlerRole014F2020", "Arn"}}},
			"Action":    []any{"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"}})
	}
	policy["Statement"] = kept
	return stacks
}

// The crawler's role uses its logs key ("Encrypting data written by crawlers, jobs, and
// development endpoints": grant KMS permissions to the IAM roles passed to crawlers) through the
// key policy: its own grant counts only where the key policy delegates to the account's root, so
// a key without that statement denies the role (review of run 21's checks, 5a), a key naming the
// role admits it, and a role without its grant is denied with the root statement in place.
func TestTheCrawlersRoleUsesItsLogsKeyThroughTheKeyPolicy(t *testing.T) {
	for _, action := range []string{"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"} {
		allowed := needed(find(t, "example", "Glue crawler", action, ":key/"))
		require.Len(t, allowed, 1, action)
		assert.True(t, allowed[0].OK(), "%s", allowed[0])
		for _, deployment := range []string{"crawler-key-without-root", "crawler-without-key-grant"} {
			denied := needed(find(t, deployment, "Glue crawler", action, ":key/"))
			require.Len(t, denied, 1, deployment)
			assert.False(t, denied[0].OK(), "%s: %s", deployment, denied[0])
		}
		named := needed(find(t, "crawler-key-names-role", "Glue crawler", action, ":key/"))
		require.Len(t, named, 1, action)
		assert.True(t, named[0].OK(), "%s", named[0])
	}
}

// elsewhereKeyArn is a key outside the templates.
const elsewhereKeyArn = "arn:aws:kms:us-west-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// A crawler logs key outside the templates (here a literal ARN) is not judged: its key policy,
// which KMS consults before any IAM grant, is not in them, so the role's own grant proves nothing
// (review round 2, 4a); the crawler's other rows, and the key of the templates, are judged.
func TestACrawlerLogsKeyOutsideTheTemplatesIsNotJudgedOnTheRolesGrant(t *testing.T) {
	for _, action := range []string{"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"} {
		rows := needed(find(t, "crawler-key-elsewhere", "Glue crawler", action, elsewhereKeyArn))
		require.Len(t, rows, 1, action)
		assert.Equal(t, "key policy not in these templates", rows[0].NotJudged, "%s", rows[0])
		assert.Empty(t, needed(find(t, "example", "Glue crawler", action, ":key/"))[0].NotJudged)
	}
	assert.Empty(t, needed(find(t, "crawler-key-elsewhere", "Glue crawler", "logs:AssociateKmsKey", ""))[0].NotJudged)
}

// Review round 3's 3a: every KMS row on a key outside the templates says "not judged", not only
// the crawler's: a role publishing to a topic under a literal key ARN, and a role writing to an
// SSE-KMS bucket under one, each keep their key rows, not judged; on the templates' keys they are
// judged.
func TestEveryKeyRowOutsideTheTemplatesIsNotJudged(t *testing.T) {
	keyRows := func(stacks Stacks, source string) []Call {
		calls, err := Deployment{Stacks: stacks, Env: env}.Calls()
		require.NoError(t, err)
		var out []Call
		for _, c := range calls {
			if c.Source == source {
				out = append(out, c)
			}
		}
		require.NotEmpty(t, out, source)
		return out
	}
	for _, c := range append(keyRows(golden(t, "example"), publisherKeyPage), keyRows(golden(t, "rich-patching", "fleet", "patching"), encryptedBucketPage)...) {
		assert.Empty(t, c.NotJudged, "%s %s", c.Caller, c.Action)
		assert.NotEmpty(t, c.ResourcePolicy.Origin, "%s %s", c.Caller, c.Action)
	}
	topicElsewhere := golden(t, "example")
	resourceOf(t, topicElsewhere, "privatepatch-patching", "AlertsTopicCF7C81C9")["KmsMasterKeyId"] = elsewhereKeyArn
	bucketElsewhere := golden(t, "rich-patching", "fleet", "patching")
	encryption := resourceOf(t, bucketElsewhere, "privatepatch-fleet", "CommandOutputBucket0DD4DD73")["BucketEncryption"].(map[string]any)
	encryption["ServerSideEncryptionConfiguration"].([]any)[0].(map[string]any)["ServerSideEncryptionByDefault"].(map[string]any)["KMSMasterKeyID"] = elsewhereKeyArn
	for _, c := range append(keyRows(topicElsewhere, publisherKeyPage), keyRows(bucketElsewhere, encryptedBucketPage)...) {
		assert.Equal(t, elsewhereKeyArn, c.Resource)
		assert.Equal(t, "key policy not in these templates", c.NotJudged, "%s %s", c.Caller, c.Action)
	}
}

// The fourth review's L1: a topic encrypted through the template's own alias (KmsMasterKeyId its
// Ref, the AliasName) has its publishers' key rows judged by the alias's TargetKeyId's policy, on
// the key's ARN, as wiring.TopicKeys reads it; they were "key policy not in these templates".
func TestATopicKeyedByTheTemplatesAliasIsJudgedByItsKey(t *testing.T) {
	stacks := golden(t, "example")
	patching := stacks["privatepatch-patching"]["Resources"].(map[string]any)
	patching["AlertsAlias"] = map[string]any{"Type": "AWS::KMS::Alias", "Properties": map[string]any{"AliasName": "alias/alerts",
		"TargetKeyId": map[string]any{"Fn::GetAtt": []any{"AlertsKey9E1197AF", "Arn"}}}}
	resourceOf(t, stacks, "privatepatch-patching", "AlertsTopicCF7C81C9")["KmsMasterKeyId"] = map[string]any{"Ref": "AlertsAlias"}
	calls, err := Deployment{Stacks: stacks, Env: env}.Calls()
	require.NoError(t, err)
	rows := 0
	for _, c := range calls {
		if c.Source == publisherKeyPage {
			rows++
			assert.Empty(t, c.NotJudged, "%s %s", c.Caller, c.Action)
			assert.Contains(t, c.Resource, ":kms:", "the key's ARN, not the alias")
			assert.NotEmpty(t, c.ResourcePolicy.Origin, "%s %s", c.Caller, c.Action)
		}
	}
	assert.NotZero(t, rows)
}

// A flow log's delivery writes under the folder of its LogDestination: a folder the bucket
// policy does not admit is a denied delivery, named as such (run 21's A01 was only reported as
// the delivery statements being unneeded); a policy that follows the folder admits it.
func TestAFlowLogFolderOutsideTheBucketPolicysPrefixIsADeniedDelivery(t *testing.T) {
	put := needed(find(t, "flow-log-folder", "VPC flow log delivery", "s3:PutObject", "/flowlogs/AWSLogs/111111111111/vpcflowlogs/"))
	require.Len(t, put, 1)
	assert.False(t, put[0].OK(), "%s", put[0])
	assert.Equal(t, "ImplicitlyDenied", put[0].Verdict)
	for _, action := range []string{"s3:GetBucketAcl", "s3:ListBucket"} {
		assert.True(t, needed(find(t, "flow-log-folder", "VPC flow log delivery", action, ""))[0].OK(), "the bucket rows do not depend on the folder")
	}
	for _, r := range results(t)["flow-log-folder-admitted"] {
		assert.True(t, r.OK(), "%s", r)
	}
	assert.NotEmpty(t, needed(find(t, "flow-log-folder-admitted", "VPC flow log delivery", "s3:PutObject", "/flowlogs/AWSLogs/")))
}

// flowLogHive is the flowlogs-s3 network stack whose flow log writes Hive-compatible, hourly
// partitions; admitted: its bucket policy's delivery statement names their prefix.
func flowLogHive(t *testing.T, admitted bool) Stacks {
	stacks := golden(t, "flowlogs-s3", "network")
	resourceOf(t, stacks, "privatepatch-network", "NetworkVpcFlowLog")["DestinationOptions"] = map[string]any{
		"FileFormat": "plain-text", "HiveCompatiblePartitions": true, "PerHourPartition": true}
	if admitted {
		bucket := map[string]any{"Fn::GetAtt": []any{"NetworkFlowLogsBucketA9BF4847", "Arn"}}
		statements(stacks, func(resourceType string, s map[string]any) bool {
			if resourceType == "AWS::S3::BucketPolicy" && s["Action"] == "s3:PutObject" && strings.Contains(fmt.Sprint(s["Principal"]), "delivery.logs") {
				s["Resource"] = map[string]any{"Fn::Join": []any{"", []any{bucket, "/AWSLogs/aws-account-id=", map[string]any{"Ref": "AWS::AccountId"}, "/*"}}}
			}
			return true
		})
	}
	return stacks
}

// A flow log's DestinationOptions lay out its keys (review of run 21, 10a): with Hive-compatible
// hourly partitions, delivery writes under AWSLogs/aws-account-id=<account>/..., which the
// default AWSLogs/<account>/* bucket policy denies (planted: the options alone), and a policy
// written for that prefix admits.
func TestAFlowLogsHivePartitionsNeedABucketPolicyForTheirPrefix(t *testing.T) {
	hive := "/AWSLogs/aws-account-id=111111111111/aws-service=vpcflowlogs/aws-region=us-west-2/year=2026/month=12/day=06/hour=16/"
	put := needed(find(t, "flow-log-hive", "VPC flow log delivery", "s3:PutObject", hive))
	require.Len(t, put, 1)
	assert.Equal(t, "ImplicitlyDenied", put[0].Verdict, "%s", put[0])
	for _, r := range results(t)["flow-log-hive-admitted"] {
		assert.True(t, r.OK(), "%s", r)
	}
	assert.NotEmpty(t, needed(find(t, "flow-log-hive-admitted", "VPC flow log delivery", "s3:PutObject", hive)))
	for _, c := range []struct {
		options any
		key     string
	}{
		{nil, "logs/AWSLogs/111111111111/vpcflowlogs/us-west-2/2026/12/06/flow.log.gz"},
		{map[string]any{"FileFormat": "parquet", "HiveCompatiblePartitions": false, "PerHourPartition": "true"}, "logs/AWSLogs/111111111111/vpcflowlogs/us-west-2/2026/12/06/16/flow.log.gz"},
		{map[string]any{"HiveCompatiblePartitions": "true", "PerHourPartition": false}, "logs/AWSLogs/aws-account-id=111111111111/aws-service=vpcflowlogs/aws-region=us-west-2/year=2026/month=12/day=06/flow.log.gz"},
	} {
		key, note := flowLogKey(c.options, "logs/", "111111111111", "us-west-2")
		assert.Equal(t, c.key, key, "%v", c.options)
		assert.Empty(t, note, "%v", c.options)
	}
}

// The second review's 14a: a folder without its trailing / is taken in the documented form
// (bucket_ARN/subfolder_name/) and said so in the row, as are DestinationOptions verify does not
// resolve, rather than a silent default layout.
func TestAFlowLogsUndocumentedFolderAndUnresolvedOptionsAreNoted(t *testing.T) {
	const layout = "AWSLogs/111111111111/vpcflowlogs/us-west-2/2026/12/06/flow.log.gz"
	for _, c := range []struct {
		destination, options any
		key, notes           string
	}{
		{"arn:aws:s3:::b/flows/", nil, "flows/" + layout, ""},
		{"arn:aws:s3:::b", nil, layout, ""},
		{"arn:aws:s3:::b/flows", nil, "flows/" + layout, ` (note: the folder "flows" has no trailing /, not the documented form bucket_ARN/subfolder_name/: taken as flows/)`},
		{"arn:aws:s3:::b/flows/", "?UNRESOLVED:Fn::If", "flows/" + layout, " (note: DestinationOptions ?UNRESOLVED:Fn::If is not resolved: the default layout taken)"},
		{"arn:aws:s3:::b/flows/", map[string]any{"HiveCompatiblePartitions": "?UNRESOLVED:Fn::If"}, "flows/" + layout,
			" (note: DestinationOptions HiveCompatiblePartitions ?UNRESOLVED:Fn::If is not resolved: taken as false)"},
	} {
		bucket, key, notes := flowLogObject(map[string]any{"LogDestination": c.destination, "DestinationOptions": c.options}, "aws", "111111111111", "us-west-2")
		assert.Equal(t, "b", bucket)
		assert.Equal(t, c.key, key, "%v", c.destination)
		assert.Equal(t, c.notes, notes, "%v %v", c.destination, c.options)
	}
}

// The health script's namespace is its association's, not the role's policy's: without the
// statement, its row is denied rather than gone (a mutation run deleted it and verify passed).
func TestWsusMetricsWithoutTheirStatementAreADeniedRow(t *testing.T) {
	allowed := find(t, "default", "WSUS server (WsusRole), its health script", "cloudwatch:PutMetricData", "*")
	require.Len(t, allowed, 1)
	assert.Equal(t, "privatepatch/WSUS/privatepatch", allowed[0].Context["cloudwatch:namespace"])
	assert.Equal(t, "Allowed", allowed[0].Verdict)
	denied := find(t, "no-wsus-metrics", "WSUS server (WsusRole), its health script", "cloudwatch:PutMetricData", "*")
	require.Len(t, denied, 1)
	assert.False(t, denied[0].OK(), "a required row denied: verify fails")
	// Without the association's Namespace the script publishes to the document's default, which
	// the role does not allow: a required row, denied.
	var defaults []Result
	for _, r := range find(t, "health-default-namespace", "WSUS server (WsusRole), its health script", "cloudwatch:PutMetricData", "*") {
		if r.Context["cloudwatch:namespace"] == "privatepatch/WSUS" {
			defaults = append(defaults, r)
		}
	}
	require.Len(t, defaults, 1)
	assert.False(t, defaults[0].OK())
}

func TestRevertingTheEndpointBucketDefectDeniesThePayloadDownloadAtTheEndpoint(t *testing.T) {
	r := find(t, "no-payload-bucket", "FleetRole", "s3:GetObject", "aws-patch-manager-")[0]
	assert.False(t, r.OK())
	assert.Equal(t, "ImplicitlyDenied", r.Verdict)
	assert.Equal(t, []string{"no statement of the endpoint policy allows it"}, r.Deciding)
}

func TestRevertingTheCreateImageArnDefectDeniesStartingTheRunbook(t *testing.T) {
	r := find(t, "create-image-with-account", "maintenance window", "ssm:StartAutomationExecution", "AWS-CreateImage")[0]
	assert.False(t, r.OK())
	assert.Equal(t, "ImplicitlyDenied", r.Verdict, "an AWS-owned runbook's ARN has no account")
}

func TestRevertingTheAlarmTopicDefectDeniesTheAlarmsPublishAndTheirKeyUse(t *testing.T) {
	for _, action := range []string{"sns:Publish", "kms:GenerateDataKey", "kms:Decrypt"} {
		for _, r := range find(t, "no-alarm-statements", "CloudWatch alarm", action, "") {
			if !r.Required {
				continue // the row without TLS
			}
			assert.False(t, r.OK(), "%s", r)
			assert.Contains(t, strings.Join(r.Deciding, "; "), "no statement of the resource policy allows it")
		}
	}
}

// EventBridge delivers to the encrypted topic through its policies, as the service ("Using
// resource-based policies for Amazon EventBridge": no RoleArn for SNS targets).
func TestEventBridgeRulesPublishAsTheServiceForTheirOwnRulesOnly(t *testing.T) {
	rows := 0
	for _, action := range []string{"sns:Publish", "kms:GenerateDataKey", "kms:Decrypt"} {
		for _, r := range needed(append(find(t, "default", "EventBridge rule Alerts", action, ""), find(t, "default", "EventBridge rule MaintenanceWindows", action, "")...)) {
			assert.Equal(t, "Allowed", r.Verdict, "%s", r)
			assert.Equal(t, "events.amazonaws.com", r.Service)
			rows++
		}
	}
	assert.Equal(t, 5*3, rows, "the five alert rules of the default configuration (the two windows' failure rules, failed association, fleet and WSUS compliance), each publishing and using the key")
	assert.Contains(t, strings.Join(find(t, "default", "EventBridge rule", "sns:Publish", "")[0].Deciding, "; "), "EventBridgeRulesPublish")
	assert.Equal(t, "ImplicitlyDenied", find(t, "default", "not an alert's", "sns:Publish", "")[0].Verdict)
	// The finding rules invoke the finding filter for their own rules only, and it publishes.
	for _, r := range find(t, "example", "EventBridge rule Security", "lambda:InvokeFunction", "FindingFilterFunction") {
		assert.Equal(t, "Allowed", r.Verdict, "%s", r)
	}
	assert.Equal(t, "ImplicitlyDenied", find(t, "example", "not the function's", "lambda:InvokeFunction", "FindingFilterFunction")[0].Verdict)
	for _, action := range []string{"sns:Publish", "kms:GenerateDataKey", "kms:Decrypt"} {
		assert.Equal(t, "Allowed", needed(find(t, "example", "Lambda function FindingFilterFunction", action, ""))[0].Verdict, action)
	}
	for _, r := range results(t)["example"] {
		assert.False(t, strings.HasPrefix(r.Caller, "EventBridge rule Security") && r.Action == "sns:Publish", "the finding rules no longer publish: %s", r)
	}
}

func TestEventBridgeThroughARoleAsBeforeIsDeniedByTheTopicAndKeyPolicies(t *testing.T) {
	for _, action := range []string{"sns:Publish", "kms:GenerateDataKey", "kms:Decrypt"} {
		for _, r := range needed(find(t, "events-by-role", "EventBridge rule Alerts", action, "")) {
			assert.False(t, r.OK(), "%s", r)
		}
	}
}

func TestAKeyStatementBoundBySourceArnDeniesEventBridge(t *testing.T) {
	for _, r := range needed(find(t, "events-key-by-source", "EventBridge rule Alerts", "kms:Decrypt", "")) {
		assert.False(t, r.OK(), "SNS passes no aws:SourceArn to KMS for EventBridge: %s", r)
	}
}

func TestATopicStatementWithoutTheRulesLetsAnyRuleOfTheAccountPublish(t *testing.T) {
	r := find(t, "events-any-rule", "not an alert's", "sns:Publish", "")[0]
	assert.Equal(t, "Allowed", r.Verdict)
	assert.False(t, r.OK())
}

func TestATopicOpenToAnyoneIsCaughtByTheOutsiderRow(t *testing.T) {
	r := find(t, "open-topic", "another account", "sns:Publish", "AlertsTopic")[0]
	assert.Equal(t, "Allowed", r.Verdict)
	assert.False(t, r.OK(), "a forbidden call that is allowed is wrong")
}

// hubWithCreatedS3Endpoint is the existing-vpc-hub scenario (WSUS in the first private subnet,
// no S3 endpoint created) with the S3 gateway endpoint the existing-vpc scenario creates on the
// private subnets' route tables, or on routeTables where given.
func hubWithCreatedS3Endpoint(t *testing.T, routeTables []any) Stacks {
	t.Helper()
	stacks := golden(t, "existing-vpc-hub", "network", "fleet")
	created := golden(t, "existing-vpc", "network")["privatepatch-network"]["Resources"].(map[string]any)["NetworkEndpointss3F0FA7BB2"].(map[string]any)
	if routeTables != nil {
		created["Properties"].(map[string]any)["RouteTableIds"] = routeTables
	}
	stacks["privatepatch-network"]["Resources"].(map[string]any)["NetworkEndpointss3F0FA7BB2"] = created
	return stacks
}

// wsusS3Calls are the WSUS server's S3 calls.
func wsusS3Calls(t *testing.T, stacks Stacks) []Call {
	t.Helper()
	calls, err := Calls(stacks, env)
	require.NoError(t, err)
	var out []Call
	for _, c := range calls {
		if strings.Contains(c.Caller, "WsusRole") && strings.HasPrefix(c.Action, "s3:") {
			out = append(out, c)
		}
	}
	require.NotEmpty(t, out)
	return out
}

func TestWsusInAPrivateSubnetBehindACreatedS3EndpointIsEvaluatedThroughItsPolicy(t *testing.T) {
	rs := results(t)["wsus-behind-created-s3-endpoint"]
	require.NotEmpty(t, rs)
	for _, r := range rs {
		assert.True(t, r.OK(), "%s", r)
	}
	payload := find(t, "wsus-behind-created-s3-endpoint", "WsusRole", "s3:GetObject", "aws-patch-manager-us-west-2-34d7f99f8")[0]
	assert.True(t, payload.ThroughS3Endpoint)
	assert.Contains(t, strings.Join(payload.Deciding, "; "), "endpoint policy S3GatewayEndpoint statement ReadSystemsManagerAndListedBuckets")
	outside := find(t, "wsus-behind-created-s3-endpoint", "WsusRole", "s3:GetObject", "attacker-chosen-bucket")[0]
	assert.Equal(t, "ImplicitlyDenied", outside.Verdict, "the endpoint keeps the WSUS server off buckets outside the architecture too")
	assert.Contains(t, outside.Deciding, "no statement of the endpoint policy allows it")
}

// Planted: an endpoint policy written for the fleet's prefixes only denies the WSUS server's
// setup output, which the evaluation sees only when WSUS's calls go through the endpoint (with
// WsusRole fixed outside it, as before, the row was allowed).
func TestAnS3EndpointPolicyWithoutTheWsusPrefixDeniesTheWsusServersWrites(t *testing.T) {
	r := find(t, "s3-endpoint-for-the-fleet-only", "WsusRole", "s3:PutObject", "/wsus-setup/")[0]
	assert.False(t, r.OK(), "%s", r)
	assert.Equal(t, "ImplicitlyDenied", r.Verdict)
	assert.Contains(t, r.Deciding, "no statement of the endpoint policy allows it")
	fleet := find(t, "s3-endpoint-for-the-fleet-only", "FleetRole", "s3:PutObject", "/wsus-client/")[0]
	assert.True(t, fleet.OK(), "the fleet's own prefixes still pass: %s", fleet)
}

func TestWsusTakesTheS3EndpointOnlyWhereItsSubnetsRouteTableDoes(t *testing.T) {
	for _, c := range wsusS3Calls(t, hubWithCreatedS3Endpoint(t, nil)) {
		assert.True(t, c.ThroughS3Endpoint, "WSUS's subnet-0aaaaaaaaaaaaaaa1 routes through rtb-0aaaaaaaaaaaaaaa1: %s", c.Resource)
	}
	// Planted: the endpoint on the second private subnet's route table only.
	for _, c := range wsusS3Calls(t, hubWithCreatedS3Endpoint(t, []any{"rtb-0aaaaaaaaaaaaaaa2"})) {
		assert.False(t, c.ThroughS3Endpoint, "not on WSUS's route table: %s", c.Resource)
	}
	// No endpoint created (the VPC's own, declared): the private subnets use it, WSUS's among them.
	for _, c := range wsusS3Calls(t, golden(t, "existing-vpc-hub", "network", "fleet")) {
		assert.True(t, c.ThroughS3Endpoint, "%s", c.Resource)
	}
	// A created VPC: WSUS in a public subnet, whose route table the endpoint is not on.
	for _, c := range wsusS3Calls(t, golden(t, "default")) {
		assert.False(t, c.ThroughS3Endpoint, "%s", c.Resource)
	}
}

func TestResolverFollowsJoinsSubsAndCrossStackOutputs(t *testing.T) {
	stacks := Stacks{
		"producer": {"Resources": map[string]any{"Bucket": map[string]any{"Type": "AWS::S3::Bucket", "Properties": map[string]any{"BucketName": "named"}}},
			"Outputs": map[string]any{"Out": map[string]any{"Value": map[string]any{"Ref": "Bucket"}, "Export": map[string]any{"Name": "exported"}}}},
		"consumer": {"Resources": map[string]any{"Role": map[string]any{"Type": "AWS::IAM::Role"}}},
	}
	r := resolver{env: env, stacks: stacks}
	assert.Equal(t, "named", r.value("consumer", map[string]any{"Fn::GetStackOutput": map[string]any{"StackName": "producer", "OutputName": "Out"}}))
	assert.Equal(t, "named", r.value("consumer", map[string]any{"Fn::ImportValue": "exported"}))
	assert.Equal(t, "arn:aws:s3:::named/*", r.value("producer", map[string]any{"Fn::Join": []any{"", []any{map[string]any{"Fn::GetAtt": []any{"Bucket", "Arn"}}, "/*"}}}))
	assert.Equal(t, "arn:aws:iam::111111111111:role/consumer-Role", r.value("consumer", map[string]any{"Fn::Sub": "${Role.Arn}"}))
	assert.Equal(t, "us-west-2/111111111111", r.value("consumer", map[string]any{"Fn::Sub": "${AWS::Region}/${AWS::AccountId}"}))
	assert.True(t, strings.HasPrefix(fmt.Sprint(r.value("consumer", map[string]any{"Ref": "Missing"})), "?UNRESOLVED"),
		"what cannot be resolved never matches a policy by accident")
}

func TestAnUnknownManagedPolicyIsAnErrorNotAnEmptyPolicy(t *testing.T) {
	stacks := golden(t, "example")
	role := stacks["privatepatch-fleet"]["Resources"].(map[string]any)
	for id, r := range role {
		if strings.HasPrefix(id, "FleetRole") && r.(map[string]any)["Type"] == "AWS::IAM::Role" {
			props := r.(map[string]any)["Properties"].(map[string]any)
			props["ManagedPolicyArns"] = []any{"arn:aws:iam::aws:policy/AdministratorAccess"}
		}
	}
	evaluator, err := Find("../..")
	require.NoError(t, err)
	_, err = evaluator.Evaluate([]Deployment{{Name: "admin", Stacks: stacks, Env: env}})
	assert.ErrorContains(t, err, "attaches managed policy arn:aws:iam::aws:policy/AdministratorAccess, whose document authz does not hold")
	assert.ErrorContains(t, err, "privatepatch-fleet/", "the role's own stack")
}

// A baseline for Amazon Linux 2 has its package repositories read through the S3 endpoint, as the
// endpoint's policy allows them: a needed row of an instance of yours in the private subnets (the
// package manager reads them, not the role). Without the row, the mutation test called those
// entries of the policy excess privilege, and make verify failed a valid configuration (mutation
// run 9's finding, a configuration with an AMAZON_LINUX_2 baseline).
func TestAnAmazonLinux2BaselinesRepositoriesAreNeededReadsThroughTheS3Endpoint(t *testing.T) {
	stacks := golden(t, "default")
	resources := stacks["privatepatch-patching"]["Resources"].(map[string]any)
	resources["LinuxBaseline"] = map[string]any{"Type": "AWS::SSM::PatchBaseline",
		"Properties": map[string]any{"Name": "linux", "OperatingSystem": "AMAZON_LINUX_2", "PatchGroups": []any{"linux"}}}
	calls, err := Deployment{Stacks: stacks, Env: env}.Calls()
	require.NoError(t, err)
	var reads []string
	for _, c := range calls {
		if c.Action == "s3:GetObject" && strings.Contains(c.Resource, "amazonlinux") && c.Required && c.ThroughS3Endpoint {
			reads = append(reads, c.Resource)
		}
	}
	assert.ElementsMatch(t, []string{"arn:aws:s3:::amazonlinux.us-west-2.amazonaws.com/repodata/repomd.xml", "arn:aws:s3:::amazonlinux-2-repos-us-west-2/repodata/repomd.xml"}, reads)

	calls, err = Deployment{Stacks: golden(t, "default"), Env: env}.Calls()
	require.NoError(t, err)
	for _, c := range calls {
		assert.NotContains(t, c.Resource, "amazonlinux", "no Amazon Linux 2 baseline, no repository row")
	}
}

// An instance of yours reads make patch-now's install override list with its own profile: the row's
// principal is the instance's administrator, not the stacks' first role, which in a deployment
// without instance groups or WSUS is another service's (the flow logs') and was denied: a review's
// false alarm, verify failing a valid configuration.
func TestYourInstancesReadPatchNowsListWithTheirOwnProfile(t *testing.T) {
	calls, err := Deployment{Stacks: golden(t, "default"), Env: env}.Calls()
	require.NoError(t, err)
	found := 0
	for _, c := range calls {
		if strings.Contains(c.Resource, "/patch-now/") && strings.Contains(c.Caller, "an instance of yours") {
			found++
			assert.Equal(t, Principal{Administrator: true, Instance: true}, c.Principal, c.Caller)
		}
	}
	assert.Equal(t, 1, found)
}

// In a region the patching page does not list, each node's role reads the declared Patch Manager
// buckets: needed rows, as a listed region's (a review's find).
func TestDeclaredPatchManagerBucketsAreNeededReadsOfTheRolesInAnUnlistedRegion(t *testing.T) {
	unlisted := Env{Account: env.Account, Region: "mx-central-1", Partition: env.Partition}
	calls, err := Deployment{Stacks: golden(t, "default"), Env: unlisted,
		DeclaredReadBuckets: []string{"aws-patch-manager-mx-central-1", "patch-baseline-snapshot-mx-central-1-abc123"}}.Calls()
	require.NoError(t, err)
	var reads []string
	for _, c := range calls {
		if c.Action == "s3:GetObject" && c.Required && c.Principal.Role.LogicalID != "" && strings.Contains(c.Resource, "mx-central-1") && strings.Contains(c.Resource, "patch") {
			reads = append(reads, c.Principal.Role.LogicalID+" "+strings.Split(c.Resource, "/")[0])
		}
	}
	assert.Contains(t, reads, "WsusRoleF440A964 arn:aws:s3:::aws-patch-manager-mx-central-1")
	assert.Contains(t, reads, "WsusRoleF440A964 arn:aws:s3:::patch-baseline-snapshot-mx-central-1-abc123")
}

// A window naming a hybrid node by its mi- id commands a managed-instance: the stacks grant it
// (windowReachesHybridNodes), and the table must need it, or verify calls the grant unjustified
// (a false-alarm hunt's find: a window on [mi-..., i-...]).
func TestAWindowOnAnMiIdNeedsToCommandManagedInstances(t *testing.T) {
	managed := func(stacks Stacks) []Call {
		calls, err := Calls(stacks, env)
		require.NoError(t, err)
		var out []Call
		for _, c := range calls {
			if strings.Contains(c.Caller, "pinnedinstancesServiceRole") && c.Action == "ssm:SendCommand" && strings.Contains(c.Resource, ":managed-instance/") {
				out = append(out, c)
			}
		}
		return out
	}
	stacks := golden(t, "rich-patching", "patching")
	assert.Empty(t, managed(stacks), "instance ids of EC2 instances only")
	target := stacks["privatepatch-patching"]["Resources"].(map[string]any)["MaintenanceWindowspinnedinstancesTarget50475E31"].(map[string]any)
	target["Properties"].(map[string]any)["Targets"] = []any{map[string]any{"Key": "InstanceIds", "Values": []any{"mi-0123456789abcdef0", "i-0123456789abcdef0"}}}
	calls := managed(stacks)
	require.Len(t, calls, 1)
	assert.True(t, calls[0].Required)
}

// A role of the stacks asks with its account as aws:PrincipalAccount, a service without one: a
// bucket policy denying every other account does not deny the stacks' own roles (mutation run
// 16's B11, where verify named 33 such roles denied).
func TestAnIamPrincipalAsksWithItsAccount(t *testing.T) {
	stacks := golden(t, "example", "fleet")
	m := model{resolver{env: env, stacks: stacks}}
	role := Resource{Stack: "privatepatch-fleet", LogicalID: "FleetRole427BC000"}
	s, err := simulation(m, Call{Principal: Principal{Role: role}, Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k"}, Doc{})
	require.NoError(t, err)
	assert.Equal(t, env.Account, s.context["aws:PrincipalAccount"])
	s, err = simulation(m, Call{Principal: Principal{Service: "ssm.amazonaws.com"}, Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k"}, Doc{})
	require.NoError(t, err)
	assert.NotContains(t, s.context, "aws:PrincipalAccount")
}

// A role attaching an AWS managed policy whose document authz does not hold is named, with its
// stack, and verify counts it (mutation run 19's B19 stopped verify with an error instead, naming
// the deployment's network stack for a role of the patching stack).
func TestAManagedPolicyAuthzDoesNotHoldIsNamed(t *testing.T) {
	stacks := golden(t, "default")
	d := Deployment{Name: "privatepatch-network", Stacks: stacks, Env: env}
	require.Empty(t, UnknownManagedPolicies(d))
	var role string
	for id, r := range stacks["privatepatch-fleet"]["Resources"].(map[string]any) {
		if r.(map[string]any)["Type"] == "AWS::IAM::Role" && (role == "" || id < role) {
			role = id
		}
	}
	props := stacks["privatepatch-fleet"]["Resources"].(map[string]any)[role].(map[string]any)["Properties"].(map[string]any)
	managed, _ := props["ManagedPolicyArns"].([]any)
	props["ManagedPolicyArns"] = append(managed, "arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforSSM")
	assert.Equal(t, []string{"privatepatch-fleet/" + role + " attaches managed policy service-role/AmazonEC2RoleforSSM, which the stacks never attach and whose grants are not evaluated"},
		UnknownManagedPolicies(d))
}

// boundedFleetRole is the example with the fleet role bounded by a managed policy of the fleet
// stack that allows actions.
func boundedFleetRole(t *testing.T, actions ...string) Stacks {
	stacks := golden(t, "example")
	resources := stacks["privatepatch-fleet"]["Resources"].(map[string]any)
	resources["Boundary"] = map[string]any{"Type": "AWS::IAM::ManagedPolicy", "Properties": map[string]any{"PolicyDocument": policy(allow(actions...))}}
	resources["FleetRole427BC000"].(map[string]any)["Properties"].(map[string]any)["PermissionsBoundary"] = map[string]any{"Ref": "Boundary"}
	return stacks
}

// A permissions boundary caps the role's grants: bounded to SSM's reads (run 24's B18 bounded it
// by AmazonSSMReadOnlyAccess), the fleet's agent cannot register, a required row denied; a
// boundary allowing everything leaves the row allowed.
func TestAFleetRolesPermissionsBoundaryDecidesItsRows(t *testing.T) {
	const agent, instance = "fleet instance (FleetRole), its SSM Agent", "instance/i-0123456789abcdef0"
	for _, r := range needed(find(t, "fleet-role-read-only-boundary", agent, "ssm:UpdateInstanceInformation", instance)) {
		assert.False(t, r.OK(), "denied by the boundary: verify fails")
	}
	for _, r := range needed(find(t, "fleet-role-open-boundary", agent, "ssm:UpdateInstanceInformation", instance)) {
		assert.True(t, r.OK(), "the boundary allows what the role's policies allow")
	}
}

// A boundary whose document authz does not hold is named, never evaluated as no boundary: an AWS
// managed one is an error (run 24's B18 kind: AmazonSSMManagedInstanceCore stands for one authz
// holds, CloudWatchAgentServerPolicy for one it lacks); an organisation's own (CDK's
// @aws-cdk/core:permissionsBoundary form) is a note, and only its role's rows are not judged.
func TestAPermissionsBoundaryAuthzDoesNotHoldIsNamed(t *testing.T) {
	stacks := golden(t, "example")
	d := Deployment{Name: "privatepatch-network", Stacks: stacks, Env: env}
	props := resourceOf(t, stacks, "privatepatch-fleet", "FleetRole427BC000")
	for _, known := range []string{"AmazonSSMManagedInstanceCore", "AdministratorAccess", "AmazonSSMReadOnlyAccess"} {
		props["PermissionsBoundary"] = "arn:aws:iam::aws:policy/" + known
		require.Empty(t, UnknownManagedPolicies(d), known)
		require.Empty(t, BoundaryNotes(d), known)
	}
	// The stacks' own managed policy by GetAtt PolicyArn, as by Ref (the fourth review's E2).
	stacks["privatepatch-fleet"]["Resources"].(map[string]any)["Boundary"] = map[string]any{"Type": "AWS::IAM::ManagedPolicy",
		"Properties": map[string]any{"PolicyDocument": policy(allow("*"))}}
	props["PermissionsBoundary"] = map[string]any{"Fn::GetAtt": []any{"Boundary", "PolicyArn"}}
	require.Empty(t, UnknownManagedPolicies(d))
	require.Empty(t, BoundaryNotes(d))
	props["PermissionsBoundary"] = "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"
	assert.Equal(t, []string{"privatepatch-fleet/FleetRole427BC000 has permissions boundary arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy, " +
		"an AWS managed policy whose document authz does not hold: its rows would be decided without the boundary, which caps every grant of the role (add it to managedPolicies)"},
		UnknownManagedPolicies(d))
	props["PermissionsBoundary"] = organisationBoundary
	assert.Empty(t, UnknownManagedPolicies(d), "an organisation's boundary is no error")
	assert.Equal(t, []string{"privatepatch-fleet/FleetRole427BC000: permissions boundary arn:aws:iam::111111111111:policy/org-boundary is not in these templates: " +
		"the rows of this role are not judged"}, BoundaryNotes(d))
}

// organisationBoundary is a boundary as CDK's @aws-cdk/core:permissionsBoundary context emits it:
// a customer managed policy of the account, outside the templates.
var organisationBoundary = map[string]any{"Fn::Join": []any{"", []any{"arn:", map[string]any{"Ref": "AWS::Partition"}, ":iam::",
	map[string]any{"Ref": "AWS::AccountId"}, ":policy/org-boundary"}}}

// awsBoundedFleetRole is the example with the fleet role bounded by boundary (an ARN, or
// organisationBoundary).
func awsBoundedFleetRole(t *testing.T, boundary any) Stacks {
	stacks := golden(t, "example")
	resourceOf(t, stacks, "privatepatch-fleet", "FleetRole427BC000")["PermissionsBoundary"] = boundary
	return stacks
}

// The fleet role's rows under three boundaries: AmazonSSMReadOnlyAccess (run 24's B18) denies the
// agent's registration, a row verify fails; AdministratorAccess allows it; the organisation's own
// boundary leaves the role's rows not judged, and the other roles' rows judged as before.
func TestBoundariesOutsideTheStacksDecideOnlyTheirRolesRows(t *testing.T) {
	const agent, instance = "fleet instance (FleetRole), its SSM Agent", "instance/i-0123456789abcdef0"
	for _, r := range needed(find(t, "fleet-role-ssm-read-only-boundary", agent, "ssm:UpdateInstanceInformation", instance)) {
		assert.False(t, r.OK(), "B18: denied by the boundary")
		assert.Empty(t, r.NotJudged)
	}
	for _, r := range needed(find(t, "fleet-role-administrator-boundary", agent, "ssm:UpdateInstanceInformation", instance)) {
		assert.True(t, r.OK(), "AdministratorAccess caps nothing")
		assert.Empty(t, r.NotJudged)
	}
	rows := results(t)["fleet-role-organisation-boundary"]
	require.NotEmpty(t, rows)
	var fleet, others int
	for _, r := range rows {
		if strings.Contains(r.Caller, "(FleetRole)") {
			fleet++
			assert.Equal(t, "permissions boundary arn:aws:iam::111111111111:policy/org-boundary is not in these templates", r.NotJudged, r.String())
		} else if r.NotJudged == "" {
			others++
		}
	}
	assert.NotZero(t, fleet)
	assert.NotZero(t, others, "the other roles' rows are judged")
}

// Run 28's observation: the row of a resource-group window's role listing its group names the
// group the target names (the configuration's, by wiring's windowResourceGroup), not
// group/windows-servers whatever it is: a policy narrowed to the right group's ARN is judged on
// that ARN, and one narrowed to windows-servers no longer passes for another group.
func TestAResourceGroupWindowsRoleListsTheGroupItsTargetNames(t *testing.T) {
	groupRows := func(stacks Stacks) []string {
		calls, err := Calls(stacks, env)
		require.NoError(t, err)
		var out []string
		for _, c := range calls {
			if strings.Contains(c.Caller, "afterpatchtuesdayServiceRole") && c.Action == "resource-groups:ListGroupResources" {
				out = append(out, c.Resource)
			}
		}
		return out
	}
	stacks := golden(t, "rich-patching", "patching")
	assert.Equal(t, []string{"arn:aws:resource-groups:us-west-2:111111111111:group/windows-servers"}, groupRows(stacks))
	target := stacks["privatepatch-patching"]["Resources"].(map[string]any)["MaintenanceWindowsafterpatchtuesdayTarget63AF771A"].(map[string]any)
	target["Properties"].(map[string]any)["Targets"].([]any)[0].(map[string]any)["Values"] = []any{"lz-windows-servers"}
	assert.Equal(t, []string{"arn:aws:resource-groups:us-west-2:111111111111:group/lz-windows-servers"}, groupRows(stacks),
		"a policy narrowed to arn:...:group/lz-windows-servers is judged on the group's own ARN")

	// Planted: the role's policy narrowed to the group's ARN is allowed; narrowed to
	// windows-servers, the row of lz-windows-servers is denied.
	evaluator, err := Find("../..")
	require.NoError(t, err)
	statement := resourceOf(t, stacks, "privatepatch-patching", "MaintenanceWindowsafterpatchtuesdayServiceRoleDefaultPolicy")["PolicyDocument"].(map[string]any)["Statement"].([]any)[2].(map[string]any)
	require.Equal(t, "ResolveResourceGroup", statement["Sid"])
	verdict := func(group string) string {
		statement["Action"], statement["Resource"] = "resource-groups:ListGroupResources", "arn:aws:resource-groups:us-west-2:111111111111:group/"+group
		results, err := evaluator.Evaluate([]Deployment{{Name: "narrowed", Stacks: stacks, Env: env}})
		require.NoError(t, err)
		for _, r := range results["narrowed"] {
			if strings.Contains(r.Caller, "afterpatchtuesdayServiceRole") && r.Action == "resource-groups:ListGroupResources" {
				return r.Verdict
			}
		}
		return "no row"
	}
	assert.Equal(t, "Allowed", verdict("lz-windows-servers"))
	assert.NotEqual(t, "Allowed", verdict("windows-servers"))
}

// The second review of session 18's finding 4: a target naming its group by Ref to a group of
// its own template lists that group's Name (CDK's CfnGroup.groupRef gives groupName: Ref), not
// STACK-LOGICALID; a value that is no text is unresolved, never "map[...]" in the ARN; and the
// members' tags are read (tag:GetResources) for any RESOURCE_GROUP target, named or not.
func TestAResourceGroupTargetsRowsResolveARefAndKeepGetResources(t *testing.T) {
	rows := func(stacks Stacks, action string) []string {
		calls, err := Calls(stacks, env)
		require.NoError(t, err)
		var out []string
		for _, c := range calls {
			if strings.Contains(c.Caller, "afterpatchtuesdayServiceRole") && c.Action == action {
				out = append(out, c.Resource)
			}
		}
		return out
	}
	stacks := golden(t, "rich-patching", "patching")
	resources := stacks["privatepatch-patching"]["Resources"].(map[string]any)
	resources["OwnGroup"] = map[string]any{"Type": "AWS::ResourceGroups::Group", "Properties": map[string]any{"Name": "lz-windows-servers"}}
	targets := resources["MaintenanceWindowsafterpatchtuesdayTarget63AF771A"].(map[string]any)["Properties"].(map[string]any)["Targets"].([]any)
	targets[0].(map[string]any)["Values"] = []any{map[string]any{"Ref": "OwnGroup"}}
	assert.Equal(t, []string{"arn:aws:resource-groups:us-west-2:111111111111:group/lz-windows-servers"}, rows(stacks, "resource-groups:ListGroupResources"))

	targets[0].(map[string]any)["Values"] = []any{map[string]any{"Name": "a", "Other": "b"}}
	listed := rows(stacks, "resource-groups:ListGroupResources")
	require.Len(t, listed, 1)
	assert.NotContains(t, listed[0], "map[")
	assert.Contains(t, listed[0], "?UNRESOLVED")

	targets[0].(map[string]any)["Key"] = "resource-groups:ResourceTypeFilters"
	targets[0].(map[string]any)["Values"] = []any{"AWS::EC2::Instance"}
	assert.Empty(t, rows(stacks, "resource-groups:ListGroupResources"))
	assert.Equal(t, []string{"*"}, rows(stacks, "tag:GetResources"), "the members' tags are read whatever names the group")
}
