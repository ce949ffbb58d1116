package wiring

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// NatRoutes checks, where network.nat is on and the template creates the VPC, that every subnet
// routing nowhere to an internet gateway (a private one) routes 0.0.0.0/0, all of it, to a NAT
// gateway of the template, and that each NAT gateway is a public one: "Public – Instances in
// private subnets can connect to the internet through a public NAT gateway"; a private NAT
// gateway reaches other VPCs and on-premises networks only, and takes no Elastic IP ("NAT
// gateways", Amazon VPC User Guide). Mutation run 14's B01 (a default route deleted), B02 (one
// narrowed to 0.0.0.0/1) and B03 (a private NAT gateway). verify's flow table reaches the
// internet through the ACLs and security groups; these are the routes under it.
func NatRoutes(network map[string]any, d *config.Config) []string {
	resources := cfntemplate.Resources(network)
	nats := cfntemplate.OfType(resources, "AWS::EC2::NatGateway")
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(nats)) {
		if kind := cfntemplate.Text(nats[id]["ConnectivityType"]); kind != "" && kind != "public" {
			problems = append(problems, fmt.Sprintf("NAT gateway %s: connectivity %q: a private NAT gateway reaches no internet", id, kind))
		} else if problem := natAddress(resources, nats[id]); problem != "" {
			problems = append(problems, fmt.Sprintf("NAT gateway %s: %s", id, problem))
		}
	}
	subnets := cfntemplate.OfType(resources, "AWS::EC2::Subnet")
	if !d.Network.Nat.Enabled || len(subnets) == 0 {
		return problems
	}
	gateways := cfntemplate.OfType(resources, "AWS::EC2::InternetGateway")
	tableOf := map[string]string{}
	for _, a := range cfntemplate.OfType(resources, "AWS::EC2::SubnetRouteTableAssociation") {
		tableOf[cfntemplate.Ref(a["SubnetId"])] = cfntemplate.Ref(a["RouteTableId"])
	}
	toInternet, toNat := map[string]bool{}, map[string]bool{}
	for _, r := range cfntemplate.OfType(resources, "AWS::EC2::Route") {
		table := cfntemplate.Ref(r["RouteTableId"])
		if cfntemplate.Text(r["DestinationCidrBlock"]) != "0.0.0.0/0" {
			continue
		}
		if _, ok := gateways[cfntemplate.Ref(r["GatewayId"])]; ok {
			toInternet[table] = true
		}
		if _, ok := nats[cfntemplate.Ref(r["NatGatewayId"])]; ok {
			toNat[table] = true
		}
	}
	for _, id := range slices.Sorted(maps.Keys(subnets)) {
		table, associated := tableOf[id]
		switch {
		case !associated:
			problems = append(problems, fmt.Sprintf("subnet %s: network.nat is on, and no route table of the template is associated with it: it uses the VPC's main route table, which routes 0.0.0.0/0 nowhere, so its instances reach no internet", id))
		case !toInternet[table] && !toNat[table]:
			problems = append(problems, fmt.Sprintf("subnet %s: network.nat is on, and its route table %s routes 0.0.0.0/0 to no NAT gateway: its instances reach no internet", id, table))
		}
	}
	if d.Network.Nat.Gateways == config.NatPerAz {
		problems = append(problems, natZones(resources, tableOf)...)
	}
	return problems
}

// natAddress is what is wrong with a public NAT gateway's Elastic IP, or "". AllocationId: "This
// property is required for a public NAT gateway" (a zonal one: a regional NAT gateway allocates
// its own); it is the EIP's AllocationId attribute, while an EIP's Ref is its public address
// ("AWS::EC2::NatGateway" and "AWS::EC2::EIP", AWS CloudFormation template reference, as
// @aws-cdk/aws-service-spec carries them, read 2026-12-07). Mutation run 32's A03.
func natAddress(resources map[string]any, nat map[string]any) string {
	if mode := cfntemplate.Text(nat["AvailabilityMode"]); mode != "" && mode != "zonal" {
		return ""
	}
	allocation := nat["AllocationId"]
	if allocation == nil {
		return "a public NAT gateway without an AllocationId: CreateNatGateway requires an Elastic IP, and the stack fails"
	}
	eips := cfntemplate.OfType(resources, "AWS::EC2::EIP")
	if ref := cfntemplate.Ref(allocation); ref != "" && eips[ref] != nil {
		return fmt.Sprintf("AllocationId is the Ref of Elastic IP %s, its public address, not its allocation ID (Fn::GetAtt %s.AllocationId): the stack fails", ref, ref)
	}
	return ""
}

