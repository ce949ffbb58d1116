package test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/compliance"
	"github.com/privatepatch/privatepatch/constructs/compliance/compliancespec"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/constructs/wsus"
	"github.com/privatepatch/privatepatch/proof/wiring"
)

func TestResourceGroupsSelectInstancesByAssetTagsAndHoldTheFleetStack(t *testing.T) {
	s := exampleScenario.synth(t)
	groups := map[string]map[string]any{}
	for _, g := range s.fleetResources("AWS::ResourceGroups::Group") {
		groups[props(g)["Name"].(string)] = props(g)
	}
	require.ElementsMatch(t, []string{"privatepatch-ProdWebServer", "privatepatch-fleet", "privatepatch-wsus-clients"}, keysOf(groups), "named per project: unique per account and region")
	assert.Equal(t, map[string]any{"Type": "TAG_FILTERS_1_0", "Query": map[string]any{
		"ResourceTypeFilters": []any{"AWS::EC2::Instance"},
		"TagFilters": []any{map[string]any{"Key": "Environment", "Values": []any{"Prod"}},
			map[string]any{"Key": "InventoryCategory", "Values": []any{"WebServer"}}},
	}}, groups["privatepatch-ProdWebServer"]["ResourceQuery"])
	assert.Equal(t, map[string]any{"Type": "CLOUDFORMATION_STACK_1_0", "Query": map[string]any{
		"ResourceTypeFilters": []any{"AWS::AllSupported"}, "StackIdentifier": map[string]any{"Ref": "AWS::StackId"},
	}}, groups["privatepatch-fleet"]["ResourceQuery"])
}

func TestConfigurationChecksRunOnTheirGroupAndTheWsusServerAndReportAsCustomCompliance(t *testing.T) {
	s := exampleScenario.synth(t)
	documentID, document := s.only(t, "AWS::SSM::Document", "ConfigurationChecksDocument")
	content := props(document)["Content"].(map[string]any)
	steps := content["mainSteps"].([]any)
	require.Len(t, steps, 2)
	windows, linux := steps[0].(map[string]any), steps[1].(map[string]any)
	assert.Equal(t, "aws:runPowerShellScript", windows["action"])
	assert.Equal(t, map[string]any{"StringEquals": []any{"platformType", "Windows"}}, windows["precondition"])
	assert.Equal(t, "aws:runShellScript", linux["action"])
	assert.Equal(t, map[string]any{"StringEquals": []any{"platformType", "Linux"}}, linux["precondition"])
	script := func(step map[string]any) string {
		var lines []string
		for _, l := range step["inputs"].(map[string]any)["runCommand"].([]any) {
			lines = append(lines, l.(string))
		}
		return strings.Join(lines, "\n")
	}
	assert.Equal(t, strings.TrimRight(compliance.WindowsChecks, "\n")+"\n"+compliance.WindowsVerdict, script(windows),
		"the reviewed script, unchanged, then the verdict")
	assert.Equal(t, "bash <<'PRIVATEPATCH_CCE'\n"+strings.TrimRight(compliance.LinuxChecks, "\n")+"\n"+compliance.LinuxVerdict+"\nPRIVATEPATCH_CCE", script(linux),
		"through bash, whatever /bin/sh is")

	associations := map[string]map[string]any{}
	for _, a := range s.fleetResources("AWS::SSM::Association") {
		if fmt.Sprint(props(a)["Name"]) == fmt.Sprint(map[string]any{"Ref": documentID}) {
			associations[props(a)["AssociationName"].(string)] = a
		}
	}
	require.ElementsMatch(t, []string{"privatepatch-configuration-checks", "privatepatch-configuration-checks-instances"}, keysOf(associations))
	group := props(associations["privatepatch-configuration-checks"])
	assert.Equal(t, []any{map[string]any{"Key": "resource-groups:Name", "Values": []any{"privatepatch-ProdWebServer"}}}, group["Targets"])
	assert.Equal(t, "rate(1 day)", group["ScheduleExpression"])
	assert.Equal(t, "cce/", group["OutputLocation"].(map[string]any)["S3Location"].(map[string]any)["OutputS3KeyPrefix"])
	groupID, _ := oneOf(t, s.fleetJSON, "AWS::ResourceGroups::Group", "ResourceGroupsprivatepatchProdWebServer")
	assert.Contains(t, associations["privatepatch-configuration-checks"]["DependsOn"], groupID, "the group exists before it is targeted")
	wsusInstance, _ := s.only(t, "AWS::EC2::Instance", "WsusInstance")
	assert.Equal(t, []any{map[string]any{"Key": "InstanceIds", "Values": []any{map[string]any{"Ref": wsusInstance}}}},
		props(associations["privatepatch-configuration-checks-instances"])["Targets"], "the WSUS server is checked too")

	_, def := oneOf(t, defaultScenario.synth(t).fleetJSON, "AWS::SSM::Association", "ConfigurationChecksAssociation")
	assert.Equal(t, []any{map[string]any{"Key": "tag:privatepatch:fleet", "Values": []any{"privatepatch"}}}, props(def)["Targets"],
		"without a group, the whole fleet tag")
}

func TestWsusServerCarriesItsAssetTagsAndIsPublic(t *testing.T) {
	_, instance := defaultScenario.synth(t).only(t, "AWS::EC2::Instance", "WsusInstance")
	tags := map[string]string{}
	for _, tag := range props(instance)["Tags"].([]any) {
		tags[tag.(map[string]any)["Key"].(string)] = tag.(map[string]any)["Value"].(string)
	}
	for k, v := range map[string]string{"Environment": "Prod", "InventoryCategory": "WSUS", "SeverityLevel": "3", "HandlePI": "N", "IsPublic": "Y"} {
		assert.Equal(t, v, tags[k], k)
	}
}

var checkLine = regexp.MustCompile(`^(CCE-[LW]-\d\d) (PASS|FAIL) (CRITICAL|HIGH|MEDIUM|LOW|INFORMATIONAL) .+: .*$`)

func checkIDs(script string) []string {
	ids := map[string]bool{}
	for _, id := range regexp.MustCompile(`CCE-[LW]-\d\d`).FindAllString(script, -1) {
		ids[id] = true
	}
	return keysOf(ids)
}

// TestLinuxChecksRunOnARealSystemAndPrintEveryCheck runs cce-linux.sh on this machine in dry-run
// mode: every check runs and prints one result line; failures are findings, not errors.
func TestLinuxChecksRunOnARealSystemAndPrintEveryCheck(t *testing.T) {
	script := filepath.Join(t.TempDir(), "cce-linux.sh")
	require.NoError(t, os.WriteFile(script, []byte(compliance.LinuxChecks), 0o755))
	cmd := exec.Command("bash", script)
	cmd.Env = append(os.Environ(), "CCE_DRY_RUN=1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	var seen []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		m := checkLine.FindStringSubmatch(line)
		require.NotNil(t, m, "a result line: %q", line)
		seen = append(seen, m[1])
	}
	sort.Strings(seen)
	assert.Equal(t, checkIDs(compliance.LinuxChecks), seen, "one line per check")
	assert.Len(t, seen, 7)
}

// runLinuxDocumentStep runs the check document's Linux step as Run Command would (sh), with fake
// curl (instance metadata) and aws (the report) first on PATH; it returns the output and exit code.
func runLinuxDocumentStep(t *testing.T, step string) (string, int) {
	dir := t.TempDir()
	fakes := map[string]string{
		// The metadata requests carry the token header: match the path first.
		"curl": "#!/bin/sh\ncase \"$*\" in *instance-id*) echo i-0123456789abcdef0;; *region*) echo us-west-2;; *token*) echo token;; esac\n",
		"aws":  "#!/bin/sh\nexit 0\n",
	}
	for name, body := range fakes {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o755))
	}
	cmd := exec.Command("sh", "-c", step)
	cmd.Env = append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"))
	out, _ := cmd.CombinedOutput()
	return string(out), cmd.ProcessState.ExitCode()
}

