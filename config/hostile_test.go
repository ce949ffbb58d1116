package config

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostileCase is a configuration tried as a careless user or an attacker would, and the
// problems validation must report for it (none: it must be accepted).
type hostileCase struct {
	name string
	yaml string
	want []string
}

func runHostile(t *testing.T, cases []hostileCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse("hostile.yaml", []byte(valid+tc.yaml))
			if len(tc.want) == 0 {
				require.NoError(t, err)
				require.NotNil(t, cfg)
				return
			}
			require.Error(t, err)
			for _, want := range tc.want {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
}

// groups is n instance groups of count instances, with the asset tags the policy requires.
func groups(n, count int, extraTags string) string {
	var b strings.Builder
	b.WriteString("fleet:\n  instanceGroups:\n")
	for i := range n {
		fmt.Fprintf(&b, "    - {name: g%d, count: %d, tags: {Environment: Prod, InventoryCategory: Web, SeverityLevel: \"2\", HandlePI: N, IsPublic: N%s}}\n", i, count, extraTags)
	}
	return b.String()
}

func TestListsThatMultiplyResourcesAreBoundedByTheStacksResourceQuota(t *testing.T) {
	var resourceGroups strings.Builder
	resourceGroups.WriteString("assets:\n  resourceGroups:\n")
	for i := range 60 {
		fmt.Fprintf(&resourceGroups, "    - {name: rg%d, tags: {Environment: Prod}}\n", i)
	}
	var windows strings.Builder
	windows.WriteString("patching:\n  maintenanceWindows:\n")
	for i := range 30 {
		fmt.Fprintf(&windows, "    - {name: w%02d, schedule: rate(7 days), targets: {patchGroups: [x]}, tasks: [{priority: 1}, {priority: 2}, {priority: 3}, {priority: 4}, {priority: 5}, {priority: 6}, {priority: 7}, {priority: 8}, {priority: 9}, {priority: 10}, {priority: 11}, {priority: 12}, {priority: 13}, {priority: 14}]}\n", i)
	}
	runHostile(t, []hostileCase{
		{"maximum_fleet_fits", groups(10, 20, ""), nil},
		{"maximum_fleet_and_60_resource_groups", groups(10, 20, "") + resourceGroups.String(),
			[]string{"fleet.instanceGroups and assets.resourceGroups: 506 resources may be needed in the fleet stack (201 AWS::EC2::Instance, 201 AWS::EC2::LaunchTemplate, 2 AWS::IAM::InstanceProfile, 62 AWS::ResourceGroups::Group, and up to 40 others), more than the 500 CloudFormation allows in one stack"}},
		{"thirty_windows_of_fourteen_tasks", windows.String(),
			[]string{"resources may be needed in the patching stack", "31 AWS::SSM::MaintenanceWindow", "421 AWS::SSM::MaintenanceWindowTask"}},
		{"more_instances_than_documented", groups(11, 20, ""), []string{"fleet.instanceGroups: 220 instances are more than the 200 one fleet stack holds"}},
	})
}

func TestDerivedNamesStayWithinAWSRules(t *testing.T) {
	long := strings.Repeat("w", 121)
	runHostile(t, []hostileCase{
		{"window_name_leaves_no_room_for_its_target", "patching: {maintenanceWindows: [{name: " + long + ", schedule: rate(7 days), targets: {patchGroups: [x]}}]}\n",
			[]string{`patching.maintenanceWindows[0].name: "` + long + `" is too long: the window's target and tasks are named "` + long + `-targets"`}},
		{"window_name_that_fits", "patching: {maintenanceWindows: [{name: " + long[:120] + ", schedule: rate(7 days), targets: {patchGroups: [x]}}]}\n", nil},
		{"patch_group_too_long_for_its_scan_association", "wsus: {patchGroup: " + strings.Repeat("p", 120) + "}\n",
			[]string{`is too long a patch group: its scan association is named privatepatch-scan-<patch group>, 138 characters`}},
		// A group read from both keys gets a second scan association, -PatchGroup after it: 100
		// characters fit alone (118), not with it (129).
		{"patch_group_read_from_both_keys_too_long_for_its_second_scan", "patching: {baselines: [{name: bbb, preset: aws-default-windows, patchGroups: [" + strings.Repeat("q", 100) + "]}], " +
			"maintenanceWindows: [{name: win1, schedule: rate(7 days), targets: {patchGroups: [" + strings.Repeat("q", 100) + "]}}, " +
			"{name: win2, schedule: rate(7 days), targets: {patchGroups: [" + strings.Repeat("q", 100) + "], patchGroupTagKey: PatchGroup}}]}\n",
			[]string{`is too long a patch group: its scan association is named privatepatch-scan-<patch group>-PatchGroup, 129 characters`}},
		{"resource_group_name_too_long_with_the_project", "assets: {resourceGroups: [{name: " + strings.Repeat("r", 120) + ", tags: {Environment: Prod}}]}\n",
			[]string{`assets.resourceGroups[0].name: "` + strings.Repeat("r", 120) + `" is too long: the group is named privatepatch-<name>, 133 characters`}},
		// CreateFilter takes 3 to 64 characters (compliancespec.InspectorFilterNameProblem).
		{"inspector_rule_name_too_long_with_the_project", "security: {inspector: {suppressions: [{name: " + strings.Repeat("s", 52) + ", reason: accepted, severities: [LOW]}]}}\n",
			[]string{`security.inspector.suppressions[0].name: "` + strings.Repeat("s", 52) + `" makes the rule name privatepatch-` + strings.Repeat("s", 52) +
				`, which is not an Inspector suppression rule name (65 characters): Inspector takes 3 to 64 letters, digits and . _ -, no spaces`}},
		{"inspector_rule_name_that_fits", "security: {inspector: {suppressions: [{name: " + strings.Repeat("s", 51) + ", reason: accepted, severities: [LOW]}]}}\n", nil},
		{"inventory_sync_name_too_long", "project: " + strings.Repeat("p", 31) + "\nenvironments: [{name: " + strings.Repeat("e", 20) + ", region: us-west-2}]\npatching: {inventory: {resourceDataSync: true}}\n",
			[]string{"patching.inventory.resourceDataSync: true needs a resource data sync named " + strings.Repeat("p", 31) + "-" + strings.Repeat("e", 20) + "-patching-inventory(-kms), 75 characters, and Systems Manager takes at most 64"}},
		{"project_makes_a_reserved_bucket_prefix", "project: xn--patch\n",
			[]string{`project: "xn--patch" makes the command-output bucket name "xn--patch-ssm-000000000000-us-west-2", which starts with xn--, a prefix S3 reserves`}},
		{"project_sthree", "project: sthree-x\n", []string{"which starts with sthree-, a prefix S3 reserves"}},
		{"read_bucket_with_reserved_suffix", "  s3Endpoint: {readBuckets: [logs-s3alias, my--ol-s3, x.mrap, amzn-s3-demo-bucket, a..b, 192.168.5.4]}\n",
			[]string{`network.s3Endpoint.readBuckets[0]: "logs-s3alias" ends with -s3alias, a suffix S3 reserves`,
				`readBuckets[1]: "my--ol-s3" ends with --ol-s3`, `readBuckets[2]: "x.mrap" ends with .mrap`,
				`readBuckets[3]: "amzn-s3-demo-bucket" starts with amzn-s3-demo-`, `readBuckets[4]: "a..b" has two adjacent periods`,
				`readBuckets[5]: "192.168.5.4" is formatted as an IP address`}},
	})
}

func TestTagsKeepAWSCountAndCharacterRules(t *testing.T) {
	var many strings.Builder
	for i := range 46 {
		fmt.Fprintf(&many, ", Extra%d: x", i)
	}
	runHostile(t, []hostileCase{
		{"fifty_one_tags_on_an_instance", groups(1, 1, many.String()),
			[]string{`fleet.instanceGroups[0].tags: 56 tags would be on each instance of group "g0" with tags, the fleet tag and the 4 privatepatch adds: AWS allows 50 on one resource`}},
		{"global_tag_value_is_an_intrinsic", "tags: {Owner: {Ref: AWS::AccountId}}\n",
			[]string{`tags.Owner: "{Ref: ...}" is not a text value (line 6)`}},
		{"global_tag_value_is_a_list", "tags: {Owner: [a, b]}\n", []string{`tags.Owner: "[2 items]" is not a text value (line 6)`}},
		{"tag_key_with_shell_characters", "tags: {\"a$(id)\": x}\n", []string{`tags: "a$(id)" is not a valid tag key: use 1-128 letters, digits, spaces and _ . : / = + - @`}},
		{"tag_value_with_quote", "tags: {Owner: \"it's\"}\n", []string{`tags.Owner: "it's" is not a valid tag value`}},
		{"tag_value_too_long", "tags: {Owner: " + strings.Repeat("v", 257) + "}\n", []string{`tags.Owner: "` + strings.Repeat("v", 257) + `" is not a valid tag value`}},
		{"tag_key_reserved", "tags: {\"AWS:owner\": x}\n", []string{`tags: "AWS:owner" is not a valid tag key`}},
		{"unicode_letters_are_tags_too", "tags: {Équipe: Sécurité}\n", nil},
		{"resource_group_tag_value_bad", "assets: {resourceGroups: [{name: g, tags: {Environment: \"Prod;rm\"}}]}\n",
			[]string{`assets.resourceGroups[0].tags.Environment: "Prod;rm" is not a valid tag value`}},
		{"suppression_tag_bad", "security: {inspector: {suppressions: [{name: s, reason: r, tags: {\"k`x`\": v}}]}}\n",
			[]string{"security.inspector.suppressions[0].tags: \"k`x`\" is not a valid tag key"}},
	})
}

func TestPatchBaselineListsKeepTheAPIReferenceLimits(t *testing.T) {
	rules := strings.Repeat("{filters: {CLASSIFICATION: [SecurityUpdates]}, approveAfterDays: 7}, ", 11)
	patches := strings.Repeat("KB1, ", 51)
	runHostile(t, []hostileCase{
		{"eleven_approval_rules", baseline("approvalRules: [" + rules + "]"), []string{"patching.baselines[0].approvalRules: 11 rules are more than the 10 a patch baseline holds"}},
		{"fifty_one_approved_patches", baseline("approvedPatches: [" + patches + "]"), []string{"patching.baselines[0].approvedPatches: 51 patches are more than the 50"}},
		{"approved_patch_too_long", baseline("approvedPatches: [" + strings.Repeat("K", 101) + "]"), []string{"patching.baselines[0].approvedPatches[0]", "is not a patch name: use 1-100 characters"}},
		{"description_too_long", baseline("preset: aws-default-windows, description: " + strings.Repeat("d", 1025)),
			[]string{`patching.baselines[0].description: "1025 characters" is too long: Patch Manager takes at most 1024`}},
		{"fifty_one_rejected_patches", baseline("preset: aws-default-windows, rejectedPatches: [" + patches + "]"), []string{"patching.baselines[0].rejectedPatches: 51 patches are more than the 50"}},
		{"twenty_one_filter_values", baseline("approvalRules: [{filters: {PRODUCT: [" + strings.Repeat("WindowsServer2022, ", 21) + "]}, approveAfterDays: 7}]"),
			[]string{"patching.baselines[0].approvalRules[0].filters.PRODUCT: 21 values are more than the 20 a patch filter holds"}},
		{"filter_value_too_long", baseline("approvalRules: [{filters: {PRODUCT: [" + strings.Repeat("K", 65) + "]}, approveAfterDays: 7}]"),
			[]string{"is not a patch filter value: use 1-64 characters"}},
		{"twenty_one_sources", baseline(`operatingSystem: AMAZON_LINUX_2023, approvedPatches: [kernel], sources: [` +
			strings.Repeat(`{name: src, products: [AmazonLinux2023], configuration: x}, `, 21) + "]"), []string{"patching.baselines[0].sources: 21 sources are more than the 20"}},
		{"source_name_and_configuration", baseline(`operatingSystem: AMAZON_LINUX_2023, approvedPatches: [kernel], sources: [{name: "a b", products: [], configuration: ""}]`),
			[]string{`patching.baselines[0].sources[0].name: "a b" is not a patch source name`, `sources[0].configuration: "0 characters" is not allowed`,
				"sources[0].products: 0 products is not allowed: list 1 to 20"}},
		// Held-out run 38's B05: a repository turned off serves nothing.
		{"source_turned_off", baseline(`operatingSystem: AMAZON_LINUX_2023, approvedPatches: [kernel], sources: [{name: src, products: [AmazonLinux2023], configuration: "[main]\nname=mirror\nbaseurl=https://mirror.example.com/al2023\nenabled = 0"}]`),
			[]string{`patching.baselines[0].sources[0].configuration: "enabled = 0" turns the repository off: its nodes read nothing from this source`}},
	})
}

func TestPastedCommandsCannotCarryShellSyntax(t *testing.T) {
	runHostile(t, []hostileCase{
		{"fleet_tag_key_with_command_substitution", "fleet: {tag: {key: \"x\\\" $(curl evil) \\\"\"}}\n",
			[]string{`fleet.tag.key: "x\" $(curl evil) \"" is not a valid tag key`}},
		{"fleet_tag_value_with_backticks", "fleet: {tag: {key: k, value: \"`id`\"}}\n", []string{"fleet.tag.value: \"`id`\" is not a valid tag value"}},
		{"fleet_tag_value_empty", "fleet: {tag: {key: k, value: \"\"}}\n", nil}, // defaults to the project name
	})
}

func TestPipelinePathsAndBranchesFollowRepositoryAndGitRules(t *testing.T) {
	pipeline := func(settings string) string {
		return strings.Replace(valid, "region: us-west-2\n", "", 1) + `environments: [{name: prod, account: "111111111111", region: us-west-2}]
pipeline: {enabled: true, connectionArn: "arn:aws:codeconnections:us-west-2:111111111111:connection/0123abcd-0123-4567-89ab-0123456789ab", repository: o/r, ` + settings + "}\n"
	}
	cases := []struct{ settings, want string }{
		{"configFile: ../../etc/x.yaml", `pipeline.configFile: "../../etc/x.yaml" is not a path in the repository`},
		{"configFile: configs/../../x.yaml", `pipeline.configFile: "configs/../../x.yaml" is not a path in the repository`},
		{"configFile: ./configs/prod.yaml", `pipeline.configFile: "./configs/prod.yaml" is not a path in the repository`},
		{"configFile: configs//prod.yaml", `pipeline.configFile: "configs//prod.yaml" is not a path`},
		{"configFile: configs/prod.yaml, branch: a..b", `pipeline.branch: "a..b" is not a git branch name`},
		{"configFile: configs/prod.yaml, branch: -x", `pipeline.branch: "-x" is not a git branch name: it starts with -`},
		{"configFile: configs/prod.yaml, branch: \"a b\"", `pipeline.branch: "a b" is not a git branch name`},
		{"configFile: configs/prod.yaml, branch: x.lock", `pipeline.branch: "x.lock" is not a git branch name`},
		{"configFile: configs/prod.yaml, branch: \"@{x}\"", `pipeline.branch: "@{x}" is not a git branch name`},
		{"configFile: configs/prod.yaml, branch: release/2026.11", ""},
	}
	for _, tc := range cases {
		_, err := Parse("pipeline.yaml", []byte(pipeline(tc.settings)))
		if tc.want == "" {
			assert.NoError(t, err, tc.settings)
			continue
		}
		require.Error(t, err, tc.settings)
		assert.Contains(t, err.Error(), tc.want)
	}
}

// TestBranchRulesAgreeWithGit runs git's own check on the names the rules decide ("@" aside:
// git check-ref-format --branch reads it as the current branch; as a ref name git refuses it).
func TestBranchRulesAgreeWithGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	for _, name := range []string{"main", "release/2026.11", "feature/x-y_z", "a..b", "-x", "a b", "x.lock", "a/.b", "@{x}", "a//b", "a/", "a.",
		"a~1", "a^", "a:b", "a?", "a*", "a[b", `a\b`, "ünïcode", "a@b"} {
		gitAccepts := exec.Command("git", "check-ref-format", "--branch", name).Run() == nil
		assert.Equal(t, gitAccepts, branchNameProblem(name) == "", "branch %q: git accepts it: %v, problem: %q", name, gitAccepts, branchNameProblem(name))
	}
}

