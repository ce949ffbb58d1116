package main

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/proof/authz"
	"github.com/privatepatch/privatepatch/proof/cfnupdate"
	"github.com/privatepatch/privatepatch/proof/netpath"
	"github.com/privatepatch/privatepatch/proof/s3drift"
)

// goldenDefault reads the default configuration's golden templates, which fail only controls
// privatepatch does not adopt.
func goldenDefault(t *testing.T) cfnupdate.Deployment {
	templates := cfnupdate.Deployment{}
	for _, stack := range []string{"network", "fleet", "patching"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "test", "testdata", "default."+stack+".template.json"))
		require.NoError(t, err)
		var template map[string]any
		require.NoError(t, json.Unmarshal(data, &template))
		templates[stack] = template
	}
	return templates
}

// controlTowerRun is one run of the controls over the default configuration's templates and a
// planted one (cfn-guard takes about a second a template, so the two tests below share it).
var controlTowerRun struct {
	once     sync.Once
	out      string
	problems int
	err      error
}

func defaultAndPlanted(t *testing.T) (string, int) {
	t.Helper()
	controlTowerRun.once.Do(func() {
		templates := goldenDefault(t)
		// A planted failure: a bucket without public access block, encryption or versioning.
		templates["planted"] = map[string]any{"Resources": map[string]any{"Bucket": map[string]any{"Type": "AWS::S3::Bucket"}}}
		var out bytes.Buffer
		controlTowerRun.problems, controlTowerRun.err = controlTower(&out, filepath.Join("..", ".."), templates)
		controlTowerRun.out = out.String()
	})
	require.NoError(t, controlTowerRun.err)
	return controlTowerRun.out, controlTowerRun.problems
}

func TestControlTowerReportsNotAdoptedControlsWithoutFailing(t *testing.T) {
	out, _ := defaultAndPlanted(t)
	for _, stack := range []string{"network", "fleet", "patching"} {
		assert.Contains(t, out, "  "+stack+": every adopted control passes\n")
		assert.NotContains(t, out, "  "+stack+": FAILING")
	}
	assert.Contains(t, out, "fleet: not adopted (docs/compliance.md says why): ct-s3-pr-10, ct-s3-pr-2, ct-s3-pr-4, ct-s3-pr-9")
}

// The planted bucket fails adopted controls, so make verify must exit 1, and only its line is
// marked wrong.
func TestControlTowerFailsOnAControlThatIsAdopted(t *testing.T) {
	out, problems := defaultAndPlanted(t)
	assert.Positive(t, problems)
	assert.Regexp(t, `planted: FAILING .*ct-s3-pr-1.*<-- WRONG`, out)
	assert.Equal(t, 1, strings.Count(out, "WRONG"), out)
}

func TestControlTowerWithoutCfnGuardIsAnErrorNotASkip(t *testing.T) {
	_, err := controlTower(&bytes.Buffer{}, t.TempDir(), goldenDefault(t))
	assert.ErrorContains(t, err, "make setup")
}

// make verify prints the patch calendar and counts its problems: the embedded configuration's
// passes; a planted WSUS window late in the month, after the fleet's install in some months, fails
// naming the month.
func TestVerifyRunsThePatchCalendar(t *testing.T) {
	cfg, err := config.LoadDefault()
	require.NoError(t, err)
	today := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	var out bytes.Buffer
	assert.Zero(t, calendarCheck(&out, cfg, nil, today), out.String())
	assert.Contains(t, out.String(), "patch calendar: 24 Patch Tuesdays from 2026-12-06")
	require.Equal(t, "privatepatch-wsus", cfg.Patching.MaintenanceWindows[1].Name)
	cfg.Patching.MaintenanceWindows[1].Schedule = "cron(0 2 ? * SAT#4 *)" // the WSUS server's, now on the 4th Saturday
	out.Reset()
	assert.Positive(t, calendarCheck(&out, cfg, nil, today), out.String())
	assert.Contains(t, out.String(), "2026-12 release (Tue 2026-12-08 18:00Z): the WSUS server (patch group wsus, 0 days) installs it in window privatepatch-wsus")
	cfg.Patching.MaintenanceWindows[1].Schedule = config.WsusPatchWindowSchedule
	cfg.Patching.MaintenanceWindows[0].Timezone = "America/Los_Angeles"
	cfg.Patching.MaintenanceWindows[0].Schedule = "cron(30 2 ? * SUN *)"
	out.Reset()
	assert.Equal(t, 1, calendarCheck(&out, cfg, nil, today))
	assert.Contains(t, out.String(), "patch calendar: refused: window privatepatch-weekly: 2027-03-14 02:30 does not exist in America/Los_Angeles")
}

