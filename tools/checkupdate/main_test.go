package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/cfnupdate"
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
	require.NoError(t, run(&out, assembly(t, "ami-1"), "", "", specPath))
	assert.Equal(t, "app-fleet eu-west-1\n", out.String())
}

func TestAcceptsANewStackAndAnUnchangedOne(t *testing.T) {
	synthesised := assembly(t, "ami-1")
	deployed := t.TempDir()
	var out bytes.Buffer
	require.NoError(t, run(&out, "", deployed, synthesised, specPath), "nothing deployed yet")
	data, err := os.ReadFile(filepath.Join(synthesised, "Fleet.template.json"))
	require.NoError(t, err)
	write(t, filepath.Join(deployed, "app-fleet.json"), string(data))
	require.NoError(t, run(&out, "", deployed, synthesised, specPath))
	assert.Contains(t, out.String(), "1 deployed stack(s) of 1 update without replacing data")
}

func TestRefusesAnUpdateThatReplacesAnInstance(t *testing.T) {
	deployed := t.TempDir()
	write(t, filepath.Join(deployed, "app-fleet.json"), `{"Resources": {"Server": {"Type": "AWS::EC2::Instance", "Properties": {"ImageId": "ami-1"}}}}`)
	var out bytes.Buffer
	err := run(&out, "", deployed, assembly(t, "ami-2"), specPath)
	assert.ErrorIs(t, err, errProblems)
	assert.Contains(t, out.String(), `app-fleet/Server (AWS::EC2::Instance) is replaced: ImageId changes from "ami-1" to "ami-2"`)
}

func TestReadsTheStacksOfEveryStage(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "manifest.json"), `{"artifacts": {"assembly-prod": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-prod"}}}}`)
	nested := assembly(t, "ami-1")
	require.NoError(t, os.Rename(nested, filepath.Join(dir, "assembly-prod")))
	var out bytes.Buffer
	require.NoError(t, run(&out, dir, "", "", specPath))
	assert.Equal(t, "app-fleet eu-west-1\n", out.String())
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
		data, err := os.ReadFile(filepath.Join("..", "..", "s3drift", "testdata", fixture))
		require.NoError(t, err)
		write(t, filepath.Join(dir, file), string(data))
	}
	return dir
}

func TestListsOnlyTheNetworkStacksForTheS3PrefixListCheck(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, listNetworkStacks(&out, networkAssembly(t)))
	assert.Equal(t, "privatepatch-network us-west-2\n", out.String())
}

func TestS3PrefixListInSyncWithAwsPasses(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, checkPrefixLists(&out, livePrefixLists(t, "id-us-west-2.txt", "entries-in-sync.json"), networkAssembly(t)))
	assert.Contains(t, out.String(), "the S3 prefix list of 1 network stack(s) matches AWS's")
}

func TestDriftedS3PrefixListIsRefusedNamingTheFix(t *testing.T) {
	var out bytes.Buffer
	err := checkPrefixLists(&out, livePrefixLists(t, "id-us-west-2.txt", "entries-drifted.json"), networkAssembly(t))
	assert.ErrorIs(t, err, errProblems)
	assert.ErrorContains(t, err, "the S3 prefix list has drifted")
	assert.Contains(t, out.String(), "privatepatch-network (us-west-2): the private network ACL's S3 rules lack 198.51.100.0/24")
	assert.Contains(t, out.String(), "Set network.s3PrefixListCidrs.us-west-2: [")
}

func TestUnreadLiveS3PrefixListIsAnError(t *testing.T) {
	var out bytes.Buffer
	err := checkPrefixLists(&out, t.TempDir(), networkAssembly(t))
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
	standard = `"Standard": {"Type": "AWS::SecurityHub::Standard", "Properties": {}}`
)

func TestNamesWhatTheUpdateNeedsOfTheAccount(t *testing.T) {
	for _, c := range []struct {
		name, deployed, synthesised, want string
	}{
		{"nothing", "", `"Other": {"Type": "AWS::SNS::Topic"}`, ""},
		{"config rules need a recorder", "", rule, "app-patching eu-west-1 config-recorder\n"},
		{"a new hub needs an account without one", "", hub + "," + standard, "app-patching eu-west-1 no-security-hub\n"},
		{"the stack's own hub is no problem", hub, hub + "," + standard, ""},
		{"standards without a hub need the account's", "", standard + "," + rule,
			"app-patching eu-west-1 config-recorder\napp-patching eu-west-1 security-hub\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			deployed := t.TempDir()
			if c.deployed != "" {
				write(t, filepath.Join(deployed, "app-patching.json"), `{"Resources": {`+c.deployed+`}}`)
			}
			var out bytes.Buffer
			require.NoError(t, prerequisites(&out, deployed, securityAssembly(t, c.synthesised)))
			assert.Equal(t, c.want, out.String())
		})
	}
}

func TestWritesAStackPolicyPerStackForMakeDeploy(t *testing.T) {
	dir := assembly(t, "ami-1")
	write(t, filepath.Join(dir, "Fleet.template.json"), `{"Resources": {"Server": {"Type": "AWS::EC2::Instance"}, "Store": {"Type": "AWS::EC2::Volume"}}}`)
	policies := filepath.Join(t.TempDir(), "policies")
	var out bytes.Buffer
	require.NoError(t, writeStackPolicies(&out, dir, policies))
	assert.Equal(t, "app-fleet eu-west-1\n", out.String())
	body, err := os.ReadFile(filepath.Join(policies, "app-fleet.json"))
	require.NoError(t, err)
	assert.JSONEq(t, `{"Statement": [
		{"Effect": "Deny", "Action": ["Update:Replace", "Update:Delete"], "Principal": "*", "Resource": "*",
		 "Condition": {"StringEquals": {"ResourceType": ["AWS::EC2::Volume"]}}},
		{"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"}]}`, string(body))
	assert.Error(t, writeStackPolicies(&out, dir, ""), "no -out")
}
