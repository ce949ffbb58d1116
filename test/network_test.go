package test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/stacks"
)

// subnets returns the logical ids and CIDRs of the subnets CDK tagged with the given type
// (Public, Private or Isolated).
func (s *scenario) subnets(subnetType string) map[string]string {
	found := map[string]string{}
	for id, subnet := range s.resources("AWS::EC2::Subnet") {
		for _, tag := range props(subnet)["Tags"].([]any) {
			tag := tag.(map[string]any)
			if tag["Key"] == "aws-cdk:subnet-type" && tag["Value"] == subnetType {
				found[id] = props(subnet)["CidrBlock"].(string)
			}
		}
	}
	return found
}

func (s *scenario) privateSubnets(t *testing.T) map[string]string {
	isolated, withEgress := s.subnets("Isolated"), s.subnets("Private")
	require.True(t, len(isolated) == 0 || len(withEgress) == 0, "private subnets are all of one type")
	if len(isolated) > 0 {
		return isolated
	}
	return withEgress
}

func (s *scenario) logicalID(t *testing.T, resourceType, prefix string) string {
	id, _ := oneOf(t, s.template, resourceType, prefix)
	return id
}

func refs(values []any) []string {
	var ids []string
	for _, v := range values {
		ids = append(ids, v.(map[string]any)["Ref"].(string))
	}
	sort.Strings(ids)
	return ids
}

func keys(m map[string]string) []string {
	var ids []string
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func values(m map[string]string) []string {
	var v []string
	for _, id := range keys(m) {
		v = append(v, m[id])
	}
	return v
}

func TestVpcHasConfiguredCidrDnsAndOnePublicAndPrivateSubnetPerAz(t *testing.T) {
	for _, tc := range []struct {
		s    *scenario
		cidr string
	}{{defaultScenario, "10.0.0.0/16"}, {exampleScenario, "10.20.0.0/16"}} {
		s := tc.s.synth(t)
		s.network.HasResourceProperties(jsii.String("AWS::EC2::VPC"), map[string]any{
			"CidrBlock": tc.cidr, "EnableDnsHostnames": true, "EnableDnsSupport": true,
		})
		public, private := s.subnets("Public"), s.privateSubnets(t)
		assert.Len(t, public, 2, tc.s.name)
		assert.Len(t, private, 2, tc.s.name)
		for id, subnet := range s.resources("AWS::EC2::Subnet") {
			assert.Equal(t, false, props(subnet)["MapPublicIpOnLaunch"], "%s %s must not auto-assign public IPs (CT.EC2.PR.11)", tc.s.name, id)
			assert.True(t, strings.HasPrefix(props(subnet)["CidrBlock"].(string), strings.TrimSuffix(tc.cidr, "0.0/16")), id)
		}
	}
}

func TestWithoutNatPrivateSubnetsHaveNoInternetRoute(t *testing.T) {
	s := defaultScenario.synth(t)
	s.network.ResourceCountIs(jsii.String("AWS::EC2::NatGateway"), jsii.Number(0))
	assert.Empty(t, s.subnets("Private"), "private subnets are isolated")
	for id, route := range s.resources("AWS::EC2::Route") {
		if props(route)["DestinationCidrBlock"] == "0.0.0.0/0" {
			assert.Contains(t, props(route), "GatewayId", "only public route tables reach the internet gateway: %s", id)
			assert.True(t, strings.Contains(id, "PublicSubnet"), "default route %s belongs to a public subnet", id)
		}
	}
}

func TestNatGatewaysArePerAzOrSingleAsConfigured(t *testing.T) {
	for _, tc := range []struct {
		s    *scenario
		nats int
	}{{natScenario, 2}, {natSingle, 1}} {
		s := tc.s.synth(t)
		s.network.ResourceCountIs(jsii.String("AWS::EC2::NatGateway"), jsii.Number(tc.nats))
		natRoutes := 0
		for _, route := range s.resources("AWS::EC2::Route") {
			if _, ok := props(route)["NatGatewayId"]; ok {
				assert.Equal(t, "0.0.0.0/0", props(route)["DestinationCidrBlock"])
				natRoutes++
			}
		}
		assert.Equal(t, 2, natRoutes, "%s: each private subnet routes to a NAT gateway", tc.s.name)
		assert.Len(t, s.subnets("Private"), 2)
	}
}

func TestSystemsManagerInterfaceEndpointsUsePrivateDnsInPrivateSubnets(t *testing.T) {
	s := defaultScenario.synth(t)
	endpointSG := s.logicalID(t, "AWS::EC2::SecurityGroup", "NetworkEndpointSecurityGroup")
	private := keys(s.privateSubnets(t))
	services := map[string]bool{}
	for id, ep := range s.resources("AWS::EC2::VPCEndpoint") {
		p := props(ep)
		if p["VpcEndpointType"] != "Interface" {
			continue
		}
		services[p["ServiceName"].(string)] = true
		assert.Equal(t, true, p["PrivateDnsEnabled"], id)
		assert.Equal(t, private, refs(p["SubnetIds"].([]any)), "%s sits in the private subnets", id)
		assert.Equal(t, []any{map[string]any{"Fn::GetAtt": []any{endpointSG, "GroupId"}}}, p["SecurityGroupIds"], id)
	}
	assert.Equal(t, map[string]bool{
		"com.amazonaws.us-west-2.ssm": true, "com.amazonaws.us-west-2.ec2messages": true,
		"com.amazonaws.us-west-2.ec2": true, "com.amazonaws.us-west-2.ssmmessages": true,
	}, services)
}

func TestExtraInterfaceEndpointsComeFromConfiguration(t *testing.T) {
	s := exampleScenario.synth(t)
	for _, service := range []string{"logs", "kms"} {
		s.network.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpoint"), map[string]any{
			"ServiceName": "com.amazonaws.us-west-2." + service, "PrivateDnsEnabled": true, "VpcEndpointType": "Interface",
		})
	}
	s.network.ResourceCountIs(jsii.String("AWS::EC2::VPCEndpoint"), jsii.Number(7)) // 4 + 2 + S3
}

