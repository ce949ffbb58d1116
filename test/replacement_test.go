package test

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// This file models what CloudFormation does when a deployed app is updated to a new template, so
// that tests can prove a routine configuration change replaces nothing that holds data and
// creates nothing that clashes with what still exists. CloudFormation updates in this order:
// it creates new resources and the new copies of replaced ones, updates the rest in place, and
// only then deletes removed and replaced ones. So a new or replacing resource must not take a
// name, rule number or address block that a resource of the old template still holds, and a
// resource with a fixed name cannot be replaced at all.

// statefulTypes hold data, or are the data's home: replacing one loses it or moves it. (A
// resource data sync holds none: what it synced stays in the bucket, and a new sync writes it
// all again; its fixed name is checked like every other.)
var statefulTypes = map[string]bool{
	"AWS::S3::Bucket": true, "AWS::Logs::LogGroup": true, "AWS::KMS::Key": true, "AWS::EC2::Volume": true,
	"AWS::EC2::Instance": true, "AWS::SNS::Topic": true,
}

// alsoReplacing lists properties that the service spec does not mark as replacing, but whose
// change loses data all the same: a volume cannot move to another zone (EC2 refuses the change).
var alsoReplacing = map[string][]string{"AWS::EC2::Volume": {"AvailabilityZone"}}

var (
	replacingOnce  sync.Once
	replacingProps map[string][]string
	replacingErr   error
)

// replacingProperties returns, per resource type, the top-level properties whose change makes
// CloudFormation replace the resource ("causesReplacement": "yes" in the AWS CDK service spec
// that package.json pins, node_modules/@aws-cdk/aws-service-spec/db.json.gz).
func replacingProperties(t testing.TB) map[string][]string {
	replacingOnce.Do(func() {
		f, err := os.Open(filepath.Join("..", "node_modules", "@aws-cdk", "aws-service-spec", "db.json.gz"))
		if err != nil {
			replacingErr = fmt.Errorf("the CloudFormation service spec is missing (run make setup): %w", err)
			return
		}
		defer f.Close()
		gz, err := gzip.NewReader(f)
		if err != nil {
			replacingErr = err
			return
		}
		var db struct {
			Schema struct {
				Resource struct {
					Entities []struct {
						CloudFormationType string `json:"cloudFormationType"`
						Properties         map[string]struct {
							CausesReplacement string `json:"causesReplacement"`
						} `json:"properties"`
					} `json:"entities"`
				} `json:"resource"`
			} `json:"schema"`
		}
		if replacingErr = json.NewDecoder(gz).Decode(&db); replacingErr != nil {
			return
		}
		replacingProps = map[string][]string{}
		for _, r := range db.Schema.Resource.Entities {
			for name, p := range r.Properties {
				if p.CausesReplacement == "yes" {
					replacingProps[r.CloudFormationType] = append(replacingProps[r.CloudFormationType], name)
				}
			}
			replacingProps[r.CloudFormationType] = append(replacingProps[r.CloudFormationType], alsoReplacing[r.CloudFormationType]...)
		}
	})
	require.NoError(t, replacingErr)
	return replacingProps
}

// deployment is an app's templates, by CloudFormation stack name.
type deployment map[string]map[string]any

func (s *scenario) deployment() deployment {
	return deployment{
		*s.app.Network.StackName():  s.template,
		*s.app.Fleet.StackName():    s.fleetJSON,
		*s.app.Patching.StackName(): s.patchJSON,
	}
}

// resourceKey names a resource across stacks: stack/logicalId.
type resourceKey struct{ stack, id string }

func (k resourceKey) String() string { return k.stack + "/" + k.id }

func (d deployment) resource(k resourceKey) map[string]any {
	if tpl, ok := d[k.stack]; ok {
		r, _ := tpl["Resources"].(map[string]any)[k.id].(map[string]any)
		return r
	}
	return nil
}

