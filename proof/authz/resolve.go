package authz

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// Env is where the stacks are taken to be deployed: the values that stand for the pseudo
// parameters of account-agnostic templates.
type Env struct {
	Account, Region, Partition string
}

// Stacks are synthesised templates by stack name, as cfnupdate.ReadAssembly returns them.
type Stacks map[string]map[string]any

// resolver turns the intrinsic functions of a template into the strings CloudFormation would
// produce, with a physical name for each resource: its configured name where the template gives
// one, else STACK-LOGICALID (CloudFormation adds a random suffix, which no policy here can
// depend on). What it cannot resolve becomes "?UNRESOLVED:..." so that a policy depending on it
// never matches by accident.
type resolver struct {
	env    Env
	stacks Stacks
}

// nameProperty is the property holding a resource type's configured name.
var nameProperty = map[string]string{
	"AWS::IAM::Role": "RoleName", "AWS::S3::Bucket": "BucketName", "AWS::SNS::Topic": "TopicName",
	"AWS::CloudWatch::Alarm": "AlarmName", "AWS::CloudWatch::CompositeAlarm": "AlarmName", "AWS::Events::Rule": "Name", "AWS::Logs::LogGroup": "LogGroupName",
	"AWS::SSM::Document": "Name", "AWS::Glue::Crawler": "Name", "AWS::Glue::Database": "DatabaseName",
	"AWS::Lambda::Function": "FunctionName", "AWS::SSM::ResourceDataSync": "SyncName", "AWS::DynamoDB::Table": "TableName",
	// A group's Ref is its Name: aws-cdk-lib 2.270.0's CfnGroup.groupRef is {groupName: this.ref,
	// groupArn: this.attrArn} (aws-resourcegroups/lib/resourcegroups.generated.js, read 2026-12-07).
	"AWS::ResourceGroups::Group": "Name",
}

func (r resolver) resource(stack, logicalID string) (map[string]any, bool) {
	resources, _ := r.stacks[stack]["Resources"].(map[string]any)
	res, ok := resources[logicalID].(map[string]any)
	return res, ok
}

// name is the physical name of a resource.
func (r resolver) name(stack, logicalID string) string {
	res, _ := r.resource(stack, logicalID)
	resourceType, _ := res["Type"].(string)
	props, _ := res["Properties"].(map[string]any)
	if key := nameProperty[resourceType]; key != "" && props[key] != nil {
		return fmt.Sprint(r.value(stack, props[key]))
	}
	name := stack + "-" + logicalID
	if resourceType == "AWS::S3::Bucket" {
		name = strings.ToLower(name)
	}
	return name
}

// ref is what Ref returns for a resource.
func (r resolver) ref(stack, logicalID string) string {
	res, ok := r.resource(stack, logicalID)
	if !ok {
		return "?UNRESOLVED:Ref:" + logicalID
	}
	name := r.name(stack, logicalID)
	switch res["Type"] {
	case "AWS::SNS::Topic":
		return r.arn("sns", name, true)
	case "AWS::KMS::Key":
		return "key-" + strings.ToLower(logicalID)
	case "AWS::EC2::Instance":
		return "i-" + strings.ToLower(logicalID)
	}
	return name
}

func (r resolver) arn(service, resource string, regional bool) string {
	if !regional {
		return fmt.Sprintf("arn:%s:%s::%s:%s", r.env.Partition, service, r.env.Account, resource)
	}
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", r.env.Partition, service, r.env.Region, r.env.Account, resource)
}

// getAtt is what Fn::GetAtt returns.
func (r resolver) getAtt(stack, logicalID, attribute string) string {
	res, ok := r.resource(stack, logicalID)
	if !ok {
		return "?UNRESOLVED:GetAtt:" + logicalID + "." + attribute
	}
	name := r.name(stack, logicalID)
	switch fmt.Sprint(res["Type"], ".", attribute) {
	case "AWS::IAM::Role.Arn":
		return r.arn("iam", "role/"+name, false)
	case "AWS::S3::Bucket.Arn":
		return fmt.Sprintf("arn:%s:s3:::%s", r.env.Partition, name)
	case "AWS::SNS::Topic.TopicArn":
		return r.arn("sns", name, true)
	case "AWS::SNS::Topic.TopicName":
		return name
	case "AWS::KMS::Key.Arn":
		return r.arn("kms", "key/"+r.ref(stack, logicalID), true)
	case "AWS::KMS::Key.KeyId":
		return r.ref(stack, logicalID)
	case "AWS::CloudWatch::Alarm.Arn", "AWS::CloudWatch::CompositeAlarm.Arn":
		return r.arn("cloudwatch", "alarm:"+name, true)
	case "AWS::Events::Rule.Arn":
		return r.arn("events", "rule/"+name, true)
	case "AWS::Logs::LogGroup.Arn":
		return r.arn("logs", "log-group:"+name+":*", true)
	case "AWS::Lambda::Function.Arn":
		return r.arn("lambda", "function:"+name, true)
	case "AWS::DynamoDB::Table.Arn":
		// arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName} ("Actions, resources, and
		// condition keys for Amazon DynamoDB", Service Authorization Reference, read 2026-12-06).
		return r.arn("dynamodb", "table/"+name, true)
	case "AWS::EC2::VPC.DefaultSecurityGroup":
		return "sg-default-" + strings.ToLower(logicalID)
	case "AWS::Glue::Crawler.Arn":
		return r.arn("glue", "crawler/"+name, true)
	case "AWS::SSM::MaintenanceWindowTask.WindowTaskId":
		// The task's id, which is also what its Ref returns (the resource's cfnRefIdentifier in
		// @aws-cdk/aws-service-spec): the same stand-in.
		return name
	}
	return "?UNRESOLVED:GetAtt:" + logicalID + "." + attribute
}

