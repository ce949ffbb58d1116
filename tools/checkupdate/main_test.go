package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/proof/cfnupdate"
)

var specPath = cfnupdate.SpecPath(filepath.Join("..", ".."))

// assembly writes a cloud assembly with one stack, app-fleet, whose server runs image.
func assembly(t *testing.T, image string) string {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "manifest.json"), `{"artifacts": {"Fleet": {"type": "aws:cloudformation:stack", "environment": "aws://unknown-account/eu-west-1",
		"properties": {"templateFile": "Fleet.template.json", "stackName": "app-fleet"}}, "Tree": {"type": "cdk:tree"}}}`)
	write(t, filepath.Join(dir, "Fleet.template.json"), `{"Resources": {"Server": {"Type": "AWS::EC2::Instance", "Properties": {"ImageId": "`+image+`"}}}}`)
	return dir
}

func write(t *testing.T, path, content string) {
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}

func TestListsTheStackNamesOfTheAssembly(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, listStacks(&out, assembly(t, "ami-1"), selection{}))
	assert.Equal(t, "app-fleet eu-west-1 unknown-account\n", out.String())
}

func TestAcceptsANewStackAndAnUnchangedOne(t *testing.T) {
	synthesised := assembly(t, "ami-1")
	deployed := t.TempDir()
	var out bytes.Buffer
	require.NoError(t, run(&out, deployed, synthesised, specPath, selection{}), "nothing deployed yet")
	data, err := os.ReadFile(filepath.Join(synthesised, "Fleet.template.json"))
	require.NoError(t, err)
	write(t, filepath.Join(deployed, "app-fleet.json"), string(data))
	require.NoError(t, run(&out, deployed, synthesised, specPath, selection{}))
	assert.Contains(t, out.String(), "1 deployed stack(s) of 1 update without replacing data")
}

func TestRefusesAnUpdateThatReplacesAnInstance(t *testing.T) {
	deployed := t.TempDir()
	write(t, filepath.Join(deployed, "app-fleet.json"), `{"Resources": {"Server": {"Type": "AWS::EC2::Instance", "Properties": {"ImageId": "ami-1"}}}}`)
	var out bytes.Buffer
	err := run(&out, deployed, assembly(t, "ami-2"), specPath, selection{})
	assert.ErrorIs(t, err, errProblems)
	assert.Contains(t, out.String(), `app-fleet/Server (AWS::EC2::Instance) is replaced: ImageId changes from "ami-1" to "ami-2"`)
}

func TestReadsTheStacksOfEveryStage(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "manifest.json"), `{"artifacts": {"assembly-prod": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-prod"}}}}`)
	nested := assembly(t, "ami-1")
	require.NoError(t, os.Rename(nested, filepath.Join(dir, "assembly-prod")))
	var out bytes.Buffer
	require.NoError(t, listStacks(&out, dir, selection{}))
	assert.Equal(t, "app-fleet eu-west-1 unknown-account\n", out.String())
}

// networkAssembly writes a cloud assembly with the default configuration's golden network stack
// (privatepatch-network in us-west-2) and a fleet stack.
func networkAssembly(t *testing.T) string {
	dir := assembly(t, "ami-1")
	write(t, filepath.Join(dir, "manifest.json"), `{"artifacts": {
		"Fleet": {"type": "aws:cloudformation:stack", "environment": "aws://unknown-account/us-west-2",
			"properties": {"templateFile": "Fleet.template.json", "stackName": "privatepatch-fleet"}},
		"Network": {"type": "aws:cloudformation:stack", "environment": "aws://unknown-account/us-west-2",
			"properties": {"templateFile": "Network.template.json", "stackName": "privatepatch-network"}}}}`)
	data, err := os.ReadFile(filepath.Join("..", "..", "test", "testdata", "default.network.template.json"))
	require.NoError(t, err)
	write(t, filepath.Join(dir, "Network.template.json"), string(data))
	return dir
}

// livePrefixLists writes what the Makefile's AWS CLI calls would: the id and the entries.
func livePrefixLists(t *testing.T, idFixture, entriesFixture string) string {
	dir := t.TempDir()
	for fixture, file := range map[string]string{idFixture: "privatepatch-network.id", entriesFixture: "privatepatch-network.entries.json"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "proof", "s3drift", "testdata", fixture))
		require.NoError(t, err)
		write(t, filepath.Join(dir, file), string(data))
	}
	return dir
}

func TestListsOnlyTheNetworkStacksForTheS3PrefixListCheck(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, listNetworkStacks(&out, networkAssembly(t), selection{}))
	assert.Equal(t, "privatepatch-network us-west-2\n", out.String())
}

func TestS3PrefixListInSyncWithAwsPasses(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, checkPrefixLists(&out, livePrefixLists(t, "id-us-west-2.json", "entries-in-sync.json"), networkAssembly(t), selection{}))
	assert.Contains(t, out.String(), "the S3 prefix list of 1 network stack(s) matches AWS's")
}

func TestDriftedS3PrefixListIsRefusedNamingTheFix(t *testing.T) {
	var out bytes.Buffer
	err := checkPrefixLists(&out, livePrefixLists(t, "id-us-west-2.json", "entries-drifted.json"), networkAssembly(t), selection{})
	assert.ErrorIs(t, err, errProblems)
	assert.ErrorContains(t, err, "the S3 prefix list has drifted")
	assert.Contains(t, out.String(), "privatepatch-network (us-west-2): the private network ACL's S3 rules lack 198.51.100.0/24")
	assert.Contains(t, out.String(), "Set network.s3PrefixListCidrs.us-west-2: [")
}

func TestUnreadLiveS3PrefixListIsAnError(t *testing.T) {
	var out bytes.Buffer
	err := checkPrefixLists(&out, t.TempDir(), networkAssembly(t), selection{})
	assert.ErrorContains(t, err, "the live S3 prefix list of privatepatch-network was not read")
}

