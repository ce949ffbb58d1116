package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEmbeddedDefaultIsValidAndOffline(t *testing.T) {
	cfg, err := LoadDefault()
	require.NoError(t, err)

	// What the shipped default must be, not the values it has today (make snapshot shows those):
	// a value changed in default.yaml changes its snapshot, not this test.
	assert.True(t, knownRegion(cfg.Region), "the default names its region")
	assert.Empty(t, cfg.Account, "the default must synthesise without an account, so without lookups")
	assert.NotEmpty(t, cfg.S3Cidrs(), "the default region must carry its S3 prefix-list CIDRs")
	assert.Equal(t, 0, cfg.NatGatewayCount(), "private subnets get no internet route by default")
	assert.Empty(t, cfg.Network.AdminCidrs, "RDP is closed by default")
}

func TestExampleFileIsValid(t *testing.T) {
	_, err := LoadFile("example.yaml")
	require.NoError(t, err)
}

func TestExampleFileDocumentsEveryKey(t *testing.T) {
	data, err := os.ReadFile("example.yaml")
	require.NoError(t, err)
	for typeName, keys := range yamlKeys {
		for _, key := range keys {
			assert.True(t, strings.Contains(string(data), key+":"), "example.yaml does not show %s.%s", typeName, key)
		}
	}
}

// window is a maintenance window targeting a patch group, with the given settings.
func window(settings string) string {
	if !strings.Contains(settings, "schedule:") {
		settings = `schedule: "cron(0 2 ? * SUN *)", ` + settings
	}
	if !strings.Contains(settings, "targets:") {
		settings = "targets: {patchGroups: [prod]}, " + settings
	}
	return "patching: {maintenanceWindows: [{name: weekly, " + settings + "}]}\n"
}

// baseline is one patch baseline with the given settings.
func baseline(settings string) string {
	return "patching: {baselines: [{name: custom, " + settings + "}]}\n"
}

func TestPresetsCarryTheRulesOfTheirSources(t *testing.T) {
	cfg, err := Parse("presets.yaml", []byte(valid+"patching:\n  baselines:\n"+
		"    - {name: aws-like, preset: aws-default-windows, patchGroups: [a]}\n"+
		"    - {name: seed-like, preset: seed-example-windows, patchGroups: [b]}\n"))
	require.NoError(t, err)
	baselines := cfg.PatchBaselines()
	require.Len(t, baselines, 3, "the two, then the WSUS server's")
	aws, seed := baselines[0].ApprovalRules[0], baselines[1].ApprovalRules[0]
	assert.Equal(t, map[string][]string{"CLASSIFICATION": {"CriticalUpdates", "SecurityUpdates"}, "MSRC_SEVERITY": {"Critical", "Important"}}, aws.Filters)
	assert.Equal(t, 7, *aws.ApproveAfterDays)
	assert.Equal(t, map[string][]string{"CLASSIFICATION": {"CriticalUpdates"}, "MSRC_SEVERITY": {"Critical"}}, seed.Filters)
	assert.Equal(t, 7, *seed.ApproveAfterDays)
}

func TestRingsBecomeBaselinesWithIncreasingDelays(t *testing.T) {
	cfg, err := Parse("rings.yaml", []byte(valid+"patching: {rings: {preset: aws-default-windows, stages: "+
		"[{patchGroup: dev, approveAfterDays: 0}, {patchGroup: test, approveAfterDays: 7}, {patchGroup: prod, approveAfterDays: 14}]}}\n"))
	require.NoError(t, err)
	var delays []int
	for _, b := range cfg.PatchBaselines() {
		assert.Equal(t, "WINDOWS", b.OperatingSystem)
		assert.Equal(t, []string{strings.TrimPrefix(b.Name, "privatepatch-")}, b.PatchGroups)
		delays = append(delays, *b.ApprovalRules[0].ApproveAfterDays)
	}
	assert.Equal(t, []int{0, 7, 14, 0}, delays, "the rings, then the WSUS server's baseline")
	assert.Equal(t, 7, *presets[PresetAwsDefaultWindows][0].ApproveAfterDays, "expanding rings leaves the preset alone")
}

func TestMaintenanceWindowGetsTheSeedDefaults(t *testing.T) {
	cfg, err := Parse("window.yaml", []byte(valid+window("")))
	require.NoError(t, err)
	w := cfg.Patching.MaintenanceWindows[0]
	assert.Equal(t, 4, *w.DurationHours)
	assert.Equal(t, 1, *w.CutoffHours)
	assert.Equal(t, "UTC", w.Timezone)
	require.Len(t, w.Tasks, 1)
	task := w.Tasks[0]
	assert.Equal(t, PatchTask{Operation: "Install", RebootOption: "RebootIfNeeded", MaxConcurrency: "25%", MaxErrors: "10%", Priority: 1,
		NotifyOnFailure: task.NotifyOnFailure}, task)
	assert.True(t, *task.NotifyOnFailure)
}

// On-premises nodes reach their package repositories over their own network: a Linux baseline
// for hybrid nodes only is not refused for the private subnets' lack of a route to them
// (session 14's false-alarm hunt), and one for nodes in the VPC still is.
func TestALinuxBaselineForHybridNodesOnlyNeedsNoRouteFromThePrivateSubnets(t *testing.T) {
	rhel := "patching: {baselines: [{name: rhel, operatingSystem: REDHAT_ENTERPRISE_LINUX, patchGroups: [onprem-rhel], approvalRules: [{filters: {CLASSIFICATION: [Security]}, approveAfterDays: 7}]%s}]}\n"
	_, err := Parse("onprem.yaml", []byte(valid+fmt.Sprintf(rhel, ", hybridNodesOnly: true")))
	assert.NoError(t, err)
	_, err = Parse("in-vpc.yaml", []byte(valid+fmt.Sprintf(rhel, "")))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `patching.baselines[0].operatingSystem: "REDHAT_ENTERPRISE_LINUX" patches from repositories on the internet, and the private subnets have no route there`)
}

