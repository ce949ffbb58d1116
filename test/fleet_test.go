package test

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/constructs/wsus"
	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
	"github.com/privatepatch/privatepatch/proof/netpath"
)

// networkResource follows a cross-stack reference (Fn::GetStackOutput) from the fleet stack to
// the network stack and returns the logical id of the network resource it names.
func (s *scenario) networkResource(t *testing.T, value any) string {
	return s.stackResource(t, s.template, "privatepatch-network", value)
}

// stackResource follows a cross-stack reference (Fn::GetStackOutput) to the stack named
// stackName, whose template is given, and returns the logical id of the resource it names.
func (s *scenario) stackResource(t *testing.T, template map[string]any, stackName string, value any) string {
	ref, ok := value.(map[string]any)["Fn::GetStackOutput"].(map[string]any)
	require.True(t, ok, "%v is not a reference to stack %s", value, stackName)
	assert.Equal(t, stackName, ref["StackName"])
	output := template["Outputs"].(map[string]any)[ref["OutputName"].(string)].(map[string]any)["Value"].(map[string]any)
	if id, ok := output["Ref"].(string); ok {
		return id
	}
	return output["Fn::GetAtt"].([]any)[0].(string)
}

func (s *scenario) only(t *testing.T, resourceType, prefix string) (string, map[string]any) {
	return oneOf(t, s.fleetJSON, resourceType, prefix)
}

func (s *scenario) launchTemplateOf(t *testing.T, instance map[string]any) map[string]any {
	name := props(instance)["LaunchTemplate"].(map[string]any)["Version"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
	return props(s.fleetResources("AWS::EC2::LaunchTemplate")[name])["LaunchTemplateData"].(map[string]any)
}

func TestWsusServerRunsInAPublicSubnetWithThePublicSecurityGroupAndImdsV2(t *testing.T) {
	s := defaultScenario.synth(t)
	id, instance := s.only(t, "AWS::EC2::Instance", "WsusInstance")
	p := props(instance)
	nic := p["NetworkInterfaces"].([]any)[0].(map[string]any)
	assert.Contains(t, s.subnets("Public"), s.networkResource(t, nic["SubnetId"]))
	assert.True(t, strings.HasPrefix(s.networkResource(t, nic["GroupSet"].([]any)[0]), "NetworkPublicSecurityGroup"))
	assert.Equal(t, false, nic["AssociatePublicIpAddress"], "no auto-assigned public IP (CT.EC2.PR.11)")
	assert.Equal(t, "m6i.large", p["InstanceType"])
	assert.Equal(t, "resolve:ssm:/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base", p["ImageId"],
		"the latest AMI, resolved at launch so that newer AMIs never replace the server")
	assert.Equal(t, true, p["Monitoring"])
	assert.Equal(t, "required", s.launchTemplateOf(t, instance)["MetadataOptions"].(map[string]any)["HttpTokens"])
	assert.Equal(t, []any{map[string]any{"DeviceName": "/dev/sda1", "Ebs": map[string]any{"Encrypted": true, "VolumeSize": float64(60), "VolumeType": "gp3"}}},
		p["BlockDeviceMappings"])
	s.fleet.HasResourceProperties(jsii.String("AWS::EC2::EIP"), map[string]any{"Domain": "vpc", "InstanceId": map[string]any{"Ref": id}})
}

func TestWsusUpdateStoreIsASeparateEncryptedRetainedVolumeInTheServersZone(t *testing.T) {
	for _, tc := range []struct {
		s    *scenario
		size float64
	}{{defaultScenario, 200}, {wsusHTTPS, 300}} {
		s := tc.s.synth(t)
		instance, i := s.only(t, "AWS::EC2::Instance", "WsusInstance")
		volume, v := s.only(t, "AWS::EC2::Volume", "WsusUpdateStore")
		assert.Equal(t, spec.KeptDeletionPolicy, v["DeletionPolicy"], "kept when the instance or the stack goes")
		assert.Equal(t, spec.KeptUpdateReplacePolicy, v["UpdateReplacePolicy"])
		nic := props(i)["NetworkInterfaces"].([]any)[0].(map[string]any)
		subnet := s.resources("AWS::EC2::Subnet")[s.networkResource(t, nic["SubnetId"])]
		assert.Equal(t, map[string]any{
			// The zone of the server's subnet, not the instance's attribute: pinned where the data is.
			"AvailabilityZone": props(subnet)["AvailabilityZone"],
			"Encrypted":        true, "MultiAttachEnabled": false, "Size": tc.size, "VolumeType": "gp3",
		}, without(props(v), "Tags"))
		attachment, _ := s.only(t, "AWS::EC2::VolumeAttachment", "WsusUpdateStoreAttachment")
		s.fleet.HasResourceProperties(jsii.String("AWS::EC2::VolumeAttachment"), map[string]any{
			"InstanceId": map[string]any{"Ref": instance}, "VolumeId": map[string]any{"Ref": volume}, "Device": "xvdf",
		})
		_, association := s.only(t, "AWS::SSM::Association", "WsusSetupAssociation")
		assert.Contains(t, association["DependsOn"], attachment, "setup formats the volume, so it runs after the attachment")
	}
}

func without(m map[string]any, keys ...string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if !slices.Contains(keys, k) {
			out[k] = v
		}
	}
	return out
}