func TestEndpointSecurityGroupAdmitsOnlyHttpsFromTheVpc(t *testing.T) {
	s := defaultScenario.synth(t)
	sg := props(s.resources("AWS::EC2::SecurityGroup")[s.logicalID(t, "AWS::EC2::SecurityGroup", "NetworkEndpointSecurityGroup")])
	assert.Equal(t, []any{map[string]any{
		"CidrIp": "10.0.0.0/16", "Description": "HTTPS from the VPC to the interface endpoints",
		"FromPort": float64(443), "IpProtocol": "tcp", "ToPort": float64(443),
	}}, sg["SecurityGroupIngress"])
	// CDK's placeholder rule when a group may send nothing: no real egress.
	require.Len(t, sg["SecurityGroupEgress"], 1)
	assert.Equal(t, "255.255.255.255/32", sg["SecurityGroupEgress"].([]any)[0].(map[string]any)["CidrIp"])
}

func TestS3GatewayEndpointOnPrivateRouteTablesAllowsOnlySystemsManagerAndListedBuckets(t *testing.T) {
	s := exampleScenario.synth(t)
	var endpoint map[string]any
	for _, ep := range s.resources("AWS::EC2::VPCEndpoint") {
		if props(ep)["VpcEndpointType"] == "Gateway" {
			endpoint = props(ep)
		}
	}
	require.NotNil(t, endpoint)
	assert.Contains(t, fmt.Sprint(endpoint["ServiceName"]), ".s3")
	var privateTables []string
	for id := range s.resources("AWS::EC2::RouteTable") {
		if strings.Contains(id, "PrivateSubnet") {
			privateTables = append(privateTables, id)
		}
	}
	sort.Strings(privateTables)
	assert.Equal(t, privateTables, refs(endpoint["RouteTableIds"].([]any)))

	statements := endpoint["PolicyDocument"].(map[string]any)["Statement"].([]any)
	require.Len(t, statements, 3)
	read := statements[0].(map[string]any)
	assert.Equal(t, "s3:GetObject", read["Action"])
	var readArns []string
	var outputReads []any
	for _, r := range read["Resource"].([]any) {
		if arn, ok := r.(string); ok {
			readArns = append(readArns, arn)
		} else {
			outputReads = append(outputReads, r) // the command-output bucket's, named with the account
		}
	}
	var readBuckets []string
	for _, arn := range readArns {
		readBuckets = append(readBuckets, strings.TrimSuffix(strings.TrimPrefix(arn, "arn:aws:s3:::"), "/*"))
	}
	// The buckets "SSM Agent communications with AWS managed S3 buckets" and "Reference: Amazon S3
	// buckets for patching operations" name for us-west-2 (AWS-RunPatchBaseline downloads its
	// payload from aws-patch-manager-...), Amazon Inspector's OVAL definitions ("Scanning Windows
	// EC2 instances with Amazon Inspector"), and the example's AL2023 repository bucket.
	assert.ElementsMatch(t, []string{"patch-baseline-snapshot-us-west-2", "aws-patch-manager-us-west-2-34d7f99f8",
		"aws-ssm-us-west-2", "aws-windows-downloads-us-west-2", "amazon-ssm-us-west-2", "amazon-ssm-packages-us-west-2",
		"us-west-2-birdwatcher-prod", "aws-ssm-distributor-file-us-west-2", "aws-ssm-document-attachments-us-west-2",
		"inspector2-oval-prod-us-west-2", "al2023-repos-us-west-2-de612dc2"}, readBuckets)
	write := statements[1].(map[string]any)
	commandOutput := func(suffix string) any {
		return map[string]any{"Fn::Join": []any{"", []any{"arn:aws:s3:::privatepatch-ssm-", map[string]any{"Ref": "AWS::AccountId"}, "-us-west-2" + suffix}}}
	}
	assert.ElementsMatch(t, []any{"arn:aws:s3:::example-patching-output", "arn:aws:s3:::example-patching-output/*"}, write["Resource"],
		"the configured bucket: read, write and list")
	assert.Contains(t, write["Action"], "s3:PutObject")
	// The command-output bucket: what SSM Agent does with it, and nothing else (make verify's
	// mutation test found reads, lists and ACLs there needed by no call).
	output := statements[2].(map[string]any)
	assert.ElementsMatch(t, []any{commandOutput(""), commandOutput("/*")}, output["Resource"])
	assert.ElementsMatch(t, []any{"s3:GetEncryptionConfiguration", "s3:PutObject"}, output["Action"])
	// Its one read: make patch-now's install override lists, which the nodes download.
	assert.Equal(t, []any{commandOutput("/patch-now/*")}, outputReads)
	for _, st := range statements {
		assert.NotContains(t, fmt.Sprint(st.(map[string]any)["Resource"]), "arn:aws:s3:::*", "nothing broader than named buckets")
	}
}

