#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: cpu_load
short_description: Start or stop a bounded CPU load on instances through SSM Run Command
version_added: 1.0.0
description:
  - With O(state=started), sends the walkthrough's CPU burner, C(sha256sum /dev/zero), to instances
    through SSM Run Command (C(AWS-RunShellScript)), one burner per vCPU, each wrapped in
    C(timeout O(duration)), so the load ends by itself even if the controller dies, and Run
    Command's execution timeout bounds the script again. No inbound port is needed; the instances
    need the SSM agent and an instance profile that allows Systems Manager.
  - Targets the InService instances of O(group_name), or O(instance_ids), minus O(skip_instance_ids).
  - With O(state=stopped), cancels this test's commands that still run (found by O(run_id)), which
    ends their load.
author: scaleout.webtier maintainers (@scaleout)
options:
  state:
    description: Start or stop the load.
    type: str
    choices: [started, stopped]
    default: started
  group_name:
    description: Load the InService instances of this Auto Scaling group.
    type: str
  instance_ids:
    description: Load these instances (instead of, or within, the group's).
    type: list
    elements: str
    default: []
  skip_instance_ids:
    description: Instances already loaded, to leave alone.
    type: list
    elements: str
    default: []
  run_id:
    description: Marks this test's commands (their comment), so that O(state=stopped) finds them.
    type: str
    required: true
  duration:
    description: Seconds the load runs on each instance (at most 6 hours).
    type: int
    default: 600
  burners:
    description: CPU burners per instance; C(0) means one per vCPU of the instance type.
    type: int
    default: 0
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Load every InService instance of the group for 10 minutes
  scaleout.webtier.cpu_load:
    group_name: demo-asg
    run_id: "{{ lookup('ansible.builtin.pipe', 'date +%s') }}"
    duration: 600
  register: load

- name: Stop it
  scaleout.webtier.cpu_load:
    state: stopped
    run_id: "{{ load.run_id }}"
"""

RETURN = r"""
run_id:
  description: The run id, for O(state=stopped).
  returned: always
  type: str
commands:
  description: Commands sent (started) or cancelled (stopped), each with C(command_id), C(instance_ids), C(requested) and C(status).
  returned: always
  type: list
  elements: dict
load_start:
  description: The AWS API's time of the first command sent (ISO 8601), the start of the load.
  returned: when O(state=started) and a command was sent
  type: str
instance_ids:
  description: The instances loaded (started) or whose load was cancelled (stopped).
  returned: always
  type: list
  elements: str
script:
  description: The shell lines each instance runs, for one vCPU count.
  returned: when O(state=started)
  type: list
  elements: str
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.groups import find_group
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import clients
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.instances import default_vcpus
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.instances import describe_instances_by_id
from ansible_collections.scaleout.webtier.plugins.module_utils._load import ACTIVE_STATUSES
from ansible_collections.scaleout.webtier.plugins.module_utils._load import chunks
from ansible_collections.scaleout.webtier.plugins.module_utils._load import execution_timeout
from ansible_collections.scaleout.webtier.plugins.module_utils._load import load_comment
from ansible_collections.scaleout.webtier.plugins.module_utils._load import load_script
from ansible_collections.scaleout.webtier.plugins.module_utils._permissions import fail_aws
from ansible_collections.scaleout.webtier.plugins.module_utils._ssm.commands import cancel_command
from ansible_collections.scaleout.webtier.plugins.module_utils._ssm.commands import commands_with_status
from ansible_collections.scaleout.webtier.plugins.module_utils._ssm.commands import send_shell_script
from ansible_collections.scaleout.webtier.plugins.module_utils._time import iso

DESCRIBE_INSTANCES_BATCH = 100


def targets(module, aws):
    params = module.params
    wanted = list(params["instance_ids"])
    if params["group_name"]:
        group = find_group(aws["autoscaling"], params["group_name"])
        if group is None:
            module.fail_json(msg="group_name=%s: no such Auto Scaling group" % params["group_name"])
        in_service = [i["InstanceId"] for i in group["Instances"] if i["LifecycleState"] == "InService"]
        wanted = [i for i in wanted if i in in_service] if wanted else in_service
    return [i for i in wanted if i not in params["skip_instance_ids"]]


def vcpus_by_instance(ec2, instance_ids):
    """{instance_id: default vCPUs of its type}: one DescribeInstanceTypes call per distinct type."""
    types = {}
    for batch in chunks(instance_ids, DESCRIBE_INSTANCES_BATCH):
        types.update((i["InstanceId"], i["InstanceType"]) for i in describe_instances_by_id(ec2, batch))
    vcpus = dict((itype, default_vcpus(ec2, itype)) for itype in sorted(set(types.values())))
    return dict((i, vcpus[t]) for i, t in types.items())


def command_summary(command, instance_ids=None):
    return {"command_id": command["CommandId"], "instance_ids": command.get("InstanceIds", []) if instance_ids is None else instance_ids,
            "requested": iso(command["RequestedDateTime"]), "status": command["Status"]}


def start(module, aws):
    params = module.params
    instance_ids = targets(module, aws)
    if not instance_ids:
        module.exit_json(changed=False, run_id=params["run_id"], commands=[], instance_ids=[], script=[], msg="no instance to load")
    vcpus = vcpus_by_instance(aws["ec2"], instance_ids) if params["burners"] == 0 else dict((i, params["burners"]) for i in instance_ids)
    by_burners = {}
    for instance_id in instance_ids:
        by_burners.setdefault(vcpus.get(instance_id, 1), []).append(instance_id)
    try:
        script = load_script(max(by_burners), params["duration"], params["run_id"])
    except ValueError as e:
        module.fail_json(msg=str(e))
    if module.check_mode:
        module.exit_json(changed=True, run_id=params["run_id"], commands=[], instance_ids=instance_ids, script=script,
                         msg="would have loaded %d instance(s)" % len(instance_ids))
    commands = []
    for burners, ids in sorted(by_burners.items()):
        for batch in chunks(ids):
            command = send_shell_script(aws["ssm"], batch, load_comment(params["run_id"]),
                                        load_script(burners, params["duration"], params["run_id"]),
                                        execution_timeout(params["duration"]))
            commands.append(command_summary(command, batch))
    module.exit_json(changed=True, run_id=params["run_id"], commands=commands, instance_ids=instance_ids, script=script,
                     load_start=min(c["requested"] for c in commands))


def stop(module, aws):
    comment = load_comment(module.params["run_id"])
    running = {}
    for status in ACTIVE_STATUSES:
        # By id: a command may change status between two of these calls, and show in both.
        running.update((c["CommandId"], c) for c in commands_with_status(aws["ssm"], status)
                       if c.get("Comment") == comment and c.get("Status") in ACTIVE_STATUSES)
    commands = [command_summary(running[command_id]) for command_id in sorted(running)]
    if running and not module.check_mode:
        for command in commands:
            cancel_command(aws["ssm"], command["command_id"])
    module.exit_json(changed=bool(running), run_id=module.params["run_id"], commands=commands,
                     instance_ids=sorted(set(i for c in commands for i in c["instance_ids"])))


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            state=dict(type="str", choices=["started", "stopped"], default="started"),
            group_name=dict(type="str"),
            instance_ids=dict(type="list", elements="str", default=[]),
            skip_instance_ids=dict(type="list", elements="str", default=[]),
            run_id=dict(type="str", required=True),
            duration=dict(type="int", default=600),
            burners=dict(type="int", default=0),
        ),
        required_if=[["state", "started", ["group_name", "instance_ids"], True]],
        supports_check_mode=True,
    )
    aws = clients(module, ("autoscaling", "ec2", "ssm"))
    try:
        if module.params["state"] == "started":
            start(module, aws)
        stop(module, aws)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        fail_aws(module, e, "Unable to %s the CPU load" % ("start" if module.params["state"] == "started" else "stop"))


if __name__ == "__main__":
    main()
