package wiring

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/compliance/compliancespec"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

var (
	// activationRole and activationLimit are create-activation's --iam-role (required) and
	// --registration-limit options (AWS CLI reference, ssm create-activation, read 2026-12-07).
	activationRole  = regexp.MustCompile(`--iam-role (\{"Ref":"([^"]+)"\}|\S+)`)
	activationLimit = regexp.MustCompile(`--registration-limit (\S+)`)
	upTo            = regexp.MustCompile(`up to (\d+)`)
	// managedInstanceCore is the AWS managed policy's ARN, in any partition.
	managedInstanceCore = regexp.MustCompile(`:iam::aws:policy/AmazonSSMManagedInstanceCore$`)
	// outputRegion is a region option of a command: the CLI's --region, SSM Agent's -register
	// ... -region ("Install SSM Agent for a hybrid environment", Systems Manager User Guide).
	outputRegion = regexp.MustCompile(`(?:^|\s)--?region\s+(\S+?)[;"']?(?:\s|$)`)
)

// HybridOutputs checks the commands the stacks' outputs give an operator (run 25's A01, A02,
// A06; run 43's A06): each region they name is the deployment's, since an activation is a regional SSM
// resource and a node registering with another region's endpoint is refused; the activation's
// --iam-role is the hybrid role (the role ssm.amazonaws.com assumes that carries
// AmazonSSMManagedInstanceCore: another role trusted by SSM, a window's service role, is accepted
// but its nodes never come online and may start commands); and its --registration-limit is
// compliancespec.HybridRegistrationLimit, as its description says; the tags it gives a hybrid node
// include every patch group key the targets select by (joinTags).
func HybridOutputs(region string, templates ...map[string]any) []string {
	var problems []string
	selecting := patchGroupKeysSelected(templates)
	for _, template := range templates {
		outputs, _ := template["Outputs"].(map[string]any)
		for _, name := range slices.Sorted(maps.Keys(outputs)) {
			output, _ := outputs[name].(map[string]any)
			value := rendered(output["Value"])
			for _, m := range outputRegion.FindAllStringSubmatch(value, -1) {
				if region != "" && m[1] != region {
					problems = append(problems, fmt.Sprintf("output %s: names region %s, not the deployment's %s: an operator running it acts where the stacks are not (an activation is regional: a node registers only in its region)", name, m[1], region))
				}
			}
			if name == "HybridActivationCommand" {
				problems = append(problems, activationCommand(template, value, cfntemplate.Text(output["Description"]))...)
			}
			if tags, ok := cfntemplate.ManagedInstanceTags(value); ok {
				problems = append(problems, joinTags(name, tags, selecting)...)
			}
		}
	}
	return problems
}

// joinTags checks the tags an output's command gives a hybrid node: every patch group key a
// window target, task or association of the templates selects by (selecting), with one value. A
// target matches only the key it names ("For Run Command and Maintenance Windows:
// Key=tag:tag-key,Values=tag-value-1,tag-value-2", Target, AWS Systems Manager API Reference,
// read 2026-12-07),
// and the configuration may name either key (targets.patchGroupTagKey): a node without that key
// is never patched or scanned, and nothing fails (held-out run 43's A06). The construct gives
// both keys, as the fleet's EC2 instances carry them.
func joinTags(name string, tags map[string]string, selecting []string) []string {
	var problems []string
	for _, key := range selecting {
		if _, ok := tags[key]; !ok {
			problems = append(problems, fmt.Sprintf("output %s: tags hybrid nodes without the patch group key %q, which a window or association selects by: it never reaches them", name, key))
		}
	}
	values := map[string]bool{}
	for _, key := range patchingspec.PatchGroupTagKeys {
		if value, ok := tags[key]; ok {
			values[value] = true
		}
	}
	if len(values) > 1 {
		problems = append(problems, fmt.Sprintf("output %s: gives the patch group keys %v different values: a node is in one patch group", name, slices.Sorted(maps.Keys(values))))
	}
	return problems
}

// patchGroupKeysSelected are the patch group tag keys (patchingspec.PatchGroupTagKeys) that any
// resource's Targets select by ("tag:<key>"): window targets, tasks, associations.
func patchGroupKeysSelected(templates []map[string]any) []string {
	var keys []string
	for _, template := range templates {
		for _, r := range cfntemplate.Resources(template) {
			r, _ := r.(map[string]any)
			properties, _ := r["Properties"].(map[string]any)
			for _, t := range cfntemplate.List(properties["Targets"]) {
				t, _ := t.(map[string]any)
				if key, ok := strings.CutPrefix(cfntemplate.Text(t["Key"]), "tag:"); ok && slices.Contains(patchingspec.PatchGroupTagKeys, key) && !slices.Contains(keys, key) {
					keys = append(keys, key)
				}
			}
		}
	}
	slices.Sort(keys)
	return keys
}

// activationCommand checks the HybridActivationCommand output's role and registration limit.
func activationCommand(template map[string]any, value, description string) []string {
	var problems []string
	role := activationRole.FindStringSubmatch(value)
	switch {
	case role == nil:
		problems = append(problems, "output HybridActivationCommand: names no --iam-role, which create-activation requires")
	case role[2] == "" || !isHybridRole(cfntemplate.Resources(template), role[2]):
		problems = append(problems, fmt.Sprintf("output HybridActivationCommand: --iam-role %s is not the stack's hybrid role (trusted by ssm.amazonaws.com, with AmazonSSMManagedInstanceCore): nodes registered with it never come online, or get the named role's grants", role[1]))
	}
	limit := "none (1)"
	if m := activationLimit.FindStringSubmatch(value); m != nil {
		limit = m[1]
	}
	if limit != strconv.Itoa(compliancespec.HybridRegistrationLimit) {
		problems = append(problems, fmt.Sprintf("output HybridActivationCommand: --registration-limit %s, not %d: one activation's code and id would register that many machines", limit, compliancespec.HybridRegistrationLimit))
	}
	if said := upTo.FindStringSubmatch(description); said != nil && said[1] != strconv.Itoa(compliancespec.HybridRegistrationLimit) {
		problems = append(problems, fmt.Sprintf("output HybridActivationCommand: its description says up to %s, not %d", said[1], compliancespec.HybridRegistrationLimit))
	}
	return problems
}

// isHybridRole reports whether id is a role that ssm.amazonaws.com may assume and that carries
// AmazonSSMManagedInstanceCore, the policy an activation's role needs for its nodes to register
// and take commands (the CreateActivation IamRole; Pulumi's aws.ssm.Activation example attaches
// it, read 2026-12-07).
func isHybridRole(resources map[string]any, id string) bool {
	role, ok := cfntemplate.OfType(resources, "AWS::IAM::Role")[id]
	if !ok {
		return false
	}
	core := slices.ContainsFunc(cfntemplate.List(role["ManagedPolicyArns"]), func(arn any) bool {
		return managedInstanceCore.MatchString(rendered(arn))
	})
	document, _ := role["AssumeRolePolicyDocument"].(map[string]any)
	for _, st := range cfntemplate.List(document["Statement"]) {
		st, _ := st.(map[string]any)
		principal, _ := st["Principal"].(map[string]any)
		if st["Effect"] == "Allow" && slices.Contains(cfntemplate.Texts(principal["Service"]), "ssm.amazonaws.com") {
			return core
		}
	}
	return false
}