// securityGroupRules flattens inline and standalone rules of the group whose logical id starts
// with prefix into "direction proto from-to peer" strings.
func (s *scenario) securityGroupRules(t *testing.T, prefix string) []string {
	id := s.logicalID(t, "AWS::EC2::SecurityGroup", prefix)
	var rules []string
	describe := func(direction string, r map[string]any) string {
		peer := r["CidrIp"]
		if list, ok := r["DestinationPrefixListId"]; ok {
			peer = list
		}
		for _, k := range []string{"SourceSecurityGroupId", "DestinationSecurityGroupId"} {
			if ref, ok := r[k].(map[string]any); ok {
				peer = "sg:" + strings.TrimPrefix(ref["Fn::GetAtt"].([]any)[0].(string), "Network")
			}
		}
		return fmt.Sprintf("%s %v %v-%v %v", direction, r["IpProtocol"], r["FromPort"], r["ToPort"], peer)
	}
	group := props(s.resources("AWS::EC2::SecurityGroup")[id])
	for direction, key := range map[string]string{"in": "SecurityGroupIngress", "out": "SecurityGroupEgress"} {
		list, _ := group[key].([]any)
		for _, r := range list {
			rules = append(rules, describe(direction, r.(map[string]any)))
		}
	}
	for direction, resourceType := range map[string]string{"in": "AWS::EC2::SecurityGroupIngress", "out": "AWS::EC2::SecurityGroupEgress"} {
		for _, r := range s.resources(resourceType) {
			if fmt.Sprint(props(r)["GroupId"]) == fmt.Sprint(map[string]any{"Fn::GetAtt": []any{id, "GroupId"}}) {
				rules = append(rules, describe(direction, props(r)))
			}
		}
	}
	sort.Strings(rules)
	return rules
}

func trimHash(rules []string) []string {
	for i, r := range rules {
		if at := strings.Index(r, "sg:"); at >= 0 {
			rules[i] = r[:at+3] + strings.TrimRight(r[at+3:], "0123456789ABCDEF")
		}
	}
	return rules
}

func TestPublicSecurityGroupAdmitsWsusFromPrivateSubnetsAndRdpOnlyFromAdmins(t *testing.T) {
	s := defaultScenario.synth(t)
	private := values(s.privateSubnets(t))
	assert.Equal(t, []string{
		"in tcp 8530-8531 " + private[0], "in tcp 8530-8531 " + private[1],
		"out tcp 3389-3389 sg:PrivateSecurityGroup",
		"out tcp 443-443 0.0.0.0/0", "out tcp 80-80 0.0.0.0/0",
	}, trimHash(s.securityGroupRules(t, "NetworkPublicSecurityGroup")), "no RDP ingress without admin CIDRs")

	example := exampleScenario.synth(t)
	assert.Contains(t, example.securityGroupRules(t, "NetworkPublicSecurityGroup"), "in tcp 3389-3389 203.0.113.0/28")
}

