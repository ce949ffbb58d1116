package wiring

import (
	"fmt"
	"maps"
	"slices"
)

// References checks the cross-stack references of an assembly's templates, by stack name: each
// Fn::GetStackOutput names a stack of the assembly and one of its outputs, and each
// Fn::ImportValue an export one of them makes. CloudFormation's own validation sees one template
// at a time; a reference to an output that is not there fails the stack that makes it at deploy.
func References(templates map[string]map[string]any) []string {
	exports := map[string]bool{}
	for _, t := range templates {
		outputs, _ := t["Outputs"].(map[string]any)
		for _, o := range outputs {
			o, _ := o.(map[string]any)
			if export, _ := o["Export"].(map[string]any); export != nil {
				exports[fmt.Sprint(export["Name"])] = true
			}
		}
	}
	var problems []string
	for _, stack := range slices.Sorted(maps.Keys(templates)) {
		var walk func(where string, v any)
		walk = func(where string, v any) {
			switch v := v.(type) {
			case map[string]any:
				if get, ok := v["Fn::GetStackOutput"].(map[string]any); ok {
					source, name := fmt.Sprint(get["StackName"]), fmt.Sprint(get["OutputName"])
					outputs, _ := templates[source]["Outputs"].(map[string]any)
					if _, ok := outputs[name]; !ok {
						problems = append(problems, fmt.Sprintf("%s %s: reads output %s of stack %s, which it does not have", stack, where, name, source))
					}
				}
				if name, ok := v["Fn::ImportValue"].(string); ok && !exports[name] {
					problems = append(problems, fmt.Sprintf("%s %s: imports %s, which no stack of the assembly exports", stack, where, name))
				}
				for _, k := range slices.Sorted(maps.Keys(v)) {
					walk(where, v[k])
				}
			case []any:
				for _, item := range v {
					walk(where, item)
				}
			}
		}
		resources, _ := templates[stack]["Resources"].(map[string]any)
		for _, id := range slices.Sorted(maps.Keys(resources)) {
			walk(id, resources[id])
		}
		outputs, _ := templates[stack]["Outputs"].(map[string]any)
		for _, id := range slices.Sorted(maps.Keys(outputs)) {
			walk("output "+id, outputs[id])
		}
	}
	return problems
}
