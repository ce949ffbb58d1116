package wiring

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/logbucket/logbucketspec"
)

// goldenTemplates are every golden template of test/testdata.
func goldenTemplates(t *testing.T) map[string]map[string]any {
	paths, err := filepath.Glob("../../test/testdata/*.template.json")
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	templates := map[string]map[string]any{}
	for _, path := range paths {
		templates[filepath.Base(path)] = read(t, path)
	}
	return templates
}

// Run 21's A09: the command-output bucket turned AES256 where commandOutput.encryption is kms.
// The goldens pass with their configuration's setting (rich-patching's is kms, the others take
// the default s3-managed); the planted bucket, a resource data sync that lost the key, and a kms
// bucket where the configuration says s3-managed are each named.
func TestACommandOutputBucketNotEncryptedAsConfiguredIsNamed(t *testing.T) {
	cfg, err := config.LoadDefault()
	require.NoError(t, err)
	for _, scenario := range goldenScenarios {
		cfg.CommandOutput.Encryption = map[bool]string{true: logbucketspec.EncryptionKMS, false: logbucketspec.EncryptionS3Managed}[scenario == "rich-patching"]
		stacks := goldenStacks(t, scenario, "fleet", "patching")
		if len(stacks) == 2 {
			assert.Empty(t, CommandOutputEncryption(cfg, stacks[0], stacks[1]), scenario)
		}
	}
	cfg.CommandOutput.Encryption = logbucketspec.EncryptionKMS
	fleet := read(t, "../../test/testdata/rich-patching.fleet.template.json")
	patching := read(t, "../../test/testdata/rich-patching.patching.template.json")
	encryption := props(fleet, "CommandOutputBucket0DD4DD73")["BucketEncryption"]
	props(fleet, "CommandOutputBucket0DD4DD73")["BucketEncryption"] = map[string]any{"ServerSideEncryptionConfiguration": []any{
		map[string]any{"ServerSideEncryptionByDefault": map[string]any{"SSEAlgorithm": "AES256"}}}}
	assert.Equal(t, []string{`bucket CommandOutputBucket0DD4DD73: SSEAlgorithm "AES256", and commandOutput.encryption is kms: ` +
		"the command output and inventory are not encrypted under the stack's customer managed key"}, CommandOutputEncryption(cfg, fleet, patching))

	props(fleet, "CommandOutputBucket0DD4DD73")["BucketEncryption"] = encryption
	destination := props(patching, "InventoryResourceDataSync837B1722")["S3Destination"].(map[string]any)
	key := destination["KMSKeyArn"]
	delete(destination, "KMSKeyArn")
	assert.Equal(t, []string{"resource data sync InventoryResourceDataSync837B1722: writes to the command-output bucket with no KMSKeyArn (S3 then applies the bucket's " +
		"default encryption), which differs from the construct's (the bucket's key, as commandOutput.encryption is kms)"}, CommandOutputEncryption(cfg, fleet, patching))

	destination["KMSKeyArn"] = key
	cfg.CommandOutput.Encryption = logbucketspec.EncryptionS3Managed
	assert.Equal(t, []string{`bucket CommandOutputBucket0DD4DD73: SSEAlgorithm "aws:kms", and commandOutput.encryption is s3-managed (AES256)`,
		`resource data sync InventoryResourceDataSync837B1722: encrypts with KMSKeyArn {"Fn::GetStackOutput":{"OutputName":"PublishOutputFnGetAttCommandOutputKey90C1B169ArnA97CF934",` +
			`"Region":"us-west-2","StackName":"privatepatch-fleet"}}, and commandOutput.encryption is s3-managed`}, CommandOutputEncryption(cfg, fleet, patching))
}

