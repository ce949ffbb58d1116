package cfnupdate

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// spec is a small stand-in for the service spec, with the real replacing properties of the
// types these tests use.
var spec = Spec{
	"AWS::EC2::Instance":         {"ImageId", "SubnetId"},
	"AWS::EC2::Volume":           {"AvailabilityZone"},
	"AWS::EC2::VolumeAttachment": {"Device", "InstanceId", "VolumeId"},
	"AWS::EC2::NetworkAclEntry":  {"Egress", "NetworkAclId", "RuleNumber"},
	"AWS::Logs::LogGroup":        {"LogGroupName"},
	"AWS::S3::Bucket":            {"BucketName"},
}

// deployment parses one stack's resources, written as JSON.
func deployment(t *testing.T, stack, resources string) Deployment {
	var r map[string]any
	require.NoError(t, json.Unmarshal([]byte(resources), &r))
	return Deployment{stack: {"Resources": r}}
}

func problems(res Result) string {
	var out []string
	for _, p := range res.Problems {
		out = append(out, p.String())
	}
	return strings.Join(out, "\n")
}

const wsus = `{
  "Server": {"Type": "AWS::EC2::Instance", "Properties": {"ImageId": "%s"}},
  "Store": {"Type": "AWS::EC2::Volume", "DeletionPolicy": "Retain", "Properties": {"AvailabilityZone": "us-west-2a", "Size": 200}},
  "Attach": {"Type": "AWS::EC2::VolumeAttachment", "Properties": {"InstanceId": {"Ref": "Server"}, "VolumeId": {"Ref": "Store"}, "Device": "xvdf"}}
}`

func TestNewImageReplacesTheServerAndCannotReattachItsVolumeInOneUpdate(t *testing.T) {
	before := deployment(t, "fleet", strings.Replace(wsus, "%s", "ami-1", 1))
	after := deployment(t, "fleet", strings.Replace(wsus, "%s", "ami-2", 1))
	got := problems(Check(spec, before, after, Options{}))
	assert.Contains(t, got, `fleet/Server (AWS::EC2::Instance) is replaced: ImageId changes from "ami-1" to "ami-2"`)
	assert.Contains(t, got, `fleet/Attach (AWS::EC2::VolumeAttachment) is created with ["AWS::EC2::VolumeAttachment",{"Ref":"Store"}], which fleet/Attach still holds`,
		"the replacement attachment cascades from the server and needs the volume the old one holds")
	assert.Contains(t, got, "wsus.attachUpdateStore: false", "names the manual step")
	assert.NotContains(t, got, "fleet/Store", "the volume itself stays")
}

func TestInPlaceChangesAreNoProblem(t *testing.T) {
	before := deployment(t, "s", `{"Entry": {"Type": "AWS::EC2::NetworkAclEntry", "Properties": {"NetworkAclId": "acl", "Egress": true, "RuleNumber": 300, "CidrBlock": "1.0.0.0/8"}}}`)
	after := deployment(t, "s", `{"Entry": {"Type": "AWS::EC2::NetworkAclEntry", "Properties": {"NetworkAclId": "acl", "Egress": true, "RuleNumber": 300, "CidrBlock": "2.0.0.0/8"}}}`)
	assert.Empty(t, Check(spec, before, after, Options{}).Problems)
}

func TestANewRuleCannotTakeTheNumberAnOldOneStillHolds(t *testing.T) {
	before := deployment(t, "s", `{"A": {"Type": "AWS::EC2::NetworkAclEntry", "Properties": {"NetworkAclId": "acl", "Egress": true, "RuleNumber": 300}}}`)
	after := deployment(t, "s", `{"B": {"Type": "AWS::EC2::NetworkAclEntry", "Properties": {"NetworkAclId": "acl", "Egress": true, "RuleNumber": 300}}}`)
	assert.Contains(t, problems(Check(spec, before, after, Options{})), "s/B (AWS::EC2::NetworkAclEntry) is created with")
}