func TestPrivateSecurityGroupReachesOnlyEndpointsS3AndWsus(t *testing.T) {
	s := defaultScenario.synth(t)
	// S3 by the region's managed prefix list, which follows AWS's changes, not by its CIDRs.
	assert.Equal(t, []string{
		"in tcp 3389-3389 sg:PublicSecurityGroup",
		"out tcp 443-443 pl-68a54001",
		"out tcp 443-443 sg:EndpointSecurityGroup",
		"out tcp 8530-8531 sg:PublicSecurityGroup",
	}, trimHash(s.securityGroupRules(t, "NetworkPrivateSecurityGroup")))
	assert.Contains(t, lookupScenario.synth(t).securityGroupRules(t, "NetworkPrivateSecurityGroup"), "out tcp 443-443 pl-6da54004",
		"the looked-up id")

	nat := natScenario.synth(t)
	rules := nat.securityGroupRules(t, "NetworkPrivateSecurityGroup")
	assert.Contains(t, rules, "out tcp 443-443 0.0.0.0/0", "with NAT, Microsoft Update is reached directly")
	assert.Contains(t, rules, "out tcp 80-80 0.0.0.0/0")
}

// A group created without inline egress rules gets CloudFormation's allow-all egress
// (AWS::EC2::SecurityGroup, CloudFormation Template Reference; read 2026-11-27): the private
// group's S3 rule is inline, so it never is.
func TestPrivateSecurityGroupIsCreatedWithItsS3RuleInline(t *testing.T) {
	for _, sc := range []*scenario{defaultScenario, natScenario, lookupScenario} {
		s := sc.synth(t)
		group := props(s.resources("AWS::EC2::SecurityGroup")[s.logicalID(t, "AWS::EC2::SecurityGroup", "NetworkPrivateSecurityGroup")])
		egress, _ := group["SecurityGroupEgress"].([]any)
		var lists []any
		for _, rule := range egress {
			if list, ok := rule.(map[string]any)["DestinationPrefixListId"]; ok {
				lists = append(lists, list)
			}
		}
		assert.Len(t, lists, 1, "%s: the S3 prefix-list rule is inline", sc.name)
		assert.NotContains(t, fmt.Sprint(egress), "192.0.2.0/32", "%s: the placeholder the rule is built on never reaches a template", sc.name)
	}
}

func TestNoSecurityGroupAdmitsTheInternet(t *testing.T) {
	for _, sc := range []*scenario{defaultScenario, exampleScenario, natScenario} {
		s := sc.synth(t)
		for _, prefix := range []string{"NetworkPublicSecurityGroup", "NetworkPrivateSecurityGroup", "NetworkEndpointSecurityGroup"} {
			for _, rule := range s.securityGroupRules(t, prefix) {
				assert.False(t, strings.HasPrefix(rule, "in ") && strings.HasSuffix(rule, "0.0.0.0/0"), "%s %s: %s", sc.name, prefix, rule)
			}
		}
	}
}

// aclEntries returns "egress|ingress number from-to cidr [deny]" for the ACL whose id starts
// with prefix.
func (s *scenario) aclEntries(t *testing.T, prefix string) []string {
	acl := s.logicalID(t, "AWS::EC2::NetworkAcl", prefix)
	var entries []string
	for _, e := range s.resources("AWS::EC2::NetworkAclEntry") {
		p := props(e)
		if p["NetworkAclId"].(map[string]any)["Ref"] != acl {
			continue
		}
		direction := "ingress"
		if p["Egress"] == true {
			direction = "egress"
		}
		assert.Equal(t, float64(6), p["Protocol"], "only TCP is opened")
		ports := p["PortRange"].(map[string]any)
		entry := fmt.Sprintf("%s %v %v-%v %v", direction, p["RuleNumber"], ports["From"], ports["To"], p["CidrBlock"])
		if p["RuleAction"] == "deny" {
			entry += " deny"
		}
		entries = append(entries, entry)
	}
	sort.Strings(entries)
	return entries
}

func TestPrivateAclAllowsHttpsToEachS3CidrWithItsReturnRule(t *testing.T) {
	for _, tc := range []struct {
		s     *scenario
		cidrs []string
	}{
		// Numbered in sorted order, whatever order they are listed or looked up in.
		{defaultScenario, []string{"18.34.244.0/22", "18.34.48.0/20", "3.5.76.0/22", "3.5.80.0/21", "52.218.128.0/17", "52.92.128.0/17"}},
		{lookupScenario, []string{lookedUpS3Cidrs[1], lookedUpS3Cidrs[0]}},
	} {
		entries := tc.s.synth(t).aclEntries(t, "NetworkPrivateAcl")
		for i, cidr := range tc.cidrs {
			assert.Contains(t, entries, fmt.Sprintf("egress %d 443-443 %s", 300+i, cidr), tc.s.name)
			assert.Contains(t, entries, fmt.Sprintf("ingress %d 1024-65535 %s", 1100+i, cidr), tc.s.name)
		}
	}
}