// securityAssembly writes a cloud assembly with one stack, app-patching, of these resources.
func securityAssembly(t *testing.T, resources string) string {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "manifest.json"), `{"artifacts": {"Patching": {"type": "aws:cloudformation:stack", "environment": "aws://unknown-account/eu-west-1",
		"properties": {"templateFile": "Patching.template.json", "stackName": "app-patching"}}}}`)
	write(t, filepath.Join(dir, "Patching.template.json"), `{"Resources": {`+resources+`}}`)
	return dir
}

const (
	rule     = `"Rule": {"Type": "AWS::Config::ConfigRule", "Properties": {}}`
	hub      = `"Hub": {"Type": "AWS::SecurityHub::Hub", "Properties": {}}`
	standard = `"Standard": {"Type": "AWS::SecurityHub::Standard", "Properties": {"StandardsArn": "arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0"}}`
)

// glueTable is a Glue table the stack declares.
const glueTable = `"Table": {"Type": "AWS::Glue::Table", "Properties": {"DatabaseName": "privatepatch_inventory", "TableInput": {"Name": "aws_complianceitem"}}}`

// scopedRule is a Config rule scoped to resource types, as the compliance construct writes them.
const scopedRule = `"Rule": {"Type": "AWS::Config::ConfigRule", "Properties": {"Scope": {"ComplianceResourceTypes": ["AWS::SSM::ManagedInstanceInventory", "AWS::EC2::Instance"]}}}`

const connectionArn = "arn:aws:codeconnections:us-west-2:111111111111:connection/01234567-89ab-cdef-0123-456789abcdef"

// pipelineSource is a pipeline whose source is a CodeConnections connection.
const pipelineSource = `"Pipeline": {"Type": "AWS::CodePipeline::Pipeline", "Properties": {"Stages": [{"Name": "Source", "Actions": [` +
	`{"Name": "o_r", "ActionTypeId": {"Category": "Source", "Owner": "AWS", "Provider": "CodeStarSourceConnection", "Version": "1"},` +
	`"Configuration": {"ConnectionArn": "` + connectionArn + `", "FullRepositoryId": "o/r", "BranchName": "main"}}]}]}}`

func TestNamesWhatTheUpdateNeedsOfTheAccount(t *testing.T) {
	for _, c := range []struct {
		name, deployed, synthesised, want string
	}{
		{"nothing", "", `"Other": {"Type": "AWS::SNS::Topic"}`, ""},
		{"config rules need a recorder", "", rule, "app-patching eu-west-1 config-recorder\n"},
		{"a new Glue table needs its name free", "", glueTable, "app-patching eu-west-1 no-glue-table privatepatch_inventory/aws_complianceitem\n"},
		{"a Glue table deployed before is no problem", glueTable, glueTable, ""},
		{"a recorder of the types the rules evaluate", "", scopedRule + "," + strings.Replace(scopedRule, `"Rule"`, `"Other"`, 1),
			"app-patching eu-west-1 config-recorder AWS::EC2::Instance,AWS::SSM::ManagedInstanceInventory\n"},
		{"a new hub needs an account without one, its standards a recorder", "", hub + "," + standard,
			"app-patching eu-west-1 config-recorder\napp-patching eu-west-1 no-security-hub\n"},
		{"the stack's own hub is no problem, its standards still need a recorder", hub + "," + standard, hub + "," + standard,
			"app-patching eu-west-1 config-recorder\n"},
		{"a hub without standards needs no recorder", hub, hub, ""},
		{"standards without a hub need the account's, without them enabled", "", standard + "," + rule,
			"app-patching eu-west-1 config-recorder\napp-patching eu-west-1 security-hub\n" +
				"app-patching eu-west-1 standard-not-enabled standards/aws-foundational-security-best-practices/v/1.0.0\n"},
		{"a standard deployed before is not enabled again", standard, standard, "app-patching eu-west-1 config-recorder\napp-patching eu-west-1 security-hub\n"},
		{"a standard's ARN joined with the partition", "", `"Pci": {"Type": "AWS::SecurityHub::Standard", "Properties": {"StandardsArn": {"Fn::Join": ["", ` +
			`["arn:", {"Ref": "AWS::Partition"}, ":securityhub:eu-west-1::standards/pci-dss/v/4.0.1"]]}}}`,
			"app-patching eu-west-1 config-recorder\napp-patching eu-west-1 security-hub\napp-patching eu-west-1 standard-not-enabled standards/pci-dss/v/4.0.1\n"},
		{"a standard added to the stack's own hub, deployed before, must not be enabled yet", hub, hub + "," + standard,
			"app-patching eu-west-1 config-recorder\napp-patching eu-west-1 standard-not-enabled standards/aws-foundational-security-best-practices/v/1.0.0\n"},
		// Each update: a connection can be created pending, or fall back to ERROR, after the first.
		{"a pipeline's source needs its connection available", pipelineSource, pipelineSource,
			"app-patching eu-west-1 connection-available " + connectionArn + "\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			deployed := t.TempDir()
			if c.deployed != "" {
				write(t, filepath.Join(deployed, "app-patching.json"), `{"Resources": {`+c.deployed+`}}`)
			}
			var out bytes.Buffer
			require.NoError(t, prerequisites(&out, deployed, securityAssembly(t, c.synthesised), selection{}))
			assert.Equal(t, c.want, out.String())
		})
	}
}

func TestWritesAStackPolicyPerStackForMakeDeploy(t *testing.T) {
	dir := assembly(t, "ami-1")
	write(t, filepath.Join(dir, "Fleet.template.json"), `{"Resources": {"Server": {"Type": "AWS::EC2::Instance"}, "Store": {"Type": "AWS::EC2::Volume"}}}`)
	policies := filepath.Join(t.TempDir(), "policies")
	var out bytes.Buffer
	require.NoError(t, writeStackPolicies(&out, dir, policies, selection{}))
	assert.Equal(t, "app-fleet eu-west-1\n", out.String())
	body, err := os.ReadFile(filepath.Join(policies, "app-fleet.json"))
	require.NoError(t, err)
	assert.JSONEq(t, `{"Statement": [
		{"Effect": "Deny", "Action": "Update:Replace", "Principal": "*", "Resource": "*",
		 "Condition": {"StringEquals": {"ResourceType": ["AWS::EC2::Volume"]}}},
		{"Effect": "Deny", "Action": "Update:Delete", "Principal": "*", "Resource": "LogicalResourceId/Store"},
		{"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"}]}`, string(body))
	assert.Error(t, writeStackPolicies(&out, dir, "", selection{}), "no -out")
}

