"""EnableMetricsCollection without Metrics enables all 13 group metrics (as AWS does), and
DisableMetricsCollection, which moto lacks. cloudwatch/metrics.py publishes the enabled ones."""

from __future__ import annotations

from moto.core.responses import EmptyResult

from ...core.registry import patch
from .groups import group_named

R = "moto.autoscaling.responses"

ALL_GROUP_METRICS = [
    "GroupMinSize", "GroupMaxSize", "GroupDesiredCapacity", "GroupInServiceInstances",
    "GroupPendingInstances", "GroupStandbyInstances", "GroupTerminatingInstances", "GroupTotalInstances",
    "GroupInServiceCapacity", "GroupPendingCapacity", "GroupStandbyCapacity", "GroupTerminatingCapacity",
    "GroupTotalCapacity",
]


@patch("moto.autoscaling.models", "FakeAutoScalingGroup", "enable_metrics_collection")
def enable_metrics_collection(_engine, _original):
    def enable_metrics_collection(self, metrics):
        wanted = set(self.metrics or []) | set(metrics or ALL_GROUP_METRICS)
        self.metrics = [x for x in ALL_GROUP_METRICS if x in wanted] + sorted(wanted - set(ALL_GROUP_METRICS))

    return enable_metrics_collection


@patch(R, "AutoScalingResponse", "enable_metrics_collection")
def enable_metrics_collection_response(_engine, _original):
    from moto.autoscaling.exceptions import ValidationError

    def enable_metrics_collection(self):
        group_name = self._get_param("AutoScalingGroupName")
        granularity = self._get_param("Granularity")
        if granularity != "1Minute":
            raise ValidationError("Valid requests must contain the parameter Granularity with the value 1Minute")
        group = group_named(self.autoscaling_backend, group_name)
        metrics = self._get_param("Metrics") or []
        unknown = [x for x in metrics if x not in ALL_GROUP_METRICS and not x.startswith("WarmPool") and not x.startswith("GroupAndWarmPool")]
        if unknown:
            raise ValidationError(f"Unknown metric(s): {', '.join(unknown)}")
        group.enable_metrics_collection(metrics)
        return EmptyResult()

    return enable_metrics_collection


@patch(R, "AutoScalingResponse", "disable_metrics_collection", adds=True)
def disable_metrics_collection(_engine, _original):
    def disable_metrics_collection(self):
        group = group_named(self.autoscaling_backend, self._get_param("AutoScalingGroupName"))
        metrics = self._get_param("Metrics") or []
        group.metrics = [x for x in (group.metrics or []) if metrics and x not in metrics]
        return EmptyResult()

    return disable_metrics_collection
