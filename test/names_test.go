package test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/proof/cfnupdate"
)

// twoProjectsYAML is a configuration with a fixed name of every kind privatepatch sets: instance
// groups (launch templates), the command-output bucket, the inventory sync, resource groups and
// the WSUS alarms (CloudWatch output's log group has a generated name).
const twoProjectsYAML = `
region: us-west-2
network:
  s3PrefixListIds: {us-west-2: pl-68a54001}
  s3PrefixListCidrs: {us-west-2: [54.231.160.0/19]}
  extraInterfaceEndpoints: [logs]
fleet:
  instanceGroups: [{name: web, count: 1, patchGroup: windows, tags: {Environment: Dev, InventoryCategory: App, SeverityLevel: "3", HandlePI: N, IsPublic: N}}]
patching:
  baselines: [{name: windows, preset: aws-default-windows, patchGroups: [windows]}]
  maintenanceWindows:
    - {name: weekly, schedule: "cron(0 2 ? * SUN *)", targets: {patchGroups: [windows]}, tasks: [{cloudWatchOutput: true}]}
  inventory: {resourceDataSync: true}
assets:
  resourceGroups: [{name: DevApp, tags: {Environment: Dev}}]
`

var (
	projectAlpha = &scenario{name: "project-alpha", config: fromYAML("project: alpha\n" + twoProjectsYAML), withoutNag: true}
	projectBeta  = &scenario{name: "project-beta", config: fromYAML("project: beta\n" + twoProjectsYAML), withoutNag: true}
)

// physicalNames returns every fixed name of the scenario's templates that must be unique, as
// JSON (names built with Fn::Join compare by their parts), with where it comes from.
func (s *scenario) physicalNames() map[string]string {
	names := map[string]string{}
	for stack, template := range map[string]map[string]any{"network": s.template, "fleet": s.fleetJSON, "patching": s.patchJSON} {
		for id, r := range template["Resources"].(map[string]any) {
			resource := r.(map[string]any)
			property := cfnupdate.UniqueNameProperties[resource["Type"].(string)]
			if value, ok := props(resource)[property]; ok {
				data, _ := json.Marshal(value)
				names[string(data)] = stack + "/" + id + "." + property
			}
		}
	}
	return names
}

func TestTwoProjectsInOneAccountAndRegionShareNoFixedName(t *testing.T) {
	alpha, beta := projectAlpha.synth(t), projectBeta.synth(t)
	alphaNames, betaNames := alpha.physicalNames(), beta.physicalNames()
	require.NotEmpty(t, alphaNames)
	kinds := map[string]bool{}
	for name, where := range alphaNames {
		kinds[where[strings.LastIndex(where, ".")+1:]] = true
		if other, clash := betaNames[name]; clash {
			t.Errorf("projects alpha and beta both name %s %s (%s)", where, name, other)
		}
	}
	namespace := func(s *scenario) string {
		_, a := oneOf(t, s.fleetJSON, "AWS::SSM::Association", "WsusHealthAssociation")
		return fmt.Sprint(props(a)["Parameters"])
	}
	assert.NotEqual(t, namespace(alpha), namespace(beta), "the WSUS alarms query their own server's namespace only")
	assert.Equal(t, map[string]bool{"LaunchTemplateName": true, "BucketName": true, "SyncName": true, "Name": true, "DashboardName": true,
		"AlarmName": true}, kinds,
		"the fixed names this configuration sets; a new kind must be checked here too")
}
