package wiring

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// ExistingVpcIds checks that every literal VPC and subnet id the templates name is the
// configured existing VPC's (network.existingVpc: vpcId, privateSubnets, publicSubnets): a
// resource given another VPC's id fails the deploy, or attaches to a VPC the fleet is not in
// (mutation run 12's A05: the S3 endpoint's VpcId one digit off). Found by property name (VpcId,
// SubnetId, SubnetIds) anywhere in any resource, so a new resource is judged without a row. With
// a lookup, the ids come from cdk.context.json, not the configuration: not judged.
func ExistingVpcIds(d *config.Config, templates ...map[string]any) []string {
	e := d.Network.ExistingVpc
	if e == nil || e.Lookup != nil {
		return nil
	}
	subnets := map[string]bool{}
	for _, s := range append(slices.Clone(e.PrivateSubnets), e.PublicSubnets...) {
		subnets[s.ID] = true
	}
	var problems []string
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		for _, id := range slices.Sorted(maps.Keys(resources)) {
			r, _ := resources[id].(map[string]any)
			walkProperties(r["Properties"], func(key string, value any) {
				text, literal := value.(string)
				if !literal {
					return
				}
				switch {
				case key == "VpcId" && strings.HasPrefix(text, "vpc-") && text != e.VpcID:
					problems = append(problems, fmt.Sprintf("%s: VpcId %s is not the configured existing VPC %s (network.existingVpc.vpcId)", id, text, e.VpcID))
				case (key == "SubnetId" || key == "SubnetIds") && strings.HasPrefix(text, "subnet-") && !subnets[text]:
					problems = append(problems, fmt.Sprintf("%s: %s %s is none of the configured existing VPC's subnets (network.existingVpc.privateSubnets, publicSubnets)", id, key, text))
				}
			})
		}
	}
	return problems
}

// walkProperties calls visit with each key and each value (a list's items one by one) under
// properties, at any depth.
func walkProperties(v any, visit func(key string, value any)) {
	switch v := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if list, ok := v[k].([]any); ok {
				for _, item := range list {
					visit(k, item)
				}
			} else {
				visit(k, v[k])
			}
			walkProperties(v[k], visit)
		}
	case []any:
		for _, item := range v {
			walkProperties(item, visit)
		}
	}
}

// Lifecycles checks that the command-output bucket (and its access-log bucket) keep objects as
// long as commandOutput.retentionDays says, and the flow-log buckets as long as
// network.flowLogs.retentionDays: a shorter expiration deletes make patch-now's and a promoted
// ring's install lists before the next ring's window reads them (mutation run 12's B20: 365 days
// become 1), and the output and logs the configuration keeps. Every bucket of the templates is one
// of the two, by the construct ids the stacks keep (a bucket of neither is named).
func Lifecycles(d *config.Config, templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		buckets := cfntemplate.OfType(cfntemplate.Resources(template), "AWS::S3::Bucket")
		for _, id := range slices.Sorted(maps.Keys(buckets)) {
			var want int
			var field string
			switch {
			case strings.HasPrefix(id, "CommandOutput"):
				want, field = d.CommandOutput.RetentionDays, "commandOutput.retentionDays"
			case strings.HasPrefix(id, "NetworkFlowLogs"):
				want, field = d.Network.FlowLogs.RetentionDays, "network.flowLogs.retentionDays"
			default:
				problems = append(problems, fmt.Sprintf("bucket %s: neither the command-output nor a flow-log bucket: its lifecycle is not judged", id))
				continue
			}
			lifecycle, _ := buckets[id]["LifecycleConfiguration"].(map[string]any)
			rules := cfntemplate.List(lifecycle["Rules"])
			if len(rules) == 0 {
				problems = append(problems, fmt.Sprintf("bucket %s: no lifecycle rule: it keeps objects for ever, not the %d days of %s", id, want, field))
			}
			for _, rule := range rules {
				rule, _ := rule.(map[string]any)
				noncurrent, _ := rule["NoncurrentVersionExpiration"].(map[string]any)
				if got := cfntemplate.Int(rule["ExpirationInDays"]); got != want {
					problems = append(problems, fmt.Sprintf("bucket %s: objects expire after %d days, not the %d of %s", id, got, want, field))
				}
				if got := cfntemplate.Int(noncurrent["NoncurrentDays"]); got != want {
					problems = append(problems, fmt.Sprintf("bucket %s: old versions expire after %d days, not the %d of %s", id, got, want, field))
				}
			}
		}
	}
	return problems
}

