// Package vpcclash finds what an existing VPC already has that the network stack would create in
// it again, where creating it fails half-way: an S3 gateway endpoint on the same route tables, or
// the private DNS names of the Systems Manager endpoints (an endpoint with private DNS, or a hub's
// private hosted zone associated with the VPC), or DNS attributes that private DNS needs. make
// check-update reads the VPC with the AWS CLI (describe-vpc-endpoints, route53
// list-hosted-zones-by-vpc, describe-vpc-attribute, describe-vpcs, describe-dhcp-options) and this
// judges the answers against the synthesised network template, and notes DNS servers that may not
// resolve the endpoints' private names (Notes). No CDK.
package vpcclash

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
)

// AWS facts, each with its page (read 2026-12-06):
//   - "Gateway endpoints" (AWS PrivateLink guide): several gateway endpoints for one service use
//     different route tables; a route table has one route per service prefix list, which an S3
//     gateway endpoint adds to each of its tables.
//   - CreateVpcEndpoint, PrivateDnsEnabled (Amazon EC2 API Reference): private DNS associates a
//     private hosted zone holding the service's default DNS name (e.g. ssm.us-west-2.amazonaws.com)
//     with the VPC, and needs the VPC attributes enableDnsHostnames and enableDnsSupport true.
//   - A VPC resolves one private hosted zone per name: where a hub's zone for the service's name is
//     associated already, the endpoint's private DNS conflicts with it.
//   - CloudFormation does not add its aws:cloudformation:* tags to AWS::EC2::VPCEndpoint (its
//     resource schema has "cloudFormationSystemTags": false; "AWS::EC2::VPCEndpoint-Tags",
//     aws-cloudformation/cloudformation-coverage-roadmap#196): the stack's own endpoints are known
//     by their physical ids in ListStackResources ("ListStackResources", AWS CloudFormation API
//     Reference: StackResourceSummaries of ResourceType and PhysicalResourceId, the endpoint's
//     vpce- id), and are no clash on an update.

// Plan is what a network template creates in an existing VPC.
type Plan struct {
	VpcID, Region string
	// S3RouteTables are the route tables the S3 gateway endpoint is added to (none: not created).
	S3RouteTables []string
	// PrivateDNSServices are the interface endpoints' services with private DNS
	// (com.amazonaws.REGION.ssm, ...).
	PrivateDNSServices []string
}

// FromTemplate reads the plan of a network template in region; ok is false for a template that
// creates its own VPC (or holds no network).
func FromTemplate(template map[string]any, region string) (Plan, bool) {
	plan := Plan{Region: region}
	resources, _ := template["Resources"].(map[string]any)
	for _, r := range resources {
		if r.(map[string]any)["Type"] == "AWS::EC2::VPC" {
			return Plan{}, false
		}
	}
	outputs, _ := template["Outputs"].(map[string]any)
	vpc, _ := outputs["VpcId"].(map[string]any)
	plan.VpcID, _ = vpc["Value"].(string)
	if !strings.HasPrefix(plan.VpcID, "vpc-") {
		return Plan{}, false
	}
	for _, r := range resources {
		r := r.(map[string]any)
		if r["Type"] != "AWS::EC2::VPCEndpoint" {
			continue
		}
		p, _ := r["Properties"].(map[string]any)
		service := serviceName(p["ServiceName"], region)
		switch p["VpcEndpointType"] {
		case "Gateway":
			if service == "com.amazonaws."+region+".s3" {
				for _, t := range p["RouteTableIds"].([]any) {
					if s, ok := t.(string); ok {
						plan.S3RouteTables = append(plan.S3RouteTables, s)
					}
				}
			}
		case "Interface":
			if p["PrivateDnsEnabled"] == true {
				plan.PrivateDNSServices = append(plan.PrivateDNSServices, service)
			}
		}
	}
	sort.Strings(plan.S3RouteTables)
	sort.Strings(plan.PrivateDNSServices)
	return plan, true
}