// The calendar verify prints is the patching template's: a planted WSUS window on the 4th
// Saturday in the template (the configuration unchanged) fails as it does in the configuration.
func TestVerifysCalendarIsTheTemplates(t *testing.T) {
	cfg, err := config.LoadDefault()
	require.NoError(t, err)
	today := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	patching := goldenDefault(t)["patching"]
	var out bytes.Buffer
	require.Zero(t, calendarCheck(&out, cfg, patching, today), out.String())
	window := patching["Resources"].(map[string]any)["MaintenanceWindowsprivatepatchwsusWindowAA8482A2"].(map[string]any)["Properties"].(map[string]any)
	window["Schedule"] = "cron(0 2 ? * SAT#4 *)"
	out.Reset()
	assert.Positive(t, calendarCheck(&out, cfg, patching, today), out.String())
	assert.Contains(t, out.String(), "the WSUS server (patch group wsus, 0 days) installs it in window privatepatch-wsus")
}

// A runtime call whose key policy is not in the templates is printed as not judged, with its
// verdict without that policy, and counts as neither right nor wrong, allowed or denied (review
// round 2, 4a); the same denied call, judged, is wrong.
func TestACallNotJudgedIsPrintedSoAndIsNoFailure(t *testing.T) {
	call := authz.Call{Caller: "Glue crawler privatepatch-inventory (CrawlerRole)", Action: "kms:Encrypt",
		Resource: "arn:aws:kms:us-west-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab", Required: true,
		NotJudged: "key policy not in these templates"}
	for _, verdict := range []string{"Allowed", "ImplicitlyDenied"} {
		row, wrong := callRow(authz.Result{Call: call, Verdict: verdict, Deciding: []string{"identity policy CrawlerRoleDefaultPolicy statement CrawlerLogsKey"}})
		assert.False(t, wrong, verdict)
		assert.Contains(t, row, "yes    not judged (key policy not in these templates) Glue crawler", verdict)
		assert.Contains(t, row, "decided by evaluated without it: ", verdict)
		assert.NotContains(t, row, "WRONG", verdict)
	}
	call.NotJudged = ""
	row, wrong := callRow(authz.Result{Call: call, Verdict: "ImplicitlyDenied"})
	assert.True(t, wrong)
	assert.Contains(t, row, "yes    denied  Glue crawler privatepatch-inventory (CrawlerRole) kms:Encrypt arn:aws:kms:us-west-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab  <-- WRONG")
}

