package wiring

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/fleet/fleetspec"
	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// RootVolumes checks that each instance's root volume (/dev/sda1, windows.RootVolume) has the
// construct's size: wsusspec.RootVolumeGiB for the WSUS server, fleetspec.DefaultRootVolumeGiB for
// the fleet's (the configuration sets neither). A smaller one may be below the AMI's root
// snapshot, and then the instance is not created: "If you specify volumeSize, it must be equal
// or greater than the size of the snapshot" (EbsDeviceSnapshotOptions, AWS CDK API reference,
// read 2026-12-07); no page read states the Windows AMIs' snapshot size, so the size itself is
// not judged, only that it is the construct's (held-out run 29's A13: the WSUS root 60 -> 20).
// It is encrypted, as the construct writes it (run 29's B13, named before only by the Control
// Tower control's summary line).
func RootVolumes(fleet map[string]any) []string {
	instances := cfntemplate.OfType(cfntemplate.Resources(fleet), "AWS::EC2::Instance")
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(instances)) {
		want, which := fleetspec.DefaultRootVolumeGiB, "fleetspec.DefaultRootVolumeGiB"
		if strings.HasPrefix(id, "WsusInstance") {
			want, which = wsusspec.RootVolumeGiB, "wsusspec.RootVolumeGiB"
		}
		mapped := false
		for _, m := range cfntemplate.List(instances[id]["BlockDeviceMappings"]) {
			m, _ := m.(map[string]any)
			ebs, _ := m["Ebs"].(map[string]any)
			if cfntemplate.Text(m["DeviceName"]) != "/dev/sda1" || ebs == nil {
				continue
			}
			mapped = true
			if encrypted, set := ebs["Encrypted"]; encrypted != true {
				given := "is not set"
				if set {
					given = "is " + rendered(encrypted)
				}
				problems = append(problems, fmt.Sprintf("instance %s: root volume (/dev/sda1) Encrypted %s, not true as the construct writes it: "+
					"without the account's encryption by default the volume is not encrypted (Ebs Encrypted, AWS::EC2::Instance, CloudFormation Template Reference)",
					id, given))
			}
			if got := cfntemplate.Int(ebs["VolumeSize"]); got != want {
				why := "not the size planned"
				if got < want {
					why = "smaller than planned: if below the AMI's root snapshot, the instance is not created (the volume must be at least the snapshot's size)"
				}
				problems = append(problems, fmt.Sprintf("instance %s: root volume (/dev/sda1) VolumeSize %s GiB, the construct's is %d (%s): %s",
					id, rendered(ebs["VolumeSize"]), want, which, why))
			}
		}
		if !mapped {
			problems = append(problems, fmt.Sprintf("instance %s: no root volume mapping (/dev/sda1), which the construct writes: the instance gets its AMI's root volume, "+
				"at the AMI's size and, without the account's encryption by default, unencrypted", id))
		}
	}
	return problems
}
