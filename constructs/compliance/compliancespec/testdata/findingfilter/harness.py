"""Runs findingfilter.py's Lambda handler over a sequence of events (argv[2], JSON: a list of steps
{"event": file, "now": seconds, "putError": code, "publishError": code, "rememberError": code,
"stopAt": "publish", "findingBytes": size}) with a fake boto3 whose
DynamoDB and SNS clients check each request's shape and keep the table, on a fake clock, and
prints one line per step: what the filter returned or raised, and what it published. The table,
topic and memory come from the environment the Go test sets, with compliancespec's names, as the
function's environment does."""

import contextlib
import importlib.util
import io
import json
import os
import sys
import types

spec = importlib.util.spec_from_file_location("findingfilter", sys.argv[1])
findingfilter = importlib.util.module_from_spec(spec)
spec.loader.exec_module(findingfilter)
steps = json.loads(sys.argv[2])

TABLE, TOPIC = os.environ["HARNESS_TABLE"], os.environ["HARNESS_TOPIC"]
# Publish's Message: "at most 256 KB in size (262,144 bytes, not 262,144 characters)" (botocore's
# sns/2010-03-31/service-2.json, PublishInput; Publish, Amazon SNS API Reference, read 2026-12-06).
SNS_MESSAGE_MAX_BYTES = 262144


def compact_size(value):
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def grow(event, size):
    """Grows the event's Security Hub finding, as compact JSON, to size bytes with short
    ProductFields entries (a map of strings, "AWS Security Finding Format")."""
    finding = event["detail"]["findings"][0]
    fields = finding.setdefault("ProductFields", {})
    current, i = compact_size(finding), 0
    while current < size:
        key = "p%06d" % i
        fields[key] = "v"
        current += len(key) + 7  # "key":"v",
        i += 1


class ClientError(Exception):
    """botocore.exceptions.ClientError's shape: the service's error code in response["Error"]["Code"]."""

    def __init__(self, code):
        super().__init__(code)
        self.response = {"Error": {"Code": code, "Message": code}}


class Stopped(BaseException):
    """Lambda stopping the invocation at its timeout: nothing after it runs, no except clause."""


class DynamoDB:
    def __init__(self):
        self.items, self.fail, self.fail_remember = {}, None, None

    def put_item(self, **request):
        assert request["TableName"] == TABLE, request
        item = request["Item"]
        assert set(item) == {"id", "expiresAt"} and set(item["id"]) == {"S"} and set(item["expiresAt"]) == {"N"}, item
        if set(request) == {"TableName", "Item"}:  # unconditional: remembers the finding
            if self.fail_remember:
                raise ClientError(self.fail_remember)
            self.items[item["id"]["S"]] = item
            return
        assert set(request) == {"TableName", "Item", "ConditionExpression", "ExpressionAttributeNames",
                                "ExpressionAttributeValues"}, request
        # The one condition this fake evaluates: absent, or expired.
        assert request["ConditionExpression"] == "attribute_not_exists(#id) OR #expires < :now", request
        assert request["ExpressionAttributeNames"] == {"#id": "id", "#expires": "expiresAt"}, request
        if self.fail:
            raise ClientError(self.fail)
        now = int(request["ExpressionAttributeValues"][":now"]["N"])
        old = self.items.get(item["id"]["S"])
        if old is not None and not int(old["expiresAt"]["N"]) < now:
            raise ClientError("ConditionalCheckFailedException")
        self.items[item["id"]["S"]] = item


class SNS:
    def __init__(self):
        self.published, self.fail, self.stop = [], None, False

    def publish(self, **request):
        assert set(request) == {"TopicArn", "Message"} and request["TopicArn"] == TOPIC, request
        if self.stop:
            raise Stopped()
        if len(request["Message"].encode("utf-8")) > SNS_MESSAGE_MAX_BYTES:
            raise ClientError("InvalidParameter")
        if self.fail:
            raise ClientError(self.fail)
        self.published.append(json.loads(request["Message"]))


dynamodb, sns = DynamoDB(), SNS()
clients = {"dynamodb": dynamodb, "sns": sns}
sys.modules["boto3"] = types.SimpleNamespace(client=lambda name: clients[name])
clock = types.SimpleNamespace(now=0)
findingfilter.time = types.SimpleNamespace(time=lambda: clock.now)
for step in steps:
    event = json.load(open(step["event"]))
    if step.get("findingBytes"):
        grow(event, step["findingBytes"])
    dynamodb.fail, dynamodb.fail_remember = step.get("putError"), step.get("rememberError")
    sns.fail, sns.stop = step.get("publishError"), step.get("stopAt") == "publish"
    clock.now = step["now"]
    before = len(sns.published)
    log = io.StringIO()
    try:
        with contextlib.redirect_stdout(log):
            result = findingfilter.handler(event, None)
        assert json.loads(log.getvalue()) == result, "the log line is the result: %r" % log.getvalue()
        outcome = "alerted" if result["alerted"] else "dropped"
    except Stopped:
        outcome = "stopped at its timeout"
    except Exception as error:
        outcome = "raised " + type(error).__name__ + " " + str(error)
    published = sns.published[before:]
    assert all(p == event for p in published), "the topic gets the event as EventBridge sent it"
    print("%s %s: %s, published %d, remembered %d" % (step["event"].rsplit("/", 1)[-1], step["now"], outcome,
                                                      len(published), len(dynamodb.items)))
