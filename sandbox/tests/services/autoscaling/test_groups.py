"""Auto Scaling groups against a real sandbox server: lifecycle and zone balancing, failed launches,
settings, metrics collection, activities, validation and deletion (the gaps moto has)."""

import pytest
from botocore.exceptions import ClientError

from sandbox_harness import unique


ALL_GROUP_METRICS = {
    "GroupMinSize", "GroupMaxSize", "GroupDesiredCapacity", "GroupInServiceInstances", "GroupPendingInstances",
    "GroupStandbyInstances", "GroupTerminatingInstances", "GroupTotalInstances", "GroupInServiceCapacity",
    "GroupPendingCapacity", "GroupStandbyCapacity", "GroupTerminatingCapacity", "GroupTotalCapacity",
}


def test_group_instances_are_pending_then_in_service_balanced_across_zones(fresh, tier):
    fresh.set_delays({"instance_boot_s": 150})  # room to see them Pending, on a busy machine
    web = tier(instance_type="t3.micro").launch_template().group(min_size=0, desired=4, max_size=8)
    group = web.describe()
    assert sorted(i["LifecycleState"] for i in group["Instances"]) == ["Pending"] * 4
    zones = sorted(i["AvailabilityZone"] for i in group["Instances"])
    assert zones == ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c", "ap-northeast-2d"]
    started = box_now = web.box.sim_now()
    web.wait_in_service(4)
    assert web.box.sim_now() - box_now >= 100  # about 150 simulated seconds of boot
    subnets = {i["SubnetId"] for r in web.ec2.describe_instances(InstanceIds=web.in_service())["Reservations"] for i in r["Instances"]}
    assert len(subnets) == 4
    web.asg.set_desired_capacity(AutoScalingGroupName=web.name, DesiredCapacity=6)
    web.wait_in_service(6)
    per_zone = {}
    for instance in web.describe()["Instances"]:
        per_zone[instance["AvailabilityZone"]] = per_zone.get(instance["AvailabilityZone"], 0) + 1
    assert sorted(per_zone.values()) == [1, 1, 2, 2]
    causes = [a["Cause"] for a in web.activities() if a["Description"].startswith("Launching")]
    assert sum("a user request explicitly set group desired capacity changing the desired capacity from 4 to 6." in c
               for c in causes) == 2
    assert sum("a user request created an AutoScalingGroup changing the desired capacity from 0 to 4." in c for c in causes) == 4


def test_a_zone_that_does_not_offer_the_type_fails_with_an_activity_and_the_group_goes_elsewhere(tier):
    # moto's offering data, like AWS in the walkthrough: t2.micro is not offered in ap-northeast-2b and -2d.
    web = tier(instance_type="t2.micro").launch_template().group(min_size=0, desired=2, max_size=4)
    offered = web.ec2.describe_instance_type_offerings(LocationType="availability-zone",
                                                       Filters=[{"Name": "instance-type", "Values": ["t2.micro"]}])
    assert sorted(o["Location"] for o in offered["InstanceTypeOfferings"]) == ["ap-northeast-2a", "ap-northeast-2c"]
    group = web.describe()
    assert sorted(i["AvailabilityZone"] for i in group["Instances"]) == ["ap-northeast-2a", "ap-northeast-2c"]
    failed = [a for a in web.activities() if a["StatusCode"] == "Failed"]
    assert failed, "the launch into ap-northeast-2b must be recorded"
    expected = ("Your requested instance type (t2.micro) is not supported in your requested Availability Zone "
                "(ap-northeast-2b). Please retry your request by not specifying an Availability Zone or choosing "
                "ap-northeast-2a, ap-northeast-2c. Launching EC2 instance failed.")
    assert failed[-1]["StatusMessage"] == expected
    assert failed[-1]["Description"] == "Launching a new EC2 instance.  Status Reason: " + expected
    assert failed[-1]["Progress"] == 100 and "EndTime" in failed[-1]


def test_default_instance_warmup_is_stored_returned_and_cleared(tier):
    web = tier().launch_template().group(min_size=0, desired=0, max_size=1, DefaultInstanceWarmup=120)
    assert web.describe()["DefaultInstanceWarmup"] == 120
    web.asg.update_auto_scaling_group(AutoScalingGroupName=web.name, DefaultInstanceWarmup=30, DefaultCooldown=60)
    group = web.describe()
    assert (group["DefaultInstanceWarmup"], group["DefaultCooldown"]) == (30, 60)
    web.asg.update_auto_scaling_group(AutoScalingGroupName=web.name, DefaultInstanceWarmup=-1)
    assert "DefaultInstanceWarmup" not in web.describe()


