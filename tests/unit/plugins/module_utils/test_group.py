"""Whether a group already has the settings the scaling_group role applies."""

import copy

import pytest

from ansible_collections.scaleout.webtier.plugins.module_utils._group import GROUP_METRICS, group_drift

DESIRED = {
    "launch_template_name": "demo-web",
    "launch_template_version": "$Default",
    "subnet_ids": ["subnet-a", "subnet-b"],
    "min_size": "1",
    "max_size": 4,
    "target_group_arns": ["arn:tg"],
    "health_check_type": "ELB",
    "health_check_grace_period": 120,
    "default_cooldown": 300,
    "tags": {"scaleout:stack": "demo", "Name": "demo-web"},
    "suspended_processes": None,
    "metrics_granularity": "1Minute",
}

# As amazon.aws.autoscaling_group_info returns a group in sync.
EXISTING = {
    "auto_scaling_group_name": "demo-asg",
    "launch_template": {"launch_template_id": "lt-1", "launch_template_name": "demo-web", "version": "$Default"},
    "vpc_zone_identifier": "subnet-b,subnet-a",
    "min_size": 1,
    "max_size": 4,
    "desired_capacity": 3,
    "target_group_arns": ["arn:tg"],
    "health_check_type": "ELB",
    "health_check_grace_period": 120,
    "default_cooldown": 300,
    "tags": [
        {"key": "Name", "value": "demo-web", "propagate_at_launch": True, "resource_id": "demo-asg"},
        {"key": "scaleout:stack", "value": "demo", "propagate_at_launch": True, "resource_id": "demo-asg"},
    ],
    "suspended_processes": [{"process_name": "AZRebalance", "suspension_reason": "User suspended"}],
    "enabled_metrics": [{"metric": m, "granularity": "1Minute"} for m in GROUP_METRICS],
}


def test_a_group_in_sync_has_no_drift():
    # Subnet order, string numbers, desired capacity and kept suspensions do not count.
    assert group_drift(EXISTING, DESIRED) == []


@pytest.mark.parametrize("change, expected", [
    (lambda g: g.update(max_size=5), "max_size: 5 -> 4"),
    (lambda g: g.update(vpc_zone_identifier="subnet-a"), "subnets"),
    (lambda g: g["launch_template"].update(version="3"), "launch template version: 3 -> $Default"),
    (lambda g: g["launch_template"].update(launch_template_name="other"), "launch template: other -> demo-web"),
    (lambda g: g.update(target_group_arns=[]), "target groups"),
    (lambda g: g.update(health_check_type="EC2"), "health_check_type: EC2 -> ELB"),
    (lambda g: g.update(health_check_grace_period=300), "health_check_grace_period"),
    (lambda g: g.update(default_cooldown=60), "default_cooldown"),
    (lambda g: g["tags"].pop(), "tags"),
    (lambda g: g["tags"][0].update(propagate_at_launch=False), "tags"),
    (lambda g: g.update(enabled_metrics=[]), "metrics collection (1Minute): not enabled for GroupDesiredCapacity"),
    (lambda g: g["enabled_metrics"][0].update(granularity="5Minute"), "not enabled for GroupMinSize"),
])
def test_each_difference_is_named(change, expected):
    group = copy.deepcopy(EXISTING)
    change(group)
    drift = group_drift(group, DESIRED)
    assert len(drift) == 1 and expected in drift[0]


def test_suspended_processes_are_compared_only_when_given():
    desired = dict(DESIRED, suspended_processes=[])
    assert group_drift(EXISTING, desired) == ["suspended processes: ['AZRebalance'] -> []"]
    assert group_drift(EXISTING, dict(DESIRED, suspended_processes=["AZRebalance"])) == []


def test_incomplete_settings_are_refused():
    with pytest.raises(ValueError, match="tags"):
        group_drift(EXISTING, {k: v for k, v in DESIRED.items() if k != "tags"})
