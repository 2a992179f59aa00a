# -*- coding: utf-8 -*-
# Copyright: scaleout.webtier contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private: whether an Auto Scaling group already has the settings the scaling_group role applies (pure).

amazon.aws.autoscaling_group calls UpdateAutoScalingGroup and EnableMetricsCollection on every
run, even when nothing differs; the role skips it when this finds no difference, so that an
unchanged re-run makes no write call.
"""

# The metrics amazon.aws.autoscaling_group enables by default (its metrics_list).
GROUP_METRICS = (
    "GroupMinSize", "GroupMaxSize", "GroupDesiredCapacity", "GroupInServiceInstances",
    "GroupPendingInstances", "GroupStandbyInstances", "GroupTerminatingInstances", "GroupTotalInstances",
)

DESIRED_KEYS = (
    "launch_template_name", "launch_template_version", "subnet_ids", "min_size", "max_size", "target_group_arns",
    "health_check_type", "health_check_grace_period", "default_cooldown", "tags", "suspended_processes",
    "metrics_granularity",
)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def group_drift(existing, desired):
    """The differences, as ``"setting: now -> wanted"`` lines; empty when the group is in sync.

    ``existing`` is one entry of amazon.aws.autoscaling_group_info's ``results`` (snake_case);
    ``desired`` has the keys of DESIRED_KEYS (``suspended_processes`` None: keep what is suspended;
    ``tags``: key to value, all propagated at launch).
    """
    missing = [key for key in DESIRED_KEYS if key not in desired]
    if missing:
        raise ValueError("group_drift: desired settings lack %s" % ", ".join(missing))
    drift = []

    def compare(name, now, wanted):
        if now != wanted:
            drift.append("%s: %s -> %s" % (name, now, wanted))

    template = existing.get("launch_template") or {}
    compare("launch template", template.get("launch_template_name"), desired["launch_template_name"])
    compare("launch template version", template.get("version"), desired["launch_template_version"])
    subnets = [s for s in (existing.get("vpc_zone_identifier") or "").split(",") if s]
    compare("subnets", sorted(subnets), sorted(desired["subnet_ids"]))
    for key in ("min_size", "max_size", "health_check_grace_period", "default_cooldown"):
        compare(key, _int(existing.get(key)), _int(desired[key]))
    compare("health_check_type", existing.get("health_check_type"), desired["health_check_type"])
    compare("target groups", sorted(existing.get("target_group_arns") or []), sorted(desired["target_group_arns"]))
    tags = dict((t.get("key"), (t.get("value"), bool(t.get("propagate_at_launch")))) for t in existing.get("tags") or [])
    compare("tags", tags, dict((k, (str(v), True)) for k, v in desired["tags"].items()))
    if desired["suspended_processes"] is not None:
        suspended = sorted(p.get("process_name") for p in existing.get("suspended_processes") or [])
        compare("suspended processes", suspended, sorted(desired["suspended_processes"]))
    enabled = dict((m.get("metric"), m.get("granularity")) for m in existing.get("enabled_metrics") or [])
    lacking = sorted(m for m in GROUP_METRICS if enabled.get(m) != desired["metrics_granularity"])
    if lacking:
        drift.append("metrics collection (%s): not enabled for %s" % (desired["metrics_granularity"], ", ".join(lacking)))
    return drift
