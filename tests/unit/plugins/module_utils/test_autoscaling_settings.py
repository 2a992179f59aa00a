"""The pure diff of the scaling_group module: a group as read against the wanted settings, the
differences named, and the calls that repair exactly them (no AWS)."""

import copy

import pytest

from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling import settings

NAME = "demo-asg"
TG, TG2 = "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/demo-tg/1", "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/new/2"
DESIRED = {
    "launch_template_name": "demo-web", "launch_template_version": "$Default", "subnet_ids": ["subnet-b", "subnet-a"],
    "min_size": "1", "max_size": 4, "target_group_arns": [TG], "health_check_type": "ELB", "health_check_grace_period": 120,
    "default_cooldown": 300, "instance_warmup": 120, "tags": {"scaleout:stack": "demo", "Name": "demo-web"},
    "suspended_processes": None, "metrics_granularity": "1Minute",
}
# As DescribeAutoScalingGroups returns a group in sync.
GROUP = {
    "AutoScalingGroupName": NAME, "MinSize": 1, "MaxSize": 4, "DesiredCapacity": 3, "DefaultCooldown": 300,
    "LaunchTemplate": {"LaunchTemplateId": "lt-1", "LaunchTemplateName": "demo-web", "Version": "$Default"},
    "VPCZoneIdentifier": "subnet-a,subnet-b", "TargetGroupARNs": [TG], "HealthCheckType": "ELB", "HealthCheckGracePeriod": 120,
    "DefaultInstanceWarmup": 120,
    "SuspendedProcesses": [{"ProcessName": "AZRebalance", "SuspensionReason": "User suspended at 2026-12-01"}],
    "EnabledMetrics": [{"Metric": m, "Granularity": "1Minute"} for m in settings.GROUP_METRICS],
    "Tags": [{"ResourceId": NAME, "ResourceType": "auto-scaling-group", "Key": k, "Value": v, "PropagateAtLaunch": True}
             for k, v in (("Name", "demo-web"), ("scaleout:stack", "demo"), ("aws:cloudformation:stack-name", "x"), ("team", "web"))],
    "Instances": [{"InstanceId": "i-1", "AvailabilityZone": "eu-west-1a", "LifecycleState": "InService", "HealthStatus": "Healthy",
                   "LaunchTemplate": {"LaunchTemplateName": "demo-web", "Version": "1"}}],
}
WANTED = settings.wanted_group(DESIRED)


def diff_of(change=None, desired=None):
    group = copy.deepcopy(GROUP)
    if change:
        change(group)
    current = settings.current_group(group)
    differences = settings.group_differences(current, settings.wanted_group(dict(DESIRED, **(desired or {}))))
    return differences, settings.update_calls(NAME, current, differences)


def test_a_group_in_sync_needs_no_call():
    # Subnet order, string numbers, desired capacity, kept suspensions, a tag not ours and AWS's own tags do not count.
    assert diff_of() == ({}, [])


def test_desired_capacity_is_never_compared():
    assert diff_of(lambda g: g.update(DesiredCapacity=1)) == ({}, [])