func TestNetworkAclsHaveExactlyTheRulesOfTheArchitecture(t *testing.T) {
	s := defaultScenario.synth(t)
	public, private := values(s.subnets("Public")), values(s.privateSubnets(t))
	denials := []string{"ingress 900 3389-3389 0.0.0.0/0 deny", "ingress 910 5985-5986 0.0.0.0/0 deny", "ingress 920 8530-8531 0.0.0.0/0 deny"}
	// The public subnets' one client without NAT is the WSUS server (Windows Server: replies to
	// 49152-65535), and nothing admits the management ports there, so no denial is written.
	assert.Equal(t, append([]string{
		"egress 100 443-443 10.0.0.0/16", "egress 1000 1024-65535 10.0.0.0/16",
		"egress 200 8530-8531 " + public[0], "egress 201 8530-8531 " + public[1],
		"egress 300 443-443 18.34.244.0/22", "egress 301 443-443 18.34.48.0/20", "egress 302 443-443 3.5.76.0/22",
		"egress 303 443-443 3.5.80.0/21", "egress 304 443-443 52.218.128.0/17", "egress 305 443-443 52.92.128.0/17",
		"ingress 100 443-443 10.0.0.0/16", "ingress 1000 1024-65535 10.0.0.0/16",
		"ingress 1100 1024-65535 18.34.244.0/22", "ingress 1101 1024-65535 18.34.48.0/20", "ingress 1102 1024-65535 3.5.76.0/22",
		"ingress 1103 1024-65535 3.5.80.0/21", "ingress 1104 1024-65535 52.218.128.0/17", "ingress 1105 1024-65535 52.92.128.0/17",
		"ingress 200 3389-3389 " + public[0], "ingress 201 3389-3389 " + public[1],
	}, denials...), s.aclEntries(t, "NetworkPrivateAcl"))
	assert.Equal(t, []string{
		"egress 100 80-80 0.0.0.0/0", "egress 110 443-443 0.0.0.0/0",
		"egress 200 1024-65535 " + private[0], "egress 201 1024-65535 " + private[1],
		"egress 210 3389-3389 " + private[0], "egress 211 3389-3389 " + private[1],
		"ingress 1000 49152-65535 0.0.0.0/0",
		"ingress 200 8530-8531 " + private[0], "ingress 201 8530-8531 " + private[1],
	}, s.aclEntries(t, "NetworkPublicAcl"), "no RDP from the internet without admin CIDRs")

	for _, acl := range s.resources("AWS::EC2::SubnetNetworkAclAssociation") {
		subnet := props(acl)["SubnetId"].(map[string]any)["Ref"].(string)
		aclID := props(acl)["NetworkAclId"].(map[string]any)["Ref"].(string)
		if _, isPublic := s.subnets("Public")[subnet]; isPublic {
			assert.True(t, strings.HasPrefix(aclID, "NetworkPublicAcl"), subnet)
		} else {
			assert.True(t, strings.HasPrefix(aclID, "NetworkPrivateAcl"), subnet)
		}
	}
	s.network.ResourceCountIs(jsii.String("AWS::EC2::SubnetNetworkAclAssociation"), jsii.Number(4))
}

func TestNatOpensOnlyWebTrafficThroughThePublicSubnets(t *testing.T) {
	s := natScenario.synth(t)
	private := values(s.privateSubnets(t))
	privateEntries, publicEntries := s.aclEntries(t, "NetworkPrivateAcl"), s.aclEntries(t, "NetworkPublicAcl")
	for _, e := range []string{"egress 400 80-80 0.0.0.0/0", "egress 410 443-443 0.0.0.0/0", "ingress 1200 1024-3388 0.0.0.0/0", "ingress 1201 3390-65535 0.0.0.0/0"} {
		assert.Contains(t, privateEntries, e)
	}
	for i, cidr := range private {
		assert.Contains(t, publicEntries, fmt.Sprintf("ingress %d 80-80 %s", 400+i, cidr))
		assert.Contains(t, publicEntries, fmt.Sprintf("ingress %d 443-443 %s", 410+i, cidr))
	}
	// A NAT gateway answers on 1024-65535: the public subnets take its replies split around RDP,
	// with the denials of the management ports inside that range.
	for _, e := range []string{"ingress 1000 1024-3388 0.0.0.0/0", "ingress 1001 3390-65535 0.0.0.0/0", "ingress 900 3389-3389 0.0.0.0/0 deny",
		"ingress 910 5985-5986 0.0.0.0/0 deny", "ingress 920 8530-8531 0.0.0.0/0 deny"} {
		assert.Contains(t, publicEntries, e)
	}
	assert.Len(t, privateEntries, len(defaultScenario.synth(t).aclEntries(t, "NetworkPrivateAcl"))+4)
	assert.Len(t, publicEntries, len(defaultScenario.synth(t).aclEntries(t, "NetworkPublicAcl"))+4+4)
}