// The mutation summary counts the statements each needed by a row, names the accepted ones with
// their reason, and fails on an unjustified one (planted).
func TestMutationSummaryFailsOnAStatementNothingNeeds(t *testing.T) {
	needed := authz.MutationResult{Mutation: authz.Mutation{Origin: "s/Policy/PolicyDocument", Sid: "Needed", Effect: "Allow", Kind: "statement"},
		Caught: []authz.Result{{}}}
	accepted := authz.MutationResult{Mutation: authz.Mutation{Origin: "s/RoleDefaultPolicy/PolicyDocument", Effect: "Allow", Kind: "action", Element: "kms:Decrypt"}}
	var out bytes.Buffer
	assert.Zero(t, mutationSummary(&out, "d", []authz.MutationResult{needed, accepted}, false))
	assert.Contains(t, out.String(), "1 statements and 0 of their actions, resources and conditions, each needed by a row; 1 accepted, 0 unjustified")
	assert.Contains(t, out.String(), "accepted: s/RoleDefaultPolicy/PolicyDocument: remove action kms:Decrypt from the Allow statement #1\n    (unproven: S3 asks for kms:Decrypt")

	planted := authz.MutationResult{Mutation: authz.Mutation{Origin: "s/Policy/PolicyDocument", Sid: "Planted", Effect: "Allow", Kind: "statement"}}
	out.Reset()
	assert.Equal(t, 1, mutationSummary(&out, "d", []authz.MutationResult{needed, planted}, false))
	assert.Contains(t, out.String(), "UNJUSTIFIED: s/Policy/PolicyDocument: remove the Allow statement Planted: no row needs it")
	assert.Contains(t, out.String(), "<-- WRONG")
	assert.NotContains(t, out.String(), "fix those rows first", "no row is wrong")
	// Held-out run 37: beside a wrong row, an unjustified statement may serve the broken call.
	out.Reset()
	assert.Equal(t, 1, mutationSummary(&out, "d", []authz.MutationResult{needed, planted}, true))
	assert.Contains(t, out.String(), "note: rows above are wrong; a statement or rule can look unneeded only because the call or flow it serves is broken elsewhere: fix those rows first")
}

// make verify parses the hook scripts a configuration names, with planted failures: a
// PowerShell script and a shell script that do not parse.
func TestHookScriptsAreParsedAndABrokenOneFails(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"good.ps1": "Write-Output 'ok'\n", "broken.ps1": "function Broken {\n  Write-Output 'x'\n",
		"good.sh": "echo ok\n", "broken.sh": "if true; then\n  echo x\n",
	} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	yaml := `
region: us-west-2
network:
  s3PrefixListIds: {us-west-2: pl-68a54001}
  s3PrefixListCidrs: {us-west-2: [54.231.160.0/19]}
patching:
  maintenanceWindows:
    - {name: hooked, schedule: "cron(0 2 ? * WED *)", targets: {resourceGroup: my-servers},
       tasks: [{hooks: {preInstall: good.ps1, postInstall: broken.ps1}}, {hooks: {preInstall: good.sh, onExit: broken.sh}}]}
`
	path := filepath.Join(dir, "hooks.yaml")
	require.NoError(t, os.WriteFile(path, []byte(yaml), 0o644))
	cfg, err := config.LoadFile(path)
	require.NoError(t, err)
	var out bytes.Buffer
	problems, err := hookScriptsCheck(&out, cfg, filepath.Join("..", ".."))
	require.NoError(t, err)
	assert.Equal(t, 1, problems, out.String())
	assert.Contains(t, out.String(), "good.ps1: parses")
	assert.Contains(t, out.String(), "good.sh: parses")
	// The grammar is not PowerShell: its errors are shown with the pwsh command that decides,
	// and not counted (a review's false alarm on valid hooks).
	assert.Regexp(t, `broken\.ps1: the PowerShell grammar reports line \d+ .*pwsh -NoProfile -Command '.*'\)  <-- CHECK`, out.String(),
		"single quotes: the shell must not expand $e and $null (a review's find)")

	// Where pwsh is, its parser decides, and an error counts (a fake pwsh here: this machine has none).
	bin := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bin, "pwsh"), []byte("#!/bin/sh\nif grep -q Broken; then echo \"line 3: Missing closing '}' in statement block.\"; fi\n"), 0o755))
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	out.Reset()
	problems, err = hookScriptsCheck(&out, cfg, filepath.Join("..", ".."))
	require.NoError(t, err)
	assert.Equal(t, 2, problems, out.String())
	assert.Contains(t, out.String(), "broken.ps1: does not parse (pwsh): line 3: Missing closing '}' in statement block.  <-- WRONG")
	assert.Contains(t, out.String(), "good.ps1: parses")
	assert.Regexp(t, `broken\.sh: does not parse: .*<-- WRONG`, out.String())

	defaults := config.Defaults()
	none, err := hookScriptsCheck(&out, &defaults, filepath.Join("..", ".."))
	require.NoError(t, err)
	assert.Zero(t, none, "no hooks, nothing to parse")
}