func TestAFixedNameResourceCannotBeReplaced(t *testing.T) {
	before := deployment(t, "s", `{"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "b", "ObjectLockEnabled": false}}}`)
	spec := Spec{"AWS::S3::Bucket": {"BucketName", "ObjectLockEnabled"}}
	after := deployment(t, "s", `{"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "b", "ObjectLockEnabled": true}}}`)
	got := problems(Check(spec, before, after, Options{}))
	assert.Contains(t, got, "s/B (AWS::S3::Bucket) is replaced: ObjectLockEnabled changes from false to true")
	assert.Contains(t, got, `s/B (AWS::S3::Bucket) is created with ["AWS::S3::Bucket","b"], which s/B still holds`)
}

func TestARetainedGroupLeftBehindClashesWhenItsNameComesBack(t *testing.T) {
	on := deployment(t, "s", `{"Logs": {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain", "Properties": {"LogGroupName": "/x"}}}`)
	off := deployment(t, "s", `{}`)
	first := Check(spec, on, off, Options{})
	assert.Empty(t, first.Problems, "turning it off keeps the group")
	assert.Equal(t, map[string]string{`["AWS::Logs::LogGroup","/x"]`: "the retained s/Logs"}, first.Orphans)
	assert.Contains(t, problems(Check(spec, off, on, Options{Orphans: first.Orphans})), "which the retained s/Logs still holds")
}

func TestDeletingAStatefulResourceIsAProblemUnlessRemovalsAreIntended(t *testing.T) {
	before := deployment(t, "s", `{"Server": {"Type": "AWS::EC2::Instance", "Properties": {"ImageId": "ami-1"}}}`)
	after := deployment(t, "s", `{}`)
	assert.Contains(t, problems(Check(spec, before, after, Options{})), "s/Server (AWS::EC2::Instance) is deleted with its data")
	assert.Empty(t, Check(spec, before, after, Options{AllowRemovals: true}).Problems)
}

func TestReplacementsFollowCrossStackOutputs(t *testing.T) {
	network := func(cidr string) map[string]any {
		return map[string]any{
			"Resources": map[string]any{"Subnet": map[string]any{"Type": "AWS::EC2::Subnet", "Properties": map[string]any{"CidrBlock": cidr}}},
			"Outputs":   map[string]any{"SubnetOut": map[string]any{"Value": map[string]any{"Ref": "Subnet"}}},
		}
	}
	fleet := deployment(t, "fleet", `{"Server": {"Type": "AWS::EC2::Instance", "Properties": {"SubnetId": {"Fn::GetStackOutput": {"StackName": "network", "OutputName": "SubnetOut"}}}}}`)["fleet"]
	spec := Spec{"AWS::EC2::Subnet": {"CidrBlock"}, "AWS::EC2::Instance": {"SubnetId"}}
	got := problems(Check(spec, Deployment{"network": network("10.0.2.0/24"), "fleet": fleet}, Deployment{"network": network("10.0.3.0/24"), "fleet": fleet}, Options{}))
	assert.Contains(t, got, "fleet/Server (AWS::EC2::Instance) is replaced: SubnetId refers to network/Subnet, which is replaced")
	assert.Contains(t, got, "fleet/Server (AWS::EC2::Instance) reads network/Subnet through Fn::GetStackOutput, and network/Subnet is replaced",
		"the weak reference is not re-read: the fleet stack's template is unchanged")
}

