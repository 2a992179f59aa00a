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
  - Only an Online managed node can run a command (SendCommand refuses the whole batch with
    C(InvalidInstanceId) if one instance is not), and an instance registers with Systems Manager
    some time after it boots. So it loads the targets that DescribeInstanceInformation lists as
    C(Online), then polls and loads the others as they register, for up to O(registration_timeout);
    a batch refused with C(InvalidInstanceId) is sent again at the next poll. When an instance never
    registers it fails naming it and the likely causes (no route to the SSM endpoints, no instance
    profile, no agent); the instances already loaded stay loaded (O(state=stopped) finds them).
  - With O(state=stopped), cancels this test's commands that still run (found by O(run_id)), then
    waits, up to O(timeout), until the C(CPUUtilization) of every instance they loaded has a
    datapoint, wholly after the cancel and starting within 5 minutes of it, below half of one
    burner's share (50 / vCPUs percent). It fails naming each instance whose CPU did not fall, as
    soon as CloudWatch has had 5 more minutes to post those datapoints (AWS API time). The SSM agent ends a cancelled command by
    killing its process group; the burners run under C(timeout --foreground) so that they stay in
    that group.
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
  registration_timeout:
    description:
      - With O(state=started), seconds to wait for the targets to become Online managed nodes, loading
        each as it does. C(0) loads those Online now and returns the others in RV(unregistered) without failing.
    type: int
    default: 600
  timeout:
    description:
      - With O(state=stopped), seconds to wait for the CPU of every loaded instance to fall after the
        cancel (C(0) cancels without checking). With 1-minute metrics AWS needs about 2 to 4 minutes.
    type: int
    default: 600
  poll_interval:
    description: Seconds between reads of the managed nodes (O(state=started)) or of the CPU (O(state=stopped)), at least 1.
    type: int
    default: 15
notes:
  - The check after the stop reads 1-minute C(CPUUtilization) datapoints, which need detailed monitoring.
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
registered:
  description: The instances loaded, each with the AWS API's time at which it was seen Online and loaded.
  returned: when O(state=started)
  type: dict
unregistered:
  description: The targets not loaded because they were not Online managed nodes, each with its PingStatus (or C(not registered)).
  returned: when O(state=started)
  type: dict
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
stopped_at:
  description: The AWS API's time of the cancel (ISO 8601).
  returned: when O(state=stopped) and a command was cancelled
  type: str
cpu_after_stop:
  description:
    - Per loaded instance, the first CPUUtilization datapoint (C(time), C(value)) wholly after the
      cancel that shows no burner left, and C(seconds) from the cancel to the end of its period.
  returned: when O(state=stopped) and a command was cancelled
  type: dict
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.groups import find_group
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.snapshot import ServerClock
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import clients
from ansible_collections.scaleout.webtier.plugins.module_utils._cloudwatch.metrics import METRIC_PERIOD
from ansible_collections.scaleout.webtier.plugins.module_utils._cloudwatch.metrics import instance_cpu
from ansible_collections.scaleout.webtier.plugins.module_utils._load import ACTIVE_STATUSES
from ansible_collections.scaleout.webtier.plugins.module_utils._load import load_comment
from ansible_collections.scaleout.webtier.plugins.module_utils._load import load_script
from ansible_collections.scaleout.webtier.plugins.module_utils._load import registration_failure
from ansible_collections.scaleout.webtier.plugins.module_utils._load import stop_failure
from ansible_collections.scaleout.webtier.plugins.module_utils._load import stop_settled
from ansible_collections.scaleout.webtier.plugins.module_utils._load import stop_verdict
from ansible_collections.scaleout.webtier.plugins.module_utils._permissions import fail_aws
from ansible_collections.scaleout.webtier.plugins.module_utils._ssm.commands import cancel_command
from ansible_collections.scaleout.webtier.plugins.module_utils._ssm.commands import shell_script_commands
from ansible_collections.scaleout.webtier.plugins.module_utils._ssm.load import burners_by_instance
from ansible_collections.scaleout.webtier.plugins.module_utils._ssm.load import command_summary
from ansible_collections.scaleout.webtier.plugins.module_utils._ssm.load import send_load_to_online
from ansible_collections.scaleout.webtier.plugins.module_utils._ssm.load import vcpus_by_instance
from ansible_collections.scaleout.webtier.plugins.module_utils._time import seconds_between
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import DONE
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import FAILED
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import WAITING
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import Poller
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import timing_problem
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import wait_until


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


