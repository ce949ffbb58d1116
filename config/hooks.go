package config

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
)

// hookScript is a hook script file as read: its content, or why it could not be read.
type hookScript struct {
	content string
	err     error
}

// readHookScripts reads every hook script file the windows' tasks name (a .ps1 or .sh path,
// relative to dir, the configuration file's directory), keyed by the name the hook gives.
func (p *Patching) readHookScripts(dir string) {
	for _, w := range p.MaintenanceWindows {
		for _, t := range w.Tasks {
			if t.Hooks == nil {
				continue
			}
			for _, h := range t.Hooks.List() {
				if h.Value == "" || patchingspec.HookKind(h.Value) == patchingspec.HookDocument {
					continue
				}
				if p.hookScripts == nil {
					p.hookScripts = map[string]hookScript{}
				}
				file := h.Value
				if !filepath.IsAbs(file) {
					file = filepath.Join(dir, file)
				}
				data, err := os.ReadFile(file)
				p.hookScripts[h.Value] = hookScript{content: string(data), err: err}
			}
		}
	}
}

// HookScripts are the content of every hook script file, by the name the hook gives it.
func (p *Patching) HookScripts() map[string]string {
	out := map[string]string{}
	for name, s := range p.hookScripts {
		if s.err == nil {
			out[name] = s.content
		}
	}
	return out
}

// UsesHooks says whether a task runs AWS-RunPatchBaselineWithHooks.
func (p *Patching) UsesHooks() bool {
	for _, w := range p.MaintenanceWindows {
		if slices.ContainsFunc(w.Tasks, func(t PatchTask) bool { return t.Hooks != nil }) {
			return true
		}
	}
	return false
}

// validateHooks checks each task's hooks against what the window needs: the script files read,
// within a document's size and without {{; their language that of the targets' operating
// system; no macOS targets; no ring list to install; SSM Agent kept at the version required.
func validateHooks(c *Config, pr *problems) {
	osOf := map[string]string{}
	for _, b := range c.PatchBaselines() {
		for _, g := range b.PatchGroups {
			osOf[g] = b.OperatingSystem
		}
	}
	readsList := map[int]bool{}
	if c.Patching.Rings.PromotesExactly() {
		for i, own := range c.RingWindows() {
			if i > 0 && len(own) == 1 {
				readsList[own[0]] = true
			}
		}
	}
	for i, w := range c.Patching.MaintenanceWindows {
		for j, t := range w.Tasks {
			if t.Hooks == nil {
				continue
			}
			field := fmt.Sprintf("patching.maintenanceWindows[%d].tasks[%d].hooks", i, j)
			if readsList[i] {
				pr.add(field, "", "cannot run in a ring that installs the ring before's list (patching.rings.promote: exact): "+
					"AWS-RunPatchBaselineWithHooks doesn't support the InstallOverrideList parameter (%s)", patchingspec.HooksPage)
			}
			if !c.Patching.AgentUpdate.On() {
				pr.add(field, "", "needs SSM Agent %s or later on every target (%s), and patching.agentUpdate, which keeps it current, is off: turn it on",
					patchingspec.HooksMinAgentVersion, patchingspec.HooksPage)
			}
			for _, h := range t.Hooks.List() {
				if h.Value != "" {
					c.Patching.validateHook(pr, field+"."+yamlHookKey(h.Field), h.Value, w.Targets.PatchGroups, osOf)
				}
			}
		}
	}
}

// validateHook checks one hook against the operating systems of the window's patch groups
// (their baselines'; groups without one, resource groups and instance ids are not known here)
// and, for a script file, its content.
func (p *Patching) validateHook(pr *problems, field, value string, groups []string, osOf map[string]string) {
	kind := patchingspec.HookKind(value)
	for _, g := range groups {
		os, known := osOf[g]
		switch {
		case !known:
		case !slices.Contains(patchingspec.HookOperatingSystems(), os):
			pr.add(field, value, "runs on patch group %s, whose baseline is for %s: AWS-RunPatchBaselineWithHooks supports Linux and Windows Server nodes only (%s)",
				g, os, patchingspec.HooksPage)
		case !patchingspec.HookOperatingSystem(kind, os):
			pr.add(field, value, "is a %s script, and patch group %s's baseline is for %s: use a .ps1 file for Windows nodes and a .sh file for Linux ones",
				kind, g, os)
		}
	}
	if kind == patchingspec.HookDocument {
		return
	}
	s, read := p.hookScripts[value]
	switch {
	case !read:
		pr.add(field, value, "was not read: load the configuration from its file (config.LoadFile), which reads the hook scripts beside it")
	case s.err != nil:
		pr.add(field, value, "cannot be read (%v): give the script's path relative to the configuration file", s.err)
	case strings.TrimSpace(s.content) == "":
		pr.add(field, value, "is empty: a hook script runs something")
	case strings.Contains(s.content, "{{"):
		pr.add(field, value, "contains {{, which SSM would read as a document parameter: write it another way")
	case len(s.content) > patchingspec.MaxHookScriptBytes:
		pr.add(field, value, "is %d bytes: a document must not exceed 64 KB; keep the script under %d bytes", len(s.content), patchingspec.MaxHookScriptBytes)
	}
}

// yamlHookKey is a Hooks field's YAML key (preInstall, postInstall, onExit).
func yamlHookKey(field string) string { return strings.ToLower(field[:1]) + field[1:] }