func TestAWeakReferenceToAReplacedResourceIsStaleAndOneToAKeptOneIsNot(t *testing.T) {
	producer := func(image string) map[string]any {
		return map[string]any{
			"Resources": map[string]any{"Server": map[string]any{"Type": "AWS::EC2::Instance", "Properties": map[string]any{"ImageId": image}}},
			"Outputs":   map[string]any{"ServerOut": map[string]any{"Value": map[string]any{"Ref": "Server"}}},
		}
	}
	consumer := deployment(t, "watch", `{"Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"Dimensions": [{"Name": "InstanceId", "Value": {"Fn::GetStackOutput": {"StackName": "fleet", "OutputName": "ServerOut"}}}]}}}`)["watch"]
	spec := Spec{"AWS::EC2::Instance": {"ImageId"}}
	stale := problems(Check(spec, Deployment{"fleet": producer("ami-1"), "watch": consumer}, Deployment{"fleet": producer("ami-2"), "watch": consumer}, Options{}))
	assert.Contains(t, stale, "watch/Alarm (AWS::CloudWatch::Alarm) reads fleet/Server through Fn::GetStackOutput, and fleet/Server is replaced (ImageId changes from \"ami-1\" to \"ami-2\"): the reference keeps its old value")
	kept := problems(Check(spec, Deployment{"fleet": producer("ami-1"), "watch": consumer}, Deployment{"fleet": producer("ami-1"), "watch": consumer}, Options{}))
	assert.Empty(t, kept)
}

func TestLoadSpecReadsTheReplacingPropertiesOfThePinnedServiceSpec(t *testing.T) {
	spec, err := LoadSpec(SpecPath("../.."))
	require.NoError(t, err)
	assert.Equal(t, []string{"Egress", "NetworkAclId", "RuleNumber"}, spec["AWS::EC2::NetworkAclEntry"])
	assert.Contains(t, spec["AWS::EC2::Instance"], "ImageId")
	assert.Contains(t, spec["AWS::EC2::Volume"], "AvailabilityZone", "added: a volume cannot move zones")
	_, err = LoadSpec("nowhere.json.gz")
	assert.ErrorContains(t, err, "run make setup")
}

func TestDeletingWhatAnotherStackStillReadsIsAProblemUnlessItIsRetained(t *testing.T) {
	network := func(policy string) map[string]any {
		return map[string]any{
			"Resources": map[string]any{"Group": map[string]any{"Type": "AWS::EC2::SecurityGroup", "DeletionPolicy": policy}},
			"Outputs":   map[string]any{"GroupOut": map[string]any{"Value": map[string]any{"Ref": "Group"}}},
		}
	}
	reader := deployment(t, "fleet", `{"Server": {"Type": "AWS::EC2::Instance", "Properties": {"SecurityGroupIds": [{"Fn::GetStackOutput": {"StackName": "network", "OutputName": "GroupOut"}}]}}}`)["fleet"]
	after := Deployment{"network": map[string]any{"Resources": map[string]any{}}, "fleet": map[string]any{"Resources": map[string]any{}}}
	got := problems(Check(Spec{}, Deployment{"network": network("Delete"), "fleet": reader}, after, Options{AllowRemovals: true}))
	assert.Contains(t, got, "fleet/Server (AWS::EC2::Instance) reads network/Group through Fn::GetStackOutput, which the update of network deletes before fleet is updated")
	assert.Empty(t, Check(Spec{}, Deployment{"network": network("Retain"), "fleet": reader}, after, Options{AllowRemovals: true}).Problems, "a retained resource stays")
}

// An event rule's pattern names what it matches: a deleted association's id in it matches
// nothing until the rule's stack is updated, and no call fails. The same read from a rule's
// target is a use, and stays a problem.
func TestDeletingWhatAnEventPatternMatchesIsNoProblem(t *testing.T) {
	fleet := map[string]any{
		"Resources": map[string]any{"Association": map[string]any{"Type": "AWS::SSM::Association"}},
		"Outputs":   map[string]any{"AssociationOut": map[string]any{"Value": map[string]any{"Ref": "Association"}}},
	}
	read := `{"Fn::GetStackOutput": {"StackName": "fleet", "OutputName": "AssociationOut"}}`
	after := Deployment{"fleet": map[string]any{"Resources": map[string]any{}}, "patching": map[string]any{"Resources": map[string]any{}}}
	pattern := deployment(t, "patching", `{"Rule": {"Type": "AWS::Events::Rule", "Properties": {"EventPattern": {"detail": {"association-id": [`+read+`]}}}}}`)["patching"]
	assert.Empty(t, Check(Spec{}, Deployment{"fleet": fleet, "patching": pattern}, after, Options{AllowRemovals: true}).Problems)
	target := deployment(t, "patching", `{"Rule": {"Type": "AWS::Events::Rule", "Properties": {"Targets": [{"Id": "T", "Arn": `+read+`}]}}}`)["patching"]
	assert.Contains(t, problems(Check(Spec{}, Deployment{"fleet": fleet, "patching": target}, after, Options{AllowRemovals: true})),
		"patching/Rule (AWS::Events::Rule) reads fleet/Association through Fn::GetStackOutput, which the update of fleet deletes before patching is updated",
		"planted: a target is used, not matched")
}