func TestWsusRoleRunsSsmAgentWithoutReadingParametersAndWritesOnlyItsCommandOutput(t *testing.T) {
	s := defaultScenario.synth(t)
	role, r := s.only(t, "AWS::IAM::Role", "WsusRole")
	assert.NotContains(t, props(r), "ManagedPolicyArns", "not AmazonSSMManagedInstanceCore: the internet-facing server must not read every parameter")
	_, policy := s.only(t, "AWS::IAM::Policy", "WsusRoleDefaultPolicy")
	assert.Equal(t, []any{map[string]any{"Ref": role}}, props(policy)["Roles"])
	statements := props(policy)["PolicyDocument"].(map[string]any)["Statement"].([]any)
	text := fmt.Sprint(statements)
	for _, agent := range []string{"ssm:UpdateInstanceInformation", "ssm:GetDeployablePatchSnapshotForInstance", "ssm:PutComplianceItems",
		"ssm:PutInventory", "ec2messages:GetMessages", "ssmmessages:CreateControlChannel"} {
		assert.Contains(t, text, agent, "what SSM Agent, Run Command, patching and Session Manager need")
	}
	assert.NotContains(t, text, "ssm:GetParameter")
	assert.Contains(t, text, "/wsus-setup/*", "writes only under its own prefix")
	assert.Contains(t, text, "s3:GetEncryptionConfiguration")
	assert.NotContains(t, text, "s3:Delete")

	_, fr := exampleScenario.synth(t).only(t, "AWS::IAM::Role", "FleetRole")
	assert.Contains(t, fmt.Sprint(props(fr)["ManagedPolicyArns"]), "AmazonSSMManagedInstanceCore", "private fleet instances keep AWS's maintained policy")
}

// AWS asks for s3:GetObject on its Systems Manager buckets in the instance profile whenever a VPC
// endpoint is used ("Reference: Amazon S3 buckets for patching operations"): without it
// AWS-RunPatchBaseline cannot download its payload through the S3 endpoint. The one other read is
// make patch-now KB=...'s install override list, which AWS-RunPatchBaseline downloads by its
// s3:// URL with the node's role ("SSM Command document for patching: AWS-RunPatchBaseline",
// InstallOverrideList: a private bucket needs the Amazon S3 path-style URL; read 2026-12-06):
// the command output bucket's patch-now/ only, for the fleet and the WSUS server of example (a
// patch group there).
func TestInstanceRolesReadTheRegionsSystemsManagerBucketsAndNoOtherObjects(t *testing.T) {
	s := exampleScenario.synth(t)
	overrideLists := map[string]any{"Fn::Join": []any{"", []any{map[string]any{"Fn::GetAtt": []any{"CommandOutputBucket0DD4DD73", "Arn"}}, "/" + patchingspec.InstallOverrideListPrefix + "*"}}}
	for _, prefix := range []string{"WsusRole", "FleetRole"} {
		role, _ := s.only(t, "AWS::IAM::Role", prefix)
		var reads, outputReads []any
		for _, st := range policyStatements(s.fleetJSON, role) {
			if strings.Contains(fmt.Sprint(st["Action"]), "s3:GetObject") && st["Sid"] == "ReadSystemsManagerBuckets" {
				reads = append(reads, st["Resource"].([]any)...)
			} else if st["Action"] == "s3:GetObject" && fmt.Sprint(st["Resource"]) == fmt.Sprint(overrideLists) {
				outputReads = append(outputReads, st["Resource"])
			} else if strings.Contains(fmt.Sprint(st["Action"]), "s3:GetObject") {
				t.Errorf("%s: s3:GetObject outside the Systems Manager buckets and patch-now/: %v", prefix, st["Resource"])
			}
		}
		for _, bucket := range []string{"aws-patch-manager-us-west-2-34d7f99f8", "patch-baseline-snapshot-us-west-2", "aws-ssm-us-west-2"} {
			assert.Contains(t, reads, "arn:aws:s3:::"+bucket+"/*", prefix)
		}
		assert.Equal(t, []any{overrideLists}, outputReads, "%s reads make patch-now's install override lists", prefix)
	}
}

