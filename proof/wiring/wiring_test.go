package wiring

import (
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/network/networkspec"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
	"github.com/privatepatch/privatepatch/proof/cdkbundle"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

func read(t *testing.T, path string) map[string]any {
	t.Helper()
	template, err := cfntemplate.ReadFile(path)
	require.NoError(t, err)
	return template
}

func props(template map[string]any, id string) map[string]any {
	return template["Resources"].(map[string]any)[id].(map[string]any)["Properties"].(map[string]any)
}

func joined(problems []string) string { return strings.Join(problems, "\n") }

// serviceProblems are Services' problems, without its notes.
func serviceProblems(templates ...map[string]any) []string {
	problems, _ := Services(templates...)
	return problems
}

// goldenScenarios are the scenarios whose goldens the tests judge whole.
// goldenAlarmPrefix begins the goldens' alarm names: their patching stack's name and "-".
const goldenAlarmPrefix = "privatepatch-patching-"

var goldenScenarios = []string{"default", "example", "rich-patching", "wsus-https", "existing-vpc-hub", "nat-without-wsus"}

// goldenStacks reads a scenario's golden templates of stacks, those the scenario has.
func goldenStacks(t *testing.T, scenario string, stacks ...string) []map[string]any {
	var templates []map[string]any
	for _, stack := range stacks {
		path := "../../test/testdata/" + scenario + "." + stack + ".template.json"
		if _, err := os.Stat(path); err == nil {
			templates = append(templates, read(t, path))
		}
	}
	return templates
}

// Every golden (test/testdata, written by make update-golden) is wired as the checks require.
func TestEveryGoldenIsWired(t *testing.T) {
	for _, kind := range []struct {
		glob  string
		check func(map[string]any) []string
	}{{"*.patching.template.json", func(tm map[string]any) []string { problems, _ := Patching(tm, nil); return problems }},
		{"*.patching.template.json", SpecProblems}, {"*.fleet.template.json", Fleet}} {
		paths, err := filepath.Glob("../../test/testdata/" + kind.glob)
		require.NoError(t, err)
		require.NotEmpty(t, paths)
		for _, path := range paths {
			assert.Empty(t, kind.check(read(t, path)), path)
		}
	}
}

// Each planting (the ones a mutation run found make verify letting through) is named: a patch
// group without a baseline of the stacks' as a note, the rest as problems.
func TestPatchingWiringNamesEachPlanting(t *testing.T) {
	for _, c := range []struct {
		name, wants string
		plant       func(tm map[string]any)
	}{
		{"a task on another window's target", "task MaintenanceWindowsprivatepatchweeklyTask15A70B942: its target MaintenanceWindowsprivatepatchwsusTarget5FDE670C is registered with window MaintenanceWindowsprivatepatchwsusWindowAA8482A2", func(tm map[string]any) {
			props(tm, "MaintenanceWindowsprivatepatchweeklyTask15A70B942")["Targets"] = []any{map[string]any{"Key": "WindowTargetIds", "Values": []any{map[string]any{"Ref": "MaintenanceWindowsprivatepatchwsusTarget5FDE670C"}}}}
		}},
		{"a task on a target the template lacks", "its target mwt-0123456789abcdef0 is no window target", func(tm map[string]any) {
			props(tm, "MaintenanceWindowsprivatepatchweeklyTask15A70B942")["Targets"] = []any{map[string]any{"Key": "WindowTargetIds", "Values": []any{"mwt-0123456789abcdef0"}}}
		}},
		{"a window targeting a group no baseline registers", `window target MaintenanceWindowsprivatepatchweeklyTarget6FF7FFF6 targets patch group "Windows"`, func(tm map[string]any) {
			props(tm, "MaintenanceWindowsprivatepatchweeklyTarget6FF7FFF6")["Targets"] = []any{map[string]any{"Key": "tag:Patch Group", "Values": []any{"Windows"}}}
		}},
		{"a baseline registering another group", `targets patch group "windows", for which no baseline of these stacks is registered`, func(tm map[string]any) {
			props(tm, "Baselinesprivatepatchwindows49F4305F")["PatchGroups"] = []any{"Windows"}
		}},
		{"an alert rule without its target", "rule MaintenanceWindowsprivatepatchweeklyFailureRule3B4275B3: no target is topic AlertsTopicCF7C81C9", func(tm map[string]any) {
			delete(props(tm, "MaintenanceWindowsprivatepatchweeklyFailureRule3B4275B3"), "Targets")
		}},
		{"an alert rule targeting the topic's name", "rule AlertsComplianceRuleA87A8F82: no target is topic AlertsTopicCF7C81C9", func(tm map[string]any) {
			props(tm, "AlertsComplianceRuleA87A8F82")["Targets"] = []any{map[string]any{"Id": "Target0", "Arn": map[string]any{"Fn::GetAtt": []any{"AlertsTopicCF7C81C9", "TopicName"}}}}
		}},
		{"an admitted rule the template lacks", "admits rule AlertsAssociationRuleE799A159, which the template does not have", func(tm map[string]any) {
			delete(tm["Resources"].(map[string]any), "AlertsAssociationRuleE799A159")
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			template := read(t, "../../test/testdata/default.patching.template.json")
			c.plant(template)
			problems, notes := Patching(template, nil)
			assert.Contains(t, joined(append(problems, notes...)), c.wants)
		})
	}
}

// A patch group the configuration serves and the template's baselines do not register is a
// problem; another unserved group is a note.
func TestAnUnservedPatchGroupIsAProblemWhereTheConfigurationServesIt(t *testing.T) {
	template := read(t, "../../test/testdata/default.patching.template.json")
	delete(props(template, "Baselinesprivatepatchwindows49F4305F"), "PatchGroups")
	problems, notes := Patching(template, []string{"windows", "wsus"})
	assert.Contains(t, joined(problems), `targets patch group "windows", for which no baseline of these stacks is registered: its nodes are patched with the default baseline, though the configuration serves it`)
	assert.Empty(t, notes)
	problems, notes = Patching(template, nil)
	assert.Empty(t, problems)
	assert.Contains(t, joined(notes), "unless one registered outside them serves it")
}

func TestFleetWiringNamesEachPlanting(t *testing.T) {
	url := func(scheme string, host any, port string) []any {
		return []any{map[string]any{"Fn::Join": []any{"", []any{scheme + "://", host, ":" + port}}}}
	}
	ip := map[string]any{"Fn::GetAtt": []any{"WsusInstance902E8651", "PrivateIp"}}
	for _, c := range []struct {
		name, golden, wants string
		plant               func(client, setup map[string]any)
	}{
		{"the clients on the HTTPS port of an HTTP server", "default", "WsusUrl's port 8531 is not the server's (WsusSetupAssociationCF0D774E: Port 8530)", func(client, _ map[string]any) {
			client["WsusUrl"] = url("http", ip, "8531")
		}},
		{"https on the HTTP port", "default", "WsusUrl's scheme https, where the server's port 8530 takes http", func(client, _ map[string]any) {
			client["WsusUrl"] = url("https", ip, "8530")
		}},
		{"another host", "default", "is not the WSUS server's", func(client, _ map[string]any) {
			client["WsusUrl"] = url("http", "10.0.0.10", "8530")
		}},
		{"https to the address, not the certificate's name", "wsus-https", "is not the name the certificate is set up for", func(client, _ map[string]any) {
			client["WsusUrl"] = url("https", ip, "8531")
		}},
		{"a target group the server lacks", "wsus-https", "TargetGroup Workstations is not one of the server's TargetGroups", func(client, _ map[string]any) {
			client["TargetGroup"] = []any{"Workstations"}
		}},
		// Mutation run 9's E05: the server's public address, which the private subnets do not reach.
		{"the server's public address", "default", "WsusUrl's host is the WSUS server's PublicIp, not its private address", func(client, _ map[string]any) {
			client["WsusUrl"] = url("http", map[string]any{"Fn::GetAtt": []any{"WsusInstance902E8651", "PublicIp"}}, "8530")
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			template := read(t, "../../test/testdata/"+c.golden+".fleet.template.json")
			client := props(template, "WsusClientAssociationD1829CE5")["Parameters"].(map[string]any)
			setup := props(template, "WsusSetupAssociationCF0D774E")["Parameters"].(map[string]any)
			c.plant(client, setup)
			assert.Contains(t, joined(Fleet(template)), c.wants)
		})
	}
}

// The template re-validated by the configuration's rules: each planting a held-out mutation run
// found verify letting through is named.
func TestSpecProblemsNameEachPlanting(t *testing.T) {
	rule := func(tm map[string]any) map[string]any {
		return props(tm, "Baselinesprivatepatchwindows49F4305F")["ApprovalRules"].(map[string]any)["PatchRules"].([]any)[0].(map[string]any)
	}
	for _, c := range []struct {
		name, wants string
		plant       func(tm map[string]any)
	}{
		{"a cutoff as long as the window", "window MaintenanceWindowsprivatepatchwsusWindowAA8482A2: CutoffHours 3 must be less than durationHours (3)", func(tm map[string]any) {
			props(tm, "MaintenanceWindowsprivatepatchwsusWindowAA8482A2")["Cutoff"] = 3.0
		}},
		{"a task's concurrency of 0", `MaxConcurrency "0" is not allowed`, func(tm map[string]any) {
			props(tm, "MaintenanceWindowsprivatepatchwsusTask1A2D98FC3")["MaxConcurrency"] = "0"
		}},
		{"the install beside the pre-patch image", "window MaintenanceWindowsprivatepatchweeklyWindowE6C2AFD8: an Install task has priority 0, not after the pre-patch image's 0", func(tm map[string]any) {
			props(tm, "MaintenanceWindowsprivatepatchweeklyTask15A70B942")["Priority"] = 0.0
		}},
		// A reviewer's find: 600 s to start, and 25% at a time, lost the batches not started 2 h 10 min in.
		{"a patch task whose later batches cannot start", "window MaintenanceWindowsprivatepatchweeklyWindowE6C2AFD8: task MaintenanceWindowsprivatepatchweeklyTask15A70B942's batches may start only 7800 s after the window opens", func(tm map[string]any) {
			props(tm, "MaintenanceWindowsprivatepatchweeklyWindowE6C2AFD8")["Duration"] = 6.0
			props(tm, "MaintenanceWindowsprivatepatchweeklyWindowE6C2AFD8")["Cutoff"] = 1.0
			props(tm, "MaintenanceWindowsprivatepatchweeklyTask15A70B942")["TaskInvocationParameters"].(map[string]any)["MaintenanceWindowRunCommandParameters"].(map[string]any)["TimeoutSeconds"] = 600.0
		}},
		{"a Linux filter key on a Windows baseline", "baseline Baselinesprivatepatchwindows49F4305F: ApprovalRules[0]", func(tm map[string]any) {
			rule(tm)["PatchFilterGroup"].(map[string]any)["PatchFilters"].([]any)[1].(map[string]any)["Key"] = "SEVERITY"
		}},
		{"a Linux classification on a Windows baseline", `"Security"`, func(tm map[string]any) {
			rule(tm)["PatchFilterGroup"].(map[string]any)["PatchFilters"].([]any)[0].(map[string]any)["Values"] = []any{"Security"}
		}},
		{"an association's cron AWS refuses", "association ScanFleetC9C4BFC5: ScheduleExpression", func(tm map[string]any) {
			props(tm, "ScanFleetC9C4BFC5")["ScheduleExpression"] = "cron(0 12 * * WED#1 *)"
		}},
		{"an association's concurrency of 0", `association ScanFleetC9C4BFC5: MaxConcurrency "0"`, func(tm map[string]any) {
			props(tm, "ScanFleetC9C4BFC5")["MaxConcurrency"] = "0"
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			template := read(t, "../../test/testdata/default.patching.template.json")
			c.plant(template)
			assert.Contains(t, joined(SpecProblems(template)), c.wants)
		})
	}
}

// The goldens select by tags their instances carry or the configuration names; a planted typo in
// a selecting key, or an instance in a group no baseline registers, is named.
func TestTagsNameWhatSelectsNothing(t *testing.T) {
	named := []string{"privatepatch:fleet", "Patch Group", "PatchGroup", "Environment", "InventoryCategory", "SeverityLevel", "HandlePI", "IsPublic"}
	paths, err := filepath.Glob("../../test/testdata/*.fleet.template.json")
	require.NoError(t, err)
	for _, path := range paths {
		patching := strings.Replace(path, ".fleet.", ".patching.", 1)
		var patchingTemplate map[string]any
		if _, err := os.Stat(patching); err == nil {
			patchingTemplate = read(t, patching)
		}
		assert.Empty(t, Tags(patchingTemplate, read(t, path), named), path)
	}
	fleet, patching := read(t, "../../test/testdata/example.fleet.template.json"), read(t, "../../test/testdata/example.patching.template.json")
	query := props(fleet, "WsusClientEc2InstancesADAE2F26")["ResourceQuery"].(map[string]any)["Query"].(map[string]any)
	query["TagFilters"].([]any)[0].(map[string]any)["Key"] = "privatepatch:fleets"
	for _, tag := range props(fleet, "FleetappInstance1E092C320")["Tags"].([]any) {
		if tag.(map[string]any)["Key"] == "Patch Group" {
			tag.(map[string]any)["Value"] = "windows-Prod"
		}
	}
	problems := joined(Tags(patching, fleet, named))
	assert.Contains(t, problems, `resource group WsusClientEc2InstancesADAE2F26 selects by tag key "privatepatch:fleets", which no instance of the stacks carries`)
	assert.Contains(t, problems, `instance FleetappInstance1E092C320: in patch group "windows-Prod", which no baseline of the patching stack registers`)
}

// An alarm on a namespace no script publishes to, and an e-mail subscription given a phone
// number's protocol, are named; the goldens have neither.
func TestAlarmNamespacesAndSubscriptionEndpoints(t *testing.T) {
	for _, scenario := range goldenScenarios {
		patching := "../../test/testdata/" + scenario + ".patching.template.json"
		if _, err := os.Stat(patching); err != nil {
			continue
		}
		assert.Empty(t, Namespaces(read(t, patching), read(t, "../../test/testdata/"+scenario+".fleet.template.json")), scenario)
	}

	patching, fleet := read(t, "../../test/testdata/example.patching.template.json"), read(t, "../../test/testdata/example.fleet.template.json")
	disk := props(patching, "MonitoringWsusDiskAlarmC3AE443E")["Metrics"].([]any)[0].(map[string]any)
	disk["Expression"] = strings.Replace(disk["Expression"].(string), "privatepatch/WSUS/privatepatch", "privatepatch/WSUS/other", 1)
	assert.Contains(t, joined(Namespaces(patching, fleet)), `alarm MonitoringWsusDiskAlarmC3AE443E watches namespace "privatepatch/WSUS/other", which no association's script publishes to`)

	props(patching, "AlertsTopicpatchingalertsexamplecomEE1E8059")["Protocol"] = "sms"
	props(patching, "AlertsTopicpatchingalertsexamplecomEE1E8059")["Endpoint"] = "+15555550100"
	_, _ = Patching(patching, nil)
	props(patching, "AlertsTopicpatchingalertsexamplecomEE1E8059")["Protocol"] = "email"
	problems, _ := Patching(patching, nil)
	assert.Contains(t, joined(problems), `subscription AlertsTopicpatchingalertsexamplecomEE1E8059: endpoint "+15555550100" is not one the email protocol takes`)
}

// Every golden's command output goes to the stacks' bucket; a task given a literal bucket is named.
func TestOutputsGoToTheStacksBucket(t *testing.T) {
	paths, err := filepath.Glob("../../test/testdata/*.patching.template.json")
	require.NoError(t, err)
	for _, path := range paths {
		assert.Empty(t, Outputs(read(t, path), read(t, strings.Replace(path, ".patching.", ".fleet.", 1))), path)
	}
	patching, fleet := read(t, "../../test/testdata/default.patching.template.json"), read(t, "../../test/testdata/default.fleet.template.json")
	props(patching, "MaintenanceWindowsprivatepatchwsusTask1A2D98FC3")["TaskInvocationParameters"].(map[string]any)["MaintenanceWindowRunCommandParameters"].(map[string]any)["OutputS3BucketName"] = "my-old-bucket"
	assert.Equal(t, []string{"task MaintenanceWindowsprivatepatchwsusTask1A2D98FC3 writes its output to bucket my-old-bucket, which the stacks do not create: no write to it is proven"},
		Outputs(patching, fleet))
}

// Each golden rule matches a documented event; a planted source, detail-type or status AWS does
// not send is named (held-out plantings verify let through).
func TestRulesMatchADocumentedEvent(t *testing.T) {
	paths, err := filepath.Glob("../../test/testdata/*.patching.template.json")
	require.NoError(t, err)
	for _, path := range paths {
		assert.Empty(t, Rules(read(t, path)), path)
	}
	for _, c := range []struct {
		rule, wants string
		plant       func(pattern map[string]any)
	}{
		{"AlertsComplianceRuleA87A8F82", "source [ssm.amazonaws.com] and detail-type [Configuration Compliance State Change] are those of no event AWS documents",
			func(p map[string]any) { p["source"] = []any{"ssm.amazonaws.com"} }},
		{"AlertsAssociationRuleE799A159", `detail.status "FAILED" differs from the documented event's value only in case`,
			func(p map[string]any) { p["detail"].(map[string]any)["status"] = []any{"FAILED"} }},
		{"SecurityInspectorFindingsRule09C61347", "detail-type [Inspector Finding] are those of no event",
			func(p map[string]any) { p["detail-type"] = []any{"Inspector Finding"} }},
		{"MaintenanceWindowsprivatepatchwsusFailureRule57398DAB", "detail-type [Maintenance Window Execution State Change Notification] are those of no event",
			func(p map[string]any) {
				p["detail-type"] = []any{"Maintenance Window Execution State Change Notification"}
			}},
		{"MaintenanceWindowsprivatepatchwsusFailureRule57398DAB", "field detail.windowId is in none of the events",
			func(p map[string]any) {
				d := p["detail"].(map[string]any)
				d["windowId"] = d["window-id"]
				delete(d, "window-id")
			}},
		// Mutation run 9's N13: a status no window execution has, so the rule never fires.
		{"MaintenanceWindowsprivatepatchwsusFailureRule57398DAB", `detail.status "TIMEDOUT" is not one of Maintenance Window Execution State-change Notification's values`,
			func(p map[string]any) {
				d := p["detail"].(map[string]any)
				require.Contains(t, d["status"], "TIMED_OUT")
				d["status"] = []any{"FAILED", "TIMEDOUT"}
			}},
		{"SecurityInspectorFindingsRule09C61347", `detail.severity "SEVERE" is not one of Inspector2 Finding's values`,
			func(p map[string]any) { p["detail"].(map[string]any)["severity"] = []any{"SEVERE"} }},
		// The nested neighbours: Security Hub's fields sit under findings, not at detail's top.
		{"SecuritySecurityHubFindingsRule2508B81A", `detail.findings.Severity.Label "SEVERE" is not one of Security Hub Findings - Imported's values`,
			func(p map[string]any) {
				findings := p["detail"].(map[string]any)["findings"].(map[string]any)
				findings["Severity"].(map[string]any)["Label"] = []any{"HIGH", "SEVERE"}
			}},
		{"SecuritySecurityHubFindingsRule2508B81A", `detail.findings.Workflow.Status "New" is not one of Security Hub Findings - Imported's values`,
			func(p map[string]any) {
				findings := p["detail"].(map[string]any)["findings"].(map[string]any)
				findings["Workflow"].(map[string]any)["Status"] = []any{"New"}
			}},
	} {
		template := read(t, "../../test/testdata/default.patching.template.json")
		c.plant(props(template, c.rule)["EventPattern"].(map[string]any))
		assert.Contains(t, joined(Rules(template)), "rule "+c.rule+": ", c.rule)
		assert.Contains(t, joined(Rules(template)), c.wants, c.rule)
	}
	// A threshold of the configuration's, not the documented event's value, is not judged.
	template := read(t, "../../test/testdata/default.patching.template.json")
	props(template, "SecurityInspectorFindingsRule09C61347")["EventPattern"].(map[string]any)["detail"].(map[string]any)["severity"] = []any{"CRITICAL"}
	assert.Empty(t, Rules(template))
}

func TestIntrinsicValuesMatchAnyValue(t *testing.T) {
	pattern := map[string]any{"detail": map[string]any{"window-id": []any{map[string]any{"Ref": "Window"}}}}
	assert.True(t, Matches(pattern, map[string]any{"detail": map[string]any{"window-id": "mw-1"}}))
	assert.False(t, Matches(pattern, map[string]any{"detail": map[string]any{}}), "the field must be there")
	assert.False(t, Matches(map[string]any{"detail": map[string]any{"window-id": []any{"mw-2"}}}, map[string]any{"detail": map[string]any{"window-id": "mw-1"}}))
	but := func(values ...any) map[string]any {
		return map[string]any{"id": []any{map[string]any{"anything-but": values}}}
	}
	assert.True(t, Matches(but(map[string]any{"Ref": "Baseline"}), map[string]any{"id": "pb-1"}), "anything but a deployment's id: the sample's may be another")
	assert.False(t, Matches(but("pb-1"), map[string]any{"id": "pb-1"}))
}

// Every golden's documents and associations agree; each planting a held-out run found verify
// letting through is named.
func TestDocumentsAndTheirAssociationsAgree(t *testing.T) {
	for _, scenario := range goldenScenarios {
		templates := goldenStacks(t, scenario, "fleet", "patching")
		assert.Empty(t, Documents(templates...), scenario)
	}
	for _, c := range []struct {
		name, wants string
		plant       func(fleet map[string]any)
	}{
		{"a precondition AWS does not know", `step 0's precondition names platformType "windows"`, func(f map[string]any) {
			step := props(f, "WsusSetupDocumentD23DE8FA")["Content"].(map[string]any)["mainSteps"].([]any)[0].(map[string]any)
			step["precondition"] = map[string]any{"StringEquals": []any{"platformType", "windows"}}
		}},
		{"a Command document on schema 1.2 (mutation run 7's f06)", `document WsusSetupDocumentD23DE8FA: has mainSteps under schemaVersion "1.2"`, func(f map[string]any) {
			props(f, "WsusSetupDocumentD23DE8FA")["Content"].(map[string]any)["schemaVersion"] = "1.2"
		}},
		{"a precondition on schema 2.0", `document WsusSetupDocumentD23DE8FA: step 0 has a precondition under schemaVersion "2.0"`, func(f map[string]any) {
			props(f, "WsusSetupDocumentD23DE8FA")["Content"].(map[string]any)["schemaVersion"] = "2.0"
		}},
		{"a shell step on Windows (mutation run 7's f07)", "document WsusHealthDocumentBD0DBD38: step 0 runs aws:runShellScript on Windows", func(f map[string]any) {
			props(f, "WsusHealthDocumentBD0DBD38")["Content"].(map[string]any)["mainSteps"].([]any)[0].(map[string]any)["action"] = "aws:runShellScript"
		}},
		{"a parameter used and not declared", "document WsusSetupDocumentD23DE8FA: uses {{ Port }}, which it does not declare", func(f map[string]any) {
			delete(props(f, "WsusSetupDocumentD23DE8FA")["Content"].(map[string]any)["parameters"].(map[string]any), "Port")
		}},
		{"an association's parameter its document lacks", "gives parameter Mode2, which its document does not declare", func(f map[string]any) {
			params := props(f, "WsusCleanupReportAssociation299BB976")["Parameters"].(map[string]any)
			params["Mode2"] = params["Mode"]
			delete(params, "Mode")
		}},
		{"a required parameter left out", "leaves out parameter UpdateStoreVolumeId, which has no default", func(f map[string]any) {
			delete(props(f, "WsusSetupAssociationCF0D774E")["Parameters"].(map[string]any), "UpdateStoreVolumeId")
		}},
		{"a value the pattern refuses", `parameter AUOptions "6" does not match its allowedPattern`, func(f map[string]any) {
			props(f, "WsusClientAssociationD1829CE5")["Parameters"].(map[string]any)["AUOptions"] = []any{"6"}
		}},
		{"a Windows Update policy value under the wrong key", `document WsusClientDocumentD8F64115: step 0: policy value UseWUServer: written under WindowsUpdate, but Windows reads it under WindowsUpdate\AU`,
			func(f map[string]any) {
				lines := props(f, "WsusClientDocumentD8F64115")["Content"].(map[string]any)["mainSteps"].([]any)[0].(map[string]any)["inputs"].(map[string]any)["runCommand"].([]any)
				for i, line := range lines {
					lines[i] = strings.Replace(line.(string), "@{ Key = $au; Name = 'UseWUServer'", "@{ Key = $policy; Name = 'UseWUServer'", 1)
				}
			}},
		{"the update store's volume id given as the attachment's Ref (run 6's F03)", "association WsusSetupAssociationCF0D774E: parameter UpdateStoreVolumeId is a Ref of WsusUpdateStoreAttachment", func(f map[string]any) {
			for id, r := range f["Resources"].(map[string]any) {
				if r.(map[string]any)["Type"] == "AWS::EC2::VolumeAttachment" {
					props(f, "WsusSetupAssociationCF0D774E")["Parameters"].(map[string]any)["UpdateStoreVolumeId"] = []any{map[string]any{"Ref": id}}
				}
			}
		}},
		{"the volume id given as the instance's Ref", "parameter UpdateStoreVolumeId is a Ref of WsusInstance", func(f map[string]any) {
			for id, r := range f["Resources"].(map[string]any) {
				if r.(map[string]any)["Type"] == "AWS::EC2::Instance" && strings.HasPrefix(id, "WsusInstance") {
					props(f, "WsusSetupAssociationCF0D774E")["Parameters"].(map[string]any)["UpdateStoreVolumeId"] = []any{map[string]any{"Ref": id}}
				}
			}
		}},
		{"a document that is no one's", `runs document "privatepatch-cce-checks", neither the stacks'`, func(f map[string]any) {
			props(f, "ConfigurationChecksAssociation01E80C0A")["Name"] = "privatepatch-cce-checks"
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			fleet := read(t, "../../test/testdata/default.fleet.template.json")
			c.plant(fleet)
			assert.Contains(t, joined(Documents(fleet)), c.wants)
		})
	}
}

// The default goldens' cross-stack references resolve; an output the fleet reads, removed from
// the network stack, is named.
func TestReferencesResolveAcrossTheAssembly(t *testing.T) {
	templates := map[string]map[string]any{}
	for _, stack := range []string{"network", "fleet", "patching"} {
		templates["privatepatch-"+stack] = read(t, "../../test/testdata/default."+stack+".template.json")
	}
	require.Empty(t, References(templates))
	delete(templates["privatepatch-network"]["Outputs"].(map[string]any), "PublishOutputFnGetAttNetworkPublicSecurityGroup08F36B6EGroupIdAE5775F4")
	assert.Contains(t, joined(References(templates)), "privatepatch-fleet WsusInstance902E8651: reads output PublishOutputFnGetAttNetworkPublicSecurityGroup08F36B6EGroupIdAE5775F4 of stack privatepatch-network, which it does not have")
}

// An alarm the topic admits without its action on the topic is named (a held-out planting).
func TestAnAdmittedAlarmWithoutItsActionIsNamed(t *testing.T) {
	patching := read(t, "../../test/testdata/example.patching.template.json")
	delete(props(patching, "MonitoringWsusSyncFailedAlarmD7FB9C5C"), "AlarmActions")
	problems, _ := Patching(patching, nil)
	assert.Contains(t, joined(problems), "alarm MonitoringWsusSyncFailedAlarmD7FB9C5C (privatepatch-patching-wsus-sync-failed): its AlarmActions do not include topic AlertsTopicCF7C81C9, which admits it")
}

// A stop alarm's rule naming an alarm that is nowhere, or one of the template's it does not
// depend on, is named; the user's own alarms (stopOnAlarms) may be named.
func TestCompositeRulesNameAlarmsThatExist(t *testing.T) {
	patching := read(t, "../../test/testdata/rich-patching.patching.template.json")
	resources := patching["Resources"].(map[string]any)
	require.Empty(t, compositeRules(resources, nil))
	stop := props(patching, "MaintenanceWindowspinnedinstancesStopAlarm1CDF4464B")
	stop["AlarmRule"] = `ALARM("privatepatch-patching-pinned-instances-failed") OR ALARM("app-health")`
	assert.Contains(t, joined(compositeRules(resources, nil)), "names alarm app-health, which neither the template nor the configuration (stopOnAlarms) has")
	assert.Empty(t, compositeRules(resources, []string{"app-health"}), "the user's own alarm")
	stop["AlarmRule"] = `ALARM("privatepatch-patching-pinned-instances-failed") OR ALARM("arn:aws:cloudwatch:us-west-2:111111111111:alarm:app-health")`
	assert.Empty(t, compositeRules(resources, []string{"arn:aws:cloudwatch:us-west-2:111111111111:alarm:app-health"}), "named by its ARN (a reviewer's find)")
	stop["AlarmRule"] = `ALARM("privatepatch-patching-after-patch-tuesday-failed")`
	assert.Contains(t, joined(compositeRules(resources, nil)), "names alarm privatepatch-patching-after-patch-tuesday-failed (MaintenanceWindowsafterpatchtuesdayFailureAlarm44DF9966) without depending on it")
}

// The goldens' keys are symmetric and their log groups name them by ARN; an asymmetric alerts key,
// an asymmetric command output key and a log group naming its key by id are named (held-out
// plantings, and the bucket path's neighbour).
func TestKeysAreSymmetricAndNamedByArn(t *testing.T) {
	for _, scenario := range goldenScenarios {
		templates := goldenStacks(t, scenario, "network", "fleet", "patching")
		assert.Empty(t, keyProblems("us-west-2", "", templates...), scenario)
	}
	patching := read(t, "../../test/testdata/example.patching.template.json")
	props(patching, "AlertsKey9E1197AF")["KeySpec"] = "RSA_2048"
	props(patching, "AlertsKey9E1197AF")["KeyUsage"] = "SIGN_VERIFY"
	network := read(t, "../../test/testdata/example.network.template.json")
	props(network, "NetworkFlowLogGroup4F8CEEEF")["KmsKeyId"] = map[string]any{"Ref": "NetworkFlowLogKeyF785E5F9"}
	fleet := read(t, "../../test/testdata/rich-patching.fleet.template.json")
	props(fleet, "CommandOutputKey90C1B169")["KeySpec"] = "ECC_NIST_P256"
	problems := joined(keyProblems("us-west-2", "", patching, network, fleet))
	assert.Contains(t, problems, "topic AlertsTopicCF7C81C9: key AlertsKey9E1197AF is RSA_2048, not a symmetric encryption key")
	assert.Contains(t, problems, "bucket CommandOutputBucket0DD4DD73: key CommandOutputKey90C1B169 is ECC_NIST_P256, not a symmetric encryption key")
	assert.Contains(t, problems, "key AlertsKey9E1197AF is for SIGN_VERIFY")
	// Mutation run 10's A12: the topic moved to the AWS managed key.
	managed := read(t, "../../test/testdata/example.patching.template.json")
	props(managed, "AlertsTopicCF7C81C9")["KmsMasterKeyId"] = "alias/aws/sns"
	assert.Contains(t, joined(keyProblems("us-west-2", "", managed)), "topic AlertsTopicCF7C81C9: encrypted with the AWS managed key alias/aws/sns")
	assert.Contains(t, problems, "log group NetworkFlowLogGroup4F8CEEEF: names key NetworkFlowLogKeyF785E5F9 by its id (a Ref), where CloudWatch Logs takes its ARN")
	// Mutation run 6's N09: the key policy names logs.amazonaws.com, not the regional principal.
	network = read(t, "../../test/testdata/example.network.template.json")
	for _, st := range props(network, "NetworkFlowLogKeyF785E5F9")["KeyPolicy"].(map[string]any)["Statement"].([]any) {
		if p, ok := st.(map[string]any)["Principal"].(map[string]any); ok && p["Service"] != nil {
			p["Service"] = "logs.amazonaws.com"
		}
	}
	assert.Contains(t, joined(keyProblems("us-west-2", "", network)), "log group NetworkFlowLogGroup4F8CEEEF: key NetworkFlowLogKeyF785E5F9 does not let CloudWatch Logs use it as logs.<region>.amazonaws.com")
	// The encryption context, which the IAM evaluator does not model: a misspelled context key,
	// and a pattern the group's generated name does not match, each deny CloudWatch Logs.
	for _, plant := range []func(condition map[string]any){
		func(c map[string]any) {
			like := c["ArnLike"].(map[string]any)
			like["kms:EncryptionContext:aws:logs:arns"] = like["kms:EncryptionContext:aws:logs:arn"]
			delete(like, "kms:EncryptionContext:aws:logs:arn")
		},
		func(c map[string]any) {
			parts := c["ArnLike"].(map[string]any)["kms:EncryptionContext:aws:logs:arn"].(map[string]any)["Fn::Join"].([]any)[1].([]any)
			parts[len(parts)-1] = ":log-group:/aws/vpc/flow-logs/*"
		},
	} {
		network = read(t, "../../test/testdata/example.network.template.json")
		for _, st := range props(network, "NetworkFlowLogKeyF785E5F9")["KeyPolicy"].(map[string]any)["Statement"].([]any) {
			if c, ok := st.(map[string]any)["Condition"].(map[string]any); ok && c["ArnLike"] != nil {
				plant(c)
			}
		}
		assert.Contains(t, joined(keyProblems("us-west-2", "", network)), "log group NetworkFlowLogGroup4F8CEEEF: key NetworkFlowLogKeyF785E5F9 does not let CloudWatch Logs use it")
	}
	// A named group and a pattern of its name are let in.
	network = read(t, "../../test/testdata/example.network.template.json")
	props(network, "NetworkFlowLogGroup4F8CEEEF")["LogGroupName"] = "/aws/vpc/flow-logs/privatepatch"
	for _, st := range props(network, "NetworkFlowLogKeyF785E5F9")["KeyPolicy"].(map[string]any)["Statement"].([]any) {
		if c, ok := st.(map[string]any)["Condition"].(map[string]any); ok && c["ArnLike"] != nil {
			parts := c["ArnLike"].(map[string]any)["kms:EncryptionContext:aws:logs:arn"].(map[string]any)["Fn::Join"].([]any)[1].([]any)
			parts[len(parts)-1] = ":log-group:/aws/vpc/flow-logs/*"
		}
	}
	assert.Empty(t, keyProblems("us-west-2", "", network))
}

// What the stacks mean their resources to do, planted otherwise in a valid template (held-out
// plantings verify let through), is named; every golden means it.
func TestIntentNamesWhatAValidTemplateCanSayOtherwise(t *testing.T) {
	for _, scenario := range []string{"default", "example", "rich-patching"} {
		patching, fleet := read(t, "../../test/testdata/"+scenario+".patching.template.json"), read(t, "../../test/testdata/"+scenario+".fleet.template.json")
		assert.Empty(t, Intent(patching, fleet, "us-west-2", "privatepatch:fleet", "privatepatch"), scenario)
	}
	for _, c := range []struct {
		name, wants string
		plant       func(patching, fleet map[string]any)
	}{
		{"a scan association that installs", "association ScanFleetC9C4BFC5: runs AWS-RunPatchBaseline with Operation [Install]", func(p, _ map[string]any) {
			props(p, "ScanFleetC9C4BFC5")["Parameters"] = map[string]any{"Operation": []any{"Install"}}
		}},
		{"a failure rule on another window", "rule MaintenanceWindowsprivatepatchwsusFailureRule57398DAB: watches window MaintenanceWindowsprivatepatchweeklyWindowE6C2AFD8, not its own", func(p, _ map[string]any) {
			detail := props(p, "MaintenanceWindowsprivatepatchwsusFailureRule57398DAB")["EventPattern"].(map[string]any)["detail"].(map[string]any)
			detail["window-id"] = []any{map[string]any{"Ref": "MaintenanceWindowsprivatepatchweeklyWindowE6C2AFD8"}}
		}},
		{"the WSUS compliance rule on the fleet's baseline", "rule AlertsWsusComplianceRuleF37D5D9F: names baseline Baselinesprivatepatchwindows49F4305F where the WSUS server's (patch group wsus) is Baselinesprivatepatchwsus69B72C7A", func(p, _ map[string]any) {
			detail := props(p, "AlertsWsusComplianceRuleF37D5D9F")["EventPattern"].(map[string]any)["detail"].(map[string]any)
			detail["patch-baseline-id"] = []any{map[string]any{"Ref": "Baselinesprivatepatchwindows49F4305F"}}
		}},
		{"a topic's name as a resource", "statement #1 names AlertsTopicCF7C81C9.TopicName as a resource, which is no ARN", func(p, _ map[string]any) {
			statement := props(p, "MaintenanceWindowsprivatepatchweeklyNotificationRoleDefaultPolicy50AD848E")["PolicyDocument"].(map[string]any)["Statement"].([]any)[0].(map[string]any)
			statement["Resource"] = map[string]any{"Fn::GetAtt": []any{"AlertsTopicCF7C81C9", "TopicName"}}
		}},
		{"output in another region", "association WsusSetupAssociationCF0D774E: writes its output to region us-east-1", func(_, f map[string]any) {
			props(f, "WsusSetupAssociationCF0D774E")["OutputLocation"].(map[string]any)["S3Location"].(map[string]any)["OutputS3Region"] = "us-east-1"
		}},
		{"a group of managed instances", "resource group WsusClientEc2InstancesADAE2F26: filters [AWS::SSM::ManagedInstance]", func(_, f map[string]any) {
			query := props(f, "WsusClientEc2InstancesADAE2F26")["ResourceQuery"].(map[string]any)["Query"].(map[string]any)
			query["ResourceTypeFilters"] = []any{"AWS::SSM::ManagedInstance"}
		}},
		{"the image taken as another role", "task MaintenanceWindowsprivatepatchweeklyPrePatchImageE1971ACD: AWS-CreateImage assumes map[Fn::GetAtt:[MaintenanceWindowsprivatepatchweeklyNotificationRole", func(p, _ map[string]any) {
			automation := props(p, "MaintenanceWindowsprivatepatchweeklyPrePatchImageE1971ACD")["TaskInvocationParameters"].(map[string]any)["MaintenanceWindowAutomationParameters"].(map[string]any)
			role := ""
			for id := range p["Resources"].(map[string]any) {
				if strings.HasPrefix(id, "MaintenanceWindowsprivatepatchweeklyNotificationRole") && !strings.Contains(id, "Policy") {
					role = id
				}
			}
			automation["Parameters"].(map[string]any)["AutomationAssumeRole"] = []any{map[string]any{"Fn::GetAtt": []any{role, "Arn"}}}
		}},
		{"a pseudo parameter Systems Manager does not know", "task MaintenanceWindowsprivatepatchweeklyPrePatchImageE1971ACD: {{INSTANCE_ID}} is no pseudo parameter", func(p, _ map[string]any) {
			automation := props(p, "MaintenanceWindowsprivatepatchweeklyPrePatchImageE1971ACD")["TaskInvocationParameters"].(map[string]any)["MaintenanceWindowAutomationParameters"].(map[string]any)
			automation["Parameters"].(map[string]any)["InstanceId"] = []any{"{{INSTANCE_ID}}"}
		}},
		{"a resource group's member named by {{TARGET_ID}} (a review's find)", "task MaintenanceWindowsprivatepatchweeklyPrePatchImageE1971ACD: runs on a resource group's members and names {{TARGET_ID}}", func(p, _ map[string]any) {
			props(p, "MaintenanceWindowsprivatepatchweeklyTarget6FF7FFF6")["ResourceType"] = "RESOURCE_GROUP"
			automation := props(p, "MaintenanceWindowsprivatepatchweeklyPrePatchImageE1971ACD")["TaskInvocationParameters"].(map[string]any)["MaintenanceWindowAutomationParameters"].(map[string]any)
			automation["Parameters"].(map[string]any)["InstanceId"] = []any{"{{TARGET_ID}}"}
		}},
		{"the fleet's compliance rule on the server's baseline (mutation run 7's p05)", "patch compliance rules: 2 on the WSUS server's baseline", func(p, _ map[string]any) {
			for id, r := range p["Resources"].(map[string]any) {
				if strings.HasPrefix(id, "AlertsComplianceRule") {
					detail := r.(map[string]any)["Properties"].(map[string]any)["EventPattern"].(map[string]any)["detail"].(map[string]any)
					but := detail["patch-baseline-id"].([]any)[0].(map[string]any)["anything-but"]
					detail["patch-baseline-id"] = but
				}
			}
		}},
		{"the fleet's compliance rule on every baseline", "0 on anything but it [], 1 on any baseline", func(p, _ map[string]any) {
			for id, r := range p["Resources"].(map[string]any) {
				if strings.HasPrefix(id, "AlertsComplianceRule") {
					delete(r.(map[string]any)["Properties"].(map[string]any)["EventPattern"].(map[string]any)["detail"].(map[string]any), "patch-baseline-id")
				}
			}
		}},
		{"an image task not told its instance", "task MaintenanceWindowsprivatepatchweeklyPrePatchImageE1971ACD: a task of type AUTOMATION with targets whose parameters name none of {{TARGET_ID}}, {{RESOURCE_ID}}", func(p, _ map[string]any) {
			automation := props(p, "MaintenanceWindowsprivatepatchweeklyPrePatchImageE1971ACD")["TaskInvocationParameters"].(map[string]any)["MaintenanceWindowAutomationParameters"].(map[string]any)
			automation["Parameters"].(map[string]any)["InstanceId"] = []any{"i-0123456789abcdef0"}
		}},
		{"the fleet tag with another value", "association InventoryAssociationABD231A7: targets privatepatch:fleet=[true], not the fleet's value privatepatch", func(p, _ map[string]any) {
			props(p, "InventoryAssociationABD231A7")["Targets"] = []any{map[string]any{"Key": "tag:privatepatch:fleet", "Values": []any{"true"}}}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			patching, fleet := read(t, "../../test/testdata/default.patching.template.json"), read(t, "../../test/testdata/default.fleet.template.json")
			c.plant(patching, fleet)
			assert.Contains(t, joined(Intent(patching, fleet, "us-west-2", "privatepatch:fleet", "privatepatch")), c.wants)
		})
	}
}

// The goldens' policies name their deployment's region only; a key statement bound to another
// region's log groups is named (a held-out planting: the log group's creation would fail).
func TestPoliciesNameTheDeploymentsRegion(t *testing.T) {
	for _, scenario := range goldenScenarios {
		templates := goldenStacks(t, scenario, "network", "fleet", "patching")
		region := "us-west-2"
		if scenario == "existing-vpc-hub" {
			region = "eu-west-2"
		}
		assert.Empty(t, Regions(region, templates...), scenario)
	}
	network := read(t, "../../test/testdata/example.network.template.json")
	statement := props(network, "NetworkFlowLogKeyF785E5F9")["KeyPolicy"].(map[string]any)["Statement"].([]any)[2].(map[string]any)
	join := statement["Condition"].(map[string]any)["ArnLike"].(map[string]any)["kms:EncryptionContext:aws:logs:arn"].(map[string]any)["Fn::Join"].([]any)
	join[1].([]any)[0] = "arn:aws:logs:us-east-1:"
	assert.Equal(t, []string{"AWS::KMS::Key NetworkFlowLogKeyF785E5F9: names arn:aws:logs:us-east-1:..., in region us-east-1, not the deployment's us-west-2"}, Regions("us-west-2", network))
	// Mutation run 7's p11: the sync told the bucket is in another region.
	patching := read(t, "../../test/testdata/example.patching.template.json")
	props(patching, "InventoryResourceDataSync837B1722")["S3Destination"].(map[string]any)["BucketRegion"] = "us-east-1"
	assert.Equal(t, []string{"resource data sync InventoryResourceDataSync837B1722: BucketRegion us-east-1, and the stacks' bucket is in the deployment's us-west-2"}, Regions("us-west-2", patching))
	// Mutation run 9's E15 and N08: the key lets another region's CloudWatch Logs use it.
	network = read(t, "../../test/testdata/example.network.template.json")
	statement = props(network, "NetworkFlowLogKeyF785E5F9")["KeyPolicy"].(map[string]any)["Statement"].([]any)[2].(map[string]any)
	require.Equal(t, map[string]any{"Service": "logs.us-west-2.amazonaws.com"}, statement["Principal"])
	statement["Principal"] = map[string]any{"Service": "logs.us-east-1.amazonaws.com"}
	assert.Equal(t, []string{"AWS::KMS::Key NetworkFlowLogKeyF785E5F9: names the service principal logs.us-east-1.amazonaws.com, of region us-east-1, not the deployment's us-west-2: " +
		"the service in the deployment's region is not it, and is denied"}, Regions("us-west-2", network))
}

// The fifth held-out run's misses, planted: each is named; the goldens pass.
func TestTheServerMetricsFleetTagAndInstallsAreWhatTheConfigurationSays(t *testing.T) {
	for _, scenario := range []string{"default", "example", "rich-patching", "wsus-https"} {
		fleet := read(t, "../../test/testdata/"+scenario+".fleet.template.json")
		assert.Empty(t, Server(fleet), scenario)
		if _, err := os.Stat("../../test/testdata/" + scenario + ".patching.template.json"); err == nil {
			assert.Empty(t, Published(read(t, "../../test/testdata/"+scenario+".patching.template.json"), fleet), scenario)
		}
	}
	fleet := read(t, "../../test/testdata/default.fleet.template.json")
	props(fleet, "WsusInstance902E8651")["InstanceType"] = "t2.large"
	props(fleet, "WsusSetupAssociationCF0D774E")["Parameters"].(map[string]any)["Classifications"] = []any{"Critical Updates,Security Updates"}
	problems := joined(Server(fleet))
	assert.Contains(t, problems, `the WSUS server: InstanceType "t2.large" is built on the Xen hypervisor`)
	assert.Contains(t, problems, `Classifications[0] "Critical Updates,Security Updates" is not a WSUS classification`)

	// The cleanup is judged at the template's schedule, or not at all without its association (a
	// reviewer's false alarm: the default schedule was judged against a sync at 07:00).
	fleet = read(t, "../../test/testdata/default.fleet.template.json")
	props(fleet, "WsusSetupAssociationCF0D774E")["Parameters"].(map[string]any)["SyncTimeUtc"] = []any{"07:00"}
	assert.Contains(t, joined(Server(fleet)), "Cleanup.Schedule", "the template's cleanup at 08:00, an hour after the sync")
	props(fleet, "WsusCleanupAssociation398E721C")["ScheduleExpression"] = "cron(0 12 ? * WED#1 *)"
	assert.Empty(t, Server(fleet), "the cleanup at noon")
	props(fleet, "WsusCleanupAssociation398E721C")["ScheduleExpression"] = "cron(0 8 ? * WED#1 *)"
	delete(fleet["Resources"].(map[string]any), "WsusCleanupAssociation398E721C")
	assert.Empty(t, Server(fleet), "no cleanup association: no cleanup to judge")

	patching, fleet := read(t, "../../test/testdata/example.patching.template.json"), read(t, "../../test/testdata/example.fleet.template.json")
	disk := props(patching, "MonitoringWsusDiskAlarmC3AE443E")["Metrics"].([]any)[0].(map[string]any)
	disk["Expression"] = strings.Replace(disk["Expression"].(string), "UpdateStoreFreePercent", "UpdateStoreFreePct", 1)
	assert.Equal(t, []string{"alarm MonitoringWsusDiskAlarmC3AE443E watches metric UpdateStoreFreePct, which no script of the stacks' documents publishes"}, Published(patching, fleet))
	// A bare word of a script is no metric it publishes (Healthy, in CleanupHealthy and in
	// "Healthy = $healthy"): only a string literal names one (the review of run 21's checks, 11c).
	disk["Expression"] = strings.Replace(disk["Expression"].(string), "UpdateStoreFreePct", "Healthy", 1)
	assert.Equal(t, []string{"alarm MonitoringWsusDiskAlarmC3AE443E watches metric Healthy, which no script of the stacks' documents publishes"}, Published(patching, fleet))

	for _, tag := range props(fleet, "FleetappInstance29EE22299")["Tags"].([]any) {
		if tag.(map[string]any)["Key"] == "privatepatch:fleet" {
			tag.(map[string]any)["Value"] = "PrivatePatch"
		}
	}
	assert.Contains(t, joined(Intent(read(t, "../../test/testdata/example.patching.template.json"), fleet, "us-west-2", "privatepatch:fleet", "privatepatch")),
		"instance FleetappInstance29EE22299: does not carry privatepatch:fleet=privatepatch")
}

// A window the configuration installs in, whose template task only scans, is named (a held-out
// planting: the fleet would never be patched, and no error would say so), as is a task whose
// reboot option or rate control is not the configuration's.
func TestAWindowThatShouldInstallAndOnlyScansIsNamed(t *testing.T) {
	cfg, err := config.LoadDefault()
	require.NoError(t, err)
	patching := read(t, "../../test/testdata/default.patching.template.json")
	require.Empty(t, installs(patching, cfg))
	task := props(patching, "MaintenanceWindowsprivatepatchweeklyTask15A70B942")["TaskInvocationParameters"].(map[string]any)["MaintenanceWindowRunCommandParameters"].(map[string]any)
	task["Parameters"].(map[string]any)["Operation"] = []any{"Scan"}
	assert.Equal(t, []string{"window privatepatch-weekly (MaintenanceWindowsprivatepatchweeklyWindowE6C2AFD8): the configuration installs in it, the template has no Install task"}, installs(patching, cfg))
	// Mutation run 10's A10: the Install without its reboot leaves updates pending one.
	task["Parameters"].(map[string]any)["Operation"] = []any{"Install"}
	task["Parameters"].(map[string]any)["RebootOption"] = []any{"NoReboot"}
	assert.Equal(t, []string{"window privatepatch-weekly (MaintenanceWindowsprivatepatchweeklyWindowE6C2AFD8): patch tasks [Install NoReboot, MaxConcurrency 25%, MaxErrors 10%, priority 1], " +
		"the configuration's are [Install RebootIfNeeded, MaxConcurrency 25%, MaxErrors 10%, priority 1]"}, installs(patching, cfg))
	// Mutation run 18's B16: the rate control is the configuration's too.
	task["Parameters"].(map[string]any)["RebootOption"] = []any{"RebootIfNeeded"}
	props(patching, "MaintenanceWindowsprivatepatchweeklyTask15A70B942")["MaxConcurrency"] = "100%"
	assert.Equal(t, []string{"window privatepatch-weekly (MaintenanceWindowsprivatepatchweeklyWindowE6C2AFD8): patch tasks [Install RebootIfNeeded, MaxConcurrency 100%, MaxErrors 10%, priority 1], " +
		"the configuration's are [Install RebootIfNeeded, MaxConcurrency 25%, MaxErrors 10%, priority 1]"}, installs(patching, cfg))
}

// The goldens' dashboard bodies are JSON and their inline functions define their handlers; a
// broken body and a handler the code lacks are named (held-out plantings).
func TestDashboardBodiesAndInlineHandlers(t *testing.T) {
	for _, scenario := range []string{"default", "example", "rich-patching"} {
		assert.Empty(t, Bodies(read(t, "../../test/testdata/"+scenario+".patching.template.json"), read(t, "../../test/testdata/"+scenario+".fleet.template.json")), scenario)
	}
	patching := read(t, "../../test/testdata/example.patching.template.json")
	parts := props(patching, "MonitoringDashboard0C3675C6")["DashboardBody"].(map[string]any)["Fn::Join"].([]any)[1].([]any)
	parts[0] = strings.Replace(parts[0].(string), `"widgets":[`, `"widgets":[[`, 1)
	props(patching, "FindingFilterFunctionC9055CF2")["Handler"] = "index.lambda_handler"
	problems := joined(Bodies(patching))
	assert.Contains(t, problems, "dashboard MonitoringDashboard0C3675C6: its body is not JSON")
	assert.Contains(t, problems, "function FindingFilterFunctionC9055CF2: its handler index.lambda_handler is not a function its inline code (module index) defines")
	props(patching, "FindingFilterFunctionC9055CF2")["Runtime"] = "nodejs22.x"
	assert.Contains(t, joined(Bodies(patching)), "function FindingFilterFunctionC9055CF2: its inline code is python, and its runtime nodejs22.x runs another language")
	assert.Equal(t, "nodejs", inlineLanguage("const aws = require('aws-sdk');\nexports.handler = async (event) => {};"))
	assert.Equal(t, "", inlineLanguage("# nothing but a comment"))
	assert.Equal(t, "nodejs", inlineLanguage("import https from 'https';\nexport const handler = async (event) => {};"), "an ES module (a review's false alarm)")
	assert.Equal(t, "python", inlineLanguage("import json\nfrom datetime import datetime\ndef handler(event, context):\n    return None"))
}

// The cleanup is judged at the template's schedule, or not at all without its association (a
// reviewer's false alarm: the default schedule was judged against a sync at 07:00).
func TestTheServersCleanupIsJudgedAsTheTemplateSchedulesIt(t *testing.T) {
	fleet := read(t, "../../test/testdata/default.fleet.template.json")
	props(fleet, "WsusSetupAssociationCF0D774E")["Parameters"].(map[string]any)["SyncTimeUtc"] = []any{"07:00"}
	assert.Contains(t, joined(Server(fleet)), "Cleanup.Schedule", "the template's cleanup at 08:00, an hour after the sync")
	props(fleet, "WsusCleanupAssociation398E721C")["ScheduleExpression"] = "cron(0 12 ? * WED#1 *)"
	assert.Empty(t, Server(fleet), "the cleanup at noon")
	props(fleet, "WsusCleanupAssociation398E721C")["ScheduleExpression"] = "cron(0 8 ? * WED#1 *)"
	delete(fleet["Resources"].(map[string]any), "WsusCleanupAssociation398E721C")
	assert.Empty(t, Server(fleet), "no cleanup association: no cleanup to judge")
}

// A window whose name holds "FailureRule" is matched to its own rule; no region, nothing to judge.
func TestFailureRulesOfAWindowNamedLikeThemAndNoRegion(t *testing.T) {
	resources := map[string]any{
		"MaintenanceWindowsFailureRuleDrillFailureRuleB342C571": map[string]any{"Type": "AWS::Events::Rule", "Properties": map[string]any{
			"EventPattern": map[string]any{"detail": map[string]any{"window-id": []any{map[string]any{"Ref": "MaintenanceWindowsFailureRuleDrillWindow8A9A1D64"}}}}}},
	}
	assert.Empty(t, failureRules(resources))
	assert.Empty(t, Regions("", read(t, "../../test/testdata/example.network.template.json")))
}

// inventoryProblems are Inventory's problems, its notes left out.
func inventoryProblems(patching map[string]any) []string {
	problems, _ := Inventory(patching)
	return problems
}

// The inventory's tables and crawler read where the resource data sync writes (the Walkthrough's
// layout, the prefix with no slash at either end) and what it writes (a JSON SerDe and its
// formats); each planting, a held-out run's kind, is named.
func TestInventoryTablesReadWhereTheSyncWrites(t *testing.T) {
	for _, scenario := range []string{"default", "example", "rich-patching"} {
		problems, notes := Inventory(read(t, "../../test/testdata/"+scenario+".patching.template.json"))
		assert.Empty(t, problems, scenario)
		assert.Empty(t, notes, scenario)
	}
	table := func(p map[string]any) map[string]any {
		return props(p, "InventoryQueriesApplicationTable3F62D0F2")["TableInput"].(map[string]any)
	}
	join := func(v any) []any { return v.(map[string]any)["Fn::Join"].([]any)[1].([]any) }
	for _, c := range []struct {
		name, wants string
		plant       func(p map[string]any)
	}{
		// Mutation run 10's C07: the crawler allowed to rewrite the declared tables.
		{"a crawler that updates the tables", `SchemaChangePolicy UpdateBehavior "UPDATE_IN_DATABASE", not LOG`, func(p map[string]any) {
			for id, r := range p["Resources"].(map[string]any) {
				if r.(map[string]any)["Type"] == "AWS::Glue::Crawler" {
					props(p, id)["SchemaChangePolicy"].(map[string]any)["UpdateBehavior"] = "UPDATE_IN_DATABASE"
				}
			}
		}},
		{"a type's folder misspelled", "table InventoryQueriesApplicationTable3F62D0F2 (aws_application): reads s3://", func(p map[string]any) {
			parts := join(table(p)["StorageDescriptor"].(map[string]any)["Location"])
			parts[2] = "/inventory/AWS-Application/"
		}},
		{"another prefix", "(aws_application): reads s3://", func(p map[string]any) {
			parts := join(table(p)["StorageDescriptor"].(map[string]any)["Location"])
			parts[2] = "/inventory-data/AWS:Application/"
		}},
		{"a partition left out", "(aws_application): partitioned by [accountid region], not the sync's folders", func(p map[string]any) {
			input := table(p)
			input["PartitionKeys"] = input["PartitionKeys"].([]any)[:2]
		}},
		{"a projected location without the resource type", "(aws_application): projects partitions at s3://", func(p map[string]any) {
			parts := join(table(p)["Parameters"].(map[string]any)["storage.location.template"])
			parts[2] = "/inventory/AWS:Application/accountid=${accountid}/region=${region}/"
		}},
		{"a projected resource type the sync does not write (run 6's P13)", `(aws_application): projects resourcetype "ManagedInstance", and the sync writes resourcetype=ManagedInstanceInventory`, func(p map[string]any) {
			table(p)["Parameters"].(map[string]any)["projection.resourcetype.values"] = "ManagedInstance"
		}},
		{"the crawler on another prefix", "crawler InventoryQueriesCrawlerD90043AA: crawls s3://", func(p map[string]any) {
			target := props(p, "InventoryQueriesCrawlerD90043AA")["Targets"].(map[string]any)["S3Targets"].([]any)[0].(map[string]any)
			join(target["Path"])[2] = "/inventory/AWS:Application/"
		}},
		{"the sync's prefix changed", "(aws_complianceitem): reads s3://", func(p map[string]any) {
			props(p, "InventoryResourceDataSync837B1722")["S3Destination"].(map[string]any)["BucketPrefix"] = "sync"
		}},
		// Mutation run 22's A17: the prefix written with a trailing slash, which the construct
		// never writes (the review of round 2, 6c: whether the sync strips it is unconfirmed, so
		// "may write"); and its neighbour, a leading one.
		{"the sync's prefix with a trailing slash", `resource data sync InventoryResourceDataSync837B1722: BucketPrefix "inventory/" begins or ends with /: the sync may write under s3://`, func(p map[string]any) {
			props(p, "InventoryResourceDataSync837B1722")["S3Destination"].(map[string]any)["BucketPrefix"] = "inventory/"
		}},
		{"the sync's prefix with a leading slash", `BucketPrefix "/inventory" begins or ends with /: the sync may write under s3://`, func(p map[string]any) {
			props(p, "InventoryResourceDataSync837B1722")["S3Destination"].(map[string]any)["BucketPrefix"] = "/inventory"
		}},
		// Mutation run 22's A16: a table reading the sync's JSON with LazySimpleSerDe; and its
		// neighbour, a table's input format.
		{"a table's SerDe none of Athena's JSON ones", `table InventoryQueriesComplianceItemTable5CE8A955 (aws_complianceitem): SerDe "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe", ` +
			"none of Athena's JSON SerDes [com.amazon.ionhiveserde.IonHiveSerDe org.apache.hive.hcatalog.data.JsonSerDe org.openx.data.jsonserde.JsonSerDe]: " +
			"the resource data sync writes one JSON record a line (SyncFormat JsonSerDe)", func(p map[string]any) {
			storage := props(p, "InventoryQueriesComplianceItemTable5CE8A955")["TableInput"].(map[string]any)["StorageDescriptor"].(map[string]any)
			storage["SerdeInfo"].(map[string]any)["SerializationLibrary"] = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
		}},
		{"a table's input format not text", `(aws_application): InputFormat "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat", not org.apache.hadoop.mapred.TextInputFormat`, func(p map[string]any) {
			table(p)["StorageDescriptor"].(map[string]any)["InputFormat"] = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
		}},
		{"the Ion SerDe over text formats", `(aws_application): InputFormat "org.apache.hadoop.mapred.TextInputFormat", not com.amazon.ionhiveserde.formats.IonInputFormat, SerDe com.amazon.ionhiveserde.IonHiveSerDe's`, func(p map[string]any) {
			table(p)["StorageDescriptor"].(map[string]any)["SerdeInfo"].(map[string]any)["SerializationLibrary"] = "com.amazon.ionhiveserde.IonHiveSerDe"
		}},
		// The review of round 2, 6b: the OpenX SerDe told to match keys by case, or to read a
		// column from another key.
		{"the OpenX SerDe case-sensitive", `(aws_application): SerDe parameter case.insensitive is FALSE: the OpenX SerDe then matches keys by case`, func(p map[string]any) {
			table(p)["StorageDescriptor"].(map[string]any)["SerdeInfo"].(map[string]any)["Parameters"] = map[string]any{"case.insensitive": "FALSE"}
		}},
		{"an OpenX mapping to another key", `(aws_application): SerDe parameter mapping.name reads key "Publisher" into column name, not its own key`, func(p map[string]any) {
			table(p)["StorageDescriptor"].(map[string]any)["SerdeInfo"].(map[string]any)["Parameters"] = map[string]any{"mapping.name": "Publisher", "mapping.version": "Version"}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			patching := read(t, "../../test/testdata/example.patching.template.json")
			c.plant(patching)
			assert.Contains(t, joined(inventoryProblems(patching)), c.wants)
		})
	}
}

// The review of round 2, 6a and 6b's neighbours: Athena's other JSON SerDes read the sync's JSON
// (a note, as the construct's differs), and the OpenX SerDe's parameters that keep each column on
// its own key pass.
func TestInventoryTablesMayReadWithAnotherJSONSerDe(t *testing.T) {
	patching := read(t, "../../test/testdata/example.patching.template.json")
	storage := props(patching, "InventoryQueriesApplicationTable3F62D0F2")["TableInput"].(map[string]any)["StorageDescriptor"].(map[string]any)
	serde := storage["SerdeInfo"].(map[string]any)
	serde["Parameters"] = map[string]any{"case.insensitive": "TRUE", "mapping.version": "Version", "ignore.malformed.json": "TRUE"}
	problems, notes := Inventory(patching)
	assert.Empty(t, problems)
	assert.Empty(t, notes)

	serde["SerializationLibrary"] = "org.apache.hive.hcatalog.data.JsonSerDe"
	problems, notes = Inventory(patching)
	assert.Empty(t, problems)
	assert.Equal(t, []string{"table InventoryQueriesApplicationTable3F62D0F2 (aws_application): SerDe org.apache.hive.hcatalog.data.JsonSerDe, one of Athena's JSON SerDes, " +
		"differs from the construct's org.openx.data.jsonserde.JsonSerDe"}, notes)

	serde["SerializationLibrary"] = "com.amazon.ionhiveserde.IonHiveSerDe"
	storage["InputFormat"], storage["OutputFormat"] = "com.amazon.ionhiveserde.formats.IonInputFormat", "com.amazon.ionhiveserde.formats.IonOutputFormat"
	problems, notes = Inventory(patching)
	assert.Empty(t, problems)
	assert.Len(t, notes, 1)
}

// A window the configuration targets by patch groups targets those in the template; one renamed
// group (mutation run 6's P03: verify only noted it) or one more is named.
func TestAWindowTargetsTheConfigurationsPatchGroups(t *testing.T) {
	cfg, err := config.LoadDefault()
	require.NoError(t, err)
	patching := read(t, "../../test/testdata/default.patching.template.json")
	require.Empty(t, windowPatchGroups(patching, cfg))
	target := props(patching, "MaintenanceWindowsprivatepatchweeklyTarget6FF7FFF6")["Targets"].([]any)[0].(map[string]any)
	target["Values"] = []any{"windows-production"}
	assert.Equal(t, []string{"window privatepatch-weekly (MaintenanceWindowsprivatepatchweeklyWindowE6C2AFD8): targets patch groups [windows-production], the configuration's are [windows]"},
		windowPatchGroups(patching, cfg))
	target["Values"] = []any{"windows"}
	cfg.Patching.MaintenanceWindows[0].Targets.PatchGroups = []string{"windows", "windows"}
	assert.Empty(t, windowPatchGroups(patching, cfg), "a group listed twice in the configuration (a review's false alarm)")
	cfg.Patching.MaintenanceWindows[0].Targets.PatchGroups = []string{"windows"}
	target["Values"] = []any{"windows", "wsus"}
	assert.Contains(t, joined(windowPatchGroups(patching, cfg)), "targets patch groups [windows wsus], the configuration's are [windows]")
}

// Each alarm on a metric the scripts publish can fire and stop; a threshold no value crosses
// (mutation run 6's P06: LastSyncSucceeded LessThan 0), one every value crosses and a comparison
// the wrong way are named.
func TestAlarmsOnTheScriptsMetricsCanFireAndStop(t *testing.T) {
	for _, scenario := range []string{"default", "example", "rich-patching"} {
		patching := read(t, "../../test/testdata/"+scenario+".patching.template.json")
		assert.Empty(t, Thresholds(patching), scenario)
		// Every query alarm reads a metric whose range is known: a new one must say its range.
		for id, a := range cfntemplate.OfType(cfntemplate.Resources(patching), "AWS::CloudWatch::Alarm") {
			for _, m := range cfntemplate.List(a["Metrics"]) {
				if match := insightsAggregate.FindStringSubmatch(cfntemplate.Text(m.(map[string]any)["Expression"])); match != nil {
					assert.Contains(t, wsusspec.MetricRanges, match[2], "%s: %s", scenario, id)
				}
			}
		}
	}
	for _, c := range []struct {
		alarm, comparison string
		threshold         float64
		wants             string
	}{
		{"MonitoringWsusSyncFailedAlarmD7FB9C5C", "LessThanThreshold", 0, "LessThanThreshold 0 never holds for LastSyncSucceeded, which is 0 to 1: the alarm never fires"},
		{"MonitoringWsusDiskAlarmC3AE443E", "LessThanThreshold", 101, "LessThanThreshold 101 holds for every value of UpdateStoreFreePercent (0 to 100): the alarm never stops"},
		{"MonitoringWsusSyncStaleAlarm487ABB8A", "GreaterThanThreshold", 10000, "never holds for HoursSinceLastSync, which is 0 to 9999"},
		{"WsusCleanupAlarmDA354700", "GreaterThanOrEqualToThreshold", 0, "fires on GreaterThanOrEqualToThreshold 0 of CleanupHealthy, whose trouble is a low value"},
		// Mutation run 7's p07: the stale-sync alarm turned the other way.
		{"MonitoringWsusSyncStaleAlarm487ABB8A", "LessThanThreshold", 26, "fires on LessThanThreshold 26 of HoursSinceLastSync, whose trouble is a high value"},
	} {
		patching := read(t, "../../test/testdata/example.patching.template.json")
		a := props(patching, c.alarm)
		a["ComparisonOperator"], a["Threshold"] = c.comparison, c.threshold
		assert.Contains(t, joined(Thresholds(patching)), c.wants, c.alarm)
	}
}

// The saved queries compare compliance items with values Systems Manager records; mutation run 6's
// P12 ('PATCH'), a status in another case and a custom type no document reports are named.
func TestSavedQueriesCompareWithRecordedValues(t *testing.T) {
	for _, scenario := range []string{"default", "example", "rich-patching"} {
		assert.Empty(t, Queries(read(t, "../../test/testdata/"+scenario+".patching.template.json"), read(t, "../../test/testdata/"+scenario+".fleet.template.json")), scenario)
	}
	for _, c := range []struct{ query, from, to, wants string }{
		{"InventoryQueriesMissingPatchesAC5C217E", "compliancetype = 'Patch'", "compliancetype = 'PATCH'", `compares compliancetype with "PATCH", which is none of [Patch Association]`},
		{"InventoryQueriesMissingPatchesAC5C217E", "status = 'NON_COMPLIANT'", "status = 'Non_Compliant'", `compares status with "Non_Compliant"`},
		{"InventoryQueriesFailedChecksBC2E0DF5", "compliancetype = 'Custom:CCE'", "compliancetype = 'Custom:CIS'", `compares compliancetype with "Custom:CIS", which no document of the stacks reports`},
	} {
		patching, fleet := read(t, "../../test/testdata/example.patching.template.json"), read(t, "../../test/testdata/example.fleet.template.json")
		q := props(patching, c.query)
		text, ok := q["QueryString"].(string)
		require.True(t, ok && strings.Contains(text, c.from), c.query)
		q["QueryString"] = strings.Replace(text, c.from, c.to, 1)
		assert.Contains(t, joined(Queries(patching, fleet)), c.wants)
	}
}

// An agent update either template schedules inside a window is named (a miss of earlier mutation
// runs), the WSUS server's too, whose associations are in the fleet stack and its window in the
// patching stack (a review's find: checked one template at a time, it was never compared).
func TestAnAgentUpdateInsideATemplatesWindowIsNamed(t *testing.T) {
	patching, fleet := read(t, "../../test/testdata/default.patching.template.json"), read(t, "../../test/testdata/default.fleet.template.json")
	require.Empty(t, AgentUpdates(patching, fleet))
	updates := map[string]string{}
	for name, template := range map[string]map[string]any{"patching": patching, "fleet": fleet} {
		for id, r := range template["Resources"].(map[string]any) {
			if p, _ := r.(map[string]any)["Properties"].(map[string]any); p != nil && p["Name"] == "AWS-UpdateSSMAgent" {
				updates[name] = id
			}
		}
	}
	require.Len(t, updates, 2, "the default stacks update the fleet's agents and the server's")
	props(fleet, updates["fleet"])["ScheduleExpression"] = "cron(30 2 ? * SAT#2 *)"
	assert.Contains(t, joined(AgentUpdates(patching, fleet)), "association "+updates["fleet"]+": updates SSM Agent (cron(30 2 ? * SAT#2 *)) while window MaintenanceWindowsprivatepatchwsusWindow")
	props(patching, updates["patching"])["ScheduleExpression"] = "cron(30 2 ? * SUN#2 *)"
	assert.Contains(t, joined(AgentUpdates(patching, fleet)), "association "+updates["patching"]+": updates SSM Agent (cron(30 2 ? * SUN#2 *)) while window MaintenanceWindowsprivatepatchweeklyWindow")
}

// Each alarm on a script's metric hears from its publisher often enough; a health script moved to
// every two hours (an alarm of 30-minute periods that breaches on missing data) and one moved
// beyond the 3 hours a Metrics Insights alarm evaluates are named.
func TestAlarmsHearFromTheirPublishersOftenEnough(t *testing.T) {
	for _, scenario := range []string{"default", "example", "rich-patching"} {
		patching, fleet := read(t, "../../test/testdata/"+scenario+".patching.template.json"), read(t, "../../test/testdata/"+scenario+".fleet.template.json")
		assert.Empty(t, Cadence(patching, fleet), scenario)
	}
	patching, fleet := read(t, "../../test/testdata/example.patching.template.json"), read(t, "../../test/testdata/example.fleet.template.json")
	props(fleet, "WsusHealthAssociation0EE2101C")["ScheduleExpression"] = "rate(2 hours)"
	assert.Contains(t, joined(Cadence(patching, fleet)), "alarm MonitoringWsusSyncFailedAlarmD7FB9C5C: reads LastSyncSucceeded every 30m0s with missing data breaching, and association WsusHealthAssociation0EE2101C publishes it every 2h0m0s")
	props(fleet, "WsusCleanupReportAssociation299BB976")["ScheduleExpression"] = "rate(3 hours)"
	assert.Contains(t, joined(Cadence(patching, fleet)), "alarm WsusCleanupAlarmDA354700: a Metrics Insights alarm evaluates the latest 3h0m0s, and association WsusCleanupReportAssociation299BB976 publishes CleanupHealthy every 3h0m0s")
}

// Every resource holding data is retained, except by the rollback of the deploy that created it;
// a log group left to be deleted (mutation run 7's n11), a volume replaced without keeping its
// data, and a bucket and a Security Hub kept by a failed first deploy (plain Retain: a
// reviewer's find, the retry fails on the bucket's name and on the hub), a Security Hub standard
// set to be deleted (held-out run 44's A10) and the WSUS server's Elastic IP left to be released
// are named.
func TestDataIsRetainedWhenTheStackDeletesOrReplacesIt(t *testing.T) {
	for _, scenario := range goldenScenarios {
		assert.Empty(t, Retention(goldenStacks(t, scenario, "network", "fleet", "patching")...), scenario)
	}
	network, fleet := read(t, "../../test/testdata/example.network.template.json"), read(t, "../../test/testdata/example.fleet.template.json")
	network["Resources"].(map[string]any)["NetworkFlowLogGroup4F8CEEEF"].(map[string]any)["DeletionPolicy"] = "Delete"
	delete(fleet["Resources"].(map[string]any)["WsusUpdateStore63860FE1"].(map[string]any), "UpdateReplacePolicy")
	fleet["Resources"].(map[string]any)["CommandOutputBucket0DD4DD73"].(map[string]any)["DeletionPolicy"] = "Retain"
	patching := read(t, "../../test/testdata/example.patching.template.json")
	hub := patching["Resources"].(map[string]any)["SecurityHub0D479FA2"].(map[string]any)
	require.Equal(t, spec.KeptDeletionPolicy, hub["DeletionPolicy"])
	hub["DeletionPolicy"] = "Retain"
	problems := joined(Retention(network, fleet, patching))
	assert.Contains(t, problems, `AWS::Logs::LogGroup NetworkFlowLogGroup4F8CEEEF: DeletionPolicy is "Delete", not RetainExceptOnCreate`)
	assert.Contains(t, problems, `AWS::EC2::Volume WsusUpdateStore63860FE1: UpdateReplacePolicy is "", not Retain`)
	assert.Contains(t, problems, `AWS::S3::Bucket CommandOutputBucket0DD4DD73: DeletionPolicy is "Retain", not RetainExceptOnCreate: a failed first deploy leaves it behind`)
	assert.Contains(t, problems, `AWS::SecurityHub::Hub SecurityHub0D479FA2: DeletionPolicy is "Retain", not RetainExceptOnCreate: a failed first deploy leaves it behind`)

	// Held-out run 44's A10: a standard set to be deleted with the stack switches it off for the
	// account's hub.
	patching = read(t, "../../test/testdata/example.patching.template.json")
	for id, r := range patching["Resources"].(map[string]any) {
		if r := r.(map[string]any); r["Type"] == "AWS::SecurityHub::Standard" {
			r["DeletionPolicy"], r["UpdateReplacePolicy"] = "Delete", "Delete"
			problems := joined(Retention(patching))
			assert.Contains(t, problems, `AWS::SecurityHub::Standard `+id+`: DeletionPolicy is "Delete", not RetainExceptOnCreate`)
			assert.Contains(t, problems, `AWS::SecurityHub::Standard `+id+`: UpdateReplacePolicy is "Delete", not Retain`)
		}
	}

	// The WSUS server's Elastic IP, which firewalls may allow, is kept as data is; a NAT
	// gateway's, which goes with its gateway, is not judged.
	fleet = read(t, "../../test/testdata/example.fleet.template.json")
	delete(fleet["Resources"].(map[string]any)["WsusElasticIpF14AC9D4"].(map[string]any), "DeletionPolicy")
	assert.Contains(t, joined(Retention(fleet)), `AWS::EC2::EIP WsusElasticIpF14AC9D4: DeletionPolicy is "", not RetainExceptOnCreate`)
	nat := goldenStacks(t, "nat-per-az", "network")
	require.Len(t, nat, 1)
	require.Contains(t, nat[0]["Resources"], "NetworkVpcPublicSubnet1EIPE0D52090")
	assert.Empty(t, Retention(nat...))
}

// The WSUS server synchronises the product of every Windows release the fleet runs; another
// release's product and a fleet instance on another release are named. A title no release has
// (mutation run 7's f05, "Windows Server 2022") is not judged: it may be a product family, and a
// title missing from the catalogue fails the setup run, naming it.
func TestTheServerSynchronisesTheFleetsWindowsProducts(t *testing.T) {
	for _, scenario := range goldenScenarios {
		if fleet := goldenStacks(t, scenario, "fleet"); len(fleet) > 0 {
			assert.Empty(t, Products(fleet[0]), scenario)
		}
	}
	fleet := read(t, "../../test/testdata/example.fleet.template.json")
	props(fleet, "WsusSetupAssociationCF0D774E")["Parameters"].(map[string]any)["Products"] = []any{"Microsoft Server operating system-24H2"}
	assert.Contains(t, joined(Products(fleet)), `instance FleetappInstance1E092C320: runs Windows Server 2022, whose WSUS product "Microsoft Server operating system-21H2" the server does not synchronise`)
	// Mutation run 19's B11: an instance moved to a release no version of windowsspec is, whose
	// product the server synchronises nothing of.
	fleet = read(t, "../../test/testdata/example.fleet.template.json")
	props(fleet, "FleetappInstance1E092C320")["ImageId"] = "resolve:ssm:/aws/service/ami-windows-latest/Windows_Server-2016-English-Full-Base"
	assert.Contains(t, joined(Products(fleet)), "instance FleetappInstance1E092C320: runs the AMI of /aws/service/ami-windows-latest/Windows_Server-2016-English-Full-Base, a Windows release privatepatch does not support")
	// A review's false alarms: another capitalisation (PowerShell's -in ignores case), and a
	// product family, which verify cannot judge.
	for _, products := range []string{"Microsoft Server Operating System-21H2", "Windows"} {
		fleet = read(t, "../../test/testdata/example.fleet.template.json")
		props(fleet, "WsusSetupAssociationCF0D774E")["Parameters"].(map[string]any)["Products"] = []any{products}
		assert.Empty(t, Products(fleet), products)
	}
	fleet = read(t, "../../test/testdata/example.fleet.template.json")
	props(fleet, "FleetappInstance29EE22299")["ImageId"] = "resolve:ssm:/aws/service/ami-windows-latest/Windows_Server-2025-English-Full-Base"
	assert.Equal(t, []string{`instance FleetappInstance29EE22299: runs Windows Server 2025, whose WSUS product "Microsoft Server operating system-24H2" the server does not synchronise (Products [Microsoft Server operating system-21H2]): it finds nothing to install`},
		Products(fleet))
}

// A dashboard body reads as text given whole as a string, as an Fn::Join, or as an Fn::Sub (the
// second review's 15b: it read as "PLACEHOLDER" and was skipped): a Ref or GetAtt within reads as
// Fn::Sub writes it, a Sub's own variable as its value, ${!x} as ${x}; a body given by another
// intrinsic whole is not rendered.
func TestBodyTextOfAStringAJoinAndASub(t *testing.T) {
	rendered := func(v any) string {
		text, ok := bodyText(v)
		require.True(t, ok, "%v", v)
		return text
	}
	assert.Equal(t, `{"widgets":[]}`, rendered(`{"widgets":[]}`))
	_, ok := bodyText(map[string]any{"Ref": "Body"})
	assert.False(t, ok, "a parameter's body is not rendered")
	assert.Equal(t, `a"${X}"b"${Alarm.Arn}"c"PLACEHOLDER"`, rendered(map[string]any{"Fn::Join": []any{"", []any{`a"`, map[string]any{"Ref": "X"}, `"b"`,
		map[string]any{"Fn::GetAtt": []any{"Alarm", "Arn"}}, `"c"`, map[string]any{"Fn::ImportValue": "Y"}, `"`}}}))
	assert.Equal(t, `{"region":"${AWS::Region}","alarms":["arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:${Alarm}","${Alarm.Arn}"],"title":"${Title}","x":"eu-west-1"}`,
		rendered(map[string]any{"Fn::Sub": []any{
			`{"region":"${AWS::Region}","alarms":["arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:${Alarm}","${Alarm.Arn}"],"title":"${!Title}","x":"${Other}"}`,
			map[string]any{"Other": "eu-west-1"}}}))
}

// Review round 3's 14a: an Fn::Sub or Fn::Join body with a Parameter where JSON takes a value
// ("period":${Period}) is JSON once CloudFormation substitutes it, so it is no "not JSON" and its
// widgets are still read; a token within a string stays; a body broken beside the token still fails.
func TestABodyTokenWhereJSONTakesAValueIsNoParseFailure(t *testing.T) {
	patching := read(t, "../../test/testdata/example.patching.template.json")
	patching["Parameters"].(map[string]any)["Period"] = map[string]any{"Type": "Number", "Default": "300"}
	dashboard := props(patching, "MonitoringDashboard0C3675C6")
	const widget = `{"type":"metric","properties":{"title":"runs","region":"${AWS::Region}","period":${Period},"metrics":[["AWS/SSM-RunCommand","CommandsFailed"]]}}`
	dashboard["DashboardBody"] = map[string]any{"Fn::Sub": `{"widgets":[` + widget + `]}`}
	assert.Empty(t, Bodies(patching))
	assert.Empty(t, UnjudgedBodies(patching))
	assert.Equal(t, `{"widgets":[`+strings.Replace(widget, "${Period}", "0", 1)+`]}`, joinedText(dashboard["DashboardBody"]), "the region's token stays")
	dashboard["DashboardBody"] = map[string]any{"Fn::Join": []any{"", []any{`{"widgets":[{"type":"metric","properties":{"period":`,
		map[string]any{"Ref": "Period"}, `,"title":"a \"quoted\" ${x}"}}]}`}}}
	assert.Empty(t, Bodies(patching))
	assert.Len(t, dashboardWidgets(dashboard), 1)
	dashboard["DashboardBody"] = map[string]any{"Fn::Sub": `{"widgets":[{"type":"metric","properties":{"period":${Period},}}]}`}
	assert.Equal(t, []string{"dashboard MonitoringDashboard0C3675C6: its body is not JSON: invalid character '}' looking for beginning of object key string"}, Bodies(patching))
}

// The fourth review's M1: a token standing for the widgets' array (a String Parameter, read as
// 0) leaves the body's widgets unread, and UnjudgedBodies says so; a Number Parameter there does not.
func TestABodyTokenStandingForTheWidgetsIsNoted(t *testing.T) {
	patching := read(t, "../../test/testdata/example.patching.template.json")
	patching["Parameters"].(map[string]any)["Widgets"] = map[string]any{"Type": "String"}
	dashboard := props(patching, "MonitoringDashboard0C3675C6")
	dashboard["DashboardBody"] = map[string]any{"Fn::Sub": `{"widgets": ${Widgets}}`}
	assert.Empty(t, Bodies(patching), "JSON once substituted")
	assert.Empty(t, DashboardRegions("eu-west-1", "", patching), "no widget read")
	assert.Equal(t, []string{"dashboard MonitoringDashboard0C3675C6: its body holds ${Widgets} where JSON takes a value, which may stand for an array or object " +
		"(the widgets, a widget, its metrics): what it stands for is not judged"}, UnjudgedBodies(patching))
	dashboard["DashboardBody"] = map[string]any{"Fn::Join": []any{"", []any{`{"widgets":`, map[string]any{"Fn::If": []any{"c", "[]", "[]"}}, `}`}}}
	assert.Len(t, UnjudgedBodies(patching), 1, "an intrinsic's PLACEHOLDER too")
}

// Each baseline is declared as configured; mutation run 8's plantings (a Windows baseline
// reporting missing security updates compliant, a Linux baseline for another release) and a
// delay and a filter changed are named.
func TestBaselinesAreDeclaredAsConfigured(t *testing.T) {
	cfg, err := config.Load("../../config/example.yaml")
	require.NoError(t, err)
	patching := read(t, "../../test/testdata/example.patching.template.json")
	require.Empty(t, Baselines(patching, cfg))
	b := props(patching, "BaselineswindowsprodE78DA516")
	b["AvailableSecurityUpdatesComplianceStatus"] = "COMPLIANT"
	rule := b["ApprovalRules"].(map[string]any)["PatchRules"].([]any)[0].(map[string]any)
	rule["ApproveAfterDays"] = float64(30)
	filters := rule["PatchFilterGroup"].(map[string]any)["PatchFilters"].([]any)
	for _, f := range filters {
		if f.(map[string]any)["Key"] == "MSRC_SEVERITY" {
			f.(map[string]any)["Values"] = []any{"Critical"}
		}
	}
	props(patching, "Baselineslinuxal2023026EA259")["OperatingSystem"] = "AMAZON_LINUX_2"
	problems := joined(Baselines(patching, cfg))
	assert.Contains(t, problems, `baseline windows-prod (BaselineswindowsprodE78DA516): AvailableSecurityUpdatesComplianceStatus "COMPLIANT", the configuration's NON_COMPLIANT`)
	assert.Contains(t, problems, "baseline windows-prod (BaselineswindowsprodE78DA516): rule 0 approves after 30 days, the configuration's 7")
	assert.Contains(t, problems, "baseline windows-prod (BaselineswindowsprodE78DA516): rule 0 filters MSRC_SEVERITY [Critical], the configuration's [Critical Important]")
	assert.Contains(t, problems, "baseline linux-al2023 (Baselineslinuxal2023026EA259): OperatingSystem AMAZON_LINUX_2, the configuration's AMAZON_LINUX_2023")
}

// The security resources are declared as configured; mutation run 8's plantings are named: the
// Security Hub rule on CRITICAL only, a suppression without its severities (it would suppress
// every finding on the tagged resources) or comparing its tag NOT_EQUALS (run 9), a standard's ARN in the ruleset form, and a Config
// rule scoped to instances.
func TestSecurityResourcesAreDeclaredAsConfigured(t *testing.T) {
	cfg, err := config.Load("../../config/example.yaml")
	require.NoError(t, err)
	patching := read(t, "../../test/testdata/example.patching.template.json")
	require.Empty(t, Security(patching, cfg))
	standard := ""
	for id, r := range patching["Resources"].(map[string]any) {
		p, _ := r.(map[string]any)["Properties"].(map[string]any)
		switch {
		case strings.HasPrefix(id, "SecuritySecurityHubFindingsRule") && r.(map[string]any)["Type"] == "AWS::Events::Rule":
			p["EventPattern"].(map[string]any)["detail"].(map[string]any)["findings"].(map[string]any)["Severity"] = map[string]any{"Label": []any{"CRITICAL"}}
		case strings.HasPrefix(id, "SecuritySuppressionprivatepatchdevlow"):
			delete(p["FilterCriteria"].(map[string]any), "Severity")
			// Mutation run 9's R13: the tag compared NOT_EQUALS hides every other resource's findings.
			p["FilterCriteria"].(map[string]any)["ResourceTags"].([]any)[0].(map[string]any)["Comparison"] = "NOT_EQUALS"
		case strings.HasPrefix(id, "SecurityStandard") && r.(map[string]any)["Type"] == "AWS::SecurityHub::Standard":
			p["StandardsArn"] = "arn:aws:securityhub:::ruleset/aws-foundational-security-best-practices/v/1.0.0"
			standard = id
		case strings.HasPrefix(id, "SecurityPatchCompliance"):
			p["Scope"] = map[string]any{"ComplianceResourceTypes": []any{"AWS::EC2::Instance"}}
		case strings.HasPrefix(id, "SecurityManagedBySsm"):
			// Mutation run 20's A18: a frequency on a rule configuration changes trigger.
			p["MaximumExecutionFrequency"] = "TwentyFour_Hours"
		}
	}
	problems := joined(Security(patching, cfg))
	// Mutation run 11's A19: a managed rule identifier no rule has; and one left out.
	typo := read(t, "../../test/testdata/example.patching.template.json")
	for id, r := range typo["Resources"].(map[string]any) {
		if strings.HasPrefix(id, "SecurityPatchCompliance") {
			r.(map[string]any)["Properties"].(map[string]any)["Source"].(map[string]any)["SourceIdentifier"] = "EC2_MANAGEDINSTANCE_PATCH_COMPLIANCE"
		}
		if strings.HasPrefix(id, "SecurityManagedBySsm") {
			delete(typo["Resources"].(map[string]any), id)
		}
	}
	typos := joined(Security(typo, cfg))
	assert.Contains(t, typos, `"EC2_MANAGEDINSTANCE_PATCH_COMPLIANCE" is not one of the managed rules the configuration asks for in us-west-2`)
	assert.Contains(t, typos, "no config rule runs EC2_MANAGEDINSTANCE_PATCH_COMPLIANCE_STATUS_CHECK, which security.configRules asks for in us-west-2")
	assert.Contains(t, typos, "no config rule runs EC2_INSTANCE_MANAGED_BY_SSM")
	// Mutation run 10's C02: a standard of another region's hub.
	other := read(t, "../../test/testdata/example.patching.template.json")
	props(other, standard)["StandardsArn"] = "arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0"
	assert.Contains(t, joined(Security(other, cfg)), "names region eu-west-1, not the deployment's us-west-2")
	for _, want := range []string{"alerts on severities [CRITICAL], the configuration's (findingAlertSeverity HIGH and above) [HIGH CRITICAL]",
		"suppresses severities [], the configuration's [INFORMATIONAL LOW]",
		"ResourceTags compares with NOT_EQUALS, not EQUALS: it suppresses findings the configuration does not name",
		"arn:aws:securityhub:::ruleset/aws-foundational-security-best-practices/v/1.0.0 is not arn:<partition>:securityhub:<region>::<path> of a configured standard",
		"scoped to [AWS::EC2::Instance], and EC2_MANAGEDINSTANCE_PATCH_COMPLIANCE_STATUS_CHECK evaluates [AWS::SSM::PatchCompliance]",
		"MaximumExecutionFrequency TwentyFour_Hours on EC2_INSTANCE_MANAGED_BY_SSM, which configuration changes trigger"} {
		assert.Contains(t, problems, want)
	}
}

// The hub and the standards are the configuration's (mutation run 23's A02 and A03): a configured
// standard whose resource is deleted, or enabled twice, or disabling a control (held-out run 42's
// A11), the hub's AutoEnableControls turned false, its EnableDefaultStandards left unset (true),
// and a hub declared where the configuration uses an existing one, are named.
func TestSecurityHubAndItsStandardsAreTheConfigurations(t *testing.T) {
	cfg, err := config.Load("../../config/example.yaml")
	require.NoError(t, err)
	find := func(template map[string]any, resourceType string) string {
		for id, r := range template["Resources"].(map[string]any) {
			if r.(map[string]any)["Type"] == resourceType {
				return id
			}
		}
		t.Fatalf("no %s", resourceType)
		return ""
	}
	patching := read(t, "../../test/testdata/example.patching.template.json")
	require.Empty(t, securityHub(cfntemplate.Resources(patching), cfg))
	delete(patching["Resources"].(map[string]any), find(patching, "AWS::SecurityHub::Standard"))
	assert.Equal(t, []string{"no AWS::SecurityHub::Standard enables aws-foundational-security-best-practices (standards/aws-foundational-security-best-practices/v/1.0.0), " +
		"which security.securityHub.standards asks for: the hub the stack creates enables no default standards, so its controls are never evaluated"}, Security(patching, cfg))
	// An existing hub's standards are the account's: the message says what the stack leaves out
	// (review round 3's 13a), with the stack's hub gone as an existing hub asks.
	existingHub := *cfg
	existingHub.Security.SecurityHub.Existing = true
	delete(patching["Resources"].(map[string]any), find(patching, "AWS::SecurityHub::Hub"))
	assert.Equal(t, []string{"no AWS::SecurityHub::Standard enables aws-foundational-security-best-practices (standards/aws-foundational-security-best-practices/v/1.0.0), " +
		"which security.securityHub.standards asks for: the stack never enables it on the existing hub, whose own standards and switches (AutoEnableControls) " +
		"are the account's and not judged here"}, Security(patching, &existingHub))

	patching = read(t, "../../test/testdata/example.patching.template.json")
	standard := find(patching, "AWS::SecurityHub::Standard")
	patching["Resources"].(map[string]any)["Twice"] = patching["Resources"].(map[string]any)[standard]
	assert.Equal(t, []string{"standards [" + standard + " Twice] all enable aws-foundational-security-best-practices: the configuration asks for one"}, Security(patching, cfg))

	patching = read(t, "../../test/testdata/example.patching.template.json")
	hub := find(patching, "AWS::SecurityHub::Hub")
	props(patching, hub)["AutoEnableControls"] = false
	delete(props(patching, hub), "EnableDefaultStandards")
	problems := joined(Security(patching, cfg))
	assert.Contains(t, problems, "hub "+hub+": AutoEnableControls false, where the construct sets true (compliancespec.HubAutoEnableControls): the controls AWS adds")
	assert.Contains(t, problems, "hub "+hub+": EnableDefaultStandards true, where the construct sets false (compliancespec.HubEnableDefaultStandards)")

	// Held-out run 42's A11: a control the configuration does not disable, switched off.
	patching = read(t, "../../test/testdata/example.patching.template.json")
	props(patching, standard)["DisabledStandardsControls"] = []any{map[string]any{"Reason": "x", "StandardsControlArn": map[string]any{"Fn::Join": []any{"",
		[]any{"arn:aws:securityhub:eu-west-1:", map[string]any{"Ref": "AWS::AccountId"}, ":control/aws-foundational-security-best-practices/v/1.0.0/SSM.1"}}}}}
	assert.Equal(t, []string{"standard " + standard + ": disables control arn:aws:securityhub:eu-west-1:{\"Ref\":\"AWS::AccountId\"}:control/aws-foundational-security-best-practices/v/1.0.0/SSM.1, " +
		"which the configuration does not disable: its findings are never made"}, Security(patching, cfg))

	existing := *cfg
	existing.Security.SecurityHub.Existing = true
	assert.Equal(t, []string{"hub " + hub + ": the configuration creates no hub (securityHub enabled true, existing true): creating one where the account has it fails, " +
		"and one not asked for enables Security Hub account-wide"}, Security(read(t, "../../test/testdata/example.patching.template.json"), &existing))
}

// Mutation run 8's misses that the templates decide, planted: an Automation document as a hook,
// AWS-NoOp for AWS-Noop, the finding filter's table keyed by an attribute its code never writes,
// the update store attached at the root device, a flow log of rejected traffic only, and the
// health alarms reading a dimension the script never sets.
func TestRunEightsTemplateDecidedMissesAreNamed(t *testing.T) {
	rich := read(t, "../../test/testdata/rich-patching.patching.template.json")
	require.Empty(t, Hooks(rich))
	props(rich, "MaintenanceWindowsafterpatchtuesdayTask2PreInstallHookB15140ED")["DocumentType"] = "Automation"
	task := props(rich, "MaintenanceWindowsafterpatchtuesdayTask243096E0F")["TaskInvocationParameters"].(map[string]any)["MaintenanceWindowRunCommandParameters"].(map[string]any)
	task["Parameters"].(map[string]any)["PostInstallHookDocName"] = []any{"AWS-NoOp"}
	hooks := joined(Hooks(rich))
	assert.Contains(t, hooks, `PreInstallHookDocName is document MaintenanceWindowsafterpatchtuesdayTask2PreInstallHookB15140ED of type "Automation", not a Command document`)
	assert.Contains(t, hooks, `PostInstallHookDocName names "AWS-NoOp", an AWS document the hooks page does not name (AWS-Noop)`)

	patching := read(t, "../../test/testdata/example.patching.template.json")
	require.Empty(t, Tables(patching))
	props(patching, "FindingFilterTable62798218")["KeySchema"] = []any{map[string]any{"AttributeName": "findingId", "KeyType": "HASH"}}
	assert.Equal(t, []string{`function FindingFilterFunctionC9055CF2: table FindingFilterTable62798218 is keyed by "findingId", which its code never names`}, Tables(patching))

	fleet := read(t, "../../test/testdata/example.fleet.template.json")
	require.Empty(t, Devices(fleet))
	props(fleet, "WsusUpdateStoreAttachment88DFB5F3")["Device"] = "/dev/sda1"
	assert.Equal(t, []string{"volume attachment WsusUpdateStoreAttachment88DFB5F3: device /dev/sda1 is a root device name: the attachment fails"}, Devices(fleet))

	network := read(t, "../../test/testdata/example.network.template.json")
	require.Empty(t, FlowLogs(network))
	props(network, "NetworkVpcFlowLog9B71FB8D")["TrafficType"] = "REJECT"
	assert.Equal(t, []string{"flow log NetworkVpcFlowLog9B71FB8D: records REJECT traffic, not ALL"}, FlowLogs(network))

	patching, fleet = read(t, "../../test/testdata/example.patching.template.json"), read(t, "../../test/testdata/example.fleet.template.json")
	lines := props(fleet, "WsusHealthDocumentBD0DBD38")["Content"].(map[string]any)["mainSteps"].([]any)[0].(map[string]any)["inputs"].(map[string]any)["runCommand"].([]any)
	for i, line := range lines {
		lines[i] = strings.ReplaceAll(line.(string), "$dimension.Name = 'InstanceId'", "$dimension.Name = 'Instance'")
	}
	assert.Contains(t, joined(Cadence(patching, fleet)), "alarm MonitoringWsusDiskAlarmC3AE443E: reads UpdateStoreFreePercent by dimension [InstanceId], which association WsusHealthAssociation0EE2101C's script never names")
}

// Mutation run 8's remaining template misses, planted: the cleanup association reporting instead
// of cleaning up, and the sync-failed alarm treating a silent server as healthy.
func TestTheCleanupCleansUpAndSilenceAlarms(t *testing.T) {
	cfg, err := config.Load("../../config/example.yaml")
	require.NoError(t, err)
	fleet := read(t, "../../test/testdata/example.fleet.template.json")
	require.Empty(t, CleanupModes(fleet, cfg))
	props(fleet, "WsusCleanupAssociation398E721C")["Parameters"].(map[string]any)["Mode"] = []any{"Report"}
	problems := joined(CleanupModes(fleet, cfg))
	assert.Contains(t, problems, "association WsusCleanupAssociation398E721C: runs the cleanup document in Mode Report on cron(0 8 ? * WED#1 *), where the configuration's is Cleanup")
	assert.Contains(t, problems, "no association runs its document in Mode Cleanup")

	patching := read(t, "../../test/testdata/example.patching.template.json")
	props(patching, "MonitoringWsusSyncFailedAlarmD7FB9C5C")["TreatMissingData"] = "notBreaching"
	assert.Contains(t, joined(Thresholds(patching)), `alarm MonitoringWsusSyncFailedAlarmD7FB9C5C: treats missing LastSyncSucceeded as "notBreaching"`)
}

// The documents carry the shipped scripts unaltered; run 8's script-body plantings (the setup's
// SyncFromMicrosoftUpdate, the client's TargetGroupEnabled) and run 6's (the firewall's
// direction, the Guest account's RID) are named as edits.
func TestDocumentsCarryTheShippedScriptsUnaltered(t *testing.T) {
	shipped, err := ShippedScripts("../..")
	require.NoError(t, err)
	for _, scenario := range goldenScenarios {
		assert.Empty(t, Scripts(shipped, goldenStacks(t, scenario, "fleet", "patching")...), scenario)
	}
	for _, c := range []struct{ document, from, to, path string }{
		{"WsusSetupDocumentD23DE8FA", "SyncFromMicrosoftUpdate = $true", "SyncFromMicrosoftUpdate = $false", "constructs/wsus/wsus-setup.ps1"},
		{"WsusSetupDocumentD23DE8FA", "-Direction Inbound", "-Direction Outbound", "constructs/wsus/wsus-setup.ps1"},
		{"WsusClientDocumentD8F64115", "[int] ($TargetGroup -ne '')", "[int] ($TargetGroup -eq '')", "constructs/wsus/wsus-client.ps1"},
		{"ConfigurationChecksDocumentE059575A", "'*-501'", "'*-500'", "constructs/compliance/cce-windows.ps1"},
	} {
		fleet := read(t, "../../test/testdata/example.fleet.template.json")
		planted := false
		for _, step := range props(fleet, c.document)["Content"].(map[string]any)["mainSteps"].([]any) {
			lines := step.(map[string]any)["inputs"].(map[string]any)["runCommand"].([]any)
			for i, line := range lines {
				if text := line.(string); strings.Contains(text, c.from) && !planted {
					lines[i], planted = strings.Replace(text, c.from, c.to, 1), true
				}
			}
		}
		require.True(t, planted, c.from)
		assert.Contains(t, joined(Scripts(shipped, fleet)), "document "+c.document+": step ", c.from)
		assert.Contains(t, joined(Scripts(shipped, fleet)), "carries "+c.path+", edited", c.from)
	}
}

// The functions' inline code is the shipped script: held-out run 42's A06 (Inspector's enabler
// turning on ECR scanning, not EC2) and an edit of the finding filter are named.
func TestFunctionsCarryTheShippedScriptsUnaltered(t *testing.T) {
	shipped, err := ShippedScripts("../..")
	require.NoError(t, err)
	for _, c := range []struct{ function, from, to, appended, path string }{
		{"SecurityInspectorEnablerFunctionEEFB072E", `enable(resourceTypes=["EC2"])`, `enable(resourceTypes=["ECR"])`, "", "constructs/compliance/compliancespec/inspectorenabler.py"},
		{"FindingFilterFunctionC9055CF2", "def handler(event, context):", "def handler(event, context=None):", "", "constructs/compliance/compliancespec/findingfilter.py"},
		// The neighbour: the script whole, and a line after it that undoes it.
		{"SecurityInspectorEnablerFunctionEEFB072E", "", "", "\nhandler = lambda event, context: None\n", "constructs/compliance/compliancespec/inspectorenabler.py"},
	} {
		patching := read(t, "../../test/testdata/example.patching.template.json")
		require.Empty(t, Scripts(shipped, patching))
		code := props(patching, c.function)["Code"].(map[string]any)
		require.Contains(t, code["ZipFile"], c.from)
		code["ZipFile"] = strings.Replace(code["ZipFile"].(string), c.from, c.to, 1) + c.appended
		assert.Equal(t, []string{"function " + c.function + ": its inline code carries " + c.path + ", edited: it is not the script its tests prove"},
			Scripts(shipped, patching), c.from+c.appended)
	}
}

// A window's start of the stopped targets runs before its patch tasks, and their stop and the
// promotion after them; mutation run 9's N07 (the stop beside the Install) and R02 (the promotion
// before it), and a start beside the Install, are named; the order the constructs write passes.
func TestAWindowStartsBeforeAndStopsAndPromotesAfterItsPatchTasks(t *testing.T) {
	task := func(priority float64, document any, params map[string]any) map[string]any {
		r := map[string]any{"WindowId": map[string]any{"Ref": "Window"}, "TaskArn": document, "Priority": priority}
		if params != nil {
			r["TaskInvocationParameters"] = map[string]any{"MaintenanceWindowAutomationParameters": map[string]any{"Parameters": params}}
		}
		return map[string]any{"Type": "AWS::SSM::MaintenanceWindowTask", "Properties": r}
	}
	execution := []any{"{{WINDOW_EXECUTION_ID}}"}
	template := func(start, install, stop, promote float64) map[string]any {
		return map[string]any{"Resources": map[string]any{
			"Window":  map[string]any{"Type": "AWS::SSM::MaintenanceWindow", "Properties": map[string]any{"Name": "w", "Schedule": "cron(0 2 ? * SUN *)", "Duration": 4.0, "Cutoff": 1.0}},
			"Start":   task(start, map[string]any{"Ref": "Runbook"}, map[string]any{"Action": []any{"start"}, "WindowExecutionId": execution}),
			"Install": task(install, "AWS-RunPatchBaseline", nil),
			"Stop":    task(stop, map[string]any{"Ref": "Runbook"}, map[string]any{"Action": []any{"stop"}, "WindowExecutionId": execution}),
			"Promote": task(promote, map[string]any{"Ref": "Promotion"}, map[string]any{"Prefix": []any{"promote/dev/"}, "WindowExecutionId": execution}),
		}}
	}
	assert.Empty(t, taskOrder(template(0, 1, 3, 2)["Resources"].(map[string]any), "Window"))
	for _, c := range []struct {
		name                          string
		start, install, stop, promote float64
		wants                         string
	}{
		{"the stop beside the Install", 0, 1, 1, 2, "task Stop stops the targets it started at priority 1, not after a patch task's 1"},
		{"the promotion before the Install", 0, 2, 3, 1, "task Promote promotes what the run installed at priority 1, not after a patch task's 2"},
		{"the start beside the Install", 1, 1, 3, 2, "task Start starts the stopped targets at priority 1, not before a patch task's 1"},
	} {
		assert.Contains(t, joined(SpecProblems(template(c.start, c.install, c.stop, c.promote))), "window Window: "+c.wants, c.name)
	}
}

// No instance that carries "Patch Group" allows tags in its instance metadata; mutation run 9's N11
// (a launch template switched to enabled) is named; the goldens pass.
func TestInstancesWithAPatchGroupTagKeepTagsOutOfInstanceMetadata(t *testing.T) {
	for _, scenario := range goldenScenarios {
		for _, fleet := range goldenStacks(t, scenario, "fleet") {
			assert.Empty(t, MetadataTags(fleet), scenario)
		}
	}
	fleet := read(t, "../../test/testdata/example.fleet.template.json")
	options := props(fleet, "FleetappInstance1LaunchTemplate747227D7")["LaunchTemplateData"].(map[string]any)["MetadataOptions"].(map[string]any)
	options["InstanceMetadataTags"] = "enabled"
	assert.Equal(t, []string{`instance FleetappInstance1E092C320: its launch template FleetappInstance1LaunchTemplate747227D7 allows tags in instance metadata, and it carries the tag key "Patch Group", with a space: Patch Manager then needs PatchGroup, without one`},
		MetadataTags(fleet))
}

// The alarms on EventBridge's metrics name their rules by name; mutation run 9's E13 (the window's
// failure alarm given the rule's ARN) is named, and the goldens pass.
func TestEventBridgeMetricAlarmsNameTheirRulesByName(t *testing.T) {
	for _, scenario := range goldenScenarios {
		for _, patching := range goldenStacks(t, scenario, "patching") {
			assert.Empty(t, EventMetricAlarms(patching), scenario)
		}
	}
	patching := read(t, "../../test/testdata/example.patching.template.json")
	dimension := props(patching, "MaintenanceWindowsweeklyprodFailureAlarmB06AFC81")["Dimensions"].([]any)[0].(map[string]any)
	rule := cfntemplate.Ref(dimension["Value"])
	require.NotEmpty(t, rule)
	dimension["Value"] = map[string]any{"Fn::GetAtt": []any{rule, "Arn"}}
	assert.Equal(t, []string{`alarm MaintenanceWindowsweeklyprodFailureAlarmB06AFC81: its RuleName dimension is {"Fn::GetAtt":["` + rule + `","Arn"]}, not a rule's name (its Ref): no EventBridge metric carries it, and the alarm never sees data`},
		EventMetricAlarms(patching))
}

// A security group rule names the region's S3 prefix list; mutation run 9's N04 (another
// region's id, which a NAT route hid from the flow table) is named; the example passes.
func TestSecurityGroupsNameTheRegionsS3PrefixList(t *testing.T) {
	network := read(t, "../../test/testdata/example.network.template.json")
	assert.Empty(t, PrefixLists(network, "pl-68a54001"))
	assert.Empty(t, PrefixLists(network, ""), "no configured id: CDK's lookup is not judged")
	props(network, "NetworkPrivateSecurityGroup457D0836")["SecurityGroupEgress"].([]any)[0].(map[string]any)["DestinationPrefixListId"] = "pl-6da54004"
	assert.Equal(t, []string{"security group rule NetworkPrivateSecurityGroup457D0836: DestinationPrefixListId pl-6da54004 is not the region's S3 prefix list pl-68a54001 (network.s3PrefixListIds): another region's list does not exist here, and the deploy fails"},
		PrefixLists(network, "pl-68a54001"))
}

// The goldens' stop alarms latch on their failure alarms, each failure alarm counts its own
// window's rule, and the association-failure rule names every association once; mutation run
// 11's B20 (a failure alarm counting another window's rule), run 10's B12 (a failure alarm treating missing data as not
// breaching) and A13 (the client association's id replaced by the setup's) are named.
func TestFailureLatchesHoldAndEveryAssociationAlerts(t *testing.T) {
	for _, scenario := range goldenScenarios {
		stacks := goldenStacks(t, scenario, "patching", "fleet")
		if len(stacks) < 2 {
			continue
		}
		assert.Empty(t, FailureAlarmLatches(stacks[0]), scenario)
		assert.Empty(t, FailureAlarmWindows(stacks[0], goldenAlarmPrefix), scenario)
		assert.Empty(t, AssociationAlerts(stacks[0], stacks[1]), scenario)
	}
	// Mutation run 11's B20: the weekly window's failure alarm counting the WSUS window's rule.
	swapped := read(t, "../../test/testdata/default.patching.template.json")
	for _, d := range props(swapped, "MaintenanceWindowsprivatepatchweeklyFailureAlarm128B2280")["Dimensions"].([]any) {
		d.(map[string]any)["Value"] = map[string]any{"Ref": "MaintenanceWindowsprivatepatchwsusFailureRule57398DAB"}
	}
	assert.Equal(t, []string{"alarm MaintenanceWindowsprivatepatchweeklyFailureAlarm128B2280 (privatepatch-patching-privatepatch-weekly-failed): " +
		"counts rule MaintenanceWindowsprivatepatchwsusFailureRule57398DAB, which matches the executions of window(s) [privatepatch-wsus], not of the window its name is for"},
		FailureAlarmWindows(swapped, goldenAlarmPrefix))
	// A window whose name ends the other's: the WSUS window renamed "weekly", its rule counted by
	// privatepatch-weekly's alarm (the name's suffix "-weekly-failed" matched both before).
	props(swapped, "MaintenanceWindowsprivatepatchwsusWindowAA8482A2")["Name"] = "weekly"
	props(swapped, "MaintenanceWindowsprivatepatchwsusFailureAlarmA8194CC7")["AlarmName"] = goldenAlarmPrefix + "weekly-failed"
	assert.Equal(t, []string{"alarm MaintenanceWindowsprivatepatchweeklyFailureAlarm128B2280 (privatepatch-patching-privatepatch-weekly-failed): " +
		"counts rule MaintenanceWindowsprivatepatchwsusFailureRule57398DAB, which matches the executions of window(s) [weekly], not of the window its name is for"},
		FailureAlarmWindows(swapped, goldenAlarmPrefix))
	// Held-out run 36's B06: the weekly window's failure rule on the window's own state change
	// (enabled, disabled), a documented event that is no execution's: its alarm never latches.
	stateChange := read(t, "../../test/testdata/default.patching.template.json")
	props(stateChange, "MaintenanceWindowsprivatepatchweeklyFailureRule3B4275B3")["EventPattern"].(map[string]any)["detail-type"] = []any{"Maintenance Window State-change Notification"}
	assert.Equal(t, []string{"alarm MaintenanceWindowsprivatepatchweeklyFailureAlarm128B2280 (privatepatch-patching-privatepatch-weekly-failed): " +
		"counts rule MaintenanceWindowsprivatepatchweeklyFailureRule3B4275B3, which matches no window's execution events, not of the window its name is for"},
		FailureAlarmWindows(stateChange, goldenAlarmPrefix))
	patching, fleet := read(t, "../../test/testdata/example.patching.template.json"), read(t, "../../test/testdata/example.fleet.template.json")
	props(patching, "MaintenanceWindowsweeklyprodFailureAlarmB06AFC81")["TreatMissingData"] = "notBreaching"
	assert.Equal(t, []string{`alarm MaintenanceWindowsweeklyprodFailureAlarmB06AFC81: a stop alarm's failure latch treats missing data as "notBreaching", not ignore: it turns OK while no window fails, and the failed ring stops holding the next one back`},
		FailureAlarmLatches(patching))
	ids := props(patching, "AlertsAssociationRuleE799A159")["EventPattern"].(map[string]any)["detail"].(map[string]any)["association-id"].([]any)
	for i, v := range ids {
		if strings.Contains(mustJSONText(t, v), "WsusClientAssociation") {
			ids[i] = ids[0]
		}
	}
	problems := joined(AssociationAlerts(patching, fleet))
	assert.Contains(t, problems, "names association WsusClientAssociationD1829CE5 0 times, not once: its failures alert nobody")
	assert.Contains(t, problems, "names association WsusSetupAssociationCF0D774E 2 times, not once: its failures alert twice")
}

func mustJSONText(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return string(data)
}

// Windows whose names differ only in punctuation (dev-ring, the dev ring's; dev_ring, another
// group's) share a logical id prefix: the rollout check finds alarms by name, and wants the prod
// ring's stop alarm to name dev-ring's failure only (a review's false alarm, /tmp/fa14/fa-6.yaml).
func TestRolloutStopsFindAlarmsByNameNotByLogicalId(t *testing.T) {
	cfg, err := config.Parse("windows named alike", []byte(`region: us-west-2
network:
  s3PrefixListIds: {us-west-2: pl-68a54001}
  s3PrefixListCidrs: {us-west-2: [3.5.76.0/22, 52.218.128.0/17]}
patching:
  baselines:
    - {name: other-windows, preset: aws-default-windows, patchGroups: [win-other]}
  rings:
    preset: aws-default-windows
    stages:
      - {patchGroup: win-dev, approveAfterDays: 0}
      - {patchGroup: win-prod, approveAfterDays: 3}
  maintenanceWindows:
    - {name: wsus-patch, schedule: "cron(0 23 ? * TUE#2 *)", durationHours: 2, targets: {patchGroups: [wsus]}}
    - {name: dev-ring, schedule: "cron(0 3 ? * TUE#2 *)", scheduleOffset: 1, durationHours: 2, targets: {patchGroups: [win-dev]}}
    - {name: dev_ring, schedule: "cron(0 3 ? * TUE#2 *)", scheduleOffset: 2, durationHours: 2, targets: {patchGroups: [win-other]}}
    - {name: prod-ring, schedule: "cron(0 3 ? * TUE#2 *)", scheduleOffset: 5, durationHours: 3, targets: {patchGroups: [win-prod]}}
`))
	require.NoError(t, err)
	prefix := cfg.StackName("patching") + "-"
	alarm := func(window string) map[string]any {
		return map[string]any{"Type": "AWS::CloudWatch::Alarm", "Properties": map[string]any{"AlarmName": patchingspec.FailureAlarmName(prefix, window)}}
	}
	stop := func(rule string) map[string]any {
		return map[string]any{"Type": "AWS::CloudWatch::CompositeAlarm", "Properties": map[string]any{
			"AlarmName": patchingspec.StopAlarmName(prefix, "prod-ring-Task1"), "AlarmRule": rule}}
	}
	template := map[string]any{"Resources": map[string]any{
		"MaintenanceWindowsdevringFailureAlarm11111111":  alarm("dev-ring"),
		"MaintenanceWindowsdevringFailureAlarm22222222":  alarm("dev_ring"),
		"MaintenanceWindowsprodringFailureAlarm33333333": alarm("prod-ring"),
		"MaintenanceWindowsprodringStopAlarm1AAAAAAAA":   stop(`ALARM("` + patchingspec.FailureAlarmName(prefix, "prod-ring") + `") OR ALARM("` + patchingspec.FailureAlarmName(prefix, "dev-ring") + `")`),
	}}
	assert.Empty(t, RolloutStops(template, cfg))
	template["Resources"].(map[string]any)["MaintenanceWindowsprodringStopAlarm1AAAAAAAA"] = stop(`ALARM("` + patchingspec.FailureAlarmName(prefix, "prod-ring") + `")`)
	assert.Contains(t, joined(RolloutStops(template, cfg)), "its rule does not name "+patchingspec.FailureAlarmName(prefix, "dev-ring"))
}

// Suppressions named "low" and "dev-low": each filter is judged against its own suppression, found
// by its whole name, not by a suffix both names share (a review's false alarm, /tmp/fa14/fa-3.yaml).
func TestEachSuppressionIsJudgedByItsWholeName(t *testing.T) {
	cfg, err := config.Load("../../config/example.yaml")
	require.NoError(t, err)
	cfg.Security.Inspector.Suppressions = append(cfg.Security.Inspector.Suppressions, config.InspectorSuppression{Name: "low", Reason: "reviewed monthly", Severities: []string{"LOW"}})
	patching := read(t, "../../test/testdata/example.patching.template.json")
	resources := patching["Resources"].(map[string]any)
	resources["SecuritySuppressionprivatepatchlow00000000"] = map[string]any{"Type": "AWS::InspectorV2::Filter", "Properties": map[string]any{
		"Name": cfg.InspectorSuppressionName("low"), "FilterAction": "SUPPRESS",
		"FilterCriteria": map[string]any{"Severity": []any{map[string]any{"Comparison": "EQUALS", "Value": "LOW"}}}}}
	require.Equal(t, "privatepatch-dev-low", props(patching, "SecuritySuppressionprivatepatchdevlow2BCBBC59")["Name"], "the example's suppression, whose name ends in -low")
	assert.Empty(t, suppressions(resources, cfg))
}

// No two alarms of a deployment share a name; a window's failure alarm named as the WSUS
// synchronisation alarm is (a review's find, which validation now refuses too).
func TestAlarmNamesAreUniqueInADeployment(t *testing.T) {
	for _, scenario := range goldenScenarios {
		assert.Empty(t, AlarmNames(goldenStacks(t, scenario, "network", "fleet", "patching")...), scenario)
	}
	patching := read(t, "../../test/testdata/example.patching.template.json")
	props(patching, "MaintenanceWindowsweeklyprodFailureAlarmB06AFC81")["AlarmName"] = "privatepatch-patching-wsus-sync-failed"
	assert.Contains(t, joined(AlarmNames(patching)), "named privatepatch-patching-wsus-sync-failed, as alarm")
}

// The goldens' scans run outside every window; mutation run 11's B10 (the scan moved into the
// weekly window) is named, and a rate scan is not judged.
func TestScansRunOutsideTheWindows(t *testing.T) {
	for _, scenario := range goldenScenarios {
		for _, patching := range goldenStacks(t, scenario, "patching") {
			assert.Empty(t, ScansOutsideWindows(patching), scenario)
		}
	}
	patching := read(t, "../../test/testdata/default.patching.template.json")
	var scans []string
	for id, r := range patching["Resources"].(map[string]any) {
		if strings.HasPrefix(id, "ScanPatchGroupwindows") {
			r.(map[string]any)["Properties"].(map[string]any)["ScheduleExpression"] = "cron(0 3 ? * SUN *)"
			scans = append(scans, id)
		}
	}
	require.Len(t, scans, 1)
	problems := ScansOutsideWindows(patching)
	require.Len(t, problems, 1)
	assert.Contains(t, problems[0], "scan association "+scans[0]+" (cron(0 3 ? * SUN *)): runs while window privatepatch-weekly (cron(0 2 ? * SUN *)) is open")
	props(patching, scans[0])["ScheduleExpression"] = "rate(1 day)"
	assert.Empty(t, ScansOutsideWindows(patching), "a rate's runs depend on its creation: not judged")
}

// Mutation run 12's misses, planted: the S3 endpoint's VpcId and a subnet id off the configured
// existing VPC (A05); a scan of "Windows" for the group "windows" (A18); a NAT gateway moved into
// a private subnet (B02); the promotion's WindowExecutionId given another pseudo parameter, and a
// Run Command task passing {{RESOURCE_ID}} (B14); the command-output bucket expiring after a day
// (B20). Each goldens' scenario passes first.
func TestRunTwelvesMissesAreNamed(t *testing.T) {
	existing, err := config.Parse("existing.yaml", []byte(`
region: us-west-2
network:
  s3PrefixListIds: {us-west-2: pl-68a54001}
  existingVpc:
    vpcId: vpc-0a1b2c3d4e5f60718
    cidr: 10.20.0.0/16
    privateSubnets:
      - {id: subnet-0aaaaaaaaaaaaaaa1, cidr: 10.20.10.0/24, zone: us-west-2a, routeTableId: rtb-0aaaaaaaaaaaaaaa1}
      - {id: subnet-0aaaaaaaaaaaaaaa2, cidr: 10.20.11.0/24, zone: us-west-2b, routeTableId: rtb-0aaaaaaaaaaaaaaa2}
    publicSubnets:
      - {id: subnet-0bbbbbbbbbbbbbbb1, cidr: 10.20.0.0/24, zone: us-west-2a}
      - {id: subnet-0bbbbbbbbbbbbbbb2, cidr: 10.20.1.0/24, zone: us-west-2b}
    interfaceEndpoints: created
    s3Endpoint: created
`))
	require.NoError(t, err)
	network := read(t, "../../test/testdata/existing-vpc.network.template.json")
	require.Empty(t, ExistingVpcIds(existing, network))
	var endpoint string
	for id, r := range network["Resources"].(map[string]any) {
		if r.(map[string]any)["Type"] == "AWS::EC2::VPCEndpoint" && props(network, id)["VpcEndpointType"] == "Gateway" {
			endpoint = id
		}
	}
	require.NotEmpty(t, endpoint)
	props(network, endpoint)["VpcId"] = "vpc-0a1b2c3d4e5f60719"
	problems := joined(ExistingVpcIds(existing, network))
	assert.Contains(t, problems, endpoint+": VpcId vpc-0a1b2c3d4e5f60719 is not the configured existing VPC vpc-0a1b2c3d4e5f60718")
	for id, r := range network["Resources"].(map[string]any) {
		if r.(map[string]any)["Type"] == "AWS::EC2::VPCEndpoint" && props(network, id)["VpcEndpointType"] == "Interface" {
			props(network, id)["SubnetIds"] = []any{"subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa9"}
			break
		}
	}
	assert.Contains(t, joined(ExistingVpcIds(existing, network)), "SubnetIds subnet-0aaaaaaaaaaaaaaa9 is none of the configured existing VPC's subnets")

	cfg, err := config.Load("../../config/default.yaml")
	require.NoError(t, err)
	patching := read(t, "../../test/testdata/default.patching.template.json")
	require.Empty(t, scanPatchGroups(patching, cfg))
	props(patching, "ScanPatchGroupwindows2ED98C7E")["Targets"] = []any{map[string]any{"Key": "tag:Patch Group", "Values": []any{"Windows"}}}
	assert.Equal(t, []string{
		"scan association ScanPatchGroupwindows2ED98C7E: scans tag:Patch Group=Windows, which is no configured patch group under that key [tag:Patch Group=windows tag:Patch Group=wsus]",
		"no scan association scans tag:Patch Group=windows, a configured patch group"}, scanPatchGroups(patching, cfg))
	// Scans off: none is wanted, and one that appears is named (a false-alarm hunt's find).
	cfg.Patching.Scan.Enabled = false
	unscanned := read(t, "../../test/testdata/default.patching.template.json")
	for id, r := range unscanned["Resources"].(map[string]any) {
		if strings.HasPrefix(id, "Scan") && r.(map[string]any)["Type"] == "AWS::SSM::Association" {
			delete(unscanned["Resources"].(map[string]any), id)
		}
	}
	assert.Empty(t, scanPatchGroups(unscanned, cfg))
	assert.NotEmpty(t, scanPatchGroups(read(t, "../../test/testdata/default.patching.template.json"), cfg))
	cfg.Patching.Scan.Enabled = true

	nat := read(t, "../../test/testdata/nat-per-az.network.template.json")
	require.Empty(t, NatSubnets(nat))
	var gateway, private string
	for id, r := range nat["Resources"].(map[string]any) {
		switch {
		case r.(map[string]any)["Type"] == "AWS::EC2::NatGateway" && gateway == "":
			gateway = id
		case r.(map[string]any)["Type"] == "AWS::EC2::Subnet" && strings.Contains(id, "Private") && private == "":
			private = id
		}
	}
	props(nat, gateway)["SubnetId"] = map[string]any{"Ref": private}
	assert.Equal(t, []string{"NAT gateway " + gateway + ": its subnet " + private + " routes 0.0.0.0/0 to no internet gateway: it is no public subnet, and the NAT reaches nothing"}, NatSubnets(nat))

	patching = read(t, "../../test/testdata/default.patching.template.json")
	require.Empty(t, taskPseudoParameters(patching["Resources"].(map[string]any)))
	automation := props(patching, "MaintenanceWindowsprivatepatchweeklyPrePatchImageE1971ACD")["TaskInvocationParameters"].(map[string]any)["MaintenanceWindowAutomationParameters"].(map[string]any)
	automation["Parameters"].(map[string]any)["WindowExecutionId"] = []any{"{{TASK_EXECUTION_ID}}"}
	runCommand := props(patching, "MaintenanceWindowsprivatepatchweeklyTask15A70B942")["TaskInvocationParameters"].(map[string]any)["MaintenanceWindowRunCommandParameters"].(map[string]any)
	runCommand["Parameters"].(map[string]any)["InstanceId"] = []any{"{{RESOURCE_ID}}"}
	pseudo := joined(taskPseudoParameters(patching["Resources"].(map[string]any)))
	assert.Contains(t, pseudo, "task MaintenanceWindowsprivatepatchweeklyPrePatchImageE1971ACD: parameter WindowExecutionId passes {{TASK_EXECUTION_ID}}, not {{WINDOW_EXECUTION_ID}}")
	assert.Contains(t, pseudo, "task MaintenanceWindowsprivatepatchweeklyTask15A70B942: Run Command parameter InstanceId passes {{RESOURCE_ID}}, which Run Command tasks cannot use")

	fleet := read(t, "../../test/testdata/default.fleet.template.json")
	require.Empty(t, Lifecycles(cfg, fleet, read(t, "../../test/testdata/default.network.template.json")))
	rule := props(fleet, "CommandOutputBucket0DD4DD73")["LifecycleConfiguration"].(map[string]any)["Rules"].([]any)[0].(map[string]any)
	rule["ExpirationInDays"] = float64(1) // as JSON decodes it
	assert.Equal(t, []string{"bucket CommandOutputBucket0DD4DD73: objects expire after 1 days, not the 365 of commandOutput.retentionDays"}, Lifecycles(cfg, fleet))
	fleet["Resources"].(map[string]any)["OtherBucket"] = map[string]any{"Type": "AWS::S3::Bucket", "Properties": map[string]any{}}
	assert.Contains(t, joined(Lifecycles(cfg, fleet)), "bucket OtherBucket: neither the command-output nor a flow-log bucket")
}

// Mutation run 13's misses, planted: a launch template with the metadata endpoint off (A13), an
// instance given its role for an instance profile (A14), a gp3 volume at 100 IOPS (A15), the cron
// flag on a rate association (A16), the WSUS client's AUOptions off the configuration's (B05), an
// http URL against an https-only pattern (B06), the Windows checks under a Linux precondition
// (B07), a stack group carrying tag filters (B11), a window on another resource group (B12), an
// e-mail subscribed by sms (B20). Each golden passes first.
func TestRunThirteensMissesAreNamed(t *testing.T) {
	fleet := read(t, "../../test/testdata/example.fleet.template.json")
	require.Empty(t, Launches(fleet))
	require.Empty(t, CronOnlyFlags(fleet))
	require.Empty(t, GroupQueries(fleet))
	props(fleet, "FleetappInstance1LaunchTemplate747227D7")["LaunchTemplateData"].(map[string]any)["MetadataOptions"].(map[string]any)["HttpEndpoint"] = "disabled"
	props(fleet, "FleetappInstance29EE22299")["IamInstanceProfile"] = map[string]any{"Ref": "FleetRole427BC000"}
	props(fleet, "WsusUpdateStore63860FE1")["Iops"] = float64(100)
	launches := joined(Launches(fleet))
	assert.Contains(t, launches, "launch template FleetappInstance1LaunchTemplate747227D7: the instance metadata endpoint is disabled")
	assert.Contains(t, launches, "instance FleetappInstance29EE22299: IamInstanceProfile {\"Ref\":\"FleetRole427BC000\"} is no instance profile of the template")
	assert.Contains(t, launches, "volume WsusUpdateStore63860FE1: 100 IOPS, under the 3000 a gp3 volume takes")

	for id, r := range fleet["Resources"].(map[string]any) {
		if strings.HasPrefix(id, "WsusAgentUpdateSchedule1") {
			r.(map[string]any)["Properties"].(map[string]any)["ScheduleExpression"] = "rate(14 days)"
			assert.Equal(t, []string{"association " + id + ": ApplyOnlyAtCronInterval with rate(14 days), which is not a cron expression: the flag is not supported for rate expressions"}, CronOnlyFlags(fleet))
			// Held-out run 31's B05: an offset on a rate schedule; on the cron with the flag it passes.
			r.(map[string]any)["Properties"].(map[string]any)["ApplyOnlyAtCronInterval"] = false
			r.(map[string]any)["Properties"].(map[string]any)["ScheduleOffset"] = float64(2)
			assert.Equal(t, []string{"association " + id + ": ScheduleOffset 2 with rate(14 days) and ApplyOnlyAtCronInterval false: an offset takes a cron expression and the flag, " +
				"or the association is not created"}, CronOnlyFlags(fleet))
			r.(map[string]any)["Properties"].(map[string]any)["ScheduleExpression"] = "cron(0 3 ? * SUN *)"
			r.(map[string]any)["Properties"].(map[string]any)["ApplyOnlyAtCronInterval"] = true
			assert.Empty(t, CronOnlyFlags(fleet))
		}
	}
	props(fleet, "ResourceGroupsStack1D1FF3B0")["ResourceQuery"].(map[string]any)["Query"].(map[string]any)["TagFilters"] = []any{map[string]any{"Key": "Environment", "Values": []any{"Prod"}}}
	assert.Equal(t, []string{"resource group ResourceGroupsStack1D1FF3B0: a CLOUDFORMATION_STACK_1_0 query with TagFilters, which only TAG_FILTERS_1_0 takes"}, GroupQueries(fleet))

	cfg, err := config.Load("../../config/example.yaml")
	require.NoError(t, err)
	fleet = read(t, "../../test/testdata/example.fleet.template.json")
	require.Empty(t, clientPolicy(fleet, cfg))
	props(fleet, "WsusClientAssociationD1829CE5")["Parameters"].(map[string]any)["AUOptions"] = []any{"4"}
	assert.Equal(t, []string{`association WsusClientAssociationD1829CE5: AUOptions is "4", the configuration's (wsus.client) "3"`}, clientPolicy(fleet, cfg))

	fleet = read(t, "../../test/testdata/example.fleet.template.json")
	require.Empty(t, Documents(fleet))
	content := props(fleet, "WsusClientDocumentD8F64115")["Content"].(map[string]any)
	content["parameters"].(map[string]any)["WsusUrl"].(map[string]any)["allowedPattern"] = `^https://[A-Za-z0-9.-]+:8531$`
	assert.Contains(t, joined(Documents(fleet)), `parameter WsusUrl "http://10.0.0.10:8530" does not match its allowedPattern ^https://[A-Za-z0-9.-]+:8531$`)

	shipped, err := ShippedScripts("../..")
	require.NoError(t, err)
	fleet = read(t, "../../test/testdata/example.fleet.template.json")
	require.Empty(t, Scripts(shipped, fleet))
	steps := props(fleet, "ConfigurationChecksDocumentE059575A")["Content"].(map[string]any)["mainSteps"].([]any)
	steps[0].(map[string]any)["precondition"] = map[string]any{"StringEquals": []any{"platformType", "Linux"}}
	assert.Equal(t, []string{"document ConfigurationChecksDocumentE059575A: step 0 carries constructs/compliance/cce-windows.ps1, a Windows script, under a Linux precondition: it never runs where it should (mutation run 13's B07)"}, Scripts(shipped, fleet))

	rich, err := config.Parse("rich.yaml", []byte(`
region: us-west-2
network:
  s3PrefixListIds: {us-west-2: pl-68a54001}
  s3PrefixListCidrs: {us-west-2: [54.231.160.0/19]}
patching:
  maintenanceWindows:
    - {name: after-patch-tuesday, schedule: 'cron(0 3 ? * TUE#2 *)', targets: {resourceGroup: windows-servers}}
`))
	require.NoError(t, err)
	patching := read(t, "../../test/testdata/rich-patching.patching.template.json")
	require.Empty(t, windowPatchGroups(patching, rich))
	props(patching, "MaintenanceWindowsafterpatchtuesdayTarget63AF771A")["Targets"].([]any)[0].(map[string]any)["Values"] = []any{"database-servers"}
	assert.Equal(t, []string{"window after-patch-tuesday: target MaintenanceWindowsafterpatchtuesdayTarget63AF771A names resource group(s) [database-servers], the configuration's is windows-servers"}, windowPatchGroups(patching, rich))

	patching = read(t, "../../test/testdata/example.patching.template.json")
	require.Empty(t, emailSubscriptions(patching, cfg))
	props(patching, "AlertsTopicpatchingalertsexamplecomEE1E8059")["Protocol"] = "sms"
	assert.Equal(t, []string{`subscription AlertsTopicpatchingalertsexamplecomEE1E8059: the configured e-mail patching-alerts@example.com by protocol "sms", not email`}, emailSubscriptions(patching, cfg))
}

// Mutation run 13's weak catches, now named: a RESOURCE_GROUP target typed INSTANCE (A11), and a
// checks association on a resource group nothing creates or names (B09).
func TestTargetTypesAndNamedGroupsAreJudged(t *testing.T) {
	patching := read(t, "../../test/testdata/rich-patching.patching.template.json")
	require.Empty(t, TargetTypes(patching))
	props(patching, "MaintenanceWindowsafterpatchtuesdayTarget63AF771A")["ResourceType"] = "INSTANCE"
	assert.Contains(t, joined(TargetTypes(patching)), "window target MaintenanceWindowsafterpatchtuesdayTarget63AF771A: key resource-groups:Name with ResourceType INSTANCE")

	cfg, err := config.Load("../../config/example.yaml")
	require.NoError(t, err)
	fleet, examplePatching := read(t, "../../test/testdata/example.fleet.template.json"), read(t, "../../test/testdata/example.patching.template.json")
	require.Empty(t, namedGroups(cfg, fleet, examplePatching))
	var checks string
	for id, r := range fleet["Resources"].(map[string]any) {
		if strings.HasPrefix(id, "ConfigurationChecksAssociation") && strings.Contains(mustJSONText(t, r), "resource-groups:Name") {
			checks = id
		}
	}
	require.NotEmpty(t, checks)
	props(fleet, checks)["Targets"].([]any)[0].(map[string]any)["Values"] = []any{"privatepatch-Nowhere"}
	assert.Equal(t, []string{"AWS::SSM::Association " + checks + ": targets resource group privatepatch-Nowhere, which neither the stacks create nor the configuration names"},
		namedGroups(cfg, fleet, examplePatching))
}

// Mutation run 14's misses, planted: a private subnet's default route deleted and another's
// narrowed, and a NAT gateway made private (B01-B03); an endpoint of another region's service
// (A17); a stack output read from another region and another stack (A01, A02); a failure alarm
// on AWS/EventBridge (A12); the setup association no longer after the volume's attachment (A19).
func TestRunFourteensMissesAreNamed(t *testing.T) {
	cfg, err := config.Load("../../config/default.yaml")
	require.NoError(t, err)
	cfg.Network.Nat.Enabled = true
	network := read(t, "../../test/testdata/nat-per-az.network.template.json")
	require.Empty(t, NatRoutes(network, cfg))
	require.Empty(t, EndpointRegions(network, "us-west-2"))
	resources := network["Resources"].(map[string]any)
	delete(resources, "NetworkVpcPrivateSubnet2DefaultRouteA15DC6D5")
	props(network, "NetworkVpcPrivateSubnet1DefaultRoute08635105")["DestinationCidrBlock"] = "0.0.0.0/1"
	props(network, "NetworkVpcPublicSubnet1NATGateway64781A21")["ConnectivityType"] = "private"
	routes := joined(NatRoutes(network, cfg))
	assert.Contains(t, routes, `NAT gateway NetworkVpcPublicSubnet1NATGateway64781A21: connectivity "private": a private NAT gateway reaches no internet`)
	for _, subnet := range []string{"NetworkVpcPrivateSubnet1Subnet", "NetworkVpcPrivateSubnet2Subnet"} {
		assert.Regexp(t, "subnet "+subnet+"[0-9A-F]{8}: network.nat is on, and its route table", routes)
	}
	props(network, "NetworkEndpointsssm96AED6CF")["ServiceName"] = "com.amazonaws.eu-west-1.ssm"
	assert.Equal(t, []string{"VPC endpoint NetworkEndpointsssm96AED6CF: service com.amazonaws.eu-west-1.ssm is of region eu-west-1, not the deployment's us-west-2"}, EndpointRegions(network, "us-west-2"))

	patching := read(t, "../../test/testdata/default.patching.template.json")
	require.Empty(t, StackOutputRefs(cfg, patching))
	require.Empty(t, MetricNamespaces(patching))
	text := strings.Replace(mustJSONText(t, patching), `"Region":"us-west-2","StackName":"privatepatch-fleet"`, `"Region":"eu-west-1","StackName":"privatepatch-prod-fleet"`, 1)
	var moved map[string]any
	require.NoError(t, json.Unmarshal([]byte(text), &moved))
	refs := joined(StackOutputRefs(cfg, moved))
	assert.Contains(t, refs, "reads an output of stack privatepatch-prod-fleet, not one of the deployment's [privatepatch-network privatepatch-fleet privatepatch-patching]")
	assert.Contains(t, refs, "reads an output in region eu-west-1, not the deployment's us-west-2")
	props(patching, "MaintenanceWindowsprivatepatchweeklyFailureAlarm128B2280")["Namespace"] = "AWS/EventBridge"
	assert.Equal(t, []string{"alarm MaintenanceWindowsprivatepatchweeklyFailureAlarm128B2280: reads EventBridge's TriggeredRules in AWS/EventBridge, not AWS/Events: it never sees data"}, MetricNamespaces(patching))

	fleet := read(t, "../../test/testdata/default.fleet.template.json")
	require.Empty(t, AttachedBeforeUse(fleet))
	delete(fleet["Resources"].(map[string]any)["WsusSetupAssociationCF0D774E"].(map[string]any), "DependsOn")
	assert.Equal(t, []string{"association WsusSetupAssociationCF0D774E: is given volume WsusUpdateStore63860FE1 (UpdateStoreVolumeId) and does not depend on its attachment WsusUpdateStoreAttachment88DFB5F3: its first run may find no disk"}, AttachedBeforeUse(fleet))
}

// Mutation run 15's misses, planted: an environment variable the code reads removed (A04), reserved
// concurrency 0 (A05), a PROVISIONED table without throughput (A10), a crawler's cron with * in
// both day fields (A14), SSE_KMS without a key (A15), a named query on another database (A16), a
// disabled key (A17), a dashboard widget of an unknown type (A20), a Glue database renamed from
// under its tables and crawler (B20), and a log group kept 366 days.
func TestRunFifteensMissesAreNamed(t *testing.T) {
	patching := read(t, "../../test/testdata/example.patching.template.json")
	require.Empty(t, serviceProblems(patching))
	variables := props(patching, "FindingFilterFunctionC9055CF2")["Environment"].(map[string]any)["Variables"].(map[string]any)
	delete(variables, "MEMORY_SECONDS")
	props(patching, "FindingFilterFunctionC9055CF2")["ReservedConcurrentExecutions"] = float64(0)
	props(patching, "FindingFilterTable62798218")["BillingMode"] = "PROVISIONED"
	props(patching, "InventoryQueriesCrawlerD90043AA")["Schedule"] = map[string]any{"ScheduleExpression": "cron(30 4 * * * *)"}
	props(patching, "InventoryQueriesMissingPatchesAC5C217E")["Database"] = "default"
	configuration := props(patching, "InventoryQueriesWorkGroupA6FCEB2A")["WorkGroupConfiguration"].(map[string]any)
	configuration["ResultConfiguration"] = map[string]any{"EncryptionConfiguration": map[string]any{"EncryptionOption": "SSE_KMS"}}
	var key string
	for id, r := range patching["Resources"].(map[string]any) {
		if r.(map[string]any)["Type"] == "AWS::KMS::Key" && key == "" {
			key = id
		}
	}
	props(patching, key)["Enabled"] = false
	problems := joined(serviceProblems(patching))
	for _, want := range []string{
		"function FindingFilterFunctionC9055CF2: its code reads environment variable MEMORY_SECONDS, which the function does not set",
		"function FindingFilterFunctionC9055CF2: reserved concurrency 0: every invocation is throttled",
		"table FindingFilterTable62798218: PROVISIONED without ProvisionedThroughput",
		"crawler InventoryQueriesCrawlerD90043AA: schedule cron(30 4 * * * *): six fields, with ? in exactly one of day-of-month and day-of-week",
		`named query InventoryQueriesMissingPatchesAC5C217E: database "default" is none the templates declare`,
		"workgroup InventoryQueriesWorkGroupA6FCEB2A: SSE_KMS without a KmsKey",
		"key " + key + ": disabled: everything it encrypts fails",
	} {
		assert.Contains(t, problems, want)
	}

	patching = read(t, "../../test/testdata/example.patching.template.json")
	props(patching, "InventoryQueriesDatabase408281AE")["DatabaseInput"].(map[string]any)["Name"] = "privatepatch-inventory"
	renamed := joined(serviceProblems(patching))
	assert.Contains(t, renamed, `crawler InventoryQueriesCrawlerD90043AA: database "privatepatch_inventory" is none the templates declare`)
	assert.Contains(t, renamed, `database "privatepatch_inventory" is none the templates declare`)

	patching = read(t, "../../test/testdata/example.patching.template.json")
	for id, r := range patching["Resources"].(map[string]any) {
		if r.(map[string]any)["Type"] == "AWS::Logs::LogGroup" {
			props(patching, id)["RetentionInDays"] = float64(366)
			assert.Contains(t, joined(serviceProblems(patching)), "log group "+id+": retention 366 days is not one CloudWatch Logs accepts")
			break
		}
	}
	parts := props(patching, "MonitoringDashboard0C3675C6")["DashboardBody"].(map[string]any)["Fn::Join"].([]any)[1].([]any)
	parts[0] = strings.Replace(parts[0].(string), `"type":"metric"`, `"type":"metrics"`, 1)
	assert.Contains(t, joined(serviceProblems(patching)), `dashboard MonitoringDashboard0C3675C6: a widget of type "metrics", which a dashboard body does not take`)
}

// Mutation run 15's remaining misses, planted: the Inspector enabler's timeout cut to 60 s (A06),
// the inventory gathering no applications (B11), Athena's results in a bucket the stacks do not
// create (B19), and a yum repository given to an Ubuntu baseline's source (B06).
func TestWhatTheStacksStateTwiceTheyStateAlike(t *testing.T) {
	limits := timeouts{"SecurityInspectorEnablerFunction": 600, "FindingFilterFunction": 30}
	patching := read(t, "../../test/testdata/example.patching.template.json")
	require.Empty(t, Consistency(limits, patching))
	props(patching, "SecurityInspectorEnablerFunctionEEFB072E")["Timeout"] = float64(60)
	props(patching, "InventoryAssociationABD231A7")["Parameters"] = map[string]any{"applications": []any{"Disabled"}}
	configuration := props(patching, "InventoryQueriesWorkGroupA6FCEB2A")["WorkGroupConfiguration"].(map[string]any)
	configuration["ResultConfiguration"].(map[string]any)["OutputLocation"] = "s3://someone-elses-bucket/athena-results/"
	problems := joined(Consistency(limits, patching))
	assert.Contains(t, problems, "function SecurityInspectorEnablerFunctionEEFB072E: timeout 60 s, not the 600 its code is written for")
	assert.Contains(t, problems, "association InventoryAssociationABD231A7: gathers no applications, which table aws_application and its query read")
	assert.Contains(t, problems, "workgroup InventoryQueriesWorkGroupA6FCEB2A: writes results to s3://someone-elses-bucket/athena-results/, not to the sync's bucket")

	rich := read(t, "../../test/testdata/rich-patching.patching.template.json")
	require.Empty(t, Consistency(limits, rich))
	// Valid forms a false-alarm hunt found refused: metalink, spaces around =, and Raspbian's deb lines.
	sources := props(rich, "Baselinesal20239AB9F4AC")["Sources"].([]any)
	for _, config := range []string{"[epel]\nname=EPEL\nmetalink=https://mirrors.fedoraproject.org/metalink?repo=epel-9", "[baseos]\nname=BaseOS\nbaseurl = https://satellite.example.com/baseos"} {
		sources[0].(map[string]any)["Configuration"] = config
		assert.Empty(t, Consistency(limits, rich), config)
	}
	props(rich, "Baselinesal20239AB9F4AC")["OperatingSystem"] = "RASPBIAN"
	sources[0].(map[string]any)["Configuration"] = "deb http://archive.raspberrypi.com/debian/ bookworm main"
	assert.Empty(t, Consistency(limits, rich))
	props(rich, "Baselinesal20239AB9F4AC")["OperatingSystem"] = "AMAZON_LINUX_2023"
	assert.Equal(t, []string{"baseline Baselinesal20239AB9F4AC: source internal is not in AMAZON_LINUX_2023's repository format"}, Consistency(limits, rich))
	sources[0].(map[string]any)["Configuration"] = "[internal]\nname=internal\nbaseurl=https://repo.example.com/al2023\nenabled=1"
	props(rich, "Baselinesal20239AB9F4AC")["OperatingSystem"] = "UBUNTU"
	assert.Equal(t, []string{"baseline Baselinesal20239AB9F4AC: source internal is not in UBUNTU's repository format"}, Consistency(limits, rich))
}

// Mutation run 16's misses, planted: an interface endpoint given two subnets of one zone (A02), a
// WSUS setup step's commands under another input name (A12), the WSUS client association's
// MaxConcurrency "0%" in the fleet stack (A13), a NAT gateway's Elastic IP of domain standard and
// another NAT gateway on the same address (B01, B02), a managed policy of another partition
// (B09), and DatapointsToAlarm over EvaluationPeriods (B20).
func TestRunSixteensMissesAreNamed(t *testing.T) {
	network := read(t, "../../test/testdata/nat-per-az.network.template.json")
	require.Empty(t, Addresses(network))
	props(network, "NetworkVpcPrivateSubnet2Subnet1BDBE877")["AvailabilityZone"] = props(network, "NetworkVpcPrivateSubnet1Subnet6DD86AE6")["AvailabilityZone"]
	props(network, "NetworkVpcPublicSubnet1EIPE0D52090")["Domain"] = "standard"
	props(network, "NetworkVpcPublicSubnet2NATGateway42CB86F5")["AllocationId"] = props(network, "NetworkVpcPublicSubnet1NATGateway64781A21")["AllocationId"]
	addresses := joined(Addresses(network))
	assert.Contains(t, addresses, `Elastic IP NetworkVpcPublicSubnet1EIPE0D52090: domain "standard", not vpc`)
	assert.Contains(t, addresses, "NAT gateway NetworkVpcPublicSubnet2NATGateway42CB86F5: its Elastic IP backs NAT gateway NetworkVpcPublicSubnet1NATGateway64781A21 too")
	assert.Contains(t, addresses, "VPC endpoint NetworkEndpointsssm96AED6CF: subnets NetworkVpcPrivateSubnet1Subnet6DD86AE6 and NetworkVpcPrivateSubnet2Subnet1BDBE877 are both in")

	fleet := read(t, "../../test/testdata/default.fleet.template.json")
	require.Empty(t, StepInputs(fleet))
	require.Empty(t, AssociationSpecs(fleet))
	step := props(fleet, "WsusSetupDocumentD23DE8FA")["Content"].(map[string]any)["mainSteps"].([]any)[0].(map[string]any)
	inputs := step["inputs"].(map[string]any)
	inputs["commands"], inputs["runCommand"] = inputs["runCommand"], nil
	delete(inputs, "runCommand")
	assert.Equal(t, []string{"document WsusSetupDocumentD23DE8FA: step 0 (aws:runPowerShellScript) has no runCommand input: it runs nothing"}, StepInputs(fleet))
	props(fleet, "WsusClientAssociationD1829CE5")["MaxConcurrency"] = "0%"
	assert.Equal(t, []string{`association WsusClientAssociationD1829CE5: MaxConcurrency "0%" is not a rate Systems Manager takes`}, AssociationSpecs(fleet))

	patching := read(t, "../../test/testdata/default.patching.template.json")
	require.Empty(t, AlarmsAndPolicies("aws", patching, fleet))
	props(patching, "FindingFilterErrorsAlarm5C2C5DF9")["DatapointsToAlarm"] = float64(2)
	var role string
	for id, r := range fleet["Resources"].(map[string]any) {
		if r.(map[string]any)["Type"] == "AWS::IAM::Role" && role == "" {
			role = id
		}
	}
	props(fleet, role)["ManagedPolicyArns"] = []any{"arn:aws-us-gov:iam::aws:policy/AmazonSSMManagedInstanceCore"}
	policies := joined(AlarmsAndPolicies("aws", patching, fleet))
	assert.Contains(t, policies, "alarm FindingFilterErrorsAlarm5C2C5DF9: DatapointsToAlarm 2 over EvaluationPeriods 1")
	assert.Contains(t, policies, "role "+role+": managed policy arn:aws-us-gov:iam::aws:policy/AmazonSSMManagedInstanceCore is of partition aws-us-gov, not the deployment's aws")
}

// Mutation run 17's misses, each planted in a template that passes: two documents of one name, a
// flow log's interval and its destination, AWS-CreateImage's NoReboot, a task notifying another
// account's topic, a key policy without the account's own root, and the WSUS client association
// on one ring's patch group instead of the fleet.
func TestRunSeventeensMissesAreNamed(t *testing.T) {
	network := read(t, "../../test/testdata/default.network.template.json")
	fleet := read(t, "../../test/testdata/default.fleet.template.json")
	patching := read(t, "../../test/testdata/default.patching.template.json")
	require.Empty(t, Uniqueness("", "eu-west-1", network, fleet, patching))

	props(fleet, "WsusHealthDocumentBD0DBD38")["Name"] = "privatepatch-wsus"
	props(fleet, "WsusCleanupDocument04795AF3")["Name"] = "privatepatch-wsus"
	assert.Equal(t, []string{"document WsusHealthDocumentBD0DBD38: named privatepatch-wsus, as document WsusCleanupDocument04795AF3 is"}, Uniqueness("", "eu-west-1", fleet))

	flowLog := props(network, "NetworkVpcFlowLog9B71FB8D")
	delete(flowLog, "DeliverLogsPermissionArn")
	assert.Equal(t, []string{"flow log NetworkVpcFlowLog9B71FB8D: to CloudWatch Logs without DeliverLogsPermissionArn, the role that publishes to it"}, Uniqueness("", "eu-west-1", network))
	flowLog["MaxAggregationInterval"] = float64(300)
	flowLog["LogDestinationType"] = "s3"
	assert.Equal(t, []string{
		"flow log NetworkVpcFlowLog9B71FB8D: MaxAggregationInterval 300, not 60 or 600",
		"flow log NetworkVpcFlowLog9B71FB8D: to s3 it needs a LogDestination (given: false) and no LogGroupName (given: true)",
	}, Uniqueness("", "eu-west-1", network))
	flowLog["MaxAggregationInterval"] = map[string]any{"Ref": "Interval"}
	assert.Len(t, Uniqueness("", "eu-west-1", network), 1, "a reference is CloudFormation's to resolve")

	image := cfntemplate.Automation(props(patching, "MaintenanceWindowsprivatepatchweeklyPrePatchImageE1971ACD"))
	cfntemplate.Parameters(image)["NoReboot"] = []any{"yes"}
	topic := "arn:aws:sns:eu-west-1:222222222222:privatepatch-alerts"
	var installTask string
	for id, r := range cfntemplate.OfType(cfntemplate.Resources(patching), "AWS::SSM::MaintenanceWindowTask") {
		if config, ok := cfntemplate.RunCommand(r)["NotificationConfig"].(map[string]any); ok && installTask == "" {
			config["NotificationArn"], installTask = topic, id
		}
	}
	require.NotEmpty(t, installTask)
	tasks := joined(Uniqueness("111111111111", "eu-west-1", patching))
	assert.Contains(t, tasks, `task MaintenanceWindowsprivatepatchweeklyPrePatchImageE1971ACD: AWS-CreateImage's NoReboot "yes", not true or false`)
	assert.Contains(t, tasks, "task "+installTask+": notifies "+topic+", a topic of another region or account, not the deployment's alerts topic")
	cfntemplate.Parameters(image)["NoReboot"] = []any{map[string]any{"Ref": "NoRebootParameter"}}
	assert.NotContains(t, joined(Uniqueness("111111111111", "eu-west-1", patching)), "NoReboot", "a reference is CloudFormation's to resolve")
	assert.NotContains(t, joined(Uniqueness("222222222222", "eu-west-1", patching)), "notifies", "the deployment's own account and region")

	key := read(t, "../../test/testdata/default.patching.template.json")
	statement := props(key, "AlertsKey9E1197AF")["KeyPolicy"].(map[string]any)["Statement"].([]any)[0].(map[string]any)
	statement["Principal"] = map[string]any{"AWS": "arn:aws:iam::111111111111:root"}
	assert.Empty(t, Uniqueness("111111111111", "eu-west-1", key), "the configured account's root, written literally")
	assert.Equal(t, []string{
		"key AlertsKey9E1197AF: its policy allows account 111111111111's root, an account other than the deployment's: its principals may be granted the key",
		"key AlertsKey9E1197AF: its policy does not allow the deployment's account root: the account's IAM policies cannot manage or use the key",
	}, Uniqueness("222222222222", "eu-west-1", key))
	assert.Len(t, Uniqueness("", "eu-west-1", key), 2, "an environment-agnostic deployment's own root is the account reference")
	// The review's forms of the own root: each allowed; a Deny of another account's is no grant.
	for _, own := range []any{
		map[string]any{"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"},
		map[string]any{"Fn::Join": []any{"", []any{"arn:", map[string]any{"Ref": "AWS::Partition"}, ":iam::111111111111:root"}}},
		"111111111111",
	} {
		statement["Principal"] = map[string]any{"AWS": own}
		assert.Empty(t, Uniqueness("111111111111", "eu-west-1", key), "%v", own)
	}
	statements := props(key, "AlertsKey9E1197AF")["KeyPolicy"].(map[string]any)
	statements["Statement"] = append(statements["Statement"].([]any), map[string]any{"Effect": "Deny", "Action": "kms:*", "Resource": "*",
		"Principal": map[string]any{"AWS": "arn:aws:iam::333333333333:root"}})
	assert.Empty(t, Uniqueness("111111111111", "eu-west-1", key), "a Deny grants nothing")
	delete(props(key, "AlertsKey9E1197AF"), "KeyPolicy")
	assert.Empty(t, Uniqueness("111111111111", "eu-west-1", key), "without a policy KMS applies its default, the account's root statement")

	cfg, err := config.Load("../../config/example.yaml")
	require.NoError(t, err)
	fleet = read(t, "../../test/testdata/example.fleet.template.json")
	client := props(fleet, "WsusClientAssociationD1829CE5")
	fleetTag := map[string]any{"Key": "tag:" + cfg.Fleet.Tag.Key, "Values": []any{cfg.Fleet.Tag.Value}}
	client["Targets"] = []any{fleetTag}
	assert.Empty(t, clientPolicy(fleet, cfg), "the fleet tag, as with hybrid nodes")
	client["Targets"] = []any{map[string]any{"Key": "tag:Patch Group", "Values": []any{"windows-dev"}}}
	assert.Equal(t, []string{"association WsusClientAssociationD1829CE5: targets tag:Patch Group=[windows-dev], not the fleet (tag " + cfg.Fleet.Tag.Key + "=" + cfg.Fleet.Tag.Value +
		", or the fleet stack's group of its EC2 instances): the instances it leaves out are never pointed at WSUS"}, clientPolicy(fleet, cfg))
	client["Targets"] = []any{map[string]any{"Key": "resource-groups:Name", "Values": []any{"privatepatch-wsus-clients"}}}
	require.Empty(t, clientPolicy(fleet, cfg), "the fleet stack's group of the fleet tag")
	props(fleet, "WsusClientEc2InstancesADAE2F26")["ResourceQuery"].(map[string]any)["Query"].(map[string]any)["TagFilters"] = []any{map[string]any{"Key": "Patch Group", "Values": []any{"windows-dev"}}}
	assert.Len(t, clientPolicy(fleet, cfg), 1, "a group of another tag is not the fleet")
	fleet = read(t, "../../test/testdata/example.fleet.template.json")
	client = props(fleet, "WsusClientAssociationD1829CE5")
	require.Empty(t, clientPolicy(fleet, cfg), "the fleet stack's group of the fleet tag, as written")
	hybrid := *cfg
	hybrid.Network.WsusClientCidrs = []string{"192.168.0.0/24"}
	assert.Len(t, clientPolicy(fleet, &hybrid), 1, "the EC2-only group leaves out the hybrid nodes that use WSUS")
	client["Targets"] = []any{fleetTag}
	assert.Empty(t, clientPolicy(fleet, &hybrid))
}

// Each baseline of the template is the configuration's, field by field (mutation run 19's B13, a
// source's gpgcheck=0, and B20, DefaultBaseline true, both valid baselines but not the ones asked
// for); one the template lacks, or has beyond the configuration's, is named.
func TestEveryBaselineIsTheConfigurations(t *testing.T) {
	cfg, err := config.LoadDefault()
	require.NoError(t, err)
	patching := read(t, "../../test/testdata/default.patching.template.json")
	require.Empty(t, ConfiguredBaselines(patching, cfg))
	windows := props(patching, "Baselinesprivatepatchwindows49F4305F")
	windows["DefaultBaseline"] = true
	windows["ApprovalRules"].(map[string]any)["PatchRules"].([]any)[0].(map[string]any)["ApproveAfterDays"] = float64(0)
	problems := ConfiguredBaselines(patching, cfg)
	require.Len(t, problems, 2, "%v", problems)
	assert.Contains(t, problems[0], `baseline Baselinesprivatepatchwindows49F4305F (privatepatch-windows): ApprovalRules is [{"Filters":`)
	assert.Contains(t, problems[0], `"ApproveAfterDays":0,`)
	assert.Equal(t, "baseline Baselinesprivatepatchwindows49F4305F (privatepatch-windows): Default is true, the configuration's unset", problems[1])
	props(patching, "Baselinesprivatepatchwsus69B72C7A")["Name"] = "privatepatch-server"
	assert.Contains(t, ConfiguredBaselines(patching, cfg), "baseline Baselinesprivatepatchwsus69B72C7A (privatepatch-server): the configuration has no baseline of that name")
	assert.Contains(t, ConfiguredBaselines(patching, cfg), "baseline privatepatch-wsus of the configuration is not in the template")
}

// RefIsNoARN is the service spec's word: each type's Ref (its cfnRefIdentifier, else its primary
// identifier) is the one named and no ARN, the EventBridge target types of the review of round 2
// (8a) and of review round 3 (6a) among them. Planted: a KMS key named by Ref in a policy (mutation run 19's A05).
func TestARefThatIsNoARNIsNoPolicyResource(t *testing.T) {
	f, err := os.Open("../../node_modules/@aws-cdk/aws-service-spec/db.json.gz")
	require.NoError(t, err, "make setup installs the service spec")
	defer f.Close()
	gz, err := gzip.NewReader(f)
	require.NoError(t, err)
	var db struct {
		Schema struct {
			Resource struct {
				Entities []struct {
					CloudFormationType string   `json:"cloudFormationType"`
					PrimaryIdentifier  []string `json:"primaryIdentifier"`
					CfnRefIdentifier   []string `json:"cfnRefIdentifier"`
				} `json:"entities"`
			} `json:"resource"`
		} `json:"schema"`
	}
	require.NoError(t, json.NewDecoder(gz).Decode(&db))
	identifiers := map[string][]string{}
	for _, e := range db.Schema.Resource.Entities {
		identifiers[e.CloudFormationType] = e.PrimaryIdentifier
		if e.CfnRefIdentifier != nil {
			identifiers[e.CloudFormationType] = e.CfnRefIdentifier
		}
	}
	for _, typ := range []string{"AWS::Kinesis::Stream", "AWS::KinesisFirehose::DeliveryStream", "AWS::Events::EventBus", "AWS::CodeBuild::Project",
		"AWS::ECS::Cluster", "AWS::CodePipeline::Pipeline", "AWS::ApiGateway::RestApi",
		"AWS::Events::ApiDestination", "AWS::Redshift::Cluster", "AWS::SageMaker::Pipeline"} {
		assert.Contains(t, RefIsNoARN, typ, "an EventBridge target type whose Ref is a name or id")
	}
	assert.Equal(t, []string{"Id"}, identifiers["AWS::SecretsManager::Secret"], "a primary identifier that is an ARN: why the list is by hand")
	assert.Equal(t, []string{"TopicArn"}, identifiers["AWS::SNS::Topic"], "a topic's Ref is its ARN (resourceEnvironment)")
	for typ, identifier := range RefIsNoARN {
		assert.Equal(t, []string{identifier}, identifiers[typ], typ)
		assert.False(t, strings.HasSuffix(identifier, "Arn"), typ)
	}

	fleet := read(t, "../../test/testdata/default.fleet.template.json")
	require.Empty(t, statementResources(cfntemplate.Resources(fleet)))
	key := "PlantedKey"
	cfntemplate.Resources(fleet)[key] = map[string]any{"Type": "AWS::KMS::Key", "Properties": map[string]any{}}
	for id, r := range cfntemplate.OfType(cfntemplate.Resources(fleet), "AWS::IAM::Policy") {
		doc := r["PolicyDocument"].(map[string]any)
		doc["Statement"] = append(doc["Statement"].([]any), map[string]any{"Sid": "Planted", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": map[string]any{"Ref": key}})
		assert.Equal(t, []string{"policy " + id + ": statement Planted names Ref " + key + " as a resource, its KeyId, which is no ARN"}, statementResources(cfntemplate.Resources(fleet)))
		break
	}
}

// Values the API takes where CloudFormation's specification lists none, and forms it expects
// (mutation run 19's A08, A11, A13, A16, B12), each planted in the example's templates.
func TestValuesTheApiTakesAreTheTemplates(t *testing.T) {
	patching := read(t, "../../test/testdata/example.patching.template.json")
	fleet := read(t, "../../test/testdata/example.fleet.template.json")
	require.Empty(t, APIForms("111111111111", "us-west-2", patching, fleet))

	for id, r := range cfntemplate.OfType(cfntemplate.Resources(patching), "AWS::SSM::MaintenanceWindowTask") {
		if n, ok := cfntemplate.RunCommand(r)["NotificationConfig"].(map[string]any); ok {
			n["NotificationEvents"] = []any{"Failed", "Canceled"}
			assert.Contains(t, APIForms("", "us-west-2", patching), "task "+id+`: notification event "Canceled" is not one the API takes (All, InProgress, Success, TimedOut, Cancelled, Failed)`)
			n["NotificationEvents"] = []any{"Failed"}
			break
		}
	}
	for id, r := range cfntemplate.OfType(cfntemplate.Resources(patching), "AWS::SSM::ResourceDataSync") {
		r["S3Destination"].(map[string]any)["SyncFormat"] = "Parquet"
		assert.Contains(t, APIForms("", "us-west-2", patching), "resource data sync "+id+`: SyncFormat "Parquet", not JsonSerDe`)
		r["S3Destination"].(map[string]any)["SyncFormat"] = "JsonSerDe"
	}
	table := props(patching, "InventoryQueriesApplicationTable3F62D0F2")["TableInput"].(map[string]any)["Parameters"].(map[string]any)
	table["projection.region.values"] = "eu-west-1"
	assert.Equal(t, []string{"Glue table InventoryQueriesApplicationTable3F62D0F2: projection.region.values is eu-west-1, not the deployment's us-west-2: " +
		"the sync writes under the deployment's, and the queries read nothing"}, APIForms("111111111111", "us-west-2", patching))

	props(fleet, "ResourceGroupsStack1D1FF3B0")["ResourceQuery"].(map[string]any)["Query"].(map[string]any)["StackIdentifier"] = "privatepatch-fleet"
	assert.Equal(t, []string{"resource group ResourceGroupsStack1D1FF3B0: StackIdentifier privatepatch-fleet is not a stack's ARN"}, APIForms("", "us-west-2", fleet))

	for id, a := range cfntemplate.OfType(cfntemplate.Resources(patching), "AWS::SSM::Association") {
		if a["Name"] == "AWS-RunPatchBaseline" {
			a["Name"] = "AWS-RunPatchBaselineAssociation"
			assert.Contains(t, APIForms("111111111111", "us-west-2", patching), "association "+id+": runs AWS-RunPatchBaselineAssociation, which chooses its baseline by BaselineTags, not by patch group: use AWS-RunPatchBaseline")
			break
		}
	}
}

// Mutation run 19's indirect catches, now named directly: the WSUS server's instance type is the
// configuration's (B10: t3.micro, caught only by a Control Tower control on its family), and an
// environment variable named for an ARN is one (B17: the topic's name as TOPIC_ARN, caught only
// as permissions nothing needed).
func TestRunNineteensIndirectCatchesAreNamed(t *testing.T) {
	cfg, err := config.LoadDefault()
	require.NoError(t, err)
	fleet := read(t, "../../test/testdata/default.fleet.template.json")
	require.Empty(t, serverInstance(fleet, cfg))
	props(fleet, "WsusInstance902E8651")["InstanceType"] = "t3.micro"
	assert.Equal(t, []string{"the WSUS server WsusInstance902E8651: instance type t3.micro, the configuration's (wsus.instanceType) m6i.large"}, serverInstance(fleet, cfg))

	patching := read(t, "../../test/testdata/example.patching.template.json")
	require.Empty(t, serviceProblems(patching))
	variables := props(patching, "FindingFilterFunctionC9055CF2")["Environment"].(map[string]any)["Variables"].(map[string]any)
	variables["TOPIC_ARN"] = map[string]any{"Fn::GetAtt": []any{"AlertsTopicCF7C81C9", "TopicName"}}
	assert.Contains(t, joined(serviceProblems(patching)), `function FindingFilterFunctionC9055CF2: environment variable TOPIC_ARN is {"Fn::GetAtt":["AlertsTopicCF7C81C9","TopicName"]}, `+
		"not the Ref or TopicArn of an AWS::SNS::Topic of its stack")
	variables["TOPIC_ARN"] = map[string]any{"Ref": "AlertsTopicCF7C81C9"}
	assert.Empty(t, serviceProblems(patching), "a topic's Ref is its ARN")
	variables["TOPIC_ARN"] = map[string]any{"Fn::GetAtt": []any{"AlertsTopicCF7C81C9", "TopicArn"}}
	assert.Empty(t, serviceProblems(patching), "a topic's TopicArn")
}

// Mutation run 23's B20: the finding filter's TABLE_NAME the literal logical id of its table, not
// the table's Ref (its generated name), caught only by the filter role's grants left unused; its
// neighbours, the Ref of a resource of another type, and a variable no resource is named by.
func TestAnEnvironmentVariableNamingAResourceIsItsRef(t *testing.T) {
	patching := read(t, "../../test/testdata/example.patching.template.json")
	variables := props(patching, "FindingFilterFunctionC9055CF2")["Environment"].(map[string]any)["Variables"].(map[string]any)
	table := variables["TABLE_NAME"]
	require.Equal(t, "AWS::DynamoDB::Table", cfntemplate.Resources(patching)[cfntemplate.Ref(table)].(map[string]any)["Type"])
	variables["TABLE_NAME"] = "FindingFilterTable"
	assert.Equal(t, []string{`function FindingFilterFunctionC9055CF2: environment variable TABLE_NAME is "FindingFilterTable", not the Ref or Arn of an AWS::DynamoDB::Table of its stack: ` +
		"the function's calls name no such resource"}, serviceProblems(patching))
	variables["TABLE_NAME"] = map[string]any{"Ref": "AlertsTopicCF7C81C9"}
	assert.Contains(t, joined(serviceProblems(patching)), `environment variable TABLE_NAME is {"Ref":"AlertsTopicCF7C81C9"}, not the Ref or Arn of an AWS::DynamoDB::Table`)
	variables["TABLE_NAME"] = map[string]any{"Fn::GetAtt": []any{cfntemplate.Ref(table), "StreamArn"}}
	assert.Contains(t, joined(serviceProblems(patching)), `environment variable TABLE_NAME is {"Fn::GetAtt":`)
	variables["TABLE_NAME"] = table
	variables["HOLD_SECONDS"] = "FindingFilterTable"
	assert.Empty(t, serviceProblems(patching), "no resource is named by HOLD_SECONDS")
}

// Review round 3's 7a and 7b: TABLE_NAME the table's Arn passes, as PutItem takes a table's name or
// ARN; a value that may name the stack's table or topic otherwise (its own TableName or TopicName
// as a literal or in a built ARN, a Parameter) is a note and not judged; the logical id, where the
// table's name is another, still fails (run 23's B20).
func TestAnEnvironmentVariableThatMayNameItsResourceIsANote(t *testing.T) {
	patching := read(t, "../../test/testdata/example.patching.template.json")
	variables := props(patching, "FindingFilterFunctionC9055CF2")["Environment"].(map[string]any)["Variables"].(map[string]any)
	table, topic := cfntemplate.Ref(variables["TABLE_NAME"]), cfntemplate.Ref(variables["TOPIC_ARN"])
	variables["TABLE_NAME"] = map[string]any{"Fn::GetAtt": []any{table, "Arn"}}
	problems, notes := Services(patching)
	assert.Empty(t, problems, "a table's ARN is a TableName PutItem takes")
	assert.Empty(t, notes)

	props(patching, table)["TableName"] = "privatepatch-findings"
	props(patching, topic)["TopicName"] = "alerts"
	variables["TABLE_NAME"] = "privatepatch-findings"
	variables["TOPIC_ARN"] = map[string]any{"Fn::Sub": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:alerts"}
	problems, notes = Services(patching)
	assert.Empty(t, problems)
	assert.Equal(t, []string{
		`function FindingFilterFunctionC9055CF2: environment variable TABLE_NAME is "privatepatch-findings" (` + table + `'s TableName), not the Ref or Arn of an AWS::DynamoDB::Table of its stack: ` +
			"whether it names the resource the function's calls need is not judged",
		`function FindingFilterFunctionC9055CF2: environment variable TOPIC_ARN is {"Fn::Sub":"arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:alerts"} (` + topic + `'s TopicName), ` +
			"not the Ref or TopicArn of an AWS::SNS::Topic of its stack: whether it names the resource the function's calls need is not judged"}, notes)

	patching["Parameters"].(map[string]any)["FindingsTable"] = map[string]any{"Type": "String"}
	variables["TABLE_NAME"] = map[string]any{"Ref": "FindingsTable"}
	variables["TOPIC_ARN"] = map[string]any{"Fn::Sub": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${" + topic + ".TopicName}"}
	problems, notes = Services(patching)
	assert.Empty(t, problems)
	assert.Contains(t, joined(notes), `TABLE_NAME is {"Ref":"FindingsTable"} (Parameter FindingsTable, given at deploy time)`)
	assert.Contains(t, joined(notes), "(built from "+topic+")")

	variables["TABLE_NAME"] = table
	props(patching, table)["TableName"] = "privatepatch-findings"
	variables["TABLE_NAME"] = "FindingFilterTable"
	variables["TOPIC_ARN"] = map[string]any{"Fn::Sub": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:other-alerts"}
	problems, _ = Services(patching)
	assert.Equal(t, []string{
		`function FindingFilterFunctionC9055CF2: environment variable TABLE_NAME is "FindingFilterTable", not the Ref or Arn of an AWS::DynamoDB::Table of its stack: the function's calls name no such resource`,
		`function FindingFilterFunctionC9055CF2: environment variable TOPIC_ARN is {"Fn::Sub":"arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:other-alerts"}, ` +
			"not the Ref or TopicArn of an AWS::SNS::Topic of its stack: the function's calls name no such resource"}, problems)
}

// Mutation run 20's misses, each planted in a golden that passes: the WSUS server's settings and
// targets against the configuration (A12 a language, A11 the health association on a fleet
// instance, B06 its patch group), a compliance severity the API does not take (B08), ACLs on a
// bucket (A10), a flow log's resource of another type (A05), and what the stacks' code is written
// for (A15 the enabler's wait, A17 the table's expiry attribute, B18 the disk alarm's threshold).
func TestRunTwentysMissesAreNamed(t *testing.T) {
	cfg, err := config.LoadDefault()
	require.NoError(t, err)
	fleet := read(t, "../../test/testdata/default.fleet.template.json")
	server := cfg.Wsus.Server
	server.Products = cfg.WsusProducts()
	require.Empty(t, ServerAsConfigured(fleet, server))
	require.Empty(t, serverTargets(fleet, cfg))
	props(fleet, "WsusSetupAssociationCF0D774E")["Parameters"].(map[string]any)["Languages"] = []any{"en-us"}
	assert.Equal(t, []string{"the WSUS server's languages: [en-us], the configuration's (wsus) [en]"}, ServerAsConfigured(fleet, server))
	props(fleet, "WsusHealthAssociation0EE2101C")["Targets"] = []any{map[string]any{"Key": "InstanceIds", "Values": []any{map[string]any{"Ref": "FleetInstance"}}}}
	for _, tag := range props(fleet, "WsusInstance902E8651")["Tags"].([]any) {
		if tag.(map[string]any)["Key"] == "Patch Group" {
			tag.(map[string]any)["Value"] = "windows"
		}
	}
	targets := joined(serverTargets(fleet, cfg))
	assert.Contains(t, targets, "association WsusHealthAssociation0EE2101C: runs the WSUS server's WsusHealthDocumentBD0DBD38 on")
	assert.Contains(t, targets, "the WSUS server WsusInstance902E8651: tag Patch Group is windows, the configuration's (wsus.patchGroup) wsus")

	fleet = read(t, "../../test/testdata/default.fleet.template.json")
	network := read(t, "../../test/testdata/default.network.template.json")
	require.Empty(t, APIForms("", "us-west-2", fleet, network))
	props(fleet, "ConfigurationChecksAssociation01E80C0A")["ComplianceSeverity"] = "URGENT"
	props(fleet, "CommandOutputBucket0DD4DD73")["OwnershipControls"] = map[string]any{"Rules": []any{map[string]any{"ObjectOwnership": "ObjectWriter"}}}
	props(network, "NetworkVpcFlowLog9B71FB8D")["ResourceId"] = map[string]any{"Ref": "NetworkVpcPrivateSubnet1Subnet6DD86AE6"}
	forms := joined(APIForms("", "us-west-2", fleet, network))
	assert.Contains(t, forms, `association ConfigurationChecksAssociation01E80C0A: ComplianceSeverity "URGENT" is not one the API takes`)
	assert.Contains(t, forms, "bucket CommandOutputBucket0DD4DD73: ObjectOwnership ObjectWriter turns ACLs on")
	assert.Contains(t, forms, "flow log NetworkVpcFlowLog9B71FB8D: ResourceType VPC, ResourceId the AWS::EC2::Subnet NetworkVpcPrivateSubnet1Subnet6DD86AE6")

	patching := read(t, "../../test/testdata/example.patching.template.json")
	require.Empty(t, WrittenFor(patching))
	props(patching, "SecurityInspectorEnabler3BF26172")["ServiceTimeout"] = "30"
	props(patching, "FindingFilterTable62798218")["TimeToLiveSpecification"] = map[string]any{"AttributeName": "ttl", "Enabled": true}
	props(patching, "MonitoringWsusDiskAlarmC3AE443E")["Threshold"] = float64(85)
	written := joined(WrittenFor(patching))
	assert.Contains(t, written, "custom resource SecurityInspectorEnabler3BF26172: ServiceTimeout 30 s, not the 900")
	assert.Contains(t, written, "table FindingFilterTable62798218: expires items by ttl (enabled: true), not by expiresAt")
	assert.Contains(t, written, "alarm MonitoringWsusDiskAlarmC3AE443E: threshold 85, not the 15")

	// CDK's own inline function (S3's notifications handler, python3.13, with CDK's description)
	// is not held to privatepatch's runtime; the stacks' own without their description still is
	// (the second review of session 18's finding 3).
	patching = read(t, "../../test/testdata/example.patching.template.json")
	cfntemplate.Resources(patching)["BucketNotificationsHandler050a0587b7544547bf325f094a3db834"] = map[string]any{"Type": "AWS::Lambda::Function", "Properties": map[string]any{
		"Code": map[string]any{"ZipFile": "import boto3"}, "Runtime": "python3.13", "Handler": "index.handler",
		"Description": `AWS CloudFormation handler for "Custom::S3BucketNotifications" resources (@aws-cdk/aws-s3)`}}
	assert.Empty(t, WrittenFor(patching))
	delete(props(patching, "FindingFilterFunctionC9055CF2"), "Description")
	props(patching, "FindingFilterFunctionC9055CF2")["Runtime"] = "python3.12"
	assert.Contains(t, joined(WrittenFor(patching)), "function FindingFilterFunctionC9055CF2: runs on python3.12, not python3.14")
}

// A route to the internet gateway waits for its attachment, and a Security Hub standard for its
// hub (mutation run 20's B01, A14: each DependsOn removed), planted in goldens that pass.
func TestWhatMustBeCreatedFirstIsWaitedFor(t *testing.T) {
	network := read(t, "../../test/testdata/default.network.template.json")
	patching := read(t, "../../test/testdata/example.patching.template.json")
	require.Empty(t, Ordering(network, patching))
	route := cfntemplate.Resources(network)["NetworkVpcPublicSubnet1DefaultRoute31EC04EC"].(map[string]any)
	delete(route, "DependsOn")
	assert.Equal(t, []string{"route NetworkVpcPublicSubnet1DefaultRoute31EC04EC: to internet gateway NetworkVpcIGW6BEA7B02 without DependsOn its attachment NetworkVpcVPCGW8F3799B5: " +
		"it may be created before the gateway is attached, and fail"}, Ordering(network))
	for id, r := range cfntemplate.Resources(patching) {
		if r.(map[string]any)["Type"] == "AWS::SecurityHub::Standard" {
			delete(r.(map[string]any), "DependsOn")
			assert.Contains(t, joined(Ordering(patching)), "standard "+id+": neither depends on nor names the hub")
			break
		}
	}
}

// An Allow limiting aws:TagKeys uses ForAllValues (mutation run 20's B20: ForAnyValue let the
// start-stop role set any tag beside the one it marks with), in the form the start-stop role's
// policy has.
func TestTagKeyLimitsUseForAllValues(t *testing.T) {
	statement := map[string]any{"Sid": "MarkWhatItStarts", "Effect": "Allow", "Action": []any{"ec2:CreateTags", "ec2:DeleteTags"}, "Resource": "*",
		"Condition": map[string]any{"ForAllValues:StringEquals": map[string]any{"aws:TagKeys": []any{"privatepatch:started"}}}}
	template := map[string]any{"Resources": map[string]any{"StartStoppedRoleDefaultPolicy": map[string]any{"Type": "AWS::IAM::Policy",
		"Properties": map[string]any{"PolicyDocument": map[string]any{"Statement": []any{statement}}}}}}
	require.Empty(t, TagKeyConditions(template))
	conditions := statement["Condition"].(map[string]any)
	conditions["ForAnyValue:StringEquals"] = conditions["ForAllValues:StringEquals"]
	delete(conditions, "ForAllValues:StringEquals")
	assert.Equal(t, []string{"policy StartStoppedRoleDefaultPolicy: statement MarkWhatItStarts limits aws:TagKeys with ForAnyValue:StringEquals, not ForAllValues: " +
		"a request may carry any other tag key beside one listed"}, TagKeyConditions(template))
}

// A runbook's aws:executeScript step runs on the runtime its script is tested with, read from
// the YAML the stacks write their runbooks in (mutation run 20's B12: python3.6).
func TestARunbooksScriptRunsOnItsRuntime(t *testing.T) {
	runbook := func(runtime string) map[string]any {
		return map[string]any{"Resources": map[string]any{"StartStoppedRunbook": map[string]any{"Type": "AWS::SSM::Document", "Properties": map[string]any{
			"DocumentType": "Automation", "DocumentFormat": "YAML",
			"Content": "schemaVersion: '0.3'\nmainSteps:\n    - action: aws:executeScript\n      name: StartOrStop\n      inputs:\n        Handler: handler\n        Runtime: " + runtime + "\n"}}}}
	}
	assert.Empty(t, WrittenFor(runbook(patchingspec.PromoteRuntime)))
	assert.Equal(t, []string{"document StartStoppedRunbook: step 0 runs its script on python3.6, not python3.11, which the script is written and tested for"}, WrittenFor(runbook("python3.6")))
}

// Each dashboard line on a window's failure rule reads the rule of the window its label names, in
// every golden; mutation run 27's A17 (the "linux-weekly failed" line reading the windows-weekly
// window's rule) planted as the rich golden's after-patch-tuesday line reading the WSUS window's
// rule, and a line of another label (Association) reading a failure rule. The MaintenanceWindow
// alert rule's line (every window's failures, under its own label: run 26's base A) is not
// judged.
func TestDashboardFailureLinesReadTheirWindowsRule(t *testing.T) {
	for _, scenario := range goldenScenarios {
		if stacks := goldenStacks(t, scenario, "patching"); len(stacks) == 1 {
			assert.Empty(t, DashboardFailureLines(stacks[0]), scenario)
		}
	}
	patching := read(t, "../../test/testdata/rich-patching.patching.template.json")
	require.Empty(t, DashboardFailureLines(patching))
	parts := props(patching, "MonitoringDashboard0C3675C6")["DashboardBody"].(map[string]any)["Fn::Join"].([]any)[1].([]any)
	require.Equal(t, map[string]any{"Ref": "MaintenanceWindowsafterpatchtuesdayFailureRule64AEB5D9"}, parts[15])
	require.Equal(t, map[string]any{"Ref": "AlertsAssociationRuleE799A159"}, parts[5])
	parts[15] = map[string]any{"Ref": "MaintenanceWindowsprivatepatchwsusFailureRule57398DAB"}
	parts[5] = map[string]any{"Ref": "MaintenanceWindowspinnedinstancesFailureRule0181A7DB"}
	assert.Equal(t, []string{
		`dashboard MonitoringDashboard0C3675C6: line "Association" reads rule MaintenanceWindowspinnedinstancesFailureRule0181A7DB, which matches the executions of window(s) [pinned-instances], not of the window its label names`,
		`dashboard MonitoringDashboard0C3675C6: line "after-patch-tuesday failed" reads rule MaintenanceWindowsprivatepatchwsusFailureRule57398DAB, which matches the executions of window(s) [privatepatch-wsus], not of the window its label names`,
	}, DashboardFailureLines(patching))

	all := read(t, "../../test/testdata/rich-patching.patching.template.json")
	rule := cfntemplate.Resources(all)["MaintenanceWindowsprivatepatchwsusFailureRule57398DAB"]
	cfntemplate.Resources(all)["AlertsMaintenanceWindowRule8CDC0712"] = rule
	parts = props(all, "MonitoringDashboard0C3675C6")["DashboardBody"].(map[string]any)["Fn::Join"].([]any)[1].([]any)
	parts[5] = map[string]any{"Ref": "AlertsMaintenanceWindowRule8CDC0712"}
	parts[6] = strings.Replace(parts[6].(string), `"label":"Association"`, `"label":"MaintenanceWindow"`, 1)
	assert.Empty(t, DashboardFailureLines(all))
}

// The stacks' own functions run on the runtime their scripts are written for, and CDK's provider
// functions are left to the deprecation rules (mutation run 27's B16: the finding filter on
// python3.8 passed with a note).
func TestTheStacksOwnFunctionsRunOnTheirScriptsRuntime(t *testing.T) {
	patching := read(t, "../../test/testdata/example.patching.template.json")
	network := read(t, "../../test/testdata/example.network.template.json")
	require.Empty(t, WrittenFor(patching, network))
	props(patching, "FindingFilterFunctionC9055CF2")["Runtime"] = "python3.8"
	enabler := props(patching, "SecurityInspectorEnablerFunctionEEFB072E")
	enabler["Runtime"] = "python3.12"
	delete(enabler, "Description")
	props(network, "CustomVpcRestrictDefaultSGCustomResourceProviderHandlerDC833E5E")["Runtime"] = "nodejs22.x"
	assert.Equal(t, []string{
		"function FindingFilterFunctionC9055CF2: runs on python3.8, not python3.14, which the stacks' own functions are written and tested for (compliancespec.FunctionRuntime)",
		"function SecurityInspectorEnablerFunctionEEFB072E: runs on python3.12, not python3.14, which the stacks' own functions are written and tested for (compliancespec.FunctionRuntime)",
	}, WrittenFor(patching, network))
}

// Mutation run 23's B13: the default goldens' readers depend on the stacks they read (patching on
// fleet, fleet on network: patching on network through fleet); patching's dependency on fleet
// dropped from the manifest is named, as is an Fn::ImportValue's producer left out.
func TestAStackReadingAnotherDependsOnItInTheManifest(t *testing.T) {
	templates := map[string]map[string]any{}
	for _, stack := range []string{"network", "fleet", "patching"} {
		templates["privatepatch-"+stack] = read(t, "../../test/testdata/default."+stack+".template.json")
	}
	dependsOn := map[string][]string{"privatepatch-fleet": {"privatepatch-network"}, "privatepatch-patching": {"privatepatch-fleet"}}
	require.Empty(t, ReferenceOrder(templates, dependsOn))

	dependsOn["privatepatch-patching"] = nil
	assert.Contains(t, joined(ReferenceOrder(templates, dependsOn)),
		"privatepatch-patching reads outputs of privatepatch-fleet, but its manifest artifact does not depend on it (directly or through another stack)")

	dependsOn["privatepatch-patching"] = []string{"privatepatch-fleet"}
	templates["privatepatch-network"]["Outputs"].(map[string]any)["Shared"] = map[string]any{"Value": "x", "Export": map[string]any{"Name": "shared-x"}}
	templates["privatepatch-other"] = map[string]any{"Resources": map[string]any{"Topic": map[string]any{"Type": "AWS::SNS::Topic",
		"Properties": map[string]any{"TopicName": map[string]any{"Fn::ImportValue": "shared-x"}}}}}
	assert.Equal(t, []string{"privatepatch-other reads outputs of privatepatch-network, but its manifest artifact does not depend on it (directly or through another stack): cdk deploy may deploy it first or alongside, and the reference fails"},
		ReferenceOrder(templates, dependsOn))
}

// Held-out run 45's A04 and A07: an s3 flow log's LogDestination given as the bucket's Ref (its
// name), and a custom LogFormat with a field no record has, are named; the construct's forms, a
// format of known fields, and the other ARN forms pass.
func TestAFlowLogDestinationIsABucketARNAndItsFormatNamesRecordFields(t *testing.T) {
	network := read(t, "../../test/testdata/flowlogs-s3.network.template.json")
	require.Empty(t, FlowLogs(network))
	flowLog := props(network, "NetworkVpcFlowLog9B71FB8D")
	bucket := cfntemplate.GetAtt(flowLog["LogDestination"])
	require.NotEmpty(t, bucket, "the construct gives the bucket's Arn attribute")
	for _, fine := range []any{"arn:aws:s3:::my-bucket", map[string]any{"Fn::Join": []any{"", []any{map[string]any{"Fn::GetAtt": []any{bucket, "Arn"}}, "/flowlogs/"}}},
		map[string]any{"Fn::Sub": "arn:${AWS::Partition}:s3:::${" + bucket + "}/flowlogs/"}} {
		flowLog["LogDestination"] = fine
		assert.Empty(t, FlowLogs(network), fine)
	}
	flowLog["LogDestination"] = map[string]any{"Ref": bucket}
	assert.Equal(t, []string{"flow log NetworkVpcFlowLog9B71FB8D: LogDestination {\"Ref\":\"" + bucket + "\"} is not an S3 bucket's ARN, which an s3 destination takes: the flow log is not created"}, FlowLogs(network))
	flowLog["LogDestination"] = map[string]any{"Fn::GetAtt": []any{bucket, "DomainName"}}
	assert.Len(t, FlowLogs(network), 1, "another attribute")

	network = read(t, "../../test/testdata/flowlogs-s3.network.template.json")
	flowLog = props(network, "NetworkVpcFlowLog9B71FB8D")
	flowLog["LogFormat"] = "${version} ${srcaddr} ${dstaddr} ${pkt-srcaddr} ${flow-direction}"
	assert.Empty(t, FlowLogs(network))
	flowLog["LogFormat"] = "${version} ${src-addr} ${dstaddr}"
	assert.Equal(t, []string{"flow log NetworkVpcFlowLog9B71FB8D: its LogFormat names ${src-addr}, not a field of a flow log record (networkspec.FlowLogFields): the flow log is not created"}, FlowLogs(network))
}

// networkspec.FlowLogFields are the fields of the pinned aws-cdk-lib's aws_ec2.LogFormat.
func TestFlowLogFieldsAreThePinnedAwsCdkLibsLogFormatFields(t *testing.T) {
	const source = "package/aws-ec2/lib/vpc-flow-logs.js"
	files, err := cdkbundle.Files(source)
	require.NoError(t, err)
	var fields []string
	for _, m := range regexp.MustCompile(`LogFormat\.field\("([a-z0-9-]+)"\)`).FindAllSubmatch(files[source], -1) {
		if !slices.Contains(fields, string(m[1])) {
			fields = append(fields, string(m[1]))
		}
	}
	slices.Sort(fields)
	assert.Equal(t, fields, networkspec.FlowLogFields)
}

// Review round 3's 15a: an S3 flow log whose folder is AWSLogs, a term CreateFlowLogs reserves,
// is named, given by a literal ARN, an Fn::Join on the bucket's Arn or an Fn::Sub; its
// neighbours, another folder and a folder under another name that holds AWSLogs, pass.
func TestAFlowLogFolderNamedAWSLogsIsNamed(t *testing.T) {
	network := read(t, "../../test/testdata/flowlogs-s3.network.template.json")
	require.Empty(t, FlowLogs(network))
	flowLog := props(network, "NetworkVpcFlowLog9B71FB8D")
	bucket := flowLog["LogDestination"]
	for _, reserved := range []any{"arn:aws:s3:::my-bucket/AWSLogs/",
		map[string]any{"Fn::Join": []any{"", []any{bucket, "/AWSLogs/"}}},
		map[string]any{"Fn::Sub": "arn:${AWS::Partition}:s3:::${NetworkFlowLogsBucketA9BF4847}/AWSLogs/vpc/"}} {
		flowLog["LogDestination"] = reserved
		assert.Len(t, FlowLogs(network), 1, reserved)
		assert.Contains(t, joined(FlowLogs(network)), "flow log NetworkVpcFlowLog9B71FB8D: its LogDestination's folder \"AWSLogs/", reserved)
	}
	for _, fine := range []any{"arn:aws:s3:::my-bucket/flowlogs/", "arn:aws:s3:::my-bucket/flowlogs/AWSLogs/", map[string]any{"Fn::Join": []any{"", []any{bucket, "/flowlogs/"}}}} {
		flowLog["LogDestination"] = fine
		assert.Empty(t, FlowLogs(network), fine)
	}
}
