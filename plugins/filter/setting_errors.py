# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: setting_errors
short_description: Check web tier settings against AWS's rules before any API call
version_added: 1.0.0
author: scaleout.webtier maintainers (@scaleout)
description:
  - Takes a dict of the collection's variables (name to value) and returns a message for every
    value that AWS or the collection would refuse, naming the variable and the rule.
  - Rules cover capacity order (min <= desired <= max, max >= 1 and at most
    C(scaling_group_max_size_limit), 1000 by default), names AWS accepts (ALB and target group names
    at most 32 characters), ports, CIDR blocks, SSH exposure, tags, health-check timing and success
    codes, the scaling target, the region name (C(scaleout_aws_region)), the certificate ARN, the
    zone counts, the bake's retention and timeouts, and a scale test target count the group can
    reach. Variables the filter does not know are ignored.
  - The roles call it first, so bad input fails before anything is created.
options:
  _input:
    description: Variable name to value, for the variables to check.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Refuse a group whose desired capacity lies outside its size range
  ansible.builtin.assert:
    that: errors | length == 0
    fail_msg: "{{ errors | join('; ') }}"
  vars:
    errors: >-
      {{ {'scaling_group_min_size': 1, 'scaling_group_desired_capacity': 6, 'scaling_group_max_size': 4}
         | scaleout.webtier.setting_errors }}
    # fails with: scaling_group_desired_capacity=6 must lie between scaling_group_min_size=1 and scaling_group_max_size=4
"""

RETURN = r"""
_value:
  description: One message per violated rule; empty when every value is acceptable.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.scaleout.webtier.plugins.module_utils._validation import setting_errors as _setting_errors


def setting_errors(values):
    if not isinstance(values, dict):
        raise AnsibleFilterError("setting_errors expects a dict of variable name to value, got %s" % type(values).__name__)
    return _setting_errors(dict(values))


class FilterModule(object):
    def filters(self):
        return {"setting_errors": setting_errors}