// Run 21's A20: the alerts topic without its KmsMasterKeyId, and under the AWS managed key (by
// alias and by alias ARN, a literal or built by Fn::Sub); its neighbour, a Ref to a resource of
// its stack that is no key. A key from outside the template (a literal key ARN, an import, a Ref
// of a template Parameter, an ARN built by Fn::Sub or Fn::Join) is not judged, and a note says so
// (review of run 21's checks, 9a; review round 2, 5a). Every golden's topics are under their
// stack's key, with no note.
func TestATopicNotUnderItsStacksCustomerManagedKeyIsNamed(t *testing.T) {
	for name, template := range goldenTemplates(t) {
		problems, notes := TopicKeys(template)
		assert.Empty(t, problems, name)
		assert.Empty(t, notes, name)
	}
	patching := read(t, "../../test/testdata/default.patching.template.json")
	topic := props(patching, "AlertsTopicCF7C81C9")
	delete(topic, "KmsMasterKeyId")
	problems, _ := TopicKeys(patching)
	assert.Equal(t, []string{"topic AlertsTopicCF7C81C9: no KmsMasterKeyId: not encrypted at rest with KMS (Security Hub SNS.1), " +
		"where the stacks encrypt every topic with a customer managed key"}, problems)
	subManaged := map[string]any{"Fn::Sub": "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/aws/sns"}
	for _, managed := range []any{"alias/aws/sns", "arn:aws:kms:us-west-2:111111111111:alias/aws/sns", subManaged} {
		topic["KmsMasterKeyId"] = managed
		problems, notes := TopicKeys(patching)
		assert.Equal(t, []string{"topic AlertsTopicCF7C81C9: KmsMasterKeyId " + rendered(managed) + " is the AWS managed key, whose policy " +
			"cannot admit the alarms and rules that publish to it"}, problems)
		assert.Empty(t, notes)
	}
	topic["KmsMasterKeyId"] = map[string]any{"Ref": "AlertsTopicCF7C81C9"}
	problems, _ = TopicKeys(patching)
	assert.Equal(t, []string{`topic AlertsTopicCF7C81C9: KmsMasterKeyId {"Ref":"AlertsTopicCF7C81C9"} is not a customer managed key of its stack, whose policy ` +
		"admits the alarms and rules that publish to it"}, problems)
	patching["Parameters"].(map[string]any)["AlertsKeyArn"] = map[string]any{"Type": "String"}
	for _, elsewhere := range []any{"arn:aws:kms:us-west-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		map[string]any{"Fn::ImportValue": "shared-keys-AlertsKeyArn"},
		map[string]any{"Ref": "AlertsKeyArn"},
		map[string]any{"Fn::Sub": "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
		map[string]any{"Fn::Sub": []any{"arn:aws:kms:us-west-2:${Account}:key/1234abcd-12ab-34cd-56ef-1234567890ab", map[string]any{"Account": "111111111111"}}},
		map[string]any{"Fn::Join": []any{"", []any{"arn:aws:kms:us-west-2:", map[string]any{"Ref": "AWS::AccountId"}, ":key/1234abcd-12ab-34cd-56ef-1234567890ab"}}}} {
		topic["KmsMasterKeyId"] = elsewhere
		problems, notes := TopicKeys(patching)
		assert.Empty(t, problems, elsewhere)
		assert.Equal(t, []string{"topic AlertsTopicCF7C81C9: KmsMasterKeyId " + rendered(elsewhere) + " is a key outside these templates: whether it is customer managed " +
			"and its policy admits the alarms and rules that publish to the topic is not judged"}, notes, elsewhere)
	}
	// A Ref of a Parameter the template does not declare is no key from outside.
	topic["KmsMasterKeyId"] = map[string]any{"Ref": "NoSuchParameter"}
	problems, _ = TopicKeys(patching)
	assert.Len(t, problems, 1)
}

// Review round 3's 4a and 4b: a topic key given by Ref of the template's own AWS::KMS::Alias is
// judged by the key its TargetKeyId names (ours passes, the topic's own Ref fails), and a
// Parameter whose Default is the AWS managed alias (or its ARN) fails; one without a Default, or
// with a customer managed default, stays a note.
func TestATopicKeyByAliasOrParameterDefaultIsJudged(t *testing.T) {
	patching := read(t, "../../test/testdata/default.patching.template.json")
	topic := props(patching, "AlertsTopicCF7C81C9")
	key := topic["KmsMasterKeyId"]
	resources := patching["Resources"].(map[string]any)
	alias := map[string]any{"AliasName": "alias/alerts", "TargetKeyId": key}
	resources["AlertsAlias"] = map[string]any{"Type": "AWS::KMS::Alias", "Properties": alias}
	topic["KmsMasterKeyId"] = map[string]any{"Ref": "AlertsAlias"}
	problems, notes := TopicKeys(patching)
	assert.Empty(t, problems, "an alias of the stack's own key")
	assert.Empty(t, notes)
	alias["TargetKeyId"] = map[string]any{"Ref": "AlertsTopicCF7C81C9"}
	problems, _ = TopicKeys(patching)
	assert.Equal(t, []string{`topic AlertsTopicCF7C81C9: KmsMasterKeyId {"Ref":"AlertsAlias"} is not a customer managed key of its stack, whose policy ` +
		"admits the alarms and rules that publish to it"}, problems)

	parameter := map[string]any{"Type": "String", "Default": "alias/aws/sns"}
	patching["Parameters"].(map[string]any)["AlertsKey"] = parameter
	topic["KmsMasterKeyId"] = map[string]any{"Ref": "AlertsKey"}
	for _, managed := range []string{"alias/aws/sns", "arn:aws:kms:us-west-2:111111111111:alias/aws/sns"} {
		parameter["Default"] = managed
		problems, notes = TopicKeys(patching)
		assert.Equal(t, []string{`topic AlertsTopicCF7C81C9: KmsMasterKeyId {"Ref":"AlertsKey"} is the AWS managed key when deployed with its Default "` + managed +
			`", whose policy cannot admit the alarms and rules that publish to it`}, problems)
		assert.Empty(t, notes)
	}
	for _, other := range []any{"alias/alerts", nil} {
		parameter["Default"] = other
		problems, notes = TopicKeys(patching)
		assert.Empty(t, problems, other)
		assert.Len(t, notes, 1, other)
	}
}

// Run 21's A08: a created VPC without the custom resource that empties its default security
// group; and its neighbour, the resource naming another attribute of the VPC. The goldens that
// use an existing VPC create none and are not judged.
func TestACreatedVpcWhoseDefaultSecurityGroupIsNotRestrictedIsNamed(t *testing.T) {
	for name, template := range goldenTemplates(t) {
		assert.Empty(t, DefaultSecurityGroups(template), name)
	}
	const restrict = "NetworkVpcRestrictDefaultSecurityGroupCustomResource491E144D"
	network := read(t, "../../test/testdata/default.network.template.json")
	props(network, restrict)["DefaultSecurityGroupId"] = map[string]any{"Fn::GetAtt": []any{"NetworkVpc7FB7348F", "DefaultNetworkAcl"}}
	want := []string{"VPC NetworkVpc7FB7348F: no Custom::VpcRestrictDefaultSG names its DefaultSecurityGroup: the default security group " +
		"keeps allowing all traffic between its members and all egress (Security Hub EC2.2)"}
	assert.Equal(t, want, DefaultSecurityGroups(network))
	delete(network["Resources"].(map[string]any), restrict)
	assert.Equal(t, want, DefaultSecurityGroups(network))
}

// Run 21's A16: the crawler naming a security configuration the template does not declare; and
// its neighbours, a Ref to the declared one (passes) and a Ref to none (named).
func TestACrawlerOnAnUndeclaredSecurityConfigurationIsNamed(t *testing.T) {
	for name, template := range goldenTemplates(t) {
		assert.Empty(t, CrawlerSecurityConfigurations(template), name)
	}
	patching := read(t, "../../test/testdata/rich-patching.patching.template.json")
	crawler := props(patching, "InventoryQueriesCrawlerD90043AA")
	crawler["CrawlerSecurityConfiguration"] = "privatepatch-inventory-logs"
	assert.Equal(t, []string{"Glue crawler InventoryQueriesCrawlerD90043AA: CrawlerSecurityConfiguration privatepatch-inventory-logs is no security " +
		"configuration of its template (declared: [privatepatch-inventory]): the crawler's logs are not encrypted as intended, and creating it may fail"}, CrawlerSecurityConfigurations(patching))
	crawler["CrawlerSecurityConfiguration"] = map[string]any{"Ref": "InventoryQueriesSecurityConfiguration93096163"}
	assert.Empty(t, CrawlerSecurityConfigurations(patching))
	crawler["CrawlerSecurityConfiguration"] = map[string]any{"Ref": "InventoryQueriesLogsSecurityConfiguration"}
	assert.Contains(t, joined(CrawlerSecurityConfigurations(patching)), `CrawlerSecurityConfiguration {"Ref":"InventoryQueriesLogsSecurityConfiguration"} is no security configuration`)
}
