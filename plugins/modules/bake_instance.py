#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: bake_instance
short_description: Launch the bake's temporary instance in one call, or terminate temporary instances and wait until they are gone
version_added: 1.0.0
description:
  - O(state=present) launches one instance with one C(RunInstances) call - its tags on the instance
    and its root volume in the call itself, IMDSv2 only, an encrypted gp3 root volume deleted with the
    instance, terminated (not stopped) when it shuts itself down - and returns its id. It does not
    wait for the instance to run and reads nothing back (the bake's console wait covers the boot),
    where M(amazon.aws.ec2_instance) makes about a dozen calls for the same launch.
  - O(client_token) makes the launch idempotent in EC2 - a repeated request with the same token (a
    retry after a lost answer) returns the instance the first one launched instead of launching a
    second (U(https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-idempotency.html)). Give one
    token per launch - for example per run - never a fixed one. As EC2 answers a repeated request
    as it answered the first, the module reports C(changed) for either.
  - O(state=absent) terminates the instances O(instance_ids) and every instance that carries all of
    O(match_tags) and is not terminated yet, in one C(TerminateInstances) call, then waits until they
    are terminated (their security groups stay in use until then). An id that EC2 does not know yet
    (C(InvalidInstanceID.NotFound) moments after its launch, EC2's eventual consistency) is retried for
    a while. EC2's filtered describes see a new instance only a while after its launch - an instance
    launched moments ago is found by its id, not by its tags.
  - Supports check mode.
author: scaleout.webtier maintainers (@scaleout)
options:
  state:
    description: Launch one instance (V(present)) or terminate instances (V(absent)).
    type: str
    choices: [present, absent]
    default: present
  image_id:
    description: The image to launch. Required with O(state=present).
    type: str
  instance_type:
    description: The instance type. Required with O(state=present).
    type: str
  subnet_id:
    description: The subnet to launch in. Required with O(state=present).
    type: str
  security_group_ids:
    description: The instance's security groups (ids of the subnet's VPC). Required with O(state=present).
    type: list
    elements: str
  user_data:
    description: The user data, as text (botocore encodes it in base64).
    type: str
    default: ""
  root_device_name:
    description: The image's root device name (for example C(/dev/xvda)). Required with O(state=present).
    type: str
  root_volume_size:
    description: The root volume's size in GiB.
    type: int
    default: 8
  instance_profile:
    description: An IAM instance profile's name or ARN for the instance; none when empty.
    type: str
    default: ""
  tags:
    description: Tags of the instance and its root volume, given in the C(RunInstances) call.
    type: dict
    default: {}
  client_token:
    description:
      - The launch's idempotency token (at most 64 ASCII characters), one per launch. Required with
        O(state=present).
    type: str
  instance_ids:
    description: With O(state=absent), instances to terminate.
    type: list
    elements: str
    default: []
  match_tags:
    description:
      - With O(state=absent), also terminate every instance that carries all of these tags and is not
        terminated yet.
    type: dict
    default: {}
  wait:
    description: With O(state=absent), wait until the instances are terminated.
    type: bool
    default: true
extends_documentation_fragment:
  - scaleout.webtier._wait
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Launch the bake's instance
  scaleout.webtier.bake_instance:
    image_id: ami-0123456789abcdef0
    instance_type: t3.micro
    subnet_id: subnet-0123456789abcdef0
    security_group_ids: [sg-0123456789abcdef0]
    user_data: "{{ lookup('ansible.builtin.file', 'provision.sh') }}"
    root_device_name: /dev/xvda
    tags:
      Name: demo-bake
      scaleout:stack: demo
      scaleout:role: bake-temporary
    client_token: "{{ ('demo-bake-' ~ now(utc=true, fmt='%Y%m%dT%H%M%S%f')) | hash('sha256') }}"
  register: bake_instance

- name: Terminate it, and any other temporary bake instance of the stack, and wait until they are gone
  scaleout.webtier.bake_instance:
    state: absent
    instance_ids: ["{{ bake_instance.instance_id }}"]
    match_tags:
      scaleout:stack: demo
      scaleout:role: bake-temporary
    timeout: 600
    poll_interval: 10
"""

RETURN = r"""
instance_id:
  description: With O(state=present), the launched instance's id (empty in check mode).
  returned: always
  type: str
  sample: i-0123456789abcdef0
instance_ids:
  description: With O(state=absent), the instances terminated (or in check mode, that would have been).
  returned: always
  type: list
  elements: str
elapsed:
  description: Seconds spent waiting for the termination.
  returned: always
  type: float
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.scaleout.webtier.plugins.module_utils import _waiting
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import client
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2 import instances
from ansible_collections.scaleout.webtier.plugins.module_utils._permissions import fail_aws
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import DONE
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import MISSING
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import NOT_FOUND_GRACE_S
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import WAIT_OPTIONS
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import call_until_found
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import timing_problem
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import wait_until
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import wait_verdict

# How often TerminateInstances is repeated while EC2 does not know a just launched instance's id.
PROPAGATION_RETRY_SECONDS = 2
PRESENT_REQUIRED = ("image_id", "instance_type", "subnet_id", "security_group_ids", "root_device_name", "client_token")


def present(module, ec2):
    params = module.params
    if len(params["client_token"]) > 64:
        module.fail_json(msg="client_token: at most 64 characters (EC2's limit), got %d" % len(params["client_token"]))
    request = instances.launch_request(
        params["image_id"], params["instance_type"], params["subnet_id"], params["security_group_ids"], params["user_data"],
        {"device_name": params["root_device_name"], "size": params["root_volume_size"]}, params["tags"], params["client_token"],
        params["instance_profile"])
    if module.check_mode:
        module.exit_json(changed=True, instance_id="", instance_ids=[], elapsed=0.0,
                         msg="would have launched a %s instance from %s in %s" % (params["instance_type"], params["image_id"], params["subnet_id"]))
    instance_id = instances.run_instance(ec2, request)
    module.exit_json(changed=True, instance_id=instance_id, instance_ids=[instance_id], elapsed=0.0)


def terminate(module, ec2, instance_ids):
    """TerminateInstances; an id EC2 does not know yet (just launched) is retried for a while."""
    if not call_until_found(lambda: instances.terminate_instances(ec2, instance_ids), ("InvalidInstanceID.NotFound",),
                            NOT_FOUND_GRACE_S, PROPAGATION_RETRY_SECONDS):
        module.fail_json(msg="TerminateInstances did not know %s for %ds (InvalidInstanceID.NotFound)" % (", ".join(instance_ids), NOT_FOUND_GRACE_S),
                         instance_ids=instance_ids)


def absent(module, ec2):
    params = module.params
    found = instances.live_instances_tagged(ec2, params["match_tags"]) if params["match_tags"] else []
    instance_ids = sorted(set(params["instance_ids"]) | set(found))
    result = dict(instance_id="", instance_ids=instance_ids, elapsed=0.0)
    if not instance_ids:
        module.exit_json(changed=False, **result)
    if module.check_mode:
        module.exit_json(changed=True, msg="would have terminated %s" % ", ".join(instance_ids), **result)
    terminate(module, ec2, instance_ids)
    if not params["wait"]:
        module.exit_json(changed=True, **result)
    poller = _waiting.Poller(params["timeout"], params["poll_interval"])

    def read():
        states = instances.instance_states(ec2, instance_ids)
        return dict((i, states.get(i, (MISSING, ""))) for i in instance_ids)

    outcome, _states, detail = wait_until(read, lambda states: wait_verdict("instance", "terminated", states), poller)
    result["elapsed"] = poller.elapsed
    if outcome != DONE:
        module.fail_json(msg="the instances were not terminated within %ds: %s" % (params["timeout"], detail), **result)
    module.exit_json(changed=True, **result)


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            state=dict(type="str", choices=["present", "absent"], default="present"),
            image_id=dict(type="str"),
            instance_type=dict(type="str"),
            subnet_id=dict(type="str"),
            security_group_ids=dict(type="list", elements="str"),
            user_data=dict(type="str", default=""),
            root_device_name=dict(type="str"),
            root_volume_size=dict(type="int", default=8),
            instance_profile=dict(type="str", default=""),
            tags=dict(type="dict", default={}),
            client_token=dict(type="str", no_log=False),
            instance_ids=dict(type="list", elements="str", default=[]),
            match_tags=dict(type="dict", default={}),
            wait=dict(type="bool", default=True),
            **WAIT_OPTIONS
        ),
        required_if=[("state", "present", PRESENT_REQUIRED)],
        supports_check_mode=True,
    )
    problem = timing_problem(module.params["timeout"], module.params["poll_interval"])
    if problem:
        module.fail_json(msg=problem)
    ec2 = client(module, "ec2")
    try:
        if module.params["state"] == "present":
            present(module, ec2)
        absent(module, ec2)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        fail_aws(module, e, "Unable to %s the bake's instance" % ("launch" if module.params["state"] == "present" else "terminate"))


if __name__ == "__main__":
    main()