def start(module, aws, clock):
    params = module.params
    instance_ids = targets(module, aws)
    if not instance_ids:
        module.exit_json(changed=False, run_id=params["run_id"], commands=[], instance_ids=[], script=[], unregistered={},
                         msg="no instance to load")
    burners_of = burners_by_instance(aws["ec2"], instance_ids, params["burners"])
    try:
        script = load_script(max(burners_of.values()), params["duration"], params["run_id"])
    except ValueError as e:
        module.fail_json(msg=str(e))
    if module.check_mode:
        module.exit_json(changed=True, run_id=params["run_id"], commands=[], instance_ids=instance_ids, script=script,
                         unregistered={}, msg="would have loaded %d instance(s)" % len(instance_ids))
    # Only Online managed nodes can run a command; the others are loaded as they register.
    sent = {"commands": [], "registered": {}}
    poller = Poller(params["registration_timeout"], params["poll_interval"])

    def read():
        return send_load_to_online(aws, clock, params["run_id"], params["duration"],
                                   [i for i in instance_ids if i not in sent["registered"]], burners_of, sent)

    def judge(waiting):
        return (WAITING, "%d instance(s) not Online" % len(waiting)) if waiting else (DONE, "all loaded")

    outcome, waiting, _detail = wait_until(read, judge, poller)
    waiting = waiting if waiting is not None else dict((i, "not read") for i in instance_ids if i not in sent["registered"])
    commands = sent["commands"]
    result = dict(changed=bool(commands), run_id=params["run_id"], commands=commands, script=script,
                  instance_ids=[i for i in instance_ids if i in sent["registered"]], registered=sent["registered"],
                  unregistered=waiting if outcome != DONE else {})
    if commands:
        result["load_start"] = min(c["requested"] for c in commands)
    if outcome != DONE and params["registration_timeout"] > 0:
        module.fail_json(msg=registration_failure(waiting, params["registration_timeout"]), **result)
    module.exit_json(**result)


def stop(module, aws, clock):
    params = module.params
    comment = load_comment(params["run_id"])
    # Every command of this run, whatever its status: their instances are the ones to check.
    mine = dict((c["CommandId"], c) for c in shell_script_commands(aws["ssm"]) if c.get("Comment") == comment)
    running = [mine[command_id] for command_id in sorted(mine) if mine[command_id].get("Status") in ACTIVE_STATUSES]
    commands = [command_summary(c) for c in running]
    result = dict(changed=bool(running), run_id=params["run_id"], commands=commands,
                  instance_ids=sorted(set(i for c in commands for i in c["instance_ids"])))
    if not running or module.check_mode:
        module.exit_json(**result)
    for command in commands:
        cancel_command(aws["ssm"], command["command_id"])
    stopped_at = clock.now
    result["stopped_at"] = stopped_at
    if params["timeout"] == 0:
        module.exit_json(**result)
    # Every instance this run loaded: a burner that escaped an earlier command's end counts too.
    instance_ids = sorted(set(i for c in mine.values() for i in c.get("InstanceIds", [])))
    vcpus = vcpus_by_instance(aws["ec2"], instance_ids)
    poller = Poller(params["timeout"], params["poll_interval"])

    def read():
        running_now = set(vcpus_by_instance(aws["ec2"], instance_ids, states=("pending", "running")))
        cpu = dict((i, instance_cpu(aws["cloudwatch"], i, stopped_at, clock.now or stopped_at)) for i in instance_ids)
        return stop_verdict(stopped_at, cpu, vcpus, gone=set(instance_ids) - running_now) + (clock.now,)

    def judge(observed):
        if not observed[1]:
            return DONE, "the load stopped"
        return (FAILED if stop_settled(stopped_at, observed[2]) else WAITING), "%d instance(s) still busy" % len(observed[1])

    outcome, observed, _detail = wait_until(read, judge, poller)
    fell, lagging = observed[:2] if observed is not None else ({}, dict((i, None) for i in instance_ids))
    result["cpu_after_stop"] = dict(
        (i, dict(p, seconds=seconds_between(stopped_at, p["time"]) + METRIC_PERIOD)) for i, p in fell.items())
    if outcome != DONE:
        within = "" if outcome == FAILED else " (still unproven after waiting %ds)" % params["timeout"]
        module.fail_json(msg=stop_failure(lagging, stopped_at, vcpus) + within, **result)
    module.exit_json(**result)


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
            timeout=dict(type="int", default=600),
            registration_timeout=dict(type="int", default=600),
            poll_interval=dict(type="int", default=15),
        ),
        required_if=[["state", "started", ["group_name", "instance_ids"], True]],
        supports_check_mode=True,
    )
    problem = timing_problem(min(module.params["timeout"], module.params["registration_timeout"]), module.params["poll_interval"])
    if problem:
        module.fail_json(msg=problem)
    aws = clients(module, ("autoscaling", "ec2", "ssm", "cloudwatch"))
    clock = ServerClock((aws["ssm"], aws["cloudwatch"]))
    try:
        if module.params["state"] == "started":
            start(module, aws, clock)
        stop(module, aws, clock)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        fail_aws(module, e, "Unable to %s the CPU load" % ("start" if module.params["state"] == "started" else "stop"))


if __name__ == "__main__":
    main()