// Turning off flow logs removes a retained log group: check-update passed it, and then the stack
// policy an earlier make deploy set (Update:Delete of every protected type) stopped CloudFormation
// half-way. The policy in place (get-stack-policy, STACK.policy.json) is now judged too.
func TestAnUpdateTheStackPolicyInPlaceDeniesIsRefusedNamingTheWayOut(t *testing.T) {
	const withFlowLogs = `{"Resources": {"FlowLogs": {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain", "Properties": {}}, "Server": {"Type": "AWS::EC2::Instance", "Properties": {"ImageId": "ami-1"}}}}`
	const earlierPolicy = `{"Statement": [{"Effect": "Deny", "Action": ["Update:Replace", "Update:Delete"], "Principal": "*", "Resource": "*",
		"Condition": {"StringEquals": {"ResourceType": ["AWS::Logs::LogGroup"]}}}, {"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"}]}`
	synthesised := assembly(t, "ami-1") // the same stack without the log group
	deployed := t.TempDir()
	write(t, filepath.Join(deployed, "app-fleet.json"), withFlowLogs)
	var out bytes.Buffer
	require.NoError(t, run(&out, deployed, synthesised, specPath, selection{}), "no policy in place: the retained group is left behind")

	write(t, filepath.Join(deployed, "app-fleet.policy.json"), earlierPolicy)
	out.Reset()
	err := run(&out, deployed, synthesised, specPath, selection{})
	assert.ErrorIs(t, err, errProblems)
	assert.Contains(t, out.String(), "app-fleet/FlowLogs (AWS::Logs::LogGroup) would be refused by CloudFormation half-way: the stack policy set on app-fleet denies Update:Delete of it")
	assert.Contains(t, out.String(), "make stack-policies")

	// The way out: this version's policy of the deployed template allows it.
	policies := filepath.Join(t.TempDir(), "policies")
	out.Reset()
	require.NoError(t, writeDeployedStackPolicies(&out, deployed, synthesised, policies, selection{}))
	assert.Equal(t, "app-fleet eu-west-1\n", out.String())
	body, err := os.ReadFile(filepath.Join(policies, "app-fleet.json"))
	require.NoError(t, err)
	write(t, filepath.Join(deployed, "app-fleet.policy.json"), string(body))
	out.Reset()
	require.NoError(t, run(&out, deployed, synthesised, specPath, selection{}), out.String())

	// The AWS CLI's answer for a stack without a policy (--output text) is None.
	write(t, filepath.Join(deployed, "app-fleet.policy.json"), "None\n")
	require.NoError(t, run(&out, deployed, synthesised, specPath, selection{}))
}

// environmentsAssembly writes a cloud assembly of two environments (CDK stages) in two accounts,
// and, with pipeline, the pipeline's own stack at the top.
func environmentsAssembly(t *testing.T, pipeline bool) string {
	dir := t.TempDir()
	artifacts := `"assembly-prod": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-prod"}},
		"assembly-dev": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-dev"}}`
	if pipeline {
		artifacts += `, "Pipeline": {"type": "aws:cloudformation:stack", "environment": "aws://333333333333/eu-west-1",
			"properties": {"templateFile": "Pipeline.template.json", "stackName": "app-pipeline"}}`
		write(t, filepath.Join(dir, "Pipeline.template.json"), `{"Resources": {}}`)
	}
	write(t, filepath.Join(dir, "manifest.json"), `{"artifacts": {`+artifacts+`}}`)
	for env, account := range map[string]string{"prod": "111111111111", "dev": "222222222222"} {
		nested := filepath.Join(dir, "assembly-"+env)
		require.NoError(t, os.MkdirAll(nested, 0o755))
		write(t, filepath.Join(nested, "manifest.json"), `{"artifacts": {"`+env+`Fleet": {"type": "aws:cloudformation:stack", "environment": "aws://`+account+`/eu-west-1",
			"properties": {"templateFile": "Fleet.template.json", "stackName": "app-`+env+`-fleet"}}}}`)
		write(t, filepath.Join(nested, "Fleet.template.json"), `{"Resources": {"Store": {"Type": "AWS::EC2::Volume"}}}`)
	}
	return dir
}

// Multi-account environments: another account's stacks read as "not deployed yet" with the
// caller's credentials, so they are refused, naming one profile per environment.
func TestStacksOfAnotherAccountAreRefusedAndOneEnvironmentCanBePicked(t *testing.T) {
	dir := environmentsAssembly(t, false)
	var out bytes.Buffer
	require.NoError(t, listStacks(&out, dir, selection{}))
	assert.Equal(t, "app-dev-fleet eu-west-1 222222222222\napp-prod-fleet eu-west-1 111111111111\n", out.String(), "each stack's account from its environment")

	out.Reset()
	err := listStacks(&out, dir, selection{account: "111111111111"})
	assert.ErrorContains(t, err, "the AWS credentials are of account 111111111111, and app-dev-fleet (environment dev) is in account 222222222222")
	assert.ErrorContains(t, err, "AWS_PROFILE=<a profile of that account> make deploy ENVIRONMENT=<name>")
	assert.Empty(t, out.String(), "nothing listed before the refusal")
	for _, refused := range []error{
		writeStackPolicies(&out, dir, t.TempDir(), selection{account: "111111111111"}),
		prerequisites(&out, t.TempDir(), dir, selection{account: "111111111111"}),
		run(&out, t.TempDir(), dir, specPath, selection{account: "111111111111"}),
	} {
		assert.ErrorContains(t, refused, "is in account 222222222222")
	}

	require.NoError(t, listStacks(&out, dir, selection{environment: "prod", account: "111111111111"}))
	assert.Equal(t, "app-prod-fleet eu-west-1 111111111111\n", out.String())
	assert.ErrorContains(t, listStacks(&out, dir, selection{environment: "test"}), "ENVIRONMENT=test: no such environment; the configuration's are dev, prod")
	assert.ErrorContains(t, listStacks(&out, assembly(t, "ami-1"), selection{environment: "prod"}), "has no environments")

	out.Reset()
	require.NoError(t, printCdkSelection(&out, dir, "prod"))
	require.NoError(t, printCdkSelection(&out, dir, ""))
	require.NoError(t, printCdkSelection(&out, assembly(t, "ami-1"), ""))
	assert.Equal(t, "prod/*\n**\n**\n", out.String())
}

