# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: sending the CPU load to instances through Run Command (the clients retry, see _aws_clients).

Shared by the cpu_load module and the group_capacity_wait action, which loads the instances that
join while it waits from the controller, without a module process.
"""

try:
    import botocore.exceptions
except ImportError:
    pass  # Handled by AnsibleAWSModule, or by the action that builds the clients

from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.instances import default_vcpus
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.instances import describe_instances_by_id
from ansible_collections.scaleout.webtier.plugins.module_utils._load import chunks
from ansible_collections.scaleout.webtier.plugins.module_utils._load import execution_timeout
from ansible_collections.scaleout.webtier.plugins.module_utils._load import load_comment
from ansible_collections.scaleout.webtier.plugins.module_utils._load import load_script
from ansible_collections.scaleout.webtier.plugins.module_utils._load import not_online
from ansible_collections.scaleout.webtier.plugins.module_utils._ssm.commands import send_shell_script
from ansible_collections.scaleout.webtier.plugins.module_utils._ssm.managed_nodes import ping_statuses
from ansible_collections.scaleout.webtier.plugins.module_utils._time import iso

DESCRIBE_INSTANCES_BATCH = 100


def vcpus_by_instance(ec2, instance_ids, states=None):
    """{instance_id: default vCPUs of its type} (of the instances in ``states`` only, when given):
    one DescribeInstanceTypes call per distinct type."""
    types = {}
    for batch in chunks(instance_ids, DESCRIBE_INSTANCES_BATCH):
        types.update((i["InstanceId"], i["InstanceType"]) for i in describe_instances_by_id(ec2, batch)
                     if states is None or i["State"]["Name"] in states)
    vcpus = dict((itype, default_vcpus(ec2, itype)) for itype in sorted(set(types.values())))
    return dict((i, vcpus[t]) for i, t in types.items())


def burners_by_instance(ec2, instance_ids, burners):
    """{instance_id: CPU burners}: ``burners`` each, or (0) one per default vCPU of its type."""
    vcpus = vcpus_by_instance(ec2, instance_ids) if burners == 0 else dict((i, burners) for i in instance_ids)
    return dict((i, vcpus.get(i, 1)) for i in instance_ids)


def command_summary(command, instance_ids=None):
    return {"command_id": command["CommandId"], "instance_ids": command.get("InstanceIds", []) if instance_ids is None else instance_ids,
            "requested": iso(command["RequestedDateTime"]), "status": command["Status"]}


def send_load_to_online(aws, clock, run_id, duration, pending, burners_of, sent):
    """One round: send the load to the instances of ``pending`` that are Online managed nodes,
    recording each command in sent["commands"] and each loaded instance's AWS time in sent["registered"].
    Returns {instance_id: PingStatus or "not registered"} of those still waiting."""
    waiting = not_online(pending, ping_statuses(aws["ssm"], pending))
    by_burners = {}
    for instance_id in pending:
        if instance_id not in waiting:
            by_burners.setdefault(burners_of[instance_id], []).append(instance_id)
    for burners, ids in sorted(by_burners.items()):
        for batch in chunks(ids):
            try:
                command = send_shell_script(aws["ssm"], batch, load_comment(run_id), load_script(burners, duration, run_id),
                                            execution_timeout(duration))
            except botocore.exceptions.ClientError as e:
                if e.response.get("Error", {}).get("Code") != "InvalidInstanceId":
                    raise
                waiting.update((i, "InvalidInstanceId") for i in batch)
                continue
            sent["commands"].append(command_summary(command, batch))
            sent["registered"].update((i, clock.now or iso(command["RequestedDateTime"])) for i in batch)
    return waiting
