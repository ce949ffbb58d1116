// Package windows names the Windows Server versions privatepatch supports and what each needs:
// the public SSM parameter of its latest English AMI and its product title in WSUS.
package windows

import (
	"fmt"
	"sort"
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