def test_metrics_collection_enable_all_and_disable(tier):
    web = tier().launch_template().group(min_size=0, desired=0, max_size=1)
    web.asg.enable_metrics_collection(AutoScalingGroupName=web.name, Granularity="1Minute")
    assert {m["Metric"] for m in web.describe()["EnabledMetrics"]} == ALL_GROUP_METRICS
    web.box.wait_for(lambda: web.cw.list_metrics(Namespace="AWS/AutoScaling", MetricName="GroupDesiredCapacity",
                                                 Dimensions=[{"Name": "AutoScalingGroupName", "Value": web.name}])["Metrics"],
                     180, "group metrics published")
    web.asg.disable_metrics_collection(AutoScalingGroupName=web.name, Metrics=["GroupMinSize"])
    assert "GroupMinSize" not in {m["Metric"] for m in web.describe()["EnabledMetrics"]}
    web.asg.disable_metrics_collection(AutoScalingGroupName=web.name)
    assert web.describe()["EnabledMetrics"] == []


def test_scaling_activities_are_listed_newest_first_and_paginated(tier):
    web = tier(instance_type="t3.micro").launch_template().group(min_size=0, desired=2, max_size=3)
    web.asg.set_desired_capacity(AutoScalingGroupName=web.name, DesiredCapacity=3)
    first = web.asg.describe_scaling_activities(AutoScalingGroupName=web.name, MaxRecords=1)
    assert len(first["Activities"]) == 1 and first["NextToken"]
    assert "explicitly set group desired capacity" in first["Activities"][0]["Cause"]
    everything = web.activities()
    assert len(everything) == 3
    starts = [a["StartTime"] for a in everything]
    assert starts == sorted(starts, reverse=True)
    assert web.asg.describe_scaling_activities(AutoScalingGroupName=unique("none"))["Activities"] == []


def test_group_sizes_are_validated_and_names_unique(tier):
    web = tier().launch_template().group(min_size=1, desired=1, max_size=2)
    with pytest.raises(ClientError) as err:
        web.asg.set_desired_capacity(AutoScalingGroupName=web.name, DesiredCapacity=3)
    assert "above max value 2" in err.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as err:
        web.group(min_size=1, desired=1, max_size=2)
    assert err.value.response["Error"]["Code"] == "AlreadyExists"
    web.asg.update_auto_scaling_group(AutoScalingGroupName=web.name, MinSize=2)
    assert web.describe()["DesiredCapacity"] == 2  # raised to the new minimum


def test_delete_group_with_instances_needs_force_delete(fresh, tier):
    fresh.set_delays({"instance_shutdown_s": 300})  # room to see "Delete in progress", on a busy machine
    web = tier(instance_type="t3.micro").launch_template().group(min_size=1, desired=1, max_size=1)
    with pytest.raises(ClientError) as err:
        web.asg.delete_auto_scaling_group(AutoScalingGroupName=web.name)
    assert err.value.response["Error"]["Code"] == "ResourceInUse"
    web.asg.delete_auto_scaling_group(AutoScalingGroupName=web.name, ForceDelete=True)
    assert web.describe()["Status"] == "Delete in progress"
    web.box.wait_for(lambda: web.describe() is None, 600, "the group to be gone")


def test_an_update_launches_once_with_the_update_as_the_cause(tier):
    """moto's update sets the desired capacity itself; the launches must come from the sandbox's one
    reconcile after it, with the update as their cause."""
    web = tier().launch_template().group(min_size=0, desired=0, max_size=4)
    web.asg.update_auto_scaling_group(AutoScalingGroupName=web.name, DesiredCapacity=2)
    launches = [a for a in web.activities() if a["Description"].startswith("Launching a new EC2 instance: ")]
    assert len(launches) == 2
    for activity in launches:
        assert ("a user request update of AutoScalingGroup constraints to min: 0, max: 4, desired: 2 changing the "
                "desired capacity from 0 to 2.  At ") in activity["Cause"]
        assert activity["Cause"].endswith("an instance was started in response to a difference between desired and "
                                          "actual capacity, increasing the capacity from 0 to 2.")
