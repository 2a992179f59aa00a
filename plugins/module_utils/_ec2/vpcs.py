# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: EC2 VPCs (the clients retry, see _aws_clients)."""

from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import paginate


def describe_vpcs(client, filters):
    """The VPCs that match the filters (paginated): one DescribeVpcs call a page, and nothing else
    (amazon.aws.ec2_vpc_net_info adds two DescribeVpcAttribute calls a VPC)."""
    return paginate(client, "describe_vpcs", Filters=filters)["Vpcs"]


def vpc_summary(vpc):
    """What the collection uses of a DescribeVpcs entry, snake_cased as amazon.aws returns it (pure)."""
    return {
        "vpc_id": vpc["VpcId"],
        "cidr_block": vpc.get("CidrBlock", ""),
        "is_default": bool(vpc.get("IsDefault")),
        "state": vpc.get("State", ""),
        "owner_id": vpc.get("OwnerId", ""),
        "tags": boto3_tag_list_to_ansible_dict(vpc.get("Tags", [])),
    }