func documentContent(t *testing.T, document map[string]any) (content map[string]any, script string) {
	content = props(document)["Content"].(map[string]any)
	assert.Equal(t, "2.2", content["schemaVersion"])
	assert.Equal(t, "Command", props(document)["DocumentType"])
	assert.Equal(t, "NewVersion", props(document)["UpdateMethod"], "changing the script must not replace the document")
	step := content["mainSteps"].([]any)[0].(map[string]any)
	assert.Equal(t, "aws:runPowerShellScript", step["action"])
	var lines []string
	for _, line := range step["inputs"].(map[string]any)["runCommand"].([]any) {
		lines = append(lines, line.(string))
	}
	return content, strings.Join(lines, "\n")
}

func associationParameters(association map[string]any) map[string]string {
	out := map[string]string{}
	for name, values := range props(association)["Parameters"].(map[string]any) {
		out[name] = fmt.Sprint(values.([]any)[0])
	}
	return out
}

// mainBlockSteps are the calls, among steps, that a script's main block (after its dot-source
// guard) makes as statements or if conditions, in order, each with its indentation: a step
// indented deeper than the try block's runs only in a branch.
func mainBlockSteps(script string, steps ...string) []string {
	_, main, _ := strings.Cut(script, "if ($MyInvocation.InvocationName -eq '.') { return }")
	call := regexp.MustCompile(`(?m)^(\s*)(?:if \(|.*\{ \$subscription\.)?(` + strings.Join(steps, "|") + `)\b`)
	var out []string
	for _, m := range call.FindAllStringSubmatch(main, -1) {
		out = append(out, fmt.Sprintf("%d %s", len(m[1]), m[2]))
	}
	return out
}

// With port 8531, Set-Tls fails until the certificate is imported (docs/wsus.md): the first full
// synchronisation must have started by then, and Set-Tls must run whichever way the branch goes.
func TestWsusSetupStartsTheFirstSynchronisationBeforeItsTlsStepCanFail(t *testing.T) {
	steps := []string{"Set-WsusPool", "Test-SynchronizationNeeded", "StartSynchronization", "Set-Tls"}
	want := []string{"4 Set-WsusPool", "4 Test-SynchronizationNeeded", "8 StartSynchronization", "4 Set-Tls"}
	assert.Equal(t, want, mainBlockSteps(wsus.SetupScript, steps...))
	for name, planted := range map[string]string{
		"Set-Tls first":          strings.Replace(wsus.SetupScript, "    Set-WsusPool\n", "    Set-WsusPool\n    Set-Tls\n", 1),
		"Set-Tls in the else":    strings.Replace(wsus.SetupScript, "        $rule.ApplyRule()\n", "        $rule.ApplyRule()\n        Set-Tls\n", 1),
		"the sync started after": strings.Replace(wsus.SetupScript, "    Set-Tls\n", "    Set-Tls\n    if ($x) { $subscription.StartSynchronization() }\n", 1),
	} {
		require.NotEqual(t, wsus.SetupScript, planted, name)
		assert.NotEqual(t, want, mainBlockSteps(planted, steps...), "planted: %s", name)
	}
}

