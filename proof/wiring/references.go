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
	exports := exporters(templates)
	var problems []string
	for _, stack := range slices.Sorted(maps.Keys(templates)) {
		eachReference(templates[stack], func(where string, v map[string]any) {
			if get, ok := v["Fn::GetStackOutput"].(map[string]any); ok {
				source, name := fmt.Sprint(get["StackName"]), fmt.Sprint(get["OutputName"])
				outputs, _ := templates[source]["Outputs"].(map[string]any)
				if _, ok := outputs[name]; !ok {
					problems = append(problems, fmt.Sprintf("%s %s: reads output %s of stack %s, which it does not have", stack, where, name, source))
				}
			}
			if name, ok := v["Fn::ImportValue"].(string); ok && exports[name] == "" {
				problems = append(problems, fmt.Sprintf("%s %s: imports %s, which no stack of the assembly exports", stack, where, name))
			}
		})
	}
	return problems
}

// ReferenceOrder: a stack that reads another's output (Fn::GetStackOutput naming a stack of the
// assembly, or Fn::ImportValue of an export one makes) depends on it in the cloud assembly's
// manifest, directly or through others (dependsOn: the stacks each stack's artifact lists, by
// name), since that is the only order cdk deploy follows: cross-stack references "should record
// a dependency between stacks, so that ... cdk deploy can deploy multiple stacks in the right
// order" (aws/aws-cdk issue 1324, the design of CDK's cross-stack references); `--concurrency`
// deploys "multiple stacks in parallel while accounting for inter-stack dependencies" ("cdk
// deploy", AWS CDK v2 Developer Guide, read 2026-12-07). A Fn::GetStackOutput is no
// CloudFormation dependency at all, so without the manifest's edge a first deploy of the reader
// alone, or beside the producer, fails (mutation run 23's B13: patching no longer depending on
// fleet).
func ReferenceOrder(templates map[string]map[string]any, dependsOn map[string][]string) []string {
	exports := exporters(templates)
	var problems []string
	for _, stack := range slices.Sorted(maps.Keys(templates)) {
		named := map[string]bool{}
		eachReference(templates[stack], func(_ string, v map[string]any) {
			if get, ok := v["Fn::GetStackOutput"].(map[string]any); ok {
				named[fmt.Sprint(get["StackName"])] = true
			}
			if name, ok := v["Fn::ImportValue"].(string); ok && exports[name] != "" {
				named[exports[name]] = true
			}
		})
		before := reachable(stack, dependsOn)
		for _, source := range slices.Sorted(maps.Keys(named)) {
			if _, ours := templates[source]; ours && source != stack && !before[source] {
				problems = append(problems, fmt.Sprintf("%s reads outputs of %s, but its manifest artifact does not depend on it (directly or through another stack): cdk deploy may deploy it first or alongside, and the reference fails",
					stack, source))
			}
		}
	}
	return problems
}

// reachable are the stacks stack depends on, directly or through others.
func reachable(stack string, dependsOn map[string][]string) map[string]bool {
	seen := map[string]bool{}
	next := slices.Clone(dependsOn[stack])
	for len(next) > 0 {
		s := next[len(next)-1]
		next = next[:len(next)-1]
		if !seen[s] {
			seen[s] = true
			next = append(next, dependsOn[s]...)
		}
	}
	return seen
}

// exporters are the stacks by the names of the exports they make.
func exporters(templates map[string]map[string]any) map[string]string {
	exports := map[string]string{}
	for stack, t := range templates {
		outputs, _ := t["Outputs"].(map[string]any)
		for _, o := range outputs {
			o, _ := o.(map[string]any)
			if export, _ := o["Export"].(map[string]any); export != nil {
				exports[fmt.Sprint(export["Name"])] = stack
			}
		}
	}
	return exports
}

// eachReference calls visit with every mapping in template's resources and outputs (where: the
// resource's id, or "output" and the output's), in a fixed order.
func eachReference(template map[string]any, visit func(where string, v map[string]any)) {
	var walk func(where string, v any)
	walk = func(where string, v any) {
		switch v := v.(type) {
		case map[string]any:
			visit(where, v)
			for _, k := range slices.Sorted(maps.Keys(v)) {
				walk(where, v[k])
			}
		case []any:
			for _, item := range v {
				walk(where, item)
			}
		}
	}
	resources, _ := template["Resources"].(map[string]any)
	for _, id := range slices.Sorted(maps.Keys(resources)) {
		walk(id, resources[id])
	}
	outputs, _ := template["Outputs"].(map[string]any)
	for _, id := range slices.Sorted(maps.Keys(outputs)) {
		walk("output "+id, outputs[id])
	}
}
