# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: one target group by name - what it should be (pure), what it is, and the calls that
change it (the clients retry, see _aws_clients).

The target group is created with its tags in the CreateTargetGroup call itself. AWS authorizes
those tags as ``elasticloadbalancing:AddTags`` with the condition key
``elasticloadbalancing:CreateAction``, and a policy can require the stack's tag in the request
(``aws:RequestTag``) and allow later changes only on resources that carry it
(``aws:ResourceTag``): an untagged create followed by AddTags, as community.aws.elb_target_group
makes it, is refused under such a policy.
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

# What CreateTargetGroup fixes for good: a change needs a new target group.
IMMUTABLE = ("Protocol", "Port", "VpcId", "TargetType")
# What ModifyTargetGroup changes in place.
HEALTH_CHECK = ("HealthCheckProtocol", "HealthCheckPort", "HealthCheckPath", "HealthCheckIntervalSeconds",
                "HealthCheckTimeoutSeconds", "HealthyThresholdCount", "UnhealthyThresholdCount", "Matcher")
DEREGISTRATION_DELAY = "deregistration_delay.timeout_seconds"


def wanted_settings(params):
    """The CreateTargetGroup settings (without name and tags) for the module's parameters (pure)."""
    return {
        "Protocol": params["protocol"],
        "Port": params["port"],
        "VpcId": params["vpc_id"],
        "TargetType": params["target_type"],
        "HealthCheckProtocol": params["health_check_protocol"],
        "HealthCheckPort": params["health_check_port"],
        "HealthCheckPath": params["health_check_path"],
        "HealthCheckIntervalSeconds": params["health_check_interval"],
        "HealthCheckTimeoutSeconds": params["health_check_timeout"],
        "HealthyThresholdCount": params["healthy_threshold_count"],
        "UnhealthyThresholdCount": params["unhealthy_threshold_count"],
        "Matcher": {"HttpCode": params["successful_response_codes"]},
    }


def wanted_attributes(params):
    """{attribute key: string value} that the module manages (pure)."""
    return {DEREGISTRATION_DELAY: str(params["deregistration_delay_timeout"])}


def settings_of(target_group):
    """The same settings of an existing target group, as DescribeTargetGroups returns it (pure)."""
    current = dict((key, target_group.get(key)) for key in IMMUTABLE + HEALTH_CHECK)
    current["Matcher"] = {"HttpCode": (target_group.get("Matcher") or {}).get("HttpCode")}
    return current


def replacement_reasons(current, wanted):
    """The immutable settings that differ, as 'Key: now -> wanted' (pure); AWS cannot change them."""
    return ["%s: %s -> %s" % (key, current[key], wanted[key]) for key in IMMUTABLE if current[key] != wanted[key]]


def health_check_changes(current, wanted):
    """{key: wanted value} of the health check settings that differ (pure): ModifyTargetGroup's parameters."""
    return dict((key, wanted[key]) for key in HEALTH_CHECK if current[key] != wanted[key])


def attribute_changes(current, wanted):
    """{key: wanted value} of the managed attributes that differ (pure)."""
    return dict((key, value) for key, value in wanted.items() if current.get(key) != value)


def tag_changes(current_tags, wanted_tags, purge):
    """(tags to set {key: value}, keys to remove) (pure)."""
    return compare_aws_tags(current_tags, wanted_tags, purge_tags=purge)


# ------------------------------------------------------------------------------------- AWS calls


def find_target_group(client, name):
    """The target group named `name`, or None."""
    try:
        found = client.describe_target_groups(Names=[name])["TargetGroups"]
    except is_boto3_error_code("TargetGroupNotFound"):
        return None
    return found[0] if found else None


def attributes_of(client, arn):
    return dict((a["Key"], a["Value"]) for a in client.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"])


def tags_of(client, arn):
    descriptions = client.describe_tags(ResourceArns=[arn])["TagDescriptions"]
    return boto3_tag_list_to_ansible_dict(descriptions[0].get("Tags", [])) if descriptions else {}


def create_target_group(client, name, settings, tags):
    """CreateTargetGroup with the tags in the same call; the new target group."""
    return client.create_target_group(Name=name, Tags=ansible_dict_to_boto3_tag_list(tags), **settings)["TargetGroups"][0]


def modify_health_check(client, arn, changes):
    client.modify_target_group(TargetGroupArn=arn, **changes)


def set_attributes(client, arn, changes):
    client.modify_target_group_attributes(TargetGroupArn=arn, Attributes=[{"Key": k, "Value": v} for k, v in sorted(changes.items())])


def add_tags(client, arn, tags):
    client.add_tags(ResourceArns=[arn], Tags=ansible_dict_to_boto3_tag_list(tags))


def remove_tags(client, arn, keys):
    client.remove_tags(ResourceArns=[arn], TagKeys=list(keys))


def delete_target_group(client, arn):
    client.delete_target_group(TargetGroupArn=arn)
