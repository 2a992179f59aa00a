"""scaleout.webtier.scaling_group against stubbed clients: a new group is one read, one create (tags
and warmup inside it), metrics and the policy; AWS's "Invalid IAM Instance Profile" refusal of a
create is retried until the profile has propagated, and explained in AWS's words when it never
does; an unchanged group costs two reads and no write; drift is repaired by its own call; check
mode writes nothing (the policy neither); bad input fails before any call."""

import copy

from module_harness import aws, clock, fake_poller, run  # noqa: F401  # pylint: disable=unused-import

from ansible_collections.scaleout.webtier.plugins.module_utils._autoscaling.settings import GROUP_METRICS
from ansible_collections.scaleout.webtier.plugins.modules import scaling_group

NAME, TG = "demo-asg", "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/demo-tg/0123456789abcdef"
TAGS = {"scaleout:stack": "demo", "Name": "demo-web"}
ARGS = dict(name=NAME, launch_template_name="demo-web", subnet_ids=["subnet-a", "subnet-b"], min_size=1, max_size=4,
            desired_capacity=1, target_group_arns=[TG], health_check_type="ELB", health_check_grace_period=120,
            default_cooldown=300, instance_warmup=120, tags=TAGS, policy_name="demo-cpu", target_cpu=50,
            profile_propagation_timeout=120, profile_propagation_retry_delay=10)
TAG_LIST = [{"ResourceId": NAME, "ResourceType": "auto-scaling-group", "Key": k, "Value": TAGS[k], "PropagateAtLaunch": True}
            for k in sorted(TAGS)]
CREATE = {"AutoScalingGroupName": NAME, "LaunchTemplate": {"LaunchTemplateName": "demo-web", "Version": "$Default"},
          "MinSize": 1, "MaxSize": 4, "DesiredCapacity": 1, "VPCZoneIdentifier": "subnet-a,subnet-b", "TargetGroupARNs": [TG],
          "HealthCheckType": "ELB", "HealthCheckGracePeriod": 120, "DefaultCooldown": 300, "DefaultInstanceWarmup": 120, "Tags": TAG_LIST}
