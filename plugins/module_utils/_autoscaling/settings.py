# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: an Auto Scaling group's settings and CPU target-tracking policy compared with the wanted
ones, and the calls that repair each difference (pure: no AWS call here).

One home for the comparison: the scaling_group module decides its calls with it, the plan
(``_plan.plan_group``) names the same differences, and the ``group_drift`` filter reads an
amazon.aws.autoscaling_group_info entry into the same form.

Both sides are first brought into one form (``current_group`` / ``wanted_group``)::

    {"launch_template_name": str, "launch_template_version": str, "subnet_ids": [sorted],
     "min_size": int, "max_size": int, "target_group_arns": [sorted], "health_check_type": str,
     "health_check_grace_period": int, "default_cooldown": int, "instance_warmup": int | None,
     "tags": {key: (value, propagate_at_launch)}, "suspended_processes": [sorted] | None,
     "metrics": {metric: granularity}}

In the wanted form, ``instance_warmup`` None leaves the group's warmup alone and
``suspended_processes`` None keeps whatever an operator suspended. Desired capacity is never
compared: after the create it belongs to the scaling policy. Tags not wanted are kept (as
amazon.aws.autoscaling_group did with its default purge_tags=false); ``aws:`` tags are AWS's.
"""

# The group metrics enabled on every group (amazon.aws.autoscaling_group's default metrics_list).
GROUP_METRICS = (
    "GroupMinSize", "GroupMaxSize", "GroupDesiredCapacity", "GroupInServiceInstances",
    "GroupPendingInstances", "GroupStandbyInstances", "GroupTerminatingInstances", "GroupTotalInstances",
)
CPU_METRIC = "ASGAverageCPUUtilization"
AWS_TAG_PREFIX = "aws:"

WANTED_KEYS = (
    "launch_template_name", "launch_template_version", "subnet_ids", "min_size", "max_size", "target_group_arns",
    "health_check_type", "health_check_grace_period", "default_cooldown", "tags", "suspended_processes",
    "metrics_granularity",
)

# The settings UpdateAutoScalingGroup changes, with the parameter that carries each.
UPDATED_BY_PARAMETER = (
    ("subnet_ids", "VPCZoneIdentifier"),
    ("min_size", "MinSize"),
    ("max_size", "MaxSize"),
    ("health_check_type", "HealthCheckType"),
    ("health_check_grace_period", "HealthCheckGracePeriod"),
    ("default_cooldown", "DefaultCooldown"),
    ("instance_warmup", "DefaultInstanceWarmup"),
)

# How each difference is named (the plan and the module's changes say the same).
LABELS = {
    "launch_template_name": "launch template",
    "launch_template_version": "launch template version",
    "subnet_ids": "subnets",
    "target_group_arns": "target groups",
    "instance_warmup": "default instance warmup",
    "suspended_processes": "suspended processes",
}


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def _subnets(vpc_zone_identifier):
    return sorted(s.strip() for s in (vpc_zone_identifier or "").split(",") if s.strip())


def wanted_group(settings):
    """The wanted form of the settings (keys of WANTED_KEYS, optionally ``instance_warmup``)."""
    missing = [key for key in WANTED_KEYS if key not in settings]
    if missing:
        raise ValueError("desired settings lack %s" % ", ".join(missing))
    suspended = settings["suspended_processes"]
    warmup = settings.get("instance_warmup")
    return {
        "launch_template_name": settings["launch_template_name"],
        "launch_template_version": str(settings["launch_template_version"]),
        "subnet_ids": sorted(settings["subnet_ids"]),
        "min_size": _int(settings["min_size"]),
        "max_size": _int(settings["max_size"]),
        "target_group_arns": sorted(settings["target_group_arns"]),
        "health_check_type": settings["health_check_type"],
        "health_check_grace_period": _int(settings["health_check_grace_period"]),
        "default_cooldown": _int(settings["default_cooldown"]),
        "instance_warmup": None if warmup is None else _int(warmup),
        "tags": dict((key, (str(value), True)) for key, value in settings["tags"].items()),
        "suspended_processes": None if suspended is None else sorted(suspended),
        "metrics": dict((metric, settings["metrics_granularity"]) for metric in GROUP_METRICS),
    }


def current_group(group):
    """The comparable form of a DescribeAutoScalingGroups entry."""
    template = group.get("LaunchTemplate") or {}
    return {
        "launch_template_name": template.get("LaunchTemplateName"),
        "launch_template_version": template.get("Version"),
        "subnet_ids": _subnets(group.get("VPCZoneIdentifier")),
        "min_size": group.get("MinSize"),
        "max_size": group.get("MaxSize"),
        "target_group_arns": sorted(group.get("TargetGroupARNs") or []),
        "health_check_type": group.get("HealthCheckType"),
        "health_check_grace_period": group.get("HealthCheckGracePeriod"),
        "default_cooldown": group.get("DefaultCooldown"),
        "instance_warmup": group.get("DefaultInstanceWarmup"),
        "tags": dict((t["Key"], (t.get("Value"), bool(t.get("PropagateAtLaunch")))) for t in group.get("Tags") or []
                     if not t["Key"].startswith(AWS_TAG_PREFIX)),
        "suspended_processes": sorted(p["ProcessName"] for p in group.get("SuspendedProcesses") or []),
        "metrics": dict((m["Metric"], m.get("Granularity")) for m in group.get("EnabledMetrics") or []),
    }


def current_group_from_info(group):
    """The comparable form of an amazon.aws.autoscaling_group_info entry (snake_case)."""
    template = group.get("launch_template") or {}
    return {
        "launch_template_name": template.get("launch_template_name"),
        "launch_template_version": template.get("version"),
        "subnet_ids": _subnets(group.get("vpc_zone_identifier")),
        "min_size": _int(group.get("min_size")),
        "max_size": _int(group.get("max_size")),
        "target_group_arns": sorted(group.get("target_group_arns") or []),
        "health_check_type": group.get("health_check_type"),
        "health_check_grace_period": _int(group.get("health_check_grace_period")),
        "default_cooldown": _int(group.get("default_cooldown")),
        "instance_warmup": group.get("default_instance_warmup"),
        "tags": dict((t.get("key"), (t.get("value"), bool(t.get("propagate_at_launch")))) for t in group.get("tags") or []
                     if not str(t.get("key")).startswith(AWS_TAG_PREFIX)),
        "suspended_processes": sorted(p.get("process_name") for p in group.get("suspended_processes") or []),
        "metrics": dict((m.get("metric"), m.get("granularity")) for m in group.get("enabled_metrics") or []),
    }


def group_differences(current, wanted):
    """``{setting: (now, wanted)}`` for every setting that differs; empty when the group is in sync.

    ``tags`` holds only the tags to set, ``metrics`` only the metrics not collected at the wanted
    granularity; ``suspended_processes`` is compared only when wanted is not None.
    """
    differences = {}
    for key in ("launch_template_name", "launch_template_version", "subnet_ids", "min_size", "max_size",
                "target_group_arns", "health_check_type", "health_check_grace_period", "default_cooldown"):
        if current[key] != wanted[key]:
            differences[key] = (current[key], wanted[key])
    if wanted["instance_warmup"] is not None and current["instance_warmup"] != wanted["instance_warmup"]:
        differences["instance_warmup"] = (current["instance_warmup"], wanted["instance_warmup"])
    tags = dict((key, value) for key, value in sorted(wanted["tags"].items()) if current["tags"].get(key) != value)
    if tags:
        differences["tags"] = (dict((key, current["tags"].get(key)) for key in tags), tags)
    if wanted["suspended_processes"] is not None and current["suspended_processes"] != wanted["suspended_processes"]:
        differences["suspended_processes"] = (current["suspended_processes"], wanted["suspended_processes"])
    lacking = dict((m, g) for m, g in sorted(wanted["metrics"].items()) if current["metrics"].get(m) != g)
    if lacking:
        differences["metrics"] = (dict((m, current["metrics"].get(m)) for m in lacking), lacking)
    return differences


def _tag_text(tag):
    if tag is None:
        return "(none)"
    value, propagated = tag
    return value if propagated else "%s (not propagated at launch)" % value


def difference_lines(differences):
    """One line per difference, ``"setting: now -> wanted"`` (one per tag)."""
    lines = []
    for key, (now, wanted) in differences.items():
        if key == "tags":
            lines += ["tags: %s: %s -> %s" % (k, _tag_text(now[k]), _tag_text(v)) for k, v in wanted.items()]
        elif key == "metrics":
            granularities = sorted(set(wanted.values()))
            lines.append("metrics collection (%s): not enabled for %s" % (", ".join(granularities), ", ".join(sorted(wanted))))
        else:
            lines.append("%s: %s -> %s" % (LABELS.get(key, key), now, wanted))
    return lines


def _tag_list(name, tags):
    return [{"ResourceId": name, "ResourceType": "auto-scaling-group", "Key": key, "Value": value,
             "PropagateAtLaunch": propagated} for key, (value, propagated) in sorted(tags.items())]


def _metrics_call(name, metrics):
    granularity = sorted(set(metrics.values()))[0]
    return ("enable_metrics_collection", {"AutoScalingGroupName": name, "Granularity": granularity, "Metrics": sorted(metrics)})


def update_calls(name, current, differences):
    """The calls, as ``[(boto3 operation, parameters)]``, that repair ``differences`` (found between
    ``current`` and the wanted form) and nothing else."""
    calls = []
    update = {}
    if "launch_template_name" in differences or "launch_template_version" in differences:
        # AWS takes the template's name and version together, whichever of them differs.
        update["LaunchTemplate"] = {
            "LaunchTemplateName": differences.get("launch_template_name", (None, current["launch_template_name"]))[1],
            "Version": differences.get("launch_template_version", (None, current["launch_template_version"]))[1]}
    for key, parameter in UPDATED_BY_PARAMETER:
        if key in differences:
            wanted = differences[key][1]
            update[parameter] = ",".join(wanted) if key == "subnet_ids" else wanted
    if update:
        calls.append(("update_auto_scaling_group", dict(AutoScalingGroupName=name, **update)))
    if "target_group_arns" in differences:
        now, wanted = differences["target_group_arns"]
        # Attach first, so that the instances never serve from no target group.
        attach, detach = sorted(set(wanted) - set(now)), sorted(set(now) - set(wanted))
        if attach:
            calls.append(("attach_load_balancer_target_groups", {"AutoScalingGroupName": name, "TargetGroupARNs": attach}))
        if detach:
            calls.append(("detach_load_balancer_target_groups", {"AutoScalingGroupName": name, "TargetGroupARNs": detach}))
    if "tags" in differences:
        calls.append(("create_or_update_tags", {"Tags": _tag_list(name, differences["tags"][1])}))
    if "suspended_processes" in differences:
        now, wanted = differences["suspended_processes"]
        resume, suspend = sorted(set(now) - set(wanted)), sorted(set(wanted) - set(now))
        if resume:
            calls.append(("resume_processes", {"AutoScalingGroupName": name, "ScalingProcesses": resume}))
        if suspend:
            calls.append(("suspend_processes", {"AutoScalingGroupName": name, "ScalingProcesses": suspend}))
    if "metrics" in differences:
        calls.append(_metrics_call(name, differences["metrics"][1]))
    return calls


def create_request(name, wanted, desired_capacity=None):
    """CreateAutoScalingGroup's parameters: everything the group is created with, its tags included
    (a least-privilege policy allows the create only with the stack's tags in it)."""
    request = {
        "AutoScalingGroupName": name,
        "LaunchTemplate": {"LaunchTemplateName": wanted["launch_template_name"], "Version": wanted["launch_template_version"]},
        "MinSize": wanted["min_size"],
        "MaxSize": wanted["max_size"],
        "VPCZoneIdentifier": ",".join(wanted["subnet_ids"]),
        "TargetGroupARNs": wanted["target_group_arns"],
        "HealthCheckType": wanted["health_check_type"],
        "HealthCheckGracePeriod": wanted["health_check_grace_period"],
        "DefaultCooldown": wanted["default_cooldown"],
        "Tags": _tag_list(name, wanted["tags"]),
    }
    if desired_capacity is not None:
        request["DesiredCapacity"] = int(desired_capacity)
    if wanted["instance_warmup"] is not None:
        request["DefaultInstanceWarmup"] = wanted["instance_warmup"]
    return request


def after_create_calls(name, wanted):
    """What CreateAutoScalingGroup cannot carry: metrics collection, and processes to suspend."""
    calls = [_metrics_call(name, wanted["metrics"])]
    if wanted["suspended_processes"]:
        calls.append(("suspend_processes", {"AutoScalingGroupName": name, "ScalingProcesses": wanted["suspended_processes"]}))
    return calls


def created_group(request, wanted):
    """The comparable form of the group a create request makes (for the diff)."""
    return dict(wanted, suspended_processes=wanted["suspended_processes"] or [],
                instance_warmup=request.get("DefaultInstanceWarmup"))


def after_update(current, differences):
    """The comparable form of the group once ``differences`` are repaired (for the diff)."""
    after = dict(current)
    for key, (_now, wanted) in differences.items():
        after[key] = dict(current[key], **wanted) if key in ("tags", "metrics") else wanted
    return after


def diff_view(settings):
    """A comparable form as the diff shows it (JSON: tags as key to value, propagated or not)."""
    if not settings:
        return {}
    view = dict(settings)
    view["tags"] = dict((k, _tag_text(v)) for k, v in sorted(settings["tags"].items()))
    view["metrics"] = ", ".join("%s (%s)" % (m, g) for m, g in sorted(settings["metrics"].items()))
    return view


# ------------------------------------------------------------------------------------ the policy


def wanted_policy(group_name, policy_name, target_value, warmup):
    """PutScalingPolicy's parameters for CPU target tracking."""
    return {
        "AutoScalingGroupName": group_name,
        "PolicyName": policy_name,
        "PolicyType": "TargetTrackingScaling",
        "TargetTrackingConfiguration": {
            "PredefinedMetricSpecification": {"PredefinedMetricType": CPU_METRIC},
            "TargetValue": float(target_value),
            "DisableScaleIn": False,
        },
        "EstimatedInstanceWarmup": int(warmup),
    }


def policy_differences(found, wanted):
    """``"part: now -> wanted"`` lines between a DescribePolicies entry and PutScalingPolicy's
    parameters; empty when in sync. AWS leaves DisableScaleIn out when false."""
    lines = []
    for key, value in wanted.items():
        now = found.get(key)
        if key == "TargetTrackingConfiguration":
            now = dict({"DisableScaleIn": False}, **(now or {}))
            for part in sorted(set(value) | set(now)):
                if part in value and now.get(part) != value[part]:
                    lines.append("%s: %s -> %s" % (part, now.get(part), value[part]))
        elif now != value:
            lines.append("%s: %s -> %s" % (key, now, value))
    return lines


# ------------------------------------------------------------------------------------ the result


def group_result(group, policy=None):
    """A group as the module returns it (snake_case), its instances with ids and zones."""
    template = group.get("LaunchTemplate") or {}
    return {
        "name": group["AutoScalingGroupName"],
        "arn": group.get("AutoScalingGroupARN", ""),
        "min_size": group.get("MinSize"),
        "max_size": group.get("MaxSize"),
        "desired_capacity": group.get("DesiredCapacity"),
        "launch_template": {"name": template.get("LaunchTemplateName"), "version": template.get("Version")},
        "subnet_ids": _subnets(group.get("VPCZoneIdentifier")),
        "target_group_arns": list(group.get("TargetGroupARNs") or []),
        "default_instance_warmup": group.get("DefaultInstanceWarmup"),
        "instances": [{"instance_id": i["InstanceId"], "availability_zone": i.get("AvailabilityZone", ""),
                       "lifecycle_state": i.get("LifecycleState", ""), "health_status": i.get("HealthStatus", ""),
                       "launch_template_version": (i.get("LaunchTemplate") or {}).get("Version")}
                      for i in group.get("Instances") or []],
        "policy": policy,
    }


def as_described(name, request, calls):
    """The DescribeAutoScalingGroups entry a group would have after ``request`` (a create) or with the
    UpdateAutoScalingGroup among ``calls`` applied to ``request`` (the group as read)."""
    group = dict(request, AutoScalingGroupName=name)
    for operation, params in calls:
        if operation == "update_auto_scaling_group":
            group.update(dict((k, v) for k, v in params.items() if k != "AutoScalingGroupName"))
        elif operation == "attach_load_balancer_target_groups":
            group["TargetGroupARNs"] = sorted(set(group.get("TargetGroupARNs") or []) | set(params["TargetGroupARNs"]))
        elif operation == "detach_load_balancer_target_groups":
            group["TargetGroupARNs"] = sorted(set(group.get("TargetGroupARNs") or []) - set(params["TargetGroupARNs"]))
    if "DesiredCapacity" not in group:
        group["DesiredCapacity"] = group.get("MinSize")
    return group