// A classification the server synchronises may be approved; the server's own baseline, which
// Microsoft Update serves, is not held to the list.
func TestClientBaselinesApproveOnlyWhatTheWsusServerSynchronises(t *testing.T) {
	rollups := baseline("patchGroups: [prod], approvalRules: [{filters: {CLASSIFICATION: [UpdateRollups]}, approveAfterDays: 7}]")
	fleet := "fleet: {instanceGroups: [{name: app, count: 1, patchGroup: prod, " + assetTags + "}]}\n"
	_, err := Parse("synced.yaml", []byte(valid+fleet+"wsus: {classifications: [Critical Updates, Security Updates, Update Rollups]}\n"+rollups))
	assert.NoError(t, err, "synchronised")
	_, err = Parse("not-a-client.yaml", []byte(valid+rollups))
	assert.NoError(t, err, "a patch group no instance group of the fleet uses (hybrid nodes, your own) may use Microsoft Update")
	// The default's refusal says the default changed.
	_, err = Parse("late.yaml", []byte(valid+"patching: {maintenanceWindows: [{name: wsus-window, schedule: 'cron(0 20 ? * SAT *)', targets: {patchGroups: [wsus]}}]}\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "21:00 UTC is the default since it replaced 03:00")
	// Several syncs a day: a cut one is followed hours later, and they cannot all avoid the window.
	_, err = Parse("four.yaml", []byte(valid+"wsus: {syncsPerDay: 4}\n"))
	assert.NoError(t, err)
	// Automatic updates off: AUOptions has no effect.
	_, err = Parse("off.yaml", []byte(valid+"wsus: {client: {noAutoUpdate: true, auOptions: 4}}\n"))
	assert.NoError(t, err)
	_, err = Parse("own.yaml", []byte(valid+"patching: {baselines: [{name: own, patchGroups: [wsus], approvalRules: [{filters: {CLASSIFICATION: [UpdateRollups]}, approveAfterDays: 0}]}]}\n"))
	assert.NoError(t, err, "the server's own baseline")
}

// The scans run at a fixed time (a rate drifts into whichever window the deploy's hour falls in),
// and one that starts while a window is open is refused: AWS-RunPatchBaseline would scan and
// install on the same nodes at once. Only an overlap that can be shown is refused.
func TestScansRunAtNoonUTCAndAScanStartingInsideAWindowIsRefused(t *testing.T) {
	cfg, err := Parse("minimal.yaml", []byte(valid))
	require.NoError(t, err)
	assert.Equal(t, "cron(0 12 ? * * *)", cfg.Patching.Scan.Schedule)
	for _, c := range []struct {
		name, yaml, want string
	}{
		{"a window open at noon UTC", valid + window(`schedule: "cron(0 11 ? * SUN *)"`),
			`patching.scan.schedule: "cron(0 12 ? * * *)" runs while maintenance window "weekly" (patching.maintenanceWindows[0], cron(0 11 ? * SUN *)) is open (both are open at Sun 2025-12-28 12:00 UTC`},
		// 07:00 in New York in January is 12:00 UTC: the window's time zone counts.
		{"a window in another time zone", valid + window(`schedule: "cron(0 7 ? * SUN *)", timezone: America/New_York`),
			`runs while maintenance window "weekly"`},
		{"a window ending as the scan starts", valid + window(`schedule: "cron(0 8 ? * SUN *)"`), ""},
		{"a rate cannot be placed", strings.Replace(valid+window(`schedule: "cron(0 11 ? * SUN *)"`), "patching: {", "patching: {scan: {schedule: rate(1 day)}, ", 1), ""},
		{"a scan moved out of the window", strings.Replace(valid+window(`schedule: "cron(0 11 ? * SUN *)"`), "patching: {", "patching: {scan: {schedule: 'cron(0 18 ? * * *)'}, ", 1), ""},
	} {
		_, err := Parse("scan.yaml", []byte(c.yaml))
		if c.want == "" {
			assert.NoError(t, err, c.name)
		} else {
			require.Error(t, err, c.name)
			assert.Contains(t, err.Error(), c.want, c.name)
		}
	}
}

// An agent update that runs while a window is open is refused: a patch command sent while the
// agent restarts may never complete. The defaults (Saturdays 00:00 UTC) fit the default windows.
func TestAnAgentUpdateInsideAWindowIsRefused(t *testing.T) {
	_, err := Parse("minimal.yaml", []byte(valid))
	require.NoError(t, err, "the default agent updates and windows")
	for _, c := range []struct {
		name, yaml, want string
	}{
		{"an update inside the WSUS server's Saturday window", valid + "patching: {agentUpdate: {schedules: ['cron(30 2 ? * SAT#2 *)']}}\n",
			`patching.agentUpdate.schedules[0]: "cron(30 2 ? * SAT#2 *)" updates SSM Agent while maintenance window "privatepatch-wsus"`},
		{"the second schedule inside the fleet's window", strings.Replace(valid+window(""), "patching: {", "patching: {agentUpdate: {schedules: ['cron(0 0 ? * SAT#2 *)', 'cron(0 3 ? * SUN#1 *)']}, ", 1),
			`patching.agentUpdate.schedules[1]: "cron(0 3 ? * SUN#1 *)" updates SSM Agent while maintenance window "weekly"`},
		{"with scans off (a review's find: the check ran only with scans on)", valid + "patching: {scan: {enabled: false}, agentUpdate: {schedules: ['cron(30 2 ? * SAT#2 *)']}}\n",
			`patching.agentUpdate.schedules[0]: "cron(30 2 ? * SAT#2 *)" updates SSM Agent while maintenance window "privatepatch-wsus"`},
		{"agent updates off", valid + "patching: {agentUpdate: {enabled: false, schedules: ['cron(30 2 ? * SAT#2 *)']}}\n", ""},
		{"a rate cannot be placed", valid + "patching: {agentUpdate: {schedules: ['rate(14 days)']}}\n", ""},
	} {
		_, err := Parse("agent.yaml", []byte(c.yaml))
		if c.want == "" {
			assert.NoError(t, err, c.name)
		} else {
			require.Error(t, err, c.name)
			assert.Contains(t, err.Error(), c.want, c.name)
		}
	}
}

func TestSevenFieldWindowCronAndAtAssociationScheduleAreValid(t *testing.T) {
	yaml := strings.Replace(valid+window(`schedule: "cron(0 0 2 ? * SUN *)"`), "patching: {", "patching: {scan: {schedule: at(2026-12-01T02:00:00)}, ", 1)
	cfg, err := Parse("at.yaml", []byte(yaml))
	require.NoError(t, err, "a seven-field window cron and an at() association schedule are valid")
	assert.Equal(t, "cron(0 0 2 ? * SUN *)", cfg.Patching.MaintenanceWindows[0].Schedule)
}

func TestWsusServerIsPatchedByDefaultTheDayBeforeTheFleet(t *testing.T) {
	cfg, err := Parse("minimal.yaml", []byte(valid))
	require.NoError(t, err)
	assert.Equal(t, "wsus", cfg.Wsus.PatchGroup)
	require.Len(t, cfg.Patching.MaintenanceWindows, 1)
	w := cfg.Patching.MaintenanceWindows[0]
	assert.Equal(t, "privatepatch-wsus", w.Name)
	assert.Equal(t, "cron(0 2 ? * SAT *)", w.Schedule)
	assert.Equal(t, []string{"wsus"}, w.Targets.PatchGroups)
	assert.Equal(t, "Install", w.Tasks[0].Operation)
	assert.False(t, w.PrePatchImage, "an image would snapshot the 200 GiB update store every week")
	assert.Equal(t, []string{"wsus"}, cfg.PatchGroups(), "scanned too")

	cfg, err = Parse("own-window.yaml", []byte(valid+window("targets: {patchGroups: [wsus]}")))
	require.NoError(t, err)
	assert.Len(t, cfg.Patching.MaintenanceWindows, 1, "a configured window that targets the server replaces the default one")

	cfg, err = Parse("opt-out.yaml", []byte(valid+"wsus: {patchGroup: \"\"}\n"))
	require.NoError(t, err)
	assert.Empty(t, cfg.Patching.MaintenanceWindows, "patchGroup: \"\" opts out")
	assert.Empty(t, cfg.PatchGroups())
}

func TestNatVariantNeedsNoWsus(t *testing.T) {
	cfg, err := Parse("nat.yaml", []byte(valid+"  nat: {enabled: true}\nwsus: {enabled: false}\n"))
	require.NoError(t, err)
	assert.False(t, cfg.Wsus.Enabled)
}

// The setup finds the update store by NVMe serial number, which Nitro instances show.
func TestWsusAcceptsNitroInstanceTypes(t *testing.T) {
	for _, instanceType := range []string{"m6i.large", "t3.large", "m5.xlarge", "t3a.xlarge", "r5.large", "m7i.large", "i3.metal"} {
		cfg, err := Parse("nitro.yaml", []byte(valid+"wsus: {instanceType: "+instanceType+"}\n"))
		if assert.NoError(t, err, instanceType) {
			assert.Equal(t, instanceType, cfg.Wsus.InstanceType)
		}
	}
}

// With SSE-KMS, Amazon S3 asks AWS KMS for the data key: instances upload to S3 only, so KMS
// output needs neither the kms interface endpoint nor NAT (only key permissions, which the
// command-output grant gives; test/patching_test.go checks them).
func TestKmsCommandOutputNeedsNoKmsEndpoint(t *testing.T) {
	cfg, err := Parse("kms.yaml", []byte(valid+"commandOutput: {encryption: kms}\n"))
	require.NoError(t, err)
	assert.Equal(t, EncryptionKMS, cfg.CommandOutput.Encryption)
	assert.NotContains(t, cfg.Network.ExtraInterfaceEndpoints, "kms")
	assert.False(t, cfg.Network.Nat.Enabled)
}

func TestInstanceGroupsAndFleetTagGetDefaults(t *testing.T) {
	cfg, err := Parse("fleet.yaml", []byte(valid+"project: acme\nfleet: {instanceGroups: [{name: app, count: 1, "+assetTags+"}, {name: db, count: 1, windowsVersion: \"2019\", "+assetTags+"}]}\n"))
	require.NoError(t, err)
	assert.Equal(t, Tag{Key: "privatepatch:fleet", Value: "acme"}, cfg.Fleet.Tag, "the fleet tag value defaults to the project")
	assert.Equal(t, "2022", cfg.Fleet.InstanceGroups[0].WindowsVersion)
	assert.Equal(t, "m6i.large", cfg.Fleet.InstanceGroups[0].InstanceType)
	assert.Equal(t, []string{"2022", "2019"}, cfg.WindowsVersions(), "the server's version, then each group's")
}

func TestFileSetsOnlyWhatDiffersFromDefaults(t *testing.T) {
	cfg, err := Parse("minimal.yaml", []byte("region: eu-west-1\naccount: \"111122223333\"\n"))
	require.NoError(t, err)
	assert.Equal(t, Defaults().Network.VpcCidr, cfg.Network.VpcCidr)
	assert.Equal(t, Defaults().Network.FlowLogs, cfg.Network.FlowLogs)
	assert.Nil(t, cfg.S3Cidrs(), "with an account and no override the CIDRs are looked up")
}

func TestNatGatewayCount(t *testing.T) {
	cases := []struct {
		name string
		nat  Nat
		want int
	}{
		{"disabled", Nat{Enabled: false, Gateways: NatPerAz}, 0},
		{"one_per_az", Nat{Enabled: true, Gateways: NatPerAz}, 3},
		{"single_shared", Nat{Enabled: true, Gateways: NatSingle}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Defaults()
			cfg.Network.AzCount = 3
			cfg.Network.Nat = tc.nat
			assert.Equal(t, tc.want, cfg.NatGatewayCount())
		})
	}
}

func TestMissingFileSaysHowToPassOne(t *testing.T) {
	_, err := LoadFile(filepath.Join(t.TempDir(), "absent.yaml"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "absent.yaml does not exist: pass an existing file with -c config=PATH")
}

// assetTags satisfy the default asset-tag policy for an instance group.
const assetTags = `tags: {Environment: Dev, InventoryCategory: App, SeverityLevel: "3", HandlePI: N, IsPublic: N}`

// valid is a complete, valid configuration that each bad case breaks in one place.
const valid = `
region: us-west-2
network:
  s3PrefixListIds: {us-west-2: pl-68a54001}
  s3PrefixListCidrs: {us-west-2: [54.231.160.0/19]}
`

func TestBadConfigurationIsRejectedWithItsReason(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		want []string
	}{
		{"unknown_key_names_key_line_and_allowed_keys", valid + "  vpcCidrr: 10.0.0.0/16\n",
			[]string{`line 6: unknown key "vpcCidrr"; allowed keys here: adminCidrs, availabilityZones, azCount,`}},
		{"unknown_key_lists_the_keys_a_section_takes_from_its_construct", valid + "wsus: {prot: 8531}\n",
			[]string{`line 6: unknown key "prot"; allowed keys here: amiId, attachUpdateStore, certificateThumbprint, classifications, cleanup, client, enabled, instanceType, languages, patchGroup, port, products, publicAddress, setupSchedule, syncTimeUtc, syncsPerDay, updateStoreGiB, windowsVersion`}},
		{"unknown_top_level_key", "regoin: us-west-2\n",
			[]string{`line 1: unknown key "regoin"; allowed keys here: account, assets, commandOutput, environments, fleet, network, patching, pipeline, project, region, security, tags, wsus`}},
		{"yaml_syntax_error_names_its_line", "region: us-west-2\nproject: privatepatch\nnetwork: vpcCidr: 10.0.0.0/16\n",
			[]string{"bad.yaml: line 3: mapping values are not allowed in this context"}},
		{"wrong_type", valid + "  azCount: two\n",
			[]string{`network.azCount: "two" is not a whole number (line 6)`}},
		{"empty_file", "", []string{"bad.yaml is empty: it needs at least a region"}},
		{"two_documents", valid + "---\nregion: eu-west-1\n", []string{"more than one YAML document"}},
		{"missing_region", "network: {}\n", []string{`region: "" is not an AWS region: use one such as us-west-2`}},
		{"bad_region", "region: moon-1\n", []string{`region: "moon-1" is not an AWS region: use one such as us-west-2`}},
		{"well_formed_but_unknown_region", "region: us-west-9\n", []string{`region: "us-west-9" is not an AWS region`}},
		{"bad_account", valid + "account: \"1234\"\n", []string{`account: "1234" is not an AWS account id: use 12 digits`}},
		{"bad_project", valid + "project: Patch_Me\n", []string{`project: "Patch_Me" is not allowed`}},
		{"reserved_project_prefix", valid + "project: aws-patching\n", []string{`project: "aws-patching" starts with "aws", which AWS reserves`}},
		{"reserved_project_prefix_amazon", valid + "project: amazonfleet\n", []string{`project: "amazonfleet" starts with "amazon", which AWS reserves`}},
		{"aws_tag_key", valid + "tags: {\"aws:owner\": x}\n", []string{`tags: "aws:owner" is not a valid tag key`}},
		{"bad_vpc_cidr", valid + "  vpcCidr: 10.0.0.0/33\n",
			[]string{`network.vpcCidr: "10.0.0.0/33" is not an IPv4 CIDR block: use the form 10.0.0.0/16`}},
		{"vpc_cidr_with_host_bits", valid + "  vpcCidr: 10.0.0.1/16\n",
			[]string{`network.vpcCidr: "10.0.0.1/16" has host bits set: use 10.0.0.0/16`}},
		{"vpc_cidr_too_large_a_block", valid + "  vpcCidr: 10.0.0.0/8\n",
			[]string{`network.vpcCidr: "10.0.0.0/8" is not allowed: a VPC block has a prefix length from /16 to /28`}},
		{"vpc_cidr_too_small_for_its_subnets", valid + "  vpcCidr: 10.0.0.0/24\n",
			[]string{`network.vpcCidr: "10.0.0.0/24" is too small for 2 zones of /24 subnets (1024 addresses needed, 256 available)`}},
		{"az_count_zero", valid + "  azCount: 0\n", []string{"network.azCount: 0 is out of range: use 1 to 6"}},
		{"az_count_seven", valid + "  azCount: 7\n", []string{"network.azCount: 7 is out of range: use 1 to 6"}},
		{"three_azs_without_account_or_zones", valid + "  azCount: 3\n",
			[]string{"network.azCount: 3 needs an account or network.availabilityZones"}},
		{"more_azs_than_listed", valid + "  azCount: 2\n  availabilityZones: [us-west-2a]\n",
			[]string{"network.azCount: 2 is more than the 1 zones listed"}},
		{"zone_of_another_region", valid + "  availabilityZones: [eu-west-1a, us-west-2b]\n",
			[]string{`network.availabilityZones[0]: "eu-west-1a" is not an availability zone of region "us-west-2": use the region's name and one letter, e.g. us-west-2a`}},
		{"garbage_zone_name", valid + "  availabilityZones: [us-west-2-lax-1a, us-west-2b]\n",
			[]string{`network.availabilityZones[0]: "us-west-2-lax-1a" is not an availability zone of region "us-west-2"`}},
		{"duplicate_zone", valid + "  availabilityZones: [us-west-2a, us-west-2a]\n",
			[]string{`network.availabilityZones[1]: "us-west-2a" is listed twice`}},
		{"three_zones_need_room_for_their_fixed_subnet_places", valid + "  vpcCidr: 10.0.0.0/22\n  availabilityZones: [us-west-2a, us-west-2b, us-west-2c]\n  azCount: 3\n",
			[]string{`network.vpcCidr: "10.0.0.0/22" is too small for 3 zones of /24 subnets (1792 addresses needed, 1024 available)`}},
		{"instance_group_over_more_zones_than_the_vpc", valid + "fleet: {instanceGroups: [{name: app, count: 2, zones: 3}]}\n",
			[]string{`fleet.instanceGroups[0].zones: 3 is out of range: use 1 to network.azCount (2)`}},
		{"subnet_mask_out_of_range", valid + "  subnetCidrMask: 29\n",
			[]string{"network.subnetCidrMask: 29 is out of range"}},
		{"bad_nat_layout", valid + "  nat: {enabled: true, gateways: two}\n",
			[]string{`network.nat.gateways: "two" is not allowed: use per-az or single`}},
		{"wsus_public_address_neither_ours_nor_external", valid + "wsus: {publicAddress: auto}\n",
			[]string{`wsus.publicAddress: "auto" is not allowed: use elasticIp or external`}},
		{"admin_cidr_open_to_the_world", valid + "  adminCidrs: [0.0.0.0/0]\n",
			[]string{`network.adminCidrs[0]: "0.0.0.0/0" opens RDP to (nearly) the whole internet`}},
		{"wsus_client_cidr_open_to_the_world", valid + "  wsusClientCidrs: [0.0.0.0/0]\n",
			[]string{`network.wsusClientCidrs[0]: "0.0.0.0/0" opens WSUS to (nearly) the whole internet`}},
		{"wsus_client_cidr_inside_the_vpc", valid + "  wsusClientCidrs: [10.0.5.0/24]\n",
			[]string{`network.wsusClientCidrs[0]: "10.0.5.0/24" overlaps the VPC 10.0.0.0/16: these are on-premises networks`}},
		{"wsus_client_cidrs_without_wsus", valid + "  wsusClientCidrs: [192.168.0.0/16]\n  nat: {enabled: true}\nwsus: {enabled: false}\n",
			[]string{`network.wsusClientCidrs: 1 on-premises networks are admitted to WSUS, and wsus.enabled is false: remove them`}},
		{"wsus_external_address_without_wsus", valid + "  nat: {enabled: true}\nwsus: {enabled: false, publicAddress: external}\n",
			[]string{`wsus.publicAddress: "external" has no server to address: wsus.enabled is false; remove it`}},
		{"admin_cidr_not_a_cidr", valid + "  adminCidrs: [203.0.113.5]\n",
			[]string{`network.adminCidrs[0]: "203.0.113.5" is not an IPv4 CIDR block`}},
		{"built_in_endpoint_listed_again", valid + "  extraInterfaceEndpoints: [ssm]\n",
			[]string{`network.extraInterfaceEndpoints[0]: "ssm" is always created`}},
		{"endpoint_listed_twice", valid + "  extraInterfaceEndpoints: [logs, logs]\n",
			[]string{`network.extraInterfaceEndpoints[1]: "logs" is listed twice`}},
		{"unknown_region_without_s3_data", "region: eu-west-3\n",
			[]string{`network.s3PrefixListCidrs: "eu-west-3" has no S3 prefix-list CIDRs and, with no account set, CDK cannot look them up: either add them under network.s3PrefixListCidrs.eu-west-3`}},
		{"s3_prefix_list_id_missing_without_account", "region: us-west-2\nnetwork:\n  s3PrefixListCidrs: {us-west-2: [54.231.160.0/19]}\n",
			[]string{`network.s3PrefixListIds: "us-west-2" has no S3 prefix-list id and, with no account set, CDK cannot look it up: ` +
				`either add it under network.s3PrefixListIds.us-west-2 (aws ec2 describe-managed-prefix-lists --region us-west-2 ` +
				`--filters Name=prefix-list-name,Values=com.amazonaws.us-west-2.s3`}},
		{"s3_prefix_list_id_not_an_id", strings.Replace(valid, "pl-68a54001", "com.amazonaws.us-west-2.s3", 1),
			[]string{`network.s3PrefixListIds.us-west-2: "com.amazonaws.us-west-2.s3" is not a prefix-list id: use the pl-... id that aws ec2 describe-managed-prefix-lists prints for com.amazonaws.us-west-2.s3`}},
		{"s3_prefix_list_id_of_unknown_region", strings.Replace(valid, "{us-west-2: pl-68a54001}", "{us-west-2: pl-68a54001, mars-north-1: pl-12345678}", 1),
			[]string{`network.s3PrefixListIds: "mars-north-1" is not an AWS region name`}},
		{"bad_s3_cidr", "region: us-west-2\nnetwork:\n  s3PrefixListCidrs: {us-west-2: [s3.example]}\n",
			[]string{`network.s3PrefixListCidrs.us-west-2[0]: "s3.example" is not an IPv4 CIDR block`}},
		{"bad_bucket_name", valid + "  s3Endpoint: {readWriteBuckets: [My_Bucket]}\n",
			[]string{`network.s3Endpoint.readWriteBuckets[0]: "My_Bucket" is not an S3 bucket name`}},
		{"negative_retention", valid + "  flowLogs: {retentionDays: -1}\n",
			[]string{"network.flowLogs.retentionDays: -1 is not a CloudWatch Logs retention period"}},
		{"negative_retention_in_s3", valid + "  flowLogs: {destination: s3, retentionDays: -5}\n",
			[]string{"network.flowLogs.retentionDays: -5 is not allowed: keep flow logs for at least 1 day"}},
		{"bad_flow_log_destination", valid + "  flowLogs: {destination: kinesis}\n",
			[]string{`network.flowLogs.destination: "kinesis" is not allowed: use cloudwatch-logs or s3`}},
		{"update_store_below_150_gib", valid + "wsus: {updateStoreGiB: 100}\n",
			[]string{"wsus.updateStoreGiB: 100 is not allowed: WSUS needs an update store of at least 150 GiB"}},
		{"upper_case_wsus_language", valid + "wsus: {languages: [en, zh-TW]}\n",
			[]string{`wsus.languages[1]: "zh-TW" is not a WSUS language code: use a lower-case one such as en, ja or zh-tw (WSUS takes them in lower case only)`}},
		{"flow_logs_kept_less_than_a_year_in_cloudwatch", valid + "  flowLogs: {destination: cloudwatch-logs, retentionDays: 90}\n",
			[]string{`network.flowLogs.retentionDays: 90 is shorter than the year the Control Tower control CT.CLOUDWATCH.PR.2 asks of a log group, which make verify checks`}},
		{"unknown_windows_version_of_wsus", valid + "wsus: {windowsVersion: \"2016\"}\n",
			[]string{`wsus.windowsVersion: "2016" is not a supported Windows Server version: use one of 2019, 2022, 2025`}},
		{"unknown_windows_version_of_a_group", valid + "fleet: {instanceGroups: [{name: app, count: 1, windowsVersion: \"11\"}]}\n",
			[]string{`fleet.instanceGroups[0].windowsVersion: "11" is not a supported Windows Server version`}},
		{"no_wsus_and_no_nat", valid + "wsus: {enabled: false}\n",
			[]string{"wsus.enabled: false leaves the private subnets without an update source"}},
		{"wsus_port_not_8530_or_8531", valid + "wsus: {port: 80}\n",
			[]string{"wsus.port: 80 is not a WSUS port: use 8530 (HTTP) or 8531 (HTTPS)"}},
		{"https_port_without_certificate", valid + "wsus: {port: 8531}\n",
			[]string{`wsus.certificateThumbprint: "" is required with port 8531`}},
		{"duplicate_instance_group_names", valid + "fleet: {instanceGroups: [{name: app, count: 1}, {name: app, count: 2}]}\n",
			[]string{`fleet.instanceGroups[1].name: "app" is used by another instance group: names must be unique`}},
		{"patch_group_with_invalid_characters", valid + "fleet: {instanceGroups: [{name: app, count: 1, patchGroup: \"prod;rm -rf\"}]}\n",
			[]string{`fleet.instanceGroups[0].patchGroup: "prod;rm -rf" has characters a patch group (a tag value) cannot hold`}},
		{"instance_count_zero", valid + "fleet: {instanceGroups: [{name: app, count: 0}]}\n",
			[]string{"fleet.instanceGroups[0].count: 0 is out of range: use 1 to 20"}},
		{"bad_group_name", valid + "fleet: {instanceGroups: [{name: App_1, count: 1}]}\n",
			[]string{`fleet.instanceGroups[0].name: "App_1" is not allowed`}},
		{"patch_group_tag_set_by_hand", valid + "fleet: {instanceGroups: [{name: app, count: 1, tags: {Patch Group: x}}]}\n",
			[]string{`fleet.instanceGroups[0].tags: "Patch Group" is set from patchGroup`}},
		{"unknown_classification", valid + "wsus: {classifications: [Security Updates, Hotfixes]}\n",
			[]string{`wsus.classifications[1]: "Hotfixes" is not a WSUS classification`}},
		{"product_with_quote", valid + "wsus: {products: [\"Windows'; Remove-Item\"]}\n",
			[]string{`wsus.products[0]: "Windows'; Remove-Item" is not a WSUS product title`}},
		{"bad_sync_time", valid + "wsus: {syncTimeUtc: \"25:00\"}\n", []string{`wsus.syncTimeUtc: "25:00" is not a time`}},
		{"client_schedule_too_frequent", valid + "wsus: {client: {schedule: rate(5 minutes)}}\n",
			[]string{`wsus.client.schedule: "rate(5 minutes)" is not a State Manager schedule: State Manager runs associations at most every 30 minutes`}},
		{"bad_setup_schedule", valid + "wsus: {setupSchedule: daily}\n",
			[]string{`wsus.setupSchedule: "daily" is not a State Manager schedule: use cron(0 2 ? * SUN *), rate(7 days) or at(2026-12-01T02:00:00)`}},
		{"association_rate_one_days", valid + "patching: {scan: {schedule: rate(1 days)}}\n",
			[]string{`patching.scan.schedule: "rate(1 days)" is not a State Manager schedule: write rate(1 day)`}},
		{"association_rate_five_day", valid + "patching: {inventory: {schedule: rate(5 day)}}\n",
			[]string{`patching.inventory.schedule: "rate(5 day)" is not a State Manager schedule: write rate(5 days)`}},
		{"association_garbage_cron", valid + "wsus: {client: {schedule: cron(foo)}}\n",
			[]string{`wsus.client.schedule: "cron(foo)" is not a State Manager schedule: 1 fields`}},
		{"association_cron_naming_a_month", valid + "patching: {scan: {schedule: \"cron(0 2 ? JAN SUN *)\"}}\n",
			[]string{`patching.scan.schedule: "cron(0 2 ? JAN SUN *)" is not a State Manager schedule: month "JAN": State Manager does not take months`}},
		{"day_name_in_the_month_field", valid + window(`schedule: "cron(0 2 ? MON SUN *)"`),
			[]string{`patching.maintenanceWindows[0].schedule: "cron(0 2 ? MON SUN *)" is not a maintenance window schedule: month "MON": use 1-12 or JAN, FEB`}},
		{"month_name_in_the_day_of_week_field", valid + window(`schedule: "cron(0 2 ? * JAN *)"`),
			[]string{`day-of-week "JAN": use 1-7 or SUN, MON`}},
		// A review's find: its failure alarm would take the WSUS synchronisation alarm's name.
		{"window_named_like_the_wsus_sync_alarm", valid + "patching: {maintenanceWindows: [{name: wsus-sync, schedule: \"cron(0 2 ? * SUN *)\", targets: {patchGroups: [windows]}}]}\n",
			[]string{`patching.maintenanceWindows[0].name: "wsus-sync" names its failure alarm wsus-sync-failed, the name of the WSUS synchronisation alarm`}},
		{"window_rate_in_minutes", valid + window(`schedule: "rate(30 minutes)"`),
			[]string{`"rate(30 minutes)" is not a maintenance window schedule: maintenance windows run at most every hour`}},
		{"window_at_not_a_date", valid + window(`schedule: "at(2026-13-01T02:00:00)"`),
			[]string{`"at(2026-13-01T02:00:00)" is not a maintenance window schedule: 2026-13-01T02:00:00 is not a date and time`}},
		{"bad_au_options", valid + "wsus: {client: {auOptions: 6}}\n", []string{"wsus.client.auOptions: 6 is not an AUOptions value"}},
		// WSUS approves what it synchronises: Windows' own schedule would install it outside the windows.
		{"au_options_schedule_install", valid + "wsus: {client: {auOptions: 4}}\n", []string{"wsus.client.auOptions: 4 lets Windows install what WSUS approves on its own schedule"}},
		// 5 is not an option on Windows 10 and later, which every supported Windows Server is.
		{"au_options_local_admin", valid + "wsus: {client: {auOptions: 5}}\n",
			[]string{"wsus.client.auOptions: 5 is not available on Windows 10 and later, on whose builds Windows Server 2019, 2022 and 2025 are made"}},
		{"au_options_local_admin_without_automatic_updates", valid + "wsus: {client: {auOptions: 5, noAutoUpdate: true}}\n",
			[]string{"wsus.client.auOptions: 5 is not available on Windows 10 and later"}},
		// The server's own window (Saturday 02:00 UTC, 3 hours) would reboot it mid-synchronisation.
		{"sync_inside_the_servers_window", valid + "wsus: {syncTimeUtc: '03:00'}\n",
			[]string{`wsus.syncTimeUtc: "03:00" synchronises at 03:00 UTC (taken as 2 hours), while window "privatepatch-wsus" (patching.maintenanceWindows[0], cron(0 2 ? * SAT *)) may patch and reboot the server`}},

		// A client baseline approving what the server never synchronises installs nothing.
		{"classification_wsus_does_not_sync", valid + "fleet: {instanceGroups: [{name: app, count: 1, patchGroup: prod, " + assetTags + "}]}\n" +
			baseline("patchGroups: [prod], approvalRules: [{filters: {CLASSIFICATION: [SecurityUpdates, UpdateRollups]}, approveAfterDays: 7}]"),
			[]string{`patching.baselines[0].approvalRules[0].filters.CLASSIFICATION: "UpdateRollups" approves "Update Rollups" updates, which the WSUS server does not synchronise (wsus.classifications: Critical Updates, Security Updates)`}},
		// The same for a group without a patch group: the default baseline patches it.
		{"classification_default_baseline_wsus_does_not_sync", valid + "fleet: {instanceGroups: [{name: app, count: 1, " + assetTags + "}]}\n" +
			baseline("default: true, approvalRules: [{filters: {CLASSIFICATION: [UpdateRollups]}, approveAfterDays: 7}]"),
			[]string{`patching.baselines[0].approvalRules[0].filters.CLASSIFICATION: "UpdateRollups" approves "Update Rollups" updates, which the WSUS server does not synchronise`}},
		{"classification_aws_default_baseline_wsus_does_not_sync", valid + "fleet: {instanceGroups: [{name: app, count: 1, " + assetTags + "}]}\n" +
			"wsus: {classifications: [Security Updates]}\n",
			[]string{`wsus.classifications: "Security Updates" leaves out "Critical Updates", which AWS-DefaultPatchBaseline approves (the baseline of fleet instance group "app"`}},
		// And for a ring's baseline.
		{"classification_ring_wsus_does_not_sync", valid + "fleet: {instanceGroups: [{name: app, count: 1, patchGroup: dev, " + assetTags + "}]}\n" +
			"wsus: {classifications: [Security Updates]}\n" +
			"patching: {rings: {preset: aws-default-windows, stages: [{patchGroup: dev, approveAfterDays: 0}, {patchGroup: prod, approveAfterDays: 7}]}}\n",
			[]string{`patching.rings.preset.approvalRules[0].filters.CLASSIFICATION: "CriticalUpdates" approves "Critical Updates" updates`}},
		{"bad_install_day", valid + "wsus: {client: {scheduledInstallDay: 8}}\n", []string{"wsus.client.scheduledInstallDay: 8 is out of range"}},
		// Read with auOptions 4 only, which needs noAutoUpdate: ignored in every accepted configuration.
		{"install_day_without_effect", valid + "wsus: {client: {scheduledInstallDay: 3}}\n", []string{"wsus.client.scheduledInstallDay: 3 has no effect"}},
		{"install_day_with_automatic_updates_off", valid + "wsus: {client: {auOptions: 4, noAutoUpdate: true, scheduledInstallDay: 3}}\n",
			[]string{"wsus.client.scheduledInstallDay: 3 has no effect"}},
		{"bad_ami_id", valid + "wsus: {amiId: ami-xyz}\n", []string{`wsus.amiId: "ami-xyz" is not an AMI id`}},
		{"negative_command_output_retention", valid + "commandOutput: {retentionDays: -1}\n",
			[]string{"commandOutput.retentionDays: -1 is not allowed"}},
		{"duration_zero_is_not_the_default", valid + window("durationHours: 0"),
			[]string{"patching.maintenanceWindows[0].durationHours: 0 is out of range: use 1 to 24 (leave it out for 4)"}},
		{"cutoff_not_less_than_duration", valid + window("durationHours: 2, cutoffHours: 2"),
			[]string{"patching.maintenanceWindows[0].cutoffHours: 2 must be less than durationHours (2): whole hours"}},
		{"malformed_cron", valid + window(`schedule: "cron(0 2 * * SUN *)"`),
			[]string{`patching.maintenanceWindows[0].schedule: "cron(0 2 * * SUN *)" is not a maintenance window schedule: day-of-month and day-of-week need exactly one ?`}},
		{"cron_with_five_fields", valid + window(`schedule: "cron(0 2 ? * SUN)"`),
			[]string{`is not a maintenance window schedule: 5 fields: use six`}},
		{"cron_hour_out_of_range", valid + window(`schedule: "cron(0 25 ? * SUN *)"`),
			[]string{`is not a maintenance window schedule: hours "25": use 0-23`}},
		{"offset_without_cron", valid + window(`schedule: "rate(7 days)", scheduleOffset: 2`),
			[]string{"patching.maintenanceWindows[0].scheduleOffset: 2 is not allowed: 1 to 6 days, with a cron schedule only"}},
		{"unknown_time_zone", valid + window("timezone: Mars/Olympus"),
			[]string{`patching.maintenanceWindows[0].timezone: "Mars/Olympus" is not an IANA time zone`}},
		{"duration_25_hours", valid + window("durationHours: 25"), []string{"durationHours: 25 is out of range: use 1 to 24"}},
		{"max_concurrency_zero", valid + window(`tasks: [{maxConcurrency: "0"}]`),
			[]string{`patching.maintenanceWindows[0].tasks[0].maxConcurrency: "0" is not allowed: use a number from 1 or a percentage from 1% to 100%`}},
		{"max_concurrency_150_percent", valid + window(`tasks: [{maxConcurrency: "150%"}]`),
			[]string{`tasks[0].maxConcurrency: "150%" is not allowed`}},
		{"max_errors_not_a_number", valid + window(`tasks: [{maxErrors: "some"}]`), []string{`tasks[0].maxErrors: "some" is not allowed`}},
		{"max_errors_leading_zero", valid + window(`tasks: [{maxErrors: "05%"}]`),
			[]string{`tasks[0].maxErrors: "05%" is not allowed: use a number from 0 or a percentage from 0% to 100%, without leading zeros`}},
		{"unknown_task_operation", valid + window(`tasks: [{operation: Patch}]`), []string{`tasks[0].operation: "Patch" is not allowed: use Install or Scan`}},
		{"inspector_on_beside_a_fleet_inventory_association", valid + "security: {inspector: {enable: true}}\npatching: {inventory: {enabled: true, allNodes: false}}\n",
			[]string{`patching.inventory.allNodes: false cannot be false with security.inspector.enable: Inspector then makes its own inventory association on every node (InspectorInventoryCollection-do-not-delete) unless one targets InstanceIds *, and a fleet node given both has two inventory associations ("Scanning Amazon EC2 instances", Amazon Inspector User Guide): leave it unset (it follows security.inspector.enable) or true`}},
		{"all_nodes_without_inventory", valid + "patching: {inventory: {enabled: false, allNodes: true}}\n",
			[]string{`patching.inventory.allNodes: true needs patching.inventory.enabled: there is no inventory association to target every node`}},
		{"stop_on_failure_not_on_or_off", valid + "patching: {stopOnFailure: maybe}\n",
			[]string{`patching.stopOnFailure: "maybe" is not allowed: use on or off (default on)`}},
		{"stop_on_alarms_on_a_scan", valid + window(`tasks: [{operation: Scan, stopOnAlarms: [app-health]}]`),
			[]string{`tasks[0].stopOnAlarms: "app-health" is for Install tasks only`}},
		{"stop_on_alarm_with_a_quote", valid + window(`tasks: [{stopOnAlarms: ['app "health"']}]`),
			[]string{`tasks[0].stopOnAlarms[0]: "app \"health\"" is not allowed: a composite alarm's rule names it in ALARM("...")`}},
		{"stop_on_alarm_blank", valid + window(`tasks: [{stopOnAlarms: ["  "]}]`),
			[]string{`tasks[0].stopOnAlarms[0]: "  " is not an alarm name: use 1-255 characters, not only spaces`}},
		{"stop_on_alarm_named_twice", valid + window(`tasks: [{stopOnAlarms: [app-health, app-health]}]`),
			[]string{`tasks[0].stopOnAlarms[1]: "app-health" is named twice`}},
		{"stop_on_too_many_alarms", valid + window(`tasks: [{stopOnAlarms: [a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11]}]`),
			[]string{`tasks[0].stopOnAlarms: 11 alarms are more than 10: combine them in a composite alarm of your own`}},
		{"unknown_patch_group_tag_key", valid + window("targets: {patchGroups: [prod], patchGroupTagKey: PatchGroups}"),
			[]string{`patching.maintenanceWindows[0].targets.patchGroupTagKey: "PatchGroups" is not a patch group tag key: use one of Patch Group or PatchGroup`}},
		// One window target per window: with both keys every task ran twice on the fleet's instances.
		{"two_patch_group_tag_keys", valid + window("targets: {patchGroups: [prod], patchGroupTagKey: [Patch Group, PatchGroup]}"),
			[]string{`line 6: patchGroupTagKey takes one key, Patch Group or PatchGroup, not a list: a window targeting two runs every task twice`}},
		{"the_list_of_keys_is_gone", valid + window("targets: {patchGroups: [prod], patchGroupTagKeys: [Patch Group, PatchGroup]}"),
			[]string{`line 6: unknown key "patchGroupTagKeys"; allowed keys here: instanceIds, patchGroupTagKey, patchGroups, resourceGroup`}},
		{"window_without_targets", valid + "patching: {maintenanceWindows: [{name: weekly, schedule: rate(7 days)}]}\n",
			[]string{"patching.maintenanceWindows[0].targets: \"\" is empty"}},
		{"msrc_severity_on_linux", valid + baseline("operatingSystem: AMAZON_LINUX_2, approvalRules: [{filters: {MSRC_SEVERITY: [Critical]}, approveAfterDays: 7}]"),
			[]string{`patching.baselines[0].approvalRules[0].filters: "MSRC_SEVERITY" is not a patch filter key for AMAZON_LINUX_2: use one of PRODUCT, CLASSIFICATION, SEVERITY`}},
		{"unknown_windows_classification", valid + baseline("approvalRules: [{filters: {CLASSIFICATION: [CriticalUpdate]}, approveAfterDays: 7}]"),
			[]string{`patching.baselines[0].approvalRules[0].filters.CLASSIFICATION: "CriticalUpdate" is not a CLASSIFICATION value for WINDOWS`}},
		{"unknown_amazon_linux_severity", valid + baseline("operatingSystem: AMAZON_LINUX_2023, approvalRules: [{filters: {SEVERITY: [Urgent]}, approveAfterDays: 7}]"),
			[]string{`filters.SEVERITY: "Urgent" is not a SEVERITY value for AMAZON_LINUX_2023`}},
		// SUSE's values are its own: Amazon Linux's Medium is not one, and its Moderate is.
		{"amazon_linux_severity_on_suse", valid + baseline("operatingSystem: SUSE, approvalRules: [{filters: {SEVERITY: [Medium]}, approveAfterDays: 7}]"),
			[]string{`filters.SEVERITY: "Medium" is not a SEVERITY value for SUSE: use one of Critical, Important, Moderate, Low`}},
		{"amazon_linux_classification_on_suse", valid + baseline("operatingSystem: SUSE, approvalRules: [{filters: {CLASSIFICATION: [Bugfix]}, approveAfterDays: 7}]"),
			[]string{`filters.CLASSIFICATION: "Bugfix" is not a CLASSIFICATION value for SUSE`}},
		{"patch_id_filter_on_windows", valid + baseline("approvalRules: [{filters: {PATCH_ID: [KB5034441]}, approveAfterDays: 7}]"),
			[]string{`filters: "PATCH_ID" is not a patch filter key for WINDOWS: use one of PATCH_SET, PRODUCT, PRODUCT_FAMILY, CLASSIFICATION, MSRC_SEVERITY`}},
		{"approval_delay_on_ubuntu", valid + baseline("operatingSystem: UBUNTU, approvalRules: [{filters: {PRIORITY: [Required]}, approveAfterDays: 7}]"),
			[]string{`patching.baselines[0].approvalRules[0]: "approveAfterDays or approveUntilDate" is set, and UBUNTU approval rules take neither`}},
		{"approve_after_400_days", valid + baseline("approvalRules: [{filters: {CLASSIFICATION: [SecurityUpdates]}, approveAfterDays: 400}]"),
			[]string{"patching.baselines[0].approvalRules[0].approveAfterDays: 400 is out of range: use 0 to 360"}},
		{"approve_after_days_and_until_date", valid + baseline(`approvalRules: [{filters: {CLASSIFICATION: [SecurityUpdates]}, approveAfterDays: 7, approveUntilDate: "2026-12-31"}]`),
			[]string{`patching.baselines[0].approvalRules[0]: "approveAfterDays and approveUntilDate" are both set: choose one`}},
		{"rule_without_approval_delay", valid + baseline("approvalRules: [{filters: {CLASSIFICATION: [SecurityUpdates]}}]"),
			[]string{"needs approveAfterDays (0-360) or approveUntilDate (YYYY-MM-DD)"}},
		{"enable_non_security_on_windows", valid + baseline("approvalRules: [{filters: {CLASSIFICATION: [SecurityUpdates]}, approveAfterDays: 7, enableNonSecurity: true}]"),
			[]string{"enableNonSecurity: true applies to Linux baselines only"}},
		{"unknown_operating_system", valid + baseline("operatingSystem: BEOS, preset: aws-default-windows"),
			[]string{`patching.baselines[0].operatingSystem: "BEOS" is not an operating system Patch Manager supports`}},
		{"unknown_preset", valid + baseline("preset: strict"), []string{`patching.baselines[0].preset: "strict" is not a preset`}},
		{"deadline_of_no_severity", valid + "patching: {deadlines: {Urgent: 3}}\n",
			[]string{`patching.deadlines.Urgent: 3 names no MSRC severity: use Critical, Important, Moderate, Low`}},
		{"deadline_of_zero_days", valid + "patching: {deadlines: {Critical: 0}}\n",
			[]string{`patching.deadlines.Critical: 0 is out of range: use 1 to 365 days`}},
		{"security_updates_status_unknown", valid + baseline("preset: aws-default-windows, availableSecurityUpdatesComplianceStatus: PENDING"),
			[]string{`patching.baselines[0].availableSecurityUpdatesComplianceStatus: "PENDING" is not allowed: use NON_COMPLIANT or COMPLIANT`}},
		{"security_updates_status_on_linux", valid + baseline("operatingSystem: AMAZON_LINUX_2, approvalRules: [{filters: {CLASSIFICATION: [Security]}, approveAfterDays: 7}], availableSecurityUpdatesComplianceStatus: NON_COMPLIANT"),
			[]string{`patching.baselines[0].availableSecurityUpdatesComplianceStatus: "NON_COMPLIANT" applies to Windows baselines only`}},
		{"patch_group_in_two_baselines", valid + "patching:\n  baselines:\n" +
			"    - {name: first, preset: aws-default-windows, patchGroups: [prod]}\n" +
			"    - {name: second, preset: seed-example-windows, patchGroups: [prod]}\n",
			[]string{`patching.baselines[1].patchGroups: "prod" is already served by baseline "first": a patch group maps to exactly one baseline`}},
		{"two_default_baselines_for_one_os", valid + "patching:\n  baselines:\n" +
			"    - {name: first, preset: aws-default-windows, default: true}\n" +
			"    - {name: second, preset: seed-example-windows, default: true}\n",
			[]string{`patching.baselines[1].default: true makes "second" a second default baseline for WINDOWS, after "first"`}},
		{"instance_group_patch_group_without_baseline", valid + "fleet: {instanceGroups: [{name: app, count: 1, patchGroup: nowhere}]}\n",
			[]string{`fleet.instanceGroups[0].patchGroup: "nowhere" is served by no baseline`}},
		{"rings_not_increasing", valid + "patching: {rings: {preset: aws-default-windows, stages: [{patchGroup: dev, approveAfterDays: 7}, {patchGroup: prod, approveAfterDays: 7}]}}\n",
			[]string{"patching.rings.stages[1].approveAfterDays: 7 must be more than the ring before it (7)"}},
		{"bad_email", valid + "patching: {notifications: {emails: [ops-at-example]}}\n",
			[]string{`patching.notifications.emails[0]: "ops-at-example" is not an email address`}},
		{"duplicate_baseline_names", valid + "patching:\n  baselines:\n" +
			"    - {name: windows, preset: aws-default-windows, patchGroups: [a]}\n" +
			"    - {name: windows, preset: aws-default-windows, patchGroups: [b]}\n",
			[]string{`patching.baselines[1].name: "windows" is the name of patching.baselines[0] too: baseline names must be unique`}},
		{"ring_baseline_named_like_a_listed_one", valid + "patching:\n  baselines: [{name: privatepatch-dev, preset: aws-default-windows, patchGroups: [a]}]\n" +
			"  rings: {preset: aws-default-windows, stages: [{patchGroup: dev, approveAfterDays: 0}]}\n",
			[]string{`patching.rings.stages[0].name: "privatepatch-dev" is the name of patching.baselines[0] too`}},
		{"endpoint_listed_twice", valid + "  extraInterfaceEndpoints: [logs, logs]\n",
			[]string{`network.extraInterfaceEndpoints[1]: "logs" is listed twice`}},
		{"endpoint_as_full_service_name", valid + "  extraInterfaceEndpoints: [com.amazonaws.us-west-2.logs]\n",
			[]string{`network.extraInterfaceEndpoints[0]: "com.amazonaws.us-west-2.logs" is a full service name: give the part after com.amazonaws.us-west-2., such as logs`}},
		{"builtin_endpoint_as_full_service_name", valid + "  extraInterfaceEndpoints: [com.amazonaws.us-west-2.ssm]\n",
			[]string{`is a full service name: give the part after com.amazonaws.us-west-2., such as ssm`}},
		{"acl_rules_over_quota", "region: us-west-2\naccount: \"111122223333\"\nnetwork:\n  azCount: 6\n  nat: {enabled: true}\n" +
			"  adminCidrs: [203.0.113.0/24]\n  s3PrefixListIds: {us-west-2: pl-68a54001}\n  s3PrefixListCidrs: {us-west-2: [54.231.160.0/19]}\n",
			[]string{`network: "azCount 6, 1 adminCidrs, 1 S3 CIDRs, nat enabled" needs 24 public inbound rules in one network ACL, more than the 19 AWS allows by default beside the default deny rule`}},
		// 2 + 2 per zone + 1 per admin CIDR = 20 public outbound rules: with AWS's default deny
		// rule, 21 of the quota's 20.
		{"acl_rules_at_quota_leave_no_room_for_the_default_deny_rule", "region: us-west-2\naccount: \"111122223333\"\nnetwork:\n  azCount: 6\n" +
			"  adminCidrs: [203.0.113.0/32, 203.0.113.1/32, 203.0.113.2/32, 203.0.113.3/32, 203.0.113.4/32, 203.0.113.5/32]\n" +
			"  s3PrefixListIds: {us-west-2: pl-68a54001}\n  s3PrefixListCidrs: {us-west-2: [54.231.160.0/19]}\n",
			[]string{`network: "azCount 6, 6 adminCidrs, 1 S3 CIDRs" needs 20 public outbound rules in one network ACL, more than the 19 AWS allows by default beside the default deny rule`}},
		{"too_many_instances_for_one_stack", valid + "fleet:\n  instanceGroups:\n" + strings.Repeat("    - {name: g, count: 20}\n", 11),
			[]string{"fleet.instanceGroups: 220 instances are more than the 200 one fleet stack holds (CloudFormation allows 500 resources per stack)"}},
		{"admin_cidr_is_the_vpc", valid + "  adminCidrs: [10.0.0.0/16]\n",
			[]string{`network.adminCidrs[0]: "10.0.0.0/16" overlaps the VPC 10.0.0.0/16: admin CIDRs are where administrators connect from`}},
		{"s3_cidr_is_the_internet", "region: us-west-2\nnetwork:\n  s3PrefixListCidrs: {us-west-2: [0.0.0.0/0]}\n",
			[]string{`network.s3PrefixListCidrs.us-west-2[0]: "0.0.0.0/0" is not an S3 prefix-list range`}},
		{"null_wsus_section", valid + "wsus: ~\n",
			[]string{`wsus: "~" is empty (line 6): remove the key to keep its defaults, or give its settings`}},
		{"empty_fleet_section", valid + "fleet:\n",
			[]string{`fleet: "" is empty (line 6)`}},
		{"null_instance_group_list", valid + "fleet: {instanceGroups: null}\n",
			[]string{`fleet.instanceGroups: "null" is empty (line 6)`}},
		{"cdk_token_in_free_text", valid + "patching: {baselines: [{name: b1, preset: aws-default-windows, description: \"${Token[AWS.AccountId.1]}\"}]}\n",
			[]string{`patching.baselines[0].description: "${Token[AWS.AccountId.1]}" holds ${Token[, which CDK or CloudFormation would replace`}},
		{"dynamic_reference_in_a_tag", valid + "tags: {Owner: \"{{resolve:ssm:/owner}}\"}\n",
			[]string{`tags.Owner: "{{resolve:ssm:/owner}}" holds {{resolve:, which CDK or CloudFormation would replace`}},
		{"severity_level_seven", valid + "fleet: {instanceGroups: [{name: app, count: 1, " + strings.Replace(assetTags, `SeverityLevel: "3"`, `SeverityLevel: "7"`, 1) + "}]}\n",
			[]string{`fleet.instanceGroups[0].tags.SeverityLevel: "7" is not allowed on instance group "app": use one of 1, 2, 3, 4, 5`}},
		{"handle_pi_maybe", valid + "assets: {wsusTags: {HandlePI: maybe}}\n",
			[]string{`assets.wsusTags.HandlePI: "maybe" is not allowed on the WSUS server: use one of Y, N`}},
		{"instance_group_without_asset_tags", valid + "fleet: {instanceGroups: [{name: app, count: 1}]}\n",
			[]string{`fleet.instanceGroups[0].tags: "Environment" is missing on instance group "app": the asset-tag policy requires it (one of Dev, Test, Stage, Prod)`,
				`fleet.instanceGroups[0].tags: "InventoryCategory" is missing on instance group "app": the asset-tag policy requires it (any value)`}},
		{"private_instance_group_marked_public", valid + "fleet: {instanceGroups: [{name: app, count: 1, " + strings.Replace(assetTags, "IsPublic: N", "IsPublic: Y", 1) + "}]}\n",
			[]string{`fleet.instanceGroups[0].tags.IsPublic: "Y" is not allowed for instance group "app": its instances are in private subnets`}},
		{"wsus_marked_private", valid + "assets: {wsusTags: {IsPublic: N}}\n",
			[]string{`assets.wsusTags.IsPublic: "N" is not allowed: the WSUS server is in a public subnet`}},
		{"resource_group_on_undefined_tag", valid + "assets: {resourceGroups: [{name: Web, tags: {Tier: web}}]}\n",
			[]string{`assets.resourceGroups[0].tags: "Tier" is not a tag of assets.tagPolicy (Environment, HandlePI, InventoryCategory, IsPublic, SeverityLevel)`}},
		{"resource_group_without_criteria", valid + "assets: {resourceGroups: [{name: Everything}]}\n",
			[]string{`assets.resourceGroups[0].tags: "" is empty: a group needs at least one tag to select its instances`}},
		{"resource_group_with_a_disallowed_value", valid + "assets: {resourceGroups: [{name: Web, tags: {Environment: Qa}}]}\n",
			[]string{`assets.resourceGroups[0].tags.Environment: "Qa" is not an allowed value: use one of Dev, Test, Stage, Prod`}},
		{"resource_group_named_as_the_wsus_clients_group", valid + "assets: {resourceGroups: [{name: wsus-clients, tags: {Environment: Dev}}]}\n",
			[]string{`assets.resourceGroups[0].name: "wsus-clients" would be named privatepatch-wsus-clients, the name of the WSUS clients' group, which the fleet stack creates`}},
		{"resource_group_named_as_the_fleet_stacks_group", valid + "assets: {resourceGroups: [{name: fleet, tags: {Environment: Dev}}]}\n",
			[]string{`assets.resourceGroups[0].name: "fleet" would be named privatepatch-fleet, the name of the fleet stack's own group`}},
		// With environments, the stacks' groups carry the environment's name; asset groups do not.
		{"resource_group_named_as_an_environments_stack_group", valid + "assets: {resourceGroups: [{name: prod-wsus-clients, tags: {Environment: Dev}}]}\n" +
			"environments: [{name: prod, region: us-west-2}]\n",
			[]string{`assets.resourceGroups[0].name: "prod-wsus-clients" would be named privatepatch-prod-wsus-clients, the name of the WSUS clients' group`}},
		{"checks_on_an_unknown_group", valid + "assets: {configurationChecks: {resourceGroup: Nowhere}}\n",
			[]string{`assets.configurationChecks.resourceGroup: "Nowhere" is not one of assets.resourceGroups`}},
		{"unknown_security_hub_standard", valid + "security: {securityHub: {enabled: true, standards: [cis-1.2]}}\n",
			[]string{`security.securityHub.standards[0]: "cis-1.2" is not a standard privatepatch knows: use one of aws-foundational-security-best-practices`}},
		{"standards_without_security_hub", valid + "security: {securityHub: {standards: [nist-800-53-rev5]}}\n",
			[]string{`security.securityHub.standards: 1 standards are listed, and securityHub.enabled is false`}},
		{"existing_security_hub_without_enabled", valid + "security: {securityHub: {existing: true}}\n",
			[]string{`security.securityHub.existing: true uses an existing hub for the stack's standards, and securityHub.enabled is false`}},
		{"inspector_filter_without_criteria", valid + "security: {inspector: {suppressions: [{name: everything, reason: too noisy}]}}\n",
			[]string{`security.inspector.suppressions[0]: "everything" has no criteria: give tags or severities, or it would suppress every finding`}},
		{"inspector_filter_without_reason", valid + "security: {inspector: {suppressions: [{name: dev, severities: [LOW]}]}}\n",
			[]string{`security.inspector.suppressions[0].reason: "" is empty: say why these findings are accepted`}},
		{"bad_alert_severity", valid + "security: {findingAlertSeverity: SEVERE}\n",
			[]string{`security.findingAlertSeverity: "SEVERE" is not a severity: use one of LOW, MEDIUM, HIGH, CRITICAL`}},
		{"al2023_baseline_without_its_repository_bucket", valid + "patching: {baselines: [{name: al, operatingSystem: AMAZON_LINUX_2023}]}\n",
			[]string{`patching.baselines[0].operatingSystem: "AMAZON_LINUX_2023" patches from repositories in S3 bucket al2023-repos-us-west-2-de612dc2, which AWS documents for us-east-1 only`}},
		{"ubuntu_baseline_without_nat", valid + "patching: {baselines: [{name: ub, operatingSystem: UBUNTU}]}\n",
			[]string{`patching.baselines[0].operatingSystem: "UBUNTU" patches from repositories on the internet, and the private subnets have no route there`}},
		{"hybrid_nodes_only_on_windows", valid + "patching: {baselines: [{name: onprem, preset: aws-default-windows, patchGroups: [onprem], hybridNodesOnly: true}]}\n",
			[]string{`patching.baselines[0].hybridNodesOnly: true is for Linux baselines, whose nodes download from package repositories; WINDOWS nodes take their updates from WSUS or Microsoft Update`}},
		{"hybrid_nodes_only_as_the_default", valid + "patching: {baselines: [{name: rhel, operatingSystem: REDHAT_ENTERPRISE_LINUX, default: true, hybridNodesOnly: true, approvalRules: [{filters: {CLASSIFICATION: [Security]}, approveAfterDays: 7}]}]}\n",
			[]string{`patching.baselines[0].hybridNodesOnly: true and default: true: a default baseline patches every REDHAT_ENTERPRISE_LINUX node without a patch group, EC2 instances in the private subnets too`}},
		{"hybrid_nodes_only_serving_an_instance_group", valid + "fleet: {instanceGroups: [{name: app, count: 1, patchGroup: app, " + assetTags + "}]}\n" +
			"patching: {baselines: [{name: rhel, operatingSystem: REDHAT_ENTERPRISE_LINUX, patchGroups: [app], hybridNodesOnly: true}]}\n",
			[]string{`patching.baselines[0].hybridNodesOnly: true and patch group "app" is that of instance group "app" (fleet.instanceGroups[0]), an EC2 instance in the private subnets`}},
		{"hybrid_nodes_only_serving_the_wsus_server", valid + "patching: {baselines: [{name: rhel, operatingSystem: REDHAT_ENTERPRISE_LINUX, patchGroups: [wsus], hybridNodesOnly: true}]}\n",
			[]string{`patching.baselines[0].hybridNodesOnly: true and patch group "wsus" is that of the WSUS server (wsus.patchGroup), an EC2 instance in the private subnets`}},
		{"window_in_an_hour_daylight_saving_skips", valid + "patching: {maintenanceWindows: [{name: berlin, schedule: 'cron(30 2 ? * SUN *)', timezone: Europe/Berlin, targets: {patchGroups: [windows]}}]}\n",
			[]string{`patching.maintenanceWindows[0].schedule: "cron(30 2 ? * SUN *)" in Europe/Berlin: 20`, `02:30 does not exist in Europe/Berlin (daylight saving skips it)`}},
		{"region_without_a_documented_patch_manager_bucket", strings.Replace(valid, "us-west-2", "mx-central-1", 2),
			[]string{`region: "mx-central-1" has no Patch Manager bucket in "Reference: Amazon S3 buckets for patching operations"`,
				`region: "mx-central-1" has no patch baseline snapshot bucket in "Reference: Amazon S3 buckets for patching operations"`}},
		{"region_without_a_documented_snapshot_bucket", strings.Replace(valid, "us-west-2", "mx-central-1", 2) +
			"  s3Endpoint: {readBuckets: [aws-patch-manager-mx-central-1]}\n",
			[]string{`region: "mx-central-1" has no patch baseline snapshot bucket in "Reference: Amazon S3 buckets for patching operations"`,
				"patch-baseline-snapshot-mx-central-1-SUFFIX"}},
		{"wsus_on_xen_t2", valid + "wsus: {instanceType: t2.large}\n",
			[]string{`wsus.instanceType: "t2.large" is built on the Xen hypervisor, not the AWS Nitro System: the WSUS setup finds its update-store volume by the NVMe serial number`,
				"use a Nitro type such as m6i.large, not one of the Xen families c1, c3, c4, cc2,"}},
		{"wsus_on_xen_m4", valid + "wsus: {instanceType: m4.large}\n",
			[]string{`wsus.instanceType: "m4.large" is built on the Xen hypervisor, not the AWS Nitro System`}},
		{"wsus_on_xen_i3", valid + "wsus: {instanceType: i3.xlarge}\n",
			[]string{`wsus.instanceType: "i3.xlarge" is built on the Xen hypervisor`}},
		{"every_problem_reported_together", "region: us-west-2\naccount: \"1\"\nnetwork:\n  vpcCidr: nope\n  azCount: 9\n",
			[]string{"3 configuration problem(s)", `account: "1"`, `network.vpcCidr: "nope"`, "network.azCount: 9"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse("bad.yaml", []byte(tc.yaml))
			require.Error(t, err)
			assert.Nil(t, cfg)
			for _, want := range tc.want {
				assert.Contains(t, err.Error(), want)
			}
			assert.True(t, strings.HasPrefix(err.Error(), "bad.yaml"), "the message names the file: %s", err)
		})
	}
}

const twoEnvironments = `
environments:
  - {name: prod-usw2, account: "111111111111", region: us-west-2}
  - {name: prod-euw1, account: "111111111111", region: eu-west-1, availabilityZones: [eu-west-1a, eu-west-1b]}
network:
  availabilityZones: [us-west-2a, us-west-2b]
  s3PrefixListIds: {us-west-2: pl-68a54001, eu-west-1: pl-6da54004}
  s3PrefixListCidrs:
    us-west-2: [54.231.160.0/19]
    eu-west-1: [52.218.0.0/17]
`

func TestEnvironmentsDeployTheSameConfigurationToEachAccountAndRegion(t *testing.T) {
	cfg, err := Parse("envs.yaml", []byte(twoEnvironments))
	require.NoError(t, err)
	deployments := cfg.Deployments()
	require.Len(t, deployments, 2)
	usw2, euw1 := deployments[0], deployments[1]
	assert.Equal(t, []string{"prod-usw2", "us-west-2", "111111111111"}, []string{usw2.Environment, usw2.Region, usw2.Account})
	assert.Equal(t, "privatepatch-prod-usw2-network", usw2.StackName("network"))
	assert.Equal(t, []string{"us-west-2a", "us-west-2b"}, usw2.Network.AvailabilityZones)
	assert.Equal(t, []string{"eu-west-1a", "eu-west-1b"}, euw1.Network.AvailabilityZones, "each environment's own zones")
	assert.Equal(t, []string{"52.218.0.0/17"}, euw1.S3Cidrs(), "per-region data is keyed by region")
	assert.Equal(t, usw2.Patching.MaintenanceWindows, euw1.Patching.MaintenanceWindows, "everything else is shared")

	single, err := Parse("single.yaml", []byte(valid))
	require.NoError(t, err)
	assert.Equal(t, []*Config{single}, single.Deployments())
	assert.Equal(t, "privatepatch-network", single.StackName("network"), "a single deployment keeps its stack names")
}

func TestBadEnvironmentsAreRejectedNamingTheEnvironment(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       []string
	}{
		{"top_level_region_too", twoEnvironments + "region: us-west-2\n", []string{`environments: 2 are listed, so account and region belong to each of them`}},
		{"duplicate_name", strings.Replace(twoEnvironments, "name: prod-euw1", "name: prod-usw2", 1), []string{`environments[1].name: "prod-usw2" is used by another environment`}},
		{"bad_name", strings.Replace(twoEnvironments, "name: prod-euw1", "name: Prod_EU", 1), []string{`environments[1].name: "Prod_EU" is not allowed`}},
		{"same_account_and_region", strings.Replace(twoEnvironments, "region: eu-west-1,", "region: us-west-2,", 1),
			[]string{`environments[1]: "prod-euw1" deploys to the same account and region as "prod-usw2"`}},
		{"problem_of_one_environment_names_it", strings.Replace(strings.Replace(twoEnvironments, `account: "111111111111", region: eu-west-1`, "region: eu-west-1", 1),
			"    eu-west-1: [52.218.0.0/17]\n", "", 1),
			[]string{`environments prod-euw1: network.s3PrefixListCidrs: "eu-west-1" has no S3 prefix-list CIDRs`}},
		// One stopOnAlarms list serves every environment, whose alarms are named apart (held-out run 14).
		{"stop_on_a_single_deployments_alarm", twoEnvironments + "patching:\n  maintenanceWindows:\n    - {name: weekly, schedule: \"cron(0 2 ? * SUN *)\", " +
			"targets: {patchGroups: [windows]}, tasks: [{stopOnAlarms: [privatepatch-patching-wsus-sync-stale, privatepatch-prod-euw1-patching-wsus-sync-stale]}]}\n",
			[]string{`stopOnAlarms[0]: "privatepatch-patching-wsus-sync-stale" is one of privatepatch's own alarm names, which exists in no environment`,
				`stopOnAlarms[1]: "privatepatch-prod-euw1-patching-wsus-sync-stale" is one of privatepatch's own alarm names, which exists in environment prod-euw1 only`}},
		{"problem_of_every_environment_is_reported_once", twoEnvironments + "commandOutput: {retentionDays: 0}\n",
			[]string{"1 configuration problem(s)", "\n  - commandOutput.retentionDays: 0 is not allowed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("envs.yaml", []byte(tc.yaml))
			require.Error(t, err)
			for _, want := range tc.want {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
}

func TestRegionFallsBackToTheCredentialsOnlyWhenNoneIsConfigured(t *testing.T) {
	fallback := Fallback{Account: "222222222222", Region: "eu-west-1"}
	cfg, err := fallback.Parse("no-region.yaml", []byte("network:\n  s3PrefixListIds: {eu-west-1: pl-6da54004}\n  s3PrefixListCidrs: {eu-west-1: [52.218.0.0/17]}\n"))
	require.NoError(t, err)
	assert.Equal(t, []string{"eu-west-1", "222222222222"}, []string{cfg.Region, cfg.Account}, "as cdk init apps do")

	cfg, err = fallback.Parse("region.yaml", []byte(valid))
	require.NoError(t, err)
	assert.Equal(t, []string{"us-west-2", ""}, []string{cfg.Region, cfg.Account}, "a configured region stays account-agnostic")
}

func TestResourceGroupsAreNamedPerProjectAndWindowsFindThemByTheirConfiguredName(t *testing.T) {
	cfg, err := Parse("groups.yaml", []byte(valid+"assets: {resourceGroups: [{name: DevWebServer, tags: {Environment: Dev, InventoryCategory: WebServer}}]}\n"))
	require.NoError(t, err)
	assert.Equal(t, "privatepatch-DevWebServer", cfg.ResourceGroupName("DevWebServer"), "unique per account and region")
	assert.Equal(t, "made-elsewhere", cfg.ResourceGroupName("made-elsewhere"), "a group privatepatch does not create keeps its name")
	assert.Equal(t, map[string]string{"Environment": "Prod", "InventoryCategory": "WSUS", "SeverityLevel": "3", "HandlePI": "N", "IsPublic": "Y"},
		cfg.WsusAssetTags())
}

const pipelineConfig = `
environments:
  - {name: prod, account: "111111111111", region: us-west-2}
network: {s3PrefixListIds: {us-west-2: pl-68a54001}, s3PrefixListCidrs: {us-west-2: [54.231.160.0/19]}}
pipeline:
  enabled: true
  connectionArn: arn:aws:codeconnections:us-west-2:111111111111:connection/01234567-89ab-cdef-0123-456789abcdef
  repository: my-org/config
  configFile: configs/prod.yaml
`

func TestPipelineModeIsValidatedBeforeAnythingIsBuilt(t *testing.T) {
	cfg, err := Parse("pipeline.yaml", []byte(pipelineConfig))
	require.NoError(t, err)
	assert.Equal(t, []string{"111111111111", "us-west-2", "main"}, []string{cfg.PipelineAccount(), cfg.PipelineRegion(), cfg.Pipeline.Branch},
		"the first environment's account and region, branch main")
	for _, tc := range []struct{ name, from, to, want string }{
		{"bad_connection", "arn:aws:codeconnections:us-west-2:111111111111:connection/01234567-89ab-cdef-0123-456789abcdef", "github-token",
			`pipeline.connectionArn: "github-token" is not a CodeConnections connection ARN`},
		{"environment_without_account", `account: "111111111111", `, "", `environments[0].account: "" is required with a pipeline`},
		{"environment_named_pipeline", "{name: prod,", "{name: pipeline,",
			`environments[0].name: "pipeline" is reserved with a pipeline: its protector role would take the name of the pipeline's step role, privatepatch-pipeline-protect`},
		{"unknown_approval", "configFile: configs/prod.yaml", "configFile: configs/prod.yaml\n  approvalBefore: [staging]",
			`pipeline.approvalBefore[0]: "staging" is not one of the environments`},
		{"absolute_config_file", "configFile: configs/prod.yaml", "configFile: /etc/prod.yaml", `pipeline.configFile: "/etc/prod.yaml" is not a path in the repository`},
		{"pipeline_in_another_partition", "configFile: configs/prod.yaml", "configFile: configs/prod.yaml\n  region: cn-north-1",
			`environments[0].region: "us-west-2" is in partition aws, the pipeline's region cn-north-1 in aws-cn: a pipeline deploys within its own partition`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("pipeline.yaml", []byte(strings.Replace(pipelineConfig, tc.from, tc.to, 1)))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestLoadTakesTheEmbeddedDefaultForAnEmptyPathAndTheFileOtherwise(t *testing.T) {
	t.Setenv(ConfigEnv, "")
	embedded, err := Load("")
	require.NoError(t, err)
	want, err := LoadDefault()
	require.NoError(t, err)
	assert.Equal(t, want, embedded)
	_, err = Load(filepath.Join(t.TempDir(), "absent.yaml"))
	assert.Error(t, err, "a named file is read, never replaced by the default")
}

// The tools read PRIVATEPATCH_CONFIG as the app does: one setting, one configuration.
func TestLoadReadsTheFileThatPrivatepatchConfigNamesWhenNoPathIsGiven(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mine.yaml")
	require.NoError(t, os.WriteFile(path, []byte("project: mine\nregion: us-west-2\naccount: \"123456789012\"\n"), 0o644))
	t.Setenv(ConfigEnv, path)
	cfg, err := Load("")
	require.NoError(t, err)
	assert.Equal(t, "mine", cfg.Project)
	t.Setenv(ConfigEnv, filepath.Join(t.TempDir(), "absent.yaml"))
	_, err = Load("")
	assert.ErrorContains(t, err, "absent.yaml", "a named file that is missing is an error, never the default")
	other := filepath.Join(t.TempDir(), "other.yaml")
	require.NoError(t, os.WriteFile(other, []byte("project: other\nregion: us-west-2\naccount: \"123456789012\"\n"), 0o644))
	cfg, err = Load(other)
	require.NoError(t, err)
	assert.Equal(t, "other", cfg.Project, "-config wins over the environment, as -c config= does in the app")
}

func TestStopOnFailureIsOnUnlessSetOff(t *testing.T) {
	cfg, err := Parse("default.yaml", []byte(valid))
	require.NoError(t, err)
	assert.True(t, cfg.Patching.StopsOnFailure(), "patchingspec.DefaultStopOnFailure")
	cfg, err = Parse("off.yaml", []byte(valid+"patching: {stopOnFailure: \"off\"}\n"))
	require.NoError(t, err)
	assert.False(t, cfg.Patching.StopsOnFailure())
}

// The review of session 19's checks, 1.1: patching.inventory.allNodes unset follows
// security.inspector.enable, so a configuration with Inspector on from before the option loads.
func TestInventoryAllNodesFollowsInspectorUnlessSet(t *testing.T) {
	cfg, err := Load("../config/default.yaml")
	require.NoError(t, err)
	assert.False(t, cfg.InventoryAllNodes(), "the default: the fleet's tag")
	cfg.Security.Inspector.Enable = true
	assert.True(t, cfg.InventoryAllNodes(), "Inspector on: every node")
	no := false
	cfg.Patching.Inventory.AllNodes = &no
	assert.False(t, cfg.InventoryAllNodes(), "as set")
	assert.ErrorContains(t, cfg.Validate(), "patching.inventory.allNodes: false cannot be false with security.inspector.enable")
}