// An existing VPC whose ACLs are its own: the flows are judged through the template's security
// groups alone, the ACLs n/a. Without S3 ranges in the configuration (or ACLs to read them from)
// a stand-in plays the prefix list's members, so the S3 rule is needed by a flow and not reported
// unjustified (a false alarm before). Planted: the S3 rule opened to every port fails S3's
// other-port neighbour.
func TestAnExistingVpcsFlowsAreJudgedByItsSecurityGroupsWithAStandInForS3(t *testing.T) {
	cfg, err := config.Parse("lookup.yaml", []byte(`account: "111111111111"
region: eu-west-1
network:
  s3PrefixListIds: {eu-west-1: pl-6da54004}
  existingVpc:
    lookup: {tags: {Name: workload-vpc}, privateSubnetGroup: Isolated}
    interfaceEndpoints: hub
    s3Endpoint: created
    hubCidrs: [10.0.0.0/24]
fleet:
  instanceGroups:
    - {name: app, count: 2, tags: {Environment: Dev, InventoryCategory: App, SeverityLevel: "3", HandlePI: N, IsPublic: N}}
`))
	require.NoError(t, err)
	require.Nil(t, cfg.S3Cidrs())
	data, err := os.ReadFile(filepath.Join("..", "..", "test", "testdata", "existing-vpc-lookup.network.template.json"))
	require.NoError(t, err)
	var template map[string]any
	require.NoError(t, json.Unmarshal(data, &template))
	var out bytes.Buffer
	wrong, err := flowTable(&out, "network", template, cfg, nil, netpath.FromSecurityGroups)
	require.NoError(t, err)
	assert.Zero(t, wrong, out.String())
	assert.Regexp(t, `yes\s+instance to S3 at 198\.18\.0\.0/15\s+443\s+n/a\s+passes`, out.String())
	assert.Regexp(t, `no\s+instance SSH to the hub's interface endpoints at 10\.0\.0\.0/24\s+22\s+n/a\s+denied`, out.String())
	assert.NotContains(t, out.String(), "S3 coverage", "the existing VPC's ACLs are its own")

	group := template["Resources"].(map[string]any)["NetworkPrivateSecurityGroup457D0836"].(map[string]any)["Properties"].(map[string]any)
	for _, rule := range group["SecurityGroupEgress"].([]any) {
		if r := rule.(map[string]any); r["DestinationPrefixListId"] != nil {
			r["FromPort"], r["ToPort"] = float64(0), float64(65535)
		}
	}
	out.Reset()
	wrong, err = flowTable(&out, "network", template, cfg, nil, netpath.FromSecurityGroups)
	require.NoError(t, err)
	assert.Positive(t, wrong)
	assert.Regexp(t, `no\s+instance SSH to S3 at 198\.18\.0\.0/15\s+22\s+n/a\s+passes.*<-- WRONG`, out.String())
}

// The flow table tries one address of each S3 range; the coverage proof under it takes all of
// them. Planted (mutation run 21's A07): the private ACL's rule for 52.92.128.0/17 narrowed to
// its lower half, which the flow table's address still passes.
func TestVerifyProvesThePrivateAclCoversEveryS3Address(t *testing.T) {
	cfg, err := config.LoadDefault()
	require.NoError(t, err)
	template := goldenDefault(t)["network"]
	var out bytes.Buffer
	wrong, err := flowTable(&out, "network", template, cfg, nil, netpath.FromTemplate)
	require.NoError(t, err)
	assert.Zero(t, wrong, out.String())
	assert.Contains(t, out.String(), "S3 coverage: each private network ACL")

	rule := template["Resources"].(map[string]any)["NetworkPrivateAclOutHttpsToS36499896A1"].(map[string]any)["Properties"].(map[string]any)
	rule["CidrBlock"] = "52.92.128.0/18"
	out.Reset()
	wrong, err = flowTable(&out, "network", template, cfg, nil, netpath.FromTemplate)
	require.NoError(t, err)
	assert.Equal(t, 1, wrong, out.String())
	assert.Regexp(t, `yes\s+instance to S3 at 52\.92\.128\.0/17\s+443\s+passes`, out.String())
	assert.Contains(t, out.String(), "HTTPS out to S3 range 52.92.128.0/17: 52.92.192.0/18 matches no rule (implicit deny)  <-- WRONG")
}