// A run in which a check fails must fail, or the failure reaches no alert: Systems Manager
// documents no compliance event for a Custom: type, and the association's Failed state is what
// the alerts watch.
func TestAConfigurationCheckRunFailsWhenACheckFailsAndOnlyThen(t *testing.T) {
	s := defaultScenario.synth(t)
	_, document := s.only(t, "AWS::SSM::Document", "ConfigurationChecksDocument")
	var lines []string
	for _, l := range props(document)["Content"].(map[string]any)["mainSteps"].([]any)[1].(map[string]any)["inputs"].(map[string]any)["runCommand"].([]any) {
		lines = append(lines, l.(string))
	}
	out, code := runLinuxDocumentStep(t, strings.Join(lines, "\n"))
	failed := regexp.MustCompile(`(?m)^CCE-L-\d\d FAIL `).MatchString(out)
	if failed {
		assert.Equal(t, compliance.FailedChecksExitCode, code, "a check failed on this machine: the run fails\n%s", out)
	} else {
		assert.Equal(t, 0, code, "every check passed on this machine: the run succeeds\n%s", out)
	}
	assert.Contains(t, out, "reported 7 checks to Systems Manager compliance", "the results are reported before the verdict")

	// The verdict alone, both ways, whatever this machine's checks say.
	for results, want := range map[string]int{`("a|HIGH|t|PASS" "b|LOW|u|PASS")`: 0, `("a|HIGH|t|PASS" "b|LOW|u|FAIL")`: compliance.FailedChecksExitCode} {
		cmd := exec.Command("bash", "-c", "results="+results+"\n"+compliance.LinuxVerdict)
		_ = cmd.Run()
		assert.Equal(t, want, cmd.ProcessState.ExitCode(), results)
	}
}

// The Windows verdict reads $results and Pass, and is reached only when the script did not exit:
// the script must keep collecting them so, and exit only when it cannot run or report (1), or
// in a dry run. (No PowerShell here: a pinned contract of the script's text.)
func TestTheWindowsVerdictReadsWhatTheScriptCollects(t *testing.T) {
	contract := func(script string) []string {
		var broken []string
		if !strings.Contains(script, "$results = New-Object System.Collections.Generic.List[object]") ||
			!strings.Contains(script, "$results.Add([pscustomobject]@{ Id = $id; Severity = $severity; Title = $title; Pass = $pass })") {
			broken = append(broken, "results")
		}
		for _, exit := range regexp.MustCompile(`(?m)^.*\bexit\b.*$`).FindAllString(script, -1) {
			exit = strings.TrimSpace(exit)
			if exit != "exit 1" && exit != "if ($DryRun) { exit 0 }" && !strings.HasPrefix(exit, "#") && !strings.Contains(exit, "exits") {
				broken = append(broken, exit)
			}
		}
		return broken
	}
	assert.Empty(t, contract(compliance.WindowsChecks))
	assert.Equal(t, []string{"exit 0"}, contract(compliance.WindowsChecks+"\nexit 0\n"), "planted: an exit before the verdict")
	assert.Equal(t, []string{"results"}, contract(strings.ReplaceAll(compliance.WindowsChecks, "Pass = $pass", "Ok = $pass")), "planted: renamed")
}

// TestLinuxChecksReportAsTheNodeTheAgentNames runs cce-linux.sh with stand-ins for the AWS CLI and
// curl that record their arguments: it reports as the node SSM Agent names in its environment
// (a hybrid node's mi-... id included), by hand as the node of the agent's registration file, and
// without either asks instance metadata, failing with the reason when there is none. Nothing
// leaves this machine: curl is the stand-in, which fails like a node without instance metadata.
func TestLinuxChecksReportAsTheNodeTheAgentNames(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "cce-linux.sh")
	require.NoError(t, os.WriteFile(script, []byte(compliance.LinuxChecks), 0o755))
	bin := filepath.Join(dir, "bin")
	require.NoError(t, os.Mkdir(bin, 0o755))
	for _, name := range []string{"aws", "curl"} {
		stub := fmt.Sprintf("#!/bin/sh\necho \"$*\" >> %q\n", filepath.Join(dir, name+".calls"))
		if name == "curl" {
			stub += "exit 7\n" // as curl does when it cannot connect
		}
		require.NoError(t, os.WriteFile(filepath.Join(bin, name), []byte(stub), 0o755))
	}
	registration := filepath.Join(dir, "registration")
	require.NoError(t, os.WriteFile(registration, []byte(`{"ManagedInstanceID":"mi-008d36be46abcdef0","Region":"us-east-2"}`), 0o600))

	run := func(env ...string) (string, string, string, error) {
		for _, f := range []string{"aws.calls", "curl.calls"} {
			_ = os.Remove(filepath.Join(dir, f))
		}
		cmd := exec.Command("bash", script)
		for _, e := range os.Environ() {
			if !strings.HasPrefix(e, "AWS_SSM_") && !strings.HasPrefix(e, "PATH=") && !strings.HasPrefix(e, "CCE_") {
				cmd.Env = append(cmd.Env, e)
			}
		}
		cmd.Env = append(cmd.Env, append([]string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}, env...)...)
		out, err := cmd.CombinedOutput()
		aws, _ := os.ReadFile(filepath.Join(dir, "aws.calls"))
		curl, _ := os.ReadFile(filepath.Join(dir, "curl.calls"))
		return string(out), string(aws), string(curl), err
	}

	out, aws, curl, err := run("AWS_SSM_INSTANCE_ID=mi-0123456789abcdef0", "AWS_SSM_REGION_NAME=eu-west-1", "CCE_REGISTRATION_FILE="+registration)
	require.NoError(t, err, out)
	assert.Contains(t, aws, "ssm put-compliance-items --region eu-west-1 --resource-id mi-0123456789abcdef0 --resource-type ManagedInstance --compliance-type Custom:CCE")
	assert.Contains(t, aws, "Id=CCE-L-01,Title=SSH root login disabled,Severity=HIGH,Status=", "one item per check, the title one word")
	assert.Empty(t, curl, "run by SSM Agent: no instance metadata needed")

	out, aws, curl, err = run("CCE_REGISTRATION_FILE=" + registration)
	require.NoError(t, err, out)
	assert.Contains(t, aws, "--region us-east-2 --resource-id mi-008d36be46abcdef0 --resource-type ManagedInstance")
	assert.Empty(t, curl, "a hybrid node has no instance metadata: its registration names it")

	out, aws, curl, err = run("CCE_REGISTRATION_FILE=" + filepath.Join(dir, "none"))
	require.Error(t, err, "no agent, no registration, no instance metadata")
	assert.Contains(t, out, "which node is this?")
	assert.Contains(t, curl, "http://169.254.169.254/latest/api/token", "asks IMDSv2 for a token first")
	assert.Empty(t, aws, "reports nothing as no one")

	out, aws, _, err = run("AWS_SSM_INSTANCE_ID=mi-0123; touch /tmp/x", "AWS_SSM_REGION_NAME=eu-west-1")
	require.Error(t, err, "only a node id goes through eval")
	assert.Contains(t, out, "is not one")
	assert.Empty(t, aws)
}

