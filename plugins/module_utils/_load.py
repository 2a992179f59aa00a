# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The scale test's CPU load, as pure functions: the script each instance runs, and its bounds."""

MAX_DURATION = 6 * 3600
COMMENT_PREFIX = "scaleout-load "
# Run Command statuses meaning the command is still working, or ended (SendCommand API reference).
ACTIVE_STATUSES = ("Pending", "InProgress", "Delayed")
ENDED_BADLY = ("Failed", "Cancelled", "TimedOut", "Undeliverable", "Terminated", "DeliveryTimedOut", "ExecutionTimedOut", "Cancelling")


def load_script(burners, duration, run_id):
    """Shell lines that keep `burners` CPUs busy for `duration` seconds, then end by themselves.

    The burner is the walkthrough's `sha256sum /dev/zero`, one per vCPU so that the instance reaches
    100 % (one burner is only 50 % on a 2-vCPU t3.micro), each bounded by `timeout`: the load stops
    even if the controller dies. `wait` keeps the command running while the load runs, so that
    cancelling the command ends the load; the script then reports success.
    """
    if not 1 <= int(duration) <= MAX_DURATION:
        raise ValueError("duration must be between 1 and %d seconds, got %r" % (MAX_DURATION, duration))
    if not 1 <= int(burners) <= 192:
        raise ValueError("burners must be between 1 and 192, got %r" % (burners,))
    lines = ["# scaleout.webtier scale test %s: %d CPU burner(s) for %ds" % (run_id, int(burners), int(duration))]
    lines += ["timeout %d sha256sum /dev/zero &" % int(duration)] * int(burners)
    lines += ["wait", "exit 0"]
    return lines


def load_comment(run_id):
    """The Run Command comment that marks this test's commands (at most 100 characters)."""
    return (COMMENT_PREFIX + run_id)[:100]


def execution_timeout(duration):
    """Run Command's own bound on the script, a little above the load's: a second guard."""
    return int(duration) + 120


def chunks(items, size=50):
    """SendCommand takes at most 50 instance ids."""
    items = list(items)
    return [items[i:i + size] for i in range(0, len(items), size)]
