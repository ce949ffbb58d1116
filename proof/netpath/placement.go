package netpath

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// WsusInstancePrefix starts the logical id of the WSUS server's instance in the fleet stack; the
// stack's other instances are the fleet's.
const WsusInstancePrefix = "WsusInstance"

// PlacementProblems are the fleet stack's instances placed other than the flow table judges them:
// the WSUS server in the public security group (ServerGroup) and, in a VPC the network stack
// creates, a public subnet; every other instance in the private group (InstancesGroup) and a
// private subnet. An instance names its groups and subnet in the network stack through
// Fn::GetStackOutput (CDK's weak cross-stack references) or Fn::ImportValue, which are resolved
// against the network template's outputs; a literal (an existing VPC's subnet) is not judged.
func PlacementProblems(network, fleet map[string]any) []string {
	resources, _ := fleet["Resources"].(map[string]any)
	instances := cfntemplate.OfType(resources, "AWS::EC2::Instance")
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(instances)) {
		p := instances[id]
		groups, subnet := cfntemplate.List(p["SecurityGroupIds"]), p["SubnetId"]
		if nics := cfntemplate.List(p["NetworkInterfaces"]); len(nics) > 0 {
			nic, _ := nics[0].(map[string]any)
			groups, subnet = cfntemplate.List(nic["GroupSet"]), nic["SubnetId"]
		}
		wantGroup, wantPublic, role := InstancesGroup, false, "a fleet instance"
		if strings.HasPrefix(id, WsusInstancePrefix) {
			wantGroup, wantPublic, role = ServerGroup, true, "the WSUS server"
		}
		if len(groups) == 0 {
			problems = append(problems, fmt.Sprintf("instance %s (%s): no security group of the network stack's: the VPC's default group is not the %s... the flow table places it in: its rows judge that group, not this placement", id, role, wantGroup))
		}
		for _, g := range groups {
			if got := securityGroupOf(resolveOutput(network, g)); !strings.HasPrefix(got, wantGroup) {
				problems = append(problems, fmt.Sprintf("instance %s (%s): in security group %s, not the %s... the flow table places it in: its rows judge that group, not this placement", id, role, got, wantGroup))
			}
		}
		networkResources, _ := network["Resources"].(map[string]any)
		s, ok := cfntemplate.OfType(networkResources, "AWS::EC2::Subnet")[cfntemplate.Ref(resolveOutput(network, subnet))]
		if ok && (subnetType(s) == "Public") != wantPublic {
			problems = append(problems, fmt.Sprintf("instance %s (%s): in subnet %s, a %s one, where the flow table puts it in a %s one",
				id, role, cfntemplate.Ref(resolveOutput(network, subnet)), publicOrPrivate(!wantPublic), publicOrPrivate(wantPublic)))
		}
		// "Each subnet must reside entirely within one Availability Zone and cannot span zones"
		// ("Subnets for your VPC", Amazon VPC User Guide): an instance given a zone other than its
		// subnet's cannot launch.
		if zone, given := p["AvailabilityZone"]; given && ok && s["AvailabilityZone"] != nil && !sameValue(zone, s["AvailabilityZone"]) {
			problems = append(problems, fmt.Sprintf("instance %s (%s): in zone %v, its subnet %s in %v", id, role, zone, cfntemplate.Ref(resolveOutput(network, subnet)), s["AvailabilityZone"]))
		}
	}
	problems = append(problems, volumeZones(network, resources)...)
	return append(problems, serverParts(resources)...)
}

// ExistingSubnetZoneProblems are the fleet stack's instances given an AvailabilityZone other than
// the zone of their subnet, where that subnet is an existing VPC's, named by a literal id that
// zones (the configuration's network.existingVpc subnets: id to zone) places. EC2 launches an
// instance in the subnet's zone or not at all: "InvalidParameterValue: Value (us-east-1c) for
// parameter availabilityZone is invalid. Subnet 'subnet-aff9fe92' is in the availability zone
// us-east-1b" (RunInstances, as hashicorp/terraform-provider-aws issue 13999 quotes it, read
// 2026-12-07). PlacementProblems judges a subnet of the network template (mutation run 23's B04:
// the existing VPC's subnet of another zone, RunInstances refused).
func ExistingSubnetZoneProblems(fleet map[string]any, zones map[string]string) []string {
	instances := cfntemplate.OfType(cfntemplate.Resources(fleet), "AWS::EC2::Instance")
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(instances)) {
		p := instances[id]
		literal, _ := cfntemplate.InstanceSubnet(p).(string)
		zone, given := p["AvailabilityZone"].(string)
		if want, known := zones[literal]; known && given && zone != want {
			problems = append(problems, fmt.Sprintf("instance %s: AvailabilityZone %s, its subnet %s in %s (the existing VPC's, as configured or looked up): RunInstances refuses it", id, zone, literal, want))
		}
	}
	return problems
}

