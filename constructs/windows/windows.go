// Package windows provides what the constructs of Windows instances share: their machine image
// and root volume. The versions and instance settings are in windowsspec, which imports no CDK.
package windows

import "github.com/privatepatch/privatepatch/constructs/windows/windowsspec"

// Version is a Windows Server release, e.g. "2022".
type Version = windowsspec.Version

// DefaultVersion is used where no version is given.
const DefaultVersion = windowsspec.DefaultVersion
