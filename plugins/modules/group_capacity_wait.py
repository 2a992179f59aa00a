#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: group_capacity_wait
short_description: Wait until an Auto Scaling group scales out to N healthy instances or back in to N, showing progress
version_added: 1.0.0
description:
  - Waits until the group has O(target_count) instances InService, healthy to Auto Scaling and healthy
    in every attached target group (O(direction=out)), or until it is back down to O(target_count)
    instances (O(direction=in)), with a timeout.
  - Prints a progress line on the controller whenever the picture changes (instances ready, desired,
    max, and each instance not ready with its state), so a wait of minutes is not a silent terminal.
    It runs as an action plugin for that reason, since a module cannot print while it runs.
  - It reads AWS itself on the controller, with boto3 clients made as a module's would be (the same
    AWS options, from the task or module_defaults, and the same AWS_* environment variables; the
    collection's retry policy), so boto3 must be installed on the controller. A poll is one
    DescribeAutoScalingGroups call, plus one DescribeTargetHealth per attached target group while an
    InService instance is not yet known healthy; no module process is started per poll.
  - With O(load), starts the CPU load (as M(scaleout.webtier.cpu_load) does, from the controller) on
    every instance that joins while it waits, so new capacity is loaded like the old.
  - When the wait ends it reads the group's whole scaling state once (as
    M(scaleout.webtier.scaling_status_info) does) and the group's C(GroupInServiceInstances) and
    C(GroupDesiredCapacity) metrics.
  - Returns a timeline of every alarm transition, capacity change and scaling activity with AWS's
    timestamps and causes, the time from the load's start to each new instance and to N, taken from
    the scaling activities' start and end times, not from the polls. On timeout
    it fails with a diagnosis - failed activities and their status messages (for example an instance
    type not offered in a zone, or insufficient capacity), the alarm state, CPU against the target,
    instances stuck unhealthy in the target group, a max size below N.
  - Polling is bounded (one read of the group per O(poll_interval)).
  - Formerly C(scaleout.webtier.scale_out_wait), a name that still works (it redirects here).
author: scaleout.webtier maintainers (@scaleout)
options:
  target_count:
    description: How many instances to wait for. Default the group's max size (O(direction=out)) or min size (O(direction=in)).
    type: int
  direction:
    description: C(out) waits for at least O(target_count) ready instances; C(in) for at most O(target_count) instances.
    type: str
    choices: [out, in]
    default: out
  baseline_instance_ids:
    description: Instances the group had when the load started; the others count as new. Default those of the first read.
    type: list
    elements: str
  load:
    description:
      - Load instances that join during the wait. Keys C(run_id) (required), C(duration), C(burners) and
        C(skip_instance_ids) (instances already loaded), as for M(scaleout.webtier.cpu_load).
      - An instance is loaded once it is an Online managed node (it registers with Systems Manager some
        time after it is ready); until then each poll tries again. Key C(registration_timeout), default
        600, is the number of seconds after an instance was seen ready, in AWS API time, after which a warning names
        it and the likely causes.
    type: dict
extends_documentation_fragment:
  - scaleout.webtier._wait
  - scaleout.webtier._wait.group
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Wait for the group to reach its max size under load
  scaleout.webtier.group_capacity_wait:
    name: demo-asg
    since: "{{ load.load_start }}"
    timeout: 1200
    load:
      run_id: "{{ load.run_id }}"
      duration: 900
      skip_instance_ids: "{{ load.instance_ids }}"
  register: scale_out

- name: Wait for the group to scale back in to its min size
  scaleout.webtier.group_capacity_wait:
    name: demo-asg
    since: "{{ load.load_start }}"
    direction: in
    timeout: 900
"""

RETURN = r"""
reached:
  description: Whether the group reached the target.
  returned: always
  type: bool
target_count:
  description: The instance count waited for.
  returned: always
  type: int
time_to_target_s:
  description:
    - Seconds from the load's start to the target by AWS's scaling activities - the end of the launch
      activity of the O(target_count)-th instance in service (O(direction=out)), or of the termination
      that brought the group down to O(target_count) (O(direction=in)) - or null.
  returned: always
  type: float
seen_reached_after_s:
  description:
    - Seconds from the load's start to the AWS answer of the poll that first saw the target reached
      (for O(direction=out), also healthy in the target groups), or null. At most about one
      O(poll_interval) after the target was reached, plus the target groups' health checks.
  returned: always
  type: float
capacity_metrics:
  description: The group's CloudWatch metrics since O(since), one point a minute, oldest first.
  returned: always
  type: dict
  contains:
    in_service:
      description: C(GroupInServiceInstances) datapoints (time, value).
      type: list
      elements: dict
    desired:
      description: C(GroupDesiredCapacity) datapoints (time, value).
      type: list
      elements: dict
timeline:
  description: Events since the load started (time, kind, what, detail, since_load_s), in order.
  returned: always
  type: list
  elements: dict
new_instances:
  description:
    - For each instance launched after the load started, seconds from the load's start to its launch
      (C(launched_after_s), the launch activity's start), to InService (C(in_service_after_s), the launch
      activity's end), to healthy in the target groups (C(healthy_after_s), the time of the first AWS
      answer that showed it - AWS keeps no timestamp of a target-health change) and to loaded
      (C(loaded_after_s)).
  returned: always
  type: list
  elements: dict
diagnosis:
  description: Why the target was not reached, most telling first.
  returned: on timeout
  type: list
  elements: str
loaded_instances:
  description: Instances loaded during the wait (and those given as already loaded).
  returned: always
  type: list
  elements: str
registered:
  description: Instances loaded during the wait, each with the AWS API's time at which it was seen Online and loaded.
  returned: always
  type: dict
unregistered:
  description: Ready instances not loaded at the last poll because they were not Online managed nodes, with their PingStatus.
  returned: always
  type: dict
load_commands:
  description: Run Commands sent to instances that joined.
  returned: always
  type: list
  elements: dict
snapshot:
  description: The read of the group's whole scaling state when the wait ended (see M(scaleout.webtier.scaling_status_info)).
  returned: always
  type: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.scaleout.webtier.plugins.module_utils._scale_test import GROUP_CAPACITY_WAIT_ARGUMENT_SPEC


def main():
    # The work is done by the action plugin of the same name, on the controller.
    module = AnsibleAWSModule(argument_spec=GROUP_CAPACITY_WAIT_ARGUMENT_SPEC, supports_check_mode=True)
    module.fail_json(msg="scaleout.webtier.group_capacity_wait runs as an action plugin on the controller; it cannot run as a module")


if __name__ == "__main__":
    main()
