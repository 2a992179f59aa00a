#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: vpc_info
short_description: Find VPCs by filters with one DescribeVpcs call
version_added: 1.0.0
description:
  - Lists the VPCs that match the given C(DescribeVpcs) filters, for example C(is-default) or C(vpc-id).
  - Unlike M(amazon.aws.ec2_vpc_net_info), it reads no VPC attribute (that module adds two
    C(DescribeVpcAttribute) calls for every VPC it returns), so a lookup is one call a page.
  - An id given as a filter that does not exist gives no VPC rather than an error, so that the caller
    can name the setting in its message.
author: scaleout.webtier maintainers (@scaleout)
options:
  filters:
    description:
      - C(DescribeVpcs) filters, name to value or list of values (see the EC2 API reference).
      - Empty lists every VPC of the region.
    type: dict
    default: {}
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Find the default VPC
  scaleout.webtier.vpc_info:
    filters:
      is-default: "true"
  register: default_vpc

- name: Show its id
  ansible.builtin.debug:
    msg: "{{ default_vpc.vpcs | map(attribute='vpc_id') | first | default('no default VPC') }}"
"""

RETURN = r"""
vpcs:
  description: The VPCs that match, in the order AWS lists them.
  returned: always
  type: list
  elements: dict
  contains:
    vpc_id:
      description: The VPC's id.
      type: str
      sample: vpc-0123456789abcdef0
    cidr_block:
      description: Its primary IPv4 CIDR block.
      type: str
      sample: 172.31.0.0/16
    is_default:
      description: Whether it is the region's default VPC.
      type: bool
    state:
      description: C(pending) or C(available).
      type: str
    owner_id:
      description: The account that owns it.
      type: str
    tags:
      description: Its tags, as a dict.
      type: dict
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.transformation import ansible_dict_to_boto3_filter_list
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import client
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.vpcs import describe_vpcs
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.vpcs import vpc_summary
from ansible_collections.scaleout.webtier.plugins.module_utils._permissions import fail_aws


def main():
    module = AnsibleAWSModule(argument_spec=dict(filters=dict(type="dict", default={})), supports_check_mode=True)
    try:
        vpcs = describe_vpcs(client(module, "ec2"), ansible_dict_to_boto3_filter_list(module.params["filters"]))
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        fail_aws(module, e, "Unable to describe VPCs")
    module.exit_json(changed=False, vpcs=[vpc_summary(vpc) for vpc in vpcs])


if __name__ == "__main__":
    main()
