# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: fingerprint
short_description: A short stable digest of a data structure
version_added: 1.0.0
author: scaleout.webtier maintainers (@scaleout)
description:
  - Returns the first 16 hex digits of the SHA-256 of the input serialised as canonical JSON (sorted
    keys), so equal data gives the same fingerprint whatever the order of its keys.
  - The bake role tags each image with the fingerprint of everything that determines it (source
    image, provisioning script, settings) and skips the bake when an image with that tag exists.
options:
  _input:
    description: Any data that serialises to JSON (dicts, lists, strings, numbers).
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Fingerprint the inputs of an image
  ansible.builtin.debug:
    msg: "{{ {'source': 'ami-0123', 'script': lookup('file', 'provision.sh')} | scaleout.webtier.fingerprint }}"
"""

RETURN = r"""
_value:
  description: 16 lowercase hex digits.
  type: str
  sample: 3f2a9c0d1e2b4a5f
"""

from ansible_collections.scaleout.webtier.plugins.module_utils._bake import fingerprint as _fingerprint


def fingerprint(data):
    return _fingerprint(data)


class FilterModule:
    def filters(self):
        return {"fingerprint": fingerprint}
