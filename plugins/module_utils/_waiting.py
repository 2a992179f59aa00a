# -*- coding: utf-8 -*-
# Copyright: scaleout.webtier contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private: the one wait loop of the collection, its pace, and the states that end a wait (pure).

``wait_until(read, verdict, poller)`` is every wait: one poll per interval, never past the
deadline, and slower while AWS throttles: a wait makes at most ``calls_per_poll * 60 / interval``
calls a minute, and sees a change at most one interval after it happens. Clock and sleep are
injected so that tests run on a fake clock.
"""

import time

# Error codes by which AWS says "slow down" (EC2, the query APIs, the JSON APIs).
THROTTLING_CODES = frozenset((
    "Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded",
    "TooManyRequestsException", "RequestThrottled", "RequestThrottledException", "SlowDown",
    "PriorRequestNotComplete",
))

MIN_INTERVAL = 1.0
MAX_INTERVAL = 60.0

# The options every wait module shares, as documented by the scaleout.webtier._wait doc fragment.
WAIT_OPTIONS = dict(
    timeout=dict(type="int", default=600),
    poll_interval=dict(type="int", default=15),
)


def is_throttling(error):
    """Whether a botocore ClientError (or anything with a ``response``) is AWS asking to slow down."""
    response = getattr(error, "response", None) or {}
    return response.get("Error", {}).get("Code") in THROTTLING_CODES


class Poller:
    """Paces one wait: ``while True: ... if poller.expired: fail ... poller.pause()``."""

    def __init__(self, timeout, interval, clock=time.monotonic, sleep=time.sleep, backoff=2.0, max_interval=MAX_INTERVAL):
        if timeout < 0:
            raise ValueError("timeout must not be negative (got %r)" % (timeout,))
        if interval < MIN_INTERVAL:
            raise ValueError("poll interval must be at least %g s (got %r)" % (MIN_INTERVAL, interval))
        self.timeout = float(timeout)
        self.interval = float(interval)
        self.current_interval = self.interval
        self.max_interval = max(float(max_interval), self.interval)
        self.backoff = backoff
        self._clock = clock
        self._sleep = sleep
        self._started = clock()
        self.polls = 0
        self.throttled = 0

    @property
    def elapsed(self):
        return round(self._clock() - self._started, 1)

    @property
    def remaining(self):
        return max(0.0, self.timeout - (self._clock() - self._started))

    @property
    def expired(self):
        return self.remaining <= 0

    def polled(self, throttled=False):
        """Record one poll; a throttled one stretches the next pause (up to max_interval), a good one restores it."""
        self.polls += 1
        if throttled:
            self.throttled += 1
            self.current_interval = min(self.current_interval * self.backoff, self.max_interval)
        else:
            self.current_interval = self.interval

    def pause(self):
        """Sleep until the next poll, but never past the deadline (one last poll happens at it)."""
        self._sleep(max(0.0, min(self.current_interval, self.remaining)))

    def summary(self):
        return {"elapsed": self.elapsed, "polls": self.polls, "throttled_polls": self.throttled}


def timing_problem(timeout, poll_interval, min_timeout=0):
    """The one check of a wait's timeout and poll interval: an error message, or None."""
    if timeout < min_timeout:
        return "timeout=%d: must be at least %d second(s)" % (timeout, min_timeout) if min_timeout else \
            "timeout=%d: must not be negative" % timeout
    if poll_interval < MIN_INTERVAL:
        return "poll_interval=%d: must be at least %g second(s)" % (poll_interval, MIN_INTERVAL)
    return None


DONE, FAILED, WAITING, TIMED_OUT = "done", "failed", "waiting", "timed out"


def wait_until(read, verdict, poller):
    """Poll ``read()`` until ``verdict(observed)`` says done or failed, or the poller's deadline passes.

    ``verdict`` returns ``(DONE | FAILED | WAITING, detail)``. A ``read()`` that AWS throttles (even
    after the client's own retries) counts as a throttled poll, which stretches the next pause; any
    other error propagates. Returns ``(DONE | FAILED | TIMED_OUT, last observation, detail)``; the
    poller holds the counts and the elapsed time.
    """
    observed, detail = None, "not polled yet"
    while True:
        try:
            current = read()
        except Exception as e:  # pylint: disable=broad-exception-caught
            if not is_throttling(e):
                raise
            poller.polled(throttled=True)
        else:
            observed = current
            poller.polled()
            outcome, detail = verdict(observed)
            if outcome in (DONE, FAILED):
                return outcome, observed, detail
        if poller.expired:
            return TIMED_OUT, observed, detail
        poller.pause()


def call_until_found(call, not_found_codes, timeout, interval):
    """``call()``, repeated through ``wait_until`` while AWS answers one of ``not_found_codes``
    about something just created (its eventual consistency: EC2's new ids, IAM's new entities).
    True once the call succeeds, False when ``timeout`` seconds pass first; other errors propagate."""
    def attempt():
        try:
            call()
        except Exception as e:  # pylint: disable=broad-exception-caught
            if (getattr(e, "response", None) or {}).get("Error", {}).get("Code") not in not_found_codes:
                raise
            return False
        return True

    outcome, _done, _detail = wait_until(attempt, lambda done: (DONE, "done") if done else (WAITING, "not found yet"),
                                         Poller(timeout, interval))
    return outcome == DONE


