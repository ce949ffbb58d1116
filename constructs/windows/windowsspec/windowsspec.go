// Package windowsspec names the Windows Server versions privatepatch supports and what each
// needs (the public SSM parameter of its latest English AMI and its product title in WSUS), and
// the settings every Windows instance has: version, AMI and instance type. It imports no CDK:
// the configuration and the constructs share it.
package windowsspec

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/spec"
)

// Version is a Windows Server release, e.g. "2022".
type Version string

type release struct {
	amiParameter string
	wsusProduct  string
}

// WSUS product titles are the catalogue's, which do not always say "Windows Server".
var releases = map[Version]release{
	"2019": {"/aws/service/ami-windows-latest/Windows_Server-2019-English-Full-Base", "Windows Server 2019"},
	"2022": {"/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base", "Microsoft Server operating system-21H2"},
	"2025": {"/aws/service/ami-windows-latest/Windows_Server-2025-English-Full-Base", "Microsoft Server operating system-24H2"},
}

// DefaultVersion is used where no version is given.
const DefaultVersion Version = "2022"

// Versions lists the supported versions in order.
func Versions() []Version {
	var versions []Version
	for v := range releases {
		versions = append(versions, v)
	}
	sort.Slice(versions, func(i, j int) bool { return versions[i] < versions[j] })
	return versions
}

func (v Version) release() release {
	r, ok := releases[v]
	if !ok {
		panic(fmt.Sprintf("windows: unsupported version %q; supported: %v", string(v), Versions()))
	}
	return r
}

// AmiParameter is the public SSM parameter holding the latest English Full Base AMI id.
func (v Version) AmiParameter() string { return v.release().amiParameter }

// WsusProduct is the version's product title in the WSUS catalogue.
func (v Version) WsusProduct() string { return v.release().wsusProduct }

// Instance is what every Windows instance privatepatch creates is made of.
type Instance struct {
	// WindowsVersion is the Windows Server release: one of Versions(). Default: DefaultVersion.
	WindowsVersion string `yaml:"windowsVersion"`
	// AmiID pins the AMI, which belongs to one region (a configuration whose environments are in
	// several regions cannot pin one). Default: the latest AMI of WindowsVersion, resolved when
	// the instance launches and kept afterwards (a newer AMI never replaces the instance).
	AmiID string `yaml:"amiId"`
	// InstanceType of the instance. Default: DefaultInstanceType.
	InstanceType string `yaml:"instanceType"`
}

// DefaultInstanceType is m6i.large (2 vCPU, 8 GiB), enough for WSUS by Microsoft's sizing.
const DefaultInstanceType = "m6i.large"

// WithDefaults fills what is unset.
func (i Instance) WithDefaults() Instance {
	if i.WindowsVersion == "" {
		i.WindowsVersion = string(DefaultVersion)
	}
	if i.InstanceType == "" {
		i.InstanceType = DefaultInstanceType
	}
	return i
}

var (
	instanceTypePattern = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9-]*$`)
	amiPattern          = regexp.MustCompile(`^ami-[0-9a-f]{8,17}$`)
)

// WellFormedInstanceType says whether t has the form of an EC2 instance type (family.size).
func WellFormedInstanceType(t string) bool { return instanceTypePattern.MatchString(t) }

// Problems are the instance settings' problems, after defaults.
func (i Instance) Problems() spec.Problems {
	var p spec.Problems
	if !slices.Contains(Versions(), Version(i.WindowsVersion)) {
		var names []string
		for _, v := range Versions() {
			names = append(names, string(v))
		}
		p.Add("WindowsVersion", i.WindowsVersion, "is not a supported Windows Server version: use one of %s", strings.Join(names, ", "))
	}
	if i.AmiID != "" && !amiPattern.MatchString(i.AmiID) {
		p.Add("AmiID", i.AmiID, "is not an AMI id: use ami- and 8 or 17 hexadecimal digits, or leave it out")
	}
	if problem := InstanceTypeProblem(i.InstanceType); problem != "" {
		p.Add("InstanceType", i.InstanceType, "%s", problem)
	}
	return p
}