// serviceName resolves a ServiceName: a string, or CDK's Fn::Join of com.amazonaws., the region
// and the service.
func serviceName(v any, region string) string {
	switch v := v.(type) {
	case string:
		return v
	case map[string]any:
		if j, ok := v["Fn::Join"].([]any); ok && len(j) == 2 {
			var parts []string
			for _, p := range j[1].([]any) {
				switch p := p.(type) {
				case string:
					parts = append(parts, p)
				case map[string]any:
					if p["Ref"] == "AWS::Region" {
						parts = append(parts, region)
					}
				}
			}
			sep, _ := j[0].(string)
			return strings.Join(parts, sep)
		}
	}
	return ""
}

// DNSName is the default DNS name of an AWS service endpoint: com.amazonaws.REGION.ssm is
// ssm.REGION.amazonaws.com.
func DNSName(service string) string {
	parts := strings.Split(service, ".")
	if len(parts) < 4 || parts[0] != "com" || parts[1] != "amazonaws" {
		return ""
	}
	return strings.Join(parts[3:], ".") + "." + parts[2] + ".amazonaws.com"
}

// Live is what the AWS CLI answered for the VPC.
type Live struct {
	// Endpoints: aws ec2 describe-vpc-endpoints --filters Name=vpc-id,Values=VPC --output json
	Endpoints []Endpoint
	// Zones: aws route53 list-hosted-zones-by-vpc --vpc-id VPC --vpc-region REGION --output json
	Zones []Zone
	// DNSSupport, DNSHostnames: aws ec2 describe-vpc-attribute --attribute enableDnsSupport
	// (enableDnsHostnames) --output json
	DNSSupport, DNSHostnames bool
	// OwnEndpointIDs are the network stack's own endpoints (none before its first deploy): aws
	// cloudformation list-stack-resources --stack-name STACK --output json (ParseStackEndpoints).
	OwnEndpointIDs []string
	// DHCPOptionsID is the VPC's DHCP option set (aws ec2 describe-vpcs --vpc-ids VPC --output
	// json, ParseVpc): "default" for none. DomainNameServers are its domain-name-servers
	// (aws ec2 describe-dhcp-options --dhcp-options-ids ID --output json, ParseDomainNameServers).
	DHCPOptionsID     string
	DomainNameServers []string
	// VpcCidr is the VPC's primary block (describe-vpcs), whose base address plus two is the
	// Amazon DNS server.
	VpcCidr string
}

// DNS facts (read 2026-12-06):
//   - "The Amazon DNS server in your VPC is used to resolve the DNS domain names that you specify
//     in a private hosted zone in Route 53" ("Understanding Amazon DNS", Amazon VPC User Guide);
//     "Private hosted zones accept DNS queries only from a VPC DNS server", at "the base of the VPC
//     IPv4 network range plus two" (AWS re:Post Knowledge Center, vpc-enable-private-hosted-zone).
//     The endpoints' private DNS names (the endpoints privatepatch creates, or a hub's zone) lead to
//     their private addresses only in the answers of the Amazon DNS server, or of a server that
//     forwards to it.
//   - Instances get their DNS servers from the VPC's DHCP option set: domain-name-servers
//     AmazonProvidedDNS is the Amazon DNS server, which also answers at the VPC's base address
//     plus two and at 169.254.169.253 ("DHCP option sets in Amazon VPC"; "Amazon DNS server",
//     Amazon VPC User Guide); "default" is "to associate no DHCP options with the VPC"
//     ("AssociateDhcpOptions", Amazon EC2 API Reference), and a set without domain-name-servers
//     gives none either.
const amazonProvidedDNS = "AmazonProvidedDNS"

// amazonDNSAddress is the Amazon DNS server's link-local address.
const amazonDNSAddress = "169.254.169.253"

// ParseVpc reads describe-vpcs' output for one VPC: its DHCP option set and primary block.
func ParseVpc(data []byte) (dhcpOptionsID, cidr string, err error) {
	var out struct {
		Vpcs []struct {
			DhcpOptionsID string `json:"DhcpOptionsId"`
			CidrBlock     string `json:"CidrBlock"`
		} `json:"Vpcs"`
	}
	if err := json.Unmarshal(data, &out); err != nil || len(out.Vpcs) != 1 || out.Vpcs[0].DhcpOptionsID == "" {
		return "", "", fmt.Errorf("not the output of aws ec2 describe-vpcs for one VPC (Vpcs[0].DhcpOptionsId): %v", err)
	}
	return out.Vpcs[0].DhcpOptionsID, out.Vpcs[0].CidrBlock, nil
}

