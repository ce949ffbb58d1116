// Package spec is what every construct area's specification shares: a Problem names a setting
// (by its Go field path), its value and what is wrong. The specifications (wsusspec,
// windowsspec, ...) import only the standard library and this package, so that the
// configuration, which knows nothing of CDK, and the constructs check a value with the same
// rule and message.
package spec

import (
	"fmt"
	"reflect"
	"strings"
)

// Problem is one bad setting: Field is its Go field path within the settings checked (Port,
// Languages[1], Client.AUOptions), Message says what is wrong and what is allowed, after the value.
type Problem struct {
	Field   string
	Value   any
	Message string
}

// String reads "Port 8529 is not a WSUS port: ..."; a Field of "" is the settings as a whole.
func (p Problem) String() string {
	return strings.TrimPrefix(p.Field+" ", " ") + Quote(p.Value) + " " + p.Message
}

// Quote shows a value in a message: text quoted, anything else as Go prints it.
func Quote(value any) string {
	if s, ok := value.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(value)
}

// Problems is every problem found in some settings.
type Problems []Problem

// Add records a problem of field.
func (p *Problems) Add(field string, value any, format string, args ...any) {
	*p = append(*p, Problem{Field: field, Value: value, Message: fmt.Sprintf(format, args...)})
}

// Within adds the problems of nested settings, their fields prefixed with prefix and a dot.
func (p *Problems) Within(prefix string, nested Problems) {
	for _, n := range nested {
		n.Field = strings.TrimSuffix(prefix+"."+n.Field, ".")
		*p = append(*p, n)
	}
}

// Error is the error of a construct given bad props: it names the construct and every prop.
type Error struct {
	// Construct is what was called, e.g. wsus.NewServer("Wsus").
	Construct string
	// Props is the props type, e.g. ServerProps.
	Props    string
	Problems Problems
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = strings.TrimSuffix(e.Props+"."+p.Field, ".") + " " + Quote(p.Value) + " " + p.Message
	}
	return fmt.Sprintf("%s: %d invalid prop(s):\n  - %s", e.Construct, len(e.Problems), strings.Join(lines, "\n  - "))
}

// Err is nil without problems, else an *Error naming construct and props.
func (p Problems) Err(construct, props string) error {
	if len(p) == 0 {
		return nil
	}
	return &Error{Construct: construct, Props: props, Problems: p}
}

// YAMLPath turns a Go field path of settings (a struct or a pointer to one) into its YAML path,
// by the fields' yaml tags: Client.AUOptions becomes client.auOptions, Languages[1]
// languages[1]. Fields promoted from inline structs keep their place. A field without a yaml
// tag keeps its Go name.
func YAMLPath(settings any, field string) string {
	t := reflect.TypeOf(settings)
	var out []string
	for _, part := range strings.Split(field, ".") {
		name, index, _ := strings.Cut(part, "[")
		for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map) {
			t = t.Elem()
		}
		key := name
		if t != nil && t.Kind() == reflect.Struct {
			if f, ok := t.FieldByName(name); ok {
				if tag := strings.Split(f.Tag.Get("yaml"), ",")[0]; tag != "" && tag != "-" {
					key = tag
				}
				t = f.Type
			} else {
				t = nil
			}
		}
		if index != "" {
			key += "[" + index
		}
		out = append(out, key)
	}
	return strings.Join(out, ".")
}

// NilProps is the error of a constructor given nil props that it has no defaults for: construct
// is what was called, e.g. fleet.NewFleet("Fleet"), props the props type.
func NilProps(construct, props string) error {
	var p Problems
	p.Add("", "nil", "is not allowed: pass &%s{...} with its required fields (its doc comment names them)", props)
	return p.Err(construct, props)
}

// NoRegion is the error of a construct that needs its stack's region in a stack without one
// (environment-agnostic, as cdk init's app is): construct is what was called, stack the stack's
// path, needs what the region decides.
func NoRegion(construct, stack, needs string) error {
	return fmt.Errorf("%s: stack %s has no region (it is environment-agnostic, as cdk init's app is), and %s: "+
		"give the stack one, e.g. awscdk.NewStack(app, id, &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String(\"us-west-2\")}}), "+
		"or os.Getenv(\"CDK_DEFAULT_REGION\") where the CDK CLI runs the app", construct, stack, needs)
}

// How privatepatch keeps a resource that holds data (buckets, keys, log groups, the WSUS update
// store, Security Hub and its standards): DeletionPolicy RetainExceptOnCreate "behaves like Retain
// for stack operations, except for the stack operation that initially created the resource. If
// the stack operation that created the resource is rolled back, CloudFormation deletes the
// resource" ("DeletionPolicy attribute", CloudFormation Template Reference, read 2026-12-07). A
// plain Retain keeps what a failed first deploy made, and "if resources are preserved during
// rollbacks, they interfere with retries of the stack operation" ("AWS CloudFormation launches a
// new deletion policy...", What's New, 2023-07-31): the retry fails on the kept bucket's name or on
// Security Hub already enabled. UpdateReplacePolicy takes no RetainExceptOnCreate: Retain.
// CDK writes both with RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE.
const (
	KeptDeletionPolicy      = "RetainExceptOnCreate"
	KeptUpdateReplacePolicy = "Retain"
)
