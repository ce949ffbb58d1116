package wiring

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// setTag sets an instance's own tag to value, or deletes it with value "".
func setTag(t *testing.T, fleet map[string]any, instance, key, value string) {
	t.Helper()
	tags := props(fleet, instance)["Tags"].([]any)
	for i, tag := range tags {
		if tag := tag.(map[string]any); cfntemplate.Text(tag["Key"]) == key {
			if value == "" {
				props(fleet, instance)["Tags"] = append(tags[:i:i], tags[i+1:]...)
			} else {
				tag["Value"] = value
			}
			return
		}
	}
	t.Fatalf("instance %s has no tag %s", instance, key)
}

// Held-out run 34's A06: one instance's InventoryCategory WebServer written Webserver (it left the
// resource group selecting on it); and a tag of its group dropped.
func TestAnInstanceWhoseTagsAreNotItsGroupsIsNamed(t *testing.T) {
	example, err := config.LoadFile("../../test/testdata/fixtures/example.yaml")
	require.NoError(t, err)
	fleet := read(t, "../../test/testdata/example.fleet.template.json")
	require.Empty(t, InstanceGroupTags(fleet, example))
	setTag(t, fleet, "FleetappInstance1E092C320", "InventoryCategory", "Webserver")
	setTag(t, fleet, "FleetappInstance29EE22299", "Environment", "")
	assert.Equal(t, []string{
		`instance FleetappInstance1E092C320 of instance group app: tag InventoryCategory is "Webserver", the configuration's "WebServer" (tag values are case-sensitive): what selects on it misses the instance`,
		`instance FleetappInstance29EE22299 of instance group app: no tag Environment, the configuration's "Prod": what selects on it misses the instance`,
	}, InstanceGroupTags(fleet, example))
}

// Held-out run 34's A07: the configuration checks retargeted from the configured group to another
// that exists; and, without a configured group, from the fleet tag to a group.
func TestConfigurationChecksOnAnotherTargetThanTheConfiguredAreNamed(t *testing.T) {
	example, err := config.LoadFile("../../test/testdata/fixtures/example.yaml")
	require.NoError(t, err)
	fleet := read(t, "../../test/testdata/example.fleet.template.json")
	require.Empty(t, CheckTargets(fleet, example))
	props(fleet, "ConfigurationChecksAssociation01E80C0A")["Targets"] = []any{map[string]any{"Key": "resource-groups:Name", "Values": []any{"privatepatch-ProdDB"}}}
	assert.Equal(t, []string{"association ConfigurationChecksAssociation01E80C0A: runs the configuration checks on resource-groups:Name=privatepatch-ProdDB, not on resource-groups:Name=privatepatch-ProdWebServer (assets.configurationChecks)"},
		CheckTargets(fleet, example))

	defaults, err := config.Load("../../config/default.yaml")
	require.NoError(t, err)
	fleet = read(t, "../../test/testdata/default.fleet.template.json")
	require.Empty(t, CheckTargets(fleet, defaults))
	props(fleet, "ConfigurationChecksAssociation01E80C0A")["Targets"] = []any{map[string]any{"Key": "resource-groups:Name", "Values": []any{"privatepatch-fleet"}}}
	assert.Equal(t, []string{"association ConfigurationChecksAssociation01E80C0A: runs the configuration checks on resource-groups:Name=privatepatch-fleet, not on tag:privatepatch:fleet=privatepatch (assets.configurationChecks)"},
		CheckTargets(fleet, defaults))

	// The review of session 19's checks, 2.3: the WSUS server's association, known by its name,
	// is judged too: pointed at another instance, or gone.
	fleet = read(t, "../../test/testdata/default.fleet.template.json")
	props(fleet, "ConfigurationChecksInstancesAssociationA5F4AF05")["Targets"] = []any{map[string]any{"Key": "InstanceIds", "Values": []any{"i-0123456789abcdef0"}}}
	assert.Equal(t, []string{"association ConfigurationChecksInstancesAssociationA5F4AF05: runs the configuration checks on InstanceIds=i-0123456789abcdef0, not on InstanceIds=WsusInstance902E8651 (assets.configurationChecks)"},
		CheckTargets(fleet, defaults))
	delete(fleet["Resources"].(map[string]any), "ConfigurationChecksInstancesAssociationA5F4AF05")
	assert.Equal(t, []string{"association privatepatch-configuration-checks-instances: not in the template, and the configuration checks InstanceIds=WsusInstance902E8651: they never run there (assets.configurationChecks)"},
		CheckTargets(fleet, defaults))
}

