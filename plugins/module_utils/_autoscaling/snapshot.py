# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: one consistent read of a group's scaling state, the snapshot _scale_test works on.

It reads Auto Scaling, ELBv2 and CloudWatch through their access layers; activities and alarm
history only back to since. The server's time is the Date header of the latest answer (see
ServerClock), never the controller's clock.

Two reads share it: ``group_snapshot`` (everything, for a report or a diagnosis) and
``capacity_poll`` (only what a wait's verdict needs, usually one call), which the
group_capacity_wait action makes at every poll on the controller.
"""

from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.groups import activities_since
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.groups import cpu_target_tracking_policy
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.groups import get_group
from ansible_collections.scaleout.webtier.plugins.module_utils._cloudwatch.alarms import alarm_history
from ansible_collections.scaleout.webtier.plugins.module_utils._cloudwatch.alarms import describe_alarms
from ansible_collections.scaleout.webtier.plugins.module_utils._cloudwatch.metrics import group_capacity_metrics
from ansible_collections.scaleout.webtier.plugins.module_utils._cloudwatch.metrics import group_cpu
from ansible_collections.scaleout.webtier.plugins.module_utils._elbv2.load_balancers import target_health
from ansible_collections.scaleout.webtier.plugins.module_utils._elbv2.load_balancers import worst_target_health
from ansible_collections.scaleout.webtier.plugins.module_utils._time import response_time

SERVICES = ("autoscaling", "elbv2", "cloudwatch")


class ServerClock:
    """The AWS API's time, from the Date header of every answer of the clients it watches."""

    def __init__(self, clients=()):
        self.now = None
        for client in clients:
            self.watch(client)

    def watch(self, client):
        client.meta.events.register("after-call", self._answered)
        return client

    def _answered(self, parsed=None, **kwargs):
        self.now = response_time(parsed or {}) or self.now


def group_summary(group):
    """A DescribeAutoScalingGroups entry as the snapshot keeps it."""
    return {
        "name": group["AutoScalingGroupName"],
        "min_size": group["MinSize"],
        "max_size": group["MaxSize"],
        "desired": group["DesiredCapacity"],
        "instances": [{"id": i["InstanceId"], "zone": i.get("AvailabilityZone", ""),
                       "lifecycle_state": i["LifecycleState"], "health_status": i.get("HealthStatus", "")}
                      for i in group.get("Instances", [])],
    }


def _health(clients, target_group_arns):
    return worst_target_health(dict((arn, target_health(clients["elbv2"], arn)) for arn in target_group_arns))


def capacity_poll(clients, group_name, clock, known_healthy=()):
    """What a capacity wait judges, at the cost of one call (DescribeAutoScalingGroups) while every
    InService instance is known healthy in the target groups (``known_healthy``), and one more per
    target group while one is not: the group and the target health of its instances, without the
    policy, alarms, activities and CPU of ``group_snapshot``."""
    group = get_group(clients["autoscaling"], group_name)
    summary = group_summary(group)
    target_group_arns = group.get("TargetGroupARNs", [])
    in_service = [i["id"] for i in summary["instances"] if i["lifecycle_state"] == "InService"]
    if target_group_arns and not set(in_service) <= set(known_healthy):
        health = _health(clients, target_group_arns)
    else:
        health = dict((i, "healthy") for i in in_service if i in known_healthy)
    return {"group": summary, "target_groups": len(target_group_arns), "target_health": health, "server_time": clock.now}


def capacity_metrics(clients, group_name, since, clock):
    """The group's GroupInServiceInstances and GroupDesiredCapacity since ``since`` (see group_capacity_metrics)."""
    return group_capacity_metrics(clients["cloudwatch"], group_name, since, clock.now or since)


def group_snapshot(clients, group_name, since, clock):
    """Everything the scale test looks at, in one read. clients: autoscaling, elbv2, cloudwatch (watched by clock)."""
    group = get_group(clients["autoscaling"], group_name)
    target_group_arns = group.get("TargetGroupARNs", [])
    policy = cpu_target_tracking_policy(clients["autoscaling"], group_name)
    health = _health(clients, target_group_arns)
    alarm_names = policy["alarms"] if policy else []
    snap = {
        "group": group_summary(group),
        "target_groups": len(target_group_arns),
        "target_health": health,
        "policy": policy,
        "alarms": describe_alarms(clients["cloudwatch"], alarm_names),
        "alarm_history": alarm_history(clients["cloudwatch"], alarm_names, since),
        "activities": activities_since(clients["autoscaling"], group_name, since),
    }
    snap["server_time"] = clock.now
    snap["cpu"] = group_cpu(clients["cloudwatch"], group_name, since, clock.now or since)
    return snap