// A pipeline app deploys its own stacks; its stages, in other accounts, deploy through it.
func TestAPipelineAppPicksItsOwnStacksUnlessAnEnvironmentIsNamed(t *testing.T) {
	dir := environmentsAssembly(t, true)
	var out bytes.Buffer
	require.NoError(t, listStacks(&out, dir, selection{account: "333333333333"}))
	assert.Equal(t, "app-pipeline eu-west-1 333333333333\n", out.String())
	out.Reset()
	require.NoError(t, printCdkSelection(&out, dir, ""))
	assert.Equal(t, "*\n", out.String(), "cdk's * is the top level: the pipeline, not its stages")
	assert.ErrorContains(t, listStacks(&out, dir, selection{environment: "dev", account: "333333333333"}), "is in account 222222222222")
	// The pipeline's build runs the S3 prefix-list drift check of every stage.
	all, err := selection{all: true}.stacks(dir)
	require.NoError(t, err)
	assert.Len(t, all, 3)
}

// existingVpcAssembly writes a cloud assembly with the golden network stack of an existing VPC.
func existingVpcAssembly(t *testing.T, golden string) string {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "manifest.json"), `{"artifacts": {"Network": {"type": "aws:cloudformation:stack", "environment": "aws://unknown-account/us-west-2",
		"properties": {"templateFile": "Network.template.json", "stackName": "privatepatch-network"}}}}`)
	data, err := os.ReadFile(filepath.Join("..", "..", "test", "testdata", golden+".network.template.json"))
	require.NoError(t, err)
	write(t, filepath.Join(dir, "Network.template.json"), string(data))
	return dir
}

// liveVpc writes what the Makefile's AWS CLI calls would for the VPC.
func liveVpc(t *testing.T, endpoints, zones, hostnames string) string {
	return liveVpcOf(t, endpoints, zones, hostnames, "resources-none.json")
}

func liveVpcOf(t *testing.T, endpoints, zones, hostnames, resources string) string {
	return liveVpcWithDNS(t, endpoints, zones, hostnames, resources, "vpc-amazon-dns.json", "dhcp-amazon-dns.json")
}

func liveVpcWithDNS(t *testing.T, endpoints, zones, hostnames, resources, vpc, dhcp string) string {
	dir := t.TempDir()
	for fixture, suffix := range map[string]string{endpoints: ".endpoints.json", zones: ".zones.1.json", "dns-support-true.json": ".dns-support.json", hostnames: ".dns-hostnames.json",
		resources: ".resources.json", vpc: ".vpc.json", dhcp: ".dhcp.json"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "proof", "vpcclash", "testdata", fixture))
		require.NoError(t, err)
		write(t, filepath.Join(dir, "privatepatch-network"+suffix), string(data))
	}
	return dir
}

// s3Endpoint: created and interfaceEndpoints: created in a landing-zone VPC that has both: the
// update is refused before the deploy, naming the settings.
func TestAnExistingVpcThatHasTheEndpointsIsRefusedNamingTheSettings(t *testing.T) {
	assembly := existingVpcAssembly(t, "existing-vpc")
	var out bytes.Buffer
	require.NoError(t, listExistingVpcs(&out, assembly, selection{}))
	assert.Equal(t, "privatepatch-network us-west-2 vpc-0a1b2c3d4e5f60718\n", out.String())

	out.Reset()
	require.NoError(t, checkExistingVpcs(&out, liveVpc(t, "endpoints-none.json", "zones-none.json", "dns-hostnames-true.json"), assembly, selection{}))
	assert.Contains(t, out.String(), "in 1 existing VPC(s) create no endpoint the VPC has")
	assert.NotContains(t, out.String(), "note:")
	// A directory's DNS servers: noted, not refused.
	out.Reset()
	require.NoError(t, checkExistingVpcs(&out, liveVpcWithDNS(t, "endpoints-none.json", "zones-none.json", "dns-hostnames-true.json", "resources-none.json",
		"vpc-custom-dns.json", "dhcp-custom-dns.json"), assembly, selection{}))
	assert.Contains(t, out.String(), "  note: privatepatch-network: vpc-0a1b2c3d4e5f60718's DHCP option set dopt-0c0ffee0c0ffee0d1 gives its instances the DNS servers 10.20.0.10, 10.20.1.10")

	out.Reset()
	err := checkExistingVpcs(&out, liveVpc(t, "endpoints-landing-zone.json", "zones-hub.json", "dns-hostnames-true.json"), assembly, selection{})
	assert.ErrorIs(t, err, errProblems)
	assert.Contains(t, out.String(), "set network.existingVpc.s3Endpoint: existing")
	assert.Contains(t, out.String(), "set network.existingVpc.interfaceEndpoints: hub")

	// A second deploy: the stack's own (untagged) endpoints, which list-stack-resources names, pass;
	// the same endpoints before the stack exists are refused.
	out.Reset()
	require.NoError(t, checkExistingVpcs(&out, liveVpcOf(t, "endpoints-own.json", "zones-none.json", "dns-hostnames-true.json", "resources-own.json"), assembly, selection{}))
	out.Reset()
	assert.ErrorIs(t, checkExistingVpcs(&out, liveVpc(t, "endpoints-own.json", "zones-none.json", "dns-hostnames-true.json"), assembly, selection{}), errProblems)

	assert.ErrorContains(t, checkExistingVpcs(&out, t.TempDir(), assembly, selection{}), "privatepatch-network: the existing VPC vpc-0a1b2c3d4e5f60718 was not read")
	// A first page of hosted zones that carries a NextToken, without the next page: refused, not
	// judged on the zones it shows.
	assert.ErrorContains(t, checkExistingVpcs(&out, liveVpc(t, "endpoints-none.json", "zones-more.json", "dns-hostnames-true.json"), assembly, selection{}),
		"read every page with --next-token")
	// Its own VPC: nothing to read.
	out.Reset()
	require.NoError(t, listExistingVpcs(&out, networkAssembly(t), selection{}))
	assert.Empty(t, out.String())
}

