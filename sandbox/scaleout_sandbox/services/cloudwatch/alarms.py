"""CloudWatch alarms: state changes with AWS's reasons, and the alarm history
(``DescribeAlarmHistory``: StateUpdate, ConfigurationUpdate and Action items)."""

from __future__ import annotations

import json
from typing import Optional

from ...core.timestamps import to_dt
from ..autoscaling import targettracking as tt


class AlarmHistory:
    def __init__(self, engine):
        self.engine = engine
        self.items: dict[tuple, list] = {}  # (account, region) -> history items
        self.history_time: Optional[float] = None  # the time of the state change being recorded

    def record(self, account: str, region: str, alarm_name: str, item_type: str, summary: str,
               data: dict, when: Optional[float] = None) -> None:
        items = self.items.setdefault((account, region), [])
        items.append({
            "AlarmName": alarm_name, "AlarmType": "MetricAlarm",
            "Timestamp": to_dt(when if when is not None else (self.history_time or self.engine.now())),
            "HistoryItemType": item_type, "HistorySummary": summary,
            "HistoryData": json.dumps(data, separators=(",", ":")),
        })
        del items[:-10000]

    def set_state(self, alarm, state: str, reason: str, reason_data: dict, when: float) -> None:
        """Change an alarm's state as of `when` (its history item says `when` too)."""
        if alarm.state_value == state:
            return
        self.history_time = when
        try:
            alarm.update_state(reason, json.dumps(reason_data, separators=(",", ":")), state)
        finally:
            self.history_time = None
        alarm.state_updated_timestamp = to_dt(when)


def state_reason(values: list, starts: list, threshold: float, operator: str, state: str, count: int) -> str:
    """The StateReason CloudWatch writes for an M-of-N evaluation."""
    word = "greater than" if operator == "GreaterThanThreshold" else "less than"
    points = [(v, s) for v, s in zip(values, starts) if v is not None]
    if state == tt.INSUFFICIENT_DATA:
        missing = len(values) - len(points)
        return (f"Insufficient Data: {missing} datapoint{'s' if missing != 1 else ''} "
                f"{'were' if missing != 1 else 'was'} unknown.")
    if state == tt.ALARM:
        shown = ", ".join(f"{v:g} ({to_dt(s):%d/%m/%y %H:%M:%S})" for v, s in reversed(points[-count:]))
        n = len(points[-count:])
        return (f"Threshold Crossed: {n} datapoint{'s' if n != 1 else ''} [{shown}] "
                f"{'were' if n != 1 else 'was'} {word} the threshold ({threshold:g}).")
    breaching = (lambda v: v > threshold) if operator == "GreaterThanThreshold" else (lambda v: v < threshold)
    calm = [(v, s) for v, s in points if not breaching(v)]
    value, start = calm[-1] if calm else points[-1]
    return (f"Threshold Crossed: 1 datapoint [{value:g} ({to_dt(start):%d/%m/%y %H:%M:%S})] "
            f"was not {word} the threshold ({threshold:g}).")