# What each resource kind may be waited for, and which states end a wait in failure (AWS's own
# state names: DescribeImages, DescribeLoadBalancers, DescribeInstances).
WAITABLE = {
    "image": {"targets": ("available",), "failed": ("failed", "error", "invalid", "deregistered", "disabled")},
    "load_balancer": {"targets": ("active",), "failed": ("failed",)},
    # An Auto Scaling group: its desired capacity InService, Healthy, and healthy in its target groups.
    "group": {"targets": ("healthy",), "failed": ()},
    # Security groups: no network interface left in them (a deleted load balancer's linger for
    # minutes, and AWS refuses to delete a group while one does).
    "security_group": {"targets": ("unused",), "failed": ()},
    "instance": {
        "targets": ("running", "stopped", "terminated"),
        # Waiting for running: these never come back; waiting for terminated: nothing fails.
        "failed": ("shutting-down", "terminated", "stopping", "stopped"),
    },
}

# What a resource that no longer exists counts as: a terminated instance vanishes from the API.
MISSING = "missing"

# The EC2 API is eventually consistent: for a while after a create, a describe may not find the
# resource (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html). A wait
# counts "not found" as "not yet" this long after it starts (seconds); terraform-provider-aws
# allows two minutes for the same (its EC2 propagation timeout).
NOT_FOUND_GRACE_S = 120


def check_wait_request(kind, target):
    """An error message for a kind/target pair that cannot be waited for, else None."""
    if kind not in WAITABLE:
        return "cannot wait for %r; choose from %s" % (kind, ", ".join(sorted(WAITABLE)))
    if target not in WAITABLE[kind]["targets"]:
        return "a %s cannot be waited for to become %r; choose from %s" % (kind, target, ", ".join(WAITABLE[kind]["targets"]))
    return None


def wait_verdict(kind, target, states, missing_is_pending=False):
    """("done" | "failed" | "waiting", detail) for the observed ``{id: (state, reason)}``.

    Done when every resource is in the target state; failed as soon as one reaches a state it
    cannot leave towards the target; a missing resource is done only when waiting for termination,
    else pending while ``missing_is_pending`` (created moments ago: EC2 is eventually consistent),
    else failed.
    """
    failing = [s for s in WAITABLE[kind]["failed"] if s != target]
    if kind == "instance" and target == "stopped":
        failing = ["shutting-down", "terminated"]
    if kind == "instance" and target == "terminated":
        failing = []
    pending = []
    for resource_id in sorted(states):
        state, reason = states[resource_id]
        if state == MISSING:
            if kind == "instance" and target == "terminated":
                continue
            if missing_is_pending:
                pending.append("%s not found yet (describes see a new resource a while after its create)" % resource_id)
                continue
            return "failed", "%s does not exist" % resource_id
        if state in failing:
            return "failed", "%s is %s%s" % (resource_id, state, " (%s)" % reason if reason else "")
        if state != target:
            pending.append("%s is %s" % (resource_id, state))
    if pending:
        return "waiting", ", ".join(pending)
    return "done", "all %d %s(s) %s" % (len(states), kind, target)


def group_states(group, target_health):
    """``{instance_id: (state, reason)}`` for an Auto Scaling group's instances, for a ``healthy`` wait.

    ``group`` is a DescribeAutoScalingGroups entry; ``target_health`` maps target group ARN to
    ``{instance_id: TargetHealth.State}``. An instance counts as healthy when Auto Scaling has it
    InService and Healthy and every target group of the group reports it healthy.
    """
    states = {}
    for instance in group.get("Instances", []):
        instance_id = instance["InstanceId"]
        lifecycle = instance.get("LifecycleState", "")
        if lifecycle != "InService" or instance.get("HealthStatus") != "Healthy":
            states[instance_id] = (lifecycle or "unknown", instance.get("HealthStatus", ""))
            continue
        unhealthy = [health.get(instance_id, "unregistered") for arn, health in sorted(target_health.items())
                     if health.get(instance_id) != "healthy"]
        states[instance_id] = ("healthy", "") if not unhealthy else ("target " + unhealthy[0], "")
    return states


def group_verdict(group, target_health):
    """("done" | "waiting", detail): done when at least the desired capacity is healthy."""
    states = group_states(group, target_health)
    healthy = sorted(i for i, observed in states.items() if observed[0] == "healthy")
    desired = group.get("DesiredCapacity", 0)
    others = ", ".join("%s is %s" % (i, states[i][0]) for i in sorted(states) if states[i][0] != "healthy")
    detail = "%d of %d desired instance(s) healthy%s" % (len(healthy), desired, "; " + others if others else "")
    return ("done" if len(healthy) >= desired else "waiting"), detail


def interfaces_verdict(interfaces):
    """("done" | "waiting", detail) for ``{interface_id: (status, description)}`` still in the groups."""
    if not interfaces:
        return "done", "no network interface left in the group(s)"
    return "waiting", "%d network interface(s) still in the group(s): %s" % (
        len(interfaces), ", ".join("%s (%s%s)" % (i, interfaces[i][0], ", " + interfaces[i][1] if interfaces[i][1] else "")
                                   for i in sorted(interfaces)))