// manageNetworkAcls over subnets that use a landing zone's own ACL: refused before the first
// deploy until existingVpc.priorNetworkAcls records it; once deployed, the ACLs are ours.
func TestTakingOverASubnetsOwnNetworkAclIsRefusedUntilRecorded(t *testing.T) {
	assembly := existingVpcAssembly(t, "existing-vpc-managed-acls")
	var out bytes.Buffer
	require.NoError(t, listAclSubnets(&out, assembly, selection{}))
	assert.Equal(t, "privatepatch-network us-west-2 subnet-0aaaaaaaaaaaaaaa1,subnet-0aaaaaaaaaaaaaaa2,subnet-0bbbbbbbbbbbbbbb1,subnet-0bbbbbbbbbbbbbbb2\n", out.String())

	live := t.TempDir()
	data, err := os.ReadFile(filepath.Join("..", "..", "proof", "vpcclash", "testdata", "acls-landing-zone.json"))
	require.NoError(t, err)
	write(t, filepath.Join(live, "privatepatch-network.acls.json"), string(data))
	deployed := t.TempDir()
	out.Reset()
	err = checkAcls(&out, live, deployed, assembly, selection{})
	assert.ErrorIs(t, err, errProblems)
	assert.Contains(t, out.String(), "network.existingVpc.priorNetworkAcls: {subnet-0aaaaaaaaaaaaaaa1: acl-0123456789abcdef0}")

	template, err := os.ReadFile(filepath.Join(assembly, "Network.template.json"))
	require.NoError(t, err)
	write(t, filepath.Join(deployed, "privatepatch-network.json"), string(template))
	out.Reset()
	require.NoError(t, checkAcls(&out, live, deployed, assembly, selection{}), out.String())

	out.Reset()
	require.NoError(t, listAclSubnets(&out, existingVpcAssembly(t, "existing-vpc"), selection{}))
	assert.Empty(t, out.String(), "the ACLs left alone")
}

// The Makefile's read_zones asks ListHostedZonesByVPC, which the AWS CLI does not paginate, for
// each next page with --next-token, and stops at the page without one: run here with a fake aws
// answering a first page with a NextToken (zones-more.json) and a last one (zones-hub.json).
func TestCheckUpdateReadsEveryPageOfTheVpcsHostedZones(t *testing.T) {
	makefile, err := os.ReadFile(filepath.Join("..", "..", "Makefile"))
	require.NoError(t, err)
	m := regexp.MustCompile(`(?s)\ndefine read_zones\n(.*?)\nendef\n`).FindSubmatch(makefile)
	require.NotNil(t, m, "the Makefile defines read_zones")
	dir, bin := t.TempDir(), t.TempDir()
	fixtures, err := filepath.Abs(filepath.Join("..", "..", "proof", "vpcclash", "testdata"))
	require.NoError(t, err)
	write(t, filepath.Join(bin, "aws"), "#!/bin/sh\necho \"$*\" >> "+filepath.Join(dir, "calls")+"\n"+
		"case \"$*\" in *--next-token*) cat "+filepath.Join(fixtures, "zones-hub.json")+" ;; *) cat "+filepath.Join(fixtures, "zones-more.json")+" ;; esac\n")
	require.NoError(t, os.Chmod(filepath.Join(bin, "aws"), 0o755))
	script := strings.ReplaceAll(strings.ReplaceAll(string(m[1]), "$(EXISTING_VPCS)", dir), "$$", "$")
	cmd := exec.Command("sh", "-c", "stack=privatepatch-network; region=us-west-2; vpc=vpc-0a1b2c3d4e5f60718; "+script)
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	output, err := cmd.CombinedOutput()
	require.NoError(t, err, string(output))

	calls, err := os.ReadFile(filepath.Join(dir, "calls"))
	require.NoError(t, err)
	assert.Equal(t, "route53 list-hosted-zones-by-vpc --vpc-id vpc-0a1b2c3d4e5f60718 --vpc-region us-west-2 --output json\n"+
		"route53 list-hosted-zones-by-vpc --vpc-id vpc-0a1b2c3d4e5f60718 --vpc-region us-west-2 --next-token Z0123456789ABCDEFGHIJ --output json\n", string(calls))
	for _, page := range []string{"privatepatch-network.zones.1.json", "privatepatch-network.zones.2.json"} {
		assert.FileExists(t, filepath.Join(dir, page))
	}
	assert.NoFileExists(t, filepath.Join(dir, "privatepatch-network.zones.3.json"))
}

// runConnectionCheck runs the Makefile's connection-available branch of check-update with a fake
// aws that answers status, and returns its calls and whether the check passed.
func runConnectionCheck(t *testing.T, arn, status string) (string, bool) {
	return runPrerequisiteCheck(t, "connection-available", "app-pipeline us-west-2 connection-available "+arn, status)
}

// runPrerequisiteCheck runs the Makefile's branch of check-update for kind on the prerequisite
// line (stack region kind detail) with a fake aws that answers answer, and returns its calls and
// whether the check passed.
func runPrerequisiteCheck(t *testing.T, kind, line, answer string) (string, bool) {
	makefile, err := os.ReadFile(filepath.Join("..", "..", "Makefile"))
	require.NoError(t, err)
	m := regexp.MustCompile(`(?s)\n(\t  ` + regexp.QuoteMeta(kind) + `\) \\\n.*?exit 1; \} ;; \\)\n`).FindSubmatch(makefile)
	require.NotNil(t, m, "check-update has a %s branch", kind)
	branch := strings.ReplaceAll(strings.ReplaceAll(string(m[1])+"\n", "$$", "$"), "\\\n", "\n")
	dir, bin := t.TempDir(), t.TempDir()
	write(t, filepath.Join(bin, "aws"), "#!/bin/sh\necho \"$*\" >> "+filepath.Join(dir, "calls")+"\necho "+answer+"\n")
	require.NoError(t, os.Chmod(filepath.Join(bin, "aws"), 0o755))
	cmd := exec.Command("sh", "-euc", "echo "+line+
		" | while read -r stack region kind detail; do case $kind in "+branch+" esac; done")
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	output, err := cmd.CombinedOutput()
	t.Logf("%s", output) // the refusal's message
	calls, _ := os.ReadFile(filepath.Join(dir, "calls"))
	return string(calls), err == nil
}

