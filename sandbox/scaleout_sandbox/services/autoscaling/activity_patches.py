"""DescribeScalingActivities from the sandbox's activities (moto's list is always empty)."""

from __future__ import annotations

from moto.core.responses import ActionResult

from ...core.registry import patch
from .activities import activities_of


@patch("moto.autoscaling.responses", "AutoScalingResponse", "describe_scaling_activities")
def describe_scaling_activities(engine, _original):
    from moto.autoscaling.exceptions import ValidationError

    def describe_scaling_activities(self):
        ids = self._get_param("ActivityIds", [])
        group_name = self._get_param("AutoScalingGroupName")
        include_deleted = self._get_bool_param("IncludeDeletedGroups", False)
        max_records = self._get_int_param("MaxRecords") or 100
        if not 1 <= max_records <= 100:
            raise ValidationError("1 validation error detected: Value at 'maxRecords' failed to satisfy constraint: "
                                  "Member must have value less than or equal to 100")
        activities = activities_of(engine.groups.records, self.current_account, self.region, group_name,
                                   include_deleted or bool(ids))
        if ids:
            activities = [a for a in activities if a.activity_id in ids]
        token = self._get_param("NextToken")
        start = 0
        if token:
            positions = [i for i, a in enumerate(activities) if a.activity_id == token]
            if not positions:
                raise ValidationError("The NextToken value is invalid.")
            start = positions[0]
        page = activities[start:start + max_records]
        result = {"Activities": page}
        if len(activities) > start + max_records:
            result["NextToken"] = activities[start + max_records].activity_id
        return ActionResult(result)

    return describe_scaling_activities
