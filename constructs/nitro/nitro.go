// Package nitro says which EC2 instance types are built on the AWS Nitro System, where EBS
// volumes are NVMe disks whose serial number is the volume id, which is how the WSUS setup finds
// its update store. It imports no CDK, so that configuration validation and the constructs
// share the one list.
package nitro

import (
	"slices"
	"strings"
)

// Where EBS volumes are NVMe devices: "EBS volumes are exposed as NVMe block devices on instances
// built on the Nitro System", and Get-Disk shows each one's serial number as its volume id
// without the hyphen (vol0123...) ("Amazon EBS and NVMe on Windows instances", Amazon EC2 User
// Guide for Windows Instances, awsdocs copies, read 2026-11-27).
//
// Which types are not built on Nitro: the Xen-based families, i.e. every type that the
// "Instance types" page lists (current and previous generation) minus its "Instances built on
// the Nitro System" list (Amazon EC2 User Guide for Windows Instances, awsdocs copy of mid-2020;
// cc2, cr1 and hs1 from the Linux guide's previous-generation table; read 2026-11-27). Today's
// pages print no such list (each family's specifications give its hypervisor), so this is the
// last complete one found. It is a deny list on purpose: every family named since is Nitro
// (C6g, D3, M5zn, M6g, P4, R5b, T4g, X2gd in later copies of the Nitro list; M6i, C6i, R6i among the types
// whose EBS volumes take the NVMe Abort command, on the NVMe page above), so an allow list would
// wrongly refuse each new family, while the Xen set does not grow. A Xen type missing here would
// pass validation and fail in the setup ("not attached to this instance ... or a non-Nitro
// instance type").
var xenFamilies = []string{
	// Current generation on the mid-2020 page, not in its Nitro list.
	"c4", "d2", "f1", "g3", "g3s", "h1", "i3", "m4", "p2", "p3", "r4", "t2", "x1", "x1e",
	// Previous generation.
	"c1", "c3", "cc2", "cr1", "g2", "hs1", "i2", "m1", "m2", "m3", "r3", "t1",
}

// nitroInXenFamilies are the bare-metal sizes of a Xen family that the Nitro list names.
var nitroInXenFamilies = []string{"i3.metal"}

// XenFamilies are the instance families built on the Xen hypervisor, sorted.
func XenFamilies() []string {
	families := slices.Clone(xenFamilies)
	slices.Sort(families)
	return families
}

// Based reports whether instanceType (e.g. m6i.large) is built on the Nitro System: whether its
// family, the part before the dot, is not a Xen family (p3dn.24xlarge is family p3dn, not p3).
func Based(instanceType string) bool {
	family, _, _ := strings.Cut(instanceType, ".")
	return !slices.Contains(xenFamilies, family) || slices.Contains(nitroInXenFamilies, instanceType)
}