var subVariable = regexp.MustCompile(`\$\{([^}!][^}]*)\}`)

// value resolves v in stack: strings, lists and maps, with every intrinsic function replaced.
func (r resolver) value(stack string, v any) any {
	switch v := v.(type) {
	case []any:
		out := make([]any, 0, len(v))
		for _, item := range v {
			if resolved := r.value(stack, item); resolved != nil {
				out = append(out, resolved)
			}
		}
		return out
	case map[string]any:
		if len(v) == 1 {
			for fn, arg := range v {
				if resolved, ok := r.intrinsic(stack, fn, arg); ok {
					return resolved
				}
			}
		}
		out := make(map[string]any, len(v))
		for _, k := range slices.Sorted(maps.Keys(v)) {
			out[k] = r.value(stack, v[k])
		}
		return out
	}
	return v
}

// intrinsic resolves the intrinsic function fn of arg; false if fn is not one.
func (r resolver) intrinsic(stack, fn string, arg any) (any, bool) {
	switch fn {
	case "Ref":
		return r.refOrPseudo(stack, fmt.Sprint(arg)), true
	case "Fn::GetAtt":
		parts, _ := arg.([]any)
		if len(parts) != 2 {
			return "?UNRESOLVED:GetAtt", true
		}
		return r.getAtt(stack, fmt.Sprint(parts[0]), fmt.Sprint(parts[1])), true
	case "Fn::Join":
		return r.join(stack, arg), true
	case "Fn::Select":
		return r.selectItem(stack, arg), true
	case "Fn::GetAZs":
		return []any{r.env.Region + "a", r.env.Region + "b"}, true
	case "Fn::Sub":
		return r.sub(stack, arg), true
	case "Fn::GetStackOutput":
		return r.stackOutput(arg), true
	case "Fn::ImportValue":
		return r.importValue(stack, arg), true
	}
	if strings.HasPrefix(fn, "Fn::") {
		return "?UNRESOLVED:" + fn, true
	}
	return nil, false
}

// refOrPseudo resolves a Ref: a pseudo parameter, or a resource's physical name.
func (r resolver) refOrPseudo(stack, name string) any {
	switch name {
	case "AWS::AccountId":
		return r.env.Account
	case "AWS::Region":
		return r.env.Region
	case "AWS::Partition":
		return r.env.Partition
	case "AWS::URLSuffix":
		return "amazonaws.com"
	case "AWS::StackName":
		return stack
	case "AWS::NoValue":
		return nil
	default:
		return r.ref(stack, name)
	}
}

func (r resolver) join(stack string, arg any) any {
	parts, _ := arg.([]any)
	if len(parts) != 2 {
		return "?UNRESOLVED:Join"
	}
	var joined []string
	for _, item := range r.value(stack, parts[1]).([]any) {
		joined = append(joined, fmt.Sprint(item))
	}
	return strings.Join(joined, fmt.Sprint(parts[0]))
}

func (r resolver) selectItem(stack string, arg any) any {
	parts, _ := arg.([]any)
	if len(parts) != 2 {
		return "?UNRESOLVED:Select"
	}
	list, _ := r.value(stack, parts[1]).([]any)
	var index int
	fmt.Sscan(fmt.Sprint(r.value(stack, parts[0])), &index)
	if index < 0 || index >= len(list) {
		return "?UNRESOLVED:Select"
	}
	return list[index]
}

// sub resolves Fn::Sub: its own variables first, then ${Id.Attribute} and ${Ref}.
func (r resolver) sub(stack string, arg any) any {
	template, vars := arg, map[string]any{}
	if parts, ok := arg.([]any); ok && len(parts) == 2 {
		template, _ = parts[0], 0
		vars, _ = parts[1].(map[string]any)
	}
	return subVariable.ReplaceAllStringFunc(fmt.Sprint(template), func(m string) string {
		name := m[2 : len(m)-1]
		if v, ok := vars[name]; ok {
			return fmt.Sprint(r.value(stack, v))
		}
		if id, attribute, ok := strings.Cut(name, "."); ok {
			return r.getAtt(stack, id, attribute)
		}
		resolved, _ := r.intrinsic(stack, "Ref", name)
		return fmt.Sprint(resolved)
	})
}

// stackOutput resolves Fn::GetStackOutput in the producing stack.
func (r resolver) stackOutput(arg any) any {
	spec, _ := arg.(map[string]any)
	producer := fmt.Sprint(spec["StackName"])
	outputs, _ := r.stacks[producer]["Outputs"].(map[string]any)
	output, ok := outputs[fmt.Sprint(spec["OutputName"])].(map[string]any)
	if !ok {
		return "?UNRESOLVED:GetStackOutput:" + producer
	}
	return r.value(producer, output["Value"])
}

// importValue resolves Fn::ImportValue: the output of the stacks (in name order) exporting it.
func (r resolver) importValue(stack string, arg any) any {
	name := fmt.Sprint(r.value(stack, arg))
	for _, producer := range slices.Sorted(maps.Keys(r.stacks)) {
		outputs, _ := r.stacks[producer]["Outputs"].(map[string]any)
		for _, o := range outputs {
			output, _ := o.(map[string]any)
			export, _ := output["Export"].(map[string]any)
			if export != nil && fmt.Sprint(r.value(producer, export["Name"])) == name {
				return r.value(producer, output["Value"])
			}
		}
	}
	return "?UNRESOLVED:ImportValue:" + name
}
