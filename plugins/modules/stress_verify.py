#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

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
  - With 1-minute metrics AWS needs about 3 minutes of load for AlarmHigh (3 datapoints above the
    target), plus the metric delay, so O(timeout) needs room for that.
author: scaleout.webtier maintainers (@scaleout)
options:
  command_ids:
    description: The load's Run Command ids, to tell a load that never started from one that did not move the CPU.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - scaleout.webtier._wait
  - scaleout.webtier._wait.group
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

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.groups import GroupNotFound
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.snapshot import SERVICES
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.snapshot import ServerClock
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.snapshot import group_snapshot
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import clients
from ansible_collections.scaleout.webtier.plugins.module_utils._cloudwatch.metrics import group_min_credit_balance
from ansible_collections.scaleout.webtier.plugins.module_utils._load import ENDED_BADLY
from ansible_collections.scaleout.webtier.plugins.module_utils._permissions import fail_aws
from ansible_collections.scaleout.webtier.plugins.module_utils._scale_test import stress_evidence
from ansible_collections.scaleout.webtier.plugins.module_utils._scale_test import stress_failure
from ansible_collections.scaleout.webtier.plugins.module_utils._ssm.commands import invocation_statuses
from ansible_collections.scaleout.webtier.plugins.module_utils._time import parse_time
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import WAIT_OPTIONS
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import DONE
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import FAILED
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import WAITING
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import Poller
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import timing_problem
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import wait_until


def reading(aws, clock, name, since, command_ids):
    """One poll: the group's snapshot, and the load commands' statuses when there are any."""
    def read():
        snapshot = group_snapshot(aws, name, since, clock)
        return snapshot, invocation_statuses(aws["ssm"], command_ids) if command_ids else {}
    return read


def verdict(since):
    """Done once CPU rose above target and AlarmHigh fired; failed when nothing can make it happen."""
    def judge(observed):
        snapshot, statuses = observed
        evidence = stress_evidence(snapshot, since)
        if evidence["cpu_above_target"] and evidence["alarm_high_fired"]:
            return DONE, "the load took effect"
        if not snapshot.get("policy") or (statuses and all(s in ENDED_BADLY for s in statuses.values())):
            return FAILED, "hopeless"
        return WAITING, "no evidence yet"
    return judge


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            since=dict(type="str", required=True),
            command_ids=dict(type="list", elements="str", default=[]),
            **WAIT_OPTIONS,
        ),
        supports_check_mode=True,
    )
    params = module.params
    name, since = params["name"], params["since"]
    try:
        parse_time(since)
    except ValueError:
        module.fail_json(msg="since=%r: not an ISO 8601 time" % since)
    problem = timing_problem(params["timeout"], params["poll_interval"])
    if problem:
        module.fail_json(msg=problem)
    aws = clients(module, SERVICES + ("ssm",))
    clock = ServerClock(aws[service] for service in SERVICES)
    poller = Poller(params["timeout"], params["poll_interval"])
    try:
        outcome, observed, detail = wait_until(reading(aws, clock, name, since, params["command_ids"]), verdict(since), poller)
    except GroupNotFound as e:
        module.fail_json(msg=str(e))
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        fail_aws(module, e, "Unable to read the scaling state of %s" % name)
    elapsed = poller.elapsed
    if observed is None:
        module.fail_json(msg="the load did not take effect on %s within %ds: AWS throttled every read" % (name, params["timeout"]),
                         evidence={}, elapsed=elapsed, load_status={})
    snapshot, statuses = observed
    evidence = stress_evidence(snapshot, since)
    if outcome == DONE:
        module.exit_json(changed=False, evidence=evidence, elapsed=elapsed, load_status=statuses)
    balance = None
    if not evidence["cpu_above_target"] and evidence["datapoints"]:
        try:
            balance = group_min_credit_balance(aws["cloudwatch"], name, since, snapshot["server_time"] or since)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError):
            balance = None
    reason = stress_failure(evidence, snapshot, statuses if params["command_ids"] else None, balance)
    module.fail_json(
        msg="the load did not take effect on %s%s: %s" % (name, "" if outcome == FAILED else " within %ds" % params["timeout"],
                                                          reason or "no evidence yet"),
        evidence=evidence, elapsed=elapsed, load_status=statuses,
    )


if __name__ == "__main__":
    main()
