"""Auto Scaling refuses what AWS refuses, with AWS's error codes (docs/sandbox.md, "Parameter
validation"): names over 255 characters, negative durations, unknown health check types, subnets
of two VPCs, unknown process names and negative policy warmups."""

import pytest
from botocore.exceptions import ClientError


def _refused(call, words):
    with pytest.raises(ClientError) as refused:
        call()
    error = refused.value.response["Error"]
    assert error["Code"] == "ValidationError", error
    assert words in error["Message"], error


@pytest.mark.parametrize("extra,words", [
    ({"AutoScalingGroupName": "g" * 256}, "at 'autoScalingGroupName' failed to satisfy constraint: Member must have length"),
    ({"DefaultCooldown": -1}, "at 'defaultCooldown' failed to satisfy constraint"),
    ({"HealthCheckGracePeriod": -5}, "at 'healthCheckGracePeriod'"),
    ({"DefaultInstanceWarmup": -2}, "at 'defaultInstanceWarmup'"),
    ({"HealthCheckType": "HTTP"}, "at 'healthCheckType'"),
])
def test_group_settings_aws_refuses_are_refused(tier, extra, words):
    web = tier().launch_template()
    _refused(lambda: web.group(min_size=0, desired=0, max_size=1, **extra), words)
    assert web.describe() is None


def test_group_subnets_of_two_vpcs_are_refused(tier):
    web = tier().launch_template()
    vpc = web.ec2.create_vpc(CidrBlock="10.78.0.0/16")["Vpc"]["VpcId"]
    other = web.ec2.create_subnet(VpcId=vpc, CidrBlock="10.78.1.0/24", AvailabilityZone=web.subnets[1]["AvailabilityZone"])
    other_id = other["Subnet"]["SubnetId"]
    try:
        _refused(lambda: web.group(min_size=0, desired=0, max_size=1,
                                   VPCZoneIdentifier=web.subnets[0]["SubnetId"] + "," + other_id), "same VPC")
        assert web.describe() is None
    finally:
        web.ec2.delete_subnet(SubnetId=other_id)
        web.ec2.delete_vpc(VpcId=vpc)


def test_update_is_validated_too(tier):
    web = tier().launch_template().group(min_size=0, desired=0, max_size=1, HealthCheckType="ELB,EBS")
    _refused(lambda: web.asg.update_auto_scaling_group(AutoScalingGroupName=web.name, DefaultCooldown=-1),
             "at 'defaultCooldown'")
    web.asg.update_auto_scaling_group(AutoScalingGroupName=web.name, DefaultInstanceWarmup=-1)  # -1 clears it


def test_unknown_processes_are_refused_and_known_ones_suspended(tier):
    web = tier().launch_template().group(min_size=0, desired=0, max_size=1)
    _refused(lambda: web.asg.suspend_processes(AutoScalingGroupName=web.name, ScalingProcesses=["Lunch"]),
             "Value 'Lunch' at 'scalingProcesses'")
    assert web.describe()["SuspendedProcesses"] == []
    web.asg.suspend_processes(AutoScalingGroupName=web.name, ScalingProcesses=["AZRebalance", "InstanceRefresh"])
    assert sorted(p["ProcessName"] for p in web.describe()["SuspendedProcesses"]) == ["AZRebalance", "InstanceRefresh"]


def test_a_negative_policy_warmup_is_refused(tier):
    web = tier().launch_template().group(min_size=0, desired=0, max_size=1)
    _refused(lambda: web.policy(EstimatedInstanceWarmup=-1), "at 'estimatedInstanceWarmup'")
