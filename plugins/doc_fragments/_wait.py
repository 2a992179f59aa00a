# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Private: the options every wait of the collection shares (they all poll through
# module_utils/_waiting.wait_until), and those of the waits on an Auto Scaling group under load.


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  timeout:
    description:
      - Seconds to wait before failing, naming what was last seen.
    type: int
    default: 600
  poll_interval:
    description:
      - Seconds between polls (at least 1). A wait makes at most 60 / O(poll_interval) polls a minute
        and sees a change at most one interval after it happens; while AWS throttles, the next polls
        come at twice the interval (up to a minute).
    type: int
    default: 15
notes:
  - Each AWS call is tried at most 11 times (botocore's standard retry mode with 10 retries, unless
    C(aws_config) says otherwise); a poll still throttled after that counts as a throttled poll and
    slows the wait down, and any other error fails it.
"""

    GROUP = r"""
options:
  name:
    description: The Auto Scaling group.
    type: str
    required: true
  since:
    description:
      - When the load started (ISO 8601, the AWS API's time, for example
        RV(scaleout.webtier.cpu_load#module:load_start)); evidence and timelines count from here.
    type: str
    required: true
"""