// lookedUp is the default configuration as a deployment with an account whose S3 prefix list
// (id and ranges) synth looked up, and the CDK context holding those lookups' answers (the ranges
// the default configuration lists), or none.
func lookedUp(t *testing.T, answered bool) (*config.Config, map[string]any) {
	cfg, err := config.LoadDefault()
	require.NoError(t, err)
	cidrs := cfg.S3Cidrs()
	cfg.Account = "111111111111"
	delete(cfg.Network.S3PrefixListIds, cfg.Region)
	delete(cfg.Network.S3PrefixListCidrs, cfg.Region)
	require.Nil(t, cfg.S3Cidrs())
	if !answered {
		return cfg, nil
	}
	var entries []any
	for _, c := range cidrs {
		entries = append(entries, map[string]any{"Cidr": c})
	}
	return cfg, map[string]any{
		s3drift.IdLookupKey(cfg.Account, cfg.Region):                     []any{map[string]any{"PrefixListId": "pl-68a54001"}},
		s3drift.EntriesLookupKey(cfg.Account, cfg.Region, "pl-68a54001"): []any{map[string]any{"Entries": entries}},
	}
}

// With an account and no ranges in the configuration, the S3 ranges are synth's lookups (the
// CDK context), not the private ACL's own rules, which proved the ACL covered itself (review of
// run 21, 3a). Planted (run 21's A07 in such a deployment): the rule for 52.92.128.0/17
// narrowed to its lower half, which the old code passed. Without the lookups' answers, no pass on
// S3 is printed: neither its rows nor the coverage are judged offline.
func TestWithAnAccountTheS3RangesAreSynthsLookupsNotThePrivateAclsOwn(t *testing.T) {
	narrowed := func() map[string]any {
		template := goldenDefault(t)["network"]
		rule := template["Resources"].(map[string]any)["NetworkPrivateAclOutHttpsToS36499896A1"].(map[string]any)["Properties"].(map[string]any)
		require.Equal(t, "52.92.128.0/17", rule["CidrBlock"])
		rule["CidrBlock"] = "52.92.128.0/18"
		return template
	}
	cfg, lookups := lookedUp(t, true)
	var out bytes.Buffer
	wrong, err := flowTable(&out, "network", goldenDefault(t)["network"], cfg, lookups, netpath.FromTemplate)
	require.NoError(t, err)
	assert.Zero(t, wrong, out.String())
	assert.Regexp(t, `yes\s+instance to S3 at 52\.92\.128\.0/17\s+443\s+passes\s+passes`, out.String())
	assert.Contains(t, out.String(), "S3 coverage: each private network ACL")

	out.Reset()
	wrong, err = flowTable(&out, "network", narrowed(), cfg, lookups, netpath.FromTemplate)
	require.NoError(t, err)
	assert.Equal(t, 1, wrong, out.String())
	assert.Contains(t, out.String(), "HTTPS out to S3 range 52.92.128.0/17: 52.92.192.0/18 matches no rule (implicit deny)  <-- WRONG")

	cfg, _ = lookedUp(t, false)
	out.Reset()
	wrong, err = flowTable(&out, "network", narrowed(), cfg, nil, netpath.FromTemplate)
	require.NoError(t, err)
	assert.Zero(t, wrong, "the narrowed rule cannot be told from the ranges offline: %s", out.String())
	unknown := "not judged offline: the S3 ranges are unknown (give network.s3PrefixListCidrs or run make synth with credentials)"
	assert.Regexp(t, `yes\s+instance to S3 at 52\.92\.128\.0/18\s+443\s+`+regexp.QuoteMeta(unknown), out.String())
	assert.Contains(t, out.String(), "  S3 coverage: "+unknown)
	assert.NotRegexp(t, `instance to S3 at \S+\s+443\s+passes`, out.String())
	assert.NotContains(t, out.String(), "S3 coverage: each private network ACL")
}