func TestFlowLogsToKmsEncryptedRetainedLogGroup(t *testing.T) {
	s := defaultScenario.synth(t)
	s.network.HasResourceProperties(jsii.String("AWS::EC2::FlowLog"), map[string]any{
		"ResourceType": "VPC", "TrafficType": "ALL", "LogDestinationType": "cloud-watch-logs",
	})
	s.network.HasResource(jsii.String("AWS::Logs::LogGroup"), map[string]any{
		"Properties":     map[string]any{"RetentionInDays": 365, "KmsKeyId": assertions.Match_AnyValue()},
		"DeletionPolicy": spec.KeptDeletionPolicy, "UpdateReplacePolicy": spec.KeptUpdateReplacePolicy,
	})
	s.network.HasResource(jsii.String("AWS::KMS::Key"), map[string]any{
		"Properties":     map[string]any{"EnableKeyRotation": true},
		"DeletionPolicy": spec.KeptDeletionPolicy,
	})
}

func TestFlowLogsToEncryptedVersionedRetainedBucket(t *testing.T) {
	s := flowLogsToS3.synth(t)
	s.network.HasResourceProperties(jsii.String("AWS::EC2::FlowLog"), map[string]any{"LogDestinationType": "s3", "TrafficType": "ALL"})
	s.network.ResourceCountIs(jsii.String("AWS::Logs::LogGroup"), jsii.Number(0))
	for id, bucket := range s.resources("AWS::S3::Bucket") {
		assert.Equal(t, spec.KeptDeletionPolicy, bucket["DeletionPolicy"], id)
		p := props(bucket)
		assert.Contains(t, fmt.Sprint(p["BucketEncryption"]), "AES256", id)
		assert.Equal(t, map[string]any{"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true},
			p["PublicAccessBlockConfiguration"], id)
		assert.Equal(t, map[string]any{"Status": "Enabled"}, p["VersioningConfiguration"], id)
		assert.Contains(t, fmt.Sprint(p["LifecycleConfiguration"]), "ExpirationInDays:90", id)
	}
	s.network.HasResourceProperties(jsii.String("AWS::S3::Bucket"), map[string]any{"LoggingConfiguration": assertions.Match_AnyValue()})
	s.network.HasResourceProperties(jsii.String("AWS::S3::BucketPolicy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{map[string]any{
			"Action": "s3:*", "Effect": "Deny", "Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
			"Principal": map[string]any{"AWS": "*"}, "Resource": assertions.Match_AnyValue(),
		}})},
	})
}

func TestStackOutputsNameTheNetworkParts(t *testing.T) {
	s := defaultScenario.synth(t)
	outputs := s.template["Outputs"].(map[string]any)
	for _, name := range []string{"VpcId", "PublicSubnetIds", "PrivateSubnetIds", "PublicSecurityGroupId", "PrivateSecurityGroupId",
		"EndpointSecurityGroupId", "S3EndpointId", "SsmEndpointId", "Ec2messagesEndpointId", "Ec2EndpointId", "SsmmessagesEndpointId"} {
		assert.Contains(t, outputs, name)
	}
	assert.Equal(t, "privatepatch-network", *s.app.Network.StackName())
}

func TestConfiguredTagsReachEveryTaggableResource(t *testing.T) {
	s := exampleScenario.synth(t)
	s.network.HasResourceProperties(jsii.String("AWS::EC2::VPC"), map[string]any{
		"Tags": assertions.Match_ArrayWith(&[]any{map[string]any{"Key": "Owner", "Value": "platform-team"}}),
	})
}

func TestS3PrefixListIsLookedUpFromCdkContextWhenNotConfigured(t *testing.T) {
	s := lookupScenario.synth(t)
	assert.Equal(t, lookupRegion, *s.app.Network.Region())
	assert.Equal(t, lookupAccount, *s.app.Network.Account())
	warnings := assertions.Annotations_FromStack(s.app.Network.Stack).FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String(".*prefix-list.*")))
	assert.Empty(t, *warnings)
}

