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
  known:
    description:
      - What an earlier call of this module in the same run returned as RV(known). The types it holds
        are answered from it, without an API call, so that stages which look up the same type (the
        group's and the bake's, usually one type) read it once per run.
      - Ignored when O(zones) is set (the earlier answer covers every zone).
    type: dict
    default: {}
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
      (C(FreeTierEligible)), C(hypervisor) (C(nitro) or C(xen)), C(burstable) (C(BurstablePerformanceSupported))
      and C(architectures) (C(ProcessorInfo.SupportedArchitectures)).
  returned: always
  type: dict
  sample: {"t3.micro": {"vcpus": 2, "free_tier_eligible": true, "hypervisor": "nitro", "burstable": true,
            "architectures": ["x86_64"]}}
known:
  description:
    - Every type known so far, the ones given in O(known) and the ones read now, each with its C(zones)
      and C(facts) (as in RV(types); empty for a type no zone offers). Pass it to the next call as O(known).
  returned: always
  type: dict
  sample: {"t3.micro": {"zones": ["ap-northeast-2a", "ap-northeast-2b"], "facts": {"vcpus": 2, "hypervisor": "nitro"}}}
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import client
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.instances import instance_type_facts
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.instances import known_types
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.instances import zone_offerings
from ansible_collections.scaleout.webtier.plugins.module_utils._permissions import fail_aws
from ansible_collections.scaleout.webtier.plugins.module_utils._placement import zones_by_instance_type


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            instance_types=dict(type="list", elements="str", required=True),
            zones=dict(type="list", elements="str", default=[]),
            known=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    wanted = module.params["instance_types"]
    known = {} if module.params["zones"] else dict(module.params["known"] or {})
    unread = [t for t in wanted if t not in known]
    if unread:
        filters = [{"Name": "instance-type", "Values": unread}]
        if module.params["zones"]:
            filters.append({"Name": "location", "Values": module.params["zones"]})
        ec2 = client(module, "ec2")
        try:
            by_type = zones_by_instance_type(zone_offerings(ec2, filters), unread)
            offered = sorted(t for t, zones in by_type.items() if zones)
            facts = instance_type_facts(ec2, offered) if offered else {}
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            fail_aws(module, e, "Unable to describe instance type offerings")
        known.update(known_types(by_type, facts))
    answer = dict((t, known[t]) for t in wanted)
    module.exit_json(
        changed=False,
        zones_by_type=dict((t, list(entry["zones"])) for t, entry in answer.items()),
        unknown_types=sorted(t for t, entry in answer.items() if not entry["zones"]),
        types=dict((t, entry["facts"]) for t, entry in answer.items() if entry["zones"]),
        known=known,
    )


if __name__ == "__main__":
    main()