func (d deployment) keys() []resourceKey {
	var out []resourceKey
	for stack, tpl := range d {
		for id := range tpl["Resources"].(map[string]any) {
			out = append(out, resourceKey{stack, id})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// references returns the resources that value refers to: Ref and Fn::GetAtt in stack, and
// Fn::GetStackOutput to another stack's output (followed to the resource behind it).
func (d deployment) references(stack string, value any) []resourceKey {
	var out []resourceKey
	var walk func(stack string, v any)
	walk = func(stack string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["Ref"].(string); ok && !strings.HasPrefix(ref, "AWS::") {
				out = append(out, resourceKey{stack, ref})
			}
			if att, ok := v["Fn::GetAtt"].([]any); ok {
				out = append(out, resourceKey{stack, att[0].(string)})
			}
			if ref, ok := v["Fn::GetStackOutput"].(map[string]any); ok {
				other := ref["StackName"].(string)
				if tpl, ok := d[other]; ok {
					walk(other, tpl["Outputs"].(map[string]any)[ref["OutputName"].(string)].(map[string]any)["Value"])
				}
			}
			for _, x := range v {
				walk(stack, x)
			}
		case []any:
			for _, x := range v {
				walk(stack, x)
			}
		}
	}
	walk(stack, value)
	return out
}

// uniqueKey is what no two resources of a type may share while both exist: a fixed physical
// name, a network ACL rule number, a subnet's address block. Empty when the resource has none.
func uniqueKey(resource map[string]any) string {
	p := props(resource)
	var parts []any
	switch t := resource["Type"].(string); t {
	case "AWS::EC2::NetworkAclEntry":
		parts = []any{t, p["NetworkAclId"], p["Egress"], p["RuleNumber"]}
	case "AWS::EC2::Subnet":
		parts = []any{t, p["VpcId"], p["CidrBlock"]}
	default:
		name, ok := p[uniqueNameProperties[t]]
		if !ok {
			return ""
		}
		parts = []any{t, name}
	}
	data, _ := json.Marshal(parts)
	return string(data)
}

// updateProblems lists what would go wrong, or lose data, when before is updated to after.
// orphans are the unique keys of retained resources that earlier updates removed from the
// templates but left in the account; the ones this update leaves are returned with them. With
// removals, deleting a stateful resource that after no longer has is intended (a revert).
func updateProblems(t testing.TB, before, after deployment, orphans map[string]string, removals bool) (problems []string, orphansAfter map[string]string) {
	spec := replacingProperties(t)
	replaced := map[resourceKey]string{}
	// A replacement can cascade: a property that refers to a replaced resource changes too.
	for changed := true; changed; {
		changed = false
		for _, k := range after.keys() {
			if _, done := replaced[k]; done {
				continue
			}
			old, cur := before.resource(k), after.resource(k)
			if old == nil {
				continue
			}
			if old["Type"] != cur["Type"] {
				replaced[k], changed = "its type changes", true
				continue
			}
			for _, name := range spec[cur["Type"].(string)] {
				if !reflect.DeepEqual(props(old)[name], props(cur)[name]) {
					replaced[k], changed = fmt.Sprintf("%s changes from %v to %v", name, props(old)[name], props(cur)[name]), true
					break
				}
				for _, ref := range after.references(k.stack, props(cur)[name]) {
					if why, ok := replaced[ref]; ok {
						replaced[k], changed = fmt.Sprintf("%s refers to %s, which is replaced (%s)", name, ref, why), true
						break
					}
				}
				if _, ok := replaced[k]; ok {
					break
				}
			}
		}
	}

	held := map[string]string{}
	orphansAfter = map[string]string{}
	for key, holder := range orphans {
		held[key], orphansAfter[key] = holder, holder
	}
	for _, k := range before.keys() {
		if key := uniqueKey(before.resource(k)); key != "" {
			held[key] = k.String()
		}
	}
	for _, k := range after.keys() {
		cur := after.resource(k)
		why, isReplaced := replaced[k]
		if isReplaced && statefulTypes[cur["Type"].(string)] {
			problems = append(problems, fmt.Sprintf("%s (%s) is replaced: %s", k, cur["Type"], why))
		}
		key := uniqueKey(cur)
		if key == "" || (before.resource(k) != nil && !isReplaced) {
			continue
		}
		if holder, ok := held[key]; ok && (holder != k.String() || uniqueKey(before.resource(k)) == key) {
			problems = append(problems, fmt.Sprintf("%s (%s) is created with %s, which %s still holds", k, cur["Type"], key, holder))
		}
		delete(orphansAfter, key)
	}
	for _, k := range before.keys() {
		old := before.resource(k)
		if after.resource(k) != nil {
			continue
		}
		switch {
		case old["DeletionPolicy"] == "Retain":
			if key := uniqueKey(old); key != "" {
				orphansAfter[key] = "the retained " + k.String()
			}
		case statefulTypes[old["Type"].(string)] && !removals:
			problems = append(problems, fmt.Sprintf("%s (%s) is deleted with its data", k, old["Type"]))
		}
	}
	return problems, orphansAfter
}