func TestPendingS3LookupWarnsHowToSupplyTheCidrs(t *testing.T) {
	s := lookupMissingScenario.synth(t)
	warnings := assertions.Annotations_FromStack(s.app.Network.Stack).FindWarning(jsii.String("/Network"),
		assertions.Match_StringLikeRegexp(jsii.String("S3 prefix list \\(id and CIDRs\\) for region eu-west-1 is not in cdk.context.json yet.*")))
	require.Len(t, *warnings, 1)
	message := fmt.Sprint((*warnings)[0].Entry.Data)
	assert.Contains(t, message, "credentials for account 111111111111")
	assert.Contains(t, message, "network.s3PrefixListIds.eu-west-1 and network.s3PrefixListCidrs.eu-west-1")
	assert.Contains(t, message, stacks.S3LookupPendingWarning)

	// The assembly asks the CLI for both lookups it could not answer: the prefix list's id
	// (needed before its entries) and the availability zones.
	assert.ElementsMatch(t, []string{s3PrefixListIDKey, availabilityZonesKey}, s.missingLookups(t))
}

// missingLookups are the context keys the scenario's assembly asks the CLI to look up, read from
// manifest.json as the CLI reads it: jsii-runtime-go 1.142 cannot convert the manifest's artifact
// properties (a union of structs) to Go through CloudAssembly.Manifest().
func (s *scenario) missingLookups(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(s.dir, "manifest.json"))
	require.NoError(t, err)
	var manifest struct {
		Missing []struct{ Key string } `json:"missing"`
	}
	require.NoError(t, json.Unmarshal(data, &manifest))
	var missing []string
	for _, m := range manifest.Missing {
		missing = append(missing, m.Key)
	}
	return missing
}

// threeZones also lets an on-premises network use WSUS (hybrid nodes): make verify must find a
// flow for every zone's rules and for those networks'.
var threeZones = &scenario{name: "three-zones", config: fromYAML(defaultWith("  availabilityZones: [us-west-2c, us-west-2a, us-west-2b]\n  azCount: 3\n  wsusClientCidrs: [192.168.0.0/16]\n") +
	"security: {hybrid: true}\n"), withoutNag: true}

func TestEachZoneKeepsItsSubnetBlocksWhateverTheZoneCount(t *testing.T) {
	s := threeZones.synth(t)
	cidrs := map[string]string{}
	for group, ids := range map[string]map[string]string{"Public": s.subnets("Public"), "Private": s.privateSubnets(t)} {
		for id, cidr := range ids {
			cidrs[group+" "+props(s.resources("AWS::EC2::Subnet")[id])["AvailabilityZone"].(string)] = cidr
		}
	}
	assert.Equal(t, map[string]string{
		// The first two zones as in a two-zone VPC; the third after them. Zones go in name order.
		"Public us-west-2a": "10.0.0.0/24", "Public us-west-2b": "10.0.1.0/24", "Private us-west-2a": "10.0.2.0/24", "Private us-west-2b": "10.0.3.0/24",
		"Public us-west-2c": "10.0.4.0/24", "Private us-west-2c": "10.0.6.0/24",
	}, cidrs)
}

// TestConfigurationCountsTheNetworkAclRulesTheNetworkCreates proves that validation's count, which
// refuses configurations over the ACL rule quota before anything is built, is the real one.
func TestConfigurationCountsTheNetworkAclRulesTheNetworkCreates(t *testing.T) {
	for _, sc := range []*scenario{defaultScenario, exampleScenario, natScenario, threeZones} {
		s := sc.synth(t)
		cfg, err := sc.config()
		require.NoError(t, err)
		got := map[string]int{}
		for _, entry := range s.resources("AWS::EC2::NetworkAclEntry") {
			acl := "private"
			if strings.HasPrefix(props(entry)["NetworkAclId"].(map[string]any)["Ref"].(string), "NetworkPublicAcl") {
				acl = "public"
			}
			direction := "inbound"
			if props(entry)["Egress"] == true {
				direction = "outbound"
			}
			got[acl+" "+direction]++
		}
		assert.Equal(t, cfg.NetworkAclRuleCounts(), got, sc.name)
	}
}