// oldStackPolicy is the policy make deploy set before 0.x: Update:Delete denied for every
// protected type, retained or not.
var oldStackPolicy = []PolicyStatement{
	{Effect: "Deny", Action: []any{"Update:Replace", "Update:Delete"}, Principal: "*", Resource: "*",
		Condition: map[string]any{"StringEquals": map[string]any{"ResourceType": []any{"AWS::Logs::LogGroup", "AWS::S3::Bucket", "AWS::SNS::Topic"}}}},
	{Effect: "Allow", Action: "Update:*", Principal: "*", Resource: "*"},
}

// Turning off flow logs removes a retained log group and bucket: check-update approves it
// (retained, so orphaned), and the stack policy in place must allow it, or name its refusal.
func TestRemovingRetainedDataIsAllowedByTheStackPolicyMakeDeploySets(t *testing.T) {
	const on = `{"FlowLogs": {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain", "Properties": {}},
		"FlowLogBucket": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain", "Properties": {}},
		"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {}}}`
	const off = `{"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {}}}`
	before, after := deployment(t, "net", on), deployment(t, "net", off)

	policies := map[string][]PolicyStatement{"net": StackPolicy(before["net"])}
	res := Check(spec, before, after, Options{StackPolicies: policies})
	assert.Empty(t, problems(res), "this version's policy allows removing retained data")
	assert.Len(t, res.Orphans, 0, "no fixed names here: nothing held")

	// Planted failure: the earlier policy (Update:Delete of every protected type) is named.
	res = Check(spec, before, after, Options{StackPolicies: map[string][]PolicyStatement{"net": oldStackPolicy}})
	text := problems(res)
	assert.Contains(t, text, "net/FlowLogs (AWS::Logs::LogGroup) would be refused by CloudFormation half-way: the stack policy set on net denies Update:Delete of it")
	assert.Contains(t, text, "net/FlowLogBucket (AWS::S3::Bucket)")
	assert.Contains(t, text, "make stack-policies", "names the way out")
	// Without a policy in place nothing is refused.
	assert.Empty(t, problems(Check(spec, before, after, Options{})))
}

func TestRemovingUnretainedDataIsRefusedOnceNamingTheWayOut(t *testing.T) {
	before := deployment(t, "patching", `{"Topic": {"Type": "AWS::SNS::Topic", "Properties": {}}}`)
	after := deployment(t, "patching", `{}`)
	policies := map[string][]PolicyStatement{"patching": StackPolicy(before["patching"])}
	res := Check(spec, before, after, Options{StackPolicies: policies, AllowRemovals: true})
	require.Len(t, res.Problems, 1)
	assert.Contains(t, res.Problems[0].String(), "denies Update:Delete of it; to replace or delete it on purpose, lift the stack policy for this deploy")
	// Replacing a retained bucket is still denied (and refused once, as a replacement).
	before = deployment(t, "fleet", `{"B": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain", "Properties": {"BucketName": "a"}}}`)
	after = deployment(t, "fleet", `{"B": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain", "Properties": {"BucketName": "b"}}}`)
	res = Check(spec, before, after, Options{StackPolicies: map[string][]PolicyStatement{"fleet": StackPolicy(before["fleet"])}})
	require.Len(t, res.Problems, 1, problems(res))
	assert.Contains(t, res.Problems[0].String(), "is replaced")
}

