package test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/proof/cfnupdate"
)

// changeBaseYAML is a deployment with every kind of stateful and fixed-name resource privatepatch
// makes: instances, the WSUS volume, buckets, keys, log groups, the topic, the resource data sync.
const changeBaseYAML = `
region: us-west-2
network:
  availabilityZones: [us-west-2a, us-west-2b, us-west-2c]
  s3PrefixListIds: {us-west-2: pl-68a54001}
  s3PrefixListCidrs: {us-west-2: [54.231.160.0/19, 52.218.128.0/17, 52.92.32.0/22]}
  extraInterfaceEndpoints: [logs, kms]
fleet:
  instanceGroups:
    - {name: app, count: 3, patchGroup: windows, tags: {Environment: Dev, InventoryCategory: App, SeverityLevel: "3", HandlePI: N, IsPublic: N}}
patching:
  baselines:
    - {name: windows, preset: aws-default-windows, patchGroups: [windows]}
    - {name: dev, preset: aws-default-windows, patchGroups: [dev]}
  maintenanceWindows:
    - name: weekly
      schedule: "cron(0 2 ? * SUN *)"
      targets: {patchGroups: [windows, dev]}
      tasks:
        - {operation: Scan, priority: 1}
        - {operation: Install, priority: 2, cloudWatchOutput: true}
  inventory: {resourceDataSync: true}
`

// edit returns changeBaseYAML with each old string replaced by its new one; each must occur.
func edit(t *testing.T, pairs ...string) string {
	out := changeBaseYAML
	for i := 0; i < len(pairs); i += 2 {
		if !strings.Contains(out, pairs[i]) {
			t.Fatalf("the base configuration has no %q", pairs[i])
		}
		out = strings.Replace(out, pairs[i], pairs[i+1], 1)
	}
	return out
}

// stackPolicies are the stack policies make deploy sets on a deployment's stacks.
func stackPolicies(d cfnupdate.Deployment) map[string][]cfnupdate.PolicyStatement {
	out := map[string][]cfnupdate.PolicyStatement{}
	for name, template := range d {
		out[name] = cfnupdate.StackPolicy(template)
	}
	return out
}

var changeBase = &scenario{name: "change-base", config: fromYAML(changeBaseYAML), withoutNag: true}

// TestRoutineChangesReplaceNoStatefulResourceAndRecreateNoFixedName deploys each routine change
// over the base and back again (a revert, or turning an option off and on): neither update may
// replace or delete a resource holding data, nor create a name, rule number or address block
// that something still holds.
func TestRoutineChangesReplaceNoStatefulResourceAndRecreateNoFixedName(t *testing.T) {
	changes := []struct {
		name  string
		edits []string
	}{
		{"schedules_and_baseline_rules", []string{
			"cron(0 2 ? * SUN *)", "cron(0 6 ? * SAT *)", // after the WSUS server's window (Saturday 02:00-05:00)
			"  inventory:", "  scan: {schedule: rate(12 hours)}\n  inventory:",
			"{name: windows, preset: aws-default-windows", "{name: windows, preset: seed-example-windows",
		}},
		{"growth_instance_group_endpoint_zone_admin_and_s3_cidrs", []string{
			"    - {name: app, count: 3, patchGroup: windows, tags: {Environment: Dev, InventoryCategory: App, SeverityLevel: \"3\", HandlePI: N, IsPublic: N}}", "    - {name: app, count: 3, patchGroup: windows, tags: {Environment: Dev, InventoryCategory: App, SeverityLevel: \"3\", HandlePI: N, IsPublic: N}}\n    - {name: web, count: 2, patchGroup: dev, tags: {Environment: Dev, InventoryCategory: App, SeverityLevel: \"3\", HandlePI: N, IsPublic: N}}",
			"[logs, kms]", "[logs, kms, monitoring]\n  azCount: 3\n  adminCidrs: [203.0.113.0/24]",
			"52.218.128.0/17, ", "52.218.128.0/17, 3.5.76.0/22, ",
		}},
		{"reordered_zones_s3_cidrs_baselines_and_tasks", []string{
			"[us-west-2a, us-west-2b, us-west-2c]", "[us-west-2b, us-west-2a, us-west-2c]",
			"[54.231.160.0/19, 52.218.128.0/17, 52.92.32.0/22]", "[52.92.32.0/22, 54.231.160.0/19, 52.218.128.0/17]",
			"    - {name: windows, preset: aws-default-windows, patchGroups: [windows]}\n    - {name: dev, preset: aws-default-windows, patchGroups: [dev]}",
			"    - {name: dev, preset: aws-default-windows, patchGroups: [dev]}\n    - {name: windows, preset: aws-default-windows, patchGroups: [windows]}",
			"        - {operation: Scan, priority: 1}\n        - {operation: Install, priority: 2, cloudWatchOutput: true}",
			"        - {operation: Install, priority: 2, cloudWatchOutput: true}\n        - {operation: Scan, priority: 1}",
		}},
		{"command_output_encryption_to_kms", []string{"  inventory:", "  inventory:", "\nfleet:", "\ncommandOutput: {encryption: kms}\nfleet:"}},
		{"cloudwatch_output_off", []string{", cloudWatchOutput: true}", "}"}},
		// Turning each off (the way back) removes retained data: the stack policy in place allows it.
		{"data_sync_off", []string{"resourceDataSync: true", "resourceDataSync: false"}},
		// With Inspector on, the inventory association becomes the all-nodes one (in place).
		{"inspector_on", []string{"\nfleet:", "\nsecurity: {inspector: {enable: true}}\nfleet:",
			"inventory: {resourceDataSync: true}", "inventory: {resourceDataSync: true, allNodes: true}"}},
		// Deletes fleet-stack associations whose ids the patching stack's alert rule matches.
		{"configuration_checks_off", []string{"\nfleet:", "\nassets: {configurationChecks: {enabled: false}}\nfleet:"}},
	}
	base := changeBase.synth(t).deployment()
	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			changed := (&scenario{name: c.name, config: fromYAML(edit(t, c.edits...)), withoutNag: true}).synth(t).deployment()
			// Each update is judged by the stack policy make deploy set on what is deployed too.
			problems, orphans := updateProblems(t, base, changed, cfnupdate.Options{StackPolicies: stackPolicies(base)})
			assert.Empty(t, problems, "deploying the change")
			problems, _ = updateProblems(t, changed, base, cfnupdate.Options{Orphans: orphans, AllowRemovals: true, StackPolicies: stackPolicies(changed)})
			assert.Empty(t, problems, "deploying the base again (what the change added may go)")
		})
	}
}