// TestAwsScriptsImportTheirModuleBeforeTheyCreateSdkObjects: PowerShell imports a module for a
// command, never for a type name (about_Modules), so the health and check scripts import AWS Tools
// for PowerShell themselves before they create an SDK object; and they create the collections that
// AWS Tools V5 leaves null. The Pester tests (wsus-health.Tests.ps1, cce-windows.Tests.ps1) run them.
func TestAwsScriptsImportTheirModuleBeforeTheyCreateSdkObjects(t *testing.T) {
	for _, c := range []struct{ name, script, publisher, imports, creates string }{
		{"wsus-health.ps1", wsus.HealthScript, "function Publish-WsusHealth", "Import-AwsToolsModule 'CloudWatch'", "New-HealthMetricData $identity.Id"},
		{"cce-windows.ps1", compliance.WindowsChecks, "function Send-ComplianceResult", "Import-AwsToolsModule 'SimpleSystemsManagement'", "New-Object Amazon.SimpleSystemsManagement.Model.ComplianceItemEntry"},
	} {
		start := strings.Index(c.script, c.publisher)
		require.GreaterOrEqual(t, start, 0, "%s: %s", c.name, c.publisher)
		body := c.script[start:]
		imports, creates := strings.Index(body, c.imports), strings.Index(body, c.creates)
		require.GreaterOrEqual(t, imports, 0, "%s imports its module", c.name)
		require.GreaterOrEqual(t, creates, 0, "%s creates SDK objects in %s", c.name, c.publisher)
		assert.Less(t, imports, creates, "%s imports the module before it creates an SDK object", c.name)
		assert.Contains(t, c.script, `foreach ($name in "AWS.Tools.$service", 'AWSPowerShell', 'AWSPowerShell.NetCore')`,
			"%s: Windows Server 2025 AMIs have AWS.Tools, older ones AWSPowerShell", c.name)
	}
	assert.Contains(t, wsus.HealthScript, "$datum.Dimensions = New-Object 'System.Collections.Generic.List[Amazon.CloudWatch.Model.Dimension]'",
		"AWS Tools V5 leaves a new MetricDatum's Dimensions null")
	// While the setup document installs WSUS there is nothing to measure: the run succeeds.
	publish := wsus.HealthScript[strings.Index(wsus.HealthScript, "function Publish-WsusHealth"):]
	notReady := strings.Index(publish, "if ($reason) {")
	require.GreaterOrEqual(t, notReady, 0)
	assert.Less(t, notReady, strings.Index(publish, "Import-AwsToolsModule"), "not ready is checked first")
	assert.Contains(t, publish[notReady:], "nothing to publish yet\"\n        return\n")
}

func TestEveryCheckIsDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "compliance-checks.md"))
	require.NoError(t, err)
	windows := checkIDs(compliance.WindowsChecks)
	assert.Len(t, windows, 8)
	for _, id := range append(windows, checkIDs(compliance.LinuxChecks)...) {
		assert.Contains(t, string(doc), "| "+id+" |", "docs/compliance-checks.md lists %s", id)
	}
	assert.NotContains(t, compliance.WindowsChecks+compliance.LinuxChecks, "{{", "SSM would substitute it")
}

// sampleEvent reads one of the sample events in proof/wiring/events (alertFixtures below says what each stands for).
func sampleEvent(t *testing.T, fixture string) map[string]any {
	t.Helper()
	event, err := wiring.SampleEvent(fixture)
	require.NoError(t, err)
	return event
}

// matchedBy are the names of the patterns that match event, sorted.
func matchedBy(patterns map[string]map[string]any, event map[string]any) []string {
	var matched []string
	for name, pattern := range patterns {
		if wiring.Matches(pattern, event) {
			matched = append(matched, name)
		}
	}
	slices.Sort(matched)
	return matched
}

func TestTheEventMatcherTakesExistsAsEventBridgeDoes(t *testing.T) {
	absent := map[string]any{"d": map[string]any{"f": []any{map[string]any{"exists": false}}}}
	present := map[string]any{"d": map[string]any{"f": []any{map[string]any{"exists": true}}}}
	assert.True(t, wiring.Matches(absent, map[string]any{"d": map[string]any{"g": "x"}}))
	assert.True(t, wiring.Matches(absent, map[string]any{}), "an absent parent: the leaf is absent too")
	assert.False(t, wiring.Matches(absent, map[string]any{"d": map[string]any{"f": "2"}}), "planted: the field is there")
	assert.True(t, wiring.Matches(present, map[string]any{"d": map[string]any{"f": "2"}}))
	assert.False(t, wiring.Matches(present, map[string]any{"d": map[string]any{}}), "planted: the field is not there")
	assert.False(t, wiring.Matches(map[string]any{"d": []any{"x"}}, map[string]any{}), "a value needs its field")
}

// alertFixtures are the sample events of proof/wiring/events and the rule each must alert
// through ("": none).
var alertFixtures = map[string]string{
	// With stopOnFailure on (the default), the window's failure rule alerts, and the alerts' own
	// MaintenanceWindow rule is left out (TestTheAlertsWindowRuleAlertsForWindowsWithoutAFailureRule).
	"maintenance-window-failed": "MaintenanceWindowsprivatepatchweeklyFailure", "maintenance-window-success": "",
	// A window of another deployment in the account (or of none) alerts nobody here.
	"maintenance-window-failed-other-window": "",
	"compliance-patch-non-compliant":         "Compliance",
	// The WSUS server's own baseline: its own rule only, one alert.
	"compliance-patch-non-compliant-wsus": "WsusCompliance",
	// Systems Manager documents no compliance event for a Custom: type; should one come, it
	// is not what the alerts rest on.
	"compliance-cce-non-compliant": "", "compliance-cce-compliant": "",
	// Failed configuration checks fail their run (compliance.FailedChecksExitCode).
	"association-failed": "Association",
	// A failed association of another deployment in the account (or of none): not here.
	"association-failed-other-association": "",
	// AWS's own example: a success, which alerts nobody.
	"aws-example-instance-association": "",
	// AWS's own example of a window disabled ("Window State Change", "Amazon EventBridge event
	// examples for Systems Manager", read 2026-12-07): no failure, no alert. Without it, a rule on
	// this documented detail-type read as one of no event AWS documents (held-out run 36's B06).
	"aws-example-window-state-change": "",
	// Findings at or above HIGH (the default), new or active only.
	"securityhub-finding-high": "SecurityHubFindings", "securityhub-finding-low": "",
	"inspector-finding-high": "InspectorFindings", "inspector-finding-closed": "",
	// The same Inspector finding as Security Hub imports it (ProductFields'
	// aws/inspector/ProductVersion): alerted once, by the Inspector rule.
	"securityhub-finding-from-inspector": "",
	// Updates of a finding already alerted: neither service marks them apart from a new
	// finding, so they match; the finding filter, the rules' target, drops them
	// (docs/compliance-checks.md, Finding alerts; compliancespec's tests).
	"securityhub-finding-high-updated": "SecurityHubFindings", "inspector-finding-high-updated": "InspectorFindings",
}

// alertRulesWithSampleIDs are the patching stack's alert rules by name, each pattern a copy with
// this deployment's window and association ids replaced by the ids the sample events carry; and
// apart, the windows' failure rules (they latch the windows' failure alarms, and alert too).
func alertRulesWithSampleIDs(t *testing.T, s *scenario) (rules, failures map[string]map[string]any) {
	rules, failures = map[string]map[string]any{}, map[string]map[string]any{}
	windowID, associationID := sampleWindowIDs(s), sampleAssociationIDs(t, s)
	for id, r := range s.patchResources("AWS::Events::Rule") {
		name := regexp.MustCompile(`Rule[0-9A-F]{8}$`).ReplaceAllString(id, "")
		// A copy: the scenario's template is shared with the other tests.
		data, err := json.Marshal(props(r)["EventPattern"])
		require.NoError(t, err)
		var pattern map[string]any
		require.NoError(t, json.Unmarshal(data, &pattern))
		if detail, ok := pattern["detail"].(map[string]any); ok {
			for field, sample := range map[string]func(any) any{"window-id": windowID, "association-id": associationID} {
				if refs, ok := detail[field].([]any); ok {
					distinct := map[any]bool{}
					for i, ref := range refs {
						refs[i] = sample(ref)
						require.NotNil(t, refs[i], "%s: %v is one of this deployment's", field, ref)
						distinct[refs[i]] = true
					}
					require.Len(t, distinct, len(refs), "%s: each once", field)
				}
			}
		}
		require.NotNil(t, props(r)["Targets"], "%s: every rule has a target", id)
		if strings.HasPrefix(name, "MaintenanceWindows") && strings.HasSuffix(name, "Failure") {
			failures[name] = pattern
		}
		rules[strings.TrimPrefix(strings.TrimPrefix(name, "Alerts"), "Security")] = pattern
	}
	return rules, failures
}

