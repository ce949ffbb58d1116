package doctor

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// deployedBaseline is a patch baseline of the deployed patching stack's template: what Patch
// Manager should resolve for its patch groups and, with DefaultBaseline, for its operating system.
type deployedBaseline struct {
	LogicalId, Id, Name, OperatingSystem string
	PatchGroups                          []string
	Default                              bool
}

// defaultOperatingSystem is AWS::SSM::PatchBaseline's OperatingSystem when the template leaves
// it out ("Default: WINDOWS", AWS::SSM::PatchBaseline, CloudFormation Template Reference, read
// 2026-12-07); GetPatchBaselineForPatchGroup and GetDefaultPatchBaseline default to it too.
const defaultOperatingSystem = "WINDOWS"

func deployedBaselines(template map[string]any, s stack) []deployedBaseline {
	resources, _ := template["Resources"].(map[string]any)
	var out []deployedBaseline
	for id, r := range resources {
		if templateGet(r, "Type") != "AWS::SSM::PatchBaseline" {
			continue
		}
		b := deployedBaseline{LogicalId: id, Id: s.physicalOf(id), Default: templateGet(r, "Properties", "DefaultBaseline") == true}
		b.Name, _ = templateGet(r, "Properties", "Name").(string)
		os, _ := templateGet(r, "Properties", "OperatingSystem").(string)
		b.OperatingSystem = cmp.Or(os, defaultOperatingSystem)
		groups, _ := templateGet(r, "Properties", "PatchGroups").([]any)
		for _, g := range groups {
			if g, ok := g.(string); ok {
				b.PatchGroups = append(b.PatchGroups, g)
			}
		}
		out = append(out, b)
	}
	slices.SortFunc(out, func(a, b deployedBaseline) int { return strings.Compare(a.LogicalId, b.LogicalId) })
	return out
}

// sameBaseline: Systems Manager names an AWS-owned baseline by its full ARN, the account's own by
// its id ("specify the full patch baseline Amazon Resource Name (ARN) as the baseline ID value.
// For example, for CentOS, specify arn:aws:ssm:us-east-2:733109147000:patchbaseline/
// pb-0574b43a65ea646ed instead of pb-0574b43a65ea646ed", RegisterDefaultPatchBaseline, Systems
// Manager API Reference, read 2026-12-07); either form of the stack's baseline is it.
func sameBaseline(answered, id string) bool {
	return answered == id || strings.HasSuffix(answered, ":patchbaseline/"+id)
}

// checkBaselines: Patch Manager patches and scans a node with the baseline it resolves for the
// node's patch group and operating system (GetPatchBaselineForPatchGroup: "Retrieves the patch
// baseline that should be used for the specified patch group"), and a node in no registered group
// with its operating system's default (GetDefaultPatchBaseline), both read 2026-12-07 in the
// Systems Manager API Reference. CloudFormation registers both from the template
// (AWS::SSM::PatchBaseline PatchGroups and DefaultBaseline) and does not see a change made
// outside it: a baseline registered for the group by hand or by another stack, or another default
// set in the console, patches the fleet by rules the configuration never stated.
func (d *deployment) checkBaselines() ([]Result, error) {
	template, err := d.template(d.t.Patching)
	if err != nil {
		return nil, err
	}
	var results []Result
	var matched []string
	for _, b := range deployedBaselines(template, d.patching) {
		label := fmt.Sprintf("%s (%s)", cmp.Or(b.Name, b.LogicalId), b.Id)
		for _, group := range b.PatchGroups {
			var out struct {
				BaselineId string `json:"BaselineId"`
			}
			if err := d.call(&out, "ssm", "get-patch-baseline-for-patch-group", "--patch-group", group, "--operating-system", b.OperatingSystem); err != nil {
				results = append(results, couldNotCheck("baseline of patch group "+group, err))
				continue
			}
			if sameBaseline(out.BaselineId, b.Id) {
				matched = append(matched, fmt.Sprintf("patch group %s: %s", group, label))
				continue
			}
			results = append(results, d.otherGroupBaseline(b, label, group, out.BaselineId))
		}
		if !b.Default {
			continue
		}
		var out struct {
			BaselineId string `json:"BaselineId"`
		}
		if err := d.call(&out, "ssm", "get-default-patch-baseline", "--operating-system", b.OperatingSystem); err != nil {
			results = append(results, couldNotCheck("default baseline "+b.OperatingSystem, err))
			continue
		}
		if sameBaseline(out.BaselineId, b.Id) {
			matched = append(matched, fmt.Sprintf("the %s default: %s", b.OperatingSystem, label))
			continue
		}
		results = append(results, Result{Check: "default baseline " + b.OperatingSystem, State: Fail,
			Evidence: fmt.Sprintf("the %s default is %s, not the stack's %s (DefaultBaseline): nodes in no registered patch group are scanned and patched by its rules",
				b.OperatingSystem, out.BaselineId, label),
			Action: "make the stack's the default again: " + d.inRegion("aws ssm register-default-patch-baseline --baseline-id "+b.Id)})
	}
	if len(matched) > 0 {
		results = append(results, Result{Check: "patch baselines", State: OK, Evidence: strings.Join(matched, "; ")})
	}
	return results, nil
}

// otherGroupBaseline is the row of a patch group for which Systems Manager resolves another
// baseline than the stack's: one registered for the group outside the stack, or, with none
// registered (deregistered outside it), the operating system's default, the baseline "that
// should be used". Deregistering what is not registered fails, so the default is read to tell
// which: a group resolved to the default gets the register command only.
func (d *deployment) otherGroupBaseline(b deployedBaseline, label, group, resolved string) Result {
	register := d.inRegion("aws ssm register-patch-baseline-for-patch-group --baseline-id " + b.Id + " --patch-group " + shellWord(group))
	if resolved == "" {
		// No page says whether a group with none registered answers the default or no BaselineId
		// (GetPatchBaselineForPatchGroup, read 2026-12-07): with none, there is nothing to deregister.
		return Result{Check: "baseline of patch group " + group, State: Fail,
			Evidence: fmt.Sprintf("Systems Manager resolves no baseline for patch group %s (%s): none is registered for the group, not the stack's %s", group, b.OperatingSystem, label),
			Action:   "register the stack's again: " + register}
	}
	r := Result{Check: "baseline of patch group " + group, State: Fail,
		Evidence: fmt.Sprintf("Systems Manager resolves %s for patch group %s (%s), not the stack's %s: its nodes are scanned and patched by that baseline's rules",
			resolved, group, b.OperatingSystem, label),
		Action: fmt.Sprintf("take the other baseline off the group (%s), then register the stack's: %s",
			d.inRegion("aws ssm deregister-patch-baseline-for-patch-group --baseline-id "+resolved+" --patch-group "+shellWord(group)), register)}
	var fallback struct {
		BaselineId string `json:"BaselineId"`
	}
	if err := d.call(&fallback, "ssm", "get-default-patch-baseline", "--operating-system", b.OperatingSystem); err == nil && fallback.BaselineId == resolved {
		r.Evidence += fmt.Sprintf(" (the %s default: no baseline is registered for the group, so Patch Manager falls back to it)", b.OperatingSystem)
		// The default may also be registered for the group (a custom default): registering the
		// stack's then fails (AlreadyExistsException), so deregister it first where it is.
		r.Action = "register the stack's again: " + register + " (if that answers AlreadyExistsException, the default is registered for the group too: " +
			d.inRegion("aws ssm deregister-patch-baseline-for-patch-group --baseline-id "+resolved+" --patch-group "+shellWord(group)) + ", then register)"
	}
	return r
}
