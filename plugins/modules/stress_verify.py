#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: stress_verify
short_description: Confirm that a CPU load moved an Auto Scaling group's scaling policy
version_added: 1.0.0
description:
  - Waits, up to O(timeout), until the group-average CPU has risen above the target value of the
    group's CPU target-tracking policy and the policy's AlarmHigh alarm has gone to ALARM since
    O(since) (the load's start), and returns that evidence (datapoints and alarm transitions).
  - When it does not happen, fails naming why - no target-tracking policy, the load never started
    (its Run Command invocations failed), metrics missing, CPU below target (with the CPU credit
    balance when burstable instances ran out of credits), or the alarm not firing - instead of
    leaving a scale-out wait to time out later for an unknown reason.
author: scaleout.webtier maintainers (@scaleout)
options:
  name:
    description: The Auto Scaling group.
    type: str
    required: true
  since:
    description: When the load started (ISO 8601, the AWS API's time, for example RV(scaleout.webtier.cpu_load#module:load_start)).
    type: str
    required: true
  command_ids:
    description: The load's Run Command ids, to tell a load that never started from one that did not move the CPU.
    type: list
    elements: str
    default: []
  timeout:
    description:
      - Seconds to wait for the evidence. With 1-minute metrics AWS needs about 3 minutes of load for AlarmHigh
        (3 datapoints above the target), plus the metric delay.
    type: int
    default: 600
  poll_interval:
    description: Seconds between reads.
    type: int
    default: 15
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Did the load take?
  scaleout.webtier.stress_verify:
    name: demo-asg
    since: "{{ load.load_start }}"
    command_ids: "{{ load.commands | map(attribute='command_id') | list }}"
    timeout: 600
  register: stress
"""

RETURN = r"""
evidence:
  description: What shows the load took effect.
  returned: always
  type: dict
  contains:
    target_value:
      description: The policy's target CPU.
      type: float
    peak_cpu:
      description: The highest group-average CPU since the load started.
      type: float
    cpu_above_target:
      description: Whether the group-average CPU rose above the target.
      type: bool
    datapoints:
      description: Group-average CPU datapoints (time, value) since the load started.
      type: list
      elements: dict
    alarm_high_fired:
      description: Whether AlarmHigh went to ALARM.
      type: bool
    alarm_high_fired_at:
      description: When it did.
      type: str
    alarm_transitions:
      description: AlarmHigh's state changes since the load started.
      type: list
      elements: dict
elapsed:
  description: Seconds waited.
  returned: always
  type: float
load_status:
  description: Instance id to the status of its load command (when O(command_ids) is given).
  returned: always
  type: dict
"""


try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import paginated_query_with_retries
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.scaleout.webtier.plugins.module_utils._load import ENDED_BADLY
from ansible_collections.scaleout.webtier.plugins.module_utils._scaling import parse_time
from ansible_collections.scaleout.webtier.plugins.module_utils._scaling import stress_evidence
from ansible_collections.scaleout.webtier.plugins.module_utils._scaling import stress_failure
from ansible_collections.scaleout.webtier.plugins.module_utils._scaling_api import GroupNotFound
from ansible_collections.scaleout.webtier.plugins.module_utils._scaling_api import ScalingReader
from ansible_collections.scaleout.webtier.plugins.module_utils._scaling_api import retrying_clients
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import Poller


def load_status(clients, command_ids):
    status = {}
    for command_id in command_ids:
        found = paginated_query_with_retries(clients["ssm"], "list_command_invocations", CommandId=command_id)
        for invocation in found.get("CommandInvocations", []):
            status[invocation["InstanceId"]] = invocation["Status"]
    return status


def credit_balance(reader, since, until):
    from datetime import timedelta

    points = reader._call(
        "cloudwatch", "get_metric_statistics", Namespace="AWS/EC2", MetricName="CPUCreditBalance",
        Dimensions=[{"Name": "AutoScalingGroupName", "Value": reader.group_name}],
        StartTime=parse_time(since) - timedelta(minutes=5), EndTime=parse_time(until), Period=300, Statistics=["Minimum"],
    )["Datapoints"]
    return min((p["Minimum"] for p in points), default=None)


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            since=dict(type="str", required=True),
            command_ids=dict(type="list", elements="str", default=[]),
            timeout=dict(type="int", default=600),
            poll_interval=dict(type="int", default=15),
        ),
        supports_check_mode=True,
    )
    params = module.params
    try:
        parse_time(params["since"])
    except ValueError:
        module.fail_json(msg="since=%r: not an ISO 8601 time" % params["since"])
    clients = retrying_clients(module, ("autoscaling", "elbv2", "cloudwatch", "ssm"))
    reader = ScalingReader(clients, params["name"])
    if params["poll_interval"] < 1 or params["timeout"] < 0:
        module.fail_json(msg="poll_interval must be at least 1 second and timeout not negative")
    poller = Poller(params["timeout"], params["poll_interval"])
    statuses = {}
    while True:
        try:
            snapshot = reader.snapshot(params["since"])
            if params["command_ids"]:
                statuses = load_status(clients, params["command_ids"])
        except GroupNotFound as e:
            module.fail_json(msg=str(e))
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            module.fail_json_aws(e, msg="Unable to read the scaling state of %s" % params["name"])
        evidence = stress_evidence(snapshot, params["since"])
        poller.polled()
        elapsed = poller.elapsed
        if evidence["cpu_above_target"] and evidence["alarm_high_fired"]:
            module.exit_json(changed=False, evidence=evidence, elapsed=elapsed, load_status=statuses)
        hopeless = not snapshot.get("policy") or (statuses and all(s in ENDED_BADLY for s in statuses.values()))
        if hopeless or poller.expired:
            balance = None
            if not evidence["cpu_above_target"] and evidence["datapoints"]:
                try:
                    balance = credit_balance(reader, params["since"], snapshot["server_time"] or params["since"])
                except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError):
                    balance = None
            reason = stress_failure(evidence, snapshot, statuses if params["command_ids"] else None, balance)
            module.fail_json(
                msg="the load did not take effect on %s%s: %s" % (params["name"], "" if hopeless else " within %ds" % params["timeout"],
                                                                  reason or "no evidence yet"),
                evidence=evidence, elapsed=elapsed, load_status=statuses,
            )
        poller.pause()


if __name__ == "__main__":
    main()
