// Command configschema writes the JSON Schema of privatepatch's configuration file, generated from
// the Go types of package config: every key with its type, the Go doc comment as its description
// and config.Defaults() as its default, and no key but those (the loader refuses unknown keys
// too). Editors use it to complete and check a configuration (yaml-language-server's $schema
// comment, see the README); the loader's validation stays the authority on values.
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
	docs, err := fieldDocs(configDir)
	if err != nil {
		return nil, err
	}
	defaults := config.Defaults()
	root := object(reflect.TypeOf(defaults), reflect.ValueOf(defaults), docs)
	root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	root["$id"] = "https://github.com/privatepatch/privatepatch/config/privatepatch.schema.json"
	root["title"] = "privatepatch configuration"
	root["description"] = "Generated from package config by tools/configschema (make schema): keys, types, " +
		"descriptions and defaults. The loader's validation decides which values are allowed."
	data, err := json.MarshalIndent(root, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// fieldDocs reads the doc comment of each struct field in package config: type name, then
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

// object is the schema of a struct: its YAML keys, nothing else.
func object(t reflect.Type, v reflect.Value, docs map[string]map[string]string) map[string]any {
	properties := map[string]any{}
	for i := range t.NumField() {
		field := t.Field(i)
		key := strings.Split(field.Tag.Get("yaml"), ",")[0]
		if key == "-" || !field.IsExported() {
			continue
		}
		if key == "" {
			key = strings.ToLower(field.Name)
		}
		var fv reflect.Value
		if v.IsValid() {
			fv = v.Field(i)
		}
		s := schemaOf(field.Type, fv, docs)
		if doc := docs[t.Name()][field.Name]; doc != "" {
			s["description"] = doc
		}
		if fv.IsValid() && !fv.IsZero() && isScalarOrList(field.Type) {
			s["default"] = fv.Interface()
		}
		properties[key] = s
	}
	return map[string]any{"type": "object", "properties": properties, "additionalProperties": false}
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

// schemaOf is the schema of a value of type t (v: its default, when known).
func schemaOf(t reflect.Type, v reflect.Value, docs map[string]map[string]string) map[string]any {
	switch t.Kind() {
	case reflect.Pointer:
		var elem reflect.Value
		if v.IsValid() && !v.IsNil() {
			elem = v.Elem()
		}
		return schemaOf(t.Elem(), elem, docs)
	case reflect.Struct:
		return object(t, v, docs)
	case reflect.Slice:
		return map[string]any{"type": "array", "items": schemaOf(t.Elem(), reflect.Value{}, docs)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem(), reflect.Value{}, docs)}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64:
		return map[string]any{"type": "integer"}
	case reflect.Float64:
		return map[string]any{"type": "number"}
	}
	panic(fmt.Sprintf("configschema: no schema for %s (%s): add it", t, t.Kind()))
}
