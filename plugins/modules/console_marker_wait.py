#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

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
  - The wait may start right after the instance's launch. Until EC2 knows the new id (its eventual
    consistency, U(https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html)), its
    answer C(InvalidInstanceID.NotFound) counts as not yet, for the first two minutes of the wait.
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
  tail_lines:
    description: Console lines shown in the result and in failure messages.
    type: int
    default: 25
extends_documentation_fragment:
  - scaleout.webtier._wait
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

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import client
from ansible_collections.scaleout.webtier.plugins.module_utils._bake import console_tail
from ansible_collections.scaleout.webtier.plugins.module_utils._bake import console_verdict
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.instances import console_output
from ansible_collections.scaleout.webtier.plugins.module_utils._ec2.instances import instance_state
from ansible_collections.scaleout.webtier.plugins.module_utils._permissions import fail_aws
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import WAIT_OPTIONS
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import DONE
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import FAILED
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import NOT_FOUND_GRACE_S
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import WAITING
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import Poller
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import timing_problem
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import wait_until

RUNNING = ("pending", "running")
NOT_FOUND = "InvalidInstanceID.NotFound"


class ConsoleWatch:
    """One wait's reads and verdicts: the console first; the instance's state only while no marker shows.

    The wait may start right after RunInstances: until EC2 knows the new id (its eventual
    consistency), both reads answer InvalidInstanceID.NotFound, which counts as "not yet" for
    NOT_FOUND_GRACE_S from the wait's start."""

    def __init__(self, ec2, instance_id, success_marker, failure_markers, poller):
        self.ec2, self.instance_id, self.poller = ec2, instance_id, poller
        self.success_marker, self.failure_markers = success_marker, failure_markers
        self.latest = True  # ask for the latest output until the instance says it cannot give it
        self.state, self.reason, self.marker_failure = None, "", None

    def _not_found_yet(self, error):
        code = (getattr(error, "response", None) or {}).get("Error", {}).get("Code")
        return code == NOT_FOUND and self.poller.elapsed < NOT_FOUND_GRACE_S

    def read(self):
        try:
            text, self.latest = console_output(self.ec2, self.instance_id, self.latest)
        except botocore.exceptions.ClientError as e:
            if not self._not_found_yet(e):
                raise
            return None
        return text

    def verdict(self, text):
        if text is None:
            self.state = "not found yet"
            return WAITING, "%s not found yet (EC2 knows a new instance a while after its launch)" % self.instance_id
        found, line = console_verdict(text, self.success_marker, self.failure_markers)
        if found == DONE:
            return DONE, line
        if found == FAILED:
            self.marker_failure = line
            return FAILED, line
        try:
            self.state, self.reason = instance_state(self.ec2, self.instance_id)
        except botocore.exceptions.ClientError as e:
            if not self._not_found_yet(e):
                raise
            self.state = "not found yet"
            return WAITING, self.state
        if self.state not in RUNNING:
            return FAILED, "stopped"
        return WAITING, self.state


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            instance_id=dict(type="str", required=True),
            success_marker=dict(type="str", required=True),
            failure_markers=dict(type="list", elements="str", default=[]),
            **WAIT_OPTIONS,
            tail_lines=dict(type="int", default=25),
        ),
        supports_check_mode=True,
    )
    params = module.params
    instance_id = params["instance_id"]
    if module.check_mode:
        module.exit_json(changed=False, elapsed=0.0, console_tail="", polls=0, msg="check mode: the console was not read")
    problem = timing_problem(params["timeout"], params["poll_interval"])
    if problem:
        module.fail_json(msg=problem)
    poller = Poller(params["timeout"], params["poll_interval"])
    watch = ConsoleWatch(client(module, "ec2"), instance_id, params["success_marker"], params["failure_markers"], poller)
    try:
        outcome, text, line = wait_until(watch.read, watch.verdict, poller)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        fail_aws(module, e, "Unable to read the console output or the state of %s" % instance_id)
    tail = console_tail(text or "", params["tail_lines"])
    result = dict(elapsed=poller.elapsed, console_tail=tail, polls=poller.polls)
    if outcome == DONE:
        module.exit_json(changed=False, marker_line=line, **result)
    if outcome == FAILED and watch.marker_failure is not None:
        module.fail_json(msg="provisioning on %s reported failure: %s\nconsole output (last lines):\n%s" % (instance_id, line, tail), **result)
    if outcome == FAILED:
        module.fail_json(msg="%s is %s (%s) before provisioning finished\nconsole output (last lines):\n%s"
                         % (instance_id, watch.state, watch.reason or "no reason given", tail), **result)
    module.fail_json(
        msg="no line with %r in the console output of %s within %ds (the instance is %s); console output (last lines):\n%s"
        % (params["success_marker"], instance_id, params["timeout"], watch.state, tail), **result)


if __name__ == "__main__":
    main()
