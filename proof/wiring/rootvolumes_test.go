package wiring

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Held-out run 29's A13: the WSUS server's root volume shrunk from the construct's 60 GiB to 20
// is named, as is a fleet instance's; the goldens pass.
func TestARootVolumeNotTheConstructsSizeIsNamed(t *testing.T) {
	for _, scenario := range goldenScenarios {
		if stacks := goldenStacks(t, scenario, "fleet"); len(stacks) == 1 {
			assert.Empty(t, RootVolumes(stacks[0]), scenario)
		}
	}
	fleet := read(t, "../../test/testdata/example.fleet.template.json")
	root := func(id string) map[string]any {
		return props(fleet, id)["BlockDeviceMappings"].([]any)[0].(map[string]any)["Ebs"].(map[string]any)
	}
	root("WsusInstance902E8651")["VolumeSize"] = float64(20)
	root("FleetappInstance29EE22299")["VolumeSize"] = float64(80)
	assert.Equal(t, []string{
		"instance FleetappInstance29EE22299: root volume (/dev/sda1) VolumeSize 80 GiB, the construct's is 50 (fleetspec.DefaultRootVolumeGiB): not the size planned",
		"instance WsusInstance902E8651: root volume (/dev/sda1) VolumeSize 20 GiB, the construct's is 60 (wsusspec.RootVolumeGiB): " +
			"smaller than planned: if below the AMI's root snapshot, the instance is not created (the volume must be at least the snapshot's size)"}, RootVolumes(fleet))

	// Run 29's B13: an unencrypted root volume is named by its instance.
	fleet = read(t, "../../test/testdata/example.fleet.template.json")
	root("WsusInstance902E8651")["Encrypted"] = false
	delete(root("FleetappInstance29EE22299"), "Encrypted")
	assert.Equal(t, []string{
		"instance FleetappInstance29EE22299: root volume (/dev/sda1) Encrypted is not set, not true as the construct writes it: " +
			"without the account's encryption by default the volume is not encrypted (Ebs Encrypted, AWS::EC2::Instance, CloudFormation Template Reference)",
		"instance WsusInstance902E8651: root volume (/dev/sda1) Encrypted is false, not true as the construct writes it: " +
			"without the account's encryption by default the volume is not encrypted (Ebs Encrypted, AWS::EC2::Instance, CloudFormation Template Reference)"}, RootVolumes(fleet))

	// The second review of session 18's finding 1: the mapping deleted, not edited.
	fleet = read(t, "../../test/testdata/example.fleet.template.json")
	delete(props(fleet, "WsusInstance902E8651"), "BlockDeviceMappings")
	assert.Equal(t, []string{"instance WsusInstance902E8651: no root volume mapping (/dev/sda1), which the construct writes: the instance gets its AMI's root volume, " +
		"at the AMI's size and, without the account's encryption by default, unencrypted"}, RootVolumes(fleet))
}
