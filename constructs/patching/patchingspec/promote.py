"""privatepatch exact promotion: what a ring's nodes installed in this maintenance window run
becomes the InstallOverrideList the next ring's Install task reads.

Runs as the aws:executeScript step of the project's promotion runbook (handler: handler). The
AWS clients are passed in (promote(events, ssm, s3)), so the tests run it on recorded
DescribeInstancePatches pages without boto3 or AWS (patchingspec/promote_test.go).

What it calls, and the facts it rests on, are data in patchingspec/promote.go with their pages.
"""

import datetime
import re

# The list the next ring's Install task names (InstallOverrideList), under the ring's prefix.
NEXT_LIST = "install-override-list.yaml"

# What a patch this run installed reads as: Installed, or InstalledPendingReboot after an Install
# with RebootOption NoReboot (patchingspec/promote.go: InstalledPendingRebootState).
INSTALLED_STATES = ("Installed", "InstalledPendingReboot")

# The step's output is "Up to 100KB" ("aws:executeScript – Run a script", Output: Payload): the
# report puts the patches not promoted first, each naming at most REPORT_NODES nodes, then each
# node's line, and stops before REPORT_BYTES with a count of what it left out; the lists under
# runs/ hold every patch.
REPORT_NODES, REPORT_BYTES = 10, 60000

# The largest pages the calls take (patchingspec/promote.go), so a ring of many nodes, each
# listing every patch it ever installed, fits the step's 600 seconds in fewer calls.
PATCHES_PAGE, NODES_PAGE = 100, 50


def _pages(call, key, **request):
    """Every item of a paginated Systems Manager call, following NextToken to the end."""
    items = []
    while True:
        response = call(**request)
        items.extend(response.get(key, []))
        token = response.get("NextToken")
        if not token:
            return items
        request["NextToken"] = token


def _time(value):
    """boto3 returns timestamps as datetimes; the wire form is epoch seconds."""
    if isinstance(value, (int, float)):
        return datetime.datetime.fromtimestamp(value, tz=datetime.timezone.utc)
    return value


def _installed_in_run(installed, started, finished, platform):
    """Whether a patch's InstalledTime falls in the run. Windows gives the day the patch was
    installed, at 00:00 UTC (AWS's describe-instance-patches example output: 1546992000.0 and
    1549584000.0, both midnight; patchingspec/promote.go names the page), which is before a run
    that starts later that day: on Windows the run's days count, elsewhere its times. Whether that
    day is the node's or UTC's no page says: a node east or west of UTC may give the day after or
    before the run's UTC days, so a day either side counts too (rings run days apart)."""
    if platform == "Windows":
        utc, day = datetime.timezone.utc, datetime.timedelta(days=1)
        return (started.astimezone(utc).date() - day) <= installed.astimezone(utc).date() <= (finished.astimezone(utc).date() + day)
    return started <= installed <= finished


def _quote(text):
    """A YAML single-quoted scalar: only the quote itself is escaped, by doubling it."""
    return "'" + str(text).replace("'", "''") + "'"


def _slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unknown"


def render(ring, execution, patches):
    """The InstallOverrideList YAML of patches ({id: title}), in the format of "SSM Command
    document for patching: AWS-RunPatchBaseline" (patches: a list of id and optional title),
    sorted by id so that the same input always gives the same bytes."""
    lines = ["# privatepatch exact promotion from ring %s, maintenance window execution %s" % (ring, execution)]
    if not patches:
        lines.append("patches: []")
    else:
        lines.append("patches:")
        for pid in sorted(patches):
            lines.append("    -")
            lines.append("        id: " + _quote(pid))
            if patches[pid]:
                lines.append("        title: " + _quote(patches[pid]))
    return "\n".join(lines) + "\n"