// A changed launch template gets a new version, so an instance that names its
// LatestVersionNumber is replaced although its own template text is the same (aws-cdk issues
// 32886 and 38069: the version bump replaces the instance).
func TestAChangedLaunchTemplateReplacesTheInstanceThatNamesItsLatestVersion(t *testing.T) {
	const fleet = `{
  "Template": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {"MetadataOptions": {%s}}}},
  "Server": {"Type": "AWS::EC2::Instance", "Properties": {"ImageId": "ami-1",
    "LaunchTemplate": {"LaunchTemplateName": "t", "Version": {"Fn::GetAtt": ["Template", "LatestVersionNumber"]}}}}
}`
	withLaunchTemplate := Spec{"AWS::EC2::Instance": {"ImageId", "LaunchTemplate"}}
	before := deployment(t, "fleet", strings.Replace(fleet, "%s", `"HttpTokens": "required"`, 1))
	after := deployment(t, "fleet", strings.Replace(fleet, "%s", `"HttpTokens": "required", "InstanceMetadataTags": "disabled"`, 1))
	assert.Contains(t, problems(Check(withLaunchTemplate, before, after, Options{})),
		"fleet/Server (AWS::EC2::Instance) is replaced: LaunchTemplate names the LatestVersionNumber of fleet/Template, which changes")
	assert.Empty(t, Check(withLaunchTemplate, before, before, Options{}).Problems, "an unchanged template keeps its version")
}

// A type is recorded when a recorder that is recording takes it in: all supported types, an
// inclusion list naming it, or an exclusion list not naming it. A stopped recorder and a
// service-linked one do not count.
func TestUnrecordedTypesAreThoseNoRecordingRecorderTakesIn(t *testing.T) {
	types := []string{"AWS::EC2::Instance", "AWS::SSM::PatchCompliance"}
	recording := `{"ConfigurationRecordersStatus": [{"name": "r", "recording": true}, {"name": "stopped", "recording": false}, {"name": "AWSConfigurationRecorderForX", "recording": true}]}`
	for _, c := range []struct {
		name, recorders string
		want            []string
	}{
		{"all supported", `{"ConfigurationRecorders": [{"name": "r", "recordingGroup": {"allSupported": true, "recordingStrategy": {"useOnly": "ALL_SUPPORTED_RESOURCE_TYPES"}}}]}`, nil},
		{"an inclusion list without one", `{"ConfigurationRecorders": [{"name": "r", "recordingGroup": {"resourceTypes": ["AWS::EC2::Instance"], "recordingStrategy": {"useOnly": "INCLUSION_BY_RESOURCE_TYPES"}}}]}`,
			[]string{"AWS::SSM::PatchCompliance"}},
		{"an exclusion list naming one", `{"ConfigurationRecorders": [{"name": "r", "recordingGroup": {"exclusionByResourceTypes": {"resourceTypes": ["AWS::EC2::Instance"]}, "recordingStrategy": {"useOnly": "EXCLUSION_BY_RESOURCE_TYPES"}}}]}`,
			[]string{"AWS::EC2::Instance"}},
		{"only a stopped recorder records them", `{"ConfigurationRecorders": [{"name": "stopped", "recordingGroup": {"allSupported": true}}]}`, types},
		{"only a service-linked recorder records them", `{"ConfigurationRecorders": [{"name": "AWSConfigurationRecorderForX", "servicePrincipal": "x.amazonaws.com", "recordingGroup": {"allSupported": true}}]}`, types},
		{"two recorders between them", `{"ConfigurationRecorders": [{"name": "r", "recordingGroup": {"resourceTypes": ["AWS::EC2::Instance"]}}, ` +
			`{"name": "AWSConfigurationRecorderForX", "servicePrincipal": "x.amazonaws.com", "recordingGroup": {"resourceTypes": ["AWS::SSM::PatchCompliance"]}}]}`,
			[]string{"AWS::SSM::PatchCompliance"}},
	} {
		got, err := UnrecordedTypes([]byte(c.recorders), []byte(recording), types)
		require.NoError(t, err, c.name)
		assert.Equal(t, c.want, got, c.name)
	}
	_, err := UnrecordedTypes([]byte("An error occurred"), []byte(recording), types)
	assert.ErrorContains(t, err, "describe-configuration-recorders")
}