func TestWsusSetupDocumentRunsTheReviewedScriptWithConfiguredSelection(t *testing.T) {
	s := defaultScenario.synth(t)
	documentID, document := s.only(t, "AWS::SSM::Document", "WsusSetupDocument")
	content, script := documentContent(t, document)
	assert.Contains(t, script, strings.TrimSpace(wsus.SetupScript), "the document carries wsus-setup.ps1 unchanged")
	for name, param := range content["parameters"].(map[string]any) {
		assert.NotEmpty(t, param.(map[string]any)["allowedPattern"], "parameter %s is substituted into PowerShell: it needs a pattern", name)
		assert.Contains(t, script, fmt.Sprintf("-%s '{{ %s }}'", name, name))
	}

	instance, _ := s.only(t, "AWS::EC2::Instance", "WsusInstance")
	_, association := s.only(t, "AWS::SSM::Association", "WsusSetupAssociation")
	a := props(association)
	assert.Equal(t, map[string]any{"Ref": documentID}, a["Name"])
	assert.Equal(t, []any{map[string]any{"Key": "InstanceIds", "Values": []any{map[string]any{"Ref": instance}}}}, a["Targets"])
	assert.Equal(t, "rate(1 day)", a["ScheduleExpression"], "re-runs to correct drift")
	assert.Equal(t, "wsus-setup/", a["OutputLocation"].(map[string]any)["S3Location"].(map[string]any)["OutputS3KeyPrefix"])
	volume, _ := s.only(t, "AWS::EC2::Volume", "WsusUpdateStore")
	assert.Equal(t, map[string]string{
		"Languages": "en", "Products": "Microsoft Server operating system-21H2", "Classifications": "Critical Updates;Security Updates",
		"Port": "8530", "SyncTimeUtc": "21:00", "SyncsPerDay": "1",
		// The script finds the disk by this volume, not by guessing the first raw disk.
		"UpdateStoreVolumeId": fmt.Sprint(map[string]any{"Ref": volume}),
	}, associationParameters(association))

	https := wsusHTTPS.synth(t)
	_, association = https.only(t, "AWS::SSM::Association", "WsusSetupAssociation")
	params := associationParameters(association)
	assert.Equal(t, "Microsoft Server operating system-24H2;Windows Server 2019", params["Products"], "products of the server's and the fleet's versions")
	assert.Equal(t, "8531", params["Port"])
	assert.Equal(t, "0123456789abcdef0123456789abcdef01234567", params["CertificateThumbprint"])
	assert.Equal(t, "Servers", params["TargetGroups"], "the client target group exists on the server")
	httpsInstance, _ := https.only(t, "AWS::EC2::Instance", "WsusInstance")
	assert.Equal(t, map[string]any{"Fn::GetAtt": []any{httpsInstance, "PrivateDnsName"}},
		props(association)["Parameters"].(map[string]any)["ServerName"].([]any)[0], "configuressl gets the name clients use")
}

func TestWsusSetupScriptDoesWhatTheArchitectureNeeds(t *testing.T) {
	for _, must := range []string{
		"Install-WindowsFeature -Name UpdateServices -IncludeManagementTools",
		`postinstall "CONTENT_DIR=$content"`,
		"Initialize-Disk", "Format-Volume",
		"SyncFromMicrosoftUpdate = $true",
		"SetEnabledUpdateLanguages", "Set-WsusProduct", "Set-WsusClassification",
		"not in the WSUS catalogue after synchronising it", // an unknown title fails instead of approving nothing
		"SynchronizeAutomatically = $true", "NumberOfSynchronizationsPerDay",
		"CreateInstallApprovalRule", "SetUpdateClassifications",
		`IIS:\AppPools\WsusPool`, "queueLength", "privateMemory",
		"configuressl", "Start-Transcript", "$ErrorActionPreference = 'Stop'", "exit 1",
		"SerialNumber", // the update-store disk is found by its volume id
		"if ($binding.certificateHash -eq $thumbprint) { return $false }",      // a second run keeps the binding
		"if ($categoriesSynchronised -or $updateCount -eq 0) { return $true }", // a new selection, or no update held, starts the full sync
		"Test-SynchronizationNeeded $subscription $categoriesSynchronised ($wsus.GetUpdateCount())",
		// A missing product or classification title synchronises the catalogue, on a new server too.
		"if ($missing.Count -eq 0) { return $false }", "$subscription.StartSynchronizationForCategoryOnly()",
		"if ($last.Id -ne $previous.Id) { break }", // waits for the new synchronisation, not the previous result
	} {
		assert.Contains(t, wsus.SetupScript, must)
	}
	// A server that never synchronised has a last synchronisation whose Result is NeverRun, never
	// $null (ISubscription.GetLastSynchronizationInfo): nothing may decide on $null alone.
	assert.NotContains(t, wsus.SetupScript, "$null -eq $wsus.GetSubscription().GetLastSynchronizationInfo()")
	assert.NotContains(t, wsus.SetupScript, "$firstRun")
	assert.NotContains(t, wsus.SetupScript, "{{", "SSM would substitute it")
	assert.NotContains(t, wsus.SetupScript, "PartitionStyle -eq 'RAW' } | Sort-Object", "never the first raw disk: it may be an instance store")
	// "$name:" inside a double-quoted string is a PowerShell parse error (scope syntax).
	for _, line := range strings.Split(wsus.SetupScript+wsus.ClientScript, "\n") {
		for _, quoted := range regexp.MustCompile(`"[^"]*"`).FindAllString(line, -1) {
			assert.NotRegexp(t, `\$[A-Za-z_]\w*:[^\\]`, quoted, "use ${name}: in %s", line)
		}
	}
}

func TestWsusClientScriptUsesMicrosoftsPolicyValueNames(t *testing.T) {
	// Each value's key, name and type against wsusspec.PolicyValues and their sources (the
	// plantings, the reference blog's misspellings among them, are in wsusspec's tests).
	assert.Empty(t, wsusspec.PolicyValueProblems(wsus.ClientScript))
	assert.Contains(t, wsus.ClientScript, "Restart-Service -Name wuauserv")
	assert.Contains(t, wsus.ClientScript, "if ($changes.Count -gt 0)", "restarts only when something changed")
}