def promote(events, ssm, s3):
    ring = events["PatchGroup"]
    tag_key = events["PatchGroupTagKey"]
    execution = events["WindowExecutionId"]
    bucket = events["Bucket"]
    prefix = events["Prefix"]
    started = _time(ssm.get_maintenance_window_execution(WindowExecutionId=execution)["StartTime"])
    finished = _time(events["Now"]) if events.get("Now") else datetime.datetime.now(datetime.timezone.utc)
    # The last run's list goes first: a step that fails half-way leaves the next ring no list
    # (its Install fails, and says so) rather than the list of a run before.
    next_key = prefix + NEXT_LIST
    s3.delete_object(Bucket=bucket, Key=next_key)

    nodes = _pages(ssm.describe_instance_information, "InstanceInformationList",
                   Filters=[{"Key": "tag:" + tag_key, "Values": [ring]}], MaxResults=NODES_PAGE)
    # {(platform type, product): {id: title}}; ids some node of the ring failed on are not promoted.
    installed, failed, report = {}, {}, []
    for node in sorted(nodes, key=lambda n: n["InstanceId"]):
        node_id = node["InstanceId"]
        product = (node.get("PlatformType") or "Unknown", node.get("PlatformName") or "Unknown")
        got = []
        for state in INSTALLED_STATES:
            got += _pages(ssm.describe_instance_patches, "Patches", InstanceId=node_id,
                          Filters=[{"Key": "State", "Values": [state]}], MaxResults=PATCHES_PAGE)
        now = {p["KBId"]: p.get("Title", "") for p in got
               if p.get("InstalledTime") is not None and _installed_in_run(_time(p["InstalledTime"]), started, finished, product[0])}
        bad = _pages(ssm.describe_instance_patches, "Patches", InstanceId=node_id,
                     Filters=[{"Key": "State", "Values": ["Failed"]}], MaxResults=PATCHES_PAGE)
        for p in bad:
            failed.setdefault(p["KBId"], []).append(node_id)
        group = installed.setdefault(product, {})
        for pid, title in now.items():
            group.setdefault(pid, title)
        report.append("%s (%s): %d installed in this run, %d failed" % (node_id, product[1], len(now), len(bad)))

    written = []
    for (platform, name), patches in sorted(installed.items()):
        kept = {pid: title for pid, title in patches.items() if pid not in failed}
        key = "%sruns/%s/%s/%s.yaml" % (prefix, execution, _slug(platform), _slug(name))
        s3.put_object(Bucket=bucket, Key=key, Body=render(ring, execution, kept).encode("utf-8"),
                      ContentType="application/yaml")
        written.append(key)

    # The next ring's list: the ring's Windows patches (its baselines are Windows ones; Linux ids
    # are package names and must not be mixed in). No patch: no list, so the next ring's Install
    # cannot fall back to its baseline's patches; it fails to read the list, and says so.
    windows = {}
    for (platform, _), patches in sorted(installed.items()):
        if platform == "Windows":
            for pid, title in patches.items():
                if pid not in failed:
                    windows.setdefault(pid, title)
    not_promoted = []
    for pid in sorted(failed):
        on = sorted(failed[pid])
        more = " and %d more" % (len(on) - REPORT_NODES) if len(on) > REPORT_NODES else ""
        not_promoted.append("not promoted: %s failed on %s%s" % (pid, ", ".join(on[:REPORT_NODES]), more))
    report = not_promoted + report
    if windows:
        s3.put_object(Bucket=bucket, Key=next_key, Body=render(ring, execution, windows).encode("utf-8"),
                      ContentType="application/yaml")
        message = "ring %s: %d patches promoted to s3://%s/%s" % (ring, len(windows), bucket, next_key)
    else:
        message = ("ring %s: no node installed a patch in this run (%d nodes): the next ring has no list "
                   "at s3://%s/%s, and its Install fails reading it (AccessDenied: its nodes may not list the bucket)"
                   % (ring, len(nodes), bucket, next_key))
    return {"Message": message, "Nodes": len(nodes), "Promoted": len(windows), "Lists": written, "Report": _capped(report)}


def _capped(lines):
    """lines up to REPORT_BYTES of JSON, and a count of the rest."""
    kept, size = [], 0
    for i, line in enumerate(lines):
        size += len(line.encode("utf-8")) + 4  # quotes, comma, space
        if size > REPORT_BYTES:
            return kept + ["... and %d more lines" % (len(lines) - i)]
        kept.append(line)
    return kept


def handler(events, context):
    import boto3  # present in the aws:executeScript Python runtime
    from botocore.config import Config

    # aws:executeScript does not retry throttled calls for the script ("aws:executeScript – Run a
    # script"): botocore's standard retry mode does, with backoff.
    config = Config(retries={"mode": "standard", "max_attempts": 10})
    return promote(events, boto3.client("ssm", config=config), boto3.client("s3", config=config))