// sampleWindowIDs maps the deployment's windows to the ids the sample events carry: the first
// window is the samples' mw-0123456789abcdef0; mw-0fedcba9876543210 is a window of another
// deployment.
func sampleWindowIDs(s *scenario) func(ref any) any {
	windowIDs := map[string]any{}
	for i, id := range slices.Sorted(maps.Keys(s.patchResources("AWS::SSM::MaintenanceWindow"))) {
		windowIDs[fmt.Sprint(map[string]any{"Ref": id})] = fmt.Sprintf("mw-0123456789abcdef%d", i)
	}
	return func(ref any) any { return windowIDs[fmt.Sprint(ref)] }
}

// sampleAssociationIDs maps the deployment's associations likewise: the configuration checks'
// (fleet stack) is the samples' 6ee3ac37-1e55-4d1a-b4f8-5e5a0c3e1a3a, each other one an id of its
// own; the samples' 0b2d9e71-... is an association of another deployment.
func sampleAssociationIDs(t *testing.T, s *scenario) func(ref any) any {
	associationIDs := map[string]any{}
	for i, id := range slices.Sorted(maps.Keys(s.fleetResources("AWS::SSM::Association"))) {
		associationIDs["fleet/"+id] = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		if strings.HasPrefix(id, "ConfigurationChecksAssociation") {
			associationIDs["fleet/"+id] = "6ee3ac37-1e55-4d1a-b4f8-5e5a0c3e1a3a"
		}
	}
	for i, id := range slices.Sorted(maps.Keys(s.patchResources("AWS::SSM::Association"))) {
		associationIDs["patching/"+id] = fmt.Sprintf("00000000-0000-4000-9000-%012d", i)
	}
	return func(ref any) any {
		if id, ok := ref.(map[string]any)["Ref"].(string); ok {
			return associationIDs["patching/"+id]
		}
		return associationIDs["fleet/"+s.stackResource(t, s.fleetJSON, s.stackName("Fleet"), ref)]
	}
}

// Each window's failure rule (docs/patching.md#a-rollout-that-stops-itself) matches its own
// window's failed runs only: the sample's window is the first one, weekly.
func TestEachWindowsFailureRuleMatchesItsOwnWindowsFailedRunsOnly(t *testing.T) {
	_, failures := alertRulesWithSampleIDs(t, defaultScenario.synth(t))
	for fixture, want := range map[string][]string{"maintenance-window-failed": {"MaintenanceWindowsprivatepatchweeklyFailure"},
		"maintenance-window-success": nil, "maintenance-window-failed-other-window": nil, "association-failed": nil} {
		matched := matchedBy(failures, sampleEvent(t, fixture))
		assert.Equal(t, want, matched, "%s latches %v", fixture, want)
	}
}

// With stopOnFailure off no window has a failure rule: the alerts' MaintenanceWindow rule alerts
// for this deployment's windows, once.
func TestTheAlertsWindowRuleAlertsForWindowsWithoutAFailureRule(t *testing.T) {
	rules, failures := alertRulesWithSampleIDs(t, stopOnFailureOff.synth(t))
	assert.Empty(t, failures)
	for fixture, want := range map[string][]string{"maintenance-window-failed": {"MaintenanceWindow"},
		"maintenance-window-success": nil, "maintenance-window-failed-other-window": nil} {
		matched := matchedBy(rules, sampleEvent(t, fixture))
		assert.Equal(t, want, matched, "%s alerts through %v", fixture, want)
	}
}

func TestAlertRulesMatchTheEventsTheyAreForAndNoOthers(t *testing.T) {
	s := defaultScenario.synth(t)
	rules, _ := alertRulesWithSampleIDs(t, s)
	require.ElementsMatch(t, []string{"MaintenanceWindowsprivatepatchweeklyFailure", "MaintenanceWindowsprivatepatchwsusFailure",
		"Compliance", "WsusCompliance", "Association", "SecurityHubFindings", "InspectorFindings"}, keysOf(rules))
	// The baselines by the ids the sample events carry: the WSUS server's (the one its rule
	// names) is compliance-patch-non-compliant-wsus's pb-0fedcba9876543210; the fleet's sample
	// carries pb-0123456789abcdef0, which stands for any other baseline.
	wsusBaseline := fmt.Sprint(rules["WsusCompliance"]["detail"].(map[string]any)["patch-baseline-id"].([]any)[0])
	require.Contains(t, wsusBaseline, "Ref")
	baselineID := func(ref any) any {
		if fmt.Sprint(ref) == wsusBaseline {
			return "pb-0fedcba9876543210"
		}
		return ref
	}
	for _, pattern := range rules {
		detail, _ := pattern["detail"].(map[string]any)
		ids, _ := detail["patch-baseline-id"].([]any)
		for i, id := range ids {
			operator, _ := id.(map[string]any)
			if but, ok := operator["anything-but"].([]any); ok {
				for j := range but {
					but[j] = baselineID(but[j])
				}
			} else {
				ids[i] = baselineID(id)
			}
		}
	}
	assert.Equal(t, []any{map[string]any{"anything-but": []any{"pb-0fedcba9876543210"}}}, rules["Compliance"]["detail"].(map[string]any)["patch-baseline-id"],
		"the fleet's rule leaves the WSUS server's baseline to its own rule")
	for fixture, want := range alertFixtures {
		matched := matchedBy(rules, sampleEvent(t, fixture))
		if want == "" {
			assert.Empty(t, matched, "%s alerts nobody", fixture)
		} else {
			assert.Equal(t, []string{want}, matched, "%s", fixture)
		}
	}
	// Planted: without anything-but, the WSUS server's event matches the fleet's rule too.
	event := sampleEvent(t, "compliance-patch-non-compliant-wsus")
	fleetRule := map[string]any{"source": rules["Compliance"]["source"], "detail-type": rules["Compliance"]["detail-type"],
		"detail": without(rules["Compliance"]["detail"].(map[string]any), "patch-baseline-id")}
	assert.True(t, wiring.Matches(fleetRule, event), "the fleet's rule without the exclusion alerts for the WSUS server too")
	assert.True(t, wiring.Matches(map[string]any{"x": []any{map[string]any{"anything-but": []any{"a", "b"}}}}, map[string]any{"x": "c"}))
	assert.False(t, wiring.Matches(map[string]any{"x": []any{map[string]any{"anything-but": []any{"a", "b"}}}}, map[string]any{"x": "b"}))
}

