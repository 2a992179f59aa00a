"""Account-level EC2 settings as AWS answers them: the default VPC routes to its internet gateway,
the EBS default key (the AWS managed alias until one is set), the default credit option per family."""

import pytest
from botocore.exceptions import ClientError


def test_the_default_vpc_routes_everything_to_its_internet_gateway(fresh):
    ec2 = fresh.client("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    gateways = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc]}])["InternetGateways"]
    main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                              {"Name": "association.main", "Values": ["true"]}])["RouteTables"][0]
    default = [r for r in main["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
    assert [r["GatewayId"] for r in default] == [gateways[0]["InternetGatewayId"]]
    assert all(s["MapPublicIpOnLaunch"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"])


def test_the_ebs_default_key_is_the_aws_managed_alias_until_one_is_set(fresh):
    ec2, kms = fresh.client("ec2"), fresh.client("kms")
    alias = f"arn:aws:kms:{fresh.region}:123456789012:alias/aws/ebs"
    assert ec2.get_ebs_default_kms_key_id()["KmsKeyId"] == alias
    key = kms.create_key()["KeyMetadata"]
    try:
        assert ec2.modify_ebs_default_kms_key_id(KmsKeyId=key["KeyId"])["KmsKeyId"] == key["Arn"]
        assert ec2.get_ebs_default_kms_key_id()["KmsKeyId"] == key["Arn"]
    finally:
        assert ec2.reset_ebs_default_kms_key_id()["KmsKeyId"] == alias
    assert ec2.get_ebs_default_kms_key_id()["KmsKeyId"] == alias


def test_the_default_credit_option_per_burstable_family(fresh):
    ec2 = fresh.client("ec2")

    def mode(family):
        return ec2.get_default_credit_specification(InstanceFamily=family)["InstanceFamilyCreditSpecification"]["CpuCredits"]

    assert (mode("t2"), mode("t3"), mode("t4g")) == ("standard", "unlimited", "unlimited")
    fresh.set_delays({"t3_standard_by_default": True})
    assert mode("t3") == "standard"
    with pytest.raises(ClientError) as error:
        mode("m5")
    assert error.value.response["Error"]["Code"] == "InvalidParameterValue"