// Run 24's review, 10a: switching to wsus.publicAddress: external drops the server's Elastic IP.
func TestRemovingTheServersElasticIpIsNamedUnlessItIsRetained(t *testing.T) {
	const eip = `"Eip": {"Type": "AWS::EC2::EIP", %s"Properties": {"Domain": "vpc", "InstanceId": {"Ref": "Server"}}}`
	after := deployment(t, "s", `{}`)
	kept := deployment(t, "s", "{"+fmt.Sprintf(eip, `"DeletionPolicy": "RetainExceptOnCreate", `)+"}")
	assert.Empty(t, Check(spec, kept, after, Options{}).Problems, "retained: the address stays allocated")
	// The fourth review's B2: wsus.enabled: false removes the server too, which leaves the retained
	// address idle and billed: a note; with the server kept (external) it stays associated: none.
	assert.Equal(t, []string{"s/Eip (AWS::EC2::EIP) is kept, and billed, with no server to be associated with: release it with aws ec2 release-address if no firewall needs it"},
		Check(spec, kept, after, Options{}).Notes)
	server := `"Server": {"Type": "AWS::EC2::Instance", "Properties": {}}`
	withServer := deployment(t, "s", "{"+fmt.Sprintf(eip, `"DeletionPolicy": "RetainExceptOnCreate", `)+", "+server+"}")
	assert.Empty(t, Check(spec, withServer, deployment(t, "s", "{"+server+"}"), Options{}).Notes, "external: the server keeps its address")

	// Planted failure: the release before this version, without a DeletionPolicy, releases the address.
	released := deployment(t, "s", "{"+fmt.Sprintf(eip, "")+"}")
	got := problems(Check(spec, released, after, Options{}))
	assert.Contains(t, got, "s/Eip (AWS::EC2::EIP) is deleted with its data; deleting an Elastic IP releases its address")

	// A NAT gateway's address (no instance) goes with its gateway when natGateways shrinks.
	nat := deployment(t, "s", `{"NatEip": {"Type": "AWS::EC2::EIP", "Properties": {"Domain": "vpc"}}}`)
	assert.Empty(t, Check(spec, nat, after, Options{}).Problems)
}

// A fourth review: every Elastic IP shared one "unique key" (a hint's text pasted into it), so
// adding a NAT gateway's address, or the server's back beside one, was refused as a clash.
func TestAddingAnElasticIpBesideAnotherIsNoClash(t *testing.T) {
	before := deployment(t, "s", `{"NatEip1": {"Type": "AWS::EC2::EIP", "Properties": {"Domain": "vpc"}}}`)
	after := deployment(t, "s", `{"NatEip1": {"Type": "AWS::EC2::EIP", "Properties": {"Domain": "vpc"}},
		"NatEip2": {"Type": "AWS::EC2::EIP", "Properties": {"Domain": "vpc"}},
		"Eip": {"Type": "AWS::EC2::EIP", "Properties": {"Domain": "vpc", "InstanceId": {"Ref": "Server"}}}}`)
	assert.Empty(t, Check(spec, before, after, Options{}).Problems)
}

func TestReplacingTheServersElasticIpIsNamed(t *testing.T) {
	spec := Spec{"AWS::EC2::EIP": {"Domain"}}
	before := deployment(t, "s", `{"Eip": {"Type": "AWS::EC2::EIP", "Properties": {"Domain": "vpc", "InstanceId": "i-1"}}}`)
	after := deployment(t, "s", `{"Eip": {"Type": "AWS::EC2::EIP", "Properties": {"Domain": "standard", "InstanceId": "i-1"}}}`)
	assert.Contains(t, problems(Check(spec, before, after, Options{})), "s/Eip (AWS::EC2::EIP) is replaced: Domain changes")
}