// amazonDNS says whether server is the Amazon DNS server: by name, its link-local address, or
// the VPC's base address plus two.
func amazonDNS(server, vpcCidr string) bool {
	if server == amazonProvidedDNS || server == amazonDNSAddress {
		return true
	}
	vpc, err := netip.ParsePrefix(vpcCidr)
	if err != nil || !vpc.Addr().Is4() {
		return false
	}
	base := vpc.Masked().Addr().As4()
	base[3] += 2
	return server == netip.AddrFrom4(base).String()
}

// ParseDomainNameServers reads describe-dhcp-options' output for one option set (an empty
// DhcpOptions list for "default").
func ParseDomainNameServers(data []byte) ([]string, error) {
	var out struct {
		DhcpOptions *[]struct {
			DhcpConfigurations []struct {
				Key    string `json:"Key"`
				Values []struct {
					Value string `json:"Value"`
				} `json:"Values"`
			} `json:"DhcpConfigurations"`
		} `json:"DhcpOptions"`
	}
	if err := json.Unmarshal(data, &out); err != nil || out.DhcpOptions == nil || len(*out.DhcpOptions) > 1 {
		return nil, fmt.Errorf("not the output of aws ec2 describe-dhcp-options for one option set (DhcpOptions): %v", err)
	}
	var servers []string
	for _, set := range *out.DhcpOptions {
		for _, c := range set.DhcpConfigurations {
			if c.Key == "domain-name-servers" {
				for _, v := range c.Values {
					servers = append(servers, v.Value)
				}
			}
		}
	}
	return servers, nil
}

// Notes are what make check-update prints about the VPC without refusing the update: DNS
// servers that are not the Amazon DNS server first may be correct (forwarding to it), and only the
// instances show whether they are.
func Notes(stack string, plan Plan, live Live) []string {
	switch {
	case live.DHCPOptionsID == "default" || len(live.DomainNameServers) == 0:
		return []string{fmt.Sprintf("%s: %s has no DHCP option set giving domain-name-servers, so its instances get no DNS server from DHCP: they reach Systems Manager only if the DNS servers configured on them "+
			"answer as the VPC's Amazon DNS server does (the endpoints' names resolve to private addresses only there). Ask the VPC's owner to associate a set with "+
			"domain-name-servers AmazonProvidedDNS, or check on an instance that Resolve-DnsName %s gives a private address", stack, plan.VpcID, DNSName("com.amazonaws."+plan.Region+".ssm"))}
	case !amazonDNS(live.DomainNameServers[0], live.VpcCidr):
		return []string{fmt.Sprintf("%s: %s's DHCP option set %s gives its instances the DNS servers %s, not AmazonProvidedDNS first: the Systems Manager endpoints' names resolve "+
			"to their private addresses only through the VPC's Amazon DNS server (its base address plus two), so those servers must forward %s.amazonaws.com "+
			"(or everything) to it, or the instances never register. Check on an instance that Resolve-DnsName %s gives a private address",
			stack, plan.VpcID, live.DHCPOptionsID, strings.Join(live.DomainNameServers, ", "), plan.Region, DNSName("com.amazonaws."+plan.Region+".ssm"))}
	}
	return nil
}

// Endpoint is a VpcEndpoint of DescribeVpcEndpoints (the members read here).
type Endpoint struct {
	VpcEndpointID     string   `json:"VpcEndpointId"`
	VpcEndpointType   string   `json:"VpcEndpointType"`
	ServiceName       string   `json:"ServiceName"`
	State             string   `json:"State"`
	RouteTableIDs     []string `json:"RouteTableIds"`
	PrivateDNSEnabled bool     `json:"PrivateDnsEnabled"`
}