func TestSecurityServicesAreCreatedAsConfiguredAndOnlyThen(t *testing.T) {
	s := exampleScenario.synth(t)
	hubID, hub := oneOf(t, s.patchJSON, "AWS::SecurityHub::Hub", "Security")
	assert.Equal(t, false, props(hub)["EnableDefaultStandards"], "exactly the configured standards")
	_, standard := oneOf(t, s.patchJSON, "AWS::SecurityHub::Standard", "Security")
	assert.Equal(t, "arn:aws:securityhub:us-west-2::standards/aws-foundational-security-best-practices/v/1.0.0", props(standard)["StandardsArn"])
	assert.Contains(t, standard["DependsOn"], hubID)
	for _, r := range []map[string]any{hub, standard} {
		assert.Equal(t, []any{spec.KeptDeletionPolicy, spec.KeptUpdateReplacePolicy}, []any{r["DeletionPolicy"], r["UpdateReplacePolicy"]},
			"deleting the stack never switches Security Hub or a standard off for the account; a failed first deploy does, so that its retry can enable them")
	}

	filterID, filter := oneOf(t, s.patchJSON, "AWS::InspectorV2::Filter", "Security")
	assert.Equal(t, map[string]any{"Name": "privatepatch-dev-low", "FilterAction": "SUPPRESS",
		"Description": "Development instances are rebuilt weekly; low findings are fixed by the rebuild",
		"FilterCriteria": map[string]any{
			"ResourceTags": []any{map[string]any{"Comparison": "EQUALS", "Key": "Environment", "Value": "Dev"}},
			"Severity":     []any{map[string]any{"Comparison": "EQUALS", "Value": "LOW"}, map[string]any{"Comparison": "EQUALS", "Value": "INFORMATIONAL"}},
		}}, without(props(filter), "Tags"))

	scopes := map[string]any{}
	for _, r := range s.patchResources("AWS::Config::ConfigRule") {
		scopes[props(r)["Source"].(map[string]any)["SourceIdentifier"].(string)] = props(r)["Scope"]
		assert.True(t, strings.HasPrefix(props(r)["ConfigRuleName"].(string), "privatepatch-"))
	}
	assert.Equal(t, map[string]any{
		// Compliance items are not the instance and carry no fleet tag: a tag scope evaluates nothing.
		"EC2_MANAGEDINSTANCE_PATCH_COMPLIANCE_STATUS_CHECK":       map[string]any{"ComplianceResourceTypes": []any{"AWS::SSM::PatchCompliance"}},
		"EC2_MANAGEDINSTANCE_ASSOCIATION_COMPLIANCE_STATUS_CHECK": map[string]any{"ComplianceResourceTypes": []any{"AWS::SSM::AssociationCompliance"}},
		// Its AWS::SSM::ManagedInstanceInventory item carries no instance tags either.
		"EC2_INSTANCE_MANAGED_BY_SSM": map[string]any{"ComplianceResourceTypes": []any{"AWS::EC2::Instance", "AWS::SSM::ManagedInstanceInventory"}},
	}, scopes, "each rule scoped so that what it evaluates can trigger it")
	for _, r := range s.patchResources("AWS::Config::ConfigRule") {
		assert.Empty(t, configRuleScopeProblem(props(r)), props(r)["ConfigRuleName"])
	}

	_, hybrid := oneOf(t, s.patchJSON, "AWS::IAM::Role", "SecurityHybridRole")
	trust := props(hybrid)["AssumeRolePolicyDocument"].(map[string]any)["Statement"].([]any)[0].(map[string]any)
	assert.Equal(t, map[string]any{"Service": "ssm.amazonaws.com"}, trust["Principal"])
	assert.Contains(t, fmt.Sprint(trust["Condition"]), "aws:SourceAccount")
	outputs := s.patchJSON["Outputs"].(map[string]any)
	for _, name := range []string{"HybridActivationCommand", "HybridRegisterWindows", "HybridRegisterLinux", "HybridRegisterLinuxSnap", "HybridJoinFleet"} {
		assert.Contains(t, outputs, name)
	}
	// A snap's agent is its own unit and path ("Install SSM Agent for a hybrid environment (Linux)").
	assert.Contains(t, fmt.Sprint(outputs["HybridRegisterLinuxSnap"]), "sudo /snap/amazon-ssm-agent/current/amazon-ssm-agent -register")
	assert.Contains(t, fmt.Sprint(outputs["HybridRegisterLinuxSnap"]), "sudo systemctl start snap.amazon-ssm-agent.amazon-ssm-agent.service")
	assert.Contains(t, fmt.Sprint(outputs["HybridJoinFleet"]), "Key=privatepatch:fleet,Value=privatepatch", "hybrid nodes join by tags")

	enablerID, enabler := oneOf(t, s.patchJSON, compliancespec.InspectorEnablerResourceType, "SecurityInspectorEnabler")
	assert.Equal(t, strconv.Itoa(compliancespec.InspectorEnablerServiceTimeoutSeconds), props(enabler)["ServiceTimeout"], "a function that never answers fails the deploy in 15 minutes, not an hour")
	assert.Equal(t, "111111111111", resolve(props(enabler)[compliancespec.InspectorEnablerAccountProperty], "111111111111", "us-west-2"))
	_, function := oneOf(t, s.patchJSON, "AWS::Lambda::Function", "SecurityInspectorEnablerFunction")
	assert.Equal(t, compliancespec.InspectorEnablerScript, props(function)["Code"].(map[string]any)["ZipFile"], "the tested script, unaltered")
	assert.Equal(t, float64(compliancespec.InspectorEnablerTimeoutSeconds), props(function)["Timeout"])
	assert.Less(t, compliancespec.InspectorEnablerTimeoutSeconds, compliancespec.InspectorEnablerServiceTimeoutSeconds, "the function answers before CloudFormation stops waiting")
	assert.Contains(t, filter["DependsOn"], enablerID, "%s: a suppression rule is created once Inspector is on", filterID)
	var slr map[string]any
	for _, p := range s.patchResources("AWS::IAM::Policy") {
		for _, st := range props(p)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			if st.(map[string]any)["Action"] == "iam:CreateServiceLinkedRole" {
				slr = st.(map[string]any)
			}
		}
	}
	require.NotNil(t, slr, "the enabler may create Inspector's service-linked roles")
	// Inspector creates two service-linked roles when it is enabled ("Getting started with Amazon
	// Inspector"; AmazonInspector2FullAccess's AllowAccessToCreateSlr, read 2026-11-27).
	assert.Equal(t, map[string]any{"StringEquals": map[string]any{"iam:AWSServiceName": []any{"inspector2.amazonaws.com", "agentless.inspector2.amazonaws.com"}}},
		slr["Condition"])
	var roles []string
	for _, r := range resolve(slr["Resource"], "111111111111", "us-west-2").([]any) {
		roles = append(roles, r.(string))
	}
	assert.ElementsMatch(t, []string{"arn:aws:iam::111111111111:role/aws-service-role/inspector2.amazonaws.com/*",
		"arn:aws:iam::111111111111:role/aws-service-role/agentless.inspector2.amazonaws.com/*"}, roles)

	_, topicPolicy := oneOf(t, s.patchJSON, "AWS::SNS::TopicPolicy", "Alerts")
	sources := fmt.Sprint(statementBySid(t, props(topicPolicy)["PolicyDocument"], "EventBridgeRulesPublish")["Condition"])
	for id, r := range s.patchResources("AWS::Events::Rule") {
		require.NotNil(t, props(r)["Targets"], "%s has a target (the windows' failure rules too)", id)
		assert.NotContains(t, props(r)["Targets"].([]any)[0], "RoleArn", "%s publishes without a role", id)
		if strings.HasPrefix(id, "SecuritySecurityHubFindingsRule") || strings.HasPrefix(id, "SecurityInspectorFindingsRule") {
			// Through the finding filter, which publishes as its role (test/findingfilter_test.go).
			assert.Contains(t, fmt.Sprint(props(r)["Targets"]), "FindingFilterFunction", id)
			assert.NotContains(t, sources, id, "%s is not admitted by the topic policy: it does not publish", id)
			continue
		}
		assert.Contains(t, sources, id, "%s is admitted by the topic policy", id)
	}

	existing := existingSecurityHub.synth(t)
	assert.Empty(t, existing.patchResources("AWS::SecurityHub::Hub"), "the account's hub is used, not created (EnableSecurityHub: ResourceConflictException)")
	_, existingStandard := oneOf(t, existing.patchJSON, "AWS::SecurityHub::Standard", "Security")
	assert.Equal(t, spec.KeptDeletionPolicy, existingStandard["DeletionPolicy"])
	assert.NotContains(t, existingStandard, "DependsOn")

	d := defaultScenario.synth(t)
	for _, resourceType := range []string{"AWS::SecurityHub::Hub", "AWS::InspectorV2::Filter", "AWS::Config::ConfigRule", compliancespec.InspectorEnablerResourceType} {
		assert.Empty(t, d.patchResources(resourceType), "%s is off by default", resourceType)
	}
	assert.NotContains(t, d.patchJSON["Outputs"], "HybridActivationCommand")
}

