package wiring

import (
	"embed"
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
)

// sampleEvents are events as AWS documents them (each file names its page in the tests that
// read it, test/assets_test.go and test/pipeline_test.go): Systems Manager's, Security Hub's,
// Inspector's and CodePipeline's, with this project's kinds of ids.
//
//go:embed events/*.json
var sampleEvents embed.FS

// SampleEvent is one of the sample events by file name without .json.
func SampleEvent(name string) (map[string]any, error) {
	data, err := sampleEvents.ReadFile("events/" + name + ".json")
	if err != nil {
		return nil, err
	}
	var event map[string]any
	return event, json.Unmarshal(data, &event)
}

// Matches reports whether an EventBridge event pattern (exact values, nested objects, and
// anything-but a list of values) matches an event, as EventBridge does for these patterns: a field
// matches when its value, or any element of an array value, is one of the listed values, none of
// an anything-but's values ("Content filtering in Amazon EventBridge event patterns", read
// 2026-12-06), or matches the nested pattern.
// A field the event lacks matches only "exists": false, as the same page says ("matches ... when a
// specific field doesn't exist in the event JSON"; on leaf nodes), nested patterns included.
// A value that is an intrinsic function (a deployment's id, {"Ref": ...}) matches any value, and
// anything-but a list holding one matches any value too (the sample's id may be another).
func Matches(pattern, event map[string]any) bool {
	for key, want := range pattern {
		got, ok := event[key]
		if !ok && !absentMatches(want) || ok && !fieldMatches(want, got) {
			return false
		}
	}
	return true
}

func absentMatches(want any) bool {
	switch want := want.(type) {
	case map[string]any:
		return Matches(want, map[string]any{})
	case []any:
		return slices.ContainsFunc(want, func(w any) bool { return fmt.Sprint(w) == fmt.Sprint(map[string]any{"exists": false}) })
	}
	return false
}

func fieldMatches(want, got any) bool {
	if items, ok := got.([]any); ok {
		for _, item := range items {
			if fieldMatches(want, item) {
				return true
			}
		}
		return false
	}
	switch want := want.(type) {
	case map[string]any:
		sub, ok := got.(map[string]any)
		return ok && Matches(want, sub)
	case []any:
		for _, w := range want {
			operator, _ := w.(map[string]any)
			if exists, ok := operator["exists"].(bool); ok {
				if exists {
					return true
				}
			} else if but, ok := operator["anything-but"].([]any); ok {
				// Anything but a deployment's id: any sample value may be another.
				if slices.ContainsFunc(but, intrinsic) || !slices.ContainsFunc(but, func(b any) bool { return fmt.Sprint(b) == fmt.Sprint(got) }) {
					return true
				}
			} else if intrinsic(w) || fmt.Sprint(w) == fmt.Sprint(got) {
				return true
			}
		}
	}
	return false
}

// intrinsic says whether v is an intrinsic function: {"Ref": ...} or {"Fn::...": ...}.
func intrinsic(v any) bool {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return false
	}
	for k := range m {
		return k == "Ref" || strings.HasPrefix(k, "Fn::")
	}
	return false
}

// Rules checks that each EventBridge rule of a stack matches at least one of the sample events,
// its deployment's ids taken as any: a rule whose source, detail-type or values are not what AWS
// sends (a detail-type of another event, "FAILED" where the event says "Failed") matches nothing,
// and its alerts never come.
func Rules(template map[string]any) []string {
	resources, _ := template["Resources"].(map[string]any)
	entries, _ := sampleEvents.ReadDir("events")
	var events []map[string]any
	for _, e := range entries {
		if event, err := SampleEvent(strings.TrimSuffix(e.Name(), path.Ext(e.Name()))); err == nil {
			events = append(events, event)
		}
	}
	rules := ofType(resources, "AWS::Events::Rule")
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(rules)) {
		pattern, ok := rules[id]["EventPattern"].(map[string]any)
		if !ok {
			continue
		}
		if !slices.ContainsFunc(events, func(e map[string]any) bool { return Matches(pattern, e) }) {
			problems = append(problems, fmt.Sprintf("rule %s: its pattern matches none of the events AWS documents for its source (proof/wiring/events): check its source, detail-type and values", id))
		}
	}
	return problems
}
