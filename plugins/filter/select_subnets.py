# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: select_subnets
short_description: Choose one subnet per availability zone that offers the instance type
version_added: 1.0.0
author: scaleout.webtier maintainers (@scaleout)
description:
  - Given the subnets of a VPC and the zones that offer an instance type, returns one subnet per
    offering zone and names every zone left out with the reason.
  - A zone's default subnet is preferred, then the subnet with the most free addresses.
  - Guards against the failure seen in the walkthrough this collection automates, where two of four
    zones did not offer the free-tier instance type and the group found out only at launch.
positional: offered_zones, instance_type, max_zones, min_zones
options:
  _input:
    description:
      - Subnets, as returned by M(amazon.aws.ec2_vpc_subnet_info) (snake_case) or by boto3 (CamelCase).
    type: list
    elements: dict
    required: true
  offered_zones:
    description: Zone names that offer the instance type, for example from M(scaleout.webtier.instance_type_offerings_info).
    type: list
    elements: str
    required: true
  instance_type:
    description: The instance type, used in the reasons given for dropped zones.
    type: str
    default: ""
  max_zones:
    description: Use at most this many zones (the first by name); C(0) means all that qualify.
    type: int
    default: 0
  min_zones:
    description: How many zones are needed for C(enough) to be true.
    type: int
    default: 2
"""

EXAMPLES = r"""
- name: Choose subnets for t3.micro
  ansible.builtin.set_fact:
    placement: "{{ vpc_subnets.subnets | scaleout.webtier.select_subnets(offerings.zones_by_type['t3.micro'], 't3.micro') }}"

- name: Fail early when fewer than two zones qualify
  ansible.builtin.assert:
    that: placement.enough
    fail_msg: "{{ placement.message }}"
"""

RETURN = r"""
_value:
  description: The choice.
  type: dict
  contains:
    subnet_ids:
      description: Chosen subnet ids, one per zone, in zone order.
      type: list
      elements: str
    zones:
      description: Chosen zone names, sorted.
      type: list
      elements: str
    dropped:
      description: Zones left out, each a dict with C(zone) and C(reason).
      type: list
      elements: dict
    enough:
      description: Whether at least O(min_zones) zones were chosen.
      type: bool
    message:
      description: A sentence for the user naming the chosen and dropped zones.
      type: str
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.scaleout.webtier.plugins.module_utils._placement import select_subnets as _select_subnets


def select_subnets(subnets, offered_zones, instance_type="", max_zones=0, min_zones=2):
    if not isinstance(subnets, list) or not all(isinstance(s, dict) for s in subnets):
        raise AnsibleFilterError("select_subnets expects a list of subnet dicts")
    if isinstance(offered_zones, str) or not isinstance(offered_zones, (list, tuple, set)):
        raise AnsibleFilterError("select_subnets: offered_zones must be a list of zone names")
    return _select_subnets(subnets, list(offered_zones), instance_type, int(max_zones), int(min_zones))


class FilterModule:
    def filters(self):
        return {"select_subnets": select_subnets}
