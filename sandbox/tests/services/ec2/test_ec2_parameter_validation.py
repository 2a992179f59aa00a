"""EC2 refuses what AWS refuses, with AWS's error codes (docs/sandbox.md, "Parameter validation"):
security group, image and launch template names, and instance types moto does not know."""

import pytest
from botocore.exceptions import ClientError

from sandbox_harness import linux_image, run_instance, unique


def _refused(call, code, words):
    with pytest.raises(ClientError) as refused:
        call()
    error = refused.value.response["Error"]
    assert error["Code"] == code, error
    assert words in error["Message"], error


def _vpc(ec2):
    return ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]


@pytest.mark.parametrize("name,words", [
    ("sg-web", "Group names may not be in the format sg-*"),
    ("SG-web", "Group names may not be in the format sg-*"),
    ("w" * 256, "Length exceeds maximum of 255"),
    ("web|tier", "Valid characters: a-z, A-Z, 0-9, spaces"),
])
def test_security_group_names_aws_refuses_are_refused(box, name, words):
    ec2 = box.client("ec2")
    _refused(lambda: ec2.create_security_group(GroupName=name, Description="d", VpcId=_vpc(ec2)), "InvalidParameterValue", words)


def test_security_group_names_aws_allows_are_accepted(box):
    ec2 = box.client("ec2")
    name = unique("web (a.b_c:d/e#f,g@h[i]+j=k&l;m{n}o!p$q*r)")
    group = ec2.create_security_group(GroupName=name, Description="d", VpcId=_vpc(ec2))
    ec2.delete_security_group(GroupId=group["GroupId"])


@pytest.mark.parametrize("name", ["web image!", "w" * 129, "web\u00e9"])
def test_image_names_aws_refuses_are_refused(box, name):
    ec2 = box.client("ec2")
    instance_id = run_instance(box)["InstanceId"]
    _refused(lambda: ec2.create_image(InstanceId=instance_id, Name=name), "InvalidAMIName.Malformed", "between 3 and 128 characters")
    assert not ec2.describe_images(Owners=["self"], Filters=[{"Name": "name", "Values": [name]}])["Images"]


def test_image_names_aws_allows_are_accepted(box):
    ec2 = box.client("ec2")
    name = unique("web (1) [x] it's@a_b.c/d")
    image = ec2.create_image(InstanceId=run_instance(box)["InstanceId"], Name=name)
    assert ec2.describe_images(ImageIds=[image["ImageId"]])["Images"][0]["Name"] == name


@pytest.mark.parametrize("name", ["web tier", "web:tier", "w" * 129])
def test_launch_template_names_aws_refuses_are_refused(box, name):
    ec2 = box.client("ec2")
    _refused(lambda: ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData={}),
             "InvalidLaunchTemplateName.MalformedException", "between 3 and 128 characters")


def test_an_instance_type_ec2_does_not_have_is_refused(box):
    ec2 = box.client("ec2")
    _refused(lambda: ec2.run_instances(ImageId=linux_image(ec2), MinCount=1, MaxCount=1, InstanceType="t3.gigantic"),
             "InvalidInstanceType.NotFound", "t3.gigantic")
