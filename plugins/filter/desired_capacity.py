# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: desired_capacity
short_description: The desired capacity to create an Auto Scaling group with
version_added: 1.0.0
author: scaleout.webtier maintainers (@scaleout)
description:
  - Returns O(desired) when given, otherwise the midpoint of the minimum and maximum size, rounded
    down (1 and 4 give 2), as the walkthrough advises. Scale-in then has room toward the minimum and
    scale-out toward the maximum.
positional: max_size, desired
options:
  _input:
    description: The group's minimum size.
    type: int
    required: true
  max_size:
    description: The group's maximum size.
    type: int
    required: true
  desired:
    description: An explicit desired capacity; returned as is when not null.
    type: int
"""

EXAMPLES = r"""
- name: Midpoint of 1 and 4
  ansible.builtin.debug:
    msg: "{{ 1 | scaleout.webtier.desired_capacity(4) }}"  # 2
"""

RETURN = r"""
_value:
  description: The desired capacity.
  type: int
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.scaleout.webtier.plugins.module_utils._validation import desired_capacity as _desired_capacity


def desired_capacity(min_size, max_size, desired=None):
    try:
        return _desired_capacity(int(min_size), int(max_size), None if desired is None else int(desired))
    except (TypeError, ValueError) as e:
        raise AnsibleFilterError("desired_capacity needs whole numbers: %s" % e)


class FilterModule:
    def filters(self):
        return {"desired_capacity": desired_capacity}
