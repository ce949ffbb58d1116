package patchingspec

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestHookKindIsTheScriptFileExtensionElseADocument(t *testing.T) {
	for value, want := range map[string]string{
		"hooks/drain.ps1": HookPowerShell, "Drain.PS1": HookPowerShell, "check.sh": HookShell,
		"AWS-Noop": HookDocument, "My.Document": HookDocument, "arn:aws:ssm:us-east-2:123456789012:document/Shared": HookDocument,
	} {
		assert.Equal(t, want, HookKind(value), value)
	}
	assert.Equal(t, "aws:runShellScript", HookStepAction(HookShell))
	assert.Equal(t, "aws:runPowerShellScript", HookStepAction(HookPowerShell))
}

func TestHookScriptsRunOnTheirOperatingSystemAndMacOSIsNotSupported(t *testing.T) {
	assert.True(t, HookOperatingSystem(HookPowerShell, "WINDOWS"))
	assert.False(t, HookOperatingSystem(HookPowerShell, "UBUNTU"))
	assert.True(t, HookOperatingSystem(HookShell, "AMAZON_LINUX_2023"))
	assert.False(t, HookOperatingSystem(HookShell, "WINDOWS"))
	assert.True(t, HookOperatingSystem(HookDocument, "WINDOWS"), "a named document's platform is its own")
	assert.NotContains(t, HookOperatingSystems(), "MACOS")
	assert.Contains(t, HookOperatingSystems(), "WINDOWS")
	assert.Len(t, HookOperatingSystems(), len(OperatingSystems)-1)
}

func TestTaskWithHooksRunsTheWrapperOnInstallOnly(t *testing.T) {
	plain := Task{}.WithDefaults(0)
	assert.Equal(t, RunPatchBaselineDocument, plain.Document())
	hooked := Task{Hooks: &Hooks{OnExit: "AWS-Noop"}}.WithDefaults(0)
	assert.Equal(t, RunPatchBaselineWithHooksDocument, hooked.Document())
	assert.Empty(t, hooked.Problems())
	scan := Task{Operation: OperationScan, Hooks: &Hooks{OnExit: "AWS-Noop"}}.WithDefaults(0)
	assert.Equal(t, "Hooks", scan.Problems()[0].Field)
	assert.Equal(t, "Hooks", Task{Hooks: &Hooks{}}.WithDefaults(0).Problems()[0].Field, "hooks naming none")
	assert.Equal(t, "Hooks.PreInstall", Task{Hooks: &Hooks{PreInstall: "a b"}}.WithDefaults(0).Problems()[0].Field)
}

// A window patch task's batches may start until the cutoff and no later: with the document's
// execution timeout, the task's timeout reaches the cutoff exactly; a short window keeps ten
// minutes.
func TestAPatchTasksBatchesMayStartUntilTheCutoff(t *testing.T) {
	for _, c := range []struct{ duration, cutoff, want int }{{4, 1, 3600}, {6, 2, 7200}, {24, 1, 75600}, {3, 1, MinPatchTaskTimeoutSeconds}, {2, 1, MinPatchTaskTimeoutSeconds}} {
		got := PatchTaskTimeoutSeconds(c.duration, c.cutoff)
		assert.Equal(t, c.want, got, "%d h window, cutoff %d h", c.duration, c.cutoff)
		if got > MinPatchTaskTimeoutSeconds {
			assert.Equal(t, (c.duration-c.cutoff)*3600, got+RunPatchBaselineStepTimeoutSeconds)
		}
	}
}
