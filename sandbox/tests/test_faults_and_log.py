"""The fault hooks and the request log, observed through the AWS API."""

import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

from sandbox_harness import linux_image
from scaleout_sandbox.client import SandboxRequestError


def offered(ec2, instance_type, location_type="availability-zone"):
    found = ec2.describe_instance_type_offerings(LocationType=location_type,
                                                 Filters=[{"Name": "instance-type", "Values": [instance_type]}])
    return sorted(o["Location"] for o in found["InstanceTypeOfferings"])


def subnet_in(ec2, zone):
    return ec2.describe_subnets(Filters=[{"Name": "availability-zone", "Values": [zone]},
                                         {"Name": "default-for-az", "Values": ["true"]}])["Subnets"][0]["SubnetId"]


def test_faults_endpoint_sets_reads_and_clears(fresh):
    document = {"unoffered": [{"zone": "ap-northeast-2a", "instance_type": "t3.micro"}],
                "never_healthy": {"instances": ["i-0abc"], "groups": []}}
    assert fresh.set_faults(document)["unoffered"] == document["unoffered"]
    assert fresh.faults()["never_healthy"]["instances"] == ["i-0abc"]
    with pytest.raises(SandboxRequestError) as err:
        fresh.set_faults({"unoffered": [{"instance_type": "t3.micro"}]})
    assert err.value.status == 400
    assert fresh.clear_faults() == {"unoffered": [], "insufficient_capacity": [], "never_healthy": {"instances": [], "groups": []},
                                    "quotas": []}


def test_unoffered_zone_fault_changes_offerings_run_instances_and_group_launches(fresh, tier):
    ec2 = fresh.client("ec2")
    assert "ap-northeast-2a" in offered(ec2, "t3.micro")
    fresh.set_faults({"unoffered": [{"zone": "ap-northeast-2a", "instance_type": "t3.micro"}]})
    assert offered(ec2, "t3.micro") == ["ap-northeast-2b", "ap-northeast-2c", "ap-northeast-2d"]
    assert "apne2-az1" not in offered(ec2, "t3.micro", "availability-zone-id")
    with pytest.raises(ClientError) as err:
        ec2.run_instances(ImageId=linux_image(ec2), MinCount=1, MaxCount=1, InstanceType="t3.micro",
                          SubnetId=subnet_in(ec2, "ap-northeast-2a"))
    assert err.value.response["Error"]["Code"] == "Unsupported"
    assert "choosing ap-northeast-2b, ap-northeast-2c, ap-northeast-2d" in err.value.response["Error"]["Message"]
    web = tier(instance_type="t3.micro").launch_template().group(min_size=0, desired=3, max_size=4)
    zones = sorted(i["AvailabilityZone"] for i in web.describe()["Instances"])
    assert zones == ["ap-northeast-2b", "ap-northeast-2c", "ap-northeast-2d"]
    failed = [a for a in web.activities() if a["StatusCode"] == "Failed"]
    assert len(failed) == 1 and "(ap-northeast-2a)" in failed[0]["StatusMessage"]


def test_insufficient_capacity_fault(fresh, tier):
    ec2 = fresh.client("ec2")
    fresh.set_faults({"insufficient_capacity": [{"zone": "ap-northeast-2c", "instance_type": "*"}]})
    with pytest.raises(ClientError) as err:
        ec2.run_instances(ImageId=linux_image(ec2), MinCount=1, MaxCount=1, InstanceType="t3.micro",
                          SubnetId=subnet_in(ec2, "ap-northeast-2c"))
    assert err.value.response["Error"]["Code"] == "InsufficientInstanceCapacity"
    web = tier(instance_type="t3.micro").launch_template().group(min_size=0, desired=4, max_size=4)
    zones = [i["AvailabilityZone"] for i in web.describe()["Instances"]]
    assert "ap-northeast-2c" not in zones and len(zones) == 4
    failed = [a for a in web.activities() if a["StatusCode"] == "Failed"]
    assert failed and all(a["StatusMessage"].startswith("We currently do not have sufficient t3.micro capacity in the "
                                                        "Availability Zone you requested (ap-northeast-2c).") for a in failed)
    assert all(a["StatusMessage"].endswith("Launching EC2 instance failed.") for a in failed)


