package wiring

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/compliance/compliancespec"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// AssociationRates: each association's MaxConcurrency and MaxErrors are the ones its construct
// emits, from one home: the scans' patchingspec.ScanMaxConcurrency and ScanMaxErrors, the
// configuration checks' compliancespec.ChecksMaxConcurrency and ChecksMaxErrors, the WSUS client
// configuration's wsusspec.ClientMaxConcurrency and ClientMaxErrors, and the agent updates' the
// configuration's patching.agentUpdate. MaxErrors decides how far an association
// gets: "If you specify 0, then the system stops sending requests after the first error is
// returned" (AssociationVersionInfo MaxErrors, Systems Manager API Reference, read 2026-12-07),
// so a scan stopped at its first failed node leaves the rest unreported, with stale compliance
// and no alert (mutation run 24's B11: the fleet scan's MaxErrors 100% turned 0). Associations
// without rate controls of their own (the WSUS server's, inventory) are left out.
func AssociationRates(patching, fleet map[string]any, d *config.Config) []string {
	agent := d.Patching.AgentUpdate.WithDefaults()
	var problems []string
	for _, template := range []map[string]any{fleet, patching} {
		associations := cfntemplate.OfType(cfntemplate.Resources(template), "AWS::SSM::Association")
		for _, id := range slices.Sorted(maps.Keys(associations)) {
			a := associations[id]
			var kind, concurrency, maxErrors string
			switch {
			case a["Name"] == "AWS-RunPatchBaseline" && slices.Contains(cfntemplate.Texts(parameter(a, "Operation")), patchingspec.OperationScan):
				kind, concurrency, maxErrors = "a scan (patchingspec)", patchingspec.ScanMaxConcurrency, patchingspec.ScanMaxErrors
			case a["Name"] == "AWS-UpdateSSMAgent":
				kind, concurrency, maxErrors = "an agent update (patching.agentUpdate)", agent.MaxConcurrency, agent.MaxErrors
			case strings.HasPrefix(id, "WsusClientAssociation"):
				kind, concurrency, maxErrors = "the WSUS client configuration (wsusspec)", wsusspec.ClientMaxConcurrency, wsusspec.ClientMaxErrors
			case strings.HasPrefix(id, "ConfigurationChecks"):
				kind, concurrency, maxErrors = "a configuration check (compliancespec)", compliancespec.ChecksMaxConcurrency, compliancespec.ChecksMaxErrors
			default:
				continue
			}
			if got, want := cfntemplate.Text(a["MaxConcurrency"]), concurrency; got != want {
				problems = append(problems, fmt.Sprintf("association %s: MaxConcurrency %q, not the %q of %s", id, got, want, kind))
			}
			if got, want := cfntemplate.Text(a["MaxErrors"]), maxErrors; got != want {
				problems = append(problems, fmt.Sprintf("association %s: MaxErrors %q, not the %q of %s: once more than MaxErrors of its nodes fail, it stops sending to those it has not reached", id, got, want, kind))
			}
		}
	}
	return problems
}

// parameter is an association's parameter by name, or nil.
func parameter(a map[string]any, name string) any {
	parameters, _ := a["Parameters"].(map[string]any)
	return parameters[name]
}
