#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: image_remove
short_description: Deregister images and delete their snapshots, waiting while AWS holds them in use
version_added: 1.0.0
description:
  - Deregisters each image and deletes the EBS snapshots its block device mappings name.
  - For a while after C(DeregisterImage), AWS answers C(DeleteSnapshot) with C(InvalidSnapshot.InUse);
    the module tries the snapshots again, once per O(poll_interval), until they are gone or
    O(timeout) passes, and then fails quoting AWS.
  - An image or snapshot that is already gone counts as removed, so a run that was interrupted
    halfway is finished by the next. Supports check mode.
author: scaleout.webtier maintainers (@scaleout)
options:
  image_ids:
    description: The images to remove.
    type: list
    elements: str
    required: true
  delete_snapshots:
    description: Delete the images' snapshots too.
    type: bool
    default: true
  timeout:
    description: Seconds to keep trying the snapshots that AWS still reports in use.
    type: int
    default: 300
  poll_interval:
    description: Seconds between two tries (at least 1).
    type: int
    default: 5
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Retire two images with their snapshots
  scaleout.webtier.image_remove:
    image_ids:
      - ami-0123456789abcdef0
      - ami-0fedcba9876543210
"""

RETURN = r"""
image_ids:
  description: The images deregistered (or that would be, in check mode).
  returned: always
  type: list
  elements: str
snapshot_ids:
  description: The snapshots deleted (or that would be, in check mode).
  returned: always
  type: list
  elements: str
wait:
  description: How long the snapshots were waited for, C(elapsed) seconds over C(polls) tries.
  returned: when snapshots were deleted
  type: dict
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import client
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2 import images as ec2_images
from ansible_collections.scaleout.webtier.plugins.module_utils._permissions import fail_aws
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import DONE, Poller, WAITING, timing_problem, wait_until


def delete_snapshots(module, ec2, snapshot_ids):
    """Delete every snapshot, again while AWS holds some in use; the poller's summary."""
    remaining = list(snapshot_ids)
    in_use = {}

    def read():
        for snapshot_id in list(remaining):
            message = ec2_images.delete_snapshot(ec2, snapshot_id)
            if message is None:
                remaining.remove(snapshot_id)
                in_use.pop(snapshot_id, None)
            else:
                in_use[snapshot_id] = message
        return list(remaining)

    def verdict(left):
        return (WAITING, "; ".join(in_use[s] for s in left)) if left else (DONE, "every snapshot deleted")

    poller = Poller(module.params["timeout"], module.params["poll_interval"])
    outcome, _left, detail = wait_until(read, verdict, poller)
    if outcome != DONE:
        module.fail_json(msg="snapshots still in use after %ds: %s" % (module.params["timeout"], detail),
                         snapshot_ids_left=remaining, wait=poller.summary())
    return poller.summary()


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            image_ids=dict(type="list", elements="str", required=True),
            delete_snapshots=dict(type="bool", default=True),
            timeout=dict(type="int", default=300),
            poll_interval=dict(type="int", default=5),
        ),
        supports_check_mode=True,
    )
    problem = timing_problem(module.params["timeout"], module.params["poll_interval"])
    if problem:
        module.fail_json(msg=problem)
    ec2 = client(module, "ec2")
    try:
        found = ec2_images.images_by_id(ec2, module.params["image_ids"]) if module.params["image_ids"] else []
        image_ids = sorted(i["ImageId"] for i in found)
        snapshot_ids = sorted(s for i in found for s in ec2_images.snapshot_ids_of(i)) if module.params["delete_snapshots"] else []
        if not image_ids:
            module.exit_json(changed=False, image_ids=[], snapshot_ids=[])
        if module.check_mode:
            module.exit_json(changed=True, image_ids=image_ids, snapshot_ids=snapshot_ids,
                             msg="would have deregistered %d image(s) and deleted %d snapshot(s)" % (len(image_ids), len(snapshot_ids)))
        for image_id in image_ids:
            ec2_images.deregister_image(ec2, image_id)
        result = dict(changed=True, image_ids=image_ids, snapshot_ids=snapshot_ids)
        if snapshot_ids:
            result["wait"] = delete_snapshots(module, ec2, snapshot_ids)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        fail_aws(module, e, "Unable to remove images %s" % ", ".join(module.params["image_ids"]))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
