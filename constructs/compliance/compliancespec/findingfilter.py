"""privatepatch finding filter: passes a Security Hub or Inspector finding to the alerts topic the
first time its id is seen, and drops the updates of it that follow (compliancespec/findingfilter.go)."""

import json
import os
import time

ID = "id"
EXPIRES = "expiresAt"


def finding_id(event):
    """The finding's id, which stays the same across its updates: Inspector's detail.findingArn,
    Security Hub's detail.findings[0].Id (each Imported event holds one finding)."""
    source, detail = event.get("source"), event.get("detail") or {}
    if source == "aws.inspector2":
        return detail["findingArn"]
    if source == "aws.securityhub":
        return detail["findings"][0]["Id"]
    raise ValueError("not a finding event: source %r" % (source,))


def _code(error):
    return (getattr(error, "response", None) or {}).get("Error", {}).get("Code")


def first_seen(dynamodb, table, fid, now, hold):
    """Holds fid until now+hold; False when it is held or remembered and not expired. An expired
    item may still be there (TTL deletes it later), so the condition lets it be replaced."""
    try:
        dynamodb.put_item(
            TableName=table,
            Item={ID: {"S": fid}, EXPIRES: {"N": str(int(now) + hold)}},
            ConditionExpression="attribute_not_exists(#id) OR #expires < :now",
            ExpressionAttributeNames={"#id": ID, "#expires": EXPIRES},
            ExpressionAttributeValues={":now": {"N": str(int(now))}},
        )
    except Exception as error:
        if _code(error) == "ConditionalCheckFailedException":
            return False
        raise  # Lambda retries the event, then the Errors alarm tells
    return True


def remember(dynamodb, table, fid, now, memory):
    """Remembers a published finding until now+memory."""
    dynamodb.put_item(TableName=table, Item={ID: {"S": fid}, EXPIRES: {"N": str(int(now) + memory)}})


def filter_finding(event, dynamodb, sns, table, topic, now, memory, hold):
    """Publishes the event to topic, as EventBridge would, when its finding is new; returns what it
    did. The finding is held for the invocation (hold: the function's timeout) and remembered only
    once published: when the invocation fails or is stopped before, the hold has lapsed when Lambda
    retries the event (a minute later), and the retry publishes."""
    fid = finding_id(event)
    if not first_seen(dynamodb, table, fid, now, hold):
        return {"finding": fid, "alerted": False}
    # Compact, as EventBridge sends it: SNS takes at most 262,144 bytes, and json.dumps' default
    # spacing and escapes grow the largest finding's event (240 KB) past that.
    sns.publish(TopicArn=topic, Message=json.dumps(event, separators=(",", ":"), ensure_ascii=False))
    remember(dynamodb, table, fid, now, memory)
    return {"finding": fid, "alerted": True}


def handler(event, context):
    import boto3  # in the Lambda Python runtime

    result = filter_finding(event, boto3.client("dynamodb"), boto3.client("sns"), os.environ["TABLE_NAME"],
                            os.environ["TOPIC_ARN"], time.time(), int(os.environ["MEMORY_SECONDS"]),
                            int(os.environ["HOLD_SECONDS"]))
    print(json.dumps(result))  # the function's log: each finding, alerted or dropped as seen
    return result