func TestWsusClientAssociationPointsTheTaggedFleetAtTheServer(t *testing.T) {
	for _, tc := range []struct {
		s              *scenario
		scheme, port   string
		host           string
		tagKey, tagVal string
		params         map[string]string
		schedule       string
	}{
		{defaultScenario, "http", "8530", "PrivateIp", "privatepatch:fleet", "privatepatch",
			map[string]string{"AUOptions": "3", "NoAutoUpdate": "0", "AcceptTrustedPublisherCerts": "0", "ScheduledInstallDay": "0"}, "rate(1 day)"},
		{wsusHTTPS, "https", "8531", "PrivateDnsName", "Patching", "wsus-clients",
			map[string]string{"AUOptions": "2", "NoAutoUpdate": "0", "AcceptTrustedPublisherCerts": "1", "ScheduledInstallDay": "0", "TargetGroup": "Servers"}, "rate(12 hours)"},
	} {
		s := tc.s.synth(t)
		instance, _ := s.only(t, "AWS::EC2::Instance", "WsusInstance")
		documentID, document := s.only(t, "AWS::SSM::Document", "WsusClientDocument")
		_, script := documentContent(t, document)
		assert.Contains(t, script, strings.TrimSpace(wsus.ClientScript))
		_, association := s.only(t, "AWS::SSM::Association", "WsusClientAssociation")
		a := props(association)
		assert.Equal(t, map[string]any{"Ref": documentID}, a["Name"])
		assert.Equal(t, ec2ClientGroupQuery(tc.tagKey, tc.tagVal), s.wsusClientGroupQuery(t, a), tc.s.name)
		assert.Equal(t, tc.schedule, a["ScheduleExpression"])
		assert.Equal(t, "wsus-client/", a["OutputLocation"].(map[string]any)["S3Location"].(map[string]any)["OutputS3KeyPrefix"])
		url := props(association)["Parameters"].(map[string]any)["WsusUrl"].([]any)[0]
		assert.Equal(t, map[string]any{"Fn::Join": []any{"", []any{tc.scheme + "://", map[string]any{"Fn::GetAtt": []any{instance, tc.host}}, ":" + tc.port}}},
			url, "%s: the WSUS URL is the server's private address and port", tc.s.name)
		params := associationParameters(association)
		delete(params, "WsusUrl")
		assert.Equal(t, tc.params, params, tc.s.name)
	}
}

func TestFleetInstancesRunInPrivateSubnetsTaggedForPatchManager(t *testing.T) {
	s := exampleScenario.synth(t)
	instances := s.fleetResources("AWS::EC2::Instance")
	var fleet []string
	for id := range instances {
		if strings.HasPrefix(id, "FleetappInstance") {
			fleet = append(fleet, id)
		}
	}
	sort.Strings(fleet)
	require.Len(t, fleet, 2, "example.yaml asks for two app instances; have %v", keysOf(instances))
	var subnets []string
	for _, id := range fleet {
		p := props(instances[id])
		nic := p["NetworkInterfaces"].([]any)[0].(map[string]any)
		assert.Equal(t, false, nic["AssociatePublicIpAddress"], "explicitly no public IP (CT.EC2.PR.8)")
		subnet := s.networkResource(t, nic["SubnetId"])
		assert.Contains(t, s.privateSubnets(t), subnet)
		subnets = append(subnets, subnet)
		assert.True(t, strings.HasPrefix(s.networkResource(t, nic["GroupSet"].([]any)[0]), "NetworkPrivateSecurityGroup"))
		assert.Equal(t, map[string]any{"Enabled": true}, s.launchTemplateOf(t, instances[id])["Monitoring"], "CT.EC2.PR.10")
		assert.Equal(t, "required", s.launchTemplateOf(t, instances[id])["MetadataOptions"].(map[string]any)["HttpTokens"])
		assert.Equal(t, "m6i.large", p["InstanceType"])
		assert.Contains(t, fmt.Sprint(p["BlockDeviceMappings"]), "Encrypted:true")
		tags := map[string]string{}
		for _, tag := range p["Tags"].([]any) {
			tags[tag.(map[string]any)["Key"].(string)] = tag.(map[string]any)["Value"].(string)
		}
		for k, v := range map[string]string{"Patch Group": "windows-prod", "PatchGroup": "windows-prod", "privatepatch:fleet": "privatepatch",
			"privatepatch:instance-group": "app", "CostCenter": "1234", "Environment": "Prod", "Owner": "platform-team",
			"InventoryCategory": "WebServer", "SeverityLevel": "2", "HandlePI": "N", "IsPublic": "N"} {
			assert.Equal(t, v, tags[k], "%s tag %s", id, k)
		}
	}
	assert.NotEqual(t, subnets[0], subnets[1], "instances are spread over the AZs")
}