// The flow table's rows from the WSUS server to Microsoft Update need its route out: planted, the
// Elastic IP removed from a server in a public subnet (mutation run 21's A12).
func TestTheWsusServersFlowsToMicrosoftUpdateNeedItsRouteOut(t *testing.T) {
	cfg, err := config.LoadDefault()
	require.NoError(t, err)
	read := func(stack string) map[string]any {
		data, err := os.ReadFile(filepath.Join("..", "..", "test", "testdata", "default."+stack+".template.json"))
		require.NoError(t, err)
		var template map[string]any
		require.NoError(t, json.Unmarshal(data, &template))
		return template
	}
	network, fleet := read("network"), read("fleet")
	var out bytes.Buffer
	var note string
	wrong, err := flowTable(&out, "network", network, cfg, nil, withServerRoute(netpath.FromTemplate, fleet, false, nil, &note))
	require.NoError(t, err)
	assert.Zero(t, wrong, out.String())

	delete(fleet["Resources"].(map[string]any), "WsusElasticIpF14AC9D4")
	out.Reset()
	wrong, err = flowTable(&out, "network", network, cfg, nil, withServerRoute(netpath.FromTemplate, fleet, false, []map[string]any{read("patching")}, &note))
	require.NoError(t, err)
	assert.Equal(t, 2, wrong)
	assert.Regexp(t, `yes\s+WSUS syncs from Microsoft Update over HTTPS\s+443\s+passes\s+passes\s+.*; route: the WSUS server WsusInstance902E8651 has no public IPv4 address .*<-- WRONG`, out.String())
	assert.Empty(t, note)

	// Declared external (wsus.publicAddress), the rows pass the ACLs and groups and say the
	// route out is not judged (review round 2, 11b and 11c).
	out.Reset()
	wrong, err = flowTable(&out, "network", network, cfg, nil, withServerRoute(netpath.FromTemplate, fleet, true, nil, &note))
	require.NoError(t, err)
	assert.Zero(t, wrong, out.String())
	assert.Regexp(t, `yes\s+WSUS syncs from Microsoft Update over HTTPS\s+443\s+passes\s+passes\s+.*\(route out of the VPC not judged: see the note below\)\n`, out.String())
	assert.Contains(t, note, "wsus.publicAddress: external")
}

// Held-out run 36's A07: a looked-up VPC's subnet zones come from the VPC context provider's
// answer in cdk.context.json (the configuration names no subnet), so an instance given a subnet
// of another zone than its AvailabilityZone is named.
func TestExistingZonesReadALookedUpVpcsSubnets(t *testing.T) {
	cfg, err := config.Load("../../config/default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	lookups := map[string]any{
		"vpc-provider:account=111111111111:filter.tag:Name=workload-vpc:region=eu-west-1:returnAsymmetricSubnets=true": map[string]any{
			"subnetGroups": []any{map[string]any{"name": "Isolated", "subnets": []any{
				map[string]any{"subnetId": "subnet-0c0ffee0c0ffee0a2", "availabilityZone": "eu-west-1a"},
				map[string]any{"subnetId": "subnet-0c0ffee0c0ffee0b2", "availabilityZone": "eu-west-1b"},
			}}}},
		"availability-zones:account=111111111111:region=eu-west-1": []any{"eu-west-1a", "eu-west-1b"},
	}
	want := map[string]string{"subnet-0c0ffee0c0ffee0a2": "eu-west-1a", "subnet-0c0ffee0c0ffee0b2": "eu-west-1b"}
	if got := existingZones(cfg, lookups); !maps.Equal(got, want) {
		t.Errorf("existingZones = %v, want %v", got, want)
	}
	if got := existingZones(cfg, nil); len(got) != 0 {
		t.Errorf("no existing VPC and no lookup: %v", got)
	}
}
