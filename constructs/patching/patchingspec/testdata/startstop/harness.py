"""Runs startstop.py's start or stop on recorded EC2 DescribeInstances pages with fake clients,
checks each request's shape, and prints every call: the Go test compares that with a golden."""

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


if fixture["events"]["Action"] == "start":
    result = startstop.start(fixture["events"], EC2(), None, wait=False)
else:
    result = startstop.stop(fixture["events"], EC2())
sys.stdout.write("".join("%s %s\n" % (name, json.dumps(req, sort_keys=True)) for name, req in calls))
sys.stdout.write("== returned\n" + json.dumps(result, indent=2, sort_keys=True) + "\n")
