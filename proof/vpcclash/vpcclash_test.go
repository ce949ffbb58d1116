package vpcclash

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func golden(t *testing.T, name string) map[string]any {
	data, err := os.ReadFile(filepath.Join("..", "..", "test", "testdata", name+".template.json"))
	require.NoError(t, err)
	var template map[string]any
	require.NoError(t, json.Unmarshal(data, &template))
	return template
}

// read is a fixture of testdata.
func read(t *testing.T, name string) []byte {
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return data
}

func live(t *testing.T, endpoints, zones, hostnames string) Live {
	read := func(name string) []byte { return read(t, name) }
	var l Live
	var err error
	l.Endpoints, err = ParseEndpoints(read(endpoints))
	require.NoError(t, err)
	l.Zones, err = ParseZones(read(zones))
	require.NoError(t, err)
	l.DNSSupport, err = ParseAttribute(read("dns-support-true.json"), "EnableDnsSupport")
	require.NoError(t, err)
	l.DNSHostnames, err = ParseAttribute(read(hostnames), "EnableDnsHostnames")
	require.NoError(t, err)
	return l
}

func TestThePlanOfTheGoldenExistingVpcTemplates(t *testing.T) {
	plan, ok := FromTemplate(golden(t, "existing-vpc.network"), "us-west-2")
	require.True(t, ok)
	assert.Equal(t, Plan{VpcID: "vpc-0a1b2c3d4e5f60718", Region: "us-west-2", S3RouteTables: []string{"rtb-0aaaaaaaaaaaaaaa1", "rtb-0aaaaaaaaaaaaaaa2"},
		PrivateDNSServices: []string{"com.amazonaws.us-west-2.ec2", "com.amazonaws.us-west-2.ec2messages", "com.amazonaws.us-west-2.ssm", "com.amazonaws.us-west-2.ssmmessages"}}, plan)
	hub, ok := FromTemplate(golden(t, "existing-vpc-hub.network"), "us-west-2")
	require.True(t, ok)
	assert.Equal(t, Plan{VpcID: "vpc-0a1b2c3d4e5f60718", Region: "us-west-2"}, hub, "hub and existing: nothing created")
	_, ok = FromTemplate(golden(t, "default.network"), "us-west-2")
	assert.False(t, ok, "privatepatch's own VPC")
	assert.Equal(t, "ssmmessages.us-west-2.amazonaws.com", DNSName("com.amazonaws.us-west-2.ssmmessages"))
}

func TestAnEmptyVpcTakesWhatTheStackCreates(t *testing.T) {
	plan, _ := FromTemplate(golden(t, "existing-vpc.network"), "us-west-2")
	assert.Empty(t, Check("privatepatch-network", "network.existingVpc", plan, live(t, "endpoints-none.json", "zones-none.json", "dns-hostnames-true.json")))
	// On an update, the stack's own endpoints (and a deleted one) are no clash.
	own := live(t, "endpoints-own.json", "zones-none.json", "dns-hostnames-true.json")
	own.OwnEndpointIDs = stackEndpoints(t, "resources-own.json")
	assert.Empty(t, Check("privatepatch-network", "network.existingVpc", plan, own))
}

// ListHostedZonesByVPC pages: a hub's zone on the second page is read; an answer whose last page
// carries a NextToken is refused, not judged on the zones it shows.
func TestHostedZonesAreReadOnEveryPage(t *testing.T) {
	read := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(t, err)
		return data
	}
	zones, next, err := ParseZonesPage(read("zones-more.json"))
	require.NoError(t, err)
	assert.Equal(t, "Z0123456789ABCDEFGHIJ", next)
	assert.Len(t, zones, 1)
	_, next, err = ParseZonesPage(read("zones-hub.json"))
	require.NoError(t, err)
	assert.Empty(t, next)

	all, err := ParseZones(read("zones-more.json"), read("zones-hub.json"))
	require.NoError(t, err)
	assert.Len(t, all, 3)
	plan, _ := FromTemplate(golden(t, "existing-vpc.network"), "us-west-2")
	l := live(t, "endpoints-none.json", "zones-none.json", "dns-hostnames-true.json")
	l.Zones = all
	problems := Check("privatepatch-network", "network.existingVpc", plan, l)
	require.Len(t, problems, 1)
	assert.Contains(t, problems[0], "private hosted zone ssmmessages.us-west-2.amazonaws.com.", "the hub's zone on the second page")

	_, err = ParseZones(read("zones-more.json"))
	assert.ErrorContains(t, err, "more zones after page 1 (NextToken \"Z0123456789ABCDEFGHIJ\"): read every page with --next-token")
}