func keysOf[V any](m map[string]V) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func TestInstanceGroupWithoutPatchGroupGetsNoPatchGroupTag(t *testing.T) {
	s := wsusHTTPS.synth(t)
	count := 0
	for id, instance := range s.fleetResources("AWS::EC2::Instance") {
		if strings.HasPrefix(id, "WsusInstance") {
			continue
		}
		count++
		assert.NotContains(t, fmt.Sprint(props(instance)["Tags"]), "Patch Group", "%s: the default baseline applies", id)
		assert.NotContains(t, fmt.Sprint(props(instance)["ImageId"]), "resolve:ssm", "%s: amiId pins the image", id)
		assert.Equal(t, "m6i.xlarge", props(instance)["InstanceType"])
	}
	assert.Equal(t, 3, count)
}

func TestBringYourOwnFleetCreatesNoInstancesButConfiguresTheTag(t *testing.T) {
	s := defaultScenario.synth(t)
	ids := keysOf(s.fleetResources("AWS::EC2::Instance"))
	require.Len(t, ids, 1)
	assert.True(t, strings.HasPrefix(ids[0], "WsusInstance"), "only the WSUS server: the default configuration brings its own fleet")
	_, association := s.only(t, "AWS::SSM::Association", "WsusClientAssociation")
	assert.Equal(t, ec2ClientGroupQuery("privatepatch:fleet", "privatepatch"), s.wsusClientGroupQuery(t, props(association)))
	assert.Equal(t, "privatepatch:fleet=privatepatch", s.fleetJSON["Outputs"].(map[string]any)["FleetTag"].(map[string]any)["Value"])
}

func TestNatVariantHasNoWsusServerAndNoClientConfiguration(t *testing.T) {
	s := natWithoutWsus.synth(t)
	for _, resourceType := range []string{"AWS::EC2::Volume", "AWS::EC2::EIP"} {
		s.fleet.ResourceCountIs(jsii.String(resourceType), jsii.Number(0))
	}
	for _, document := range s.fleetResources("AWS::SSM::Document") {
		assert.Contains(t, fmt.Sprint(props(document)["Content"]), "CCE configuration checks", "only the configuration checks, no WSUS setup or client")
	}
	s.fleet.ResourceCountIs(jsii.String("AWS::SSM::Association"), jsii.Number(1))
	s.fleet.ResourceCountIs(jsii.String("AWS::EC2::Instance"), jsii.Number(1))
	s.network.ResourceCountIs(jsii.String("AWS::EC2::NatGateway"), jsii.Number(2))
	assert.NotContains(t, s.fleetJSON["Outputs"], "WsusUrl")
}

func TestCommandOutputBucketIsPrivateEncryptedRetainedAndReachableThroughTheS3Endpoint(t *testing.T) {
	s := defaultScenario.synth(t)
	bucket, b := s.only(t, "AWS::S3::Bucket", "CommandOutputBucket")
	assert.Equal(t, spec.KeptDeletionPolicy, b["DeletionPolicy"])
	p := props(b)
	name := map[string]any{"Fn::Join": []any{"", []any{"privatepatch-ssm-", map[string]any{"Ref": "AWS::AccountId"}, "-us-west-2"}}}
	assert.Equal(t, name, p["BucketName"])
	assert.Contains(t, fmt.Sprint(p["BucketEncryption"]), "AES256")
	assert.Equal(t, map[string]any{"Status": "Enabled"}, p["VersioningConfiguration"])
	assert.Contains(t, fmt.Sprint(p["LifecycleConfiguration"]), "ExpirationInDays:365")
	assert.Contains(t, p, "LoggingConfiguration")
	assert.Equal(t, map[string]any{"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true},
		p["PublicAccessBlockConfiguration"])
	s.fleet.HasResourceProperties(jsii.String("AWS::S3::BucketPolicy"), map[string]any{
		"Bucket": map[string]any{"Ref": bucket},
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
			"Effect": "Deny", "Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
		})})},
	})
	// The network stack's S3 endpoint lets the private subnets write there, by name.
	var endpointPolicy string
	for _, ep := range s.resources("AWS::EC2::VPCEndpoint") {
		if props(ep)["VpcEndpointType"] == "Gateway" {
			endpointPolicy = fmt.Sprint(props(ep)["PolicyDocument"])
		}
	}
	assert.Contains(t, endpointPolicy, "arn:aws:s3:::privatepatch-ssm- map[Ref:AWS::AccountId] -us-west-2/*")
}

