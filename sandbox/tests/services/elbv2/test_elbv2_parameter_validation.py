"""Elastic Load Balancing refuses what AWS refuses, with AWS's error codes (docs/sandbox.md,
"Parameter validation"): load balancer names and scheme, fewer than two zones for an Application
Load Balancer, two subnets in one zone, subnets of two VPCs, health check maxima and matchers."""

import pytest
from botocore.exceptions import ClientError

from sandbox_harness import unique


def _refused(call, code, words):
    with pytest.raises(ClientError) as refused:
        call()
    error = refused.value.response["Error"]
    assert error["Code"] == code, error
    assert words in error["Message"], error


def _default_subnets(ec2):
    subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    return sorted(subnets, key=lambda s: s["AvailabilityZone"])


@pytest.mark.parametrize("name,words", [
    ("a" * 33, "cannot be longer than '32' characters"),
    ("web_tier", "only alphanumeric characters and hyphens"),
    ("web-", "cannot begin or end with a hyphen"),
    ("internal-web", "cannot begin with 'internal-'"),
])
def test_load_balancer_names_aws_refuses_are_refused(box, name, words):
    ec2, elb = box.client("ec2"), box.client("elbv2")
    subnets = [s["SubnetId"] for s in _default_subnets(ec2)[:2]]
    _refused(lambda: elb.create_load_balancer(Name=name, Subnets=subnets), "ValidationError", words)


def test_an_unknown_scheme_is_refused(box):
    ec2, elb = box.client("ec2"), box.client("elbv2")
    subnets = [s["SubnetId"] for s in _default_subnets(ec2)[:2]]
    _refused(lambda: elb.create_load_balancer(Name=unique("lb"), Subnets=subnets, Scheme="public"),
             "ValidationError", "Member must satisfy enum value set: [internet-facing, internal]")


def test_an_application_load_balancer_in_one_zone_is_refused(box):
    ec2, elb = box.client("ec2"), box.client("elbv2")
    one = [_default_subnets(ec2)[0]["SubnetId"]]
    _refused(lambda: elb.create_load_balancer(Name=unique("lb"), Subnets=one),
             "ValidationError", "At least two subnets in two different Availability Zones must be specified")


def test_two_subnets_in_one_zone_are_refused(box):
    ec2, elb = box.client("ec2"), box.client("elbv2")
    first = _default_subnets(ec2)[0]
    extra = ec2.create_subnet(VpcId=first["VpcId"], CidrBlock="172.31.200.0/24",
                              AvailabilityZone=first["AvailabilityZone"])["Subnet"]["SubnetId"]
    try:
        _refused(lambda: elb.create_load_balancer(Name=unique("lb"), Subnets=[first["SubnetId"], extra]),
                 "InvalidConfigurationRequest", "multiple subnets in the same Availability Zone")
    finally:
        ec2.delete_subnet(SubnetId=extra)


def test_subnets_of_two_vpcs_are_refused(box):
    ec2, elb = box.client("ec2"), box.client("elbv2")
    first, second = _default_subnets(ec2)[:2]
    vpc = ec2.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    other = ec2.create_subnet(VpcId=vpc, CidrBlock="10.77.1.0/24", AvailabilityZone=second["AvailabilityZone"])["Subnet"]["SubnetId"]
    try:
        _refused(lambda: elb.create_load_balancer(Name=unique("lb"), Subnets=[first["SubnetId"], other]),
                 "InvalidConfigurationRequest", "must all belong to the same VPC")
    finally:
        ec2.delete_subnet(SubnetId=other)
        ec2.delete_vpc(VpcId=vpc)


def test_a_valid_load_balancer_is_created(box):
    ec2, elb = box.client("ec2"), box.client("elbv2")
    subnets = [s["SubnetId"] for s in _default_subnets(ec2)[:2]]
    arn = elb.create_load_balancer(Name=unique("lb"), Subnets=subnets, Scheme="internal")["LoadBalancers"][0]["LoadBalancerArn"]
    elb.delete_load_balancer(LoadBalancerArn=arn)


@pytest.mark.parametrize("extra,words", [
    ({"HealthCheckIntervalSeconds": 301}, "at 'healthCheckIntervalSeconds' failed to satisfy constraint"),
    ({"HealthCheckTimeoutSeconds": 121, "HealthCheckIntervalSeconds": 300}, "at 'healthCheckTimeoutSeconds'"),
    ({"HealthyThresholdCount": 11}, "Member must have value less than or equal to 10"),
    ({"UnhealthyThresholdCount": 11}, "at 'unhealthyThresholdCount'"),
    ({"Matcher": {"HttpCode": "600"}}, "must be within '200-499' range"),
])
def test_health_check_settings_aws_refuses_are_refused(box, extra, words):
    ec2, elb = box.client("ec2"), box.client("elbv2")
    vpc = _default_subnets(ec2)[0]["VpcId"]
    _refused(lambda: elb.create_target_group(Name=unique("tg"), Protocol="HTTP", Port=80, VpcId=vpc, **extra),
             "ValidationError", words)


def test_health_check_settings_at_aws_maxima_are_accepted(box):
    ec2, elb = box.client("ec2"), box.client("elbv2")
    vpc = _default_subnets(ec2)[0]["VpcId"]
    arn = elb.create_target_group(Name=unique("tg"), Protocol="HTTP", Port=80, VpcId=vpc, HealthCheckIntervalSeconds=300,
                                  HealthCheckTimeoutSeconds=120, HealthyThresholdCount=10, UnhealthyThresholdCount=10,
                                  Matcher={"HttpCode": "200-299,404"})["TargetGroups"][0]["TargetGroupArn"]
    _refused(lambda: elb.modify_target_group(TargetGroupArn=arn, HealthyThresholdCount=11),
             "ValidationError", "at 'healthyThresholdCount'")
    elb.delete_target_group(TargetGroupArn=arn)
