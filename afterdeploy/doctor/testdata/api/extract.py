"""Writes shapes.json: the output shapes of the AWS operations whose answers the fixtures record,
and the input shapes of the operations make doctor and make patch-now call, taken from the
botocore API models the AWS CLI uses (service-2.json). Run with the botocore whose version
shapes.json names:  python3 extract.py > shapes.json
Each shape is compact: structure {"members": {Name: Shape}, "required"}, list {"member": Shape},
map {"value": Shape}, a scalar its type; with the model's enum, min, max and pattern."""
import glob, gzip, json, os, sys

import botocore

OPERATIONS = {
    "cloudformation": ["DescribeStacks", "ListStackResources", "GetStackPolicy"],
    "codepipeline": ["ListPipelineExecutions"],
    "inspector2": ["BatchGetAccountStatus"],
    "securityhub": ["GetEnabledStandards"],
    "config": ["DescribeConfigurationRecorders", "DescribeConfigurationRecorderStatus", "DescribeConfigRuleEvaluationStatus"],
    "cloudwatch": ["DescribeAlarms", "GetMetricStatistics"],
    "ec2": ["DescribeInstances", "DescribeManagedPrefixLists", "GetManagedPrefixListEntries",
            "DescribeNetworkAcls", "DescribeVpcAttribute", "DescribeVpcEndpoints", "DescribeVpcs",
            "DescribeDhcpOptions", "DescribeRouteTables", "DescribeNatGateways"],
    "route53": ["ListHostedZonesByVPC"],
    "s3": ["PutObject"],
    "sns": ["ListSubscriptionsByTopic"],
    "ssm": ["DescribeAssociationExecutionTargets", "DescribeAssociationExecutions",
            "DescribeInstanceInformation", "DescribeInstancePatchStatesForPatchGroup",
            "DescribeMaintenanceWindowExecutionTaskInvocations", "DescribeMaintenanceWindowExecutionTasks",
            "DescribeMaintenanceWindowExecutions",
            "DescribeMaintenanceWindowSchedule", "DescribeMaintenanceWindowTasks",
            "DescribeMaintenanceWindowsForTarget", "GetAutomationExecution", "GetMaintenanceWindow",
            "GetServiceSetting", "ListAssociations", "ListCommandInvocations", "ListCommands",
            "ListTagsForResource", "SendCommand", "StartAutomationExecution", "UpdateMaintenanceWindowTask",
            "DescribeInstancePatches", "GetPatchBaselineForPatchGroup", "GetDefaultPatchBaseline", "ListResourceDataSync"],
    "sts": ["GetCallerIdentity"],
}


def model(service):
    data = os.path.join(os.path.dirname(botocore.__file__), "data", service)
    latest = sorted(glob.glob(os.path.join(data, "*", "")))[-1]
    path = os.path.join(latest, "service-2.json")
    if os.path.exists(path + ".gz"):
        return json.load(gzip.open(path + ".gz")), os.path.basename(latest.rstrip("/"))
    return json.load(open(path)), os.path.basename(latest.rstrip("/"))


# The operations make doctor and make patch-now call (afterdeploy/doctor), whose requests
# TestMain checks against their input shapes.
CALLED = {
    "cloudformation": ["DescribeStacks", "ListStackResources", "GetTemplate", "GetStackPolicy"],
    "codepipeline": ["ListPipelineExecutions"],
    "cloudwatch": ["DescribeAlarms", "GetMetricStatistics"],
    "ec2": ["DescribeInstances", "DescribeManagedPrefixLists", "GetManagedPrefixListEntries", "DescribeNetworkAcls",
            "DescribeRouteTables", "DescribeNatGateways"],
    "inspector2": ["BatchGetAccountStatus"],
    "securityhub": ["GetEnabledStandards"],
    "config": ["DescribeConfigurationRecorders", "DescribeConfigurationRecorderStatus", "DescribeConfigRuleEvaluationStatus"],
    "s3": ["PutObject"],
    "sns": ["ListSubscriptionsByTopic"],
    "ssm": ["DescribeAssociationExecutionTargets", "DescribeAssociationExecutions",
            "DescribeInstanceInformation", "DescribeInstancePatchStatesForPatchGroup",
            "DescribeMaintenanceWindowExecutionTaskInvocations", "DescribeMaintenanceWindowExecutionTasks",
            "DescribeMaintenanceWindowExecutions",
            "DescribeMaintenanceWindowSchedule", "DescribeMaintenanceWindowTasks",
            "DescribeMaintenanceWindowsForTarget", "GetAutomationExecution", "GetMaintenanceWindow",
            "GetServiceSetting", "ListAssociations", "ListCommandInvocations", "ListCommands",
            "ListTagsForResource", "SendCommand", "StartAutomationExecution", "UpdateMaintenanceWindowTask",
            "DescribeInstancePatches", "GetPatchBaselineForPatchGroup", "GetDefaultPatchBaseline", "ListResourceDataSync"],
    "sts": ["GetCallerIdentity"],
}


def compact(shape):
    out = {"type": shape["type"]}
    if "members" in shape:
        out["members"] = {k: v["shape"] for k, v in shape["members"].items()}
    if "member" in shape:
        out["member"] = shape["member"]["shape"]
    if "value" in shape:
        out["value"] = shape["value"]["shape"]
    for key in ("required", "enum", "min", "max", "pattern"):
        if key in shape:
            out[key] = shape[key]
    return out


def main():
    services = {}
    for service, operations in sorted(OPERATIONS.items()):
        m, version = model(service)
        shapes, outputs, inputs = {}, {}, {}

        def walk(name):
            if name in shapes:
                return
            shapes[name] = compact(m["shapes"][name])
            s = m["shapes"][name]
            for key in ("member", "value"):
                if key in s:
                    walk(s[key]["shape"])
            for member in s.get("members", {}).values():
                walk(member["shape"])

        for op in operations:
            outputs[op] = m["operations"][op]["output"]["shape"]
            walk(outputs[op])
        for op in CALLED.get(service, []):
            inputs[op] = m["operations"][op]["input"]["shape"]
            walk(inputs[op])
        services[service] = {"apiVersion": version, "outputs": outputs, "inputs": inputs, "shapes": dict(sorted(shapes.items()))}
    # One shape a line, so that a new botocore's changes read as a diff.
    w = sys.stdout.write
    w('{"botocore": %s, "services": {\n' % json.dumps(botocore.__version__))
    for i, (service, s) in enumerate(services.items()):
        w('%s: {"apiVersion": %s, "outputs": %s,\n "inputs": %s, "shapes": {\n' % (json.dumps(service), json.dumps(s["apiVersion"]), json.dumps(s["outputs"]), json.dumps(s["inputs"])))
        w(",\n".join("  %s: %s" % (json.dumps(k), json.dumps(v)) for k, v in s["shapes"].items()))
        w("\n}}%s\n" % ("," if i < len(services) - 1 else ""))
    w("}}\n")


main()