func TestFleetStackOutputsTellAdminsHowToReachWsus(t *testing.T) {
	s := defaultScenario.synth(t)
	instance, _ := s.only(t, "AWS::EC2::Instance", "WsusInstance")
	outputs := s.fleetJSON["Outputs"].(map[string]any)
	for _, name := range []string{"WsusInstanceId", "WsusPrivateIp", "WsusUrl", "WsusRdpCommand", "CommandOutputBucket"} {
		assert.Contains(t, outputs, name)
	}
	assert.Equal(t, map[string]any{"Fn::Join": []any{"", []any{
		"aws ssm start-session --region us-west-2 --target ", map[string]any{"Ref": instance},
		" --document-name AWS-StartPortForwardingSession --parameters portNumber=3389,localPortNumber=13389",
	}}}, outputs["WsusRdpCommand"].(map[string]any)["Value"])
}

func TestWsusServerIsInAPatchGroupAndPatchedTheDayBeforeTheFleetByDefault(t *testing.T) {
	tags := func(s *scenario) string {
		_, instance := s.only(t, "AWS::EC2::Instance", "WsusInstance")
		return fmt.Sprint(props(instance)["Tags"])
	}
	example := tags(exampleScenario.synth(t))
	assert.Contains(t, example, "map[Key:Patch Group Value:wsus]", "its own patch group, not the fleet's: the patch calendar refuses a shared one")
	assert.Contains(t, example, "map[Key:PatchGroup Value:wsus]")
	assert.NotContains(t, example, "privatepatch:fleet", "not a WSUS client of itself")

	s := defaultScenario.synth(t)
	assert.Contains(t, tags(s), "map[Key:Patch Group Value:wsus]", "WSUS itself had a critical flaw in 2025: it is patched by default")
	windowID, w := s.byName(t, "AWS::SSM::MaintenanceWindow", "privatepatch-wsus")
	assert.Equal(t, "cron(0 2 ? * SAT *)", w["Schedule"], "the day before the fleet's Sunday window")
	s.patching.HasResourceProperties(jsii.String("AWS::SSM::MaintenanceWindowTarget"), map[string]any{
		"WindowId": map[string]any{"Ref": windowID}, "Targets": []any{map[string]any{"Key": "tag:Patch Group", "Values": []any{"wsus"}}},
	})
	_, scan := s.byName(t, "AWS::SSM::Association", "privatepatch-scan-wsus")
	assert.Equal(t, []any{map[string]any{"Key": "tag:Patch Group", "Values": []any{"wsus"}}}, scan["Targets"], "and scanned")
}

// writablePrefixes returns the S3 object patterns that the role with logical id prefix roleID in
// the fleet template may put, with the bucket reference left out.
func (s *scenario) writablePrefixes(t *testing.T, rolePrefix string) []string {
	roleID, _ := s.only(t, "AWS::IAM::Role", rolePrefix)
	var out []string
	for _, st := range policyStatements(s.fleetJSON, roleID) {
		if !strings.Contains(fmt.Sprint(st["Action"]), "s3:PutObject") {
			continue
		}
		for _, r := range st["Resource"].([]any) {
			parts := r.(map[string]any)["Fn::Join"].([]any)[1].([]any)
			out = append(out, strings.TrimPrefix(parts[len(parts)-1].(string), "/"))
		}
	}
	sort.Strings(out)
	return out
}

func TestEachCommandOutputWriterMayWriteOnlyUnderItsOwnPrefixes(t *testing.T) {
	s := exampleScenario.synth(t) // the WSUS server is in a patch group here
	assert.Equal(t, []string{"cce/*", "patch/*", "wsus-client/*"}, s.writablePrefixes(t, "FleetRole"),
		"fleet instances write WSUS client and patch output, never WSUS setup logs or the inventory sync")
	assert.Equal(t, []string{"cce/*", "patch/*", "wsus-cleanup/*", "wsus-setup/*"}, s.writablePrefixes(t, "WsusRole"),
		"the WSUS server in a patch group uploads its scan and patch output too, and its cleanup's")
}

