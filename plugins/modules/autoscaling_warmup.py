#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: autoscaling_warmup
short_description: Set an Auto Scaling group's default instance warmup
version_added: 1.0.0
description:
  - Sets C(DefaultInstanceWarmup) of an existing Auto Scaling group, which M(amazon.aws.autoscaling_group)
    does not manage. AWS recommends it for every group with target tracking or instance refresh;
    until a new instance's warmup has passed, its metrics do not count toward the group's average
    and it does not block nor trigger further scaling the wrong way.
  - Changes nothing (and makes no write call) when the group already has that warmup.
author: scaleout.webtier maintainers (@scaleout)
options:
  name:
    description: The Auto Scaling group.
    type: str
    required: true
  warmup:
    description: Seconds (0 to 3600).
    type: int
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: New instances warm up for two minutes
  scaleout.webtier.autoscaling_warmup:
    name: demo-asg
    warmup: 120
"""

RETURN = r"""
warmup:
  description: The group's default instance warmup after the call.
  returned: always
  type: int
previous:
  description: The warmup before the call (null when none was set).
  returned: always
  type: int
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.groups import find_group
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.groups import set_default_warmup
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import client
from ansible_collections.scaleout.webtier.plugins.module_utils._permissions import fail_aws


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(name=dict(type="str", required=True), warmup=dict(type="int", required=True)),
        supports_check_mode=True,
    )
    name, warmup = module.params["name"], module.params["warmup"]
    if not 0 <= warmup <= 3600:
        module.fail_json(msg="warmup=%d: must be from 0 to 3600 seconds" % warmup)
    autoscaling = client(module, "autoscaling")
    try:
        group = find_group(autoscaling, name)
        if group is None:
            if module.check_mode:
                module.exit_json(changed=True, warmup=warmup, previous=None, msg="would have set the warmup of the new group %s" % name)
            module.fail_json(msg="Auto Scaling group %s does not exist" % name)
        previous = group.get("DefaultInstanceWarmup")
        if previous == warmup:
            module.exit_json(changed=False, warmup=warmup, previous=previous)
        if not module.check_mode:
            set_default_warmup(autoscaling, name, warmup)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        fail_aws(module, e, "Unable to set the default instance warmup of %s" % name)
    module.exit_json(changed=True, warmup=warmup, previous=previous)


if __name__ == "__main__":
    main()