@pytest.mark.parametrize("change, line, calls", [
    (lambda g: g.update(MaxSize=6), "max_size: 6 -> 4", [("update_auto_scaling_group", {"AutoScalingGroupName": NAME, "MaxSize": 4})]),
    (lambda g: g.update(MinSize=0), "min_size: 0 -> 1", [("update_auto_scaling_group", {"AutoScalingGroupName": NAME, "MinSize": 1})]),
    (lambda g: g.update(VPCZoneIdentifier="subnet-a"), "subnets: ['subnet-a'] -> ['subnet-a', 'subnet-b']",
     [("update_auto_scaling_group", {"AutoScalingGroupName": NAME, "VPCZoneIdentifier": "subnet-a,subnet-b"})]),
    # AWS takes the template's name and version together: the unchanged one comes from the group.
    (lambda g: g["LaunchTemplate"].update(Version="3"), "launch template version: 3 -> $Default",
     [("update_auto_scaling_group", {"AutoScalingGroupName": NAME,
                                     "LaunchTemplate": {"LaunchTemplateName": "demo-web", "Version": "$Default"}})]),
    (lambda g: g["LaunchTemplate"].update(LaunchTemplateName="old"), "launch template: old -> demo-web",
     [("update_auto_scaling_group", {"AutoScalingGroupName": NAME,
                                     "LaunchTemplate": {"LaunchTemplateName": "demo-web", "Version": "$Default"}})]),
    (lambda g: g.update(HealthCheckType="EC2"), "health_check_type: EC2 -> ELB",
     [("update_auto_scaling_group", {"AutoScalingGroupName": NAME, "HealthCheckType": "ELB"})]),
    (lambda g: g.update(HealthCheckGracePeriod=300), "health_check_grace_period: 300 -> 120",
     [("update_auto_scaling_group", {"AutoScalingGroupName": NAME, "HealthCheckGracePeriod": 120})]),
    (lambda g: g.update(DefaultCooldown=60), "default_cooldown: 60 -> 300",
     [("update_auto_scaling_group", {"AutoScalingGroupName": NAME, "DefaultCooldown": 300})]),
    (lambda g: g.pop("DefaultInstanceWarmup"), "default instance warmup: None -> 120",
     [("update_auto_scaling_group", {"AutoScalingGroupName": NAME, "DefaultInstanceWarmup": 120})]),
    (lambda g: g.update(TargetGroupARNs=[]), "target groups: [] -> ['%s']" % TG,
     [("attach_load_balancer_target_groups", {"AutoScalingGroupName": NAME, "TargetGroupARNs": [TG]})]),
    (lambda g: g.update(TargetGroupARNs=[TG, TG2]), "target groups",
     [("detach_load_balancer_target_groups", {"AutoScalingGroupName": NAME, "TargetGroupARNs": [TG2]})]),
    (lambda g: g["Tags"].pop(0), "tags: Name: (none) -> demo-web",
     [("create_or_update_tags", {"Tags": [{"ResourceId": NAME, "ResourceType": "auto-scaling-group", "Key": "Name",
                                           "Value": "demo-web", "PropagateAtLaunch": True}]})]),
    (lambda g: g["Tags"][1].update(PropagateAtLaunch=False), "tags: scaleout:stack: demo (not propagated at launch) -> demo",
     [("create_or_update_tags", {"Tags": [{"ResourceId": NAME, "ResourceType": "auto-scaling-group", "Key": "scaleout:stack",
                                           "Value": "demo", "PropagateAtLaunch": True}]})]),
    (lambda g: g["EnabledMetrics"].pop(2), "metrics collection (1Minute): not enabled for GroupDesiredCapacity",
     [("enable_metrics_collection", {"AutoScalingGroupName": NAME, "Granularity": "1Minute", "Metrics": ["GroupDesiredCapacity"]})]),
])
def test_each_difference_is_named_and_repaired_by_its_own_call(change, line, calls):
    differences, made = diff_of(change)
    lines = settings.difference_lines(differences)
    assert len(lines) == 1 and line in lines[0], lines
    assert made == calls


def test_several_settings_go_in_one_update():
    def change(group):
        group.update(MaxSize=6, HealthCheckType="EC2", TargetGroupARNs=[])
    differences, calls = diff_of(change)
    assert calls == [("update_auto_scaling_group", {"AutoScalingGroupName": NAME, "MaxSize": 4, "HealthCheckType": "ELB"}),
                     ("attach_load_balancer_target_groups", {"AutoScalingGroupName": NAME, "TargetGroupARNs": [TG]})]
    assert len(settings.difference_lines(differences)) == 3


def test_suspended_processes_are_compared_only_when_given():
    assert diff_of(desired={"suspended_processes": ["AZRebalance"]}) == ({}, [])
    differences, calls = diff_of(desired={"suspended_processes": ["Launch"]})
    assert settings.difference_lines(differences) == ["suspended processes: ['AZRebalance'] -> ['Launch']"]
    assert calls == [("resume_processes", {"AutoScalingGroupName": NAME, "ScalingProcesses": ["AZRebalance"]}),
                     ("suspend_processes", {"AutoScalingGroupName": NAME, "ScalingProcesses": ["Launch"]})]


def test_a_warmup_not_wanted_is_left_alone():
    assert diff_of(lambda g: g.pop("DefaultInstanceWarmup"), {"instance_warmup": None}) == ({}, [])


def test_incomplete_settings_are_refused():
    with pytest.raises(ValueError, match="tags"):
        settings.wanted_group(dict((k, v) for k, v in DESIRED.items() if k != "tags"))


