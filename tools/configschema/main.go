// Command configschema writes the JSON Schema of privatepatch's configuration file, generated from
// the Go types of package config: every key with its type, the Go doc comment as its description
// (in the user's words: "Account is the ..." becomes "The ..."), config.Defaults() as its
// default, the allowed values of config.ValueRules (enums, patterns, ranges, lengths, from the
// facts validation uses), and no key but those (the loader refuses unknown keys too). Editors use
// it to complete and check a configuration (yaml-language-server's $schema comment, see the
// README); the loader's validation stays the authority, alone on rules across fields.
//
//	go run ./tools/configschema > config/privatepatch.schema.json   (make schema)
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/config"
)

func main() {
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), `Usage: go run ./tools/configschema [-config-dir DIR] > config/privatepatch.schema.json

Writes the JSON Schema of privatepatch's configuration file to standard output, generated from
package config's Go types (keys, types, doc comments, defaults). make schema runs it; a test
fails when the checked-in schema differs from what this writes.

`)
		flag.PrintDefaults()
	}
	dir := flag.String("config-dir", "config", "package config's source, whose doc comments become descriptions")
	flag.Parse()
	schema, err := generate(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "configschema:", err)
		os.Exit(1)
	}
	os.Stdout.Write(schema)
}

// generate returns the schema, indented, with a final newline.
func generate(configDir string) ([]byte, error) {
	docs := &docs{root: filepath.Dir(configDir), byPackage: map[string]map[string]map[string]string{},
		rules: config.ValueRules(), used: map[string]bool{}}
	defaults := config.Defaults()
	root, err := object("", reflect.TypeOf(defaults), reflect.ValueOf(defaults), docs)
	if err != nil {
		return nil, err
	}
	for path := range docs.rules {
		if !docs.used[path] {
			return nil, fmt.Errorf("config.ValueRules names %s, which the configuration does not have", path)
		}
	}
	root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	root["$id"] = "https://github.com/privatepatch/privatepatch/config/privatepatch.schema.json"
	root["title"] = "privatepatch configuration"
	root["description"] = "Generated from package config by tools/configschema (make schema): keys, types, " +
		"descriptions, defaults and the allowed values validation checks field by field (config.ValueRules). " +
		"Rules that compare fields are the loader's alone: it stays the authority."
	data, err := json.MarshalIndent(root, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// module is the import path the repository's packages start with.
const module = "github.com/privatepatch/privatepatch/"

// docs are the doc comments of struct fields, read from the source of each package whose types
// the configuration uses: package config, and the construct areas' specifications it embeds.
type docs struct {
	root      string
	byPackage map[string]map[string]map[string]string // package path, type name, field name
	rules     map[string]config.ValueRule
	used      map[string]bool
}

// constrain adds the value rule of path, if any, to s: a ZeroMeansDefault rule also allows ""
// or 0, which the loader replaces by the default.
func (d *docs) constrain(path string, s map[string]any) map[string]any {
	r, ok := d.rules[path]
	if !ok {
		return s
	}
	d.used[path] = true
	c := map[string]any{}
	var allowed string
	if r.Enum != nil {
		c["enum"] = r.Enum
		var words []string
		for _, v := range r.Enum {
			words = append(words, fmt.Sprint(v))
		}
		allowed = "One of: " + strings.Join(words, ", ") + "."
	}
	if r.Pattern != "" {
		c["pattern"] = r.Pattern
	}
	if r.Minimum != nil {
		c["minimum"] = *r.Minimum
		allowed = fmt.Sprintf("From %d", *r.Minimum)
	}
	if r.Maximum != nil {
		c["maximum"] = *r.Maximum
		allowed += fmt.Sprintf(" to %d.", *r.Maximum)
	}
	if r.MaxLength > 0 {
		c["maxLength"] = r.MaxLength
		allowed = fmt.Sprintf("At most %d characters.", r.MaxLength)
	}
	if r.MaxItems > 0 {
		c["maxItems"] = r.MaxItems
		allowed = fmt.Sprintf("At most %d.", r.MaxItems)
	}
	if r.UniqueItems {
		c["uniqueItems"] = true
		allowed = "Each at most once."
	}
	if r.KeyMaxLength > 0 {
		c["propertyNames"] = map[string]any{"maxLength": r.KeyMaxLength}
		allowed = fmt.Sprintf("Keys of at most %d characters.", r.KeyMaxLength)
	}
	if r.ZeroMeansDefault {
		zero := any("")
		if s["type"] == "integer" {
			zero = 0
		}
		s["anyOf"] = []any{map[string]any{"const": zero}, c}
	} else {
		for k, v := range c {
			s[k] = v
		}
	}
	if allowed != "" && len(allowed) <= 400 { // not the regions' or the endpoints' long lists
		s["x-allowed"] = allowed
	}
	return s
}

// of is the doc comment of field of struct type t.
func (d *docs) of(t reflect.Type, field string) (string, error) {
	pkg := t.PkgPath()
	if _, ok := d.byPackage[pkg]; !ok {
		types, err := fieldDocs(filepath.Join(d.root, strings.TrimPrefix(pkg, module)))
		if err != nil {
			return "", err
		}
		d.byPackage[pkg] = types
	}
	return d.byPackage[pkg][t.Name()][field], nil
}

// object is the schema of a struct: its YAML keys, nothing else. The keys of an inline field
// (a specification the section embeds) are the struct's own.
func object(path string, t reflect.Type, v reflect.Value, docs *docs) (map[string]any, error) {
	properties := map[string]any{}
	if err := addProperties(path, properties, t, v, docs); err != nil {
		return nil, err
	}
	return map[string]any{"type": "object", "properties": properties, "additionalProperties": false}, nil
}

func addProperties(path string, properties map[string]any, t reflect.Type, v reflect.Value, docs *docs) error {
	for i := range t.NumField() {
		field := t.Field(i)
		tag := strings.Split(field.Tag.Get("yaml"), ",")
		var fv reflect.Value
		if v.IsValid() {
			fv = v.Field(i)
		}
		if slices.Contains(tag[1:], "inline") {
			if err := addProperties(path, properties, field.Type, fv, docs); err != nil {
				return err
			}
			continue
		}
		key := tag[0]
		if key == "-" || !field.IsExported() {
			continue
		}
		if key == "" {
			key = strings.ToLower(field.Name)
		}
		keyPath := key
		if path != "" {
			keyPath = path + "." + key
		}
		s, err := schemaOf(keyPath, field.Type, fv, docs)
		if err != nil {
			return err
		}
		doc, err := docs.of(t, field.Name)
		if err != nil {
			return err
		}
		if doc = userWords(field.Name, doc); doc != "" {
			s["description"] = doc
		}
		if allowed, ok := s["x-allowed"].(string); ok {
			delete(s, "x-allowed")
			s["description"] = strings.TrimSpace(doc + " " + allowed)
		}
		if fv.IsValid() && !fv.IsZero() && isScalarOrList(field.Type) {
			s["default"] = fv.Interface()
		}
		properties[key] = s
	}
	return nil
}

func isScalarOrList(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int64, reflect.Float64:
		return true
	case reflect.Slice:
		return isScalarOrList(t.Elem())
	}
	return false
}

// userWords turns a Go doc comment into a description for someone editing the YAML: "Account
// is the 12-digit ..." becomes "The 12-digit ...".
func userWords(field, doc string) string {
	if rest, ok := strings.CutPrefix(doc, field+" is "); ok && rest != "" {
		return strings.ToUpper(rest[:1]) + rest[1:]
	}
	return doc
}

// schemaOf is the schema of a value of type t at path (v: its default, when known), with the
// value rule of that path.
func schemaOf(path string, t reflect.Type, v reflect.Value, docs *docs) (map[string]any, error) {
	s, err := typeSchema(path, t, v, docs)
	if err != nil {
		return nil, err
	}
	return docs.constrain(path, s), nil
}

func typeSchema(path string, t reflect.Type, v reflect.Value, docs *docs) (map[string]any, error) {
	switch t.Kind() {
	case reflect.Pointer:
		var elem reflect.Value
		if v.IsValid() && !v.IsNil() {
			elem = v.Elem()
		}
		return typeSchema(path, t.Elem(), elem, docs)
	case reflect.Struct:
		return object(path, t, v, docs)
	case reflect.Slice:
		items, err := schemaOf(path+"[]", t.Elem(), reflect.Value{}, docs)
		return map[string]any{"type": "array", "items": items}, err
	case reflect.Map:
		values, err := schemaOf(path+"{}", t.Elem(), reflect.Value{}, docs)
		return map[string]any{"type": "object", "additionalProperties": values}, err
	case reflect.String:
		return map[string]any{"type": "string"}, nil
	case reflect.Bool:
		return map[string]any{"type": "boolean"}, nil
	case reflect.Int, reflect.Int64:
		return map[string]any{"type": "integer"}, nil
	case reflect.Float64:
		return map[string]any{"type": "number"}, nil
	}
	panic(fmt.Sprintf("configschema: no schema for %s (%s): add it", t, t.Kind()))
}

// fieldDocs reads the doc comment of each struct field of the package in dir: type name, then
// field name, then the comment.
func fieldDocs(dir string) (map[string]map[string]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no Go files in %s: %v", dir, err)
	}
	docs := map[string]map[string]string{}
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			spec, ok := n.(*ast.TypeSpec)
			if !ok {
				return true
			}
			st, ok := spec.Type.(*ast.StructType)
			if !ok {
				return true
			}
			docs[spec.Name.Name] = map[string]string{}
			for _, field := range st.Fields.List {
				for _, name := range field.Names {
					docs[spec.Name.Name][name.Name] = strings.Join(strings.Fields(field.Doc.Text()), " ")
				}
			}
			return false
		})
	}
	return docs, nil
}
