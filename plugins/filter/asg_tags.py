# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: asg_tags
short_description: Turn a tag dict into the tag list of amazon.aws.autoscaling_group
version_added: 1.0.0
author: scaleout.webtier maintainers (@scaleout)
description:
  - Converts a dict of tags into the list form that M(amazon.aws.autoscaling_group) takes, sorted
    by key, each propagated to the group's instances unless O(propagate_at_launch=false).
  - Sorted output keeps the module from reporting a change when only the order differs.
positional: propagate_at_launch
options:
  _input:
    description: Tags, key to value.
    type: dict
    required: true
  propagate_at_launch:
    description: Whether instances launched by the group get the tags too.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Tag a group and its instances
  amazon.aws.autoscaling_group:
    name: web
    tags: "{{ {'team': 'web', 'env': 'prod'} | scaleout.webtier.asg_tags }}"
    # [{'env': 'prod', 'propagate_at_launch': true}, {'team': 'web', 'propagate_at_launch': true}]
"""

RETURN = r"""
_value:
  description: One dict per tag, sorted by key.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError


def asg_tags(tags, propagate_at_launch=True):
    if not isinstance(tags, dict):
        raise AnsibleFilterError("asg_tags expects a dict of tag key to value, got %s" % type(tags).__name__)
    return [{key: tags[key], "propagate_at_launch": bool(propagate_at_launch)} for key in sorted(tags)]


class FilterModule:
    def filters(self):
        return {"asg_tags": asg_tags}
