"""Runs startstop.py's start or stop on recorded EC2 DescribeInstances pages (and, when the
fixture has "wait", Systems Manager DescribeInstanceInformation pages, on a fake clock) with fake
clients, checks each request's shape, and prints every call: the Go test compares that with a
golden."""

import importlib.util
import json
import sys

spec = importlib.util.spec_from_file_location("startstop", sys.argv[1])
startstop = importlib.util.module_from_spec(spec)
spec.loader.exec_module(startstop)
fixture = json.load(open(sys.argv[2]))
calls = []


class EC2:
    def describe_instances(self, **request):
        calls.append(("DescribeInstances", request))
        assert set(request) <= {"Filters", "NextToken"}, request
        key = json.dumps(request["Filters"], sort_keys=True)
        pages = fixture["DescribeInstances"].get(key, [{"Reservations": []}])
        token = request.get("NextToken")
        if token is None:
            return pages[0]
        for i, p in enumerate(pages):
            if p.get("NextToken") == token:
                return pages[i + 1]
        raise AssertionError("NextToken %r was never returned" % token)

    def create_tags(self, **request):
        assert set(request) == {"Resources", "Tags"}, request
        calls.append(("CreateTags", request))

    def delete_tags(self, **request):
        assert set(request) == {"Resources", "Tags"}, request
        calls.append(("DeleteTags", request))

    def start_instances(self, **request):
        assert set(request) == {"InstanceIds"}, request
        calls.append(("StartInstances", request))

    def stop_instances(self, **request):
        assert set(request) == {"InstanceIds"}, request
        calls.append(("StopInstances", request))

    def get_waiter(self, name):
        class Waiter:
            def wait(self, **request):
                calls.append(("Waiter " + name, request))
        return Waiter()


class SSM:
    # The request's shape as the SDK's API model (ssm 2014-11-06) allows it: Filters whose Values
    # hold 1 to 100 items (InstanceInformationFilterValueSet), MaxResults 5 to 50, NextToken.
    def describe_instance_information(self, **request):
        calls.append(("DescribeInstanceInformation", request))
        assert set(request) <= {"Filters", "MaxResults", "NextToken"}, request
        for f in request.get("Filters", []):
            assert 1 <= len(f["Values"]) <= 100, f
        assert 5 <= request.get("MaxResults", 10) <= 50, request
        pages = fixture["DescribeInstanceInformation"]
        token = request.get("NextToken")
        if token is None:
            return pages[0]
        for i, p in enumerate(pages):
            if p.get("NextToken") == token:
                return pages[i + 1]
        raise AssertionError("NextToken %r was never returned" % token)


class Clock:
    """time.time and time.sleep without waiting: each sleep moves the clock on."""
    now = 1000.0

    def time(self):
        return self.now

    def sleep(self, seconds):
        calls.append(("sleep", {"seconds": seconds}))
        self.now += seconds


if fixture["events"]["Action"] == "start" and fixture.get("wait"):
    startstop.time = Clock()
    result = startstop.start(fixture["events"], EC2(), SSM(), wait=True)
elif fixture["events"]["Action"] == "start":
    result = startstop.start(fixture["events"], EC2(), None, wait=False)
else:
    result = startstop.stop(fixture["events"], EC2())
sys.stdout.write("".join("%s %s\n" % (name, json.dumps(req, sort_keys=True)) for name, req in calls))
sys.stdout.write("== returned\n" + json.dumps(result, indent=2, sort_keys=True) + "\n")