// DuplicateRoutes names two routes of one route table to the same destination. A route is
// identified by its table and destination (AWS::EC2::Route's primary identifier, RouteTableId and
// CidrBlock, in its resource schema as @aws-cdk/aws-service-spec carries it), and EC2 changes an
// existing one only with ReplaceRoute, whose destination "must match the CIDR of an existing route
// in the table" (EC2 API Reference, ReplaceRoute, read 2026-12-07): the second creation fails, and
// the stack with it. Mutation run 32's A05 (one subnet's default route moved to another's table).
func DuplicateRoutes(network map[string]any) []string {
	routes := cfntemplate.OfType(cfntemplate.Resources(network), "AWS::EC2::Route")
	first := map[string]string{}
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(routes)) {
		r := routes[id]
		table := cfntemplate.Ref(r["RouteTableId"])
		if table == "" { // an existing table's literal id, or another expression
			text, _ := json.Marshal(r["RouteTableId"])
			table = string(text)
		}
		for _, key := range []string{"DestinationCidrBlock", "DestinationIpv6CidrBlock", "DestinationPrefixListId"} {
			if r[key] == nil {
				continue
			}
			destination, _ := json.Marshal(r[key])
			k := table + " " + key + " " + canonicalDestination(r[key], string(destination))
			if other, ok := first[k]; ok {
				problems = append(problems, fmt.Sprintf("routes %s and %s: both route %s in route table %s: a table has one route per destination, so the second's creation fails and the stack with it",
					other, id, destination, table))
			} else {
				first[k] = id
			}
		}
	}
	return problems
}

// natZones checks, with network.nat.gateways: per-az, that each subnet's default route to a NAT
// gateway names the one in the subnet's own zone: "If you have resources in multiple Availability
// Zones and they share one NAT gateway, and if the NAT gateway's Availability Zone is down,
// resources in the other Availability Zones lose internet access. To improve resiliency, create a
// NAT gateway in each Availability Zone, and configure your routing to ensure that resources use
// the NAT gateway in the same Availability Zone" ("NAT gateway basics", Amazon VPC User Guide,
// read 2026-12-07). Zones are compared as written (a literal, or Fn::Select of Fn::GetAZs), as
// CDK writes them alike for a subnet and the NAT gateway's subnet. Mutation run 24's B14.
func natZones(resources map[string]any, tableOf map[string]string) []string {
	subnets := cfntemplate.OfType(resources, "AWS::EC2::Subnet")
	nats := cfntemplate.OfType(resources, "AWS::EC2::NatGateway")
	zone := func(subnet string) string {
		s, ok := subnets[subnet]
		if !ok || s["AvailabilityZone"] == nil {
			return ""
		}
		text, _ := json.Marshal(s["AvailabilityZone"])
		return string(text)
	}
	natOf := map[string]string{}
	for _, r := range cfntemplate.OfType(resources, "AWS::EC2::Route") {
		if nat := cfntemplate.Ref(r["NatGatewayId"]); cfntemplate.Text(r["DestinationCidrBlock"]) == "0.0.0.0/0" && nats[nat] != nil {
			natOf[cfntemplate.Ref(r["RouteTableId"])] = nat
		}
	}
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(subnets)) {
		nat, ok := natOf[tableOf[id]]
		if !ok {
			continue
		}
		own, theirs := zone(id), zone(cfntemplate.Ref(nats[nat]["SubnetId"]))
		if own != "" && theirs != "" && own != theirs {
			problems = append(problems, fmt.Sprintf("subnet %s: network.nat.gateways is per-az, and its default route goes to NAT gateway %s in another zone (%s, not %s): when that zone is down, this one loses the internet, and every byte crosses zones",
				id, nat, theirs, own))
		}
	}
	return problems
}

// EndpointRegions checks that every VPC endpoint's literal service name is of the deployment's
// region (com.amazonaws.<region>.<service>): another region's service is refused in this region's
// VPC, and the network stack fails (mutation run 14's A17). Regions judges ARNs; this, the names.
func EndpointRegions(network map[string]any, region string) []string {
	endpoints := cfntemplate.OfType(cfntemplate.Resources(network), "AWS::EC2::VPCEndpoint")
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(endpoints)) {
		name, literal := endpoints[id]["ServiceName"].(string)
		parts := strings.Split(name, ".")
		if literal && region != "" && len(parts) >= 4 && parts[1] == "amazonaws" && parts[2] != region {
			problems = append(problems, fmt.Sprintf("VPC endpoint %s: service %s is of region %s, not the deployment's %s", id, name, parts[2], region))
		}
	}
	return problems
}

