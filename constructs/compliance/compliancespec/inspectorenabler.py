"""Switches Amazon Inspector's EC2 scanning on for this account as a CloudFormation custom
resource, and answers CloudFormation only once it is on, or with why it is not: a deploy that
reports success has Inspector scanning (compliancespec/inspectorenabler.go has the facts)."""

import json
import os
import time
import urllib.request

import boto3
from botocore.exceptions import ClientError

# Enable's failedAccounts codes that mean the account is on, or on its way; and those that may
# pass, so Enable is called again: throttling, an internal error, a change still in progress, and
# ACCESS_DENIED while the account's membership or the role's policy propagates (as Terraform's
# inspector2 enabler retries them) (ErrorCode).
ON_ITS_WAY = {"ALREADY_ENABLED", "ENABLE_IN_PROGRESS"}
PASSING = {"SSM_THROTTLED", "EVENTBRIDGE_THROTTLED", "INTERNAL_ERROR", "DISABLE_IN_PROGRESS", "SUSPEND_IN_PROGRESS", "ACCESS_DENIED"}
# A status from which EC2 scanning does not become ENABLED by waiting (Status), once the grace
# after Enable has passed: a first read may still show the state before it.
STUCK = {"DISABLING", "DISABLED", "SUSPENDING", "SUSPENDED"}
POLL_SECONDS = int(os.environ["POLL_SECONDS"])
IAM_WAIT_SECONDS = int(os.environ["IAM_WAIT_SECONDS"])
GRACE_SECONDS = int(os.environ["GRACE_SECONDS"])
# Kept back from the function's timeout to answer CloudFormation.
ANSWER_SECONDS = int(os.environ["ANSWER_SECONDS"])


def handler(event, context):
    status, reason, data = "SUCCESS", "", {}
    account = event["ResourceProperties"]["Account"]
    try:
        if event["RequestType"] in ("Create", "Update"):
            deadline = time.monotonic() + context.get_remaining_time_in_millis() / 1000 - ANSWER_SECONDS
            data = enable(boto3.client("inspector2"), account, deadline)
        # Delete: Inspector stays on; the stack never switches an account-wide service off.
    except Exception as e:  # every failure is CloudFormation's answer, never a stack left waiting
        print("failed:", repr(e))
        status, reason = "FAILED", str(e)[:1000]
    answer(event, account, status, reason, data)


def enable(client, account, deadline):
    """Enables EC2 scanning and waits until it is ENABLED; raises with why it is not."""
    sleep, now = time.sleep, time.monotonic
    retry_until = min(deadline, now() + IAM_WAIT_SECONDS)
    while True:
        try:
            response = client.enable(resourceTypes=["EC2"])
        except ClientError as e:
            # The role's policy may not be in effect yet (IAM is eventually consistent).
            if e.response["Error"]["Code"] != "AccessDeniedException" or now() + POLL_SECONDS > retry_until:
                raise
            print("Enable denied, waiting for the role's policy:", e.response["Error"].get("Message", ""))
            sleep(POLL_SECONDS)
            continue
        failed = [f for f in response.get("failedAccounts", []) if f["errorCode"] not in ON_ITS_WAY]
        if not failed:
            break
        f = failed[0]
        if f["errorCode"] not in PASSING or now() + POLL_SECONDS > retry_until:
            raise RuntimeError("Inspector could not be enabled for account %s: %s: %s (make doctor's Inspector row says what to do)"
                               % (f["accountId"], f["errorCode"], f["errorMessage"]))
        print("Enable answered %s for account %s, calling it again:" % (f["errorCode"], f["accountId"]), f["errorMessage"])
        sleep(POLL_SECONDS)
    enabled_at = now()
    while True:
        sleep(POLL_SECONDS)  # a read straight after Enable may show the state before it
        state = client.batch_get_account_status(accountIds=[account])
        for failed in state.get("failedAccounts", []):
            raise RuntimeError("Inspector's status of account %s: %s: %s" % (failed["accountId"], failed["errorCode"], failed["errorMessage"]))
        ec2 = state["accounts"][0]["resourceState"]["ec2"]
        if ec2["status"] == "ENABLED":
            return {"Ec2Status": "ENABLED"}
        if ec2["status"] in STUCK and now() - enabled_at >= GRACE_SECONDS:
            raise RuntimeError("Inspector's EC2 scanning of account %s is %s: %s: %s" % (account, ec2["status"], ec2.get("errorCode", ""), ec2.get("errorMessage", "")))
        if now() + POLL_SECONDS > deadline:
            raise RuntimeError("Inspector's EC2 scanning of account %s is still %s: deploy again later, or see make doctor's Inspector row" % (account, ec2["status"]))


def answer(event, account, status, reason, data):
    """Sends CloudFormation the custom resource's response: a PUT of the response object to the
    request's pre-signed ResponseURL."""
    body = json.dumps({
        "Status": status,
        "Reason": reason or "see the function's log",
        "PhysicalResourceId": event.get("PhysicalResourceId") or "inspector2-ec2-" + account,
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "Data": data,
    }).encode("utf-8")
    request = urllib.request.Request(event["ResponseURL"], data=body, method="PUT",
                                     headers={"Content-Type": "", "Content-Length": str(len(body))})
    urllib.request.urlopen(request, timeout=30)
