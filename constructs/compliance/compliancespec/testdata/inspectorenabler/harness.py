"""Runs inspectorenabler.py's handler once (argv[2], JSON: {"request": Create|Update|Delete,
"enable": [answers], "status": [answers], "remainingSeconds": n}) with a fake boto3 whose
inspector2 client checks each request's shape and answers in turn (an answer is a response object,
or {"error": code} raised as botocore's ClientError), a fake clock that sleep advances, and a fake
urlopen that keeps CloudFormation's answer; prints what was called, the time spent and the answer."""

import importlib.util
import json
import sys
import types

run = json.loads(sys.argv[2])
clock = {"now": 1000.0}
calls = []


class ClientError(Exception):
    """botocore.exceptions.ClientError's shape: the service's error code in response["Error"]["Code"]."""

    def __init__(self, code):
        super().__init__(code)
        self.response = {"Error": {"Code": code, "Message": code + " (planted)"}}


def answer_of(queue, what):
    assert queue, "no answer left for " + what
    a = queue.pop(0) if len(queue) > 1 else queue[0]
    if "error" in a:
        raise ClientError(a["error"])
    return a


class Inspector2:
    def enable(self, **request):
        # Enable's request (botocore 1.43.11's inspector2 model): resourceTypes required.
        assert request == {"resourceTypes": ["EC2"]}, request
        calls.append("enable")
        return answer_of(run["enable"], "enable")

    def batch_get_account_status(self, **request):
        assert request == {"accountIds": ["123456789012"]}, request
        calls.append("status")
        return answer_of(run["status"], "status")


boto3 = types.ModuleType("boto3")
boto3.client = lambda service: (service == "inspector2" or sys.exit("client " + service)) and Inspector2()
botocore = types.ModuleType("botocore")
exceptions = types.ModuleType("botocore.exceptions")
exceptions.ClientError = ClientError
sys.modules.update({"boto3": boto3, "botocore": botocore, "botocore.exceptions": exceptions})

spec = importlib.util.spec_from_file_location("inspectorenabler", sys.argv[1])
enabler = importlib.util.module_from_spec(spec)
spec.loader.exec_module(enabler)

start = clock["now"]
enabler.time = types.SimpleNamespace(monotonic=lambda: clock["now"], sleep=lambda s: clock.__setitem__("now", clock["now"] + s))
answered = []


def urlopen(request, timeout):
    assert request.get_method() == "PUT" and request.full_url == "https://cloudformation-custom-resource-response.example/presigned", request.full_url
    assert request.headers.get("Content-type") == "", request.headers
    answered.append(json.loads(request.data))


enabler.urllib.request.urlopen = urlopen


class Context:
    def get_remaining_time_in_millis(self):
        return int(run.get("remainingSeconds", 600) * 1000 - (clock["now"] - start) * 1000)


event = {"RequestType": run["request"], "ResponseURL": "https://cloudformation-custom-resource-response.example/presigned",
         "StackId": "arn:aws:cloudformation:us-west-2:123456789012:stack/privatepatch-patching/guid", "RequestId": "request-1",
         "LogicalResourceId": "SecurityEnableInspector", "ResourceType": "Custom::InspectorEnabler",
         "ResourceProperties": {"ServiceToken": "arn:aws:lambda:us-west-2:123456789012:function:enabler", "Account": "123456789012"}}
if run["request"] != "Create":
    event["PhysicalResourceId"] = "inspector2-ec2-123456789012"
enabler.handler(event, Context())
assert len(answered) == 1, answered
a = answered[0]
print(json.dumps({"calls": calls, "seconds": clock["now"] - start, "status": a["Status"], "reason": a["Reason"],
                  "physical": a["PhysicalResourceId"], "data": a["Data"]}))