// Zone is a HostedZoneSummary of ListHostedZonesByVPC.
type Zone struct {
	HostedZoneID string `json:"HostedZoneId"`
	Name         string `json:"Name"`
	Owner        struct {
		OwningAccount string `json:"OwningAccount"`
		OwningService string `json:"OwningService"`
	} `json:"Owner"`
}

// ParseEndpoints reads describe-vpc-endpoints' output.
func ParseEndpoints(data []byte) ([]Endpoint, error) {
	var out struct {
		VpcEndpoints *[]Endpoint `json:"VpcEndpoints"`
	}
	if err := json.Unmarshal(data, &out); err != nil || out.VpcEndpoints == nil {
		return nil, fmt.Errorf("not the output of aws ec2 describe-vpc-endpoints (no VpcEndpoints): %v", err)
	}
	return *out.VpcEndpoints, nil
}

// ParseStackEndpoints reads list-stack-resources' output: the physical ids of the stack's
// AWS::EC2::VPCEndpoint resources.
func ParseStackEndpoints(data []byte) ([]string, error) {
	var out struct {
		StackResourceSummaries *[]struct {
			ResourceType       string `json:"ResourceType"`
			PhysicalResourceID string `json:"PhysicalResourceId"`
		} `json:"StackResourceSummaries"`
	}
	if err := json.Unmarshal(data, &out); err != nil || out.StackResourceSummaries == nil {
		return nil, fmt.Errorf("not the output of aws cloudformation list-stack-resources (no StackResourceSummaries): %v", err)
	}
	var ids []string
	for _, r := range *out.StackResourceSummaries {
		if r.ResourceType == "AWS::EC2::VPCEndpoint" && r.PhysicalResourceID != "" {
			ids = append(ids, r.PhysicalResourceID)
		}
	}
	return ids, nil
}

// ParseZonesPage reads one page of list-hosted-zones-by-vpc's output and its NextToken (empty on
// the last page). The AWS CLI does not paginate ListHostedZonesByVPC itself: the answer holds at
// most MaxItems zones (100 by default) and a NextToken when there are more, which --next-token
// asks for ("ListHostedZonesByVPC", Amazon Route 53 API Reference, read 2026-12-06).
func ParseZonesPage(data []byte) ([]Zone, string, error) {
	var out struct {
		HostedZoneSummaries *[]Zone `json:"HostedZoneSummaries"`
		NextToken           string  `json:"NextToken"`
	}
	if err := json.Unmarshal(data, &out); err != nil || out.HostedZoneSummaries == nil {
		return nil, "", fmt.Errorf("not the output of aws route53 list-hosted-zones-by-vpc (no HostedZoneSummaries): %v", err)
	}
	return *out.HostedZoneSummaries, out.NextToken, nil
}

// ParseZones reads the pages of list-hosted-zones-by-vpc's output in order, and refuses an
// answer whose last page carries a NextToken: the zones after it are unread.
func ParseZones(pages ...[]byte) ([]Zone, error) {
	var zones []Zone
	next := ""
	for i, data := range pages {
		page, token, err := ParseZonesPage(data)
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", i+1, err)
		}
		zones, next = append(zones, page...), token
	}
	if len(pages) == 0 {
		return nil, fmt.Errorf("no answer of aws route53 list-hosted-zones-by-vpc")
	}
	if next != "" {
		return nil, fmt.Errorf("aws route53 list-hosted-zones-by-vpc has more zones after page %d (NextToken %q): read every page with --next-token", len(pages), next)
	}
	if zones == nil {
		zones = []Zone{}
	}
	return zones, nil
}

// ParseAttribute reads describe-vpc-attribute's output for attribute (EnableDnsSupport or
// EnableDnsHostnames).
func ParseAttribute(data []byte, attribute string) (bool, error) {
	var out map[string]json.RawMessage
	if err := json.Unmarshal(data, &out); err != nil {
		return false, fmt.Errorf("not the output of aws ec2 describe-vpc-attribute: %w", err)
	}
	var v struct {
		Value *bool `json:"Value"`
	}
	if raw, ok := out[attribute]; !ok || json.Unmarshal(raw, &v) != nil || v.Value == nil {
		return false, fmt.Errorf("not the output of aws ec2 describe-vpc-attribute --attribute %s (no %s.Value)", lowerFirst(attribute), attribute)
	}
	return *v.Value, nil
}

