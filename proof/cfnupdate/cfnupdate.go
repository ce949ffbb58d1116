// Package cfnupdate predicts what CloudFormation does when deployed templates are updated to new
// ones, so that a change that would lose data or fail half-way is caught before it is deployed.
//
// CloudFormation updates in this order: it creates new resources and the new copies of replaced
// ones, updates the rest in place, and only then deletes removed and replaced ones. So a new or
// replacing resource must not take a name, rule number, address block or volume that a resource
// of the old templates still holds, and a resource with a fixed name cannot be replaced at all.
// Which property changes replace a resource comes from the AWS CDK service spec
// (@aws-cdk/aws-service-spec, pinned in package.json).
package cfnupdate

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	constructspec "github.com/privatepatch/privatepatch/constructs/spec"
)

// Retained says whether a resource's DeletionPolicy keeps it when an update removes it or the
// stack is deleted: Retain, or RetainExceptOnCreate, which "behaves like Retain for stack
// operations, except for the stack operation that initially created the resource" ("DeletionPolicy
// attribute", CloudFormation Template Reference, read 2026-12-07; constructspec.KeptDeletionPolicy): an
// update or a deletion is never the operation that created a deployed resource.
func Retained(resource map[string]any) bool {
	return resource["DeletionPolicy"] == "Retain" || resource["DeletionPolicy"] == constructspec.KeptDeletionPolicy
}

// StatefulTypes hold data, or are the data's home: replacing one loses it or moves it. (A
// resource data sync holds none: what it synced stays in the bucket, and a new sync writes it
// all again; its fixed name is checked like every other.)
// An instance's Elastic IP is its fixed public address, which firewalls allow-list: deleting
// the resource releases it: "After releasing an Elastic IP address, it is released to the IP
// address pool", and it can be recovered only if no other account took it ("ReleaseAddress", EC2
// API Reference, and "Release an Elastic IP address", EC2 User Guide, read 2026-12-07). Stateful
// says which Elastic IPs count.
var StatefulTypes = map[string]bool{
	"AWS::S3::Bucket": true, "AWS::Logs::LogGroup": true, "AWS::KMS::Key": true, "AWS::EC2::Volume": true,
	"AWS::EC2::Instance": true, "AWS::SNS::Topic": true, "AWS::EC2::EIP": true,
}

// Stateful says whether resource is of StatefulTypes, but for an Elastic IP that no instance
// holds: a NAT gateway's address is made by CDK's Vpc with its gateway and goes with it when
// network.natGateways changes; privatepatch promises no fixed address there.
func Stateful(resource map[string]any) bool {
	typ, _ := resource["Type"].(string)
	if typ == "AWS::EC2::EIP" {
		_, held := props(resource)["InstanceId"]
		return held
	}
	return StatefulTypes[typ]
}

// UniqueNameProperties are the properties whose values AWS requires to be unique in an account
// and region (or, for buckets, everywhere): a second resource with the same value fails.
var UniqueNameProperties = map[string]string{
	"AWS::EC2::LaunchTemplate":         "LaunchTemplateName",
	"AWS::S3::Bucket":                  "BucketName",
	"AWS::Logs::LogGroup":              "LogGroupName",
	"AWS::SSM::ResourceDataSync":       "SyncName",
	"AWS::SSM::Document":               "Name",
	"AWS::IAM::Role":                   "RoleName",
	"AWS::IAM::ManagedPolicy":          "ManagedPolicyName",
	"AWS::SNS::Topic":                  "TopicName",
	"AWS::KMS::Alias":                  "AliasName",
	"AWS::Events::Rule":                "Name",
	"AWS::ResourceGroups::Group":       "Name",
	"AWS::CloudWatch::Alarm":           "AlarmName",
	"AWS::CloudWatch::Dashboard":       "DashboardName",
	"AWS::Config::ConfigRule":          "ConfigRuleName",
	"AWS::InspectorV2::Filter":         "Name",
	"AWS::Glue::Crawler":               "Name",
	"AWS::Glue::SecurityConfiguration": "Name",
	"AWS::Athena::WorkGroup":           "Name",
}

// alsoReplacing lists properties that the service spec does not mark as replacing, but whose
// change loses data all the same: a volume cannot move to another zone.
var alsoReplacing = map[string][]string{"AWS::EC2::Volume": {"AvailabilityZone"}}

// Spec lists, per resource type, the top-level properties whose change replaces the resource.
type Spec map[string][]string