// NatSubnets checks that each NAT gateway the network template creates is in a subnet whose
// route table sends 0.0.0.0/0 to an internet gateway of the template: "You must also specify a
// public subnet in which the NAT gateway should reside" and a public subnet "has a direct route to
// an internet gateway" ("NAT gateways" and "Subnets for your VPC", Amazon VPC User Guide). One in
// a private subnet is created, and the private subnets that route through it reach nothing
// (mutation run 12's B02). A NAT gateway in a subnet the template does not create is not judged.
func NatSubnets(network map[string]any) []string {
	resources := cfntemplate.Resources(network)
	subnets := cfntemplate.OfType(resources, "AWS::EC2::Subnet")
	gateways := cfntemplate.OfType(resources, "AWS::EC2::InternetGateway")
	tableOf := map[string]string{}
	for _, a := range cfntemplate.OfType(resources, "AWS::EC2::SubnetRouteTableAssociation") {
		tableOf[cfntemplate.Ref(a["SubnetId"])] = cfntemplate.Ref(a["RouteTableId"])
	}
	toInternet := map[string]bool{}
	for _, r := range cfntemplate.OfType(resources, "AWS::EC2::Route") {
		if _, ok := gateways[cfntemplate.Ref(r["GatewayId"])]; ok && cfntemplate.Text(r["DestinationCidrBlock"]) == "0.0.0.0/0" {
			toInternet[cfntemplate.Ref(r["RouteTableId"])] = true
		}
	}
	var problems []string
	nats := cfntemplate.OfType(resources, "AWS::EC2::NatGateway")
	for _, id := range slices.Sorted(maps.Keys(nats)) {
		subnet := cfntemplate.Ref(nats[id]["SubnetId"])
		if _, ours := subnets[subnet]; !ours {
			continue
		}
		if !toInternet[tableOf[subnet]] {
			problems = append(problems, fmt.Sprintf("NAT gateway %s: its subnet %s routes 0.0.0.0/0 to no internet gateway: it is no public subnet, and the NAT reaches nothing", id, subnet))
		}
	}
	return problems
}

// scanPatchGroups checks that the scan associations scan exactly the configuration's patch
// groups (none with patching.scan.enabled false), each under the tag keys its windows read it from (config.PatchGroupScanKeys; "Patch
// Group" without one): tag values are case-sensitive, so a scan of "Windows" for the group
// "windows" scans no node, and its compliance goes stale (mutation run 12's A18).
func scanPatchGroups(patching map[string]any, d *config.Config) []string {
	want := map[string]bool{}
	keys := d.PatchGroupScanKeys()
	for _, g := range d.PatchGroups() {
		if !d.Patching.Scan.Enabled {
			break // patching.scan.enabled false: no scan is wanted (a false-alarm hunt's find)
		}
		groupKeys := keys[g]
		if len(groupKeys) == 0 {
			groupKeys = []string{patchGroupTagKeys[0][len("tag:"):]}
		}
		for _, k := range groupKeys {
			want["tag:"+k+"="+g] = true
		}
	}
	got := map[string]string{}
	associations := cfntemplate.OfType(cfntemplate.Resources(patching), "AWS::SSM::Association")
	for _, id := range slices.Sorted(maps.Keys(associations)) {
		a := associations[id]
		parameters, _ := a["Parameters"].(map[string]any)
		if !slices.Contains(patchDocuments, cfntemplate.Text(a["Name"])) || !slices.Contains(cfntemplate.Texts(parameters["Operation"]), "Scan") {
			continue
		}
		for _, t := range cfntemplate.List(a["Targets"]) {
			t, _ := t.(map[string]any)
			key := cfntemplate.Text(t["Key"])
			if !slices.Contains(patchGroupTagKeys, key) {
				continue
			}
			for _, v := range cfntemplate.Texts(t["Values"]) {
				got[key+"="+v] = id
			}
		}
	}
	var problems []string
	for _, target := range slices.Sorted(maps.Keys(got)) {
		if !want[target] {
			problems = append(problems, fmt.Sprintf("scan association %s: scans %s, which is no configured patch group under that key %v", got[target], target, slices.Sorted(maps.Keys(want))))
		}
	}
	for _, target := range slices.Sorted(maps.Keys(want)) {
		if got[target] == "" {
			problems = append(problems, fmt.Sprintf("no scan association scans %s, a configured patch group", target))
		}
	}
	return problems
}

