# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reads the state of an Auto Scaling group from the AWS API into the snapshot _scaling.py works on.

Private to the collection. Every call is retried with jittered backoff (the clients are created
with AWSRetry) and paginated; activities and alarm history are read only back to `since`.
Times come from the API and the HTTP Date header of its answers (the server's clock), never from
the controller's clock, so clock skew between the two cannot bend a timeline.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from datetime import datetime
from datetime import timedelta
from datetime import timezone
from email.utils import parsedate_to_datetime

from ansible_collections.scaleout.webtier.plugins.module_utils._scaling import parse_time

TARGET_HEALTH_ORDER = ("unavailable", "unhealthy", "unused", "draining", "initial", "healthy")
METRIC_PERIOD = 60


class GroupNotFound(Exception):
    pass


def iso(value):
    """boto3 datetimes (or ISO strings) as ISO 8601 UTC strings ending in Z."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = parse_time(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def response_time(response):
    """The server's time from the Date header of a boto3 response, or None."""
    header = response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("date")
    if not header:
        return None
    try:
        return iso(parsedate_to_datetime(header))
    except (TypeError, ValueError):
        return None


class ScalingReader(object):
    """Reads snapshots of one group. `clients` maps service name to a retrying boto3 client."""

    def __init__(self, clients, group_name):
        self.clients = clients
        self.group_name = group_name
        self.server_time = None

    def _call(self, service, method, **params):
        response = getattr(self.clients[service], method)(aws_retry=True, **params)
        self.server_time = response_time(response) or self.server_time
        return response

    def group(self):
        groups = self._call("autoscaling", "describe_auto_scaling_groups", AutoScalingGroupNames=[self.group_name])["AutoScalingGroups"]
        if not groups:
            raise GroupNotFound("Auto Scaling group %s does not exist" % self.group_name)
        return groups[0]

    def target_health(self, target_group_arns):
        worst = {}
        for arn in target_group_arns:
            for description in self._call("elbv2", "describe_target_health", TargetGroupArn=arn)["TargetHealthDescriptions"]:
                instance_id = description["Target"]["Id"]
                state = description["TargetHealth"]["State"]
                if instance_id not in worst or TARGET_HEALTH_ORDER.index(state) < TARGET_HEALTH_ORDER.index(worst[instance_id]):
                    worst[instance_id] = state
        return worst

    def policy(self):
        policies = self._call("autoscaling", "describe_policies", AutoScalingGroupName=self.group_name,
                              PolicyTypes=["TargetTrackingScaling"])["ScalingPolicies"]
        for policy in policies:
            config = policy.get("TargetTrackingConfiguration", {})
            metric = config.get("PredefinedMetricSpecification", {}).get("PredefinedMetricType")
            if metric == "ASGAverageCPUUtilization":
                return {
                    "name": policy["PolicyName"],
                    "target_value": float(config["TargetValue"]),
                    "metric": metric,
                    "warmup": policy.get("EstimatedInstanceWarmup"),
                    "alarms": [a["AlarmName"] for a in policy.get("Alarms", [])],
                }
        return None

    def alarms(self, names):
        if not names:
            return []
        alarms = self._call("cloudwatch", "describe_alarms", AlarmNames=names)["MetricAlarms"]
        return [{"name": a["AlarmName"], "state": a["StateValue"], "reason": a.get("StateReason", ""),
                 "updated": iso(a.get("StateUpdatedTimestamp")), "threshold": a.get("Threshold"),
                 "comparison": a.get("ComparisonOperator")} for a in alarms]

    def alarm_history(self, names, since):
        history = []
        for name in names:
            token = None
            while True:
                params = dict(AlarmName=name, HistoryItemType="StateUpdate", StartDate=parse_time(since), ScanBy="TimestampAscending")
                if token:
                    params["NextToken"] = token
                page = self._call("cloudwatch", "describe_alarm_history", **params)
                for item in page.get("AlarmHistoryItems", []):
                    old, new = _states_from_summary(item.get("HistorySummary", ""))
                    history.append({"name": item["AlarmName"], "time": iso(item["Timestamp"]), "old": old, "new": new,
                                    "summary": item.get("HistorySummary", "")})
                token = page.get("NextToken")
                if not token:
                    break
        return sorted(history, key=lambda h: h["time"])

    def activities(self, since):
        """Scaling activities back to `since` (AWS returns them newest first, so paging stops there)."""
        result, token = [], None
        cutoff = parse_time(since)
        while True:
            params = dict(AutoScalingGroupName=self.group_name, MaxRecords=100)
            if token:
                params["NextToken"] = token
            page = self._call("autoscaling", "describe_scaling_activities", **params)
            older = False
            for activity in page.get("Activities", []):
                if parse_time(iso(activity["StartTime"])) < cutoff:
                    older = True
                    continue
                result.append({
                    "id": activity["ActivityId"],
                    "description": activity.get("Description", ""),
                    "cause": activity.get("Cause", ""),
                    "status_code": activity.get("StatusCode", ""),
                    "status_message": activity.get("StatusMessage", ""),
                    "start": iso(activity["StartTime"]),
                    "end": iso(activity.get("EndTime")),
                    "progress": activity.get("Progress"),
                })
            token = page.get("NextToken")
            if older or not token:
                break
        return sorted(result, key=lambda a: a["start"])

    def cpu(self, since, until):
        """Group-average CPUUtilization (1-minute periods) between since and until."""
        points = self._call(
            "cloudwatch", "get_metric_statistics",
            Namespace="AWS/EC2", MetricName="CPUUtilization",
            Dimensions=[{"Name": "AutoScalingGroupName", "Value": self.group_name}],
            StartTime=parse_time(since) - timedelta(seconds=METRIC_PERIOD), EndTime=parse_time(until) + timedelta(seconds=METRIC_PERIOD),
            Period=METRIC_PERIOD, Statistics=["Average"],
        )["Datapoints"]
        return sorted(({"time": iso(p["Timestamp"]), "value": round(float(p["Average"]), 2)} for p in points), key=lambda p: p["time"])

    def snapshot(self, since):
        """Everything the scale test looks at, in one consistent read."""
        group = self.group()
        target_group_arns = group.get("TargetGroupARNs", [])
        policy = self.policy()
        alarm_names = policy["alarms"] if policy else []
        snap = {
            "group": {
                "name": group["AutoScalingGroupName"],
                "min_size": group["MinSize"],
                "max_size": group["MaxSize"],
                "desired": group["DesiredCapacity"],
                "instances": [{"id": i["InstanceId"], "zone": i.get("AvailabilityZone", ""),
                               "lifecycle_state": i["LifecycleState"], "health_status": i.get("HealthStatus", "")}
                              for i in group.get("Instances", [])],
            },
            "target_groups": len(target_group_arns),
            "target_health": self.target_health(target_group_arns),
            "policy": policy,
            "alarms": self.alarms(alarm_names),
            "alarm_history": self.alarm_history(alarm_names, since),
            "activities": self.activities(since),
        }
        snap["server_time"] = self.server_time
        snap["cpu"] = self.cpu(since, self.server_time or since)
        return snap


def _states_from_summary(summary):
    """CloudWatch history summaries read 'Alarm updated from OK to ALARM'."""
    words = summary.split()
    try:
        at = words.index("from")
        return words[at + 1], words[at + 3]
    except (ValueError, IndexError):
        return "", ""


def retrying_clients(module, services):
    """boto3 clients for an AnsibleAWSModule, each call retried with jittered backoff (throttling, 5xx)."""
    from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

    retry = AWSRetry.jittered_backoff(retries=10, delay=1, max_delay=30)
    return dict((service, module.client(service, retry_decorator=retry)) for service in services)
