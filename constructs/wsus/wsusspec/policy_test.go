package wsusspec

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The client script writes each Windows Update policy value under Microsoft's key, with its type
// and spelling; each planting below (a wrong key, type, spelling, a row left out, an unknown key
// variable) is found.
func TestClientScriptWritesThePolicyValuesAsMicrosoftNamesThem(t *testing.T) {
	data, err := os.ReadFile("../wsus-client.ps1")
	require.NoError(t, err)
	script := string(data)
	require.Empty(t, PolicyValueProblems(script))
	for _, tc := range []struct{ name, from, to, want string }{
		{"under the wrong key", "@{ Key = $au; Name = 'UseWUServer'", "@{ Key = $policy; Name = 'UseWUServer'",
			`policy value UseWUServer: written under WindowsUpdate, but Windows reads it under WindowsUpdate\AU`},
		{"of the wrong type", "Name = 'AUOptions'; Type = 'DWord'", "Name = 'AUOptions'; Type = 'String'",
			"policy value AUOptions: written as String, but it is a DWord"},
		{"misspelled (the reference blog's)", "Name = 'AcceptTrustedPublisherCerts'", "Name = 'AcceptTrustedPublishersCerts'",
			"policy value AcceptTrustedPublishersCerts: not a Windows Update policy value"},
		{"left out", "    @{ Key = $policy; Name = 'WUStatusServer'; Type = 'String'; Value = $WsusUrl }\n", "",
			"policy value WUStatusServer: not written"},
		{"the AU key built from another path", "$au = Join-Path $policy 'AU'", "$au = Join-Path $policy 'Au2'",
			`policy value UseWUServer: written under WindowsUpdate\Au2`},
		{"a value that does not point at WSUS (mutation run 7's f04)", "Name = 'UseWUServer'; Type = 'DWord'; Value = 1 }", "Name = 'UseWUServer'; Type = 'DWord'; Value = 0 }",
			"policy value UseWUServer: written as 0, but only 1 points the client at WSUS"},
		{"an unknown key variable", "@{ Key = $au; Name = 'NoAutoUpdate'", "@{ Key = $other; Name = 'NoAutoUpdate'",
			"policy value NoAutoUpdate: written under $other"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Contains(t, script, tc.from)
			assert.Contains(t, strings.Join(PolicyValueProblems(strings.Replace(script, tc.from, tc.to, 1)), "\n"), tc.want)
		})
	}
}
