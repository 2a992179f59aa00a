# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: setting_warnings
short_description: Explain legal but risky web tier settings
version_added: 1.0.0
author: scaleout.webtier maintainers (@scaleout)
description:
  - Takes a dict of the collection's variables (name to value) and returns a warning for each value
    that AWS accepts but that is likely to hurt, with the reason.
  - A CPU target outside 40 to 80 (too eager or too slow to scale out); an instance warmup of 0
    (new instances feed the average while booting, so the group flaps).
options:
  _input:
    description: Variable name to value, for the variables to check.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Warn about a warmup of zero
  ansible.builtin.debug:
    msg: "{{ {'scaling_group_instance_warmup': 0} | scaleout.webtier.setting_warnings }}"
"""

RETURN = r"""
_value:
  description: One explanation per risky value; empty when there is none.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.scaleout.webtier.plugins.module_utils._validation import setting_warnings as _setting_warnings


def setting_warnings(values):
    if not isinstance(values, dict):
        raise AnsibleFilterError("setting_warnings expects a dict of variable name to value, got %s" % type(values).__name__)
    return _setting_warnings(dict(values))


class FilterModule:
    def filters(self):
        return {"setting_warnings": setting_warnings}