// The configuration's tags go to every resource but a type whose own rules refuse one
// (tagspec.TypesRefusing): Security Hub's hub takes no key with a space, an Inspector suppression
// rule no one-character key (nor, to remove it later, one Security Hub's pattern refuses), a
// DynamoDB table no @. Tagged anyway, each would fail the patching stack's creation or update.
func TestATagATypeRefusesIsLeftOffThatTypeOnly(t *testing.T) {
	s := stricterTags.synth(t)
	tagsOf := func(r map[string]any) map[string]any {
		tags, _ := props(r)["Tags"].(map[string]any)
		return tags
	}
	_, hub := oneOf(t, s.patchJSON, "AWS::SecurityHub::Hub", "Security")
	assert.Equal(t, map[string]any{"Project": "privatepatch", "x": "1", "Contact": "ops@example.com"}, tagsOf(hub))
	_, filter := oneOf(t, s.patchJSON, "AWS::InspectorV2::Filter", "Security")
	assert.Equal(t, map[string]any{"Project": "privatepatch", "Contact": "ops@example.com"}, tagsOf(filter))
	for id, table := range resourcesOf(s.patchJSON, "AWS::DynamoDB::Table") {
		tags := fmt.Sprint(props(table)["Tags"])
		assert.NotContains(t, tags, "Contact", id)
		assert.Contains(t, tags, "Cost Center", id)
	}
	require.NotEmpty(t, resourcesOf(s.patchJSON, "AWS::DynamoDB::Table"), "the scenario has a table to judge")
	_, topic := oneOf(t, s.patchJSON, "AWS::SNS::Topic", "")
	assert.Contains(t, fmt.Sprint(props(topic)["Tags"]), "Cost Center", "other resources keep every tag")
	assert.Contains(t, fmt.Sprint(props(topic)["Tags"]), "Key:x ")
}

func TestWsusHealthIsPublishedAndAlarmsWhenTheStoreFillsOrSynchronisationStops(t *testing.T) {
	s := defaultScenario.synth(t)
	healthDocument, _ := s.only(t, "AWS::SSM::Document", "WsusHealthDocument")
	_, health := s.only(t, "AWS::SSM::Association", "WsusHealthAssociation")
	assert.Equal(t, map[string]any{"Ref": healthDocument}, props(health)["Name"])
	assert.Equal(t, "rate(30 minutes)", props(health)["ScheduleExpression"])
	_, policy := s.only(t, "AWS::IAM::Policy", "WsusRoleDefaultPolicy")
	var publish map[string]any
	for _, st := range props(policy)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
		if st.(map[string]any)["Action"] == "cloudwatch:PutMetricData" {
			publish = st.(map[string]any)
		}
	}
	require.NotNil(t, publish)
	assert.Equal(t, map[string]any{"StringEquals": map[string]any{"cloudwatch:namespace": "privatepatch/WSUS/privatepatch"}}, publish["Condition"],
		"its own namespace only, one per deployment")
	assert.Equal(t, map[string]any{"Namespace": []any{"privatepatch/WSUS/privatepatch"}}, props(health)["Parameters"], "where the script publishes")

	topic, _ := oneOf(t, s.patchJSON, "AWS::SNS::Topic", "")
	alarms := map[string]map[string]any{}
	for id, a := range s.patchResources("AWS::CloudWatch::Alarm") {
		if strings.HasPrefix(id, "MonitoringWsus") {
			alarms[id] = props(a)
		}
	}
	require.Len(t, alarms, 3, "disk and the two sync alarms (the cleanup alarm: wsuscleanup_test.go)")
	for id, a := range alarms {
		assert.Equal(t, "breaching", a["TreatMissingData"], "%s: a server that stops reporting alarms", id)
		assert.Contains(t, fmt.Sprint(a), `FROM SCHEMA("privatepatch/WSUS/privatepatch", InstanceId)`, "%s: the deployment's own namespace, no instance", id)
		assert.NotContains(t, fmt.Sprint(a), "Fn::GetStackOutput", "%s names no instance of another stack: a replaced WSUS server would leave it watching the old one", id)
	}
	_, disk := oneOf(t, s.patchJSON, "AWS::CloudWatch::Alarm", "MonitoringWsusDiskAlarm")
	assert.Contains(t, fmt.Sprint(props(disk)["Metrics"]), `SELECT MIN(UpdateStoreFreePercent) FROM SCHEMA("privatepatch/WSUS/privatepatch", InstanceId)`,
		"the namespace the server publishes in, and no instance")
	assert.Equal(t, []any{map[string]any{"Ref": topic}}, props(disk)["AlarmActions"])
	assert.Equal(t, []any{float64(15), "LessThanThreshold"}, []any{props(disk)["Threshold"], props(disk)["ComparisonOperator"]})
	_, failed := oneOf(t, s.patchJSON, "AWS::CloudWatch::Alarm", "MonitoringWsusSyncFailedAlarm")
	assert.Contains(t, fmt.Sprint(props(failed)["Metrics"]), "SELECT MIN(LastSyncSucceeded)")
	assert.Equal(t, []any{float64(1), "LessThanThreshold", float64(4)}, []any{props(failed)["Threshold"], props(failed)["ComparisonOperator"], props(failed)["EvaluationPeriods"]})
	_, stale := oneOf(t, s.patchJSON, "AWS::CloudWatch::Alarm", "MonitoringWsusSyncStaleAlarm")
	assert.Contains(t, fmt.Sprint(props(stale)["Metrics"]), "SELECT MAX(HoursSinceLastSync)")
	assert.Equal(t, []any{float64(26), "GreaterThanThreshold", float64(4)}, []any{props(stale)["Threshold"], props(stale)["ComparisonOperator"], props(stale)["EvaluationPeriods"]},
		"failed, or nothing for over a day")
	for _, a := range []map[string]any{failed, stale} {
		assert.Equal(t, []any{map[string]any{"Ref": topic}}, props(a)["AlarmActions"], "each notifies (Control Tower CT.CLOUDWATCH.PR.1: every alarm has an action)")
	}

	_, dashboard := oneOf(t, s.patchJSON, "AWS::CloudWatch::Dashboard", "Monitoring")
	assert.Equal(t, "privatepatch-fleet-us-west-2", props(dashboard)["DashboardName"], "dashboards are global: the region keeps environments apart")
	body := fmt.Sprint(props(dashboard)["DashboardBody"])
	assert.Empty(t, wiring.UndocumentedMetrics(body), "the dashboard graphs only metrics AWS publishes")
	assert.GreaterOrEqual(t, len(wiring.DashboardMetric.FindAllString(body, -1)), 4, "the check sees the dashboard's AWS metrics")
	assert.NotContains(t, body, "Fn::GetStackOutput", "the dashboard names no instance of another stack either")
	for _, want := range []string{"AWS/SSM-RunCommand", "CommandsFailed", "TriggeredRules", "UpdateStoreFreePercent", "LastSyncSucceeded", "alarms"} {
		assert.Contains(t, body, want)
	}

	for _, name := range []string{wsus.HealthNamespace, wsus.MetricUpdateStoreFree, wsus.MetricLastSyncSucceeded, wsus.MetricHoursSinceLastSync} {
		assert.Contains(t, wsus.HealthScript, "'"+name+"'", "the script publishes what the alarms watch")
	}
	assert.Contains(t, wsus.HealthScript, "X-aws-ec2-metadata-token", "IMDSv2")

	nat := natWithoutWsus.synth(t)
	assert.NotContains(t, fmt.Sprint(keysOf(nat.patchResources("AWS::CloudWatch::Alarm"))), "Wsus", "no WSUS, no WSUS alarms")
	assert.Len(t, nat.patchResources("AWS::CloudWatch::Dashboard"), 1, "the dashboard is there all the same")
}