// StackOutputRefs checks that every Fn::GetStackOutput of a deployment's templates reads an
// output of one of that deployment's own stacks, in its region: another region's or another
// environment's stack does not exist where the reference is resolved, and the deploy fails
// (mutation run 14's A01 and A02). References checks the output's name.
func StackOutputRefs(d *config.Config, templates ...map[string]any) []string {
	own := []string{d.StackName("network"), d.StackName("fleet"), d.StackName("patching")}
	var problems []string
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		for _, id := range slices.Sorted(maps.Keys(resources)) {
			r, _ := resources[id].(map[string]any)
			walkProperties(r, func(key string, value any) {
				if key != "Fn::GetStackOutput" {
					return
				}
				ref, _ := value.(map[string]any)
				if stack := cfntemplate.Text(ref["StackName"]); stack != "" && !slices.Contains(own, stack) {
					problems = append(problems, fmt.Sprintf("%s: reads an output of stack %s, not one of the deployment's %v", id, stack, own))
				}
				if region := cfntemplate.Text(ref["Region"]); region != "" && d.Region != "" && region != d.Region {
					problems = append(problems, fmt.Sprintf("%s: reads an output in region %s, not the deployment's %s", id, region, d.Region))
				}
			})
		}
	}
	return problems
}

// MetricNamespaces checks that an alarm on an EventBridge metric reads it in AWS/Events: in
// another namespace no data ever comes, and a window's failure alarm never fires (mutation run
// 14's A12: AWS/EventBridge).
func MetricNamespaces(patching map[string]any) []string {
	alarms := cfntemplate.OfType(cfntemplate.Resources(patching), "AWS::CloudWatch::Alarm")
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(alarms)) {
		metrics := []map[string]any{alarms[id]}
		for _, q := range cfntemplate.List(alarms[id]["Metrics"]) {
			q, _ := q.(map[string]any)
			stat, _ := q["MetricStat"].(map[string]any)
			metric, _ := stat["Metric"].(map[string]any)
			metrics = append(metrics, metric)
		}
		for _, m := range metrics {
			namespace := cfntemplate.Text(m["Namespace"])
			if slices.Contains(DocumentedMetrics["AWS/Events"].Metrics, cfntemplate.Text(m["MetricName"])) && namespace != "AWS/Events" &&
				slices.ContainsFunc(cfntemplate.List(m["Dimensions"]), func(d any) bool { dm, _ := d.(map[string]any); return cfntemplate.Text(dm["Name"]) == "RuleName" }) {
				problems = append(problems, fmt.Sprintf("alarm %s: reads EventBridge's %s in %s, not AWS/Events: it never sees data", id, cfntemplate.Text(m["MetricName"]), namespace))
			}
		}
	}
	return problems
}

// AttachedBeforeUse checks that a resource given a volume's id (the WSUS setup association's
// UpdateStoreVolumeId) is created after that volume's attachment: its first run formats the
// update store, and started before the attachment it finds no disk (mutation run 14's A19).
func AttachedBeforeUse(fleet map[string]any) []string {
	resources := cfntemplate.Resources(fleet)
	attachmentOf := map[string]string{}
	for id, a := range cfntemplate.OfType(resources, "AWS::EC2::VolumeAttachment") {
		attachmentOf[cfntemplate.Ref(a["VolumeId"])] = id
	}
	var problems []string
	associations := cfntemplate.OfType(resources, "AWS::SSM::Association")
	for _, id := range slices.Sorted(maps.Keys(associations)) {
		parameters, _ := associations[id]["Parameters"].(map[string]any)
		for _, name := range slices.Sorted(maps.Keys(parameters)) {
			attachment, ok := attachmentOf[cfntemplate.Ref(cfntemplate.First(parameters[name]))]
			if !ok {
				continue
			}
			r, _ := resources[id].(map[string]any)
			if !slices.Contains(cfntemplate.Texts(r["DependsOn"]), attachment) {
				problems = append(problems, fmt.Sprintf("association %s: is given volume %s (%s) and does not depend on its attachment %s: its first run may find no disk",
					id, cfntemplate.Ref(cfntemplate.First(parameters[name])), name, attachment))
			}
		}
	}
	return problems
}

