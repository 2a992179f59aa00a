"""Scaling activities (``DescribeScalingActivities``): one per launch and per termination, whatever
caused it, with AWS's wording."""

from __future__ import annotations

import json
import uuid
from typing import Optional

from ...core.timestamps import to_dt


class SimActivity:
    """One scaling activity, serialized by moto from these attributes."""

    def __init__(self, group, description: str, cause: str, start: float, status_code: str = "InProgress",
                 progress: int = 0, details: Optional[dict] = None):
        self.activity_id = str(uuid.uuid4())
        self.auto_scaling_group_name = group.name
        self.auto_scaling_group_arn = group.arn
        self.description = description
        self.cause = cause
        self.start_epoch = start
        self.start_time = to_dt(start)
        self.end_time = None
        self.status_code = status_code
        self.status_message = None
        self.progress = progress
        self.details = json.dumps(details or {}, separators=(",", ":"))

    def finish(self, when: float, status_code: str = "Successful", message: Optional[str] = None) -> None:
        self.end_time = to_dt(when)
        self.status_code = status_code
        self.status_message = message
        self.progress = 100


def instance_details(instance) -> dict:
    return {"Subnet ID": instance.subnet_id, "Availability Zone": instance.placement.zone}


def activities_of(groups: dict, account, region, group_name: Optional[str], include_deleted: bool) -> list:
    """The activities of the region's groups (of one group), newest first."""
    found = []
    for (acct, reg, name), gs in groups.items():
        if acct != account or reg != region:
            continue
        if group_name and name != group_name:
            continue
        if gs.deleted and not include_deleted:
            continue
        found.extend(gs.activities)
    order = {id(a): i for i, a in enumerate(found)}
    found.sort(key=lambda a: (a.start_epoch, order[id(a)]), reverse=True)
    return found
