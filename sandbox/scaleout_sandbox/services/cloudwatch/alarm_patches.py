"""Alarms: new ones start ``INSUFFICIENT_DATA`` (moto: ``OK``), every state change and configuration
update is recorded (alarms.py), and DescribeAlarmHistory, which moto lacks."""

from __future__ import annotations

import json

from moto.core.responses import ActionResult

from ...core.pagination import offset_page
from ...core.registry import patch
from ...core.timestamps import to_epoch

M = "moto.cloudwatch.models"


@patch(M, "Alarm", "update_state")
def update_state(engine, original):
    def update_state(self, reason, reason_data, state_value):
        old_value, old_reason = self.state_value, self.state_reason
        original(self, reason, reason_data, state_value)
        account = self.alarm_arn.split(":")[4]
        try:
            new_data = json.loads(reason_data) if reason_data else None
        except ValueError:
            new_data = None
        data = {"version": "1.0", "oldState": {"stateValue": old_value, "stateReason": old_reason},
                "newState": {"stateValue": state_value, "stateReason": reason}}
        if new_data:
            data["newState"]["stateReasonData"] = new_data
        engine.alarms.record(account, self.region_name, self.name, "StateUpdate",
                             f"Alarm updated from {old_value} to {state_value}", data)

    return update_state


@patch(M, "CloudWatchBackend", "put_metric_alarm")
def put_metric_alarm(engine, original):
    def put_metric_alarm(self, name, *args, **kwargs):
        existed = name in self.alarms
        alarm = original(self, name, *args, **kwargs)
        if not existed:
            alarm.state_value = "INSUFFICIENT_DATA"
            alarm.state_reason = "Unchecked: Initial alarm creation"
        engine.alarms.record(self.account_id, self.region_name, name, "ConfigurationUpdate",
                             f'Alarm "{name}" {"updated" if existed else "created"}',
                             {"version": "1.0", "type": "Update" if existed else "Create",
                              "createdAlarm" if not existed else "updatedAlarm": {
                                  "threshold": alarm.threshold, "comparisonOperator": alarm.comparison_operator,
                                  "evaluationPeriods": alarm.evaluation_periods, "period": alarm.period,
                                  "metricName": alarm.metric_name, "namespace": alarm.namespace}})
        return alarm

    return put_metric_alarm


@patch("moto.cloudwatch.responses", "CloudWatchResponse", "describe_alarm_history", adds=True)
def describe_alarm_history(engine, _original):
    def describe_alarm_history(self):
        name = self._get_param("AlarmName")
        kinds = self._get_param("AlarmTypes") or []
        item_type = self._get_param("HistoryItemType")
        start = self._get_param("StartDate")
        end = self._get_param("EndDate")
        scan_by = self._get_param("ScanBy") or "TimestampDescending"
        items = list(engine.alarms.items.get((self.current_account, self.region), []))
        if name:
            items = [i for i in items if i["AlarmName"] == name]
        if kinds:
            items = [i for i in items if i["AlarmType"] in kinds]
        if item_type:
            items = [i for i in items if i["HistoryItemType"] == item_type]
        if start:
            items = [i for i in items if to_epoch(i["Timestamp"]) >= to_epoch(start)]
        if end:
            items = [i for i in items if to_epoch(i["Timestamp"]) <= to_epoch(end)]
        items.sort(key=lambda i: i["Timestamp"], reverse=scan_by != "TimestampAscending")
        return ActionResult(offset_page(items, "AlarmHistoryItems", int(self._get_param("MaxRecords") or 100),
                                        self._get_param("NextToken")))

    return describe_alarm_history