// Property is what the resource specification says of one top-level property.
type Property struct {
	Required          bool   `json:"required"`
	CausesReplacement string `json:"causesReplacement"` // yes, maybe or empty
}

// SpecPath is where make setup installs the resource specification (package.json pins
// @aws-cdk/aws-service-spec), under the project root.
func SpecPath(projectRoot string) string {
	return filepath.Join(projectRoot, "node_modules", "@aws-cdk", "aws-service-spec", "db.json.gz")
}

// ReadResourceSpec reads the CloudFormation resource specification (db.json.gz of
// @aws-cdk/aws-service-spec): each resource type's top-level properties.
func ReadResourceSpec(path string) (map[string]map[string]Property, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("the CloudFormation service spec is missing (run make setup): %w", err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var db struct {
		Schema struct {
			Resource struct {
				Entities []struct {
					CloudFormationType string              `json:"cloudFormationType"`
					Properties         map[string]Property `json:"properties"`
				} `json:"entities"`
			} `json:"resource"`
		} `json:"schema"`
	}
	if err := json.NewDecoder(gz).Decode(&db); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	types := map[string]map[string]Property{}
	for _, r := range db.Schema.Resource.Entities {
		types[r.CloudFormationType] = r.Properties
	}
	return types, nil
}

// LoadSpec reads the replacing properties of every type from the resource specification.
func LoadSpec(path string) (Spec, error) {
	types, err := ReadResourceSpec(path)
	if err != nil {
		return nil, err
	}
	spec := Spec{}
	for typ, properties := range types {
		for name, p := range properties {
			if p.CausesReplacement == "yes" {
				spec[typ] = append(spec[typ], name)
			}
		}
		spec[typ] = append(spec[typ], alsoReplacing[typ]...)
		sort.Strings(spec[typ])
	}
	return spec, nil
}

// Deployment is an app's templates, by CloudFormation stack name.
type Deployment map[string]map[string]any

// ResourceKey names a resource across stacks.
type ResourceKey struct{ Stack, ID string }

func (k ResourceKey) String() string { return k.Stack + "/" + k.ID }

func (d Deployment) resource(k ResourceKey) map[string]any {
	if tpl, ok := d[k.Stack]; ok {
		resources, _ := tpl["Resources"].(map[string]any)
		r, _ := resources[k.ID].(map[string]any)
		return r
	}
	return nil
}

func (d Deployment) keys() []ResourceKey {
	var out []ResourceKey
	for stack, tpl := range d {
		resources, _ := tpl["Resources"].(map[string]any)
		for id := range resources {
			out = append(out, ResourceKey{stack, id})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// references returns the resources that value refers to: Ref and Fn::GetAtt in stack, and
// Fn::GetStackOutput of another stack's output, followed to its resource (the stacks use no exports).
func (d Deployment) references(stack string, value any) []ResourceKey {
	var out []ResourceKey
	eachMap(value, func(v map[string]any) {
		if ref, ok := v["Ref"].(string); ok && !strings.HasPrefix(ref, "AWS::") {
			out = append(out, ResourceKey{stack, ref})
		}
		if att, ok := v["Fn::GetAtt"].([]any); ok && len(att) > 0 {
			if id, ok := att[0].(string); ok {
				out = append(out, ResourceKey{stack, id})
			}
		}
		out = append(out, d.outputRead(v)...)
	})
	return out
}

// eachMap calls visit with every object in value, value itself included, depth first.
func eachMap(value any, visit func(map[string]any)) {
	switch v := value.(type) {
	case map[string]any:
		visit(v)
		for _, x := range v {
			eachMap(x, visit)
		}
	case []any:
		for _, x := range v {
			eachMap(x, visit)
		}
	}
}

func (d Deployment) output(stack, name string) (any, bool) {
	outputs, _ := d[stack]["Outputs"].(map[string]any)
	output, ok := outputs[name].(map[string]any)
	if !ok {
		return nil, false
	}
	return output["Value"], true
}

func props(resource map[string]any) map[string]any {
	p, _ := resource["Properties"].(map[string]any)
	return p
}

// uniqueKey is what no two resources of a type may share while both exist: a fixed physical
// name, a network ACL rule number, a subnet's address block, the volume of an attachment.
// Empty when the resource has none.
func uniqueKey(resource map[string]any) string {
	p := props(resource)
	var parts []any
	switch t, _ := resource["Type"].(string); t {
	case "AWS::EC2::NetworkAclEntry":
		parts = []any{t, p["NetworkAclId"], p["Egress"], p["RuleNumber"]}
	case "AWS::EC2::Subnet":
		parts = []any{t, p["VpcId"], p["CidrBlock"]}
	case "AWS::EC2::VolumeAttachment":
		// A volume is attached to one instance at a time.
		parts = []any{t, p["VolumeId"]}
	default:
		name, ok := p[UniqueNameProperties[t]]
		if !ok {
			return ""
		}
		parts = []any{t, name}
	}
	data, _ := json.Marshal(parts)
	return string(data)
}

// Problem is one thing that would go wrong, or lose data, in an update.
type Problem struct {
	Resource ResourceKey
	Type     string
	// What happens, e.g. "is replaced: ImageId changes from ... to ...".
	What string
	// Hint names the way out, where one is known.
	Hint string
}

func (p Problem) String() string {
	s := fmt.Sprintf("%s (%s) %s", p.Resource, p.Type, p.What)
	if p.Hint != "" {
		s += "; " + p.Hint
	}
	return s
}

// Options tune Check.
type Options struct {
	// Orphans are the unique keys of retained resources that earlier updates removed from the
	// templates but left in the account, and what left them.
	Orphans map[string]string
	// AllowRemovals accepts deleting stateful resources that the new templates no longer have
	// (e.g. a revert of a change that added them).
	AllowRemovals bool
	// StackPolicies are the stack policies set on the deployed stacks (get-stack-policy), by
	// stack name; a stack without one allows every update.
	StackPolicies map[string][]PolicyStatement
}

// Result is what Check found.
type Result struct {
	Problems []Problem
	// Orphans are Options.Orphans plus the retained resources this update leaves behind.
	Orphans map[string]string
	// Notes are what the update leaves that is no problem but costs: a retained Elastic IP whose
	// server goes too (idleAddress).
	Notes []string
}

// Check predicts the update of before to after.
func Check(spec Spec, before, after Deployment, opts Options) Result {
	replaced := map[ResourceKey]string{}
	// A replacement can cascade: a replacing property that refers to a replaced resource changes.
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
			if why := replacement(spec, before, after, k, old, cur, replaced); why != "" {
				replaced[k], changed = why, true
			}
		}
	}

	res := Result{Orphans: map[string]string{}}
	held := map[string]string{}
	for key, holder := range opts.Orphans {
		held[key], res.Orphans[key] = holder, holder
	}
	for _, k := range before.keys() {
		if key := uniqueKey(before.resource(k)); key != "" {
			held[key] = k.String()
		}
	}
	for _, k := range after.keys() {
		cur := after.resource(k)
		typ, _ := cur["Type"].(string)
		why, isReplaced := replaced[k]
		if isReplaced && Stateful(cur) {
			res.Problems = append(res.Problems, Problem{Resource: k, Type: typ, What: "is replaced: " + why, Hint: hint(typ)})
		}
		key := uniqueKey(cur)
		if key == "" || (before.resource(k) != nil && !isReplaced) {
			continue
		}
		if holder, ok := held[key]; ok && (holder != k.String() || uniqueKey(before.resource(k)) == key) {
			res.Problems = append(res.Problems, Problem{Resource: k, Type: typ,
				What: fmt.Sprintf("is created with %s, which %s still holds", key, holder), Hint: hint(typ)})
		}
		delete(res.Orphans, key)
	}
	res.Problems = append(res.Problems, staleReads(after, replaced)...)
	res.Problems = append(res.Problems, deletedWhileRead(before, after)...)
	res.Problems = append(res.Problems, policyDenials(before, after, replaced, opts.StackPolicies, res.Problems)...)
	for _, k := range before.keys() {
		old := before.resource(k)
		if after.resource(k) != nil {
			continue
		}
		typ, _ := old["Type"].(string)
		switch {
		case Retained(old):
			if key := uniqueKey(old); key != "" {
				res.Orphans[key] = "the retained " + k.String()
			}
			if note := idleAddress(k, old, after); note != "" {
				res.Notes = append(res.Notes, note)
			}
		case Stateful(old) && !opts.AllowRemovals:
			res.Problems = append(res.Problems, Problem{Resource: k, Type: typ, What: "is deleted with its data", Hint: hint(typ)})
		}
	}
	return res
}

// idleAddress is the note for a retained Elastic IP the update removes together with its
// instance (wsus.enabled: false), or that has none: the instance is terminated, and "The Elastic IP
// address is disassociated from the instance" on terminate ("Differences between reboot, stop,
// hibernate, and terminate", Amazon EC2 User Guide, read 2026-12-07), so the address stays
// allocated and idle, and billed (the fourth review's B2). One whose instance stays (the switch to
// wsus.publicAddress: external) stays associated: no note.
func idleAddress(k ResourceKey, old map[string]any, after Deployment) string {
	if old["Type"] != "AWS::EC2::EIP" {
		return ""
	}
	props, _ := old["Properties"].(map[string]any)
	instance, _ := props["InstanceId"].(map[string]any)
	if id, isRef := instance["Ref"].(string); isRef && after.resource(ResourceKey{Stack: k.Stack, ID: id}) != nil {
		return ""
	}
	return fmt.Sprintf("%s (AWS::EC2::EIP) is kept, and billed, with no server to be associated with: release it with aws ec2 release-address if no firewall needs it", k)
}

// policyDenials are the replacements and removals that the stack policy in place denies:
// CloudFormation would stop the update there and roll it back. A resource already refused for
// another reason is not named twice.
func policyDenials(before, after Deployment, replaced map[ResourceKey]string, policies map[string][]PolicyStatement, known []Problem) []Problem {
	reported := map[ResourceKey]bool{}
	for _, p := range known {
		reported[p.Resource] = true
	}
	var out []Problem
	for _, k := range before.keys() {
		policy, ok := policies[k.Stack]
		if !ok || after[k.Stack] == nil || reported[k] {
			continue // no policy, or the stack is not updated (deleted stacks are not judged by it)
		}
		old := before.resource(k)
		typ, _ := old["Type"].(string)
		action := ""
		switch {
		case after.resource(k) == nil:
			action = UpdateDelete
		case replaced[k] != "":
			action = UpdateReplace
		default:
			continue
		}
		if PolicyAllows(policy, action, k.ID, typ) {
			continue
		}
		p := Problem{Resource: k, Type: typ,
			What: fmt.Sprintf("would be refused by CloudFormation half-way: the stack policy set on %s denies %s of it", k.Stack, action)}
		if action == UpdateDelete && Retained(old) {
			p.Hint = "it is retained (DeletionPolicy Retain), so removing it keeps its data; the policy in place is an earlier make deploy's, which denied that: " +
				"set this version's policy on the deployed stacks first (make stack-policies CONFIG=...), then deploy"
		} else {
			p.Hint = "to replace or delete it on purpose, lift the stack policy for this deploy (README, Protected data), then FORCE=1 make deploy"
		}
		out = append(out, p)
	}
	return out
}

// staleReads are the resources that read, through Fn::GetStackOutput, a resource of another stack
// that the update replaces. The reference is weak: "The referenced value is resolved at stack
// create or update time. If the referenced stack or output is later deleted or modified, the
// consuming stack is not automatically updated or notified" (Fn::GetStackOutput, CloudFormation
// Template Reference, read 2026-11-27), and cdk deploy skips a stack whose template did not
// change. So the reader keeps the replaced resource's old identifier.
func staleReads(after Deployment, replaced map[ResourceKey]string) []Problem {
	var out []Problem
	for _, k := range after.keys() {
		r := after.resource(k)
		seen := map[ResourceKey]bool{}
		for _, read := range after.weakReads(r) {
			if why, ok := replaced[read]; ok && !seen[read] {
				seen[read] = true
				typ, _ := r["Type"].(string)
				out = append(out, Problem{Resource: k, Type: typ,
					What: fmt.Sprintf("reads %s through Fn::GetStackOutput, and %s is replaced (%s): the reference keeps its old value", read, read, why),
					Hint: "refer to it by an identifier that does not change when it is replaced, or by a strong reference"})
			}
		}
	}
	return out
}

// deletedWhileRead are the deployed resources that read, through Fn::GetStackOutput, a resource of
// another stack that the update deletes (a retained one stays). The stack that holds it is updated first (a stack
// deploys after those it reads), so it goes while the reader still uses it; a strong reference
// (Fn::ImportValue) would have stopped that update. An event rule's pattern is not a use: it
// names what the rule matches, and a deleted resource's id there matches nothing until the rule's
// stack is updated; no call fails.
func deletedWhileRead(before, after Deployment) []Problem {
	var out []Problem
	for _, k := range before.keys() {
		r := before.resource(k)
		seen := map[ResourceKey]bool{}
		for _, read := range before.weakReads(withoutEventPattern(r)) {
			gone := before.resource(read) != nil && after.resource(read) == nil && !Retained(before.resource(read))
			if read.Stack != k.Stack && gone && !seen[read] {
				seen[read] = true
				typ, _ := r["Type"].(string)
				out = append(out, Problem{Resource: k, Type: typ,
					What: fmt.Sprintf("reads %s through Fn::GetStackOutput, which the update of %s deletes before %s is updated", read, read.Stack, k.Stack),
					Hint: "deploy the change that stops using it first, then the one that deletes it"})
			}
		}
	}
	return out
}

// withoutEventPattern is resource without the EventPattern of an AWS::Events::Rule.
func withoutEventPattern(resource map[string]any) map[string]any {
	if resource["Type"] != "AWS::Events::Rule" {
		return resource
	}
	properties := maps.Clone(props(resource))
	delete(properties, "EventPattern")
	out := maps.Clone(resource)
	out["Properties"] = properties
	return out
}

// weakReads are the resources of other stacks that value reads through Fn::GetStackOutput.
func (d Deployment) weakReads(value any) []ResourceKey {
	var out []ResourceKey
	eachMap(value, func(v map[string]any) { out = append(out, d.outputRead(v)...) })
	return out
}

// outputRead is what object v reads if it is an Fn::GetStackOutput: the resources its output
// refers to in the other stack.
func (d Deployment) outputRead(v map[string]any) []ResourceKey {
	ref, ok := v["Fn::GetStackOutput"].(map[string]any)
	if !ok {
		return nil
	}
	other, _ := ref["StackName"].(string)
	name, _ := ref["OutputName"].(string)
	if output, ok := d.output(other, name); ok {
		return d.references(other, output)
	}
	return nil
}

// replacement says why CloudFormation replaces the resource k, or "" when it does not.
func replacement(spec Spec, before, after Deployment, k ResourceKey, old, cur map[string]any, replaced map[ResourceKey]string) string {
	if old["Type"] != cur["Type"] {
		return "its type changes"
	}
	typ, _ := cur["Type"].(string)
	for _, name := range spec[typ] {
		if !reflect.DeepEqual(props(old)[name], props(cur)[name]) {
			return fmt.Sprintf("%s changes from %s to %s", name, compact(props(old)[name]), compact(props(cur)[name]))
		}
		for _, ref := range after.references(k.Stack, props(cur)[name]) {
			if why, ok := replaced[ref]; ok {
				return fmt.Sprintf("%s refers to %s, which is replaced (%s)", name, ref, why)
			}
		}
		for _, ref := range latestVersions(k.Stack, props(cur)[name]) {
			if tmpl := before.resource(ref); tmpl != nil && after.resource(ref) != nil && !reflect.DeepEqual(props(tmpl), props(after.resource(ref))) {
				return fmt.Sprintf("%s names the LatestVersionNumber of %s, which changes (a new launch template version)", name, ref)
			}
		}
	}
	return ""
}

// latestVersions are the launch templates whose LatestVersionNumber value names (Fn::GetAtt in
// stack). Any change to a launch template's properties makes a new version, so the value changes
// at deploy time although the template text does not: an instance naming it is replaced (aws-cdk
// issues 32886 and 38069, where CDK's IMDSv2 launch template did this).
func latestVersions(stack string, value any) []ResourceKey {
	var out []ResourceKey
	eachMap(value, func(v map[string]any) {
		if att, ok := v["Fn::GetAtt"].([]any); ok && len(att) == 2 && att[1] == "LatestVersionNumber" {
			if id, ok := att[0].(string); ok {
				out = append(out, ResourceKey{stack, id})
			}
		}
	})
	return out
}

func compact(v any) string {
	if v == nil {
		return "(none)"
	}
	data, _ := json.Marshal(v)
	return string(data)
}

// hint names the manual step for the replacements privatepatch knows cannot be deployed safely.
func hint(resourceType string) string {
	switch resourceType {
	case "AWS::EC2::VolumeAttachment", "AWS::EC2::Volume":
		return "the WSUS update store can be attached to one instance at a time: deploy once with wsus.attachUpdateStore: false " +
			"(WSUS stops serving until the next deploy), then deploy the change with it true again (docs/wsus.md)"
	case "AWS::EC2::Instance":
		return "an instance is replaced when its AMI, subnet or launch template changes: its disks go with it; " +
			"if that is intended, deploy with FORCE=1"
	case "AWS::EC2::EIP":
		return "deleting an Elastic IP releases its address: deploy this version with wsus.publicAddress: elasticIp first, " +
			"which retains it, then switch to external (docs/wsus.md)"
	case "AWS::EC2::Subnet":
		return "a subnet's block changed (network.subnetCidrMask, vpcCidr or the zones): this replaces it and every instance in it"
	}
	return ""
}