// check-update asks Security Hub in the stack's region whether a standard the update adds to a
// hub is enabled already, and refuses if it is (its Standard would fail at deploy).
func TestCheckUpdateRefusesAStandardTheHubHasEnabledAlready(t *testing.T) {
	line := "app-patching eu-west-1 standard-not-enabled standards/aws-foundational-security-best-practices/v/1.0.0"
	calls, passed := runPrerequisiteCheck(t, "standard-not-enabled", line, "1")
	assert.False(t, passed, "an enabled standard is refused")
	assert.Equal(t, "securityhub get-enabled-standards --region eu-west-1 --query length(StandardsSubscriptions[?ends_with(StandardsArn, "+
		"'standards/aws-foundational-security-best-practices/v/1.0.0')]) --output json\n", calls,
		"json: GetEnabledStandards pages, and with --output text the CLI runs the query once a page, printing a count a page "+
			"('Setting the output format in the AWS CLI', AWS CLI User Guide)")
	_, passed = runPrerequisiteCheck(t, "standard-not-enabled", line, "0")
	assert.True(t, passed, "a standard not enabled yet passes")
}

// check-update asks the connection's own service (its ARN's prefix) in the connection's region,
// and refuses unless the connection is AVAILABLE.
func TestCheckUpdateRefusesAPipelineWhoseConnectionIsNotAvailable(t *testing.T) {
	calls, passed := runConnectionCheck(t, connectionArn, "PENDING")
	assert.False(t, passed, "a pending connection is refused")
	assert.Equal(t, "codeconnections get-connection --region us-west-2 --connection-arn "+connectionArn+
		" --query Connection.ConnectionStatus --output text\n", calls)
	_, passed = runConnectionCheck(t, connectionArn, "AVAILABLE")
	assert.True(t, passed)
	old := "arn:aws:codestar-connections:eu-west-1:111111111111:connection/01234567-89ab-cdef-0123-456789abcdef"
	calls, passed = runConnectionCheck(t, old, "ERROR")
	assert.False(t, passed)
	assert.Contains(t, calls, "codestar-connections get-connection --region eu-west-1 --connection-arn "+old+" ")
}

// runPrerequisiteBranch runs the Makefile's branch of check-update's prerequisites for kind with a
// fake aws running script, and returns the branch's output and whether the check passed. The
// recipe's shell is bash -eu -o pipefail (.SHELLFLAGS).
func runPrerequisiteBranch(t *testing.T, kind, script string) (string, bool) {
	return runPrerequisiteBranchWith(t, kind, "", script)
}

// runPrerequisiteBranchWith is runPrerequisiteBranch on a line with a detail.
func runPrerequisiteBranchWith(t *testing.T, kind, detail, script string) (string, bool) {
	makefile, err := os.ReadFile(filepath.Join("..", "..", "Makefile"))
	require.NoError(t, err)
	m := regexp.MustCompile(`(?s)\n(\t  ` + regexp.QuoteMeta(kind) + `\) \\\n.*? ;; \\)\n`).FindSubmatch(makefile)
	require.NotNil(t, m, "check-update has a %s branch", kind)
	branch := strings.ReplaceAll(strings.ReplaceAll(string(m[1])+"\n", "$$", "$"), "\\\n", "\n")
	bin := t.TempDir()
	write(t, filepath.Join(bin, "aws"), "#!/bin/sh\n"+script+"\n")
	require.NoError(t, os.Chmod(filepath.Join(bin, "aws"), 0o755))
	cmd := exec.Command("bash", "-eu", "-o", "pipefail", "-c", "echo app-patching eu-west-1 "+kind+" "+detail+
		" | while read -r stack region kind detail; do case $kind in "+branch+" esac; done")
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	output, err := cmd.CombinedOutput()
	return string(output), err == nil
}

// denied is what the AWS CLI does when IAM refuses a call: botocore's ClientError on stderr, exit
// status 254.
func denied(operation string) string {
	return "echo 'An error occurred (AccessDeniedException) when calling the " + operation +
		" operation: User: arn:aws:sts::111111111111:assumed-role/deployer/x is not authorized' >&2; exit 254"
}

// runRecorderCheck runs the Makefile's config-recorder branch of check-update for rules of the
// resource types detail, from the repository's root (it runs tools/checkupdate), with a fake aws
// whose describe-configuration-recorder-status --query answers count, and whose plain
// describe-configuration-recorders and -status answer recorders and statuses (JSON, or a
// command when they start with "!").
func runRecorderCheck(t *testing.T, detail, count, recorders, statuses string) (string, bool) {
	makefile, err := os.ReadFile(filepath.Join("..", "..", "Makefile"))
	require.NoError(t, err)
	m := regexp.MustCompile(`(?s)\n(\t  config-recorder\) \\\n.*? ;; \\)\n`).FindSubmatch(makefile)
	require.NotNil(t, m, "check-update has a config-recorder branch")
	deployed, bin := t.TempDir(), t.TempDir()
	branch := strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(string(m[1])+"\n", "$$", "$"), "\\\n", "\n"), "$(DEPLOYED)", deployed)
	answer := func(a string) string {
		if strings.HasPrefix(a, "!") {
			return a[1:]
		}
		file := filepath.Join(bin, "answer"+strings.Repeat("x", len(a)%7)+filepath.Base(t.TempDir()))
		write(t, file, a)
		return "cat " + file
	}
	write(t, filepath.Join(bin, "aws"), "#!/bin/sh\ncase \"$*\" in\n"+
		"*describe-configuration-recorder-status*--query*) "+answer(count)+" ;;\n"+
		"*describe-configuration-recorder-status*) "+answer(statuses)+" ;;\n"+
		"*describe-configuration-recorders*) "+answer(recorders)+" ;;\n"+
		"*) echo unexpected call \"$*\" >&2; exit 1 ;;\nesac\n")
	require.NoError(t, os.Chmod(filepath.Join(bin, "aws"), 0o755))
	cmd := exec.Command("bash", "-eu", "-o", "pipefail", "-c", "echo app-patching eu-west-1 config-recorder "+detail+
		" | while read -r stack region kind detail; do case $kind in "+branch+" esac; done")
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	output, err := cmd.CombinedOutput()
	t.Logf("%s", output)
	return string(output), err == nil
}

