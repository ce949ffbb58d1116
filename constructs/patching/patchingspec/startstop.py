"""privatepatch startStopped: a window starts the stopped instances of its targets before it
patches (tagging each with the window execution that started it, and suspending an instance
scheduler's tag), and stops exactly those again after its last task.

Runs as the aws:executeScript step of the project's start-stop runbook (handler: handler, Action
start or stop). The AWS clients are passed in (start(events, ec2, ssm), stop(events, ec2)), so the
tests run it on recorded DescribeInstances pages (patchingspec/startstop_test.go).
"""

import time

# The tag that marks an instance this window started, with the window execution as its value;
# the scheduler's tag value is kept under SUSPENDED while the window runs.
STARTED = "privatepatch:started-by"
SUSPENDED = "privatepatch:suspended-schedule"
# DescribeInstanceInformation answers 10 nodes a page unless asked for more, and a filter takes at
# most 100 values (patchingspec/startstop.go names the page): the wait reads every page of every
# chunk of at most this many ids.
INFORMATION_FILTER_VALUES = 100


def _instances(ec2, filters):
    """Every instance matching filters, following NextToken to the end, sorted by id."""
    found, request = [], {"Filters": filters}
    while True:
        response = ec2.describe_instances(**request)
        for reservation in response.get("Reservations", []):
            found.extend(reservation.get("Instances", []))
        token = response.get("NextToken")
        if not token:
            return sorted(found, key=lambda i: i["InstanceId"])
        request["NextToken"] = token


def _tag(instance, key):
    for t in instance.get("Tags", []):
        if t["Key"] == key:
            return t["Value"]
    return None


def _targets(events):
    """The window's targets as DescribeInstances filters: the fleet tag, and its patch groups or ids."""
    filters = [{"Name": "tag:" + events["FleetTagKey"], "Values": [events["FleetTagValue"]]}]
    if events.get("PatchGroups"):
        filters.append({"Name": "tag:" + events["PatchGroupTagKey"], "Values": sorted(events["PatchGroups"].split(","))})
    else:
        filters.append({"Name": "instance-id", "Values": sorted(events["InstanceIds"].split(","))})
    return filters


def _online(ssm, ids):
    """How many of ids are Online, over every DescribeInstanceInformation page of each chunk."""
    online = 0
    for i in range(0, len(ids), INFORMATION_FILTER_VALUES):
        request = {"Filters": [{"Key": "InstanceIds", "Values": ids[i:i + INFORMATION_FILTER_VALUES]}]}
        while True:
            response = ssm.describe_instance_information(**request)
            online += sum(1 for n in response.get("InstanceInformationList", []) if n.get("PingStatus") == "Online")
            token = response.get("NextToken")
            if not token:
                break
            request["NextToken"] = token
    return online


def start(events, ec2, ssm, wait=True):
    execution = events["WindowExecutionId"]
    scheduler = events.get("SchedulerTagKey") or ""
    stopped = _instances(ec2, _targets(events) + [{"Name": "instance-state-name", "Values": ["stopped"]}])
    ids = [i["InstanceId"] for i in stopped]
    report = []
    if not ids:
        return {"Started": [], "Message": "no stopped instance among the targets"}
    # Tag first: an instance that starts is always one the stop step will find.
    ec2.create_tags(Resources=ids, Tags=[{"Key": STARTED, "Value": execution}])
    if scheduler:
        for i in stopped:
            value = _tag(i, scheduler)
            if value is not None:
                ec2.create_tags(Resources=[i["InstanceId"]], Tags=[{"Key": SUSPENDED, "Value": value}])
                ec2.delete_tags(Resources=[i["InstanceId"]], Tags=[{"Key": scheduler}])
                report.append("%s: %s=%s suspended" % (i["InstanceId"], scheduler, value))
    ec2.start_instances(InstanceIds=ids)
    if wait:
        # The patch tasks reach only managed nodes that are online: wait for the agent, within the
        # step's 600 seconds.
        ec2.get_waiter("instance_running").wait(InstanceIds=ids, WaiterConfig={"Delay": 15, "MaxAttempts": 20})
        deadline = time.time() + 240
        while time.time() < deadline:
            if _online(ssm, ids) == len(ids):
                break
            time.sleep(15)
    return {"Started": ids, "Message": "started %d stopped instances: %s" % (len(ids), ", ".join(ids)), "Report": report}


def stop(events, ec2):
    scheduler = events.get("SchedulerTagKey") or ""
    # Exactly the instances this window execution started: another window of the fleet may be
    # patching its own at the same time. One a cancelled run left running keeps its tag (docs).
    started = _instances(ec2, [{"Name": "tag:" + events["FleetTagKey"], "Values": [events["FleetTagValue"]]},
                               {"Name": "tag:" + STARTED, "Values": [events["WindowExecutionId"]]}])
    ids = [i["InstanceId"] for i in started]
    if not ids:
        return {"Stopped": [], "Message": "no instance was started by a window"}
    ec2.stop_instances(InstanceIds=ids)
    report = []
    for i in started:
        value = _tag(i, SUSPENDED)
        if scheduler and value is not None:
            ec2.create_tags(Resources=[i["InstanceId"]], Tags=[{"Key": scheduler, "Value": value}])
            report.append("%s: %s=%s restored" % (i["InstanceId"], scheduler, value))
    ec2.delete_tags(Resources=ids, Tags=[{"Key": STARTED}, {"Key": SUSPENDED}])
    return {"Stopped": ids, "Message": "stopped %d instances the window started: %s" % (len(ids), ", ".join(ids)), "Report": report}


def handler(events, context):
    import boto3  # present in the aws:executeScript Python runtime
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 10})
    ec2 = boto3.client("ec2", config=config)
    if events["Action"] == "start":
        return start(events, ec2, boto3.client("ssm", config=config))
    return stop(events, ec2)