def test_never_healthy_group_instances_are_replaced_by_elb_health_checks(fresh, tier):
    web = tier(instance_type="t3.micro").launch_template().load_balancer(interval=10)
    fresh.set_faults({"never_healthy": {"groups": [web.name]}})
    web.group(min_size=1, desired=1, max_size=2, HealthCheckType="ELB", HealthCheckGracePeriod=60)

    def target_states():
        return [d["TargetHealth"] for d in web.elb.describe_target_health(TargetGroupArn=web.tg_arn)["TargetHealthDescriptions"]]

    unhealthy = fresh.wait_for(lambda: next((s for s in target_states() if s["State"] == "unhealthy"), None),
                               900, "an unhealthy target")
    assert unhealthy == {"State": "unhealthy", "Reason": "Target.FailedHealthChecks", "Description": "Health checks failed"}

    def replaced():
        return [a for a in web.activities() if "in response to an ELB system health check failure." in a["Cause"]]

    fresh.wait_for(replaced, 900, "a health replacement activity")
    fresh.wait_for(lambda: any("an instance was started in response to a difference between desired and actual "
                               "capacity, increasing the capacity from 0 to 1." in a["Cause"] for a in web.activities()),
                   600, "the replacement launch")


def test_never_healthy_single_instance(fresh, tier):
    web = tier(instance_type="t3.micro").launch_template().load_balancer(interval=10).group(min_size=2, desired=2, max_size=2)
    ids = web.wait_in_service(2)
    fresh.set_faults({"never_healthy": {"instances": [ids[0]]}})

    def states():
        return {d["Target"]["Id"]: d["TargetHealth"]["State"]
                for d in web.elb.describe_target_health(TargetGroupArn=web.tg_arn)["TargetHealthDescriptions"]}

    fresh.wait_for(lambda: states().get(ids[1]) == "healthy", 600, "the other target healthy")
    assert states()[ids[0]] == "unhealthy"


def test_request_log_records_every_aws_call(fresh):
    ec2, asg, cw, ssm = (fresh.client(s) for s in ("ec2", "autoscaling", "cloudwatch", "ssm"))
    fresh.clear_requests()
    ec2.describe_instances()
    ec2.create_tags(Resources=["i-00000000000000000"], Tags=[{"Key": "a", "Value": "b"}])
    asg.describe_auto_scaling_groups()
    cw.describe_alarms()
    cw.put_metric_data(Namespace="Test", MetricData=[{"MetricName": "m", "Value": 1.0}])
    ssm.list_commands()
    entries = fresh.requests()
    calls = [(e["service"], e["action"], e["mutating"]) for e in entries]
    assert calls == [("ec2", "DescribeInstances", False), ("ec2", "CreateTags", True),
                     ("autoscaling", "DescribeAutoScalingGroups", False), ("cloudwatch", "DescribeAlarms", False),
                     ("cloudwatch", "PutMetricData", True), ("ssm", "ListCommands", False)]
    assert all(e["time"].endswith("Z") and e["status"] == 200 for e in entries)
    assert fresh.clear_requests()["cleared"] == 6
    assert fresh.requests() == []


def test_unknown_sandbox_endpoint_is_404(box):
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(box.endpoint + "/_sandbox/nope", timeout=5)
    assert err.value.code == 404


def test_delays_are_configurable(fresh):
    assert fresh.delays()["image_pending_s"] == 240
    assert fresh.set_delays({"image_pending_s": 60})["image_pending_s"] == 60
    with pytest.raises(SandboxRequestError):
        fresh.set_delays({"warp_speed": 1})