const (
	recordingDefault = `{"ConfigurationRecordersStatus": [{"name": "default", "recording": true}]}`
	stoppedDefault   = `{"ConfigurationRecordersStatus": [{"name": "default", "recording": false}]}`
	allSupported     = `{"ConfigurationRecorders": [{"name": "default", "recordingGroup": {"allSupported": true, "recordingStrategy": {"useOnly": "ALL_SUPPORTED_RESOURCE_TYPES"}}}]}`
	onlyInstances    = `{"ConfigurationRecorders": [{"name": "default", "recordingGroup": {"allSupported": false, "resourceTypes": ["AWS::EC2::Instance"], "recordingStrategy": {"useOnly": "INCLUSION_BY_RESOURCE_TYPES"}}}]}`
	ruleTypes        = "AWS::EC2::Instance,AWS::SSM::PatchCompliance"
)

// A configuration recorder is required where Config rules deploy: a recorder recording passes,
// none refuses, and a call that fails (denied, throttled) refuses too instead of reading as one.
func TestCheckUpdateRefusesConfigRulesWhenTheRecorderCannotBeRead(t *testing.T) {
	_, passed := runRecorderCheck(t, ruleTypes, "1", allSupported, recordingDefault)
	assert.True(t, passed, "a recorder records")
	out, passed := runRecorderCheck(t, ruleTypes, "0", allSupported, stoppedDefault)
	assert.False(t, passed, "no recorder records")
	assert.Contains(t, out, "evaluate nothing without a configuration recorder")
	out, passed = runRecorderCheck(t, ruleTypes, "!"+denied("DescribeConfigurationRecorderStatus"), allSupported, recordingDefault)
	assert.False(t, passed, "a denied call is not a recorder")
	assert.Contains(t, out, "could not be read")
}

// Security Hub's standards without Config rules ask for a recording recorder, and no types.
func TestCheckUpdateRefusesSecurityHubStandardsWithoutARecordingRecorder(t *testing.T) {
	out, passed := runRecorderCheck(t, "", "0", allSupported, stoppedDefault)
	assert.False(t, passed, "no recorder records")
	assert.Contains(t, out, "its AWS Config rules or Security Hub standards evaluate nothing without a configuration recorder recording in eu-west-1")
	_, passed = runRecorderCheck(t, "", "1", onlyInstances, recordingDefault)
	assert.True(t, passed, "a recorder records, whatever its group: the standards name no types")
}

// A recorder that records leaves the rules' resource types out of its recording group: the rules
// evaluate nothing, and check-update names the types. A denied read of the recorders refuses.
func TestCheckUpdateRefusesConfigRulesWhoseTypesTheRecorderDoesNotRecord(t *testing.T) {
	out, passed := runRecorderCheck(t, ruleTypes, "1", onlyInstances, recordingDefault)
	assert.False(t, passed, "AWS::SSM::PatchCompliance is not recorded")
	assert.Contains(t, out, "its AWS Config rules evaluate AWS::SSM::PatchCompliance, which no recording configuration recorder in eu-west-1 records")
	_, passed = runRecorderCheck(t, "AWS::EC2::Instance", "1", onlyInstances, recordingDefault)
	assert.True(t, passed, "every type recorded")
	out, passed = runRecorderCheck(t, ruleTypes, "1", "!"+denied("DescribeConfigurationRecorders"), recordingDefault)
	assert.False(t, passed)
	assert.Contains(t, out, "allow config:DescribeConfigurationRecorders")
}

// A table the stack now declares, which a crawler made before, fails the deploy: check-update
// asks Glue in the stack's region, refuses an existing table naming the delete-table call, passes
// on EntityNotFoundException only, and refuses any other failure (denied) instead of reading it
// as no table.
func TestCheckUpdateRefusesADeclaredGlueTableThatExistsAlready(t *testing.T) {
	const detail = "privatepatch_inventory/aws_complianceitem"
	// The stand-in answers only the expected call; any other is an error the check reports.
	out, passed := runPrerequisiteBranchWith(t, "no-glue-table", detail,
		`[ "$*" = "glue get-table --region eu-west-1 --database-name privatepatch_inventory --name aws_complianceitem" ] || { echo "unexpected call: $*" >&2; exit 2; }
echo '{"Table": {"Name": "aws_complianceitem"}}'`)
	assert.False(t, passed, "the crawled table exists")
	assert.Contains(t, out, "exists already")
	assert.Contains(t, out, "AWS CLI: glue delete-table --region eu-west-1 --database-name privatepatch_inventory --name aws_complianceitem")
	_, passed = runPrerequisiteBranchWith(t, "no-glue-table", detail,
		"echo 'An error occurred (EntityNotFoundException) when calling the GetTable operation: Table aws_complianceitem not found.' >&2; exit 254")
	assert.True(t, passed, "no such table")
	out, passed = runPrerequisiteBranchWith(t, "no-glue-table", detail, denied("GetTable"))
	assert.False(t, passed, "a denied call is not a missing table")
	assert.Contains(t, out, "could not be read")
	assert.Contains(t, out, "allow glue:GetTable")
}

