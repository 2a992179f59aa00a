#!/usr/bin/env python3
"""How well the scale test's report agrees with AWS's own timestamps, read independently.

    .venv/bin/python benchmarks/scale_agreement.py --endpoint http://127.0.0.1:4650 --region ap-northeast-2 \\
        --result reports/demo/result.json

Reads the report's ``result.json`` (written by the scale_test role), then the group's scaling
activities with boto3 (DescribeScalingActivities, nothing from the collection), and prints one
JSON object: the time to the target count by AWS's activities - the end of the launch activity that
brought the group's in-service instances to the target, counting from those in service when the
load started - next to the report's ``time_to_target_s`` and the time the wait's poll saw it
(``seen_reached_after_s``), in seconds of the API's clock.

stdlib + boto3 only; nothing in the collection or the sandbox is imported.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys

import boto3


def parse(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def activities(client, group: str) -> list:
    found = []
    for page in client.get_paginator("describe_scaling_activities").paginate(AutoScalingGroupName=group):
        found.extend(page["Activities"])
    return found


def aws_time_to_count(acts: list, load_start: datetime.datetime, target: int) -> float | None:
    """Seconds from load_start until `target` instances were in service by the activities' ends."""
    events = []  # (time, +1 in service / -1 gone)
    for act in acts:
        if act.get("StatusCode") != "Successful" or not act.get("EndTime"):
            continue
        description = act.get("Description", "")
        if description.startswith("Launching"):
            events.append((act["EndTime"], 1))
        elif description.startswith("Terminating"):
            events.append((act["EndTime"], -1))
    count = sum(delta for when, delta in events if when < load_start)
    if count >= target:
        return 0.0
    for when, delta in sorted(e for e in events if e[0] >= load_start):
        count += delta
        if count >= target:
            return round((when - load_start).total_seconds(), 1)
    return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--region", default="ap-northeast-2")
    parser.add_argument("--result", required=True, help="the scale test's result.json")
    args = parser.parse_args(argv)
    with open(args.result) as handle:
        result = json.load(handle)
    client = boto3.client("autoscaling", region_name=args.region, endpoint_url=args.endpoint,
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    out = result["scale_out"]
    aws = aws_time_to_count(activities(client, result["group"]), parse(result["load_start"]), int(result["target_count"]))
    reported, seen = out.get("time_to_target_s"), out.get("seen_reached_after_s")
    print(json.dumps({
        "group": result["group"], "target_count": result["target_count"], "reached": out.get("reached"),
        "aws_time_to_target_s": aws, "reported_time_to_target_s": reported, "seen_reached_after_s": seen,
        "reported_minus_aws_s": None if aws is None or reported is None else round(reported - aws, 1),
        "seen_minus_aws_s": None if aws is None or seen is None else round(seen - aws, 1),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