func stackEndpoints(t *testing.T, name string) []string {
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	ids, err := ParseStackEndpoints(data)
	require.NoError(t, err)
	return ids
}

// CloudFormation adds no aws:cloudformation:* tags to endpoints: they are the stack's own by the
// physical ids of its resources, and the same untagged endpoints are refused where the stack does
// not list them (another stack's, or before the first deploy).
func TestTheStacksOwnEndpointsAreKnownByItsResourcesNotByTags(t *testing.T) {
	plan, _ := FromTemplate(golden(t, "existing-vpc.network"), "us-west-2")
	assert.Equal(t, []string{"vpce-0a1b2c3d4e5f60011", "vpce-0a1b2c3d4e5f60012"}, stackEndpoints(t, "resources-own.json"), "only the endpoints, not the security group")
	assert.Empty(t, stackEndpoints(t, "resources-none.json"))
	others := live(t, "endpoints-own.json", "zones-none.json", "dns-hostnames-true.json")
	others.OwnEndpointIDs = stackEndpoints(t, "resources-none.json")
	problems := Check("privatepatch-network", "network.existingVpc", plan, others)
	require.Len(t, problems, 2)
	assert.Contains(t, problems[0], "S3 gateway endpoint vpce-0a1b2c3d4e5f60011")
	assert.Contains(t, problems[1], "endpoint vpce-0a1b2c3d4e5f60012 with private DNS")
	assert.NotContains(t, strings.Join(problems, " "), "vpce-0a1b2c3d4e5f60013", "a deleted endpoint is no clash")
	_, err := ParseStackEndpoints([]byte(`{"VpcEndpoints": []}`))
	assert.ErrorContains(t, err, "no StackResourceSummaries")
}

func TestALandingZonesEndpointsAreRefusedNamingTheSetting(t *testing.T) {
	plan, _ := FromTemplate(golden(t, "existing-vpc.network"), "us-west-2")
	problems := Check("privatepatch-network", "network.existingVpc", plan, live(t, "endpoints-landing-zone.json", "zones-hub.json", "dns-hostnames-false.json"))
	require.Len(t, problems, 3, strings.Join(problems, "\n"))
	assert.Contains(t, problems[0], "vpc-0a1b2c3d4e5f60718 has the S3 gateway endpoint vpce-0a1b2c3d4e5f60001 on route tables rtb-0aaaaaaaaaaaaaaa1, rtb-0aaaaaaaaaaaaaaa2")
	assert.Contains(t, problems[0], "set network.existingVpc.s3Endpoint: existing")
	assert.Contains(t, problems[1], "ssm.us-west-2.amazonaws.com (endpoint vpce-0a1b2c3d4e5f60002 with private DNS)")
	assert.Contains(t, problems[1], "ssmmessages.us-west-2.amazonaws.com (private hosted zone ssmmessages.us-west-2.amazonaws.com. Z0123456789ABCDEFGHIJ)")
	assert.NotContains(t, problems[1], "corp.example.com")
	assert.Contains(t, problems[1], "set network.existingVpc.interfaceEndpoints: hub")
	assert.Contains(t, problems[2], "has enableDnsHostnames false")
	assert.Contains(t, problems[2], `aws ec2 modify-vpc-attribute --vpc-id vpc-0a1b2c3d4e5f60718 --enable-dns-hostnames '{"Value":true}'`)

	// With s3Endpoint: existing and interfaceEndpoints: hub nothing is created, so nothing clashes.
	hub, _ := FromTemplate(golden(t, "existing-vpc-hub.network"), "us-west-2")
	assert.Empty(t, Check("privatepatch-network", "network.existingVpc", hub, live(t, "endpoints-landing-zone.json", "zones-hub.json", "dns-hostnames-false.json")))
	// A route table of the VPC's S3 endpoint that the stack does not use is no clash.
	other := plan
	other.S3RouteTables = []string{"rtb-0cccccccccccccccc"}
	other.PrivateDNSServices = nil
	assert.Empty(t, Check("s", "f", other, live(t, "endpoints-landing-zone.json", "zones-none.json", "dns-hostnames-true.json")))
}

