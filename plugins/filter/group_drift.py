# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: group_drift
short_description: What differs between an Auto Scaling group and the settings to apply
version_added: 1.0.0
author: scaleout.webtier maintainers (@scaleout)
description:
  - Compares one group as M(amazon.aws.autoscaling_group_info) returns it with the settings the
    C(scaling_group) role applies, and lists the differences, one line each, for example C(max_size 5 -> 4).
  - An empty list means the group is in sync; the role then skips M(amazon.aws.autoscaling_group),
    which would otherwise call C(UpdateAutoScalingGroup) and C(EnableMetricsCollection) on every run.
  - Desired capacity is not compared, as after creation it belongs to the scaling policy.
positional: desired
options:
  _input:
    description: One entry of the C(results) of M(amazon.aws.autoscaling_group_info).
    type: dict
    required: true
  desired:
    description:
      - The settings, with keys C(launch_template_name), C(launch_template_version), C(subnet_ids),
        C(min_size), C(max_size), C(target_group_arns), C(health_check_type), C(health_check_grace_period),
        C(default_cooldown), C(tags) (key to value, propagated at launch), C(suspended_processes)
        (null keeps whatever is suspended) and C(metrics_granularity).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Update the group only when it differs
  amazon.aws.autoscaling_group:
    name: web-asg
    min_size: 1
    max_size: 4
  when: (existing.results | first | scaleout.webtier.group_drift(settings)) | length > 0
"""

RETURN = r"""
_value:
  description: The differences; empty when the group is in sync.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.scaleout.webtier.plugins.module_utils._group import group_drift as _group_drift


def group_drift(existing, desired):
    if not isinstance(existing, dict) or not isinstance(desired, dict):
        raise AnsibleFilterError("group_drift expects a group (dict) and the desired settings (dict)")
    try:
        return _group_drift(existing, desired)
    except ValueError as e:
        raise AnsibleFilterError(str(e))


class FilterModule:
    def filters(self):
        return {"group_drift": group_drift}
