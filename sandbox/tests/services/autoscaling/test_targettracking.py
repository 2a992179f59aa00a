"""The target-tracking decision logic, from AWS's documented behaviour (pure: no moto, no clock)."""

import math

import pytest

from scaleout_sandbox.services.autoscaling import targettracking as tt
from scaleout_sandbox.services.autoscaling.targettracking import ALARM, INSUFFICIENT_DATA, OK, GroupView


def view(desired, ready, warming=0, min_size=1, max_size=4):
    return GroupView(min_size=min_size, max_size=max_size, desired=desired, ready=ready, warming=warming)


def decide_high(group, metric, target=50.0):
    values = [metric] * 3
    return tt.decide(group, target, tt.evaluate_alarm(values, target, "GreaterThanThreshold", 3), OK, values, [metric] * 15)


def decide_low(group, values, target=50.0, **kw):
    low_state = tt.evaluate_alarm(values, target * 0.9, "LessThanThreshold", 15)
    return tt.decide(group, target, OK, low_state, values[-3:], values, **kw)


# ------------------------------------------------------------------ alarms


def test_alarm_thresholds_are_target_and_ninety_percent_of_it():
    assert tt.alarm_thresholds(50) == (50.0, 45.0)
    assert tt.alarm_thresholds(70) == (70.0, 63.0)


@pytest.mark.parametrize("values,expected", [
    ([60, 70, 80], ALARM),
    ([60, 50, 80], OK),  # 50 is not greater than 50
    ([None, None, None], INSUFFICIENT_DATA),
    ([None, 70, 80], INSUFFICIENT_DATA),  # two breaching, one unknown: cannot decide
    ([None, 10, 80], OK),  # one not breaching: 3 of 3 is impossible
])
def test_alarm_high_needs_three_of_three(values, expected):
    assert tt.evaluate_alarm(values, 50, "GreaterThanThreshold", 3) == expected


def test_alarm_low_needs_fifteen_of_fifteen():
    assert tt.evaluate_alarm([0.3] * 15, 45, "LessThanThreshold", 15) == ALARM
    assert tt.evaluate_alarm([0.3] * 14 + [46], 45, "LessThanThreshold", 15) == OK
    assert tt.evaluate_alarm([None] * 5 + [0.3] * 10, 45, "LessThanThreshold", 15) == INSUFFICIENT_DATA


def test_unknown_comparison_is_refused():
    with pytest.raises(ValueError):
        tt.evaluate_alarm([1], 1, "Sideways", 1)


# ------------------------------------------------------------------ warmup


def test_warmup_comes_from_policy_then_group_then_default_cooldown():
    assert tt.effective_warmup(120, 60, 300) == 120
    assert tt.effective_warmup(None, 60, 300) == 60
    assert tt.effective_warmup(None, 0, 300) == 0  # an explicit 0 is a value, not "unset"
    assert tt.effective_warmup(None, None, 200) == 200
    assert tt.effective_warmup(None, None, None) == 300


# ------------------------------------------------------------------ proportional steps and rounding


@pytest.mark.parametrize("ready,metric,needed", [
    (2, 100, 4), (2, 75, 3), (2, 76, 4), (3, 50, 3), (1, 100, 2), (4, 0.3, 1), (10, 75, 15), (2, 0, 0),
])
def test_needed_capacity_is_proportional_and_rounds_up(ready, metric, needed):
    assert tt.needed_capacity(ready, metric, 50) == needed


def test_scale_out_is_one_proportional_step():
    decision = decide_high(view(desired=2, ready=2), metric=100)
    assert (decision.desired, decision.direction, decision.alarm) == (4, "out", "high")


def test_scale_out_rounds_the_added_capacity_up():
    assert decide_high(view(desired=2, ready=2), metric=51).desired == 3  # 2.04 -> 3


def test_scale_out_is_clamped_to_max_size():
    assert decide_high(view(desired=2, ready=2, max_size=3), metric=100).desired == 3
    at_max = decide_high(view(desired=4, ready=4), metric=100)
    assert at_max.desired is None and "maximum" in at_max.reason


def test_scale_in_removes_capacity_in_proportion_rounding_the_removal_down():
    # 4 instances at 30 %: 2.4 instances would do; removing 1.6 rounds down to 1 -> 3.
    assert decide_low(view(desired=4, ready=4), [30.0] * 15).desired == 3
    # 4 instances at 20 %: exactly 1.6 -> 2.
    assert decide_low(view(desired=4, ready=4), [20.0] * 15).desired == 2


