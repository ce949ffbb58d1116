package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hooksConfig is a configuration whose one window (patch groups web, a Windows baseline's, and
// linux, an Amazon Linux 2023 baseline's, as targets chooses) has an Install task with hooks.
func hooksConfig(targets, task string) string {
	return `
region: us-west-2
network:
  s3PrefixListIds: {us-west-2: pl-68a54001}
  s3PrefixListCidrs: {us-west-2: [54.231.160.0/19]}
  nat: {enabled: true}
patching:
  baselines:
    - {name: web, preset: aws-default-windows, patchGroups: [web]}
    - {name: linux, operatingSystem: AMAZON_LINUX_2, patchGroups: [linux],
       approvalRules: [{filters: {CLASSIFICATION: [Security]}, approveAfterDays: 7}]}
    - {name: mac, operatingSystem: MACOS, patchGroups: [mac],
       approvalRules: [{filters: {CLASSIFICATION: [Security]}, approveAfterDays: 7}]}
  maintenanceWindows:
    - {name: win, schedule: rate(7 days), targets: {patchGroups: [` + targets + `]}, tasks: [` + task + `]}
`
}

// parseHooks writes the configuration and the scripts beside it, and parses it from there.
func parseHooks(t *testing.T, yaml string, scripts map[string]string) (*Config, error) {
	dir := t.TempDir()
	for name, content := range scripts {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	path := filepath.Join(dir, "hooks.yaml")
	require.NoError(t, os.WriteFile(path, []byte(yaml), 0o644))
	return LoadFile(path)
}

func TestHookScriptsAreReadBesideTheConfigurationAndNamedDocumentsPassThrough(t *testing.T) {
	cfg, err := parseHooks(t, hooksConfig("web", "{hooks: {preInstall: hooks/drain.ps1, postInstall: My-Check, onExit: hooks/drain.ps1}}"),
		map[string]string{"hooks/drain.ps1": "Write-Output 'drain'\n"})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"hooks/drain.ps1": "Write-Output 'drain'\n"}, cfg.Patching.HookScripts())
	assert.True(t, cfg.Patching.UsesHooks())
	_, err = parseHooks(t, hooksConfig("linux", "{hooks: {onExit: check.sh}}"), map[string]string{"check.sh": "systemctl is-active sshd\n"})
	require.NoError(t, err, "a shell hook on Linux nodes")
}

func TestBadHooksAreRefusedNamingTheFieldTheValueAndWhatIsAllowed(t *testing.T) {
	ps := map[string]string{"h.ps1": "Write-Output 'x'\n", "h.sh": "echo x\n", "empty.ps1": " \n",
		"braces.ps1": "Write-Output '{{ x }}'\n", "big.ps1": strings.Repeat("#", 61*1024) + "\n"}
	field := "patching.maintenanceWindows[0].tasks[0].hooks"
	for _, c := range []struct{ name, targets, task, want string }{
		{"on a Scan task", "web", "{operation: Scan, hooks: {preInstall: h.ps1}}",
			field + `: "Scan" run on Install tasks only`},
		{"with no hook set", "web", "{hooks: {}}", field + `: "" names no hook`},
		{"a bad document name", "web", "{hooks: {postInstall: 'my doc!'}}",
			field + `.postInstall: "my doc!" is neither a script file (.ps1 or .sh) nor an SSM document name`},
		{"a missing file", "web", "{hooks: {preInstall: missing.ps1}}", field + `.preInstall: "missing.ps1" cannot be read`},
		{"an empty file", "web", "{hooks: {preInstall: empty.ps1}}", field + `.preInstall: "empty.ps1" is empty`},
		{"a file with {{", "web", "{hooks: {preInstall: braces.ps1}}", field + `.preInstall: "braces.ps1" contains {{`},
		{"a file over 60 KB", "web", "{hooks: {preInstall: big.ps1}}", field + `.preInstall: "big.ps1" is 62465 bytes`},
		{"PowerShell on Linux", "linux", "{hooks: {preInstall: h.ps1}}",
			field + `.preInstall: "h.ps1" is a powershell script, and patch group linux's baseline is for AMAZON_LINUX_2`},
		{"shell on Windows", "web", "{hooks: {onExit: h.sh}}",
			field + `.onExit: "h.sh" is a shell script, and patch group web's baseline is for WINDOWS`},
		{"macOS targets", "mac", "{hooks: {onExit: My-Check}}",
			field + `.onExit: "My-Check" runs on patch group mac, whose baseline is for MACOS: AWS-RunPatchBaselineWithHooks supports Linux and Windows Server nodes only ("About the AWS-RunPatchBaselineWithHooks SSM document"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseHooks(t, hooksConfig(c.targets, c.task), ps)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestHooksNeedTheAgentUpdateAndNoRingList(t *testing.T) {
	off := strings.Replace(hooksConfig("web", "{hooks: {preInstall: AWS-Noop}}"), "patching:\n", "patching:\n  agentUpdate: {enabled: false}\n", 1)
	_, err := parseHooks(t, off, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `hooks: "" needs SSM Agent 3.0.502 or later on every target`)

	rings := exactRings(`    - {name: dev-w, schedule: rate(7 days), targets: {patchGroups: [dev]}, tasks: [{hooks: {preInstall: AWS-Noop}}]}
    - {name: prod-w, schedule: rate(7 days), targets: {patchGroups: [prod]}, tasks: [{hooks: {preInstall: AWS-Noop}}]}
`)
	_, err = parseHooks(t, rings, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `patching.maintenanceWindows[1].tasks[0].hooks: "" cannot run in a ring that installs the ring before's list`)
	assert.NotContains(t, err.Error(), "maintenanceWindows[0].tasks[0].hooks", "the first ring installs no list")
}
