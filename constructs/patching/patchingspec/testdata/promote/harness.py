"""Runs promote.py on recorded Systems Manager responses (a JSON fixture) with fake clients that
answer as boto3 does (timestamps as datetimes, pages by NextToken), checks every request's shape,
and prints what it wrote and returned: the Go test compares that with a golden file."""

import copy
import datetime
import importlib.util
import json
import sys

spec = importlib.util.spec_from_file_location("promote", sys.argv[1])
promote = importlib.util.module_from_spec(spec)
spec.loader.exec_module(promote)
fixture = json.load(open(sys.argv[2]))


def as_boto3(value):
    """boto3 parses the wire's epoch seconds into datetimes."""
    if isinstance(value, dict):
        return {k: (datetime.datetime.fromtimestamp(v, tz=datetime.timezone.utc)
                    if k in ("StartTime", "EndTime", "InstalledTime") and isinstance(v, (int, float)) else as_boto3(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [as_boto3(v) for v in value]
    return value


def page(pages, token):
    """The page a NextToken asks for: the first without one, else the page after the one that gave it."""
    if token is None:
        return pages[0]
    for i, p in enumerate(pages):
        if p.get("NextToken") == token:
            return pages[i + 1]
    raise AssertionError("NextToken %r was never returned" % token)


calls = []


class SSM:
    def get_maintenance_window_execution(self, **request):
        calls.append(("GetMaintenanceWindowExecution", request))
        assert set(request) == {"WindowExecutionId"}, request
        return as_boto3(fixture["GetMaintenanceWindowExecution"])

    def describe_instance_information(self, **request):
        calls.append(("DescribeInstanceInformation", request))
        assert set(request) <= {"Filters", "NextToken", "MaxResults"}, request
        assert 5 <= request.get("MaxResults", 5) <= 50, request
        return as_boto3(page(fixture["DescribeInstanceInformation"], request.get("NextToken")))

    def describe_instance_patches(self, **request):
        calls.append(("DescribeInstancePatches", request))
        assert set(request) <= {"InstanceId", "Filters", "NextToken", "MaxResults"}, request
        assert 10 <= request.get("MaxResults", 10) <= 100, request
        (flt,) = request["Filters"]
        assert flt["Key"] == "State" and len(flt["Values"]) == 1, flt
        pages = fixture["DescribeInstancePatches"].get(request["InstanceId"], {}).get(flt["Values"][0], [{"Patches": []}])
        return as_boto3(page(pages, request.get("NextToken")))


class S3:
    def __init__(self):
        self.objects = []

    def put_object(self, **request):
        assert set(request) == {"Bucket", "Key", "Body", "ContentType"}, request
        self.objects.append("== put s3://%s/%s (%s)\n%s" % (request["Bucket"], request["Key"], request["ContentType"], request["Body"].decode("utf-8")))

    def delete_object(self, **request):
        assert set(request) == {"Bucket", "Key"}, request
        self.objects.append("== delete s3://%s/%s\n" % (request["Bucket"], request["Key"]))


s3 = S3()
result = promote.promote(copy.deepcopy(fixture["events"]), SSM(), s3)
sys.stdout.write("".join(s3.objects))
sys.stdout.write("== returned\n" + json.dumps(result, indent=2, sort_keys=True) + "\n")
sys.stdout.write("== calls\n" + "".join("%s %s\n" % (name, json.dumps(req, sort_keys=True)) for name, req in calls))