// Held-out run 37's A10: the fleet stack's WsusUrl output written :8531 while the clients are
// given :8530.
func TestAWsusUrlOutputThatIsNotTheClientsUrlIsNamed(t *testing.T) {
	fleet := read(t, "../../test/testdata/default.fleet.template.json")
	require.Empty(t, Fleet(fleet))
	output := fleet["Outputs"].(map[string]any)["WsusUrl"].(map[string]any)
	join := output["Value"].(map[string]any)["Fn::Join"].([]any)
	parts := join[1].([]any)
	parts[len(parts)-1] = ":8531"
	assert.Equal(t, []string{`output WsusUrl http://{"Fn::GetAtt":["WsusInstance902E8651","PrivateIp"]}:8531 is not the URL the clients are given ` +
		`(WsusClientAssociationD1829CE5: WsusUrl http://{"Fn::GetAtt":["WsusInstance902E8651","PrivateIp"]}:8530): make doctor's advice and the docs compare each client's WUServer with it`},
		Fleet(fleet))
}

// Held-out run 39's A03: in an existing VPC that places WSUS in a private subnet, the server moved
// to a public subnet (no public address: no way out).
func TestAWsusServerOutsideTheConfiguredKindOfSubnetIsNamed(t *testing.T) {
	cfg, err := config.Load("../../config/default.yaml")
	require.NoError(t, err)
	cfg.Network.ExistingVpc = &config.ExistingVpc{WsusSubnet: config.WsusInPrivateSubnet,
		PrivateSubnets: []config.ExistingSubnet{{ID: "subnet-0aaaaaaaaaaaaaaa1"}, {ID: "subnet-0aaaaaaaaaaaaaaa2"}},
		PublicSubnets:  []config.ExistingSubnet{{ID: "subnet-0bbbbbbbbbbbbbbb1"}}}
	fleet := read(t, "../../test/testdata/default.fleet.template.json")
	wsus := props(fleet, "WsusInstance902E8651")
	set := func(subnet string) {
		if nics := cfntemplate.List(wsus["NetworkInterfaces"]); len(nics) > 0 {
			nics[0].(map[string]any)["SubnetId"] = subnet
		} else {
			wsus["SubnetId"] = subnet
		}
	}
	set("subnet-0aaaaaaaaaaaaaaa1")
	require.Empty(t, WsusSubnet(fleet, cfg))
	set("subnet-0bbbbbbbbbbbbbbb1")
	assert.Equal(t, []string{"instance WsusInstance902E8651 (the WSUS server): in subnet subnet-0bbbbbbbbbbbbbbb1, not one of the existing VPC's private subnets [subnet-0aaaaaaaaaaaaaaa1 subnet-0aaaaaaaaaaaaaaa2] (network.existingVpc.wsusSubnet): its way to Microsoft Update is not the one declared"},
		WsusSubnet(fleet, cfg))
	cfg.Network.ExistingVpc.WsusSubnet = config.WsusInPublicSubnet
	assert.Empty(t, WsusSubnet(fleet, cfg), "a public subnet where the configuration places WSUS there")
}

// Held-out run 40's B06: one key's rotation turned off is named by key.
func TestAKeyThatDoesNotRotateIsNamed(t *testing.T) {
	patching := read(t, "../../test/testdata/default.patching.template.json")
	require.Empty(t, KeysRotate(patching))
	props(patching, "AlertsKey9E1197AF")["EnableKeyRotation"] = false
	assert.Equal(t, []string{"key AlertsKey9E1197AF: EnableKeyRotation is false, not true: its key material is never rotated, as every key of the stacks is"}, KeysRotate(patching))
	props(patching, "AlertsKey9E1197AF")["Origin"] = "EXTERNAL"
	assert.Empty(t, KeysRotate(patching), "imported key material cannot rotate automatically")
	delete(props(patching, "AlertsKey9E1197AF"), "Origin")
	props(patching, "AlertsKey9E1197AF")["KeySpec"] = "RSA_2048"
	assert.Empty(t, KeysRotate(patching), "an asymmetric key cannot rotate automatically")
}
