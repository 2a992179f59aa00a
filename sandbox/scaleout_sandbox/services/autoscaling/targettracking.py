"""Target tracking as EC2 Auto Scaling documents it: pure functions, no moto, no clock.

The simulation feeds these functions what CloudWatch and the group would show at one evaluation
(the alarm windows, the group's sizes and how many instances are warming up) and applies what
they return. Everything here follows the AWS documentation; where AWS does not publish the exact
rule, the choice is the conservative one and is written down in docs/sandbox.md.

AWS behaviour implemented here:

* A target-tracking policy owns two alarms on the group metric: ``AlarmHigh`` (3 of 3 periods
  above the target) and ``AlarmLow`` (15 of 15 periods below 90 % of the target; for a target of
  50 the console shows "CPUUtilization < 45 for 15 datapoints").
* Missing data: an alarm with no datapoint in its window is INSUFFICIENT_DATA and scales nothing.
* Instances still warming up (launched, or InService for less than the warmup) do not feed the
  metric, count toward the current capacity, and block scale-in.
* New capacity is proportional to metric / target. Rounding is towards availability: a scale-out
  adds ceil(needed - current) instances, a scale-in removes floor(current - needed). In capacity
  terms both are ceil(ready * metric / target), clamped to [min, max]. A scale-in uses the highest
  datapoint of the AlarmLow window, so one quiet minute does not take away capacity that the rest
  of the window needed ("scales in gradually to protect availability").
* Warmup: the policy's EstimatedInstanceWarmup, else the group's DefaultInstanceWarmup, else the
  group's DefaultCooldown (300 s unless set).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional, Sequence

OK = "OK"
ALARM = "ALARM"
INSUFFICIENT_DATA = "INSUFFICIENT_DATA"

HIGH_EVALUATION_PERIODS = 3
LOW_EVALUATION_PERIODS = 15
LOW_THRESHOLD_RATIO = 0.9
DEFAULT_COOLDOWN_S = 300

# Float noise guard: 2 * 75 / 50 must give exactly 3, not 3.0000000000000004 -> 4.
_EPSILON = 1e-9


def alarm_thresholds(target: float) -> tuple[float, float]:
    """(AlarmHigh threshold, AlarmLow threshold) for a target value."""
    return float(target), round(float(target) * LOW_THRESHOLD_RATIO, 6)


def effective_warmup(policy_warmup: Optional[int], group_default_warmup: Optional[int],
                     default_cooldown: Optional[int]) -> int:
    """Seconds an InService instance is excluded from the metric and blocks scale-in."""
    for value in (policy_warmup, group_default_warmup):
        if value is not None and int(value) >= 0:
            return int(value)
    return int(default_cooldown if default_cooldown is not None else DEFAULT_COOLDOWN_S)


def evaluate_alarm(values: Sequence[Optional[float]], threshold: float, comparison: str,
                   datapoints_to_alarm: int) -> str:
    """CloudWatch's M-of-N evaluation with TreatMissingData=missing.

    ``values`` are the last N periods, oldest first, None where no datapoint exists.
    ALARM when at least M datapoints breach; OK when so many do not breach that M breaching ones
    are impossible; otherwise (no data, or too little to decide) INSUFFICIENT_DATA.
    """
    present = [v for v in values if v is not None]
    if comparison == "GreaterThanThreshold":
        breaching = sum(1 for v in present if v > threshold)
    elif comparison == "LessThanThreshold":
        breaching = sum(1 for v in present if v < threshold)
    elif comparison == "GreaterThanOrEqualToThreshold":
        breaching = sum(1 for v in present if v >= threshold)
    elif comparison == "LessThanOrEqualToThreshold":
        breaching = sum(1 for v in present if v <= threshold)
    else:
        raise ValueError(f"unknown comparison operator {comparison!r}")
    if breaching >= datapoints_to_alarm:
        return ALARM
    if len(present) - breaching > len(values) - datapoints_to_alarm:
        return OK
    return INSUFFICIENT_DATA


def needed_capacity(ready: int, metric: float, target: float) -> int:
    """Instances that would bring `metric`, measured on `ready` instances, to the target (rounded up)."""
    if target <= 0:
        raise ValueError("target must be positive")
    raw = ready * metric / target
    return max(0, math.ceil(raw - _EPSILON))


def clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


@dataclass(frozen=True)
class GroupView:
    """What the policy sees of the group at one evaluation."""

    min_size: int
    max_size: int
    desired: int
    ready: int  # InService and past the warmup: these feed the metric
    warming: int  # launched but not yet past the warmup (Pending, or InService within the warmup)


@dataclass(frozen=True)
class Decision:
    desired: Optional[int]  # the new desired capacity, or None for "no change"
    direction: Optional[str]  # "out", "in" or None
    alarm: Optional[str]  # "high" or "low": which alarm triggered the change
    reason: str


def decide(group: GroupView, target: float, high_state: str, low_state: str,
           high_values: Sequence[Optional[float]], low_values: Sequence[Optional[float]],
           disable_scale_in: bool = False) -> Decision:
    """The capacity a target-tracking policy asks for at one evaluation.

    Called every period; an alarm in ALARM invokes the policy again every period, as CloudWatch
    does for Auto Scaling actions. The warmup rules make repeated invocations safe.
    """
    if high_state == ALARM:
        latest = _latest(high_values)
        if latest is None or group.ready == 0:
            return Decision(None, None, None, "AlarmHigh in ALARM but no instance feeds the metric")
        needed = needed_capacity(group.ready, latest, target)
        new = clamp(max(needed, group.desired), group.min_size, group.max_size)
        if new > group.desired:
            return Decision(new, "out", "high",
                            f"{group.ready} ready instance(s) at {latest:.1f} need {needed} for target {target:g}")
        if needed > group.max_size:
            return Decision(None, None, None, f"already at the maximum size {group.max_size}")
        return Decision(None, None, None,
                        f"{needed} needed, {group.desired} already in the group (warming instances count)")
    if low_state == ALARM:
        if disable_scale_in:
            return Decision(None, None, None, "scale-in is disabled on the policy")
        if group.warming:
            return Decision(None, None, None, f"scale-in blocked: {group.warming} instance(s) warming up")
        present = [v for v in low_values if v is not None]
        if not present or group.ready == 0:
            return Decision(None, None, None, "AlarmLow in ALARM but no instance feeds the metric")
        peak = max(present)
        needed = needed_capacity(group.ready, peak, target)
        new = clamp(needed, group.min_size, group.max_size)
        if new < group.desired:
            return Decision(new, "in", "low",
                            f"{group.ready} ready instance(s) peaking at {peak:.1f} need {needed} for target {target:g}")
        return Decision(None, None, None, f"already at {group.desired} (minimum {group.min_size})")
    return Decision(None, None, None, "no alarm in ALARM")


def _latest(values: Sequence[Optional[float]]) -> Optional[float]:
    for value in reversed(values):
        if value is not None:
            return value
    return None
