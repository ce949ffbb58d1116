// Package cfntemplate reads synthesised CloudFormation templates as their decoded JSON: the
// resources of a type, and the plain values and intrinsic functions their properties hold. The
// offline proofs (netpath, wiring, calendar) judge templates with it.
package cfntemplate

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Resources are a template's resources by logical id.
func Resources(template map[string]any) map[string]any {
	resources, _ := template["Resources"].(map[string]any)
	return resources
}

// OfType returns the properties of the resources of type t, by logical id.
func OfType(resources map[string]any, t string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range resources {
		if r, ok := r.(map[string]any); ok && r["Type"] == t {
			p, _ := r["Properties"].(map[string]any)
			out[id] = p
		}
	}
	return out
}

// Ref is the logical id {"Ref": id} names, or "".
func Ref(v any) string {
	m, _ := v.(map[string]any)
	s, _ := m["Ref"].(string)
	return s
}

// GetAtt is the logical id {"Fn::GetAtt": [id, attribute]} names, or "".
func GetAtt(v any) string {
	m, _ := v.(map[string]any)
	if att, ok := m["Fn::GetAtt"].([]any); ok && len(att) > 0 {
		return fmt.Sprint(att[0])
	}
	return ""
}

// List is a list property, nil when it is not one.
func List(v any) []any {
	l, _ := v.([]any)
	return l
}

// First is a list's first element, nil without one.
func First(v any) any {
	if l := List(v); len(l) > 0 {
		return l[0]
	}
	return nil
}

// Text is a property as text, "" when absent.
func Text(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// Int is an integer property (a JSON number, or its text), 0 when absent.
func Int(v any) int {
	switch v := v.(type) {
	case float64:
		return int(v)
	case string:
		n, _ := strconv.Atoi(v)
		return n
	}
	return 0
}

// ReadFile reads a template file.
func ReadFile(path string) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var template map[string]any
	if err := json.Unmarshal(data, &template); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return template, nil
}

// AssociationParameter is the value an association (its properties) gives its document's
// parameter name, or, where it leaves the parameter out, the default the document declares when
// the association names one of resources' documents (a Ref); "" without either.
func AssociationParameter(resources, association map[string]any, name string) string {
	params, _ := association["Parameters"].(map[string]any)
	if v := First(params[name]); v != nil {
		return Text(v)
	}
	document, ok := OfType(resources, "AWS::SSM::Document")[Ref(association["Name"])]
	if !ok {
		return ""
	}
	content, _ := document["Content"].(map[string]any)
	declared, _ := content["parameters"].(map[string]any)
	parameter, _ := declared[name].(map[string]any)
	return Text(parameter["default"])
}

// Joined is a value as text: a string as it is, an Fn::Join joined (nested ones too), and any
// other intrinsic as intrinsic writes it.
func Joined(v any, intrinsic func(any) string) string {
	if text, ok := v.(string); ok {
		return text
	}
	if m, ok := v.(map[string]any); ok {
		if join := List(m["Fn::Join"]); len(join) == 2 {
			var parts []string
			for _, part := range List(join[1]) {
				parts = append(parts, Joined(part, intrinsic))
			}
			separator, _ := join[0].(string)
			return strings.Join(parts, separator)
		}
	}
	return intrinsic(v)
}

// WindowPatchGroups are the patch groups the targets of maintenance window window (a logical id)
// select by one of keys (the patch group tag keys), in the targets' order.
func WindowPatchGroups(resources map[string]any, window string, keys []string) []string {
	var groups []string
	targets := OfType(resources, "AWS::SSM::MaintenanceWindowTarget")
	for _, id := range slices.Sorted(maps.Keys(targets)) {
		if Ref(targets[id]["WindowId"]) != window {
			continue
		}
		for _, t := range List(targets[id]["Targets"]) {
			t, _ := t.(map[string]any)
			if key, ok := strings.CutPrefix(Text(t["Key"]), "tag:"); ok && slices.Contains(keys, key) {
				for _, v := range List(t["Values"]) {
					groups = append(groups, Text(v))
				}
			}
		}
	}
	return groups
}

// Values are a property's values: a list's elements, or the one value a scalar is (a policy's
// Principal Service, an event pattern's field); none when absent.
func Values(v any) []any {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		return v
	}
	return []any{v}
}

// Texts are a property's values as text (Values, each Text).
func Texts(v any) []string {
	var out []string
	for _, x := range Values(v) {
		out = append(out, Text(x))
	}
	return out
}

// RunCommand is a maintenance window task's
// TaskInvocationParameters.MaintenanceWindowRunCommandParameters; nil when it has none.
func RunCommand(task map[string]any) map[string]any {
	invocation, _ := task["TaskInvocationParameters"].(map[string]any)
	runCommand, _ := invocation["MaintenanceWindowRunCommandParameters"].(map[string]any)
	return runCommand
}

// Automation is a maintenance window task's
// TaskInvocationParameters.MaintenanceWindowAutomationParameters; nil when it has none.
func Automation(task map[string]any) map[string]any {
	invocation, _ := task["TaskInvocationParameters"].(map[string]any)
	automation, _ := invocation["MaintenanceWindowAutomationParameters"].(map[string]any)
	return automation
}

// Parameters is the Parameters map of a RunCommand or Automation block; nil when absent.
func Parameters(block map[string]any) map[string]any {
	params, _ := block["Parameters"].(map[string]any)
	return params
}

// InstanceSubnet is an AWS::EC2::Instance's subnet: its first NetworkInterfaces entry's SubnetId
// when it declares interfaces ("If you specify a network interface, you must specify any subnets
// as part of the network interface instead of using this parameter", SubnetId, RunInstances,
// Amazon EC2 API Reference, read 2026-12-07), else its SubnetId; as written, a Ref or an import
// left unresolved.
func InstanceSubnet(instance map[string]any) any {
	if nics := List(instance["NetworkInterfaces"]); len(nics) > 0 {
		nic, _ := nics[0].(map[string]any)
		return nic["SubnetId"]
	}
	return instance["SubnetId"]
}

// TaskDocument is a maintenance window task's document name: "For RUN_COMMAND and AUTOMATION
// task types, TaskArn is the Amazon Web Services Systems Manager (SSM document) name or ARN"
// (MaintenanceWindowTask, AWS Systems Manager API Reference, read 2026-12-07), so an ARN's last
// path segment (document/NAME) or the name as written.
func TaskDocument(task map[string]any) string {
	arn := Text(task["TaskArn"])
	return arn[strings.LastIndex(arn, "/")+1:]
}

// cliTag is one tag in the AWS CLI's shorthand, Key=string,Value=string (aws ssm
// add-tags-to-resource --tags, AWS CLI Command Reference, read 2026-12-07), as the stacks'
// outputs quote each.
var cliTag = regexp.MustCompile(`Key=([^,']+),Value=([^' ]+)`)

// ManagedInstanceTags are the tags an output's command adds to a hybrid node (aws ssm
// add-tags-to-resource --resource-type ManagedInstance), by key; ok is false for any other
// command.
func ManagedInstanceTags(command string) (tags map[string]string, ok bool) {
	if !strings.Contains(command, "add-tags-to-resource") || !strings.Contains(command, "ManagedInstance") {
		return nil, false
	}
	tags = map[string]string{}
	for _, kv := range cliTag.FindAllStringSubmatch(command, -1) {
		tags[kv[1]] = kv[2]
	}
	return tags, true
}
