"""stack_plan's reads of security groups and temporary bake instances, against stubbed clients:
each test queues exactly the calls it expects (an unexpected call fails)."""

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.scaleout.webtier.plugins.modules import stack_plan

STACK = "demo"
VPC = "vpc-1"
NAMES = ["demo-alb", "demo-web"]
STACK_TAG = {"Key": "scaleout:stack", "Value": STACK}
TEMPORARY_TAG = {"Key": "scaleout:role", "Value": "bake-temporary"}
BY_TAG = {"Filters": [{"Name": "tag:scaleout:stack", "Values": [STACK]}]}
BY_NAME = {"Filters": [{"Name": "vpc-id", "Values": [VPC]}, {"Name": "group-name", "Values": NAMES}]}


def group(group_id, name, tags, vpc=VPC):
    return {"GroupId": group_id, "GroupName": name, "VpcId": vpc, "Description": "d", "OwnerId": "123456789012", "Tags": tags}


@pytest.fixture(autouse=True)
def no_image_read(monkeypatch):
    # The images are read in another thread, in any order with the groups: not the subject here.
    monkeypatch.setattr(stack_plan, "describe_images", lambda client, **params: [])


def stubbed_ec2():
    ec2 = boto3.client("ec2", region_name="eu-west-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    stub = Stubber(ec2)
    stub.activate()
    return ec2, stub


def wanted():
    return {"network": {"vpc_id": VPC, "security_groups": [{"name": n} for n in NAMES]},
            "bake": {"launch_template_name": "", "fingerprint": "f1", "image_id": "@bake_image"}}


def test_a_converged_stack_reads_its_groups_once_and_no_bake_instance():
    ec2, stub = stubbed_ec2()
    stub.add_response("describe_security_groups", {"SecurityGroups": [
        group("sg-1", "demo-alb", [STACK_TAG]), group("sg-2", "demo-web", [STACK_TAG])]}, BY_TAG)
    read = stack_plan.read_stack({"ec2": ec2, "iam": None}, STACK, wanted())
    stub.assert_no_pending_responses()
    assert sorted(read["security_groups"]) == NAMES and read["bake_instances"] == [] and read["bake_security_groups"] == []


def test_a_group_missing_from_the_tagged_read_is_looked_up_by_name():
    # The instances' group lost its stack tag: the converge finds it by name, so the plan must too.
    ec2, stub = stubbed_ec2()
    stub.add_response("describe_security_groups", {"SecurityGroups": [group("sg-1", "demo-alb", [STACK_TAG])]}, BY_TAG)
    stub.add_response("describe_security_groups", {"SecurityGroups": [
        group("sg-1", "demo-alb", [STACK_TAG]), group("sg-2", "demo-web", [])]}, BY_NAME)
    read = stack_plan.read_stack({"ec2": ec2, "iam": None}, STACK, wanted())
    stub.assert_no_pending_responses()
    assert read["security_groups"]["demo-web"]["GroupId"] == "sg-2"


def test_a_temporary_bake_group_makes_the_plan_read_the_temporary_instances():
    ec2, stub = stubbed_ec2()
    stub.add_response("describe_security_groups", {"SecurityGroups": [
        group("sg-1", "demo-alb", [STACK_TAG]), group("sg-2", "demo-web", [STACK_TAG]),
        group("sg-9", "demo-bake-x", [STACK_TAG, TEMPORARY_TAG], vpc="vpc-other")]}, BY_TAG)
    stub.add_response("describe_instances", {"Reservations": [{"Instances": [{"InstanceId": "i-bake"}]}]}, {"Filters": [
        {"Name": "tag:scaleout:stack", "Values": [STACK]}, {"Name": "tag:scaleout:role", "Values": ["bake-temporary"]},
        {"Name": "instance-state-name", "Values": stack_plan.LIVE_INSTANCE_STATES}]})
    read = stack_plan.read_stack({"ec2": ec2, "iam": None}, STACK, wanted())
    stub.assert_no_pending_responses()
    assert [g["GroupId"] for g in read["bake_security_groups"]] == ["sg-9"]
    assert [i["InstanceId"] for i in read["bake_instances"]] == ["i-bake"]
