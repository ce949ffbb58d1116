package config

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"strconv"
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
		if inline(t.Field(i)) {
			if f, ok := fieldByYAMLName(t.Field(i).Type, name); ok {
				return f, true
			}
		} else if strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0] == name {
			return t.Field(i), true
		}
	}
	return reflect.StructField{}, false
}

// inline says whether a field's keys are its parent's (`yaml:",inline"`), as the settings a
// section takes from a construct area's specification are.
func inline(f reflect.StructField) bool {
	return slices.Contains(strings.Split(f.Tag.Get("yaml"), ",")[1:], "inline")
}

func joinPath(path, key string) string {
	if path == "" || key == "" {
		return path + key
	}
	return path + "." + key
}

// templateSyntax is text that CDK or CloudFormation would interpret rather than copy: a CDK
// token (of a string or a list) would be resolved to some other value, and a dynamic reference
// would read a secret or parameter into the template at deploy time.
var templateSyntax = append(slices.Clone(cdkTokenMarkers), "{{resolve:")

// freeTextProblems reports every string of the configuration that holds templateSyntax.
func freeTextProblems(v reflect.Value, path string, p *problems) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			freeTextProblems(v.Elem(), path, p)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if inline(v.Type().Field(i)) {
				freeTextProblems(v.Field(i), path, p)
				continue
			}
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

// typeProblems reports every value of the YAML document whose kind does not fit the field it
// sets, naming the field and its line: a fraction where a whole number belongs (YAML would
// truncate it), text where a number or true/false belongs, and a map or list where one value
// belongs (such as a CloudFormation intrinsic, {Ref: ...}, which nothing here evaluates).
func typeProblems(node *yaml.Node, t reflect.Type, path string, p *problems) {
	if node.Kind == yaml.DocumentNode && len(node.Content) > 0 {
		typeProblems(node.Content[0], t, path, p)
		return
	}
	if node.Kind == yaml.AliasNode && node.Alias != nil {
		node = node.Alias
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(reflect.TypeFor[yaml.Unmarshaler]()) {
		return // it reports its own errors, which the decoder returns
	}
	if node.Kind == yaml.ScalarNode && node.Tag == "!!null" {
		return // nullSections reports empty sections; an empty scalar is its zero value
	}
	switch t.Kind() {
	case reflect.Struct:
		if node.Kind != yaml.MappingNode {
			p.add(path, describeNode(node), "is not a section (line %d): give its keys, as in config/example.yaml", node.Line)
			return
		}
		for i := 0; i+1 < len(node.Content); i += 2 {
			if field, ok := fieldByYAMLName(t, node.Content[i].Value); ok {
				typeProblems(node.Content[i+1], field.Type, joinPath(path, node.Content[i].Value), p)
			}
		}
	case reflect.Map:
		if node.Kind != yaml.MappingNode {
			p.add(path, describeNode(node), "is not a map (line %d): give key: value pairs", node.Line)
			return
		}
		for i := 0; i+1 < len(node.Content); i += 2 {
			typeProblems(node.Content[i+1], t.Elem(), joinPath(path, node.Content[i].Value), p)
		}
	case reflect.Slice:
		if node.Kind != yaml.SequenceNode {
			p.add(path, describeNode(node), "is not a list (line %d): write [a, b] or one - item per line", node.Line)
			return
		}
		for i, item := range node.Content {
			typeProblems(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), p)
		}
	case reflect.String:
		if node.Kind != yaml.ScalarNode {
			p.add(path, describeNode(node), "is not a text value (line %d): write the value itself (nothing here evaluates CloudFormation intrinsics such as {Ref: ...})", node.Line)
		}
	case reflect.Int:
		if node.Kind != yaml.ScalarNode {
			p.add(path, describeNode(node), "is not a whole number (line %d)", node.Line)
			return
		}
		switch node.Tag {
		case "!!int":
		case "!!float":
			switch f, err := strconv.ParseFloat(node.Value, 64); {
			case err != nil || f != math.Trunc(f) || math.IsInf(f, 0) || math.IsNaN(f):
				p.add(path, node.Value, "is not a whole number (line %d): YAML would cut it to an integer; write one", node.Line)
			case f > math.MaxInt32 || f < math.MinInt32:
				p.add(path, node.Value, "is too large a number (line %d)", node.Line)
			}
		default:
			p.add(path, node.Value, "is not a whole number (line %d)", node.Line)
		}
	case reflect.Bool:
		if node.Kind != yaml.ScalarNode || node.Tag != "!!bool" {
			p.add(path, describeNode(node), "is not true or false (line %d)", node.Line)
		}
	}
}

// describeNode shows a YAML value in a message: a scalar as it is written, a map or list by its
// shape and first keys.
func describeNode(node *yaml.Node) string {
	switch node.Kind {
	case yaml.MappingNode:
		var keys []string
		for i := 0; i+1 < len(node.Content) && len(keys) < 3; i += 2 {
			keys = append(keys, node.Content[i].Value+": ...")
		}
		return "{" + strings.Join(keys, ", ") + "}"
	case yaml.SequenceNode:
		return fmt.Sprintf("[%d items]", len(node.Content))
	}
	return node.Value
}
