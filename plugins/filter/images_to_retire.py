# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: images_to_retire
short_description: Choose the images a retention policy removes
version_added: 1.0.0
author: scaleout.webtier maintainers (@scaleout)
description:
  - From a list of images, returns those beyond the O(keep) newest (by creation date), oldest first,
    leaving out any image whose id is in O(protected) (for example the image the launch template's
    default version uses).
positional: keep, protected
options:
  _input:
    description: Images, as from M(amazon.aws.ec2_ami_info) (snake_case) or boto3 (CamelCase).
    type: list
    elements: dict
    required: true
  keep:
    description: How many of the newest images to keep (at least 1).
    type: int
    required: true
  protected:
    description: Image ids never to remove.
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: Deregister all but the three newest images of the stack, never the one in use
  amazon.aws.ec2_ami:
    image_id: "{{ item.image_id }}"
    state: absent
    delete_snapshot: true
  loop: "{{ stack_images.images | scaleout.webtier.images_to_retire(3, [image_in_use]) }}"
"""

RETURN = r"""
_value:
  description: The images to remove, oldest first.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.scaleout.webtier.plugins.module_utils._bake import images_to_retire as _images_to_retire


def images_to_retire(images, keep, protected=None):
    try:
        return _images_to_retire(list(images), int(keep), list(protected or []))
    except (TypeError, ValueError) as e:
        raise AnsibleFilterError("images_to_retire: %s" % e)


class FilterModule:
    def filters(self):
        return {"images_to_retire": images_to_retire}
