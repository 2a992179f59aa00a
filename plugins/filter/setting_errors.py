# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: setting_errors
short_description: Check web tier settings against AWS's rules before any API call
version_added: 1.0.0
author: scaleout.webtier maintainers (@scaleout)
description:
  - Takes a dict of the collection's variables (name to value) and a role's rule table, and returns
    a message for every value that AWS or the collection would refuse, naming the variable and the
    rule.
  - Each role owns its table, C(<role>_setting_rules) in its C(vars/main.yml); the rules themselves
    are the collection's library, by name.
  - Rules cover capacity order (min <= desired <= max, max >= 1 and at most
    C(scaling_group_max_size_limit), 1000 by default), names AWS accepts (ALB and target group names
    at most 32 characters), ports, CIDR blocks, SSH exposure, tags, health-check timing and success
    codes, the scaling target, the region name (C(scaleout_aws_region)), the certificate ARN, the
    zone counts, the bake's retention and timeouts, and counts that other stages wait for (such as
    the scale test's target count) within the max size.
  - Variables the table does not name are ignored; a rule that reads several variables runs when
    all of them are given.
  - The roles call it first, so bad input fails before anything is created.
positional: rules
options:
  _input:
    description: Variable name to value, for the variables to check.
    type: dict
    required: true
  rules:
    description:
      - The role's rule table. C(fields) maps a variable to the name of the rule that checks it;
        C(cross) lists the rules that read several variables, each with the C(rule) name and the
        C(variables) that must all be given.
      - "Field rules: C(region), C(stack_name), C(tags), C(instance_type), C(port), C(certificate_arn),
        C(cidr_list), C(alb_min_zones), C(non_negative_int), C(positive_int), C(optional_positive_int),
        C(elb_name), C(health_check_path), C(health_check_interval), C(health_check_timeout),
        C(health_check_threshold), C(deregistration_delay), C(http_matcher), C(launch_template_name),
        C(volume_size), C(cpu_target)."
      - "Cross rules: C(capacity), C(counts_to_reach), C(ssh), C(zone_counts), C(health_check_timing)."
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
         | scaleout.webtier.setting_errors(rules) }}
    rules:
      fields: {}
      cross:
        - rule: capacity
          variables: [scaling_group_min_size, scaling_group_max_size, scaling_group_desired_capacity]
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


def setting_errors(values, rules):
    if not isinstance(values, dict):
        raise AnsibleFilterError("setting_errors expects a dict of variable name to value, got %s" % type(values).__name__)
    try:
        return _setting_errors(dict(values), rules)
    except ValueError as e:
        raise AnsibleFilterError("setting_errors: %s" % e)


class FilterModule:
    def filters(self):
        return {"setting_errors": setting_errors}