func TestNumbersAndSchedulesAreTakenAsWritten(t *testing.T) {
	runHostile(t, []hostileCase{
		{"fractional_port", "wsus: {port: 8530.5}\n", []string{`wsus.port: "8530.5" is not a whole number (line 6): YAML would cut it to an integer; write one`}},
		{"fractional_count", strings.Replace(groups(1, 1, ""), "count: 1", "count: 1.5", 1), []string{`fleet.instanceGroups[0].count: "1.5" is not a whole number (line 8)`}},
		{"fractional_duration", window("durationHours: 2.5"), []string{`patching.maintenanceWindows[0].durationHours: "2.5" is not a whole number (line 6)`}},
		{"number_beyond_any_integer", "wsus: {port: 99999999999999999999}\n", []string{`wsus.port: "99999999999999999999" is too large a number (line 6)`}},
		{"whole_number_written_as_float", "wsus: {syncsPerDay: 2.0}\n", nil},
		{"text_where_a_number_belongs", "wsus: {updateStoreGiB: big}\n", []string{`wsus.updateStoreGiB: "big" is not a whole number (line 6)`}},
		{"text_where_true_or_false_belongs", "wsus: {enabled: perhaps}\n", []string{`wsus.enabled: "perhaps" is not true or false (line 6)`}},
		{"nth_weekday_six", window(`schedule: "cron(0 2 ? * TUE#6 *)"`), []string{`"cron(0 2 ? * TUE#6 *)" is not a maintenance window schedule: day-of-week "TUE#6": the day after # is which one of the month, 1 to 5`}},
		{"nth_weekday_zero", window(`schedule: "cron(0 2 ? * 3#0 *)"`), []string{`day-of-week "3#0": the day after # is which one of the month, 1 to 5`}},
		{"nth_weekday_missing", window(`schedule: "cron(0 2 ? * TUE# *)"`), []string{`day-of-week "TUE#"`}},
		{"nth_weekday_five", window(`schedule: "cron(0 2 ? * TUE#5 *)"`), nil},
		{"nth_weekday_numeric", window(`schedule: "cron(0 19 ? * 2#1 *)"`), nil},
	})
}

