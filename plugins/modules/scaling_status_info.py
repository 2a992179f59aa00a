#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: scaling_status_info
short_description: Read the scaling state of an Auto Scaling group in one snapshot
version_added: 1.0.0
description:
  - Reads, in one go, what shows whether a group is scaling - its sizes and instances, their health
    in every attached target group, the CPU target-tracking policy and its AlarmHigh/AlarmLow alarms,
    the alarms' state changes and the scaling activities since a given time, and the group-average
    CPU (1-minute datapoints).
  - Times are the AWS API's own (and C(server_time) comes from the HTTP Date header of its answers),
    so a timeline is not bent by the controller's clock.
  - The M(scaleout.webtier.group_capacity_wait) action polls it.
author: scaleout.webtier maintainers (@scaleout)
options:
  name:
    description: The Auto Scaling group.
    type: str
    required: true
  since:
    description: Read activities, alarm history and CPU back to this time (ISO 8601). Default 15 minutes before the server's time.
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Where is the group now?
  scaleout.webtier.scaling_status_info:
    name: demo-asg
  register: status

- name: Show the latest group-average CPU
  ansible.builtin.debug:
    msg: "{{ status.snapshot.cpu | last }}"
"""

RETURN = r"""
snapshot:
  description: The group's scaling state.
  returned: always
  type: dict
  contains:
    server_time:
      description: The AWS API's time at the read (ISO 8601, UTC).
      type: str
    group:
      description: Name, C(min_size), C(max_size), C(desired), and C(instances) (id, zone, lifecycle_state, health_status).
      type: dict
    target_groups:
      description: How many target groups are attached.
      type: int
    target_health:
      description: Instance id to its worst target health state over the attached target groups.
      type: dict
    policy:
      description: The CPU target-tracking policy (name, target_value, metric, warmup, alarms), or null.
      type: dict
    alarms:
      description: The policy's alarms with their state, reason and threshold.
      type: list
      elements: dict
    alarm_history:
      description: The alarms' state changes since O(since) (name, time, old, new, summary).
      type: list
      elements: dict
    activities:
      description: Scaling activities since O(since) (description, cause, status_code, status_message, start, end).
      type: list
      elements: dict
    cpu:
      description: Group-average CPUUtilization datapoints (time, value), one per minute.
      type: list
      elements: dict
ready:
  description: Ids of instances InService and healthy in every attached target group.
  returned: always
  type: list
  elements: str
"""

from datetime import timedelta

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.groups import GroupNotFound
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.groups import get_group
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.snapshot import SERVICES
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.snapshot import ServerClock
from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.snapshot import group_snapshot
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import clients
from ansible_collections.scaleout.webtier.plugins.module_utils._permissions import fail_aws
from ansible_collections.scaleout.webtier.plugins.module_utils._scale_test import ready_instances
from ansible_collections.scaleout.webtier.plugins.module_utils._time import iso
from ansible_collections.scaleout.webtier.plugins.module_utils._time import parse_time

DEFAULT_LOOKBACK = timedelta(minutes=15)


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(name=dict(type="str", required=True), since=dict(type="str")),
        supports_check_mode=True,
    )
    name, since = module.params["name"], module.params["since"]
    aws = clients(module, SERVICES)
    clock = ServerClock(aws.values())
    try:
        if not since:
            # One read for the server's time, to count back from.
            get_group(aws["autoscaling"], name)
            since = iso(parse_time(clock.now) - DEFAULT_LOOKBACK)
        parse_time(since)
        snapshot = group_snapshot(aws, name, since, clock)
    except ValueError:
        module.fail_json(msg="since=%r: not an ISO 8601 time such as 2026-11-30T12:00:00Z" % module.params["since"])
    except GroupNotFound as e:
        module.fail_json(msg=str(e))
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        fail_aws(module, e, "Unable to read the scaling state of %s" % name)
    module.exit_json(changed=False, snapshot=snapshot, ready=ready_instances(snapshot))


if __name__ == "__main__":
    main()
