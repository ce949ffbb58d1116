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
	docs := &docs{root: filepath.Dir(configDir), byPackage: map[string]map[string]map[string]string{}}
	defaults := config.Defaults()
	root, err := object(reflect.TypeOf(defaults), reflect.ValueOf(defaults), docs)
	if err != nil {
		return nil, err
	}
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

// module is the import path the repository's packages start with.
const module = "github.com/privatepatch/privatepatch/"

// docs are the doc comments of struct fields, read from the source of each package whose types
// the configuration uses: package config, and the construct areas' specifications it embeds.
type docs struct {
	root      string
	byPackage map[string]map[string]map[string]string // package path, type name, field name
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
func object(t reflect.Type, v reflect.Value, docs *docs) (map[string]any, error) {
	properties := map[string]any{}
	if err := addProperties(properties, t, v, docs); err != nil {
		return nil, err
	}
	return map[string]any{"type": "object", "properties": properties, "additionalProperties": false}, nil
}

func addProperties(properties map[string]any, t reflect.Type, v reflect.Value, docs *docs) error {
	for i := range t.NumField() {
		field := t.Field(i)
		tag := strings.Split(field.Tag.Get("yaml"), ",")
		var fv reflect.Value
		if v.IsValid() {
			fv = v.Field(i)
		}
		if slices.Contains(tag[1:], "inline") {
			if err := addProperties(properties, field.Type, fv, docs); err != nil {
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
		s, err := schemaOf(field.Type, fv, docs)
		if err != nil {
			return err
		}
		doc, err := docs.of(t, field.Name)
		if err != nil {
			return err
		}
		if doc != "" {
			s["description"] = doc
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

// schemaOf is the schema of a value of type t (v: its default, when known).
func schemaOf(t reflect.Type, v reflect.Value, docs *docs) (map[string]any, error) {
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
		items, err := schemaOf(t.Elem(), reflect.Value{}, docs)
		return map[string]any{"type": "array", "items": items}, err
	case reflect.Map:
		values, err := schemaOf(t.Elem(), reflect.Value{}, docs)
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
