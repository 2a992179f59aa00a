#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: console_marker_wait
short_description: Wait for a marker line in an EC2 instance's console output
version_added: 1.0.0
description:
  - Polls C(GetConsoleOutput) until a line contains O(success_marker) (success) or one of O(failure_markers)
    (fails at once), the instance stops running (fails), or O(timeout) expires (fails).
  - Needs no inbound access to the instance, so a provisioning script can report completion through
    the console (cloud-init copies user-data output there) while the instance accepts no connection.
  - Every failure shows the tail of the console output, so the cause can be read in the error.
author: scaleout.webtier maintainers (@scaleout)
options:
  instance_id:
    description: The instance to watch.
    type: str
    required: true
  success_marker:
    description: Text whose presence on a console line means provisioning finished.
    type: str
    required: true
  failure_markers:
    description:
      - Texts whose presence on a console line means provisioning failed (the first found fails the wait).
      - For example the script's own failure line, and cloud-init's C(Failed to run module scripts-user),
        which it prints when a user-data script exits non-zero.
    type: list
    elements: str
    default: []
  timeout:
    description: Seconds to wait before failing.
    type: int
    default: 900
  poll_interval:
    description: Seconds between reads of the console output (AWS refreshes it every few seconds at best).
    type: int
    default: 10
  tail_lines:
    description: Console lines shown in the result and in failure messages.
    type: int
    default: 25
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Wait until the user data printed its completion marker
  scaleout.webtier.console_marker_wait:
    instance_id: "{{ instance.instance_ids[0] }}"
    success_marker: "provisioning-complete 3f2a"
    failure_markers:
      - "provisioning-failed 3f2a"
      - Failed to run module scripts-user
    timeout: 900
"""

RETURN = r"""
marker_line:
  description: The console line that carried the success marker.
  returned: success
  type: str
  sample: "scaleout-bake-complete 3f2a9c0d1e2b4a5f"
elapsed:
  description: Seconds waited.
  returned: always
  type: float
console_tail:
  description: The last lines of the console output at the end of the wait.
  returned: always
  type: str
polls:
  description: How many times the console output was read.
  returned: always
  type: int
"""


try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.scaleout.webtier.plugins.module_utils._bake import console_tail
from ansible_collections.scaleout.webtier.plugins.module_utils._bake import console_verdict
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import Poller


def read_console(module, ec2, instance_id, latest):
    """Console text, and whether to keep asking for the latest output (only Nitro instances offer it)."""
    try:
        result = ec2.get_console_output(aws_retry=True, InstanceId=instance_id, Latest=latest)
    except is_boto3_error_code("UnsupportedOperation"):
        return read_console(module, ec2, instance_id, False)[0] if latest else "", False
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="Unable to read the console output of %s" % instance_id)
    # AWS sends the output base64-encoded; botocore decodes it (its GetConsoleOutput handler).
    return result.get("Output") or "", latest


def instance_state(module, ec2, instance_id):
    try:
        reservations = ec2.describe_instances(aws_retry=True, InstanceIds=[instance_id])["Reservations"]
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg="Unable to describe instance %s" % instance_id)
    for reservation in reservations:
        for instance in reservation["Instances"]:
            return instance["State"]["Name"], instance.get("StateReason", {}).get("Message", "")
    return "missing", "the instance does not exist"


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            instance_id=dict(type="str", required=True),
            success_marker=dict(type="str", required=True),
            failure_markers=dict(type="list", elements="str", default=[]),
            timeout=dict(type="int", default=900),
            poll_interval=dict(type="int", default=10),
            tail_lines=dict(type="int", default=25),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if module.check_mode:
        module.exit_json(changed=False, elapsed=0.0, console_tail="", polls=0, msg="check mode: the console was not read")
    if params["poll_interval"] < 1 or params["timeout"] < 0:
        module.fail_json(msg="poll_interval must be at least 1 second and timeout not negative")
    ec2 = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())
    poller = Poller(params["timeout"], params["poll_interval"])
    latest, text = True, ""
    while True:
        text, latest = read_console(module, ec2, params["instance_id"], latest)
        poller.polled()
        polls = poller.polls
        verdict, line = console_verdict(text, params["success_marker"], params["failure_markers"])
        elapsed = poller.elapsed
        tail = console_tail(text, params["tail_lines"])
        if verdict == "done":
            module.exit_json(changed=False, marker_line=line, elapsed=elapsed, console_tail=tail, polls=polls)
        if verdict == "failed":
            module.fail_json(
                msg="provisioning on %s reported failure: %s\nconsole output (last lines):\n%s" % (params["instance_id"], line, tail),
                elapsed=elapsed, console_tail=tail, polls=polls,
            )
        state, reason = instance_state(module, ec2, params["instance_id"])
        if state not in ("pending", "running"):
            module.fail_json(
                msg="%s is %s (%s) before provisioning finished\nconsole output (last lines):\n%s"
                % (params["instance_id"], state, reason or "no reason given", tail),
                elapsed=elapsed, console_tail=tail, polls=polls,
            )
        if poller.expired:
            module.fail_json(
                msg="no line with %r in the console output of %s within %ds (the instance is %s); console output (last lines):\n%s"
                % (params["success_marker"], params["instance_id"], params["timeout"], state, tail),
                elapsed=elapsed, console_tail=tail, polls=polls,
            )
        poller.pause()


if __name__ == "__main__":
    main()