// serverParts: the Elastic IP is in the VPC's network (AWS::EC2::EIP Domain: "The network (vpc)",
// CloudFormation resource specification, @aws-cdk/aws-service-spec 0.1.216, read 2026-12-07) and
// it and the update store belong to the WSUS server (the public instance), and each instance's launch template is the one its Version names, under the name the
// instance gives, requiring IMDSv2 explicitly (AWS::EC2::LaunchTemplate MetadataOptions
// HttpTokens: left out, the default depends on the AMI's ImdsSupport and the account's setting,
// CloudFormation resource specification).
func serverParts(resources map[string]any) []string {
	var problems []string
	eips := cfntemplate.OfType(resources, "AWS::EC2::EIP")
	for _, id := range slices.Sorted(maps.Keys(eips)) {
		if domain, ok := eips[id]["Domain"]; ok && domain != "vpc" {
			problems = append(problems, fmt.Sprintf("Elastic IP %s: Domain %v, not vpc", id, domain))
		}
		if instance := cfntemplate.Ref(eips[id]["InstanceId"]); instance != "" && !strings.HasPrefix(instance, WsusInstancePrefix) {
			problems = append(problems, fmt.Sprintf("Elastic IP %s: on instance %s, not the WSUS server: the server has no public address, and a private instance gets one", id, instance))
		}
	}
	attachments := cfntemplate.OfType(resources, "AWS::EC2::VolumeAttachment")
	for _, id := range slices.Sorted(maps.Keys(attachments)) {
		a := attachments[id]
		if strings.HasPrefix(cfntemplate.Ref(a["VolumeId"]), "WsusUpdateStore") && !strings.HasPrefix(cfntemplate.Ref(a["InstanceId"]), WsusInstancePrefix) {
			problems = append(problems, fmt.Sprintf("volume attachment %s: the update store on instance %v, not the WSUS server", id, a["InstanceId"]))
		}
	}
	templates := cfntemplate.OfType(resources, "AWS::EC2::LaunchTemplate")
	instances := cfntemplate.OfType(resources, "AWS::EC2::Instance")
	for _, id := range slices.Sorted(maps.Keys(instances)) {
		lt, ok := instances[id]["LaunchTemplate"].(map[string]any)
		if !ok {
			continue
		}
		version, _ := lt["Version"].(map[string]any)
		att := cfntemplate.List(version["Fn::GetAtt"])
		ltID := cfntemplate.Ref(lt["LaunchTemplateId"])
		if len(att) > 0 {
			ltID = fmt.Sprint(att[0])
		}
		template, found := templates[ltID]
		switch {
		case !found:
			problems = append(problems, fmt.Sprintf("instance %s: its launch template %s is not in the template", id, ltID))
			continue
		case lt["LaunchTemplateName"] != nil && fmt.Sprint(lt["LaunchTemplateName"]) != fmt.Sprint(template["LaunchTemplateName"]):
			problems = append(problems, fmt.Sprintf("instance %s: names launch template %v, while %s is named %v", id, lt["LaunchTemplateName"], ltID, template["LaunchTemplateName"]))
		}
		data, _ := template["LaunchTemplateData"].(map[string]any)
		metadata, _ := data["MetadataOptions"].(map[string]any)
		if metadata["HttpTokens"] != "required" {
			problems = append(problems, fmt.Sprintf("instance %s: its launch template %s does not require IMDSv2 (MetadataOptions HttpTokens %v)", id, ltID, metadata["HttpTokens"]))
		}
	}
	return problems
}

// volumeZones: a volume attaches only to an instance in its Availability Zone
// (AWS::EC2::VolumeAttachment VolumeId: "The volume and instance must be within the same
// Availability Zone", CloudFormation resource specification).
func volumeZones(network, resources map[string]any) []string {
	var problems []string
	instances, volumes := cfntemplate.OfType(resources, "AWS::EC2::Instance"), cfntemplate.OfType(resources, "AWS::EC2::Volume")
	attachments := cfntemplate.OfType(resources, "AWS::EC2::VolumeAttachment")
	for _, id := range slices.Sorted(maps.Keys(attachments)) {
		a := attachments[id]
		instance, iok := instances[cfntemplate.Ref(a["InstanceId"])]
		volume, vok := volumes[cfntemplate.Ref(a["VolumeId"])]
		if !iok || !vok {
			continue
		}
		zone := instance["AvailabilityZone"]
		if zone == nil { // the instance's subnet's
			networkResources, _ := network["Resources"].(map[string]any)
			subnet := resolveOutput(network, cfntemplate.InstanceSubnet(instance))
			zone = cfntemplate.OfType(networkResources, "AWS::EC2::Subnet")[cfntemplate.Ref(subnet)]["AvailabilityZone"]
		}
		if zone != nil && !sameValue(zone, volume["AvailabilityZone"]) {
			problems = append(problems, fmt.Sprintf("volume attachment %s: volume %s is in zone %v, instance %s in %v", id, cfntemplate.Ref(a["VolumeId"]), volume["AvailabilityZone"], cfntemplate.Ref(a["InstanceId"]), zone))
		}
	}
	return problems
}

// sameValue compares two property values as the template writes them.
func sameValue(a, b any) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

func publicOrPrivate(public bool) string {
	if public {
		return "public"
	}
	return "private"
}

// resolveOutput is the value of the network stack's output that v names through
// Fn::GetStackOutput (its OutputName) or Fn::ImportValue (its Export Name), or v itself.
func resolveOutput(network map[string]any, v any) any {
	m, _ := v.(map[string]any)
	outputs, _ := network["Outputs"].(map[string]any)
	if get, ok := m["Fn::GetStackOutput"].(map[string]any); ok {
		if o, ok := outputs[fmt.Sprint(get["OutputName"])].(map[string]any); ok {
			return o["Value"]
		}
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