def test_scale_in_uses_the_highest_datapoint_of_the_window():
    # The latest minutes are idle, but 40 % earlier in the window still needs 3.2 instances: keep 4.
    assert decide_low(view(desired=4, ready=4), [40.0] + [0.3] * 14).desired is None
    assert decide_low(view(desired=4, ready=4), [20.0] + [0.3] * 14).desired == 2


def test_scale_in_is_clamped_to_min_size():
    decision = decide_low(view(desired=4, ready=4, min_size=2), [0.3] * 15)
    assert (decision.desired, decision.direction, decision.alarm) == (2, "in", "low")


def test_scale_in_can_be_disabled_on_the_policy():
    assert decide_low(view(desired=4, ready=4), [0.3] * 15, disable_scale_in=True).desired is None


# ------------------------------------------------------------------ warmup and missing data


def test_warming_instances_count_toward_capacity():
    # Two instances at 100 % asked for 4; the two new ones are warming: no second step.
    decision = decide_high(view(desired=4, ready=2, warming=2), metric=100)
    assert decision.desired is None and "warming" in decision.reason


def test_scale_out_continues_while_warming_when_the_ready_ones_need_more():
    decision = decide_high(view(desired=3, ready=2, warming=1), metric=100)
    assert decision.desired == 4


def test_warming_instances_block_scale_in():
    decision = decide_low(view(desired=4, ready=3, warming=1), [0.3] * 15)
    assert decision.desired is None and "blocked" in decision.reason


def test_no_scaling_without_data():
    assert tt.decide(view(2, 2), 50, INSUFFICIENT_DATA, INSUFFICIENT_DATA, [None] * 3, [None] * 15).desired is None
    # AlarmHigh in ALARM while every instance is warming: nothing feeds the metric, nothing happens.
    assert tt.decide(view(2, 0, 2), 50, ALARM, OK, [None, None, None], [None] * 15).desired is None


# ------------------------------------------------------------------ the walkthrough's flapping case


def simulate(warmup, minutes=240, target=50.0, boot=2, startup=3, min_size=1, max_size=4, start=2):
    """Minute-by-minute group with a demand hovering around the target on two instances.

    Demand W (percent of one instance) hovers 96..112, so two instances run at 48..56 % - "CPU hovering
    around the target". A new instance boots for `boot` minutes, then starts up at 100 % CPU for
    `startup` minutes (cloud-init, application start) before it takes its share of W. Instances feed
    the metric `warmup` minutes after InService. Returns the scaling events (minute, direction, from, to).
    """
    instances = [-100] * start  # launch minutes
    desired = start
    series, events = [], []
    for t in range(minutes):
        demand = 104 + 8 * math.sin(2 * math.pi * t / 7)
        in_service = [l for l in instances if t >= l + boot]
        serving = [l for l in in_service if t >= l + boot + startup]
        cpu = {i: (100.0 if t < l + boot + startup else min(100.0, demand / max(1, len(serving))))
               for i, l in enumerate(instances) if t >= l + boot}
        feeding = [cpu[i] for i, l in enumerate(instances) if t >= l + boot + warmup]
        series.append(sum(feeding) / len(feeding) if feeding else None)
        ready = len(feeding)
        group = GroupView(min_size, max_size, desired, ready, len(instances) - ready)
        high = ([None] * 3 + series)[-3:]
        low = ([None] * 15 + series)[-15:]
        decision = tt.decide(group, target, tt.evaluate_alarm(high, target, "GreaterThanThreshold", 3),
                             tt.evaluate_alarm(low, target * 0.9, "LessThanThreshold", 15), high, low)
        if decision.desired is not None:
            events.append((t, decision.direction, desired, decision.desired))
            desired = decision.desired
        while len(instances) < desired:
            instances.append(t + 1)
        while len(instances) > desired:
            instances.pop()
    return events


def test_warmup_zero_with_cpu_hovering_around_the_target_flaps():
    events = simulate(warmup=0)
    outs = [e for e in events if e[1] == "out"]
    ins = [e for e in events if e[1] == "in"]
    # Startup CPU of each new instance counts at once: the group overshoots to the maximum, falls
    # back when the startups end, and goes round again - out and in, over and over.
    assert len(outs) >= 6 and len(ins) >= 6
    assert max(e[3] for e in outs) == 4
    assert min(e[3] for e in ins) == 2


def test_a_warmup_longer_than_startup_scales_once_and_stays():
    events = simulate(warmup=5)
    assert events == [(events[0][0], "out", 2, 3)]
