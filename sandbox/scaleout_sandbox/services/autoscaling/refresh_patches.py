"""StartInstanceRefresh, DescribeInstanceRefreshes and CancelInstanceRefresh (moto lacks them;
refresh.py runs the refresh)."""

from __future__ import annotations

from moto.core.responses import ActionResult

from ...core.pagination import offset_page
from ...core.registry import patch
from .groups import group_named

R = "moto.autoscaling.responses"


@patch(R, "AutoScalingResponse", "start_instance_refresh", adds=True)
def start_instance_refresh(engine, _original):
    from moto.autoscaling.exceptions import ValidationError

    def start_instance_refresh(self):
        group = group_named(self.autoscaling_backend, self._get_param("AutoScalingGroupName"))
        preferences = self._get_param("Preferences") or {}
        min_healthy = preferences.get("MinHealthyPercentage", 90)
        max_healthy = preferences.get("MaxHealthyPercentage", 100)
        if not 0 <= int(min_healthy) <= 100:
            raise ValidationError("MinHealthyPercentage must be between 0 and 100")
        if not 100 <= int(max_healthy) <= 200:
            raise ValidationError("MaxHealthyPercentage must be between 100 and 200")
        if int(max_healthy) == 100 and int(min_healthy) == 100:
            raise ValidationError("MinHealthyPercentage and MaxHealthyPercentage cannot both be 100")
        desired = self._get_param("DesiredConfiguration")
        refresh = engine.refreshes.start(group, preferences, desired, self._get_param("Strategy") or "Rolling")
        return ActionResult({"InstanceRefreshId": refresh.instance_refresh_id})

    return start_instance_refresh


@patch(R, "AutoScalingResponse", "describe_instance_refreshes", adds=True)
def describe_instance_refreshes(engine, _original):
    def describe_instance_refreshes(self):
        group = group_named(self.autoscaling_backend, self._get_param("AutoScalingGroupName"))
        ids = self._get_param("InstanceRefreshIds", [])
        refreshes = list(reversed(engine.groups.gsim(group).refreshes))
        if ids:
            refreshes = [x for x in refreshes if x.instance_refresh_id in ids]
        return ActionResult(offset_page(refreshes, "InstanceRefreshes", self._get_int_param("MaxRecords") or 50,
                                        self._get_param("NextToken")))

    return describe_instance_refreshes


@patch(R, "AutoScalingResponse", "cancel_instance_refresh", adds=True)
def cancel_instance_refresh(engine, _original):
    def cancel_instance_refresh(self):
        group = group_named(self.autoscaling_backend, self._get_param("AutoScalingGroupName"))
        refresh = engine.refreshes.cancel(group)
        return ActionResult({"InstanceRefreshId": refresh.instance_refresh_id})

    return cancel_instance_refresh