func lowerFirst(s string) string { return strings.ToLower(s[:1]) + s[1:] }

// gone are the endpoint states that hold no route and no name.
var gone = []string{"deleting", "deleted", "rejected", "failed", "expired"}

// Check lists what stack (a network stack in an existing VPC, field the configuration's place of
// it) would fail to create in the VPC as it is.
func Check(stack, field string, plan Plan, live Live) []string {
	var problems []string
	ownedByOthers := func(e Endpoint) bool {
		if slices.Contains(gone, strings.ToLower(e.State)) {
			return false
		}
		// This stack's own, on an update (CloudFormation does not tag endpoints with the stack).
		return !slices.Contains(live.OwnEndpointIDs, e.VpcEndpointID)
	}
	if len(plan.S3RouteTables) > 0 {
		for _, e := range live.Endpoints {
			if !ownedByOthers(e) || !strings.EqualFold(e.VpcEndpointType, "Gateway") || !strings.HasSuffix(e.ServiceName, ".s3") {
				continue
			}
			var shared []string
			for _, t := range e.RouteTableIDs {
				if slices.Contains(plan.S3RouteTables, t) {
					shared = append(shared, t)
				}
			}
			if len(shared) > 0 {
				problems = append(problems, fmt.Sprintf("%s: %s has the S3 gateway endpoint %s on route tables %s, which the S3 endpoint privatepatch would add holds a route in already (one route per service and table): set %s.s3Endpoint: existing",
					stack, plan.VpcID, e.VpcEndpointID, strings.Join(shared, ", "), field))
			}
		}
	}
	if len(plan.PrivateDNSServices) == 0 {
		return problems
	}
	var clashes []string
	for _, service := range plan.PrivateDNSServices {
		name := DNSName(service)
		for _, e := range live.Endpoints {
			if ownedByOthers(e) && e.PrivateDNSEnabled && e.ServiceName == service {
				clashes = append(clashes, fmt.Sprintf("%s (endpoint %s with private DNS)", name, e.VpcEndpointID))
			}
		}
		for _, z := range live.Zones {
			zone := strings.TrimSuffix(z.Name, ".")
			// A zone for the name or a domain above it (us-west-2.amazonaws.com) answers for it.
			if zone != "" && z.Owner.OwningService == "" && (name == zone || strings.HasSuffix(name, "."+zone)) && strings.Count(zone, ".") >= 1 {
				clashes = append(clashes, fmt.Sprintf("%s (private hosted zone %s %s)", name, z.Name, z.HostedZoneID))
			}
		}
	}
	if len(clashes) > 0 {
		problems = append(problems, fmt.Sprintf("%s: %s resolves %s already, which the interface endpoints privatepatch would create with private DNS claim too: set %s.interfaceEndpoints: hub (with hubCidrs, the blocks of the endpoints those names lead to)",
			stack, plan.VpcID, strings.Join(clashes, "; "), field))
	}
	var off, fixes []string
	for _, a := range []struct {
		on         bool
		name, flag string
	}{{live.DNSSupport, "enableDnsSupport", "--enable-dns-support"}, {live.DNSHostnames, "enableDnsHostnames", "--enable-dns-hostnames"}} {
		if !a.on {
			off = append(off, a.name)
			fixes = append(fixes, fmt.Sprintf(`aws ec2 modify-vpc-attribute --vpc-id %s %s '{"Value":true}'`, plan.VpcID, a.flag))
		}
	}
	if len(off) > 0 {
		problems = append(problems, fmt.Sprintf("%s: %s has %s false, and interface endpoints with private DNS need both true: ask the VPC's owner to set them (%s), or set %s.interfaceEndpoints: hub",
			stack, plan.VpcID, strings.Join(off, " and "), strings.Join(fixes, "; "), field))
	}
	return problems
}