func TestAnswersInAnotherShapeAreErrors(t *testing.T) {
	_, err := ParseEndpoints([]byte(`{"HostedZoneSummaries": []}`))
	assert.ErrorContains(t, err, "no VpcEndpoints")
	_, err = ParseZones([]byte(`{"VpcEndpoints": []}`))
	assert.ErrorContains(t, err, "no HostedZoneSummaries")
	_, err = ParseZones()
	assert.ErrorContains(t, err, "no answer")
	_, err = ParseAttribute([]byte(`{"EnableDnsSupport": {"Value": true}}`), "EnableDnsHostnames")
	assert.ErrorContains(t, err, "--attribute enableDnsHostnames")
}

// DNS servers that are not the VPC's Amazon DNS server first, or none at all, are noted (they may
// forward to it; only an instance shows whether they do), never refused; the Amazon DNS server
// first is not noted.
func TestDNSServersOtherThanAmazonsAreNotedNotRefused(t *testing.T) {
	plan, _ := FromTemplate(golden(t, "existing-vpc.network"), "us-west-2")
	withDNS := func(vpcFixture, dhcpFixture string) Live {
		l := live(t, "endpoints-none.json", "zones-none.json", "dns-hostnames-true.json")
		var err error
		l.DHCPOptionsID, l.VpcCidr, err = ParseVpc(read(t, vpcFixture))
		require.NoError(t, err)
		l.DomainNameServers, err = ParseDomainNameServers(read(t, dhcpFixture))
		require.NoError(t, err)
		return l
	}
	amazon := withDNS("vpc-amazon-dns.json", "dhcp-amazon-dns.json")
	assert.Empty(t, Notes("privatepatch-network", plan, amazon))
	assert.Empty(t, Check("privatepatch-network", "network.existingVpc", plan, amazon))

	custom := withDNS("vpc-custom-dns.json", "dhcp-custom-dns.json")
	assert.Equal(t, []string{"10.20.0.10", "10.20.1.10"}, custom.DomainNameServers)
	notes := Notes("privatepatch-network", plan, custom)
	require.Len(t, notes, 1)
	assert.Contains(t, notes[0], "vpc-0a1b2c3d4e5f60718's DHCP option set dopt-0c0ffee0c0ffee0d1 gives its instances the DNS servers 10.20.0.10, 10.20.1.10, not AmazonProvidedDNS first")
	assert.Contains(t, notes[0], "must forward us-west-2.amazonaws.com")
	assert.Contains(t, notes[0], "Resolve-DnsName ssm.us-west-2.amazonaws.com")
	assert.Empty(t, Check("privatepatch-network", "network.existingVpc", plan, custom), "a note, not a refusal")

	// The Amazon DNS server behind a custom one is still noted: Windows asks the first.
	behind := custom
	behind.DomainNameServers = []string{"10.20.0.10", "AmazonProvidedDNS"}
	assert.Len(t, Notes("privatepatch-network", plan, behind), 1)

	none := withDNS("vpc-no-dhcp.json", "dhcp-none.json")
	assert.Empty(t, none.DomainNameServers)
	notes = Notes("privatepatch-network", plan, none)
	require.Len(t, notes, 1)
	assert.Contains(t, notes[0], "has no DHCP option set")

	// The Amazon DNS server by its addresses is not noted; a set without domain-name-servers is.
	for _, address := range []string{"10.20.0.2", "169.254.169.253"} {
		byAddress := custom
		byAddress.DomainNameServers = []string{address, "10.20.0.10"}
		assert.Empty(t, Notes("privatepatch-network", plan, byAddress), address)
	}
	notTheBase := custom
	notTheBase.DomainNameServers = []string{"10.20.1.2"}
	assert.Len(t, Notes("privatepatch-network", plan, notTheBase), 1, "another subnet's base plus two is not the Amazon DNS server")
	noServers := custom
	noServers.DomainNameServers = nil
	assert.Len(t, Notes("privatepatch-network", plan, noServers), 1, "an option set without domain-name-servers")

	_, _, err := ParseVpc([]byte(`{"Vpcs": []}`))
	assert.Error(t, err, "no VPC")
	_, err = ParseDomainNameServers([]byte(`{}`))
	assert.Error(t, err, "not describe-dhcp-options")
}