// TestReplacingTheWsusServerNeedsTheUpdateStoreDetachedFirst proves the manual step that a new
// Windows version needs: in one deploy the update store cannot follow the server, in two it can.
func TestReplacingTheWsusServerNeedsTheUpdateStoreDetachedFirst(t *testing.T) {
	base := changeBase.synth(t).deployment()
	direct := (&scenario{name: "wsus-2025", config: fromYAML(edit(t, "\nfleet:", "\nwsus: {windowsVersion: \"2025\"}\nfleet:")), withoutNag: true}).synth(t).deployment()
	problems, _ := updateProblems(t, base, direct, cfnupdate.Options{})
	text := strings.Join(problems, "\n")
	assert.Contains(t, text, "WsusUpdateStoreAttachment", "the new attachment needs the volume the old one holds")
	assert.Contains(t, text, "deploy once with wsus.attachUpdateStore: false", "the refusal names the manual step")

	detached := (&scenario{name: "wsus-detached", config: fromYAML(edit(t, "\nfleet:", "\nwsus: {attachUpdateStore: false}\nfleet:")), withoutNag: true}).synth(t).deployment()
	problems, orphans := updateProblems(t, base, detached, cfnupdate.Options{})
	assert.Empty(t, problems, "step 1: detach the store")
	reattached := (&scenario{name: "wsus-2025-reattached", config: fromYAML(edit(t, "\nfleet:", "\nwsus: {windowsVersion: \"2025\", attachUpdateStore: true}\nfleet:")), withoutNag: true}).synth(t).deployment()
	problems, _ = updateProblems(t, detached, reattached, cfnupdate.Options{Orphans: orphans})
	for _, p := range problems {
		// Every consumer of the server in the other stacks: the patching stack's alarms and
		// dashboard read it by no identifier that the replacement changes (cfnupdate's stale reads).
		assert.NotContains(t, p, "through Fn::GetStackOutput", "a reader keeps the replaced server's id")
	}
	require.Len(t, problems, 1, "step 2 replaces the server, as intended, and nothing else: %v", problems)
	assert.Contains(t, problems[0], "WsusInstance")
	assert.Contains(t, problems[0], "ImageId changes")
}

// TestReplacingWhatTheFleetReadsFromTheNetworkIsRefused: the fleet stack reads the network
// stack's subnets through Fn::GetStackOutput, which keeps the old value, so an update that
// replaces a subnet is refused naming every reader, rather than left to fail or to keep the fleet
// in the old subnet.
func TestReplacingWhatTheFleetReadsFromTheNetworkIsRefused(t *testing.T) {
	base := changeBase.synth(t).deployment()
	resized := (&scenario{name: "subnet-mask-26", config: fromYAML(edit(t, "  extraInterfaceEndpoints:", "  subnetCidrMask: 26\n  extraInterfaceEndpoints:")), withoutNag: true}).synth(t).deployment()
	problems, _ := updateProblems(t, base, resized, cfnupdate.Options{})
	var stale []string
	for _, p := range problems {
		if strings.Contains(p, "through Fn::GetStackOutput") {
			stale = append(stale, p)
		}
	}
	require.NotEmpty(t, stale, "the fleet's reads of replaced subnets: %v", problems)
	for _, p := range stale {
		assert.True(t, strings.HasPrefix(p, "privatepatch-fleet/"), p)
		assert.Contains(t, p, "reads privatepatch-network/", p)
	}
}
