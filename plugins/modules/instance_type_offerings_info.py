#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: instance_type_offerings_info
short_description: Find the availability zones that offer EC2 instance types
version_added: 1.0.0
description:
  - Lists, through C(DescribeInstanceTypeOfferings), the availability zones of the region that offer
    each of the given instance types.
  - Not every instance type is offered in every zone; a group that spans a zone without the type
    fails its launches there. Use the result to choose subnets before anything is created (see the
    P(scaleout.webtier.select_subnets#filter) filter).
  - Also reports, through C(DescribeInstanceTypes), what EC2 says of each type that is offered - its
    vCPUs, C(FreeTierEligible) (whether this account can use the type under the free tier, in this
    region), C(Hypervisor) and C(BurstablePerformanceSupported).
author: scaleout.webtier maintainers (@scaleout)
options:
  instance_types:
    description: Instance types to look up, for example C(t3.micro).
    type: list
    elements: str
    required: true
  zones:
    description: Only report these zones (names such as C(ap-northeast-2a)); all zones of the region when empty.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Which zones offer t3.micro?
  scaleout.webtier.instance_type_offerings_info:
    instance_types: [t3.micro]
  register: offerings

- name: Show them
  ansible.builtin.debug:
    msg: "{{ offerings.zones_by_type['t3.micro'] }}"
"""

RETURN = r"""
zones_by_type:
  description: For each requested instance type, the sorted zone names that offer it (empty when none does).
  returned: always
  type: dict
  sample: {"t3.micro": ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c", "ap-northeast-2d"]}
unknown_types:
  description: Requested instance types that no zone of the region offers (misspelt, or not sold in this region).
  returned: always
  type: list
  elements: str
  sample: ["t2.nano2"]
types:
  description:
    - For each offered instance type, what C(DescribeInstanceTypes) says of it - C(vcpus), C(free_tier_eligible)
      (C(FreeTierEligible)), C(hypervisor) (C(nitro) or C(xen)) and C(burstable) (C(BurstablePerformanceSupported)).
  returned: always
  type: dict
  sample: {"t3.micro": {"vcpus": 2, "free_tier_eligible": true, "hypervisor": "nitro", "burstable": true}}
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import client
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.instances import instance_type_facts
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.instances import zone_offerings
from ansible_collections.scaleout.webtier.plugins.module_utils._permissions import fail_aws
from ansible_collections.scaleout.webtier.plugins.module_utils._placement import zones_by_instance_type


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            instance_types=dict(type="list", elements="str", required=True),
            zones=dict(type="list", elements="str", default=[]),
        ),
        supports_check_mode=True,
    )
    wanted = module.params["instance_types"]
    filters = [{"Name": "instance-type", "Values": wanted}]
    if module.params["zones"]:
        filters.append({"Name": "location", "Values": module.params["zones"]})
    ec2 = client(module, "ec2")
    try:
        offerings = zone_offerings(ec2, filters)
        by_type = zones_by_instance_type(offerings, wanted)
        offered = sorted(t for t, zones in by_type.items() if zones)
        types = instance_type_facts(ec2, offered) if offered else {}
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        fail_aws(module, e, "Unable to describe instance type offerings")
    module.exit_json(
        changed=False,
        zones_by_type=by_type,
        unknown_types=sorted(t for t, zones in by_type.items() if not zones),
        types=types,
    )


if __name__ == "__main__":
    main()