// The alerts topic is encrypted with a customer managed key and its policy replaces SNS's
// default one, so CloudWatch may publish an alarm only where both policies allow it ("Enable
// compatibility between event sources from AWS services and encrypted topics", Managing Amazon
// SNS encryption keys and costs, read 2026-11-27).
func TestWsusAlarmsMayPublishToTheEncryptedAlertsTopicAndNoOtherAlarmMay(t *testing.T) {
	s := defaultScenario.synth(t)
	const account, other = "111111111111", "222222222222"
	_, topicPolicy := oneOf(t, s.patchJSON, "AWS::SNS::TopicPolicy", "Alerts")
	_, key := oneOf(t, s.patchJSON, "AWS::KMS::Key", "AlertsKey")
	policies := map[string]map[string]any{
		"topic": resolve(props(topicPolicy)["PolicyDocument"], account, "us-west-2").(map[string]any),
		"key":   resolve(props(key)["KeyPolicy"], account, "us-west-2").(map[string]any),
	}
	actions := map[string][]string{"topic": {"sns:Publish"}, "key": {"kms:GenerateDataKey", "kms:Decrypt"}}
	alarm := func(acct, name string) map[string]string {
		return map[string]string{"aws:SourceAccount": acct, "aws:SourceArn": "arn:aws:cloudwatch:us-west-2:" + acct + ":alarm:" + name,
			"aws:SecureTransport": "true", "aws:PrincipalIsAWSService": "true"}
	}
	alarms := s.patchResources("AWS::CloudWatch::Alarm")
	require.Len(t, alarms, 8, "the disk alarm, the two sync alarms, the cleanup alarm, the undelivered-alerts alarm, the two windows' failure alarms, "+
		"the finding filter's errors alarm")
	publishing := 0
	for id, a := range alarms {
		name, ok := props(a)["AlarmName"].(string)
		require.True(t, ok, "%s: a known name, which the policies can name", id)
		_, publishes := props(a)["AlarmActions"]
		if publishes {
			publishing++
		}
		for policy, doc := range policies {
			for _, action := range actions[policy] {
				// Only the alarms with actions publish, and only they are admitted.
				assert.Equal(t, publishes, allows(doc, serviceRequest{"cloudwatch.amazonaws.com", action, alarm(account, name)}), "%s: %s %s", id, policy, action)
				assert.False(t, allows(doc, serviceRequest{"cloudwatch.amazonaws.com", action, alarm(other, name)}), "%s: %s %s from another account", id, policy, action)
			}
		}
	}
	for policy, doc := range policies {
		for _, action := range actions[policy] {
			assert.False(t, allows(doc, serviceRequest{"cloudwatch.amazonaws.com", action, alarm(account, "someone-elses-alarm")}), "%s %s: only privatepatch's alarms", policy, action)
		}
	}
	assert.Equal(t, 8, publishing)
}

// configRuleScopeProblem says why a managed rule's scope would let nothing it evaluates trigger
// it: a tag scope on resources without the instance's tags, or resource types it does not
// evaluate (Scope: resource types, or a tag key and value; "ConfigRule", AWS Config API Reference).
func configRuleScopeProblem(rule map[string]any) string {
	identifier := rule["Source"].(map[string]any)["SourceIdentifier"].(string)
	i := slices.IndexFunc(compliance.ConfigRules, func(r compliance.ConfigRule) bool { return r.Identifier == identifier })
	if i < 0 {
		return "not a rule privatepatch knows: " + identifier
	}
	evaluates := compliance.ConfigRules[i]
	scope, _ := rule["Scope"].(map[string]any)
	if _, tagged := scope["TagKey"]; tagged && !evaluates.CarriesInstanceTags {
		return "a tag scope, and " + strings.Join(evaluates.ResourceTypes, ", ") + " carry no instance tags"
	}
	for _, t := range toListAny(scope["ComplianceResourceTypes"]) {
		if !slices.Contains(evaluates.ResourceTypes, t) {
			return "scoped to " + t + ", which it does not evaluate"
		}
	}
	return ""
}

func toListAny(v any) []string {
	var out []string
	if list, ok := v.([]any); ok {
		for _, x := range list {
			out = append(out, fmt.Sprint(x))
		}
	}
	return out
}

func TestConfigRuleScopeProblemsAreFound(t *testing.T) {
	rule := func(identifier string, scope map[string]any) map[string]any {
		return map[string]any{"Source": map[string]any{"SourceIdentifier": identifier}, "Scope": scope}
	}
	assert.Contains(t, configRuleScopeProblem(rule("EC2_MANAGEDINSTANCE_PATCH_COMPLIANCE_STATUS_CHECK", map[string]any{"TagKey": "k", "TagValue": "v"})),
		"carry no instance tags", "the scope the rule had")
	assert.Contains(t, configRuleScopeProblem(rule("EC2_MANAGEDINSTANCE_PATCH_COMPLIANCE_STATUS_CHECK", map[string]any{"ComplianceResourceTypes": []any{"AWS::EC2::Instance"}})),
		"does not evaluate")
	assert.Contains(t, configRuleScopeProblem(rule("EC2_INSTANCE_MANAGED_BY_SSM", map[string]any{"TagKey": "k", "TagValue": "v"})),
		"carry no instance tags", "the scope the managed-by-SSM rule had: its inventory item never matched")
	assert.Empty(t, configRuleScopeProblem(rule("EC2_INSTANCE_MANAGED_BY_SSM",
		map[string]any{"ComplianceResourceTypes": []any{"AWS::EC2::Instance", "AWS::SSM::ManagedInstanceInventory"}})))
}

