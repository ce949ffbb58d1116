package wsusspec

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// PolicyValue is a Windows Update policy registry value the client script writes: Windows
// ignores a value under the wrong key, of the wrong type or misspelled, silently.
type PolicyValue struct {
	// Key is the subkey of HKLM\SOFTWARE\Policies\Microsoft\Windows: WindowsUpdate or
	// WindowsUpdate\AU.
	Key string
	// Name is the value's name, as Microsoft spells it.
	Name string
	// Type is the value's type as Set-ItemProperty and New-ItemProperty name it: String (REG_SZ)
	// or DWord (REG_DWORD).
	Type string
	// Source is where the key, name and type are written down.
	Source string
	// Value, where not empty, is the only value that points the client at WSUS.
	Value string
}

const (
	policyKey   = `WindowsUpdate`
	policyKeyAU = `WindowsUpdate\AU`
	// wuSettings is the page that lists these values with their key and type.
	wuSettings = `"Manage additional Windows Update settings", section "Configuring Automatic Updates by editing the registry" ` +
		`(MicrosoftDocs/windows-itpro-docs, windows/deployment/update/waas-wu-settings.md, read 2026-12-07)`
	// nonAD is the older page that lists the client-side targeting and signed-updates values with
	// their types ("Configure Clients in a Non-Active Directory Environment", WSUS, TechNet, as a
	// review quoted it on 2026-12-07: AcceptTrustedPublisherCerts Reg_DWORD, TargetGroup Reg_SZ,
	// TargetGroupEnabled Reg_DWORD).
	nonAD = `"Configure Clients in a Non-Active Directory Environment" (WSUS, TechNet)`
	// admxOnly marks the values of Group Policy settings whose registry names no Microsoft page
	// found lists: they are WindowsUpdate.admx's; wuSettings names the settings ("Specify intranet
	// Microsoft update service location", "Do not connect to any Windows Update Internet
	// locations").
	admxOnly = `WindowsUpdate.admx's value for the Group Policy setting named on ` + wuSettings + `; no Microsoft page found that lists the value name`
)

// PolicyValues are every value the client script writes (wsus-client.ps1's $values).
var PolicyValues = []PolicyValue{
	{policyKey, "WUServer", "String", wuSettings + `: "WUServer (REG_SZ)", under HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\`, ""},
	{policyKey, "WUStatusServer", "String", wuSettings + `: "WUStatusServer (REG_SZ)", the same key`, ""},
	{policyKey, "UpdateServiceUrlAlternate", "String", admxOnly + ` (the alternate download server)`, ""},
	{policyKey, "AcceptTrustedPublisherCerts", "DWord", nonAD + `: Reg_DWORD, under HKLM\Software\Policies\Microsoft\Windows\WindowsUpdate`, ""},
	{policyKey, "TargetGroup", "String", nonAD + `: Reg_SZ, under HKLM\Software\Policies\Microsoft\Windows\WindowsUpdate`, ""},
	{policyKey, "TargetGroupEnabled", "DWord", nonAD + `: Reg_DWORD, under HKLM\Software\Policies\Microsoft\Windows\WindowsUpdate`, ""},
	{policyKey, "DoNotConnectToWindowsUpdateInternetLocations", "DWord", admxOnly, ""},
	{policyKeyAU, "UseWUServer", "DWord", wuSettings + `: "UseWUServer (REG_DWORD)", under HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU; ` +
		`"Set this value to 1 to configure Automatic Updates to use a server that is running Software Update Services instead of Windows Update"`, "1"},
	{policyKeyAU, "NoAutoUpdate", "DWord", wuSettings + `: "NoAutoUpdate (REG_DWORD)", the same key`, ""},
	{policyKeyAU, "AUOptions", "DWord", wuSettings + `: "AUOptions (REG_DWORD)", the same key`, ""},
	{policyKeyAU, "ScheduledInstallDay", "DWord", wuSettings + `: "ScheduledInstallDay (REG_DWORD)", the same key`, ""},
}

var (
	// policyRow is a row of the client script's $values: @{ Key = $policy; Name = '...'; Type = '...'; ...}.
	policyRow = regexp.MustCompile(`@\{\s*Key\s*=\s*\$(\w+)\s*;\s*Name\s*=\s*'([^']*)'\s*;\s*Type\s*=\s*'([^']*)'\s*;\s*Value\s*=\s*([^}]*?)\s*\}`)
	// policyPath is the script's assignment of a key variable: $policy = 'HKLM:\...' or
	// $au = Join-Path $policy 'AU'.
	policyPath = regexp.MustCompile(`(?m)^\s*\$(\w+)\s*=\s*(?:'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\([^']*)'|Join-Path\s+\$(\w+)\s+'([^']*)')`)
)

// PolicyValueProblems compares the policy values a client script writes with PolicyValues: each
// one's key, name and type, none missing and none other. The script's key variables are read
// from its own assignments, so a row that names the wrong variable is found too.
func PolicyValueProblems(script string) []string {
	keys := map[string]string{}
	for _, m := range policyPath.FindAllStringSubmatch(script, -1) {
		if m[3] == "" {
			keys[m[1]] = m[2]
		} else if parent, ok := keys[m[3]]; ok {
			keys[m[1]] = parent + `\` + m[4]
		}
	}
	var problems []string
	written := map[string]bool{}
	for _, m := range policyRow.FindAllStringSubmatch(script, -1) {
		key, known := keys[m[1]]
		if !known {
			problems = append(problems, fmt.Sprintf("policy value %s: written under $%s, which is not a key under HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows", m[2], m[1]))
			continue
		}
		i := slices.IndexFunc(PolicyValues, func(v PolicyValue) bool { return v.Name == m[2] })
		switch {
		case i < 0:
			problems = append(problems, fmt.Sprintf("policy value %s: not a Windows Update policy value privatepatch knows (wsusspec.PolicyValues): "+
				"Windows ignores a misspelled one silently", m[2]))
		case !strings.EqualFold(key, PolicyValues[i].Key):
			problems = append(problems, fmt.Sprintf("policy value %s: written under %s, but Windows reads it under %s (%s)", m[2], key, PolicyValues[i].Key, PolicyValues[i].Source))
		case m[3] != PolicyValues[i].Type:
			problems = append(problems, fmt.Sprintf("policy value %s: written as %s, but it is a %s (%s)", m[2], m[3], PolicyValues[i].Type, PolicyValues[i].Source))
		case PolicyValues[i].Value != "" && strings.Trim(m[4], "'") != PolicyValues[i].Value:
			problems = append(problems, fmt.Sprintf("policy value %s: written as %s, but only %s points the client at WSUS (%s)", m[2], m[4], PolicyValues[i].Value, PolicyValues[i].Source))
		}
		written[m[2]] = true
	}
	for _, v := range PolicyValues {
		if !written[v.Name] {
			problems = append(problems, fmt.Sprintf("policy value %s: not written: the client would keep whatever the image had", v.Name))
		}
	}
	return problems
}
