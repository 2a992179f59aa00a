# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: one consistent read of a group's scaling state, the snapshot _scale_test works on.

It reads Auto Scaling, ELBv2 and CloudWatch through their access layers; activities and alarm
history only back to since. The server's time is the Date header of the latest answer (see
ServerClock), never the controller's clock.
"""

from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.groups import activities_since
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.groups import cpu_target_tracking_policy
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.groups import get_group
from ansible_collections.scaleout.webtier.plugins.module_utils._cloudwatch.alarms import alarm_history
from ansible_collections.scaleout.webtier.plugins.module_utils._cloudwatch.alarms import describe_alarms
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


def group_snapshot(clients, group_name, since, clock):
    """Everything the scale test looks at, in one read. clients: autoscaling, elbv2, cloudwatch (watched by clock)."""
    group = get_group(clients["autoscaling"], group_name)
    target_group_arns = group.get("TargetGroupARNs", [])
    policy = cpu_target_tracking_policy(clients["autoscaling"], group_name)
    health = worst_target_health(dict((arn, target_health(clients["elbv2"], arn)) for arn in target_group_arns))
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
        "target_health": health,
        "policy": policy,
        "alarms": describe_alarms(clients["cloudwatch"], alarm_names),
        "alarm_history": alarm_history(clients["cloudwatch"], alarm_names, since),
        "activities": activities_since(clients["autoscaling"], group_name, since),
    }
    snap["server_time"] = clock.now
    snap["cpu"] = group_cpu(clients["cloudwatch"], group_name, since, clock.now or since)
    return snap