func TestNetworksOutsideReservedAndS3Ranges(t *testing.T) {
	runHostile(t, []hostileCase{
		{"loopback_vpc", "  vpcCidr: 127.0.0.0/16\n", []string{`network.vpcCidr: "127.0.0.0/16" overlaps the special-purpose block loopback (127.0.0.0/8)`}},
		{"link_local_vpc", "  vpcCidr: 169.254.0.0/16\n", []string{`overlaps the special-purpose block link local (169.254.0.0/16)`}},
		{"multicast_vpc", "  vpcCidr: 224.1.0.0/16\n", []string{`overlaps the special-purpose block multicast (224.0.0.0/4)`}},
		{"vpc_inside_the_s3_range", "  vpcCidr: 54.231.160.0/20\n",
			[]string{`network.vpcCidr: "54.231.160.0/20" overlaps the S3 prefix-list range 54.231.160.0/19 (network.s3PrefixListCidrs.us-west-2[0])`}},
		{"public_vpc_block_is_allowed", "  vpcCidr: 100.64.0.0/16\n", nil},
		{"unknown_endpoint_service", "  extraInterfaceEndpoints: [logz, kms]\n",
			[]string{`network.extraInterfaceEndpoints[0]: "logz" is not an interface endpoint service privatepatch knows`}},
		{"known_endpoint_services", "  extraInterfaceEndpoints: [logs, kms, monitoring, secretsmanager, sts]\n", nil},
	})
}