// sendCommandResources returns the resources the RunPatchBaseline statement of window's role
// allows ssm:SendCommand on, flattened.
func (s *scenario) sendCommandResources(t *testing.T, window string) []string {
	t.Helper()
	task := s.windowTasks(t, window)[window+"-Task1"]
	require.NotNil(t, task, "%s has a first task", window)
	roleID := task["ServiceRoleArn"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
	for _, st := range policyStatements(s.patchJSON, roleID) {
		if st["Sid"] == "RunPatchBaseline" {
			return templateStrings(st["Resource"])
		}
	}
	require.Fail(t, "no RunPatchBaseline statement", "window %s", window)
	return nil
}

func TestWindowsMaySendCommandsToHybridNodesOnlyWhereTheyCanTargetThem(t *testing.T) {
	reachesHybrid := func(resources []string) bool {
		return slices.ContainsFunc(resources, func(r string) bool { return strings.HasSuffix(r, ":managed-instance/*") })
	}
	e := exampleScenario.synth(t)
	resources := e.sendCommandResources(t, "weekly-prod")
	assert.Contains(t, resources, "arn:aws:ssm:us-west-2:<map[Ref.AWS..AccountId]>:managed-instance/*",
		"hybrid nodes join the patch groups by tag: the window may run AWS-RunPatchBaseline on them")
	assert.Contains(t, resources, "arn:aws:ec2:us-west-2:<map[Ref.AWS..AccountId]>:instance/*")

	r := richPatching.synth(t)
	assert.True(t, reachesHybrid(r.sendCommandResources(t, "metadata-tagged")), "a patch-group window with hybrid nodes on")
	assert.False(t, reachesHybrid(r.sendCommandResources(t, "after-patch-tuesday")), "resource groups here hold EC2 instances only")
	assert.False(t, reachesHybrid(r.sendCommandResources(t, "pinned-instances")), "an i- instance id is no hybrid node")
	d := defaultScenario.synth(t)
	assert.False(t, reachesHybrid(d.sendCommandResources(t, "privatepatch-weekly")), "no hybrid nodes without security.hybrid")
}

// outputPrefixes returns the command-output prefixes (patch/, cce/, ...) role may put objects
// under, from the statements of its policies in template.
func outputPrefixes(template map[string]any, roleID string) []string {
	var prefixes []string
	for _, st := range policyStatements(template, roleID) {
		if !slices.Contains(toList(st["Action"]), "s3:PutObject") {
			continue
		}
		for _, r := range templateStrings(st["Resource"]) {
			if m := regexp.MustCompile(`/([a-z-]+/)\*$`).FindStringSubmatch(r); m != nil {
				prefixes = append(prefixes, m[1])
			}
		}
	}
	sort.Strings(prefixes)
	return prefixes
}

// Hybrid nodes carry the fleet tag and a patch group, so patching runs there; the WSUS client
// configuration and configuration checks on a resource group target EC2 instances only, so their
// prefixes are not the hybrid role's (the authorisation proof fails on a grant no node needs).
func TestHybridNodesWriteCommandOutputWhereTheCommandsTargetingThemDo(t *testing.T) {
	for _, c := range []struct {
		sc            *scenario
		fleet, hybrid []string
	}{
		{exampleScenario, []string{"cce/", "patch/", "wsus-client/"}, []string{"patch/"}},      // checks on a resource group
		{richPatching, []string{"cce/", "patch/", "wsus-client/"}, []string{"cce/", "patch/"}}, // checks on the fleet tag
	} {
		sc := c.sc
		s := sc.synth(t)
		fleetRole, _ := oneOf(t, s.fleetJSON, "AWS::IAM::Role", "FleetRole")
		hybridRole, _ := oneOf(t, s.patchJSON, "AWS::IAM::Role", "SecurityHybridRole")
		assert.Equal(t, c.fleet, outputPrefixes(s.fleetJSON, fleetRole), sc.name)
		assert.Equal(t, c.hybrid, outputPrefixes(s.patchJSON, hybridRole), sc.name)
		var actions []string
		for _, st := range policyStatements(s.patchJSON, hybridRole) {
			actions = append(actions, toList(st["Action"])...)
		}
		assert.Contains(t, actions, "s3:GetEncryptionConfiguration", "%s: SSM Agent reads the bucket's encryption first", sc.name)
		var reads []string
		for _, st := range policyStatements(s.patchJSON, hybridRole) {
			if strings.Contains(fmt.Sprint(st["Action"]), "s3:GetObject") && strings.Contains(fmt.Sprint(st["Resource"]), "CommandOutputBucket") {
				reads = append(reads, fmt.Sprint(st["Resource"]))
			}
		}
		require.Len(t, reads, 1, "%s: hybrid nodes read make patch-now's install override lists, nothing else of the bucket", sc.name)
		assert.Contains(t, reads[0], "/"+patchingspec.InstallOverrideListPrefix+"*]")
		if sc == richPatching {
			assert.Contains(t, actions, "kms:GenerateDataKey", "the KMS-encrypted bucket's key encrypts their output")
			assert.Contains(t, actions, "kms:Decrypt", "and decrypts the install override lists they read")
			_, writers := oneOf(t, s.patchJSON, "AWS::IAM::Policy", "RunCommandLogsWriters")
			assert.Contains(t, fmt.Sprint(props(writers)["Roles"]), hybridRole, "tasks with CloudWatch output run on hybrid nodes too")
		}
	}
	d := defaultScenario.synth(t)
	assert.Empty(t, resourcesOfPrefix(d.patchJSON, "AWS::IAM::Role", "SecurityHybridRole"), "no hybrid role by default")
}

func resourcesOfPrefix(template map[string]any, resourceType, prefix string) []string {
	var ids []string
	for id := range resourcesOf(template, resourceType) {
		if strings.HasPrefix(id, prefix) {
			ids = append(ids, id)
		}
	}
	return ids
}

// tagTargetsNotJoined returns the tag keys that associations and window targets in templates
// select on and joined does not hold, and how many tag targets there are in all.
func tagTargetsNotJoined(joined map[string]bool, templates ...map[string]any) (missing []string, targets int) {
	for _, template := range templates {
		for _, resourceType := range []string{"AWS::SSM::Association", "AWS::SSM::MaintenanceWindowTarget"} {
			for id, r := range resourcesOf(template, resourceType) {
				for _, target := range props(r)["Targets"].([]any) {
					key := target.(map[string]any)["Key"].(string)
					if strings.HasPrefix(key, "tag:") {
						targets++
						if !joined[key] {
							missing = append(missing, id+" "+key)
						}
					}
				}
			}
		}
	}
	return missing, targets
}

func TestHybridNodesJoinWithTheTagsTheWindowsAndAssociationsTarget(t *testing.T) {
	s := exampleScenario.synth(t)
	join := s.patchJSON["Outputs"].(map[string]any)["HybridJoinFleet"].(map[string]any)["Value"].(string)
	joined := map[string]bool{}
	for _, m := range regexp.MustCompile(`'Key=([^,]+),Value=`).FindAllStringSubmatch(join, -1) {
		joined["tag:"+m[1]] = true
	}
	// Both patch group keys, as the fleet's instances carry: a window reads only the key its
	// targets.patchGroupTagKey names (with "Patch Group" alone, a PatchGroup window missed the node).
	require.Equal(t, map[string]bool{"tag:privatepatch:fleet": true, "tag:" + config.PatchGroupTagKeys[0]: true, "tag:" + config.PatchGroupTagKeys[1]: true}, joined)
	// A shell reads the tags as three words, whatever they hold: each is single-quoted.
	_, tags, _ := strings.Cut(join, "--tags ")
	words, err := exec.Command("sh", "-c", "printf '%s\\n' "+tags).Output()
	require.NoError(t, err)
	assert.Equal(t, "Key=privatepatch:fleet,Value=privatepatch\nKey=Patch Group,Value=PATCH-GROUP\nKey=PatchGroup,Value=PATCH-GROUP\n", string(words))
	missing, targets := tagTargetsNotJoined(joined, s.fleetJSON, s.patchJSON)
	assert.Empty(t, missing, "targets on tags the join command does not set: hybrid nodes would be left out")
	assert.Positive(t, targets)
	// Planted: a window on a tag the join command does not set (before, PatchGroup was one).
	planted := map[string]any{"Resources": map[string]any{"EnvTagged": map[string]any{"Type": "AWS::SSM::MaintenanceWindowTarget",
		"Properties": map[string]any{"Targets": []any{map[string]any{"Key": "tag:Environment", "Values": []any{"prod"}}}}}}}
	missing, _ = tagTargetsNotJoined(joined, planted)
	assert.Equal(t, []string{"EnvTagged tag:Environment"}, missing)
}

func TestUndocumentedDashboardMetricsAreFound(t *testing.T) {
	assert.Equal(t, []string{"AWS/SSM-RunCommand CommandsTimedOut"},
		wiring.UndocumentedMetrics(`"metrics":[["AWS/SSM-RunCommand","CommandsFailed",{}],["AWS/SSM-RunCommand","CommandsTimedOut",{}]]`), "the line the dashboard had")
}

// configRulesOsaka deploys the AWS Config rules to Asia Pacific (Osaka), where neither compliance
// rule is offered (compliancespec.ConfigRules).
var configRulesOsaka = &scenario{name: "config-rules-osaka", withoutNag: true, config: fromYAML(`
region: ap-northeast-3
network:
  availabilityZones: [ap-northeast-3a, ap-northeast-3b]
  s3PrefixListIds: {ap-northeast-3: pl-0123456789abcdef0}
  s3PrefixListCidrs: {ap-northeast-3: [52.95.0.0/20]}
security: {configRules: true}
`)}

// A managed rule a region does not offer fails the deploy there: it is left out, by name, in a
// synthesis warning; the others stay.
func TestConfigRulesARegionDoesNotOfferAreLeftOutWithAWarningNamingThem(t *testing.T) {
	s := configRulesOsaka.synth(t)
	var identifiers []string
	for _, r := range s.patchResources("AWS::Config::ConfigRule") {
		identifiers = append(identifiers, props(r)["Source"].(map[string]any)["SourceIdentifier"].(string))
	}
	assert.Equal(t, []string{"EC2_INSTANCE_MANAGED_BY_SSM"}, identifiers)
	warnings := assertions.Annotations_FromStack(s.app.Patching.Stack).FindWarning(jsii.String("*"),
		assertions.Match_StringLikeRegexp(jsii.String("EC2_MANAGEDINSTANCE_(PATCH|ASSOCIATION)_COMPLIANCE_STATUS_CHECK is not offered in ap-northeast-3")))
	assert.Len(t, *warnings, 2)
}
