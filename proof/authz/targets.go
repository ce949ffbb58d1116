package authz

import (
	"fmt"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// Which command output each node writes, derived from the templates rather than listed by hand:
// every AWS::SSM::Association's OutputLocation.S3Location.OutputS3KeyPrefix and every
// AWS::SSM::MaintenanceWindowTask's TaskInvocationParameters.MaintenanceWindowRunCommandParameters
// .OutputS3KeyPrefix ("AWS::SSM::Association S3OutputLocation" and "AWS::SSM::MaintenanceWindowTask
// MaintenanceWindowRunCommandParameters", CloudFormation Template Reference, read 2026-12-06), into
// the command-output bucket, matched to the nodes its targets select (targetPage).
const targetPage = `"Target" (AWS Systems Manager API Reference: InstanceIds, tag:KEY, tag-key, resource-groups:Name, resource-groups:ResourceTypeFilters) and "Tag-based queries" (AWS Resource Groups: TagFilters, ResourceTypeFilters)`

// Resource types a resource group's ResourceTypeFilters name ("Tag-based queries").
const (
	ec2InstanceType     = "AWS::EC2::Instance"
	managedInstanceType = "AWS::SSM::ManagedInstance"
)

// patchGroupKeys are the tag keys of a patch group.
var patchGroupKeys = patchingspec.PatchGroupTagKeys

// nodeFacts is what a target can select a kind of node by.
type nodeFacts struct {
	// ids are the instance ids of the templates' instances of this kind (their Ref).
	ids []string
	// tags are each instance's tags; a tag with the value "" carries any value.
	tags []map[string]string
	// resourceType is the node's type in a resource group.
	resourceType string
	// yours: an instance of yours, with its own instance profile: it may carry any tag the
	// targets name, and any instance id the templates do not create is one of yours.
	yours bool
	// hybrid: an mi- id the templates do not create is one of these.
	hybrid bool
	// created are the ids of every instance the templates create (none of yours).
	created []string
}

// outputWrite is one command output the templates configure: its key prefix, what configures it,
// and the targets it runs on: alternatives, each a list of Target all of which must hold.
type outputWrite struct {
	prefix, source string
	targets        [][]map[string]any
}

// written is an output prefix a node writes, what writes it, and why the target was taken to
// select the node where the templates do not say (an instance id they do not create).
type written struct {
	prefix, source, note string
}

// outputWrites lists the command outputs into bucketName the templates configure.
func outputWrites(m model, bucketName string) []outputWrite {
	var out []outputWrite
	for _, a := range m.find("AWS::SSM::Association", "") {
		props, _ := m.value(a.Stack, m.properties(a)).(map[string]any)
		location, _ := props["OutputLocation"].(map[string]any)
		s3, _ := location["S3Location"].(map[string]any)
		if s3 == nil || fmt.Sprint(s3["OutputS3BucketName"]) != bucketName {
			continue
		}
		targets, _ := props["Targets"].([]any)
		if id, ok := props["InstanceId"]; ok {
			targets = []any{map[string]any{"Key": "InstanceIds", "Values": []any{id}}}
		}
		out = append(out, outputWrite{prefix: prefixOf(s3["OutputS3KeyPrefix"]), source: "association " + a.LogicalID,
			targets: [][]map[string]any{targetList(targets)}})
	}
	for _, t := range m.find("AWS::SSM::MaintenanceWindowTask", "") {
		props, _ := m.value(t.Stack, m.properties(t)).(map[string]any)
		runCommand := cfntemplate.RunCommand(props)
		if runCommand == nil || fmt.Sprint(runCommand["OutputS3BucketName"]) != bucketName {
			continue
		}
		out = append(out, outputWrite{prefix: prefixOf(runCommand["OutputS3KeyPrefix"]), source: "maintenance window task " + t.LogicalID,
			targets: taskTargets(m, props)})
	}
	return out
}

// prefixOf is an OutputS3KeyPrefix as the start of a key: Systems Manager puts the command's
// output under PREFIX/ (a prefix that ends in / is not doubled).
func prefixOf(v any) string {
	if v == nil {
		return ""
	}
	return strings.TrimSuffix(fmt.Sprint(v), "/") + "/"
}

func targetList(list []any) []map[string]any {
	var out []map[string]any
	for _, t := range list {
		if t, ok := t.(map[string]any); ok {
			out = append(out, t)
		}
	}
	return out
}

// taskTargets are the targets of a window task: each window target it names by WindowTargetIds
// (its Targets, with its ResourceType), or its own Targets.
func taskTargets(m model, task map[string]any) [][]map[string]any {
	var out [][]map[string]any
	for _, t := range targetList(asList(task["Targets"])) {
		if t["Key"] != "WindowTargetIds" {
			out = append(out, []map[string]any{t})
			continue
		}
		for _, id := range asList(t["Values"]) {
			for _, wt := range m.find("AWS::SSM::MaintenanceWindowTarget", "") {
				if m.ref(wt.Stack, wt.LogicalID) != fmt.Sprint(id) {
					continue
				}
				props, _ := m.value(wt.Stack, m.properties(wt)).(map[string]any)
				out = append(out, targetList(asList(props["Targets"])))
			}
		}
	}
	return out
}

func asList(v any) []any {
	if list, ok := v.([]any); ok {
		return list
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

// writesOf returns the prefixes a node writes: those of every output one of whose target
// alternatives selects it (all its targets hold), one per prefix.
func writesOf(m model, node nodeFacts, writes []outputWrite) []written {
	var out []written
	for _, w := range writes {
		for _, alternative := range w.targets {
			ok, note := m.selects(node, alternative)
			if !ok {
				continue
			}
			if !slices.ContainsFunc(out, func(x written) bool { return x.prefix == w.prefix }) {
				out = append(out, written{prefix: w.prefix, source: w.source, note: note})
			}
			break
		}
	}
	return out
}

// selects tells whether every target of the list selects the node, and notes what was taken
// to select it that the templates do not say.
func (m model) selects(node nodeFacts, targets []map[string]any) (bool, string) {
	if len(targets) == 0 {
		return false, ""
	}
	var notes []string
	for _, t := range targets {
		ok, note := m.selectsOne(node, fmt.Sprint(t["Key"]), asList(t["Values"]))
		if !ok {
			return false, ""
		}
		if note != "" {
			notes = append(notes, note)
		}
	}
	return true, strings.Join(notes, "; ")
}

// selectsOne tells whether one target (KEY=VALUES) selects the node.
func (m model) selectsOne(node nodeFacts, key string, values []any) (bool, string) {
	switch {
	case key == "InstanceIds":
		return node.selectsIds(values)
	case strings.HasPrefix(key, "tag:"):
		return node.hasTag(strings.TrimPrefix(key, "tag:"), values), ""
	case key == "tag-key":
		return slices.ContainsFunc(values, func(k any) bool { return node.hasTag(fmt.Sprint(k), nil) }), ""
	case key == "resource-groups:Name":
		return m.inGroup(node, values)
	case key == "resource-groups:ResourceTypeFilters":
		return slices.ContainsFunc(values, func(v any) bool { return strings.EqualFold(fmt.Sprint(v), node.resourceType) }), ""
	}
	return false, ""
}

// selectsIds matches an InstanceIds target: * is every node; an id of the templates' instances
// selects them; another i- id is an instance of yours, another mi- id a hybrid node.
func (node nodeFacts) selectsIds(values []any) (bool, string) {
	for _, v := range values {
		id := fmt.Sprint(v)
		switch {
		case id == "*" || slices.Contains(node.ids, id):
			return true, ""
		case node.yours && strings.HasPrefix(id, "i-") && !slices.Contains(node.created, id):
			return true, "the target names " + id + ", which the templates do not create: taken as an instance of yours"
		case node.hybrid && strings.HasPrefix(id, "mi-"):
			return true, "the target names " + id + ", a hybrid node"
		}
	}
	return false, ""
}

// hasTag tells whether the node carries the tag key with one of values (any value when values is nil).
func (node nodeFacts) hasTag(key string, values []any) bool {
	if node.yours {
		return true
	}
	for _, tags := range node.tags {
		value, ok := tags[key]
		if ok && (values == nil || value == "" || slices.ContainsFunc(values, func(v any) bool { return fmt.Sprint(v) == value })) {
			return true
		}
	}
	return false
}

// inGroup tells whether a resource group of the templates named in values holds the node: a
// tag query (TAG_FILTERS_1_0: its resource types, and every tag filter) or a stack's resources
// (CLOUDFORMATION_STACK_1_0: the templates' instances of that stack). A group the templates do
// not create is not resolved: only an instance of yours is taken to be in it, and the row says so.
func (m model) inGroup(node nodeFacts, values []any) (bool, string) {
	for _, g := range m.find("AWS::ResourceGroups::Group", "") {
		props, _ := m.value(g.Stack, m.properties(g)).(map[string]any)
		if !slices.ContainsFunc(values, func(v any) bool { return fmt.Sprint(v) == fmt.Sprint(props["Name"]) }) {
			continue
		}
		query, _ := props["ResourceQuery"].(map[string]any)
		q, _ := query["Query"].(map[string]any)
		types := asList(q["ResourceTypeFilters"])
		if !slices.ContainsFunc(types, func(t any) bool { return t == "AWS::AllSupported" || t == node.resourceType }) {
			return false, ""
		}
		if query["Type"] == "CLOUDFORMATION_STACK_1_0" {
			return slices.ContainsFunc(m.find("AWS::EC2::Instance", ""), func(i Resource) bool {
				return i.Stack == g.Stack && slices.Contains(node.ids, m.ref(i.Stack, i.LogicalID))
			}), ""
		}
		for _, f := range targetList(asList(q["TagFilters"])) {
			values := asList(f["Values"])
			if len(values) == 0 {
				values = nil
			}
			if !node.hasTag(fmt.Sprint(f["Key"]), values) {
				return false, ""
			}
		}
		return true, ""
	}
	if node.yours {
		return true, fmt.Sprintf("the resource group %v is not the templates': taken as holding an instance of yours", values)
	}
	return false, ""
}

// instanceFacts are the templates' instances whose instance profile holds role: their ids and tags.
func (m model) instanceFacts(role Resource) nodeFacts {
	facts := nodeFacts{resourceType: ec2InstanceType}
	roleName := m.ref(role.Stack, role.LogicalID)
	for _, i := range m.find("AWS::EC2::Instance", "") {
		props, _ := m.value(i.Stack, m.properties(i)).(map[string]any)
		if !m.profileHolds(fmt.Sprint(props["IamInstanceProfile"]), roleName) {
			continue
		}
		facts.ids = append(facts.ids, m.ref(i.Stack, i.LogicalID))
		tags := map[string]string{}
		for _, t := range targetList(asList(props["Tags"])) {
			tags[fmt.Sprint(t["Key"])] = fmt.Sprint(t["Value"])
		}
		facts.tags = append(facts.tags, tags)
	}
	return facts
}

func (m model) profileHolds(profile, roleName string) bool {
	for _, p := range m.find("AWS::IAM::InstanceProfile", "") {
		roles, _ := m.value(p.Stack, m.properties(p)["Roles"]).([]any)
		if m.ref(p.Stack, p.LogicalID) == profile && slices.ContainsFunc(roles, func(r any) bool { return fmt.Sprint(r) == roleName }) {
			return true
		}
	}
	return false
}

// hybridFacts are the tags a hybrid node carries, as the templates tell its owner to add them
// (the output whose value runs aws ssm add-tags-to-resource --resource-type ManagedInstance):
// a patch group tag carries the node's own patch group, any value.
func (m model) hybridFacts() nodeFacts {
	facts := nodeFacts{resourceType: managedInstanceType, hybrid: true}
	for _, stack := range m.stacks {
		outputs, _ := stack["Outputs"].(map[string]any)
		for _, o := range outputs {
			output, _ := o.(map[string]any)
			tags, ok := cfntemplate.ManagedInstanceTags(fmt.Sprint(output["Value"]))
			if !ok {
				continue
			}
			for key := range tags {
				if slices.Contains(patchGroupKeys, key) {
					tags[key] = ""
				}
			}
			facts.tags = append(facts.tags, tags)
		}
	}
	return facts
}
