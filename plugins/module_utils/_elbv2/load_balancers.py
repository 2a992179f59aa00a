# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: ELBv2 load balancers, target groups by tag, and target health (the clients retry, see _aws_clients)."""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import paginate

# Target health from worst to best: an instance counts as its worst state over its target groups.
TARGET_HEALTH_ORDER = ("unavailable", "unhealthy", "unused", "draining", "initial", "healthy")
DESCRIBE_TAGS_LIMIT = 20


def load_balancers_by_arn(client, arns):
    """The load balancers among arns; none when one of them does not exist (LoadBalancerNotFound)."""
    try:
        return paginate(client, "describe_load_balancers", LoadBalancerArns=arns)["LoadBalancers"]
    except is_boto3_error_code("LoadBalancerNotFound"):
        return []


def all_load_balancers(client):
    return paginate(client, "describe_load_balancers")["LoadBalancers"]


def all_target_groups(client):
    return paginate(client, "describe_target_groups")["TargetGroups"]


def tags_by_arn(client, arns):
    """{arn: [tags]}, in batches of DescribeTags' limit of 20 ARNs."""
    tags = {}
    for start in range(0, len(arns), DESCRIBE_TAGS_LIMIT):
        for description in client.describe_tags(ResourceArns=arns[start:start + DESCRIBE_TAGS_LIMIT])["TagDescriptions"]:
            tags[description["ResourceArn"]] = description.get("Tags", [])
    return tags


def target_health(client, target_group_arn):
    """{instance_id: TargetHealth.State} of one target group."""
    descriptions = client.describe_target_health(TargetGroupArn=target_group_arn)["TargetHealthDescriptions"]
    return dict((d["Target"]["Id"], d["TargetHealth"]["State"]) for d in descriptions)


def worst_target_health(by_target_group):
    """{instance_id: state}: each instance's worst state over {arn: {instance_id: state}} (pure)."""
    worst = {}
    for arn in by_target_group:
        for instance_id, state in by_target_group[arn].items():
            if instance_id not in worst or TARGET_HEALTH_ORDER.index(state) < TARGET_HEALTH_ORDER.index(worst[instance_id]):
                worst[instance_id] = state
    return worst


def find_load_balancer(client, name):
    """The load balancer named `name`, or None."""
    try:
        found = client.describe_load_balancers(Names=[name])["LoadBalancers"]
    except is_boto3_error_code("LoadBalancerNotFound"):
        return None
    return found[0] if found else None


def listeners_of(client, load_balancer_arn):
    return paginate(client, "describe_listeners", LoadBalancerArn=load_balancer_arn)["Listeners"]
