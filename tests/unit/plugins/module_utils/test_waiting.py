"""The pace of the wait loops (on a fake clock) and the verdicts that end a wait."""

import pytest
from fake_clock import FakeClock

from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import (
    DONE,
    FAILED,
    MISSING,
    TIMED_OUT,
    WAITING,
    Poller,
    check_wait_request,
    group_states,
    group_verdict,
    is_throttling,
    timing_problem,
    wait_until,
    wait_verdict,
)


class Error(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.response = {"Error": {"Code": code}}


def run_wait(ready_at, interval, timeout, throttled_until=0.0):
    """wait_until on a resource that becomes ready at ``ready_at`` seconds, its reads throttled until
    ``throttled_until``; return (poller, detected_at or None)."""
    clock = FakeClock(1000.0)
    poller = Poller(timeout, interval, clock=clock, sleep=clock.sleep)
    start = clock.now

    def read():
        elapsed = clock.now - start
        if elapsed < throttled_until:
            raise Error("Throttling")
        return elapsed

    outcome, detected, _detail = wait_until(read, lambda elapsed: (DONE if elapsed >= ready_at else WAITING, ""), poller)
    return poller, (detected if outcome == DONE else None)


@pytest.mark.parametrize("interval", [1, 5, 15])
@pytest.mark.parametrize("ready_at", [0.0, 0.5, 7.3, 59.9, 61.0])
def test_a_change_is_seen_within_one_interval(interval, ready_at):
    poller, detected = run_wait(ready_at, interval, timeout=600)
    assert detected is not None
    assert ready_at <= detected <= ready_at + interval


@pytest.mark.parametrize("interval", [1, 2, 10, 15, 30])
def test_polls_per_minute_are_bounded_by_the_interval(interval):
    poller, detected = run_wait(ready_at=10_000, interval=interval, timeout=600)
    assert detected is None
    # 600 s at one poll per interval, plus the poll at the start.
    assert poller.polls <= 600 / interval + 1
    assert poller.polls >= 600 / interval  # it does poll until the deadline
    per_minute = poller.polls / 10
    assert per_minute <= 60 / interval + 0.1


def test_never_sleeps_past_the_deadline_and_polls_once_at_it():
    clock = FakeClock(1000.0)
    poller = Poller(25, 10, clock=clock, sleep=clock.sleep)
    while not poller.expired:
        poller.polled()
        poller.pause()
    assert clock.sleeps == [10, 10, 5]
    assert clock.now - 1000.0 == 25


def test_throttling_stretches_the_pause_then_a_good_poll_restores_it():
    clock = FakeClock(1000.0)
    poller = Poller(3600, 5, clock=clock, sleep=clock.sleep)
    for _attempt in range(6):
        poller.polled(throttled=True)
        poller.pause()
    assert clock.sleeps == [10, 20, 40, 60, 60, 60]  # doubles, capped at a minute
    poller.polled()
    poller.pause()
    assert clock.sleeps[-1] == 5
    assert poller.throttled == 6 and poller.polls == 7


def test_throttled_polls_make_fewer_calls_than_untroubled_ones():
    calm = run_wait(ready_at=10_000, interval=2, timeout=300)[0]
    stormy = run_wait(ready_at=10_000, interval=2, timeout=300, throttled_until=10_000)[0]
    assert stormy.polls < calm.polls / 4
    assert stormy.throttled == stormy.polls and calm.throttled == 0


def test_a_wait_recovers_from_throttling_and_sees_the_change():
    poller, detected = run_wait(ready_at=5, interval=5, timeout=600, throttled_until=30)
    # Throttled at 0 s (next poll 10 s later) and 10 s (20 s later); the poll at 30 s sees it.
    assert detected == 30
    assert poller.throttled == 2 and poller.polls == 3


def test_wait_until_ends_at_once_on_failure_and_reports_the_detail():
    clock = FakeClock(1000.0)
    poller = Poller(600, 10, clock=clock, sleep=clock.sleep)
    reads = iter([1, 2, 3])
    outcome, observed, detail = wait_until(lambda: next(reads), lambda n: (FAILED, "gone") if n == 2 else (WAITING, "n=%d" % n), poller)
    assert (outcome, observed, detail) == (FAILED, 2, "gone")
    assert poller.polls == 2 and clock.sleeps == [10]


def test_wait_until_times_out_with_the_last_observation():
    clock = FakeClock(1000.0)
    poller = Poller(30, 10, clock=clock, sleep=clock.sleep)
    outcome, observed, detail = wait_until(lambda: clock.now, lambda now: (WAITING, "still %d" % now), poller)
    assert outcome == TIMED_OUT
    assert observed == 1030.0 and detail == "still 1030"
    assert poller.polls == 4


def test_wait_until_lets_other_errors_through():
    poller = Poller(30, 10, clock=FakeClock(1000.0), sleep=lambda s: None)

    def read():
        raise Error("AccessDenied")
    with pytest.raises(Error):
        wait_until(read, lambda o: (DONE, ""), poller)
    assert poller.polls == 0


@pytest.mark.parametrize("timeout, interval, min_timeout, problem", [
    (600, 15, 0, None),
    (0, 1, 0, None),
    (-1, 15, 0, "timeout=-1: must not be negative"),
    (600, 0, 0, "poll_interval=0: must be at least 1 second(s)"),
    (0, 15, 1, "timeout=0: must be at least 1 second(s)"),
])
def test_one_check_of_timeout_and_interval(timeout, interval, min_timeout, problem):
    assert timing_problem(timeout, interval, min_timeout) == problem


@pytest.mark.parametrize("timeout, interval", [(-1, 5), (60, 0), (60, 0.5)])
def test_bad_pace_is_refused(timeout, interval):
    with pytest.raises(ValueError):
        Poller(timeout, interval)


@pytest.mark.parametrize("code", ["Throttling", "RequestLimitExceeded", "ThrottlingException", "TooManyRequestsException"])
def test_throttling_codes_are_recognised(code):
    assert is_throttling(Error(code))


@pytest.mark.parametrize("error", [Error("AccessDenied"), Error("InvalidAMIID.NotFound"), ValueError("x")])
def test_other_errors_are_not_throttling(error):
    assert not is_throttling(error)


def test_wait_requests_are_checked():
    assert check_wait_request("image", "available") is None
    assert check_wait_request("load_balancer", "active") is None
    assert check_wait_request("group", "healthy") is None
    assert "choose from" in check_wait_request("image", "active")
    assert "cannot wait" in check_wait_request("bucket", "available")


def test_image_verdicts():
    assert wait_verdict("image", "available", {"ami-1": ("available", "")})[0] == "done"
    verdict, detail = wait_verdict("image", "available", {"ami-1": ("available", ""), "ami-2": ("pending", "")})
    assert verdict == "waiting" and "ami-2 is pending" in detail
    verdict, detail = wait_verdict("image", "available", {"ami-1": ("failed", "Client.InternalError")})
    assert verdict == "failed" and "Client.InternalError" in detail
    assert wait_verdict("image", "available", {"ami-1": (MISSING, "")})[0] == "failed"
    # Right after a create, EC2 may not find it yet: pending while the caller says so.
    outcome, detail = wait_verdict("image", "available", {"ami-1": (MISSING, "")}, missing_is_pending=True)
    assert outcome == "waiting" and "ami-1 not found yet" in detail


def test_load_balancer_verdicts():
    assert wait_verdict("load_balancer", "active", {"arn": ("provisioning", "")})[0] == "waiting"
    assert wait_verdict("load_balancer", "active", {"arn": ("active", "")})[0] == "done"
    assert wait_verdict("load_balancer", "active", {"arn": ("failed", "no capacity")})[0] == "failed"


def test_instance_verdicts():
    assert wait_verdict("instance", "terminated", {"i-1": ("shutting-down", ""), "i-2": (MISSING, "")})[0] == "waiting"
    assert wait_verdict("instance", "terminated", {"i-1": ("terminated", ""), "i-2": (MISSING, "")})[0] == "done"
    verdict, detail = wait_verdict("instance", "running", {"i-1": ("terminated", "Server.InternalError")})
    assert verdict == "failed" and "Server.InternalError" in detail
    assert wait_verdict("instance", "running", {"i-1": ("pending", "")})[0] == "waiting"
    assert wait_verdict("instance", "stopped", {"i-1": ("stopping", "")})[0] == "waiting"


def instance(instance_id, lifecycle="InService", health="Healthy"):
    return {"InstanceId": instance_id, "LifecycleState": lifecycle, "HealthStatus": health}


def test_group_is_healthy_when_the_desired_capacity_serves():
    group = {"DesiredCapacity": 2, "Instances": [instance("i-1"), instance("i-2")]}
    health = {"tg": {"i-1": "healthy", "i-2": "healthy"}}
    assert group_verdict(group, health)[0] == "done"


def test_group_waits_for_target_health_and_lifecycle():
    group = {"DesiredCapacity": 2, "Instances": [instance("i-1"), instance("i-2", "Pending", "Healthy")]}
    health = {"tg": {"i-1": "initial"}}
    verdict, detail = group_verdict(group, health)
    assert verdict == "waiting"
    assert "0 of 2" in detail and "i-1 is target initial" in detail and "i-2 is Pending" in detail
    assert group_states(group, health)["i-2"] == ("Pending", "Healthy")


def test_group_without_target_groups_needs_only_auto_scaling_health():
    group = {"DesiredCapacity": 1, "Instances": [instance("i-1")]}
    assert group_verdict(group, {})[0] == "done"
    assert group_verdict({"DesiredCapacity": 0, "Instances": []}, {})[0] == "done"
