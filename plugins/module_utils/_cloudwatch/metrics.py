# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: an Auto Scaling group's EC2 metrics in CloudWatch (the clients retry, see _aws_clients)."""

from datetime import timedelta

from ansible_collections.scaleout.webtier.plugins.module_utils._time import iso
from ansible_collections.scaleout.webtier.plugins.module_utils._time import parse_time

METRIC_PERIOD = 60
CREDIT_PERIOD = 300


def _statistics(client, dimension, value, metric, start, end, period, statistic, namespace="AWS/EC2"):
    return client.get_metric_statistics(
        Namespace=namespace, MetricName=metric,
        Dimensions=[{"Name": dimension, "Value": value}],
        StartTime=start, EndTime=end, Period=period, Statistics=[statistic],
    )["Datapoints"]


def _group_statistics(client, group_name, metric, start, end, period, statistic):
    return _statistics(client, "AutoScalingGroupName", group_name, metric, start, end, period, statistic)


def _cpu(client, dimension, value, since, until):
    points = _statistics(client, dimension, value, "CPUUtilization", parse_time(since) - timedelta(seconds=METRIC_PERIOD),
                         parse_time(until) + timedelta(seconds=METRIC_PERIOD), METRIC_PERIOD, "Average")
    return sorted(({"time": iso(p["Timestamp"]), "value": round(float(p["Average"]), 2)} for p in points), key=lambda p: p["time"])


def group_cpu(client, group_name, since, until):
    """Group-average CPUUtilization (1-minute periods) between since and until, oldest first."""
    return _cpu(client, "AutoScalingGroupName", group_name, since, until)


def instance_cpu(client, instance_id, since, until):
    """One instance's CPUUtilization (1-minute periods: detailed monitoring) between since and until, oldest first."""
    return _cpu(client, "InstanceId", instance_id, since, until)


def group_min_credit_balance(client, group_name, since, until):
    """The lowest CPUCreditBalance of the group's instances from 5 minutes before since to until, or None."""
    points = _group_statistics(client, group_name, "CPUCreditBalance", parse_time(since) - timedelta(minutes=5),
                               parse_time(until), CREDIT_PERIOD, "Minimum")
    return min((p["Minimum"] for p in points), default=None)


# The group metrics Auto Scaling publishes once metrics collection is enabled (1-minute granularity),
# by the name the report gives their line.
GROUP_CAPACITY_METRICS = (("in_service", "GroupInServiceInstances"), ("desired", "GroupDesiredCapacity"))


def group_capacity_metrics(client, group_name, since, until):
    """The group's in-service instances and desired capacity, one point per minute between since and
    until, from AWS/AutoScaling: {"in_service": [{time, value}], "desired": [...]}, oldest first."""
    start, end = parse_time(since) - timedelta(seconds=METRIC_PERIOD), parse_time(until) + timedelta(seconds=METRIC_PERIOD)
    series = {}
    for key, metric in GROUP_CAPACITY_METRICS:
        points = _statistics(client, "AutoScalingGroupName", group_name, metric, start, end, METRIC_PERIOD, "Average",
                             namespace="AWS/AutoScaling")
        series[key] = sorted(({"time": iso(p["Timestamp"]), "value": float(p["Average"])} for p in points), key=lambda p: p["time"])
    return series
