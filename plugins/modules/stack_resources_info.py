#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: stack_resources_info
short_description: List every resource tagged with a web tier stack
version_added: 1.0.0
description:
  - Lists, by the C(scaleout:stack) tag and never by name, the Auto Scaling groups, instances, load
    balancers, target groups, launch templates, images, snapshots, volumes and security groups of a
    stack in the region, and its IAM roles (under the path C(/scaleout/); IAM is global).
  - Teardown uses it to find what to delete and to prove that nothing is left; a resource of another
    stack, or an untagged one with a similar name, is never listed.
  - Terminated instances (still visible for a while on AWS) are listed with their state but do not
    count as remaining.
author: scaleout.webtier maintainers (@scaleout)
options:
  stack_name:
    description: The stack, the value of the C(scaleout:stack) tag.
    type: str
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: What does the stack still own?
  scaleout.webtier.stack_resources_info:
    stack_name: demo
  register: leftovers

- name: Fail if anything remains
  ansible.builtin.assert:
    that: leftovers.total == 0
    fail_msg: "{{ leftovers.message }}"
"""

RETURN = r"""
resources:
  description:
    - Per kind, the resources found, each with C(id), C(name), C(state) (where the kind has one) and
      C(tags). Kinds are listed in the order teardown deletes them.
  returned: always
  type: dict
  sample:
    autoscaling_groups: [{"id": "demo-asg", "name": "demo-asg", "state": "", "tags": {"scaleout:stack": "demo"}}]
    security_groups: [{"id": "sg-0123", "name": "demo-web", "state": "", "tags": {"scaleout:stack": "demo"}}]
remaining:
  description: Like RV(resources), without kinds that have nothing left and without terminated instances.
  returned: always
  type: dict
total:
  description: How many resources remain.
  returned: always
  type: int
message:
  description: A sentence naming what remains, or saying that nothing does.
  returned: always
  type: str
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.groups import tagged_groups
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import clients
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.tagged import tagged_resources
from ansible_collections.scaleout.webtier.plugins.module_utils._elbv2.load_balancers import all_load_balancers
from ansible_collections.scaleout.webtier.plugins.module_utils._elbv2.load_balancers import all_target_groups
from ansible_collections.scaleout.webtier.plugins.module_utils._elbv2.load_balancers import tags_by_arn
from ansible_collections.scaleout.webtier.plugins.module_utils._iam.roles import roles_with_tags
from ansible_collections.scaleout.webtier.plugins.module_utils._permissions import fail_aws
from ansible_collections.scaleout.webtier.plugins.module_utils._stack_resources import KINDS
from ansible_collections.scaleout.webtier.plugins.module_utils._stack_resources import STACK_TAG
from ansible_collections.scaleout.webtier.plugins.module_utils._stack_resources import ec2_entries
from ansible_collections.scaleout.webtier.plugins.module_utils._stack_resources import group_entries
from ansible_collections.scaleout.webtier.plugins.module_utils._stack_resources import load_balancer_entries
from ansible_collections.scaleout.webtier.plugins.module_utils._stack_resources import role_entries
from ansible_collections.scaleout.webtier.plugins.module_utils._stack_resources import summarise
from ansible_collections.scaleout.webtier.plugins.module_utils._stack_resources import target_group_entries

# IAM is global: the collection's roles live under this path.
ROLE_PATH = "/scaleout/"


def list_stack(aws, stack):
    """Entries per kind of everything tagged with the stack. aws: clients for autoscaling, ec2, elbv2, iam."""
    found = {"autoscaling_groups": group_entries(tagged_groups(aws["autoscaling"], STACK_TAG, stack), stack)}
    found.update(ec2_entries(tagged_resources(aws["ec2"], STACK_TAG, stack)))
    balancers = all_load_balancers(aws["elbv2"])
    found["load_balancers"] = load_balancer_entries(balancers, tags_by_arn(aws["elbv2"], [b["LoadBalancerArn"] for b in balancers]), stack)
    target_groups = all_target_groups(aws["elbv2"])
    found["target_groups"] = target_group_entries(target_groups, tags_by_arn(aws["elbv2"], [t["TargetGroupArn"] for t in target_groups]),
                                                  stack)
    found["iam_roles"] = role_entries(roles_with_tags(aws["iam"], ROLE_PATH), stack)
    return dict((kind, found.get(kind, [])) for kind in KINDS)


def main():
    module = AnsibleAWSModule(argument_spec=dict(stack_name=dict(type="str", required=True)), supports_check_mode=True)
    stack = module.params["stack_name"]
    try:
        resources = list_stack(clients(module, ("autoscaling", "ec2", "elbv2", "iam")), stack)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        fail_aws(module, e, "Unable to list the resources of stack %s" % stack)
    remaining, total, message = summarise(resources)
    module.exit_json(changed=False, resources=resources, remaining=remaining, total=total, message=message)


if __name__ == "__main__":
    main()
