package config

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// nullSections reports keys whose value is empty (null: `wsus: ~` or `wsus:` with nothing
// under it) where a section, list or map belongs: YAML would silently reset the whole section,
// defaults included, to zero values.
func nullSections(node *yaml.Node, t reflect.Type, path string, p *problems) {
	if node.Kind == yaml.DocumentNode && len(node.Content) > 0 {
		nullSections(node.Content[0], t, path, p)
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case node.Kind == yaml.MappingNode && t.Kind() == reflect.Struct:
		for i := 0; i+1 < len(node.Content); i += 2 {
			key, value := node.Content[i], node.Content[i+1]
			field, ok := fieldByYAMLName(t, key.Value)
			if !ok {
				continue // the decoder reports unknown keys
			}
			fieldPath := joinPath(path, key.Value)
			ft := field.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			isSection := ft.Kind() == reflect.Struct || ft.Kind() == reflect.Slice || ft.Kind() == reflect.Map
			if value.Kind == yaml.ScalarNode && value.Tag == "!!null" && isSection {
				p.add(fieldPath, value.Value, "is empty (line %d): remove the key to keep its defaults, or give its settings", key.Line)
				continue
			}
			nullSections(value, field.Type, fieldPath, p)
		}
	case node.Kind == yaml.SequenceNode && t.Kind() == reflect.Slice:
		for i, item := range node.Content {
			nullSections(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), p)
		}
	}
}

func fieldByYAMLName(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		if strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0] == name {
			return t.Field(i), true
		}
	}
	return reflect.StructField{}, false
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// templateSyntax is text that CDK or CloudFormation would interpret rather than copy: a CDK
// token would be resolved to some other value, and a dynamic reference would read a secret or
// parameter into the template at deploy time.
var templateSyntax = []string{"${Token[", "{{resolve:"}

// freeTextProblems reports every string of the configuration that holds templateSyntax.
func freeTextProblems(v reflect.Value, path string, p *problems) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			freeTextProblems(v.Elem(), path, p)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			name := strings.Split(v.Type().Field(i).Tag.Get("yaml"), ",")[0]
			freeTextProblems(v.Field(i), joinPath(path, name), p)
		}
	case reflect.Slice:
		for i := range v.Len() {
			freeTextProblems(v.Index(i), fmt.Sprintf("%s[%d]", path, i), p)
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, k := range keys {
			freeTextProblems(k, path, p)
			freeTextProblems(v.MapIndex(k), joinPath(path, k.String()), p)
		}
	case reflect.String:
		for _, syntax := range templateSyntax {
			if strings.Contains(v.String(), syntax) {
				p.add(path, v.String(), "holds %s, which CDK or CloudFormation would replace with another value: write the value itself", syntax)
			}
		}
	}
}