// Addresses checks the network template's Elastic IPs and the endpoints' subnets (mutation run
// 16's misses): every Elastic IP is a VPC one (Domain vpc; a standard address has no allocation
// id, so the NAT gateway or association naming one fails) and backs one NAT gateway at most
// (B01, B02); an interface endpoint has one subnet per Availability Zone: "You can select one
// subnet per Availability Zone" ("Access an AWS service using an interface VPC endpoint", AWS
// PrivateLink Guide) (A02).
func Addresses(network map[string]any) []string {
	resources := cfntemplate.Resources(network)
	var problems []string
	eips := cfntemplate.OfType(resources, "AWS::EC2::EIP")
	for _, id := range slices.Sorted(maps.Keys(eips)) {
		if domain := cfntemplate.Text(eips[id]["Domain"]); domain != "vpc" {
			problems = append(problems, fmt.Sprintf("Elastic IP %s: domain %q, not vpc", id, domain))
		}
	}
	backed := map[string]string{}
	nats := cfntemplate.OfType(resources, "AWS::EC2::NatGateway")
	for _, id := range slices.Sorted(maps.Keys(nats)) {
		allocation := rendered(nats[id]["AllocationId"])
		if other, ok := backed[allocation]; ok && allocation != "" {
			problems = append(problems, fmt.Sprintf("NAT gateway %s: its Elastic IP backs NAT gateway %s too", id, other))
		}
		backed[allocation] = id
	}
	subnets := cfntemplate.OfType(resources, "AWS::EC2::Subnet")
	endpoints := cfntemplate.OfType(resources, "AWS::EC2::VPCEndpoint")
	for _, id := range slices.Sorted(maps.Keys(endpoints)) {
		zones := map[string]string{}
		for _, s := range cfntemplate.List(endpoints[id]["SubnetIds"]) {
			subnet, ok := subnets[cfntemplate.Ref(s)]
			zone := rendered(subnet["AvailabilityZone"]) // a name, or the same Fn::Select of Fn::GetAZs
			if !ok || subnet["AvailabilityZone"] == nil {
				continue
			}
			if other, seen := zones[zone]; seen {
				problems = append(problems, fmt.Sprintf("VPC endpoint %s: subnets %s and %s are both in %s: one subnet per Availability Zone", id, other, cfntemplate.Ref(s), zone))
			}
			zones[zone] = cfntemplate.Ref(s)
		}
	}
	return problems
}

// AlarmsAndPolicies checks what a template states that AWS refuses across two properties or a
// partition (mutation run 16's misses): an alarm's DatapointsToAlarm is at most its
// EvaluationPeriods ("the number of datapoints within the evaluation period that must be
// breaching", PutMetricAlarm, Amazon CloudWatch API Reference) (B20); a role's managed policy ARN
// is of the deployment's partition (arn:aws: in the commercial regions), or the policy does not
// exist there (B09).
func AlarmsAndPolicies(partition string, templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		alarms := cfntemplate.OfType(resources, "AWS::CloudWatch::Alarm")
		for _, id := range slices.Sorted(maps.Keys(alarms)) {
			if _, given := alarms[id]["DatapointsToAlarm"]; given && cfntemplate.Int(alarms[id]["DatapointsToAlarm"]) > cfntemplate.Int(alarms[id]["EvaluationPeriods"]) {
				problems = append(problems, fmt.Sprintf("alarm %s: DatapointsToAlarm %d over EvaluationPeriods %d", id, cfntemplate.Int(alarms[id]["DatapointsToAlarm"]), cfntemplate.Int(alarms[id]["EvaluationPeriods"])))
			}
		}
		roles := cfntemplate.OfType(resources, "AWS::IAM::Role")
		for _, id := range slices.Sorted(maps.Keys(roles)) {
			for _, arn := range cfntemplate.List(roles[id]["ManagedPolicyArns"]) {
				text, literal := arn.(string)
				if parts := strings.SplitN(text, ":", 3); literal && len(parts) == 3 && parts[1] != partition {
					problems = append(problems, fmt.Sprintf("role %s: managed policy %s is of partition %s, not the deployment's %s", id, text, parts[1], partition))
				}
			}
		}
	}
	return problems
}

// canonicalDestination is a literal CIDR as EC2 stores it, its host bits cleared ("We modify the
// specified CIDR block to its canonical form; for example, if you specify 100.68.0.18/18, we
// modify it to 100.68.0.0/18", AWS::EC2::Route DestinationCidrBlock, CloudFormation Template
// Reference, read 2026-12-07): 10.1.2.3/16 and 10.1.0.0/16 are one destination. Anything else is
// compared as written.
func canonicalDestination(v any, written string) string {
	text, literal := v.(string)
	if !literal {
		return written
	}
	prefix, err := netip.ParsePrefix(text)
	if err != nil {
		return written
	}
	return prefix.Masked().String()
}