func TestReachabilityPathsCoverTheNeededFlowsAndSayWhatAnAnalysisCosts(t *testing.T) {
	s := exampleScenario.synth(t)
	paths := map[string]map[string]any{}
	for _, p := range s.fleetResources("AWS::EC2::NetworkInsightsPath") {
		for _, tag := range props(p)["Tags"].([]any) {
			if tag.(map[string]any)["Key"] == "Name" {
				paths[tag.(map[string]any)["Value"].(string)] = props(p)
			}
		}
	}
	require.ElementsMatch(t, []string{"privatepatch-instance-to-ssm-endpoint", "privatepatch-wsus-to-internet-gateway",
		"privatepatch-instance-to-wsus", "privatepatch-jump-host-rdp-to-instance", "privatepatch-wsus-to-ssm-endpoint",
		"privatepatch-admin-rdp-to-jump-host"}, keysOf(paths))
	wsus, _ := s.only(t, "AWS::EC2::Instance", "WsusInstance")
	// The WSUS server's path to the endpoint crosses both ACLs (the instance's may stay in its
	// subnet); the administrator's RDP comes from the internet gateway, from the admin range.
	assert.Equal(t, map[string]any{"Ref": wsus}, paths["privatepatch-wsus-to-ssm-endpoint"]["Source"])
	admin := paths["privatepatch-admin-rdp-to-jump-host"]
	assert.Equal(t, map[string]any{"Ref": wsus}, admin["Destination"])
	assert.Equal(t, map[string]any{"SourceAddress": "203.0.113.0", "DestinationPortRange": map[string]any{"FromPort": float64(3389), "ToPort": float64(3389)}},
		admin["FilterAtSource"])
	// "If you specify this parameter [FilterAtSource], you can't specify the parameters for the
	// source IP address or the destination port": CreateNetworkInsightsPath refuses the pair.
	for name, p := range paths {
		if p["FilterAtSource"] != nil {
			assert.NotContains(t, p, "DestinationPort", name)
			assert.NotContains(t, p, "SourceIp", name)
		}
	}
	assert.Equal(t, "AWS::EC2::InternetGateway", s.resources("AWS::EC2::InternetGateway")[s.networkResource(t, admin["Source"])]["Type"])
	toWsus := paths["privatepatch-instance-to-wsus"]
	assert.Equal(t, map[string]any{"Ref": wsus}, toWsus["Destination"])
	assert.Equal(t, float64(8530), toWsus["DestinationPort"])
	assert.Equal(t, "tcp", toWsus["Protocol"])
	assert.Equal(t, "ssm", s.resources("AWS::EC2::VPCEndpoint")[s.networkResource(t, paths["privatepatch-instance-to-ssm-endpoint"]["Destination"])]["Properties"].(map[string]any)["ServiceName"].(string)[len("com.amazonaws.us-west-2."):])
	output := s.fleetJSON["Outputs"].(map[string]any)["ReachabilityCommand"].(map[string]any)
	assert.Contains(t, output["Description"], "0.10 USD per analysis")
	assert.Contains(t, fmt.Sprint(output["Value"]), "aws ec2 start-network-insights-analysis --region us-west-2")

	assert.Empty(t, defaultScenario.synth(t).fleetResources("AWS::EC2::NetworkInsightsPath"), "off by default")
}

// wsusClientsScenario declares an on-premises network whose hybrid nodes reach WSUS.
var wsusClientsScenario = &scenario{name: "wsus-clients-on-premises", config: fromYAML(defaultWith("  wsusClientCidrs: [192.168.0.0/16]\n"))}

// Declared on-premises networks reach WSUS on its port through the security group and the public
// ACL, get only the replies back, and the client association takes in hybrid nodes (the fleet
// tag); without them it stays on the EC2-only group (TestWsusClientAssociationPointsTheTaggedFleetAtTheServer).
func TestDeclaredOnPremisesNetworksReachWsusAndBringHybridNodesIntoTheClientConfiguration(t *testing.T) {
	s := wsusClientsScenario.synth(t)
	assert.Contains(t, s.securityGroupRules(t, "NetworkPublicSecurityGroup"), "in tcp 8530-8531 192.168.0.0/16")
	var onPremises []string
	for _, e := range s.aclEntries(t, "NetworkPublicAcl") {
		if strings.HasSuffix(e, " 192.168.0.0/16") {
			onPremises = append(onPremises, e)
		}
	}
	assert.Equal(t, []string{"egress 500 1024-65535 192.168.0.0/16", "ingress 500 8530-8531 192.168.0.0/16"}, onPremises)
	for _, e := range s.aclEntries(t, "NetworkPrivateAcl") {
		assert.NotContains(t, e, "192.168.0.0/16", "nothing from on-premises into the private subnets")
	}
	_, association := s.only(t, "AWS::SSM::Association", "WsusClientAssociation")
	assert.Equal(t, []any{map[string]any{"Key": "tag:privatepatch:fleet", "Values": []any{"privatepatch"}}}, props(association)["Targets"])
	for _, g := range s.fleetResources("AWS::ResourceGroups::Group") {
		assert.NotEqual(t, "privatepatch-wsus-clients", props(g)["Name"], "no EC2-only group to target")
	}
}
