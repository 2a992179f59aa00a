# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: CloudWatch alarms and their state history (the clients retry, see _aws_clients)."""

from ansible_collections.scaleout.webtier.plugins.module_utils._time import iso
from ansible_collections.scaleout.webtier.plugins.module_utils._time import parse_time


def describe_alarms(client, names):
    if not names:
        return []
    alarms = client.describe_alarms(AlarmNames=names)["MetricAlarms"]
    return [{"name": a["AlarmName"], "state": a["StateValue"], "reason": a.get("StateReason", ""),
             "updated": iso(a.get("StateUpdatedTimestamp")), "threshold": a.get("Threshold"),
             "comparison": a.get("ComparisonOperator")} for a in alarms]


def alarm_history(client, names, since):
    """The alarms' state changes since since, oldest first."""
    history = []
    for name in names:
        token = None
        while True:
            params = dict(AlarmName=name, HistoryItemType="StateUpdate", StartDate=parse_time(since), ScanBy="TimestampAscending")
            if token:
                params["NextToken"] = token
            page = client.describe_alarm_history(**params)
            for item in page.get("AlarmHistoryItems", []):
                old, new = states_from_summary(item.get("HistorySummary", ""))
                history.append({"name": item["AlarmName"], "time": iso(item["Timestamp"]), "old": old, "new": new,
                                "summary": item.get("HistorySummary", "")})
            token = page.get("NextToken")
            if not token:
                break
    return sorted(history, key=lambda h: h["time"])


def states_from_summary(summary):
    """(old, new) from a history summary, which reads 'Alarm updated from OK to ALARM'."""
    words = summary.split()
    try:
        at = words.index("from")
        return words[at + 1], words[at + 3]
    except (ValueError, IndexError):
        return "", ""
