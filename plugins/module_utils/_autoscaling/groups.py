# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: Auto Scaling groups, their policies and activities (the clients retry, see _aws_clients)."""

from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import paginate
from ansible_collections.scaleout.webtier.plugins.module_utils._time import iso
from ansible_collections.scaleout.webtier.plugins.module_utils._time import parse_time


# The instance refresh statuses that have not ended (DescribeInstanceRefreshes).
RUNNING_REFRESH = ("Pending", "InProgress", "Cancelling", "RollbackInProgress")


class GroupNotFound(Exception):
    pass


def find_group(client, name):
    """The DescribeAutoScalingGroups entry of one group, or None when it does not exist."""
    groups = client.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"]
    return groups[0] if groups else None


def get_group(client, name):
    """Like find_group, but a missing group raises GroupNotFound."""
    group = find_group(client, name)
    if group is None:
        raise GroupNotFound("Auto Scaling group %s does not exist" % name)
    return group


def tagged_groups(client, key, value):
    """Every group tagged key=value (paginated)."""
    return paginate(client, "describe_auto_scaling_groups",
                    Filters=[{"Name": "tag:" + key, "Values": [value]}])["AutoScalingGroups"]


def set_default_warmup(client, name, warmup):
    client.update_auto_scaling_group(AutoScalingGroupName=name, DefaultInstanceWarmup=warmup)


def cpu_target_tracking_policy(client, name):
    """The group's target-tracking policy on ASGAverageCPUUtilization, as a dict, or None."""
    policies = client.describe_policies(AutoScalingGroupName=name, PolicyTypes=["TargetTrackingScaling"])["ScalingPolicies"]
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


def activities_since(client, name, since):
    """Scaling activities back to since (AWS returns them newest first, so paging stops there)."""
    result, token = [], None
    cutoff = parse_time(since)
    while True:
        params = dict(AutoScalingGroupName=name, MaxRecords=100)
        if token:
            params["NextToken"] = token
        page = client.describe_scaling_activities(**params)
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


def find_policy(client, group, name):
    """DescribePolicies' entry of one policy of the group, or None."""
    policies = client.describe_policies(AutoScalingGroupName=group, PolicyNames=[name])["ScalingPolicies"]
    return policies[0] if policies else None


def running_refreshes(client, group):
    """The ids of the group's instance refreshes that have not ended."""
    refreshes = client.describe_instance_refreshes(AutoScalingGroupName=group)["InstanceRefreshes"]
    return [r["InstanceRefreshId"] for r in refreshes if r.get("Status") in RUNNING_REFRESH]