func TestEmailAddressesAreOnesMailIsDeliveredTo(t *testing.T) {
	for _, bad := range []string{`"a b"@example.com`, "a@[192.0.2.1]", "a@localhost", "a..b@example.com", ".a@example.com", "a@-example.com", "Alice <a@example.com>"} {
		_, err := Parse("email.yaml", []byte(valid+"patching: {notifications: {emails: ['"+strings.ReplaceAll(bad, "'", "''")+"']}}\n"))
		require.Error(t, err, bad)
		assert.Contains(t, err.Error(), "patching.notifications.emails[0]: ", bad)
		assert.Contains(t, err.Error(), "is not an email address", bad)
	}
	for _, good := range []string{"ops@example.com", "first.last+patch@mail.example.co.uk", "o'brien@example.ie"} {
		_, err := Parse("email.yaml", []byte(valid+"patching: {notifications: {emails: ['"+strings.ReplaceAll(good, "'", "''")+"']}}\n"))
		assert.NoError(t, err, good)
	}
}

func TestTypeErrorsNameTheirFieldAndLineAndHideNothing(t *testing.T) {
	_, err := Parse("types.yaml", []byte(valid+"  azCount: two\n  adminCidrs: 10.0.0.0/8\nwsus: {port: 1, enabled: maybe}\nfleet: {tag: [a]}\nunknown: 1\n"))
	require.Error(t, err)
	for _, want := range []string{
		`network.azCount: "two" is not a whole number (line 6)`,
		`network.adminCidrs: "10.0.0.0/8" is not a list (line 7)`,
		`wsus.enabled: "maybe" is not true or false (line 8)`,
		`wsus.port: 1 is not a WSUS port`, // a value problem, reported beside the type errors
		`fleet.tag: "[1 items]" is not a section (line 9)`,
		`line 10: unknown key "unknown"`,
	} {
		assert.Contains(t, err.Error(), want)
	}
}

func TestCdkTokensOfEveryFormAreRefused(t *testing.T) {
	runHostile(t, []hostileCase{
		{"string_token", "tags: {Owner: \"${Token[TOKEN.1]}\"}\n", []string{`tags.Owner: "${Token[TOKEN.1]}" holds ${Token[`}},
		{"list_token", "wsus: {languages: [\"#{Token[TOKEN.2]}\"]}\n", []string{`wsus.languages[0]: "#{Token[TOKEN.2]}" holds #{Token[`}},
		{"dynamic_reference", "fleet: {tag: {key: k, value: \"{{resolve:ssm:x}}\"}}\n", []string{"holds {{resolve:"}},
	})
}
