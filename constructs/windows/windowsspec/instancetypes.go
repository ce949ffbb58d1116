package windowsspec

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// InstanceFamilies are the EC2 instance families, current and previous generation, that
// "Amazon EC2 instance types" (Amazon EC2 Instance Types guide: "Current generation instances" and
// "Previous generation instances"; read 2026-12-06) lists. A type outside them does not exist (or
// is newer than this list: add its family here). A family is the part of a type before the dot.
var InstanceFamilies = []string{
	// General purpose.
	"a1", "m1", "m2", "m3", "m4", "m5", "m5a", "m5ad", "m5d", "m5dn", "m5n", "m5zn", "m6a", "m6g", "m6gd", "m6i",
	"m6id", "m6idn", "m6in", "m7a", "m7g", "m7gd", "m7i", "m7i-flex", "m8a", "m8g", "m8gd", "m8i", "m8i-flex",
	"mac1", "mac2", "mac2-m1ultra", "mac2-m2", "mac2-m2pro", "mac-m4", "mac-m4pro", "t1", "t2", "t3", "t3a", "t4g",
	// Compute optimised.
	"c1", "c3", "c4", "c5", "c5a", "c5ad", "c5d", "c5n", "c6a", "c6g", "c6gd", "c6gn", "c6i", "c6id", "c6in",
	"c7a", "c7g", "c7gd", "c7gn", "c7i", "c7i-flex", "c8a", "c8g", "c8gd", "c8gn", "c8i", "c8i-flex", "cc2",
	// Memory optimised.
	"cr1", "r3", "r4", "r5", "r5a", "r5ad", "r5b", "r5d", "r5dn", "r5n", "r6a", "r6g", "r6gd", "r6i", "r6id",
	"r6idn", "r6in", "r7a", "r7g", "r7gd", "r7i", "r7iz", "r8a", "r8g", "r8gd", "r8i", "r8i-flex", "u-3tb1",
	"u-6tb1", "u-9tb1", "u-12tb1", "u-18tb1", "u-24tb1", "u7i-6tb", "u7i-8tb", "u7i-12tb", "u7in-16tb",
	"u7in-24tb", "u7in-32tb", "u7inh-32tb", "x1", "x1e", "x2gd", "x2idn", "x2iedn", "x2iezn", "x8g", "z1d",
	// Accelerated computing.
	"dl1", "dl2q", "f1", "f2", "g2", "g3", "g3s", "g4ad", "g4dn", "g5", "g5g", "g6", "g6e", "g6f", "gr6", "gr6f",
	"inf1", "inf2", "p2", "p3", "p3dn", "p4d", "p4de", "p5", "p5e", "p5en", "p6-b200", "p6e-gb200", "trn1",
	"trn1n", "trn2", "vt1",
	// Storage optimised.
	"d2", "d3", "d3en", "h1", "hs1", "i2", "i3", "i3en", "i4g", "i4i", "i7i", "i7ie", "i8g", "im4gn", "is4gen",
	// High performance computing.
	"hpc6a", "hpc6id", "hpc7a", "hpc7g",
}

// NonWindowsFamilies are the families that cannot run Windows: the AWS Graviton (Arm) ones, a1
// and those whose attribute letters after the generation hold g ("Amazon EC2 instance type naming
// conventions": "g – AWS Graviton processors"; p6e-gb200's Grace CPU is Arm too), and the Mac ones,
// which run macOS only ("Amazon EC2 Mac instances"; both pages of the Amazon EC2 Instance Types
// guide and user guide, read 2026-12-06). A test checks the Graviton ones against the naming rule.
var NonWindowsFamilies = []string{
	"a1", "c6g", "c6gd", "c6gn", "c7g", "c7gd", "c7gn", "c8g", "c8gd", "c8gn", "g5g", "hpc7g", "i4g", "i8g",
	"im4gn", "is4gen", "m6g", "m6gd", "m7g", "m7gd", "m8g", "m8gd", "p6e-gb200", "r6g", "r6gd", "r7g", "r7gd",
	"r8g", "r8gd", "t4g", "x2gd", "x8g",
	"mac1", "mac2", "mac2-m1ultra", "mac2-m2", "mac2-m2pro", "mac-m4", "mac-m4pro",
}

// instanceSizePattern is a size: nano to large, xlarge and Nxlarge, metal and metal-Nxl.
var instanceSizePattern = regexp.MustCompile(`^(nano|micro|small|medium|large|([1-9][0-9]*)?xlarge|metal(-[1-9][0-9]*xl)?)$`)

// InstanceTypeProblem says why t cannot be the type of a Windows instance, or "".
func InstanceTypeProblem(t string) string {
	family, size, ok := strings.Cut(t, ".")
	switch {
	case !ok || !WellFormedInstanceType(t):
		return fmt.Sprintf("is not an EC2 instance type: use one such as %s", DefaultInstanceType)
	case !slices.Contains(InstanceFamilies, family):
		return fmt.Sprintf("is not an EC2 instance type: its family %q is none of those \"Amazon EC2 instance types\" lists (windowsspec.InstanceFamilies, read 2026-12-06; add a newer family there); use one such as %s", family, DefaultInstanceType)
	case !instanceSizePattern.MatchString(size):
		return fmt.Sprintf("is not an EC2 instance type: its size %q is not nano, micro, small, medium, large, xlarge, Nxlarge, metal or metal-Nxl", size)
	case slices.Contains(NonWindowsFamilies, family) && strings.HasPrefix(family, "mac"):
		return fmt.Sprintf("cannot run Windows: %s is a Mac family, which runs macOS only; use an x86 type such as %s", family, DefaultInstanceType)
	case slices.Contains(NonWindowsFamilies, family):
		return fmt.Sprintf("cannot run Windows: %s is an AWS Graviton (Arm) family, and Windows Server AMIs are x86_64; use an x86 type such as %s", family, DefaultInstanceType)
	}
	return ""
}