def test_a_create_carries_every_setting_and_the_tags():
    request = settings.create_request(NAME, WANTED, desired_capacity=2)
    assert request == {
        "AutoScalingGroupName": NAME, "LaunchTemplate": {"LaunchTemplateName": "demo-web", "Version": "$Default"},
        "MinSize": 1, "MaxSize": 4, "DesiredCapacity": 2, "VPCZoneIdentifier": "subnet-a,subnet-b", "TargetGroupARNs": [TG],
        "HealthCheckType": "ELB", "HealthCheckGracePeriod": 120, "DefaultCooldown": 300, "DefaultInstanceWarmup": 120,
        "Tags": [{"ResourceId": NAME, "ResourceType": "auto-scaling-group", "Key": "Name", "Value": "demo-web", "PropagateAtLaunch": True},
                 {"ResourceId": NAME, "ResourceType": "auto-scaling-group", "Key": "scaleout:stack", "Value": "demo",
                  "PropagateAtLaunch": True}]}
    assert "DesiredCapacity" not in settings.create_request(NAME, WANTED)
    assert settings.after_create_calls(NAME, WANTED) == [
        ("enable_metrics_collection", {"AutoScalingGroupName": NAME, "Granularity": "1Minute", "Metrics": sorted(settings.GROUP_METRICS)})]
    with_suspended = settings.wanted_group(dict(DESIRED, suspended_processes=["AZRebalance"]))
    assert settings.after_create_calls(NAME, with_suspended)[1] == (
        "suspend_processes", {"AutoScalingGroupName": NAME, "ScalingProcesses": ["AZRebalance"]})


def test_the_created_group_is_in_sync_with_its_settings():
    # What the create writes, read back, needs no further call.
    request = settings.create_request(NAME, WANTED, 1)
    described = dict(settings.as_described(NAME, request, []), SuspendedProcesses=[],
                     EnabledMetrics=[{"Metric": m, "Granularity": "1Minute"} for m in settings.GROUP_METRICS])
    current = settings.current_group(described)
    assert settings.group_differences(current, WANTED) == {}


def test_the_info_module_form_reads_the_same():
    snake = {"launch_template": {"launch_template_name": "demo-web", "version": "$Default"}, "vpc_zone_identifier": "subnet-b,subnet-a",
             "min_size": 1, "max_size": 4, "target_group_arns": [TG], "health_check_type": "ELB", "health_check_grace_period": 120,
             "default_cooldown": 300, "default_instance_warmup": 120,
             "tags": [{"key": "Name", "value": "demo-web", "propagate_at_launch": True},
                      {"key": "scaleout:stack", "value": "demo", "propagate_at_launch": True}],
             "suspended_processes": [], "enabled_metrics": [{"metric": m, "granularity": "1Minute"} for m in settings.GROUP_METRICS]}
    assert settings.group_differences(settings.current_group_from_info(snake), WANTED) == {}


POLICY = settings.wanted_policy(NAME, "demo-cpu", 50, 120)
FOUND_POLICY = {"AutoScalingGroupName": NAME, "PolicyName": "demo-cpu", "PolicyARN": "arn:policy", "PolicyType": "TargetTrackingScaling",
                "EstimatedInstanceWarmup": 120, "Enabled": True, "Alarms": [{"AlarmName": "a"}],
                "TargetTrackingConfiguration": {"PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                                                "TargetValue": 50.0}}


def test_a_policy_in_sync_has_no_difference():
    # AWS leaves DisableScaleIn out when it is false.
    assert settings.policy_differences(FOUND_POLICY, POLICY) == []
    assert settings.policy_differences(dict(FOUND_POLICY, TargetTrackingConfiguration=dict(
        FOUND_POLICY["TargetTrackingConfiguration"], DisableScaleIn=False)), POLICY) == []


@pytest.mark.parametrize("change, line", [
    (lambda p: p["TargetTrackingConfiguration"].update(TargetValue=80.0), "TargetValue: 80.0 -> 50.0"),
    (lambda p: p["TargetTrackingConfiguration"].update(DisableScaleIn=True), "DisableScaleIn: True -> False"),
    (lambda p: p.update(EstimatedInstanceWarmup=300), "EstimatedInstanceWarmup: 300 -> 120"),
    (lambda p: p["TargetTrackingConfiguration"]["PredefinedMetricSpecification"].update(PredefinedMetricType="ALBRequestCountPerTarget"),
     "PredefinedMetricSpecification"),
])
def test_each_policy_difference_is_named(change, line):
    found = copy.deepcopy(FOUND_POLICY)
    change(found)
    lines = settings.policy_differences(found, POLICY)
    assert len(lines) == 1 and line in lines[0], lines


def test_the_result_lists_the_instances_with_their_zones():
    result = settings.group_result(GROUP)
    assert result["instances"] == [{"instance_id": "i-1", "availability_zone": "eu-west-1a", "lifecycle_state": "InService",
                                    "health_status": "Healthy", "launch_template_version": "1"}]
