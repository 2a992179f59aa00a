# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: Auto Scaling groups, their policies and activities (the clients retry, see _aws_clients)."""

from ansible_collections.scaleout.webtier.plugins.module_utils import _waiting
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


# How AWS refuses CreateAutoScalingGroup while IAM has not propagated a new instance profile that
# the launch template names: "ValidationError: You must use a valid fully-formed launch template.
# Value (...) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name"
# (hashicorp/terraform-provider-aws#5633 retries the create on it; eksctl-io/eksctl#8039 saw it
# succeed 34 s after CreateInstanceProfile).
PROFILE_NOT_PROPAGATED = "Invalid IAM Instance Profile"


def profile_not_propagated(error):
    """Whether a ClientError is CreateAutoScalingGroup refusing an instance profile IAM has not propagated yet."""
    details = (getattr(error, "response", None) or {}).get("Error", {})
    return details.get("Code") == "ValidationError" and PROFILE_NOT_PROPAGATED in details.get("Message", "")


def create_group(client, request, timeout, interval):
    """CreateAutoScalingGroup, repeated through the one wait loop while AWS refuses the launch
    template's instance profile as not yet propagated, for at most ``timeout`` seconds.

    ``(None, attempts)`` once created; ``(AWS's last refusal, attempts)`` when the timeout passed
    first. Any other error propagates at once.
    """
    def attempt():
        try:
            client.create_auto_scaling_group(**request)
        except Exception as e:  # pylint: disable=broad-exception-caught
            if not profile_not_propagated(e):
                raise
            return e.response["Error"]["Message"]
        return None

    poller = _waiting.Poller(timeout, interval)
    outcome, _refusal, detail = _waiting.wait_until(
        attempt, lambda refusal: (_waiting.DONE, "created") if refusal is None else (_waiting.WAITING, refusal), poller)
    return (None if outcome == _waiting.DONE else detail), poller.polls


def apply_calls(client, calls):
    """Make ``[(boto3 operation, parameters)]`` calls in order (see _autoscaling.settings)."""
    for operation, params in calls:
        getattr(client, operation)(**params)


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
            result.append(activity_record(activity))
        token = page.get("NextToken")
        if older or not token:
            break
    return sorted(result, key=lambda a: a["start"])


def activity_record(activity):
    """One DescribeScalingActivities entry as the collection keeps it (ISO times, snake_case keys)."""
    return {
        "id": activity["ActivityId"],
        "description": activity.get("Description", ""),
        "cause": activity.get("Cause", ""),
        "status_code": activity.get("StatusCode", ""),
        "status_message": activity.get("StatusMessage", ""),
        "start": iso(activity["StartTime"]),
        "end": iso(activity.get("EndTime")),
        "progress": activity.get("Progress"),
    }


def latest_activities(client, name, count=50):
    """The group's newest activities (one call: AWS returns them newest first), oldest first."""
    page = client.describe_scaling_activities(AutoScalingGroupName=name, MaxRecords=count)
    return sorted((activity_record(a) for a in page.get("Activities", [])), key=lambda a: a["start"])


def find_policy(client, group, name):
    """DescribePolicies' entry of one policy of the group, or None."""
    policies = client.describe_policies(AutoScalingGroupName=group, PolicyNames=[name])["ScalingPolicies"]
    return policies[0] if policies else None


def running_refreshes(client, group):
    """The ids of the group's instance refreshes that have not ended."""
    refreshes = client.describe_instance_refreshes(AutoScalingGroupName=group)["InstanceRefreshes"]
    return [r["InstanceRefreshId"] for r in refreshes if r.get("Status") in RUNNING_REFRESH]