// "PatchGroup (without a space) is required if you have allowed tags in EC2 instance metadata"
// (Systems Manager User Guide, "Creating and managing patch groups", read 2026-12-06): with tags
// in metadata the fleet's "Patch Group" tag could not be applied, so every launch template pins
// them off rather than leaving it to the account's defaults.
func TestEveryLaunchTemplateKeepsTagsOutOfInstanceMetadata(t *testing.T) {
	for _, sc := range []*scenario{defaultScenario, exampleScenario} {
		s := sc.synth(t)
		templates := s.fleetResources("AWS::EC2::LaunchTemplate")
		require.NotEmpty(t, templates)
		for id, template := range templates {
			options := props(template)["LaunchTemplateData"].(map[string]any)["MetadataOptions"].(map[string]any)
			assert.Equal(t, "disabled", options["InstanceMetadataTags"], "%s %s", sc.name, id)
		}
	}
}

// ec2ClientGroupQuery is the resource query of the WSUS clients' group: the EC2 instances with
// the fleet tag, and no other resource type, so hybrid nodes (AWS::SSM::ManagedInstance) carrying
// the tag are not in it (AWS::ResourceGroups::Group Query, ResourceTypeFilters).
func ec2ClientGroupQuery(key, value string) map[string]any {
	return map[string]any{"Type": "TAG_FILTERS_1_0", "Query": map[string]any{
		"ResourceTypeFilters": []any{"AWS::EC2::Instance"},
		"TagFilters":          []any{map[string]any{"Key": key, "Values": []any{value}}},
	}}
}

// wsusClientGroupQuery is the resource query of the one resource group the WSUS client
// association targets, which it must name as its only target.
func (s *scenario) wsusClientGroupQuery(t *testing.T, association map[string]any) any {
	t.Helper()
	targets := association["Targets"].([]any)
	require.Len(t, targets, 1)
	target := targets[0].(map[string]any)
	require.Equal(t, "resource-groups:Name", target["Key"], "a tag target would take in hybrid nodes with the tag")
	name := target["Values"].([]any)[0]
	for _, g := range s.fleetResources("AWS::ResourceGroups::Group") {
		if props(g)["Name"] == name {
			return props(g)["ResourceQuery"]
		}
	}
	require.Failf(t, "no such group", "%v", name)
	return nil
}

// In a region AWS's patching page does not list, the WSUS server's role reads the Patch Manager
// buckets the configuration declares, by name, and no guessed snapshot bucket (a review's find:
// AWS-RunPatchBaseline's payload download was the endpoint's only, and denied by the role).
func TestInAnUnlistedRegionTheRolesReadTheDeclaredPatchManagerBuckets(t *testing.T) {
	sc := &scenario{name: "unlisted-region", config: fromYAML(`region: mx-central-1
network:
  availabilityZones: [mx-central-1a, mx-central-1b]
  s3PrefixListIds: {mx-central-1: pl-0123456789abcdef0}
  s3PrefixListCidrs: {mx-central-1: [3.5.0.0/19]}
  s3Endpoint: {readBuckets: [aws-patch-manager-mx-central-1, patch-baseline-snapshot-mx-central-1-abc123]}
`)}
	s := sc.synth(t)
	statements := map[string]any{}
	for _, p := range s.fleetResources("AWS::IAM::Policy") {
		for _, st := range props(p)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			st := st.(map[string]any)
			if sid, _ := st["Sid"].(string); sid != "" && strings.Contains(fmt.Sprint(props(p)["Roles"]), "WsusRole") {
				statements[sid] = st["Resource"]
			}
		}
	}
	assert.Equal(t, []any{"arn:aws:s3:::aws-patch-manager-mx-central-1/*", "arn:aws:s3:::patch-baseline-snapshot-mx-central-1-abc123/*"}, statements["ReadDeclaredPatchingBuckets"])
	assert.NotContains(t, fmt.Sprint(statements["ReadSystemsManagerBuckets"]), "patch-baseline-snapshot", "no guessed snapshot bucket")
	for _, m := range s.messages(t, "Fleet") {
		assert.NotContains(t, m.text, "AwsSolutions-IAM5", "the new statement's objects carry their reason: %s", m.path)
	}
}

// wsus.publicAddress: external (review round 2, 11b): privatepatch creates no Elastic IP for the
// server, and the route check notes the address as not judged; judged by default, the same
// templates fail, as run 21's A12 did.
func TestAnExternalPublicAddressLeavesOutTheElasticIpAndIsNotJudged(t *testing.T) {
	s := wsusExternalAddress.synth(t)
	s.fleet.ResourceCountIs(jsii.String("AWS::EC2::EIP"), jsii.Number(0))
	problem, note := netpath.ServerRouteProblem(s.template, s.fleetJSON, true)
	assert.Empty(t, problem)
	assert.Contains(t, note, "declared managed outside them (wsus.publicAddress: external)")
	problem, _ = netpath.ServerRouteProblem(s.template, s.fleetJSON, false)
	assert.Contains(t, problem, "has no public IPv4 address")
}
