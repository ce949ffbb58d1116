package config

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refusal is a whole configuration and the problems it must be refused with, each naming the
// field, the value and what is allowed (none: it must be accepted, the planted failure's pair).
type refusal struct {
	name, yaml string
	want       []string
}

func runRefusals(t *testing.T, cases []refusal) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("refused.yaml", []byte(tc.yaml))
			if len(tc.want) == 0 {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, want := range tc.want {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
}

// inExisting replaces old by replacement in existingVpcYAML; an endpoint setting the replacement
// states replaces the base's (which must state both: there is no default).
func inExisting(t *testing.T, old, replacement string) string {
	t.Helper()
	require.Contains(t, existingVpcYAML, old)
	base := existingVpcYAML
	for _, key := range []string{"interfaceEndpoints", "s3Endpoint"} {
		if strings.Contains(replacement, "    "+key+":") {
			require.Contains(t, base, "    "+key+": created\n")
			base = strings.Replace(base, "    "+key+": created\n", "", 1)
		}
	}
	return strings.Replace(base, old, replacement, 1)
}

func list(prefix string, n int) string {
	items := make([]string, n)
	for i := range items {
		items[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return "[" + strings.Join(items, ", ") + "]"
}

func TestQuotasAndSizesAWSEnforcesAtDeployAreRefusedBeforehand(t *testing.T) {
	endpoints := func(n int) string {
		return valid + "  extraInterfaceEndpoints: [" + strings.Join(InterfaceEndpointsForTest[:n], ", ") + "]\n"
	}
	ids := make([]string, 51)
	for i := range ids {
		ids[i] = fmt.Sprintf("i-0123456789abcd%03d", i)
	}
	runRefusals(t, []refusal{
		{"forty_seven_extra_interface_endpoints", endpoints(47),
			[]string{`network.extraInterfaceEndpoints: 47 services with the 4 Systems Manager ones make 51 interface endpoints in one VPC, more than the 50 its quota allows ("AWS PrivateLink quotas", adjustable; endpoints the VPC has already count too): list at most 46, or raise the quota with Service Quotas and set network.interfaceEndpointQuota`}},
		{"forty_six_extra_interface_endpoints_fit", endpoints(46), nil},
		// The quota is adjustable: a raised one is stated, and then holds.
		{"forty_seven_under_a_raised_quota", endpoints(47) + "  interfaceEndpointQuota: 60\n", nil},
		{"over_a_stated_quota", endpoints(47) + "  interfaceEndpointQuota: 48\n",
			[]string{`make 51 interface endpoints in one VPC, more than the 48 its quota allows`}},
		{"negative_quota", valid + "  interfaceEndpointQuota: -1\n", []string{`network.interfaceEndpointQuota: -1 is not a quota`}},
		{"hub_endpoints_are_not_counted", inExisting(t, "    privateSubnets:", "    interfaceEndpoints: hub\n    hubCidrs: [10.0.0.0/24]\n    privateSubnets:") +
			"  extraInterfaceEndpoints: [" + strings.Join(InterfaceEndpointsForTest[:47], ", ") + "]\n", nil},
		{"fifty_one_patch_groups_in_one_window", valid + "patching: {maintenanceWindows: [{name: win1, schedule: rate(7 days), targets: {patchGroups: " + list("g", 51) + "}}]}\n",
			[]string{`patching.maintenanceWindows[0].targets.patchGroups: 51 values are more than the 50 one window target takes: split them over several windows`}},
		{"fifty_patch_groups_fit", valid + "patching: {maintenanceWindows: [{name: win1, schedule: rate(7 days), targets: {patchGroups: " + list("g", 50) + "}}]}\n", nil},
		{"fifty_one_instance_ids_in_one_window", valid + "patching: {maintenanceWindows: [{name: win1, schedule: rate(7 days), targets: {instanceIds: [" + strings.Join(ids, ", ") + "]}}]}\n",
			[]string{`patching.maintenanceWindows[0].targets.instanceIds: 51 values are more than the 50`}},
		{"inspector_reason_of_513_characters", valid + "security: {inspector: {suppressions: [{name: s, reason: " + strings.Repeat("r", 513) + ", severities: [LOW]}]}}\n",
			[]string{`security.inspector.suppressions[0].reason: "513 characters" is too long: it becomes the Inspector filter's description, which takes at most 512`}},
		// CreateFilter takes no spaces in a name, and at most 10 filters in each criterion
		// (compliancespec).
		{"inspector_rule_name_with_a_space", valid + "security: {inspector: {suppressions: [{name: dev low, reason: r, severities: [LOW]}]}}\n",
			[]string{`security.inspector.suppressions[0].name: "dev low" is not allowed: use letters, digits and _ . -, no spaces (Inspector takes no others)`}},
		// Tag filters of one rule are joined by OR (compliancespec.MaxInspectorSuppressionTags).
		{"inspector_rule_of_two_tags", valid + "security: {inspector: {suppressions: [{name: s, reason: r, tags: {" + tagList(2) + "}}]}}\n",
			[]string{`security.inspector.suppressions[0].tags: 2 tags, and Inspector joins the tag filters of one rule by OR: it would hide the findings of resources carrying any of them, not all; give one tag per rule`}},
		{"inspector_rule_of_one_tag", valid + "security: {inspector: {suppressions: [{name: s, reason: r, tags: {" + tagList(1) + "}}]}}\n", nil},
		{"inspector_rule_of_eleven_severities", valid + "security: {inspector: {suppressions: [{name: s, reason: r, severities: [LOW, LOW, LOW, LOW, LOW, LOW, LOW, LOW, LOW, LOW, LOW]}]}}\n",
			[]string{`security.inspector.suppressions[0].severities: 11 severities are more than one Inspector suppression rule takes (10)`}},
		{"inspector_reason_of_512_characters", valid + "security: {inspector: {suppressions: [{name: s, reason: " + strings.Repeat("r", 512) + ", severities: [LOW]}]}}\n", nil},
		{"window_ends_before_it_starts", valid + "patching: {maintenanceWindows: [{name: win1, schedule: rate(7 days), startDate: \"2027-02-01T00:00:00Z\", endDate: \"2027-01-01T00:00:00Z\", targets: {patchGroups: [x]}}]}\n",
			[]string{`patching.maintenanceWindows[0].endDate: "2027-01-01T00:00:00Z" is not after startDate (2027-02-01T00:00:00Z): the window would never be active`}},
		{"window_ends_when_it_starts", valid + "patching: {maintenanceWindows: [{name: win1, schedule: rate(7 days), startDate: \"2027-02-01T00:00:00Z\", endDate: \"2027-02-01T01:00:00+01:00\", targets: {patchGroups: [x]}}]}\n",
			[]string{`endDate: "2027-02-01T01:00:00+01:00" is not after startDate`}},
		{"window_ends_after_it_starts", valid + "patching: {maintenanceWindows: [{name: win1, schedule: rate(7 days), startDate: \"2027-01-01T00:00:00Z\", endDate: \"2027-02-01T00:00:00Z\", targets: {patchGroups: [x]}}]}\n", nil},
	})
}

// InterfaceEndpointsForTest are 50 services ExtraInterfaceEndpoints accepts.
var InterfaceEndpointsForTest = func() []string {
	var out []string
	for _, s := range []string{"logs", "kms", "monitoring", "sts", "secretsmanager", "sns", "sqs", "events", "lambda", "ecr.api",
		"ecr.dkr", "ecs", "ecs-agent", "ecs-telemetry", "eks", "elasticloadbalancing", "autoscaling", "cloudformation", "config", "codebuild",
		"codepipeline", "codecommit", "glue", "athena", "states", "xray", "rds", "rds-data", "dynamodb", "kinesis-streams",
		"kinesis-firehose", "backup", "ebs", "elasticfilesystem", "fsx", "datasync", "transfer", "storagegateway", "servicecatalog", "ssm-contacts",
		"ssm-incidents", "inspector2", "securityhub", "guardduty-data", "macie2", "access-analyzer", "acm-pca", "cloudtrail", "application-autoscaling", "appconfig"} {
		out = append(out, s)
	}
	return out
}()

func TestValuesThatCannotExistOrCannotWorkAreRefused(t *testing.T) {
	group := func(settings string) string {
		return valid + "fleet:\n  instanceGroups:\n    - {name: g0, count: 1, " + settings + "tags: {Environment: Prod, InventoryCategory: Web, SeverityLevel: \"2\", HandlePI: N, IsPublic: N}}\n"
	}
	runRefusals(t, []refusal{
		{"graviton_instance_group", group("instanceType: m7g.large, "),
			[]string{`fleet.instanceGroups[0].instanceType: "m7g.large" cannot run Windows: m7g is an AWS Graviton (Arm) family, and Windows Server AMIs are x86_64; use an x86 type such as m6i.large`}},
		{"graviton_wsus_server", valid + "wsus: {instanceType: t4g.large}\n", []string{`wsus.instanceType: "t4g.large" cannot run Windows: t4g is an AWS Graviton`}},
		{"mac_instance_group", group("instanceType: mac2.metal, "), []string{`fleet.instanceGroups[0].instanceType: "mac2.metal" cannot run Windows: mac2 is a Mac family`}},
		{"made_up_family", group("instanceType: m9q.large, "), []string{`fleet.instanceGroups[0].instanceType: "m9q.large" is not an EC2 instance type: its family "m9q"`}},
		{"made_up_size", group("instanceType: m6i.jumbo, "), []string{`fleet.instanceGroups[0].instanceType: "m6i.jumbo" is not an EC2 instance type: its size "jumbo"`}},
		{"x86_instance_group", group("instanceType: c7i.2xlarge, "), nil},
		{"zone_of_another_region", valid + "  availabilityZones: [eu-west-1a, eu-west-1b]\n",
			[]string{`network.availabilityZones[0]: "eu-west-1a" is not an availability zone of region "us-west-2": use the region's name and one letter, e.g. us-west-2a`}},
		{"local_zone", valid + "  availabilityZones: [us-west-2-lax-1a, us-west-2a]\n",
			[]string{`network.availabilityZones[0]: "us-west-2-lax-1a" is not an availability zone of region "us-west-2" but a Local or Wavelength Zone, which privatepatch does not use: use one of the region's availability zones, its name and one letter, e.g. us-west-2a`}},
		{"wavelength_zone_of_an_existing_subnet", inExisting(t, "zone: eu-west-2b, routeTableId", "zone: eu-west-2-wl1-lon-wlz-1, routeTableId"),
			[]string{`network.existingVpc.privateSubnets[1].zone: "eu-west-2-wl1-lon-wlz-1" is not an availability zone of region "eu-west-2" but a Local or Wavelength Zone`}},
		{"zone_of_a_region_whose_name_continues", inExisting(t, "zone: eu-west-2b, routeTableId", "zone: eu-west-22b, routeTableId"),
			[]string{`network.existingVpc.privateSubnets[1].zone: "eu-west-22b" is not an availability zone of region "eu-west-2": use the region's name and one letter`}},
		{"environment_zone_of_another_region_names_the_environment", strings.Replace(valid, "region: us-west-2\n", "", 1) +
			"environments: [{name: prod, region: us-west-2, availabilityZones: [eu-west-1a, eu-west-1b]}]\n",
			[]string{`environments[0].availabilityZones[0]: "eu-west-1a" is not an availability zone of region "us-west-2"`}},
		{"existing_subnet_of_a_slash_29", inExisting(t, "cidr: 10.20.10.0/24", "cidr: 10.20.10.0/29"),
			[]string{`network.existingVpc.privateSubnets[0].cidr: "10.20.10.0/29" is smaller than a /28, the smallest subnet AWS allows ("Subnet CIDR blocks", Amazon VPC User Guide)`}},
		{"existing_public_subnet_of_a_slash_30", inExisting(t, "cidr: 10.20.0.0/24", "cidr: 10.20.0.0/30"),
			[]string{`network.existingVpc.publicSubnets[0].cidr: "10.20.0.0/30" is smaller than a /28`}},
		{"existing_slash_28_without_room_for_the_endpoints", inExisting(t, "cidr: 10.20.10.0/24", "cidr: 10.20.10.0/28") + "  extraInterfaceEndpoints: [logs, kms, monitoring, sts, sns, sqs, events, lambda]\n",
			[]string{`network.existingVpc.privateSubnets[0].cidr: "10.20.10.0/28" has 11 usable addresses (16 less the 5 AWS reserves), fewer than the 12 its network interfaces need (12 interface endpoints, 0 instances)`}},
		{"existing_slash_28_with_room", inExisting(t, "cidr: 10.20.10.0/24", "cidr: 10.20.10.0/28") + "  extraInterfaceEndpoints: [logs, kms, monitoring, sts, sns, sqs, events]\n", nil},
		{"created_slash_28_subnets_without_room_for_the_fleet", valid + "  subnetCidrMask: 28\n" +
			"fleet:\n  instanceGroups:\n    - {name: g0, count: 16, tags: {Environment: Prod, InventoryCategory: Web, SeverityLevel: \"2\", HandlePI: N, IsPublic: N}}\n",
			[]string{`network.subnetCidrMask: 28 leaves each subnet 11 usable addresses (16 less the 5 AWS reserves), fewer than the 12 the first private subnet needs (4 interface endpoints, 8 instances): use a shorter mask`}},
		{"existing_vpc_in_loopback", strings.NewReplacer("10.20.", "127.20.").Replace(existingVpcYAML),
			[]string{`network.existingVpc.cidr: "127.20.0.0/16" overlaps the special-purpose block loopback (127.0.0.0/8), which no VPC can hold`}},
		{"existing_vpc_in_link_local", strings.NewReplacer("10.20.", "169.254.").Replace(existingVpcYAML),
			[]string{`network.existingVpc.cidr: "169.254.0.0/16" overlaps the special-purpose block link local`}},
		{"tag_keys_differing_in_case", valid + "tags: {Owner: a, owner: b}\n",
			[]string{`tags: "owner" differs from the tag key "Owner" only in case: IAM takes them for one key`}},
		{"group_tag_keys_differing_in_case", valid + "fleet:\n  instanceGroups:\n    - {name: g0, count: 1, tags: {Team: a, TEAM: b, Environment: Prod, InventoryCategory: Web, SeverityLevel: \"2\", HandlePI: N, IsPublic: N}}\n",
			[]string{`fleet.instanceGroups[0].tags: "Team" differs from the tag key "TEAM" only in case`}},
		{"top_level_patch_group_tag", valid + "tags: {Patch Group: prod}\n",
			[]string{`tags: "Patch Group" would tag every instance, the WSUS server too, with patch group "prod", which Patch Manager reads from this key: set patch groups with fleet.instanceGroups[].patchGroup and wsus.patchGroup`}},
		{"top_level_patchgroup_tag", valid + "tags: {PatchGroup: prod}\n", []string{`tags: "PatchGroup" would tag every instance`}},
		{"top_level_patch_group_tag_in_other_case", valid + "tags: {patch group: prod}\n", []string{`tags: "patch group" would tag every instance`}},
		{"fleet_tag_key_is_the_patch_group_key", valid + "fleet: {tag: {key: Patch Group, value: prod}}\n",
			[]string{`fleet.tag.key: "Patch Group" would put every fleet instance in patch group "prod"`}},
		{"control_character_in_a_baseline_description", valid + "patching: {baselines: [{name: base1, preset: aws-default-windows, patchGroups: [x], description: \"line one\\nline two\"}]}\n",
			[]string{`patching.baselines[0].description: "line one\nline two" holds the control character U+000A: write it on one line`}},
		{"escape_in_an_inspector_reason", valid + "security: {inspector: {suppressions: [{name: s, reason: \"ok\\e[31m\", severities: [LOW]}]}}\n",
			[]string{`security.inspector.suppressions[0].reason: "ok\x1b[31m" holds the control character U+001B`}},
		{"tab_in_a_tag_value", valid + "tags: {Owner: \"a\\tb\"}\n", []string{`tags.Owner: "a\tb" holds the control character U+0009`}},
		{"line_breaks_in_a_patch_source_file_are_allowed", valid + "patching: {baselines: [{name: base1, operatingSystem: AMAZON_LINUX_2023, approvedPatches: [kernel], patchGroups: [x], sources: [{name: src, products: [AmazonLinux2023], configuration: \"[main]\\nname=x\\n\"}]}]}\n", nil},
	})
}

func TestSettingsThatWouldBeIgnoredAreRefused(t *testing.T) {
	envs := strings.Replace(valid, "region: us-west-2\n", "", 1)
	existing := strings.Replace(existingVpcYAML, "region: eu-west-2\n", "", 1)
	runRefusals(t, []refusal{
		{"nat_gateways_beside_an_existing_vpc", inExisting(t, "  existingVpc:\n", "  nat: {gateways: single}\n  existingVpc:\n"),
			[]string{`network.nat.gateways: "single" applies to a VPC privatepatch creates, not to network.existingVpc: use network.existingVpc.privateInternetPath: nat (the VPC's own NAT)`}},
		{"flow_log_settings_beside_an_existing_vpc_without_flow_logs", existingVpcYAML + "  flowLogs: {destination: s3, retentionDays: 30}\n",
			[]string{`network.flowLogs: "destination s3, retentionDays 30" would be ignored: privatepatch adds no flow log to an existing VPC unless asked; set existingVpc.flowLogs: true, or remove network.flowLogs`}},
		{"flow_log_settings_beside_an_existing_vpc_with_flow_logs", existingVpcYAML + "    flowLogs: true\n  flowLogs: {destination: s3, retentionDays: 30}\n", nil},
		{"nat_beside_an_existing_vpc", inExisting(t, "  existingVpc:\n", "  nat: {enabled: true}\n  existingVpc:\n"),
			[]string{`network.nat.enabled: true applies to a VPC privatepatch creates, not to network.existingVpc`}},
		{"environment_zones_beside_its_existing_vpc", existing + "environments: [{name: prod, region: eu-west-2, availabilityZones: [eu-west-2a]}]\n",
			[]string{`environments[0].availabilityZones: "eu-west-2a" would be ignored: environment "prod" deploys into an existing VPC (network.existingVpc), whose zones are those of its subnets; remove them`}},
		{"environment_zones_beside_its_own_existing_vpc", envs + "  s3PrefixListIds: {eu-west-2: pl-7ca54015}\nenvironments:\n  - {name: dev, region: us-west-2}\n  - name: prod\n    region: eu-west-2\n    availabilityZones: [eu-west-2a]\n    existingVpc:\n  " +
			strings.ReplaceAll(strings.SplitN(existingVpcYAML, "existingVpc:\n", 2)[1], "\n  ", "\n    "),
			[]string{`environments[1].availabilityZones: "eu-west-2a" would be ignored: environment "prod" deploys into an existing VPC (environments[1].existingVpc)`}},
		{"zones_of_no_environments_region", envs + "  availabilityZones: [eu-west-1a, eu-west-1b]\nenvironments: [{name: prod, region: us-west-2}]\n",
			[]string{`network.availabilityZones: "eu-west-1a,eu-west-1b" would be ignored: no environment that creates its VPC without zones of its own is in their region`}},
		{"zones_of_one_environments_region", envs + "  availabilityZones: [us-west-2a, us-west-2b]\nenvironments: [{name: prod, region: us-west-2}, {name: eu, account: \"222222222222\", region: eu-west-1}]\n", nil},
		// An AMI belongs to one region ("Copy an Amazon EC2 AMI"); environments in one region may
		// share it.
		{"ami_pinned_for_two_regions", envs + "wsus: {amiId: ami-0123456789abcdef0}\nenvironments: [{name: prod, region: us-west-2}, {name: eu, account: \"222222222222\", region: eu-west-1}]\n",
			[]string{`wsus.amiId: "ami-0123456789abcdef0" pins one AMI for environments in us-west-2, eu-west-1, and an AMI belongs to one region`}},
		{"ami_pinned_for_one_region", envs + "wsus: {amiId: ami-0123456789abcdef0}\nenvironments: [{name: prod, region: us-west-2}, {name: dev, account: \"222222222222\", region: us-west-2}]\n", nil},
		// An instance id is one region's ("Resource locations") and one account's: two environments
		// in one region still differ in account.
		{"instance_ids_in_two_environments", envs + "patching: {maintenanceWindows: [{name: pinned, schedule: 'cron(0 2 ? * SUN *)', targets: {instanceIds: [i-0123456789abcdef0]}}]}\n" +
			"environments: [{name: prod, region: us-west-2}, {name: dev, account: \"222222222222\", region: us-west-2}]\n",
			[]string{`patching.maintenanceWindows[0].targets.instanceIds: "i-0123456789abcdef0" names instances of one account and region, and each of the 2 environments gets this window`}},
		{"instance_ids_in_one_environment", envs + "patching: {maintenanceWindows: [{name: pinned, schedule: 'cron(0 2 ? * SUN *)', targets: {instanceIds: [i-0123456789abcdef0]}}]}\n" +
			"environments: [{name: prod, region: us-west-2}]\n", nil},
	})
}

func TestOnlyTheOwnerOfASharedVpcCreatesItsEndpointsAclsAndFlowLogs(t *testing.T) {
	shared := func(settings string) string {
		base := inExisting(t, "region: eu-west-2\n", "region: eu-west-2\naccount: \"111111111111\"\n")
		for _, key := range []string{"interfaceEndpoints", "s3Endpoint"} {
			if strings.Contains(settings, "    "+key+":") {
				base = strings.Replace(base, "    "+key+": created\n", "", 1)
			}
		}
		return base + "    ownerAccount: \"222222222222\"\n" + settings
	}
	participant := "    interfaceEndpoints: hub\n    hubCidrs: [10.20.100.0/24]\n    s3Endpoint: existing\n"
	runRefusals(t, []refusal{
		{"participant_creating_everything", shared("    manageNetworkAcls: true\n    flowLogs: true\n"), []string{
			`network.existingVpc.interfaceEndpoints: "created" cannot be created from account 111111111111 in a VPC it shares: only its owner, account 222222222222, can create interface endpoints; declare interfaceEndpoints: hub with hubCidrs the subnets of the owner's endpoints`,
			`network.existingVpc.s3Endpoint: "created" cannot be created from account 111111111111 in a VPC it shares: only its owner, account 222222222222, can create gateway endpoints and change route tables; declare s3Endpoint: existing`,
			`network.existingVpc.manageNetworkAcls: true cannot be done from account 111111111111 in a VPC it shares: only its owner, account 222222222222, can manage network ACLs`,
			`network.existingVpc.flowLogs: true cannot be done from account 111111111111 in a VPC it shares: participants cannot create flow logs for the VPC or its subnets`}},
		{"participant_using_the_owners_endpoints_inside_the_vpc", shared(participant), nil},
		{"owner_creates_them", strings.Replace(shared(""), "222222222222", "111111111111", 1), nil},
		{"owner_account_without_account", existingVpcYAML + "    ownerAccount: \"222222222222\"\n",
			[]string{`network.existingVpc.ownerAccount: "222222222222" needs account: without it, it is unknown whether this deployment's account owns the VPC or shares it`}},
		{"owner_account_malformed", shared(participant) + "", nil},
		{"owner_account_not_an_account", strings.Replace(shared(participant), `ownerAccount: "222222222222"`, "ownerAccount: owner", 1),
			[]string{`network.existingVpc.ownerAccount: "owner" is not an AWS account id`}},
		{"hub_inside_the_vpc_of_its_own_account_is_still_refused", inExisting(t, "    privateSubnets:", "    interfaceEndpoints: hub\n    hubCidrs: [10.20.100.0/24]\n    privateSubnets:"),
			[]string{`network.existingVpc.hubCidrs[0]: "10.20.100.0/24" overlaps this VPC 10.20.0.0/16: the hub is another VPC`}},
	})
}

func TestMessagesNameWhatTheUserWrote(t *testing.T) {
	hub := make([]string, 10)
	for i := range hub {
		hub[i] = fmt.Sprintf("10.%d.0.0/24", 100+i)
	}
	admin := make([]string, 10)
	for i := range admin {
		admin[i] = fmt.Sprintf("192.0.2.%d/32", i)
	}
	managedHub := inExisting(t, "    privateSubnets:", "    manageNetworkAcls: true\n    interfaceEndpoints: hub\n    hubCidrs: ["+strings.Join(hub, ", ")+"]\n    privateSubnets:") +
		"  adminCidrs: [" + strings.Join(admin, ", ") + "]\n  s3PrefixListCidrs: {eu-west-2: [52.95.148.0/23, 52.95.150.0/24, 3.5.244.0/22]}\n"
	_, err := Parse("acls.yaml", []byte(managedHub))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `network: "2 network.existingVpc.privateSubnets, 2 publicSubnets, 10 hubCidrs, 10 adminCidrs, 3 S3 CIDRs, privateInternetPath none" needs`)
	assert.Contains(t, err.Error(), "list fewer subnets, hub blocks, admin CIDRs, S3 CIDRs, or leave network.existingVpc.manageNetworkAcls out to keep the VPC's own ACLs")
	assert.NotContains(t, err.Error(), "azCount", "an existing VPC has no azCount: validation refuses it there")
	assert.NotContains(t, err.Error(), "NAT off", "nor nat")

	_, err = Parse("acls.yaml", []byte(strings.Replace(managedHub, "hubCidrs: ["+strings.Join(hub, ", "), "hubCidrs: ["+strings.Join(hub[:2], ", "), 1)))
	assert.NoError(t, err, "the planted failure's pair: fewer hub blocks fit")
}

func TestYAMLMergeKeysWorkWhereverAMappingIsAllowed(t *testing.T) {
	cfg, err := Parse("merge.yaml", []byte(valid+`tags: &common {Owner: ops, CostCenter: "42"}
wsus: &server {instanceType: m6i.xlarge}
fleet:
  instanceGroups:
    - &web {name: web, count: 1, tags: {<<: *common, Environment: Prod, InventoryCategory: Web, SeverityLevel: "2", HandlePI: N, IsPublic: N}}
    - {<<: *web, name: api}
    - <<: [*web, *server]
      name: batch
      count: 2
patching:
  maintenanceWindows:
    - &window {name: sunday, schedule: "cron(0 2 ? * SUN *)", targets: {patchGroups: [a]}}
    - {<<: *window, name: monday, schedule: "cron(0 2 ? * MON *)"}
`))
	require.NoError(t, err)
	require.Len(t, cfg.Fleet.InstanceGroups, 3)
	for _, g := range cfg.Fleet.InstanceGroups {
		assert.Equal(t, "ops", g.Tags["Owner"], "group %s merges the common tags", g.Name)
		assert.Equal(t, "Web", g.Tags["InventoryCategory"])
	}
	assert.Equal(t, []string{"web", "api", "batch"}, []string{cfg.Fleet.InstanceGroups[0].Name, cfg.Fleet.InstanceGroups[1].Name, cfg.Fleet.InstanceGroups[2].Name})
	assert.Equal(t, "m6i.xlarge", cfg.Fleet.InstanceGroups[2].InstanceType, "a list of merged mappings")
	assert.Equal(t, 2, cfg.Fleet.InstanceGroups[2].Count, "its own keys win")
	assert.Equal(t, []string{"a"}, cfg.Patching.MaintenanceWindows[1].Targets.PatchGroups)

	// What a merge brings in is checked like what is written in place: the planted failure.
	_, err = Parse("merge.yaml", []byte(valid+"tags: &bad {Owner: {Ref: AWS::AccountId}}\nassets: {wsusTags: {<<: *bad}}\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `assets.wsusTags.Owner: "{Ref: ...}" is not a text value`)
	assert.NotContains(t, err.Error(), "<<")
}

func TestAnS3EndpointPolicyLongerThanAVpcEndpointPolicyHoldsIsRefused(t *testing.T) {
	buckets := func(n int) string {
		names := make([]string, n)
		for i := range names {
			names[i] = fmt.Sprintf("example-linux-repository-mirror-bucket-%04d", i)
		}
		return "  s3Endpoint: {readBuckets: [" + strings.Join(names, ", ") + "]}\n"
	}
	cfg, err := Parse("policy.yaml", []byte(valid))
	require.NoError(t, err)
	base := len(cfg.S3EndpointPolicy())
	perBucket := len(`,"arn:aws:s3:::example-linux-repository-mirror-bucket-0000/*"`)
	fits := (20480 - base) / perBucket
	runRefusals(t, []refusal{
		{"as_many_buckets_as_fit", valid + buckets(fits), nil},
		{"one_bucket_more", valid + buckets(fits+1),
			[]string{fmt.Sprintf(`network.s3Endpoint: "%d readBuckets and 0 readWriteBuckets" make an S3 endpoint policy of %d characters (with the Systems Manager, repository and command-output buckets), more than the 20480 a VPC endpoint policy holds`,
				fits+1, base+(fits+1)*perBucket)}},
		{"the_vpcs_own_endpoint_is_not_privatepatchs", inExisting(t, "    privateSubnets:", "    s3Endpoint: existing\n    privateSubnets:") + buckets(fits+1), nil},
	})
}

// tagList is n tags in YAML flow form: k0: v, k1: v, ...
func tagList(n int) string {
	tags := make([]string, n)
	for i := range tags {
		tags[i] = fmt.Sprintf("k%d: v", i)
	}
	return strings.Join(tags, ", ")
}
