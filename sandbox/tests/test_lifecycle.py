"""Lifecycle delays on the simulated clock, zone balancing, the console, images, load balancers,
target health - all through boto3 against a real sandbox server."""

import base64
import time
import urllib.request
from email.utils import parsedate_to_datetime

import pytest
from botocore.exceptions import ClientError

from conftest import SHARED_SECONDS_PER_MINUTE, linux_image, unique


def sim_epoch(value):
    return value.timestamp()


def run_instance(box, **extra):
    ec2 = box.client("ec2")
    params = dict(ImageId=linux_image(ec2), MinCount=1, MaxCount=1, InstanceType="t3.micro")
    params.update(extra)
    return ec2.run_instances(**params)["Instances"][0]


def test_health_and_clock_are_labelled_simulated(box):
    assert box.health()["simulated"] is True
    clock = box.clock()
    assert clock["simulated"] is True and clock["factor"] == 60 / float(SHARED_SECONDS_PER_MINUTE)
    assert clock["simulated_epoch"] > clock["real_epoch"]  # sim time started at real time and runs faster
    assert "moto.ec2.models.instances" in clock["patched"]["utcnow"]


def test_http_date_header_and_moto_timestamps_are_simulated_time(box):
    ec2 = box.client("ec2")
    response = ec2.describe_availability_zones()
    date = parsedate_to_datetime(response["ResponseMetadata"]["HTTPHeaders"]["date"]).timestamp()
    now = box.sim_now()
    slack = 1.5 * box.factor()  # 1.5 real seconds (the Date header has whole seconds)
    assert abs(date - now) < slack
    assert now - time.time() > 60  # and it is not the real clock
    instance = run_instance(box)
    assert abs(sim_epoch(instance["LaunchTime"]) - box.sim_now()) < slack
    ec2.terminate_instances(InstanceIds=[instance["InstanceId"]])


def test_instance_is_pending_then_running_then_terminated(box):
    ec2 = box.client("ec2")
    instance = run_instance(box)
    assert instance["State"]["Name"] == "pending"
    iid = instance["InstanceId"]
    launched = sim_epoch(instance["LaunchTime"])

    def state():
        return ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]["State"]["Name"]

    box.wait_for(lambda: state() == "running", 300, "running")
    assert box.sim_now() - launched >= 25  # about 30 simulated seconds
    assert ec2.terminate_instances(InstanceIds=[iid])["TerminatingInstances"][0]["CurrentState"]["Name"] == "shutting-down"
    box.wait_for(lambda: state() == "terminated", 300, "terminated")


def test_console_output_shows_user_data_echoes_after_boot(fresh):
    box = fresh
    box.set_delays({"instance_pending_s": 120})  # room to look before it runs, on a busy machine
    ec2 = box.client("ec2")
    script = "#!/bin/bash\necho scaleout-bake: step one\necho scaleout-bake: step two\nexit 3\necho not reached\n"
    iid = run_instance(box, UserData=script)["InstanceId"]
    early = ec2.get_console_output(InstanceId=iid)
    assert "Output" not in early  # nothing yet while pending, as on AWS

    def console():  # AWS sends base64; botocore decodes GetConsoleOutput's Output for its callers
        return ec2.get_console_output(InstanceId=iid).get("Output") or ""

    text = box.wait_for(lambda: "finished at" in (t := console()) and t, 600, "cloud-init to finish")
    assert text.index("scaleout-bake: step one") < text.index("scaleout-bake: step two")
    assert "Failed to run module scripts-user" in text and "not reached" not in text
    ec2.terminate_instances(InstanceIds=[iid])


def test_image_is_pending_then_available_with_tagged_encrypted_snapshots(box):
    ec2 = box.client("ec2")
    root = ec2.describe_images(ImageIds=[linux_image(ec2)])["Images"][0]["RootDeviceName"]
    instance = run_instance(box, BlockDeviceMappings=[{"DeviceName": root, "Ebs": {"Encrypted": True, "VolumeSize": 12}}])
    box.wait_for(lambda: ec2.describe_instances(InstanceIds=[instance["InstanceId"]])["Reservations"][0]["Instances"][0]["State"]["Name"] == "running",
                 300, "running")
    name = unique("baked")
    image_id = ec2.create_image(InstanceId=instance["InstanceId"], Name=name, TagSpecifications=[
        {"ResourceType": "image", "Tags": [{"Key": "stack", "Value": "demo"}]},
        {"ResourceType": "snapshot", "Tags": [{"Key": "stack", "Value": "demo"}]}])["ImageId"]
    image = ec2.describe_images(ImageIds=[image_id])["Images"][0]
    assert image["State"] == "pending"
    assert len(image["BlockDeviceMappings"]) == 1  # one volume: no extra /dev/sda1 beside the image's root
    mapping = image["BlockDeviceMappings"][0]
    assert (mapping["DeviceName"], mapping["Ebs"]["VolumeSize"], mapping["Ebs"]["Encrypted"]) == (root, 12, True)
    assert image["RootDeviceName"] == root
    snapshot = ec2.describe_snapshots(SnapshotIds=[mapping["Ebs"]["SnapshotId"]])["Snapshots"][0]
    assert snapshot["Encrypted"] is True and {"Key": "stack", "Value": "demo"} in snapshot["Tags"]
    started = box.sim_now()
    box.wait_for(lambda: ec2.describe_images(ImageIds=[image_id])["Images"][0]["State"] == "available", 900, "image available")
    assert box.sim_now() - started >= 120  # about four simulated minutes
    waiter_ok = ec2.describe_snapshots(SnapshotIds=[snapshot["SnapshotId"]])["Snapshots"][0]["State"]
    assert waiter_ok == "completed"
    ec2.terminate_instances(InstanceIds=[instance["InstanceId"]])


def test_load_balancer_provisions_and_targets_go_initial_healthy_draining(box):
    ec2, elb = box.client("ec2"), box.client("elbv2")
    subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    name = unique("lb")
    lb = elb.create_load_balancer(Name=name, Subnets=[s["SubnetId"] for s in subnets[:2]])["LoadBalancers"][0]
    assert lb["State"]["Code"] == "provisioning"
    tg = elb.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=subnets[0]["VpcId"],
                                 HealthCheckIntervalSeconds=30, HealthyThresholdCount=5)["TargetGroups"][0]["TargetGroupArn"]
    elb.modify_target_group_attributes(TargetGroupArn=tg, Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "300"}])
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])

    def lb_state():
        return elb.describe_load_balancers(LoadBalancerArns=[lb["LoadBalancerArn"]])["LoadBalancers"][0]["State"]["Code"]

    box.wait_for(lambda: lb_state() == "active", 600, "load balancer active")
    iid = run_instance(box, SubnetId=subnets[0]["SubnetId"])["InstanceId"]
    box.wait_for(lambda: ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]["State"]["Name"] == "running",
                 300, "running")
    elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": iid}])

    def health():
        found = elb.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
        return found[0]["TargetHealth"] if found else {"State": "gone"}

    assert health() == {"State": "initial", "Reason": "Elb.RegistrationInProgress", "Description": "Target registration is in progress"}
    registered = box.sim_now()
    box.wait_for(lambda: health()["State"] == "healthy", 600, "healthy")
    assert box.sim_now() - registered >= 120  # 5 x 30 s
    elb.deregister_targets(TargetGroupArn=tg, Targets=[{"Id": iid}])
    assert health()["State"] == "draining"
    box.wait_for(lambda: health()["State"] == "gone", 600, "draining to end")
    ec2.terminate_instances(InstanceIds=[iid])


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