// Creating the hub needs an account without one: DescribeHub answers InvalidAccessException
// "Account ... is not subscribed to AWS Security Hub" there (the AWS SDK's error in
// joshlarsen/aws-recon#65, "[SecurityHub] InvalidAccessException when account is not subscribed",
// read 2026-12-06). A hub refuses; any other failure (denied, throttled) refuses too instead of
// reading as no hub.
func TestCheckUpdateRefusesANewHubUnlessSecurityHubSaysItIsNotEnabled(t *testing.T) {
	out, passed := runPrerequisiteBranch(t, "no-security-hub", `echo '{"HubArn": "arn:aws:securityhub:eu-west-1:111111111111:hub/default"}'`)
	assert.False(t, passed, "a hub exists")
	assert.Contains(t, out, "already enabled")
	_, passed = runPrerequisiteBranch(t, "no-security-hub",
		"echo 'An error occurred (InvalidAccessException) when calling the DescribeHub operation: Account 111111111111 is not subscribed to AWS Security Hub' >&2; exit 254")
	assert.True(t, passed, "not enabled")
	out, passed = runPrerequisiteBranch(t, "no-security-hub", denied("DescribeHub"))
	assert.False(t, passed, "a denied call is not an account without a hub")
	assert.Contains(t, out, "could not be read: An error occurred (AccessDeniedException)")
}

// make deploy turns termination protection off on a stack whose first deploy rolled back
// (ROLLBACK_COMPLETE), and only on such a stack, so that the CDK CLI can delete and create it
// again: run here with a fake aws over three stacks (rolled back, deployed, not deployed).
func TestDeployUnprotectsOnlyAStackWhoseFirstDeployRolledBack(t *testing.T) {
	output, calls := runStackLoop(t, "unprotect_rolled_back", nil,
		"  *describe-stacks*app-network*) echo ROLLBACK_COMPLETE ;;\n"+
			"  *describe-stacks*app-fleet*) echo UPDATE_COMPLETE ;;\n"+
			"  *describe-stacks*) echo 'An error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id app-patching does not exist' >&2; exit 254 ;;\n")
	assert.Equal(t, "app-network: its first deploy rolled back: turning its termination protection off, so that cdk deploy deletes it and creates it again\n", output)
	assert.Equal(t, "cloudformation describe-stacks --region us-west-2 --stack-name app-network --query Stacks[0].StackStatus --output text\n"+
		"cloudformation update-termination-protection --region us-west-2 --no-enable-termination-protection --stack-name app-network\n"+
		"cloudformation describe-stacks --region us-west-2 --stack-name app-fleet --query Stacks[0].StackStatus --output text\n"+
		"cloudformation describe-stacks --stack-name app-patching --query Stacks[0].StackStatus --output text\n", calls)
}

// runStackLoop runs the body of the Makefile's `define NAME` stack loop (`| while read -r stack
// region account; do ... done`) over three stacks (app-network and app-fleet in us-west-2,
// app-patching in an unknown region) with a fake aws on PATH that answers by awsCases (sh case
// arms over "$*"), after replacing each of replacements' keys in the body by its value. It returns
// the loop's output and the aws calls, one per line.
func runStackLoop(t *testing.T, name string, replacements map[string]string, awsCases string) (output, calls string) {
	t.Helper()
	makefile, err := os.ReadFile(filepath.Join("..", "..", "Makefile"))
	require.NoError(t, err)
	m := regexp.MustCompile(`(?s)\ndefine ` + name + `\n.*?\| while read -r stack region account; do \\\n(.*?)\n\tdone\nendef\n`).FindSubmatch(makefile)
	require.NotNil(t, m, "the Makefile defines "+name)
	body := strings.ReplaceAll(strings.ReplaceAll(string(m[1]), "$$", "$"), "\\\n", " ") // make joins the recipe's continued lines
	for from, to := range replacements {
		body = strings.ReplaceAll(body, from, to)
	}
	dir, bin := t.TempDir(), t.TempDir()
	write(t, filepath.Join(bin, "aws"), "#!/bin/sh\necho \"$*\" >> "+filepath.Join(dir, "calls")+"\ncase \"$*\" in\n"+awsCases+"esac\n")
	require.NoError(t, os.Chmod(filepath.Join(bin, "aws"), 0o755))
	cmd := exec.Command("sh", "-c", "printf 'app-network us-west-2 111111111111\\napp-fleet us-west-2 111111111111\\napp-patching unknown-region 111111111111\\n' | "+
		"while read -r stack region account; do "+body+"\ndone")
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	recorded, err := os.ReadFile(filepath.Join(dir, "calls"))
	require.NoError(t, err)
	return string(out), string(recorded)
}

// check-update judges a stack whose first deploy rolled back (ROLLBACK_COMPLETE) as not deployed:
// GetTemplate answers for it, but its resources are deleted, so a fix that replaces one of them
// was refused and the prerequisites it has were skipped (the third review of session 19, 2.2).
// Run here with a fake aws over three stacks (rolled back, deployed, not deployed).
func TestReadDeployedJudgesAStackWhoseFirstDeployRolledBackAsNotDeployed(t *testing.T) {
	deployed := filepath.Join(t.TempDir(), "deployed")
	require.NoError(t, os.Mkdir(deployed, 0o755))
	output, _ := runStackLoop(t, "read_deployed", map[string]string{"$(DEPLOYED)": deployed},
		"  *describe-stacks*app-network*) echo ROLLBACK_COMPLETE ;;\n"+
			"  *describe-stacks*app-fleet*) echo UPDATE_COMPLETE ;;\n"+
			"  *get-template*app-fleet*) echo '{\"Resources\": {}}' ;;\n"+
			"  *get-stack-policy*app-fleet*) echo None ;;\n"+
			"  *) echo 'An error occurred (ValidationError): Stack with id app-patching does not exist' >&2; exit 254 ;;\n")
	assert.Equal(t, "app-network: ROLLBACK_COMPLETE, never deployed (its resources are deleted, or were never made): judged as not deployed yet\n"+
		"app-patching: not deployed yet in account 111111111111\n", output)
	files, err := filepath.Glob(filepath.Join(deployed, "*.json"))
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join(deployed, "app-fleet.json"), filepath.Join(deployed, "app-fleet.policy.json")}, files, "only the deployed stack's template is judged")
}