// ownersRouting are the resource types by which a stack would change an existing VPC's subnets
// and routes, which network.existingVpc leaves to its owner (config.ExistingVpc: the S3 gateway
// endpoint goes on the listed route tables only with s3Endpoint: created).
var ownersRouting = []string{"AWS::EC2::RouteTable", "AWS::EC2::Route", "AWS::EC2::SubnetRouteTableAssociation", "AWS::EC2::Subnet"}

// ExistingVpcRouting checks that in an existing VPC the network stack creates no route table,
// route, subnet or subnet route-table association, and no S3 gateway endpoint unless s3Endpoint
// is created. In a shared VPC the deploy fails: "VPC owners are responsible for creating,
// managing, and deleting the resources associated with a shared VPC. These include subnets, route
// tables, network ACLs, [...] gateway endpoints" ("Responsibilities and permissions for owners
// and participants"), and "Participants cannot view, modify, or delete resources that belong to
// other participants or the VPC owner" ("Share your VPC subnets with other accounts"; Amazon VPC
// User Guide, both read 2026-12-07). In one this account owns, it reroutes subnets the
// configuration declares routed already (held-out run 30's A07 and A06).
func ExistingVpcRouting(d *config.Config, network map[string]any) []string {
	e := d.Network.ExistingVpc
	if e == nil {
		return nil
	}
	whose := "its owner's"
	if e.SharedWith(d.Account) {
		whose = fmt.Sprintf("shared by account %s, which only the owner may change", e.OwnerAccount)
	}
	resources := cfntemplate.Resources(network)
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(resources)) {
		r, _ := resources[id].(map[string]any)
		kind := cfntemplate.Text(r["Type"])
		if slices.Contains(ownersRouting, kind) {
			problems = append(problems, fmt.Sprintf("%s: creates an %s in the existing VPC %s (network.existingVpc), whose subnets and routes are %s", id, kind, e.VpcID, whose))
		}
		p, _ := r["Properties"].(map[string]any)
		gateway := kind == "AWS::EC2::VPCEndpoint" && (p["VpcEndpointType"] == nil || p["VpcEndpointType"] == "Gateway")
		service := endpointService(p["ServiceName"])
		s3 := strings.HasSuffix(service, ".s3")
		switch {
		case gateway && s3 && e.S3Endpoint != config.S3EndpointCreated:
			problems = append(problems, fmt.Sprintf("%s: creates a gateway endpoint on the route tables of the existing VPC %s, where network.existingVpc.s3Endpoint is %s (the VPC has its own), and its routes are %s", id, e.VpcID, e.S3Endpoint, whose))
		case gateway && !s3 && e.SharedWith(d.Account):
			// Another service's gateway endpoint (DynamoDB's) changes the owner's route tables too.
			problems = append(problems, fmt.Sprintf("%s: creates a gateway endpoint (%s) on the route tables of the existing VPC %s, whose routes are %s", id,
				service, e.VpcID, whose))
		}
	}
	return problems
}

// endpointService is a VPC endpoint's ServiceName (com.amazonaws.REGION.SERVICE) as text, with
// "<region>" for the region: literal, CDK's Join with {"Ref": "AWS::Region"}, or a Sub on
// ${AWS::Region}; "<region>" alone for another intrinsic. The S3 endpoint is the one ending in
// .s3, whatever form it is written in (the second review of session 18's finding 8).
func endpointService(v any) string {
	return cfntemplate.Joined(v, func(x any) string {
		m, _ := x.(map[string]any)
		sub := m["Fn::Sub"]
		if list := cfntemplate.List(sub); len(list) > 0 {
			sub = list[0] // [template, variables]
		}
		if text, ok := sub.(string); ok {
			return strings.ReplaceAll(text, "${AWS::Region}", "<region>")
		}
		return "<region>"
	})
}
