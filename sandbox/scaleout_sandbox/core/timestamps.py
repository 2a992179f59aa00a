"""Conversions between simulated epoch seconds and the timestamps moto and AWS show."""

from __future__ import annotations

import calendar
import datetime as _dt

from .clock import iso


def to_dt(epoch: float) -> _dt.datetime:
    """Naive UTC datetime, as moto stores times."""
    return _dt.datetime.fromtimestamp(epoch, _dt.timezone.utc).replace(tzinfo=None)


def to_epoch(value) -> float:
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        value = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is not None:
        value = value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    return calendar.timegm(value.timetuple()) + value.microsecond / 1e6


def at(epoch: float) -> str:
    """Timestamp as Auto Scaling writes it in causes: 2026-11-30T23:05:08Z."""
    return iso(epoch, millis=False)
