# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The scale test's CPU load, as pure functions: the script each instance runs, its bounds, and
whether it really stopped."""

from ansible_collections.scaleout.webtier.plugins.module_utils._time import parse_time

MAX_DURATION = 6 * 3600
COMMENT_PREFIX = "scaleout-load "
# Run Command statuses meaning the command is still working, or ended (SendCommand API reference).
ACTIVE_STATUSES = ("Pending", "InProgress", "Delayed")
ENDED_BADLY = ("Failed", "Cancelled", "TimedOut", "Undeliverable", "Terminated", "DeliveryTimedOut", "ExecutionTimedOut", "Cancelling")


def load_script(burners, duration, run_id):
    """Shell lines that keep `burners` CPUs busy for `duration` seconds, then end by themselves.

    The burner is the walkthrough's `sha256sum /dev/zero`, one per vCPU so that the instance reaches
    100 % (one burner is only 50 % on a 2-vCPU t3.micro), each bounded by `timeout`: the load stops
    even if the controller dies. `wait` keeps the command running while the load runs; the script
    then reports success.

    `timeout --foreground`: on CancelCommand and on its execution timeout the SSM agent kills the
    script's process group (amazon-ssm-agent, agent/executers/executers_unix.go), and GNU `timeout`
    without `--foreground` puts itself and its command in a process group of their own, where that
    kill does not reach them. In the foreground the burners stay in the script's group and die
    with it.
    """
    if not 1 <= int(duration) <= MAX_DURATION:
        raise ValueError("duration must be between 1 and %d seconds, got %r" % (MAX_DURATION, duration))
    if not 1 <= int(burners) <= 192:
        raise ValueError("burners must be between 1 and 192, got %r" % (burners,))
    lines = ["# scaleout.webtier scale test %s: %d CPU burner(s) for %ds" % (run_id, int(burners), int(duration))]
    lines += ["timeout --foreground %d sha256sum /dev/zero &" % int(duration)] * int(burners)
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


def burner_free_ceiling(vcpus):
    """CPU percent below which no burner runs: one burner keeps 100 / vCPUs percent busy; half of that."""
    return 50.0 / max(1, int(vcpus))


# The CPU must fall within this many seconds of API time after the cancel: a burner that stops
# later by its own bound outlived the cancel. CloudWatch posts EC2 datapoints a few minutes after
# their period; the verdict waits that long past the window before it calls the stop failed.
STOP_WINDOW = 300
METRIC_LATENCY = 300


def stop_verdict(stopped_at, cpu_after, vcpus, gone=(), window=STOP_WINDOW):
    """Whether the load stopped on every instance, from CPUUtilization datapoints read after the stop.

    ``cpu_after``: {instance_id: [{"time": period start (ISO), "value": percent}]}; ``vcpus``:
    {instance_id: vCPUs}; ``gone``: instances no longer running (their load ended with them).
    A datapoint counts when its period starts at ``stopped_at`` or later and less than ``window``
    seconds after it. Returns ``(fell, lagging)``: {instance_id: the first such datapoint below
    burner_free_ceiling}, {instance_id: the latest such datapoint (or None)} for the others.
    """
    stop = parse_time(stopped_at)
    fell, lagging = {}, {}
    for instance_id in sorted(cpu_after):
        if instance_id in gone:
            continue
        after = [p for p in cpu_after[instance_id] if 0 <= (parse_time(p["time"]) - stop).total_seconds() < window]
        ceiling = burner_free_ceiling(vcpus.get(instance_id, 1))
        below = [p for p in after if p["value"] < ceiling]
        if below:
            fell[instance_id] = below[0]
        else:
            lagging[instance_id] = after[-1] if after else None
    return fell, lagging


def stop_settled(stopped_at, now, window=STOP_WINDOW, latency=METRIC_LATENCY):
    """Whether every datapoint of the window after the stop should be in CloudWatch by ``now`` (API time)."""
    return now is not None and (parse_time(now) - parse_time(stopped_at)).total_seconds() >= window + latency


def stop_failure(lagging, stopped_at, vcpus, window=STOP_WINDOW):
    """Why the stop is not proven, naming each instance, in CloudWatch's and Run Command's words."""
    parts = []
    for instance_id in sorted(lagging):
        point = lagging[instance_id]
        one = 100.0 / max(1, int(vcpus.get(instance_id, 1)))
        if point is None:
            parts.append("%s (no CPUUtilization datapoint since the stop: is detailed monitoring on?)" % instance_id)
        else:
            parts.append("%s (CPUUtilization %.1f %% at %s; one burner is %.0f %%)" % (instance_id, point["value"], point["time"], one))
    return ("the load did not stop in the %ds after CancelCommand at %s on %s: a burner outlived the cancel. The SSM agent "
            "kills only the command's process group; a process that left it (GNU timeout without --foreground, setsid) "
            "keeps running until its own bound" % (window, stopped_at, ", ".join(parts)))


# What a managed node needs, from "Troubleshooting managed node availability" (Systems Manager User Guide).
REGISTRATION_CAUSES = ("no route from the instance to the Systems Manager endpoints (ssm, ssmmessages, ec2messages: "
                       "a public IP, a NAT gateway or VPC interface endpoints), no instance profile whose role allows "
                       "Systems Manager (AmazonSSMManagedInstanceCore), or no SSM Agent running on the image")


def not_online(instance_ids, ping_statuses):
    """The instances that are not Online managed nodes, each with what Systems Manager says of it."""
    return dict((i, ping_statuses.get(i) or "not registered") for i in instance_ids if ping_statuses.get(i) != "Online")


def registration_overdue(unregistered, ready_seen, now, timeout):
    """Those of the unregistered instances seen ready more than ``timeout`` seconds ago (API time)."""
    late = {}
    for instance_id, status in unregistered.items():
        seen = ready_seen.get(instance_id)
        if seen and now and (parse_time(now) - parse_time(seen)).total_seconds() > timeout:
            late[instance_id] = status
    return late


def registration_failure(waiting, timeout):
    """Why instances could not be loaded: each named with its PingStatus, and the likely causes."""
    named = ", ".join("%s (%s)" % (i, waiting[i]) for i in sorted(waiting))
    return ("%s never became an Online managed node within %ds (DescribeInstanceInformation; SendCommand answers "
            "InvalidInstanceId until the SSM Agent registers). Likely causes: %s" % (named, timeout, REGISTRATION_CAUSES))