METRICS = {"AutoScalingGroupName": NAME, "Granularity": "1Minute", "Metrics": sorted(GROUP_METRICS)}
POLICY = {"AutoScalingGroupName": NAME, "PolicyName": "demo-cpu", "PolicyType": "TargetTrackingScaling", "EstimatedInstanceWarmup": 120,
          "TargetTrackingConfiguration": {"PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                                          "TargetValue": 50.0, "DisableScaleIn": False}}
GROUP = {
    "AutoScalingGroupName": NAME, "MinSize": 1, "MaxSize": 4, "DesiredCapacity": 2, "DefaultCooldown": 300,
    "LaunchTemplate": {"LaunchTemplateId": "lt-1", "LaunchTemplateName": "demo-web", "Version": "$Default"},
    "AvailabilityZones": ["eu-west-1a", "eu-west-1b"], "CreatedTime": "2026-12-01T00:00:00Z",
    "VPCZoneIdentifier": "subnet-b,subnet-a", "TargetGroupARNs": [TG], "HealthCheckType": "ELB", "HealthCheckGracePeriod": 120,
    "DefaultInstanceWarmup": 120, "SuspendedProcesses": [],
    "EnabledMetrics": [{"Metric": m, "Granularity": "1Minute"} for m in GROUP_METRICS],
    "Tags": [dict(t) for t in TAG_LIST],
    "Instances": [{"InstanceId": "i-1", "AvailabilityZone": "eu-west-1a", "LifecycleState": "InService", "HealthStatus": "Healthy",
                   "ProtectedFromScaleIn": False, "LaunchTemplate": {"LaunchTemplateName": "demo-web", "Version": "1"}}],
}
FOUND_POLICY = dict(POLICY, PolicyARN="arn:aws:autoscaling:eu-west-1:123456789012:scalingPolicy:1", Enabled=True)
PROFILE_REFUSAL = ("You must use a valid fully-formed launch template. Value (demo-web) for parameter iamInstanceProfile.name is "
                   "invalid. Invalid IAM Instance Profile name")


def described(group=None):
    return {"AutoScalingGroups": [group] if group else []}


def read(autoscaling, group=None, policy="found"):
    policy = FOUND_POLICY if policy == "found" else policy
    autoscaling.add_response("describe_auto_scaling_groups", described(group), {"AutoScalingGroupNames": [NAME]})
    if group:
        autoscaling.add_response("describe_policies", {"ScalingPolicies": [policy] if policy else []},
                                 {"AutoScalingGroupName": NAME, "PolicyNames": ["demo-cpu"]})


def test_a_new_group_is_one_read_one_create_with_tags_and_warmup_then_metrics_and_the_policy(aws, run):
    autoscaling = aws["autoscaling"]
    read(autoscaling)
    autoscaling.add_response("create_auto_scaling_group", {}, CREATE)
    autoscaling.add_response("enable_metrics_collection", {}, METRICS)
    autoscaling.add_response("put_scaling_policy", {"PolicyARN": "arn:policy", "Alarms": []}, POLICY)
    failed, result = run(scaling_group, ARGS)
    assert not failed, result
    aws.done()
    assert result["changed"] and result["created"] and not result["launch_template_changed"] and result["create_attempts"] == 1
    assert result["group"]["desired_capacity"] == 1 and result["group"]["instances"] == []
    assert result["group"]["policy"] == {"name": "demo-cpu", "target_value": 50.0, "estimated_warmup": 120}
    assert result["diff"]["before"] == {} and result["diff"]["after"]["instance_warmup"] == 120


def test_a_create_refused_while_the_profile_propagates_is_retried(aws, run, fake_poller, clock):
    fake_poller(scaling_group)
    autoscaling = aws["autoscaling"]
    read(autoscaling)
    for _attempt in range(2):
        autoscaling.add_client_error("create_auto_scaling_group", service_error_code="ValidationError",
                                     service_message=PROFILE_REFUSAL, http_status_code=400, expected_params=CREATE)
    autoscaling.add_response("create_auto_scaling_group", {}, CREATE)
    autoscaling.add_response("enable_metrics_collection", {}, METRICS)
    autoscaling.add_response("put_scaling_policy", {"PolicyARN": "arn:policy", "Alarms": []}, POLICY)
    failed, result = run(scaling_group, ARGS)
    assert not failed, result
    aws.done()
    assert clock.now == 20 and result["create_attempts"] == 3  # two refusals, each followed by the retry delay


def test_a_profile_that_never_propagates_fails_in_aws_words_after_the_timeout(aws, run, fake_poller, clock):
    fake_poller(scaling_group)
    autoscaling = aws["autoscaling"]
    read(autoscaling)
    for _attempt in range(4):  # at 0, 10, 20 and at the deadline
        autoscaling.add_client_error("create_auto_scaling_group", service_error_code="ValidationError",
                                     service_message=PROFILE_REFUSAL, http_status_code=400, expected_params=CREATE)
    failed, result = run(scaling_group, dict(ARGS, profile_propagation_timeout=30))
    assert failed
    aws.done()
    assert "still refused after 30s (4 attempts)" in result["msg"] and "Invalid IAM Instance Profile name" in result["msg"]
    assert clock.now == 30


def test_another_create_error_is_not_retried(aws, run, fake_poller, clock):
    fake_poller(scaling_group)
    autoscaling = aws["autoscaling"]
    read(autoscaling)
    autoscaling.add_client_error("create_auto_scaling_group", service_error_code="ValidationError",
                                 service_message="The subnet ID 'subnet-a' does not exist", http_status_code=400)
    failed, result = run(scaling_group, ARGS)
    assert failed and "subnet-a" in result["msg"]
    aws.done()
    assert clock.now == 0


def test_an_unchanged_group_costs_two_reads_and_no_write(aws, run):
    read(aws["autoscaling"], GROUP)
    failed, result = run(scaling_group, ARGS)
    assert not failed, result
    aws.done()
    assert not result["changed"] and result["changes"] == []
    assert result["group"]["instances"][0]["availability_zone"] == "eu-west-1a"
    assert result["group"]["instances"][0]["launch_template_version"] == "1"


def test_an_existing_group_keeps_its_desired_capacity_and_operator_suspensions(aws, run):
    group = dict(GROUP, DesiredCapacity=3, SuspendedProcesses=[{"ProcessName": "AZRebalance", "SuspensionReason": "User suspended"}])
    read(aws["autoscaling"], group)
    failed, result = run(scaling_group, ARGS)
    assert not failed and not result["changed"], result
    aws.done()


def test_drift_is_repaired_by_its_own_calls_only(aws, run):
    autoscaling = aws["autoscaling"]
    group = copy.deepcopy(GROUP)
    group.update(MaxSize=6, TargetGroupARNs=[])
    group["Tags"].pop(0)
    read(autoscaling, group, dict(FOUND_POLICY, TargetTrackingConfiguration=dict(POLICY["TargetTrackingConfiguration"], TargetValue=80.0)))
    autoscaling.add_response("update_auto_scaling_group", {}, {"AutoScalingGroupName": NAME, "MaxSize": 4})
    autoscaling.add_response("attach_load_balancer_target_groups", {}, {"AutoScalingGroupName": NAME, "TargetGroupARNs": [TG]})
    autoscaling.add_response("create_or_update_tags", {}, {"Tags": TAG_LIST[:1]})
    autoscaling.add_response("put_scaling_policy", {"PolicyARN": "arn:policy", "Alarms": []}, POLICY)
    failed, result = run(scaling_group, ARGS)
    assert not failed, result
    aws.done()
    assert result["changed"] and not result["created"]
    assert "max_size: 6 -> 4" in result["changes"] and "policy demo-cpu TargetValue: 80.0 -> 50.0" in result["changes"]
    assert result["diff"]["before"]["max_size"] == 6 and result["diff"]["after"]["max_size"] == 4


def test_a_missing_policy_is_created_without_touching_the_group(aws, run):
    autoscaling = aws["autoscaling"]
    read(autoscaling, GROUP, policy=None)
    autoscaling.add_response("put_scaling_policy", {"PolicyARN": "arn:policy", "Alarms": []}, POLICY)
    failed, result = run(scaling_group, ARGS)
    assert not failed and result["changed"], result
    aws.done()


def test_a_new_launch_template_version_is_reported_for_the_refresh(aws, run):
    autoscaling = aws["autoscaling"]
    read(autoscaling, dict(GROUP, LaunchTemplate={"LaunchTemplateName": "demo-web", "Version": "1"}))
    autoscaling.add_response("update_auto_scaling_group", {}, {
        "AutoScalingGroupName": NAME, "LaunchTemplate": {"LaunchTemplateName": "demo-web", "Version": "$Default"}})
    failed, result = run(scaling_group, ARGS)
    assert not failed and result["launch_template_changed"], result
    aws.done()


def test_check_mode_reads_and_writes_nothing_for_a_new_group_nor_its_policy(aws, run):
    read(aws["autoscaling"])
    failed, result = run(scaling_group, ARGS, check_mode=True)
    assert not failed and result["changed"], result
    aws.done()
    assert result["msg"] == "would have created Auto Scaling group demo-asg and its target-tracking policy demo-cpu"


def test_check_mode_names_the_drift_and_writes_nothing(aws, run):
    read(aws["autoscaling"], dict(GROUP, MaxSize=6),
         dict(FOUND_POLICY, TargetTrackingConfiguration=dict(POLICY["TargetTrackingConfiguration"], TargetValue=80.0)))
    failed, result = run(scaling_group, ARGS, check_mode=True)
    assert not failed and result["changed"], result
    aws.done()
    assert result["msg"] == "would have updated Auto Scaling group demo-asg"
    assert result["changes"] == ["max_size: 6 -> 4", "policy demo-cpu TargetValue: 80.0 -> 50.0"]


def test_bad_input_fails_before_any_call(aws, run):
    failed, result = run(scaling_group, dict(ARGS, min_size=5, desired_capacity=9, instance_warmup=4000))
    assert failed
    aws.done()
    assert "min_size=5, max_size=4" in result["msg"] and "desired_capacity=9" in result["msg"] and "instance_warmup=4000" in result["msg"]
    assert not aws.clients
